//! The event queue: a total order on events by (time, sequence).
//!
//! Events at the same virtual time run in the order they were scheduled: the
//! sequence number is a counter of the queue, so the order depends only on
//! what the simulation did, never on how it was executed (see
//! `docs/determinism.md`). Scheduling in the past is refused. Cancellation is
//! lazy: a cancelled event stays in the heap and is skipped when it comes up.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rustc_hash::FxHashSet;

use crate::units::Nanos;

/// An event taken from the queue.
#[derive(Debug)]
pub struct Event<K> {
    pub at: Nanos,
    pub seq: u64,
    pub kind: K,
}

/// What the heap orders: small, so that sifting moves little memory; the
/// event itself waits in a slot.
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
    heap: BinaryHeap<Entry>,
    slots: Vec<Option<K>>,
    free: Vec<u32>,
    seq: u64,
    now: Nanos,
    cancelled: FxHashSet<u64>,
}

impl<K> Default for Queue<K> {
    fn default() -> Self {
        Queue {
            heap: BinaryHeap::new(),
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

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Nanos> {
        self.heap.peek().map(|e| Nanos(e.at))
    }

    /// Takes the earliest event and advances the current time to it.
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
