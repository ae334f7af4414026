//! The receive window on the wire: window scaling (RFC 7323), Linux's
//! rounding of a scaled window, whole segments only, and autotuning.

use super::*;

/// Segments of a log, parsed, with their arrival time and direction.
fn segs(log: &[(Nanos, bool, Vec<u8>)]) -> Vec<(Nanos, bool, Segment<'_>)> {
    log.iter()
        .map(|(t, up, b)| (*t, *up, segment(b).unwrap()))
        .collect()
}

#[test]
fn rfc7323_syn_and_syn_ack_offer_window_scale_7() {
    let (c, s, syn, synack) = handshake(9001, 9001);
    let (syn, synack) = (segment(&syn).unwrap(), segment(&synack).unwrap());
    // ilog2(6 MiB) - 15, as Linux picks it for tcp_rmem's maximum.
    assert_eq!((syn.wscale, synack.wscale), (Some(7), Some(7)));
    // The SYN's own window is not scaled: 7 segments of 8,961.
    assert_eq!(syn.window, 62_727);
    assert!(c.scaled && s.scaled);
    // Later window fields are the window shifted right by 7.
    let mut out = Out::new();
    let mut c = c;
    c.write(1000, Nanos::ZERO, &mut out);
    let packet = out.remove(0);
    let data = segment(&packet).unwrap();
    assert_eq!(u64::from(data.window), c.rcv_wnd().div_ceil(128));
    // The server reads it back shifted left.
    let mut s = s;
    s.on_segment(&data, Nanos::ZERO, &mut out);
    assert_eq!(s.peer_window(), c.rcv_wnd().div_ceil(128) << 7);
}

#[test]
fn linux_tcp_select_window_rounds_a_scaled_window_up_to_its_unit() {
    // __tcp_select_window: with scaling, the window is aligned up to
    // 1 << wscale, so that the seven segments of 8,961 bytes the SYN
    // offered (62,727) are not scaled away to 62,720, which holds six.
    let (mut c, mut s, syn, _) = handshake(9001, 9001);
    assert_eq!(segment(&syn).unwrap().window, 62_727);
    let mut out = Out::new();
    c.write(1000, Nanos::ZERO, &mut out);
    let packet = out.remove(0);
    let data = segment(&packet).unwrap();
    assert_eq!(data.window, 491, "62,848 bytes: 491 units of 128");
    s.on_segment(&data, Nanos::ZERO, &mut out);
    assert_eq!(s.peer_window(), 62_848);
    assert!(s.peer_window() >= 7 * 8961);
    // Unscaled, the window is a whole number of segments (the SYN's own
    // is the largest multiple of the MSS in 64 KiB already).
    let mut u = c.clone();
    u.scaled = false;
    u.rcv_wnd = WINDOW;
    assert_eq!(u64::from(u.window_field()), 7 * 8961);
    u.rcv_wnd = 5000;
    assert_eq!(u.window_field(), 5000, "less than a segment: as it is");
}

#[test]
fn linux_tcp_snd_wnd_test_a_window_holds_whole_segments_only() {
    // A peer window of 62,720 bytes (six segments of 8,961 and 8,954
    // bytes over): six whole segments go, no short seventh to fill it to
    // the byte; the rest waits for the window to open.
    let now = Nanos::ZERO;
    let mut out = Out::new();
    let (mut c, spec) = after_scaled_syn_ack(62_727, 7, &mut out);
    out.clear();
    let ack = |ack: u32, window: u16| {
        packet::build::tcp(
            &packet::build::TcpSpec {
                flags: tcp_flags::ACK,
                seq: 5001,
                ack,
                window,
                ..spec
            },
            &[],
            64,
            0,
        )
    };
    c.on_segment(&segment(&ack(101, 490)).unwrap(), now, &mut out);
    assert_eq!(c.peer_window(), 62_720);
    let total = 20 * 8961 + 1000;
    c.write(total, now, &mut out);
    let lens: Vec<usize> = out
        .iter()
        .map(|p| segment(p).unwrap().payload.len())
        .collect();
    assert_eq!(lens, vec![8961; 6], "the window allows 6.99 segments");
    // The ACK of all six with the same window: six more.
    out.clear();
    let acked = 101 + 6 * 8961;
    c.on_segment(&segment(&ack(acked, 490)).unwrap(), now, &mut out);
    assert_eq!(out.len(), 6);
    // Then with room for everything: whole segments, and the last
    // thousand bytes, the end of what was written, in a short one.
    out.clear();
    c.on_segment(
        &segment(&ack(acked + 6 * 8961, 4000)).unwrap(),
        now,
        &mut out,
    );
    let lens: Vec<usize> = out
        .iter()
        .map(|p| segment(p).unwrap().payload.len())
        .collect();
    assert_eq!(
        lens,
        vec![8961, 8961, 8961, 8961, 8961, 8961, 8961, 8961, 1000]
    );
}

/// Data segments of one direction of a log shorter than `mss`, but for
/// the one that ends the data (offset `total`).
fn short_segments(log: &Log, to_server: bool, mss: usize, total: u64) -> usize {
    let first = if to_server { 1001u32 } else { 9001 };
    log.iter()
        .filter(|(_, up, _)| *up == to_server)
        .filter_map(|(_, _, b)| segment(b))
        .filter(|g| !g.payload.is_empty() && g.payload.len() < mss)
        .filter(|g| {
            let end = g.seq.wrapping_sub(first) as u64 + g.payload.len() as u64;
            end != total
        })
        .count()
}

#[test]
fn autotuning_grows_uploads_and_downloads_at_a_jumbo_mss_and_at_1448() {
    // Whole segments only, and still autotuning from the first window
    // to 3 MiB in both directions: at 8,961 bytes (seven segments fill at
    // most 62,727 of the 64 KiB the initial buffer allows, no more than
    // the first measure) and at 1,448 (Linux's segments with
    // timestamps). The receiver's first measure waits for its own round
    // trip (a window's worth of data, `tcp_rcv_rtt_measure`), and so
    // spans more than one window of whole segments.
    let path = Path {
        delay: Nanos::from_millis(20),
        rate: 0,
    };
    let total = 40 << 20;
    for mtu in [9001u16, 1488] {
        let mss = usize::from(mtu - 40);
        for download in [false, true] {
            let (c, s, end, log) = run_flow(total, path, mtu, download, |_, _| false);
            let (sender, receiver) = if download { (&s, &c) } else { (&c, &s) };
            let case = format!("MTU {mtu}, download {download}");
            assert_eq!(receiver.rcv, total, "{case}");
            assert_eq!(receiver.corrupt, 0, "{case}");
            assert_eq!(sender.retransmits, 0, "{case}");
            assert_eq!(receiver.rcv_wnd(), MAX_WINDOW, "{case}");
            assert_eq!(short_segments(&log, !download, mss, total), 0, "{case}");
            // The receiver's round trip: 40 ms, a window's worth of data
            // at a time at best.
            assert!(
                receiver.rcv_rtt >= Nanos::from_millis(40)
                    && receiver.rcv_rtt < Nanos::from_millis(45),
                "{case}: {:?}",
                receiver.rcv_rtt
            );
            // Slow start to the 3 MiB window in a few round trips, then
            // 3 MiB per 40 ms: well under a second, where seven segments
            // per round trip would take 27 s.
            println!("{case}: {end:?}");
            assert!(end < Nanos::from_millis(1500), "{case}: {end:?}");
        }
    }
}

#[test]
fn rfc7323_no_window_scale_in_the_syn_means_no_scaling_either_way() {
    let now = Nanos::ZERO;
    let spec = packet::build::TcpSpec {
        src: addr(1, 40000),
        dst: addr(2, 443),
        seq: 100,
        ack: 0,
        flags: tcp_flags::SYN,
        window: 65535,
    };
    let syn = packet::build::tcp_syn(&spec, 1460, 64, 0);
    let mut out = Out::new();
    let s = Tcp::accept(
        addr(2, 443),
        addr(1, 40000),
        9,
        1500,
        &segment(&syn).unwrap(),
        now,
        &mut out,
    );
    let synack = segment(&out[0]).unwrap();
    assert_eq!(synack.wscale, None, "offered only if the SYN did");
    assert_eq!(synack.mss, Some(1460));
    assert!(!s.scaled);
    assert!(s.rcv_wnd() <= WINDOW);
    assert_eq!(s.window_limit(), WINDOW);
}

#[test]
fn autotuning_grows_the_receive_window_to_half_of_tcp_rmem_max() {
    let path = Path {
        delay: Nanos::from_millis(10),
        rate: 0,
    };
    let (c, s, _, log) = run_path(30 << 20, path, |_, _| false);
    assert_eq!(s.rcv, 30 << 20);
    assert_eq!(c.retransmits, 0);
    // From 64,240 (the largest multiple of the MSS in 64 KiB) in the
    // SYN-ACK, to the initial buffer's 64 KiB once data arrives ...
    let segs = segs(&log);
    let syn_ack = segs
        .iter()
        .find(|(_, up, g)| !up && g.flags & tcp_flags::SYN != 0);
    assert_eq!(syn_ack.map(|(_, _, g)| g.window), Some(64_240));
    let first_ack = segs
        .iter()
        .find(|(_, up, g)| !up && g.flags == tcp_flags::ACK);
    assert_eq!(
        first_ack.map(|(_, _, g)| g.window),
        Some((INITIAL_CLAMP >> 7) as u16)
    );
    // ... to 3 MiB: 6 MiB of buffer, half of it for the window.
    assert_eq!(s.rcv_wnd(), MAX_WINDOW);
    let widest = segs
        .iter()
        .filter(|(_, up, g)| !up && g.flags & tcp_flags::SYN == 0)
        .map(|(_, _, g)| g.window)
        .max();
    assert_eq!(widest, Some((MAX_WINDOW >> 7) as u16));
    // The window never shrinks and each step is at most one round
    // trip apart from the last.
    let windows: Vec<u16> = segs
        .iter()
        .filter(|(_, up, _)| !up)
        .map(|(_, _, g)| g.window)
        .collect();
    assert!(
        windows.windows(2).skip(1).all(|w| w[1] >= w[0]),
        "{windows:?}"
    );
}
