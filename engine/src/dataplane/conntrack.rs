//! Connection tracking of security groups (SG-3..SG-6).
//!
//! Invariants:
//! - Only a packet that starts a flow creates a tracking entry: a TCP SYN
//!   without ACK, or any UDP, ICMP or other packet the table has no entry
//!   for (SG-4b). A TCP connection whose SYN was not tracked is never
//!   tracked part-way through.
//! - A UDP flow found untracked (SG-4) leaves a marker so that it is never
//!   tracked later either: the marker admits nothing, it only remembers.
//!   Markers expire like the flow's entry would (SG-6), so their memory
//!   follows the live untracked UDP flows; TCP needs none (its SYN decides).
//!
//! One table for every ENI of a partition, keyed by (ENI, protocol, remote
//! address, local port, remote port) packed into a `u128`, so an entry costs
//! a key and a 16-byte value. Expiry is lazy: a lookup that finds an entry
//! idle past its timeout removes it and reports a miss, so no timer runs per
//! flow. Lookups never iterate, so the hash map's order cannot leak into
//! results.

use crate::hashing::FastMap;
use crate::model::EniId;
use crate::packet::{FlowView, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::units::Nanos;

/// Idle timeouts (SG-6).
pub mod timeout {
    use crate::units::Nanos;
    /// TCP established: 5 days.
    pub const TCP_ESTABLISHED: Nanos = Nanos::from_secs(432_000);
    /// TCP in other states, and ICMP (unconfirmed in the AWS documentation).
    pub const TCP_OTHER: Nanos = Nanos::from_secs(60);
    pub const ICMP: Nanos = Nanos::from_secs(60);
    /// UDP, one-way or a single exchange.
    pub const UDP: Nanos = Nanos::from_secs(30);
    /// UDP once it is a stream (more than one request and response).
    pub const UDP_STREAM: Nanos = Nanos::from_secs(180);
    /// Protocols other than TCP, UDP and ICMP.
    pub const OTHER: Nanos = Nanos::from_secs(600);
}

/// A flow as the ENI sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key(u128);

impl Key {
    /// `outbound`: the packet leaves the ENI (the remote end is its destination).
    #[inline]
    pub fn new(eni: EniId, p: &FlowView, outbound: bool) -> Key {
        let (remote, local_port, remote_port) = if outbound {
            (u32::from(p.dst), p.src_port, p.dst_port)
        } else {
            (u32::from(p.src), p.dst_port, p.src_port)
        };
        Key((u128::from(eni.0) << 72)
            | (u128::from(p.proto) << 64)
            | (u128::from(remote) << 32)
            | (u128::from(local_port) << 16)
            | u128::from(remote_port))
    }
}

const SEEN_OUT: u8 = 1;
const SEEN_IN: u8 = 2;
const ESTABLISHED: u8 = 4;
const STREAM: u8 = 8;
const CLOSING: u8 = 16;
/// A marker of a flow that is not tracked (SG-4b).
const UNTRACKED: u8 = 32;

/// What the table knows of a packet's flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A tracked flow: the packet passes whatever the rules say (SG-3).
    Tracked,
    /// A flow known to be untracked: the rules judge the packet, and it may
    /// not start tracking (SG-4b).
    Untracked,
    /// Nothing known (or expired).
    Miss,
}

/// Whether a packet may start tracking its flow (SG-4b): a TCP packet only
/// when it is a SYN without ACK.
#[inline]
pub fn starts_flow(p: &FlowView) -> bool {
    p.proto != PROTO_TCP || p.tcp_flags & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    last: u64,
    /// Packets each way, saturating, to tell a UDP exchange from a stream.
    out: u16,
    inn: u16,
    flags: u8,
    proto: u8,
}

impl Entry {
    fn timeout(&self) -> Nanos {
        match self.proto {
            PROTO_TCP if self.flags & ESTABLISHED != 0 && self.flags & CLOSING == 0 => {
                timeout::TCP_ESTABLISHED
            }
            PROTO_TCP => timeout::TCP_OTHER,
            PROTO_UDP if self.flags & STREAM != 0 => timeout::UDP_STREAM,
            PROTO_UDP => timeout::UDP,
            PROTO_ICMP => timeout::ICMP,
            _ => timeout::OTHER,
        }
    }

    fn touch(&mut self, p: &FlowView, outbound: bool, now: Nanos) {
        self.last = now.0;
        // Without a branch on the direction: an ENI's lookups alternate
        // between its two directions, packet by packet.
        self.flags |= if outbound { SEEN_OUT } else { SEEN_IN };
        self.out = self.out.saturating_add(u16::from(outbound));
        self.inn = self.inn.saturating_add(u16::from(!outbound));
        if self.flags & (SEEN_OUT | SEEN_IN) == SEEN_OUT | SEEN_IN {
            if self.proto == PROTO_TCP && p.tcp_flags & tcp_flags::ACK != 0 {
                self.flags |= ESTABLISHED;
            }
            if self.proto == PROTO_UDP && self.out >= 2 && self.inn >= 2 {
                self.flags |= STREAM;
            }
        }
        if self.proto == PROTO_TCP && p.tcp_flags & (tcp_flags::FIN | tcp_flags::RST) != 0 {
            self.flags |= CLOSING;
        }
    }
}

#[derive(Default, Debug)]
pub struct Conntrack {
    map: FastMap<Key, Entry>,
}

impl Conntrack {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Whether the ENI tracks the packet's flow at `now`; a hit refreshes the
    /// entry, an expired entry is removed (SG-6).
    #[inline]
    pub fn hit(&mut self, eni: EniId, p: &FlowView, outbound: bool, now: Nanos) -> bool {
        self.lookup(eni, p, outbound, now) == Lookup::Tracked
    }

    /// What the ENI knows of the packet's flow at `now`. A live entry or
    /// marker is refreshed; an expired one is removed (SG-6).
    #[inline(always)]
    pub fn lookup(&mut self, eni: EniId, p: &FlowView, outbound: bool, now: Nanos) -> Lookup {
        let key = Key::new(eni, p, outbound);
        match self.map.get_mut(&key) {
            Some(e) if now.0.saturating_sub(e.last) <= e.timeout().0 => {
                e.touch(p, outbound, now);
                if e.flags & UNTRACKED != 0 {
                    Lookup::Untracked
                } else {
                    Lookup::Tracked
                }
            }
            Some(_) => {
                self.map.remove(&key);
                Lookup::Miss
            }
            None => Lookup::Miss,
        }
    }

    /// Starts tracking the packet's flow (SG-3). The caller has checked
    /// [`starts_flow`].
    #[inline]
    pub fn track(&mut self, eni: EniId, p: &FlowView, outbound: bool, now: Nanos) {
        self.insert(eni, p, outbound, now, 0);
    }

    /// Remembers that the packet's UDP flow is untracked, so that no later
    /// packet starts tracking it (SG-4b).
    #[inline]
    pub fn mark_untracked(&mut self, eni: EniId, p: &FlowView, outbound: bool, now: Nanos) {
        self.insert(eni, p, outbound, now, UNTRACKED);
    }

    #[inline]
    fn insert(&mut self, eni: EniId, p: &FlowView, outbound: bool, now: Nanos, flags: u8) {
        let mut e = Entry {
            last: now.0,
            out: 0,
            inn: 0,
            flags,
            proto: p.proto,
        };
        e.touch(p, outbound, now);
        self.map.insert(Key::new(eni, p, outbound), e);
    }

    /// Drops every entry idle past its timeout; the engine calls this now and
    /// then so that memory follows the live flows.
    pub fn sweep(&mut self, now: Nanos) {
        self.map
            .retain(|_, e| now.0.saturating_sub(e.last) <= e.timeout().0);
    }

    /// Bytes per entry in the table (key and value, without the map's slack).
    pub const ENTRY_BYTES: usize = std::mem::size_of::<(Key, Entry)>();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkt(src: [u8; 4], sp: u16, dst: [u8; 4], dp: u16, proto: u8, flags: u8) -> FlowView {
        crate::packet::test_flow(src, sp, dst, dp, proto, flags)
    }

    #[test]
    fn sg_3_reply_of_a_tracked_flow_is_a_hit() {
        let mut ct = Conntrack::new();
        let eni = EniId(3);
        let out = pkt(
            [10, 0, 1, 5],
            40000,
            [93, 184, 216, 34],
            443,
            PROTO_TCP,
            tcp_flags::SYN,
        );
        ct.track(eni, &out, true, Nanos(0));
        let reply = pkt(
            [93, 184, 216, 34],
            443,
            [10, 0, 1, 5],
            40000,
            PROTO_TCP,
            tcp_flags::SYN | tcp_flags::ACK,
        );
        assert!(ct.hit(eni, &reply, false, Nanos(1000)));
        // Another ENI does not track it.
        assert!(!ct.hit(EniId(4), &reply, false, Nanos(1000)));
        // Nor another remote port.
        let other = pkt(
            [93, 184, 216, 34],
            444,
            [10, 0, 1, 5],
            40000,
            PROTO_TCP,
            tcp_flags::ACK,
        );
        assert!(!ct.hit(eni, &other, false, Nanos(1000)));
    }

    #[test]
    fn sg_6_udp_single_exchange_expires_after_30s_stream_after_180s() {
        let mut ct = Conntrack::new();
        let eni = EniId(0);
        let out = pkt([10, 0, 1, 5], 5000, [8, 8, 8, 8], 53, PROTO_UDP, 0);
        let back = pkt([8, 8, 8, 8], 53, [10, 0, 1, 5], 5000, PROTO_UDP, 0);
        ct.track(eni, &out, true, Nanos(0));
        assert!(ct.hit(eni, &back, false, Nanos::from_secs(29)));
        assert!(!ct.hit(eni, &back, false, Nanos::from_secs(29 + 31)));

        ct.track(eni, &out, true, Nanos(0));
        for t in 1..4 {
            assert!(ct.hit(eni, &back, false, Nanos::from_secs(t)));
            assert!(ct.hit(eni, &out, true, Nanos::from_secs(t)));
        }
        // A stream now: 100 s idle is still within 180 s.
        assert!(ct.hit(eni, &back, false, Nanos::from_secs(103)));
        assert!(!ct.hit(eni, &back, false, Nanos::from_secs(103 + 181)));
    }

    #[test]
    fn sg_6_tcp_established_lasts_five_days_unanswered_syn_60s() {
        let mut ct = Conntrack::new();
        let eni = EniId(0);
        let syn = pkt(
            [10, 0, 1, 5],
            40000,
            [1, 1, 1, 1],
            443,
            PROTO_TCP,
            tcp_flags::SYN,
        );
        ct.track(eni, &syn, true, Nanos(0));
        assert!(!ct.hit(eni, &syn, true, Nanos::from_secs(61)));

        ct.track(eni, &syn, true, Nanos(0));
        let synack = pkt(
            [1, 1, 1, 1],
            443,
            [10, 0, 1, 5],
            40000,
            PROTO_TCP,
            tcp_flags::SYN | tcp_flags::ACK,
        );
        assert!(ct.hit(eni, &synack, false, Nanos(1)));
        assert!(ct.hit(eni, &synack, false, Nanos::from_secs(431_000)));
    }

    #[test]
    fn sg_4b_only_a_syn_starts_a_tcp_flow() {
        let syn = pkt(
            [10, 0, 1, 5],
            1,
            [1, 1, 1, 1],
            80,
            PROTO_TCP,
            tcp_flags::SYN,
        );
        let synack = pkt(
            [1, 1, 1, 1],
            80,
            [10, 0, 1, 5],
            1,
            PROTO_TCP,
            tcp_flags::SYN | tcp_flags::ACK,
        );
        let ack = pkt(
            [10, 0, 1, 5],
            1,
            [1, 1, 1, 1],
            80,
            PROTO_TCP,
            tcp_flags::ACK,
        );
        assert!(starts_flow(&syn));
        assert!(!starts_flow(&synack));
        assert!(!starts_flow(&ack));
        let udp = pkt([10, 0, 1, 5], 1, [1, 1, 1, 1], 53, PROTO_UDP, 0);
        assert!(starts_flow(&udp));
    }

    #[test]
    fn sg_4b_an_untracked_udp_flow_stays_untracked_until_idle() {
        let mut ct = Conntrack::new();
        let eni = EniId(1);
        let out = pkt([10, 0, 1, 5], 5000, [8, 8, 8, 8], 53, PROTO_UDP, 0);
        let back = pkt([8, 8, 8, 8], 53, [10, 0, 1, 5], 5000, PROTO_UDP, 0);
        ct.mark_untracked(eni, &out, true, Nanos(0));
        // Either direction finds the marker, which admits nothing.
        assert_eq!(ct.lookup(eni, &back, false, Nanos(1)), Lookup::Untracked);
        assert!(!ct.hit(eni, &out, true, Nanos(2)));
        // Each packet keeps it alive; 30 s idle forgets it (SG-6).
        assert_eq!(
            ct.lookup(eni, &out, true, Nanos::from_secs(20)),
            Lookup::Untracked
        );
        assert_eq!(
            ct.lookup(eni, &out, true, Nanos::from_secs(20 + 31)),
            Lookup::Miss
        );
        assert!(ct.is_empty());
    }

    #[test]
    fn sweep_removes_only_idle_entries() {
        let mut ct = Conntrack::new();
        let a = pkt([10, 0, 1, 5], 1, [1, 1, 1, 1], 53, PROTO_UDP, 0);
        let b = pkt([10, 0, 1, 5], 2, [1, 1, 1, 1], 53, PROTO_UDP, 0);
        ct.track(EniId(0), &a, true, Nanos(0));
        ct.track(EniId(0), &b, true, Nanos::from_secs(20));
        ct.sweep(Nanos::from_secs(40));
        assert_eq!(ct.len(), 1);
    }
}
