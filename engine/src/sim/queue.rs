//! The event queue: a total order on events by (time, sequence).
//!
//! Events at the same virtual time run in the order they were scheduled: the
//! sequence number is a counter of the queue, so the order depends only on
//! what the simulation did, never on how it was executed (see
//! `docs/determinism.md`). Scheduling in the past is refused. Cancellation is
//! lazy: a cancelled event stays queued and is skipped when it comes up.
//!
//! The queue is a two-level timing wheel with exact order. Time is cut into
//! fine slots of 2^[`SLOT_BITS`] ns (16.4 us), grouped by 1,024 into coarse
//! slots (16.8 ms). The events of the current fine slot wait in a small
//! sorted vector (`front`, earliest last); those of the rest of the current
//! coarse slot and
//! of the next one in unordered buckets, one per fine slot (the fine wheel,
//! which thus reaches at least 16.8 ms ahead: past the longest link delay);
//! those of the next [`COARSE`] coarse slots (17 s: timers) in unordered
//! buckets, one per coarse slot; later ones in a binary heap (`far`). A
//! bitmap on each wheel marks the buckets in use. When the current fine slot
//! runs out, the next fine bucket in use is sorted and becomes the current
//! slot (no two events share a sequence number, so there is one order). A
//! long bucket is first dealt into `PARTS` parts of the slot by time
//! (256 ns each): `front` then holds the first part with events, sorted,
//! and each later part waits unsorted until `front` runs out and it is
//! sorted in turn, so that a crowded slot (a hundred hosts' timers and
//! packets within its 16 us) is ordered part by part, and an event
//! scheduled into a later part is pushed there. An event scheduled into
//! `front`'s own part (or, with `front` holding the whole slot, into the
//! slot) is inserted at its place, found from the end, where the near
//! future is, unless `front` is long and the place deep in it: such an
//! event goes to a heap of its own (`early`), whose top is compared with
//! `front`'s at every pop. An event scheduled before the current slot
//! (the current slot runs ahead of the current time when the next event
//! is far off) goes to `front` too while it is short, and to `early` once
//! it is long.
//! When the current slot enters a new coarse slot, the coarse bucket that
//! the fine wheel now reaches is spread onto it, and the events of
//! `far` that the coarse wheel now reaches move onto that. A link delay
//! thus costs a bucket push and a share of a small heap, a timer a bucket
//! push and one move; `docs/performance.md` has the measurements.
//!
//! An event scheduled at the current time while it is current (a packet
//! a component made on the way, an ICMP error or a fragment) goes to a FIFO
//! (`due`): it runs after the events of `front` at that time, which were
//! scheduled before it, and before any later one, so it needs no search.
//! [`Queue::run_next_at`] tells the engine when an event it is about to
//! schedule would be the next to run, so that it runs it at once, and
//! [`Queue::pop_due`] takes the next event if it is due before a bound,
//! finding it once. Every event's kind waits in a slot of its own: the
//! engine stores it there once ([`Queue::store`]), may hold it back
//! before scheduling it ([`Queue::push_stored`]), and moves it out once
//! where it handles it ([`Queue::pop_due_stored`], [`Queue::take`]). A
//! bucket's buffer goes to `front` when its slot becomes current, and
//! `front`'s empty one to the next bucket that needs one, so that buffers
//! keep their capacity.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use crate::hashing::FastSet;
use crate::units::Nanos;

/// Width of a fine slot: 2^14 ns = 16.4 us.
pub const SLOT_BITS: u32 = 14;
/// Fine slots per coarse slot: 2^10 (a coarse slot is 16.8 ms).
pub const COARSE_BITS: u32 = 10;
/// Buckets of the fine wheel: two coarse slots' worth.
pub const FINE: usize = 2 << COARSE_BITS;
/// Buckets of the coarse wheel: 1,024 coarse slots, 17.2 s.
pub const COARSE: usize = 1024;

/// Events of `front` beyond which an event scheduled before the current
/// slot goes to `early` instead: a place in a short `front` is found in a
/// few comparisons from its end, in a long one it shifts many.
const FRONT_MAX: usize = 64;

/// Parts of a fine slot that a long bucket is dealt into (a power of two,
/// at most 64 for the bitmap `parts_used`): 256 ns each.
const PARTS: usize = 64;
const PART_SHIFT: u32 = SLOT_BITS - PARTS.trailing_zeros();

/// Buckets up to this long are sorted whole, not dealt into parts; parts
/// up to this long are sorted by insertion.
const SHORT_SORT: usize = 16;

/// Sorts a few entries in [`Entry`]'s order, from the start: each is moved
/// back past the later ones before it.
fn insertion_sort(v: &mut [Entry]) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Sorts entries in [`Entry`]'s order (the latest first). They come
/// mostly in the order they were scheduled, which is mostly the order of
/// their times (a link's delay after the events before): reversed first,
/// they are mostly in place already, and both sorts here gain from that
/// (a few by insertion, more by a stable sort that finds runs, on one
/// 128-bit key (time, sequence) compared without a branch on whether the
/// times are equal).
fn sort_entries(v: &mut [Entry]) {
    if v.len() < 2 {
        return;
    }
    v.reverse();
    if v.len() <= SHORT_SORT {
        insertion_sort(v);
    } else {
        v.sort_by_key(|e| std::cmp::Reverse(key(e)));
    }
}

/// An entry's time and sequence as one key, compared without a branch on
/// whether the times are equal.
#[inline]
fn key(e: &Entry) -> u128 {
    u128::from(e.at) << 64 | u128::from(e.seq)
}

/// The part of its fine slot that an entry's time falls in, the earliest
/// 0.
#[inline]
fn part_of(e: &Entry) -> usize {
    (e.at >> PART_SHIFT) as usize & (PARTS - 1)
}

/// A free slot is one of the slots: never called.
#[cold]
#[inline(never)]
fn no_slot<K>(kind: K) -> ! {
    drop(kind);
    unreachable!("a free slot is one of the slots")
}

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

impl Entry {
    #[inline]
    fn fine(&self) -> u64 {
        self.at >> SLOT_BITS
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    /// Reversed: the earliest is the greatest, so that `far` (a max-heap)
    /// pops it and `front`, sorted ascending, has it last.
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

/// An event's kind stored in the queue ([`Queue::store`]) before it is
/// scheduled ([`Queue::push_stored`]) or after it was taken
/// ([`Queue::pop_due_stored`]), until [`Queue::take`] moves it out: an
/// event is moved into its slot once and out once, however long the
/// engine holds it back before scheduling it.
#[derive(Debug)]
#[must_use = "a stored kind keeps its slot until it is scheduled or taken"]
pub struct Stored(u32);

/// A handle to cancel a scheduled event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventId(pub u64);

/// Unordered buckets in a ring, with a bitmap of those in use.
///
/// A bucket taken leaves its buffer to the taker and gets none back: the
/// taker's empty buffer waits in `free` for the next bucket that starts
/// with none. The buffers thus go round with the buckets in use, a few,
/// and keep the capacity they grew to, where a buffer left in each bucket
/// would grow again in each of the ring's buckets, once per bucket.
#[derive(Debug)]
struct Wheel {
    buckets: Vec<Vec<Entry>>,
    used: Vec<u64>,
    free: Vec<Vec<Entry>>,
}

impl Wheel {
    fn new(n: usize) -> Wheel {
        Wheel {
            buckets: (0..n).map(|_| Vec::new()).collect(),
            used: vec![0; n / 64],
            free: Vec::new(),
        }
    }

    #[inline(always)]
    fn push(&mut self, i: usize, e: Entry) {
        if self.buckets[i].capacity() == 0 {
            self.refill(i);
        }
        self.buckets[i].push(e);
        self.used[i / 64] |= 1 << (i % 64);
    }

    /// Pushes `e` into bucket `i` if its buffer has room for it, and
    /// tells whether it did.
    #[inline(always)]
    fn push_within(&mut self, i: usize, e: Entry) -> bool {
        let b = &mut self.buckets[i];
        if b.len() == b.capacity() {
            return false;
        }
        b.push(e);
        self.used[i / 64] |= 1 << (i % 64);
        true
    }

    /// Bucket `i` has no buffer: it takes a free one, if any.
    #[cold]
    #[inline(never)]
    fn refill(&mut self, i: usize) {
        if let Some(v) = self.free.pop() {
            self.buckets[i] = v;
        }
    }

    #[inline]
    fn in_use(&self, i: usize) -> bool {
        self.used[i / 64] & (1 << (i % 64)) != 0
    }

    /// Empties bucket `i` into `v` (which must be empty): `v` gets the
    /// bucket's buffer, and its own waits in `free`.
    #[inline]
    fn take(&mut self, i: usize, v: &mut Vec<Entry>) {
        debug_assert!(v.is_empty());
        self.used[i / 64] &= !(1 << (i % 64));
        let old = std::mem::replace(v, std::mem::take(&mut self.buckets[i]));
        if old.capacity() != 0 {
            self.free.push(old);
        }
    }

    /// The first bucket in use from `start` on, going round once.
    fn next_used(&self, start: usize) -> Option<usize> {
        let words = self.used.len();
        let (w0, b0) = (start / 64, start % 64);
        let first = self.used[w0] & (u64::MAX << b0);
        if first != 0 {
            return Some(w0 * 64 + first.trailing_zeros() as usize);
        }
        // Whole words after it, then the bits of its word before `start`.
        for k in 1..=words {
            let w = (w0 + k) % words;
            let bits = if k == words {
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
}

#[derive(Debug)]
pub struct Queue<K> {
    /// Events of fine slots up to `cur`, in [`Entry`]'s order: the latest
    /// first, the earliest last. Empty only when nothing but events due
    /// now (`due`) is queued.
    front: Vec<Entry>,
    /// Events that a long `front` ([`FRONT_MAX`] events or more) would
    /// have to shift many others to take: a heap, earliest on top, whose
    /// top is compared with `front`'s at every pop. Two kinds go there:
    /// events of fine slots before `cur`, scheduled after `cur` ran ahead
    /// of the current time (the next event in use far off: an LP whose
    /// only event is its first sweep, 1 s away, or one that waits for its
    /// next timer; until the current time gets there, every event
    /// scheduled is before `cur`); and events of `cur`'s own slot whose
    /// place is deep in `front` (a crowded slot: a hundred hosts' timers
    /// and packets within its 16 us). A heap takes each in a logarithm of
    /// their number where a place in a long `front` would shift every
    /// later one. It may hold events while `front` is empty: they are
    /// earlier than every event of the wheels.
    early: BinaryHeap<Entry>,
    /// Events of fine slots after `cur` in its coarse slot and the next,
    /// at `slot % FINE`.
    fine: Wheel,
    /// Events of the [`COARSE`] coarse slots after those, at
    /// `coarse slot % COARSE`.
    coarse: Wheel,
    /// Later events.
    far: BinaryHeap<Entry>,
    /// The current fine slot.
    cur: u64,
    /// The parts of the current slot after `part`, by time: the events of
    /// a long bucket, dealt into [`PARTS`] parts when its slot became
    /// current, wait unsorted in the part of their time until `front`
    /// runs out and their part becomes `front`, sorted; an event scheduled
    /// into one of them is pushed there. A crowded slot's `front` thus
    /// holds one part (256 ns), not the whole slot.
    parts: [Vec<Entry>; PARTS],
    /// The parts in `parts` with events, by bit.
    parts_used: u64,
    /// The last part of the current slot whose events are in `front` (and
    /// `early`): `PARTS - 1` when `front` holds the whole slot.
    part: usize,
    len: usize,
    /// A spare buffer for moving buckets.
    spare: Vec<Entry>,
    /// Every event's kind, scheduled or stored, by slot.
    slots: Vec<Option<K>>,
    free: Vec<u32>,
    /// Events scheduled at the current time while it is current, in the
    /// order scheduled: they run after the events of `front` at that time
    /// (scheduled earlier, so of smaller sequence) and before any later
    /// one, so they need no place of their own in `front`.
    due: VecDeque<(u64, u32)>,
    seq: u64,
    now: Nanos,
    cancelled: FastSet<u64>,
}

impl<K> Default for Queue<K> {
    fn default() -> Self {
        Queue {
            front: Vec::new(),
            early: BinaryHeap::new(),
            fine: Wheel::new(FINE),
            coarse: Wheel::new(COARSE),
            far: BinaryHeap::new(),
            cur: 0,
            parts: std::array::from_fn(|_| Vec::new()),
            parts_used: 0,
            part: PARTS - 1,
            len: 0,
            spare: Vec::new(),
            slots: Vec::new(),
            free: Vec::new(),
            due: VecDeque::new(),
            seq: 0,
            now: Nanos::ZERO,
            cancelled: FastSet::default(),
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
        let Stored(slot) = self.store_here(kind);
        Ok(self.enqueue(at, slot))
    }

    /// Stores an event's kind in a slot of its own, to be scheduled later.
    /// A call of its own: a few instructions that save no register, where
    /// inlined at every caller they cost more.
    #[inline(never)]
    pub fn store(&mut self, kind: K) -> Stored {
        self.store_here(kind)
    }

    /// [`Queue::store`], inlined.
    #[inline(always)]
    fn store_here(&mut self, kind: K) -> Stored {
        match self.free.pop() {
            // A free slot holds nothing (its kind was taken): the `None`
            // replaced needs no drop, nor a test for one. The kind is
            // moved on where a slot is missing, so that no panic here has
            // to drop it, and the path that finds a slot saves nothing.
            Some(s) => match self.slots.get_mut(s as usize) {
                Some(slot) => {
                    let old = slot.replace(kind);
                    debug_assert!(old.is_none());
                    std::mem::forget(old);
                    Stored(s)
                }
                None => no_slot(kind),
            },
            None => self.store_new(kind),
        }
    }

    /// [`Queue::store`] when no slot is free: a new one.
    #[cold]
    #[inline(never)]
    fn store_new(&mut self, kind: K) -> Stored {
        self.slots.push(Some(kind));
        Stored((self.slots.len() - 1) as u32)
    }

    /// Moves a stored kind out, freeing its slot.
    #[inline(always)]
    pub fn take(&mut self, stored: Stored) -> K {
        let Stored(s) = stored;
        self.free.push(s);
        match self.slots[s as usize].take() {
            Some(kind) => kind,
            None => unreachable!("a stored slot holds its kind until taken"),
        }
    }

    /// Schedules a stored kind at `at`, which must not be before the
    /// current time (a refused one is dropped). Its sequence number is
    /// taken now, as [`Queue::push`] would take it.
    pub fn push_stored(&mut self, at: Nanos, stored: Stored) -> Result<EventId, PastEvent> {
        if at > self.now {
            if let Some(id) = self.enqueue_fast(at.0, stored.0) {
                return Ok(id);
            }
        }
        self.push_stored_slow(at, stored)
    }

    /// [`Queue::push_stored`] where [`Queue::enqueue_fast`] does not
    /// place the event: out of line, so that the common paths save no
    /// register.
    #[inline(never)]
    fn push_stored_slow(&mut self, at: Nanos, stored: Stored) -> Result<EventId, PastEvent> {
        if at < self.now {
            drop(self.take(stored));
            return Err(PastEvent { at, now: self.now });
        }
        Ok(self.enqueue(at, stored.0))
    }

    /// Schedules the kind in `slot` at `at`, after the current time, as
    /// [`Queue::enqueue`] would, where that is a push into a buffer with
    /// room: a bucket of the fine wheel, or a later part of the current
    /// slot. `None` (and nothing done) otherwise.
    #[inline(always)]
    fn enqueue_fast(&mut self, at: u64, slot: u32) -> Option<EventId> {
        debug_assert!(at > self.now.0);
        if self.front.is_empty() {
            return None;
        }
        let seq = self.seq;
        let e = Entry { at, seq, slot };
        let s = e.fine();
        if s > self.cur {
            if s >> COARSE_BITS > (self.cur >> COARSE_BITS) + 1
                || !self.fine.push_within(s as usize % FINE, e)
            {
                return None;
            }
        } else {
            let p = part_of(&e);
            if s != self.cur || p <= self.part {
                return None;
            }
            let v = &mut self.parts[p];
            if v.len() == v.capacity() {
                return None;
            }
            v.push(e);
            self.parts_used |= 1 << p;
        }
        self.seq += 1;
        self.len += 1;
        Some(EventId(seq))
    }

    /// Schedules the kind in `slot` at `at`, not before the current time.
    #[inline(always)]
    fn enqueue(&mut self, at: Nanos, slot: u32) -> EventId {
        let seq = self.seq;
        self.seq += 1;
        self.len += 1;
        if at == self.now {
            self.due.push_back((seq, slot));
            return EventId(seq);
        }
        let e = Entry {
            at: at.0,
            seq,
            slot,
        };
        if !self.front.is_empty() {
            self.place(e);
        } else if self.due.is_empty() {
            // Nothing else is queued: the event's slot becomes the current
            // one (never earlier than the current time's, so no later
            // event goes before it).
            self.cur = self.cur.max(e.fine());
            self.part = PARTS - 1;
            self.front.push(e);
        } else {
            // Events due now are queued, and `front` takes the next slot
            // in use once they have run.
            self.place(e);
        }
        EventId(seq)
    }

    #[inline(always)]
    fn place(&mut self, e: Entry) {
        let s = e.fine();
        let (c, k) = (s >> COARSE_BITS, self.cur >> COARSE_BITS);
        if s < self.cur && self.front.len() >= FRONT_MAX {
            self.early.push(e);
        } else if s == self.cur && part_of(&e) > self.part {
            let p = part_of(&e);
            self.parts[p].push(e);
            self.parts_used |= 1 << p;
        } else if s <= self.cur {
            self.insert_front(e);
        } else if c <= k + 1 {
            self.fine.push((s as usize) % FINE, e);
        } else if c < k + 2 + COARSE as u64 {
            self.coarse.push((c as usize) % COARSE, e);
        } else {
            self.far.push(e);
        }
    }

    /// Puts `e`, of the current slot or (while `front` is short) one
    /// before it, at its place in `front`. Such events are mostly for the
    /// near future, so the place is found from the end (the earliest), and
    /// by bisection if it is far from there.
    #[inline]
    fn insert_front(&mut self, e: Entry) {
        let f = &mut self.front;
        let mut i = f.len();
        let stop = i.saturating_sub(8);
        if stop > 0 && f[stop - 1] > e {
            if i >= FRONT_MAX {
                // Deep in a long `front` (a crowded slot: many hosts'
                // timers and packets within 16 us), where its place would
                // shift every later event: the heap takes it instead.
                self.early.push(e);
                return;
            }
            // Later than eight events or more: bisection at once.
            i = f[..stop].partition_point(|x| *x < e);
        } else {
            while i > stop && f[i - 1] > e {
                i -= 1;
            }
        }
        f.insert(i, e);
    }

    pub fn cancel(&mut self, id: EventId) {
        self.cancelled.insert(id.0);
    }

    /// Makes `cur` the current fine slot (not before the old one), moving
    /// the coarse buckets and the events of `far` that the wheels now reach.
    fn rebase(&mut self, cur: u64) {
        debug_assert_eq!(self.parts_used, 0);
        let old_k = self.cur >> COARSE_BITS;
        self.cur = cur;
        self.part = PARTS - 1;
        let k = cur >> COARSE_BITS;
        if k == old_k {
            return;
        }
        // Coarse slots old_k + 2 ..= k + 1 now belong to the fine wheel (or
        // are the current slot); only those the coarse wheel held can have
        // events.
        let last = (k + 1).min(old_k + 1 + COARSE as u64);
        for c in old_k + 2..=last {
            let i = (c as usize) % COARSE;
            if self.coarse.in_use(i) {
                let mut v = std::mem::take(&mut self.spare);
                self.coarse.take(i, &mut v);
                for e in v.drain(..) {
                    self.place(e);
                }
                self.spare = v;
            }
        }
        let horizon = k + 2 + COARSE as u64;
        while let Some(&e) = self.far.peek() {
            if e.fine() >> COARSE_BITS >= horizon {
                break;
            }
            self.far.pop();
            self.place(e);
        }
    }

    /// Makes the next part of the current slot with events, or else the
    /// next slot with events, the current one (its events become
    /// `front`), if any. Called as soon as `front` runs out with no event
    /// due now, so that `front` is empty only when nothing else is
    /// queued, and its top is always the earliest event after those due
    /// now. The next part, the common case, is taken without a register
    /// saved; the rest is [`Queue::advance_slot`].
    #[inline(never)]
    fn advance(&mut self) {
        if self.parts_used != 0 && self.front.is_empty() {
            self.next_part();
        } else {
            self.advance_slot();
        }
    }

    /// [`Queue::advance`] past the parts of the current slot.
    #[inline(never)]
    fn advance_slot(&mut self) {
        while self.front.is_empty() {
            if self.parts_used != 0 {
                self.next_part();
                continue;
            }
            let start = (self.cur as usize + 1) % FINE;
            if let Some(i) = self.fine.next_used(start) {
                // Fine buckets hold slots cur + 1 .. cur + FINE - 1.
                let base = self.cur - self.cur % FINE as u64 + i as u64;
                let s = if base <= self.cur {
                    base + FINE as u64
                } else {
                    base
                };
                self.rebase(s);
                // `rebase` spread only coarse slots after this one.
                debug_assert!(self.front.is_empty());
                self.fine.take(i, &mut self.front);
                self.sort_front();
                continue;
            }
            let k = self.cur >> COARSE_BITS;
            let start = ((k + 2) as usize) % COARSE;
            if let Some(i) = self.coarse.next_used(start) {
                // Coarse buckets hold coarse slots k + 2 .. k + 1 + COARSE.
                let base = (k + 2) - (k + 2) % COARSE as u64 + i as u64;
                let c = if base < k + 2 {
                    base + COARSE as u64
                } else {
                    base
                };
                // Its first fine slot: the bucket spreads onto the fine
                // wheel (and `front`), and the loop finds the earliest.
                self.rebase(c << COARSE_BITS);
                continue;
            }
            match self.far.peek() {
                Some(e) => {
                    let s = e.fine();
                    self.rebase(s);
                }
                None => return,
            }
        }
    }

    /// Sorts `front`, a fine slot's bucket just taken, in [`Entry`]'s
    /// order. A short one holds the whole slot. A longer one is dealt
    /// into the slot's [`PARTS`] parts by time, and the first part with
    /// events becomes `front`, sorted: the others wait in `parts`.
    fn sort_front(&mut self) {
        if self.front.len() <= SHORT_SORT {
            self.front
                .sort_unstable_by_key(|e| std::cmp::Reverse(key(e)));
            self.part = PARTS - 1;
            return;
        }
        debug_assert_eq!(self.parts_used, 0);
        let mut used = 0u64;
        for e in self.front.drain(..) {
            let p = part_of(&e);
            self.parts[p].push(e);
            used |= 1 << p;
        }
        self.parts_used = used;
        self.next_part();
    }

    /// The earliest part in `parts` becomes `front` (which is empty),
    /// sorted; its buffer goes to the part. Most parts hold an event or
    /// two: the sort is called only for two or more, last.
    #[inline(always)]
    fn next_part(&mut self) {
        debug_assert!(self.front.is_empty() && self.parts_used != 0);
        let p = self.parts_used.trailing_zeros() as usize;
        self.parts_used &= !(1 << p);
        std::mem::swap(&mut self.front, &mut self.parts[p]);
        self.part = p;
        if self.front.len() > 1 {
            sort_entries(&mut self.front);
        }
    }

    /// Whether the earliest event of `front` and `early` is `early`'s.
    #[inline]
    fn early_first(&self) -> bool {
        self.early
            .peek()
            .is_some_and(|e| self.front.last().is_none_or(|f| e > f))
    }

    /// The earliest event of `front` and `early`.
    #[inline]
    fn head(&self) -> Option<&Entry> {
        if self.early_first() {
            self.early.peek()
        } else {
            self.front.last()
        }
    }

    /// The time of the next event, if any.
    #[inline]
    pub fn peek_time(&self) -> Option<Nanos> {
        if self.due.is_empty() {
            self.head().map(|e| Nanos(e.at))
        } else {
            Some(self.now)
        }
    }

    /// Whether an event scheduled now at `at` would be the next to run:
    /// nothing queued runs before it. If so, the current time moves to
    /// `at` and the event's sequence number is taken, as [`Queue::push`]
    /// then [`Queue::pop`] would, and the caller runs it at once.
    #[inline]
    pub fn run_next_at(&mut self, at: Nanos) -> bool {
        if at < self.now || !self.due.is_empty() {
            return false;
        }
        match self.head() {
            Some(e) if e.at <= at.0 => false,
            next => {
                if next.is_none() {
                    self.cur = self.cur.max(at.0 >> SLOT_BITS);
                    self.part = PARTS - 1;
                }
                self.seq += 1;
                self.now = at;
                true
            }
        }
    }

    /// The earliest event's kind, taken as [`Queue::pop`] takes it, if
    /// the event is due before `until` and not after `end`; otherwise
    /// `None`, and nothing is taken.
    #[inline]
    pub fn pop_due(&mut self, until: Nanos, end: Nanos) -> Option<K> {
        let stored = self.pop_due_stored(until, end)?;
        Some(self.take(stored))
    }

    /// [`Queue::pop_due`], the kind left in its slot for the caller to
    /// [`Queue::take`]. The event loop's one call per event: the
    /// earliest is found once, where [`Queue::peek_time`] then `pop`
    /// would find it twice, and the kind is moved only once, out of its
    /// slot where it is handled.
    #[inline]
    pub fn pop_due_stored(&mut self, until: Nanos, end: Nanos) -> Option<Stored> {
        let last = until.0.checked_sub(1)?.min(end.0);
        self.take_next(last).map(|(_, _, slot)| Stored(slot))
    }

    /// Takes the earliest event and advances the current time to it.
    pub fn pop(&mut self) -> Option<Event<K>> {
        let (at, seq, slot) = self.take_next(u64::MAX)?;
        Some(Event {
            at: Nanos(at),
            seq,
            kind: self.take(Stored(slot)),
        })
    }

    /// Takes the earliest event if it is due at `last` or before, skipping
    /// (and dropping) cancelled ones: its time, sequence number and slot.
    #[inline(always)]
    fn take_next(&mut self, last: u64) -> Option<(u64, u64, u32)> {
        loop {
            // Events of `front` and `early` at the current time go first;
            // then those scheduled at it since.
            let early = self.early_first();
            let head = if early {
                self.early.peek()
            } else {
                self.front.last()
            };
            let head_at = head.map(|e| e.at);
            if self.due.is_empty() {
                if head_at? > last {
                    return None;
                }
            } else {
                if self.now.0 > last {
                    return None;
                }
                if head_at != Some(self.now.0) {
                    let (seq, slot) = self.due.pop_front()?;
                    self.len -= 1;
                    if self.due.is_empty() && self.front.is_empty() {
                        self.advance();
                    }
                    if !self.cancelled.is_empty() && self.cancelled.remove(&seq) {
                        drop(self.take(Stored(slot)));
                        continue;
                    }
                    return Some((self.now.0, seq, slot));
                }
            }
            let e = if early {
                self.early.pop()?
            } else {
                self.front.pop()?
            };
            if self.front.is_empty() && self.due.is_empty() {
                self.advance();
            }
            self.len -= 1;
            if !self.cancelled.is_empty() && self.cancelled.remove(&e.seq) {
                drop(self.take(Stored(e.slot)));
                continue;
            }
            self.now = Nanos(e.at);
            return Some((e.at, e.seq, e.slot));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SLOT: u64 = 1 << SLOT_BITS;
    /// A coarse slot: past the fine wheel's reach from its start.
    const SPAN: u64 = SLOT << COARSE_BITS;
    /// The coarse wheel's reach: beyond it, `far`.
    const FAR: u64 = SPAN * COARSE as u64;

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
    fn every_tier_in_order_across_coarse_boundaries() {
        let mut q = Queue::new();
        // Fine, coarse and far events, some on coarse slot boundaries,
        // pushed in an order unrelated to their times.
        let times = [
            3 * FAR + 5,
            2 * SPAN,
            2 * SPAN - 1,
            FAR,
            5,
            SPAN + 1,
            7 * SPAN + 3 * SLOT,
            FAR + 2 * SPAN,
            3 * FAR + 5,
            0,
        ];
        for (i, &t) in times.iter().enumerate() {
            q.push(Nanos(t), i).unwrap();
        }
        let mut want: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
        want.sort();
        let got: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| (e.at.0, e.kind))).collect();
        assert_eq!(got, want);
        assert!(q.is_empty());
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
        let coarse = q.push(Nanos(2 * SPAN), "coarse").unwrap();
        let far = q.push(Nanos(2 * FAR), "far").unwrap();
        q.push(Nanos(2), "x").unwrap();
        q.push(Nanos(3 * SLOT), "y").unwrap();
        q.push(Nanos(2 * SPAN), "z").unwrap();
        q.push(Nanos(2 * FAR), "w").unwrap();
        for id in [now_slot, wheel, coarse, far] {
            q.cancel(id);
        }
        assert_eq!(q.len(), 8);
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| e.kind)).collect();
        assert_eq!(order, vec!["x", "y", "z", "w"]);
        assert!(q.is_empty());
        // A cancelled event does not move the current time.
        let mut q = Queue::new();
        let late = q.push(Nanos(10 * FAR), 1).unwrap();
        q.cancel(late);
        assert!(q.pop().is_none());
        assert_eq!(q.now(), Nanos::ZERO);
        assert!(q.push(Nanos(1), 2).is_ok());
    }

    /// A xorshift64 generator: the tests' times, the same on every run.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// Pops the next event and checks it is the reference's earliest
    /// (time, sequence number), which the reference then forgets.
    fn pop_as_reference(q: &mut Queue<u64>, model: &mut Vec<(u64, u64)>, round: u64) {
        assert_eq!(q.peek_time(), model.iter().map(|m| Nanos(m.0)).min());
        let e = q.pop();
        let want = model.iter().copied().min();
        assert_eq!(e.as_ref().map(|e| (e.at.0, e.seq)), want, "round {round}");
        if let Some(w) = want {
            model.retain(|m| *m != w);
        }
    }

    /// Schedules `kind` at `at` and tells the reference: its sequence
    /// number.
    fn push_as_reference<K>(
        q: &mut Queue<K>,
        model: &mut Vec<(u64, u64)>,
        at: u64,
        kind: K,
    ) -> u64 {
        let seq = q.push(Nanos(at), kind).unwrap().0;
        model.push((at, seq));
        seq
    }

    /// Pops every event left: the reference's, in order.
    fn drain_as_reference(mut q: Queue<u64>, mut model: Vec<(u64, u64)>) {
        model.sort_unstable();
        let rest: Vec<_> = std::iter::from_fn(|| q.pop().map(|e| (e.at.0, e.seq))).collect();
        assert_eq!(rest, model);
    }

    /// Against a sorted reference, with pushes from every tier, ties, and
    /// the wheel wrapping around many times.
    #[test]
    fn agrees_with_a_sorted_reference() {
        let mut next = xorshift(0x1234_5678_9abc_def0);
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        for round in 0..20_000u64 {
            let pushes = next() % 3;
            for _ in 0..pushes {
                let now = q.now().0;
                let delay = match next() % 9 {
                    0 => 0,
                    1 => next() % SLOT,
                    2 => next() % SPAN,
                    3 => SPAN - SLOT + next() % (2 * SLOT),
                    4 => next() % (40 * SPAN),
                    5 => next() % (2 * FAR),
                    6 => FAR - SPAN + next() % (2 * SPAN),
                    7 => next() % (5 * FAR),
                    _ => 3 * SLOT,
                };
                push_as_reference(&mut q, &mut model, now + delay, round);
            }
            if next() % 2 == 0 {
                pop_as_reference(&mut q, &mut model, round);
            }
            assert_eq!(q.len(), model.len());
        }
        drain_as_reference(q, model);
    }

    /// `pop_due` takes what `peek_time` and a time check, then `pop`,
    /// would take, and nothing once the next event is at `until` or later
    /// or after `end`: two queues given the same events, events due now
    /// and ties included.
    #[test]
    fn pop_due_takes_what_peek_and_pop_take() {
        let mut next = xorshift(0x90d_0e5);
        let (mut a, mut b) = (Queue::new(), Queue::new());
        let mut id = 0u64;
        for round in 0..20_000u64 {
            let now = a.now().0;
            assert_eq!(now, b.now().0);
            for _ in 0..next() % 3 {
                let delay = match next() % 5 {
                    0 => 0,
                    1 => next() % 300,
                    2 => next() % (3 * SLOT),
                    3 => next() % (3 * SPAN),
                    _ => next() % (2 * FAR),
                };
                id += 1;
                a.push(Nanos(now + delay), id).unwrap();
                b.push(Nanos(now + delay), id).unwrap();
            }
            let until = Nanos(now + next() % (2 * SLOT));
            let end = Nanos(now + next() % (2 * SLOT));
            for _ in 0..next() % 4 {
                let want = match b.peek_time() {
                    Some(t) if t < until && t <= end => b.pop().map(|e| e.kind),
                    _ => None,
                };
                assert_eq!(a.pop_due(until, end), want, "round {round}");
                assert_eq!(a.len(), b.len());
            }
        }
        let rest = std::iter::from_fn(|| a.pop_due(Nanos(u64::MAX), Nanos(u64::MAX)));
        let want = std::iter::from_fn(|| b.pop().map(|e| e.kind));
        assert!(rest.eq(want));
    }

    /// A kind stored before another event is scheduled takes its place
    /// in the order when it is scheduled, not when it was stored; one
    /// scheduled in the past is refused and its slot freed.
    #[test]
    fn a_stored_event_is_ordered_when_it_is_scheduled() {
        let mut q = Queue::new();
        let a = q.store(1);
        q.push(Nanos(10), 2).unwrap();
        q.push_stored(Nanos(10), a).unwrap();
        let b = q.store(3);
        q.push_stored(Nanos(0), b).unwrap();
        let order: Vec<(u64, u32)> =
            std::iter::from_fn(|| q.pop().map(|e| (e.at.0, e.kind))).collect();
        assert_eq!(order, vec![(0, 3), (10, 2), (10, 1)]);
        let late = q.store(4);
        assert_eq!(
            q.push_stored(Nanos(5), late),
            Err(PastEvent {
                at: Nanos(5),
                now: Nanos(10)
            })
        );
        assert!(q.is_empty());
        // The refused event's slot is free again: no slot more than the
        // three held at once.
        let again = q.store(5);
        q.push_stored(Nanos(20), again).unwrap();
        assert_eq!(q.pop_due(Nanos(30), Nanos(30)), Some(5));
        assert_eq!(q.slots.len(), 3);
        assert_eq!(q.free.len(), 3);
    }

    /// Events stored, then scheduled by `push_stored` (whose common
    /// paths, a bucket of the fine wheel and a later part of the current
    /// slot, skip `enqueue`), come out as the same events scheduled by
    /// `push`, with the same sequence numbers: every tier, crowded slots
    /// dealt into parts, events due now, and pushes into a bucket or a
    /// part with no room left.
    #[test]
    fn push_stored_agrees_with_push() {
        let mut next = xorshift(0x5700_ed95_eed0);
        let (mut a, mut b) = (Queue::new(), Queue::new());
        let mut saw_parts = 0;
        a.push(Nanos(1), 0).unwrap();
        let first = b.store(0);
        b.push_stored(Nanos(1), first).unwrap();
        for round in 0..30_000u64 {
            let now = a.now().0;
            assert_eq!(now, b.now().0);
            for _ in 0..next() % 4 {
                // One in eight a burst of 24 events in the next slot, which
                // is then dealt into parts when it becomes current.
                let (n, spread) = (if next() % 8 == 0 { 24 } else { 1 }, SLOT);
                let delay = match next() % 8 {
                    _ if n > 1 => SLOT - now % SLOT,
                    0 => 0,
                    1 => next() % 300,
                    2 => next() % SLOT,
                    3 | 4 => next() % (3 * SLOT),
                    5 => next() % (3 * SPAN),
                    6 => next() % (2 * FAR),
                    _ => SLOT - now % SLOT + next() % 64,
                };
                for _ in 0..n {
                    let at = Nanos(now + delay + if n > 1 { next() % spread } else { 0 });
                    let id = a.push(at, round).unwrap();
                    let stored = b.store(round);
                    assert_eq!(b.push_stored(at, stored), Ok(id), "round {round}");
                }
            }
            if b.parts_used != 0 {
                saw_parts += 1;
            }
            // Never all (the current slot would run ahead to the next
            // event pushed, as far as it is), and enough that time moves on
            // through every tier.
            let pops = match b.len() {
                0..=50 => 0,
                51..=300 => next() % 3,
                _ => 8,
            };
            for _ in 0..pops {
                let (x, y) = (a.pop(), b.pop());
                assert_eq!(
                    x.map(|e| (e.at, e.seq, e.kind)),
                    y.map(|e| (e.at, e.seq, e.kind)),
                    "round {round}"
                );
            }
            assert_eq!(a.len(), b.len());
        }
        assert!(saw_parts > 1_000, "{saw_parts} rounds with parts");
        let rest = std::iter::from_fn(|| b.pop().map(|e| (e.at, e.seq, e.kind)));
        let want = std::iter::from_fn(|| a.pop().map(|e| (e.at, e.seq, e.kind)));
        assert!(rest.eq(want));
    }

    /// A cancelled event is skipped, and the one after it waits if it is
    /// not due.
    #[test]
    fn pop_due_skips_a_cancelled_event_and_keeps_a_later_one() {
        let mut q = Queue::new();
        let gone = q.push(Nanos(10), 1).unwrap();
        q.push(Nanos(50), 2).unwrap();
        q.cancel(gone);
        assert_eq!(q.pop_due(Nanos(40), Nanos(100)), None);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_due(Nanos(60), Nanos(100)), Some(2));
        assert!(q.is_empty());
    }

    /// A long bucket becomes the current slot: dealt into parts of the
    /// slot by time, each part sorted (parts of one event, of a few, of
    /// many at one time), and out in order.
    #[test]
    fn a_long_bucket_comes_out_in_order() {
        let mut next = xorshift(0xb0c_4e7);
        for len in [17, 40, 300, 2_000] {
            let mut q = Queue::new();
            let mut model: Vec<(u64, u64)> = Vec::new();
            // The current slot is the first; the bucket is slot 5's.
            push_as_reference(&mut q, &mut model, 1, 0);
            let base = 5 * SLOT;
            for i in 0..len {
                let at = match i % 4 {
                    // Spread over the slot, bursts at one time, many in
                    // one part.
                    0 | 1 => base + next() % SLOT,
                    2 => base + 777,
                    _ => base + 4_096 + next() % 200,
                };
                push_as_reference(&mut q, &mut model, at, 0);
            }
            drain_as_reference(q, model);
        }
    }

    /// A long current slot: events scheduled into it find their place from
    /// its end, or go to `early` when it is deep, and come out in order.
    #[test]
    fn events_placed_in_a_long_current_slot_keep_the_order() {
        let mut next = xorshift(0x0dd5_10f5);
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        for _ in 0..400 {
            // All in the first fine slot, which is current from the first
            // push on; ties included.
            let at = 1 + next() % (SLOT / 64);
            push_as_reference(&mut q, &mut model, at, 0);
        }
        assert_eq!(q.front.len() + q.early.len(), 400);
        assert!(q.front.len() >= FRONT_MAX && !q.early.is_empty());
        drain_as_reference(q, model);
    }

    /// Events scheduled at the current time while it is current run after
    /// those already due then, in the order scheduled; an event that would
    /// be the next runs at once (`run_next_at`) only when nothing queued
    /// runs before it. Against a sorted reference.
    #[test]
    fn events_due_now_and_events_run_at_once_keep_the_order() {
        let mut next = xorshift(0x5eed_0fa1_1e0d);
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        let mut ran_at_once = 0;
        let mut last = None;
        for round in 0..20_000u64 {
            let now = q.now().0;
            for _ in 0..next() % 3 {
                let delay = match next() % 6 {
                    0 | 1 => 0,
                    2 => next() % 200,
                    3 => next() % (3 * SLOT),
                    4 => next() % (3 * SPAN),
                    _ => next() % (2 * FAR),
                };
                last = Some(push_as_reference(&mut q, &mut model, now + delay, round));
            }
            if next() % 4 == 0 {
                // An event that would run at `at`, as the engine asks for
                // the last event it scheduled.
                let first = model.iter().map(|m| m.0).min();
                let at = match first {
                    // Just before the earliest queued, or at it.
                    Some(f) if next() % 2 == 0 => f.saturating_sub(next() % 3).max(now),
                    _ => now + next() % 300,
                };
                let before = q.len();
                let ran = q.run_next_at(Nanos(at));
                assert_eq!(ran, first.is_none_or(|f| f > at), "round {round}");
                if ran {
                    ran_at_once += 1;
                    assert_eq!(q.now(), Nanos(at));
                    assert_eq!(q.len(), before);
                    // Its sequence number was taken, and a later event at
                    // the same time comes after it.
                    let id = q.push(Nanos(at), round).unwrap();
                    assert_eq!(id.0, last.map_or(1, |l| l + 2));
                    model.push((at, id.0));
                    last = Some(id.0);
                }
            }
            if next() % 2 == 0 {
                pop_as_reference(&mut q, &mut model, round);
            }
            assert_eq!(q.len(), model.len());
        }
        assert!(ran_at_once > 250, "{ran_at_once} ran at once");
        drain_as_reference(q, model);
    }

    /// The current slot runs ahead to an event far off (an LP's first
    /// sweep, 1 s away); the events scheduled before it meanwhile wait in
    /// `early` once `front` is long, and every event still comes out in
    /// order.
    #[test]
    fn events_before_a_current_slot_far_ahead_keep_the_order_outside_front() {
        let mut next = xorshift(0x0e41_7a00_5eed);
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        let far = 1_000_000_000;
        push_as_reference(&mut q, &mut model, far, 0);
        let mut most_early = 0;
        for round in 0..30_000u64 {
            let now = q.now().0;
            for _ in 0..1 + next() % 2 {
                // One in four at the current time, to `due`.
                let at = match next() % 4 {
                    0 => now,
                    _ => now + next() % (8 * SLOT),
                };
                let at = if now < far { at.min(far - 1) } else { at };
                push_as_reference(&mut q, &mut model, at, round);
            }
            // Until the current time reaches it, `front` stays short.
            if q.now().0 < far >> SLOT_BITS << SLOT_BITS {
                assert!(q.front.len() <= FRONT_MAX, "round {round}");
            }
            most_early = most_early.max(q.early.len());
            if next() % 2 == 0 {
                pop_as_reference(&mut q, &mut model, round);
            }
        }
        assert!(most_early > 100, "{most_early} events in `early` at most");
        drain_as_reference(q, model);
    }

    /// Many events in the current fine slot, then more scheduled into it
    /// while it drains, at every distance from its earliest (near the end
    /// of `front`, far enough to be placed by bisection, and deep in a
    /// long `front`, where `early` takes them).
    #[test]
    fn a_crowded_current_slot_keeps_the_order() {
        let mut rng = 0x0bad_cafe_dead_beefu64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        for _ in 0..300 {
            let at = next() % SLOT;
            push_as_reference(&mut q, &mut model, at, ());
        }
        let (mut to_early, mut by_bisection) = (0, 0);
        while let Some(e) = q.pop() {
            let want = model.iter().copied().min().unwrap();
            assert_eq!((e.at.0, e.seq), want);
            model.retain(|m| *m != want);
            if next() % 3 == 0 {
                let now = q.now().0;
                let at = now + next() % (SLOT - now % SLOT);
                let (early, front) = (q.early.len(), q.front.len());
                push_as_reference(&mut q, &mut model, at, ());
                if q.early.len() > early {
                    to_early += 1;
                } else if q.front.len() > front && front < FRONT_MAX && front > 8 {
                    by_bisection += 1;
                }
            }
        }
        assert!(model.is_empty());
        assert!(to_early > 0, "{to_early} events to `early`");
        assert!(by_bisection > 0, "{by_bisection} placed in a short `front`");
    }

    /// A crowded fine slot taken from the wheel is dealt into parts by
    /// time: `front` holds the earliest part only, events scheduled into a
    /// later part are pushed there, unsorted, and each part is sorted when
    /// its turn comes. The order is the reference's throughout, ties and
    /// events at a part's edges included.
    #[test]
    fn a_crowded_slot_from_the_wheel_waits_in_parts() {
        let mut next = xorshift(0x5eed_0f9a_2701);
        let mut q = Queue::new();
        let mut model: Vec<(u64, u64)> = Vec::new();
        push_as_reference(&mut q, &mut model, 0, 0u64);
        let part = SLOT / PARTS as u64;
        for i in 0..400 {
            // Every tenth on a part's edge, every seventh a tie.
            let at = match i % 10 {
                0 => SLOT + (next() % PARTS as u64) * part,
                _ if i % 7 == 0 => SLOT + 5 * part + 3,
                _ => SLOT + next() % SLOT,
            };
            push_as_reference(&mut q, &mut model, at, i);
        }
        pop_as_reference(&mut q, &mut model, 0);
        let (mut to_parts, mut to_front, mut most_front) = (0, 0, 0);
        let mut round = 1;
        while !model.is_empty() {
            most_front = most_front.max(q.front.len());
            if next() % 2 == 0 {
                let now = q.now().0;
                let at = now + next() % (2 * SLOT - now);
                let parts: usize = q.parts.iter().map(Vec::len).sum();
                let front = q.front.len();
                push_as_reference(&mut q, &mut model, at, round);
                if q.parts.iter().map(Vec::len).sum::<usize>() > parts {
                    to_parts += 1;
                } else if q.front.len() > front {
                    to_front += 1;
                }
            }
            pop_as_reference(&mut q, &mut model, round);
            round += 1;
        }
        assert!(q.is_empty() && q.parts_used == 0);
        assert!(to_parts > 50, "{to_parts} pushed to a later part");
        assert!(to_front > 5, "{to_front} placed in `front`");
        assert!(
            most_front < 100,
            "`front` held {most_front} of a slot of 400"
        );
    }
}
