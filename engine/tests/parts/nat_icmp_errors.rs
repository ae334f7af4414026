//! NAT-4a: a NAT gateway translates ICMP errors about its connections, with
//! the packet they quote, so that path MTU discovery works for a host
//! behind it (MTU-4); an error that quotes no connection is dropped.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use bytes::Bytes;
use vpcsim::dataplane::{Hop, Host, Loc, Network, Place, Step, Trace};
use vpcsim::model::{self, Component, Design, DropReason};
use vpcsim::packet::{self, build, checksum, tcp_flags};
use vpcsim::sim::{self, RunOptions};
use vpcsim::units::Nanos;

/// A private subnet with a public NAT gateway to the internet and a
/// private NAT gateway to a VPC in another Region, over an inter-Region
/// peering (8500 bytes). The app's security group admits ICMP
/// "fragmentation needed", as AWS advises for path MTU discovery.
const DESIGN: &str = r#"
[scenario]
name = "ICMP errors through NAT gateways"
duration = "12s"
seed = 3
region = "us-east-1"

[[vpc]]
id = "vpc-main"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "vpc-west"
cidrs = ["10.2.0.0/16"]

[[vpc_peering]]
id = "pcx-west"
requester = "vpc-main"
accepter = "vpc-west"
peer_region = "eu-west-1"

[[subnet]]
id = "public-a"
vpc = "vpc-main"
cidr = "10.0.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private-a"
vpc = "vpc-main"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-private"

[[subnet]]
id = "transit-a"
vpc = "vpc-main"
cidr = "10.0.2.0/24"
az = "us-east-1a"
route_table = "rt-transit"

[[subnet]]
id = "west-app"
vpc = "vpc-west"
cidr = "10.2.1.0/24"
az = "us-east-1b"
route_table = "rt-west"

[[route_table]]
id = "rt-public"
vpc = "vpc-main"
routes = [ { destination = "0.0.0.0/0", target = "igw-main" } ]

[[route_table]]
id = "rt-private"
vpc = "vpc-main"
routes = [
  { destination = "0.0.0.0/0", target = "nat-a" },
  { destination = "10.2.0.0/16", target = "nat-west" },
]

[[route_table]]
id = "rt-transit"
vpc = "vpc-main"
routes = [ { destination = "10.2.0.0/16", target = "pcx-west" } ]

[[route_table]]
id = "rt-west"
vpc = "vpc-west"
routes = [ { destination = "10.0.0.0/16", target = "pcx-west" } ]

[[internet_gateway]]
id = "igw-main"
vpc = "vpc-main"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"
private_ip = "10.0.0.5"

[[nat_gateway]]
id = "nat-west"
subnet = "transit-a"
connectivity = "private"
private_ip = "10.0.2.5"

[[security_group]]
id = "sg-app"
vpc = "vpc-main"
ingress = [ { protocol = "icmp", icmp_type = 3, icmp_code = 4, cidr = "0.0.0.0/0" } ]

[[security_group]]
id = "sg-api"
vpc = "vpc-west"
ingress = [ { protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" } ]

[[instance]]
id = "app"
subnet = "private-a"
private_ip = "10.0.1.10"
security_groups = ["sg-app"]

[[instance]]
id = "api-west"
subnet = "west-app"
private_ip = "10.2.1.20"
security_groups = ["sg-api"]
listen = [ { protocol = "tcp", port = 443 } ]

[[external_host]]
id = "api-example"
ip = "93.184.216.34"
listen = [ { protocol = "tcp", port = 443 }, { protocol = "udp", port = 53 } ]

[[traffic]]
id = "upload-west"
from = "app"
to = "api-west"
port = 443
rate = "2/s"
request = "256KiB"
response = "1KiB"
timeout = "5s"
stop = "6s"
"#;

const API: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 34);
const EIP: Ipv4Addr = Ipv4Addr::new(3, 35, 0, 10);
const NAT_A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 5);

fn design() -> Arc<Design> {
    Arc::new(
        model::load_str("nat-icmp.toml", DESIGN)
            .expect("the design loads")
            .design,
    )
}

fn app(d: &Design) -> (Host, Ipv4Addr) {
    let Some(Component::Instance(i)) = d.lookup("app") else {
        panic!("no instance app")
    };
    (Host::Instance(i), d.enis[d.instances[i.idx()].eni.idx()].ip)
}

fn place(d: &Design, name: &str) -> Place {
    Place::Component(d.lookup(name).expect(name))
}

/// Records hops and the packets components made.
#[derive(Default)]
struct Catch {
    hops: Vec<Hop>,
    emitted: Vec<(Bytes, Loc)>,
}

impl Trace for Catch {
    fn hop(&mut self, hop: Hop) {
        self.hops.push(hop);
    }
    fn wants_emitted(&self) -> bool {
        true
    }
    fn emitted(&mut self, packet: Bytes, at: Loc) {
        self.emitted.push((packet, at));
    }
}

/// Steps a packet from `start` to its end.
fn follow(net: &mut Network, buf: &mut [u8], start: Loc, tr: &mut Catch) -> Step {
    let mut loc = start;
    for _ in 0..64 {
        match net.step(buf, loc, Nanos::ZERO, tr) {
            Step::Next { loc: next, .. } => loc = next,
            end => return end,
        }
    }
    panic!("no end")
}

fn tcp(from: Ipv4Addr, flags: u8, total: usize) -> Vec<u8> {
    let spec = build::TcpSpec {
        src: SocketAddrV4::new(from, 40000),
        dst: SocketAddrV4::new(API, 443),
        seq: 1,
        ack: 0,
        flags,
        window: 65535,
    };
    build::tcp(&spec, &vec![0x5a; total - 40], 64, 1).to_vec()
}

fn udp(from: SocketAddrV4, to: SocketAddrV4, size: usize) -> Vec<u8> {
    build::udp(from, to, &vec![0xa5; size], 64, 77).to_vec()
}

/// The quoted IPv4 header of an ICMP error has a valid checksum.
fn quoted_header_ok(icmp: &[u8]) -> bool {
    let ihl = usize::from(icmp[28] & 0x0f) * 4;
    checksum::sum(&icmp[28..28 + ihl]) == 0xffff
}

/// Sends `big` (DF set) from the app through the public NAT gateway; the
/// internet gateway drops it and answers "fragmentation needed", which is
/// followed to its end. Returns that end and the ICMP as it arrived.
fn frag_needed_through_nat(net: &mut Network, big: Vec<u8>) -> (Step, Vec<u8>) {
    let d = Arc::clone(&net.design);
    let (h, _) = app(&d);
    let mut buf = big;
    let mut tr = Catch::default();
    let end = follow(net, &mut buf, Loc::HostOut(h), &mut tr);
    assert!(
        matches!(end, Step::Drop(x) if x.reason == DropReason::PacketTooBig && x.place == place(&d, "igw-main")),
        "{end:?}"
    );
    assert_eq!(tr.emitted.len(), 1);
    let (icmp, at) = &tr.emitted[0];
    let v = packet::parse(icmp).unwrap();
    assert_eq!((v.src, v.dst), (API, NAT_A), "to the NAT gateway's address");
    let mut icmp = icmp.to_vec();
    let end = follow(net, &mut icmp, *at, &mut Catch::default());
    (end, icmp)
}

#[test]
fn nat_4a_fragmentation_needed_for_tcp_reaches_the_host_behind_the_nat_gateway() {
    let d = design();
    let mut net = Network::new(Arc::clone(&d));
    let (h, ip) = app(&d);
    // The handshake makes the mapping.
    let mut syn = tcp(ip, tcp_flags::SYN, 40);
    let end = follow(&mut net, &mut syn, Loc::HostOut(h), &mut Catch::default());
    assert!(matches!(end, Step::Deliver(Host::External(_))), "{end:?}");
    let nat_port = packet::parse(&syn).unwrap().src_port;
    let big = tcp(ip, tcp_flags::ACK, 9001);
    let (end, icmp) = frag_needed_through_nat(&mut net, big.clone());
    assert_eq!(end, Step::Deliver(h), "the ICMP reaches the app");
    let v = packet::parse(&icmp).unwrap();
    assert_eq!((v.src, v.dst, v.icmp_type, v.icmp_code), (API, ip, 3, 4));
    assert_eq!(&icmp[26..28], &1500u16.to_be_bytes(), "next-hop MTU");
    // The quote is the app's own segment again: its address, port and
    // sequence number, every checksum sound.
    let q = packet::icmp_error_quote(&icmp).unwrap();
    assert_eq!(
        (q.src, q.src_port, q.dst, q.dst_port),
        (ip, 40000, API, 443)
    );
    assert_eq!(&icmp[48..56], &big[20..28]);
    assert!(quoted_header_ok(&icmp));
    assert!(packet::transport_checksum_ok(&icmp));
    assert_ne!(nat_port, 0);
}

#[test]
fn nat_4a_fragmentation_needed_for_a_udp_datagram_with_df_set() {
    let d = design();
    let mut net = Network::new(Arc::clone(&d));
    let (h, ip) = app(&d);
    let mut big = udp(
        SocketAddrV4::new(ip, 40000),
        SocketAddrV4::new(API, 53),
        4000,
    );
    // DF set, as a sender doing its own path MTU discovery sends it.
    big[6] |= 0x40;
    big[10..12].fill(0);
    let c = checksum::compute(&big[..20]);
    big[10..12].copy_from_slice(&c.to_be_bytes());
    let (end, icmp) = frag_needed_through_nat(&mut net, big.clone());
    assert_eq!(end, Step::Deliver(h));
    let v = packet::parse(&icmp).unwrap();
    assert_eq!((v.dst, v.icmp_type, v.icmp_code), (ip, 3, 4));
    // The quoted UDP header, checksum included, is the app's own again.
    assert_eq!(&icmp[48..56], &big[20..28]);
    assert_eq!(&icmp[28 + 12..28 + 20], &big[12..20]);
    assert!(quoted_header_ok(&icmp));
    assert!(packet::transport_checksum_ok(&icmp));
}

#[test]
fn nat_4a_an_icmp_error_quoting_no_connection_is_dropped() {
    let d = design();
    let mut net = Network::new(Arc::clone(&d));
    // An error about a packet the gateway never sent: from port 5555.
    let never = udp(
        SocketAddrV4::new(EIP, 5555),
        SocketAddrV4::new(API, 53),
        100,
    );
    let mut icmp = build::icmp_frag_needed(API, &never, 1400, 64).to_vec();
    let mut tr = Catch::default();
    let end = follow(&mut net, &mut icmp, Loc::Internet, &mut tr);
    assert!(
        matches!(end, Step::Drop(x) if x.reason == DropReason::PortUnreachable && x.place == place(&d, "nat-a")),
        "{end:?}"
    );
}

#[test]
fn nat_4a_a_port_unreachable_from_inside_leaves_from_the_gateway() {
    let d = design();
    let mut net = Network::new(Arc::clone(&d));
    let (h, ip) = app(&d);
    let mut out = udp(SocketAddrV4::new(ip, 40000), SocketAddrV4::new(API, 53), 32);
    let end = follow(&mut net, &mut out, Loc::HostOut(h), &mut Catch::default());
    assert!(matches!(end, Step::Deliver(Host::External(_))), "{end:?}");
    let nat_port = packet::parse(&out).unwrap().src_port;
    // The reply comes back and reaches the app, whose socket has closed.
    let mut reply = udp(
        SocketAddrV4::new(API, 53),
        SocketAddrV4::new(EIP, nat_port),
        32,
    );
    let end = follow(&mut net, &mut reply, Loc::Internet, &mut Catch::default());
    assert_eq!(end, Step::Deliver(h));
    let mut icmp = build::icmp_error(ip, &reply, 3, 3, 64).to_vec();
    let mut tr = Catch::default();
    let end = follow(&mut net, &mut icmp, Loc::HostOut(h), &mut tr);
    assert!(matches!(end, Step::Deliver(Host::External(_))), "{end:?}");
    let v = packet::parse(&icmp).unwrap();
    assert_eq!((v.src, v.dst, v.icmp_type, v.icmp_code), (EIP, API, 3, 3));
    // The quote is the reply as the gateway received it: to its port.
    let q = packet::icmp_error_quote(&icmp).unwrap();
    assert_eq!((q.src, q.src_port, q.dst_port), (API, 53, nat_port));
    assert!(quoted_header_ok(&icmp));
    assert!(packet::transport_checksum_ok(&icmp));
    assert!(
        tr.hops
            .iter()
            .any(|x| x.place == place(&d, "nat-a") && x.view.src == NAT_A),
        "translated at the NAT gateway"
    );
}

#[test]
fn nat_4a_path_mtu_discovery_through_a_private_nat_gateway_and_a_peering() {
    let d = design();
    // A full-size segment does not fit the inter-Region peering: path MTU
    // discovery has to work through the NAT gateway for any upload to end.
    let Some(Component::Instance(i)) = d.lookup("api-west") else {
        panic!("api-west")
    };
    let west = d.enis[d.instances[i.idx()].eni.idx()].ip;
    let (h, ip) = app(&d);
    let mut net = Network::new(Arc::clone(&d));
    let spec = |flags: u8| build::TcpSpec {
        src: SocketAddrV4::new(ip, 40000),
        dst: SocketAddrV4::new(west, 443),
        seq: 1,
        ack: 0,
        flags,
        window: 65535,
    };
    let mut syn = build::tcp(&spec(tcp_flags::SYN), &[], 64, 1).to_vec();
    let end = follow(&mut net, &mut syn, Loc::HostOut(h), &mut Catch::default());
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    let mut big = build::tcp(&spec(tcp_flags::ACK), &vec![0; 9001 - 40], 64, 1).to_vec();
    let mut tr = Catch::default();
    let end = follow(&mut net, &mut big, Loc::HostOut(h), &mut tr);
    assert!(
        matches!(end, Step::Drop(x) if x.reason == DropReason::PacketTooBig && x.place == place(&d, "pcx-west")),
        "{end:?}"
    );
    let (icmp, at) = &tr.emitted[0];
    let mut icmp = icmp.to_vec();
    let end = follow(&mut net, &mut icmp, *at, &mut Catch::default());
    assert_eq!(end, Step::Deliver(h), "the ICMP reaches the app");

    // The run: the app offers an MSS of 8,961, so does the API; the first
    // large segment meets the 8500-byte peering, the ICMP comes back
    // through the NAT gateway, the app lowers its MSS and every upload
    // completes.
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = d
        .traffic
        .iter()
        .position(|t| t.name == "upload-west")
        .unwrap();
    let m = &out.metrics.traffic[t];
    assert!(m.started >= 10, "{}", m.started);
    assert_eq!(m.failed, 0, "{:?}", m.failures);
    assert_eq!(m.delivered + m.unfinished, m.started);
    assert!(m.delivered >= 10, "{}", m.delivered);
}

/// NAT-1, NAT-2: `explain` names the public gateway's translation by NAT-1
/// and the private gateway's by NAT-2.
#[test]
fn nat_2_a_private_nat_gateways_translation_is_named_by_nat_2() {
    use vpcsim::dataplane::{AwsRule, Rule};
    use vpcsim::explain::{self, Query};
    let translated = |to: &str, nat: &str| {
        let q = Query {
            from: "app".to_string(),
            to: to.to_string(),
            protocol: explain::protocol_number("tcp").expect("tcp"),
            port: Some(443),
            icmp_type: None,
            icmp_code: None,
            at: Nanos::ZERO,
            enter: None,
        };
        let d = model::load_str("nat-icmp.toml", DESIGN)
            .expect("the design loads")
            .design;
        let e = explain::explain(d, &q).expect("explain");
        let h = e
            .hops
            .iter()
            .find(|h| h.component == nat)
            .unwrap_or_else(|| panic!("no hop at {nat}"))
            .clone();
        (h.decided_by, h.rule.unwrap_or_default())
    };
    let (rule, words) = translated("api-west", "nat-west");
    assert_eq!(rule, Rule::Aws(AwsRule::NatSource { public: false }));
    assert!(words.ends_with("(NAT-2)"), "{words}");
    let (rule, words) = translated("api-example", "nat-a");
    assert_eq!(rule, Rule::Aws(AwsRule::NatSource { public: true }));
    assert!(words.ends_with("(NAT-1)"), "{words}");
}
