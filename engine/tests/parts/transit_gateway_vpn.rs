//! Transit gateways with a Site-to-Site VPN attachment (TGW-9): loading and
//! its located errors, BGP and static routing, the way to and from
//! on-premises, the VPN's MTU, and whole runs. Tests are named after the
//! rule of `docs/aws-rules.md` they check.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use super::{att, decided, route, tgw_routes};
use vpcsim::dataplane::transit_gateway::Origin;
use vpcsim::dataplane::{AwsRule, Host, Loc, Network, Place, Rule, Step, Trace};
use vpcsim::explain::{self, Explanation, HopOut};
use vpcsim::model::{self, Component, Design, DropReason};
use vpcsim::packet::{self, build};
use vpcsim::sim::{self, RunOptions};
use vpcsim::units::Nanos;

/// Two VPCs and an office on one transit gateway: `app` in VPC A, `db` in
/// VPC B, `desk` and `old` in the office behind VPN attachment `att-vpn`
/// (`vpn` is appended to that attachment's table). `extra` is appended.
fn hub(vpn: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "tgw-vpn"
duration = "4s"

[[vpc]]
id = "vpc-a"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-b"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "a-1a"
vpc = "vpc-a"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-a"

[[subnet]]
id = "b-1a"
vpc = "vpc-b"
cidr = "10.2.1.0/24"
az = "us-east-1a"
route_table = "rt-b"

[[route_table]]
id = "rt-a"
vpc = "vpc-a"
routes = [ {{ destination = "10.0.0.0/8", target = "tgw" }}, {{ destination = "192.168.0.0/16", target = "tgw" }} ]

[[route_table]]
id = "rt-b"
vpc = "vpc-b"
routes = [ {{ destination = "10.0.0.0/8", target = "tgw" }}, {{ destination = "192.168.0.0/16", target = "tgw" }} ]

[[transit_gateway]]
id = "tgw"

[[transit_gateway_attachment]]
id = "att-a"
transit_gateway = "tgw"
vpc = "vpc-a"
subnets = ["a-1a"]

[[transit_gateway_attachment]]
id = "att-b"
transit_gateway = "tgw"
vpc = "vpc-b"
subnets = ["b-1a"]

[[transit_gateway_attachment]]
id = "att-vpn"
transit_gateway = "tgw"
type = "vpn"
{vpn}

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "att-vpn"
latency = "5ms"

[[onprem_host]]
id = "desk"
network = "office"
ip = "192.168.1.10"
listen = [ {{ protocol = "tcp", port = 22 }} ]

[[onprem_host]]
id = "old"
network = "office"
ip = "192.168.99.5"
listen = [ {{ protocol = "tcp", port = 22 }} ]

[[security_group]]
id = "sg-a"
vpc = "vpc-a"
ingress = [ {{ protocol = "all", cidr = "192.168.0.0/16" }}, {{ protocol = "all", cidr = "10.0.0.0/8" }} ]

[[security_group]]
id = "sg-b"
vpc = "vpc-b"
ingress = [ {{ protocol = "all", cidr = "192.168.0.0/16" }} ]

[[instance]]
id = "app"
subnet = "a-1a"
security_groups = ["sg-a"]
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[instance]]
id = "db"
subnet = "b-1a"
security_groups = ["sg-b"]
listen = [ {{ protocol = "tcp", port = 5432 }} ]
{extra}
"#
    )
}

fn load(text: &str) -> Design {
    match model::load_str("tgw-vpn.toml", text) {
        Ok(l) => l.design,
        Err(r) => panic!("does not load:\n{r}\n--- text ---\n{text}"),
    }
}

fn errors(text: &str) -> String {
    match model::load_str("tgw-vpn.toml", text) {
        Ok(_) => panic!("loads, but should not:\n{text}"),
        Err(r) => r.to_string(),
    }
}

fn tcp_q(d: Design, from: &str, to: &str, port: u16, at: u64) -> Explanation {
    let q = explain::Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(port),
        icmp_type: None,
        icmp_code: None,
        at: Nanos::from_secs(at),
        enter: None,
    };
    explain::explain(d, &q).unwrap_or_else(|e| panic!("explain {from} -> {to}: {e}"))
}

fn tcp(d: Design, from: &str, to: &str, port: u16) -> Explanation {
    tcp_q(d, from, to, port, 0)
}

fn components(hops: &[HopOut]) -> Vec<&str> {
    hops.iter().map(|h| h.component.as_str()).collect()
}

fn office(d: &Design) -> model::OnpremNetId {
    match d.lookup("office") {
        Some(Component::OnpremNet(n)) => n,
        other => panic!("office is {other:?}, not an on-premises network"),
    }
}

#[track_caller]
fn assert_delivered(e: &Explanation) {
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (explain::Verdict::Delivered, None, None),
        "{}",
        explain::render(e)
    );
    let reply = e.reply.as_ref().expect("a reply");
    assert_eq!(
        reply.verdict,
        explain::Verdict::Delivered,
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

/// A table `tgw-rt` that every attachment is associated with and that the
/// VPC attachments propagate into; `routes` are its static routes.
fn own_table(routes: &str) -> String {
    format!(
        r#"
[[transit_gateway_route_table]]
id = "tgw-rt"
transit_gateway = "tgw"
associations = ["att-a", "att-b", "att-vpn"]
propagations = ["att-a", "att-b"]
routes = [ {routes} ]
"#
    )
}

// -- loading -----------------------------------------------------------------------

#[test]
fn tgw_9_vpn_attachment_loads_with_its_networks() {
    let d = load(&hub("", ""));
    let a = &d.tgw_attachments[2];
    assert_eq!(a.name, "att-vpn");
    match &a.kind {
        model::TgwAttachmentKind::Vpn { networks, bgp } => {
            assert_eq!(networks.len(), 1);
            assert_eq!(d.onprem_nets[networks[0].idx()].name, "office");
            assert!(*bgp, "BGP is the default");
        }
        k => panic!("not a VPN attachment: {k:?}"),
    }
    assert!(a.enis().is_empty());
    assert_eq!(a.vpc(), None);
    let d = load(&hub("routing = \"static\"", ""));
    assert!(matches!(
        d.tgw_attachments[2].kind,
        model::TgwAttachmentKind::Vpn { bgp: false, .. }
    ));
}

#[test]
fn tgw_9_bad_vpn_attachments_are_located_errors() {
    // An unknown routing value.
    let r = errors(&hub("routing = \"dynamic\"", ""));
    assert!(r.contains("tgw-vpn.toml:"), "{r}");
    assert!(r.contains("routing") && r.contains("bgp"), "{r}");
    // VPC keys on a VPN attachment.
    let r = errors(&hub("vpc = \"vpc-a\"\nappliance_mode = true", ""));
    assert!(r.contains("a VPN attachment has no `vpc`"), "{r}");
    assert!(
        r.contains("a VPN attachment has no `appliance_mode`"),
        "{r}"
    );
    // `routing` on a VPC attachment.
    let text = hub("", "").replacen(
        "vpc = \"vpc-a\"\nsubnets = [\"a-1a\"]",
        "vpc = \"vpc-a\"\nsubnets = [\"a-1a\"]\nrouting = \"bgp\"",
        1,
    );
    let r = errors(&text);
    assert!(r.contains("`routing` is a VPN attachment's"), "{r}");
    // An on-premises network through a VPC attachment.
    let text = hub("", "").replace("via = \"att-vpn\"", "via = \"att-a\"");
    let r = errors(&text);
    assert!(r.contains("`via` names `att-a`, a VPC attachment"), "{r}");
    let line = text
        .lines()
        .position(|l| l == "via = \"att-a\"")
        .expect("line")
        + 1;
    assert!(r.contains(&format!("tgw-vpn.toml:{line}:")), "{r}");
    // A VPN attachment no network is behind is a warning.
    let text = hub("", "").replace("via = \"att-vpn\"", "via = \"att-vpn2\"")
        + "\n[[transit_gateway_attachment]]\nid = \"att-vpn2\"\ntransit_gateway = \"tgw\"\ntype = \"vpn\"\n";
    let l = model::load_str("tgw-vpn.toml", &text).expect("loads");
    let w = l.report.to_string();
    assert!(
        w.contains("no `[[onprem_network]]` has `via` naming this VPN attachment"),
        "{w}"
    );
}

// -- routing -------------------------------------------------------------------------

#[test]
fn tgw_9_bgp_vpn_attachment_propagates_the_onprem_prefixes() {
    let d = load(&hub("", ""));
    let e = tcp(d.clone(), "app", "desk", 22);
    assert_delivered(&e);
    let vpn = Some(att(&d, "att-vpn"));
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw/default-rt"),
        [route("192.168.0.0/16", vpn, Origin::PropagatedVpn)]
    );
    // TGW-13: a network that states no tunnels has two, both up; the flow
    // hash picks one.
    assert_eq!(
        decided(&e.hops, "att-vpn"),
        [
            Rule::Aws(AwsRule::TgwToVpn),
            Rule::None,
            Rule::VpnTunnel {
                net: office(&d),
                tunnel: 1,
                ecmp: true
            }
        ]
    );
    // The reply comes in over the VPN attachment and is routed by its
    // associated table.
    let reply = e.reply.as_ref().expect("reply");
    let default_rt = d.tgws[0].association_default.expect("a default table");
    assert!(
        decided(&reply.hops, "tgw").contains(&Rule::TgwAssociation {
            attachment: att(&d, "att-vpn"),
            table: default_rt,
        }),
        "{}",
        explain::render(&e)
    );
    assert!(
        tgw_routes(&d, 0, &reply.hops, "tgw/default-rt").contains(&route(
            "10.1.0.0/16",
            Some(att(&d, "att-a")),
            Origin::Propagated
        )),
        "{}",
        explain::render(&e)
    );
}

#[test]
fn tgw_9_onprem_reaches_both_vpcs_through_the_vpn_attachment() {
    for (to, port) in [("app", 443), ("db", 5432)] {
        let e = tcp(load(&hub("", "")), "desk", to, port);
        assert_delivered(&e);
        assert_eq!(
            decided(&e.hops, "att-vpn"),
            [Rule::Aws(AwsRule::TgwFromVpn)],
            "{}",
            explain::render(&e)
        );
        // The office's latency, the transit gateway's hop, then within the
        // attachment subnet's AZ.
        assert_eq!(
            e.forward.latency_us,
            5000 + 400 + 50,
            "{}",
            explain::render(&e)
        );
    }
}

#[test]
fn tgw_9_static_vpn_routes_are_not_propagated() {
    // Static routing, no static route: the VPC has no way to the office.
    let d = load(&hub("routing = \"static\"", ""));
    let e = tcp(d, "app", "desk", 22);
    assert_dropped(&e, "no_route", "tgw/default-rt");
    // A static route to the attachment in the transit gateway route table.
    let text = hub(
        "routing = \"static\"",
        &own_table(r#"{ destination = "192.168.0.0/16", attachment = "att-vpn" }"#),
    )
    .replace("[[transit_gateway]]\nid = \"tgw\"", "[[transit_gateway]]\nid = \"tgw\"\ndefault_route_table_association = false\ndefault_route_table_propagation = false");
    let d = load(&text);
    let e = tcp(d.clone(), "app", "desk", 22);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw-rt"),
        [route(
            "192.168.0.0/16",
            Some(att(&d, "att-vpn")),
            Origin::Static
        )]
    );
}

#[test]
fn tgw_9_blackhole_route_for_a_retired_onprem_prefix() {
    let text = hub(
        "",
        &own_table(r#"{ destination = "192.168.99.0/24", blackhole = true }"#),
    )
    .replace(
        "associations = [\"att-a\", \"att-b\", \"att-vpn\"]\npropagations = [\"att-a\", \"att-b\"]",
        "associations = [\"att-a\", \"att-b\", \"att-vpn\"]\npropagations = [\"att-a\", \"att-b\", \"att-vpn\"]",
    );
    let d = load(&text);
    let e = tcp(d.clone(), "app", "old", 22);
    assert_dropped(&e, "route_blackhole", "tgw-rt");
    let e = tcp(d, "app", "desk", 22);
    assert_delivered(&e);
}

#[test]
fn tgw_9_an_address_no_network_behind_the_attachment_has_is_no_route() {
    // A static route to the VPN attachment wider than the office.
    let text = hub(
        "",
        &own_table(r#"{ destination = "172.16.0.0/12", attachment = "att-vpn" }"#),
    )
    .replace(
        "{ destination = \"192.168.0.0/16\", target = \"tgw\" } ]\n\n[[route_table]]\nid = \"rt-b\"",
        "{ destination = \"172.16.0.0/12\", target = \"tgw\" } ]\n\n[[route_table]]\nid = \"rt-b\"",
    );
    let d = Arc::new(load(&text));
    let (end, _) = walk(
        &d,
        "app",
        tcp_bytes(ip_of(&d, "app"), Ipv4Addr::new(172, 16, 5, 5), 60),
    );
    assert!(
        matches!(end, Step::Drop(x) if x.reason == DropReason::NoRoute
            && x.place == Place::Component(d.lookup("att-vpn").unwrap())),
        "{end:?}"
    );
}

#[test]
fn tgw_9_deleted_vpn_attachment_carries_nothing() {
    let extra = r#"
[[event]]
at = "1s"
delete = "att-vpn"
"#;
    let d = load(&hub("", extra));
    assert_delivered(&tcp_q(d.clone(), "desk", "app", 443, 0));
    let e = tcp_q(d.clone(), "desk", "app", 443, 2);
    assert_dropped(&e, "no_route", "office");
    // Its propagated routes are withdrawn.
    let e = tcp_q(d, "app", "desk", 22, 2);
    assert_dropped(&e, "no_route", "tgw/default-rt");
}

#[test]
fn tgw_9_run_delivers_between_onprem_and_the_vpcs() {
    let extra = r#"
[[traffic]]
id = "desk-to-app"
from = "desk"
to = "app"
port = 443
rate = "10/s"

[[traffic]]
id = "app-to-desk"
from = "app"
to = "desk"
port = 22
rate = "10/s"

[[expect]]
traffic = "desk-to-app"
delivered = "100%"
via = ["att-vpn", "tgw", "tgw/default-rt"]

[[expect]]
traffic = "app-to-desk"
delivered = "100%"
via = ["att-vpn"]
"#;
    let d = Arc::new(load(&hub("", extra)));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    for t in &out.metrics.traffic {
        assert!(t.delivered > 0, "{t:?}");
        assert_eq!(t.failed, 0, "{t:?}");
    }
    let net = Network::new(Arc::clone(&d));
    let results = vpcsim::report::check::evaluate(&net, &out.metrics, None);
    assert!(results.iter().all(|r| r.ok), "{results:?}");
}

// -- TGW-12: BGP withdrawal with every tunnel down ---------------------------------

/// The office's two tunnels with these statuses.
fn tunnels(a: &str, b: &str) -> String {
    format!(
        "[ {{ outside_ip = \"3.13.210.90\", status = \"{a}\" }}, {{ outside_ip = \"18.221.157.90\", status = \"{b}\" }} ]"
    )
}

/// `hub` with the office's tunnels both up, then down from 1 s, and one up
/// again from 2 s.
fn hub_tunnels_down_and_back(vpn: &str, extra: &str) -> String {
    let events = format!(
        r#"
[[event]]
at = "1s"
set = {{ resource = "office", tunnels = {} }}

[[event]]
at = "2s"
set = {{ resource = "office", tunnels = {} }}
{extra}"#,
        tunnels("down", "down"),
        tunnels("down", "up")
    );
    hub(vpn, &events).replace(
        "via = \"att-vpn\"\nlatency",
        &format!(
            "via = \"att-vpn\"\ntunnels = {}\nlatency",
            tunnels("up", "up")
        ),
    )
}

#[test]
fn tgw_12_bgp_routes_leave_the_tables_while_every_tunnel_is_down() {
    let d = load(&hub_tunnels_down_and_back("", ""));
    // Tunnels up: the propagated route carries the packet.
    let e = tcp_q(d.clone(), "app", "desk", 22, 0);
    assert_delivered(&e);
    let vpn = Some(att(&d, "att-vpn"));
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw/default-rt"),
        [route("192.168.0.0/16", vpn, Origin::PropagatedVpn)]
    );
    // Every tunnel down: BGP withdrew the route, the table has none.
    let e = tcp_q(d.clone(), "app", "desk", 22, 1);
    assert_dropped(&e, "no_route", "tgw/default-rt");
    assert_eq!(
        decided(&e.hops, "tgw/default-rt"),
        [Rule::BgpWithdrawn { net: office(&d) }]
    );
    assert!(
        !components(&e.hops).contains(&"att-vpn"),
        "{}",
        explain::render(&e)
    );
    // From the office, the BGP attachment has no route to AWS either.
    let e = tcp_q(d.clone(), "desk", "app", 443, 1);
    assert_dropped(&e, "no_route", "office");
    assert!(
        decided(&e.hops, "office").contains(&Rule::VpnTunnels { net: office(&d) }),
        "{}",
        explain::render(&e)
    );
    // One tunnel up again: the route is back, both ways.
    let e = tcp_q(d.clone(), "app", "desk", 22, 2);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 2, &e.hops, "tgw/default-rt"),
        [route("192.168.0.0/16", vpn, Origin::PropagatedVpn)]
    );
    assert_delivered(&tcp_q(d, "desk", "app", 443, 3));
}

#[test]
fn tgw_12_static_routes_to_the_attachment_stay_and_no_tunnel_carries_them() {
    // A static route for the retired part of the office beside the BGP
    // routes: it stays in the table with the tunnels down.
    let text = hub_tunnels_down_and_back(
        "",
        &own_table(r#"{ destination = "192.168.99.0/24", attachment = "att-vpn" }"#),
    )
    .replace(
        "propagations = [\"att-a\", \"att-b\"]",
        "propagations = [\"att-a\", \"att-b\", \"att-vpn\"]",
    );
    let d = load(&text);
    let e = tcp_q(d.clone(), "app", "old", 22, 0);
    assert_delivered(&e);
    let old = route("192.168.99.0/24", Some(att(&d, "att-vpn")), Origin::Static);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw-rt"),
        std::slice::from_ref(&old)
    );
    let e = tcp_q(d.clone(), "app", "old", 22, 1);
    assert_dropped(&e, "vpn_tunnel_down", "att-vpn");
    assert_eq!(tgw_routes(&d, 1, &e.hops, "tgw-rt"), [old]);
    // The BGP route beside it is withdrawn.
    let e = tcp_q(d.clone(), "app", "desk", 22, 1);
    assert_dropped(&e, "no_route", "tgw-rt");
    assert_delivered(&tcp_q(d, "app", "old", 22, 2));
}

#[test]
fn tgw_12_static_vpn_attachment_keeps_its_routes_with_the_tunnels_down() {
    let text = hub_tunnels_down_and_back(
        "routing = \"static\"",
        &own_table(r#"{ destination = "192.168.0.0/16", attachment = "att-vpn" }"#),
    );
    let d = load(&text);
    let e = tcp_q(d.clone(), "app", "desk", 22, 1);
    assert_dropped(&e, "vpn_tunnel_down", "att-vpn");
    let e = tcp_q(d.clone(), "desk", "app", 443, 1);
    assert_dropped(&e, "vpn_tunnel_down", "office");
    assert_delivered(&tcp_q(d, "app", "desk", 22, 2));
}

#[test]
fn tgw_12_tunnels_set_by_the_timeline_are_checked_as_declared_ones() {
    let text = hub_tunnels_down_and_back("", "").replacen(
        "outside_ip = \"3.13.210.90\", status = \"down\" }, { outside_ip = \"18.221.157.90\", status = \"down\"",
        "outside_ip = \"10.0.0.1\", status = \"down\" }, { outside_ip = \"18.221.157.90\", status = \"down\"",
        1,
    );
    let r = errors(&text);
    assert!(
        r.contains("event `set` on `office`: tunnel outside address 10.0.0.1 is not public"),
        "{r}"
    );
    let line = text
        .lines()
        .position(|l| l.contains("10.0.0.1"))
        .expect("line")
        + 1;
    assert!(r.contains(&format!("tgw-vpn.toml:{line}:")), "{r}");
    // `tunnels` is an on-premises network's attribute only.
    let text = hub(
        "",
        "\n[[event]]\nat = \"1s\"\nset = { resource = \"att-vpn\", tunnels = [] }\n",
    );
    let r = errors(&text);
    assert!(
        r.contains("unknown key `tunnels` in a transit gateway attachment"),
        "{r}"
    );
}

// -- MTU -------------------------------------------------------------------------------

fn ip_of(d: &Design, name: &str) -> Ipv4Addr {
    let Some(Component::Instance(i)) = d.lookup(name) else {
        panic!("no instance {name}")
    };
    d.enis[d.instances[i.idx()].eni.idx()].ip
}

/// A TCP segment (DF set) of `total` bytes from `from` to `to`:22.
fn tcp_bytes(from: Ipv4Addr, to: Ipv4Addr, total: usize) -> Vec<u8> {
    let spec = build::TcpSpec {
        src: SocketAddrV4::new(from, 40000),
        dst: SocketAddrV4::new(to, 22),
        seq: 1,
        ack: 0,
        flags: packet::tcp_flags::ACK,
        window: 65535,
    };
    build::tcp(&spec, &vec![0x5a; total - 40], 64, 1).to_vec()
}

#[derive(Default)]
struct Catch {
    emitted: usize,
}

impl Trace for Catch {
    fn hop(&mut self, _: vpcsim::dataplane::Hop) {}
    fn wants_emitted(&self) -> bool {
        true
    }
    fn emitted(&mut self, _: bytes::Bytes, _: Loc) {
        self.emitted += 1;
    }
}

fn walk(d: &Arc<Design>, from: &str, mut buf: Vec<u8>) -> (Step, Catch) {
    let mut net = Network::new(Arc::clone(d));
    let Some(Component::Instance(i)) = d.lookup(from) else {
        panic!("no instance {from}")
    };
    let mut loc = Loc::HostOut(Host::Instance(i));
    let mut tr = Catch::default();
    for _ in 0..64 {
        match net.step(&mut buf, loc, Nanos::ZERO, &mut tr) {
            Step::Next { loc: next, .. } => loc = next,
            end => return (end, tr),
        }
    }
    panic!("no end")
}

#[test]
fn mtu_1_tgw_9_vpn_attachment_carries_1500_and_sends_no_icmp() {
    let d = Arc::new(load(&hub("", "")));
    let (app, desk) = (ip_of(&d, "app"), Ipv4Addr::new(192, 168, 1, 10));
    let (end, _) = walk(&d, "app", tcp_bytes(app, desk, 1500));
    assert!(matches!(end, Step::Deliver(Host::Onprem(_))), "{end:?}");
    let (end, tr) = walk(&d, "app", tcp_bytes(app, desk, 1501));
    assert!(
        matches!(end, Step::Drop(x) if x.reason == DropReason::PacketTooBig
            && x.place == Place::Component(d.lookup("att-vpn").unwrap())),
        "{end:?}"
    );
    // MTU-4: a transit gateway sends no ICMP "fragmentation needed".
    assert_eq!(tr.emitted, 0);
}

// -- TGW-8: cost of a VPN attachment ----------------------------------------------

#[test]
fn tgw_8_vpn_attachment_hours_and_data_from_the_vpn_are_charged() {
    // Only the office sends: 10 requests a second for 4 s, each a TCP
    // connection; the replies go back out over the VPN, which no processing
    // charge meets (AWS charges data sent into the transit gateway).
    let extra = r#"
[[traffic]]
id = "desk-to-app"
from = "desk"
to = "app"
port = 443
rate = "10/s"
"#;
    let d = Arc::new(load(&hub("", extra)));
    let e = super::run_cost(&d);
    let h = super::cost_item(&e, "att-vpn", "hours");
    assert_eq!(h.kind, "transit_gateway_attachment");
    assert_eq!(h.vpc, "", "a VPN attachment belongs to no VPC");
    assert!((h.quantity - 4.0 / 3600.0).abs() < 1e-9, "{h:?}");
    assert_eq!(h.unit_usd, 0.05);
    let g = super::cost_item(&e, "att-vpn", "data_processed");
    assert!(g.quantity > 0.0, "{g:?}");
    assert_eq!(g.unit_usd, 0.02);
    // What the VPN sent in is what app's VPC attachment sent out of the
    // transit gateway the other way round: app's replies enter through
    // att-a and are charged there, not at att-vpn.
    let a = super::cost_item(&e, "att-a", "data_processed");
    assert!(a.quantity > 0.0, "{a:?}");
    // The attachment's lines, and those of its VPN connection (VPN-5),
    // count in the total, and in no VPC's sum.
    let vpn: f64 = e
        .items
        .iter()
        .filter(|i| i.component == "att-vpn" && i.kind == "vpn_connection")
        .map(|i| i.usd)
        .sum();
    assert!(vpn > 0.0, "{:#?}", e.items);
    let by_vpc: f64 = e.by_vpc.iter().map(|(_, x, _)| x).sum();
    assert!(e.total_usd > by_vpc, "{} vs {by_vpc}", e.total_usd);
    assert!((e.total_usd - by_vpc - h.usd - g.usd - vpn).abs() < 1e-8);
}

#[test]
fn tgw_9_explain_enter_starts_an_onprem_packet_at_the_vpn_attachment() {
    let d = load(&hub("", ""));
    let q = explain::Query {
        from: "192.168.7.7".to_string(),
        to: "app".to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(443),
        icmp_type: None,
        icmp_code: None,
        at: Nanos::ZERO,
        enter: Some("att-vpn".to_string()),
    };
    let e = explain::explain(d, &q).expect("explains");
    assert_delivered(&e);
    assert_eq!(
        e.hops.first().map(|h| (h.component.as_str(), h.decided_by)),
        Some(("att-vpn", Rule::Aws(AwsRule::TgwFromVpn))),
        "{}",
        explain::render(&e)
    );
}

// -- TGW-13: the capacity of a VPN attachment's tunnels ---------------------------

#[test]
fn tgw_13_each_tunnel_serves_1_25_gbps_and_140000_packets_per_second_each_way() {
    use vpcsim::dataplane::{ServerId, capacity_at};
    let d = load(&hub("", ""));
    let Some(Component::OnpremNet(net)) = d.lookup("office") else {
        panic!("no network office")
    };
    let mut servers = std::collections::BTreeSet::new();
    for tunnel in 0..2u8 {
        for to_onprem in [false, true] {
            let s = capacity_at(
                &d,
                Loc::VpnTunnel {
                    net,
                    tunnel,
                    to_onprem,
                },
            )
            .expect("a tunnel has a capacity");
            assert_eq!(
                s,
                ServerId::VpnTunnel {
                    net,
                    tunnel,
                    to_onprem
                }
            );
            let c = s.capacity(&d);
            assert_eq!(
                (c.bits_per_sec, c.packets_per_sec),
                (1_250_000_000, 140_000)
            );
            // 1500 bytes take 9.6 us at 1.25 Gbps; a small packet is held
            // by the packet rate, 1/140,000 s.
            assert_eq!(c.service_ns(1500), 9600);
            assert_eq!(c.service_ns(40), 7142);
            // Beyond its queue a packet is dropped at the attachment.
            assert_eq!(s.place(&d), Place::Component(d.lookup("att-vpn").unwrap()));
            assert!(s.index(&d) >= d.enis.len(), "after the ENIs' servers");
            servers.insert(s.index(&d));
        }
    }
    // Two tunnels, each way its own server.
    assert_eq!(servers.len(), 4);
}

/// The tunnel a TCP segment from `app`'s port `port` to `desk`:22 takes
/// towards the office, and the one `desk`'s reply takes back.
fn tunnels_of(d: &Arc<Design>, port: u16) -> (u8, u8) {
    struct Any;
    impl Trace for Any {
        fn hop(&mut self, _: vpcsim::dataplane::Hop) {}
    }
    let tunnel = |from: Loc, src: SocketAddrV4, dst: SocketAddrV4| {
        let spec = build::TcpSpec {
            src,
            dst,
            seq: 1,
            ack: 0,
            flags: packet::tcp_flags::SYN,
            window: 65535,
        };
        let mut buf = build::tcp(&spec, &[], 64, 1).to_vec();
        let mut net = Network::new(Arc::clone(d));
        let mut loc = from;
        let mut seen = None;
        for _ in 0..64 {
            match net.step(&mut buf, loc, Nanos::ZERO, &mut Any) {
                Step::Next { loc: next, .. } => {
                    if let Loc::VpnTunnel { tunnel, .. } = next {
                        assert!(seen.is_none(), "one tunnel per crossing");
                        seen = Some(tunnel);
                    }
                    loc = next;
                }
                end => {
                    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
                    return seen.expect("over a tunnel");
                }
            }
        }
        panic!("no end")
    };
    let (Some(Component::Instance(app)), Some(Component::OnpremHost(desk))) =
        (d.lookup("app"), d.lookup("desk"))
    else {
        panic!("no app or desk")
    };
    let a = SocketAddrV4::new(ip_of(d, "app"), port);
    let b = SocketAddrV4::new(Ipv4Addr::new(192, 168, 1, 10), 22);
    (
        tunnel(Loc::HostOut(Host::Instance(app)), a, b),
        tunnel(Loc::HostOut(Host::Onprem(desk)), b, a),
    )
}

/// The tunnels 64 flows take out and back.
fn tunnels_of_flows(text: &str) -> Vec<(u8, u8)> {
    let d = Arc::new(load(text));
    (40000..40064).map(|p| tunnels_of(&d, p)).collect()
}

fn used(flows: &[(u8, u8)], way: fn(&(u8, u8)) -> u8) -> std::collections::BTreeSet<u8> {
    flows.iter().map(way).collect()
}

#[test]
fn tgw_13_bgp_spreads_flows_over_both_tunnels_each_flow_over_one() {
    let up = hub("", "").replace(
        "via = \"att-vpn\"\nlatency",
        &format!(
            "via = \"att-vpn\"\ntunnels = {}\nlatency",
            tunnels("up", "up")
        ),
    );
    // Stated tunnels, and none stated (a connection has two).
    for text in [up, hub("", "")] {
        let flows = tunnels_of_flows(&text);
        assert_eq!(
            used(&flows, |f| f.0),
            [0, 1].into(),
            "ECMP towards the office"
        );
        assert_eq!(used(&flows, |f| f.1), [0, 1].into(), "both from the office");
        // A flow keeps one tunnel, both ways.
        assert!(flows.iter().all(|f| f.0 == f.1), "{flows:?}");
    }
    // With one tunnel down, every flow takes the other.
    let one = hub("", "").replace(
        "via = \"att-vpn\"\nlatency",
        &format!(
            "via = \"att-vpn\"\ntunnels = {}\nlatency",
            tunnels("down", "up")
        ),
    );
    assert!(tunnels_of_flows(&one).iter().all(|f| *f == (1, 1)));
}

#[test]
fn tgw_13_static_routing_sends_over_the_first_tunnel_up_without_ecmp() {
    let text = hub(
        "routing = \"static\"",
        &own_table(r#"{ destination = "192.168.0.0/16", attachment = "att-vpn" }"#),
    )
    .replace("[[transit_gateway]]\nid = \"tgw\"", "[[transit_gateway]]\nid = \"tgw\"\ndefault_route_table_association = false\ndefault_route_table_propagation = false")
    .replace(
        "via = \"att-vpn\"\nlatency",
        &format!("via = \"att-vpn\"\ntunnels = {}\nlatency", tunnels("up", "up")),
    );
    let flows = tunnels_of_flows(&text);
    // Towards the office the first tunnel; the office's gateway still
    // sends over both.
    assert_eq!(used(&flows, |f| f.0), [0].into());
    assert_eq!(used(&flows, |f| f.1), [0, 1].into());
    let d = load(&text);
    let e = tcp(d.clone(), "app", "desk", 22);
    assert_delivered(&e);
    assert_eq!(
        decided(&e.hops, "att-vpn").last().copied(),
        Some(Rule::VpnTunnel {
            net: office(&d),
            tunnel: 0,
            ecmp: false
        }),
        "{}",
        explain::render(&e)
    );
}

/// One flow of small datagrams at 300,000 a second for half a second, from
/// `app` to the office: one tunnel carries 140,000 a second of it, with
/// its queue of 1024; the rest overflows at the attachment.
#[test]
fn tgw_13_one_flow_is_held_to_one_tunnels_packet_rate() {
    let extra = r#"
[[traffic]]
id = "flood"
from = "app"
to = "desk"
pattern = "udp"
port = 9000
size = 64
rate = "300000/s"
arrivals = "fixed"
stop = "0.5s"
"#;
    let text = hub("", extra)
        .replace("duration = \"4s\"", "duration = \"1s\"")
        .replace(
            "listen = [ { protocol = \"tcp\", port = 22 } ]\n\n[[onprem_host]]",
            "listen = [ { protocol = \"tcp\", port = 22 }, { protocol = \"udp\", port = 9000 } ]\n\n[[onprem_host]]",
        );
    let d = Arc::new(load(&text));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = &out.metrics.traffic[0];
    let sent = t.started;
    assert!((149_000..=151_000).contains(&sent), "sent {sent}");
    // 0.5 s at 140,000 a second, plus what the queue held.
    assert!(
        (70_000..=70_000 + 1_100).contains(&t.delivered),
        "delivered {} of {sent}",
        t.delivered
    );
    let att = Place::Component(d.lookup("att-vpn").unwrap());
    let overflow = t.drops.get(&(DropReason::QueueOverflow, att)).copied();
    assert_eq!(
        overflow,
        Some(sent - t.delivered - t.unfinished),
        "{:?}",
        t.drops
    );
    assert_eq!(t.drops.len(), 1, "{:?}", t.drops);
}

/// TGW-4: for one prefix a VPC-propagated route beats a VPN-propagated
/// one, whatever the order of the attachments: a VPC attachment written
/// after the VPN attachment, whose VPC has the office's prefix, takes the
/// office's traffic from the table.
#[test]
fn tgw_4_a_vpc_propagated_route_beats_a_vpn_propagated_one() {
    let extra = r#"
[[vpc]]
id = "vpc-c"
cidrs = ["192.168.0.0/16"]

[[subnet]]
id = "c-1a"
vpc = "vpc-c"
cidr = "192.168.1.0/24"
az = "us-east-1a"

[[transit_gateway_attachment]]
id = "att-c"
transit_gateway = "tgw"
vpc = "vpc-c"
subnets = ["c-1a"]
"#;
    let d = load(&hub("", extra));
    let e = tcp(d.clone(), "app", "192.168.1.10", 22);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw/default-rt"),
        [route(
            "192.168.0.0/16",
            Some(att(&d, "att-c")),
            Origin::Propagated
        )],
        "{}",
        explain::render(&e)
    );
    // Without the VPC, the VPN's route carries it to the office.
    let d = load(&hub("", ""));
    let e = tcp(d.clone(), "app", "192.168.1.10", 22);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw/default-rt"),
        [route(
            "192.168.0.0/16",
            Some(att(&d, "att-vpn")),
            Origin::PropagatedVpn
        )]
    );
}

/// VPN-5, TGW-8: a VPN attachment is charged as a transit gateway
/// attachment and, besides, as a Site-to-Site VPN connection per hour; the
/// data the VPC sends out over it to the office is charged as data out.
/// The lines belong to no VPC.
#[test]
fn vpn_5_a_vpn_attachment_is_also_a_vpn_connection_charged_per_hour_and_for_data_out() {
    let extra = r#"
[[traffic]]
id = "app-to-desk"
from = "app"
to = "desk"
port = 22
rate = "20/s"
request = "64KiB"
"#;
    let d = Arc::new(load(&hub("", extra)));
    let e = super::run_cost(&d);
    let line = |kind: &str, item: &str| super::cost_line(&e, "att-vpn", kind, item);
    let tgw = line("transit_gateway_attachment", "hours");
    let vpn = line("vpn_connection", "hours");
    assert!((vpn.quantity - 4.0 / 3600.0).abs() < 1e-9, "{vpn:?}");
    assert_eq!(vpn.quantity, tgw.quantity);
    assert_eq!(vpn.unit_usd, 0.05);
    assert_eq!(vpn.vpc, "");
    let out = line("vpn_connection", "vpn_out");
    // About 80 requests of 64 KiB (0.005 GB) went out to the office.
    assert!(out.quantity > 0.002, "{out:?}");
    assert_eq!(out.unit_usd, 0.09);
    assert_eq!(out.vpc, "");
}
