//! Transit gateway peering attachments (TGW-10): loading and its located
//! errors, static routes on both sides, the way across, deletion on the
//! timeline, cost and DNS. Tests are named after the rule of
//! `docs/aws-rules.md` they check.

use std::sync::Arc;

use super::{att, route, tgw_routes};
use vpcsim::dataplane::transit_gateway::Origin;
use vpcsim::dataplane::{AwsRule, Rule};
use vpcsim::explain::{self, Explanation};
use vpcsim::model::{self, Component, Design, TgwAttachmentKind};
use vpcsim::sim::{self, RunOptions};

/// VPC A on `tgw-east` (the scenario's Region, us-east-1) and VPC W on
/// `tgw-west` (`west_region`), the two transit gateways peered by
/// `att-peer-east` and `att-peer-west`. Each side's table routes the other
/// VPC's CIDR to its peering attachment (`east_routes`, `west_routes` are
/// the tables' `routes`). `extra` is appended.
fn peered(west_region: &str, east_routes: &str, west_routes: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "tgw-peering"
duration = "4s"

[[vpc]]
id = "vpc-a"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-w"
cidrs = ["10.9.0.0/16"]

[[subnet]]
id = "a-1a"
vpc = "vpc-a"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-a"

[[subnet]]
id = "w-2a"
vpc = "vpc-w"
cidr = "10.9.1.0/24"
az = "us-west-2a"
route_table = "rt-w"

[[route_table]]
id = "rt-a"
vpc = "vpc-a"
routes = [ {{ destination = "10.9.0.0/16", target = "tgw-east" }} ]

[[route_table]]
id = "rt-w"
vpc = "vpc-w"
routes = [ {{ destination = "10.1.0.0/16", target = "tgw-west" }} ]

[[transit_gateway]]
id = "tgw-east"

[[transit_gateway]]
id = "tgw-west"
region = "{west_region}"

[[transit_gateway_attachment]]
id = "att-a"
transit_gateway = "tgw-east"
vpc = "vpc-a"
subnets = ["a-1a"]

[[transit_gateway_attachment]]
id = "att-w"
transit_gateway = "tgw-west"
vpc = "vpc-w"
subnets = ["w-2a"]

[[transit_gateway_attachment]]
id = "att-peer-east"
transit_gateway = "tgw-east"
type = "peering"
peer = "att-peer-west"

[[transit_gateway_attachment]]
id = "att-peer-west"
transit_gateway = "tgw-west"
type = "peering"
peer = "att-peer-east"

[[transit_gateway_route_table]]
id = "trt-east"
transit_gateway = "tgw-east"
associations = ["att-a", "att-peer-east"]
propagations = ["att-a"]
routes = [{east_routes}]

[[transit_gateway_route_table]]
id = "trt-west"
transit_gateway = "tgw-west"
associations = ["att-w", "att-peer-west"]
propagations = ["att-w"]
routes = [{west_routes}]

[[security_group]]
id = "sg-a"
vpc = "vpc-a"
ingress = [ {{ protocol = "all", cidr = "10.0.0.0/8" }} ]

[[security_group]]
id = "sg-w"
vpc = "vpc-w"
ingress = [ {{ protocol = "all", cidr = "10.0.0.0/8" }} ]

[[instance]]
id = "app"
subnet = "a-1a"
security_groups = ["sg-a"]

[[instance]]
id = "db"
subnet = "w-2a"
security_groups = ["sg-w"]
listen = [ {{ protocol = "tcp", port = 5432 }} ]
{extra}
"#
    )
}

const EAST: &str = r#"{ destination = "10.9.0.0/16", attachment = "att-peer-east" }"#;
const WEST: &str = r#"{ destination = "10.1.0.0/16", attachment = "att-peer-west" }"#;

fn load(text: &str) -> Design {
    match model::load_str("tgw.toml", text) {
        Ok(l) => l.design,
        Err(r) => panic!("does not load:\n{r}\n--- text ---\n{text}"),
    }
}

fn errors(text: &str) -> String {
    match model::load_str("tgw.toml", text) {
        Ok(_) => panic!("loads, but should not:\n{text}"),
        Err(r) => r.to_string(),
    }
}

fn tcp_at(d: Design, from: &str, to: &str, port: u16, secs: u64) -> Explanation {
    let q = explain::Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(port),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::from_secs(secs),
        enter: None,
    };
    explain::explain(d, &q).unwrap_or_else(|e| panic!("explain {from} -> {to}: {e}"))
}

#[test]
fn tgw_10_peering_attachments_load_with_regions() {
    let d = load(&peered("us-west-2", EAST, WEST, ""));
    assert_eq!(d.tgws[0].region, "us-east-1");
    assert_eq!(d.tgws[1].region, "us-west-2");
    let east = &d.tgw_attachments[2];
    match east.kind {
        TgwAttachmentKind::Peering { peer, inter_region } => {
            assert_eq!(d.tgw_attachments[peer.idx()].name, "att-peer-west");
            assert!(inter_region);
        }
        ref k => panic!("{k:?}"),
    }
    // A peering attachment propagates nothing, even with the default on.
    assert!(east.propagations.is_empty());
    // VPC W is in the Region of the transit gateway it is attached to.
    assert_eq!(d.vpcs[1].region, "us-west-2");
    let same = load(&peered("us-east-1", EAST, WEST, ""));
    assert!(matches!(
        same.tgw_attachments[2].kind,
        TgwAttachmentKind::Peering {
            inter_region: false,
            ..
        }
    ));
}

#[test]
fn tgw_10_crosses_both_transit_gateways_by_static_routes() {
    let e = tcp_at(
        load(&peered("us-west-2", EAST, WEST, "")),
        "app",
        "db",
        5432,
        0,
    );
    assert_eq!(
        (e.verdict, e.reason),
        (explain::Verdict::Delivered, None),
        "{}",
        explain::render(&e)
    );
    let c: Vec<&str> = e.hops.iter().map(|h| h.component.as_str()).collect();
    let pos = |n: &str| {
        c.iter()
            .position(|x| *x == n)
            .unwrap_or_else(|| panic!("{n} not in {c:?}"))
    };
    assert!(pos("tgw-east") < pos("trt-east"));
    assert!(pos("trt-east") < pos("att-peer-east"));
    assert!(pos("att-peer-east") < pos("att-peer-west"));
    assert!(pos("att-peer-west") < pos("tgw-west"));
    assert!(pos("tgw-west") < pos("trt-west"));
    let text = explain::render(&e);
    assert!(
        text.contains("10.9.0.0/16 -> att-peer-east (static)"),
        "{text}"
    );
    assert!(text.contains("peer transit gateway (TGW-10)"), "{text}");
    let reply = e.reply.as_ref().expect("a reply");
    assert_eq!(reply.verdict, explain::Verdict::Delivered, "{text}");
}

#[test]
fn tgw_10_without_a_route_on_the_far_side_the_reply_has_no_route() {
    // The east table routes to the peer; the west table has no route back.
    let e = tcp_at(
        load(&peered("us-west-2", EAST, "", "")),
        "app",
        "db",
        5432,
        0,
    );
    let text = explain::render(&e);
    // The request arrives; the reply from db finds no route at trt-west.
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("no_route"),
            Some("trt-west")
        ),
        "{text}"
    );
    let reply = e.reply.as_ref().expect("a reply");
    assert_eq!(
        (reply.verdict, reply.reason, reply.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("no_route"),
            Some("trt-west")
        ),
        "{text}"
    );
}

#[test]
fn tgw_10_propagation_from_a_peering_attachment_is_an_error() {
    let text = peered("us-west-2", EAST, WEST, "").replace(
        r#"propagations = ["att-a"]"#,
        r#"propagations = ["att-a", "att-peer-east"]"#,
    );
    let r = errors(&text);
    assert!(
        r.contains("`propagations` lists `att-peer-east`, a peering attachment"),
        "{r}"
    );
    assert!(r.contains("tgw.toml:"), "{r}");
}

#[test]
fn tgw_10_peer_errors_are_located() {
    let base = peered("us-west-2", EAST, WEST, "");
    // No peer.
    let r = errors(&base.replacen("peer = \"att-peer-west\"\n", "", 1));
    assert!(r.contains("a peering attachment needs `peer`"), "{r}");
    // Peer unknown.
    let r = errors(&base.replacen("peer = \"att-peer-west\"", "peer = \"att-nope\"", 1));
    assert!(r.contains("att-nope"), "{r}");
    // Peer not a peering attachment.
    let r = errors(&base.replacen("peer = \"att-peer-west\"", "peer = \"att-w\"", 1));
    assert!(
        r.contains("`att-w`, which is not a peering attachment"),
        "{r}"
    );
    // The peer does not name back.
    let mut third = base.clone();
    third.push_str(
        r#"
[[transit_gateway]]
id = "tgw-third"

[[transit_gateway_attachment]]
id = "att-peer-third"
transit_gateway = "tgw-third"
type = "peering"
peer = "att-peer-west"
"#,
    );
    let r = errors(&third);
    assert!(
        r.contains(
            "whose `peer` names `att-peer-east`; the two sides of a peering name each other"
        ),
        "{r}"
    );
    // Both sides on one transit gateway.
    let r = errors(&base.replacen(
        "transit_gateway = \"tgw-west\"\ntype = \"peering\"",
        "transit_gateway = \"tgw-east\"\ntype = \"peering\"",
        1,
    ));
    assert!(
        r.contains("is on the same transit gateway `tgw-east`"),
        "{r}"
    );
    // VPC keys on a peering attachment.
    let r = errors(&base.replacen(
        "type = \"peering\"\npeer = \"att-peer-west\"",
        "type = \"peering\"\npeer = \"att-peer-west\"\nvpc = \"vpc-a\"",
        1,
    ));
    assert!(r.contains("a peering attachment has no `vpc`"), "{r}");
    // `peer` on a VPC attachment.
    let r = errors(&base.replacen(
        "subnets = [\"a-1a\"]",
        "subnets = [\"a-1a\"]\npeer = \"att-peer-west\"",
        1,
    ));
    assert!(r.contains("`peer` is a peering attachment's"), "{r}");
    // A bad Region.
    let r = errors(&peered("US West", EAST, WEST, ""));
    assert!(r.contains("not an AWS Region name"), "{r}");
}

#[test]
fn tgw_10_a_vpc_attaches_to_transit_gateways_of_one_region() {
    let text = peered("us-west-2", EAST, WEST, "").replace(
        "[[transit_gateway_route_table]]\nid = \"trt-east\"",
        r#"[[transit_gateway_attachment]]
id = "att-a-west"
transit_gateway = "tgw-west"
vpc = "vpc-a"
subnets = ["a-1a"]

[[transit_gateway_route_table]]
id = "trt-east""#,
    );
    let r = errors(&text);
    assert!(
        r.contains("VPC `vpc-a` is in us-east-1 and transit gateway `tgw-west` in us-west-2"),
        "{r}"
    );
}

#[test]
fn tgw_10_deleting_one_side_ends_the_peering() {
    let events = r#"
[[event]]
at = "2s"
delete = "att-peer-west"
"#;
    let d = load(&peered("us-west-2", EAST, WEST, events));
    let before = tcp_at(d.clone(), "app", "db", 5432, 1);
    assert_eq!(
        before.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&before)
    );
    let after = tcp_at(d, "app", "db", 5432, 3);
    assert_eq!(
        (after.verdict, after.reason, after.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("route_blackhole"),
            Some("trt-east")
        ),
        "{}",
        explain::render(&after)
    );
}

#[test]
fn tgw_10_run_delivers_across_the_peering_with_expectations() {
    let extra = r#"
[[traffic]]
id = "app-to-db"
from = "app"
to = "db"
port = 5432
rate = "10/s"

[[expect]]
traffic = "app-to-db"
delivered = "100%"
via = ["tgw-east", "att-peer-east", "att-peer-west", "trt-west"]
"#;
    let d = Arc::new(load(&peered("us-west-2", EAST, WEST, extra)));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = &out.metrics.traffic[0];
    assert!(t.delivered > 0, "{t:?}");
    assert_eq!(t.failed, 0, "{t:?}");
    let results = vpcsim::report::check::evaluate(&out.net, &out.metrics, None);
    assert!(results.iter().all(|r| r.ok), "{results:?}");
}

// -- MTU (TGW-7, MTU-4) -------------------------------------------------------------

mod mtu {
    use std::net::{Ipv4Addr, SocketAddrV4};
    use std::sync::Arc;

    use vpcsim::dataplane::{Host, Loc, Network, Place, Step, Trace};
    use vpcsim::model::{Component, Design, DropReason};
    use vpcsim::packet::{self, build};
    use vpcsim::units::Nanos;

    use super::{EAST, WEST, load, peered};

    fn ip_of(d: &Design, name: &str) -> Ipv4Addr {
        let Some(Component::Instance(i)) = d.lookup(name) else {
            panic!("no instance {name}")
        };
        d.enis[d.instances[i.idx()].eni.idx()].ip
    }

    /// A TCP segment (DF set) of `total` bytes.
    fn tcp_bytes(from: Ipv4Addr, to: Ipv4Addr, total: usize) -> Vec<u8> {
        let spec = build::TcpSpec {
            src: SocketAddrV4::new(from, 40000),
            dst: SocketAddrV4::new(to, 5432),
            seq: 1,
            ack: 0,
            flags: packet::tcp_flags::ACK,
            window: 65535,
        };
        build::tcp(&spec, &vec![0x5a; total - 40], 64, 1).to_vec()
    }

    #[derive(Default)]
    struct Catch {
        emitted: Vec<(bytes::Bytes, Loc)>,
    }

    impl Trace for Catch {
        fn hop(&mut self, _: vpcsim::dataplane::Hop) {}
        fn wants_emitted(&self) -> bool {
            true
        }
        fn emitted(&mut self, b: bytes::Bytes, at: Loc) {
            self.emitted.push((b, at));
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
    fn tgw_7_mtu_4_over_8500_is_dropped_at_the_attachment_with_icmp() {
        let d = Arc::new(load(&peered("us-west-2", EAST, WEST, "")));
        let (app, db) = (ip_of(&d, "app"), ip_of(&d, "db"));
        // 8500 crosses both transit gateways and the peering.
        let (end, tr) = walk(&d, "app", tcp_bytes(app, db, 8500));
        assert!(matches!(end, Step::Deliver(Host::Instance(_))), "{end:?}");
        assert!(tr.emitted.is_empty());
        // 8501 with DF: dropped where it enters the transit gateway.
        let (end, tr) = walk(&d, "app", tcp_bytes(app, db, 8501));
        assert!(
            matches!(end, Step::Drop(x) if x.reason == DropReason::PacketTooBig
                && x.place == Place::Component(d.lookup("att-a").unwrap())),
            "{end:?}"
        );
        // MTU-4: ICMP fragmentation needed (type 3 code 4, next-hop MTU
        // 8500) goes back to the sender in its VPC.
        assert_eq!(tr.emitted.len(), 1, "{:?}", tr.emitted);
        let (icmp, at) = &tr.emitted[0];
        let p = packet::parse(icmp).expect("an ICMP packet");
        assert_eq!((p.proto, p.icmp_type, p.icmp_code), (1, 3, 4));
        assert_eq!(p.dst, app);
        assert_eq!(u16::from_be_bytes([icmp[26], icmp[27]]), 8500);
        assert!(
            matches!(at, Loc::EniIn { eni, .. } if d.enis[eni.idx()].ip == app),
            "{at:?}"
        );
    }
}

#[test]
fn tgw_10_the_graph_draws_the_peering_between_the_hubs() {
    let g = vpcsim::report::graph::render(&load(&peered("us-west-2", EAST, WEST, "")));
    let edge = g
        .lines()
        .find(|l| l.contains("att-peer-east / att-peer-west"))
        .unwrap_or_else(|| panic!("no peering edge:\n{g}"));
    assert!(
        edge.contains("tgw:tgw-east") && edge.contains("tgw:tgw-west"),
        "{edge}"
    );
    // The static route to the peering attachment leads to the peer hub.
    assert!(
        g.lines()
            .any(|l| l.contains("tgwrt:trt-east") && l.contains("tgw:tgw-west")),
        "{g}"
    );
}

#[test]
fn tgw_11_group_reference_does_not_cross_regions() {
    // Both transit gateways have security group referencing on, but VPC W
    // is attached to the peer transit gateway in another Region: AWS
    // supports references only between VPCs attached to one transit
    // gateway, in its Region.
    let text = peered("us-west-2", EAST, WEST, "")
        .replace(
            "[[transit_gateway]]\nid = \"tgw-east\"\n",
            "[[transit_gateway]]\nid = \"tgw-east\"\nsecurity_group_referencing = true\n",
        )
        .replace(
            "region = \"us-west-2\"\n",
            "region = \"us-west-2\"\nsecurity_group_referencing = true\n",
        )
        .replace(
            "id = \"sg-w\"\nvpc = \"vpc-w\"\ningress = [ { protocol = \"all\", cidr = \"10.0.0.0/8\" } ]",
            "id = \"sg-w\"\nvpc = \"vpc-w\"\ningress = [ { protocol = \"tcp\", ports = \"5432\", source_group = \"sg-a\" } ]",
        );
    assert!(text.contains("source_group = \"sg-a\""));
    let e = errors(&text);
    assert!(
        e.contains("nor attached to a transit gateway of this VPC") && e.contains("TGW-11"),
        "{e}"
    );
}

// -- TGW-8: cost of a peering attachment --------------------------------------------

fn peering_cost(west_region: &str) -> vpcsim::report::cost::Estimate {
    let extra = r#"
[[traffic]]
id = "app-to-db"
from = "app"
to = "db"
port = 5432
rate = "10/s"
"#;
    super::run_cost(&Arc::new(load(&peered(west_region, EAST, WEST, extra))))
}

#[test]
fn tgw_8_peering_attachments_are_charged_hours_on_both_sides_and_no_processing() {
    let e = peering_cost("us-west-2");
    for side in ["att-peer-east", "att-peer-west"] {
        let h = super::cost_item(&e, side, "hours");
        assert!((h.quantity - 4.0 / 3600.0).abs() < 1e-9, "{h:?}");
        assert_eq!(h.unit_usd, 0.05);
        assert_eq!(h.vpc, "");
        assert!(
            !e.items
                .iter()
                .any(|i| i.component == side && i.item == "data_processed"),
            "data from a peer transit gateway is not processed again: {:#?}",
            e.items
        );
    }
    // Processing is charged once, where the data entered from each VPC.
    assert!(super::cost_item(&e, "att-a", "data_processed").quantity > 0.0);
    assert!(super::cost_item(&e, "att-w", "data_processed").quantity > 0.0);
}

#[test]
fn tgw_8_between_regions_the_sending_side_pays_inter_region_transfer() {
    let e = peering_cost("us-west-2");
    let east = super::cost_item(&e, "att-peer-east", "inter_region");
    let west = super::cost_item(&e, "att-peer-west", "inter_region");
    assert_eq!(east.unit_usd, 0.02);
    // Requests go east to west, replies west to east: both sides send.
    assert!(
        east.quantity > 0.0 && west.quantity > 0.0,
        "{east:?} {west:?}"
    );
    // What the east side sent over the peering entered from VPC A.
    let a = super::cost_item(&e, "att-a", "data_processed");
    assert!((east.quantity - a.quantity).abs() < 1e-9, "{east:?} {a:?}");
    // Within one Region no inter-Region transfer is charged.
    let same = peering_cost("us-east-1");
    assert!(
        !same.items.iter().any(|i| i.item == "inter_region"),
        "{:#?}",
        same.items
    );
}

// -- explain --enter at a peering attachment -----------------------------------------

fn entering(
    d: Design,
    from: &str,
    to: &str,
    enter: &str,
) -> Result<Explanation, explain::ExplainError> {
    let q = explain::Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(5432),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: Some(enter.to_string()),
    };
    explain::explain(d, &q)
}

#[test]
fn tgw_10_explain_enter_starts_a_packet_at_a_peering_attachment() {
    // 10.50.0.7 is beyond the peer transit gateway (in no VPC of the file):
    // it enters tgw-west by att-peer-west and trt-west routes it to VPC W.
    let d = load(&peered("us-west-2", EAST, WEST, ""));
    // db's address: no private path lets the outside name it by id.
    let db = "10.9.1.4";
    let e = entering(d.clone(), "10.50.0.7", db, "att-peer-west").expect("explains");
    assert_eq!(
        e.forward.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    let hops: Vec<(&str, Rule)> = e
        .hops
        .iter()
        .map(|h| (h.component.as_str(), h.decided_by))
        .take(3)
        .collect();
    let Some(Component::TgwRouteTable(trt_west)) = d.lookup("trt-west") else {
        panic!("trt-west is a transit gateway route table");
    };
    assert_eq!(
        hops[..2],
        [
            ("att-peer-west", Rule::Aws(AwsRule::TgwFromPeer)),
            (
                "tgw-west",
                Rule::TgwAssociation {
                    attachment: att(&d, "att-peer-west"),
                    table: trt_west,
                }
            ),
        ],
        "{}",
        explain::render(&e)
    );
    assert_eq!(hops[2].0, "trt-west");
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-west"),
        [route(
            "10.9.0.0/16",
            Some(att(&d, "att-w")),
            Origin::Propagated
        )]
    );
    // VPC W has no route back to that address.
    let reply = e.reply.as_ref().expect("a reply");
    assert_eq!(
        (reply.verdict, reply.drop_at.as_deref()),
        (explain::Verdict::Dropped, Some("rt-w")),
        "{}",
        explain::render(&e)
    );
    // A VPC attachment is no place to enter from outside.
    let err = entering(d.clone(), "10.50.0.7", db, "att-w").unwrap_err();
    assert_eq!(
        err,
        explain::ExplainError::EnterVpcAttachment("att-w".to_string())
    );
    assert!(err.to_string().contains("VPC attachment"), "{err}");
    // Nor is a workload inside a VPC a source from outside.
    let err = entering(d, "app", db, "att-peer-west").unwrap_err();
    assert!(
        matches!(err, explain::ExplainError::EnterFromInside(_)),
        "{err:?}"
    );
    assert!(err.to_string().contains("inside a VPC"), "{err}");
}

#[test]
fn tgw_10_subnets_of_a_vpc_in_the_peer_region_load_without_a_region_warning() {
    // VPC W is in us-west-2 by its transit gateway: us-west-2a is its AZ.
    let l = model::load_str("tgw.toml", &peered("us-west-2", EAST, WEST, "")).expect("loads");
    let w = l.report.to_string();
    assert!(!w.contains("is not in the scenario's region"), "{w}");
    // A subnet of VPC A (us-east-1) in another Region's AZ is still one.
    let text = peered("us-west-2", EAST, WEST, "").replacen(
        "az = \"us-east-1a\"",
        "az = \"eu-west-1a\"",
        1,
    );
    let l = model::load_str("tgw.toml", &text).expect("loads");
    let w = l.report.to_string();
    assert!(
        w.contains("availability zone `eu-west-1a` is not in the scenario's region `us-east-1`"),
        "{w}"
    );
}

/// TGW-14: what crosses the peering into each side is its own server, of
/// 100 Gbps and 7,500,000 packets per second per Availability Zone of the
/// sending transit gateway's VPC attachments; a packet crossing it meets
/// that server on the receiving side.
#[test]
fn tgw_14_each_way_over_a_peering_serves_100_gbps_and_7_5_mpps_per_zone() {
    use vpcsim::dataplane::{Loc, Place, ServerId, Step, Trace, capacity_at};
    use vpcsim::model::Component;
    let side = |d: &Design, name: &str| match d.lookup(name) {
        Some(Component::TgwAttachment(a)) => a,
        other => panic!("{name}: {other:?}"),
    };
    // East's VPC attachment in two zones, west's in one.
    let text = peered("us-west-2", EAST, WEST, "")
        .replace(
            "[[transit_gateway_attachment]]\nid = \"att-a\"\ntransit_gateway = \"tgw-east\"\nvpc = \"vpc-a\"\nsubnets = [\"a-1a\"]",
            "[[subnet]]\nid = \"a-1b\"\nvpc = \"vpc-a\"\ncidr = \"10.1.2.0/24\"\naz = \"us-east-1b\"\nroute_table = \"rt-a\"\n\n[[transit_gateway_attachment]]\nid = \"att-a\"\ntransit_gateway = \"tgw-east\"\nvpc = \"vpc-a\"\nsubnets = [\"a-1a\", \"a-1b\"]",
        );
    let d = Arc::new(load(&text));
    let (east, west) = (side(&d, "att-peer-east"), side(&d, "att-peer-west"));
    for (into, zones) in [(west, 2), (east, 1)] {
        let s = capacity_at(&d, Loc::TgwPeering { attachment: into }).expect("a server");
        assert_eq!(s, ServerId::TgwPeering(into));
        let c = s.capacity(&d);
        assert_eq!(
            (c.bits_per_sec, c.packets_per_sec),
            (100_000_000_000 * zones, 7_500_000 * zones)
        );
        assert_eq!(
            s.place(&d),
            Place::Component(Component::TgwAttachment(into))
        );
        assert!(s.index(&d) >= d.enis.len());
    }
    assert_ne!(
        ServerId::TgwPeering(east).index(&d),
        ServerId::TgwPeering(west).index(&d)
    );
    // From app to db the packet meets the west side's server.
    struct Any;
    impl Trace for Any {
        fn hop(&mut self, _: vpcsim::dataplane::Hop) {}
    }
    let Some(Component::Instance(app)) = d.lookup("app") else {
        panic!("no app")
    };
    let ip = |name: &str| match d.lookup(name) {
        Some(Component::Instance(i)) => d.enis[d.instances[i.idx()].eni.idx()].ip,
        _ => panic!("no {name}"),
    };
    let spec = vpcsim::packet::build::TcpSpec {
        src: std::net::SocketAddrV4::new(ip("app"), 40000),
        dst: std::net::SocketAddrV4::new(ip("db"), 5432),
        seq: 1,
        ack: 0,
        flags: vpcsim::packet::tcp_flags::SYN,
        window: 65535,
    };
    let mut buf = vpcsim::packet::build::tcp(&spec, &[], 64, 1).to_vec();
    let mut net = vpcsim::dataplane::Network::new(Arc::clone(&d));
    let mut loc = Loc::HostOut(vpcsim::dataplane::Host::Instance(app));
    let mut met = Vec::new();
    for _ in 0..64 {
        match net.step(&mut buf, loc, vpcsim::units::Nanos::ZERO, &mut Any) {
            Step::Next { loc: next, .. } => {
                met.extend(capacity_at(&d, next).filter(|s| s.index(&d) >= d.enis.len()));
                loc = next;
            }
            end => {
                assert!(matches!(end, Step::Deliver(_)), "{end:?}");
                break;
            }
        }
    }
    assert_eq!(met, [ServerId::TgwPeering(west)]);
}
