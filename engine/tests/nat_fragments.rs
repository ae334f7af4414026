//! NAT-4: a NAT gateway translates TCP, UDP and ICMP echo; fragmented UDP is
//! forwarded, fragmented TCP and ICMP are dropped, other protocols too.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use vpcsim::dataplane::{Host, Loc, Network, Place, Step};
use vpcsim::model::{self, Component, DropReason};
use vpcsim::packet::{self, build, tcp_flags};
use vpcsim::units::Nanos;

fn network() -> Network {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/explain/nat.toml");
    let loaded = model::load_file(std::path::Path::new(path)).expect("fixture loads");
    Network::new(Arc::new(loaded.design))
}

fn app(net: &Network) -> (Host, Ipv4Addr) {
    let d = &net.design;
    let Some(Component::Instance(i)) = d.lookup("app") else {
        panic!("the fixture has an instance `app`")
    };
    (Host::Instance(i), d.enis[d.instances[i.idx()].eni.idx()].ip)
}

/// Sets the more-fragments flag and the fragment offset (in 8-byte units),
/// and fixes the header checksum.
fn fragment(buf: &mut [u8], more: bool, offset: u16) {
    let field = (u16::from(more) << 13) | offset;
    buf[6..8].copy_from_slice(&field.to_be_bytes());
    buf[10..12].copy_from_slice(&[0, 0]);
    let ihl = usize::from(buf[0] & 0x0f) * 4;
    let sum = packet::checksum::compute(&buf[..ihl]);
    buf[10..12].copy_from_slice(&sum.to_be_bytes());
}

const API: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 34);

fn nat_place(net: &Network) -> Place {
    Place::Component(net.design.lookup("nat-a").expect("nat-a"))
}

#[test]
fn nat_4_first_fragment_of_udp_is_translated_and_forwarded() {
    let mut net = network();
    let (host, ip) = app(&net);
    let mut buf = build::udp(
        SocketAddrV4::new(ip, 40000),
        SocketAddrV4::new(API, 53),
        &[7u8; 64],
        64,
        9,
    )
    .to_vec();
    fragment(&mut buf, true, 0);
    let w = net.walk(&mut buf, Loc::HostOut(host), Nanos::ZERO);
    assert!(
        matches!(w.end, Step::Deliver(Host::External(_))),
        "{:?}",
        w.end
    );
    let v = packet::parse(&buf).unwrap();
    assert_eq!(
        v.src,
        Ipv4Addr::new(3, 35, 0, 10),
        "the Elastic IP after the IGW"
    );
}

#[test]
fn nat_4_later_fragment_of_udp_is_forwarded() {
    let mut net = network();
    let (host, ip) = app(&net);
    let mut buf = build::udp(
        SocketAddrV4::new(ip, 40000),
        SocketAddrV4::new(API, 53),
        &[7u8; 64],
        64,
        9,
    )
    .to_vec();
    fragment(&mut buf, false, 3);
    let w = net.walk(&mut buf, Loc::HostOut(host), Nanos::ZERO);
    assert!(
        matches!(w.end, Step::Deliver(Host::External(_))),
        "{:?}",
        w.end
    );
}

#[test]
fn nat_4_fragmented_tcp_is_dropped() {
    let mut net = network();
    let (host, ip) = app(&net);
    let spec = build::TcpSpec {
        src: SocketAddrV4::new(ip, 40000),
        dst: SocketAddrV4::new(API, 443),
        seq: 1,
        ack: 0,
        flags: tcp_flags::SYN,
        window: 1000,
    };
    let mut buf = build::tcp(&spec, &[1u8; 32], 64, 9).to_vec();
    fragment(&mut buf, true, 0);
    let w = net.walk(&mut buf, Loc::HostOut(host), Nanos::ZERO);
    match w.end {
        Step::Drop(d) => {
            assert_eq!(d.reason, DropReason::ProtocolNotSupported);
            assert_eq!(d.place, nat_place(&net));
        }
        other => panic!("expected a drop, got {other:?}"),
    }
}

#[test]
fn nat_4_fragmented_icmp_is_dropped() {
    let mut net = network();
    let (host, ip) = app(&net);
    let spec = build::EchoSpec {
        src: ip,
        dst: API,
        reply: false,
        ident: 7,
        seq: 1,
    };
    let mut buf = build::icmp_echo(&spec, &[0u8; 32], 64, 9).to_vec();
    fragment(&mut buf, true, 0);
    let w = net.walk(&mut buf, Loc::HostOut(host), Nanos::ZERO);
    match w.end {
        Step::Drop(d) => {
            assert_eq!(d.reason, DropReason::ProtocolNotSupported);
            assert_eq!(d.place, nat_place(&net));
        }
        other => panic!("expected a drop, got {other:?}"),
    }
}

#[test]
fn nat_4_other_protocols_are_dropped() {
    let mut net = network();
    let (host, ip) = app(&net);
    // A GRE packet (protocol 47): a valid IPv4 header and a few bytes.
    let mut buf = build::udp(
        SocketAddrV4::new(ip, 1),
        SocketAddrV4::new(API, 1),
        &[0u8; 16],
        64,
        9,
    )
    .to_vec();
    buf[9] = 47;
    fragment(&mut buf, false, 0);
    let w = net.walk(&mut buf, Loc::HostOut(host), Nanos::ZERO);
    match w.end {
        Step::Drop(d) => {
            assert_eq!(d.reason, DropReason::ProtocolNotSupported);
            assert_eq!(d.place, nat_place(&net));
        }
        other => panic!("expected a drop, got {other:?}"),
    }
}

/// A host's packet starts at the way out of its ENI, where the step out
/// of the host would take it, unless it is a fragment (MTU-3: the ports of
/// a first fragment are kept for the later ones, at the step).
#[test]
fn mtu_3_host_packets_start_at_their_eni_unless_fragments() {
    let mut net = network();
    let (host, ip) = app(&net);
    let whole = build::udp(
        SocketAddrV4::new(ip, 40000),
        SocketAddrV4::new(API, 53),
        &[7u8; 64],
        64,
        9,
    )
    .to_vec();
    let start = vpcsim::dataplane::host_start(&net.design, &whole, host);
    let mut buf = whole.clone();
    let step = net.step(
        &mut buf,
        Loc::HostOut(host),
        Nanos::ZERO,
        &mut vpcsim::dataplane::NoTrace,
    );
    match step {
        Step::Next { loc, .. } => assert_eq!(start, loc),
        other => panic!("expected the host's ENI, got {other:?}"),
    }
    assert!(matches!(start, Loc::EniOut(_)), "{start:?}");
    for (more, offset) in [(true, 0), (true, 8), (false, 8)] {
        let mut frag = whole.clone();
        fragment(&mut frag, more, offset);
        assert_eq!(
            vpcsim::dataplane::host_start(&net.design, &frag, host),
            Loc::HostOut(host),
            "more {more} offset {offset}"
        );
    }
    // A host outside every VPC starts where it is.
    let outside = Host::Internet(API);
    assert_eq!(
        vpcsim::dataplane::host_start(&net.design, &whole, outside),
        Loc::HostOut(outside)
    );
}
