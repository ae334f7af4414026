//! MTU-1..MTU-5: the MTU of every link, fragments and their reassembly,
//! path MTU discovery with and without the ICMP allowed, and TCP's MSS.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use bytes::Bytes;
use vpcsim::dataplane::{Entry, Hop, Host, Loc, Network, Place, Step, Trace};
use vpcsim::model::{self, Component, Design, DropReason};
use vpcsim::packet::{self, Fragment, build};
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;
use vpcsim::units::Nanos;

/// One VPC with every kind of link: an internet gateway, peerings within
/// and across Regions, a VPN, a gateway endpoint and an interface endpoint.
const LINKS: &str = r#"
[scenario]
name = "links"
duration = "1s"
region = "us-east-1"

[[vpc]]
id = "vpc-a"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-b"
cidrs = ["10.2.0.0/16"]

[[vpc]]
id = "vpc-c"
cidrs = ["10.3.0.0/16"]

[[vpc_peering]]
id = "pcx-b"
requester = "vpc-a"
accepter = "vpc-b"

[[vpc_peering]]
id = "pcx-c"
requester = "vpc-a"
accepter = "vpc-c"
peer_region = "eu-west-1"

[[subnet]]
id = "a-1"
vpc = "vpc-a"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-a"

[[subnet]]
id = "b-1"
vpc = "vpc-b"
cidr = "10.2.1.0/24"
az = "us-east-1a"
route_table = "rt-b"

[[subnet]]
id = "c-1"
vpc = "vpc-c"
cidr = "10.3.1.0/24"
az = "us-east-1a"
route_table = "rt-c"

[[route_table]]
id = "rt-a"
vpc = "vpc-a"
routes = [
  { destination = "0.0.0.0/0", target = "igw-a" },
  { destination = "10.2.0.0/16", target = "pcx-b" },
  { destination = "10.3.0.0/16", target = "pcx-c" },
  { destination = "192.168.0.0/16", target = "vgw-a" },
]

[[route_table]]
id = "rt-b"
vpc = "vpc-b"
routes = [ { destination = "10.1.0.0/16", target = "pcx-b" } ]

[[route_table]]
id = "rt-c"
vpc = "vpc-c"
routes = [ { destination = "10.1.0.0/16", target = "pcx-c" } ]

[[internet_gateway]]
id = "igw-a"
vpc = "vpc-a"

[[vpn_gateway]]
id = "vgw-a"
vpc = "vpc-a"

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw-a"

[[onprem_host]]
id = "office-host"
network = "office"
ip = "192.168.1.5"
listen = [ { protocol = "tcp", port = 443 } ]

[[vpc_endpoint]]
id = "vpce-s3"
type = "gateway"
vpc = "vpc-a"
service = "s3"
route_tables = ["rt-a"]

[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "vpc-a"
service = "sqs"
subnets = ["a-1"]
security_groups = ["sg-open-a"]

[[aws_service]]
id = "s3"
service = "s3"
ips = ["52.216.8.10"]

[[security_group]]
id = "sg-open-a"
vpc = "vpc-a"
ingress = [ { protocol = "all", cidr = "0.0.0.0/0" } ]

[[security_group]]
id = "sg-open-b"
vpc = "vpc-b"
ingress = [ { protocol = "all", cidr = "0.0.0.0/0" } ]

[[security_group]]
id = "sg-open-c"
vpc = "vpc-c"
ingress = [ { protocol = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "web"
subnet = "a-1"
private_ip = "10.1.1.10"
public_ip = "3.80.0.10"
security_groups = ["sg-open-a"]
listen = [ { protocol = "tcp", port = 443 }, { protocol = "udp", port = 9000 } ]

[[instance]]
id = "small"
subnet = "a-1"
private_ip = "10.1.1.11"
security_groups = ["sg-open-a"]
mtu = 1500

[[instance]]
id = "peer-b"
subnet = "b-1"
private_ip = "10.2.1.10"
security_groups = ["sg-open-b"]
listen = [ { protocol = "tcp", port = 443 } ]

[[instance]]
id = "peer-c"
subnet = "c-1"
private_ip = "10.3.1.10"
security_groups = ["sg-open-c"]
listen = [ { protocol = "tcp", port = 443 } ]

[[external_host]]
id = "site"
ip = "93.184.216.34"
listen = [ { protocol = "tcp", port = 443 }, { protocol = "udp", port = 9000 } ]
"#;

fn design() -> Arc<Design> {
    Arc::new(
        model::load_str("links.toml", LINKS)
            .expect("the design loads")
            .design,
    )
}

fn instance(d: &Design, name: &str) -> (Host, Ipv4Addr) {
    let Some(Component::Instance(i)) = d.lookup(name) else {
        panic!("no instance {name}")
    };
    (Host::Instance(i), d.enis[d.instances[i.idx()].eni.idx()].ip)
}

fn place(d: &Design, name: &str) -> Place {
    Place::Component(d.lookup(name).expect(name))
}

/// A TCP segment (DF set) of `total` bytes from `from` to `to`:443.
fn tcp(from: Ipv4Addr, to: Ipv4Addr, total: usize) -> Vec<u8> {
    let spec = build::TcpSpec {
        src: SocketAddrV4::new(from, 40000),
        dst: SocketAddrV4::new(to, 443),
        seq: 1,
        ack: 0,
        flags: packet::tcp_flags::ACK,
        window: 65535,
    };
    build::tcp(&spec, &vec![0x5a; total - 40], 64, 1).to_vec()
}

/// A UDP datagram (DF clear) with `size` payload bytes.
fn udp(from: Ipv4Addr, to: Ipv4Addr, size: usize) -> Vec<u8> {
    build::udp(
        SocketAddrV4::new(from, 40000),
        SocketAddrV4::new(to, 9000),
        &vec![0xa5; size],
        64,
        77,
    )
    .to_vec()
}

/// Records hops, the packets components made and the fragments links cut.
#[derive(Default)]
struct Catch {
    hops: Vec<Hop>,
    emitted: Vec<(Bytes, Loc)>,
    fragments: Vec<(Bytes, Loc)>,
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
    fn fragment(&mut self, packet: Bytes, at: Loc) {
        self.fragments.push((packet, at));
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

fn walk(d: &Arc<Design>, from: &str, mut buf: Vec<u8>) -> (Step, Catch, Vec<u8>) {
    let mut net = Network::new(Arc::clone(d));
    let (h, _) = instance(d, from);
    let mut tr = Catch::default();
    let end = follow(&mut net, &mut buf, Loc::HostOut(h), &mut tr);
    (end, tr, buf)
}

fn too_big_at(end: &Step, at: Place) -> bool {
    matches!(end, Step::Drop(x) if x.reason == DropReason::PacketTooBig && x.place == at)
}

#[test]
fn mtu_1_within_a_vpc_9001_bytes_pass() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let (_, small) = instance(&d, "small");
    let (end, _, _) = walk(&d, "small", tcp(small, web, 1500));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    let (peer_host, _) = instance(&d, "web");
    let (end, _, _) = walk(&d, "web", tcp(web, small, 9001));
    assert!(matches!(end, Step::Deliver(h) if h != peer_host), "{end:?}");
    assert_eq!(d.mtu_floor, 1500);
}

#[test]
fn mtu_1_internet_gateway_carries_1500() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let site = Ipv4Addr::new(93, 184, 216, 34);
    let (end, _, _) = walk(&d, "web", tcp(web, site, 1500));
    assert!(matches!(end, Step::Deliver(Host::External(_))), "{end:?}");
    let (end, _, _) = walk(&d, "web", tcp(web, site, 1501));
    assert!(too_big_at(&end, place(&d, "igw-a")), "{end:?}");
}

#[test]
fn mtu_1_peering_9001_within_a_region_8500_across() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let (_, b) = instance(&d, "peer-b");
    let (_, c) = instance(&d, "peer-c");
    let (end, _, _) = walk(&d, "web", tcp(web, b, 9001));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    let (end, _, _) = walk(&d, "web", tcp(web, c, 8500));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    let (end, _, _) = walk(&d, "web", tcp(web, c, 8501));
    assert!(too_big_at(&end, place(&d, "pcx-c")), "{end:?}");
}

#[test]
fn mtu_1_vpn_carries_1500() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let office = Ipv4Addr::new(192, 168, 1, 5);
    let (end, _, _) = walk(&d, "web", tcp(web, office, 1500));
    assert!(matches!(end, Step::Deliver(Host::Onprem(_))), "{end:?}");
    let (end, _, _) = walk(&d, "web", tcp(web, office, 1501));
    assert!(too_big_at(&end, place(&d, "vgw-a")), "{end:?}");
}

#[test]
fn mtu_1_gateway_endpoint_8500_dropped_in_silence() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let s3 = Ipv4Addr::new(52, 216, 8, 10);
    let (end, _, _) = walk(&d, "web", tcp(web, s3, 8500));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    let (end, tr, _) = walk(&d, "web", tcp(web, s3, 8501));
    assert!(too_big_at(&end, place(&d, "vpce-s3")), "{end:?}");
    assert!(tr.emitted.is_empty(), "no ICMP from a VPC endpoint");
}

#[test]
fn ife_5_interface_endpoint_8500_dropped_in_silence() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let Some(Component::Endpoint(ep)) = d.lookup("vpce-sqs") else {
        panic!("vpce-sqs")
    };
    let eni = (0..d.enis.len())
        .find(|&i| matches!(d.enis[i].owner, model::EniOwner::Endpoint(e) if e == ep))
        .expect("the endpoint's ENI");
    let ip = d.enis[eni].ip;
    let (end, _, _) = walk(&d, "web", tcp(web, ip, 8500));
    assert!(matches!(end, Step::Deliver(Host::Endpoint(..))), "{end:?}");
    let (end, tr, _) = walk(&d, "web", tcp(web, ip, 8501));
    assert!(
        matches!(end, Step::Drop(x) if x.reason == DropReason::PacketTooBig),
        "{end:?}"
    );
    assert!(tr.emitted.is_empty(), "no ICMP from an interface endpoint");
}

#[test]
fn mtu_2_an_instance_sends_no_more_than_its_interface_mtu() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let (_, small) = instance(&d, "small");
    let (end, _, _) = walk(&d, "small", tcp(small, web, 1501));
    assert!(too_big_at(&end, place(&d, "small")), "{end:?}");
}

#[test]
fn mtu_2_an_instance_mtu_out_of_range_is_a_located_error() {
    let text = LINKS.replace("mtu = 1500", "mtu = 9216");
    let Err(report) = model::load_str("links.toml", &text) else {
        panic!("9216 is not an EC2 MTU")
    };
    let msg = report.to_string();
    assert!(msg.contains("links.toml:"), "{msg}");
    assert!(msg.contains("576 to 9001"), "{msg}");
}

#[test]
fn mtu_3_a_4000_byte_datagram_is_one_4028_byte_packet_in_a_vpc() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let (_, small) = instance(&d, "small");
    // `small` has a 1500-byte interface: the datagram leaves it in three.
    let (end, tr, buf) = walk(&d, "small", udp(small, web, 4000));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    assert_eq!(packet::parse(&buf).unwrap().total_len, 1500);
    assert_eq!(tr.fragments.len(), 2);
    let (end, tr, buf) = walk(&d, "web", udp(web, small, 4000));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    assert!(tr.fragments.is_empty());
    let v = packet::parse(&buf).unwrap();
    assert_eq!((v.total_len, v.fragment), (4028, Fragment::None));
}

#[test]
fn mtu_3_a_4000_byte_datagram_crosses_an_internet_gateway_in_three_fragments() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let site = Ipv4Addr::new(93, 184, 216, 34);
    let (end, tr, buf) = walk(&d, "web", udp(web, site, 4000));
    assert!(matches!(end, Step::Deliver(Host::External(_))), "{end:?}");
    let first = packet::parse(&buf).unwrap();
    assert_eq!((first.total_len, first.fragment), (1500, Fragment::First));
    assert_eq!(
        first.src,
        Ipv4Addr::new(3, 80, 0, 10),
        "translated by the IGW"
    );
    let lens: Vec<usize> = tr.fragments.iter().map(|(b, _)| b.len()).collect();
    assert_eq!(lens, [1500, 1068]);
    // The others follow from the gateway and arrive too, translated.
    let mut net = Network::new(Arc::clone(&d));
    let mut r = packet::fragment::Reassembly::new();
    r.add(&buf[..1500], 0);
    let mut whole = None;
    for (b, at) in &tr.fragments {
        assert!(matches!(at, Loc::Igw { outbound: true, .. }), "{at:?}");
        let mut f = b.to_vec();
        let mut t = Catch::default();
        let end = follow(&mut net, &mut f, *at, &mut t);
        assert!(matches!(end, Step::Deliver(Host::External(_))), "{end:?}");
        whole = r.add(&f, 0).or(whole);
    }
    let whole = whole.expect("the datagram is whole again");
    let v = packet::parse(&whole).unwrap();
    assert_eq!((v.total_len, v.payload_len), (4028, 4000));
    assert!(packet::transport_checksum_ok(&whole));
}

#[test]
fn mtu_3_a_df_clear_packet_is_never_dropped_for_its_size() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let (_, c) = instance(&d, "peer-c");
    let (end, tr, _) = walk(&d, "web", udp(web, c, 8900));
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    assert_eq!(tr.fragments.len(), 1, "8500 then the rest over the peering");
}

#[test]
fn mtu_4_a_df_packet_too_big_is_answered_with_icmp_fragmentation_needed() {
    let d = design();
    let (_, web) = instance(&d, "web");
    let site = Ipv4Addr::new(93, 184, 216, 34);
    let original = tcp(web, site, 9001);
    let (end, tr, _) = walk(&d, "web", original.clone());
    assert!(too_big_at(&end, place(&d, "igw-a")), "{end:?}");
    assert_eq!(tr.emitted.len(), 1);
    let (icmp, at) = &tr.emitted[0];
    let v = packet::parse(icmp).unwrap();
    assert_eq!((v.icmp_type, v.icmp_code), (3, 4));
    assert_eq!((v.src, v.dst), (site, web));
    assert_eq!(&icmp[26..28], &1500u16.to_be_bytes(), "next-hop MTU");
    assert_eq!(&icmp[28..48], &original[..20], "quotes the header");
    assert!(packet::transport_checksum_ok(icmp));
    // It enters the sender's VPC where the packet left it: NACL and
    // security groups judge it (SG-10).
    assert!(
        matches!(
            at,
            Loc::EniIn {
                from: Entry::Igw,
                ..
            }
        ),
        "{at:?}"
    );
    let mut net = Network::new(Arc::clone(&d));
    let mut b = icmp.to_vec();
    let mut t = Catch::default();
    let end = follow(&mut net, &mut b, *at, &mut t);
    assert!(matches!(end, Step::Deliver(Host::Instance(_))), "{end:?}");
}

fn scenario(name: &str) -> Arc<Design> {
    let path = format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    Arc::new(
        model::load_file(std::path::Path::new(&path))
            .expect(&path)
            .design,
    )
}

fn traffic(d: &Design, id: &str) -> usize {
    d.traffic.iter().position(|t| t.name == id).expect(id)
}

#[test]
fn mtu_4_pmtud_with_the_icmp_allowed_and_the_black_hole_without() {
    let d = scenario("pmtud-black-hole.toml");
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let open = &out.metrics.traffic[traffic(&d, "upload-open")];
    let strict = &out.metrics.traffic[traffic(&d, "upload-strict")];
    // With the ICMP admitted the client lowers its MSS and every upload
    // completes; without it every one hangs until its timeout.
    assert!(open.started > 10);
    assert_eq!(
        open.delivered + open.unfinished,
        open.started,
        "{:?}",
        open.failures
    );
    assert!(open.delivered > 10);
    assert_eq!(strict.delivered, 0);
    assert!(strict.failed > 10);
    assert!(
        strict
            .failures
            .keys()
            .all(|(c, _)| *c == Cause::Drop(DropReason::PacketTooBig)),
        "{:?}",
        strict.failures
    );
}

#[test]
fn mtu_3_large_datagrams_through_a_nat_gateway_arrive_whole() {
    let d = scenario("udp-nat-large-datagram.toml");
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    for id in ["metrics-4k", "metrics-12k"] {
        let m = &out.metrics.traffic[traffic(&d, id)];
        assert!(m.started > 10, "{id}");
        assert_eq!(m.delivered, m.started, "{id}: {:?}", m.failures);
    }
    let four = &out.metrics.traffic[traffic(&d, "metrics-4k")];
    assert_eq!(four.bytes_delivered, 4000 * four.delivered);
}

#[test]
fn mtu_3_a_lost_fragment_loses_the_datagram() {
    // Three fragments cross the internet gateway; the middle one is lost
    // on the way. The receiver never completes the datagram and gives it
    // up 30 s after its first fragment arrived.
    let d = design();
    let (h, web) = instance(&d, "web");
    let site = Ipv4Addr::new(93, 184, 216, 34);
    let mut net = Network::new(Arc::clone(&d));
    let mut buf = udp(web, site, 4000);
    let mut tr = Catch::default();
    let end = follow(&mut net, &mut buf, Loc::HostOut(h), &mut tr);
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    assert_eq!(tr.fragments.len(), 2);
    let mut r = packet::fragment::Reassembly::new();
    assert_eq!(r.add(&buf[..1500], 0), None);
    let (last, at) = &tr.fragments[1];
    let mut f = last.to_vec();
    let end = follow(&mut net, &mut f, *at, &mut Catch::default());
    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
    assert_eq!(r.add(&f, 1_000_000), None);
    assert_eq!(r.pending(), 1);
    r.expire(packet::fragment::REASSEMBLY_TIMEOUT_NS + 1);
    assert_eq!((r.pending(), r.bytes(), r.dropped), (0, 0, 1));
}

// Flow log sizes of fragments (FL-6) and ICMP errors through a NAT gateway
// (NAT-4a), in this binary to save a link each.
#[path = "parts/flow_log_sizes.rs"]
mod flow_log_sizes;
#[path = "parts/nat_icmp_errors.rs"]
mod nat_icmp_errors;

/// MTU-4 through an internet gateway (IGW-2): an ICMP error quotes the
/// packet it is about, and the gateway maps the quote with the error (RFC
/// 5508), so that an instance behind its public IP finds its own packet,
/// addressed as it sent it, in a "fragmentation needed"; and an error the
/// instance sends quotes the public address the internet host used.
#[test]
fn mtu_4_an_internet_gateway_maps_an_icmp_errors_quote_with_it() {
    let d = design();
    let (web_host, web) = instance(&d, "web");
    let public = Ipv4Addr::new(3, 80, 0, 10);
    let site = Ipv4Addr::new(93, 184, 216, 34);
    let quote_of = |buf: &[u8]| packet::icmp_error_quote(buf).expect("an ICMP error quote");
    // In: about a segment the instance sent, as the internet saw it.
    let sent = tcp(public, site, 1500);
    let mut buf = build::icmp_frag_needed(site, &sent, 1400, 60).to_vec();
    let mut net = Network::new(Arc::clone(&d));
    let mut tr = Catch::default();
    follow(&mut net, &mut buf, Loc::Internet, &mut tr);
    assert!(tr.hops.iter().any(|h| h.place == place(&d, "igw-a")));
    let v = packet::parse(&buf).expect("parses");
    let q = quote_of(&buf);
    assert_eq!((v.dst, q.src, q.src_port, q.dst), (web, web, 40000, site));
    assert!(packet::transport_checksum_ok(&buf), "ICMP checksum");
    // Out: the instance's port unreachable about a datagram from the site.
    let got = udp(site, web, 100);
    let mut buf = build::icmp_error(web, &got, packet::ICMP_DEST_UNREACHABLE, 3, 64).to_vec();
    let mut tr = Catch::default();
    follow(&mut net, &mut buf, Loc::HostOut(web_host), &mut tr);
    assert!(tr.hops.iter().any(|h| h.place == place(&d, "igw-a")));
    let v = packet::parse(&buf).expect("parses");
    let q = quote_of(&buf);
    assert_eq!(
        (v.src, q.dst, q.dst_port, q.src),
        (public, public, 9000, site)
    );
    assert!(packet::transport_checksum_ok(&buf), "ICMP checksum");
}

/// NAT-4b: a public NAT gateway clamps the MSS of a SYN it translates out
/// to 1460, what the internet gateway's link carries, checksum and all; a
/// SYN that offers less passes as it is.
#[test]
fn nat_4b_a_public_nat_gateway_clamps_the_mss_of_syns_to_the_internet() {
    let text = r#"
[scenario]
name = "nat mss"
duration = "1s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[subnet]]
id = "public"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "rt-public"

[[subnet]]
id = "private"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt-private"

[[route_table]]
id = "rt-public"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[route_table]]
id = "rt-private"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "nat" } ]

[[nat_gateway]]
id = "nat"
subnet = "public"
public_ip = "3.35.0.10"

[[instance]]
id = "app"
subnet = "private"
"#;
    let d = Arc::new(model::load_str("nat.toml", text).expect("loads").design);
    let (_, app) = instance(&d, "app");
    let site = Ipv4Addr::new(93, 184, 216, 34);
    let syn = |mss| {
        let spec = build::TcpSpec {
            src: SocketAddrV4::new(app, 40000),
            dst: SocketAddrV4::new(site, 443),
            seq: 1,
            ack: 0,
            flags: packet::tcp_flags::SYN,
            window: 62727,
        };
        build::tcp_syn_scaled(&spec, mss, 7, 64, 1).to_vec()
    };
    for (offered, seen) in [(8961, 1460), (1400, 1400)] {
        let (end, _, buf) = walk(&d, "app", syn(offered));
        assert!(matches!(end, Step::Deliver(Host::Internet(_))), "{end:?}");
        let v = packet::parse(&buf).expect("parses");
        assert_eq!(v.src, Ipv4Addr::new(3, 35, 0, 10));
        assert_eq!(build::tcp_mss_option(&buf[20..]), Some(seen));
        assert!(packet::transport_checksum_ok(&buf));
    }
}
