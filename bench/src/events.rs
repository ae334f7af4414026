//! The event core alone: the engine's queue (a timing wheel) and the binary
//! heap it replaced, under the engine's mix of delays, in the classic hold
//! model (take the earliest event, schedule one more), with a steady-state
//! population.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rustc_hash::FxHashSet;
use vpcsim::sim::queue::{Event, EventId, PastEvent, Queue};
use vpcsim::units::Nanos;

use crate::SplitMix64;

/// What the hold loop needs of a queue.
pub trait EventQueue<K> {
    fn push(&mut self, at: Nanos, kind: K) -> Result<EventId, PastEvent>;
    fn pop(&mut self) -> Option<Event<K>>;
    fn peek_time(&self) -> Option<Nanos>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<K> EventQueue<K> for Queue<K> {
    fn push(&mut self, at: Nanos, kind: K) -> Result<EventId, PastEvent> {
        Queue::push(self, at, kind)
    }
    fn pop(&mut self) -> Option<Event<K>> {
        Queue::pop(self)
    }
    fn peek_time(&self) -> Option<Nanos> {
        Queue::peek_time(self)
    }
    fn len(&self) -> usize {
        Queue::len(self)
    }
}

/// Delays in the proportions the engine schedules them: a quarter at the
/// current time (a host's packet enters the data plane in the event after
/// it was sent), most like link delays, 50 us (same AZ) to 15 ms (an
/// internet host), spread evenly on a log scale, and one in ten a timer of
/// 200 ms (TCP's first retransmission) to 10 s (request deadlines).
pub fn delays(n: usize, seed: u64) -> Vec<u64> {
    let mut rng = SplitMix64::new(seed);
    let unit = |rng: &mut SplitMix64| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (0..n)
        .map(|_| match rng.below(100) {
            0..=24 => 0,
            25..=89 => {
                let (lo, hi) = (50e3f64, 15e6f64);
                (lo * (hi / lo).powf(unit(&mut rng))) as u64
            }
            _ => 200_000_000 + (unit(&mut rng) * 9.8e9) as u64,
        })
        .collect()
}

/// A queue holding `pending` events in the steady state of the hold model
/// under `delays` (after `pending * 20` holds of warm-up).
pub fn steady<Q: EventQueue<u32>>(mut q: Q, pending: usize, delays: &[u64]) -> (Q, usize) {
    for i in 0..pending {
        let _ = q.push(Nanos(delays[i % delays.len()]), i as u32);
    }
    let d = hold(&mut q, delays, 0, pending * 20).1;
    (q, d)
}

/// `n` holds: the earliest event is taken (after a look at its time, as the
/// engine's loop does) and one more is scheduled after the next delay of
/// `delays` (from index `d`, cycling). Returns a checksum of the sequence
/// numbers seen and the next delay index.
#[inline]
pub fn hold<Q: EventQueue<u32>>(q: &mut Q, delays: &[u64], mut d: usize, n: usize) -> (u64, usize) {
    let mut acc = 0u64;
    for _ in 0..n {
        let Some(t) = q.peek_time() else { break };
        let Some(e) = q.pop() else { break };
        debug_assert_eq!(e.at, t);
        acc = acc.wrapping_add(e.seq ^ u64::from(e.kind));
        let at = Nanos(e.at.0 + delays[d]);
        d += 1;
        if d == delays.len() {
            d = 0;
        }
        let _ = q.push(at, e.kind);
    }
    (acc, d)
}

/// What the heap orders; reversed so that `BinaryHeap` pops the earliest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    at: u64,
    seq: u64,
    slot: u32,
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

// -- the binary heap ---------------------------------------------------------------

/// The engine's queue before the timing wheel: one binary heap of every
/// pending event, ordered by (time, sequence). Kept as the reference the
/// benchmark compares against.
#[derive(Debug)]
pub struct HeapQueue<K> {
    heap: BinaryHeap<Entry>,
    slots: Vec<Option<K>>,
    free: Vec<u32>,
    seq: u64,
    now: Nanos,
    cancelled: FxHashSet<u64>,
}

impl<K> Default for HeapQueue<K> {
    fn default() -> Self {
        HeapQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now: Nanos::ZERO,
            cancelled: FxHashSet::default(),
        }
    }
}

impl<K> HeapQueue<K> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn now(&self) -> Nanos {
        self.now
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    pub fn push(&mut self, at: Nanos, kind: K) -> Result<EventId, PastEvent> {
        if at < self.now {
            return Err(PastEvent { at, now: self.now });
        }
        let seq = self.seq;
        self.seq += 1;
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(kind);
                s
            }
            None => {
                self.slots.push(Some(kind));
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Entry {
            at: at.0,
            seq,
            slot,
        });
        Ok(EventId(seq))
    }

    pub fn cancel(&mut self, id: EventId) {
        self.cancelled.insert(id.0);
    }

    pub fn peek_time(&self) -> Option<Nanos> {
        self.heap.peek().map(|e| Nanos(e.at))
    }

    pub fn pop(&mut self) -> Option<Event<K>> {
        while let Some(e) = self.heap.pop() {
            let kind = self.slots[e.slot as usize].take();
            self.free.push(e.slot);
            if !self.cancelled.is_empty() && self.cancelled.remove(&e.seq) {
                continue;
            }
            self.now = Nanos(e.at);
            return kind.map(|kind| Event {
                at: Nanos(e.at),
                seq: e.seq,
                kind,
            });
        }
        None
    }
}

impl<K> EventQueue<K> for HeapQueue<K> {
    fn push(&mut self, at: Nanos, kind: K) -> Result<EventId, PastEvent> {
        HeapQueue::push(self, at, kind)
    }
    fn pop(&mut self) -> Option<Event<K>> {
        HeapQueue::pop(self)
    }
    fn peek_time(&self) -> Option<Nanos> {
        HeapQueue::peek_time(self)
    }
    fn len(&self) -> usize {
        HeapQueue::len(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both queues give the same events in the same order.
    fn same_order(delays: &[u64], n: usize) {
        let mut a: Queue<u32> = Queue::new();
        let mut b: HeapQueue<u32> = HeapQueue::new();
        for i in 0..500u32 {
            let at = Nanos(delays[i as usize % delays.len()]);
            a.push(at, i).unwrap();
            b.push(at, i).unwrap();
        }
        for k in 0..n {
            assert_eq!(a.peek_time(), b.peek_time(), "peek {k}");
            let (x, y) = (a.pop().unwrap(), b.pop().unwrap());
            assert_eq!((x.at, x.seq, x.kind), (y.at, y.seq, y.kind), "pop {k}");
            let at = Nanos(x.at.0 + delays[k % delays.len()]);
            a.push(at, x.kind).unwrap();
            b.push(at, y.kind).unwrap();
            assert_eq!(a.len(), b.len());
        }
    }

    #[test]
    fn engine_queue_agrees_with_the_heap() {
        same_order(&delays(4096, 1), 20_000);
        // Ties everywhere, and jumps far past the wheel.
        same_order(&[0, 0, 5, 16_384, 16_383, 40_000_000_000, 0, 1], 5_000);
    }

    #[test]
    fn steady_state_keeps_its_population() {
        let d = delays(1 << 12, 2);
        let (mut q, i) = steady(HeapQueue::new(), 1_000, &d);
        assert_eq!(q.len(), 1_000);
        let (_, _) = hold(&mut q, &d, i, 10_000);
        assert_eq!(q.len(), 1_000);
        let (mut h, i) = steady(Queue::new(), 1_000, &d);
        let _ = hold(&mut h, &d, i, 10_000);
        assert_eq!(h.len(), 1_000);
    }

    #[test]
    fn mix_proportions() {
        let d = delays(100_000, 3);
        let zero = d.iter().filter(|&&x| x == 0).count();
        let link = d
            .iter()
            .filter(|&&x| (50_000..=15_000_000).contains(&x))
            .count();
        let timer = d
            .iter()
            .filter(|&&x| (200_000_000..=10_000_000_000).contains(&x))
            .count();
        assert!((23_000..27_000).contains(&zero), "{zero}");
        assert!((62_000..68_000).contains(&link), "{link}");
        assert!((9_000..11_000).contains(&timer), "{timer}");
    }
}
