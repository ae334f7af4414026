use super::*;
use crate::packet::PROTO_UDP;
use std::net::Ipv4Addr;

fn pkt(src: [u8; 4], sp: u16, dst: [u8; 4], dp: u16, proto: u8, flags: u8) -> FlowView {
    crate::packet::test_flow(src, sp, dst, dp, proto, flags)
}

const SYN: u8 = tcp_flags::SYN;
const ACK: u8 = tcp_flags::ACK;

#[test]
fn nat_5a_ports_are_spread_over_the_range_and_follow_the_seed() {
    let draw = |seed: u64| -> Vec<u16> {
        let mut t = NatTable::with_seed(seed);
        (0..2000u16)
            .map(|i| {
                let p = pkt([10, 0, 1, 5], 30000 + i, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
                t.outbound(&p, Nanos(0)).unwrap()
            })
            .collect()
    };
    let a = draw(7);
    assert_eq!(a, draw(7), "the same seed draws the same ports");
    assert_ne!(a, draw(8), "another seed draws others");
    let mut unique = a.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        a.len(),
        "no port twice towards one destination"
    );
    // Spread: about half of them at or above 32768, where a NACL that
    // admits replies only on 32768-65535 lets them through.
    let high = a.iter().filter(|&&p| p >= 32768).count();
    assert!(
        (900..1100).contains(&high),
        "{high} of 2000 at or above 32768"
    );
}

#[test]
fn nat_5_ports_from_1024_and_replies_map_back() {
    let mut t = NatTable::new();
    let out = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&out, Nanos(0)).unwrap();
    assert!(port >= PORT_LO);
    let reply = pkt([1, 1, 1, 1], 443, [10, 0, 0, 9], port, PROTO_TCP, SYN | ACK);
    assert_eq!(
        t.inbound(&reply, Nanos(1)),
        Ok((u32::from(Ipv4Addr::new(10, 0, 1, 5)), 40000))
    );
    // The same flow keeps its port.
    let again = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, ACK);
    assert_eq!(t.outbound(&again, Nanos(2)), Ok(port));
}

#[test]
fn nat_3_unsolicited_inbound_is_dropped() {
    let mut t = NatTable::new();
    let p = pkt([1, 1, 1, 1], 443, [10, 0, 0, 9], 5000, PROTO_TCP, SYN);
    assert_eq!(t.inbound(&p, Nanos(0)), Err(NatError::Unsolicited));
}

#[test]
fn nat_5_port_limit_per_destination() {
    let mut t = NatTable::new();
    let mut n = 0u32;
    'outer: for a in 1..=255u8 {
        for port in 1024..=65535u16 {
            let p = pkt([10, 0, 1, a], port, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
            match t.outbound(&p, Nanos(0)) {
                Ok(_) => n += 1,
                Err(e) => {
                    assert_eq!(e, NatError::PortsExhausted);
                    break 'outer;
                }
            }
        }
    }
    assert_eq!(n, PER_DESTINATION);
    // Another destination still has its own 55,000.
    let other = pkt([10, 0, 1, 1], 1024, [1, 1, 1, 1], 80, PROTO_TCP, SYN);
    assert!(t.outbound(&other, Nanos(0)).is_ok());
}

#[test]
fn nat_6_idle_timeout_expires_mapping() {
    let mut t = NatTable::new();
    let syn = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&syn, Nanos(0)).unwrap();
    let later = Nanos::from_secs(351);
    let data = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, ACK);
    assert_eq!(t.outbound(&data, later), Err(NatError::Expired));
    // The port is free again.
    assert_eq!(t.len(), 0);
    let reply = pkt([1, 1, 1, 1], 443, [10, 0, 0, 9], port, PROTO_TCP, ACK);
    assert_eq!(t.inbound(&reply, later), Err(NatError::Unsolicited));
}

#[test]
fn nat_6_reply_after_idle_timeout_is_expired() {
    let mut t = NatTable::new();
    let syn = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&syn, Nanos(0)).unwrap();
    let reply = pkt([1, 1, 1, 1], 443, [10, 0, 0, 9], port, PROTO_TCP, ACK);
    assert_eq!(
        t.inbound(&reply, Nanos::from_secs(400)),
        Err(NatError::Expired)
    );
}

#[test]
fn nat_4a_errors_find_their_mapping_without_refreshing_it() {
    let mut t = NatTable::new();
    let syn = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&syn, Nanos(0)).unwrap();
    let remote = u32::from(Ipv4Addr::new(1, 1, 1, 1));
    let inside = u32::from(Ipv4Addr::new(10, 0, 1, 5));
    let at = Nanos::from_secs(300);
    assert_eq!(
        t.error_inbound(PROTO_TCP, port, remote, 443, at),
        Some((inside, 40000))
    );
    assert_eq!(
        t.error_outbound(PROTO_TCP, inside, 40000, remote, 443, at),
        Some(port)
    );
    // Another remote port, protocol or inside port: no connection.
    assert_eq!(t.error_inbound(PROTO_TCP, port, remote, 80, at), None);
    assert_eq!(t.error_inbound(PROTO_UDP, port, remote, 443, at), None);
    assert_eq!(
        t.error_outbound(PROTO_TCP, inside, 40001, remote, 443, at),
        None
    );
    // The errors at 300 s did not refresh it: idle since 0, it has
    // expired at 351 s.
    let late = Nanos::from_secs(351);
    assert_eq!(t.error_inbound(PROTO_TCP, port, remote, 443, late), None);
    assert_eq!(
        t.error_outbound(PROTO_TCP, inside, 40000, remote, 443, late),
        None
    );
}

/// The peaks over a window start from the table as it stands when the
/// window opens, then follow each new mapping while it lasts; a window
/// in which nothing changes holds the table as it was.
#[test]
fn nat_5_peaks_over_a_window_start_from_the_table_then() {
    let mut t = NatTable::new();
    t.watch_window(0, Nanos::from_secs(1), Nanos::from_secs(2));
    t.watch_window(1, Nanos::from_secs(5), Nanos::from_secs(6));
    t.watch_window(2, Nanos(0), Nanos::from_millis(1));
    let syn = |sp: u16| pkt([10, 0, 1, 5], sp, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    for (k, sp) in [40000, 40001, 40002].into_iter().enumerate() {
        t.outbound(&syn(sp), Nanos::from_millis(10 * k as u64))
            .unwrap();
    }
    // Two more at 1.5 s, in the first window; one at 3 s, in none.
    t.outbound(&syn(40003), Nanos::from_millis(1500)).unwrap();
    t.outbound(&syn(40004), Nanos::from_millis(1500)).unwrap();
    t.outbound(&syn(40005), Nanos::from_secs(3)).unwrap();
    // Nothing changes after 3 s: the run ends at 10 s.
    t.open_windows(Nanos::from_secs(10));
    let peaks: Vec<(u32, bool, usize, u32)> = t
        .windows
        .iter()
        .map(|w| (w.expect, w.opened, w.peak, w.peak_ports))
        .collect();
    assert_eq!(
        peaks,
        vec![(0, true, 5, 5), (1, true, 6, 6), (2, true, 1, 1)]
    );
    assert_eq!((t.peak, t.peak_ports), (6, 6));
}

#[test]
fn nat_4_udp_after_idle_gets_a_new_mapping_and_icmp_uses_identifier() {
    let mut t = NatTable::new();
    let u = pkt([10, 0, 1, 5], 5000, [8, 8, 8, 8], 53, PROTO_UDP, 0);
    t.outbound(&u, Nanos(0)).unwrap();
    assert!(t.outbound(&u, Nanos::from_secs(400)).is_ok());
    let echo = pkt([10, 0, 1, 5], 77, [8, 8, 8, 8], 77, PROTO_ICMP, 0);
    let id = t.outbound(&echo, Nanos(0)).unwrap();
    let reply = pkt([8, 8, 8, 8], id, [10, 0, 0, 9], id, PROTO_ICMP, 0);
    assert_eq!(t.inbound(&reply, Nanos(1)).map(|x| x.1), Ok(77));
}

#[test]
fn nat_6_activity_either_way_keeps_the_mapping() {
    let mut t = NatTable::new();
    let syn = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&syn, Nanos(0)).unwrap();
    let reply = pkt([1, 1, 1, 1], 443, [10, 0, 0, 9], port, PROTO_TCP, ACK);
    let data = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, ACK);
    // Replies only, every 300 s: the outbound side is idle far past
    // 350 s, the mapping is not.
    for k in 1..=4 {
        assert!(t.inbound(&reply, Nanos::from_secs(300 * k)).is_ok());
    }
    t.sweep(Nanos::from_secs(1_300));
    assert_eq!(t.len(), 1);
    assert_eq!(t.outbound(&data, Nanos::from_secs(1_400)), Ok(port));
    // Outbound only, likewise for the reply side.
    for k in 1..=4 {
        assert_eq!(
            t.outbound(&data, Nanos::from_secs(1_400 + 300 * k)),
            Ok(port)
        );
    }
    assert!(t.inbound(&reply, Nanos::from_secs(2_700)).is_ok());
    // Idle both ways: expired from either side, and swept.
    assert_eq!(
        t.inbound(&reply, Nanos::from_secs(3_100)),
        Err(NatError::Expired)
    );
    assert_eq!(t.len(), 0);
    assert!(t.outbound(&syn, Nanos::from_secs(4_000)).is_ok());
    t.sweep(Nanos::from_secs(4_351));
    assert_eq!(t.len(), 0);
}

#[test]
fn closed_either_way_lingers_from_the_last_packet() {
    let mut t = NatTable::new();
    let syn = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&syn, Nanos(0)).unwrap();
    let rst_in = pkt(
        [1, 1, 1, 1],
        443,
        [10, 0, 0, 9],
        port,
        PROTO_TCP,
        tcp_flags::RST,
    );
    t.inbound(&rst_in, Nanos::from_secs(10)).unwrap();
    // The outbound side knows of the RST: 2 s after it, the mapping is
    // gone even though that side saw nothing since its SYN.
    let data = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, ACK);
    assert_eq!(t.outbound(&data, Nanos::from_secs(11)), Ok(port));
    assert_eq!(
        t.outbound(&data, Nanos::from_secs(14)),
        Err(NatError::Expired)
    );
    assert_eq!(t.len(), 0);
}

#[test]
fn closed_tcp_releases_port_after_linger() {
    let mut t = NatTable::new();
    let syn = pkt([10, 0, 1, 5], 40000, [1, 1, 1, 1], 443, PROTO_TCP, SYN);
    let port = t.outbound(&syn, Nanos(0)).unwrap();
    let fin_out = pkt(
        [10, 0, 1, 5],
        40000,
        [1, 1, 1, 1],
        443,
        PROTO_TCP,
        tcp_flags::FIN | ACK,
    );
    t.outbound(&fin_out, Nanos(1)).unwrap();
    let fin_in = pkt(
        [1, 1, 1, 1],
        443,
        [10, 0, 0, 9],
        port,
        PROTO_TCP,
        tcp_flags::FIN | ACK,
    );
    t.inbound(&fin_in, Nanos(2)).unwrap();
    t.sweep(Nanos::from_secs(11));
    assert_eq!(t.len(), 0);
}
