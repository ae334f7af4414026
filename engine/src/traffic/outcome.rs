//! How an item ends: failed at its deadline, delivered, failed by a drop or
//! a reset, or unfinished when the run is over; a decided item gives its
//! Lambda execution environment back and frees its slot.

use super::{Action, Cause, Count, Endpoints, Gen, Io, Item, Tag, Timer, gen_of};
use crate::dataplane::Place;
use crate::model::DropReason;
use crate::scenario::raw::Pattern;
use crate::units::Nanos;

impl Endpoints {
    pub(super) fn add_deadline(&mut self, io: &mut Io<'_>, t: u32, at: Nanos, tag: Tag) {
        let g = gen_of(&mut self.gens, self.seed, io.d, t);
        push_deadline(g, &self.items, io, t, at, tag);
    }

    /// Fails every item of traffic `t` whose deadline has come.
    pub(super) fn deadlines(&mut self, io: &mut Io<'_>, t: u32) {
        let now = io.now;
        loop {
            let g = gen_of(&mut self.gens, self.seed, io.d, t);
            match g.deadlines.front().copied() {
                Some((at, tag)) if at <= now => {
                    g.deadlines.pop_front();
                    self.item_deadline(io, tag);
                }
                Some(_) => {
                    // The next deadline of an item still undecided.
                    forget_decided(&mut g.deadlines, &self.items);
                    match g.deadlines.front() {
                        Some(&(at, _)) => io.timer(at, Timer::Deadlines { traffic: t }),
                        None => g.deadline_scheduled = false,
                    }
                    return;
                }
                None => {
                    g.deadline_scheduled = false;
                    return;
                }
            }
        }
    }

    fn item_deadline(&mut self, io: &mut Io<'_>, tag: Tag) {
        if !undecided(&self.items, tag) {
            return;
        }
        // An item whose source the timeline deleted stays unfinished: no
        // cause it could be given (the drops of packets sent to the gone
        // host) is about the path it was asking about.
        if self.items[tag.item as usize]
            .conn
            .and_then(|c| self.conns.get(c as usize).and_then(Option::as_ref))
            .is_some_and(|conn| super::host_gone(io, conn.host))
        {
            return;
        }
        let cause = self.items[tag.item as usize].unanswered();
        self.end_item(io, tag, cause);
    }

    /// Ends a live item now with `cause`: its connection, if it has one, is
    /// reset.
    pub(super) fn end_item(&mut self, io: &mut Io<'_>, tag: Tag, cause: Cause) {
        let item = tag.item;
        if let Some(c) = self.items[item as usize].conn {
            let mut out = std::mem::take(&mut self.out);
            // A host the timeline deleted sends nothing, its RST neither.
            if let Some(conn) = self.conns.get_mut(c as usize).and_then(Option::as_mut) {
                if !super::host_gone(io, conn.host) {
                    conn.tcp.abort(&mut out);
                }
            }
            self.flush(io, c, &mut out);
            self.out = out;
            self.remove_conn(c);
        }
        self.decide(io, tag, Some(cause));
    }

    /// A datagram of an item this part of the run owns arrived at `at`
    /// (perhaps reported by another LP).
    pub fn item_delivered(&mut self, io: &mut Io<'_>, tag: Tag, at: Nanos, bytes: u64) {
        if undecided(&self.items, tag) {
            io.count(tag.traffic, Count::BytesDelivered(bytes));
            self.decide_at(io, tag, None, at);
        }
    }

    /// An item is decided now: delivered (`None`) or failed with a cause.
    pub(super) fn decide(&mut self, io: &mut Io<'_>, tag: Tag, failed: Option<Cause>) {
        let now = io.now;
        self.decide_at(io, tag, failed, now);
    }

    fn decide_at(&mut self, io: &mut Io<'_>, tag: Tag, failed: Option<Cause>, at: Nanos) {
        let Some(it) = self.items.get_mut(tag.item as usize) else {
            return;
        };
        if it.epoch != tag.epoch || !it.live {
            return;
        }
        it.live = false;
        let (traffic, start, last_drop, lambda, ping, timed_out) = (
            it.traffic,
            it.start,
            it.last_drop,
            it.lambda,
            it.ping_key,
            it.timed_out,
        );
        if let Some(l) = lambda {
            let pool = &mut self.pools[l.idx()];
            pool.busy = pool.busy.saturating_sub(1);
            // The environment waits for the next invocation (LAM-8), unless
            // the invocation timed out: Lambda then resets it, and the next
            // invocation initialises a new one.
            if !timed_out {
                pool.idle.push_back(io.now);
            }
        }
        if let Some(k) = ping {
            self.pings.remove(k);
        }
        let failed = failed.map(|cause| {
            let place = match cause {
                Cause::Drop(_) => last_drop.map(|(_, p)| p),
                _ => None,
            };
            (cause, place)
        });
        io.out.push(Action::Decided {
            traffic,
            start,
            at,
            failed,
        });
        // Keep the slot until no packet can name it: gens make late packets
        // harmless, so the slot is free at once.
        self.free_items.push(tag.item);
    }

    /// A packet of an item this part of the run owns was dropped: remember
    /// it; pings and datagrams, which are not retried, fail at once.
    pub fn item_dropped(&mut self, io: &mut Io<'_>, tag: Tag, reason: DropReason, place: Place) {
        let Some((traffic, _)) = self.item_info(tag) else {
            return;
        };
        let it = &mut self.items[tag.item as usize];
        if !it.live {
            return;
        }
        it.last_drop = Some((reason, place));
        let pattern = io.d.traffic[traffic as usize].pattern;
        // A lost query is asked again (DNS-5): the item is not decided yet.
        if matches!(pattern, Pattern::Ping | Pattern::Udp) && it.lookup.is_none() {
            self.decide(io, tag, Some(Cause::Drop(reason)));
        }
    }

    /// The run is over: items still undecided are unfinished.
    pub fn finish(&mut self, io: &mut Io<'_>) {
        for it in &self.items {
            if it.live {
                io.out.push(Action::Unfinished {
                    traffic: it.traffic,
                    start: it.start,
                });
            }
        }
        for c in self.conns.iter().flatten() {
            io.count(c.traffic, Count::CorruptBytes(c.tcp.corrupt));
        }
    }
}

/// Deadlines a traffic keeps before it forgets those of decided items.
const FORGET_AT: usize = 32;

/// Drops the deadlines at the front of a traffic's queue whose items are
/// decided (their slot is free or holds a later item): a deadline dropped
/// here would fail nothing when it came. Items mostly end in the order
/// they started, so a traffic keeps the deadlines of the items still
/// undecided and at most [`FORGET_AT`] more, rather than one for every
/// item started within the timeout; and its deadline timer, set for the
/// first deadline of an item undecided, fires about once per timeout
/// rather than once per item.
#[inline(never)]
fn forget_decided(deadlines: &mut std::collections::VecDeque<(Nanos, Tag)>, items: &[Item]) {
    while let Some(&(_, tag)) = deadlines.front() {
        if undecided(items, tag) {
            return;
        }
        deadlines.pop_front();
    }
}

/// Whether item `tag` is still undecided: its slot holds it (not a later
/// item) and it is live.
#[inline]
fn undecided(items: &[Item], tag: Tag) -> bool {
    items
        .get(tag.item as usize)
        .is_some_and(|it| it.epoch == tag.epoch && it.live)
}

/// Item `tag` of traffic `t` (generator `g`) fails at `at` if it is not
/// decided by then.
pub(super) fn push_deadline(
    g: &mut Gen,
    items: &[Item],
    io: &mut Io<'_>,
    t: u32,
    at: Nanos,
    tag: Tag,
) {
    if g.deadlines.len() >= FORGET_AT {
        forget_decided(&mut g.deadlines, items);
    }
    g.deadlines.push_back((at, tag));
    if !g.deadline_scheduled {
        g.deadline_scheduled = true;
        io.timer(at, Timer::Deadlines { traffic: t });
    }
}
