//! Connection tracking and NAT: generators of distinct flows, filled tables,
//! and the loops the `flows` criterion target times.

use std::net::{Ipv4Addr, SocketAddrV4};

use vpcsim::dataplane::conntrack::Conntrack;
use vpcsim::dataplane::nat_gateway::{IDLE_TIMEOUT, NatError, NatTable};
use vpcsim::model::EniId;
use vpcsim::packet::{self, FlowView, tcp_flags};
use vpcsim::units::Nanos;

/// ENIs sharing one partition's table.
pub const ENIS: u32 = 1024;

/// A bijection of `0..2^29` that scatters consecutive numbers.
fn scatter(x: u32) -> u32 {
    const MASK: u32 = (1 << 29) - 1;
    let x = x.wrapping_mul(0x9e37_79b1) & MASK;
    x ^ (x >> 15)
}

/// Flow `i` as its ENI sends it: distinct (ENI, remote address, ports) for
/// every `i`, a public remote address, an ephemeral local port.
pub fn outbound_flow(i: u32) -> (EniId, FlowView) {
    let eni = EniId(i % ENIS);
    let remote = 0x2000_0000 | scatter(i / ENIS);
    let local = 0x0a00_0000 | (eni.0 << 4) | 5;
    let sport = 32768 + (scatter(i) % 28232) as u16;
    let v = FlowView {
        src: Ipv4Addr::from(local),
        dst: Ipv4Addr::from(remote),
        proto: packet::PROTO_TCP,
        ttl: 64,
        src_port: sport,
        dst_port: 443,
        icmp_type: 0,
        icmp_code: 0,
        tcp_flags: tcp_flags::SYN,
        fragment: packet::Fragment::None,
        total_len: 60,
        payload_len: 0,
        header_len: 20,
    };
    (eni, v)
}

/// The reply of [`outbound_flow`]`(i)` (SYN-ACK).
pub fn inbound_flow(i: u32) -> (EniId, FlowView) {
    let (eni, v) = outbound_flow(i);
    let r = FlowView {
        src: v.dst,
        dst: v.src,
        src_port: v.dst_port,
        dst_port: v.src_port,
        tcp_flags: tcp_flags::SYN | tcp_flags::ACK,
        ..v
    };
    (eni, r)
}

/// A table tracking flows `0..n` as established TCP connections at time 0.
pub fn conntrack_filled(n: u32) -> Conntrack {
    let mut ct = Conntrack::new();
    for i in 0..n {
        let (eni, out) = outbound_flow(i);
        ct.track(eni, &out, true, Nanos::ZERO);
        let (_, back) = inbound_flow(i);
        ct.hit(eni, &back, false, Nanos::ZERO);
    }
    ct
}

/// `k` replies of random flows among `0..n`.
pub fn sample_replies(n: u32, k: usize, seed: u64) -> Vec<(EniId, FlowView)> {
    let mut rng = crate::SplitMix64::new(seed);
    (0..k).map(|_| inbound_flow(rng.below(n))).collect()
}

/// Looks every packet up (a hit refreshes its entry); counts the hits.
pub fn ct_hits(ct: &mut Conntrack, pkts: &[(EniId, FlowView)], now: Nanos) -> u64 {
    pkts.iter()
        .map(|(e, v)| u64::from(ct.hit(*e, v, false, now)))
        .sum()
}

/// Starts tracking every packet's flow.
pub fn ct_tracks(ct: &mut Conntrack, pkts: &[(EniId, FlowView)], now: Nanos) {
    for (e, v) in pkts {
        ct.track(*e, v, true, now);
    }
}

/// Flows `first..first + k` as their ENI sends them.
pub fn fresh_flows(first: u32, k: u32) -> Vec<(EniId, FlowView)> {
    (first..first + k).map(outbound_flow).collect()
}

/// Removes the flows of `pkts`, tracked as SYNs at `tracked_at`, from the
/// table: a lookup once their 60 s have passed finds them expired.
pub fn ct_expire(ct: &mut Conntrack, pkts: &[(EniId, FlowView)], tracked_at: Nanos) {
    let later = tracked_at.saturating_add(Nanos::from_secs(61));
    for (e, v) in pkts {
        ct.hit(*e, v, true, later);
    }
}

// -- NAT ---------------------------------------------------------------------

/// The NAT gateway's private address.
pub const NAT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 9);
/// Destinations the inside hosts talk to (each has its own 55,000 ports).
pub const NAT_DESTINATIONS: u32 = 64;

/// Flow `i` through the NAT gateway as the inside host sends it (TCP to
/// port 443 of one of [`NAT_DESTINATIONS`] addresses).
pub fn nat_flow(i: u32, flags: u8) -> FlowView {
    let inside = 0x0a00_0100 + (i % 4000);
    let inside_port = 1024 + ((i / 4000) % 64000) as u16;
    let remote = 0x5db8_d800 + scatter(i) % NAT_DESTINATIONS;
    FlowView {
        src: Ipv4Addr::from(inside),
        dst: Ipv4Addr::from(remote),
        proto: packet::PROTO_TCP,
        ttl: 63,
        src_port: inside_port,
        dst_port: 443,
        icmp_type: 0,
        icmp_code: 0,
        tcp_flags: flags,
        fragment: packet::Fragment::None,
        total_len: 40,
        payload_len: 0,
        header_len: 20,
    }
}

/// The bytes of a packet of `v` (a 40-byte TCP segment without payload).
pub fn tcp_bytes(v: &FlowView) -> [u8; 40] {
    let spec = packet::build::TcpSpec {
        src: SocketAddrV4::new(v.src, v.src_port),
        dst: SocketAddrV4::new(v.dst, v.dst_port),
        seq: 1000,
        ack: 2000,
        flags: v.tcp_flags,
        window: 65535,
    };
    let b = packet::build::tcp(&spec, &[], v.ttl, 0);
    b[..].try_into().expect("a 40-byte segment")
}

/// A packet as the timed loops use it: its view and its bytes.
#[derive(Clone, Debug)]
pub struct Pkt {
    pub view: FlowView,
    pub bytes: [u8; 40],
}

impl Pkt {
    pub fn new(view: FlowView) -> Pkt {
        Pkt {
            bytes: tcp_bytes(&view),
            view,
        }
    }
}

/// A NAT gateway with `n` established mappings, and `k` packets of random
/// mappings each way: inside to outside, and the replies.
pub struct NatSetup {
    pub table: NatTable,
    pub out: Vec<Pkt>,
    pub back: Vec<Pkt>,
}

pub fn nat_setup(n: u32, k: usize, seed: u64) -> NatSetup {
    let mut table = NatTable::new();
    let mut ports = Vec::with_capacity(n as usize);
    for i in 0..n {
        let port = table
            .outbound(&nat_flow(i, tcp_flags::SYN), Nanos::ZERO)
            .expect("ports to spare");
        ports.push(port);
    }
    let mut rng = crate::SplitMix64::new(seed);
    let mut out = Vec::with_capacity(k);
    let mut back = Vec::with_capacity(k);
    for _ in 0..k {
        let i = rng.below(n);
        let v = nat_flow(i, tcp_flags::ACK);
        out.push(Pkt::new(v));
        let r = FlowView {
            src: v.dst,
            dst: NAT_IP,
            src_port: v.dst_port,
            dst_port: ports[i as usize],
            ..v
        };
        back.push(Pkt::new(r));
    }
    NatSetup { table, out, back }
}

/// Translates every packet outbound: the mapping's port, then the source
/// rewrite with both checksum updates, in a buffer refilled from the
/// packet's bytes each time. Folds the new checksums into the result.
pub fn nat_outbound(t: &mut NatTable, pkts: &[Pkt], buf: &mut [u8; 40], now: Nanos) -> u64 {
    let mut acc = 0u64;
    for p in pkts {
        buf.copy_from_slice(&p.bytes);
        let Ok(port) = t.outbound(&p.view, now) else {
            continue;
        };
        if packet::set_source(buf, NAT_IP, Some(port)).is_ok() {
            acc += u64::from(u16::from_be_bytes([buf[10], buf[11]]))
                + u64::from(u16::from_be_bytes([buf[36], buf[37]]));
        }
    }
    acc
}

/// Translates every reply back to its inside address and port.
pub fn nat_inbound(t: &mut NatTable, pkts: &[Pkt], buf: &mut [u8; 40], now: Nanos) -> u64 {
    let mut acc = 0u64;
    for p in pkts {
        buf.copy_from_slice(&p.bytes);
        let Ok((ip, port)) = t.inbound(&p.view, now) else {
            continue;
        };
        if packet::set_destination(buf, Ipv4Addr::from(ip), Some(port)).is_ok() {
            acc += u64::from(u16::from_be_bytes([buf[10], buf[11]]))
                + u64::from(u16::from_be_bytes([buf[36], buf[37]]));
        }
    }
    acc
}

/// SYNs of flows `first..first + k`, which no mapping covers yet when
/// `first` is past every flow used before.
pub fn nat_syns(first: u32, k: u32) -> Vec<FlowView> {
    (first..first + k)
        .map(|i| nat_flow(i, tcp_flags::SYN))
        .collect()
}

/// Opens a mapping for every SYN; counts those that got a port.
pub fn nat_new_sessions(t: &mut NatTable, syns: &[FlowView], now: Nanos) -> u64 {
    syns.iter()
        .map(|v| u64::from(t.outbound(v, now).is_ok()))
        .sum()
}

/// Releases the mappings of `syns`, opened at `opened`: a packet after the
/// idle timeout finds each expired.
pub fn nat_expire(t: &mut NatTable, syns: &[FlowView], opened: Nanos) {
    let later = opened.saturating_add(IDLE_TIMEOUT).saturating_add(Nanos(1));
    for v in syns {
        let ack = FlowView {
            tcp_flags: tcp_flags::ACK,
            ..*v
        };
        let r = t.outbound(&ack, later);
        debug_assert_eq!(r, Err(NatError::Expired));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_are_distinct() {
        let n = 50_000;
        let ct = conntrack_filled(n);
        assert_eq!(ct.len(), n as usize);
        let mut t = NatTable::new();
        let syns = nat_syns(0, n);
        assert_eq!(nat_new_sessions(&mut t, &syns, Nanos::ZERO), u64::from(n));
        assert_eq!(t.len(), n as usize);
    }

    #[test]
    fn conntrack_bodies() {
        let mut ct = conntrack_filled(10_000);
        let replies = sample_replies(10_000, 500, 1);
        assert_eq!(ct_hits(&mut ct, &replies, Nanos::from_secs(1)), 500);
        let fresh = fresh_flows(10_000, 300);
        let t = Nanos::from_secs(2);
        ct_tracks(&mut ct, &fresh, t);
        assert_eq!(ct.len(), 10_300);
        ct_expire(&mut ct, &fresh, t);
        assert_eq!(ct.len(), 10_000);
        // The established flows outlive the SYNs' 60 s.
        assert_eq!(ct_hits(&mut ct, &replies, Nanos::from_secs(100)), 500);
    }

    #[test]
    fn nat_bodies_translate_with_valid_checksums() {
        let mut s = nat_setup(5_000, 200, 3);
        let mut buf = [0u8; 40];
        let now = Nanos::from_secs(1);
        assert!(nat_outbound(&mut s.table, &s.out, &mut buf, now) > 0);
        for p in &s.out[..20] {
            buf.copy_from_slice(&p.bytes);
            let port = s.table.outbound(&p.view, now).unwrap();
            packet::set_source(&mut buf, NAT_IP, Some(port)).unwrap();
            let v = packet::parse(&buf).unwrap();
            assert_eq!((v.src, v.src_port), (NAT_IP, port));
            assert!(packet::transport_checksum_ok(&buf));
        }
        assert!(nat_inbound(&mut s.table, &s.back, &mut buf, now) > 0);
        for (o, b) in s.out.iter().zip(&s.back).take(20) {
            buf.copy_from_slice(&b.bytes);
            let (ip, port) = s.table.inbound(&b.view, now).unwrap();
            assert_eq!((Ipv4Addr::from(ip), port), (o.view.src, o.view.src_port));
            packet::set_destination(&mut buf, Ipv4Addr::from(ip), Some(port)).unwrap();
            assert!(packet::parse(&buf).is_ok());
            assert!(packet::transport_checksum_ok(&buf));
        }
        let syns = nat_syns(10_000, 1_000);
        let opened = Nanos::from_secs(2);
        assert_eq!(nat_new_sessions(&mut s.table, &syns, opened), 1_000);
        assert_eq!(s.table.len(), 6_000);
        nat_expire(&mut s.table, &syns, opened);
        assert_eq!(s.table.len(), 5_000);
    }
}
