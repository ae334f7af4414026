//! The glue between the engine and the traffic endpoints.
//!
//! Endpoints (`crate::traffic`) are a state machine: they take events and
//! the virtual time and answer with actions. This file is the one place that
//! drives them: it calls them for timers, deliveries and drops, and carries
//! their actions out in the order they were produced (timers scheduled,
//! outcomes counted for the traffic and its expectation windows, drops
//! charged, decisions handed to the LP that owns an item), then the
//! packets they sent, in the order sent.

use super::{Kind, Sim, in_window};
use crate::dataplane::{Host, Place};
use crate::model::DropReason;
use crate::packet::FlowView;
use crate::traffic::{Action, Count, Io, Sent, Tag, Timer};
use crate::units::Nanos;

impl Sim {
    /// Runs `f` on the endpoints, then carries out what they asked for.
    fn endpoints(&mut self, f: impl FnOnce(&mut crate::traffic::Endpoints, &mut Io<'_>)) {
        let mut out = std::mem::take(&mut self.actions);
        let mut sends = std::mem::take(&mut self.sends);
        let mut io = Io {
            d: &self.design,
            net: &self.net,
            now: self.q.now(),
            out: &mut out,
            sends: &mut sends,
            nics: &mut self.nics,
            spare: &mut self.spare,
        };
        f(&mut self.t, &mut io);
        // Packets sent go into the data plane after the other actions, as
        // they would in an event of their own after this one: a host that
        // answers at once (a closed port of a link-local service) has its
        // refusal counted before its reset reaches the sender.
        // In order, each taken from the end of the reversed list: most
        // lists hold one or two.
        out.reverse();
        while let Some(a) = out.pop() {
            self.carry_out(a);
        }
        sends.reverse();
        while let Some(s) = sends.pop() {
            self.send(s);
        }
        // An action may have run the endpoints again (a drop that decides
        // an item): those used buffers of their own, so these are kept.
        put_back(&mut self.actions, out);
        put_back(&mut self.sends, sends);
    }

    /// An endpoint's timer is due. Out of line: the event loop's code,
    /// which every packet's event runs, stays small.
    #[inline(never)]
    pub(super) fn on_timer(&mut self, timer: Timer) {
        self.endpoints(|t, io| t.on_timer(io, timer));
    }

    /// A packet reached host `h`.
    pub(super) fn deliver(&mut self, h: Host, buf: &[u8], tag: Option<Tag>) {
        self.endpoints(|t, io| t.deliver(io, h, buf, tag));
    }

    /// A packet reached host `h`, with the view the data plane had of it
    /// at its last hop.
    pub(super) fn deliver_view(&mut self, h: Host, buf: &[u8], v: FlowView, tag: Option<Tag>) {
        self.endpoints(|t, io| t.deliver_view(io, h, buf, v, tag));
    }

    pub(super) fn endpoint_item_dropped(&mut self, tag: Tag, reason: DropReason, place: Place) {
        self.endpoints(|t, io| t.item_dropped(io, tag, reason, place));
    }

    pub(super) fn endpoint_item_delivered(&mut self, tag: Tag, at: Nanos, bytes: u64) {
        self.endpoints(|t, io| t.item_delivered(io, tag, at, bytes));
    }

    pub(super) fn finish_endpoints(&mut self) {
        self.endpoints(|t, io| t.finish(io));
    }

    /// Puts a packet an endpoint sent into the data plane.
    fn send(&mut self, s: Sent) {
        self.metrics.packets_sent += 1;
        let mut buf = s.packet;
        debug_assert!(crate::packet::parse(&buf).is_ok());
        let loc = crate::dataplane::host_start(&self.design, &buf, s.from);
        self.packet(&mut buf, loc, s.tag, 0, false);
        self.recycle(buf);
    }

    /// Carries out one action. Charging a drop or delivering a datagram runs
    /// the endpoints again at once, as a direct call would.
    fn carry_out(&mut self, a: Action) {
        let now = self.q.now();
        match a {
            Action::Timer { at, timer } => self.at(at, Kind::Endpoint(timer)),
            Action::Started { traffic } => {
                self.metrics.traffic[traffic as usize].started += 1;
                self.metrics.series.started(traffic, now);
                for &e in &self.watch.by_traffic[traffic as usize] {
                    if in_window(&self.design.expects[e as usize], now) {
                        self.metrics.expects[e as usize].started += 1;
                    }
                }
            }
            Action::Decided {
                traffic,
                start,
                at,
                failed,
            } => {
                let latency = failed.is_none().then(|| Nanos(at.0 - start.0));
                self.metrics.series.decided(traffic, at, latency);
                let m = &mut self.metrics.traffic[traffic as usize];
                match failed {
                    None => {
                        m.delivered += 1;
                        m.record_completion(Nanos(at.0 - start.0));
                    }
                    Some(key) => {
                        m.failed += 1;
                        *m.failures.entry(key).or_default() += 1;
                    }
                }
                for &e in &self.watch.by_traffic[traffic as usize] {
                    let ex = &self.design.expects[e as usize];
                    if in_window(ex, start) {
                        let st = &mut self.metrics.expects[e as usize];
                        if failed.is_none() {
                            st.delivered += 1;
                            if ex.latency {
                                st.record_latency(Nanos(at.0 - start.0));
                            }
                        } else {
                            st.failed += 1;
                        }
                    }
                }
            }
            Action::Count { traffic, count } => {
                let m = &mut self.metrics.traffic[traffic as usize];
                match count {
                    Count::Retransmissions(n) => m.retransmissions += n,
                    Count::BytesDelivered(n) => {
                        m.bytes_delivered += n;
                        self.metrics.series.bytes_delivered(traffic, now, n);
                    }
                    Count::CorruptBytes(n) => m.corrupt_bytes += n,
                    Count::Setup(t) => m.record_setup(t),
                    Count::Invocation { cold } => {
                        m.invocations += 1;
                        m.cold_starts += u64::from(cold);
                    }
                }
                if let Count::Retransmissions(n) | Count::BytesDelivered(n) = count {
                    for &e in &self.watch.by_traffic[traffic as usize] {
                        if in_window(&self.design.expects[e as usize], now) {
                            let st = &mut self.metrics.expects[e as usize];
                            if let Count::Retransmissions(_) = count {
                                st.retransmissions += n;
                            } else {
                                st.bytes_delivered += n;
                            }
                        }
                    }
                }
            }
            rare @ (Action::Refused { .. }
            | Action::DatagramArrived { .. }
            | Action::Unfinished { .. }) => self.carry_out_rare(rare, now),
        }
    }

    /// The actions that are not on every packet's path: kept out of
    /// [`Sim::carry_out`]'s code, which the event loop runs for every one.
    #[cold]
    #[inline(never)]
    fn carry_out_rare(&mut self, a: Action, now: Nanos) {
        match a {
            Action::Refused { tag, reason, place } => self.record_drop(tag, reason, place),
            Action::DatagramArrived { tag, bytes } => {
                if self.owns_item(tag) {
                    self.endpoint_item_delivered(tag, now, bytes);
                    return;
                }
                let lp = self.owner_of(tag);
                let at = now.saturating_add(self.part.lookahead);
                self.post(
                    lp,
                    at,
                    Kind::ItemDelivered {
                        tag,
                        at: now,
                        bytes,
                    },
                );
            }
            Action::Unfinished { traffic, start } => {
                self.metrics.traffic[traffic as usize].unfinished += 1;
                for &e in &self.watch.by_traffic[traffic as usize] {
                    if in_window(&self.design.expects[e as usize], start) {
                        self.metrics.expects[e as usize].unfinished += 1;
                    }
                }
            }
            _ => self.carry_out(a),
        }
    }
}

/// Puts buffer `v` back in `slot`. What `slot` held is the empty vector
/// left there when `v` was taken, with nothing to free, unless the
/// endpoints ran again meanwhile and kept a buffer of their own there.
#[inline]
fn put_back<T>(slot: &mut Vec<T>, v: Vec<T>) {
    let old = std::mem::replace(slot, v);
    if old.capacity() == 0 {
        std::mem::forget(old);
    }
}
