//! `explain` over small scenario files.
//!
//! Each fixture under `tests/explain/` is a complete, valid scenario about
//! one topic; each test asks `explain` one or two questions about it and
//! checks the verdict, the reason and place of a drop, the hops (component
//! and decision, in order) and, where a component translates, the addresses.
//! Tests are named after the rule of `aws-vpc-semantics.md` they check.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::sync::Arc;

use vpcsim::dataplane::route_table::Origin;
use vpcsim::dataplane::{AwsRule, Host, Loc, Network, Rule, Step};
use vpcsim::explain::{self, Explanation, HopOut, Leg, Query};
use vpcsim::model::{self, Component, Design, EndpointKind, Peer, RouteDest, Target};
use vpcsim::packet::{self, build};
use vpcsim::units::Nanos;

/// The default NACL of the single-VPC fixtures.
const ACL: &str = "vpc-main/default-acl";

fn design(file: &str) -> Design {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/explain")
        .join(file);
    match model::load_file(&path) {
        Ok(loaded) => loaded.design,
        Err(report) => panic!("{file} does not load:\n{report}"),
    }
}

fn ask(d: Design, from: &str, to: &str, protocol: &str, port: Option<u16>) -> Explanation {
    let q = Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: explain::protocol_number(protocol).expect("protocol"),
        port,
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    explain::explain(d, &q).unwrap_or_else(|e| panic!("explain {from} -> {to}: {e}"))
}

fn tcp(file: &str, from: &str, to: &str, port: u16) -> Explanation {
    ask(design(file), from, to, "tcp", Some(port))
}

/// (component, decision) of each hop, in order.
fn path(hops: &[HopOut]) -> Vec<(&str, &str)> {
    hops.iter()
        .map(|h| (h.component.as_str(), h.decision))
        .collect()
}

fn components(hops: &[HopOut]) -> Vec<&str> {
    hops.iter().map(|h| h.component.as_str()).collect()
}

/// The first hop at `component`.
fn hop<'a>(hops: &'a [HopOut], component: &str) -> &'a HopOut {
    hops.iter()
        .find(|h| h.component == component)
        .unwrap_or_else(|| panic!("no hop at {component} in {:?}", components(hops)))
}

/// What decided at the first hop at `component`, typed.
fn decided(hops: &[HopOut], component: &str) -> Rule {
    hop(hops, component).decided_by
}

fn named(d: &Design, name: &str) -> Component {
    d.lookup(name)
        .unwrap_or_else(|| panic!("{name} names no component"))
}

/// The compiled route that decided at the first hop at `component` (RT-4),
/// in the state of `d` at time zero.
fn route_entry(
    d: &Design,
    hops: &[HopOut],
    component: &str,
) -> vpcsim::dataplane::route_table::Entry {
    let Rule::Route { table, entry } = decided(hops, component) else {
        panic!(
            "{component} decided by {:?}, not a route",
            decided(hops, component)
        );
    };
    Network::new(Arc::new(d.clone()))
        .route_entry(table, entry)
        .clone()
}

/// The target a route of `d` names `name` by: `local`, a component, an ENI
/// by its name, or a target that no longer exists.
fn target(d: &Design, name: &str) -> Target {
    if name == "local" {
        return Target::Local;
    }
    match d.lookup(name) {
        Some(Component::Igw(x)) => Target::Igw(x),
        Some(Component::Nat(x)) => Target::Nat(x),
        Some(Component::Endpoint(x)) => Target::Endpoint(x),
        Some(Component::Eni(x)) => Target::Eni(x),
        Some(Component::Instance(x)) => Target::Eni(d.instances[x.idx()].eni),
        Some(Component::Peering(x)) => Target::Peering(x),
        Some(Component::Vgw(x)) => Target::Vgw(x),
        Some(Component::Tgw(x)) => Target::Tgw(x),
        Some(other) => panic!("{name} is {other:?}, no route target"),
        None => match d.enis.iter().position(|e| e.name == name) {
            Some(i) => Target::Eni(model::EniId::from_idx(i)),
            None => Target::Missing(name.to_string()),
        },
    }
}

/// The route that decided at `component` goes to `dest` (a CIDR, or a
/// prefix list by name) and `target`, from `origin`, a blackhole or not.
#[track_caller]
fn assert_route(
    d: &Design,
    hops: &[HopOut],
    component: &str,
    (dest, to): (&str, &str),
    origin: Origin,
    blackhole: bool,
) {
    let got = route_entry(d, hops, component);
    let dest = match d.lookup(dest) {
        Some(Component::PrefixList(p)) => RouteDest::PrefixList(p),
        _ => RouteDest::Cidr(dest.parse().expect("a CIDR or a prefix list")),
    };
    assert_eq!(
        (got.dest, got.target, got.origin, got.blackhole),
        (dest, target(d, to), origin, blackhole)
    );
}

/// Rule `index` of group `group` decided, in direction `ingress`, and its
/// peer is `peer` (a group by name, or a CIDR).
#[track_caller]
fn assert_sg_rule(d: &Design, rule: Rule, (group, ingress, index): (&str, bool, u16), peer: &str) {
    let Component::Sg(g) = named(d, group) else {
        panic!("{group} is no security group");
    };
    assert_eq!(
        rule,
        Rule::Sg {
            group: g,
            ingress,
            index
        }
    );
    let sg = &d.security_groups[g.idx()];
    let rules = if ingress { &sg.ingress } else { &sg.egress };
    let want = match d.lookup(peer) {
        Some(Component::Sg(p)) => Peer::Group(p),
        _ => Peer::Cidr(peer.parse().expect("a group or a CIDR")),
    };
    assert_eq!(rules[usize::from(index)].peer, want);
}

fn nacl(d: &Design, name: &str) -> model::NaclId {
    match named(d, name) {
        Component::Nacl(n) => n,
        other => panic!("{name} is {other:?}, no network ACL"),
    }
}

fn reply(e: &Explanation) -> &Leg {
    e.reply.as_ref().expect("a reply leg")
}

#[track_caller]
fn assert_delivered(e: &Explanation) {
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (explain::Verdict::Delivered, None, None),
        "{}",
        explain::render(e)
    );
}

#[track_caller]
fn assert_dropped(e: &Explanation, reason: &str, at: &str) {
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (explain::Verdict::Dropped, Some(reason), Some(at)),
        "{}",
        explain::render(e)
    );
}

// -- NAT gateway --------------------------------------------------------------

#[test]
fn nat_1_private_subnet_reaches_the_internet_through_nat_and_igw() {
    let e = tcp("nat.toml", "app", "api-example", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("app", "forward"),
            ("rt-private", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("nat-a", "forward"),
            ("rt-public", "forward"),
            (ACL, "forward"),
            ("igw-main", "forward"),
            ("internet", "forward"),
            ("api-example", "deliver"),
        ]
    );
    assert_eq!(hop(&e.hops, "app").src, "10.0.1.10:32768");
    assert_route(
        &design("nat.toml"),
        &e.hops,
        "rt-private",
        ("0.0.0.0/0", "nat-a"),
        Origin::Static,
        false,
    );
    // The NAT gateway rewrites the source to its private IP and a port of
    // its own; the IGW then maps that private IP to the Elastic IP.
    let nat = hop(&e.hops, "nat-a");
    let (nat_ip, nat_port) = nat.src.split_once(':').expect("ip:port");
    assert_eq!(nat_ip, "10.0.0.5");
    assert!(nat_port.parse::<u16>().expect("port") >= 1024);
    assert_eq!(nat.dst, "93.184.216.34:443");
    let igw = hop(&e.hops, "igw-main");
    assert_eq!(igw.src, format!("3.35.0.10:{nat_port}"));
    assert_eq!(igw.dst, "93.184.216.34:443");
    assert_eq!(hop(&e.hops, "api-example").src, igw.src);

    // The reply is mapped back: Elastic IP to private IP at the IGW, then
    // the NAT's port to the instance's address and port.
    let r = reply(&e);
    assert_eq!(
        path(&r.hops),
        [
            ("internet", "forward"),
            ("igw-main", "forward"),
            (ACL, "forward"),
            ("nat-a", "forward"),
            ("rt-public", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("app", "deliver"),
        ]
    );
    assert_eq!(
        hop(&r.hops, "internet").dst,
        format!("3.35.0.10:{nat_port}")
    );
    assert_eq!(hop(&r.hops, "igw-main").dst, format!("10.0.0.5:{nat_port}"));
    assert_eq!(hop(&r.hops, "nat-a").dst, "10.0.1.10:32768");
    assert_eq!(hop(&r.hops, "app").src, "93.184.216.34:443");
}

#[test]
fn nat_4_icmp_echo_through_nat_is_delivered_with_its_identifier_translated() {
    let e = ask(design("nat.toml"), "app", "api-example", "icmp", None);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        [
            "app",
            "rt-private",
            ACL,
            ACL,
            "nat-a",
            "rt-public",
            ACL,
            "igw-main",
            "internet",
            "api-example"
        ]
    );
    assert_eq!(hop(&e.hops, "igw-main").src, "3.35.0.10");
    assert_eq!(hop(&reply(&e).hops, "nat-a").dst, "10.0.1.10");

    // The identifier is not shown by explain: follow the packets directly.
    let d = design("nat.toml");
    let (Some(Component::Instance(app)), Some(Component::ExternalHost(api))) =
        (d.lookup("app"), d.lookup("api-example"))
    else {
        panic!("ids");
    };
    let mut net = Network::new(Arc::new(d));
    let echo = |src, dst, reply, ident| {
        build::icmp_echo(
            &build::EchoSpec {
                src,
                dst,
                reply,
                ident,
                seq: 1,
            },
            &[0; 16],
            64,
            1,
        )
        .to_vec()
    };
    let app_ip = Ipv4Addr::new(10, 0, 1, 10);
    let api_ip = Ipv4Addr::new(93, 184, 216, 34);
    let mut out = echo(app_ip, api_ip, false, 4242);
    let w = net.walk(&mut out, Loc::HostOut(Host::Instance(app)), Nanos::ZERO);
    assert_eq!(w.end, Step::Deliver(Host::External(api)));
    let seen = packet::parse(&out).expect("valid");
    assert_eq!(seen.src, Ipv4Addr::new(3, 35, 0, 10));
    assert_ne!(seen.src_port, 4242, "the echo identifier plays the port");
    assert!(seen.src_port >= 1024);
    let mut back = echo(api_ip, seen.src, true, seen.src_port);
    let w = net.walk(&mut back, Loc::HostOut(Host::External(api)), Nanos(1000));
    assert_eq!(w.end, Step::Deliver(Host::Instance(app)));
    let got = packet::parse(&back).expect("valid");
    assert_eq!((got.dst, got.dst_port), (app_ip, 4242));
}

#[test]
fn nat_3_unsolicited_inbound_to_the_elastic_ip_is_dropped() {
    let e = tcp("nat.toml", "198.51.100.7", "3.35.0.10", 443);
    // No mapping expects it: the gateway has no "listener" on that port.
    assert_dropped(&e, "port_unreachable", "nat-a");
    assert_eq!(
        path(&e.hops),
        [
            ("internet", "forward"),
            ("igw-main", "forward"),
            (ACL, "forward"),
            ("nat-a", "drop"),
        ]
    );
    assert_eq!(hop(&e.hops, "igw-main").dst, "10.0.0.5:443");
    assert_eq!(
        hop(&e.hops, "nat-a").decided_by,
        Rule::Aws(AwsRule::NatNoConnection)
    );
    assert!(hop(&e.hops, "nat-a").decided_by.ids().contains(&"NAT-3"));
    assert!(e.reply.is_none());
}

// -- internet gateway -----------------------------------------------------------

#[test]
fn igw_2_instance_with_public_ip_reaches_the_internet() {
    let e = tcp("public.toml", "web", "api-example", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("web", "forward"),
            ("rt-public", "forward"),
            (ACL, "forward"),
            ("igw-main", "forward"),
            ("internet", "forward"),
            ("api-example", "deliver"),
        ]
    );
    assert_eq!(hop(&e.hops, "web").src, "10.0.0.10:32768");
    // 1:1, ports unchanged.
    assert_eq!(hop(&e.hops, "igw-main").src, "13.124.0.5:32768");
    let r = reply(&e);
    assert_eq!(
        path(&r.hops),
        [
            ("internet", "forward"),
            ("igw-main", "forward"),
            (ACL, "forward"),
            ("web", "deliver"),
        ]
    );
    assert_eq!(hop(&r.hops, "igw-main").dst, "10.0.0.10:32768");
}

#[test]
fn igw_3_public_subnet_without_public_ip_is_no_public_ip() {
    let e = tcp("public.toml", "worker", "api-example", 443);
    assert_dropped(&e, "no_public_ip", "igw-main");
    assert_eq!(
        path(&e.hops),
        [
            ("worker", "forward"),
            ("rt-public", "forward"),
            (ACL, "forward"),
            ("igw-main", "drop"),
        ]
    );
    assert!(e.reply.is_none());
}

#[test]
fn igw_2_inbound_from_the_internet_to_a_public_ip_is_delivered() {
    for to in ["web", "13.124.0.5"] {
        let e = tcp("public.toml", "198.51.100.7", to, 443);
        assert_delivered(&e);
        assert_eq!(
            path(&e.hops),
            [
                ("internet", "forward"),
                ("igw-main", "forward"),
                (ACL, "forward"),
                ("web", "deliver"),
            ]
        );
        assert_eq!(hop(&e.hops, "internet").dst, "13.124.0.5:443");
        assert_eq!(hop(&e.hops, "igw-main").dst, "10.0.0.10:443");
        assert_eq!(hop(&e.hops, "web").src, "198.51.100.7:32768");
        let r = reply(&e);
        assert_eq!(
            path(&r.hops),
            [
                ("web", "forward"),
                ("rt-public", "forward"),
                (ACL, "forward"),
                ("igw-main", "forward"),
                ("internet", "forward"),
                ("198.51.100.7", "deliver"),
            ]
        );
        assert_eq!(hop(&r.hops, "igw-main").src, "13.124.0.5:443");
    }
}

#[test]
fn igw_3_inbound_from_the_internet_to_a_private_address_is_no_internet_route() {
    // OPEN-1: the internet drops it; it never reaches the VPC's gateway.
    let e = tcp("public.toml", "198.51.100.7", "10.0.0.10", 443);
    assert_dropped(&e, "no_internet_route", "internet");
    assert_eq!(path(&e.hops), [("internet", "drop")]);
}

#[test]
fn igw_2_from_an_instances_public_ip_is_that_instance() {
    // The address belongs to `web`: the probe leaves from its ENI and the
    // IGW maps it, rather than appearing on the internet by itself.
    let e = tcp("public.toml", "13.124.0.5", "api-example", 443);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        [
            "web",
            "rt-public",
            ACL,
            "igw-main",
            "internet",
            "api-example"
        ]
    );
    assert_eq!(hop(&e.hops, "web").src, "10.0.0.10:32768");
    assert_eq!(hop(&e.hops, "igw-main").src, "13.124.0.5:32768");
    assert_eq!(
        components(&reply(&e).hops),
        ["internet", "igw-main", ACL, "web"]
    );
}

#[test]
fn explain_from_an_address_that_sends_nothing_of_its_own_is_an_error() {
    let q = |from: &str| Query {
        from: from.to_string(),
        to: "api-example".to_string(),
        protocol: packet::PROTO_TCP,
        port: Some(443),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    // A NAT gateway's Elastic IP.
    let err = explain::explain(design("nat.toml"), &q("3.35.0.10")).unwrap_err();
    assert!(
        matches!(
            &err,
            explain::ExplainError::FromSilent {
                owner: explain::SilentOwner::NatEip(_),
                ..
            }
        ),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("3.35.0.10") && err.contains("NAT"), "{err}");
    // An AWS service's front door.
    let err = explain::explain(design("endpoints.toml"), &q("52.216.8.10")).unwrap_err();
    assert!(
        matches!(
            &err,
            explain::ExplainError::FromSilent {
                owner: explain::SilentOwner::Service(_),
                ..
            }
        ),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("52.216.8.10") && err.contains("s3"), "{err}");
}

// -- network ACLs ---------------------------------------------------------------

#[test]
fn nacl_2_lower_numbered_deny_wins() {
    // Rule 100 denies 198.51.100.0/24; rule 200 would allow it.
    let e = tcp("nacl.toml", "198.51.100.7", "web", 443);
    assert_dropped(&e, "nacl_ingress_denied", "acl-web");
    assert_eq!(
        path(&e.hops),
        [
            ("internet", "forward"),
            ("igw-main", "forward"),
            ("acl-web", "drop"),
        ]
    );
    let d = design("nacl.toml");
    assert_eq!(
        decided(&e.hops, "acl-web"),
        Rule::Nacl {
            nacl: nacl(&d, "acl-web"),
            ingress: true,
            number: Some(100)
        }
    );

    // Elsewhere rule 100 does not match, and rule 200 allows.
    let e = tcp("nacl.toml", "203.0.113.9", "web", 443);
    assert_delivered(&e);
    assert_eq!(
        decided(&e.hops, "acl-web"),
        Rule::Nacl {
            nacl: nacl(&d, "acl-web"),
            ingress: true,
            number: Some(200)
        }
    );
}

#[test]
fn nacl_6_missing_ephemeral_range_drops_reply() {
    let e = tcp("nacl.toml", "web", "api-example", 443);
    assert_eq!(e.forward.verdict, explain::Verdict::Delivered);
    assert_dropped(&e, "nacl_ingress_denied", "acl-web");
    let r = reply(&e);
    assert_eq!(
        path(&r.hops),
        [
            ("internet", "forward"),
            ("igw-main", "forward"),
            ("acl-web", "drop"),
        ]
    );
    let last = r.hops.last().expect("hops");
    assert_eq!(last.dst, "10.0.0.10:32768");
    assert_eq!(
        last.decided_by,
        Rule::Nacl {
            nacl: nacl(&design("nacl.toml"), "acl-web"),
            ingress: true,
            number: None
        }
    );
}

// -- security groups ------------------------------------------------------------

#[test]
fn sg_2_group_reference_admits_a_member() {
    let e = tcp("security-groups.toml", "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("app", "forward"),
            ("vpc-main/main-rt", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("db", "deliver"),
        ]
    );
    assert_sg_rule(
        &design("security-groups.toml"),
        decided(&e.hops, "db"),
        ("sg-db", true, 0),
        "sg-app",
    );
    assert_eq!(decided(&reply(&e).hops, "app"), Rule::Tracked);
}

#[test]
fn sg_2_group_reference_denies_a_non_member() {
    let e = tcp("security-groups.toml", "other", "db", 5432);
    assert_dropped(&e, "sg_ingress_denied", "db");
    assert_eq!(
        path(&e.hops),
        [
            ("other", "forward"),
            ("vpc-main/main-rt", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("db", "drop"),
        ]
    );
    assert_eq!(decided(&e.hops, "db"), Rule::SgNoMatch { ingress: true });
}

#[test]
fn sg_11_icmp_type_rule_admits_that_type_and_not_another() {
    let q = |icmp_type: u8| Query {
        from: "app".to_string(),
        to: "db".to_string(),
        protocol: explain::protocol_number("icmp").expect("protocol"),
        port: None,
        icmp_type: Some(icmp_type),
        icmp_code: None,
        at: Nanos::ZERO,
        enter: None,
    };
    let echo = explain::explain(design("icmp.toml"), &q(8)).expect("explain");
    assert_delivered(&echo);
    // The rule is told with the type it names.
    let text = explain::render(&echo);
    assert!(
        text.contains("icmp type 8 from 10.0.0.0/16"),
        "the rule's ICMP type is not told:\n{text}"
    );
    let timestamp = explain::explain(design("icmp.toml"), &q(13)).expect("explain");
    assert_dropped(&timestamp, "sg_ingress_denied", "db");
    assert_eq!(
        decided(&timestamp.hops, "db"),
        Rule::SgNoMatch { ingress: true }
    );
}

#[test]
fn sg_1_group_without_egress_rules_is_sg_egress_denied() {
    let e = tcp("security-groups.toml", "lonely", "db", 5432);
    assert_dropped(&e, "sg_egress_denied", "lonely");
    assert_eq!(path(&e.hops), [("lonely", "drop")]);
    assert_eq!(
        decided(&e.hops, "lonely"),
        Rule::SgNoMatch { ingress: false }
    );
}

#[test]
fn sg_1_rules_of_all_groups_of_an_eni_are_united() {
    // sg-mute allows nothing out; sg-app, also on the instance, allows all,
    // and makes it a member for sg-db's reference.
    let e = tcp("security-groups.toml", "mute", "db", 5432);
    assert_delivered(&e);
    assert_sg_rule(
        &design("security-groups.toml"),
        decided(&e.hops, "mute"),
        ("sg-app", false, 0),
        "0.0.0.0/0",
    );
}

// -- route tables ---------------------------------------------------------------

#[test]
fn rt_5_blackhole_route_drops_without_falling_back_to_a_less_specific_route() {
    let e = tcp("routes.toml", "app", "api-example", 443);
    assert_dropped(&e, "route_blackhole", "rt-private");
    assert_eq!(path(&e.hops), [("app", "forward"), ("rt-private", "drop")]);
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-private",
        ("93.184.216.0/24", "nat-0gone"),
        Origin::Static,
        true,
    );
    // The 0.0.0.0/0 route it does not fall back to works.
    let e = tcp("routes.toml", "app", "partner-api", 443);
    assert_delivered(&e);
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-private",
        ("0.0.0.0/0", "nat-a"),
        Origin::Static,
        false,
    );
}

#[test]
fn rt_6_no_matching_route_is_no_route() {
    let e = tcp("routes.toml", "iso", "api-example", 443);
    assert_dropped(&e, "no_route", "rt-isolated");
    assert_eq!(path(&e.hops), [("iso", "forward"), ("rt-isolated", "drop")]);
    assert_eq!(decided(&e.hops, "rt-isolated"), Rule::None);
}

#[test]
fn rt_4_static_route_beats_prefix_list_route_of_the_same_length() {
    // pl-partner (203.0.113.0/24) is a blackhole; the static /24 is not.
    let e = tcp("routes.toml", "prio", "partner-api", 443);
    assert_delivered(&e);
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-priority",
        ("203.0.113.0/24", "nat-a"),
        Origin::Static,
        false,
    );
    assert_eq!(hop(&e.hops, "nat-a").decision, "forward");
    assert_eq!(hop(&e.hops, "partner-api").decision, "deliver");
}

#[test]
fn rt_4_prefix_list_route_beats_propagated_route_of_the_same_prefix() {
    // pl-lab and the office's propagated route are both 192.168.0.0/16; the
    // prefix-list route (a blackhole) wins.
    let e = tcp("routes.toml", "prio", "office-pc", 22);
    assert_dropped(&e, "route_blackhole", "rt-priority");
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-priority",
        ("pl-lab", "nat-0old"),
        Origin::PrefixList,
        true,
    );

    // Without the prefix-list route the propagated one is what remains.
    let mut d = design("routes.toml");
    let Some(Component::RouteTable(rt)) = d.lookup("rt-priority") else {
        panic!("rt-priority");
    };
    d.route_tables[rt.idx()]
        .routes
        .retain(|r| !matches!(r.dest, RouteDest::PrefixList(_)));
    let e = ask(d.clone(), "prio", "office-pc", "tcp", Some(22));
    assert_delivered(&e);
    assert_route(
        &d,
        &e.hops,
        "rt-priority",
        ("192.168.0.0/16", "vgw-main"),
        Origin::Propagated,
        false,
    );
}

#[test]
fn rt_4a_propagated_route_inside_the_vpc_cidr_loses_to_local() {
    // The office announces 10.0.5.0/24, more specific than the VPC's /16.
    let e = tcp("routes.toml", "prio", "lab", 22);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("prio", "forward"),
            ("rt-priority", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("lab", "deliver"),
        ]
    );
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-priority",
        ("10.0.0.0/16", "local"),
        Origin::Local,
        false,
    );
}

#[test]
fn rt_4b_customer_route_more_specific_than_an_s3_range_wins_over_the_endpoint() {
    // 52.216.8.0/24 -> nat-a inside the S3 list's 52.216.0.0/15.
    let e = tcp("routes.toml", "app", "s3", 443);
    assert_delivered(&e);
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-private",
        ("52.216.8.0/24", "nat-a"),
        Origin::Static,
        false,
    );
    let via = components(&e.hops);
    assert!(via.contains(&"nat-a") && via.contains(&"igw-main"));
    assert!(!via.contains(&"vpce-s3"));
    assert_eq!(hop(&e.hops, "s3").src.split(':').next(), Some("3.35.0.10"));

    // Elsewhere in the list the endpoint route applies.
    let e = tcp("routes.toml", "app", "52.217.1.10", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("app", "forward"),
            ("rt-private", "forward"),
            (ACL, "forward"),
            ("vpce-s3", "forward"),
            ("s3", "deliver"),
        ]
    );
}

#[test]
fn rt_4b_customer_route_equal_to_an_s3_range_wins_over_the_endpoint() {
    let e = tcp("routes.toml", "eq", "52.217.1.10", 443);
    assert_delivered(&e);
    assert_route(
        &design("routes.toml"),
        &e.hops,
        "rt-equal",
        ("52.216.0.0/15", "nat-a"),
        Origin::Static,
        false,
    );
    assert!(!components(&e.hops).contains(&"vpce-s3"));
}

// -- middleboxes ----------------------------------------------------------------

#[test]
fn rt_2_subnet_route_to_a_middlebox_forwards_the_packet() {
    let e = tcp("middlebox.toml", "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("app", "forward"),
            ("rt-app", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("fw", "forward"),
            ("fw", "forward"),
            ("rt-fw", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("db", "deliver"),
        ]
    );
    assert_route(
        &design("middlebox.toml"),
        &e.hops,
        "rt-app",
        ("10.0.2.0/24", "eni-fw"),
        Origin::Static,
        false,
    );
    // A middlebox does not translate.
    for h in &e.hops {
        assert_eq!(
            (h.src.as_str(), h.dst.as_str()),
            ("10.0.1.10:32768", "10.0.2.20:5432")
        );
    }
    // The reply takes the local route straight back.
    assert_eq!(
        components(&reply(&e).hops),
        ["db", "vpc-main/main-rt", ACL, ACL, "app"]
    );
}

#[test]
fn rt_2_local_route_replaced_by_a_middlebox_sends_the_vpc_through_it() {
    let e = tcp("local-route-middlebox.toml", "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        [
            "app",
            "rt-app",
            ACL,
            ACL,
            "fw",
            "fw",
            "vpc-main/main-rt",
            ACL,
            ACL,
            "db"
        ]
    );
    // The replacing route wins over the local route of the same prefix.
    assert_route(
        &design("local-route-middlebox.toml"),
        &e.hops,
        "rt-app",
        ("10.0.0.0/16", "eni-fw"),
        Origin::Static,
        false,
    );
    // The reply's table keeps its local route: straight back.
    assert_eq!(
        components(&reply(&e).hops),
        ["db", "vpc-main/main-rt", ACL, ACL, "app"]
    );
}

#[test]
fn rt_9_a_middlebox_decrements_ttl_and_the_vpc_router_does_not() {
    let d = design("middlebox.toml");
    let (Some(Component::Instance(app)), Some(Component::Instance(db))) =
        (d.lookup("app"), d.lookup("db"))
    else {
        panic!("ids");
    };
    let mut net = Network::new(Arc::new(d));
    let app_ip = Ipv4Addr::new(10, 0, 1, 10);
    let db_ip = Ipv4Addr::new(10, 0, 2, 20);
    let syn = |src, sport, dst, dport, flags| {
        build::tcp(
            &build::TcpSpec {
                src: SocketAddrV4::new(src, sport),
                dst: SocketAddrV4::new(dst, dport),
                seq: 1,
                ack: 0,
                flags,
                window: 1000,
            },
            &[],
            64,
            1,
        )
        .to_vec()
    };
    let mut out = syn(app_ip, 40000, db_ip, 5432, packet::tcp_flags::SYN);
    let w = net.walk(&mut out, Loc::HostOut(Host::Instance(app)), Nanos::ZERO);
    assert_eq!(w.end, Step::Deliver(Host::Instance(db)));
    assert_eq!(packet::parse(&out).expect("valid").ttl, 63);
    // Back by the local route, through no middlebox: TTL unchanged.
    let mut back = syn(
        db_ip,
        5432,
        app_ip,
        40000,
        packet::tcp_flags::SYN | packet::tcp_flags::ACK,
    );
    let w = net.walk(&mut back, Loc::HostOut(Host::Instance(db)), Nanos(1000));
    assert_eq!(w.end, Step::Deliver(Host::Instance(app)));
    assert_eq!(packet::parse(&back).expect("valid").ttl, 64);
}

#[test]
fn rt_9_default_route_to_a_middlebox_reaches_the_internet() {
    let e = tcp("middlebox.toml", "exposed", "api-example", 443);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        [
            "exposed",
            "rt-edge",
            ACL,
            ACL,
            "fw",
            "fw",
            "rt-fw",
            ACL,
            "igw-main",
            "internet",
            "api-example"
        ]
    );
    assert_route(
        &design("middlebox.toml"),
        &e.hops,
        "rt-edge",
        ("0.0.0.0/0", "eni-fw"),
        Origin::Static,
        false,
    );
    // The IGW maps the sender's own public IP, whoever forwarded it.
    assert_eq!(hop(&e.hops, "igw-main").src, "13.124.0.8:32768");
}

#[test]
fn rt_9_loop_between_two_middleboxes_ends_in_ttl_expired() {
    let e = tcp("middlebox-loop.toml", "app", "api-example", 443);
    assert_dropped(&e, "ttl_expired", "fw2");
    let c = components(&e.hops);
    let count = |x: &str| c.iter().filter(|h| **h == x).count();
    // TTL 64: fw1 forwards 32 times, fw2 31 times and drops the 32nd.
    assert_eq!(count("rt-app"), 1);
    assert_eq!(count("rt-fw1"), 32);
    assert_eq!(count("rt-fw2"), 31);
    let last = e.hops.last().expect("hops");
    assert_eq!((last.component.as_str(), last.decision), ("fw2", "drop"));
    assert_eq!(last.decided_by, Rule::Aws(AwsRule::TtlExpiredAtForwarder));
}

#[test]
fn source_dest_check_on_a_route_target_drops_forwarded_packets() {
    let e = tcp("middlebox.toml", "guarded", "db", 5432);
    assert_dropped(&e, "source_dest_check", "guard");
    assert_eq!(
        path(&e.hops),
        [
            ("guarded", "forward"),
            ("rt-guarded", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("guard", "drop"),
        ]
    );
    assert_route(
        &design("middlebox.toml"),
        &e.hops,
        "rt-guarded",
        ("10.0.2.0/24", "guard"),
        Origin::Static,
        false,
    );
}

// -- endpoints ------------------------------------------------------------------

#[test]
fn gwe_3_s3_goes_through_the_gateway_endpoint_and_dynamodb_through_nat() {
    let e = tcp("endpoints.toml", "orders", "s3", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("orders", "forward"),
            ("rt-private", "forward"),
            (ACL, "forward"),
            ("vpce-s3", "forward"),
            ("s3", "deliver"),
        ]
    );
    let d = design("endpoints.toml");
    assert_eq!(
        route_entry(&d, &e.hops, "rt-private").target,
        target(&d, "vpce-s3")
    );
    // The service sees the private source address.
    let src = &hop(&e.hops, "orders").src;
    assert!(src.starts_with("10.0.1."), "{src}");
    assert_eq!(&hop(&e.hops, "s3").src, src);
    assert_eq!(
        path(&reply(&e).hops),
        [
            ("vpce-s3", "forward"),
            (ACL, "forward"),
            ("orders", "deliver")
        ]
    );

    let e = tcp("endpoints.toml", "orders", "dynamodb", 443);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        [
            "orders",
            "rt-private",
            ACL,
            ACL,
            "nat-a",
            "rt-public",
            ACL,
            "igw-main",
            "internet",
            "dynamodb"
        ]
    );
    assert_route(
        &design("endpoints.toml"),
        &e.hops,
        "rt-private",
        ("0.0.0.0/0", "nat-a"),
        Origin::Static,
        false,
    );
    assert!(hop(&e.hops, "dynamodb").src.starts_with("3.35.0.10:"));
}

#[test]
fn gwe_5_udp_to_s3_through_the_gateway_endpoint_is_protocol_not_supported() {
    let e = ask(design("endpoints.toml"), "orders", "s3", "udp", Some(443));
    assert_dropped(&e, "protocol_not_supported", "vpce-s3");
    assert_eq!(
        path(&e.hops),
        [
            ("orders", "forward"),
            ("rt-private", "forward"),
            (ACL, "forward"),
            ("vpce-s3", "drop"),
        ]
    );
}

fn endpoint_ip(d: &Design, id: &str) -> Ipv4Addr {
    let Some(Component::Endpoint(e)) = d.lookup(id) else {
        panic!("{id}");
    };
    let EndpointKind::Interface { enis, .. } = &d.endpoints[e.idx()].kind else {
        panic!("{id} is not an interface endpoint");
    };
    d.enis[enis[0].idx()].ip
}

#[test]
fn ife_2_private_dns_resolves_the_service_name_to_the_endpoint_eni() {
    let ip = endpoint_ip(&design("endpoints.toml"), "vpce-sqs");
    assert!(ip.octets()[..3] == [10, 0, 9], "{ip}");
    // Not the public front door 52.46.128.10.
    let e = tcp("endpoints.toml", "orders", "sqs", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("orders", "forward"),
            ("rt-private", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            // The endpoint's ENI admits it; the service beyond answers
            // (IFE-8).
            ("vpce-sqs", "forward"),
            ("vpce-sqs", "deliver"),
        ]
    );
    assert_eq!(hop(&e.hops, "vpce-sqs").dst, format!("{ip}:443"));
    assert_route(
        &design("endpoints.toml"),
        &e.hops,
        "rt-private",
        ("10.0.0.0/16", "local"),
        Origin::Local,
        false,
    );
}

#[test]
fn sg_2_interface_endpoint_admits_one_function_by_group_reference() {
    let e = tcp("endpoints.toml", "orders", "vpce-sqs", 443);
    assert_delivered(&e);
    assert_sg_rule(
        &design("endpoints.toml"),
        decided(&e.hops, "vpce-sqs"),
        ("sg-endpoint", true, 0),
        "sg-orders",
    );
    assert_eq!(
        components(&reply(&e).hops),
        ["vpce-sqs", "vpc-main/main-rt", ACL, ACL, "orders"]
    );

    let e = tcp("endpoints.toml", "reports", "sqs", 443);
    assert_dropped(&e, "sg_ingress_denied", "vpce-sqs");
    assert_eq!(
        path(&e.hops),
        [
            ("reports", "forward"),
            ("rt-private", "forward"),
            (ACL, "forward"),
            (ACL, "forward"),
            ("vpce-sqs", "drop"),
        ]
    );
}

// -- Lambda ---------------------------------------------------------------------

#[test]
fn lam_3_function_in_a_public_subnet_has_no_internet() {
    let e = tcp("lambda.toml", "fetch-in-vpc", "api-example", 443);
    assert_dropped(&e, "no_public_ip", "igw-main");
    assert_eq!(
        path(&e.hops),
        [
            ("fetch-in-vpc", "forward"),
            ("rt-public", "forward"),
            (ACL, "forward"),
            ("igw-main", "drop"),
        ]
    );
    assert!(hop(&e.hops, "fetch-in-vpc").src.starts_with("10.0.0."));
}

#[test]
fn lam_1_function_outside_any_vpc_has_internet() {
    let e = tcp("lambda.toml", "fetch-outside", "api-example", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [("internet", "forward"), ("api-example", "deliver")]
    );
    assert_eq!(
        path(&reply(&e).hops),
        [("internet", "forward"), ("fetch-outside", "deliver")]
    );
    // It reaches an instance of a VPC only by its public IP.
    let e = tcp("lambda.toml", "fetch-outside", "web", 443);
    assert_delivered(&e);
    assert_eq!(hop(&e.hops, "internet").dst, "13.124.0.5:443");
}

#[test]
fn lam_1_function_outside_any_vpc_cannot_reach_private_addresses() {
    let e = tcp("lambda.toml", "fetch-outside", "10.0.0.10", 443);
    assert_dropped(&e, "no_internet_route", "internet");
    assert_eq!(path(&e.hops), [("internet", "drop")]);
}

// -- VPN --------------------------------------------------------------------------

#[test]
fn ife_3_office_reaches_an_interface_endpoint_over_vpn() {
    let ip = endpoint_ip(&design("vpn.toml"), "vpce-sqs");
    let e = tcp("vpn.toml", "build-server", "vpce-sqs", 443);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("office", "forward"),
            ("vgw-main", "forward"),
            (ACL, "forward"),
            ("vpce-sqs", "forward"),
            ("vpce-sqs", "deliver"),
        ]
    );
    assert_eq!(hop(&e.hops, "vpce-sqs").dst, format!("{ip}:443"));
    assert_eq!(hop(&e.hops, "vpce-sqs").src, "192.168.10.5:32768");
    let r = reply(&e);
    assert_eq!(
        path(&r.hops),
        [
            ("vpce-sqs", "forward"),
            ("rt-propagated", "forward"),
            (ACL, "forward"),
            ("vgw-main", "forward"),
            ("build-server", "deliver"),
        ]
    );
    // VPN-1: the way back is the propagated route.
    assert_route(
        &design("vpn.toml"),
        &r.hops,
        "rt-propagated",
        ("192.168.0.0/16", "vgw-main"),
        Origin::Propagated,
        false,
    );
}

#[test]
fn vpn_1_without_propagation_the_reply_has_no_route() {
    let e = tcp("vpn.toml", "build-server", "vpce-sns", 443);
    assert_eq!(e.forward.verdict, explain::Verdict::Delivered);
    assert_dropped(&e, "no_route", "rt-static-only");
    assert_eq!(
        path(&reply(&e).hops),
        [("vpce-sns", "forward"), ("rt-static-only", "drop")]
    );
}

#[test]
fn gwe_4_office_cannot_use_the_vpcs_gateway_endpoint() {
    let e = tcp("vpn.toml", "build-server", "s3", 443);
    assert_dropped(&e, "no_route", "vgw-main");
    assert_eq!(path(&e.hops), [("office", "forward"), ("vgw-main", "drop")]);
    let by = hop(&e.hops, "vgw-main").decided_by;
    assert_eq!(by, Rule::Aws(AwsRule::VpnOnlyVpc));
    assert!(by.ids().contains(&"GWE-4"));
}

// -- peering ----------------------------------------------------------------------

#[test]
fn pcx_1_peering_with_routes_on_both_sides_delivers() {
    let e = tcp("peering.toml", "a-app", "b-db", 5432);
    assert_delivered(&e);
    assert_eq!(
        path(&e.hops),
        [
            ("a-app", "forward"),
            ("rt-a", "forward"),
            ("vpc-a/default-acl", "forward"),
            ("pcx-ab", "forward"),
            ("vpc-b/default-acl", "forward"),
            ("b-db", "deliver"),
        ]
    );
    assert_route(
        &design("peering.toml"),
        &e.hops,
        "rt-a",
        ("10.1.0.0/16", "pcx-ab"),
        Origin::Static,
        false,
    );
    let r = reply(&e);
    assert_eq!(
        path(&r.hops),
        [
            ("b-db", "forward"),
            ("rt-b", "forward"),
            ("vpc-b/default-acl", "forward"),
            ("pcx-ab", "forward"),
            ("vpc-a/default-acl", "forward"),
            ("a-app", "deliver"),
        ]
    );
    assert_route(
        &design("peering.toml"),
        &r.hops,
        "rt-b",
        ("10.0.0.0/16", "pcx-ab"),
        Origin::Static,
        false,
    );
}

#[test]
fn pcx_1_without_a_route_back_the_reply_is_no_route() {
    let e = tcp("peering.toml", "a-app", "b-oneway", 5432);
    assert_eq!(e.forward.verdict, explain::Verdict::Delivered);
    assert_dropped(&e, "no_route", "rt-b-oneway");
    assert_eq!(
        path(&reply(&e).hops),
        [("b-oneway", "forward"), ("rt-b-oneway", "drop")]
    );
}

#[test]
fn pcx_2_peering_is_not_transitive() {
    // By its private DNS name: the id `c-app` names no address from `a`,
    // which has no private path to `c` and `c-app` no public IP (DNS-1).
    let e = tcp("peering.toml", "a-app", "ip-10-2-1-30.ec2.internal", 5432);
    assert_dropped(&e, "peering_not_transitive", "pcx-ab");
    assert_eq!(
        path(&e.hops),
        [
            ("a-app", "forward"),
            ("rt-a", "forward"),
            ("vpc-a/default-acl", "forward"),
            ("pcx-ab", "drop"),
        ]
    );
    assert_route(
        &design("peering.toml"),
        &e.hops,
        "rt-a",
        ("10.2.0.0/16", "pcx-ab"),
        Origin::Static,
        false,
    );
    assert!(!components(&e.hops).contains(&"pcx-bc"));
}

#[test]
fn pcx_3_security_group_references_a_group_of_the_peer_vpc() {
    let e = tcp("peering.toml", "a-app", "b-db", 5432);
    assert_delivered(&e);
    assert_sg_rule(
        &design("peering.toml"),
        decided(&e.hops, "b-db"),
        ("sg-b-db", true, 0),
        "sg-a-app",
    );
    let e = tcp("peering.toml", "a-batch", "b-db", 5432);
    assert_dropped(&e, "sg_ingress_denied", "b-db");
    assert_eq!(
        components(&e.hops),
        [
            "a-batch",
            "rt-a",
            "vpc-a/default-acl",
            "pcx-ab",
            "vpc-b/default-acl",
            "b-db"
        ]
    );
}

// -- where an outside packet enters -------------------------------------------------

fn entering(
    file: &str,
    from: &str,
    to: &str,
    enter: &str,
) -> Result<Explanation, explain::ExplainError> {
    let q = Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: packet::PROTO_TCP,
        port: Some(443),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: Some(enter.to_string()),
    };
    explain::explain(design(file), &q)
}

#[test]
fn igw_2_enter_places_an_outside_packet_at_the_internet_gateway() {
    let e = entering("public.toml", "198.51.100.7", "13.124.0.5", "igw-main").expect("explains");
    assert_delivered(&e);
    // It starts at the gateway: the internet is not crossed on the way in.
    assert_eq!(
        path(&e.hops),
        [
            ("igw-main", "forward"),
            (ACL, "forward"),
            ("web", "deliver")
        ]
    );
}

#[test]
fn enter_takes_only_gateways_and_outside_sources() {
    let err = entering("public.toml", "198.51.100.7", "13.124.0.5", "web").unwrap_err();
    assert!(
        matches!(&err, explain::ExplainError::EnterKind { id, .. } if id == "web"),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("is an instance") && err.contains("expected an internet gateway"),
        "{err}"
    );
    let err = entering("public.toml", "web", "198.51.100.7", "igw-main").unwrap_err();
    assert_eq!(
        err,
        explain::ExplainError::EnterFromInside("igw-main".to_string())
    );
    assert!(err.to_string().contains("inside a VPC"), "{err}");
    let err = entering("public.toml", "198.51.100.7", "13.124.0.5", "igw-nope").unwrap_err();
    assert_eq!(
        err,
        explain::ExplainError::EnterUnknown("igw-nope".to_string())
    );
    assert!(err.to_string().contains("no resource"), "{err}");
}

#[test]
fn gwe_1_a_gateway_endpoint_serves_the_service_of_its_own_vpcs_region() {
    let d = design("endpoints-region.toml");
    let list_of = |id: &str| {
        let Some(Component::Endpoint(e)) = d.lookup(id) else {
            panic!("{id}");
        };
        let EndpointKind::Gateway { prefix_list, .. } = &d.endpoints[e.idx()].kind else {
            panic!("{id} is not a gateway endpoint");
        };
        d.prefix_lists[prefix_list.idx()].list_name.clone()
    };
    assert_eq!(list_of("vpce-s3-east"), "com.amazonaws.us-east-1.s3");
    assert_eq!(list_of("vpce-s3-west"), "com.amazonaws.us-west-2.s3");

    // From the us-west-2 VPC, `s3` is us-west-2's S3, and its endpoint
    // carries it.
    let e = tcp("endpoints-region.toml", "w1", "s3", 443);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        ["w1", "rt-w", "vpc-west/default-acl", "vpce-s3-west", "s3"]
    );
    assert_eq!(hop(&e.hops, "s3").dst, "52.218.128.1:443");
    // us-east-1's S3 is not its Region's: no route takes it to the endpoint.
    let e = tcp("endpoints-region.toml", "w1", "54.231.1.10", 443);
    assert_dropped(&e, "no_route", "rt-w");

    // From the scenario's Region, `s3` stays us-east-1's.
    let e = tcp("endpoints-region.toml", "e1", "s3", 443);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        ["e1", "rt-e", "vpc-east/default-acl", "vpce-s3-east", "s3"]
    );
    assert_eq!(hop(&e.hops, "s3").dst, "54.231.0.1:443");
}

fn fixture_text(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/explain")
        .join(file);
    std::fs::read_to_string(path).expect("fixture")
}

#[test]
fn ife_7_private_dns_only_for_inbound_resolver_endpoints_by_default_sends_s3_to_the_gateway() {
    let e = tcp("endpoints-both.toml", "app", "s3", 443);
    assert_delivered(&e);
    assert_eq!(
        components(&e.hops),
        ["app", "rt-priv", "vpc/default-acl", "vpce-s3-gw", "s3"]
    );
    // Named by its id, the interface endpoint still answers.
    let e = tcp("endpoints-both.toml", "app", "vpce-s3-if", 443);
    assert_delivered(&e);
    assert!(components(&e.hops).contains(&"vpce-s3-if"));

    // Set to false, the endpoint's private DNS answers in the VPC too.
    let text = fixture_text("endpoints-both.toml").replace(
        "private_dns = true\n",
        "private_dns = true\nprivate_dns_only_for_inbound_resolver_endpoint = false\n",
    );
    let d = model::load_str("both.toml", &text).expect("loads").design;
    let e = ask(d, "app", "s3", "tcp", Some(443));
    assert_delivered(&e);
    let hops = components(&e.hops);
    assert!(
        hops.contains(&"vpce-s3-if") && !hops.contains(&"vpce-s3-gw"),
        "{hops:?}"
    );
}
