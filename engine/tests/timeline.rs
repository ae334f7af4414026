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
