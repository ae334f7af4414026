//! Security group referencing across a transit gateway (TGW-11): an inbound
//! rule of VPC B naming a group of VPC A, attached to the same transit
//! gateway, admits packets sent by that group's members when the transit
//! gateway and both VPC attachments have the feature on.

use super::*;

/// `two_vpcs` with sg-b admitting port 5432 from sg-a only; `tgw_on` and
/// `att_b` set `security_group_referencing` on the transit gateway and on
/// att-b (`None`: not written, AWS's defaults).
fn referencing(tgw_on: bool, att_b: Option<bool>) -> String {
    let text = two_vpcs("\"a-1a\", \"a-1b\"", "\"b-1a\", \"b-1b\"", "");
    let text = text.replace(
        "id = \"sg-b\"\nvpc = \"vpc-b\"\ningress = [ { protocol = \"all\", cidr = \"10.0.0.0/8\" } ]",
        "id = \"sg-b\"\nvpc = \"vpc-b\"\ningress = [ { protocol = \"tcp\", ports = \"5432\", source_group = \"sg-a\" } ]",
    );
    let text = text.replace(
        "[[transit_gateway]]\nid = \"tgw\"\n",
        &format!("[[transit_gateway]]\nid = \"tgw\"\nsecurity_group_referencing = {tgw_on}\n"),
    );
    match att_b {
        None => text,
        Some(on) => text.replace(
            "vpc = \"vpc-b\"\nsubnets = [",
            &format!("vpc = \"vpc-b\"\nsecurity_group_referencing = {on}\nsubnets = ["),
        ),
    }
}

fn warnings(text: &str) -> String {
    match model::load_str("tgw.toml", text) {
        Ok(l) => l.report.to_string(),
        Err(r) => panic!("does not load:\n{r}"),
    }
}

#[test]
fn tgw_11_group_reference_admits_members_across_the_transit_gateway() {
    let text = referencing(true, None);
    assert!(!warnings(&text).contains("TGW-11"), "{}", warnings(&text));
    let d = load(&text);
    let e = tcp(d.clone(), "app", "db", 5432);
    assert_delivered(&e);
    // The rule that admits it at db is sg-b's rule naming sg-a.
    let Some(Component::Sg(sg_a)) = d.lookup("sg-a") else {
        panic!("sg-a is a security group");
    };
    assert!(
        decided(&e.hops, "db").iter().any(|r| matches!(
            *r,
            Rule::Sg { group, ingress: true, index }
                if d.security_groups[group.idx()].ingress[usize::from(index)].peer
                    == model::Peer::Group(sg_a)
        )),
        "{}",
        explain::render(&e)
    );
}

#[test]
fn tgw_11_non_members_are_not_admitted() {
    // app-1b carries no group of its own in this copy: not a member.
    let text = referencing(true, None).replace(
        "id = \"app-1b\"\nsubnet = \"a-1b\"\nsecurity_groups = [\"sg-a\"]",
        "id = \"app-1b\"\nsubnet = \"a-1b\"\nsecurity_groups = [\"sg-other\"]",
    ) + "\n[[security_group]]\nid = \"sg-other\"\nvpc = \"vpc-a\"\n";
    let e = tcp(load(&text), "app-1b", "db", 5432);
    assert_dropped(&e, "sg_ingress_denied", "db");
}

#[test]
fn tgw_11_off_on_the_transit_gateway_matches_nothing_with_a_warning() {
    let text = referencing(false, None);
    let w = warnings(&text);
    assert!(
        w.contains("sg-b") && w.contains("sg-a") && w.contains("`tgw`") && w.contains("TGW-11"),
        "{w}"
    );
    let e = tcp(load(&text), "app", "db", 5432);
    assert_dropped(&e, "sg_ingress_denied", "db");
}

#[test]
fn tgw_11_off_on_an_attachment_matches_nothing_with_a_warning() {
    let text = referencing(true, Some(false));
    let w = warnings(&text);
    assert!(w.contains("`att-b`") && w.contains("TGW-11"), "{w}");
    let e = tcp(load(&text), "app", "db", 5432);
    assert_dropped(&e, "sg_ingress_denied", "db");
    // Turned on explicitly, it works again.
    assert_delivered(&tcp(
        load(&referencing(true, Some(true))),
        "app",
        "db",
        5432,
    ));
}

#[test]
fn tgw_11_outbound_rule_referencing_across_the_transit_gateway_is_an_error() {
    let text = referencing(true, None).replace(
        "id = \"sg-a\"\nvpc = \"vpc-a\"\n",
        "id = \"sg-a\"\nvpc = \"vpc-a\"\negress = [ { protocol = \"tcp\", ports = \"5432\", dest_group = \"sg-b\" } ]\n",
    );
    let e = errors(&text);
    assert!(
        e.contains("inbound rules only") && e.contains("TGW-11"),
        "{e}"
    );
}

#[test]
fn tgw_11_only_on_vpn_and_peering_attachments_is_an_error() {
    let text = referencing(true, None).replace(
        "vpc = \"vpc-b\"\nsubnets = [\"b-1a\", \"b-1b\"]",
        "type = \"vpn\"\nsecurity_group_referencing = true",
    );
    let e = errors(&text);
    assert!(
        e.contains("a VPN attachment has no `security_group_referencing`"),
        "{e}"
    );
}
