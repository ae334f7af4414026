//! `vpcsim import terraform`: the real plans of `../shared/terraform-plans`
//! and the hand-built fixtures of `tests/terraform/` import, validate with
//! vpcsim's own loader, import to the same bytes twice, note what they leave
//! out by Terraform address, and behave under `explain` as the network they
//! describe: on the module-shaped plan, each private subnet leaves through
//! the NAT gateway of its own AZ.

use std::path::{Path, PathBuf};
use std::process::Command;

use vpcsim::explain::{self, Explanation, Query};
use vpcsim::import::{Imported, NoteKind, import_terraform};
use vpcsim::model::{Design, load_str};
use vpcsim::units::Nanos;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/terraform")
        .join(name)
}

fn import(path: &Path, region: Option<&str>) -> Imported {
    import_terraform(path, region).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
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

fn explain_tcp(d: &Design, from: &str, to: &str, port: u16) -> Explanation {
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

#[test]
fn the_module_plan_leaves_each_private_subnet_through_its_own_nat_gateway() {
    let i = import(&fixture("vpc-module.plan.json"), None);
    assert_eq!(i.region, "eu-west-1", "from the provider's `var.region`");
    let d = load(&i);
    for az in 0..3 {
        let e = explain_tcp(&d, &format!("instance.app.{az}"), "93.184.216.34", 443);
        assert_eq!(e.verdict, explain::Verdict::Delivered, "{e:?}");
        let h = hops(&e);
        let nat = format!("vpc.nat_gateway.this.{az}");
        let table = format!("vpc.route_table.private.{az}");
        assert!(h.contains(&nat) && h.contains(&table), "AZ {az}: {h:?}");
        assert!(
            h.contains(&"vpc.internet_gateway.this.0".to_string()),
            "{h:?}"
        );
        for other in (0..3).filter(|o| *o != az) {
            assert!(
                !h.contains(&format!("vpc.nat_gateway.this.{other}")),
                "AZ {az}: {h:?}"
            );
        }
        // Each instance is in its own AZ's private subnet.
        assert!(
            i.text.contains(&format!(
                "[[instance]]\nid = \"instance.app.{az}\"\nsubnet = \"vpc.subnet.private.{az}\""
            )),
            "{}",
            i.text
        );
    }
    // The matches by count index are heuristics, and said to be.
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "module.vpc.aws_route.private_nat_gateway[1]",
            "matched to module.vpc.aws_nat_gateway.this[1] by the same index or key (a heuristic)"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_instance.app[2]",
            "module.vpc.aws_subnet.private[2]"
        ),
        "{}",
        notes(&i)
    );
    // `local.vpc_id` cannot be followed: the module's one VPC, noted.
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "module.vpc.aws_subnet.public[0]",
            "the only VPC of its module"
        ),
        "{}",
        notes(&i)
    );
    // Elastic IPs unknown until apply: handed out, in address order, noted.
    assert!(
        i.text.contains("public_ip = \"198.51.100.1\""),
        "{}",
        i.text
    );
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "module.vpc.aws_eip.nat[0]",
            "unknown until apply"
        ),
        "{}",
        notes(&i)
    );
    // The NAT gateways' Elastic IPs come through `local.nat_gateway_ips`,
    // which cannot be followed: matched by index, noted.
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "module.vpc.aws_nat_gateway.this[1]",
            "taken to be module.vpc.aws_eip.nat[1], the Elastic IP of its module with its index (a heuristic)"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        !i.notes.iter().any(|n| n.kind == NoteKind::Unknown),
        "every reference of the module plan is followed:\n{}",
        notes(&i)
    );
    // The default resources the module manages are vpcsim's implicit ones.
    for id in [
        "vpc.vpc.this.0/main-rt",
        "vpc.vpc.this.0/default-acl",
        "vpc.vpc.this.0/default-sg",
    ] {
        assert!(
            i.text.contains(&format!("id = \"{id}\"")),
            "{id}\n{}",
            i.text
        );
    }
    assert!(
        i.text
            .contains("# Terraform: module.vpc.aws_subnet.private[1]"),
        "{}",
        i.text
    );
    // The same plan, the same bytes.
    assert_eq!(i.text, import(&fixture("vpc-module.plan.json"), None).text);
}

#[test]
fn every_resource_type_of_the_all_types_plan() {
    let i = import(&fixture("all-types.plan.json"), None);
    assert_eq!(i.region, "us-east-1");
    let d = load(&i);
    let t = &i.text;
    let want = [
        // VPC and its second block, the existing peer VPC from the prior state
        "id = \"vpc.main\"\ncidrs = [\"10.10.0.0/16\", \"10.11.0.0/16\"]",
        "id = \"vpc.peer\"\ncidrs = [\"10.20.0.0/16\"]",
        // the default VPC and subnet, adopted, from the prior state
        "id = \"default_vpc.default\"\ncidrs = [\"172.31.0.0/16\"]",
        "id = \"default_subnet.c\"\nvpc = \"default_vpc.default\"\ncidr = \"172.31.0.0/20\"\naz = \"us-east-1c\"",
        // subnets by for_each key, in the secondary block, existing
        "id = \"subnet.app.a\"\nvpc = \"vpc.main\"\ncidr = \"10.10.1.0/24\"\naz = \"us-east-1a\"\nroute_table = \"route_table.app.a\"\nnetwork_acl = \"network_acl.app\"",
        "id = \"subnet.extra\"\nvpc = \"vpc.main\"\ncidr = \"10.11.0.0/24\"\naz = \"us-east-1a\"\nroute_table = \"route_table.app.a\"",
        "id = \"subnet.peer\"\nvpc = \"vpc.peer\"",
        // (the public subnet has no association: the main table, route_table.public)
        "id = \"subnet.public\"\nvpc = \"vpc.main\"\ncidr = \"10.10.0.0/24\"\naz = \"us-east-1a\"\nnetwork_acl = \"network_acl.public\"",
        // inline route, aws_route by each.key, to a peering, to an ENI, to a
        // prefix list, main association, adopted default table
        "id = \"route_table.public\"\nvpc = \"vpc.main\"\nmain = true\nroutes = [\n  { destination = \"0.0.0.0/0\", target = \"internet_gateway.igw\" },",
        "{ destination = \"0.0.0.0/0\", target = \"nat_gateway.nat\" }",
        "{ destination = \"10.20.0.0/16\", target = \"vpc_peering_connection.pcx\" }",
        "{ destination = \"ec2_managed_prefix_list.corp\", target = \"nat_gateway.private\" }",
        "{ destination = \"10.99.0.0/16\", target = \"network_interface.fw\" }",
        "{ destination = \"10.200.0.0/16\", target = \"tgw-0123456789abcdef0\", state = \"blackhole\" }",
        "id = \"vpc.peer/main-rt\"\nvpc = \"vpc.peer\"\nmain = true\nroutes = [\n  { destination = \"10.10.0.0/16\", target = \"vpc_peering_connection.pcx\" },",
        // gateways, attachment, Elastic IP
        "id = \"internet_gateway.igw\"\nvpc = \"vpc.main\"",
        "id = \"nat_gateway.nat\"\nsubnet = \"subnet.public\"\nconnectivity = \"public\"\npublic_ip = \"198.51.100.",
        "id = \"nat_gateway.private\"\nsubnet = \"subnet.app.b\"\nconnectivity = \"private\"",
        // security groups: inline rules, a group peer, rule resources, the default
        "{ protocol = \"tcp\", ports = \"443\", cidr = \"0.0.0.0/0\", description = \"https\" }",
        "{ protocol = \"tcp\", ports = \"22\", source_group = \"security_group.bastion\" }",
        "{ protocol = \"tcp\", ports = \"8443\", prefix_list = \"ec2_managed_prefix_list.corp\" }",
        "{ protocol = \"icmp\", icmp_type = 8, source_group = \"security_group.bastion\" }",
        "{ protocol = \"tcp\", ports = \"22\", cidr = \"203.0.113.0/24\" }",
        "id = \"vpc.main/default-sg\"\nvpc = \"vpc.main\"\ningress = [\n  { protocol = \"all\", source_group = \"vpc.main/default-sg\" },\n]\negress = []",
        // network ACLs: inline, rule resource, association, the default
        "{ rule = 50, protocol = \"tcp\", ports = \"23\", cidr = \"0.0.0.0/0\", action = \"deny\" }",
        "id = \"vpc.main/default-acl\"\nvpc = \"vpc.main\"\ndefault = true\ningress = [\n  { rule = 100, protocol = \"all\", cidr = \"10.0.0.0/8\", action = \"allow\" },",
        // endpoints with their associations
        "id = \"vpc_endpoint.s3\"\ntype = \"gateway\"\nvpc = \"vpc.main\"\nservice = \"s3\"\nroute_tables = [\"route_table.app.a\", \"route_table.app.b\", \"route_table.public\"]",
        "id = \"vpc_endpoint.sqs\"\ntype = \"interface\"\nvpc = \"vpc.main\"\nservice = \"sqs\"\nsubnets = [\"subnet.app.a\", \"subnet.app.b\"]\nsecurity_groups = [\"security_group.web\"]\nprivate_dns = true",
        // peering accepted by its accepter
        // with the accepter's DNS resolution option of
        // aws_vpc_peering_connection_options (DNS-4)
        "id = \"vpc_peering_connection.pcx\"\nrequester = \"vpc.main\"\naccepter = \"vpc.peer\"\naccepter_dns_resolution = true",
        // VPN: attachment, propagation, static route
        "id = \"vpn_gateway.vgw\"\nvpc = \"vpc.main\"\npropagate_to = [\"route_table.app.a\", \"route_table.app.b\", \"route_table.public\"]",
        "id = \"vpn_connection.office\"\ncidrs = [\"192.168.0.0/16\"]\nvia = \"vpn_gateway.vgw\"",
        // instances: fixed address, Elastic IP, a primary interface
        "id = \"instance.web\"\nsubnet = \"subnet.app.a\"\nprivate_ip = \"10.10.1.10\"\nsecurity_groups = [\"security_group.web\"]",
        "id = \"instance.fw\"\nsubnet = \"subnet.app.b\"\nprivate_ip = \"10.10.2.20\"\nsecurity_groups = [\"security_group.bastion\", \"security_group.web\"]\nsource_dest_check = false\neni = \"network_interface.fw\"",
        // Lambda in the VPC, and outside
        "id = \"lambda_function.worker\"\nsubnets = [\"subnet.app.a\", \"subnet.app.b\"]\nsecurity_groups = [\"security_group.web\"]",
        "id = \"lambda_function.cron\"",
        // managed prefix list with its entry resource
        "id = \"ec2_managed_prefix_list.corp\"\nname = \"corp\"\ncidrs = [\"172.16.0.0/12\", \"100.64.0.0/10\"]",
    ];
    let missing: Vec<&&str> = want.iter().filter(|w| !t.contains(**w)).collect();
    assert!(
        missing.is_empty(),
        "missing:\n{missing:#?}\n--- text ---\n{t}"
    );
    assert!(
        t.contains(
            "id = \"instance.bastion\"\nsubnet = \"subnet.public\"\npublic_ip = \"198.51.100."
        ),
        "the bastion's Elastic IP\n{t}"
    );

    // Left out, each by address.
    let expect = [
        (NoteKind::Skipped, "aws_vpc.west", "in region us-west-2"),
        (NoteKind::Skipped, "aws_subnet.old", "deleted by the plan"),
        (
            NoteKind::Skipped,
            "registry.terraform.io/hashicorp/random",
            "1 resource instance(s) of another provider",
        ),
        (NoteKind::Skipped, "data", "1 data source instance(s)"),
        (
            NoteKind::Unsupported,
            "aws_lb.web",
            "not a resource vpcsim models",
        ),
        (
            NoteKind::Unknown,
            "aws_route.to_tgw",
            "`transit_gateway_id` names nothing in the design; kept as a blackhole",
        ),
        (
            NoteKind::Unsupported,
            "aws_vpc_security_group_ingress_rule.web_v6",
            "(IPv6)",
        ),
        (
            NoteKind::Unsupported,
            "aws_network_interface_attachment.spare",
            "second interface",
        ),
        (
            NoteKind::Unsupported,
            "aws_network_interface.spare",
            "second interface",
        ),
        (
            NoteKind::Approximated,
            "aws_route.app_nat[\"b\"]",
            "by the same index or key",
        ),
    ];
    for (kind, id, text) in expect {
        assert!(
            has_note(&i, kind, id, text),
            "{kind:?} {id}: {text}\n{}",
            notes(&i)
        );
    }

    // The design answers as the plan means it.
    let e = explain_tcp(&d, "instance.web", "93.184.216.34", 443);
    assert_eq!(e.verdict, explain::Verdict::Delivered, "{e:?}");
    assert!(
        hops(&e).contains(&"nat_gateway.nat".to_string()),
        "{:?}",
        hops(&e)
    );
    let e = explain_tcp(&d, "instance.web", "10.20.1.4", 443);
    assert!(
        hops(&e).contains(&"vpc_peering_connection.pcx".to_string()),
        "{:?}",
        hops(&e)
    );
    let e = explain_tcp(&d, "instance.bastion", "instance.web", 22);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "ssh from the bastion's group: {e:?}"
    );
    let e = explain_tcp(&d, "instance.bastion", "instance.web", 23);
    assert_eq!(e.verdict, explain::Verdict::Dropped, "telnet: {e:?}");
    assert_eq!(i.text, import(&fixture("all-types.plan.json"), None).text);
}

#[test]
fn a_provider_alias_region_is_imported_with_region() {
    let i = import(&fixture("all-types.plan.json"), Some("us-west-2"));
    assert_eq!(i.region, "us-west-2");
    load(&i);
    assert!(
        i.text
            .contains("id = \"vpc.west\"\ncidrs = [\"10.30.0.0/16\"]"),
        "{}",
        i.text
    );
    assert!(!i.text.contains("id = \"vpc.main\""), "{}", i.text);
    assert!(
        has_note(&i, NoteKind::Skipped, "aws_vpc.main", "in region us-east-1"),
        "{}",
        notes(&i)
    );
}

/// The state's instance with an Elastic IP instead of its own public IP,
/// the Elastic IP on `on` (the primary address or a secondary one).
fn state_with_eip(on: &str) -> Imported {
    let text = std::fs::read_to_string(fixture("state.json")).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let rs = v["values"]["root_module"]["resources"]
        .as_array_mut()
        .expect("resources");
    for r in rs.iter_mut() {
        if r["type"] == "aws_instance" {
            r["values"]["public_ip"] = serde_json::Value::Null;
            r["values"]["associate_public_ip_address"] = false.into();
        }
    }
    rs.push(serde_json::json!({
        "address": "aws_eip.web",
        "mode": "managed",
        "type": "aws_eip",
        "name": "web",
        "values": {
            "id": "eipalloc-0123456789abcdef0",
            "domain": "vpc",
            "instance": "i-0123456789abcdef0",
            "associate_with_private_ip": on,
            "public_ip": "52.10.20.30"
        }
    }));
    let path =
        std::env::temp_dir().join(format!("vpcsim-eip-{on}-{}.state.json", std::process::id()));
    std::fs::write(&path, v.to_string()).expect("write");
    let i = import(&path, None);
    let _ = std::fs::remove_file(&path);
    load(&i);
    i
}

#[test]
fn an_elastic_ip_on_a_secondary_private_ip_is_not_the_instances_public_ip() {
    let primary = state_with_eip("10.50.1.10");
    assert!(
        primary
            .text
            .contains("private_ip = \"10.50.1.10\"\npublic_ip = \"52.10.20.30\""),
        "{}",
        primary.text
    );
    let secondary = state_with_eip("10.50.1.11");
    assert!(
        secondary
            .text
            .contains("private_ip = \"10.50.1.10\"\nsecurity_groups"),
        "no public IP: {}",
        secondary.text
    );
    assert!(
        !secondary.text.contains("52.10.20.30"),
        "{}",
        secondary.text
    );
    assert!(
        has_note(
            &secondary,
            NoteKind::Unsupported,
            "aws_eip.web",
            "secondary private IP 10.50.1.11"
        ),
        "{}",
        notes(&secondary)
    );
}

#[test]
fn a_state_has_every_value_known() {
    let i = import(&fixture("state.json"), None);
    assert_eq!(i.region, "ap-northeast-2", "from the ARNs and zones");
    let d = load(&i);
    let t = &i.text;
    assert!(
        t.contains("id = \"instance.web\"\nsubnet = \"net.subnet.this.public\"\nprivate_ip = \"10.50.1.10\"\npublic_ip = \"3.36.10.20\""),
        "{t}"
    );
    assert!(
        t.contains("# Terraform: module.net.aws_subnet.this[\"public\"]"),
        "{t}"
    );
    let e = explain_tcp(&d, "instance.web", "93.184.216.34", 80);
    assert_eq!(e.verdict, explain::Verdict::Delivered, "{e:?}");
    assert!(hops(&e).contains(&"internet_gateway.igw".to_string()));
    assert!(
        has_note(&i, NoteKind::Unsupported, "aws_security_group.web", "::/0"),
        "{}",
        notes(&i)
    );
    // Nothing is approximated in a state.
    assert!(
        !i.notes.iter().any(|n| n.kind == NoteKind::Approximated),
        "{}",
        notes(&i)
    );
}

#[test]
fn the_real_plans_import() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/terraform-plans");
    if !dir.is_dir() {
        eprintln!(
            "note: {} not found; the real plans are skipped",
            dir.display()
        );
        return;
    }
    let i = import(&dir.join("tfc-test_issue-172.plan.json"), None);
    assert_eq!(i.region, "eu-west-1");
    let d = load(&i);
    assert_eq!(d.subnets.len(), 4);
    for lb in [
        "aws_lb.nlb-noncompliant",
        "aws_lb_listener.tcp-listener-noncompliant",
    ] {
        assert!(
            has_note(
                &i,
                NoteKind::Unsupported,
                lb,
                "not a resource vpcsim models"
            ),
            "{}",
            notes(&i)
        );
    }
    assert!(
        i.text
            .contains("route_table = \"route_table.test-pub-rtb\""),
        "{}",
        i.text
    );
    assert_eq!(
        i.text,
        import(&dir.join("tfc-test_issue-172.plan.json"), None).text
    );
    // Its default route's `gateway_id` is unknown and in no expression: the
    // VPC's only internet gateway, by a heuristic.
    assert!(
        i.text
            .contains(r#"{ destination = "0.0.0.0/0", target = "internet_gateway.test-igw" }"#),
        "{}",
        i.text
    );

    let i = import(&dir.join("tfc-test_pull_330.plan.json"), None);
    let d = load(&i);
    assert_eq!(d.vpcs.len(), 1);
    assert!(i.text.contains("id = \"nat_gateway.gw\""), "{}", i.text);
    assert!(i.text.contains("id = \"vpn_gateway.main\""), "{}", i.text);
    // Its customer gateway serves no VPN connection: left out, noted.
    assert!(
        has_note(
            &i,
            NoteKind::Unsupported,
            "aws_customer_gateway.main",
            "no VPN connection of the plan uses"
        ),
        "{}",
        notes(&i)
    );
    // Its NAT gateway's allocation_id refers to the VPC: no Elastic IP.
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_nat_gateway.gw",
            "unknown until apply"
        ),
        "{}",
        notes(&i)
    );
}

fn err(text: &str) -> String {
    match vpcsim::import::terraform::import_text("plan.json", text, None) {
        Ok(_) => panic!("imported:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_input_says_what_it_is() {
    let e = err("[1, 2]");
    assert!(
        e.contains("plan.json: $: not the JSON of `terraform show -json`")
            && e.contains("an array"),
        "{e}"
    );
    let e = err(r#"{"version": 4, "terraform_version": "1.6.0", "serial": 3, "resources": []}"#);
    assert!(e.contains("raw state file (terraform.tfstate)"), "{e}");
    let e = err(r#"{"resource": {"aws_vpc": {"main": {"cidr_block": "10.0.0.0/16"}}}}"#);
    assert!(e.contains("Terraform configuration in JSON"), "{e}");
    let e = err(r#"{"Vpcs": []}"#);
    assert!(e.contains("vpcsim import aws"), "{e}");
    let e = err(r#"{"format_version": "2.0", "values": {}}"#);
    assert!(
        e.contains("$.format_version: format version \"2.0\" is not supported"),
        "{e}"
    );
    // Cut short: the innermost value still open.
    let full = std::fs::read_to_string(fixture("vpc-module.plan.json")).unwrap();
    let at = full.find("\"aws_nat_gateway\"").unwrap() + 200;
    let e = err(&full[..at]);
    assert!(e.contains("plan.json: $.") && e.contains("EOF"), "{e}");
    let e = err(&full[..full.find("\"resource_changes\"").unwrap() + 400]);
    assert!(e.contains("$.resource_changes[0]"), "{e}");
    // Impossible values: the address and the attribute.
    let bad = full.replace("\"10.0.1.0/24\"", "\"10.0.1.0/33\"");
    let e = err(&bad);
    assert!(
        e.contains("module.vpc.aws_subnet.private[0] (attribute `cidr_block`): `10.0.1.0/33` is not an IPv4 CIDR"),
        "{e}"
    );
    // Not JSON of the right shape.
    let e = err(
        r#"{"format_version": "1.2", "resource_changes": [{"address": 3, "type": "aws_vpc", "name": "x", "change": {"actions": ["create"], "after": {}}}]}"#,
    );
    assert!(e.contains("$.resource_changes[0].address"), "{e}");
}

#[test]
fn command_line() {
    let exe = env!("CARGO_BIN_EXE_vpcsim");
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tf-cli.toml");
    let run = Command::new(exe)
        .args(["import", "terraform"])
        .arg(fixture("vpc-module.plan.json"))
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        import(&fixture("vpc-module.plan.json"), None).text
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("vpcsim import: approximated: module.vpc."),
        "{stderr}"
    );
    let bad = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tf-bad.json");
    std::fs::write(&bad, "{\"format_version\": \"9.0\"}").unwrap();
    let run = Command::new(exe)
        .args(["import", "terraform"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stdout.is_empty());
    let run = Command::new(exe)
        .args(["import", "terraform", "/nonexistent/plan.json"])
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
}

/// `scenarios/terraform/design.toml` is the import of the module-shaped
/// fixture, byte for byte, and the scenario that includes it holds.
#[test]
fn the_shipped_example_is_the_import_and_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shipped = std::fs::read_to_string(root.join("scenarios/terraform/design.toml"))
        .expect("the shipped design");
    let fresh = import(&fixture("vpc-module.plan.json"), None).text;
    assert!(
        fresh.contains("1 VPC, 6 subnets, 3 instances."),
        "counts with their plurals"
    );
    assert_eq!(
        shipped, fresh,
        "re-import: vpcsim import terraform engine/tests/terraform/vpc-module.plan.json -o scenarios/terraform/design.toml"
    );
    let run = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .current_dir(&root)
        .args(["check", "scenarios/terraform-egress.toml", "--quiet"])
        .output()
        .expect("runs");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

/// A module inside a module: `var.vpc_id` is followed up through both calls,
/// `module.net.subnet_id` down through both outputs.
#[test]
fn nested_modules_are_followed_both_ways() {
    let plan = r#"{
  "format_version": "1.2",
  "terraform_version": "1.6.6",
  "resource_changes": [
    {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": {"cidr_block": "10.1.0.0/16"}, "after_unknown": {"id": true}}},
    {"address": "module.net.module.sub.aws_subnet.this", "module_address": "module.net.module.sub",
     "mode": "managed", "type": "aws_subnet", "name": "this",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
                "after": {"cidr_block": "10.1.7.0/24", "availability_zone": "us-east-1b"},
                "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null, "after": {"source_dest_check": true},
                "after_unknown": {"id": true, "subnet_id": true, "private_ip": true}}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}}},
    "root_module": {
      "resources": [
        {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main", "provider_config_key": "aws",
         "expressions": {"cidr_block": {"constant_value": "10.1.0.0/16"}}},
        {"address": "aws_instance.x", "mode": "managed", "type": "aws_instance", "name": "x", "provider_config_key": "aws",
         "expressions": {"subnet_id": {"references": ["module.net.subnet_id", "module.net"]}}}
      ],
      "module_calls": {
        "net": {
          "source": "./net",
          "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}},
          "module": {
            "outputs": {"subnet_id": {"expression": {"references": ["module.sub.id", "module.sub"]}}},
            "module_calls": {
              "sub": {
                "source": "./sub",
                "expressions": {"vpc_id": {"references": ["var.vpc_id"]}},
                "module": {
                  "resources": [
                    {"address": "aws_subnet.this", "mode": "managed", "type": "aws_subnet", "name": "this",
                     "provider_config_key": "aws",
                     "expressions": {"vpc_id": {"references": ["var.vpc_id"]}, "cidr_block": {"constant_value": "10.1.7.0/24"}}}
                  ],
                  "outputs": {"id": {"expression": {"references": ["aws_subnet.this.id", "aws_subnet.this"]}}},
                  "variables": {"vpc_id": {}}
                }
              }
            },
            "variables": {"vpc_id": {}}
          }
        }
      }
    }
  }
}"#;
    let i = vpcsim::import::terraform::import_text("nested.json", plan, None)
        .unwrap_or_else(|e| panic!("{e}"));
    load(&i);
    assert!(
        i.text
            .contains("id = \"net.sub.subnet.this\"\nvpc = \"vpc.main\"\ncidr = \"10.1.7.0/24\""),
        "{}",
        i.text
    );
    assert!(
        i.text
            .contains("id = \"instance.x\"\nsubnet = \"net.sub.subnet.this\""),
        "{}",
        i.text
    );
    assert!(i.notes.is_empty(), "{}", notes(&i));
}

/// A plan that adopts the default VPC without a prior state leaves its CIDR
/// unknown: AWS's default VPC block, 172.31.0.0/16, stands for it, with a
/// note; a subnet the plan makes in it validates against that block.
#[test]
fn a_default_vpc_whose_cidr_is_unknown_is_awss_default_block() {
    let plan = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.0",
  "planned_values": {"root_module": {}},
  "resource_changes": [
    {"address": "aws_default_vpc.default", "mode": "managed", "type": "aws_default_vpc",
     "name": "default", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"tags": {"Name": "default"}},
       "after_unknown": {"id": true, "cidr_block": true, "default_route_table_id": true}}},
    {"address": "aws_subnet.extra", "mode": "managed", "type": "aws_subnet",
     "name": "extra", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cidr_block": "172.31.96.0/20", "availability_zone": "us-east-1a"},
       "after_unknown": {"id": true, "vpc_id": true}}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws",
      "expressions": {"region": {"constant_value": "us-east-1"}}}},
    "root_module": {"resources": [
      {"address": "aws_default_vpc.default", "mode": "managed", "type": "aws_default_vpc",
       "name": "default", "provider_config_key": "aws", "expressions": {}},
      {"address": "aws_subnet.extra", "mode": "managed", "type": "aws_subnet",
       "name": "extra", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_default_vpc.default.id", "aws_default_vpc.default"]},
                       "cidr_block": {"constant_value": "172.31.96.0/20"}}}
    ]}
  }
}"#;
    let path = std::env::temp_dir().join(format!(
        "vpcsim-default-vpc-{}.plan.json",
        std::process::id()
    ));
    std::fs::write(&path, plan).expect("write");
    let i = import(&path, None);
    let _ = std::fs::remove_file(&path);
    load(&i);
    assert!(
        i.text
            .contains("id = \"default_vpc.default\"\ncidrs = [\"172.31.0.0/16\"]"),
        "{}",
        i.text
    );
    assert!(i.text.contains(
        "id = \"subnet.extra\"\nvpc = \"default_vpc.default\"\ncidr = \"172.31.96.0/20\""
    ));
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_default_vpc.default",
            "172.31.0.0/16, AWS's default, is assumed"
        ),
        "{}",
        notes(&i)
    );
}

/// A provider block inside a module: `provider "aws" { alias = "west",
/// region = var.region }` in module `dr`, whose call sets `region`. The
/// module's resources are of that provider's region (the key
/// `module.dr:aws.west`, the variable followed through the module call):
/// left out of the default region's import, imported with `--region`.
#[test]
fn a_provider_block_inside_a_module_places_its_resources_in_its_region() {
    let plan = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.0",
  "variables": {"home": {"value": "us-east-1"}},
  "planned_values": {"root_module": {}},
  "resource_changes": [
    {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cidr_block": "10.1.0.0/16"}, "after_unknown": {"id": true}}},
    {"address": "module.dr.aws_vpc.this", "module_address": "module.dr", "mode": "managed",
     "type": "aws_vpc", "name": "this", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cidr_block": "10.2.0.0/16"}, "after_unknown": {"id": true}}}
  ],
  "configuration": {
    "provider_config": {
      "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
        "expressions": {"region": {"references": ["var.home"]}}},
      "module.dr:aws.west": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
        "alias": "west", "module_address": "module.dr",
        "expressions": {"region": {"references": ["var.region"]}}}
    },
    "root_module": {
      "resources": [
        {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
         "provider_config_key": "aws",
         "expressions": {"cidr_block": {"constant_value": "10.1.0.0/16"}}}
      ],
      "module_calls": {"dr": {"source": "./dr",
        "expressions": {"region": {"constant_value": "us-west-2"}},
        "module": {
          "resources": [
            {"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this",
             "provider_config_key": "module.dr:aws.west",
             "expressions": {"cidr_block": {"constant_value": "10.2.0.0/16"}}}
          ],
          "variables": {"region": {}}
        }}}
    }
  }
}"#;
    let path = std::env::temp_dir().join(format!(
        "vpcsim-module-provider-{}.plan.json",
        std::process::id()
    ));
    std::fs::write(&path, plan).expect("write");
    let home = import(&path, None);
    let west = import(&path, Some("us-west-2"));
    let _ = std::fs::remove_file(&path);
    assert_eq!(home.region, "us-east-1");
    load(&home);
    assert!(home.text.contains("id = \"vpc.main\""), "{}", home.text);
    assert!(!home.text.contains("id = \"dr.vpc.this\""), "{}", home.text);
    assert!(
        has_note(
            &home,
            NoteKind::Skipped,
            "module.dr.aws_vpc.this",
            "in region us-west-2"
        ),
        "{}",
        notes(&home)
    );
    assert_eq!(west.region, "us-west-2");
    load(&west);
    assert!(
        west.text
            .contains("id = \"dr.vpc.this\"\ncidrs = [\"10.2.0.0/16\"]"),
        "{}",
        west.text
    );
    assert!(!west.text.contains("id = \"vpc.main\""), "{}", west.text);
}

/// `for_each` instances inside a module, matched by key across resources:
/// `nat_gateway_id = aws_nat_gateway.this[each.key].id` lists only
/// `aws_nat_gateway.this` and `each.key` among its references, so the
/// import matches the instance of the same key; the private route table of
/// key "b" routes to the NAT gateway of key "b" (a heuristic, noted).
#[test]
fn for_each_instances_inside_a_module_match_by_key() {
    let rc = |ty: &str, name: &str, key: &str, after: &str, unknown: &str| {
        format!(
            r#"{{"address": "module.net.{ty}.{name}[\"{key}\"]", "module_address": "module.net", "mode": "managed",
              "type": "{ty}", "name": "{name}", "index": "{key}", "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": {{"actions": ["create"], "before": null, "after": {after}, "after_unknown": {unknown}}}}}"#
        )
    };
    let mut changes = vec![
        r#"{"address": "module.net.aws_vpc.this", "module_address": "module.net", "mode": "managed",
          "type": "aws_vpc", "name": "this", "provider_name": "registry.terraform.io/hashicorp/aws",
          "change": {"actions": ["create"], "before": null, "after": {"cidr_block": "10.8.0.0/16"},
          "after_unknown": {"id": true}}}"#
            .to_string(),
    ];
    for (key, n) in [("a", 1), ("b", 2)] {
        let az = format!("eu-west-1{key}");
        changes.push(rc(
            "aws_subnet",
            "private",
            key,
            &format!(r#"{{"cidr_block": "10.8.{n}.0/24", "availability_zone": "{az}"}}"#),
            r#"{"id": true, "vpc_id": true}"#,
        ));
        changes.push(rc(
            "aws_subnet",
            "public",
            key,
            &format!(r#"{{"cidr_block": "10.8.10{n}.0/24", "availability_zone": "{az}"}}"#),
            r#"{"id": true, "vpc_id": true}"#,
        ));
        changes.push(rc(
            "aws_nat_gateway",
            "this",
            key,
            r#"{"connectivity_type": "private"}"#,
            r#"{"id": true, "subnet_id": true, "private_ip": true}"#,
        ));
        changes.push(rc(
            "aws_route_table",
            "private",
            key,
            "{}",
            r#"{"id": true, "vpc_id": true}"#,
        ));
        changes.push(rc(
            "aws_route",
            "nat",
            key,
            r#"{"destination_cidr_block": "0.0.0.0/0"}"#,
            r#"{"id": true, "route_table_id": true, "nat_gateway_id": true}"#,
        ));
        changes.push(rc(
            "aws_route_table_association",
            "private",
            key,
            "{}",
            r#"{"id": true, "route_table_id": true, "subnet_id": true}"#,
        ));
    }
    let res = |ty: &str, name: &str, for_each: &str, exprs: &str| {
        format!(
            r#"{{"address": "{ty}.{name}", "mode": "managed", "type": "{ty}", "name": "{name}",
              "provider_config_key": "aws", "for_each_expression": {for_each}, "expressions": {exprs}}}"#
        )
    };
    let vpc_ref = r#"{"references": ["aws_vpc.this.id", "aws_vpc.this"]}"#;
    let resources = [
        r#"{"address": "aws_vpc.this", "mode": "managed", "type": "aws_vpc", "name": "this",
              "provider_config_key": "aws", "expressions": {"cidr_block": {"constant_value": "10.8.0.0/16"}}}"#
            .to_string(),
        res(
            "aws_subnet",
            "private",
            r#"{"references": ["var.zones"]}"#,
            &format!(r#"{{"vpc_id": {vpc_ref}}}"#),
        ),
        res(
            "aws_subnet",
            "public",
            r#"{"references": ["var.zones"]}"#,
            &format!(r#"{{"vpc_id": {vpc_ref}}}"#),
        ),
        res(
            "aws_nat_gateway",
            "this",
            r#"{"references": ["aws_subnet.public"]}"#,
            r#"{"subnet_id": {"references": ["each.value.id", "each.value"]},
                "connectivity_type": {"constant_value": "private"}}"#,
        ),
        res(
            "aws_route_table",
            "private",
            r#"{"references": ["aws_subnet.private"]}"#,
            &format!(r#"{{"vpc_id": {vpc_ref}}}"#),
        ),
        res(
            "aws_route",
            "nat",
            r#"{"references": ["aws_route_table.private"]}"#,
            r#"{"route_table_id": {"references": ["each.value.id", "each.value"]},
                "destination_cidr_block": {"constant_value": "0.0.0.0/0"},
                "nat_gateway_id": {"references": ["aws_nat_gateway.this", "each.key"]}}"#,
        ),
        res(
            "aws_route_table_association",
            "private",
            r#"{"references": ["aws_subnet.private"]}"#,
            r#"{"subnet_id": {"references": ["each.value.id", "each.value"]},
                "route_table_id": {"references": ["aws_route_table.private", "each.key"]}}"#,
        ),
    ];
    let plan = format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.9.0",
  "planned_values": {{"root_module": {{}}}},
  "resource_changes": [{}],
  "configuration": {{
    "provider_config": {{"aws": {{"name": "aws", "expressions": {{"region": {{"constant_value": "eu-west-1"}}}}}}}},
    "root_module": {{"module_calls": {{"net": {{"source": "./net",
      "expressions": {{"zones": {{"constant_value": {{"a": 1, "b": 2}}}}}},
      "module": {{"resources": [{}], "variables": {{"zones": {{}}}}}}}}}}}}
  }}
}}"#,
        changes.join(",\n"),
        resources.join(",\n")
    );
    let path = std::env::temp_dir().join(format!(
        "vpcsim-for-each-module-{}.plan.json",
        std::process::id()
    ));
    std::fs::write(&path, &plan).expect("write");
    let i = import(&path, None);
    let again = import(&path, None);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        i.text, again.text,
        "the same plan imports to the same bytes"
    );
    load(&i);
    for key in ["a", "b"] {
        assert!(
            i.text.contains(&format!(
                "id = \"net.route_table.private.{key}\"\nvpc = \"net.vpc.this\"\nroutes = [\n  {{ destination = \"0.0.0.0/0\", target = \"net.nat_gateway.this.{key}\" }},\n]"
            )),
            "{key}: {}",
            i.text
        );
        assert!(
            i.text.contains(&format!(
                "id = \"net.subnet.private.{key}\"\nvpc = \"net.vpc.this\"\ncidr = \"10.8.{}.0/24\"\naz = \"eu-west-1{key}\"\nroute_table = \"net.route_table.private.{key}\"",
                if key == "a" { 1 } else { 2 }
            )),
            "{key}: {}",
            i.text
        );
        assert!(
            has_note(
                &i,
                NoteKind::Approximated,
                &format!("module.net.aws_route.nat[\"{key}\"]"),
                &format!(
                    "matched to module.net.aws_nat_gateway.this[\"{key}\"] by the same index or key"
                )
            ),
            "{}",
            notes(&i)
        );
    }
}

/// A list attribute written as a list of separate references,
/// `subnet_ids = [aws_subnet.private[2].id, aws_subnet.private[0].id]`:
/// the plan's `configuration` lists each element as written and then its
/// shorter forms, and each element is its own instance, in the order of the
/// expression. The hand-built `indexed-lists.plan.json` (every id unknown)
/// holds such lists in an interface endpoint, a network ACL, instances and
/// a Lambda function's `vpc_config`.
#[test]
fn a_list_of_indexed_references_names_each_instance_in_order() {
    let i = import(&fixture("indexed-lists.plan.json"), None);
    let d = load(&i);
    let block = |id: &str| -> String {
        let at = i
            .text
            .find(&format!("id = \"{id}\"\n"))
            .unwrap_or_else(|| panic!("{id} not in\n{}", i.text));
        let rest = &i.text[at..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    let want = [
        (
            "vpc_endpoint.ecr",
            "subnets = [\"subnet.private.2\", \"subnet.private.0\"]",
        ),
        (
            "vpc_endpoint.ecr",
            "security_groups = [\"security_group.b\", \"security_group.a\"]",
        ),
        // An instance's and a function's groups are sets, written sorted;
        // each element is there.
        (
            "instance.app",
            "security_groups = [\"security_group.a\", \"security_group.c\"]",
        ),
        (
            "lambda_function.fn",
            "subnets = [\"subnet.private.1\", \"subnet.private.2\"]",
        ),
        (
            "lambda_function.fn",
            "security_groups = [\"security_group.b\", \"security_group.c\"]",
        ),
        // `[aws_security_group.b.id, aws_security_group.worker[count.index].id]`:
        // the fixed group and the worker group of the same index.
        (
            "instance.worker.1",
            "security_groups = [\"security_group.b\", \"security_group.worker.1\"]",
        ),
        ("subnet.private.0", "network_acl = \"network_acl.private\""),
        ("subnet.private.1", "network_acl = \"network_acl.private\""),
    ];
    for (id, line) in want {
        let b = block(id);
        assert!(b.contains(line), "{id}: no `{line}` in\n{b}");
    }
    assert!(
        !block("subnet.private.2").contains("network_acl"),
        "{}",
        block("subnet.private.2")
    );
    // Exact indexes need no note; the one instance matched by its index
    // alone is a heuristic, noted.
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_instance.worker[1]",
            "refers to aws_security_group.worker without naming an instance; matched to aws_security_group.worker[1] by the same index or key (a heuristic)"
        ),
        "{}",
        notes(&i)
    );
    let others: Vec<String> = i
        .notes
        .iter()
        .filter(|n| !n.id.starts_with("aws_instance.worker"))
        .filter(|n| n.kind == NoteKind::Unknown || n.text.contains("heuristic"))
        .map(|n| n.to_string())
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    // The network ACL guards the second subnet too: port 22 into the
    // instance there is stopped by its inbound rules, before the groups.
    let e = explain_tcp(&d, "instance.edge", "instance.app", 22);
    assert_eq!(
        (e.reason, e.drop_at.as_deref()),
        (Some("nacl_ingress_denied"), Some("network_acl.private")),
        "{}",
        explain::render(&e)
    );
    let e = explain_tcp(&d, "instance.edge", "instance.app", 443);
    assert_eq!(
        e.verdict,
        explain::Verdict::Delivered,
        "{}",
        explain::render(&e)
    );
    assert_eq!(
        i.text,
        import(&fixture("indexed-lists.plan.json"), None).text,
        "same bytes"
    );
}

/// An element naming an instance the plan does not have (a plan cut down
/// by hand: Terraform refuses `aws_subnet.a[3]` of a count of 2) is left
/// out with a note, and the other elements are kept.
#[test]
fn an_indexed_reference_to_a_missing_instance_is_noted() {
    let text = std::fs::read_to_string(fixture("indexed-lists.plan.json")).expect("fixture");
    let text = text.replacen(
        "\"aws_subnet.private[0].id\",\n        \"aws_subnet.private[0]\"",
        "\"aws_subnet.private[5].id\",\n        \"aws_subnet.private[5]\"",
        1,
    );
    assert!(
        text.contains("aws_subnet.private[5]"),
        "the fixture changed"
    );
    let i = vpcsim::import::terraform::import_text("cut.json", &text, None)
        .unwrap_or_else(|e| panic!("{e}"));
    load(&i);
    assert!(
        has_note(
            &i,
            NoteKind::Unknown,
            "aws_vpc_endpoint.ecr",
            "`subnet_ids` refers to aws_subnet.private[5], an instance the plan does not have; left out"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        i.text.contains("subnets = [\"subnet.private.2\"]"),
        "{}",
        i.text
    );
}

/// BW-1: `aws_instance.instance_type` sets the interface's bandwidth when
/// vpcsim's table holds it; another type is noted and left out.
#[test]
fn bw_1_instance_type_of_the_plan_sets_the_bandwidth() {
    let i = import(&fixture("vpc-module.plan.json"), None);
    let d = load(&i);
    let t3 = vpcsim::model::instance_type::lookup("t3.micro").expect("t3.micro");
    assert!(!d.instances.is_empty());
    for inst in &d.instances {
        assert_eq!(
            d.enis[inst.eni.0 as usize].bandwidth,
            Some(t3),
            "{}",
            inst.name
        );
    }
    assert!(!notes(&i).contains("instance type"), "{}", notes(&i));

    let text = std::fs::read_to_string(fixture("vpc-module.plan.json"))
        .unwrap()
        .replace("\"t3.micro\"", "\"t2.micro\"");
    let i = vpcsim::import::terraform::import_text("plan.json", &text, None).expect("import");
    let d = load(&i);
    assert!(!i.text.contains("instance_type"), "{}", i.text);
    for inst in &d.instances {
        assert_eq!(d.enis[inst.eni.0 as usize].bandwidth, None, "{}", inst.name);
    }
    let note = i
        .notes
        .iter()
        .find(|n| n.id == "t2.micro" && n.kind == NoteKind::Approximated)
        .unwrap_or_else(|| panic!("no note for t2.micro:\n{}", notes(&i)));
    assert_eq!(
        note.text.matches("aws_instance.").count(),
        d.instances.len(),
        "{}",
        note.text
    );
}

/// A small plan: a VPC, two subnets, an internet gateway, a route table
/// whose default route's `gateway_id` is unknown until apply and written in
/// no expression the plan shows, a security group with one inbound rule, and
/// a customer gateway. `edit` changes its text before the import.
/// [`small_plan`] with more resources: `changes`, resource changes, and
/// `config`, their configuration, each a comma-separated list of JSON
/// objects, after the plan's own; `edit` as for [`small_plan`].
fn small_plan_with(
    changes: &str,
    config: &str,
    edit: &[(&str, &str)],
) -> Result<Imported, vpcsim::import::ImportError> {
    let changes = format!("\"after_unknown\": {{\"id\": true}}}}}},\n    {changes}\n  ],");
    let config = format!("\"expressions\": {{}}}},\n      {config}\n    ]}}");
    let mut edits = edit.to_vec();
    edits.push(("\"after_unknown\": {\"id\": true}}}\n  ],", &changes));
    edits.push(("\"expressions\": {}}\n    ]}", &config));
    small_plan(&edits)
}

fn small_plan(edit: &[(&str, &str)]) -> Result<Imported, vpcsim::import::ImportError> {
    let mut plan = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.0",
  "planned_values": {"root_module": {}},
  "resource_changes": [
    {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cidr_block": "10.0.0.0/16"}, "after_unknown": {"id": true}}},
    {"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cidr_block": "10.0.1.0/24", "availability_zone": "us-east-1a"},
       "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_subnet.b", "mode": "managed", "type": "aws_subnet", "name": "b",
     "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"cidr_block": "10.0.2.0/24", "availability_zone": "us-east-1b"},
       "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_internet_gateway.gw", "mode": "managed", "type": "aws_internet_gateway",
     "name": "gw", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {}, "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_route_table.public", "mode": "managed", "type": "aws_route_table",
     "name": "public", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"route": [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": "", "instance_id": ""}]},
       "after_unknown": {"id": true, "vpc_id": true, "route": [{"gateway_id": true}]}}},
    {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group",
     "name": "web", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443,
                              "cidr_blocks": ["0.0.0.0/0"], "self": false}]},
       "after_unknown": {"id": true, "vpc_id": true}}},
    {"address": "aws_customer_gateway.office", "mode": "managed", "type": "aws_customer_gateway",
     "name": "office", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"bgp_asn": 65000, "ip_address": "203.0.113.10", "type": "ipsec.1"},
       "after_unknown": {"id": true}}}
  ],
  "configuration": {
    "provider_config": {"aws": {"name": "aws",
      "expressions": {"region": {"constant_value": "us-east-1"}}}},
    "root_module": {"resources": [
      {"address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main",
       "provider_config_key": "aws", "expressions": {}},
      {"address": "aws_subnet.a", "mode": "managed", "type": "aws_subnet", "name": "a",
       "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}},
      {"address": "aws_subnet.b", "mode": "managed", "type": "aws_subnet", "name": "b",
       "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}},
      {"address": "aws_internet_gateway.gw", "mode": "managed", "type": "aws_internet_gateway",
       "name": "gw", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}},
      {"address": "aws_route_table.public", "mode": "managed", "type": "aws_route_table",
       "name": "public", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}},
      {"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group",
       "name": "web", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]}}},
      {"address": "aws_customer_gateway.office", "mode": "managed",
       "type": "aws_customer_gateway", "name": "office", "provider_config_key": "aws",
       "expressions": {}}
    ]}
  }
}"#
    .to_string();
    for (from, to) in edit {
        assert!(plan.contains(from), "{from}");
        plan = plan.replacen(from, to, 1);
    }
    vpcsim::import::terraform::import_text("plan.json", &plan, None)
}

/// AWS gives an interface endpoint one subnet per Availability Zone
/// (IFE-1): a plan that names two in one zone is mended, keeping the first
/// by id and noting the other, so that the file validates.
#[test]
fn ife_1_a_second_interface_endpoint_subnet_in_one_zone_is_left_out() {
    let change = r#"{"address": "aws_vpc_endpoint.sqs", "mode": "managed", "type": "aws_vpc_endpoint",
     "name": "sqs", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {"actions": ["create"], "before": null,
       "after": {"service_name": "com.amazonaws.us-east-1.sqs", "vpc_endpoint_type": "Interface",
                 "private_dns_enabled": true},
       "after_unknown": {"id": true, "vpc_id": true, "subnet_ids": true,
                         "security_group_ids": true}}}"#;
    let config = r#"{"address": "aws_vpc_endpoint.sqs", "mode": "managed", "type": "aws_vpc_endpoint",
       "name": "sqs", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]},
         "subnet_ids": {"references": ["aws_subnet.b.id", "aws_subnet.b",
                                       "aws_subnet.a.id", "aws_subnet.a"]},
         "security_group_ids": {"references": ["aws_security_group.web.id",
                                               "aws_security_group.web"]}}}"#;
    let i = small_plan_with(
        change,
        config,
        &[(
            r#""availability_zone": "us-east-1b""#,
            r#""availability_zone": "us-east-1a""#,
        )],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let d = load(&i);
    assert!(
        has_note(
            &i,
            NoteKind::Unsupported,
            "aws_vpc_endpoint.sqs",
            "is in us-east-1a too, and an interface endpoint takes one subnet per Availability Zone (IFE-1)"
        ),
        "{}",
        notes(&i)
    );
    let Some(vpcsim::model::Component::Endpoint(e)) = d.lookup("vpc_endpoint.sqs") else {
        panic!("the endpoint is imported:\n{}", i.text);
    };
    let vpcsim::model::EndpointKind::Interface { enis, .. } = &d.endpoints[e.idx()].kind else {
        panic!("an interface endpoint");
    };
    assert_eq!(enis.len(), 1, "{}", i.text);
}

const RULE: &str = r#""from_port": 443, "to_port": 443"#;

#[test]
fn sg_1_a_port_range_aws_refuses_is_an_error_naming_the_rule_not_every_port() {
    for (ports, attr, says) in [
        (
            r#""from_port": 443, "to_port": 70000"#,
            "ingress[0].to_port",
            "`70000` is not a port",
        ),
        (
            r#""from_port": 500, "to_port": 20"#,
            "ingress[0].from_port",
            "`500` is above `to_port` 20",
        ),
        (
            r#""from_port": -5, "to_port": 20"#,
            "ingress[0].from_port",
            "`-5` is not a port",
        ),
        (
            r#""from_port": "http", "to_port": 20"#,
            "ingress[0].from_port",
            "is a string, where a port",
        ),
    ] {
        let e = small_plan(&[(RULE, ports)]).expect_err(ports).to_string();
        assert!(
            e.starts_with(&format!(
                "plan.json: aws_security_group.web (attribute `{attr}`): "
            )) && e.contains(says),
            "{ports}: {e}"
        );
    }
    // ICMP's from_port is a type and to_port a code: 8 to -1 is no range.
    let i = small_plan(&[(
        r#""protocol": "tcp", "from_port": 443, "to_port": 443"#,
        r#""protocol": "icmp", "from_port": 8, "to_port": -1"#,
    )])
    .expect("imports");
    assert!(
        i.text
            .contains(r#"{ protocol = "icmp", icmp_type = 8, cidr = "0.0.0.0/0" }"#),
        "{}",
        i.text
    );
}

#[test]
fn sg_1_udp_from_port_0_to_0_is_port_0_as_import_aws_writes_it() {
    let i = small_plan(&[(
        r#""protocol": "tcp", "from_port": 443, "to_port": 443"#,
        r#""protocol": "udp", "from_port": 0, "to_port": 0"#,
    )])
    .expect("imports");
    load(&i);
    assert!(
        i.text
            .contains(r#"{ protocol = "udp", ports = "0", cidr = "0.0.0.0/0" }"#),
        "{}",
        i.text
    );
    // Only protocol -1 is every port.
    let i = small_plan(&[(
        r#""protocol": "tcp", "from_port": 443, "to_port": 443"#,
        r#""protocol": "-1", "from_port": 0, "to_port": 0"#,
    )])
    .expect("imports");
    assert!(
        i.text
            .contains(r#"{ protocol = "all", cidr = "0.0.0.0/0" }"#),
        "{}",
        i.text
    );
}

#[test]
fn a_protocol_that_is_none_is_named_in_words() {
    let i = small_plan(&[(r#""protocol": "tcp""#, r#""protocol": "bogus""#)]).expect("imports");
    let n = i
        .notes
        .iter()
        .find(|n| n.id == "aws_security_group.web")
        .unwrap_or_else(|| panic!("{}", notes(&i)));
    assert!(
        n.text.contains("`protocol` is `bogus`, not a protocol"),
        "{}",
        n.text
    );
    assert!(!n.text.contains("Some("), "{}", n.text);
}

#[test]
fn addr_2_subnets_outside_their_vpc_or_overlapping_are_left_out_so_the_plan_validates() {
    for (cidr, says) in [
        ("10.5.0.0/24", "outside every CIDR of vpc.main (ADDR-2)"),
        (
            "10.0.1.128/25",
            "overlaps 10.0.1.0/24, the CIDR of subnet subnet.a",
        ),
        ("10.0.2.0/29", "is a /29; a subnet is /16 to /28 (ADDR-2)"),
    ] {
        let i = small_plan(&[(r#""10.0.2.0/24""#, &format!("\"{cidr}\""))]).expect("imports");
        load(&i);
        assert!(
            has_note(&i, NoteKind::Unsupported, "aws_subnet.b", says),
            "{cidr}: {}",
            notes(&i)
        );
        assert!(!i.text.contains("id = \"subnet.b\""), "{}", i.text);
    }
}

#[test]
fn addr_1_a_vpc_block_outside_16_to_28_is_left_out_so_the_plan_validates() {
    let i = small_plan(&[(r#""10.0.0.0/16""#, r#""10.0.0.0/8""#)]).expect("imports");
    load(&i);
    assert!(
        has_note(
            &i,
            NoteKind::Unsupported,
            "aws_vpc.main",
            "10.0.0.0/8 left out: a VPC CIDR block is /16 to /28"
        ),
        "{}",
        notes(&i)
    );
    assert!(!i.text.contains("[[vpc]]"), "{}", i.text);
}

#[test]
fn a_known_value_of_the_wrong_type_is_an_error_not_unknown_until_apply() {
    let e = small_plan(&[(r#""10.0.2.0/24""#, "42")])
        .expect_err("a number")
        .to_string();
    assert_eq!(
        e,
        "plan.json: aws_subnet.b (attribute `cidr_block`): `42` is a number, where an IPv4 CIDR like \"10.0.0.0/16\" is expected"
    );
    // Unknown until apply is absent from the values: noted, not an error.
    let i = small_plan(&[(
        r#""after": {"cidr_block": "10.0.2.0/24", "availability_zone": "us-east-1b"},
       "after_unknown": {"id": true, "vpc_id": true}"#,
        r#""after": {"availability_zone": "us-east-1b"},
       "after_unknown": {"id": true, "vpc_id": true, "cidr_block": true}"#,
    )])
    .expect("imports");
    assert!(
        has_note(&i, NoteKind::Unknown, "aws_subnet.b", "unknown until apply"),
        "{}",
        notes(&i)
    );
}

#[test]
fn an_unknown_gateway_id_nothing_refers_to_is_the_vpcs_only_internet_gateway() {
    let i = small_plan(&[]).expect("imports");
    load(&i);
    assert!(
        i.text
            .contains(r#"{ destination = "0.0.0.0/0", target = "internet_gateway.gw" }"#),
        "{}",
        i.text
    );
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            "aws_route_table.public",
            "`gateway_id` is unknown until apply and the configuration refers to nothing for it; taken to be internet_gateway.gw, the only internet gateway of vpc.main (a heuristic)"
        ),
        "{}",
        notes(&i)
    );
    assert!(!notes(&i).contains("names nothing"), "{}", notes(&i));
    // Another target attribute has no such heuristic: a blackhole, and the
    // note says why.
    let i = small_plan(&[(
        r#""route": [{"gateway_id": true}]"#,
        r#""route": [{"nat_gateway_id": true}]"#,
    )])
    .expect("imports");
    load(&i);
    assert!(
        has_note(
            &i,
            NoteKind::Unknown,
            "aws_route_table.public",
            "route to 0.0.0.0/0: `nat_gateway_id` is unknown until apply and the configuration refers to nothing for it; kept as a blackhole"
        ),
        "{}",
        notes(&i)
    );
}

#[test]
fn a_customer_gateway_no_vpn_connection_uses_is_noted() {
    let i = small_plan(&[]).expect("imports");
    assert!(
        has_note(
            &i,
            NoteKind::Unsupported,
            "aws_customer_gateway.office",
            "no VPN connection of the plan uses"
        ),
        "{}",
        notes(&i)
    );
}

/// A state of the root module's resources, each `(address, values)`, its
/// type, name and key read from the address, imported.
fn state_of(resources: &[(&str, serde_json::Value)]) -> Imported {
    let rs: Vec<serde_json::Value> = resources
        .iter()
        .map(|(address, values)| {
            let (ty, rest) = address.split_once('.').expect("type.name");
            let (name, index) = match rest.split_once('[') {
                Some((n, k)) => {
                    let k = k.trim_end_matches(']');
                    let key: serde_json::Value = serde_json::from_str(k).expect("key");
                    (n, Some(key))
                }
                None => (rest, None),
            };
            let mut r = serde_json::json!({
                "address": address, "mode": "managed", "type": ty, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "schema_version": 1, "values": values,
            });
            if let Some(k) = index {
                r["index"] = k;
            }
            r
        })
        .collect();
    let doc = serde_json::json!({
        "format_version": "1.0", "terraform_version": "1.6.0",
        "values": { "root_module": { "resources": rs } }
    });
    vpcsim::import::terraform::import_text("state.json", &doc.to_string(), None)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn vpc_and_subnet() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        (
            "aws_vpc.main",
            serde_json::json!({ "id": "vpc-1", "cidr_block": "10.0.0.0/16" }),
        ),
        (
            "aws_subnet.pub",
            serde_json::json!({ "id": "subnet-1", "vpc_id": "vpc-1",
                "cidr_block": "10.0.0.0/24", "availability_zone": "us-east-1a" }),
        ),
        (
            "aws_internet_gateway.gw",
            serde_json::json!({ "id": "igw-1", "vpc_id": "vpc-1" }),
        ),
    ]
}

#[test]
fn for_each_keys_that_make_the_same_id_are_told_apart_not_dropped() {
    let subnet = |id: &str, n: u8| {
        serde_json::json!({ "id": id, "vpc_id": "vpc-1",
            "cidr_block": format!("10.0.{n}.0/24"), "availability_zone": "us-east-1a" })
    };
    let i = state_of(&[
        (
            "aws_vpc.main",
            serde_json::json!({ "id": "vpc-1", "cidr_block": "10.0.0.0/16" }),
        ),
        (r#"aws_subnet.s["a b"]"#, subnet("subnet-0", 0)),
        (r#"aws_subnet.s["a_b"]"#, subnet("subnet-1", 1)),
        (r#"aws_subnet.s["a.b"]"#, subnet("subnet-2", 2)),
        (r#"aws_subnet.s["a/b"]"#, subnet("subnet-3", 3)),
        (r#"aws_subnet.s_a["b"]"#, subnet("subnet-9", 9)),
    ]);
    let d = load(&i);
    assert_eq!(d.subnets.len(), 5, "{}", i.text);
    // The key that needed no mending keeps its id; the others, by address,
    // get the first free suffix.
    for (id, cidr) in [
        ("subnet.s.a_b", "10.0.1.0/24"),
        ("subnet.s.a_b-2", "10.0.0.0/24"),
        ("subnet.s.a_b-3", "10.0.3.0/24"),
        ("subnet.s.a.b", "10.0.2.0/24"),
        ("subnet.s_a.b", "10.0.9.0/24"),
    ] {
        assert!(
            i.text.contains(&format!(
                "id = \"{id}\"\nvpc = \"vpc.main\"\ncidr = \"{cidr}\""
            )),
            "{id}: {}",
            i.text
        );
    }
    assert!(
        has_note(
            &i,
            NoteKind::Approximated,
            r#"aws_subnet.s["a b"]"#,
            r#"that of aws_subnet.s["a_b"] too"#
        ) && has_note(
            &i,
            NoteKind::Approximated,
            r#"aws_subnet.s["a/b"]"#,
            "written as `subnet.s.a_b-3`"
        ),
        "{}",
        notes(&i)
    );
}

#[test]
fn an_elastic_ip_a_nat_gateway_holds_is_not_noted_as_unused() {
    let mut rs = vpc_and_subnet();
    rs.push((
        "aws_eip.nat",
        serde_json::json!({ "id": "eipalloc-1", "public_ip": "3.3.3.3", "domain": "vpc" }),
    ));
    rs.push((
        "aws_nat_gateway.a",
        serde_json::json!({ "id": "nat-1", "subnet_id": "subnet-1", "allocation_id": "eipalloc-1",
            "connectivity_type": "public", "private_ip": "10.0.0.9", "public_ip": "3.3.3.3" }),
    ));
    let i = state_of(&rs);
    load(&i);
    assert!(i.text.contains("public_ip = \"3.3.3.3\""), "{}", i.text);
    assert!(
        !i.notes.iter().any(|n| n.id == "aws_eip.nat"),
        "{}",
        notes(&i)
    );
}

/// In a state every value is known: a NAT gateway whose `allocation_id`
/// and `public_ip` are null has no Elastic IP (one whose creation failed),
/// and is never given another gateway's.
#[test]
fn addr_5_a_nat_gateway_of_a_state_without_an_elastic_ip_is_left_out_not_given_anothers() {
    let mut rs = vpc_and_subnet();
    rs.push((
        "aws_eip.nat",
        serde_json::json!({ "id": "eipalloc-1", "public_ip": "3.3.3.3", "domain": "vpc" }),
    ));
    rs.push((
        "aws_nat_gateway.a",
        serde_json::json!({ "id": "nat-1", "subnet_id": "subnet-1", "allocation_id": "eipalloc-1",
            "connectivity_type": "public", "private_ip": "10.0.0.9", "public_ip": "3.3.3.3" }),
    ));
    rs.push((
        "aws_nat_gateway.b",
        serde_json::json!({ "id": "nat-2", "subnet_id": "subnet-1", "allocation_id": null,
            "connectivity_type": "public", "private_ip": null, "public_ip": null }),
    ));
    let i = state_of(&rs);
    let d = load(&i);
    assert!(d.lookup("nat_gateway.a").is_some());
    assert!(d.lookup("nat_gateway.b").is_none(), "{}", i.text);
    assert!(
        has_note(
            &i,
            NoteKind::Skipped,
            "aws_nat_gateway.b",
            "whose state gives no Elastic IP"
        ),
        "{}",
        notes(&i)
    );
    assert!(
        !i.notes.iter().any(|n| n.kind == NoteKind::Approximated),
        "no heuristic in a state: {}",
        notes(&i)
    );
}

/// A public IP handed out for one the values leave empty is never an
/// address the values give to another resource.
#[test]
fn a_public_ip_handed_out_is_none_the_values_give() {
    let mut rs = vpc_and_subnet();
    rs.push((
        "aws_instance.a",
        serde_json::json!({ "id": "i-1", "subnet_id": "subnet-1", "private_ip": "10.0.0.10",
            "public_ip": "198.51.100.1", "instance_type": "m5.large" }),
    ));
    rs.push((
        "aws_instance.b",
        serde_json::json!({ "id": "i-2", "subnet_id": "subnet-1", "private_ip": "10.0.0.11",
            "associate_public_ip_address": true, "public_ip": null,
            "instance_type": "m5.large" }),
    ));
    let i = state_of(&rs);
    load(&i);
    assert!(
        i.text.contains(
            "id = \"instance.b\"\nsubnet = \"subnet.pub\"\nprivate_ip = \"10.0.0.11\"\npublic_ip = \"198.51.100.2\""
        ),
        "{}",
        i.text
    );
}

/// A route kept as a blackhole names what it names: the id of the
/// resource left out, else the AWS id the state gives.
#[test]
fn a_blackhole_route_names_its_target_not_the_route() {
    let mut rs = vpc_and_subnet();
    rs.push((
        "aws_vpc_peering_connection.x",
        serde_json::json!({ "id": "pcx-999", "vpc_id": "vpc-1", "peer_vpc_id": "vpc-other",
            "peer_owner_id": "999999999999", "accept_status": "active" }),
    ));
    rs.push((
        "aws_route_table.pub",
        serde_json::json!({ "id": "rtb-1", "vpc_id": "vpc-1", "route": [
            { "cidr_block": "172.16.0.0/12", "vpc_peering_connection_id": "pcx-999",
              "gateway_id": "", "nat_gateway_id": "" }
        ] }),
    ));
    rs.push((
        "aws_route.gone",
        serde_json::json!({ "id": "r-1", "route_table_id": "rtb-1",
            "destination_cidr_block": "192.168.0.0/16", "nat_gateway_id": "nat-gone" }),
    ));
    let i = state_of(&rs);
    load(&i);
    assert!(
        i.text.contains(
            "{ destination = \"172.16.0.0/12\", target = \"vpc_peering_connection.x\", state = \"blackhole\" }"
        ) && i.text.contains(
            "{ destination = \"192.168.0.0/16\", target = \"nat-gone\", state = \"blackhole\" }"
        ),
        "{}",
        i.text
    );
    assert!(!i.text.contains("unresolved:"), "{}", i.text);
}

/// IFE-7: `dns_options.private_dns_only_for_inbound_resolver_endpoint =
/// false` on an S3 interface endpoint with private DNS, in a VPC with the
/// S3 gateway endpoint, is imported: in-VPC names then resolve to the
/// interface endpoint. Left out (AWS's default, on), they go to the
/// gateway endpoint.
#[test]
fn ife_7_private_dns_only_for_inbound_resolver_endpoint_is_imported() {
    let private_dns_in_vpc = |dns_options: &str| {
        let changes = format!(
            r#"{{"address": "aws_vpc_endpoint.s3", "mode": "managed", "type": "aws_vpc_endpoint",
     "name": "s3", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {{"actions": ["create"], "before": null,
       "after": {{"service_name": "com.amazonaws.us-east-1.s3", "vpc_endpoint_type": "Gateway"}},
       "after_unknown": {{"id": true, "vpc_id": true, "route_table_ids": true}}}}}},
    {{"address": "aws_vpc_endpoint.s3i", "mode": "managed", "type": "aws_vpc_endpoint",
     "name": "s3i", "provider_name": "registry.terraform.io/hashicorp/aws",
     "change": {{"actions": ["create"], "before": null,
       "after": {{"service_name": "com.amazonaws.us-east-1.s3", "vpc_endpoint_type": "Interface",
                 "private_dns_enabled": true{dns_options}}},
       "after_unknown": {{"id": true, "vpc_id": true, "subnet_ids": true,
                         "security_group_ids": true}}}}}}"#
        );
        let config = r#"{"address": "aws_vpc_endpoint.s3", "mode": "managed", "type": "aws_vpc_endpoint",
       "name": "s3", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]},
         "route_table_ids": {"references": ["aws_route_table.public.id", "aws_route_table.public"]}}},
      {"address": "aws_vpc_endpoint.s3i", "mode": "managed", "type": "aws_vpc_endpoint",
       "name": "s3i", "provider_config_key": "aws",
       "expressions": {"vpc_id": {"references": ["aws_vpc.main.id", "aws_vpc.main"]},
         "subnet_ids": {"references": ["aws_subnet.a.id", "aws_subnet.a"]},
         "security_group_ids": {"references": ["aws_security_group.web.id",
                                               "aws_security_group.web"]}}}"#;
        let i = small_plan_with(&changes, config, &[]).unwrap_or_else(|e| panic!("{e}"));
        let d = load(&i);
        assert!(d.lookup("vpc_endpoint.s3").is_some(), "{}", i.text);
        let Some(vpcsim::model::Component::Endpoint(e)) = d.lookup("vpc_endpoint.s3i") else {
            panic!("the endpoint is imported:\n{}", i.text);
        };
        let vpcsim::model::EndpointKind::Interface { private_dns, .. } = &d.endpoints[e.idx()].kind
        else {
            panic!("an interface endpoint");
        };
        *private_dns
    };
    let option = |v: bool| {
        format!(
            r#", "dns_options": [{{"dns_record_ip_type": "ipv4", "private_dns_only_for_inbound_resolver_endpoint": {v}}}]"#
        )
    };
    assert!(private_dns_in_vpc(&option(false)));
    assert!(!private_dns_in_vpc(&option(true)));
    assert!(!private_dns_in_vpc(""));
}
