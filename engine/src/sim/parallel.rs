//! Running the LPs of a design over worker threads, deterministically.
//!
//! Virtual time is cut into windows of half the lookahead ([`SPLIT`]): window
//! `k` is `[k w, (k + 1) w)`. Anything an LP sends to another is due at least
//! one lookahead later, so a message sent in window `m` is queued at its
//! destination when that LP starts window `m + SPLIT`, in the order of
//! (window sent, time, source LP, order of sending). An LP may run window
//! `k` once every other LP has finished window `k - SPLIT`: the LPs need not
//! wait for each other at every window's end, and a thread whose LPs had a
//! light window goes on while another finishes a heavy one. Each LP queues
//! its messages at the same points of its own run whichever thread ran
//! which LP and however far ahead, so results are byte-identical for every
//! thread count.
//!
//! The calling thread hands out stretches of windows: from the window of
//! the earliest pending event or message (windows with nothing anywhere are
//! skipped) for up to [`STRETCH_MAX`] windows, fewer while the windows are
//! nearly empty. Within a stretch the threads run their LPs on their own,
//! meeting only through each LP's progress counter and mailbox
//! ([`Exchange`]); with one thread the calling thread runs them all in
//! turn. Which worker runs which LP is decided between stretches by a
//! [`Planner`] from the wall time each LP's windows took and the events
//! each handled ([`assign_by_cost`]) and from whether spreading pays, and
//! may change during a run; results cannot tell.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, unbounded};

use super::metrics::Metrics;
use super::partition::Partition;
use super::{Kind, Lps, Recorder, RunOptions, Sim};
use crate::dataplane::Network;
use crate::model::Design;
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
    /// Messages between LPs (packets and notes about items).
    pub messages: u64,
    /// What the planner decided and why (`vpcsim run --verbose`).
    pub plan: Plan,
    /// The design's LPs.
    pub part: Arc<Partition>,
}

/// Why every LP ran on the calling thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alone {
    /// One thread was asked for, or the design has one LP.
    OneThread,
    /// Lookaheads held fewer than [`MIN_WINDOW_EVENTS`] events on average
    /// (when their wall time was not measured).
    LightWindows { per_window: u64 },
    /// Lookaheads took less than [`MIN_WINDOW_WORK`] of the LPs' wall time on
    /// average: `per_window` nanoseconds.
    LightWork { per_window: u64 },
    /// Spreading would leave the busiest worker with four fifths of the
    /// events or more: `busiest` of `total`.
    Unbalanced { busiest: u64, total: u64 },
    /// Spread windows took about as long in wall time as the threads'
    /// work in them: the threads did not get cores of their own.
    NoCores,
}

/// One decision of the planner: after `window`, which worker runs each LP
/// (worker 0 is the calling thread), and why every LP runs there when
/// they all do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub window: u64,
    pub owner: Vec<usize>,
    pub alone: Option<Alone>,
}

/// What the planner saw and did over a run: the threads it had, its
/// decisions that changed something (the first [`MAX_DECISIONS`]; `more`
/// counts the others).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub threads: usize,
    pub decisions: Vec<Decision>,
    pub more: u64,
    /// Events each LP handled.
    pub events: Vec<u64>,
    /// Windows whose LPs were spread over more than one thread, and their
    /// wall time from the calling thread's hand-out to its last answer.
    pub spread_windows: u64,
    pub spread_wall: Duration,
    /// Time each thread spent running its LPs in those windows; the rest
    /// of the wall time it waited or handed over.
    pub spread_work: Vec<Duration>,
    /// How evenly the windows' events would spread over more threads.
    pub balance: Balance,
}

/// The thread counts [`Balance`] looks at.
pub const BALANCE_THREADS: [usize; 4] = [2, 4, 8, 16];

/// The events of the busiest thread in each stretch of windows, summed over
/// the run,
/// had the LPs been dealt round robin (LP `i` to thread `i mod k`) over
/// each of [`BALANCE_THREADS`]. A stretch lasts at least as long as its
/// busiest thread, so the run's events divided by this sum bound the
/// speedup those threads could give, before any cost of handing stretches
/// over. Counted from events, whatever threads the run itself had.
#[derive(Clone, Debug, Default)]
pub struct Balance {
    /// Each LP's events at the end of the last stretch.
    last: Vec<u64>,
    pub busiest: [u64; BALANCE_THREADS.len()],
    /// The same, had each stretch's LPs been dealt afresh by that stretch's
    /// events (heaviest first, each to the least loaded thread): what an
    /// assignment that knew each stretch's work in advance could reach.
    pub busiest_dealt: [u64; BALANCE_THREADS.len()],
    pub events: u64,
    /// Scratch: one stretch's events per LP.
    delta: Vec<u64>,
}

impl Balance {
    /// After a stretch, with each LP's events so far (indexed by LP).
    fn window(&mut self, events: &[u64]) {
        self.last.resize(events.len(), 0);
        self.delta.clear();
        self.delta
            .extend(events.iter().zip(&self.last).map(|(now, last)| now - last));
        for (i, &k) in BALANCE_THREADS.iter().enumerate() {
            let mut per = [0u64; 16];
            for (lp, d) in self.delta.iter().enumerate() {
                per[lp % k] += d;
            }
            self.busiest[i] += per.iter().copied().max().unwrap_or(0);
        }
        self.delta.sort_unstable_by(|a, b| b.cmp(a));
        for (i, &k) in BALANCE_THREADS.iter().enumerate() {
            let mut per = [0u64; 16];
            for d in &self.delta {
                let w = (0..k).min_by_key(|&w| per[w]).unwrap_or(0);
                per[w] += d;
            }
            self.busiest_dealt[i] += per.iter().copied().max().unwrap_or(0);
        }
        for (now, last) in events.iter().zip(&mut self.last) {
            self.events += now - *last;
            *last = *now;
        }
    }

    /// The bound on the speedup over each of [`BALANCE_THREADS`], with
    /// LPs dealt round robin and dealt afresh each stretch.
    pub fn bounds(&self) -> [(f64, f64); BALANCE_THREADS.len()] {
        let e = self.events as f64;
        std::array::from_fn(|i| {
            (
                e / self.busiest[i].max(1) as f64,
                e / self.busiest_dealt[i].max(1) as f64,
            )
        })
    }
}

/// The decisions a [`Plan`] keeps.
pub const MAX_DECISIONS: usize = 24;

impl Plan {
    fn record(&mut self, d: Decision) {
        if self
            .decisions
            .last()
            .is_some_and(|l| l.owner == d.owner && l.alone == d.alone)
        {
            return;
        }
        if self.decisions.len() < MAX_DECISIONS {
            self.decisions.push(d);
        } else {
            self.more += 1;
        }
    }

    /// The planner's account of a run, as `vpcsim run --verbose` prints it.
    pub fn describe(&self, d: &Design, part: &Partition, windows: u64, messages: u64) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let total: u64 = self.events.iter().sum();
        let _ = writeln!(
            s,
            "planner: {} LPs, lookahead {}, {} thread{}",
            part.count,
            part.lookahead,
            self.threads,
            if self.threads == 1 { "" } else { "s" }
        );
        for (lp, n) in self.events.iter().enumerate() {
            let _ = writeln!(
                s,
                "  LP {lp} {}: {n} events ({:.1} per window)",
                part.name(d, lp as u32),
                *n as f64 / windows.max(1) as f64
            );
        }
        let _ = writeln!(
            s,
            "  {windows} windows: {:.1} events and {:.1} messages between LPs per window",
            total as f64 / windows.max(1) as f64,
            messages as f64 / windows.max(1) as f64
        );
        if let Some(line) = self.spread_line() {
            let _ = writeln!(s, "  {line}");
        }
        if let Some(line) = self.balance_line(part.count) {
            let _ = writeln!(s, "  {line}");
        }
        for dec in &self.decisions {
            let _ = write!(s, "  after window {}: ", dec.window);
            match dec.alone {
                Some(why) => {
                    let _ = writeln!(s, "every LP on the calling thread: {}", alone_words(why));
                }
                None => {
                    let mut parts = Vec::new();
                    for w in 0..self.threads {
                        let lps: Vec<String> = dec
                            .owner
                            .iter()
                            .enumerate()
                            .filter(|(_, o)| **o == w)
                            .map(|(lp, _)| lp.to_string())
                            .collect();
                        if !lps.is_empty() {
                            parts.push(format!("thread {w}: LP {}", lps.join(", ")));
                        }
                    }
                    let _ = writeln!(s, "{}", parts.join("; "));
                }
            }
        }
        if self.more > 0 {
            let _ = writeln!(s, "  ... and {} more decisions", self.more);
        }
        s
    }
}

impl Plan {
    /// What [`Balance`] found, for a design of more than one LP.
    fn balance_line(&self, lps: u32) -> Option<String> {
        use std::fmt::Write as _;
        if lps < 2 || self.balance.events == 0 {
            return None;
        }
        let mut s = String::from(
            "the busiest thread's events per stretch bound the speedup (LPs round robin / dealt afresh each stretch):",
        );
        for (k, (rr, dealt)) in BALANCE_THREADS.iter().zip(self.balance.bounds()) {
            if *k as u32 <= lps {
                let _ = write!(s, " {k} threads {rr:.2}x / {dealt:.2}x");
            }
        }
        Some(s)
    }

    /// How the threads spent the spread windows' wall time: working in
    /// their LPs, or (the rest) waiting and handing over.
    fn spread_line(&self) -> Option<String> {
        use std::fmt::Write as _;
        if self.spread_windows == 0 {
            return None;
        }
        let wall = self.spread_wall.as_secs_f64();
        let mut s = format!(
            "{} spread windows, {:.1} ms of wall time; working in them:",
            self.spread_windows,
            wall * 1e3
        );
        for (w, d) in self.spread_work.iter().enumerate() {
            let _ = write!(
                s,
                " thread {w} {:.1} ms ({:.0} %)",
                d.as_secs_f64() * 1e3,
                d.as_secs_f64() * 100.0 / wall.max(1e-9)
            );
        }
        Some(s)
    }
}

fn alone_words(why: Alone) -> String {
    match why {
        Alone::OneThread => "one thread (asked for, or one LP)".to_string(),
        Alone::LightWindows { per_window } => format!(
            "windows too light to share ({per_window} events per lookahead, fewer than {MIN_WINDOW_EVENTS})"
        ),
        Alone::LightWork { per_window } => format!(
            "windows too light to share ({:.1} us of work per lookahead, less than {} us)",
            per_window as f64 / 1e3,
            MIN_WINDOW_WORK.as_micros()
        ),
        Alone::Unbalanced { busiest, total } => format!(
            "one worker would keep {}% of the events (4/5 or more: {busiest} of {total})",
            busiest * 100 / total.max(1)
        ),
        Alone::NoCores => {
            "spread windows took as long as one thread would (the cores are busy)".to_string()
        }
    }
}

/// Windows per lookahead. A message between LPs is due at least one
/// lookahead after it was sent, so one sent in window `m` can wait until
/// window `m + SPLIT` starts; an LP may thus run window `k` as soon as every
/// other LP has finished window `k - SPLIT`, and a thread whose LPs had a
/// light window goes on with the next one while another thread finishes a
/// heavy one. With one window per lookahead every LP would wait for every
/// other at every window's end. A lookahead shorter than `SPLIT`
/// nanoseconds cannot be cut: it is one window ([`Exchange::split`]).
pub const SPLIT: u64 = 2;

/// A message between LPs, waiting in its destination's mailbox: the window
/// it was sent in, its time, its source LP and its place in what that LP
/// sent in the window (among its messages grouped by destination, each
/// group in the order sent).
struct Mail<K = Kind> {
    sent: u64,
    at: Nanos,
    from: u32,
    idx: u32,
    kind: K,
}

impl<K> Mail<K> {
    fn key(&self) -> (u64, Nanos, u32, u32) {
        (self.sent, self.at, self.from, self.idx)
    }
}

/// Moves from `mail` to `due` the messages to queue when window `k`
/// starts (sent in window `k - split` or before), in the order to queue
/// them: (window sent, time, source LP, order of sending).
fn take_due<K>(mail: &mut Vec<Mail<K>>, k: u64, split: u64, due: &mut Vec<Mail<K>>) {
    let mut i = 0;
    while i < mail.len() {
        if mail[i].sent + split <= k {
            due.push(mail.swap_remove(i));
        } else {
            i += 1;
        }
    }
    due.sort_unstable_by_key(Mail::key);
}

/// One LP's progress, on a cache line of its own, written by the thread
/// that runs the LP: the window it runs next (counted from time 0; at the
/// start of a stretch, its first window, the ones skipped before it
/// counting as run), stored after its messages of the windows before are
/// in their mailboxes, so that an LP that reads it (`Acquire`) finds them
/// there; and the messages it has sent.
#[derive(Default)]
#[repr(align(128))]
struct Progress {
    reached: AtomicU64,
    sent: AtomicU64,
}

/// One LP's mailbox, on a cache line of its own: the messages other LPs
/// sent it, and their number, so that an LP with none does not take the
/// lock.
#[derive(Default)]
#[repr(align(128))]
struct Mailbox {
    waiting: AtomicU64,
    mail: Mutex<Vec<Mail>>,
}

/// What the threads running the LPs share: each LP's progress and mailbox.
struct Exchange {
    progress: Vec<Progress>,
    mail: Vec<Mailbox>,
    /// Windows per lookahead: [`SPLIT`], or 1 for a lookahead shorter
    /// than [`SPLIT`] nanoseconds.
    split: u64,
    /// The width of a window: the lookahead over `split`, so that
    /// `split` windows never last longer than the lookahead.
    width: u64,
    /// A worker thread stopped (panicked) during a stretch: its LPs are
    /// lost, and the others must not wait for them.
    aborted: AtomicBool,
    /// Per thread: whether it sleeps until an LP makes progress, and the
    /// thread to wake.
    sleeping: Vec<AtomicBool>,
    handles: Vec<Mutex<Option<Thread>>>,
}

impl Exchange {
    fn new(lps: usize, lookahead: Nanos, threads: usize) -> Exchange {
        let split = if lookahead.0 >= SPLIT { SPLIT } else { 1 };
        Exchange {
            progress: (0..lps).map(|_| Progress::default()).collect(),
            mail: (0..lps).map(|_| Mailbox::default()).collect(),
            split,
            width: (lookahead.0 / split).max(1),
            aborted: AtomicBool::new(false),
            sleeping: (0..threads).map(|_| AtomicBool::new(false)).collect(),
            handles: (0..threads).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Every LP is at window `from`, between stretches.
    fn start(&self, from: u64) {
        for p in &self.progress {
            p.reached.store(from, Ordering::Relaxed);
        }
    }

    /// The messages sent so far.
    fn sent(&self) -> u64 {
        self.progress
            .iter()
            .map(|p| p.sent.load(Ordering::Relaxed))
            .sum()
    }

    /// The least window every LP has finished.
    fn floor(&self) -> u64 {
        self.progress
            .iter()
            .map(|p| p.reached.load(Ordering::Acquire))
            .min()
            .unwrap_or(u64::MAX)
    }

    /// The earliest time of a message in a mailbox (between stretches,
    /// when no thread runs).
    fn earliest_mail(&self) -> Option<Nanos> {
        self.mail
            .iter()
            .filter_map(|m| m.mail.lock().ok()?.iter().map(|x| x.at).min())
            .min()
    }

    /// Queues at `sim` the messages due to start window `k` (sent in window
    /// `k - split` or before), in the order of (window sent, time, source LP,
    /// order of sending), whichever thread sent them and when. An LP that
    /// runs window `k` has handled nothing since its last window, so the
    /// order in which it queues them, and so the run, is the same for every
    /// thread count.
    fn deliver(&self, sim: &mut Sim, k: u64, scratch: &mut Vec<Mail>) {
        let lp = sim.lp() as usize;
        let mailbox = &self.mail[lp];
        if mailbox.waiting.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut mail = mailbox.mail.lock().unwrap_or_else(PoisonError::into_inner);
        take_due(&mut mail, k, self.split, scratch);
        mailbox.waiting.store(mail.len() as u64, Ordering::Release);
        drop(mail);
        for m in scratch.drain(..) {
            sim.schedule(m.at, m.kind);
        }
    }

    /// Runs window `k` of `sim`: its messages due, its events, then what it
    /// sent to the mailboxes and its progress for the others to see.
    fn step(&self, sim: &mut Sim, k: u64, scratch: &mut Vec<Mail>) {
        self.deliver(sim, k, scratch);
        sim.run_until(Nanos((k + 1).saturating_mul(self.width)));
        let from = sim.lp();
        if !sim.outbox.is_empty() {
            self.progress[from as usize]
                .sent
                .fetch_add(sim.outbox.len() as u64, Ordering::Relaxed);
            // Grouped by destination, in the order sent within each.
            sim.outbox.sort_by_key(|m| m.0);
            let mut open: Option<(u32, MutexGuard<'_, Vec<Mail>>)> = None;
            for (idx, (to, at, kind)) in sim.outbox.drain(..).enumerate() {
                if open.as_ref().map(|o| o.0) != Some(to) {
                    if let Some((lp, mail)) = open.take() {
                        self.mail[lp as usize]
                            .waiting
                            .store(mail.len() as u64, Ordering::Release);
                    }
                    let mail = self.mail[to as usize].mail.lock();
                    open = Some((to, mail.unwrap_or_else(PoisonError::into_inner)));
                }
                if let Some((_, mail)) = open.as_mut() {
                    mail.push(Mail {
                        sent: k,
                        at,
                        from,
                        idx: idx as u32,
                        kind,
                    });
                }
            }
            if let Some((lp, mail)) = open.take() {
                self.mail[lp as usize]
                    .waiting
                    .store(mail.len() as u64, Ordering::Release);
            }
        }
        self.progress[from as usize]
            .reached
            .store(k + 1, Ordering::Release);
        // A thread that went to sleep after reading the old value wakes:
        // it set its flag before reading, this stored before reading the
        // flag (the fences order the two), so one of the two sees the other.
        fence(Ordering::SeqCst);
        for (t, asleep) in self.sleeping.iter().enumerate() {
            if asleep.load(Ordering::Relaxed) && asleep.swap(false, Ordering::AcqRel) {
                self.wake(t);
            }
        }
    }

    /// Wakes thread `t` if it sleeps in [`stretch`] (or its next sleep
    /// returns at once).
    fn wake(&self, t: usize) {
        if let Some(h) = self.handles[t]
            .lock()
            .ok()
            .as_deref()
            .and_then(Option::as_ref)
        {
            h.unpark();
        }
    }
}

/// One thread's part of a stretch: runs every window of `from..to` of each
/// of `sims`, each as soon as every other LP has finished the window
/// `split` ([`Exchange::split`]) before it. With `timed`, adds each LP's wall time and events
/// to its [`Sim::worked`]. Returns the time spent other than waiting for
/// other threads' LPs.
fn stretch(
    sims: &mut [Sim],
    ex: &Exchange,
    me: usize,
    (from, to): (u64, u64),
    timed: bool,
) -> Duration {
    if let Ok(mut h) = ex.handles[me].lock() {
        h.get_or_insert_with(std::thread::current);
    }
    let mut next = vec![from; sims.len()];
    let mut floor = from;
    let mut scratch = Vec::new();
    // The time spent waiting, read at the start and end of each wait: one
    // clock read per window would cost more than the waits.
    let begun = Instant::now();
    let mut waited = Duration::ZERO;
    let mut blocked: Option<Instant> = None;
    let mut spins = 0u32;
    loop {
        let mut ran = false;
        let mut left = false;
        for (sim, k) in sims.iter_mut().zip(next.iter_mut()) {
            while *k < to {
                if *k >= floor + ex.split {
                    floor = ex.floor();
                    if *k >= floor + ex.split {
                        break;
                    }
                }
                if let Some(b) = blocked.take() {
                    waited += b.elapsed();
                }
                if timed {
                    let start = Instant::now();
                    let events = sim.metrics.events;
                    ex.step(sim, *k, &mut scratch);
                    sim.worked.0 += start.elapsed();
                    sim.worked.1 += sim.metrics.events - events;
                } else {
                    ex.step(sim, *k, &mut scratch);
                }
                *k += 1;
                ran = true;
            }
            left |= *k < to;
        }
        if !left {
            return begun.elapsed().saturating_sub(waited);
        }
        if ran {
            continue;
        }
        // Another thread is finishing a window these LPs wait for: usually
        // microseconds, so spin; past [`SPIN_MAX`] (its thread may have no
        // core), sleep until an LP makes progress.
        if ex.aborted.load(Ordering::Relaxed) {
            panic!("a worker thread stopped during a stretch: its LPs are lost");
        }
        let since = *blocked.get_or_insert_with(Instant::now);
        spins = spins.wrapping_add(1);
        if spins % 32 != 0 || since.elapsed() < SPIN_MAX {
            // A few pauses between two looks at the others' progress: each
            // look reads lines that their threads are writing.
            for _ in 0..8 {
                std::hint::spin_loop();
            }
            continue;
        }
        ex.sleeping[me].store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        floor = ex.floor();
        if next.iter().all(|k| *k >= to || *k >= floor + ex.split) {
            std::thread::park_timeout(Duration::from_millis(1));
        }
        ex.sleeping[me].store(false, Ordering::Relaxed);
    }
}

enum Command {
    /// Run the windows `from..to`; time each LP when the flag says so.
    Stretch(u64, u64, bool),
    /// Take these LPs (in addition to any the worker has).
    Adopt(Vec<Sim>),
    /// Give every LP back.
    Lend,
}

/// Each LP's next event time, events handled so far and [`Sim::worked`].
type Times = Vec<(u32, Option<Nanos>, u64, (Duration, u64))>;

enum Reply {
    /// Each LP's times, and the time spent other than waiting.
    Done(Times, Duration),
    Lent(Vec<Sim>),
}

fn times(sims: &[Sim]) -> Times {
    sims.iter()
        .map(|s| (s.lp(), s.q.peek_time(), s.metrics.events, s.worked))
        .collect()
}

/// Waits for messages on one channel: spins for a while, then sleeps.
///
/// Stretches are short (often a millisecond of work or less), and waking a
/// sleeping thread costs a good part of that, so a waiting thread first
/// spins. How long it spins adapts to what waiting has been like: a message
/// that came while spinning doubles the budget (up to [`SPIN_MAX`]), a wait
/// that ran out of budget and slept halves it (down to [`SPIN_MIN`]).
/// Wall-clock time decides only how a thread waits, never what a run
/// computes.
struct Waiter {
    budget: Duration,
}

const SPIN_MIN: Duration = Duration::from_micros(5);
const SPIN_MAX: Duration = Duration::from_micros(200);

impl Waiter {
    fn new() -> Waiter {
        Waiter { budget: SPIN_MAX }
    }

    fn wait<T>(&mut self, rx: &Receiver<T>) -> Option<T> {
        let start = Instant::now();
        let mut tries = 0u32;
        loop {
            match rx.try_recv() {
                Ok(v) => {
                    if tries > 0 {
                        self.budget = (self.budget * 2).min(SPIN_MAX);
                    }
                    return Some(v);
                }
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            tries = tries.wrapping_add(1);
            if tries % 32 == 0 && start.elapsed() > self.budget {
                self.budget = (self.budget / 2).max(SPIN_MIN);
                return rx.recv().ok();
            }
            std::hint::spin_loop();
        }
    }
}

/// Tells the other threads, if the worker holding it stops in a panic, that
/// they must not wait for its LPs.
struct Abort<'a>(&'a Exchange);

impl Drop for Abort<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.aborted.store(true, Ordering::SeqCst);
            for t in 0..self.0.handles.len() {
                self.0.wake(t);
            }
        }
    }
}

fn worker(rx: Receiver<Command>, tx: Sender<Reply>, ex: Arc<Exchange>, me: usize) {
    let _abort = Abort(&ex);
    let mut sims: Vec<Sim> = Vec::new();
    let mut waiter = Waiter::new();
    while let Some(cmd) = waiter.wait(&rx) {
        let reply = match cmd {
            Command::Stretch(from, to, timed) => {
                let work = stretch(&mut sims, &ex, me, (from, to), timed);
                Reply::Done(times(&sims), work)
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

/// Decides, every few hundred windows (at the end of the stretch that
/// reaches them; windows of half a lookahead, those skipped between
/// stretches not counted), which worker runs each LP.
///
/// By load: [`assign`] spreads the LPs by the events each handled since the
/// last decision. By pace: spreading only pays if the threads get cores. On
/// a machine whose cores are busy with other work, LPs wait for LPs whose
/// thread the OS has not scheduled, and a run can take ten times as long as
/// on one thread. So while LPs are spread, the planner compares the wall
/// time of the windows with the time the threads spent working in them (one
/// thread would have needed about their sum). When the wall time is not
/// below nine tenths of it twice in a row (once could be a new thread that
/// the OS has not yet moved to a core of its own), every LP goes to the
/// calling thread for [`ALONE_FIRST`] windows, then spreading is tried
/// again; each failed try doubles the time alone, up to [`ALONE_MAX`]
/// windows. A measurement that is plainly failing (the wall time already
/// above the threads' work after a few windows) ends early. Wall-clock
/// time decides only which thread runs an LP, which no output can tell.
struct Planner {
    threads: usize,
    /// Windows per lookahead ([`Exchange::split`]).
    split: u64,
    /// Each LP's events at the last decision.
    measured: Vec<u64>,
    /// The windows of the last decision and of the next.
    last: u64,
    next: u64,
    decisions: u64,
    /// When the last decision was made.
    since: Instant,
    /// The time every thread spent working in windows since then.
    work: Duration,
    /// Whether spreading paid the last time it was measured; `None` while
    /// a measurement is due.
    spread_pays: Option<bool>,
    /// Measurements in a row that found spreading did not pay.
    strikes: u32,
    /// Windows of the next stretch on the calling thread alone.
    alone_for: u64,
    /// The decisions that changed something.
    record: Plan,
}

/// One stretch in this many times each LP's work ([`Sim::worked`]).
const TIMED_EVERY: u64 = 4;

/// Windows between two decisions while nothing needs measuring.
const PERIOD: u64 = 512;
/// Windows of a measurement of spreading.
const PROBE: u64 = 64;
/// Measurements in a row that must find spreading does not pay.
const STRIKES: u32 = 2;
/// A stretch of spread windows ends early, as a failed measurement, once
/// [`EARLY`] windows have taken longer than the threads' work in them and
/// more than [`EARLY_WALL`].
const EARLY: u64 = 8;
const EARLY_WALL: Duration = Duration::from_millis(1);
/// The first and the longest stretch alone after spreading did not pay.
const ALONE_FIRST: u64 = 128;
const ALONE_MAX: u64 = 4096;

impl Planner {
    fn new(lps: usize, threads: usize, split: u64) -> Planner {
        Planner {
            threads,
            split,
            measured: vec![0; lps],
            last: 0,
            next: PROBE,
            decisions: 0,
            since: Instant::now(),
            work: Duration::ZERO,
            spread_pays: None,
            strikes: 0,
            alone_for: ALONE_FIRST,
            record: Plan {
                threads,
                spread_work: vec![Duration::ZERO; threads],
                ..Plan::default()
            },
        }
    }

    /// After window `windows`, with each LP's events so far, its
    /// [`Sim::worked`] and the current owners: the new owners, if the LPs
    /// should move.
    fn plan(
        &mut self,
        windows: u64,
        events: &[u64],
        worked: &[(Duration, u64)],
        owner: &[usize],
    ) -> Option<Vec<usize>> {
        let alone_now = owner.iter().all(|w| *w == 0);
        let spent = self.since.elapsed();
        // Spread windows that already took longer than the threads worked
        // in them end the stretch at once: on busy cores every one of them
        // can cost milliseconds.
        let hopeless = !alone_now
            && self.decisions > 0
            && windows - self.last >= EARLY
            && spent > self.work
            && spent > EARLY_WALL;
        if windows < self.next && !hopeless {
            return None;
        }
        let loads: Vec<u64> = events
            .iter()
            .zip(&self.measured)
            .map(|(a, b)| a - b)
            .collect();
        self.measured.copy_from_slice(events);
        // What the LPs are dealt by: their events since the last decision,
        // each weighed by what an event of that LP has cost in wall time
        // over the timed windows of the run so far. Events alone mislead
        // where they differ in cost (a sender's segment costs more than the
        // ACK that answers it); the time of the last stretch alone would
        // deal by whichever LP the OS happened to interrupt. An LP with no
        // event in a timed window yet is weighed at the mean.
        let (all_ns, all_events) = worked.iter().fold((0u128, 0u128), |(n, e), (w, k)| {
            (n + w.as_nanos(), e + u128::from(*k))
        });
        let costs: Vec<u64> = loads
            .iter()
            .zip(worked)
            .map(|(l, (w, e))| {
                let (ns, per) = match e {
                    0 => (all_ns, all_events.max(1)),
                    _ => (w.as_nanos(), u128::from(*e)),
                };
                (u128::from(*l) * ns / per) as u64
            })
            .collect();
        // The first windows start the threads and warm the caches: they
        // measure nothing.
        if !alone_now && !self.work.is_zero() && self.decisions > 0 {
            if spent * 10 < self.work * 9 {
                self.strikes = 0;
                self.alone_for = ALONE_FIRST;
                self.spread_pays = Some(true);
            } else {
                self.strikes += 1;
                self.spread_pays = if self.strikes >= STRIKES {
                    self.strikes = 0;
                    Some(false)
                } else {
                    None
                };
            }
        }
        self.decisions += 1;
        let (by_load, why) = assign_by_cost(
            &loads,
            &costs,
            (windows - self.last) / self.split,
            self.threads,
        );
        let alone = vec![0; owner.len()];
        let (target, stretch, why) = if by_load == alone {
            (by_load, PERIOD, why)
        } else {
            match self.spread_pays {
                Some(true) => (by_load, PERIOD, None),
                None => (by_load, PROBE, None),
                // A stretch alone is over: measure spreading again.
                Some(false) if alone_now => (by_load, PROBE, None),
                Some(false) => {
                    let stretch = self.alone_for;
                    self.alone_for = (self.alone_for * 2).min(ALONE_MAX);
                    (alone, stretch, Some(Alone::NoCores))
                }
            }
        };
        self.last = windows;
        self.next = windows + stretch;
        self.since = Instant::now();
        self.work = Duration::ZERO;
        let target_alone = target.iter().all(|w| *w == 0);
        // Moving LPs between workers costs their caches: only for a gain.
        let moves = target != owner
            && (target_alone
                || alone_now
                || busiest(&costs, &target, self.threads) * 20
                    < busiest(&costs, owner, self.threads) * 19);
        let kept = if moves { &target } else { owner };
        self.record.record(Decision {
            window: windows,
            owner: kept.to_vec(),
            alone: if kept.iter().all(|w| *w == 0) {
                why.or(Some(Alone::NoCores))
            } else {
                None
            },
        });
        moves.then_some(target)
    }
}

/// Which worker runs each LP, given the events each LP handled in the last
/// `windows` windows: the longest-processing-time rule (heaviest LP first,
/// each to the least loaded worker, ties to the lower index). Everything
/// goes to worker 0, the calling thread, when spreading would not make the
/// busiest worker at least a fifth lighter than one thread doing it all, or
/// when windows are too light to share ([`MIN_WINDOW_EVENTS`]): waiting for
/// the other workers at every window would cost more than it gains.
pub fn assign(loads: &[u64], windows: u64, threads: usize) -> Vec<usize> {
    assign_why(loads, windows, threads).0
}

/// [`assign`], and why it keeps every LP on the calling thread when it
/// does.
pub fn assign_why(loads: &[u64], windows: u64, threads: usize) -> (Vec<usize>, Option<Alone>) {
    assign_by_cost(loads, &vec![0; loads.len()], windows, threads)
}

/// [`assign_why`] that deals the LPs by `costs`, each LP's wall time in
/// nanoseconds, which also say whether windows are too light to share
/// ([`MIN_WINDOW_WORK`]); costs all zero (not measured) deal by events and
/// judge windows by [`MIN_WINDOW_EVENTS`]. Whether one LP holds four
/// fifths of the work is judged by events, a property of the design
/// rather than of the machine.
pub fn assign_by_cost(
    events: &[u64],
    costs: &[u64],
    windows: u64,
    threads: usize,
) -> (Vec<usize>, Option<Alone>) {
    let threads = threads.max(1);
    let (by_events, total) = longest_first(events, threads);
    let sum: u64 = events.iter().sum();
    let busiest = total.iter().copied().max().unwrap_or(0);
    let cost_sum: u64 = costs.iter().sum();
    let owner = if cost_sum == 0 {
        by_events
    } else {
        longest_first(costs, threads).0
    };
    let per_window = |n: u64| n / windows.max(1);
    let alone = if threads == 1 || events.len() <= 1 {
        Some(Alone::OneThread)
    } else if cost_sum > 0 && per_window(cost_sum) < MIN_WINDOW_WORK.as_nanos() as u64 {
        Some(Alone::LightWork {
            per_window: per_window(cost_sum),
        })
    } else if cost_sum == 0 && per_window(sum) < MIN_WINDOW_EVENTS {
        Some(Alone::LightWindows {
            per_window: per_window(sum),
        })
    } else if busiest.saturating_mul(5) >= sum.saturating_mul(4) {
        Some(Alone::Unbalanced {
            busiest,
            total: sum,
        })
    } else {
        None
    };
    match alone {
        Some(_) => (vec![0; events.len()], alone),
        None => (owner, None),
    }
}

/// The longest-processing-time rule: the heaviest LP first, each to the
/// least loaded worker (ties to the lower index, and between equal LPs to
/// the lower LP). Returns each LP's worker and each worker's load.
fn longest_first(loads: &[u64], threads: usize) -> (Vec<usize>, Vec<u64>) {
    let mut order: Vec<usize> = (0..loads.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(loads[i]), i));
    let mut total = vec![0u64; threads];
    let mut owner = vec![0usize; loads.len()];
    for i in order {
        let w = (0..threads).min_by_key(|&w| (total[w], w)).unwrap_or(0);
        owner[i] = w;
        total[w] += loads[i];
    }
    (owner, total)
}

/// The fewest events per lookahead ([`SPLIT`] windows; a few tens of
/// microseconds of work) worth sharing between threads: the threads meet at
/// least once a lookahead, and waiting for the slower one costs a few
/// microseconds.
pub const MIN_WINDOW_EVENTS: u64 = 256;

/// The longest stretch of windows between two hand-overs.
const STRETCH_MAX: u64 = 64;

/// Where the stretches of a run are.
struct Stretches {
    /// The first window the next stretch may start at.
    reached: u64,
    /// The next stretch's length at most ([`next_len`]).
    len: u64,
    /// Events handled by the end of the last stretch.
    events: u64,
    /// Windows run, and stretches.
    windows: u64,
    count: u64,
}

impl Stretches {
    /// The stretch `from..to` is over, with `events` handled by then over
    /// `lps` LPs; returns the virtual time it reached.
    fn done(&mut self, (from, to): (u64, u64), events: u64, lps: usize, width: u64) -> Nanos {
        self.reached = to;
        self.windows += to - from;
        self.count += 1;
        self.len = next_len(self.len, events - self.events, to - from, lps);
        self.events = events;
        Nanos(to.saturating_mul(width))
    }
}

/// The length of the next stretch after one of `windows` windows that held
/// `events` events over `lps` LPs: half as long (at least [`SPLIT`]) when
/// the windows held fewer events than LPs, so that a sparse run reaches its
/// next busy time in a few windows and skips the rest; twice as long (up
/// to [`STRETCH_MAX`]) otherwise, so that a busy one meets rarely.
fn next_len(len: u64, events: u64, windows: u64, lps: usize) -> u64 {
    if events < windows * lps as u64 {
        (len / 2).max(SPLIT)
    } else {
        (len * 2).min(STRETCH_MAX)
    }
}

/// The least wall time of work per lookahead ([`SPLIT`] windows) worth
/// sharing between threads: the wait for the slower thread cost about 8 us
/// a lookahead on two cores when the threads met at its end, and half of
/// 25 us saves 12.5.
pub const MIN_WINDOW_WORK: Duration = Duration::from_micros(25);

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
    progress: &mut dyn FnMut(Nanos, u64) -> bool,
) -> Outcome {
    let part = Arc::new(Partition::new(&design));
    let seed = opts.seed.unwrap_or(design.seed);
    let shared = Arc::new(super::Shared::new(&design));
    let mut sims: Vec<Sim> = (0..part.count)
        .map(|lp| {
            let mut s = Sim::new_lp(
                Arc::clone(&design),
                opts,
                Arc::clone(&part),
                Arc::clone(&shared),
                Lps::One(lp),
            );
            s.recorders = recorders(lp);
            s
        })
        .collect();
    let mut end = design.duration;
    let threads = opts.threads.max(1).min(sims.len());
    let ex = Arc::new(Exchange::new(sims.len(), part.lookahead, threads));
    let mut st = Stretches {
        reached: 0,
        len: SPLIT,
        events: 0,
        windows: 0,
        count: 0,
    };
    let mut moves = 0u64;
    let mut next: Vec<Option<Nanos>> = sims.iter().map(|s| s.q.peek_time()).collect();
    let mut plan = Plan {
        threads,
        ..Plan::default()
    };
    // The next stretch: from the window of the earliest event or message
    // (windows with none anywhere are skipped), `len` windows, not past
    // the window that holds the end.
    let bounds = |next: &[Option<Nanos>], st: &Stretches, end: Nanos| {
        let t = earliest(next, ex.earliest_mail()).filter(|t| *t <= end)?;
        let from = (t.0 / ex.width).max(st.reached);
        let to = (from + st.len).min(end.0 / ex.width + 1);
        // Nothing pending is due before the end of the last stretch, so a
        // stretch is never empty.
        debug_assert!(from < to, "an empty stretch at window {from}");
        (from < to).then_some((from, to))
    };

    let mut finished: Vec<Sim> = if threads <= 1 {
        let mut counts: Vec<u64> = Vec::with_capacity(sims.len());
        plan.record(Decision {
            window: 0,
            owner: vec![0; sims.len()],
            alone: Some(Alone::OneThread),
        });
        while let Some((from, to)) = bounds(&next, &st, end) {
            ex.start(from);
            stretch(&mut sims, &ex, 0, (from, to), false);
            next = sims.iter().map(|s| s.q.peek_time()).collect();
            counts.clear();
            counts.extend(sims.iter().map(|s| s.metrics.events));
            plan.balance.window(&counts);
            let now: u64 = counts.iter().sum();
            let until = st.done((from, to), now, sims.len(), ex.width);
            if !progress(until.min(end), now) {
                end = until.min(end);
                break;
            }
        }
        sims
    } else {
        std::thread::scope(|scope| {
            let mut links = Vec::new();
            for me in 1..threads {
                let (ctx, crx) = unbounded();
                let (rtx, rrx) = unbounded();
                let ex = Arc::clone(&ex);
                scope.spawn(move || worker(crx, rtx, ex, me));
                links.push((ctx, rrx));
            }
            // Round robin until the first loads are measured; worker 0 is
            // the calling thread, which runs its LPs like any worker.
            let mut owner: Vec<usize> = (0..sims.len()).map(|lp| lp % threads).collect();
            let mut local = deal(sims, &owner, &links);
            let mut busy = busy_workers(&owner, threads);
            let mut events = vec![0u64; owner.len()];
            let mut worked = vec![(Duration::ZERO, 0); owner.len()];
            let mut planner = Planner::new(owner.len(), threads, ex.split);
            planner.record.record(Decision {
                window: 0,
                owner: owner.clone(),
                alone: None,
            });
            let mut waiter = Waiter::new();
            // Should this thread stop in a panic, the workers stop waiting
            // for its LPs.
            let _abort = Abort(&ex);
            while let Some((from, to)) = bounds(&next, &st, end) {
                // Every LP is timed in one stretch of [`TIMED_EVERY`]:
                // enough to weigh its events, without reading the clock
                // for each LP and window all along.
                let timed = st.count % TIMED_EVERY == 0;
                ex.start(from);
                let sent = Instant::now();
                for (w, (tx, _)) in links.iter().enumerate() {
                    if busy[w + 1] {
                        let _ = tx.send(Command::Stretch(from, to, timed));
                    }
                }
                let mine_took = stretch(&mut local, &ex, 0, (from, to), timed);
                planner.work += mine_took;
                let spread = busy.iter().skip(1).any(|b| *b);
                if spread {
                    planner.record.spread_work[0] += mine_took;
                }
                let mut got = times(&local);
                for (w, (_, rx)) in links.iter().enumerate() {
                    if busy[w + 1] {
                        let Some(Reply::Done(t, took)) = waiter.wait(rx) else {
                            // Its LPs are lost: the run cannot go on.
                            panic!("worker thread {} stopped during a stretch", w + 1);
                        };
                        got.extend(t);
                        planner.work += took;
                        planner.record.spread_work[w + 1] += took;
                    }
                }
                if spread {
                    planner.record.spread_windows += to - from;
                    planner.record.spread_wall += sent.elapsed();
                }
                for (lp, t, n, w) in got {
                    next[lp as usize] = t;
                    events[lp as usize] = n;
                    worked[lp as usize] = w;
                }
                planner.record.balance.window(&events);
                let now: u64 = events.iter().sum();
                let until = st.done((from, to), now, events.len(), ex.width);
                if !progress(until.min(end), now) {
                    end = until.min(end);
                    break;
                }
                if let Some(new) = planner.plan(st.windows, &events, &worked, &owner) {
                    let mut all = collect(std::mem::take(&mut local), &links, &busy);
                    all.sort_by_key(|s| s.lp());
                    owner = new;
                    busy = busy_workers(&owner, threads);
                    local = deal(all, &owner, &links);
                    moves += 1;
                }
            }
            let mut back = collect(local, &links, &busy);
            back.sort_by_key(|s| s.lp());
            plan = planner.record;
            back
        })
    };
    // Messages still pending are due after the end.
    let mut metrics = Metrics::default();
    for s in &mut finished {
        s.finish_at(end);
    }
    for s in &finished {
        metrics.merge(&s.metrics, &s.net, s.lp(), &part);
    }
    metrics.end = end;
    plan.events = finished.iter().map(|s| s.metrics.events).collect();
    Outcome {
        net: Network::with_config(Arc::clone(&design), Arc::clone(&shared.base)),
        metrics,
        seed,
        lps: part.count,
        windows: st.windows,
        moves,
        messages: ex.sent(),
        plan,
        part,
    }
}

type Link = (Sender<Command>, Receiver<Reply>);

/// Hands each worker its LPs; returns the calling thread's.
fn deal(sims: Vec<Sim>, owner: &[usize], links: &[Link]) -> Vec<Sim> {
    let mut groups: Vec<Vec<Sim>> = (0..=links.len()).map(|_| Vec::new()).collect();
    for s in sims {
        groups[owner[s.lp() as usize]].push(s);
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

/// Which workers run at least one LP under `owner`.
fn busy_workers(owner: &[usize], threads: usize) -> Vec<bool> {
    (0..threads).map(|w| owner.contains(&w)).collect()
}

/// Takes every LP back from the workers that have some.
fn collect(mut local: Vec<Sim>, links: &[Link], busy: &[bool]) -> Vec<Sim> {
    for (w, (tx, rx)) in links.iter().enumerate() {
        if busy[w + 1] {
            let _ = tx.send(Command::Lend);
            let Ok(Reply::Lent(s)) = rx.recv() else {
                panic!("worker thread {} stopped holding LPs", w + 1);
            };
            local.extend(s);
        }
    }
    local
}

fn earliest(next: &[Option<Nanos>], mail: Option<Nanos>) -> Option<Nanos> {
    let a = next.iter().flatten().min().copied();
    match (a, mail) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One decision of `p` after `windows`, as if the windows since the last
    /// one took `spent` of wall time and `work` of the threads' time.
    fn decide(
        p: &mut Planner,
        windows: u64,
        events: &[u64],
        owner: &[usize],
        spent_ms: u64,
        work_ms: u64,
    ) -> Option<Vec<usize>> {
        p.since = Instant::now()
            .checked_sub(Duration::from_millis(spent_ms))
            .unwrap_or_else(Instant::now);
        p.work = Duration::from_millis(work_ms);
        // Wall time in proportion to the events, 1 us each: dealt as by
        // events.
        let worked: Vec<(Duration, u64)> = events
            .iter()
            .map(|e| (Duration::from_micros(*e), *e))
            .collect();
        p.plan(windows, events, &worked, owner)
    }

    #[test]
    fn spreading_stays_while_the_threads_get_cores() {
        let mut p = Planner::new(2, 2, SPLIT);
        let mut owner = vec![0, 1];
        // Window 64: warming up, measured nothing; loads are even.
        assert_eq!(decide(&mut p, 64, &[64_000, 64_000], &owner, 50, 50), None);
        assert_eq!(p.next, 128, "a probe of spreading follows");
        // Wall time 60 % of the threads' work: spreading pays.
        assert_eq!(
            decide(&mut p, 128, &[128_000, 128_000], &owner, 60, 100),
            None
        );
        assert_eq!(p.next, 128 + PERIOD);
        owner = vec![0, 1];
        assert_eq!(
            decide(&mut p, 640, &[640_000, 640_000], &owner, 60, 100),
            None
        );
    }

    #[test]
    fn busy_cores_send_every_lp_to_the_calling_thread_and_spreading_is_tried_again() {
        let mut p = Planner::new(2, 2, SPLIT);
        let owner = vec![0, 1];
        assert_eq!(decide(&mut p, 64, &[64_000, 64_000], &owner, 50, 50), None);
        // The wall time is the threads' work: nothing gained; measured
        // again, the same: every LP to the calling thread.
        let again = decide(&mut p, 128, &[128_000, 128_000], &owner, 100, 100);
        assert_eq!(again, None);
        assert_eq!(p.next, 128 + PROBE);
        let alone = decide(&mut p, 192, &[192_000, 192_000], &owner, 100, 100);
        assert_eq!(alone, Some(vec![0, 0]));
        assert_eq!(p.next, 192 + ALONE_FIRST);
        // After the stretch alone, a probe of spreading.
        let n = 192 + ALONE_FIRST;
        let probe = decide(&mut p, n, &[300_000, 300_000], &[0, 0], 100, 100);
        assert_eq!(probe, Some(vec![0, 1]));
        assert_eq!(p.next, n + PROBE);
        // It fails twice: alone again, twice as long.
        let n = n + PROBE;
        assert_eq!(
            decide(&mut p, n, &[320_000, 320_000], &[0, 1], 100, 100),
            None
        );
        let n = n + PROBE;
        let again = decide(&mut p, n, &[340_000, 340_000], &[0, 1], 100, 100);
        assert_eq!(again, Some(vec![0, 0]));
        assert_eq!(p.next, n + 2 * ALONE_FIRST);
        // The next probe pays: spread it stays, a period at a time.
        let n = n + 2 * ALONE_FIRST;
        let probe = decide(&mut p, n, &[600_000, 600_000], &[0, 0], 100, 100);
        assert_eq!(probe, Some(vec![0, 1]));
        let n = n + PROBE;
        assert_eq!(
            decide(&mut p, n, &[650_000, 650_000], &[0, 1], 60, 100),
            None
        );
        assert_eq!(p.next, n + PERIOD);
        assert_eq!(p.alone_for, ALONE_FIRST);
    }

    #[test]
    fn the_plan_says_how_the_threads_spent_spread_windows() {
        let mut p = Plan {
            threads: 2,
            spread_work: vec![Duration::ZERO; 2],
            ..Plan::default()
        };
        assert_eq!(p.spread_line(), None, "nothing spread, nothing said");
        p.spread_windows = 2;
        p.spread_wall = Duration::from_millis(10);
        p.spread_work = vec![Duration::from_millis(8), Duration::from_millis(6)];
        assert_eq!(
            p.spread_line().as_deref(),
            Some(
                "2 spread windows, 10.0 ms of wall time; working in them: \
                 thread 0 8.0 ms (80 %) thread 1 6.0 ms (60 %)"
            )
        );
    }

    #[test]
    fn balance_counts_the_busiest_thread_of_each_window() {
        let mut b = Balance::default();
        // Four LPs; window 1: 10, 10, 10, 10 events; window 2: 20, 0, 0, 0.
        b.window(&[10, 10, 10, 10]);
        b.window(&[30, 10, 10, 10]);
        assert_eq!(b.events, 60);
        // Two threads (LPs 0, 2 | 1, 3): 20 then 20; four: 10 then 20;
        // eight and sixteen as four.
        assert_eq!(b.busiest, [40, 30, 30, 30]);
        assert_eq!(b.bounds()[0].0, 1.5);
        assert_eq!(b.bounds()[1].0, 2.0);
        // Dealt afresh: two threads take 20 then 20 as well; window 1
        // balances, window 2 has one LP's 20 events on one thread.
        assert_eq!(b.busiest_dealt, [40, 30, 30, 30]);
        // Three LPs of 10, 10, 20: round robin over two puts 30 on one
        // thread, dealt afresh 20.
        let mut c = Balance::default();
        c.window(&[10, 10, 20]);
        assert_eq!(c.busiest[0], 30);
        assert_eq!(c.busiest_dealt[0], 20);
    }

    fn mail(sent: u64, at: u64, from: u32, idx: u32) -> Mail<u32> {
        Mail {
            sent,
            at: Nanos(at),
            from,
            idx,
            kind: from * 100 + idx,
        }
    }

    #[test]
    fn a_message_waits_until_split_windows_after_the_one_it_was_sent_in() {
        let mut box_ = vec![mail(5, 900, 1, 0), mail(3, 700, 2, 0), mail(4, 800, 0, 0)];
        let mut due = Vec::new();
        take_due(&mut box_, 5, SPLIT, &mut due);
        assert_eq!(due.iter().map(|m| m.sent).collect::<Vec<_>>(), vec![3]);
        due.clear();
        take_due(&mut box_, 7, SPLIT, &mut due);
        assert_eq!(due.iter().map(|m| m.sent).collect::<Vec<_>>(), vec![4, 5]);
        assert!(box_.is_empty());
    }

    #[test]
    fn messages_are_queued_in_one_order_whatever_order_they_came_in() {
        // The same messages, as two threads could have put them in the
        // mailbox: by window sent, then time, then source LP, then the
        // order the source sent them in.
        let all = [
            (2, 500, 3, 1),
            (2, 500, 3, 0),
            (2, 500, 1, 4),
            (2, 450, 3, 2),
            (1, 900, 0, 0),
        ];
        let want = vec![
            (1, 900, 0, 0),
            (2, 450, 3, 2),
            (2, 500, 1, 4),
            (2, 500, 3, 0),
            (2, 500, 3, 1),
        ];
        for rot in 0..all.len() {
            let mut box_: Vec<Mail<u32>> = all
                .iter()
                .cycle()
                .skip(rot)
                .take(all.len())
                .map(|&(s, a, f, i)| mail(s, a, f, i))
                .collect();
            if rot % 2 == 1 {
                box_.reverse();
            }
            let mut due = Vec::new();
            take_due(&mut box_, 4, SPLIT, &mut due);
            let got: Vec<_> = due
                .iter()
                .map(|m| (m.sent, m.at.0, m.from, m.idx))
                .collect();
            assert_eq!(got, want);
            assert!(due.iter().all(|m| m.kind == m.from * 100 + m.idx));
        }
    }

    #[test]
    fn split_windows_never_outlast_the_lookahead() {
        for (lookahead, split, width) in
            [(300_000, 2, 150_000), (301, 2, 150), (2, 2, 1), (1, 1, 1)]
        {
            let ex = Exchange::new(3, Nanos(lookahead), 2);
            assert_eq!(
                (ex.split, ex.width),
                (split, width),
                "lookahead {lookahead}"
            );
            assert!(ex.split * ex.width <= lookahead);
        }
    }

    #[test]
    fn stretches_shrink_while_windows_are_nearly_empty_and_grow_while_busy() {
        // 4 LPs, 8 windows: 31 events is fewer than one per LP and window.
        assert_eq!(next_len(8, 31, 8, 4), 4);
        assert_eq!(next_len(8, 32, 8, 4), 16);
        assert_eq!(next_len(SPLIT, 0, SPLIT, 4), SPLIT);
        assert_eq!(next_len(STRETCH_MAX, 1_000_000, 64, 4), STRETCH_MAX);
    }

    #[test]
    fn heaviest_lps_go_to_the_least_loaded_worker() {
        // Round robin would give worker 0 LPs 0 and 2 (400) and worker 1
        // LP 1 (200).
        assert_eq!(assign(&[300, 200, 100], 1, 2), vec![0, 1, 1]);
        assert_eq!(assign(&[100, 100, 100, 100], 1, 2), vec![0, 1, 0, 1]);
        assert_eq!(assign(&[50, 300, 300, 40, 10], 1, 3), vec![2, 0, 1, 2, 2]);
    }

    #[test]
    fn lps_are_dealt_by_what_their_events_cost() {
        // By events, LP 0 (200) goes to one worker and LPs 1 and 2 (100
        // each) to the other; but an event of LP 1 costs three times as
        // much: 300 of the 600, so LP 1 gets a worker of its own.
        assert_eq!(assign(&[200, 100, 100], 1, 2), vec![0, 1, 1]);
        assert_eq!(
            assign_by_cost(&[200, 100, 100], &[200_000, 300_000, 100_000], 1, 2),
            (vec![1, 0, 1], None)
        );
        // The planner weighs each LP's events by its wall time per event
        // over the run: 1, 3 and 1 us here.
        let mut p = Planner::new(3, 2, SPLIT);
        let ms = |x: u64| Duration::from_micros(x * 100);
        let worked = [(ms(128), 12_800), (ms(192), 6_400), (ms(64), 6_400)];
        let got = p.plan(64, &[12_800, 6_400, 6_400], &worked, &[0, 1, 1]);
        assert_eq!(got, Some(vec![1, 0, 1]));
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
        // Measured, the windows' wall time decides: 20 us of work per
        // window is too little, 40 us is worth sharing.
        assert_eq!(
            assign_by_cost(&[5_000, 5_000], &[100_000, 100_000], 10, 2),
            (vec![0, 0], Some(Alone::LightWork { per_window: 20_000 }))
        );
        assert_eq!(
            assign_by_cost(&[500, 500], &[200_000, 200_000], 10, 2),
            (vec![0, 1], None)
        );
    }
}
