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
//! with more the calling thread runs the first group of LPs itself. Which
//! worker runs which LP is decided from the events each LP handled (see
//! [`assign`]) and may change during a run; results cannot tell.

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
    /// How many times LPs moved between threads (never with one thread).
    pub moves: u64,
}

/// A message between LPs: (destination LP, time, source LP, index, event).
type Msg = (u32, Nanos, u32, u32, Kind);

enum Command {
    /// Queue these messages, then run every event before the time.
    Window(Nanos, Vec<Msg>),
    /// Take these LPs (in addition to any the worker has).
    Adopt(Vec<Sim>),
    /// Give every LP back.
    Lend,
}

/// Each LP's next event time and events handled so far.
type Times = Vec<(u32, Option<Nanos>, u64)>;

enum Reply {
    /// Messages produced, and each LP's times.
    Done(Vec<Msg>, Times),
    Lent(Vec<Sim>),
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

fn times(sims: &[Sim]) -> Times {
    sims.iter()
        .map(|s| (s.lp, s.q.peek_time(), s.metrics.events))
        .collect()
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

fn worker(rx: Receiver<Command>, tx: Sender<Reply>) {
    let mut sims: Vec<Sim> = Vec::new();
    while let Some(cmd) = wait(&rx) {
        let reply = match cmd {
            Command::Window(until, msgs) => {
                inject(&mut sims, msgs);
                let out = window(&mut sims, until);
                Reply::Done(out, times(&sims))
            }
            Command::Adopt(more) => {
                sims.extend(more);
                continue;
            }
            Command::Lend => Reply::Lent(std::mem::take(&mut sims)),
        };
        if tx.send(reply).is_err() {
            return;
        }
    }
}

/// The windows after which LPs are assigned to workers again, by the events
/// each handled since the last time: early (a run's traffic may be short),
/// then every [`REASSIGN_EVERY`] windows (traffic changes over a run).
const FIRST_REASSIGN: u64 = 16;
const REASSIGN_EVERY: u64 = 2048;

/// Which worker runs each LP, given the events each LP handled in the last
/// `windows` windows: the longest-processing-time rule (heaviest LP first,
/// each to the least loaded worker, ties to the lower index). Everything
/// goes to worker 0, the calling thread, when spreading would not make the
/// busiest worker at least a fifth lighter than one thread doing it all, or
/// when windows are too light to share ([`MIN_WINDOW_EVENTS`]): waiting for
/// the other workers at every window would cost more than it gains.
pub fn assign(loads: &[u64], windows: u64, threads: usize) -> Vec<usize> {
    let threads = threads.max(1);
    let mut order: Vec<usize> = (0..loads.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(loads[i]), i));
    let mut total = vec![0u64; threads];
    let mut owner = vec![0usize; loads.len()];
    for i in order {
        let w = (0..threads).min_by_key(|&w| (total[w], w)).unwrap_or(0);
        owner[i] = w;
        total[w] += loads[i];
    }
    let sum: u64 = loads.iter().sum();
    let busiest = total.iter().copied().max().unwrap_or(0);
    if sum < MIN_WINDOW_EVENTS.saturating_mul(windows.max(1))
        || busiest.saturating_mul(5) >= sum.saturating_mul(4)
    {
        return vec![0; loads.len()];
    }
    owner
}

/// The fewest events per window (a few tens of microseconds of work) worth
/// sharing between threads: handing a window to another thread and waiting
/// for its answer costs a few microseconds.
pub const MIN_WINDOW_EVENTS: u64 = 256;

/// The events of the busiest worker under `owner`.
fn busiest(loads: &[u64], owner: &[usize], threads: usize) -> u64 {
    let mut total = vec![0u64; threads.max(1)];
    for (l, w) in loads.iter().zip(owner) {
        total[*w] += l;
    }
    total.into_iter().max().unwrap_or(0)
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
    let mut moves = 0u64;
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
        std::thread::scope(|scope| {
            let mut links = Vec::new();
            for _ in 1..threads {
                let (ctx, crx) = unbounded();
                let (rtx, rrx) = unbounded();
                scope.spawn(move || worker(crx, rtx));
                links.push((ctx, rrx));
            }
            // Round robin until the first loads are measured; worker 0 is
            // the calling thread, which has nothing else to do in a window.
            let mut owner: Vec<usize> = (0..sims.len()).map(|lp| lp % threads).collect();
            let mut local = deal(sims, &owner, &links);
            let mut events = vec![0u64; owner.len()];
            let mut measured = vec![0u64; owner.len()];
            let mut reassign = FIRST_REASSIGN;
            while let Some(t) = earliest(&next, &pending).filter(|t| *t <= end) {
                let until = t.saturating_add(part.lookahead);
                let mut per: Vec<Vec<Msg>> = (0..threads).map(|_| Vec::new()).collect();
                for m in std::mem::take(&mut pending) {
                    per[owner[m.0 as usize]].push(m);
                }
                let busy: Vec<bool> = (0..threads).map(|w| owner.contains(&w)).collect();
                let mut per = per.into_iter();
                let mine = per.next().unwrap_or_default();
                for (w, ((tx, _), msgs)) in links.iter().zip(per).enumerate() {
                    if busy[w + 1] {
                        let _ = tx.send(Command::Window(until, msgs));
                    }
                }
                inject(&mut local, mine);
                let mut all = window(&mut local, until);
                let mut got = times(&local);
                for (w, (_, rx)) in links.iter().enumerate() {
                    if busy[w + 1] {
                        if let Some(Reply::Done(out, t)) = wait(rx) {
                            all.extend(out);
                            got.extend(t);
                        }
                    }
                }
                for (lp, t, n) in got {
                    next[lp as usize] = t;
                    events[lp as usize] = n;
                }
                pending = sorted(all);
                windows += 1;
                progress(until.min(end), events.iter().sum());
                if windows == reassign {
                    reassign += REASSIGN_EVERY;
                    let loads: Vec<u64> =
                        events.iter().zip(&measured).map(|(a, b)| a - b).collect();
                    measured.clone_from(&events);
                    let new = assign(&loads, REASSIGN_EVERY.min(windows), threads);
                    // Moving LPs costs their caches: only for a gain, or to
                    // stop sharing windows too light to share.
                    let alone = new.iter().all(|w| *w == 0);
                    let gain =
                        busiest(&loads, &new, threads) * 20 < busiest(&loads, &owner, threads) * 19;
                    if new != owner && (alone || gain) {
                        let mut all = collect(std::mem::take(&mut local), &links, &owner);
                        all.sort_by_key(|s| s.lp);
                        owner = new;
                        local = deal(all, &owner, &links);
                        moves += 1;
                    }
                }
            }
            let mut back = collect(local, &links, &owner);
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
        moves,
    }
}

type Link = (Sender<Command>, Receiver<Reply>);

/// Hands each worker its LPs; returns the calling thread's.
fn deal(sims: Vec<Sim>, owner: &[usize], links: &[Link]) -> Vec<Sim> {
    let mut groups: Vec<Vec<Sim>> = (0..=links.len()).map(|_| Vec::new()).collect();
    for s in sims {
        groups[owner[s.lp as usize]].push(s);
    }
    let mut groups = groups.into_iter();
    let local = groups.next().unwrap_or_default();
    for ((tx, _), g) in links.iter().zip(groups) {
        if !g.is_empty() {
            let _ = tx.send(Command::Adopt(g));
        }
    }
    local
}

/// Takes every LP back from the workers.
fn collect(mut local: Vec<Sim>, links: &[Link], owner: &[usize]) -> Vec<Sim> {
    for (w, (tx, rx)) in links.iter().enumerate() {
        if owner.contains(&(w + 1)) {
            let _ = tx.send(Command::Lend);
            if let Some(Reply::Lent(s)) = wait(rx) {
                local.extend(s);
            }
        }
    }
    local
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

#[cfg(test)]
mod tests {
    use super::assign;

    #[test]
    fn heaviest_lps_go_to_the_least_loaded_worker() {
        // Round robin would give worker 0 LPs 0 and 2 (400) and worker 1
        // LP 1 (200).
        assert_eq!(assign(&[300, 200, 100], 1, 2), vec![0, 1, 1]);
        assert_eq!(assign(&[100, 100, 100, 100], 1, 2), vec![0, 1, 0, 1]);
        assert_eq!(assign(&[50, 300, 300, 40, 10], 1, 3), vec![2, 0, 1, 2, 2]);
    }

    #[test]
    fn one_busy_lp_runs_everything_on_the_calling_thread() {
        // Spreading would leave the busiest worker with 90 % of the work.
        assert_eq!(assign(&[900, 100], 1, 2), vec![0, 0]);
        assert_eq!(assign(&[0, 0, 0], 1, 2), vec![0, 0, 0]);
        // 75 % is worth spreading.
        assert_eq!(assign(&[750, 250], 1, 2), vec![0, 1]);
    }

    #[test]
    fn light_windows_stay_on_the_calling_thread() {
        // 1,000 events over 10 windows: 100 per window.
        assert_eq!(assign(&[500, 500], 10, 2), vec![0, 0]);
        assert_eq!(assign(&[5_000, 5_000], 10, 2), vec![0, 1]);
    }
}
