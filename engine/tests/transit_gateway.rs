//! Transit gateways (TGW-1..TGW-7), over small designs written as scenario
//! text: loading and its located errors, the way in and out of the transit
//! gateway by Availability Zone, route tables (association, propagation,
//! static and blackhole routes), network ACLs at attachment ENIs, appliance
//! mode, and whole runs with expectations. Tests are named after the rule
//! of `docs/aws-rules.md` they check.

use std::sync::Arc;

use vpcsim::dataplane::transit_gateway::{Entry, Origin};
use vpcsim::dataplane::{Network, Rule};
use vpcsim::explain::{self, Explanation, HopOut};
use vpcsim::model::{self, Component, Design, EniId, RouteDest, TgwAttachmentId};
use vpcsim::sim::{self, RunOptions};

/// Two VPCs on one transit gateway with AWS's defaults (default association
/// and propagation on). `app` is in VPC A, AZ a; `db` in VPC B, AZ b. Each
/// VPC also has a subnet in the other AZ; the attachments name `att_a` and
/// `att_b` subnets. `extra` is appended.
fn two_vpcs(att_a: &str, att_b: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "tgw"
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
id = "a-1b"
vpc = "vpc-a"
cidr = "10.1.2.0/24"
az = "us-east-1b"
route_table = "rt-a"

[[subnet]]
id = "b-1a"
vpc = "vpc-b"
cidr = "10.2.1.0/24"
az = "us-east-1a"
route_table = "rt-b"

[[subnet]]
id = "b-1b"
vpc = "vpc-b"
cidr = "10.2.2.0/24"
az = "us-east-1b"
route_table = "rt-b"

[[route_table]]
id = "rt-a"
vpc = "vpc-a"
routes = [ {{ destination = "10.2.0.0/16", target = "tgw" }} ]

[[route_table]]
id = "rt-b"
vpc = "vpc-b"
routes = [ {{ destination = "10.1.0.0/16", target = "tgw" }} ]

[[transit_gateway]]
id = "tgw"

[[transit_gateway_attachment]]
id = "att-a"
transit_gateway = "tgw"
vpc = "vpc-a"
subnets = [{att_a}]

[[transit_gateway_attachment]]
id = "att-b"
transit_gateway = "tgw"
vpc = "vpc-b"
subnets = [{att_b}]

[[security_group]]
id = "sg-a"
vpc = "vpc-a"
ingress = [ {{ protocol = "all", cidr = "10.0.0.0/8" }} ]

[[security_group]]
id = "sg-b"
vpc = "vpc-b"
ingress = [ {{ protocol = "all", cidr = "10.0.0.0/8" }} ]

[[instance]]
id = "app"
subnet = "a-1a"
security_groups = ["sg-a"]
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[instance]]
id = "app-1b"
subnet = "a-1b"
security_groups = ["sg-a"]

[[instance]]
id = "db"
subnet = "b-1b"
security_groups = ["sg-b"]
listen = [ {{ protocol = "tcp", port = 5432 }} ]
{extra}
"#
    )
}

fn load(text: &str) -> Design {
    match model::load_str("tgw.toml", text) {
        Ok(l) => l.design,
        Err(r) => panic!("does not load:\n{r}\n--- text ---\n{text}"),
    }
}

/// The loader's report for text that must not load.
fn errors(text: &str) -> String {
    match model::load_str("tgw.toml", text) {
        Ok(_) => panic!("loads, but should not:\n{text}"),
        Err(r) => r.to_string(),
    }
}

fn tcp(d: Design, from: &str, to: &str, port: u16) -> Explanation {
    let q = explain::Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(port),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    explain::explain(d, &q).unwrap_or_else(|e| panic!("explain {from} -> {to}: {e}"))
}

fn components(hops: &[HopOut]) -> Vec<&str> {
    hops.iter().map(|h| h.component.as_str()).collect()
}

/// What decided at every hop at `component`, typed.
fn decided(hops: &[HopOut], component: &str) -> Vec<Rule> {
    hops.iter()
        .filter(|h| h.component == component)
        .map(|h| h.decided_by)
        .collect()
}

/// The network of `d` at `secs` seconds, its timeline applied as `explain`
/// applies it: the state its hops' rules name.
fn network_at(d: &Design, secs: u64) -> Network {
    let at = vpcsim::units::Nanos::from_secs(secs);
    let mut net = Network::new(Arc::new(d.clone()));
    for e in d.events.iter().filter(|e| e.at <= at) {
        net.apply(&e.action);
    }
    net
}

/// The transit gateway routes that decided at `component` (TGW-4), in the
/// state of `d` at `secs` seconds.
fn tgw_routes(d: &Design, secs: u64, hops: &[HopOut], component: &str) -> Vec<Entry> {
    let net = network_at(d, secs);
    decided(hops, component)
        .into_iter()
        .map(|r| match r {
            Rule::TgwRoute { table, entry } => net.tgw_route_entry(table, entry).clone(),
            other => panic!("{component} decided by {other:?}, not a transit gateway route"),
        })
        .collect()
}

/// A transit gateway route for the CIDR `prefix` to `target` (`None`: a
/// blackhole).
fn route(prefix: &str, target: Option<TgwAttachmentId>, origin: Origin) -> Entry {
    let prefix = prefix.parse().expect("a CIDR");
    Entry {
        prefix,
        dest: RouteDest::Cidr(prefix),
        target,
        origin,
    }
}

fn att(d: &Design, name: &str) -> TgwAttachmentId {
    match d.names.get(name) {
        Some(Component::TgwAttachment(a)) => *a,
        other => panic!("{name} is {other:?}, not a transit gateway attachment"),
    }
}

fn eni(d: &Design, name: &str) -> EniId {
    EniId::from_idx(
        d.enis
            .iter()
            .position(|e| e.name == name)
            .unwrap_or_else(|| panic!("no ENI {name}")),
    )
}

/// The attachment ENI a packet entered (`true`) or left the transit gateway
/// by at `component` (TGW-2).
fn tgw_enis(hops: &[HopOut], component: &str) -> Vec<(EniId, bool)> {
    decided(hops, component)
        .into_iter()
        .filter_map(|r| match r {
            Rule::TgwEni { eni, entering } => Some((eni, entering)),
            _ => None,
        })
        .collect()
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

// -- TGW-1, TGW-3: defaults ------------------------------------------------------

#[test]
fn tgw_1_defaults_associate_and_propagate_into_the_default_route_table() {
    let d = load(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", ""));
    assert_eq!(d.tgws[0].asn, 64512);
    let rt = d.tgws[0].association_default.expect("default association");
    assert_eq!(d.tgw_route_tables[rt.idx()].name, "tgw/default-rt");
    assert_eq!(d.tgws[0].propagation_default, Some(rt));
    for a in &d.tgw_attachments {
        assert_eq!(a.association, Some(rt), "{}", a.name);
        assert_eq!(a.propagations, vec![rt], "{}", a.name);
    }
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "tgw/default-rt"),
        [route(
            "10.2.0.0/16",
            Some(att(&d, "att-b")),
            Origin::Propagated
        )]
    );
    assert_eq!(
        decided(&e.hops, "tgw"),
        [Rule::TgwAssociation {
            attachment: att(&d, "att-a"),
            table: rt,
        }]
    );
}

#[test]
fn tgw_3_defaults_off_leave_an_attachment_unassociated() {
    let extra = "";
    let text = two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", extra).replace(
        "[[transit_gateway]]\nid = \"tgw\"\n",
        "[[transit_gateway]]\nid = \"tgw\"\ndefault_route_table_association = false\ndefault_route_table_propagation = false\n",
    );
    let d = load(&text);
    assert!(d.tgw_route_tables.is_empty());
    assert!(d.tgw_attachments.iter().all(|a| a.association.is_none()));
    let e = tcp(d, "app", "db", 5432);
    assert_dropped(&e, "no_route", "tgw");
}

// -- TGW-2: the way in and out by Availability Zone ------------------------------

#[test]
fn tgw_2_enters_through_the_attachment_eni_in_the_source_az() {
    let d = load(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", ""));
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    let entry = eni(&d, "att-a/a-1a");
    assert_eq!(tgw_enis(&e.hops, "att-a"), [(entry, true)]);
    let subnet = d.enis[entry.idx()].subnet;
    assert_eq!(d.subnets[subnet.idx()].az, "us-east-1a");
    // The exit is in the AZ it entered: att-b's ENI in b-1a, then the local
    // route to db in b-1b.
    assert_eq!(
        tgw_enis(&e.hops, "att-b").first(),
        Some(&(eni(&d, "att-b/b-1a"), false))
    );
}

#[test]
fn tgw_2_no_attachment_subnet_in_the_source_az_cannot_reach_the_transit_gateway() {
    let d = load(&two_vpcs("\"a-1a\"", "\"b-1a\", \"b-1b\"", ""));
    let e = tcp(d, "app-1b", "db", 5432);
    assert_dropped(&e, "no_route", "rt-a");
    assert!(!components(&e.hops).contains(&"tgw"));
    // From the AZ the attachment covers, it works.
    let d = load(&two_vpcs("\"a-1a\"", "\"b-1a\", \"b-1b\"", ""));
    assert_delivered(&tcp(d, "app", "db", 5432));
}

#[test]
fn tgw_2_exit_without_a_subnet_in_the_entry_az_takes_the_first_subnet() {
    // att-b has only b-1b; app enters in 1a and leaves in 1b.
    let d = load(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1b\"", ""));
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        tgw_enis(&e.hops, "att-b").first(),
        Some(&(eni(&d, "att-b/b-1b"), false))
    );
}

#[test]
fn tgw_2_attachment_enis_take_addresses_from_their_subnets() {
    let d = load(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", ""));
    for a in &d.tgw_attachments {
        assert_eq!(a.enis().len(), 2);
        for e in a.enis() {
            let eni = &d.enis[e.idx()];
            let sub = &d.subnets[eni.subnet.idx()];
            assert!(sub.cidr.contains(&eni.ip), "{} {}", eni.name, eni.ip);
            assert!(!eni.source_dest_check);
        }
    }
}

#[test]
fn tgw_2_route_to_a_transit_gateway_the_vpc_is_not_attached_to_is_an_error() {
    let text = two_vpcs("\"a-1a\"", "\"b-1a\"", "").replace(
        "[[transit_gateway_attachment]]\nid = \"att-b\"\ntransit_gateway = \"tgw\"\nvpc = \"vpc-b\"\nsubnets = [\"b-1a\"]\n",
        "",
    );
    let r = errors(&text);
    assert!(r.contains("tgw.toml:"), "{r}");
    assert!(
        r.contains("VPC `vpc-b` has no attachment to transit gateway `tgw`"),
        "{r}"
    );
}

#[test]
fn tgw_2_one_subnet_per_az_and_one_attachment_per_vpc() {
    let r = errors(&two_vpcs("\"a-1a\", \"a-1a\"", "\"b-1a\"", ""));
    assert!(r.contains("are both in us-east-1a"), "{r}");
    let extra = r#"
[[transit_gateway_attachment]]
id = "att-a2"
transit_gateway = "tgw"
vpc = "vpc-a"
subnets = ["a-1b"]
"#;
    let r = errors(&two_vpcs("\"a-1a\"", "\"b-1a\"", extra));
    assert!(
        r.contains("is already attached to transit gateway `tgw` by `att-a`"),
        "{r}"
    );
}

#[test]
fn tgw_1_bad_references_are_located_errors() {
    let extra = r#"
[[transit_gateway_attachment]]
id = "att-x"
transit_gateway = "tgw-nope"
vpc = "vpc-nope"
subnets = ["b-1a"]

[[transit_gateway_route_table]]
id = "trt"
transit_gateway = "tgw"
associations = ["att-nope"]
routes = [ { destination = "10.9.0.0/16", attachment = "att-b", blackhole = true },
           { destination = "10.8.0.0/16" } ]
"#;
    let r = errors(&two_vpcs("\"a-1a\"", "\"b-1a\"", extra));
    for want in [
        "`transit_gateway` names `tgw-nope`, which does not exist",
        "`vpc` names `vpc-nope`, which does not exist",
        "`associations` names `att-nope`, which does not exist",
        "a blackhole route has no `attachment`",
        "a route needs `attachment`, or `blackhole = true`",
    ] {
        assert!(r.contains(want), "missing {want:?} in:\n{r}");
    }
    // Every problem is located: file:line:column.
    assert!(
        r.lines()
            .any(|l| l.starts_with("tgw.toml:") && l.contains("tgw-nope")),
        "{r}"
    );
}

#[test]
fn tgw_3_an_attachment_is_associated_with_at_most_one_table() {
    let extra = r#"
[[transit_gateway_route_table]]
id = "trt-1"
transit_gateway = "tgw"
associations = ["att-a"]

[[transit_gateway_route_table]]
id = "trt-2"
transit_gateway = "tgw"
associations = ["att-a"]
"#;
    let r = errors(&two_vpcs("\"a-1a\"", "\"b-1a\"", extra));
    assert!(
        r.contains("attachment `att-a` is already associated with `trt-1`"),
        "{r}"
    );
}

// -- TGW-3, TGW-4: route tables ---------------------------------------------------

/// Defaults off; one table for each side, with `routes_a` in A's table.
fn separate_tables(routes_a: &str, props_a: &str) -> String {
    let extra = format!(
        r#"
[[transit_gateway_route_table]]
id = "trt-a"
transit_gateway = "tgw"
associations = ["att-a"]
propagations = [{props_a}]
routes = [{routes_a}]

[[transit_gateway_route_table]]
id = "trt-b"
transit_gateway = "tgw"
associations = ["att-b"]
propagations = ["att-a"]
"#
    );
    two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", &extra).replace(
        "[[transit_gateway]]\nid = \"tgw\"\n",
        "[[transit_gateway]]\nid = \"tgw\"\ndefault_route_table_association = false\ndefault_route_table_propagation = false\n",
    )
}

#[test]
fn tgw_3_propagation_writes_the_vpc_cidrs() {
    let d = load(&separate_tables("", "\"att-b\""));
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-a"),
        [route(
            "10.2.0.0/16",
            Some(att(&d, "att-b")),
            Origin::Propagated
        )]
    );
    assert_eq!(
        tgw_routes(&d, 0, &e.reply.as_ref().unwrap().hops, "trt-b"),
        [route(
            "10.1.0.0/16",
            Some(att(&d, "att-a")),
            Origin::Propagated
        )]
    );
}

#[test]
fn tgw_4_no_route_is_dropped_at_the_transit_gateway_route_table() {
    let e = tcp(load(&separate_tables("", "")), "app", "db", 5432);
    assert_dropped(&e, "no_route", "trt-a");
}

#[test]
fn tgw_4_blackhole_route_drops_at_the_route_table() {
    let routes = r#"{ destination = "10.2.2.0/24", blackhole = true }"#;
    let d = load(&separate_tables(routes, "\"att-b\""));
    let e = tcp(d.clone(), "app", "db", 5432);
    // The /24 blackhole is longer than the propagated /16.
    assert_dropped(&e, "route_blackhole", "trt-a");
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-a"),
        [route("10.2.2.0/24", None, Origin::Static)]
    );
}

#[test]
fn tgw_4_static_route_beats_a_propagated_one_for_the_same_prefix() {
    let routes = r#"{ destination = "10.2.0.0/16", blackhole = true }"#;
    let e = tcp(
        load(&separate_tables(routes, "\"att-b\"")),
        "app",
        "db",
        5432,
    );
    assert_dropped(&e, "route_blackhole", "trt-a");
    let routes = r#"{ destination = "10.2.0.0/16", attachment = "att-b" }"#;
    let d = load(&separate_tables(routes, ""));
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-a"),
        [route("10.2.0.0/16", Some(att(&d, "att-b")), Origin::Static)]
    );
}

#[test]
fn tgw_4_prefix_list_route_beats_a_propagated_one_and_loses_to_a_static_one() {
    // A prefix list holding VPC B's CIDR, routed to a blackhole: it beats
    // att-b's propagated route for the same prefix.
    let pl = "\n[[prefix_list]]\nid = \"pl-b\"\ncidrs = [\"10.2.0.0/16\"]\n";
    let text = separate_tables(r#"{ destination = "pl-b", blackhole = true }"#, "\"att-b\"") + pl;
    let d = load(&text);
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_dropped(&e, "route_blackhole", "trt-a");
    let Some(Component::PrefixList(pl_b)) = d.names.get("pl-b").copied() else {
        panic!("pl-b is a prefix list");
    };
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-a"),
        [Entry {
            prefix: "10.2.0.0/16".parse().expect("a CIDR"),
            dest: RouteDest::PrefixList(pl_b),
            target: None,
            origin: Origin::PrefixList,
        }]
    );
    // A static route for the same prefix beats the prefix list's.
    let text = separate_tables(
        r#"{ destination = "pl-b", blackhole = true }, { destination = "10.2.0.0/16", attachment = "att-b" }"#,
        "\"att-b\"",
    ) + pl;
    let d = load(&text);
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-a"),
        [route("10.2.0.0/16", Some(att(&d, "att-b")), Origin::Static)]
    );
}

#[test]
fn tgw_4_longest_prefix_wins() {
    // A static /8 to att-a would loop back; the propagated /16 is longer.
    let routes = r#"{ destination = "10.0.0.0/8", attachment = "att-a" }"#;
    let e = tcp(
        load(&separate_tables(routes, "\"att-b\"")),
        "app",
        "db",
        5432,
    );
    assert_delivered(&e);
}

// -- TGW-5: network ACLs and security groups at attachment ENIs ------------------

/// A NACL on the subnet that denies everything.
const DENY_ALL: &str = r#"
[[network_acl]]
id = "acl-deny"
vpc = "vpc-b"
ingress = []
egress = []
"#;

#[test]
fn tgw_5_same_subnet_instance_to_tgw_evaluates_outbound_and_inbound() {
    // db and att-b's only ENI share b-1b, whose NACL denies all: db's reply
    // to the transit gateway is judged by it (outbound first).
    let text = two_vpcs("\"a-1a\"", "\"b-1b\"", DENY_ALL).replace(
        "az = \"us-east-1b\"\nroute_table = \"rt-b\"",
        "az = \"us-east-1b\"\nroute_table = \"rt-b\"\nnetwork_acl = \"acl-deny\"",
    );
    let d = load(&text);
    // From the transit gateway to db in the same subnet: no NACL (the SYN
    // arrives), then db's SYN-ACK towards the transit gateway is denied.
    let e = tcp(d, "app", "db", 5432);
    assert!(!components(&e.hops).contains(&"acl-deny"));
    assert_eq!(e.hops.last().map(|h| h.decision), Some("deliver"));
    let reply = e.reply.as_ref().expect("reply");
    assert_eq!(
        (reply.verdict, reply.reason, reply.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("nacl_egress_denied"),
            Some("acl-deny")
        ),
        "{}",
        explain::render(&e)
    );
}

#[test]
fn tgw_5_same_subnet_inbound_rules_judge_traffic_to_the_tgw() {
    // Outbound allowed, inbound denied: traffic from db to the transit
    // gateway (same subnet) is refused by the inbound rules.
    let acl = r#"
[[network_acl]]
id = "acl-out-only"
vpc = "vpc-b"
ingress = []
egress = [ { rule = 100, protocol = "all", cidr = "0.0.0.0/0", action = "allow" } ]
"#;
    let text = two_vpcs("\"a-1a\"", "\"b-1b\"", acl).replace(
        "az = \"us-east-1b\"\nroute_table = \"rt-b\"",
        "az = \"us-east-1b\"\nroute_table = \"rt-b\"\nnetwork_acl = \"acl-out-only\"",
    );
    let e = tcp(load(&text), "app", "db", 5432);
    let reply = e.reply.as_ref().expect("reply");
    assert_eq!(
        (reply.verdict, reply.reason, reply.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("nacl_ingress_denied"),
            Some("acl-out-only")
        ),
        "{}",
        explain::render(&e)
    );
}

#[test]
fn tgw_5_different_subnets_tgw_subnet_outbound_and_instance_subnet_inbound() {
    // att-b's ENI is in b-1a with a deny-all NACL; db in b-1b (default ACL).
    let text = two_vpcs("\"a-1a\"", "\"b-1a\"", DENY_ALL).replace(
        "az = \"us-east-1a\"\nroute_table = \"rt-b\"",
        "az = \"us-east-1a\"\nroute_table = \"rt-b\"\nnetwork_acl = \"acl-deny\"",
    );
    let e = tcp(load(&text), "app", "db", 5432);
    // Leaving the transit gateway subnet towards db: its outbound rules.
    assert_dropped(&e, "nacl_egress_denied", "acl-deny");
}

#[test]
fn tgw_5_security_groups_do_not_apply_to_attachment_enis() {
    let d = load(&two_vpcs("\"a-1a\"", "\"b-1a\", \"b-1b\"", ""));
    for a in &d.tgw_attachments {
        for e in a.enis() {
            assert!(d.enis[e.idx()].security_groups.is_empty());
        }
    }
    let e = tcp(d, "app", "db", 5432);
    assert_delivered(&e);
    for h in e.hops.iter().filter(|h| h.component.starts_with("att-")) {
        let r = h.decided_by;
        assert!(
            !matches!(r, Rule::Sg { .. } | Rule::SgNoMatch { .. } | Rule::Tracked),
            "{r:?}"
        );
    }
}

// -- TGW-6: appliance mode ----------------------------------------------------------

#[test]
fn tgw_6_appliance_mode_keeps_both_directions_in_one_az() {
    // A flow from 1a to 1b: without appliance mode, the forward packet
    // leaves att-b in 1a and the reply leaves att-a in 1b: two AZs. With
    // appliance mode on both attachments, one hash picks the exit for both.
    let exits = |text: &str| {
        let e = tcp(load(text), "app", "db", 5432);
        assert_delivered(&e);
        let fwd = tgw_enis(&e.hops, "att-b")[0];
        let back = tgw_enis(&e.reply.as_ref().unwrap().hops, "att-a")[0];
        (fwd, back)
    };
    let plain = two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", "");
    let d = load(&plain);
    let (f, b) = exits(&plain);
    assert_eq!(f, (eni(&d, "att-b/b-1a"), false));
    assert_eq!(b, (eni(&d, "att-a/a-1b"), false));
    let appliance = plain.replace(
        "subnets = [\"b-1a\", \"b-1b\"]",
        "subnets = [\"b-1a\", \"b-1b\"]\nappliance_mode = true",
    );
    let d = load(&appliance);
    let (f, _) = exits(&appliance);
    // The hash picks one of att-b's ENIs; the same flow always picks it.
    let (f2, _) = exits(&appliance);
    assert_eq!(f, f2);
    assert!(d.tgw_attachments[1].enis().len() == 2);
}

// -- a whole run ----------------------------------------------------------------------

#[test]
fn tgw_3_run_delivers_through_the_transit_gateway_and_counts_it() {
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
via = ["tgw", "tgw/default-rt"]
"#;
    let d = Arc::new(load(&two_vpcs(
        "\"a-1a\", \"a-1b\"",
        "\"b-1a\", \"b-1b\"",
        extra,
    )));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = &out.metrics.traffic[0];
    assert!(t.delivered > 0, "{t:?}");
    assert_eq!(t.failed, 0, "{t:?}");
    let k = out
        .metrics
        .components
        .get(&vpcsim::dataplane::Place::Component(model::Component::Tgw(
            model::TgwId(0),
        )))
        .copied()
        .unwrap_or_default();
    assert!(k.packets > 0);
}

// -- the timeline -------------------------------------------------------------------

fn at(d: Design, secs: u64) -> Explanation {
    let q = explain::Query {
        from: "app".to_string(),
        to: "db".to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(5432),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::from_secs(secs),
        enter: None,
    };
    explain::explain(d, &q).expect("explain")
}

#[test]
fn tgw_3_timeline_disassociates_and_associates_again() {
    let events = r#"
[[event]]
at = "1s"
set = { resource = "trt-a", associations = [] }

[[event]]
at = "2s"
set = { resource = "trt-a", associations = ["att-a"] }
"#;
    let text = separate_tables("", "\"att-b\"") + events;
    assert_delivered(&at(load(&text), 0));
    assert_dropped(&at(load(&text), 1), "no_route", "tgw");
    assert_delivered(&at(load(&text), 2));
}

#[test]
fn tgw_3_timeline_disables_and_enables_propagation() {
    let events = r#"
[[event]]
at = "1s"
set = { resource = "trt-a", propagations = [] }

[[event]]
at = "2s"
set = { resource = "trt-a", propagations = ["att-b"] }
"#;
    let text = separate_tables("", "\"att-b\"") + events;
    assert_dropped(&at(load(&text), 1), "no_route", "trt-a");
    assert_delivered(&at(load(&text), 2));
}

#[test]
fn tgw_4_timeline_adds_and_removes_a_blackhole_route() {
    let events = r#"
[[event]]
at = "1s"
set = { resource = "trt-a", routes = [ { destination = "10.2.2.0/24", blackhole = true } ] }

[[event]]
at = "2s"
set = { resource = "trt-a", routes = [] }
"#;
    let text = separate_tables("", "\"att-b\"") + events;
    assert_delivered(&at(load(&text), 0));
    assert_dropped(&at(load(&text), 1), "route_blackhole", "trt-a");
    assert_delivered(&at(load(&text), 2));
}

#[test]
fn tgw_4_timeline_add_route_and_delete_route_on_a_transit_gateway_route_table() {
    // A static route for part of VPC B's CIDR back to A's own attachment
    // (more specific than the propagated route: VPC A sends the packet to
    // the transit gateway again, a loop), then deleted: the propagated
    // route carries the packet again.
    let events = r#"
[[event]]
at = "1s"
add_route = { route_table = "trt-a", destination = "10.2.0.0/17", target = "att-a" }

[[event]]
at = "2s"
delete_route = { route_table = "trt-a", destination = "10.2.0.0/17" }
"#;
    let text = separate_tables("", "\"att-b\"") + events;
    let d = load(&text);
    assert_delivered(&at(d.clone(), 0));
    // The loop ends when the transit gateway takes the TTL to zero.
    let e = at(d.clone(), 1);
    assert_dropped(&e, "ttl_expired", "trt-a");
    // Each pass through trt-a takes the static route; the last one ends
    // the packet (TGW-7).
    let at_trt = decided(&e.hops, "trt-a");
    let net = network_at(&d, 1);
    let Some(Rule::TgwRoute { table, entry }) = at_trt.first().copied() else {
        panic!("{at_trt:?}");
    };
    assert_eq!(
        net.tgw_route_entry(table, entry),
        &route("10.2.0.0/17", Some(att(&d, "att-a")), Origin::Static),
        "{}",
        explain::render(&e)
    );
    assert_eq!(
        at_trt.last(),
        Some(&Rule::Aws(vpcsim::dataplane::AwsRule::TtlExpiredAtTgw))
    );
    let e = at(d.clone(), 2);
    assert_delivered(&e);
    assert_eq!(
        tgw_routes(&d, 2, &e.hops, "trt-a"),
        [route(
            "10.2.0.0/16",
            Some(att(&d, "att-b")),
            Origin::Propagated
        )]
    );
    // The target is an attachment of the table's transit gateway.
    let bad = separate_tables("", "\"att-b\"")
        + "\n[[event]]\nat = \"1s\"\nadd_route = { route_table = \"trt-a\", destination = \"10.9.0.0/16\", target = \"att-nope\" }\n";
    let r = errors(&bad);
    assert!(r.contains("names `att-nope`, which does not exist"), "{r}");
}

#[test]
fn tgw_4_deleting_an_attachment_withdraws_its_routes() {
    // Propagated: the route goes, no_route. Static: it stays, a blackhole.
    let events = "\n[[event]]\nat = \"1s\"\ndelete = \"att-b\"\n";
    let text = separate_tables("", "\"att-b\"") + events;
    assert_dropped(&at(load(&text), 1), "no_route", "trt-a");
    let routes = r#"{ destination = "10.2.0.0/16", attachment = "att-b" }"#;
    let text = separate_tables(routes, "") + events;
    assert_dropped(&at(load(&text), 1), "route_blackhole", "trt-a");
    // From VPC B, whose attachment is gone, the route to the transit
    // gateway is a blackhole at B's route table.
    let d = load(&text);
    let q = explain::Query {
        from: "db".to_string(),
        to: "app".to_string(),
        protocol: explain::protocol_number("tcp").expect("tcp"),
        port: Some(443),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::from_secs(1),
        enter: None,
    };
    let e = explain::explain(d, &q).expect("explain");
    assert_dropped(&e, "route_blackhole", "rt-b");
}

#[test]
fn tgw_3_timeline_set_names_attachments_of_the_table_s_gateway() {
    let events = r#"
[[event]]
at = "1s"
set = { resource = "trt-a", associations = ["att-nope"] }
"#;
    let r = errors(&(separate_tables("", "") + events));
    assert!(
        r.contains("`associations` names `att-nope`, which does not exist"),
        "{r}"
    );
}

// -- TGW-6 with stateful firewalls (RT-9a) ----------------------------------------

fn shipped(name: &str) -> Design {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(name);
    match model::load_file(&path) {
        Ok(l) => l.design,
        Err(r) => panic!("{name} does not load:\n{r}"),
    }
}

fn explain_at(d: Design, from: &str, to: &str, port: u16, secs: u64) -> Explanation {
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
    explain::explain(d, &q).expect("explain")
}

#[test]
fn rt_9a_stateful_firewall_drops_the_reply_of_a_flow_it_did_not_see_start() {
    // Appliance mode off: the SYN crosses fw-a, the SYN-ACK reaches fw-b.
    let e = explain_at(
        shipped("tgw-inspection-appliance-mode.toml"),
        "app1",
        "api2",
        443,
        0,
    );
    assert!(
        components(&e.hops).contains(&"fw-a"),
        "{}",
        explain::render(&e)
    );
    let reply = e.reply.as_ref().expect("reply");
    assert_eq!(
        (reply.verdict, reply.reason, reply.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("middlebox_no_flow"),
            Some("fw-b")
        ),
        "{}",
        explain::render(&e)
    );
}

#[test]
fn tgw_6_appliance_mode_turned_on_by_the_timeline_keeps_the_flow_on_one_firewall() {
    let e = explain_at(
        shipped("tgw-inspection-appliance-mode.toml"),
        "app1",
        "api2",
        443,
        10,
    );
    assert_delivered(&e);
    // The firewalls each leg crossed (a firewall reports its way in and out).
    let fw = |hops: &[HopOut]| -> Vec<String> {
        let mut v: Vec<String> = hops
            .iter()
            .filter(|h| h.component.starts_with("fw-"))
            .map(|h| h.component.clone())
            .collect();
        v.dedup();
        v
    };
    let there = fw(&e.hops);
    let back = fw(&e.reply.as_ref().unwrap().hops);
    assert_eq!(there.len(), 1, "{there:?}");
    assert_eq!(there, back, "{}", explain::render(&e));
}

#[test]
fn tgw_6_run_fails_without_appliance_mode_and_recovers_with_it() {
    let d = Arc::new(shipped("tgw-inspection-appliance-mode.toml"));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = &out.metrics.traffic[0];
    assert!(t.delivered > 0 && t.failed > 0, "{t:?}");
    assert!(
        t.drops.keys().all(|(r, _)| r.name() == "middlebox_no_flow"),
        "{:?}",
        t.drops
    );
}

// -- TGW-8: cost ----------------------------------------------------------------------

#[test]
fn tgw_8_attachment_hours_and_data_sent_into_the_transit_gateway_are_charged() {
    use vpcsim::report::cost::{self, GB, Transfer};
    let d = load(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\"", ""));
    // 4 s of run; att-a's ENIs took in 2 GB, att-b's 1 GB.
    let mut t = Transfer {
        enis: vec![Default::default(); d.enis.len()],
        cross_az: vec![0; d.vpcs.len()],
        ..Default::default()
    };
    let a = d.tgw_attachments[0].enis().to_vec();
    t.enis[a[0].idx()].bytes_in = GB as u64;
    t.enis[a[1].idx()].bytes_in = GB as u64;
    t.enis[d.tgw_attachments[1].enis()[0].idx()].bytes_in = GB as u64;
    let e = cost::estimate(&d, &Default::default(), &t);
    let item = |c: &str, what: &str| {
        e.items
            .iter()
            .find(|i| i.component == c && i.item == what)
            .unwrap_or_else(|| panic!("no {what} item for {c}: {:?}", e.items))
            .clone()
    };
    let h = item("att-a", "hours");
    assert_eq!(h.kind, "transit_gateway_attachment");
    assert!((h.quantity - 4.0 / 3600.0).abs() < 1e-9, "{h:?}");
    assert_eq!(h.unit_usd, 0.05);
    let g = item("att-a", "data_processed");
    assert!((g.quantity - 2.0).abs() < 1e-9, "{g:?}");
    assert!((g.usd - 0.04).abs() < 1e-9, "{g:?}");
    assert!((item("att-b", "data_processed").usd - 0.02).abs() < 1e-9);
    assert_eq!(item("att-b", "data_processed").vpc, "vpc-b");
}

#[test]
fn tgw_8_pricing_overrides_the_transit_gateway_prices() {
    let text = two_vpcs("\"a-1a\"", "\"b-1a\"", "").replace(
        "[scenario]\n",
        "[pricing]\ntransit_gateway_attachment_hour = 0.07\ntransit_gateway_gb = 0.03\n\n[scenario]\n",
    );
    let d = load(&text);
    assert_eq!(d.pricing.transit_gateway_attachment_hour, 0.07);
    assert_eq!(d.pricing.transit_gateway_gb, 0.03);
}

#[test]
fn tgw_4_centralised_egress_blackhole_keeps_spokes_apart_through_the_nat_gateway() {
    let d = shipped("tgw-centralised-egress.toml");
    let e = explain_at(d, "app-a", "api-example", 443, 0);
    assert_delivered(&e);
    let c = components(&e.hops);
    for want in [
        "tgw",
        "trt-spokes",
        "att-egress",
        "nat-egress",
        "igw-egress",
    ] {
        assert!(c.contains(&want), "{want} not in {c:?}");
    }
    let d = shipped("tgw-centralised-egress.toml");
    let e = explain_at(d.clone(), "app-a", "app-b", 443, 0);
    assert_dropped(&e, "route_blackhole", "trt-spokes");
    assert_eq!(
        tgw_routes(&d, 0, &e.hops, "trt-spokes"),
        [route("10.0.0.0/8", None, Origin::Static)]
    );
}

/// Runs `d` with the cost meter attached, as `vpcsim run` does, and
/// returns the estimate.
fn run_cost(d: &Arc<Design>) -> vpcsim::report::cost::Estimate {
    use vpcsim::report::cost::{self, Meter};
    let shared = Meter::shared(d);
    let (dd, sh) = (Arc::clone(d), Arc::clone(&shared));
    let recorders = move |_: u32| -> Vec<Box<dyn sim::Recorder>> {
        vec![Box::new(Meter::with_shared(
            Arc::clone(&dd),
            Arc::clone(&sh),
        ))]
    };
    let out = sim::parallel::run(
        Arc::clone(d),
        &RunOptions::default(),
        &recorders,
        &mut |_, _| true,
    );
    let t = shared.lock().expect("meter").clone();
    cost::estimate(d, &out.metrics, &t)
}

/// The estimate's line `item` of `component`.
#[track_caller]
fn cost_item(
    e: &vpcsim::report::cost::Estimate,
    component: &str,
    item: &str,
) -> vpcsim::report::cost::Item {
    e.items
        .iter()
        .find(|i| i.component == component && i.item == item)
        .unwrap_or_else(|| panic!("no {item} item for {component}: {:#?}", e.items))
        .clone()
}

/// TGW-2, TGW-8: a packet that leaves the destination attachment in
/// another AZ than its destination's crosses AZs inside that VPC; data
/// between AZs through a transit gateway is free, so the estimate charges
/// no cross-AZ data for that leg, only the transit gateway's data
/// processing.
#[test]
fn tgw_8_a_leg_between_an_attachment_eni_and_a_workload_in_another_az_is_free() {
    let extra = r#"
[[traffic]]
id = "app-to-db"
from = "app"
to = "db"
port = 5432
rate = "20/s"
request = "64KiB"
"#;
    // db is in b-1b and att-b only in b-1a: the packet entering VPC B
    // leaves att-b's ENI in 1a and crosses to 1b.
    let d = Arc::new(load(&two_vpcs("\"a-1a\"", "\"b-1a\"", extra)));
    let e = run_cost(&d);
    assert!(
        !e.items.iter().any(|i| i.item == "cross_az"),
        "{:#?}",
        e.items
    );
    let processed = cost_item(&e, "att-a", "data_processed");
    assert!(processed.quantity > 0.0, "{processed:?}");
    // The same traffic between two instances of one VPC in different AZs
    // is cross-AZ data.
    let direct = extra.replace("to = \"db\"\nport = 5432", "to = \"app-1b\"\nport = 443");
    let text = two_vpcs("\"a-1a\"", "\"b-1a\"", &direct).replace(
        "id = \"app-1b\"\nsubnet = \"a-1b\"\nsecurity_groups = [\"sg-a\"]",
        "id = \"app-1b\"\nsubnet = \"a-1b\"\nsecurity_groups = [\"sg-a\"]\nlisten = [ { protocol = \"tcp\", port = 443 } ]",
    );
    let e = run_cost(&Arc::new(load(&text)));
    assert!(
        cost_item(&e, "vpc-a", "cross_az").quantity > 0.0,
        "{:#?}",
        e.items
    );
}

/// IFE-6: data between AZs through AWS PrivateLink is free: an instance
/// in one AZ reaching an interface endpoint's ENI in another is charged the
/// endpoint's data processing, and no cross-AZ data either way.
#[test]
fn ife_6_an_interface_endpoint_eni_in_another_az_costs_no_cross_az_data() {
    let extra = r#"
[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "vpc-a"
service = "sqs"
subnets = ["a-1a"]
security_groups = ["sg-a"]
private_dns = true

[[traffic]]
id = "to-sqs"
from = "app-1b"
to = "sqs"
port = 443
rate = "20/s"
request = "64KiB"
response = "4KiB"
"#;
    let d = Arc::new(load(&two_vpcs("\"a-1a\"", "\"b-1a\"", extra)));
    let e = run_cost(&d);
    let processed = cost_item(&e, "vpce-sqs", "data_processed");
    assert!(processed.quantity > 0.0, "{processed:?}");
    assert!(
        !e.items.iter().any(|i| i.item == "cross_az"),
        "{:#?}",
        e.items
    );
}

/// The estimate's line `item` of kind `kind` of `component`.
#[track_caller]
fn cost_line(
    e: &vpcsim::report::cost::Estimate,
    component: &str,
    kind: &str,
    item: &str,
) -> vpcsim::report::cost::Item {
    e.items
        .iter()
        .find(|i| i.component == component && i.kind == kind && i.item == item)
        .unwrap_or_else(|| panic!("no {kind} {item} item for {component}: {:#?}", e.items))
        .clone()
}

/// VPN-5: a Site-to-Site VPN connection on a virtual private gateway is
/// charged per hour, and the data sent out over it at the price of data
/// out to the internet; both belong to the gateway's VPC.
#[test]
fn vpn_5_a_vpn_connection_on_a_vpn_gateway_is_charged_per_hour_and_for_data_out() {
    let d = Arc::new(shipped("office-vpn-endpoint.toml"));
    let e = run_cost(&d);
    let h = cost_line(&e, "office-hq", "vpn_connection", "hours");
    assert!((h.quantity - 30.0 / 3600.0).abs() < 1e-9, "{h:?}");
    assert_eq!(h.unit_usd, 0.05);
    assert_eq!(h.vpc, "vpc-shared");
    let out = cost_line(&e, "office-hq", "vpn_connection", "vpn_out");
    assert!(out.quantity > 0.0, "{out:?}");
    assert_eq!(out.unit_usd, d.pricing.internet_out_gb);
    assert!((out.usd - out.quantity * 0.09).abs() < 1e-6, "{out:?}");
}

/// TGW-5, SG-4: a flow through a transit gateway is not on AWS's list of
/// automatically tracked connections (SG-4a); it is tracked, or not, by the
/// groups' rules at each end, the same way at the client's ENI and at the
/// server's. Groups open to everything both ways track nothing, within the
/// VPC or through the transit gateway; a narrow inbound rule tracks the flow
/// at the ENI it guards and nowhere else.
#[test]
fn tgw_5_sg_4_a_flow_through_the_transit_gateway_is_tracked_by_the_rules_at_both_ends() {
    use std::net::SocketAddrV4;
    use vpcsim::dataplane::{Host, Loc, Network, Step, Trace};
    use vpcsim::model::Component;
    let narrow = "ingress = [ { protocol = \"all\", cidr = \"10.0.0.0/8\" } ]";
    let open = "ingress = [ { protocol = \"all\", cidr = \"0.0.0.0/0\" } ]\negress = [ { protocol = \"all\", cidr = \"0.0.0.0/0\" } ]";
    struct Any;
    impl Trace for Any {
        fn hop(&mut self, _: vpcsim::dataplane::Hop) {}
    }
    // The connections tracked once app's SYN to `to` has arrived, with
    // app's group and db's group each open or narrow.
    let tracked = |app_open: bool, db_open: bool, to: &str| {
        let mut text = two_vpcs("\"a-1a\"", "\"b-1b\"", "");
        let groups = [("id = \"sg-a\"", app_open), ("id = \"sg-b\"", db_open)];
        for (id, open_it) in groups {
            if open_it {
                let at = text.find(id).expect("the group");
                let rule = at + text[at..].find(narrow).expect("its rule");
                text.replace_range(rule..rule + narrow.len(), open);
            }
        }
        let d = Arc::new(load(&text));
        let ip = |name: &str| match d.lookup(name) {
            Some(Component::Instance(i)) => d.enis[d.instances[i.idx()].eni.idx()].ip,
            _ => panic!("no {name}"),
        };
        let spec = vpcsim::packet::build::TcpSpec {
            src: SocketAddrV4::new(ip("app"), 40000),
            dst: SocketAddrV4::new(ip(to), 443),
            seq: 1,
            ack: 0,
            flags: vpcsim::packet::tcp_flags::SYN,
            window: 65535,
        };
        let mut buf = vpcsim::packet::build::tcp(&spec, &[], 64, 1).to_vec();
        let mut net = Network::new(Arc::clone(&d));
        let Some(Component::Instance(app)) = d.lookup("app") else {
            panic!("no app")
        };
        let mut loc = Loc::HostOut(Host::Instance(app));
        for _ in 0..64 {
            match net.step(&mut buf, loc, vpcsim::units::Nanos::ZERO, &mut Any) {
                Step::Next { loc: next, .. } => loc = next,
                end => {
                    assert!(matches!(end, Step::Deliver(_)), "{end:?}");
                    return net.st.conntrack.len();
                }
            }
        }
        panic!("no end")
    };
    assert_eq!(
        tracked(true, true, "app-1b"),
        0,
        "within the VPC the open groups track nothing"
    );
    assert_eq!(
        tracked(true, true, "db"),
        0,
        "through the transit gateway the open groups track nothing either"
    );
    assert_eq!(
        tracked(false, false, "db"),
        2,
        "narrow groups track at both ends"
    );
    assert_eq!(
        tracked(true, false, "db"),
        1,
        "only db's narrow group tracks"
    );
    assert_eq!(
        tracked(false, true, "db"),
        1,
        "only app's narrow group tracks"
    );
}

// -- TGW-7: capacity -----------------------------------------------------------------

#[test]
fn tgw_7_each_attachment_eni_serves_100_gbps_and_7_5_mpps() {
    use vpcsim::dataplane::{Entry, Loc, ServerId, capacity_at, capacity_of};
    let d = load(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", ""));
    let mut servers = std::collections::BTreeSet::new();
    for a in &d.tgw_attachments {
        assert_eq!(a.enis().len(), 2, "{}: one ENI per AZ", a.name);
        for &eni in a.enis() {
            let from = Entry::Subnet(d.enis[eni.idx()].subnet);
            // A packet entering the transit gateway queues at this ENI.
            assert_eq!(
                capacity_at(&d, Loc::EniIn { eni, from }),
                Some(ServerId::Eni(eni))
            );
            let c = capacity_of(&d, eni);
            assert_eq!(
                (c.bits_per_sec, c.packets_per_sec),
                (100_000_000_000, 7_500_000)
            );
            // A small packet is held by the packet rate, a jumbo one by
            // the bandwidth.
            assert_eq!(c.service_ns(40), 133);
            assert_eq!(c.service_ns(9001), 720);
            servers.insert(eni.idx());
        }
    }
    // One server per attachment per AZ.
    assert_eq!(servers.len(), 4);
}

// VPN attachments (TGW-9), in this binary to save a link.
#[path = "parts/transit_gateway_vpn.rs"]
mod transit_gateway_vpn;

// Peering attachments (TGW-10), in this binary to save a link.
#[path = "parts/transit_gateway_peering.rs"]
mod transit_gateway_peering;

// Security group referencing across a transit gateway (TGW-11).
#[path = "parts/transit_gateway_sg.rs"]
mod transit_gateway_sg;

// Data transfer between Regions, AZs and public addresses (DT-1..DT-3), the
// latency between Regions (LAT-4), in this binary to save a link.
#[path = "parts/data_transfer.rs"]
mod data_transfer;

// -- GWE-4: a gateway endpoint is not for traffic from a transit gateway ----------

/// A hub VPC with an S3 gateway endpoint in the route table of its
/// attachment subnet, and a spoke VPC whose default route is the transit
/// gateway to the hub. `hub-app` shares the attachment subnet's table.
fn hub_with_gateway_endpoint() -> String {
    r#"
[scenario]
name = "hub"
duration = "2s"

[[vpc]]
id = "hub"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "spoke"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "hub-tgw"
vpc = "hub"
cidr = "10.0.1.0/24"
route_table = "rt-hub-tgw"

[[subnet]]
id = "spoke-a"
vpc = "spoke"
cidr = "10.1.1.0/24"
route_table = "rt-spoke"

[[route_table]]
id = "rt-hub-tgw"
vpc = "hub"
routes = [ { destination = "10.1.0.0/16", target = "tgw" } ]

[[route_table]]
id = "rt-spoke"
vpc = "spoke"
routes = [ { destination = "0.0.0.0/0", target = "tgw" } ]

[[vpc_endpoint]]
id = "vpce-s3"
type = "gateway"
vpc = "hub"
service = "s3"
route_tables = ["rt-hub-tgw"]

[[transit_gateway]]
id = "tgw"
default_route_table_association = false
default_route_table_propagation = false

[[transit_gateway_attachment]]
id = "att-hub"
transit_gateway = "tgw"
vpc = "hub"
subnets = ["hub-tgw"]

[[transit_gateway_attachment]]
id = "att-spoke"
transit_gateway = "tgw"
vpc = "spoke"
subnets = ["spoke-a"]

[[transit_gateway_route_table]]
id = "tgw-rt-spoke"
transit_gateway = "tgw"
associations = ["att-spoke"]
routes = [ { destination = "0.0.0.0/0", attachment = "att-hub" } ]

[[transit_gateway_route_table]]
id = "tgw-rt-hub"
transit_gateway = "tgw"
associations = ["att-hub"]
propagations = ["att-spoke"]

[[instance]]
id = "app"
subnet = "spoke-a"

[[instance]]
id = "hub-app"
subnet = "hub-tgw"
"#
    .to_string()
}

#[test]
fn gwe_4_traffic_from_a_transit_gateway_cannot_use_the_hubs_gateway_endpoint() {
    let text = hub_with_gateway_endpoint();
    let e = tcp(load(&text), "app", "52.216.8.10", 443);
    assert_dropped(&e, "no_route", "rt-hub-tgw");
    assert!(
        !components(&e.hops).contains(&"vpce-s3"),
        "{}",
        explain::render(&e)
    );
    // The same table carries the hub's own instance to S3 (GWE-3).
    let e = tcp(load(&text), "hub-app", "52.216.8.10", 443);
    assert_delivered(&e);
    assert!(
        components(&e.hops).contains(&"vpce-s3"),
        "{}",
        explain::render(&e)
    );
}

/// TGW-7: the transit gateway clamps a SYN's MSS to what its 8500-byte MTU
/// carries, so TCP between two jumbo-frame VPCs never sends a segment it
/// must drop, even where the groups let no ICMP "fragmentation needed" in.
#[test]
fn tgw_7_mss_clamping_keeps_tcp_within_8500_bytes_without_icmp() {
    let extra = r#"
[[traffic]]
id = "upload"
from = "app"
to = "db"
port = 5432
rate = "4/s"
request = "256KiB"
response = "64KiB"
timeout = "2s"
stop = "3s"
"#;
    let text = two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", extra).replace(
        r#"protocol = "all", cidr"#,
        r#"protocol = "tcp", ports = "all", cidr"#,
    );
    let d = Arc::new(load(&text));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = &out.metrics.traffic[0];
    assert!(t.started >= 10, "{t:?}");
    assert_eq!((t.failed, t.retransmissions), (0, 0), "{t:?}");
    assert!(t.drops.is_empty(), "{:?}", t.drops);
}

/// The warnings a design loads with.
fn warnings(text: &str) -> Vec<String> {
    match model::load_str("tgw.toml", text) {
        Ok(l) => l.report.to_string().lines().map(str::to_string).collect(),
        Err(r) => panic!("does not load:\n{r}"),
    }
}

/// TGW-2: AWS accepts a route to the transit gateway from a subnet in an
/// AZ the attachment has no subnet in; it cannot work, so it is a warning.
#[test]
fn tgw_2_a_sending_subnet_in_an_az_without_an_attachment_subnet_is_warned() {
    let w = warnings(&two_vpcs("\"a-1a\"", "\"b-1a\", \"b-1b\"", ""));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("warning: transit gateway attachment `att-a` has no subnet in the Availability Zone of `a-1b` (us-east-1b), whose route table routes to transit gateway `tgw`: what they send there cannot reach it (TGW-2)"),
        "{w:?}"
    );
    assert_eq!(
        warnings(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", "")),
        Vec::<String>::new()
    );
}

/// TGW-3: a second VPC with the same CIDR propagates nothing new into a
/// table that holds the first's route.
#[test]
fn tgw_3_a_cidr_propagated_twice_into_one_table_is_warned() {
    let extra = r#"
[[vpc]]
id = "vpc-c"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "c-1a"
vpc = "vpc-c"
cidr = "10.2.1.0/24"
az = "us-east-1a"

[[transit_gateway_attachment]]
id = "att-c"
transit_gateway = "tgw"
vpc = "vpc-c"
subnets = ["c-1a"]
"#;
    let w = warnings(&two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", extra));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("warning: transit gateway attachment `att-c` propagates 10.2.0.0/16 into route table `tgw/default-rt`, which attachment `att-b` already propagates: the transit gateway keeps the first route and this VPC gets none for it (TGW-3)"),
        "{w:?}"
    );
}

/// TGW-6: an attachment over two AZs into a VPC of stateful firewalls, with
/// appliance mode off, is warned; with it on, not.
#[test]
fn tgw_6_stateful_middleboxes_behind_an_attachment_without_appliance_mode_are_warned() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/tgw-inspection-appliance-mode.toml"
    ))
    .expect("the shipped scenario");
    let w = warnings(&text);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("warning: transit gateway attachment `att-inspection` spans 2 Availability Zones and routes into stateful middleboxes, with appliance mode off"),
        "{w:?}"
    );
    let on = text.replace("appliance_mode = false", "appliance_mode = true");
    assert_eq!(warnings(&on), Vec::<String>::new());
}
