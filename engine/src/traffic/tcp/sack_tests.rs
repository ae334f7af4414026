//! SACK on the wire (RFC 2018) and the recovery it drives (RFC 6675).

use super::*;

/// The client's data segments (to port 443) from a client at port 40000.
fn is_client_data(b: &[u8]) -> bool {
    segment(b).is_some_and(|g| !g.payload.is_empty()) && b[20..22] == 40000u16.to_be_bytes()
}

#[test]
fn rfc2018_syn_and_syn_ack_carry_sack_permitted() {
    use smoltcp::wire::{IpAddress, TcpPacket, TcpRepr};
    let (c, s, syn, synack) = handshake(1500, 1500);
    assert!(c.sack_ok && s.sack_ok);
    // smoltcp's own parser (as Wireshark would) reads every option.
    let ip = |a: u8| IpAddress::v4(10, 0, 0, a);
    for (b, src, dst) in [(&syn, 1, 2), (&synack, 2, 1)] {
        let tcp = TcpPacket::new_checked(&b[20..]).unwrap();
        let repr = TcpRepr::parse(&tcp, &ip(src), &ip(dst), &Default::default()).unwrap();
        assert!(repr.sack_permitted);
        assert_eq!(repr.max_seg_size, Some(1460));
        assert_eq!(repr.window_scale, Some(WSCALE));
    }
    // A SYN without it: the SYN-ACK does not offer it either, and neither
    // end sends SACK blocks.
    let now = Nanos::ZERO;
    let mut out = Out::new();
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 1500, now, &mut out);
    out.clear();
    c.sack_ok = false;
    c.send_syn(tcp_flags::SYN, 0, &mut out);
    let syn = out.pop().unwrap();
    assert!(!segment(&syn).unwrap().sack_permitted);
    let mut s = Tcp::accept(
        addr(2, 443),
        addr(1, 40000),
        900,
        1500,
        &segment(&syn).unwrap(),
        now,
        &mut out,
    );
    let synack = out.pop().unwrap();
    assert!(!segment(&synack).unwrap().sack_permitted);
    assert!(!s.sack_ok);
    c.on_segment(&segment(&synack).unwrap(), now, &mut out);
    s.on_segment(&segment(&out.pop().unwrap()).unwrap(), now, &mut out);
    c.write(3 * 1460, now, &mut out);
    let data = std::mem::take(&mut out);
    s.on_segment(&segment(&data[2]).unwrap(), now, &mut out);
    let dup = segment(&out[0]).unwrap();
    assert_eq!(dup.sack_len, 0, "out of order, but no SACK agreed");
}

#[test]
fn rfc2018_acks_report_the_held_ranges_most_recent_first() {
    use smoltcp::wire::{IpAddress, TcpPacket, TcpRepr};
    let (mut c, mut s, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    let now = Nanos::ZERO;
    c.write(8 * 1460, now, &mut out);
    let data = std::mem::take(&mut out);
    let edge = |i: u32| 101 + i * 1460;
    // 0 arrives; 1, 3 and 5 are lost; 6, 2 and 4 arrive in that order.
    s.on_segment(&segment(&data[0]).unwrap(), now, &mut out);
    out.clear();
    let mut acks = Vec::new();
    for i in [6, 2, 4] {
        s.on_segment(&segment(&data[i]).unwrap(), now, &mut out);
        acks.push(out.pop().unwrap());
    }
    let last = segment(&acks[2]).unwrap();
    assert_eq!(last.ack, edge(1), "a duplicate ACK");
    // The block of segment 4 first, then the others in order.
    assert_eq!(
        &last.sack[..usize::from(last.sack_len)],
        &[(edge(4), edge(5)), (edge(2), edge(3)), (edge(6), edge(7))]
    );
    let first = segment(&acks[0]).unwrap();
    assert_eq!(
        &first.sack[..usize::from(first.sack_len)],
        &[(edge(6), edge(7))]
    );
    // A valid option: two NOPs, kind 5, length 26, read by smoltcp.
    let tcp = TcpPacket::new_checked(&acks[2][20..]).unwrap();
    assert_eq!(&tcp.options()[..4], &[1, 1, 5, 26]);
    let ip = |a: u8| IpAddress::v4(10, 0, 0, a);
    let repr = TcpRepr::parse(&tcp, &ip(2), &ip(1), &Default::default()).unwrap();
    assert_eq!(
        repr.sack_ranges,
        [
            Some((edge(4), edge(5))),
            Some((edge(2), edge(3))),
            Some((edge(6), edge(7)))
        ]
    );
    assert!(crate::packet::transport_checksum_ok(&acks[2]));
    // The sender's scoreboard takes them.
    for a in &acks {
        c.on_segment(&segment(a).unwrap(), now, &mut out);
    }
    assert_eq!(
        c.sacked.ranges(),
        &[
            (2 * 1460, 3 * 1460),
            (4 * 1460, 5 * 1460),
            (6 * 1460, 7 * 1460)
        ]
    );
    // Four ranges (the most a receiver holds) fit the option: 36 bytes.
    s.on_segment(&segment(&data[7]).unwrap(), now, &mut out);
    out.clear();
    let (mut c2, mut s2, _, _) = handshake(1500, 1500);
    c2.write(9 * 1460, now, &mut out);
    let data = std::mem::take(&mut out);
    for i in [2, 4, 6, 8] {
        s2.on_segment(&segment(&data[i]).unwrap(), now, &mut out);
    }
    let ack = out.pop().unwrap();
    assert_eq!(segment(&ack).unwrap().sack_len, 4);
    assert_eq!(ack.len(), 40 + 36);
}

#[test]
fn sack_scoreboard_merges_prunes_and_finds_lost_holes_rfc6675() {
    let mut b = Scoreboard::default();
    b.insert(30, 40);
    b.insert(10, 20);
    b.insert(50, 60);
    b.insert(20, 25);
    assert_eq!(b.ranges(), &[(10, 25), (30, 40), (50, 60)]);
    b.insert(70, 80);
    b.insert(90, 95);
    // Full: the highest range goes.
    assert_eq!(b.ranges(), &[(10, 25), (30, 40), (50, 60), (70, 80)]);
    assert_eq!(b.above(35), 5 + 10 + 10);
    assert_eq!(b.hole(0, 0, 100), Some((0, 10)));
    assert_eq!(b.hole(4, 0, 100), Some((80, 100)));
    assert_eq!(b.hole(5, 0, 100), None);
    b.prune(35);
    assert_eq!(b.ranges(), &[(35, 40), (50, 60), (70, 80)]);
    // A sender with segments of 10 bytes: 0..100 sent, 20..30, 40..50
    // and 60..70 SACKed. Only the hole below more than two segments of
    // SACKed data (0..20) is lost; 30..40, 50..60 and 70..100 are in
    // flight.
    let (mut c, _, _, _) = handshake(1500, 1500);
    c.mss = 10;
    c.una = 0;
    c.nxt = 100;
    c.high_sent = 100;
    c.total = 200;
    for (a, z) in [(20, 30), (40, 50), (60, 70)] {
        c.sacked.insert(a, z);
    }
    assert!(c.head_lost());
    assert_eq!(c.pipe(), 10 + 10 + 30);
    c.high_rxt = 15;
    assert_eq!(
        c.pipe(),
        10 + 10 + 30 + 15,
        "what was sent again is in flight too"
    );
    // Once more than two segments above 30..40 are SACKed, it is lost too.
    c.sacked.insert(80, 90);
    assert_eq!(c.pipe(), 10 + 10 + 10 + 15);
}

/// The client uploads `total` bytes at a 20 ms round trip and loses the
/// data segments numbered in `lost` (first transmissions). Returns the
/// client, the time from the first loss to the ACK past the last lost
/// byte, and how long the whole transfer took.
fn recovery(total: u64, sack: bool, lost: &[usize]) -> (Tcp, Tcp, Nanos, Nanos) {
    let path = Path {
        delay: Nanos::from_millis(10),
        rate: 0,
    };
    let count = std::cell::Cell::new(0);
    let (c, s, _, log) = run_flow_sack(total, path, 1500, false, sack, |_, b| {
        if !is_client_data(b) {
            return false;
        }
        count.set(count.get() + 1);
        lost.contains(&count.get())
    });
    // The lost segments, by position in the log.
    let mut n = 0;
    let mut dropped = Vec::new();
    for (t, up, b) in &log {
        if *up && is_client_data(b) {
            n += 1;
            if lost.contains(&n) {
                let g = segment(b).unwrap();
                dropped.push((*t, g.seq.wrapping_add(g.payload.len() as u32)));
            }
        }
    }
    let first = dropped[0].0;
    let end = dropped.iter().map(|d| d.1).max().unwrap();
    let repaired = log
        .iter()
        .find(|(t, up, b)| {
            !up && *t > first && segment(b).is_some_and(|g| g.ack.wrapping_sub(end) as i32 >= 0)
        })
        .map(|(t, _, _)| *t)
        .unwrap();
    let done = all_received_at(&log, total);
    (c, s, Nanos(repaired.0 - first.0), done)
}

#[test]
fn sack_recovers_several_holes_in_one_rtt_rfc6675() {
    // Four segments lost in one window of a 4 MiB upload at 20 ms, in
    // the middle of a slow start round (segments 151 to 310).
    let lost = [200, 203, 206, 209];
    let total = 4 << 20;
    let (c, s, sack, sack_done) = recovery(total, true, &lost);
    let (n, ns, newreno, newreno_done) = recovery(total, false, &lost);
    println!(
        "four holes at 20 ms: SACK repairs them in {sack:?} (done in {sack_done:?}), \
         NewReno in {newreno:?} (done in {newreno_done:?})"
    );
    for t in [&s, &ns] {
        assert_eq!(t.rcv, total);
        assert_eq!(t.corrupt, 0);
    }
    // SACK: each lost segment sent again once, all within a round trip of
    // the recovery's start (the loss is seen a round trip after it).
    assert_eq!(c.retransmits, 4, "exactly the lost segments");
    assert!(sack < Nanos::from_millis(45), "{sack:?}");
    // NewReno: a round trip per hole.
    assert_eq!(n.retransmits, 4);
    assert!(newreno >= Nanos::from_millis(80), "{newreno:?}");
    assert!(sack_done <= newreno_done);
}
