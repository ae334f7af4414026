//! Timeline actions on the data plane: [`Network::apply`] between packets
//! followed with [`Network::walk`].
//!
//! The fixture `tests/timeline/timeline.toml` declares the events; each test
//! applies the ones it is about, in its own order, and sends packets built by
//! `vpcsim::packet::build` before and after.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::Arc;

use vpcsim::dataplane::{Drop, Host, Loc, Network, Place, Rule, Step, Walk};
use vpcsim::model::{self, Action, Component, Design, DropReason};
use vpcsim::packet::{self, build, tcp_flags};
use vpcsim::units::Nanos;

const APP: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 10);
const DB: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 20);
const WEB: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 10);
const WEB_PUBLIC: Ipv4Addr = Ipv4Addr::new(13, 124, 0, 5);
const API: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 34);
const CLIENT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);
const NAT_A: Ipv4Addr = Ipv4Addr::new(3, 35, 0, 10);
const NAT_B: Ipv4Addr = Ipv4Addr::new(3, 35, 0, 11);

fn network() -> Network {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/timeline/timeline.toml");
    match model::load_file(&path) {
        Ok(loaded) => Network::new(Arc::new(loaded.design)),
        Err(report) => panic!("timeline.toml does not load:\n{report}"),
    }
}

fn component(d: &Design, id: &str) -> Component {
    d.lookup(id).unwrap_or_else(|| panic!("no `{id}`"))
}

fn host(d: &Design, id: &str) -> Host {
    match component(d, id) {
        Component::Instance(i) => Host::Instance(i),
        Component::ExternalHost(h) => Host::External(h),
        other => panic!("`{id}` is a {}", other.kind().name()),
    }
}

/// The action of the event at `secs` seconds.
fn event(net: &Network, secs: u64) -> Action {
    net.design
        .events
        .iter()
        .find(|e| e.at == Nanos::from_secs(secs))
        .unwrap_or_else(|| panic!("no event at {secs}s"))
        .action
        .clone()
}

fn apply(net: &mut Network, secs: u64) {
    let a = event(net, secs);
    net.apply(&a);
}

fn segment(src: (Ipv4Addr, u16), dst: (Ipv4Addr, u16), flags: u8) -> Vec<u8> {
    build::tcp(
        &build::TcpSpec {
            src: SocketAddrV4::new(src.0, src.1),
            dst: SocketAddrV4::new(dst.0, dst.1),
            seq: 1,
            ack: u32::from(flags & tcp_flags::ACK != 0),
            flags,
            window: 1000,
        },
        &[],
        64,
        1,
    )
    .to_vec()
}

/// Sends a segment from `from` at `secs` seconds; returns the walk and the
/// packet as it arrived (or as it was when dropped).
fn send(
    net: &mut Network,
    from: &str,
    src: (Ipv4Addr, u16),
    dst: (Ipv4Addr, u16),
    flags: u8,
    secs: u64,
) -> (Walk, packet::FlowView) {
    let h = host(&net.design, from);
    let mut buf = segment(src, dst, flags);
    let w = net.walk(&mut buf, Loc::HostOut(h), Nanos::from_secs(secs));
    let seen = packet::parse(&buf).expect("valid packet");
    (w, seen)
}

fn places(net: &Network, w: &Walk) -> Vec<String> {
    w.hops.iter().map(|h| net.place_name(h.place).0).collect()
}

fn delivered(net: &Network, w: &Walk, to: &str) {
    assert_eq!(
        w.end,
        Step::Deliver(host(&net.design, to)),
        "via {:?}",
        places(net, w)
    );
}

fn dropped(net: &Network, w: &Walk, reason: DropReason, at: &str) {
    assert_eq!(
        w.end,
        Step::Drop(Drop {
            reason,
            place: Place::Component(component(&net.design, at)),
        }),
        "via {:?}",
        places(net, w)
    );
}

const SYN: u8 = tcp_flags::SYN;
const SYN_ACK: u8 = tcp_flags::SYN | tcp_flags::ACK;
const ACK: u8 = tcp_flags::ACK;

#[test]
fn rt_5_deleting_the_nat_gateway_blackholes_the_route_to_it() {
    let mut net = network();
    let (w, out) = send(&mut net, "app", (APP, 40000), (API, 443), SYN, 0);
    delivered(&net, &w, "api-example");
    assert!(places(&net, &w).contains(&"nat-a".to_string()));
    assert_eq!(out.src, NAT_A);
    let nat_port = out.src_port;
    let (w, _) = send(
        &mut net,
        "api-example",
        (API, 443),
        (NAT_A, nat_port),
        SYN_ACK,
        0,
    );
    delivered(&net, &w, "app");

    apply(&mut net, 10);
    // New connections and the open one alike stop at the route table; the
    // route stays, pointing at nothing.
    let (w, _) = send(&mut net, "app", (APP, 40001), (API, 443), SYN, 11);
    dropped(&net, &w, DropReason::RouteBlackhole, "rt-private");
    let last = w.hops.last().expect("hops");
    let Rule::Route { table, entry } = last.rule else {
        panic!("decided by {:?}, not a route", last.rule);
    };
    let Some(Component::Nat(nat_a)) = net.design.lookup("nat-a") else {
        panic!("nat-a is a NAT gateway");
    };
    let route = net.route_entry(table, entry);
    assert_eq!(
        (route.dest, &route.target, route.blackhole),
        (
            model::RouteDest::Cidr("0.0.0.0/0".parse().expect("a CIDR")),
            &model::Target::Nat(nat_a),
            false
        )
    );
    let (w, _) = send(&mut net, "app", (APP, 40000), (API, 443), ACK, 11);
    dropped(&net, &w, DropReason::RouteBlackhole, "rt-private");
    // The Elastic IP maps to nothing any more.
    let (w, _) = send(
        &mut net,
        "api-example",
        (API, 443),
        (NAT_A, nat_port),
        ACK,
        11,
    );
    dropped(&net, &w, DropReason::NoInternetRoute, "igw-main");
}

#[test]
fn add_route_replaces_the_route_for_the_same_destination() {
    // After a failure, and on a healthy table alike, the new 0.0.0.0/0
    // replaces the old one instead of joining it.
    for delete_first in [true, false] {
        let mut net = network();
        if delete_first {
            apply(&mut net, 10);
        }
        apply(&mut net, 20);
        let (w, out) = send(&mut net, "app", (APP, 40000), (API, 443), SYN, 21);
        delivered(&net, &w, "api-example");
        let via = places(&net, &w);
        assert!(via.contains(&"nat-b".to_string()), "{via:?}");
        assert!(!via.contains(&"nat-a".to_string()), "{via:?}");
        assert_eq!(out.src, NAT_B);
        let (w, _) = send(
            &mut net,
            "api-example",
            (API, 443),
            (NAT_B, out.src_port),
            SYN_ACK,
            21,
        );
        delivered(&net, &w, "app");
    }
}

#[test]
fn rt_6_deleting_the_only_route_leaves_no_route() {
    let mut net = network();
    apply(&mut net, 30);
    let (w, _) = send(&mut net, "app", (APP, 40000), (API, 443), SYN, 31);
    dropped(&net, &w, DropReason::NoRoute, "rt-private");
    // The local route cannot be deleted: the VPC still works inside.
    let (w, _) = send(&mut net, "app", (APP, 40000), (DB, 5432), SYN, 31);
    delivered(&net, &w, "db");
}

#[test]
fn sg_5_removing_an_ingress_rule_keeps_tracked_flows_and_judges_new_ones() {
    let mut net = network();
    // Admitted from a /32: a tracked flow.
    let (w, _) = send(&mut net, "app", (APP, 40000), (DB, 5432), SYN, 0);
    delivered(&net, &w, "db");
    assert!(matches!(
        w.hops.last().expect("hops").rule,
        Rule::Sg { ingress: true, .. }
    ));
    let (w, _) = send(&mut net, "db", (DB, 5432), (APP, 40000), SYN_ACK, 0);
    delivered(&net, &w, "app");

    apply(&mut net, 40);
    let (w, _) = send(&mut net, "app", (APP, 40000), (DB, 5432), ACK, 40);
    delivered(&net, &w, "db");
    assert_eq!(w.hops.last().expect("hops").rule, Rule::Tracked);
    let (w, _) = send(&mut net, "app", (APP, 40001), (DB, 5432), SYN, 40);
    dropped(&net, &w, DropReason::SgIngressDenied, "db");
}

#[test]
fn sg_4_removing_the_rule_of_an_untracked_flow_stops_it_at_once() {
    let mut net = network();
    // TCP 443 from 0.0.0.0/0 in, everything out: the flow is untracked, and
    // so is the server's reply, judged by the outbound rules.
    let (w, _) = send(
        &mut net,
        "client",
        (CLIENT, 40000),
        (WEB_PUBLIC, 443),
        SYN,
        0,
    );
    delivered(&net, &w, "web");
    let (w, _) = send(&mut net, "web", (WEB, 443), (CLIENT, 40000), SYN_ACK, 0);
    delivered(&net, &w, "client");
    assert!(matches!(w.hops[0].rule, Rule::Sg { ingress: false, .. }));
    let (w, _) = send(
        &mut net,
        "client",
        (CLIENT, 40000),
        (WEB_PUBLIC, 443),
        ACK,
        1,
    );
    delivered(&net, &w, "web");
    assert_ne!(w.hops.last().expect("hops").rule, Rule::Tracked);

    apply(&mut net, 41);
    let (w, _) = send(
        &mut net,
        "client",
        (CLIENT, 40000),
        (WEB_PUBLIC, 443),
        ACK,
        41,
    );
    dropped(&net, &w, DropReason::SgIngressDenied, "web");
}

#[test]
fn nacl_2_replacing_a_nacls_rules_judges_the_next_packet_by_them() {
    let mut net = network();
    let (w, _) = send(&mut net, "app", (APP, 40000), (API, 443), SYN, 0);
    delivered(&net, &w, "api-example");

    apply(&mut net, 42);
    // Stateless (NACL-1): the open connection's next packet is judged by
    // the new rules too, the first match by number deciding (NACL-2).
    let (w, _) = send(&mut net, "app", (APP, 40000), (API, 443), ACK, 42);
    dropped(&net, &w, DropReason::NaclEgressDenied, "acl-private");
    assert!(matches!(
        w.hops.last().expect("hops").rule,
        Rule::Nacl {
            ingress: false,
            number: Some(100),
            ..
        }
    ));
    // Another port falls through to rule 200.
    let (w, _) = send(&mut net, "app", (APP, 40002), (API, 80), SYN, 42);
    assert!(
        places(&net, &w).contains(&"nat-a".to_string()),
        "via {:?}",
        places(&net, &w)
    );
}

#[test]
fn rt_9_a_nat_gateway_is_a_hop_both_ways() {
    // A request and its reply each cross the NAT gateway and the internet
    // once: each arrives with its TTL two lower than it left with.
    let mut net = network();
    let (w, out) = send(&mut net, "app", (APP, 40000), (API, 443), SYN, 0);
    delivered(&net, &w, "api-example");
    let (w, back) = send(
        &mut net,
        "api-example",
        (API, 443),
        (NAT_A, out.src_port),
        SYN_ACK,
        0,
    );
    delivered(&net, &w, "app");
    assert_eq!((out.ttl, back.ttl), (62, 62));
}

/// A packet to an address of the subnet that no ENI has is dropped at the
/// subnet, and an expectation can say so (`drop_at` names the subnet).
#[test]
fn rt_8_a_drop_at_a_subnet_is_what_drop_at_can_name() {
    let text = r#"
[scenario]
name = "to nobody in the subnet"
duration = "5s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "priv-a"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg"
vpc = "v"
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "worker"
subnet = "priv-a"
security_groups = ["sg"]

[[traffic]]
id = "nobody"
from = "worker"
to = "10.0.1.77"
port = 443
rate = "2/s"
timeout = "1s"
stop = "3s"

[[expect]]
traffic = "nobody"
delivered = "0%"
drop_reason = "host_unreachable"
drop_at = "priv-a"
"#;
    let loaded = model::load_str("subnet-drop.toml", text)
        .unwrap_or_else(|r| panic!("the file loads:\n{r}"));
    let d = Arc::new(loaded.design);
    let out = vpcsim::sim::run(Arc::clone(&d), &vpcsim::sim::RunOptions::default());
    let net = Network::new(Arc::clone(&d));
    let results = vpcsim::report::check::evaluate(&net, &out.metrics, None);
    assert_eq!(results.len(), 1);
    assert!(results[0].ok, "{:?}", results[0].details);
}

/// An instance deleted by the timeline starts no item after its deletion,
/// and its open connections send nothing more (no retransmission, no
/// close), so no item of its traffic fails as if its own address were the
/// unreachable destination.
#[test]
fn a_deleted_source_starts_nothing_and_sends_nothing_after_its_deletion() {
    let text = r#"
[scenario]
name = "the client is deleted"
duration = "20s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "s"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "80", cidr = "10.0.0.0/16" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "a"
subnet = "s"
security_groups = ["sg"]

[[instance]]
id = "b"
subnet = "s"
security_groups = ["sg"]
listen = [ { protocol = "tcp", port = 80 } ]

[[traffic]]
id = "r"
from = "a"
to = "b"
port = 80
rate = "5/s"
arrivals = "fixed"
hold = "2s"
timeout = "3s"

[[event]]
at = "5s"
delete = "a"
"#;
    let loaded =
        model::load_str("client-deleted.toml", text).unwrap_or_else(|r| panic!("loads:\n{r}"));
    let d = Arc::new(loaded.design);
    let a = component(&d, "a");
    let out = vpcsim::sim::run(Arc::clone(&d), &vpcsim::sim::RunOptions::default());
    let t = out.metrics.traffic.iter().next().expect("one traffic");
    // Items at 0s, 0.2s, ... 4.8s (and perhaps the one due at 5s itself).
    assert!((25..=26).contains(&t.started), "{t:?}");
    assert_eq!(t.retransmissions, 0, "{t:?}");
    assert!(
        !t.failures
            .keys()
            .any(|(_, at)| *at == Some(Place::Component(a))),
        "{t:?}"
    );
}
