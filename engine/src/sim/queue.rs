//! The event queue: a total order on events by (time, sequence).
//!
//! Events at the same virtual time run in the order they were scheduled: the
//! sequence number is a counter of the queue, so the order depends only on
//! what the simulation did, never on how it was executed (see
//! `docs/determinism.md`). Scheduling in the past is refused. Cancellation is
//! lazy: a cancelled event stays queued and is skipped when it comes up.
//!
//! The queue is a timing wheel with exact order. Time is cut into slots of
//! 2^[`SLOT_BITS`] ns (16.4 us). The events of the current slot wait in a
//! small binary heap (`front`); those of the next [`WHEEL`] - 1 slots
//! (16.8 ms: past the longest link delay) in unordered buckets, one per
//! slot, with a bitmap of the buckets in use; later ones (timers) in a
//! second binary heap (`far`). When the current slot runs out, the next
//! bucket in use becomes the current slot (heapified in place), and the
//! events of `far` that the wheel now reaches move onto it. A link delay
//! thus costs a bucket push and a share of a small heap, and only timers pay
//! for a large heap; `docs/performance.md` has the measurements.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rustc_hash::FxHashSet;

use crate::units::Nanos;

/// Width of a slot: 2^14 ns = 16.4 us.
pub const SLOT_BITS: u32 = 14;
/// Slots on the wheel, the current one included.
pub const WHEEL: usize = 1024;
const WORDS: usize = WHEEL / 64;

/// An event taken from the queue.
#[derive(Debug)]
pub struct Event<K> {
    pub at: Nanos,
    pub seq: u64,
    pub kind: K,
}

/// What the heaps and buckets hold: small, so that sifting moves little
/// memory; the event itself waits in a slot.
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
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PastEvent {
    pub at: Nanos,
    pub now: Nanos,
}

impl std::fmt::Display for PastEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "event scheduled at {} before the current time {}",
            self.at, self.now
        )
    }
}

/// A handle to cancel a scheduled event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventId(pub u64);

#[derive(Debug)]
pub struct Queue<K> {
    /// Events of slots up to `cur`; empty only when the queue is.
    front: BinaryHeap<Entry>,
    /// Events of slots `cur + 1 .. cur + WHEEL`, at `slot % WHEEL`.
    wheel: Vec<Vec<Entry>>,
    /// Buckets of `wheel` that hold events.
    used: [u64; WORDS],
    /// Events of slots from `cur + WHEEL` on.
    far: BinaryHeap<Entry>,
    /// The current slot.
    cur: u64,
    len: usize,
    slots: Vec<Option<K>>,
    free: Vec<u32>,
    seq: u64,
    now: Nanos,
    cancelled: FxHashSet<u64>,
}

impl<K> Default for Queue<K> {
    fn default() -> Self {
        Queue {
            front: BinaryHeap::new(),
            wheel: (0..WHEEL).map(|_| Vec::new()).collect(),
            used: [0; WORDS],
            far: BinaryHeap::new(),
            cur: 0,
            len: 0,
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now: Nanos::ZERO,
            cancelled: FxHashSet::default(),
        }
    }
}

impl<K> Queue<K> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn now(&self) -> Nanos {
        self.now
    }

    /// Events queued, cancelled ones included until they come up.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Schedules `kind` at `at`, which must not be before the current time.
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
        self.len += 1;
        let e = Entry {
            at: at.0,
            seq,
            slot,
        };
        if self.front.is_empty() {
            // Nothing else is queued: the event's slot becomes the current
            // one (never earlier than the current time's, so no later
            // event goes before it).
            self.cur = self.cur.max(e.at >> SLOT_BITS);
            self.front.push(e);
        } else {
            self.place(e);
        }
        Ok(EventId(seq))
    }

    #[inline]
    fn place(&mut self, e: Entry) {
        let s = e.at >> SLOT_BITS;
        if s <= self.cur {
            self.front.push(e);
        } else if s < self.cur + WHEEL as u64 {
            let i = (s as usize) % WHEEL;
            self.wheel[i].push(e);
            self.used[i / 64] |= 1 << (i % 64);
        } else {
            self.far.push(e);
        }
    }

    pub fn cancel(&mut self, id: EventId) {
        self.cancelled.insert(id.0);
    }

    /// The next bucket in use after the current slot's, if any.
    fn next_used(&self) -> Option<usize> {
        let start = (self.cur as usize + 1) % WHEEL;
        let (w0, b0) = (start / 64, start % 64);
        let first = self.used[w0] & (u64::MAX << b0);
        if first != 0 {
            return Some(w0 * 64 + first.trailing_zeros() as usize);
        }
        // Whole words after it, then the bits of its word before `start`.
        for k in 1..=WORDS {
            let w = (w0 + k) % WORDS;
            let bits = if k == WORDS {
                self.used[w] & !(u64::MAX << b0)
            } else {
                self.used[w]
            };
            if bits != 0 {
                return Some(w * 64 + bits.trailing_zeros() as usize);
            }
        }
        None
    }

    /// The slot whose events bucket `i` holds.
    fn slot_of_bucket(&self, i: usize) -> u64 {
        let s = self.cur - self.cur % WHEEL as u64 + i as u64;
        if s <= self.cur { s + WHEEL as u64 } else { s }
    }

    /// Makes the next slot with events the current one (its bucket becomes
    /// `front`); false when no event is left. Called as soon as `front`
    /// runs out, so that `front` is empty only when the queue is, and its
    /// top is always the earliest event.
    fn advance(&mut self) -> bool {
        debug_assert!(self.front.is_empty());
        let next = match self.next_used() {
            Some(i) => self.slot_of_bucket(i),
            None => match self.far.peek() {
                Some(e) => e.at >> SLOT_BITS,
                None => return false,
            },
        };
        self.cur = next;
        let i = (next as usize) % WHEEL;
        if self.used[i / 64] & (1 << (i % 64)) != 0 {
            self.used[i / 64] &= !(1 << (i % 64));
            // Swap the buffers, so that neither side allocates again.
            let mut v = std::mem::take(&mut self.front).into_vec();
            std::mem::swap(&mut v, &mut self.wheel[i]);
            self.front = BinaryHeap::from(v);
        }
        let horizon = self.cur + WHEEL as u64;
        while let Some(&e) = self.far.peek() {
            if e.at >> SLOT_BITS >= horizon {
                break;
            }
            self.far.pop();
            self.place(e);
        }
        true
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Nanos> {
        self.front.peek().map(|e| Nanos(e.at))
    }

    /// Takes the earliest event and advances the current time to it.
    pub fn pop(&mut self) -> Option<Event<K>> {
        loop {
            let e = self.front.pop()?;
            if self.front.is_empty() {
                self.advance();
            }
            self.len -= 1;
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOT: u64 = 1 << SLOT_BITS;
    const SPAN: u64 = SLOT * WHEEL as u64;

    #[test]
    fn earliest_first_and_ties_in_scheduling_order() {
        let mut q = Queue::new();
        q.push(Nanos(30), "c").unwrap();
        q.push(Nanos(10), "a1").unwrap();
        q.push(Nanos(20), "b").unwrap();
        q.push(Nanos(10), "a2").unwrap();
        q.push(Nanos(10), "a3").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| e.kind)).collect();
        assert_eq!(order, vec!["a1", "a2", "a3", "b", "c"]);
    }

    #[test]
    fn ties_keep_scheduling_order_in_every_tier() {
        // The same instants on the wheel, beyond it, and in the current
        // slot once time has reached them; interleaved pushes.
        let mut q = Queue::new();
        let times = [5 * SLOT + 7, 3 * SPAN + 11, 5 * SLOT + 7, 3 * SPAN + 11, 0];
        for (i, &t) in times.iter().enumerate() {
            q.push(Nanos(t), i).unwrap();
        }
        assert_eq!(q.pop().map(|e| e.kind), Some(4));
        q.push(Nanos(5 * SLOT + 7), 5).unwrap();
        q.push(Nanos(3 * SPAN + 11), 6).unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| (e.at.0, e.kind))).collect();
        assert_eq!(
            order,
            vec![
                (5 * SLOT + 7, 0),
                (5 * SLOT + 7, 2),
                (5 * SLOT + 7, 5),
                (3 * SPAN + 11, 1),
                (3 * SPAN + 11, 3),
                (3 * SPAN + 11, 6),
            ]
        );
        // At the current time, after the events already due.
        q.push(Nanos(3 * SPAN + 11), 7).unwrap();
        q.push(Nanos(3 * SPAN + 11), 8).unwrap();
        assert_eq!(q.pop().map(|e| e.kind), Some(7));
        assert_eq!(q.pop().map(|e| e.kind), Some(8));
    }

    #[test]
    fn events_in_the_past_are_rejected() {
        let mut q = Queue::new();
        q.push(Nanos(100), 1).unwrap();
        q.pop().unwrap();
        assert_eq!(
            q.push(Nanos(99), 2),
            Err(PastEvent {
                at: Nanos(99),
                now: Nanos(100)
            })
        );
        // The current time itself is fine: it runs after the events already due.
        assert!(q.push(Nanos(100), 3).is_ok());
        // Far ahead, then back to just after now: both accepted, in order.
        q.push(Nanos(100 + 5 * SPAN), 4).unwrap();
        q.pop().unwrap();
        q.push(Nanos(101), 5).unwrap();
        assert_eq!(q.pop().map(|e| (e.at, e.kind)), Some((Nanos(101), 5)));
        assert_eq!(
            q.push(Nanos(100), 6),
            Err(PastEvent {
                at: Nanos(100),
                now: Nanos(101)
            })
        );
        assert_eq!(q.pop().map(|e| e.kind), Some(4));
        assert!(q.push(Nanos(100 + 5 * SPAN - 1), 7).is_err());
    }

    #[test]
    fn cancelled_events_do_not_run() {
        let mut q = Queue::new();
        let a = q.push(Nanos(5), "a").unwrap();
        q.push(Nanos(6), "b").unwrap();
        q.cancel(a);
        assert_eq!(q.pop().map(|e| e.kind), Some("b"));
        assert!(q.pop().is_none());
    }

    #[test]
    fn cancellation_in_every_tier() {
        let mut q = Queue::new();
        let now_slot = q.push(Nanos(1), "front").unwrap();
        let wheel = q.push(Nanos(3 * SLOT), "wheel").unwrap();
        let far = q.push(Nanos(2 * SPAN), "far").unwrap();
        q.push(Nanos(2), "x").unwrap();
        q.push(Nanos(3 * SLOT), "y").unwrap();
        q.push(Nanos(2 * SPAN), "z").unwrap();
        for id in [now_slot, wheel, far] {
            q.cancel(id);
        }
        assert_eq!(q.len(), 6);
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| e.kind)).collect();
        assert_eq!(order, vec!["x", "y", "z"]);
        assert!(q.is_empty());
        // A cancelled event does not move the current time.
        let mut q = Queue::new();
        let late = q.push(Nanos(10 * SPAN), 1).unwrap();
        q.cancel(late);
        assert!(q.pop().is_none());
        assert_eq!(q.now(), Nanos::ZERO);
        assert!(q.push(Nanos(1), 2).is_ok());
    }

    /// Against a sorted reference, with pushes from every tier, ties, and
    /// the wheel wrapping around many times.
    #[test]
    fn agrees_with_a_sorted_reference() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        for round in 0..20_000u64 {
            let pushes = next() % 3;
            for _ in 0..pushes {
                let now = q.now().0;
                let delay = match next() % 6 {
                    0 => 0,
                    1 => next() % SLOT,
                    2 => next() % SPAN,
                    3 => SPAN - SLOT + next() % (2 * SLOT),
                    4 => next() % (40 * SPAN),
                    _ => 3 * SLOT,
                };
                let id = q.push(Nanos(now + delay), round).unwrap();
                model.push((now + delay, id.0));
            }
            if next() % 2 == 0 {
                assert_eq!(q.peek_time(), model.iter().map(|m| Nanos(m.0)).min());
                let e = q.pop();
                let want = model.iter().copied().min();
                assert_eq!(e.as_ref().map(|e| (e.at.0, e.seq)), want, "round {round}");
                if let Some(w) = want {
                    model.retain(|m| *m != w);
                }
            }
            assert_eq!(q.len(), model.len());
        }
        model.sort_unstable();
        let rest: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| (e.at.0, e.seq))).collect();
        assert_eq!(rest, model);
    }
}
