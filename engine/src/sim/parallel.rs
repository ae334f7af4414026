//! Running the LPs of a design over worker threads, deterministically.
//!
//! Virtual time advances in windows `[T, T + lookahead)`, where `T` is the
//! earliest pending event of any LP. Within a window every LP handles its own
//! events independently: anything it sends to another LP is due at least one
//! lookahead later, so after the window. At the window's end the messages are
//! sorted by (destination, time, source LP, order of sending) and queued at
//! their destinations. Which thread ran which LP changes nothing in that
//! sequence, so results are byte-identical for every thread count; with one
//! thread the LPs run in turn on the calling thread, with no channels, and
//! with more the calling thread runs the first group of LPs itself.

use std::sync::Arc;

use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, unbounded};

use super::partition::Partition;
use super::{Kind, Recorder, RunOptions, Sim};
use crate::dataplane::Network;
use crate::model::Design;
use crate::report::metrics::Metrics;
use crate::units::Nanos;

/// What a run produced.
pub struct Outcome {
    /// The design's network as built (for names in reports).
    pub net: Network,
    pub metrics: Metrics,
    pub seed: u64,
    pub lps: u32,
    pub windows: u64,
}

/// A message between LPs: (destination LP, time, source LP, index, event).
type Msg = (u32, Nanos, u32, u32, Kind);

enum Command {
    /// Queue these messages, then run every event before the time.
    Window(Nanos, Vec<Msg>),
    Finish,
}

enum Reply {
    /// Messages produced, and each LP's next event time.
    Done(Vec<Msg>, Vec<(u32, Option<Nanos>)>),
    Finished(Vec<Sim>),
}

fn inject(sims: &mut [Sim], msgs: Vec<Msg>) {
    for (to, at, _, _, kind) in msgs {
        if let Some(sim) = sims.iter_mut().find(|s| s.lp == to) {
            sim.at(at, kind);
        }
    }
}

fn window(sims: &mut [Sim], until: Nanos) -> Vec<Msg> {
    let mut out = Vec::new();
    for sim in sims.iter_mut() {
        sim.run_until(until);
        let from = sim.lp;
        for (i, (to, at, kind)) in sim.outbox.drain(..).enumerate() {
            out.push((to, at, from, i as u32, kind));
        }
    }
    out
}

/// Receives the next message, spinning for a while before sleeping. Windows
/// are short (one lookahead of virtual time, often 100 us of work or less),
/// and waking a sleeping thread costs a good part of that; a thread that
/// waits longer than [`SPIN`] sleeps, so an overloaded machine is not
/// burdened by spinning threads.
fn wait<T>(rx: &Receiver<T>) -> Option<T> {
    let start = Instant::now();
    let mut tries = 0u32;
    loop {
        match rx.try_recv() {
            Ok(v) => return Some(v),
            Err(TryRecvError::Disconnected) => return None,
            Err(TryRecvError::Empty) => {}
        }
        tries = tries.wrapping_add(1);
        if tries % 64 == 0 && start.elapsed() > SPIN {
            return rx.recv().ok();
        }
        std::hint::spin_loop();
    }
}

/// How long a thread waiting for the next window spins before it sleeps.
const SPIN: Duration = Duration::from_micros(200);

fn worker(mut sims: Vec<Sim>, rx: Receiver<Command>, tx: Sender<Reply>) {
    while let Some(cmd) = wait(&rx) {
        match cmd {
            Command::Window(until, msgs) => {
                inject(&mut sims, msgs);
                let out = window(&mut sims, until);
                let next = sims.iter().map(|s| (s.lp, s.q.peek_time())).collect();
                if tx.send(Reply::Done(out, next)).is_err() {
                    return;
                }
            }
            Command::Finish => {
                let _ = tx.send(Reply::Finished(std::mem::take(&mut sims)));
                return;
            }
        }
    }
}

/// Runs `design` over its LPs with `opts.threads` workers. `recorders(lp)`
/// gives the recorders of each LP; `progress` hears of the virtual time
/// reached and the events handled so far.
pub fn run(
    design: Arc<Design>,
    opts: &RunOptions,
    recorders: &dyn Fn(u32) -> Vec<Box<dyn Recorder>>,
    progress: &mut dyn FnMut(Nanos, u64),
) -> Outcome {
    let part = Arc::new(Partition::new(&design));
    let seed = opts.seed.unwrap_or(design.seed);
    let mut sims: Vec<Sim> = (0..part.count)
        .map(|lp| {
            let mut s = Sim::new_lp(Arc::clone(&design), opts, Arc::clone(&part), lp);
            s.recorders = recorders(lp);
            s
        })
        .collect();
    let end = design.duration;
    let threads = opts.threads.max(1).min(sims.len());
    let mut windows = 0u64;
    let mut next: Vec<Option<Nanos>> = sims.iter().map(|s| s.q.peek_time()).collect();
    let mut pending: Vec<Msg> = Vec::new();

    let mut finished: Vec<Sim> = if threads <= 1 {
        while let Some(t) = earliest(&next, &pending).filter(|t| *t <= end) {
            let until = t.saturating_add(part.lookahead);
            inject(&mut sims, std::mem::take(&mut pending));
            pending = sorted(window(&mut sims, until));
            windows += 1;
            next = sims.iter().map(|s| s.q.peek_time()).collect();
            progress(until.min(end), sims.iter().map(|s| s.metrics.events).sum());
        }
        sims
    } else {
        // LP i runs on worker i % threads, always; worker 0 is the calling
        // thread, which has nothing else to do during a window.
        let mut groups: Vec<Vec<Sim>> = (0..threads).map(|_| Vec::new()).collect();
        for s in sims {
            let w = s.lp as usize % threads;
            groups[w].push(s);
        }
        let mut local = std::mem::take(&mut groups[0]);
        std::thread::scope(|scope| {
            let mut links = Vec::new();
            for g in groups.into_iter().skip(1) {
                let (ctx, crx) = unbounded();
                let (rtx, rrx) = unbounded();
                scope.spawn(move || worker(g, crx, rtx));
                links.push((ctx, rrx));
            }
            let mut events_seen = 0u64;
            while let Some(t) = earliest(&next, &pending).filter(|t| *t <= end) {
                let until = t.saturating_add(part.lookahead);
                let mut per: Vec<Vec<Msg>> = (0..threads).map(|_| Vec::new()).collect();
                for m in std::mem::take(&mut pending) {
                    per[m.0 as usize % threads].push(m);
                }
                let mut per = per.into_iter();
                let mine = per.next().unwrap_or_default();
                for ((tx, _), msgs) in links.iter().zip(per) {
                    let _ = tx.send(Command::Window(until, msgs));
                }
                inject(&mut local, mine);
                let mut all = window(&mut local, until);
                for s in &local {
                    next[s.lp as usize] = s.q.peek_time();
                }
                for (_, rx) in &links {
                    if let Some(Reply::Done(out, times)) = wait(rx) {
                        all.extend(out);
                        for (lp, t) in times {
                            next[lp as usize] = t;
                        }
                    }
                }
                pending = sorted(all);
                windows += 1;
                events_seen += 1;
                progress(until.min(end), events_seen);
            }
            let mut back = std::mem::take(&mut local);
            for (tx, rx) in &links {
                let _ = tx.send(Command::Finish);
                if let Ok(Reply::Finished(s)) = rx.recv() {
                    back.extend(s);
                }
            }
            back.sort_by_key(|s| s.lp);
            back
        })
    };
    // Messages still pending are due after the end.
    let mut metrics = Metrics::default();
    for s in &mut finished {
        s.finish();
    }
    for s in &finished {
        metrics.merge(&s.metrics, &s.net, s.lp, &part);
    }
    metrics.end = end;
    Outcome {
        net: Network::new(Arc::clone(&design)),
        metrics,
        seed,
        lps: part.count,
        windows,
    }
}

fn earliest(next: &[Option<Nanos>], pending: &[Msg]) -> Option<Nanos> {
    let a = next.iter().flatten().min().copied();
    let b = pending.iter().map(|m| m.1).min();
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn sorted(mut msgs: Vec<Msg>) -> Vec<Msg> {
    msgs.sort_by_key(|m| (m.0, m.1, m.2, m.3));
    msgs
}
