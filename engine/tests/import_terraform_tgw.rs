//! `vpcsim import terraform` of transit gateways (TGW-1 to TGW-4, TGW-9,
//! TGW-10) and of resources under a provider alias of another Region: the
//! hand-built plans `tests/terraform/hub-spoke.plan.json` (three spoke VPCs
//! by `for_each`, a transit gateway with its default and a `prod` route
//! table, associations, propagations, a static, a blackhole and a
//! prefix-list route, a VPN connection to the transit gateway) and
//! `tests/terraform/tgw-peering.plan.json` (transit gateways of us-east-1
//! and us-west-2 peered across the Regions, a VPC peering across them, a
//! VPC of eu-west-1 nothing connects). Every id of these plans is unknown:
//! each reference is followed through the plan's `configuration`. The
//! state `tests/terraform/tgw-state.json` names everything by its real id;
//! `tests/terraform/peering-swap.plan.json` requests a VPC peering from the
//! other Region and leaves peerings pending;
//! `tests/terraform/tgw-accepted-elsewhere.state.json` has a peering
//! attachment accepted outside the configuration,
//! `tests/terraform/tgw-regions-state.json` is a state of three Regions, and
//! `tests/terraform/tgw-shared.plan.json` attaches VPCs of one account to
//! another's transit gateway.

use std::path::{Path, PathBuf};

use vpcsim::explain::{self, Explanation, Query, Verdict};
use vpcsim::import::{Imported, NoteKind, import_terraform};
use vpcsim::model::{Design, load_str};
use vpcsim::units::Nanos;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/terraform")
        .join(name)
}

fn import(name: &str) -> Imported {
    let path = fixture(name);
    import_terraform(&path, None).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(i: &Imported) -> Design {
    match load_str("imported.toml", &i.text) {
        Ok(l) => l.design,
        Err(r) => panic!(
            "the import does not validate:\n{r}\n--- text ---\n{}",
            i.text
        ),
    }
}

fn tcp(d: &Design, from: &str, to: &str, port: u16) -> Explanation {
    let q = Query {
        from: from.into(),
        to: to.into(),
        protocol: 6,
        port: Some(port),
        icmp_type: None,
        icmp_code: None,
        at: Nanos::ZERO,
        enter: None,
    };
    explain::explain(d.clone(), &q).unwrap_or_else(|e| panic!("{from} -> {to}: {e}"))
}

fn hops(e: &Explanation) -> Vec<String> {
    e.hops.iter().map(|h| h.component.clone()).collect()
}

fn has_note(i: &Imported, kind: NoteKind, id: &str, text: &str) -> bool {
    i.notes
        .iter()
        .any(|n| n.kind == kind && n.id == id && n.text.contains(text))
}

fn notes(i: &Imported) -> String {
    i.notes
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn contains_all(t: &str, want: &[&str]) {
    let missing: Vec<&&str> = want.iter().filter(|w| !t.contains(**w)).collect();
    assert!(
        missing.is_empty(),
        "missing:\n{missing:#?}\n--- text ---\n{t}"
    );
}

/// Every transit gateway resource of the hub-and-spoke plan, as the
/// `import aws` writer writes them, the default route table included.
#[test]
fn tgw_1_to_4_and_9_every_transit_gateway_resource_of_the_hub_and_spoke_plan() {
    let i = import("hub-spoke.plan.json");
    load(&i);
    contains_all(
        &i.text,
        &[
            // TGW-1: the gateway with its options and its default table
            "id = \"ec2_transit_gateway.hub\"\nasn = 64600\ndefault_route_table_association = true\ndefault_route_table_propagation = true\nassociation_default_route_table = \"ec2_transit_gateway.hub/default-rt\"\npropagation_default_route_table = \"ec2_transit_gateway.hub/default-rt\"\ndns_support = true\nsecurity_group_referencing = false",
            // TGW-2: VPC attachments by for_each key, with the subnet of
            // their key only
            "id = \"ec2_transit_gateway_vpc_attachment.spoke.a\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\ntype = \"vpc\"\nvpc = \"vpc.spoke.a\"\nsubnets = [\"subnet.spoke.a\"]",
            "id = \"ec2_transit_gateway_vpc_attachment.spoke.c\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\ntype = \"vpc\"\nvpc = \"vpc.spoke.c\"\nsubnets = [\"subnet.spoke.c\"]",
            // TGW-9: the VPN connection's attachment and network
            "id = \"vpn_connection.office/attachment\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\ntype = \"vpn\"\nrouting = \"static\"",
            "id = \"vpn_connection.office\"\ncidrs = [\"172.16.0.0/12\", \"192.168.0.0/16\"]\nvia = \"vpn_connection.office/attachment\"",
            // TGW-3: the default table holds c's association (its default)
            // and every propagation but the VPN's static routes
            "id = \"ec2_transit_gateway.hub/default-rt\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\nassociations = [\"ec2_transit_gateway_vpc_attachment.spoke.c\", \"vpn_connection.office/attachment\"]\npropagations = [\"ec2_transit_gateway_vpc_attachment.spoke.a\", \"ec2_transit_gateway_vpc_attachment.spoke.b\", \"ec2_transit_gateway_vpc_attachment.spoke.c\", \"vpn_connection.office/attachment\"]",
            // TGW-3, TGW-4: prod, by association and propagation resources,
            // with a blackhole, a static and a prefix-list route
            "id = \"ec2_transit_gateway_route_table.prod\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\nassociations = [\"ec2_transit_gateway_vpc_attachment.spoke.a\", \"ec2_transit_gateway_vpc_attachment.spoke.b\"]\npropagations = [\"ec2_transit_gateway_vpc_attachment.spoke.a\", \"ec2_transit_gateway_vpc_attachment.spoke.b\"]",
            "{ destination = \"10.3.0.0/16\", blackhole = true }",
            "{ destination = \"192.168.0.0/16\", attachment = \"vpn_connection.office/attachment\" }",
            "{ destination = \"ec2_managed_prefix_list.branches\", attachment = \"vpn_connection.office/attachment\" }",
            // VPC routes to the transit gateway: aws_route and inline
            "{ destination = \"10.0.0.0/8\", target = \"ec2_transit_gateway.hub\" }",
            "{ destination = \"192.168.0.0/16\", target = \"ec2_transit_gateway.hub\" }",
        ],
    );
    assert!(!i.text.contains("unresolved:"), "{}", i.text);
    // The list attribute `[aws_subnet.spoke[each.key].id]` is the subnet of
    // the same key, noted as a heuristic.
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_ec2_transit_gateway_vpc_attachment.spoke[\"b\"]",
            "by the same index or key"
        ),
        "{}",
        notes(&i)
    );
    assert_eq!(i.text, import("hub-spoke.plan.json").text, "same bytes");
}

/// TGW-3: spoke a reaches spoke b through the prod table, where its
/// attachment is associated and b's propagates.
#[test]
fn tgw_3_a_spoke_to_spoke_flow_crosses_the_prod_route_table() {
    let d = load(&import("hub-spoke.plan.json"));
    let e = tcp(&d, "instance.app.a", "instance.app.b", 443);
    let h = hops(&e);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    let pos = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n} not in {h:?}"))
    };
    assert!(pos("route_table.spoke.a") < pos("ec2_transit_gateway.hub"));
    assert!(pos("ec2_transit_gateway.hub") < pos("ec2_transit_gateway_route_table.prod"));
    assert!(
        pos("ec2_transit_gateway_route_table.prod")
            < pos("ec2_transit_gateway_vpc_attachment.spoke.b")
    );
    // Spoke c is associated with the default table, where a propagates.
    let e = tcp(&d, "instance.app.c", "instance.app.a", 443);
    assert!(
        hops(&e).contains(&"ec2_transit_gateway.hub/default-rt".to_string()),
        "{}",
        explain::render(&e)
    );
}

/// TGW-4: the prod table's blackhole route for spoke c's CIDR drops a to c.
#[test]
fn tgw_4_the_blackhole_route_drops_spoke_a_to_spoke_c() {
    let d = load(&import("hub-spoke.plan.json"));
    let e = tcp(&d, "instance.app.a", "instance.app.c", 443);
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("route_blackhole"),
            Some("ec2_transit_gateway_route_table.prod")
        ),
        "{}",
        explain::render(&e)
    );
}

/// TGW-9: the static route to the VPN attachment leads to the on-premises
/// network behind it.
#[test]
fn tgw_9_the_vpn_connection_to_the_transit_gateway_reaches_the_office() {
    let d = load(&import("hub-spoke.plan.json"));
    let e = tcp(&d, "instance.app.a", "192.168.1.10", 443);
    let h = hops(&e);
    assert!(
        h.contains(&"vpn_connection.office/attachment".to_string()),
        "{}",
        explain::render(&e)
    );
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
}

/// TGW-10 and a VPC peering across Regions, from provider aliases: the
/// gateway of us-west-2 carries `region`, both sides of the peering
/// attachment are written, each naming the other, and the VPC peering
/// names its accepter's Region; the VPC of eu-west-1, which nothing places
/// there, is left out with the reason.
#[test]
fn tgw_10_a_provider_alias_in_another_region_is_imported_as_that_regions_part() {
    let i = import("tgw-peering.plan.json");
    assert_eq!(i.region, "us-east-1");
    let d = load(&i);
    contains_all(
        &i.text,
        &[
            "id = \"ec2_transit_gateway.west\"\nasn = 64513\n",
            "region = \"us-west-2\"",
            "id = \"ec2_transit_gateway_peering_attachment.east_west\"\ntransit_gateway = \"ec2_transit_gateway.east\"\ntype = \"peering\"\npeer = \"ec2_transit_gateway_peering_attachment_accepter.east_west\"",
            "id = \"ec2_transit_gateway_peering_attachment_accepter.east_west\"\ntransit_gateway = \"ec2_transit_gateway.west\"\ntype = \"peering\"\npeer = \"ec2_transit_gateway_peering_attachment.east_west\"",
            "{ destination = \"10.20.0.0/16\", attachment = \"ec2_transit_gateway_peering_attachment.east_west\" }",
            "{ destination = \"10.10.0.0/16\", attachment = \"ec2_transit_gateway_peering_attachment_accepter.east_west\" }",
            "id = \"vpc_peering_connection.east_dr\"\nrequester = \"vpc.east\"\naccepter = \"vpc.dr\"\npeer_region = \"us-west-2\"",
            "id = \"ec2_transit_gateway_vpc_attachment.east\"\ntransit_gateway = \"ec2_transit_gateway.east\"\ntype = \"vpc\"\nvpc = \"vpc.east\"\nsubnets = [\"subnet.east.0\", \"subnet.east.1\"]",
        ],
    );
    assert!(!i.text.contains("id = \"vpc.eu\""), "{}", i.text);
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_vpc.eu",
            "in region eu-west-1 (its provider configuration), whose VPC aws_vpc.eu the scenario format cannot place there"
        ),
        "{}",
        notes(&i)
    );
    // The ec2_transit_gateway.east gateway is of the scenario's region.
    let east_at = i.text.find("id = \"ec2_transit_gateway.east\"").unwrap();
    let east = &i.text[east_at..];
    let east = &east[..east.find("\n\n").unwrap_or(east.len())];
    assert!(!east.contains("region"), "{east}");
    let west = d
        .vpcs
        .iter()
        .find(|v| v.name == "vpc.west")
        .expect("vpc.west");
    assert_eq!(west.region, "us-west-2");
    let dr = d.vpcs.iter().find(|v| v.name == "vpc.dr").expect("vpc.dr");
    assert_eq!(dr.region, "us-west-2");

    // East to west crosses both gateways by the peering attachments.
    let e = tcp(&d, "instance.east", "instance.west", 443);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    let h = hops(&e);
    let pos = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n} not in {h:?}"))
    };
    assert!(pos("ec2_transit_gateway.east/default-rt") < pos("ec2_transit_gateway.west"));
    assert!(
        pos("ec2_transit_gateway_peering_attachment.east_west")
            < pos("ec2_transit_gateway_peering_attachment_accepter.east_west")
    );
    let reply = e.reply.as_ref().expect("a reply");
    assert_eq!(
        reply.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    // East to the DR VPC by the peering across Regions, back by its
    // accepter.
    let e = tcp(&d, "instance.east", "instance.dr", 443);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    assert!(
        hops(&e).contains(&"vpc_peering_connection.east_dr".to_string()),
        "{}",
        explain::render(&e)
    );
    assert_eq!(i.text, import("tgw-peering.plan.json").text, "same bytes");
}

/// The loader's warnings of a text that loads.
fn warnings(text: &str) -> Vec<String> {
    match load_str("imported.toml", text) {
        Ok(l) => l.report.lines().collect(),
        Err(r) => panic!("the text does not validate:\n{r}\n--- text ---\n{text}"),
    }
}

/// ADDR-6: the subnets of the VPCs of us-west-2 (one attached to the
/// transit gateway of us-west-2, one the accepter of a peering across
/// Regions) are in us-west-2's zones, and the import validates with no
/// warning about them; a zone of a third Region, or of another Region in a
/// VPC of the scenario's, still warns, naming the VPC's Region.
#[test]
fn addr_6_subnets_of_another_regions_vpcs_are_checked_against_that_region() {
    let i = import("tgw-peering.plan.json");
    contains_all(
        &i.text,
        &[
            "id = \"subnet.west\"\nvpc = \"vpc.west\"\ncidr = \"10.20.0.0/24\"\naz = \"us-west-2a\"",
            "id = \"subnet.dr\"\nvpc = \"vpc.dr\"\ncidr = \"10.30.0.0/24\"\naz = \"us-west-2b\"",
        ],
    );
    let w = warnings(&i.text);
    assert!(!w.iter().any(|l| l.contains("availability zone")), "{w:#?}");
    // A zone of eu-west-1 in the DR VPC of us-west-2 is wrong.
    let wrong = i.text.replace("az = \"us-west-2b\"", "az = \"eu-west-1b\"");
    let w = warnings(&wrong);
    assert!(
        w.iter().any(|l| l.contains(
            "subnet `subnet.dr`: availability zone `eu-west-1b` is not in region `us-west-2` of its VPC `vpc.dr`"
        )),
        "{w:#?}"
    );
    // A zone of us-west-2 in a VPC of the scenario's Region is wrong too.
    let wrong = i.text.replace("az = \"us-east-1b\"", "az = \"us-west-2c\"");
    let w = warnings(&wrong);
    assert!(
        w.iter().any(|l| l.contains(
            "subnet `subnet.east.1`: availability zone `us-west-2c` is not in the scenario's region `us-east-1`"
        )),
        "{w:#?}"
    );
    // `us-east-10a` is not a zone of us-east-1.
    let wrong = i
        .text
        .replace("az = \"us-east-1b\"", "az = \"us-east-10a\"");
    assert!(
        warnings(&wrong)
            .iter()
            .any(|l| l.contains("`us-east-10a` is not in the scenario's region")),
        "{wrong}"
    );
}

/// TGW-1 to TGW-4 and TGW-10 from a state (`terraform show -json` of a
/// state, every value known): the hand-built `tgw-state.json` names every
/// transit gateway resource by its real id (`tgw-...`, `tgw-attach-...`,
/// `tgw-rtb-...`), the default route table by the gateway's
/// `association_default_route_table_id`, and a peering attachment and its
/// accepter by the one id they share.
#[test]
fn tgw_a_state_with_real_ids_imports_every_transit_gateway_resource() {
    let i = import("tgw-state.json");
    assert_eq!(i.region, "us-east-1");
    let d = load(&i);
    contains_all(
        &i.text,
        &[
            "id = \"ec2_transit_gateway_vpc_attachment.hub\"\ntransit_gateway = \"ec2_transit_gateway.main\"\ntype = \"vpc\"\nvpc = \"vpc.hub\"\nsubnets = [\"subnet.hub\"]",
            "id = \"ec2_transit_gateway_vpc_attachment.shared\"\ntransit_gateway = \"ec2_transit_gateway.peer\"\ntype = \"vpc\"\nvpc = \"vpc.shared\"\nsubnets = [\"subnet.shared\"]",
            "id = \"ec2_transit_gateway_peering_attachment.main_peer\"\ntransit_gateway = \"ec2_transit_gateway.main\"\ntype = \"peering\"\npeer = \"ec2_transit_gateway_peering_attachment_accepter.main_peer\"",
            "id = \"ec2_transit_gateway_peering_attachment_accepter.main_peer\"\ntransit_gateway = \"ec2_transit_gateway.peer\"\ntype = \"peering\"\npeer = \"ec2_transit_gateway_peering_attachment.main_peer\"",
            // The custom table: the spoke's association by its resource,
            // the static route to the hub and the blackhole.
            "id = \"ec2_transit_gateway_route_table.spokes\"\ntransit_gateway = \"ec2_transit_gateway.main\"\nassociations = [\"ec2_transit_gateway_vpc_attachment.spoke\"]",
            "{ destination = \"10.1.0.0/16\", attachment = \"ec2_transit_gateway_vpc_attachment.hub\" }",
            "{ destination = \"10.3.0.0/16\", blackhole = true }",
            // The default tables, named by their ids: the spoke's
            // propagation and the routes over the peering, each to the
            // side on its own gateway.
            "{ destination = \"10.3.0.0/16\", attachment = \"ec2_transit_gateway_peering_attachment.main_peer\" }",
            "{ destination = \"10.1.0.0/16\", attachment = \"ec2_transit_gateway_peering_attachment_accepter.main_peer\" }",
            // The VPC routes to the gateways by their ids.
            "{ destination = \"10.0.0.0/8\", target = \"ec2_transit_gateway.main\" }",
            "{ destination = \"10.0.0.0/8\", target = \"ec2_transit_gateway.peer\" }",
            // A peering the other account accepted: active in the state.
            "id = \"vpc_peering_connection.hub_shared\"\nrequester = \"vpc.hub\"\naccepter = \"vpc.shared\"",
        ],
    );
    let main_rt = {
        let at = i
            .text
            .find("id = \"ec2_transit_gateway.main/default-rt\"")
            .unwrap_or_else(|| panic!("no default table:\n{}", i.text));
        let rest = &i.text[at..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    assert!(
        main_rt.contains("ec2_transit_gateway_vpc_attachment.spoke")
            && main_rt.contains("ec2_transit_gateway_vpc_attachment.hub"),
        "{main_rt}"
    );
    // Pending or elsewhere: noted by address.
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_vpc_peering_connection.spoke_shared",
            "its accept_status is pending-acceptance, not active"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        has_note(
            &i,
            NoteKind::Unknown,
            "aws_ec2_transit_gateway_vpc_attachment.elsewhere",
            "its transit gateway or VPC is not in the design"
        ),
        "{}",
        notes(&i)
    );
    assert!(!i.text.contains("vpc_peering_connection.spoke_shared\""));

    // Hub to spoke by the default table, back by the spokes table.
    let e = tcp(&d, "instance.hub", "instance.spoke", 443);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    let reply = e.reply.as_ref().expect("a reply");
    assert!(
        reply
            .hops
            .iter()
            .any(|h| h.component == "ec2_transit_gateway_route_table.spokes"),
        "{}",
        explain::render(&e)
    );
    // The spoke's way to the shared VPC is a blackhole (TGW-4).
    let e = tcp(&d, "instance.spoke", "instance.shared", 443);
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (
            explain::Verdict::Dropped,
            Some("route_blackhole"),
            Some("ec2_transit_gateway_route_table.spokes")
        ),
        "{}",
        explain::render(&e)
    );
    // The hub reaches the shared VPC across the peered gateways (TGW-10).
    let e = tcp(&d, "instance.hub", "instance.shared", 443);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    let h = hops(&e);
    assert!(
        h.contains(&"ec2_transit_gateway_peering_attachment.main_peer".to_string())
            && h.contains(&"ec2_transit_gateway.peer".to_string()),
        "{}",
        explain::render(&e)
    );
    assert_eq!(i.text, import("tgw-state.json").text, "same bytes");
}

/// A VPC peering requested from the other Region (the requester under the
/// provider alias of us-west-2, the accepter in the default us-east-1) is
/// written with the VPCs swapped, noted, and the VPC of us-west-2 with its
/// zones validates; a peering whose accepter leaves `auto_accept` false and
/// a transit gateway peering attachment that no accepter accepts stay
/// pending: left out, noted.
#[test]
fn pcx_a_peering_requested_from_the_other_region_is_swapped_and_pending_ones_noted() {
    let i = import("peering-swap.plan.json");
    assert_eq!(i.region, "us-east-1");
    let d = load(&i);
    contains_all(
        &i.text,
        &[
            "id = \"vpc_peering_connection.west_east\"\nrequester = \"vpc.east\"\naccepter = \"vpc.west\"\npeer_region = \"us-west-2\"",
            "id = \"subnet.west\"\nvpc = \"vpc.west\"\ncidr = \"10.20.1.0/24\"\naz = \"us-west-2a\"",
        ],
    );
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_vpc_peering_connection.west_east",
            "written with the VPCs swapped"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_vpc_peering_connection.pending",
            "its accepter aws_vpc_peering_connection_accepter.pending leaves auto_accept false: it stays pending acceptance"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_ec2_transit_gateway_peering_attachment.east_west",
            "no aws_ec2_transit_gateway_peering_attachment_accepter of the plan accepts it"
        ),
        "{}",
        notes(&i)
    );
    assert!(!i.text.contains("id = \"vpc_peering_connection.pending\""));
    assert!(!i.text.contains("type = \"peering\""), "{}", i.text);
    // No zone warning for the VPC of us-west-2 (ADDR-6).
    let w = warnings(&i.text);
    assert!(!w.iter().any(|l| l.contains("availability zone")), "{w:#?}");
    let west = d
        .vpcs
        .iter()
        .find(|v| v.name == "vpc.west")
        .expect("vpc.west");
    assert_eq!(west.region, "us-west-2");
    // Both ways across the swapped peering; the pending one carries
    // nothing: its routes are blackholes.
    for (from, to) in [
        ("instance.east", "instance.west"),
        ("instance.west", "instance.east"),
    ] {
        let e = tcp(&d, from, to, 443);
        assert_eq!(
            e.verdict,
            explain::Verdict::Delivered,
            "{}",
            explain::render(&e)
        );
        assert!(
            hops(&e).contains(&"vpc_peering_connection.west_east".to_string()),
            "{}",
            explain::render(&e)
        );
    }
    // By address: no path joins the two VPCs, so the id names none.
    let e = tcp(&d, "instance.east", "10.30.1.4", 443);
    assert_eq!(
        (e.verdict, e.reason),
        (explain::Verdict::Dropped, Some("route_blackhole")),
        "{}",
        explain::render(&e)
    );
    assert_eq!(i.text, import("peering-swap.plan.json").text, "same bytes");
}

/// TGW-10: a peering attachment that no accepter of the configuration
/// accepts, but that the state shows `available` (accepted by hand or by
/// another configuration), is imported as working: its accepter side is
/// `<attachment>/accepter` on the peer transit gateway, the peer's route
/// names that side, the hub reaches the shared VPC across it, and a note
/// says so. The same attachment still pending acceptance stays left out.
#[test]
fn tgw_10_a_peering_accepted_outside_the_configuration_is_imported_as_working() {
    let i = import("tgw-accepted-elsewhere.state.json");
    let d = load(&i);
    let (a, b) = (
        "ec2_transit_gateway_peering_attachment.main_peer",
        "ec2_transit_gateway_peering_attachment.main_peer/accepter",
    );
    contains_all(
        &i.text,
        &[
            &format!(
                "id = \"{a}\"\ntransit_gateway = \"ec2_transit_gateway.main\"\ntype = \"peering\"\npeer = \"{b}\""
            ),
            &format!(
                "# Accepted outside this configuration (its state is available)\n# the accepter side of {a}\n[[transit_gateway_attachment]]\nid = \"{b}\"\ntransit_gateway = \"ec2_transit_gateway.peer\"\ntype = \"peering\"\npeer = \"{a}\""
            ),
            &format!("{{ destination = \"10.3.0.0/16\", attachment = \"{a}\" }}"),
            &format!("{{ destination = \"10.1.0.0/16\", attachment = \"{b}\" }}"),
        ],
    );
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_ec2_transit_gateway_peering_attachment.main_peer",
            "its state is available: accepted outside this configuration, so it is imported as working"
        ),
        "{}",
        notes(&i)
    );
    let e = tcp(&d, "instance.hub", "instance.shared", 443);
    assert_eq!(e.verdict, Verdict::Delivered, "{}", explain::render(&e));
    let h = hops(&e);
    assert!(
        h.contains(&a.to_string()) && h.contains(&b.to_string()),
        "{}",
        explain::render(&e)
    );
    assert_eq!(
        i.text,
        import("tgw-accepted-elsewhere.state.json").text,
        "same bytes"
    );
    // Pending acceptance: left out, as before.
    let text = std::fs::read_to_string(fixture("tgw-accepted-elsewhere.state.json"))
        .expect("the fixture")
        .replace(
            "\"state\": \"available\"",
            "\"state\": \"pendingAcceptance\"",
        );
    let p = vpcsim::import::terraform::import_text("pending.json", &text, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        has_note(
            &p,
            NoteKind::Skipped,
            "aws_ec2_transit_gateway_peering_attachment.main_peer",
            "it stays pending acceptance"
        ),
        "{}",
        notes(&p)
    );
    assert!(!p.text.contains("type = \"peering\""), "{}", p.text);
    let e = tcp(&load(&p), "instance.hub", "instance.shared", 443);
    assert_eq!(e.verdict, Verdict::Dropped, "{}", explain::render(&e));
}

/// TGW-10, ADDR-6 from a state of three Regions: a state has no
/// configuration, so no provider alias says where a resource is; each is
/// put where its ARN or zone says, or where what it names is (a VPC
/// attachment by its transit gateway, an accepter by its own transit
/// gateway, a route by its table). The scenario is us-east-1, where most
/// resources are (the first of equals); transit gateway `west` carries
/// `region = "us-west-2"` and its VPC is in us-west-2, whose zone
/// validates without a warning; the VPC of eu-west-1, which nothing
/// places there, is left out with the reason; east reaches west across the
/// peering.
#[test]
fn tgw_10_a_state_puts_each_resource_in_the_region_its_values_give() {
    let i = import("tgw-regions-state.json");
    assert_eq!(i.region, "us-east-1");
    contains_all(
        &i.text,
        &[
            "id = \"ec2_transit_gateway.west\"\nasn = 64513\n",
            "region = \"us-west-2\"",
            "id = \"subnet.west\"\nvpc = \"vpc.west\"\ncidr = \"10.2.1.0/24\"\naz = \"us-west-2a\"",
            "id = \"ec2_transit_gateway_peering_attachment_accepter.east_west\"\ntransit_gateway = \"ec2_transit_gateway.west\"\ntype = \"peering\"\npeer = \"ec2_transit_gateway_peering_attachment.east_west\"",
            "{ destination = \"10.1.0.0/16\", attachment = \"ec2_transit_gateway_peering_attachment_accepter.east_west\" }",
            "{ destination = \"10.2.0.0/16\", attachment = \"ec2_transit_gateway_peering_attachment.east_west\" }",
        ],
    );
    let w = warnings(&i.text);
    assert!(!w.iter().any(|l| l.contains("availability zone")), "{w:#?}");
    let d = load(&i);
    let region_of = |name: &str| {
        d.vpcs
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .region
            .clone()
    };
    assert_eq!(region_of("vpc.east"), "us-east-1");
    assert_eq!(region_of("vpc.west"), "us-west-2");
    assert!(!i.text.contains("id = \"vpc.eu\""), "{}", i.text);
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_vpc.eu",
            "in region eu-west-1 (its values: a state names no provider configuration), whose VPC aws_vpc.eu the scenario format cannot place there"
        ),
        "{}",
        notes(&i)
    );
    let e = tcp(&d, "instance.east", "instance.west", 22);
    assert_eq!(e.verdict, Verdict::Delivered, "{}", explain::render(&e));
    assert!(
        hops(&e).contains(&"ec2_transit_gateway.west".to_string()),
        "{}",
        explain::render(&e)
    );
    assert_eq!(i.text, import("tgw-regions-state.json").text, "same bytes");
    // Asked for us-west-2, the same state is that Region's design.
    let path = fixture("tgw-regions-state.json");
    let west = import_terraform(&path, Some("us-west-2")).expect("imports");
    assert_eq!(west.region, "us-west-2");
    let e = tcp(&load(&west), "instance.west", "instance.east", 22);
    assert_eq!(e.verdict, Verdict::Delivered, "{}", explain::render(&e));
}

/// TGW-2 across accounts: a VPC of the app account (its provider alias
/// assumes a role of 222222222222) attached to the network account's
/// transit gateway (111111111111), which does not accept shared
/// attachments automatically, works once the network account's
/// `aws_ec2_transit_gateway_vpc_attachment_accepter` accepts it; the other
/// VPC's attachment, which nothing accepts, stays pending acceptance: left
/// out, noted, and that VPC reaches nothing over the hub.
#[test]
fn tgw_2_a_cross_account_vpc_attachment_needs_its_accepter() {
    let i = import("tgw-shared.plan.json");
    let d = load(&i);
    contains_all(
        &i.text,
        &[
            "# accepted by aws_ec2_transit_gateway_vpc_attachment_accepter.app\n[[transit_gateway_attachment]]\nid = \"ec2_transit_gateway_vpc_attachment.app\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\ntype = \"vpc\"\nvpc = \"vpc.app\"",
            "id = \"ec2_transit_gateway_vpc_attachment.shared\"\ntransit_gateway = \"ec2_transit_gateway.hub\"\ntype = \"vpc\"\nvpc = \"vpc.shared\"",
        ],
    );
    assert!(
        !i.text
            .contains("id = \"ec2_transit_gateway_vpc_attachment.pending\""),
        "{}",
        i.text
    );
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_ec2_transit_gateway_vpc_attachment.pending",
            "a VPC of account 222222222222 attached to aws_ec2_transit_gateway.hub of account 111111111111, which does not accept shared attachments automatically (auto_accept_shared_attachments), and no aws_ec2_transit_gateway_vpc_attachment_accepter of the plan accepts it: it stays pending acceptance"
        ),
        "{}",
        notes(&i)
    );
    let e = tcp(&d, "instance.app", "instance.shared", 443);
    assert_eq!(e.verdict, Verdict::Delivered, "{}", explain::render(&e));
    assert!(
        hops(&e).contains(&"ec2_transit_gateway_vpc_attachment.app".to_string()),
        "{}",
        explain::render(&e)
    );
    // Without its attachment the pending VPC has no way to the shared one:
    // its name gives no address from there, and its route to the hub
    // carries nothing.
    let shared = d
        .instances
        .iter()
        .find(|x| x.name == "instance.shared")
        .map(|x| d.enis[x.eni.idx()].ip.to_string())
        .expect("instance.shared");
    let e = tcp(&d, "instance.pending", &shared, 443);
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (
            Verdict::Dropped,
            Some("route_blackhole"),
            Some("route_table.pending")
        ),
        "{}",
        explain::render(&e)
    );
    assert_eq!(i.text, import("tgw-shared.plan.json").text, "same bytes");
    // With the hub accepting shared attachments automatically, both work.
    let text = std::fs::read_to_string(fixture("tgw-shared.plan.json"))
        .expect("the fixture")
        .replace(
            "\"auto_accept_shared_attachments\": \"disable\"",
            "\"auto_accept_shared_attachments\": \"enable\"",
        );
    let auto = vpcsim::import::terraform::import_text("auto.json", &text, None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        auto.text
            .contains("id = \"ec2_transit_gateway_vpc_attachment.pending\""),
        "{}",
        auto.text
    );
    let e = tcp(&load(&auto), "instance.pending", "instance.shared", 443);
    assert_eq!(e.verdict, Verdict::Delivered, "{}", explain::render(&e));
}

/// TGW-10: a peering attachment available without an accepter whose peer
/// transit gateway is outside the configuration (another account's or
/// configuration's) is written with that gateway, by its AWS id and with no
/// route table, as `import aws` writes a peer outside its files: what
/// crosses the peering is dropped there with `no_route`, noted.
#[test]
fn tgw_10_a_peer_transit_gateway_outside_the_configuration_is_written_without_tables() {
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("tgw-accepted-elsewhere.state.json"))
            .expect("the fixture"),
    )
    .expect("JSON");
    let resources = doc["values"]["root_module"]["resources"]
        .as_array_mut()
        .expect("resources");
    resources.retain(|r| r["address"] != "aws_ec2_transit_gateway.peer");
    let text = serde_json::to_string(&doc).expect("JSON");
    let i = vpcsim::import::terraform::import_text("outside.json", &text, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let (peer, a, b) = (
        "tgw-0a1b2c3d4e5f60002",
        "ec2_transit_gateway_peering_attachment.main_peer",
        "ec2_transit_gateway_peering_attachment.main_peer/accepter",
    );
    contains_all(
        &i.text,
        &[
            &format!(
                "# Outside this configuration: the peer of aws_ec2_transit_gateway_peering_attachment.main_peer of account 111122223333; its attachments and route tables are not in the plan\n[[transit_gateway]]\nid = \"{peer}\"\n"
            ),
            &format!(
                "id = \"{a}\"\ntransit_gateway = \"ec2_transit_gateway.main\"\ntype = \"peering\"\npeer = \"{b}\""
            ),
            &format!(
                "id = \"{b}\"\ntransit_gateway = \"{peer}\"\ntype = \"peering\"\npeer = \"{a}\""
            ),
        ],
    );
    assert!(
        has_note(
            &i,
            NoteKind::Unknown,
            "aws_ec2_transit_gateway_peering_attachment.main_peer",
            &format!(
                "its peer transit gateway {peer} of account 111122223333 in us-east-1 is outside this configuration"
            )
        ),
        "{}",
        notes(&i)
    );
    let d = load(&i);
    let e = tcp(&d, "instance.hub", "10.3.1.10", 443);
    assert_eq!(
        (e.verdict, e.reason, e.drop_at.as_deref()),
        (Verdict::Dropped, Some("no_route"), Some(peer)),
        "{}",
        explain::render(&e)
    );
    assert!(hops(&e).contains(&a.to_string()), "{}", explain::render(&e));
}
