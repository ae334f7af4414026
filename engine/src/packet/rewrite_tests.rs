use super::*;
use crate::packet::build::{self, EchoSpec, TcpSpec};
use crate::packet::testutil::{SYN_HEX, fix_ip_checksum, hex, recomputed};
use crate::packet::{FlowView, ICMP_ECHO_REPLY, PROTO_UDP, parse, transport_checksum_ok};
use proptest::prelude::*;
use std::net::SocketAddrV4;

fn ip_header_ok(buf: &[u8]) -> bool {
    let hl = usize::from(buf[0] & 0x0f) * 4;
    checksum::sum(&buf[..hl]) == 0xffff
}

fn assert_consistent(buf: &[u8]) {
    assert!(ip_header_ok(buf), "IP header checksum");
    assert!(transport_checksum_ok(buf), "transport checksum");
    assert_eq!(buf, &recomputed(buf)[..], "differs from recomputation");
}

const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
const NAT: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 7);

#[test]
fn snat_real_syn() {
    let mut buf = hex(SYN_HEX);
    set_source(&mut buf, NAT, Some(40000)).unwrap();
    assert_consistent(&buf);
    let v = parse(&buf).unwrap();
    assert_eq!((v.src, v.src_port), (NAT, 40000));
    assert_eq!((v.dst, v.dst_port), (Ipv4Addr::new(93, 184, 216, 34), 443));
    // Options and everything else are untouched.
    assert_eq!(buf[22..36], hex(SYN_HEX)[22..36]);
    assert_eq!(buf[38..], hex(SYN_HEX)[38..]);
}

#[test]
fn dnat_then_back_restores_bytes() {
    let orig = hex(SYN_HEX);
    let mut buf = orig.clone();
    set_destination(&mut buf, A, Some(8080)).unwrap();
    assert_consistent(&buf);
    set_destination(&mut buf, Ipv4Addr::new(93, 184, 216, 34), Some(443)).unwrap();
    assert_eq!(buf, orig);
}

#[test]
fn decrement_ttl_real_syn() {
    let mut buf = hex(SYN_HEX);
    assert_eq!(decrement_ttl(&mut buf), Ok(63));
    assert_consistent(&buf);
    assert_eq!(parse(&buf).unwrap().ttl, 63);
}

#[test]
fn decrement_ttl_to_zero_and_at_zero() {
    let mut buf = build::udp(SocketAddrV4::new(A, 1), SocketAddrV4::new(B, 2), b"x", 1, 0).to_vec();
    assert_eq!(decrement_ttl(&mut buf), Ok(0));
    assert_consistent(&buf);
    let before = buf.clone();
    assert_eq!(decrement_ttl(&mut buf), Ok(0));
    assert_eq!(buf, before);
}

#[test]
fn udp_without_checksum_stays_without() {
    let mut buf = build::udp(
        SocketAddrV4::new(A, 53),
        SocketAddrV4::new(B, 5353),
        b"query",
        64,
        9,
    )
    .to_vec();
    buf[26..28].fill(0);
    set_source(&mut buf, NAT, Some(1024)).unwrap();
    set_destination(&mut buf, A, Some(53)).unwrap();
    assert_eq!(buf[26..28], [0, 0]);
    assert!(ip_header_ok(&buf));
    let v = parse(&buf).unwrap();
    assert_eq!((v.src, v.src_port, v.dst, v.dst_port), (NAT, 1024, A, 53));
}

/// A payload that makes the full checksum of the packet built by `make`
/// come out as the one's-complement zero: with a 2-byte payload `w`, the
/// data sum is `S + w`, which folds to 0xFFFF for `w = !fold(S)`, and
/// that is the checksum the zero payload produces.
fn zero_sum_payload(make: impl Fn(&[u8]) -> Vec<u8>, csum_off: usize) -> [u8; 2] {
    let with_zero = make(&[0, 0]);
    let c = u16::from_be_bytes([with_zero[csum_off], with_zero[csum_off + 1]]);
    // TCP and ICMP carry a raw checksum; UDP turned a 0 into 0xFFFF, but
    // 0xFFFF is also the right payload word in that case.
    c.to_be_bytes()
}

#[test]
fn udp_computed_zero_is_sent_as_ffff() {
    let make = |port: u16, payload: &[u8]| {
        build::udp(
            SocketAddrV4::new(A, port),
            SocketAddrV4::new(B, 7),
            payload,
            64,
            1,
        )
        .to_vec()
    };
    let w = zero_sum_payload(|p| make(2000, p), 26);
    let target = make(2000, &w);
    assert_eq!(target[26..28], [0xff, 0xff]);

    // Incremental update into the zero sum.
    let mut buf = make(1000, &w);
    set_source(&mut buf, A, Some(2000)).unwrap();
    assert_eq!(buf, target);
    // And out of it again.
    set_source(&mut buf, A, Some(1000)).unwrap();
    assert_eq!(buf, make(1000, &w));
}

#[test]
fn tcp_computed_zero_stays_zero() {
    let make = |port: u16, payload: &[u8]| {
        let spec = TcpSpec {
            src: SocketAddrV4::new(A, port),
            dst: SocketAddrV4::new(B, 80),
            seq: 1,
            ack: 0,
            flags: crate::packet::tcp_flags::PSH,
            window: 100,
        };
        build::tcp(&spec, payload, 64, 1).to_vec()
    };
    let w = zero_sum_payload(|p| make(2000, p), 36);
    let target = make(2000, &w);
    assert_eq!(target[36..38], [0, 0]);
    let mut buf = make(1000, &w);
    set_source(&mut buf, A, Some(2000)).unwrap();
    assert_eq!(buf, target);
    assert_consistent(&buf);
}

#[test]
fn all_zero_echo_reply_gets_ffff() {
    let spec = |ident| EchoSpec {
        src: A,
        dst: B,
        reply: true,
        ident,
        seq: 0,
    };
    let target = build::icmp_echo(&spec(0), &[0; 4], 64, 0).to_vec();
    assert_eq!(target[22..24], [0xff, 0xff]);
    let mut buf = build::icmp_echo(&spec(0x1234), &[0; 4], 64, 0).to_vec();
    set_destination(&mut buf, B, Some(0)).unwrap();
    assert_eq!(buf, target);
    assert_consistent(&buf);
}

#[test]
fn echo_ident_is_the_port() {
    let spec = EchoSpec {
        src: A,
        dst: B,
        reply: false,
        ident: 77,
        seq: 3,
    };
    let orig = build::icmp_echo(&spec, b"ping", 64, 5).to_vec();

    // Address alone: ICMP has no pseudo-header, its bytes do not change.
    let mut buf = orig.clone();
    set_source(&mut buf, NAT, None).unwrap();
    assert_eq!(buf[20..], orig[20..]);
    assert_consistent(&buf);

    set_source(&mut buf, NAT, Some(4242)).unwrap();
    assert_consistent(&buf);
    let v = parse(&buf).unwrap();
    assert_eq!((v.src_port, v.dst_port), (4242, 4242));
}

#[test]
fn icmp_error_quote_is_left_alone() {
    let orig = hex(SYN_HEX);
    let err = build::icmp_error(B, &orig, 3, 3, 64).to_vec();
    let mut buf = err.clone();
    set_destination(&mut buf, NAT, Some(1)).unwrap();
    assert_eq!(buf[20..], err[20..]);
    assert_consistent(&buf);
}

#[test]
fn first_fragment_transport_checksum_updated() {
    // A first fragment's transport checksum covers the whole datagram,
    // but the update only depends on the changed fields, so it must
    // match the update of the same datagram unfragmented.
    let mut whole = hex(SYN_HEX);
    let mut first = whole.clone();
    first[6] |= 0x20;
    fix_ip_checksum(&mut first);
    for buf in [&mut whole, &mut first] {
        set_source(buf, NAT, Some(1)).unwrap();
        set_destination(buf, A, Some(2)).unwrap();
        assert!(ip_header_ok(buf));
    }
    assert_eq!(first[20..], whole[20..]);
    assert_consistent(&whole);
}

#[test]
fn later_fragment_only_ip_header_changes() {
    let mut buf = hex(SYN_HEX)[..28].to_vec();
    buf[2..4].copy_from_slice(&28u16.to_be_bytes());
    buf[6..8].copy_from_slice(&185u16.to_be_bytes());
    fix_ip_checksum(&mut buf);
    let orig = buf.clone();
    set_source(&mut buf, NAT, Some(1)).unwrap();
    set_destination(&mut buf, A, Some(2)).unwrap();
    assert_eq!(decrement_ttl(&mut buf), Ok(63));
    assert!(ip_header_ok(&buf));
    assert_eq!(buf[20..], orig[20..]);
    let v = parse(&buf).unwrap();
    assert_eq!((v.src, v.dst, v.src_port, v.dst_port), (NAT, A, 0, 0));
}

#[test]
fn ip_options_are_preserved() {
    let syn = hex(SYN_HEX);
    let mut buf = syn[..20].to_vec();
    buf.extend_from_slice(&[0x94, 0x04, 0x00, 0x00]);
    buf.extend_from_slice(&syn[20..]);
    buf[0] = 0x46;
    buf[2..4].copy_from_slice(&48u16.to_be_bytes());
    fix_ip_checksum(&mut buf);

    set_source(&mut buf, NAT, Some(1)).unwrap();
    set_destination(&mut buf, A, Some(2)).unwrap();
    decrement_ttl(&mut buf).unwrap();
    assert_consistent(&buf);
    assert_eq!(buf[20..24], [0x94, 0x04, 0x00, 0x00]);
    let v = parse(&buf).unwrap();
    assert_eq!((v.src_port, v.dst_port, v.ttl), (1, 2, 63));
}

#[test]
fn trailing_bytes_untouched() {
    let mut buf = hex(SYN_HEX);
    buf.extend_from_slice(&[1, 2, 3]);
    set_source(&mut buf, NAT, Some(1)).unwrap();
    assert_eq!(buf[44..], [1, 2, 3]);
    assert_consistent(&buf[..44]);
}

#[test]
fn malformed_is_rejected_untouched() {
    let syn = hex(SYN_HEX);
    let mut cases: Vec<Vec<u8>> = vec![vec![], syn[..19].to_vec(), syn[..43].to_vec()];
    let mut b = syn.clone();
    b[0] = 0x44;
    cases.push(b);
    let mut b = syn.clone();
    b[32] = 0xf0; // TCP data offset past the end
    cases.push(b);
    for case in cases {
        let mut buf = case.clone();
        assert!(set_source(&mut buf, NAT, Some(1)).is_err());
        assert!(set_destination(&mut buf, NAT, None).is_err());
        assert_eq!(buf, case);
    }
    assert!(decrement_ttl(&mut []).is_err());
    assert!(decrement_ttl(&mut syn[..43].to_vec()).is_err());
}

#[test]
fn nat_4a_an_error_about_a_translated_datagram_translates_back_to_the_original() {
    let original = build::udp(
        SocketAddrV4::new(A, 40000),
        SocketAddrV4::new(B, 53),
        b"query",
        64,
        9,
    )
    .to_vec();
    let mut out = original.clone();
    set_source(&mut out, NAT, Some(1024)).unwrap();
    let router = Ipv4Addr::new(198, 51, 100, 1);
    let mut err = build::icmp_frag_needed(router, &out, 1500, 64).to_vec();
    assert_eq!(
        icmp_error_quote(&err),
        Some(IcmpQuote {
            proto: PROTO_UDP,
            src: NAT,
            src_port: 1024,
            dst: B,
            dst_port: 53,
        })
    );
    icmp_error_set_destination(&mut err, A, 40000).unwrap();
    // Exactly the error the router would have sent about the original.
    assert_eq!(
        err,
        build::icmp_frag_needed(router, &original, 1500, 64).to_vec()
    );
    // Every checksum verifies, as smoltcp computes them: the outer
    // header and ICMP message, the quoted header, the quoted UDP
    // checksum (that of the original datagram).
    assert_eq!(err, recomputed(&err));
    assert!(smoltcp::wire::Ipv4Packet::new_unchecked(&err[28..]).verify_checksum());
    assert_eq!(err[48..56], original[20..28]);
    let v = parse(&err).unwrap();
    assert_eq!((v.src, v.dst, v.icmp_type, v.icmp_code), (router, A, 3, 4));
}

#[test]
fn nat_4a_an_error_quoting_tcp_keeps_the_rest_of_the_quote() {
    let spec = TcpSpec {
        src: SocketAddrV4::new(A, 40000),
        dst: SocketAddrV4::new(B, 443),
        seq: 0xdead_beef,
        ack: 0,
        flags: crate::packet::tcp_flags::ACK,
        window: 1000,
    };
    let original = build::tcp(&spec, &[7; 100], 64, 3).to_vec();
    let mut out = original.clone();
    set_source(&mut out, NAT, Some(2000)).unwrap();
    decrement_ttl(&mut out).unwrap();
    let mut err = build::icmp_error(B, &out, 11, 0, 64).to_vec();
    icmp_error_set_destination(&mut err, A, 40000).unwrap();
    assert_eq!(err, recomputed(&err));
    assert!(smoltcp::wire::Ipv4Packet::new_unchecked(&err[28..]).verify_checksum());
    // The quoted ports and sequence number are the original's; only the
    // TTL (and so the header checksum) shows the NAT's hop.
    assert_eq!(err[48..56], original[20..28]);
    assert_eq!(err[28 + 12..28 + 20], original[12..20]);
    assert_eq!(err[28 + 8], 63);
}

#[test]
fn nat_4a_only_icmp_errors_with_a_sound_quote_are_translated() {
    let echo = build::icmp_echo(
        &EchoSpec {
            src: A,
            dst: B,
            reply: false,
            ident: 7,
            seq: 1,
        },
        b"",
        64,
        0,
    )
    .to_vec();
    let udp = build::udp(SocketAddrV4::new(A, 1), SocketAddrV4::new(B, 2), b"", 64, 0);
    let mut bad = build::icmp_error(B, &udp, 3, 3, 64).to_vec();
    bad[28 + 10] ^= 1; // the quoted header's checksum fails
    let mut short = build::icmp_error(B, &udp, 3, 3, 64).to_vec();
    short.truncate(short.len() - 1); // 7 transport bytes quoted
    let total = u16::try_from(short.len()).unwrap();
    short[2..4].copy_from_slice(&total.to_be_bytes());
    fix_ip_checksum(&mut short);
    for case in [echo, udp.to_vec(), bad, short] {
        assert_eq!(icmp_error_quote(&case), None);
        let mut buf = case.clone();
        assert!(icmp_error_set_destination(&mut buf, NAT, 1).is_err());
        assert!(icmp_error_set_source(&mut buf, NAT, 1).is_err());
        assert_eq!(buf, case, "untouched");
    }
}

/// The source and destination of a case, with its ports (or the echo
/// identifier for both).
fn ends(case: &Case) -> (Ipv4Addr, u16, Ipv4Addr, u16) {
    match &case.kind {
        Kind::Tcp(s) => (*s.src.ip(), s.src.port(), *s.dst.ip(), s.dst.port()),
        Kind::Udp { src, dst, .. } => (*src.ip(), src.port(), *dst.ip(), dst.port()),
        Kind::Echo(e) => (e.src, e.ident, e.dst, e.ident),
    }
}

/// An echo reply whose checksum may cover nothing but zeros once its
/// identifier is 0: RFC 1624's one corner, where an incremental update
/// gives 0x0000 and a recomputation 0xFFFF (see `fix_all_zero_icmp`);
/// a quote holds too little of the message to tell.
fn zero_echo_reply(case: &Case) -> bool {
    matches!(&case.kind, Kind::Echo(e) if e.reply && e.seq == 0)
        && case.payload.iter().all(|&b| b == 0)
}

#[derive(Clone, Debug)]
enum Kind {
    Tcp(TcpSpec),
    Udp {
        src: SocketAddrV4,
        dst: SocketAddrV4,
        no_checksum: bool,
    },
    Echo(EchoSpec),
}

#[derive(Clone, Debug)]
struct Case {
    kind: Kind,
    payload: Vec<u8>,
    ttl: u8,
    ident: u16,
    /// Add a 4-byte IP option (IHL 6).
    options: bool,
    /// Mark as a first fragment (MF set).
    first_fragment: bool,
}

impl Case {
    fn bytes(&self) -> Vec<u8> {
        let mut buf = match &self.kind {
            Kind::Tcp(spec) => build::tcp(spec, &self.payload, self.ttl, self.ident).to_vec(),
            Kind::Udp {
                src,
                dst,
                no_checksum,
            } => {
                let mut b = build::udp(*src, *dst, &self.payload, self.ttl, self.ident).to_vec();
                if *no_checksum {
                    b[26..28].fill(0);
                }
                b
            }
            Kind::Echo(spec) => {
                build::icmp_echo(spec, &self.payload, self.ttl, self.ident).to_vec()
            }
        };
        if self.options {
            buf.splice(20..20, [0x94, 0x04, 0x00, 0x00]);
            buf[0] = 0x46;
            let total = u16::try_from(buf.len()).unwrap();
            buf[2..4].copy_from_slice(&total.to_be_bytes());
        }
        if self.first_fragment {
            buf[6] |= 0x20;
        }
        fix_ip_checksum(&mut buf);
        buf
    }

    /// The case a source would have built to produce the rewritten packet.
    fn rewritten(
        &self,
        src: Option<(Ipv4Addr, Option<u16>)>,
        dst: Option<(Ipv4Addr, Option<u16>)>,
        decrement: bool,
    ) -> Case {
        let mut out = self.clone();
        if decrement {
            out.ttl = out.ttl.saturating_sub(1);
        }
        let endpoint = |sock: &mut SocketAddrV4, change: Option<(Ipv4Addr, Option<u16>)>| {
            if let Some((addr, port)) = change {
                *sock = SocketAddrV4::new(addr, port.unwrap_or(sock.port()));
            }
        };
        match &mut out.kind {
            Kind::Tcp(spec) => {
                endpoint(&mut spec.src, src);
                endpoint(&mut spec.dst, dst);
            }
            Kind::Udp { src: s, dst: d, .. } => {
                endpoint(s, src);
                endpoint(d, dst);
            }
            Kind::Echo(spec) => {
                for (addr, change) in [(&mut spec.src, src), (&mut spec.dst, dst)] {
                    if let Some((a, port)) = change {
                        *addr = a;
                        spec.ident = port.unwrap_or(spec.ident);
                    }
                }
            }
        }
        out
    }
}

fn addr() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn sock() -> impl Strategy<Value = SocketAddrV4> {
    (addr(), any::<u16>()).prop_map(|(a, p)| SocketAddrV4::new(a, p))
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        (
            sock(),
            sock(),
            any::<u32>(),
            any::<u32>(),
            any::<u8>(),
            any::<u16>()
        )
            .prop_map(|(src, dst, seq, ack, flags, window)| Kind::Tcp(TcpSpec {
                src,
                dst,
                seq,
                ack,
                flags,
                window
            })),
        (sock(), sock(), any::<bool>()).prop_map(|(src, dst, no_checksum)| Kind::Udp {
            src,
            dst,
            no_checksum
        }),
        (addr(), addr(), any::<bool>(), any::<u16>(), any::<u16>()).prop_map(
            |(src, dst, reply, ident, seq)| Kind::Echo(EchoSpec {
                src,
                dst,
                reply,
                ident,
                seq
            })
        ),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        kind(),
        proptest::collection::vec(any::<u8>(), 0..64),
        any::<u8>(),
        any::<u16>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(kind, payload, ttl, ident, options, first_fragment)| Case {
                kind,
                payload,
                ttl,
                ident,
                options,
                first_fragment,
            },
        )
}

fn change() -> impl Strategy<Value = Option<(Ipv4Addr, Option<u16>)>> {
    proptest::option::of((addr(), proptest::option::of(any::<u16>())))
}

proptest! {
    #[test]
    fn rewrites_keep_checksums_exact(
        case in case(),
        src in change(),
        dst in change(),
        decrement in any::<bool>(),
    ) {
        let mut buf = case.bytes();
        let before: FlowView = parse(&buf).unwrap();
        if let Some((a, p)) = src {
            set_source(&mut buf, a, p).unwrap();
        }
        if let Some((a, p)) = dst {
            set_destination(&mut buf, a, p).unwrap();
        }
        if decrement {
            prop_assert_eq!(decrement_ttl(&mut buf).unwrap(), before.ttl.saturating_sub(1));
        }

        prop_assert!(ip_header_ok(&buf));
        prop_assert!(transport_checksum_ok(&buf));
        prop_assert_eq!(&buf, &recomputed(&buf));
        prop_assert_eq!(&buf, &case.rewritten(src, dst, decrement).bytes());
        let after = parse(&buf).unwrap();
        prop_assert_eq!(after.payload_len, before.payload_len);
    }

    #[test]
    fn nat_4a_errors_from_outside_translate_back_exactly(
        case in case(),
        nat in addr(),
        nat_port in any::<u16>(),
        router in addr(),
        mtu in 68u16..9001,
    ) {
        prop_assume!(!zero_echo_reply(&case));
        let original = case.bytes();
        let (src, sport, dst, dport) = ends(&case);
        let mut out = original.clone();
        set_source(&mut out, nat, Some(nat_port)).unwrap();
        let mut err = build::icmp_frag_needed(router, &out, mtu, 64).to_vec();
        let q = icmp_error_quote(&err).unwrap();
        prop_assert_eq!((q.src, q.src_port, q.dst), (nat, nat_port, dst));
        prop_assert_eq!(q.dst_port, if matches!(case.kind, Kind::Echo(_)) { nat_port } else { dport });
        icmp_error_set_destination(&mut err, src, sport).unwrap();
        prop_assert_eq!(&err, &build::icmp_frag_needed(router, &original, mtu, 64).to_vec());
    }

    #[test]
    fn nat_4a_errors_from_inside_translate_out_exactly(
        case in case(),
        inside in addr(),
        inside_port in any::<u16>(),
    ) {
        // `case` is a reply as the remote sent it to the NAT's address
        // and port; the NAT hands it to `inside`, which answers with an
        // error about it.
        prop_assume!(!zero_echo_reply(&case));
        let reply = case.bytes();
        let (_, _, nat, nat_port) = ends(&case);
        let mut inn = reply.clone();
        set_destination(&mut inn, inside, Some(inside_port)).unwrap();
        let mut err = build::icmp_error(inside, &inn, 3, 3, 64).to_vec();
        icmp_error_set_source(&mut err, nat, nat_port).unwrap();
        prop_assert_eq!(&err, &build::icmp_error(nat, &reply, 3, 3, 64).to_vec());
    }

    #[test]
    fn rewrites_never_panic(
        buf in proptest::collection::vec(any::<u8>(), 0..96),
        a in addr(),
        p in proptest::option::of(any::<u16>()),
    ) {
        let mut b = buf.clone();
        let _ = set_source(&mut b, a, p);
        let _ = set_destination(&mut b, a, p);
        let _ = decrement_ttl(&mut b);
    }

    #[test]
    fn rewrites_never_panic_on_plausible_headers(
        mut buf in proptest::collection::vec(any::<u8>(), 20..96),
        ihl in 5u8..=7,
        proto in prop::sample::select(vec![crate::packet::PROTO_ICMP, crate::packet::PROTO_TCP, PROTO_UDP]),
        icmp_type in prop::sample::select(vec![ICMP_ECHO_REPLY, 3, 8]),
        a in addr(),
        p in proptest::option::of(any::<u16>()),
    ) {
        let total = u16::try_from(buf.len()).unwrap();
        buf[0] = 0x40 | ihl;
        buf[2..4].copy_from_slice(&total.to_be_bytes());
        buf[9] = proto;
        let hl = usize::from(ihl) * 4;
        if let Some(t) = buf.get_mut(hl) {
            if proto == crate::packet::PROTO_ICMP {
                *t = icmp_type;
            }
        }
        let orig = buf.clone();
        let ok = set_source(&mut buf, a, p).is_ok();
        // Untouched on failure.
        if !ok {
            prop_assert_eq!(&buf, &orig);
        }
        let _ = set_destination(&mut buf, a, p);
        let _ = decrement_ttl(&mut buf);
    }
}

/// TGW-7: a transit gateway lowers a SYN's MSS to what its 8500-byte MTU
/// carries, with the checksum as a recomputation gives it; a SYN that
/// offers less, or a segment that is not a SYN, is left alone.
#[test]
fn clamp_mss_lowers_a_syns_offer_only() {
    let spec = |flags| TcpSpec {
        src: SocketAddrV4::new(A, 40000),
        dst: SocketAddrV4::new(B, 443),
        seq: 7,
        ack: 0,
        flags,
        window: 62727,
    };
    let syn = crate::packet::tcp_flags::SYN;
    let ack = crate::packet::tcp_flags::ACK;
    let mss = |b: &[u8]| build::tcp_mss_option(&b[20..]);
    for bytes in [
        build::tcp_syn(&spec(syn), 8961, 64, 0),
        build::tcp_syn_scaled(&spec(syn | ack), 8961, 7, 64, 0),
    ] {
        let mut buf = bytes.to_vec();
        assert_eq!(clamp_mss(&mut buf, 8460), Ok(true));
        assert_eq!(mss(&buf), Some(8460));
        assert_consistent(&buf);
        assert_eq!(clamp_mss(&mut buf, 8460), Ok(false));
        assert_eq!(clamp_mss(&mut buf, 9000), Ok(false));
        assert_eq!(mss(&buf), Some(8460));
    }
    // After one NOP the option's value sits at an odd offset.
    let mut odd = build::tcp_syn_scaled(&spec(syn), 8961, 7, 64, 0).to_vec();
    odd[20..28].copy_from_slice(&[1, 2, 4, 0x23, 0x01, 3, 3, 7]);
    let odd = recomputed(&odd);
    assert_consistent(&odd);
    let mut buf = odd.to_vec();
    assert_eq!(clamp_mss(&mut buf, 8460), Ok(true));
    assert_eq!(mss(&buf), Some(8460));
    assert_consistent(&buf);
    let small = build::tcp_syn(&spec(syn), 1460, 64, 0).to_vec();
    let mut buf = small.clone();
    assert_eq!(clamp_mss(&mut buf, 8460), Ok(false));
    assert_eq!(buf, small);
    let data = build::tcp(&spec(ack), &[1; 100], 64, 0).to_vec();
    let mut buf = data.clone();
    assert_eq!(clamp_mss(&mut buf, 536), Ok(false));
    assert_eq!(buf, data);
}
