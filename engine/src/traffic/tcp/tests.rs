//! Tests of the TCP endpoint: two ends joined by a simulated path, each
//! mechanism checked against what Linux does (docs/traffic.md).

use super::*;
use std::net::Ipv4Addr;

fn addr(a: u8, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, a), port)
}

/// A path between a client and a server: one-way delay, and the rate
/// of the client's link towards the server (bits per second; 0 for no
/// limit), queued first in, first out.
#[derive(Clone, Copy)]
struct Path {
    delay: Nanos,
    rate: u64,
}

/// Moves segments between two endpoints over a path that loses the
/// segments `lose` says to, with a fixed one-way delay of 5 ms.
fn run(total: u64, lose: impl Fn(usize, &[u8]) -> bool) -> (Tcp, Tcp, Nanos) {
    let path = Path {
        delay: Nanos::from_millis(5),
        rate: 0,
    };
    let (c, s, t, _) = run_path(total, path, lose);
    (c, s, t)
}

/// Every segment with its arrival time and direction (true: to the
/// server).
type Log = Vec<(Nanos, bool, Vec<u8>)>;

/// The client uploads `total` bytes and closes; the server closes when
/// the client's FIN arrives. Returns both ends, when the last segment
/// arrived, and every segment with its arrival time (lost ones too).
fn run_path(total: u64, path: Path, lose: impl Fn(usize, &[u8]) -> bool) -> (Tcp, Tcp, Nanos, Log) {
    run_flow(total, path, 1500, false, lose)
}

/// The request of a download.
const REQUEST: u64 = 200;

/// As [`run_path`], both interfaces of MTU `mtu`; with `download`, the
/// client sends a 200-byte request instead and the server answers with
/// `total` bytes and closes, and the client closes when that ends.
fn run_flow(
    total: u64,
    path: Path,
    mtu: u16,
    download: bool,
    lose: impl Fn(usize, &[u8]) -> bool,
) -> (Tcp, Tcp, Nanos, Log) {
    run_flow_sack(total, path, mtu, download, true, lose)
}

/// As [`run_flow`]; without `sack`, the client's SYN offers no SACK, so
/// that neither end uses it (NewReno recovery).
fn run_flow_sack(
    total: u64,
    path: Path,
    mtu: u16,
    download: bool,
    sack: bool,
    lose: impl Fn(usize, &[u8]) -> bool,
) -> (Tcp, Tcp, Nanos, Log) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut now = Nanos::ZERO;
    let mut out = Out::new();
    let mut client = Tcp::connect(addr(1, 40000), addr(2, 443), 1000, mtu, now, &mut out);
    if !sack {
        out.clear();
        client.sack_ok = false;
        client.send_syn(tcp_flags::SYN, 0, &mut out);
    }
    let mut asked = 0u64;
    let mut server: Option<Tcp> = None;
    // (arrival time, order sent, to_server, bytes)
    let mut wire = BinaryHeap::new();
    let mut order = 0u64;
    let mut link_free = Nanos::ZERO;
    let mut log = Vec::new();
    let mut put = |wire: &mut BinaryHeap<_>, now: Nanos, to_server: bool, b: Vec<u8>| {
        let mut at = now;
        if to_server && path.rate > 0 {
            let tx = b.len() as u64 * 8 * 1_000_000_000 / path.rate;
            at = Nanos(now.0.max(link_free.0) + tx);
            link_free = at;
        }
        order += 1;
        wire.push(Reverse((
            at.saturating_add(path.delay),
            order,
            to_server,
            b,
        )));
    };
    for b in out.drain(..) {
        put(&mut wire, now, true, b.to_vec());
    }
    let mut sent = 0usize;
    let mut wrote = false;
    for _ in 0..2_000_000 {
        let next_timer = [client.deadline, server.as_ref().and_then(|s| s.deadline)]
            .into_iter()
            .flatten()
            .min();
        let next_pkt = wire.peek().map(|w| w.0.0);
        let t = match (next_pkt, next_timer) {
            (Some(p), Some(tm)) => p.min(tm),
            (Some(p), None) => p,
            (None, Some(tm)) => tm,
            (None, None) => break,
        };
        now = t;
        if next_pkt == Some(t) {
            let Reverse((_, _, to_server, bytes)) = wire.pop().unwrap();
            sent += 1;
            log.push((now, to_server, bytes.clone()));
            if lose(sent, &bytes) {
                continue;
            }
            let seg = segment(&bytes).unwrap();
            if to_server {
                match server.as_mut() {
                    None => {
                        server = Some(Tcp::accept(
                            addr(2, 443),
                            addr(1, 40000),
                            9000,
                            mtu,
                            &seg,
                            now,
                            &mut out,
                        ));
                    }
                    Some(s) => {
                        let ev = s.on_segment(&seg, now, &mut out);
                        asked += ev.received;
                        if download && ev.received > 0 && asked == REQUEST {
                            s.write(total, now, &mut out);
                            s.close(now, &mut out);
                        }
                        if ev.peer_fin && !download {
                            s.close(now, &mut out);
                        }
                    }
                }
                for b in out.drain(..) {
                    put(&mut wire, now, false, b.to_vec());
                }
            } else {
                let ev = client.on_segment(&seg, now, &mut out);
                if ev.connected && !wrote {
                    wrote = true;
                    if download {
                        client.write(REQUEST, now, &mut out);
                    } else {
                        client.write(total, now, &mut out);
                        client.close(now, &mut out);
                    }
                }
                if download && ev.peer_fin {
                    client.close(now, &mut out);
                }
                for b in out.drain(..) {
                    put(&mut wire, now, true, b.to_vec());
                }
            }
        } else {
            if client.deadline.is_some_and(|d| d <= now) {
                client.on_timer(now, &mut out);
                for b in out.drain(..) {
                    put(&mut wire, now, true, b.to_vec());
                }
            }
            if let Some(s) = server.as_mut() {
                if s.deadline.is_some_and(|d| d <= now) {
                    s.on_timer(now, &mut out);
                    for b in out.drain(..) {
                        put(&mut wire, now, false, b.to_vec());
                    }
                }
            }
        }
    }
    (client, server.unwrap(), now, log)
}

/// When the client learned that the server had all `total` bytes:
/// the arrival of the first ACK of the last byte.
fn all_received_at(log: &[(Nanos, bool, Vec<u8>)], total: u64) -> Nanos {
    let end = 1000u32.wrapping_add(1).wrapping_add(total as u32);
    log.iter()
        .find(|(_, to_server, b)| {
            !to_server && segment(b).is_some_and(|s| s.ack.wrapping_sub(end) as i32 >= 0)
        })
        .map(|(t, _, _)| *t)
        .expect("the last byte is acknowledged")
}

#[test]
fn transfer_completes_and_every_byte_checks() {
    let (c, s, _) = run(200_000, |_, _| false);
    assert_eq!(s.rcv, 200_000);
    assert_eq!(s.corrupt, 0);
    assert_eq!(c.state, State::Closed);
    assert_eq!(c.retransmits, 0);
}

#[test]
fn a_segment_after_the_fin_carries_the_fin_plus_one() {
    // RFC 9293: SYN and FIN take one sequence number each, so a segment
    // that carries neither data nor SYN/FIN has SND.NXT, past them.
    let log = std::cell::RefCell::new(Vec::new());
    let (c, s, _) = run(20_000, |_, b| {
        log.borrow_mut().push(b.to_vec());
        false
    });
    assert_eq!((c.state, s.state), (State::Closed, State::Closed));
    let mut next: [Option<u32>; 2] = [None, None];
    let (mut pure, mut after_fin) = (0, 0);
    for b in log.borrow().iter() {
        let seg = segment(b).expect("a TCP segment");
        let side = usize::from(b[20..22] == 443u16.to_be_bytes());
        let syn_fin =
            u32::from(seg.flags & tcp_flags::SYN != 0) + u32::from(seg.flags & tcp_flags::FIN != 0);
        let consumed = seg.payload.len() as u32 + syn_fin;
        if consumed == 0 && seg.flags & tcp_flags::RST == 0 {
            assert_eq!(Some(seg.seq), next[side], "a pure ACK carries SND.NXT");
            pure += 1;
        }
        let end = seg.seq.wrapping_add(consumed);
        if seg.flags & tcp_flags::FIN != 0 {
            after_fin += 1;
        }
        next[side] = Some(next[side].map_or(end, |n| n.max(end)));
    }
    assert!(
        pure > 0 && after_fin == 2,
        "{pure} pure ACKs, {after_fin} FINs"
    );
    // The last segment, checked with the rest above, is the pure ACK of
    // the second FIN, sent after the first.
    let last = segment(log.borrow().last().unwrap()).map(|g| g.flags);
    assert_eq!(last, Some(tcp_flags::ACK));
}

#[test]
fn lossy_path_retransmits_and_still_delivers_every_byte() {
    // Lose every 7th segment once.
    let (c, s, _) = run(100_000, |n, _| n % 7 == 0 && n < 200);
    assert_eq!(s.rcv, 100_000);
    assert_eq!(s.corrupt, 0);
    assert!(c.retransmits > 0);
}

#[test]
fn blackholed_syn_is_retried_with_backoff() {
    let mut out = Out::new();
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 1, 1500, Nanos::ZERO, &mut out);
    assert_eq!(out.len(), 1);
    let mut fired = vec![];
    for _ in 0..4 {
        let d = c.deadline.unwrap();
        out.clear();
        assert!(c.on_timer(d, &mut out));
        assert_eq!(out.len(), 1, "a SYN again");
        fired.push(d.0 / 1_000_000_000);
    }
    // 1 s, then 2, 4, 8 s later.
    assert_eq!(fired, vec![1, 3, 7, 15]);
}

/// Fires `t`'s timers, with no segment ever arriving, until it has none
/// left or gave up: when each sent something (milliseconds), and when
/// the last fired.
fn timers_until_quiet(t: &mut Tcp) -> (Vec<u64>, Nanos) {
    let mut out = Out::new();
    let mut sent = vec![];
    let mut last = Nanos::ZERO;
    for _ in 0..100 {
        let Some(d) = t.deadline else { break };
        out.clear();
        t.on_timer(d, &mut out);
        last = d;
        if !out.is_empty() {
            sent.push(d.0 / 1_000_000);
        }
    }
    (sent, last)
}

#[test]
fn tcp_syn_retries_6_and_connect_fails_127_s_after_the_first_syn() {
    let mut out = Out::new();
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 1, 1500, Nanos::ZERO, &mut out);
    let (sent, last) = timers_until_quiet(&mut c);
    // Six retransmissions, each timeout twice the last (1, 2, ... 32 s),
    // then the seventh timeout, 64 s after the last SYN, gives up.
    assert_eq!(sent, [1_000, 3_000, 7_000, 15_000, 31_000, 63_000]);
    assert_eq!(last, Nanos::from_secs(127));
    assert_eq!(c.state, State::TimedOut);
    assert!(!c.is_open());
    assert_eq!(c.deadline, None);
}

#[test]
fn tcp_synack_retries_5_and_the_half_open_connection_goes_at_63_s() {
    let mut out = Out::new();
    let _ = Tcp::connect(addr(1, 40000), addr(2, 443), 1, 1500, Nanos::ZERO, &mut out);
    let syn = out.pop().unwrap();
    let mut s = Tcp::accept(
        addr(2, 443),
        addr(1, 40000),
        9,
        1500,
        &segment(&syn).unwrap(),
        Nanos::ZERO,
        &mut out,
    );
    let (sent, last) = timers_until_quiet(&mut s);
    assert_eq!(sent, [1_000, 3_000, 7_000, 15_000, 31_000]);
    assert_eq!(last, Nanos::from_secs(63));
    assert_eq!(s.state, State::TimedOut);
}

#[test]
fn tcp_retries2_unacknowledged_data_gives_up_after_924_6_s() {
    assert_eq!(
        model_timeout(RETRIES2, MIN_RTO),
        Nanos::from_millis(924_600)
    );
    let (mut c, _, _, _) = handshake(1500, 1500);
    assert_eq!(c.rto(), MIN_RTO);
    let mut out = Out::new();
    c.write(1000, Nanos::ZERO, &mut out);
    let (sent, last) = timers_until_quiet(&mut c);
    // 15 retransmissions: the timer doubles from 200 ms to Linux's
    // TCP_RTO_MAX of 120 s and stays there; the 16th timeout gives up.
    assert_eq!(sent.len(), 15, "{sent:?}");
    assert_eq!(sent[9], 204_600);
    assert_eq!(sent[10] - sent[9], 120_000);
    assert_eq!(last, Nanos::from_millis(924_600));
    assert_eq!(c.state, State::TimedOut);
    assert_eq!(c.rto(), MAX_RTO);
}

#[test]
fn tcp_orphan_retries_a_closed_connections_fin_gives_up_after_102_2_s() {
    assert_eq!(
        model_timeout(ORPHAN_RETRIES, MIN_RTO),
        Nanos::from_millis(102_200)
    );
    let (mut c, _, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    c.close(Nanos::ZERO, &mut out);
    assert_eq!(
        segment(&out[0]).unwrap().flags & tcp_flags::FIN,
        tcp_flags::FIN
    );
    let (sent, last) = timers_until_quiet(&mut c);
    // The FIN goes again 8 times (0.2 s to 51 s), then gives up.
    assert_eq!(sent.len(), 8, "{sent:?}");
    assert_eq!(last, Nanos::from_millis(102_200));
    assert_eq!(c.state, State::TimedOut);
}

#[test]
fn tcp_retries2_an_ack_of_new_data_starts_the_count_again() {
    let (mut c, mut s, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    c.write(3000, Nanos::ZERO, &mut out);
    let first = out.remove(0);
    out.clear();
    // Nothing arrives for 800 s of timeouts (the 15th at 804.6 s); then
    // the first segment's ACK, and the rest goes unacknowledged again.
    let mut now = Nanos::ZERO;
    while now < Nanos::from_secs(800) {
        now = c.deadline.unwrap();
        c.on_timer(now, &mut out);
        out.clear();
    }
    s.on_segment(&segment(&first).unwrap(), now, &mut out);
    let ack = out.pop().unwrap();
    c.on_segment(&segment(&ack).unwrap(), now, &mut out);
    assert!(c.is_open());
    let start = now;
    let (_, last) = timers_until_quiet(&mut c);
    // The count starts again at the ACK. It acknowledges a segment sent
    // again, so it times no round trip (Karn's rule) and the timer stays
    // at 120 s: the first timer past 924.6 s gives up, 8 x 120 s after.
    assert_eq!(last.0 - start.0, 960_000_000_000, "{last:?}");
    assert_eq!(c.state, State::TimedOut);
}

#[test]
fn karns_rule_an_ack_of_a_segment_sent_again_times_no_round_trip() {
    let (mut c, mut s, _, _) = handshake(1500, 1500);
    let before = c.srtt;
    let mut out = Out::new();
    c.write(1000, Nanos::ZERO, &mut out);
    let first = out.remove(0);
    out.clear();
    // The segment times out and goes again; the original's ACK comes 5 s
    // after it was sent, which would be a round trip of 5 s, or one of
    // 4.8 s for the copy.
    let t = c.deadline.unwrap();
    c.on_timer(t, &mut out);
    assert_eq!(out.len(), 1, "sent again");
    out.clear();
    let now = Nanos::from_secs(5);
    s.on_segment(&segment(&first).unwrap(), now, &mut out);
    let ack = out.pop().unwrap();
    c.on_segment(&segment(&ack).unwrap(), now, &mut out);
    assert_eq!(c.srtt, before, "no sample from an ambiguous ACK");
    // The timer keeps its backed-off value until a segment sent once is
    // acknowledged: 400 ms here.
    assert_eq!(c.rto, Nanos::from_millis(400));
    // New data times a round trip again (10 ms).
    out.clear();
    c.write(1000, now, &mut out);
    let fresh = out.remove(0);
    out.clear();
    let later = now.saturating_add(Nanos::from_millis(10));
    s.on_segment(&segment(&fresh).unwrap(), later, &mut out);
    let ack = out.pop().unwrap();
    c.on_segment(&segment(&ack).unwrap(), later, &mut out);
    assert_ne!(c.srtt, before);
    assert_eq!(c.rto, Nanos::from_millis(200));
}

#[test]
fn connection_state_is_compact() {
    // No payload is buffered: data follows the pattern, so a connection
    // is its sequence state (see docs/traffic.md).
    let size = std::mem::size_of::<Tcp>();
    println!("Tcp: {size} bytes");
    assert!(size <= 584, "{size}");
}

/// A handshake between a client and a server with these interface
/// MTUs: the two ends, the SYN and the SYN-ACK.
fn handshake(client_mtu: u16, server_mtu: u16) -> (Tcp, Tcp, Vec<u8>, Vec<u8>) {
    let now = Nanos::ZERO;
    let mut out = Out::new();
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, client_mtu, now, &mut out);
    let syn = out.pop().unwrap().to_vec();
    let mut s = Tcp::accept(
        addr(2, 443),
        addr(1, 40000),
        900,
        server_mtu,
        &segment(&syn).unwrap(),
        now,
        &mut out,
    );
    let synack = out.pop().unwrap().to_vec();
    c.on_segment(&segment(&synack).unwrap(), now, &mut out);
    let ack = out.pop().unwrap();
    s.on_segment(&segment(&ack).unwrap(), now, &mut out);
    (c, s, syn, synack)
}

#[test]
fn mtu_5_the_syn_offers_the_interface_mtu_less_40() {
    let (c, s, syn, synack) = handshake(9001, 9001);
    assert_eq!(segment(&syn).unwrap().mss, Some(8961));
    assert_eq!(segment(&synack).unwrap().mss, Some(8961));
    assert_eq!(
        syn.len(),
        52,
        "a 32-byte TCP header: MSS, NOP, NOP, SACK-permitted, NOP, WS"
    );
    assert!(crate::packet::transport_checksum_ok(&syn));
    assert_eq!((c.mss, s.mss), (8961, 8961));
    // A jumbo segment: 9001 bytes on the wire.
    let mut out = Out::new();
    let mut c = c;
    c.write(100_000, Nanos::ZERO, &mut out);
    assert_eq!(out[0].len(), 9001);
}

#[test]
fn mtu_5_both_ends_send_the_smaller_mss() {
    let (c, s, _, synack) = handshake(9001, 1500);
    assert_eq!(segment(&synack).unwrap().mss, Some(1460));
    assert_eq!((c.mss, s.mss), (1460, 1460));
    let mut out = Out::new();
    let mut c = c;
    c.write(100_000, Nanos::ZERO, &mut out);
    assert!(out.iter().all(|p| p.len() <= 1500));
    assert_eq!(out[0].len(), 1500);
}

#[test]
fn mtu_5_no_mss_option_means_536() {
    let now = Nanos::ZERO;
    let mut out = Out::new();
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 9001, now, &mut out);
    out.clear();
    // A SYN-ACK without options.
    let spec = packet::build::TcpSpec {
        src: addr(2, 443),
        dst: addr(1, 40000),
        seq: 5000,
        ack: 101,
        flags: tcp_flags::SYN | tcp_flags::ACK,
        window: 65535,
    };
    let synack = packet::build::tcp(&spec, &[], 64, 0);
    c.on_segment(&segment(&synack).unwrap(), now, &mut out);
    assert_eq!(c.mss, DEFAULT_MSS);
}

#[test]
fn mtu_4_fragmentation_needed_lowers_the_mss_and_resends_at_once() {
    let (mut c, _, _, _) = handshake(9001, 9001);
    let mut out = Out::new();
    c.write(50_000, Nanos::ZERO, &mut out);
    assert_eq!(out[0].len(), 9001);
    out.clear();
    assert!(c.on_frag_needed(8500, Nanos::from_millis(1), &mut out));
    assert_eq!(c.mss, 8460);
    assert!(!out.is_empty(), "sent again without waiting for the timer");
    assert_eq!(out[0].len(), 8500);
    let first = segment(&out[0]).unwrap();
    assert_eq!(first.seq, 101, "from the first unacknowledged byte");
    // A larger MTU, or the same again, changes nothing.
    out.clear();
    assert!(!c.on_frag_needed(9001, Nanos::from_millis(2), &mut out));
    assert!(!c.on_frag_needed(8500, Nanos::from_millis(2), &mut out));
    assert!(out.is_empty());
}

#[test]
fn mtu_4_a_lower_mss_keeps_the_window_in_segments_not_bytes() {
    let (mut c, _, _, _) = handshake(9001, 9001);
    let mut out = Out::new();
    c.write(1_000_000, Nanos::ZERO, &mut out);
    // Ten jumbo segments' window, of which the peer's 64 KiB admit seven.
    assert_eq!(c.cwnd(), 10 * 8961);
    assert_eq!(out.len(), 7);
    c.ssthresh = 20 * 8961;
    out.clear();
    assert!(c.on_frag_needed(1500, Nanos::from_millis(1), &mut out));
    // Still ten segments, now of 1,460 bytes: ten go, not the 43 that
    // 89,610 bytes (within the peer's window) would be.
    assert_eq!(c.cwnd(), 10 * 1460);
    assert_eq!(c.ssthresh(), 20 * 1460);
    assert_eq!(out.len(), 10);
    assert!(out.iter().all(|p| p.len() == 1500));
}

#[test]
fn tcp_push_only_the_last_segment_of_a_write_carries_psh() {
    let (mut c, _, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    // 5,000 bytes: three full segments and 620 bytes, PSH on the last.
    c.write(5000, Nanos::ZERO, &mut out);
    let psh: Vec<bool> = out
        .iter()
        .map(|p| segment(p).unwrap().flags & tcp_flags::PSH != 0)
        .collect();
    assert_eq!(psh, [false, false, false, true]);
    // A write larger than the window: none of its first segments.
    out.clear();
    c.write(1_000_000, Nanos::ZERO, &mut out);
    assert!(!out.is_empty());
    assert!(
        out.iter()
            .all(|p| segment(p).unwrap().flags & tcp_flags::PSH == 0)
    );
}

#[test]
fn corrupted_payload_is_counted() {
    let now = Nanos::ZERO;
    let mut out = Out::new();
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 1500, now, &mut out);
    let syn = out.pop().unwrap();
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
    c.on_segment(&segment(&synack).unwrap(), now, &mut out);
    let ack = out.pop().unwrap();
    s.on_segment(&segment(&ack).unwrap(), now, &mut out);
    out.clear();
    s.write(100, now, &mut out);
    let mut data = out.pop().unwrap().to_vec();
    // Flip one payload byte (the last), as a broken path would.
    let last = data.len() - 1;
    data[last] ^= 0xff;
    let ev = c.on_segment(&segment(&data).unwrap(), now, &mut out);
    assert_eq!(ev.received, 100);
    assert_eq!(c.corrupt, 1);
}

#[test]
fn tcp_wmem_caps_the_data_in_flight_at_4_mib() {
    // A peer offering a 1 GiB window (shift 14) and a congestion window
    // larger than the send buffer: 4 MiB go, no more.
    let now = Nanos::ZERO;
    let mut out = Out::new();
    let (mut c, spec) = after_scaled_syn_ack(65535, 14, &mut out);
    let ack = packet::build::tcp(
        &packet::build::TcpSpec {
            flags: tcp_flags::ACK,
            seq: 5001,
            ..spec
        },
        &[],
        64,
        0,
    );
    c.on_segment(&segment(&ack).unwrap(), now, &mut out);
    assert_eq!(c.peer_window(), 65535 << 14);
    c.cwnd = 64 << 20;
    out.clear();
    c.write(100 << 20, now, &mut out);
    let bytes: u64 = out
        .iter()
        .map(|p| segment(p).unwrap().payload.len() as u64)
        .sum();
    assert!(bytes <= WMEM_MAX && bytes > WMEM_MAX - 8961, "{bytes}");
}

#[test]
fn rfc6928_the_initial_window_is_ten_segments() {
    let (mut c, _, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    c.write(1 << 20, Nanos::ZERO, &mut out);
    assert_eq!(out.len(), 10);
    assert!(out.iter().all(|p| p.len() == 1500));
}

#[test]
fn tsq_a_sender_stops_at_its_room_and_sends_on_when_woken() {
    let (mut c, _, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    // Room in the host's interface for three full segments.
    c.set_room(3 * 1500);
    c.write(1 << 20, Nanos::ZERO, &mut out);
    assert_eq!(out.len(), 3, "the window allows ten, the room three");
    assert!(c.take_tsq_blocked());
    assert!(!c.take_tsq_blocked(), "the flag is taken once");
    // The interface drained: woken, it sends the rest of the window.
    let at = Nanos::from_micros(10);
    c.set_room(u64::MAX);
    c.wake_at(at);
    assert_eq!(c.deadline, Some(at));
    out.clear();
    assert!(c.on_timer(at, &mut out));
    assert_eq!(out.len(), 7);
    assert!(!c.take_tsq_blocked());
}

#[test]
fn linux_pacing_rate_200_percent_in_slow_start_120_after_and_tsq_limit_about_1_ms() {
    let mut out = Out::new();
    let mut c = Tcp::connect(
        addr(1, 40000),
        addr(2, 443),
        100,
        1500,
        Nanos::ZERO,
        &mut out,
    );
    let syn = out.pop().unwrap().to_vec();
    let _s = Tcp::accept(
        addr(2, 443),
        addr(1, 40000),
        900,
        1500,
        &segment(&syn).unwrap(),
        Nanos::ZERO,
        &mut out,
    );
    let synack = out.pop().unwrap().to_vec();
    // A 10 ms round trip.
    c.on_segment(&segment(&synack).unwrap(), Nanos::from_millis(10), &mut out);
    assert_eq!(c.srtt, Some(Nanos::from_millis(10)));
    // Slow start: 2 x 14,600 bytes per 10 ms.
    assert_eq!(c.pacing_rate(), 2_920_000);
    // At or above half the threshold: 1.2 x.
    c.ssthresh = c.cwnd;
    assert_eq!(c.pacing_rate(), 1_752_000);
    // TCP Small Queues: at least two segments...
    assert_eq!(c.tsq_limit(), 2 * 1500);
    // ... else rate >> 10, about a millisecond of it...
    c.ssthresh = u64::MAX;
    c.cwnd = 4 << 20;
    assert_eq!(c.tsq_limit(), (2 * (4u64 << 20) * 100) >> 10);
    // ... and at most tcp_limit_output_bytes.
    c.cwnd = 1 << 40;
    assert_eq!(c.tsq_limit(), LIMIT_OUTPUT_BYTES);
}

#[test]
fn delayed_ack_every_second_full_segment_else_40_ms() {
    let (mut c, mut s, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    let mut now = Nanos::ZERO;
    // Quick-ACK mode: the first 16 segments are acknowledged one by one.
    for _ in 0..QUICK_ACKS {
        now = Nanos(now.0 + 1_000_000);
        c.write(1460, now, &mut out);
        let data = out.pop().unwrap();
        s.on_segment(&segment(&data).unwrap(), now, &mut out);
        assert_eq!(out.len(), 1, "an ACK at once");
        c.on_segment(&segment(&out.pop().unwrap()).unwrap(), now, &mut out);
        out.clear();
    }
    // Then two full segments get one ACK ...
    c.write(2 * 1460, now, &mut out);
    let (a, b) = (out.remove(0), out.remove(0));
    s.on_segment(&segment(&a).unwrap(), now, &mut out);
    assert!(out.is_empty(), "the first waits");
    assert_eq!(s.deadline, Some(now.saturating_add(DELAYED_ACK)));
    s.on_segment(&segment(&b).unwrap(), now, &mut out);
    assert_eq!(out.len(), 1, "the second is acknowledged with the first");
    assert_eq!(s.deadline, None);
    c.on_segment(&segment(&out.pop().unwrap()).unwrap(), now, &mut out);
    // ... and a lone one waits for the 40 ms timer.
    c.write(1460, now, &mut out);
    let a = out.pop().unwrap();
    s.on_segment(&segment(&a).unwrap(), now, &mut out);
    assert!(out.is_empty());
    let at = s.deadline.unwrap();
    assert_eq!(at, now.saturating_add(Nanos::from_millis(40)));
    assert!(!s.on_timer(Nanos(at.0 - 1), &mut out));
    assert!(s.on_timer(at, &mut out));
    let ack = segment(&out[0]).unwrap();
    assert_eq!(ack.flags, tcp_flags::ACK);
    assert_eq!(ack.ack, 101 + 19 * 1460);
    assert_eq!(s.retransmits, 0, "a delayed ACK is not a retransmission");
}

#[test]
fn rfc6298_initial_rto_1_s_and_200_ms_floor() {
    let mut out = Out::new();
    let c = Tcp::connect(addr(1, 40000), addr(2, 443), 1, 1500, Nanos::ZERO, &mut out);
    assert_eq!(c.rto(), Nanos::from_secs(1));
    assert_eq!(c.deadline, Some(Nanos::from_secs(1)));
    // A 10 ms round trip: srtt + 4 rttvar = 30 ms, raised to 200 ms.
    let path = Path {
        delay: Nanos::from_millis(5),
        rate: 0,
    };
    let (c, _, _, _) = run_path(1 << 20, path, |_, _| false);
    assert_eq!(c.rto(), MIN_RTO);
}

#[test]
fn cubic_rfc9438_reduction_to_0_7_and_cubic_growth_back_to_w_max() {
    let (mut c, _, _, _) = handshake(1500, 1500);
    let mss = 1460;
    let rtt = Nanos::from_millis(100);
    c.min_rtt = Some(rtt);
    c.cwnd = 1000 * mss;
    c.cubic_loss();
    assert_eq!(c.ssthresh, 700 * mss, "beta = 0.7");
    assert_eq!(c.cubic.w_max, 1000.0);
    c.cwnd = c.ssthresh;
    // A window of ACKs every 100 ms round trip: K = cbrt(300 / 0.4) =
    // 9.1 s to grow back to 1,000 segments, concave then convex, and
    // the window follows W(t) = 1000 + 0.4 (t - K)^3.
    let k = (300.0f64 / 0.4).cbrt();
    let start = Nanos::from_secs(10);
    let mut t = start;
    let at = |secs: f64, c: &mut Tcp, t: &mut Nanos| {
        while ((t.0 - start.0) as f64 / 1e9) < secs {
            *t = Nanos(t.0 + rtt.0);
            for _ in 0..c.cwnd / mss {
                c.cubic_grow(mss, *t);
            }
        }
        let elapsed = (t.0 - start.0) as f64 / 1e9;
        (
            c.cwnd as f64 / mss as f64,
            1000.0 + 0.4 * (elapsed - k).powi(3),
        )
    };
    for secs in [1.0, 4.0, k, k + 3.0, k + 6.0] {
        let (w, want) = at(secs, &mut c, &mut t);
        assert!((w - want).abs() < want * 0.01, "at {secs} s: {w} vs {want}");
    }
    // Fast convergence: a loss below the last W_max remembers less.
    c.cwnd = 900 * mss;
    c.cubic_loss();
    assert!((c.cubic.w_max - 900.0 * 0.85).abs() < 1e-9);
    assert_eq!(c.ssthresh, 630 * mss);
}

#[test]
fn cubic_rfc9438_reno_friendly_region_on_a_short_round_trip() {
    // At a 1 ms round trip, Reno's AIMD outgrows the cubic curve just
    // after a loss: the window follows W_est.
    let (mut c, _, _, _) = handshake(1500, 1500);
    let mss = 1460;
    c.min_rtt = Some(Nanos::from_millis(1));
    c.cwnd = 100 * mss;
    c.cubic_loss();
    c.cwnd = c.ssthresh;
    let mut t = Nanos::from_secs(1);
    for _ in 0..50 {
        t = Nanos(t.0 + 1_000_000);
        for _ in 0..c.cwnd / mss {
            c.cubic_grow(mss, t);
        }
    }
    // 50 round trips at alpha = 3 (1 - 0.7) / 1.7 = 0.53 a round trip.
    let w = c.cwnd as f64 / mss as f64;
    assert!((w - (70.0 + 50.0 * 0.529)).abs() < 2.0, "{w}");
}

#[test]
fn hystart_delay_increase_ends_slow_start_before_a_loss() {
    // A 20 Mbit/s bottleneck with a 10 ms round trip: queueing delay
    // grows in slow start, and HyStart ends it with no loss at all.
    let path = Path {
        delay: Nanos::from_millis(5),
        rate: 20_000_000,
    };
    let (c, s, _, _) = run_path(8 << 20, path, |_, _| false);
    assert_eq!(s.rcv, 8 << 20);
    assert_eq!(c.retransmits, 0);
    assert!(c.ssthresh() < u64::MAX, "slow start ended");
    // Around the path's bandwidth-delay product (25 KB) and its queue,
    // far below the window that unbounded slow start reaches.
    assert!(c.ssthresh() < 400_000, "{}", c.ssthresh());
}

#[test]
fn rfc6582_one_loss_is_repaired_by_fast_retransmit_not_the_timer() {
    let path = Path {
        delay: Nanos::from_millis(10),
        rate: 0,
    };
    let total = 4 << 20;
    // Without SACK, so that recovery is NewReno's.
    let (c0, _, _, log0) = run_flow_sack(total, path, 1500, false, false, |_, _| false);
    let clean = all_received_at(&log0, total);
    // Lose the 100th data segment once.
    let count = std::cell::Cell::new(0);
    let lost = std::cell::Cell::new(None);
    let (c, s, _, log) = run_flow_sack(total, path, 1500, false, false, |_, b| {
        let g = segment(b).unwrap();
        if g.payload.is_empty() || b[20..22] != 40000u16.to_be_bytes() {
            return false;
        }
        count.set(count.get() + 1);
        if count.get() == 100 {
            lost.set(Some(g.seq));
        }
        count.get() == 100
    });
    assert_eq!(s.rcv, total);
    assert_eq!(s.corrupt, 0);
    assert_eq!(c0.retransmits, 0);
    assert_eq!(c.retransmits, 1, "the lost segment, once");
    // Its copy arrives within a round trip and a little (three
    // duplicate ACKs), far below the 200 ms minimum RTO.
    let copies: Vec<Nanos> = log
        .iter()
        .filter(|(_, up, b)| {
            *up && segment(b).is_some_and(|g| Some(g.seq) == lost.get() && !g.payload.is_empty())
        })
        .map(|(t, _, _)| *t)
        .collect();
    assert_eq!(copies.len(), 2);
    let gap = copies[1].0 - copies[0].0;
    assert!(gap < 50_000_000, "{gap} ns");
    let lossy = all_received_at(&log, total);
    println!("4 MiB at 20 ms: {clean:?} without loss, {lossy:?} with one");
    // The server held what followed the hole and acknowledged it all
    // when the hole was filled.
    assert_eq!(s.ooo_len, 0);
    // The window was cut to beta = 0.7 of what it was.
    assert!(c.ssthresh() < u64::MAX);
}

#[test]
fn out_of_order_ranges_are_held_and_acknowledged_when_the_hole_fills() {
    let (mut c, mut s, _, _) = handshake(1500, 1500);
    let mut out = Out::new();
    let now = Nanos::ZERO;
    c.write(5 * 1460, now, &mut out);
    let data = std::mem::take(&mut out);
    // 2, 4, 3 arrive; 0 and 1 are late.
    for i in [2, 4, 3] {
        s.on_segment(&segment(&data[i]).unwrap(), now, &mut out);
        let ack = out.pop().unwrap();
        assert_eq!(segment(&ack).unwrap().ack, 101, "a duplicate ACK at once");
    }
    assert_eq!((s.ooo_len, s.ooo[0]), (1, (2 * 1460, 5 * 1460)));
    s.on_segment(&segment(&data[0]).unwrap(), now, &mut out);
    assert_eq!(segment(&out.pop().unwrap()).unwrap().ack, 101 + 1460);
    let ev = s.on_segment(&segment(&data[1]).unwrap(), now, &mut out);
    assert_eq!(ev.received, 4 * 1460, "the held ranges follow");
    assert_eq!(segment(&out.pop().unwrap()).unwrap().ack, 101 + 5 * 1460);
    assert_eq!(s.rcv, 5 * 1460);
    assert_eq!(s.corrupt, 0);
}

#[test]
fn random_loss_completion_times() {
    // 1 % of data segments lost at a 20 ms round trip: every byte
    // arrives, with SACK (RFC 6675) and without (NewReno, RFC 6582).
    let path = Path {
        delay: Nanos::from_millis(10),
        rate: 0,
    };
    let total = 10 << 20;
    let (_, _, _, log0) = run_path(total, path, |_, _| false);
    let clean = all_received_at(&log0, total);
    let mut runs = Vec::new();
    for sack in [true, false] {
        let rng = std::cell::Cell::new(0x2545_f491_4f6c_dd1du64);
        let (c, s, _, log) = run_flow_sack(total, path, 1500, false, sack, |_, b| {
            let mut x = rng.get();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rng.set(x);
            b.len() > 100 && x % 100 == 0
        });
        assert_eq!(s.rcv, total);
        assert_eq!(s.corrupt, 0);
        let lossy = all_received_at(&log, total);
        println!(
            "10 MiB at 20 ms: {} ms without loss, {} ms with 1 % ({}; {} retransmissions, {} timeouts)",
            clean.0 / 1_000_000,
            lossy.0 / 1_000_000,
            if sack { "SACK" } else { "NewReno" },
            c.retransmits,
            c.timeouts
        );

        assert!(c.retransmits > 0);
        assert!(lossy > clean);
        runs.push((c.retransmits, c.timeouts));
    }
    // With SACK, only what was lost goes again, and no loss waits for the
    // timer; NewReno needs timeouts (go-back-N) and sends more again. The
    // completion time is about the same: at 1 %, it is set by how often
    // the window is reduced (Mathis et al.), not by the repair.
    let (sack, newreno) = (runs[0], runs[1]);
    assert_eq!(sack.1, 0, "no timeout with SACK");
    assert!(newreno.1 > 0);
    assert!(sack.0 < newreno.0, "{sack:?} {newreno:?}");
}

/// SACK (RFC 2018) and its loss recovery (RFC 6675).
#[path = "sack_tests.rs"]
mod sack_tests;

/// A client from port 40000 after the SYN-ACK of a peer with MSS 8,961,
/// window field `window` and window scale `shift`: the connection, and
/// the SYN-ACK's header for the peer's next segments.
fn after_scaled_syn_ack(window: u16, shift: u8, out: &mut Out) -> (Tcp, packet::build::TcpSpec) {
    let now = Nanos::ZERO;
    let mut c = Tcp::connect(addr(1, 40000), addr(2, 443), 100, 9001, now, out);
    out.clear();
    let spec = packet::build::TcpSpec {
        src: addr(2, 443),
        dst: addr(1, 40000),
        seq: 5000,
        ack: 101,
        flags: tcp_flags::SYN | tcp_flags::ACK,
        window,
    };
    let synack = packet::build::tcp_syn_scaled(&spec, 8961, shift, 64, 0);
    c.on_segment(&segment(&synack).unwrap(), now, out);
    (c, spec)
}
/// The receive window: scaling, rounding and autotuning.
#[path = "window_tests.rs"]
mod window_tests;
