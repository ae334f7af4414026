//! `vpcsim import aws`: the real snapshots and the fixtures of
//! `tests/import/` import, validate with vpcsim's own loader, import the same
//! way twice, list what they leave out, and behave under `explain` as the AWS
//! network they describe.
//!
//! The snapshots live outside the repository, in `../../shared/aws-snapshots`
//! (from this crate's folder); without them the snapshot tests print a note
//! and pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use vpcsim::explain::{self, Query};
use vpcsim::import::{AwsOptions, ImportError, Imported, NoteKind, import_aws, import_aws_with};
use vpcsim::model::{Design, load_str};

#[path = "parts/import_mutations.rs"]
mod import_mutations;

const SNAPSHOTS: [&str; 9] = [
    "test-direct-connect-gateway",
    "test-nat-gateway",
    "test-public-private-subnet",
    "test-public-subnet",
    "test-subnet",
    "test-vpc-endpoint-gateway",
    "test-vpc-endpoint-interface",
    "test-vpc-peering",
    "test-vpn-gateway",
];

const FIXTURES: [&str; 10] = [
    "bgp-vpn",
    "inter-region-peering",
    "lambda-nat",
    "middlebox",
    "multi-account",
    "private-nat",
    "transit-gateway",
    "tgw-peering",
    "tgw-peering-accounts",
    "tgw-vpn",
];

fn snapshots() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-snapshots");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} not found; the AWS snapshot tests are skipped",
            dir.display()
        );
        None
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name)
}

fn import(dir: &Path) -> Imported {
    import_aws(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

/// Loads imported text, failing with the loader's report.
fn load(name: &str, text: &str) -> Design {
    match load_str(name, text) {
        Ok(l) => l.design,
        Err(r) => panic!(
            "{name} does not validate:\n{}\n{text}",
            r.lines().collect::<Vec<_>>().join("\n")
        ),
    }
}

fn import_and_load(dir: &Path, extra: &str) -> (Imported, Design) {
    let imported = import(dir);
    let text = format!("{}{extra}", imported.text);
    let design = load(&dir.display().to_string(), &text);
    (imported, design)
}

/// Hosts outside the VPCs that the flows below talk to: the import writes
/// none (it is faithful to the describe output, which has none).
const WEB: &str = r#"
[[external_host]]
id = "web"
ip = "93.184.216.34"
listen = [ { protocol = "tcp", port = 443 } ]
"#;

struct Flow<'a> {
    from: &'a str,
    to: &'a str,
    protocol: &'a str,
    port: Option<u16>,
    /// `None`: delivered; else (reason, place).
    drop: Option<(&'a str, &'a str)>,
    /// Components the packet crosses, in this order (others may lie between).
    path: &'a [&'a str],
}

fn tcp<'a>(from: &'a str, to: &'a str, port: u16) -> Flow<'a> {
    Flow {
        from,
        to,
        protocol: "tcp",
        port: Some(port),
        drop: None,
        path: &[],
    }
}

impl<'a> Flow<'a> {
    fn via(mut self, path: &'a [&'a str]) -> Self {
        self.path = path;
        self
    }
    fn dropped(mut self, reason: &'a str, at: &'a str) -> Self {
        self.drop = Some((reason, at));
        self
    }
}

fn check(d: &Design, f: &Flow<'_>) {
    let q = Query {
        from: f.from.to_string(),
        to: f.to.to_string(),
        protocol: explain::protocol_number(f.protocol).expect("protocol"),
        port: f.port,
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    let e = explain::explain(d.clone(), &q)
        .unwrap_or_else(|err| panic!("{} -> {}: {err}", f.from, f.to));
    let shown = explain::render(&e);
    match f.drop {
        None => assert_eq!(e.verdict, explain::Verdict::Delivered, "{shown}"),
        Some((reason, at)) => {
            assert_eq!(e.verdict, explain::Verdict::Dropped, "{shown}");
            assert_eq!(e.reason, Some(reason), "{shown}");
            assert_eq!(e.drop_at.as_deref(), Some(at), "{shown}");
        }
    }
    let hops: Vec<&str> = e.hops.iter().map(|h| h.component.as_str()).collect();
    let mut rest = hops.iter();
    for want in f.path {
        assert!(
            rest.any(|h| h == want),
            "{} -> {}: expected the path to cross {:?} in order, got {hops:?}\n{shown}",
            f.from,
            f.to,
            f.path
        );
    }
}

fn notes_of(i: &Imported, kind: NoteKind) -> Vec<&str> {
    i.notes
        .iter()
        .filter(|n| n.kind == kind)
        .map(|n| n.id.as_str())
        .collect()
}

// -- every snapshot ------------------------------------------------------------

#[test]
fn every_snapshot_imports_and_validates() {
    let Some(root) = snapshots() else { return };
    // (VPCs, subnets, instances) as the snapshots' README describes them.
    let counts = [
        ("test-direct-connect-gateway", 2, 2, 1),
        ("test-nat-gateway", 1, 3, 3),
        ("test-public-private-subnet", 1, 2, 2),
        ("test-public-subnet", 1, 1, 1),
        ("test-subnet", 1, 1, 2),
        ("test-vpc-endpoint-gateway", 1, 2, 2),
        ("test-vpc-endpoint-interface", 1, 2, 2),
        ("test-vpc-peering", 3, 3, 3),
        ("test-vpn-gateway", 1, 1, 1),
    ];
    for (name, vpcs, subnets, instances) in counts {
        let dir = root.join(name);
        let imported = import(&dir);
        let loaded = load_str(name, &imported.text)
            .unwrap_or_else(|r| panic!("{name}:\n{}", r.lines().collect::<Vec<_>>().join("\n")));
        let d = &loaded.design;
        assert_eq!(d.name, name);
        assert_eq!(d.duration, vpcsim::units::Nanos::from_secs(60));
        assert_eq!(
            (d.vpcs.len(), d.subnets.len(), d.instances.len()),
            (vpcs, subnets, instances),
            "{name}"
        );
        assert!(d.traffic.is_empty() && d.expects.is_empty() && d.events.is_empty());
        let region = if name.starts_with("test-vpc-endpoint") || name.contains("direct-connect") {
            "us-east-1"
        } else {
            "us-east-2"
        };
        assert_eq!(d.region, region, "{name}");
        // Every note is in the comment block at the top, by id.
        let header: String = imported
            .text
            .lines()
            .take_while(|l| l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        for n in &imported.notes {
            assert!(header.contains(&n.id), "{name}: {n} missing from\n{header}");
        }
    }
    // Any snapshot added later is held to the same: import and validate.
    for entry in std::fs::read_dir(&root).expect("snapshot folder") {
        let dir = entry.expect("entry").path();
        if dir.is_dir() {
            let imported = import(&dir);
            load(&dir.display().to_string(), &imported.text);
        }
    }
}

#[test]
fn importing_twice_gives_the_same_bytes() {
    let mut dirs: Vec<PathBuf> = FIXTURES.iter().map(|f| fixture(f)).collect();
    if let Some(root) = snapshots() {
        dirs.extend(SNAPSHOTS.iter().map(|s| root.join(s)));
    }
    for dir in dirs {
        let a = import(&dir).text;
        let b = import(&dir).text;
        assert!(a == b, "{}: two imports differ", dir.display());
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for e in std::fs::read_dir(from).expect("read") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// BW-1: an instance's `InstanceType` sets its interface's bandwidth when
/// vpcsim's table holds it; another type is noted and the interface keeps
/// the default.
#[test]
fn bw_1_import_keeps_the_instance_types_the_table_knows() {
    let (imported, design) = import_and_load(&fixture("middlebox"), "");
    let t3 = vpcsim::model::instance_type::lookup("t3.micro").expect("t3.micro");
    assert!(!design.instances.is_empty());
    for i in &design.instances {
        assert_eq!(
            design.enis[i.eni.0 as usize].bandwidth,
            Some(t3),
            "{}",
            i.name
        );
    }
    assert!(
        imported.text.contains("instance_type = \"t3.micro\""),
        "{}",
        imported.text
    );
    assert!(
        !imported
            .notes
            .iter()
            .any(|n| n.text.contains("instance type")),
        "a known type is not noted"
    );

    // The same network with a type the table does not hold.
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-type-{}", std::process::id()));
    copy_dir(&fixture("middlebox"), &tmp);
    let f = tmp.join("describe-instances.json");
    let text = std::fs::read_to_string(&f).expect("read");
    std::fs::write(&f, text.replace("\"t3.micro\"", "\"t2.micro\"")).expect("write");
    let (imported, design) = import_and_load(&tmp, "");
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        !imported.text.contains("instance_type"),
        "{}",
        imported.text
    );
    // One note for the type, naming each of its instances.
    let note = imported
        .notes
        .iter()
        .find(|n| n.id == "t2.micro" && n.kind == NoteKind::Approximated)
        .expect("a note for t2.micro");
    for i in &design.instances {
        assert_eq!(design.enis[i.eni.0 as usize].bandwidth, None, "{}", i.name);
        assert!(note.text.contains(&i.name), "{}: {}", i.name, note.text);
    }
}

#[test]
fn the_text_does_not_depend_on_where_the_folder_is() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-{}", std::process::id()));
    for f in FIXTURES {
        let copy = tmp.join("elsewhere").join(f);
        copy_dir(&fixture(f), &copy);
        assert_eq!(import(&copy).text, import(&fixture(f)).text, "{f}");
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn what_each_snapshot_leaves_out() {
    let Some(root) = snapshots() else { return };
    use NoteKind::*;
    // Every note of each snapshot, by kind, no more.
    type Expected<'a> = &'a [(NoteKind, &'a [&'a str])];
    let expected: [(&str, Expected<'_>); 9] = [
        (
            "test-direct-connect-gateway",
            &[
                // Direct Connect gateway attachment: not modelled.
                (Unsupported, &["tgw-attach-dx01"]),
                // The VPN attachment's BGP connection: no prefixes in the
                // files (--onprem declares them).
                (Unknown, &["vpn-dx-test"]),
                // t2.micro is not in the bandwidth table (BW-1).
                (Approximated, &["t2.micro"]),
            ],
        ),
        ("test-nat-gateway", &[(Approximated, &["t2.micro"])]),
        (
            "test-public-private-subnet",
            &[(Approximated, &["t2.micro", "vpn-05044757278685fd3"])],
        ),
        ("test-public-subnet", &[(Approximated, &["t2.micro"])]),
        ("test-subnet", &[(Approximated, &["t2.micro"])]),
        (
            "test-vpc-endpoint-gateway",
            &[(Approximated, &["t2.micro"])],
        ),
        (
            "test-vpc-endpoint-interface",
            &[(Approximated, &["t2.micro"])],
        ),
        (
            "test-vpc-peering",
            &[
                (Unknown, &["igw-0a2c9ae201b441bff"]),
                (Approximated, &["t2.micro"]),
            ],
        ),
        (
            "test-vpn-gateway",
            &[
                // BGP, no prefixes in the files: no network, so nothing
                // is said of its tunnels.
                (Unknown, &["vpn-03701a53bba3c48b7"]),
                (Skipped, &["vpn-05044757278685fd3"]),
                (Approximated, &["t2.micro"]),
            ],
        ),
    ];
    for (name, want) in expected {
        let imported = import(&root.join(name));
        for kind in [Unsupported, Unknown, Skipped, Approximated] {
            let ids = notes_of(&imported, kind);
            let expect: Vec<&str> = want
                .iter()
                .filter(|(k, _)| *k == kind)
                .flat_map(|(_, ids)| ids.iter().copied())
                .collect();
            assert_eq!(ids, expect, "{name}: {kind:?} notes: {:#?}", imported.notes);
        }
    }
}

// -- snapshot flows ----------------------------------------------------------------

#[test]
fn nat_gateway_snapshot_flows() {
    let Some(root) = snapshots() else { return };
    let (_, d) = import_and_load(&root.join("test-nat-gateway"), WEB);
    let private = "i-0a128d26e59be60f3"; // 10.1.1.98, 0/0 -> NAT gateway
    let jump = "i-0b31b509174d7f5de"; // 10.1.250.116, public IP 18.216.129.140
    let isolated = "i-0a73a1a6021c03ddb"; // 10.1.20.173, local route only
    let (nat, igw) = ("nat-07ab4846da51f4612", "igw-071753b9c23d8a9b2");
    // To the internet from a private subnet: through the NAT gateway, then
    // the public subnet's table, then the internet gateway.
    check(
        &d,
        &tcp(private, "web", 443).via(&[
            private,
            "rtb-02fe228b42de92a7c",
            nat,
            "rtb-0ddf14681733ed0b7",
            igw,
            "web",
        ]),
    );
    // From the public subnet: straight to the internet gateway.
    check(
        &d,
        &tcp(jump, "web", 443).via(&[jump, "rtb-0ddf14681733ed0b7", igw, "web"]),
    );
    check(
        &d,
        &tcp(isolated, "web", 443).dropped("no_route", "rtb-0e169c4a1e0b27b55"),
    );
    // From the internet to a private address: the internet does not route
    // it (OPEN-1), and it never reaches the gateway.
    check(
        &d,
        &tcp("web", "10.1.1.98", 22).dropped("no_internet_route", "internet"),
    );
    // To the jump host's public IP: SSH is allowed, HTTP is not.
    check(&d, &tcp("web", jump, 22).via(&[igw, jump]));
    check(&d, &tcp("web", jump, 80).dropped("sg_ingress_denied", jump));
}

#[test]
fn gateway_endpoint_snapshot_flows() {
    let Some(root) = snapshots() else { return };
    // The S3 front door is not in describe output: the test adds one, inside
    // the snapshot's own S3 prefix list.
    let extra = format!(
        "{WEB}\n[[aws_service]]\nid = \"s3-front\"\nservice = \"s3\"\nips = [\"52.216.8.8\"]\n"
    );
    let (_, d) = import_and_load(&root.join("test-vpc-endpoint-gateway"), &extra);
    let private = "i-01c6c0647fdccc89e"; // 10.1.101.36, no internet route
    let public = "i-0464d440ca0ee9e34"; // 10.1.1.169, 0/0 -> IGW
    let vpce = "vpce-0b7357542bb7b83ec";
    check(
        &d,
        &tcp(private, "s3", 443).via(&[private, "rtb-04f71fc2caa8d94cf", vpce, "s3-front"]),
    );
    // The prefix-list route is more specific than 0/0: S3 still goes by the
    // endpoint from the public subnet.
    check(
        &d,
        &tcp(public, "s3", 443).via(&[public, "rtb-0efde4139784b75b0", vpce, "s3-front"]),
    );
    check(
        &d,
        &tcp(private, "web", 443).dropped("no_route", "rtb-04f71fc2caa8d94cf"),
    );
    check(
        &d,
        &tcp(public, "web", 443).via(&["igw-0c8afe4471084ccba", "web"]),
    );
}

#[test]
fn interface_endpoint_snapshot_flows() {
    let Some(root) = snapshots() else { return };
    let (_, d) = import_and_load(&root.join("test-vpc-endpoint-interface"), "");
    // Private DNS: the service name resolves to the endpoint in the VPC.
    check(
        &d,
        &tcp("i-0eb6eb395a0d09117", "cloudtrail", 443)
            .via(&["i-0eb6eb395a0d09117", "vpce-083c683a6be29b889"]),
    );
    // The endpoint's ENI keeps the address AWS gave it.
    check(
        &d,
        &tcp("i-0eb6eb395a0d09117", "10.1.101.97", 443)
            .via(&["i-0eb6eb395a0d09117", "vpce-083c683a6be29b889"]),
    );
}

#[test]
fn peering_snapshot_flows() {
    let Some(root) = snapshots() else { return };
    let (_, d) = import_and_load(&root.join("test-vpc-peering"), "");
    let a = "i-06ba034d88c84ef07"; // VPC A, 10.10.10.157
    let b = "i-0b14080af811fda3d"; // VPC B, 192.168.1.106
    let c = "i-04a292ff83b3aa833"; // VPC C, 192.168.2.229
    check(
        &d,
        &tcp(a, b, 22).via(&[a, "rtb-0891861fffaea6d52", "pcx-0b89b559e3319d6cf", b]),
    );
    check(
        &d,
        &tcp(a, c, 22).via(&[a, "rtb-0891861fffaea6d52", "pcx-0d5b836985ac8ca8c", c]),
    );
    // B's groups allow only SSH.
    check(&d, &tcp(a, b, 80).dropped("sg_ingress_denied", b));
    // B and C share 192.168.0.0/16 and are not peered: C's address is B's own.
    check(
        &d,
        &tcp(b, "192.168.2.229", 22).dropped("host_unreachable", "rtb-017c36290c9baf017"),
    );
}

#[test]
fn vpn_snapshot_flows() {
    let Some(root) = snapshots() else { return };
    let extra = "\n[[onprem_host]]\nid = \"office\"\nnetwork = \"vpn-05044757278685fd3\"\nip = \"19.168.1.1\"\nlisten = \"any\"\n";
    let (_, d) = import_and_load(&root.join("test-public-private-subnet"), extra);
    let private = "i-099cf38911942421c"; // 10.0.1.204, main table 0/0 -> VGW
    check(
        &d,
        &tcp(private, "office", 22).via(&[
            private,
            "rtb-002f0eabf583bf991",
            "vgw-070087240d6fa2989",
            "office",
        ]),
    );
    check(
        &d,
        &tcp("office", private, 80).dropped("sg_ingress_denied", private),
    );
}

#[test]
fn vpn_3_tunnels_reported_down_carry_traffic_by_default() {
    let Some(root) = snapshots() else { return };
    let (imported, d) = import_and_load(&root.join("test-public-private-subnet"), "");
    let vpn = "vpn-05044757278685fd3";
    assert!(imported.text.contains(
        "customer_gateway = \"1.1.1.1\"\nrouting = \"static\"\ntunnels = [\n  { outside_ip = \"3.13.210.90\", status = \"up\" },\n  { outside_ip = \"18.221.157.90\", status = \"up\" },\n]\n"
    ), "{}", imported.text);
    assert!(
        imported
            .text
            .contains("# tunnel 3.13.210.90 reported DOWN; imported up")
    );
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Approximated
                && n.id == vpn
                && n.text.contains("--tunnels-as-reported")),
        "{:#?}",
        imported.notes
    );
    let private = "i-099cf38911942421c";
    check(
        &d,
        &tcp(private, "19.168.0.5", 22).via(&[private, "vgw-070087240d6fa2989", vpn]),
    );
}

#[test]
fn vpn_4_tunnels_as_reported_static_vpn_drops_with_vpn_tunnel_down() {
    let Some(root) = snapshots() else { return };
    let dir = root.join("test-public-private-subnet");
    let options = AwsOptions {
        tunnels_as_reported: true,
        ..AwsOptions::default()
    };
    let imported = import_aws_with(&dir, &options).expect("imports");
    assert!(
        imported
            .text
            .contains("{ outside_ip = \"3.13.210.90\", status = \"down\" }")
    );
    let d = load("as-reported", &imported.text);
    let (private, vgw, vpn) = (
        "i-099cf38911942421c",
        "vgw-070087240d6fa2989",
        "vpn-05044757278685fd3",
    );
    // Static routes stay (the table still routes to the VPN gateway), the
    // tunnels carry nothing.
    check(
        &d,
        &tcp(private, "19.168.0.5", 22)
            .via(&[private, "rtb-002f0eabf583bf991", vgw])
            .dropped("vpn_tunnel_down", vgw),
    );
    check(
        &d,
        &tcp("19.168.0.5", private, 22).dropped("vpn_tunnel_down", vpn),
    );
    // explain names the tunnels' state.
    let q = Query {
        from: private.into(),
        to: "19.168.0.5".into(),
        protocol: 6,
        port: Some(22),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    let shown = explain::render(&explain::explain(d, &q).expect("explains"));
    assert!(
        shown.contains(
            "tunnel 3.13.210.90 down, tunnel 18.221.157.90 down; every tunnel is down (VPN-4)"
        ),
        "{shown}"
    );
}

/// A BGP VPN with every tunnel down: its routes are withdrawn from the route
/// table it propagates into and from the VPN gateway (VPN-4); one tunnel up
/// carries traffic (VPN-3).
#[test]
fn vpn_4_bgp_tunnels_down_withdraw_the_routes() {
    let design = |status: &str| {
        format!(
            r#"
[scenario]
name = "bgp"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "s"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt"

[[route_table]]
id = "rt"
vpc = "v"

[[vpn_gateway]]
id = "vgw"
vpc = "v"
propagate_to = ["rt"]

[[onprem_network]]
id = "office"
cidrs = ["172.20.0.0/16"]
via = "vgw"
customer_gateway = "198.51.100.20"
routing = "bgp"
tunnels = [
  {{ outside_ip = "3.13.210.90", status = "down" }},
  {{ outside_ip = "18.221.157.90", status = "{status}" }},
]

[[onprem_host]]
id = "pc"
network = "office"
ip = "172.20.0.9"
listen = "any"

[[instance]]
id = "app"
subnet = "s"
listen = "any"
"#
        )
    };
    let up = load("bgp-up", &design("up"));
    check(&up, &tcp("app", "pc", 22).via(&["app", "rt", "vgw", "pc"]));
    let down = load("bgp-down", &design("down"));
    // The propagated route is gone: the table has only the local route.
    check(&down, &tcp("app", "pc", 22).dropped("no_route", "rt"));
    check(&down, &tcp("pc", "app", 22).dropped("no_route", "office"));
}

fn onprem(vpn: &str, cidrs: &[&str]) -> AwsOptions {
    AwsOptions {
        onprem: vec![(
            vpn.to_string(),
            cidrs.iter().map(|c| c.parse().expect("a CIDR")).collect(),
        )],
        ..AwsOptions::default()
    }
}

/// A BGP VPN whose prefixes the files do not hold: the note names
/// `--onprem` with the VPN's id; with it, the prefixes are propagated into
/// the tables that enable it (VPN-1) and the VPN carries traffic (VPN-2).
#[test]
fn vpn_1_onprem_declares_the_prefixes_of_a_bgp_vpn_fixture() {
    let dir = fixture("bgp-vpn");
    let vpn = "vpn-0b9b0000000000a01";
    let plain = import(&dir);
    assert!(
        plain.notes.iter().any(|n| n.kind == NoteKind::Unknown
            && n.id == vpn
            && n.text.contains(&format!("--onprem {vpn}=CIDR[,CIDR]"))),
        "{:#?}",
        plain.notes
    );
    assert!(!plain.text.contains("\n[[onprem_network]]\nid"));
    let imported =
        import_aws_with(&dir, &onprem(vpn, &["172.20.0.0/16", "172.21.0.0/16"])).expect("imports");
    assert!(imported.text.contains(&format!(
        "[[onprem_network]]\nid = \"{vpn}\"\ncidrs = [\"172.20.0.0/16\", \"172.21.0.0/16\"]\nvia = \"vgw-0b9b0000000000a01\"\ncustomer_gateway = \"198.51.100.20\"\nrouting = \"bgp\"\n"
    )), "{}", imported.text);
    let d = load("bgp-vpn", &imported.text);
    let app = "i-0b9b0000000000a01";
    let path = [app, "rtb-0b9b0000000000a01", "vgw-0b9b0000000000a01", vpn];
    check(&d, &tcp(app, "172.21.3.4", 443).via(&path));
    // Its group allows everything from 172.20.0.0/16 only (SG-1).
    check(
        &d,
        &tcp("172.20.0.9", app, 22).via(&[vpn, "vgw-0b9b0000000000a01", app]),
    );
    check(
        &d,
        &tcp("172.21.0.9", app, 22).dropped("sg_ingress_denied", app),
    );
}

#[test]
fn vpn_1_onprem_rejects_what_the_files_do_not_have() {
    let dir = fixture("bgp-vpn");
    let err = import_aws_with(&dir, &onprem("vpn-0nope", &["172.20.0.0/16"]))
        .expect_err("an unknown VPN is an error");
    assert_eq!(
        err.to_string(),
        "--onprem vpn-0nope=172.20.0.0/16: no VPN connection `vpn-0nope` in the files; the VPN connections in the files: vpn-0b9b0000000000a01"
    );
    for (bad, says) in [
        ("vpn-0b9b0000000000a01", "is not VPN_ID=CIDR[,CIDR]"),
        ("=10.0.0.0/8", "names no VPN connection"),
        (
            "vpn-0b9b0000000000a01=172.20.0.0/33",
            "`172.20.0.0/33` is not an IPv4 CIDR",
        ),
        (
            "vpn-0b9b0000000000a01=172.20.0.0/16,",
            "`` is not an IPv4 CIDR",
        ),
    ] {
        let e = vpcsim::import::parse_onprem(bad)
            .expect_err(bad)
            .to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
    assert_eq!(
        vpcsim::import::parse_onprem("=10.0.0.0/8"),
        Err(vpcsim::import::OnpremError::NoVpn(
            "=10.0.0.0/8".to_string()
        ))
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["import", "aws"])
        .arg(&dir)
        .args(["--onprem", "vpn-0b9b0000000000a01=bogus"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`bogus` is not an IPv4 CIDR"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The snapshot's BGP VPN has no prefixes in the files; declared with
/// `--onprem`, an on-premises address reaches the instance and back over
/// the VPN gateway (VPN-1, VPN-2); its tunnels are reported DOWN and
/// imported up (VPN-3).
#[test]
fn vpn_2_onprem_on_the_vpn_gateway_snapshot() {
    let Some(root) = snapshots() else { return };
    let vpn = "vpn-03701a53bba3c48b7";
    let imported = import_aws_with(
        &root.join("test-vpn-gateway"),
        &onprem(vpn, &["192.168.0.0/16"]),
    )
    .expect("imports");
    assert!(
        !imported
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Unknown && n.id == vpn),
        "{:#?}",
        imported.notes
    );
    // Imported now, its tunnels reported DOWN are imported up, and said so.
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.kind == NoteKind::Approximated
                && n.id == vpn
                && n.text.contains("every tunnel is DOWN")),
        "{:#?}",
        imported.notes
    );
    let d = load("test-vpn-gateway", &imported.text);
    // 10.0.1.204; its group allows TCP 22 from anywhere (SG-1); the main
    // table routes 0.0.0.0/0 to the VPN gateway (no propagation).
    let (i, rt, vgw) = (
        "i-099cf38911942421c",
        "rtb-0d20fcae075afe460",
        "vgw-0c09bd7fadac961bf",
    );
    check(&d, &tcp(i, "192.168.7.7", 22).via(&[i, rt, vgw, vpn]));
    check(&d, &tcp("192.168.7.7", i, 22).via(&[vpn, vgw, i]));
    check(
        &d,
        &tcp("192.168.7.7", i, 80).dropped("sg_ingress_denied", i),
    );
}

/// The transit gateway snapshot: two VPCs on one transit gateway, each
/// associated with its own route table, each table learning only its own
/// VPC (TGW-3). The Direct Connect attachment is not imported; the VPN
/// attachment is (TGW-9), but its BGP connection's prefixes are not in the
/// files, so on-premises prefixes have no route until `--onprem` declares
/// them.
#[test]
fn tgw_3_transit_gateway_snapshot_flows() {
    let Some(root) = snapshots() else { return };
    let (imported, d) = import_and_load(&root.join("test-direct-connect-gateway"), "");
    let t = &imported.text;
    assert!(t.contains("{ destination = \"0.0.0.0/0\", target = \"tgw-dx01\" }"));
    assert!(t.contains(
        "[[transit_gateway_route_table]]\nid = \"tgw-rtb-dx01\"\ntransit_gateway = \"tgw-dx01\"\nassociations = [\"tgw-attach-vpc01\", \"tgw-attach-vpn-dx-test\"]\npropagations = [\"tgw-attach-vpc01\", \"tgw-attach-vpn-dx-test\"]\n"
    ));
    let host = "i-dx01";
    // The isolated VPC is not propagated into the table of vpc-dx01's
    // attachment: dropped there.
    check(
        &d,
        &tcp(host, "10.200.1.10", 22)
            .via(&[host, "rtb-dx01", "tgw-attach-vpc01", "tgw-dx01"])
            .dropped("no_route", "tgw-rtb-dx01"),
    );
    // On premises (10.10.0.0/16) is reached over the VPN and Direct
    // Connect attachments in AWS; the VPN's prefixes are not in the files.
    assert!(t.contains(
        "[[transit_gateway_attachment]]\nid = \"tgw-attach-vpn-dx-test\"\ntransit_gateway = \"tgw-dx01\"\ntype = \"vpn\"\nrouting = \"bgp\"\n"
    ));
    check(
        &d,
        &tcp(host, "10.10.0.1", 22).dropped("no_route", "tgw-rtb-dx01"),
    );
    // Declared, they are propagated into the attachment's table (TGW-9).
    let dir = root.join("test-direct-connect-gateway");
    let declared =
        import_aws_with(&dir, &onprem("vpn-dx-test", &["10.10.0.0/16"])).expect("imports");
    assert!(
        declared.text.contains(
            "[[onprem_network]]\nid = \"vpn-dx-test\"\ncidrs = [\"10.10.0.0/16\"]\nvia = \"tgw-attach-vpn-dx-test\"\ncustomer_gateway = \"1.1.1.2\"\nrouting = \"bgp\"\ntunnels = [\n  { outside_ip = \"3.3.3.3\", status = \"up\" },\n]\n"
        ),
        "{}",
        declared.text
    );
    let d = load("test-direct-connect-gateway", &declared.text);
    check(
        &d,
        &tcp(host, "10.10.0.1", 22).via(&[
            host,
            "rtb-dx01",
            "tgw-dx01",
            "tgw-rtb-dx01",
            "tgw-attach-vpn-dx-test",
            "vpn-dx-test",
        ]),
    );
}

// -- fixtures ------------------------------------------------------------------------

/// Every transit gateway file: associations from the attachments file,
/// propagations, static, blackhole and Direct Connect routes, appliance
/// mode, states (TGW-2, TGW-3, TGW-4, TGW-6).
#[test]
fn tgw_4_transit_gateway_fixture() {
    let (imported, d) = import_and_load(&fixture("transit-gateway"), "");
    let t = &imported.text;
    let (tgw, spokes, inspect) = (
        "tgw-0e0e000000000hub1",
        "tgw-rtb-0e0e00000spokes",
        "tgw-rtb-0e0e0000inspect",
    );
    let (att_a, att_b, att_c) = (
        "tgw-attach-0e0e0000000a",
        "tgw-attach-0e0e0000000b",
        "tgw-attach-0e0e0000000c",
    );
    // The defaults are off: every association and propagation is listed.
    assert!(t.contains(&format!(
        "[[transit_gateway]]\nid = \"{tgw}\"\nasn = 64600\ndefault_route_table_association = false\ndefault_route_table_propagation = false\n"
    )));
    assert!(t.contains(&format!(
        "id = \"{att_c}\"\ntransit_gateway = \"{tgw}\"\ntype = \"vpc\"\nvpc = \"vpc-0e0e00000000000c1\"\nsubnets = [\"subnet-0e0e0000000000c1a\"]\nappliance_mode = true\n"
    )));
    assert!(t.contains(&format!(
        "associations = [\"{att_a}\", \"{att_b}\"]\npropagations = [\"{att_c}\"]\nroutes = [\n  {{ destination = \"10.0.0.0/8\", attachment = \"{att_c}\" }},\n  {{ destination = \"10.99.0.0/16\", blackhole = true }},\n  {{ destination = \"172.16.0.0/12\", blackhole = true }},\n]\n"
    )));
    use NoteKind::*;
    assert_eq!(
        notes_of(&imported, Unsupported),
        [
            "rtb-0e0e00000000000d1",    // its VPC's attachment is pending
            "tgw-attach-0e0e000000dx",  // Direct Connect gateway attachment
            "tgw-attach-0e0e00000peer", // peering attachment
            spokes,                     // IPv6 route; route to the DX attachment
        ]
    );
    assert_eq!(
        notes_of(&imported, Skipped),
        ["tgw-attach-0e0e0000000d", "tgw-rtb-0e0e0000deleted"]
    );
    assert!(
        notes_of(&imported, Unknown).is_empty(),
        "{:#?}",
        imported.notes
    );
    // The transit gateway's own ENIs are its attachments', not left over.
    assert!(!t.contains("eni-0e0e0000000tgw"));
    let (a, b) = ("i-0e0e00000000000a1", "i-0e0e00000000000b1");
    // Spoke to spoke: the spokes' table sends 10.0.0.0/8 to the inspection
    // VPC, whose table sends it back to the transit gateway, where the
    // inspection table knows the spokes.
    check(
        &d,
        &tcp(a, b, 80).via(&[
            a,
            att_a,
            tgw,
            spokes,
            att_c,
            "rtb-0e0e00000000000c1",
            inspect,
            att_b,
            b,
        ]),
    );
    check(
        &d,
        &tcp(a, "10.99.1.1", 80).dropped("route_blackhole", spokes),
    );
    check(
        &d,
        &tcp(a, "172.16.0.5", 80).dropped("route_blackhole", spokes),
    );
}

/// Peering attachments (TGW-10) from
/// `describe-transit-gateway-peering-attachments`: both sides of a peering
/// whose transit gateways are both in the files, each on its own transit
/// gateway and associated as its side reports; a peer transit gateway
/// outside the files written with its Region and no route table; a pending
/// peering a note, its route a blackhole.
#[test]
fn tgw_10_peering_attachments_fixture() {
    let dir = fixture("tgw-peering");
    let (imported, d) = import_and_load(&dir, "");
    let t = &imported.text;
    let (east, west, eu) = (
        "tgw-0a0a0000000east1",
        "tgw-0b0b0000000west1",
        "tgw-0c0c00000000eu1",
    );
    let (p1, p1_west, p2, p2_eu) = (
        "tgw-attach-0a0a0000peer1",
        "tgw-attach-0a0a0000peer1/accepter",
        "tgw-attach-0a0a0000peer2",
        "tgw-attach-0a0a0000peer2/accepter",
    );
    let (rt_east, rt_west) = ("tgw-rtb-0a0a00000east", "tgw-rtb-0b0b00000west");
    for (side, tgw, peer) in [
        (p1, east, p1_west),
        (p1_west, west, p1),
        (p2, east, p2_eu),
        (p2_eu, eu, p2),
    ] {
        assert!(
            t.contains(&format!(
                "id = \"{side}\"\ntransit_gateway = \"{tgw}\"\ntype = \"peering\"\npeer = \"{peer}\"\n"
            )),
            "{side}:\n{t}"
        );
    }
    // The peer transit gateways in other Regions have theirs.
    assert!(t.contains(&format!("id = \"{west}\"\n")), "{t}");
    let region_of = |tgw: &str| {
        let at = t
            .find(&format!("[[transit_gateway]]\nid = \"{tgw}\""))
            .expect("written");
        let block = &t[at..];
        let end = block[1..].find("\n[[").map_or(block.len(), |e| e + 1);
        block[..end]
            .lines()
            .find_map(|l| l.strip_prefix("region = "))
            .map(str::to_string)
    };
    assert_eq!(region_of(west).as_deref(), Some("\"us-west-2\""));
    assert_eq!(region_of(eu).as_deref(), Some("\"eu-west-1\""));
    assert_eq!(region_of(east), None);
    // Each side is associated with its own transit gateway's table, and
    // its table's static route names the side on that transit gateway.
    assert!(t.contains(&format!(
        "id = \"{rt_east}\"\ntransit_gateway = \"{east}\"\nassociations = [\"tgw-attach-0a0a000000a1\", \"{p1}\", \"{p2}\"]\n"
    )), "{t}");
    assert!(t.contains(&format!(
        "id = \"{rt_west}\"\ntransit_gateway = \"{west}\"\nassociations = [\"{p1_west}\", \"tgw-attach-0b0b000000b1\"]\npropagations = [\"tgw-attach-0b0b000000b1\"]\nroutes = [\n  {{ destination = \"10.1.0.0/16\", attachment = \"{p1_west}\" }},\n]\n"
    )), "{t}");
    use NoteKind::*;
    assert_eq!(notes_of(&imported, Skipped), ["tgw-attach-0a0a0000peer3"]);
    assert_eq!(notes_of(&imported, Unknown), [eu]);
    let remote = imported
        .notes
        .iter()
        .find(|n| n.id == eu)
        .expect("a note on the remote side");
    assert!(
        remote.text.contains("outside the snapshot") && remote.text.contains("eu-west-1"),
        "{remote}"
    );
    assert_eq!(notes_of(&imported, Unsupported), [rt_east]);
    let (a, b) = ("i-0a0a00000000000a1", "i-0b0b00000000000b1");
    // Across the peering, both ways.
    check(
        &d,
        &tcp(a, b, 22).via(&[
            a,
            "tgw-attach-0a0a000000a1",
            east,
            rt_east,
            p1,
            p1_west,
            west,
            rt_west,
            "tgw-attach-0b0b000000b1",
            b,
        ]),
    );
    check(
        &d,
        &tcp(b, a, 22).via(&[b, west, rt_west, p1_west, p1, east, rt_east, a]),
    );
    // To the transit gateway outside the snapshot: across, then nothing.
    check(
        &d,
        &tcp(a, "172.16.0.5", 22)
            .via(&[a, east, rt_east, p2, p2_eu])
            .dropped("no_route", eu),
    );
    // The pending peering carries nothing: its route is a blackhole.
    check(
        &d,
        &tcp(a, "10.3.0.5", 22).dropped("route_blackhole", rt_east),
    );
    // The same bytes every time.
    assert_eq!(import(&dir).text, imported.text);
}

/// VPN attachments (TGW-9): a static VPN connection's routes and a BGP one's
/// propagated prefixes become the on-premises networks behind each
/// attachment, with their tunnels and customer gateways; the route table's
/// static and blackhole routes to them stay (TGW-4), and one whose VPN
/// connection is not in the files is a note, its route a blackhole.
#[test]
fn tgw_9_vpn_attachments_fixture() {
    let (imported, d) = import_and_load(&fixture("tgw-vpn"), "");
    let t = &imported.text;
    let (tgw, rt, app_att) = (
        "tgw-0f0f000000000hub1",
        "tgw-rtb-0f0f0000000main",
        "tgw-attach-0f0f00000app",
    );
    let (office_att, branch_att) = ("tgw-attach-0f0f0000vpn1", "tgw-attach-0f0f0000vpn2");
    let (office, branch) = ("vpn-0f0f0000000static", "vpn-0f0f00000000bgp1");
    assert!(t.contains(&format!(
        "[[transit_gateway_attachment]]\nid = \"{office_att}\"\ntransit_gateway = \"{tgw}\"\ntype = \"vpn\"\nrouting = \"static\"\n"
    )), "{t}");
    assert!(t.contains(&format!(
        "[[transit_gateway_attachment]]\nid = \"{branch_att}\"\ntransit_gateway = \"{tgw}\"\ntype = \"vpn\"\nrouting = \"bgp\"\n"
    )), "{t}");
    assert!(t.contains(&format!(
        "[[onprem_network]]\nid = \"{office}\"\ncidrs = [\"192.168.0.0/16\"]\nvia = \"{office_att}\"\ncustomer_gateway = \"198.51.100.10\"\nrouting = \"static\"\ntunnels = [\n  {{ outside_ip = \"3.210.10.1\", status = \"up\" }},\n  {{ outside_ip = \"3.210.10.2\", status = \"down\" }},\n]\n"
    )), "{t}");
    assert!(t.contains(&format!(
        "[[onprem_network]]\nid = \"{branch}\"\ncidrs = [\"172.20.0.0/16\"]\nvia = \"{branch_att}\"\ncustomer_gateway = \"198.51.100.20\"\nrouting = \"bgp\"\n"
    )), "{t}");
    assert!(t.contains(&format!(
        "associations = [\"{app_att}\", \"{office_att}\", \"{branch_att}\"]\npropagations = [\"{app_att}\", \"{office_att}\", \"{branch_att}\"]\nroutes = [\n  {{ destination = \"192.168.0.0/16\", attachment = \"{office_att}\" }},\n  {{ destination = \"192.168.99.0/24\", blackhole = true }},\n  {{ destination = \"10.50.0.0/16\", blackhole = true }},\n]\n"
    )), "{t}");
    use NoteKind::*;
    assert_eq!(notes_of(&imported, Unknown), ["tgw-attach-0f0f0000vpn3"]);
    assert_eq!(notes_of(&imported, Unsupported), [rt]);
    assert_eq!(notes_of(&imported, Approximated), [branch]);
    assert!(notes_of(&imported, Skipped).is_empty());
    let app = "i-0f0f00000000000a1";
    let vpc_rt = "rtb-0f0f00000000000a1";
    check(
        &d,
        &tcp(app, "192.168.1.5", 22).via(&[app, vpc_rt, app_att, tgw, rt, office_att, office]),
    );
    check(
        &d,
        &tcp("192.168.1.5", app, 22).via(&[office, office_att, tgw, rt, app_att, app]),
    );
    check(
        &d,
        &tcp("172.20.3.4", app, 22).via(&[branch, branch_att, tgw, rt, app_att, app]),
    );
    check(
        &d,
        &tcp(app, "172.20.3.4", 443).via(&[app, vpc_rt, tgw, rt, branch_att, branch]),
    );
    check(
        &d,
        &tcp(app, "192.168.99.1", 22).dropped("route_blackhole", rt),
    );
    check(
        &d,
        &tcp(app, "10.50.0.1", 22).dropped("route_blackhole", rt),
    );
}

#[test]
fn lambda_and_nacl_fixture() {
    let (imported, d) = import_and_load(&fixture("lambda-nat"), WEB);
    assert!(imported.notes.is_empty(), "{:#?}", imported.notes);
    assert_eq!(d.region, "us-west-2");
    assert!(imported.text.contains(
        "[[lambda]]\nid = \"fetch-prices\"\nsubnets = [\"subnet-0a1a00000000000a1\"]\nsecurity_groups = [\"sg-0a1a0000000000f01\"]\n"
    ));
    // A function without VpcConfig runs outside any VPC.
    assert!(imported.text.contains("[[lambda]]\nid = \"send-report\"\n"));
    let (nat, igw) = ("nat-0a1a00000000000n1", "igw-0a1a00000000000g1");
    check(
        &d,
        &tcp("fetch-prices", "web", 443).via(&[
            "fetch-prices",
            "rtb-0a1a00000000000a1",
            "acl-0a1a0000000000a01",
            nat,
            igw,
            "web",
        ]),
    );
    check(&d, &tcp("send-report", "web", 443).via(&["web"]));
    let app = "i-0a1a00000000000a1";
    check(&d, &tcp(app, "web", 443).via(&[app, nat, igw]));
    // Outbound rule 100 of the app subnet's NACL denies telnet.
    check(
        &d,
        &tcp(app, "web", 23).dropped("nacl_egress_denied", "acl-0a1a0000000000a01"),
    );
}

/// Two entries of one NACL with the same rule number and direction (which
/// AWS never describes, NACL-2): the first in the file is kept, the other
/// named in the notes, and the file validates.
#[test]
fn nacl_2_repeated_rule_numbers_are_mended() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-nacl-{}", std::process::id()));
    let dir = tmp.join("lambda-nat");
    copy_dir(&fixture("lambda-nat"), &dir);
    let path = dir.join("NetworkAcls.json");
    let text = std::fs::read_to_string(&path).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let acl = v["NetworkAcls"]
        .as_array_mut()
        .and_then(|a| {
            a.iter_mut()
                .find(|a| a["NetworkAclId"] == "acl-0a1a0000000000a01")
        })
        .expect("the app subnet's NACL");
    let entries = acl["Entries"].as_array_mut().expect("entries");
    // Outbound rule 100 denies telnet; a second rule 100 allows everything.
    entries.push(serde_json::json!({
        "CidrBlock": "0.0.0.0/0", "Egress": true, "Protocol": "-1",
        "RuleAction": "allow", "RuleNumber": 100
    }));
    std::fs::write(&path, v.to_string()).expect("write");
    let (imported, d) = import_and_load(&dir, WEB);
    let _ = std::fs::remove_dir_all(&tmp);
    let note = imported
        .notes
        .iter()
        .find(|n| n.id == "acl-0a1a0000000000a01")
        .unwrap_or_else(|| panic!("no note on the NACL: {:#?}", imported.notes));
    assert!(
        note.text
            .contains("outbound rule 100 appears more than once"),
        "{note:?}"
    );
    // The first rule 100 (deny telnet) is the one kept.
    let app = "i-0a1a00000000000a1";
    check(
        &d,
        &tcp(app, "web", 23).dropped("nacl_egress_denied", "acl-0a1a0000000000a01"),
    );
}

/// AWS gives an interface endpoint one subnet per Availability Zone
/// (IFE-1). Files that list two in one zone are mended: the first listed is
/// kept, the other is left out with a note naming both, and the file
/// validates.
#[test]
fn ife_1_a_second_interface_endpoint_subnet_in_one_zone_is_left_out() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-ife1-{}", std::process::id()));
    let dir = tmp.join("lambda-nat");
    copy_dir(&fixture("lambda-nat"), &dir);
    // Both subnets of the fixture are in us-west-2a; the second id by sort
    // order is listed first.
    let endpoints = serde_json::json!({ "VpcEndpoints": [{
        "VpcEndpointId": "vpce-0a1a00000000sqs01",
        "VpcEndpointType": "Interface",
        "VpcId": "vpc-0a1a000000000000a",
        "ServiceName": "com.amazonaws.us-west-2.sqs",
        "State": "available",
        "SubnetIds": ["subnet-0a1a00000000000p1", "subnet-0a1a00000000000a1"],
        "Groups": [{ "GroupId": "sg-0a1a0000000000a01", "GroupName": "app" }],
        "PrivateDnsEnabled": true,
        "NetworkInterfaceIds": []
    }]});
    std::fs::write(dir.join("VpcEndpoints.json"), endpoints.to_string()).expect("write");
    let (imported, d) = import_and_load(&dir, "");
    let _ = std::fs::remove_dir_all(&tmp);
    let note = imported
        .notes
        .iter()
        .find(|n| n.id == "vpce-0a1a00000000sqs01" && n.text.contains("IFE-1"))
        .unwrap_or_else(|| panic!("no IFE-1 note on the endpoint: {:#?}", imported.notes));
    assert_eq!(note.kind, NoteKind::Unsupported, "{note:?}");
    assert!(
        note.text
            .contains("subnet subnet-0a1a00000000000a1 left out")
            && note
                .text
                .contains("subnet-0a1a00000000000p1 is in us-west-2a too"),
        "{note:?}"
    );
    let Some(vpcsim::model::Component::Endpoint(e)) = d.lookup("vpce-0a1a00000000sqs01") else {
        panic!("the endpoint is imported");
    };
    let vpcsim::model::EndpointKind::Interface { enis, .. } = &d.endpoints[e.idx()].kind else {
        panic!("an interface endpoint");
    };
    let subnets: Vec<&str> = enis
        .iter()
        .map(|x| d.subnets[d.enis[x.idx()].subnet.idx()].name.as_str())
        .collect();
    assert_eq!(subnets, ["subnet-0a1a00000000000p1"]);
}

/// An Elastic IP associated with a secondary private address of an
/// instance's ENI (AssociateAddress takes a secondary address) is lost with
/// that address: the note names the public address too.
#[test]
fn a_public_ip_of_a_secondary_private_ip_is_named_in_its_note() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-eip2-{}", std::process::id()));
    let dir = tmp.join("lambda-nat");
    copy_dir(&fixture("lambda-nat"), &dir);
    let second = serde_json::json!({
        "Primary": false, "PrivateIpAddress": "10.20.1.200",
        "Association": { "PublicIp": "54.1.2.3", "IpOwnerId": "111122223333" }
    });
    let third = serde_json::json!({ "Primary": false, "PrivateIpAddress": "10.20.1.201" });
    // The app instance's primary ENI, in both files that describe it.
    for file in ["NetworkInterfaces.json", "Reservations.json"] {
        let path = dir.join(file);
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let eni = match file {
            "NetworkInterfaces.json" => &mut v["NetworkInterfaces"][0],
            _ => &mut v["Reservations"][0]["Instances"][0]["NetworkInterfaces"][0],
        };
        assert_eq!(eni["NetworkInterfaceId"], "eni-0a1a00000000app01");
        let ips = eni["PrivateIpAddresses"].as_array_mut().expect("addresses");
        ips.push(second.clone());
        ips.push(third.clone());
        std::fs::write(&path, v.to_string()).expect("write");
    }
    let (imported, _) = import_and_load(&dir, "");
    let _ = std::fs::remove_dir_all(&tmp);
    let note = imported
        .notes
        .iter()
        .find(|n| n.id == "i-0a1a00000000000a1" && n.text.contains("secondary private IPs"))
        .unwrap_or_else(|| panic!("no note on the instance: {:#?}", imported.notes));
    assert!(
        note.text
            .contains("secondary private IPs 10.20.1.200 (with public IP 54.1.2.3), 10.20.1.201 not represented"),
        "{note:?}"
    );
}

/// A subnet whose VPC the files lack is left out; a route that named
/// exactly its CIDR is then more specific than the local route with no
/// subnet behind it, which AWS never holds (RT-2): the import leaves the
/// route out too, names it in the notes, and the file validates.
#[test]
fn rt_2_a_route_to_a_subnet_left_out_is_left_out_with_it() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-subnet-{}", std::process::id()));
    let dir = tmp.join("middlebox");
    copy_dir(&fixture("middlebox"), &dir);
    let path = dir.join("describe-subnets.json");
    let text = std::fs::read_to_string(&path).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let subnet = v["Subnets"]
        .as_array_mut()
        .and_then(|a| {
            a.iter_mut()
                .find(|s| s["SubnetId"] == "subnet-0b2b00000000000b1")
        })
        .expect("the second subnet");
    subnet["VpcId"] = serde_json::json!("vpc-0b2b0000000000gone");
    std::fs::write(&path, v.to_string()).expect("write");
    let (imported, d) = import_and_load(&dir, "");
    let _ = std::fs::remove_dir_all(&tmp);
    let note = imported
        .notes
        .iter()
        .find(|n| n.id == "rtb-0b2b00000000000a1" && n.text.contains("10.30.2.0/24"))
        .unwrap_or_else(|| panic!("no note on the route: {:#?}", imported.notes));
    assert!(
        note.text
            .contains("no subnet of the VPC in the files has that CIDR"),
        "{note:?}"
    );
    assert!(
        !imported.text.contains("destination = \"10.30.2.0/24\""),
        "{}",
        imported.text
    );
    assert!(d.lookup("subnet-0b2b00000000000b1").is_none());
}

/// A `.json` name in the folder that is a directory, a named pipe or a
/// symbolic link to nothing is reported with what it is, never skipped as if
/// the file were absent (and a pipe is never opened, so nothing hangs).
#[test]
fn a_describe_name_that_is_not_a_file_is_reported() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-kinds-{}", std::process::id()));
    let cases: [(&str, &str); 3] = [
        ("dir", "a directory"),
        ("fifo", "a named pipe (FIFO)"),
        ("dangling", "a symbolic link to nothing"),
    ];
    for (case, what) in cases {
        let dir = tmp.join(case);
        copy_dir(&fixture("lambda-nat"), &dir);
        let odd = dir.join("Extra.json");
        match case {
            "dir" => std::fs::create_dir(&odd).expect("mkdir"),
            "fifo" => {
                let ok = Command::new("mkfifo")
                    .arg(&odd)
                    .status()
                    .is_ok_and(|s| s.success());
                if !ok {
                    eprintln!("note: mkfifo unavailable; the FIFO case is skipped");
                    continue;
                }
            }
            _ => std::os::unix::fs::symlink(dir.join("nowhere.json"), &odd).expect("symlink"),
        }
        match import_aws(&dir) {
            Err(ImportError::Io { path, message }) => {
                assert_eq!(path, "Extra.json", "{case}");
                assert!(message.starts_with(what), "{case}: {message}");
            }
            other => panic!("{case}: expected an error naming Extra.json, got {other:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A NAT gateway whose private and public addresses are the wrong way
/// round in the files: the private address must be a usable one of its
/// subnet (ADDR-3), so the import turns them back and says so, and the
/// file validates.
#[test]
fn addr_3_nat_gateway_addresses_the_wrong_way_round_are_mended() {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-nat-{}", std::process::id()));
    let dir = tmp.join("lambda-nat");
    copy_dir(&fixture("lambda-nat"), &dir);
    let path = dir.join("NatGateways.json");
    let text = std::fs::read_to_string(&path).expect("read");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let a = &mut v["NatGateways"][0]["NatGatewayAddresses"][0];
    assert_eq!(a["PrivateIp"], "10.20.0.100");
    assert_eq!(a["PublicIp"], "198.51.100.7");
    a["PrivateIp"] = "198.51.100.7".into();
    a["PublicIp"] = "10.20.0.100".into();
    std::fs::write(&path, v.to_string()).expect("write");
    let (imported, d) = import_and_load(&dir, WEB);
    let _ = std::fs::remove_dir_all(&tmp);
    let nat = "nat-0a1a00000000000n1";
    let note = imported
        .notes
        .iter()
        .find(|n| n.id == nat)
        .unwrap_or_else(|| panic!("no note on the NAT gateway: {:#?}", imported.notes));
    assert!(note.text.contains("the wrong way round"), "{note:?}");
    assert!(imported.text.contains("public_ip = \"198.51.100.7\""));
    assert!(imported.text.contains("private_ip = \"10.20.0.100\""));
    let app = "i-0a1a00000000000a1";
    check(
        &d,
        &tcp(app, "web", 443).via(&[app, nat, "igw-0a1a00000000000g1"]),
    );
}

#[test]
fn middlebox_fixture() {
    let (imported, d) = import_and_load(&fixture("middlebox"), WEB);
    let t = &imported.text;
    // An instance target (InstanceId and NetworkInterfaceId) and an ENI
    // target both name the firewall's ENI.
    assert!(t.contains("{ destination = \"10.30.2.0/24\", target = \"eni-0b2b0000000000fw1\" }"));
    assert!(t.contains("{ destination = \"10.30.1.0/24\", target = \"eni-0b2b0000000000fw1\" }"));
    assert!(t.contains("source_dest_check = false\neni = \"eni-0b2b0000000000fw1\""));
    // What vpcsim cannot follow is kept as a blackhole.
    assert!(t.contains(
        "{ destination = \"0.0.0.0/0\", target = \"tgw-0b2b0000000000001\", state = \"blackhole\" }"
    ));
    assert!(t.contains(
        "{ destination = \"172.16.0.0/12\", target = \"nat-0b2b00000000gone\", state = \"blackhole\" }"
    ));
    use NoteKind::*;
    assert_eq!(
        notes_of(&imported, Unsupported),
        [
            "acl-0b2b0000000000d01", // IPv6 rules
            "eni-0b2b0000000000fw2", // second ENI of the firewall
            "eni-0b2b000000000elb1", // a load balancer's ENI
            "rtb-0b2b00000000000a1", // ::/0 -> egress-only gateway
            "sg-0b2b0000000000a01",  // IPv6 rule
            "vpc-0b2b000000000000b", // IPv6 block
            "web",                   // the load balancer
        ]
    );
    assert_eq!(
        notes_of(&imported, Unknown),
        [
            "nat-0b2b00000000gone",
            "sg-0999999999999999f",
            // A transit gateway without its attachment files.
            "tgw-0b2b0000000000001",
        ]
    );
    assert_eq!(notes_of(&imported, Skipped), ["i-0b2b00000000000x1"]);
    let (a, b, fw) = (
        "i-0b2b00000000000a1",
        "i-0b2b00000000000b1",
        "i-0b2b00000000000f1",
    );
    check(&d, &tcp(a, b, 80).via(&[a, "rtb-0b2b00000000000a1", fw, b]));
    check(&d, &tcp(b, a, 80).via(&[b, "rtb-0b2b00000000000b1", fw, a]));
    check(&d, &tcp(a, b, 22).dropped("sg_ingress_denied", b));
    check(
        &d,
        &tcp(a, "web", 443).dropped("route_blackhole", "rtb-0b2b00000000000a1"),
    );
}

/// Two accounts, `accounts/<account-id>/<region>/`: account A's transit
/// gateway, shared with account B, connects a VPC of each (TGW-1, TGW-3).
/// B's VPC attachment is listed in A's files (A owns the transit gateway),
/// its VPC, subnet and route table in B's: the route table of B's VPC
/// sends A's CIDR to the transit gateway, whose table (in A's files) has
/// both VPCs' CIDRs propagated; A's flow crosses it into B's VPC.
#[test]
fn tgw_1_multi_account_fixture() {
    let (imported, d) = import_and_load(&fixture("multi-account"), "");
    let t = &imported.text;
    let (tgw, rtb) = ("tgw-0f0f00000000share1", "tgw-rtb-0f0f0000000hub");
    let (att_a, att_b) = ("tgw-attach-0f0f000000a1", "tgw-attach-0f0f000000b1");
    assert_eq!(d.vpcs.len(), 2);
    assert_eq!(d.region, "us-east-1");
    assert!(t.contains(&format!(
        "associations = [\"{att_a}\", \"{att_b}\"]\npropagations = [\"{att_a}\", \"{att_b}\"]\n"
    )));
    assert!(
        t.contains("# VPC of account 222222222222 on a transit gateway of account 111111111111\n")
    );
    // Ids stay as AWS has them, except one that two accounts use for two
    // resources: a Lambda function's name is per account.
    assert!(t.contains("[[lambda]]\nid = \"111111111111.health-check\"\n"));
    assert!(t.contains("[[lambda]]\nid = \"222222222222.health-check\"\n"));
    assert!(!t.contains("id = \"health-check\""));
    assert_eq!(
        notes_of(&imported, NoteKind::Approximated),
        ["111111111111.health-check", "222222222222.health-check"]
    );
    for kind in [NoteKind::Unsupported, NoteKind::Unknown, NoteKind::Skipped] {
        assert!(
            notes_of(&imported, kind).is_empty(),
            "{:#?}",
            imported.notes
        );
    }
    let (a, b) = ("i-0f0f000000000a01", "i-0f0f000000000b01");
    check(
        &d,
        &tcp(a, b, 443).via(&[a, "rtb-0f0f000000000a01", att_a, tgw, rtb, att_b, b]),
    );
    // Back from B's VPC through the same transit gateway, as far as A's
    // instance, whose group admits nothing.
    check(
        &d,
        &tcp(b, a, 443)
            .via(&[b, "rtb-0f0f000000000b01", att_b, tgw, rtb, att_a])
            .dropped("sg_ingress_denied", a),
    );
    // B's group admits only tcp/443 from A's VPC.
    check(&d, &tcp(a, b, 22).dropped("sg_ingress_denied", b));
    assert_eq!(
        import(&fixture("multi-account")).text,
        imported.text,
        "importing twice gives the same bytes"
    );
}

/// TGW-10 between two accounts, `accounts/<account-id>/<region>/`: each
/// account's files hold only its own side of one peering attachment id
/// (the requester's transit gateway in 111111111111's us-east-1, the
/// accepter's in 222222222222's us-west-2). The import joins them into one
/// peering, each side on its own transit gateway, associated with its own
/// table and named by that table's static route; the flows cross it both
/// ways; the accepter's transit gateway and VPC are in us-west-2; and the
/// same folders import to the same bytes.
#[test]
fn tgw_10_peering_between_two_accounts_joins_both_sides() {
    let dir = fixture("tgw-peering-accounts");
    let (imported, d) = import_and_load(&dir, "");
    let t = &imported.text;
    let (east, west) = ("tgw-0a0a0000000east1", "tgw-0b0b0000000west1");
    let (p, p_west) = (
        "tgw-attach-0a0a0000peer1",
        "tgw-attach-0a0a0000peer1/accepter",
    );
    let (rt_east, rt_west) = ("tgw-rtb-0a0a00000east", "tgw-rtb-0b0b00000west");
    for (side, tgw, peer) in [(p, east, p_west), (p_west, west, p)] {
        assert!(
            t.contains(&format!(
                "id = \"{side}\"\ntransit_gateway = \"{tgw}\"\ntype = \"peering\"\npeer = \"{peer}\"\n"
            )),
            "{side}:\n{t}"
        );
    }
    // Each side is named as its own account tagged it.
    for (name, role, side) in [
        ("east-west", "requester", p),
        ("from-east", "accepter", p_west),
    ] {
        assert!(
            t.contains(&format!(
                "# Name: {name}\n# the {role} side of peering attachment {p}\n[[transit_gateway_attachment]]\nid = \"{side}\"\n"
            )),
            "{side}:\n{t}"
        );
    }
    // One peering: two sides, no third.
    assert_eq!(t.matches("type = \"peering\"").count(), 2, "{t}");
    assert_eq!(d.tgws.len(), 2);
    assert_eq!(d.vpcs.len(), 2);
    let west_tgw = d
        .tgws
        .iter()
        .find(|g| g.name == west)
        .expect("the accepter's transit gateway");
    assert_eq!(west_tgw.region, "us-west-2");
    assert_eq!(d.region, "us-east-1");
    // Each side associated with its own account's table, which routes the
    // other VPC's CIDR to it.
    assert!(t.contains(&format!(
        "id = \"{rt_east}\"\ntransit_gateway = \"{east}\"\nassociations = [\"tgw-attach-0a0a000000a1\", \"{p}\"]\npropagations = [\"tgw-attach-0a0a000000a1\"]\nroutes = [\n  {{ destination = \"10.2.0.0/16\", attachment = \"{p}\" }},\n]\n"
    )), "{t}");
    assert!(t.contains(&format!(
        "id = \"{rt_west}\"\ntransit_gateway = \"{west}\"\nassociations = [\"{p_west}\", \"tgw-attach-0b0b000000b1\"]\npropagations = [\"tgw-attach-0b0b000000b1\"]\nroutes = [\n  {{ destination = \"10.1.0.0/16\", attachment = \"{p_west}\" }},\n]\n"
    )), "{t}");
    for kind in [NoteKind::Unsupported, NoteKind::Unknown, NoteKind::Skipped] {
        assert!(
            notes_of(&imported, kind).is_empty(),
            "{kind:?}: {:#?}",
            imported.notes
        );
    }
    let (a, b) = ("i-0a0a00000000000a1", "i-0b0b00000000000b1");
    check(
        &d,
        &tcp(a, b, 22).via(&[
            a,
            "tgw-attach-0a0a000000a1",
            east,
            rt_east,
            p,
            p_west,
            west,
            rt_west,
            "tgw-attach-0b0b000000b1",
            b,
        ]),
    );
    check(
        &d,
        &tcp(b, a, 22).via(&[b, west, rt_west, p_west, p, east, rt_east, a]),
    );
    assert_eq!(
        import(&dir).text,
        imported.text,
        "importing twice gives the same bytes"
    );
}

#[test]
fn private_nat_fixture() {
    let (imported, d) = import_and_load(&fixture("private-nat"), "");
    assert_eq!(d.region, "eu-west-1");
    assert!(imported.text.contains(
        "[[nat_gateway]]\nid = \"nat-0c3c00000000priv1\"\nsubnet = \"subnet-0c3c0000000000a02\"\nconnectivity = \"private\"\nprivate_ip = \"10.40.2.50\"\n"
    ));
    assert!(imported.text.contains(
        "[[prefix_list]]\nid = \"pl-0c3c00000000corp1\"\nname = \"consumer-nat\"\ncidrs = [\"10.40.2.0/24\"]\n"
    ));
    use NoteKind::*;
    assert_eq!(notes_of(&imported, Unsupported), ["pl-0c3c000000000v601"]);
    assert_eq!(notes_of(&imported, Skipped), ["pcx-0c3c0000000pend01"]);
    let (client, service) = ("i-0c3c00000000000a1", "i-0c3c00000000000b1");
    // The service admits only the NAT subnet (a prefix list); the private
    // NAT gateway gives the client that address, then the peering carries it.
    check(
        &d,
        &tcp(client, service, 443).via(&[
            client,
            "rtb-0c3c0000000000a01",
            "nat-0c3c00000000priv1",
            "rtb-0c3c0000000000a02",
            "pcx-0c3c000000000ab01",
            service,
        ]),
    );
    check(
        &d,
        &tcp(client, service, 22).dropped("sg_ingress_denied", service),
    );
    // The provider routes back only to the NAT subnet.
    check(
        &d,
        &tcp(service, client, 443).dropped("no_route", "rtb-0c3c0000000000b00"),
    );
}

#[test]
fn mtu_1_an_inter_region_peering_is_imported_with_its_peer_region() {
    // The folder is us-east-1's; describe-vpc-peering-connections gives
    // each side's Region. One peering reaches a VPC in eu-west-1, the
    // other stays within us-east-1.
    let (imported, d) = import_and_load(&fixture("inter-region-peering"), "");
    assert_eq!(d.region, "us-east-1");
    let t = &imported.text;
    assert_eq!(t.matches("\npeer_region = ").count(), 1, "{t}");
    assert!(t.contains("peer_region = \"eu-west-1\"\n"), "{t}");
    let mtu = |id: &str| {
        d.peerings
            .iter()
            .find(|p| p.name == id)
            .unwrap_or_else(|| panic!("{id}\n{t}"))
            .mtu
    };
    assert_eq!(mtu("pcx-0e1e000000000ew01"), 8500);
    assert_eq!(mtu("pcx-0e1e000000000es01"), 9001);
    assert_eq!(
        notes_of(&imported, NoteKind::Approximated),
        ["pcx-0e1e000000000ew01"]
    );
}

#[test]
fn missing_files_are_filled_from_what_the_others_say() {
    // The Lambda fixture without describe-instances, -nat-gateways and
    // -internet-gateways: the ENIs tell the instance and the NAT gateway, the
    // active route tells the internet gateway.
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-missing-{}", std::process::id()));
    let dir = tmp.join("partial");
    copy_dir(&fixture("lambda-nat"), &dir);
    for f in [
        "Reservations.json",
        "NatGateways.json",
        "InternetGateways.json",
    ] {
        std::fs::remove_file(dir.join(f)).expect("remove");
    }
    let (imported, d) = import_and_load(&dir, WEB);
    assert_eq!(
        notes_of(&imported, NoteKind::Approximated),
        [
            "i-0a1a00000000000a1",
            "igw-0a1a00000000000g1",
            "nat-0a1a00000000000n1"
        ]
    );
    assert!(imported.text.contains(
        "[[nat_gateway]]\nid = \"nat-0a1a00000000000n1\"\nsubnet = \"subnet-0a1a00000000000p1\"\nconnectivity = \"public\"\npublic_ip = \"198.51.100.7\"\nprivate_ip = \"10.20.0.100\"\n"
    ));
    let app = "i-0a1a00000000000a1";
    check(
        &d,
        &tcp(app, "web", 443).via(&[app, "nat-0a1a00000000000n1", "igw-0a1a00000000000g1"]),
    );
    // Without the security groups: the function cannot be placed and is left
    // out; the instance falls back to the VPC's default group.
    std::fs::remove_file(dir.join("SecurityGroups.json")).expect("remove");
    let (imported, d) = import_and_load(&dir, WEB);
    assert!(notes_of(&imported, NoteKind::Unknown).contains(&"fetch-prices"));
    assert!(notes_of(&imported, NoteKind::Unknown).contains(&"sg-0a1a0000000000a01"));
    assert!(d.lookup("fetch-prices").is_none());
    check(
        &d,
        &tcp(app, "web", 443).via(&[app, "nat-0a1a00000000000n1"]),
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A change to one file's JSON.
type Edit = dyn Fn(&mut serde_json::Value);

/// The `lambda-nat` fixture copied to a folder of its own, each named file's
/// JSON changed by its edit (a file that is not there starts as `{}`), and
/// imported.
fn lambda_nat_edited(tag: &str, edits: &[(&str, &Edit)]) -> Result<Imported, ImportError> {
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-{tag}-{}", std::process::id()));
    let dir = tmp.join("lambda-nat");
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&fixture("lambda-nat"), &dir);
    for (file, edit) in edits {
        let path = dir.join(file);
        let mut v: serde_json::Value = std::fs::read_to_string(&path)
            .map(|t| serde_json::from_str(&t).expect("fixture JSON"))
            .unwrap_or_else(|_| serde_json::json!({}));
        edit(&mut v);
        std::fs::write(&path, v.to_string()).expect("write");
    }
    let got = import_aws(&dir);
    let _ = std::fs::remove_dir_all(&tmp);
    got
}

fn note_text(i: &Imported, kind: NoteKind, id: &str) -> String {
    i.notes
        .iter()
        .find(|n| n.kind == kind && n.id == id)
        .map(|n| n.text.clone())
        .unwrap_or_else(|| panic!("no {kind:?} note for {id}: {:#?}", i.notes))
}

#[test]
fn addr_1_a_vpc_block_outside_16_to_28_is_left_out_so_the_file_validates() {
    let imported = lambda_nat_edited(
        "vpc8",
        &[("Vpcs.json", &|v| {
            let vpc = &mut v["Vpcs"][0];
            vpc["CidrBlock"] = "10.0.0.0/8".into();
            vpc["CidrBlockAssociationSet"][0]["CidrBlock"] = "10.0.0.0/8".into();
        })],
    )
    .expect("imports");
    load("vpc /8", &imported.text);
    let text = note_text(&imported, NoteKind::Unsupported, "vpc-0a1a000000000000a");
    assert!(
        text.contains("10.0.0.0/8") && text.contains("ADDR-1"),
        "{text}"
    );
    assert!(!imported.text.contains("[[vpc]]"), "{}", imported.text);
}

#[test]
fn addr_2_a_subnet_smaller_than_a_28_is_left_out_so_the_file_validates() {
    let imported = lambda_nat_edited(
        "subnet29",
        &[("Subnets.json", &|v| {
            v["Subnets"][1]["CidrBlock"] = "10.20.1.0/29".into();
        })],
    )
    .expect("imports");
    load("subnet /29", &imported.text);
    let id = "subnet-0a1a00000000000a1";
    let text = note_text(&imported, NoteKind::Unsupported, id);
    assert!(
        text.contains("10.20.1.0/29 is a /29") && text.contains("ADDR-2"),
        "{text}"
    );
    assert!(
        !imported.text.contains(&format!("id = \"{id}\"")),
        "{}",
        imported.text
    );
}

#[test]
fn a_route_without_a_target_or_a_destination_is_noted_not_dropped_silently() {
    let imported = lambda_nat_edited(
        "notarget",
        &[("RouteTables.json", &|v| {
            let routes = v["RouteTables"][0]["Routes"]
                .as_array_mut()
                .expect("routes");
            routes.push(serde_json::json!({
                "DestinationCidrBlock": "172.25.0.0/16", "Origin": "CreateRoute", "State": "active"
            }));
            routes.push(serde_json::json!({
                "GatewayId": "igw-0a1a00000000000g1", "Origin": "CreateRoute", "State": "active"
            }));
        })],
    )
    .expect("imports");
    load("route without a target", &imported.text);
    let table = imported
        .notes
        .iter()
        .find(|n| n.id == "rtb-0a1a00000000000p1");
    let text = table.map(|n| n.text.as_str()).unwrap_or_default();
    assert!(
        text.contains("route 172.25.0.0/16 left out: it names no target"),
        "{:#?}",
        imported.notes
    );
    assert!(
        text.contains("route -> igw-0a1a00000000000g1 left out: it names no destination"),
        "{:#?}",
        imported.notes
    );
}

/// Every string of a JSON value equal to `from` made `to`.
fn replace_strings(v: &mut serde_json::Value, from: &str, to: &str) {
    match v {
        serde_json::Value::String(s) if s == from => *s = to.to_string(),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| replace_strings(x, from, to)),
        _ => {}
    }
}

/// Files of different times (an Elastic IP that moved) can give an
/// instance the address a NAT gateway holds; AWS gives an address one
/// holder, so the NAT gateway keeps it and the instance is written without.
#[test]
fn a_public_ip_a_nat_gateway_holds_is_not_an_instances_too() {
    let imported = lambda_nat_edited(
        "sharedip",
        &[("Reservations.json", &|v| {
            v["Reservations"][0]["Instances"][0]["PublicIpAddress"] = "198.51.100.7".into();
        })],
    )
    .expect("imports");
    let d = load("shared public IP", &imported.text);
    let text = note_text(&imported, NoteKind::Approximated, "i-0a1a00000000000a1");
    assert!(
        text.contains(
            "public IP 198.51.100.7 is NAT gateway nat-0a1a00000000000n1's too, and an address has one holder; imported without a public IP"
        ),
        "{text}"
    );
    assert_eq!(
        imported
            .text
            .matches("public_ip = \"198.51.100.7\"")
            .count(),
        1,
        "{}",
        imported.text
    );
    assert!(d.lookup("nat-0a1a00000000000n1").is_some());
}

/// An id holding a space (no AWS id does) is mended in every file that
/// names it, with a note; one whose mended form another id has is refused,
/// naming it.
#[test]
fn an_id_holding_a_space_is_mended_or_refused_never_written() {
    let odd = "sg-0a1a 0000000000a01";
    let edit = |v: &mut serde_json::Value| replace_strings(v, "sg-0a1a0000000000a01", odd);
    let imported = lambda_nat_edited(
        "oddid",
        &[
            ("SecurityGroups.json", &edit),
            ("Reservations.json", &edit),
            ("NetworkInterfaces.json", &edit),
            ("Functions.json", &edit),
        ],
    )
    .expect("imports");
    let d = load("odd id", &imported.text);
    assert!(
        d.lookup("sg-0a1a-0000000000a01").is_some(),
        "{}",
        imported.text
    );
    let text = note_text(&imported, NoteKind::Approximated, "sg-0a1a-0000000000a01");
    assert!(
        text.contains("`sg-0a1a 0000000000a01`, which holds U+0020 SPACE"),
        "{text}"
    );
    // Only the note gives the id as the files write it.
    assert!(
        !imported.text.contains(&format!("\"{odd}\"")),
        "{}",
        imported.text
    );
    // Mended, it would be another group's id: refused.
    let clash = |v: &mut serde_json::Value| {
        replace_strings(v, "sg-0a1a0000000000d01", "sg-0a1a0000000000a01\u{200B}")
    };
    let err = lambda_nat_edited("oddclash", &[("SecurityGroups.json", &clash)])
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains(
            "security_group `sg-0a1a0000000000a01\\u{200B}`: its id holds U+200B ZERO WIDTH SPACE"
        ),
        "{err}"
    );
}

#[test]
fn nacl_2_a_rule_number_outside_1_to_32766_is_left_out() {
    let imported = lambda_nat_edited(
        "rule0",
        &[("NetworkAcls.json", &|v| {
            let acl = v["NetworkAcls"]
                .as_array_mut()
                .and_then(|a| {
                    a.iter_mut()
                        .find(|a| a["NetworkAclId"] == "acl-0a1a0000000000a01")
                })
                .expect("the app subnet's NACL");
            let entries = acl["Entries"].as_array_mut().expect("entries");
            for n in [0, 32768] {
                entries.push(serde_json::json!({
                    "CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "-1",
                    "RuleAction": "deny", "RuleNumber": n
                }));
            }
        })],
    )
    .expect("imports");
    load("rule 0", &imported.text);
    let text = note_text(&imported, NoteKind::Unsupported, "acl-0a1a0000000000a01");
    assert!(
        text.contains("inbound rule number 0 left out: rules are numbered 1 to 32766 (NACL-2)")
            && text.contains("inbound rule number 32768 left out"),
        "{text}"
    );
}

#[test]
fn host_bits_in_vpc_subnet_route_and_nacl_cidrs_are_noted() {
    let imported = lambda_nat_edited(
        "hostbits",
        &[
            ("Subnets.json", &|v| {
                v["Subnets"][1]["CidrBlock"] = "10.20.1.5/24".into();
            }),
            ("RouteTables.json", &|v| {
                let t = v["RouteTables"]
                    .as_array_mut()
                    .and_then(|a| {
                        a.iter_mut()
                            .find(|t| t["RouteTableId"] == "rtb-0a1a00000000000p1")
                    })
                    .expect("the public table");
                t["Routes"].as_array_mut().expect("routes").push(serde_json::json!({
                    "DestinationCidrBlock": "172.16.0.9/12",
                    "GatewayId": "igw-0a1a00000000000g1", "Origin": "CreateRoute", "State": "active"
                }));
            }),
            ("NetworkAcls.json", &|v| {
                v["NetworkAcls"][0]["Entries"][0]["CidrBlock"] = "0.0.0.1/0".into();
            }),
        ],
    )
    .expect("imports");
    load("host bits", &imported.text);
    let subnet = note_text(
        &imported,
        NoteKind::Approximated,
        "subnet-0a1a00000000000a1",
    );
    assert!(
        subnet.contains("CIDR 10.20.1.5/24 has host bits set; written as 10.20.1.0/24"),
        "{subnet}"
    );
    let route = note_text(&imported, NoteKind::Approximated, "rtb-0a1a00000000000p1");
    assert!(
        route.contains(
            "route destination 172.16.0.9/12 has host bits set; written as 172.16.0.0/12"
        ),
        "{route}"
    );
    assert!(
        imported
            .text
            .contains("{ destination = \"172.16.0.0/12\", target = \"igw-0a1a00000000000g1\" }"),
        "{}",
        imported.text
    );
    let acl = note_text(&imported, NoteKind::Approximated, "acl-0a1a0000000000d01");
    assert!(
        acl.contains("CIDR 0.0.0.1/0 has host bits set; written as 0.0.0.0/0"),
        "{acl}"
    );
}

/// A tag can hold what would change how its comment reads (a right-to-left
/// override): written escaped, as the loader shows such a character.
#[test]
fn a_name_tag_with_an_invisible_character_is_escaped_in_its_comment() {
    let imported = lambda_nat_edited(
        "bidi",
        &[("Reservations.json", &|v| {
            v["Reservations"][0]["Instances"][0]["Tags"][0]["Value"] =
                "app\u{202E}1\u{200B}".into();
        })],
    )
    .expect("imports");
    load("bidi", &imported.text);
    assert!(
        imported
            .text
            .contains("# Name: app\\u{202E}1\\u{200B}\n[[instance]]"),
        "{}",
        imported.text
    );
    assert!(!imported.text.contains('\u{202E}'), "{}", imported.text);
}

#[test]
fn nat_1_a_route_to_a_nat_gateways_interface_is_a_route_to_the_nat_gateway() {
    let imported = lambda_nat_edited(
        "nateni",
        &[("RouteTables.json", &|v| {
            let routes = v["RouteTables"][2]["Routes"]
                .as_array_mut()
                .expect("routes");
            routes.push(serde_json::json!({
                "DestinationCidrBlock": "0.0.0.0/0",
                "NetworkInterfaceId": "eni-0a1a00000000nat01",
                "Origin": "CreateRoute",
                "State": "active"
            }));
        })],
    )
    .expect("imports");
    let d = load("route to the NAT gateway's ENI", &imported.text);
    assert!(
        imported.text.contains(
            "id = \"rtb-0a1a00000000000m1\"\nvpc = \"vpc-0a1a000000000000a\"\nmain = true\nroutes = [\n  { destination = \"0.0.0.0/0\", target = \"nat-0a1a00000000000n1\" },\n]\n"
        ),
        "{}",
        imported.text
    );
    assert!(
        !imported
            .notes
            .iter()
            .any(|n| n.id == "eni-0a1a00000000nat01"),
        "{:#?}",
        imported.notes
    );
    let text = note_text(&imported, NoteKind::Approximated, "rtb-0a1a00000000000m1");
    assert!(
        text.contains("the network interface of NAT gateway nat-0a1a00000000000n1"),
        "{text}"
    );
    assert!(d.lookup("nat-0a1a00000000000n1").is_some());
}

#[test]
fn lam_2_a_function_none_of_whose_subnets_is_imported_is_noted_for_its_subnets() {
    let imported = lambda_nat_edited(
        "lambdasubnet",
        &[("Functions.json", &|v| {
            v["Functions"][0]["VpcConfig"]["SubnetIds"] = serde_json::json!(["subnet-gone"]);
        })],
    )
    .expect("imports");
    let text = note_text(&imported, NoteKind::Unknown, "fetch-prices");
    assert!(
        text.contains("none of whose subnets (subnet-gone) is imported"),
        "{text}"
    );
    // Its group is in its VPC: no note blames it.
    assert!(
        !imported
            .notes
            .iter()
            .any(|n| n.id == "sg-0a1a0000000000f01"),
        "{:#?}",
        imported.notes
    );
}

#[test]
fn a_rule_naming_an_ipv6_prefix_list_is_noted_as_ipv6_not_as_missing() {
    let imported = lambda_nat_edited(
        "v6list",
        &[
            ("ManagedPrefixLists.json", &|v| {
                *v = serde_json::json!({"PrefixLists": [{
                    "PrefixListId": "pl-0v6", "AddressFamily": "IPv6",
                    "State": "create-complete", "PrefixListName": "v6", "MaxEntries": 5
                }]});
            }),
            ("SecurityGroups.json", &|v| {
                v["SecurityGroups"][1]["IpPermissions"][0]["PrefixListIds"] =
                    serde_json::json!([{"PrefixListId": "pl-0v6"}]);
            }),
        ],
    )
    .expect("imports");
    load("IPv6 prefix list", &imported.text);
    let list = note_text(&imported, NoteKind::Unsupported, "pl-0v6");
    assert!(list.contains("IPv6"), "{list}");
    assert!(
        !imported.notes.iter().any(|n| n.kind == NoteKind::Unknown),
        "{:#?}",
        imported.notes
    );
    let rule = note_text(&imported, NoteKind::Unsupported, "sg-0a1a0000000000a01");
    assert!(rule.contains("pl-0v6") && rule.contains("IPv6"), "{rule}");
}

#[test]
fn a_file_with_a_byte_order_mark_imports_like_one_without() {
    let plain = import(&fixture("lambda-nat"));
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-bom-{}", std::process::id()));
    let dir = tmp.join("lambda-nat");
    let _ = std::fs::remove_dir_all(&tmp);
    copy_dir(&fixture("lambda-nat"), &dir);
    let vpcs = dir.join("Vpcs.json");
    let text = std::fs::read_to_string(&vpcs).expect("read");
    std::fs::write(&vpcs, format!("\u{feff}{text}")).expect("write");
    let got = import_aws(&dir);
    let _ = std::fs::remove_dir_all(&tmp);
    assert_eq!(got.expect("a BOM is read past").text, plain.text);
}

#[test]
fn a_list_where_the_describe_object_belongs_is_said_in_json_words() {
    let e = lambda_nat_edited("array", &[("Vpcs.json", &|v| *v = serde_json::json!([]))])
        .expect_err("a list is not describe output");
    let text = e.to_string();
    assert!(
        text.starts_with("Vpcs.json: $: a list ([...]) where an object ({...}) is expected"),
        "{text}"
    );
    assert!(!text.contains("struct"), "{text}");
    let e = lambda_nat_edited(
        "rulestr",
        &[("NetworkAcls.json", &|v| {
            v["NetworkAcls"][0]["Entries"][0]["RuleNumber"] = "100".into();
        })],
    )
    .expect_err("a rule number in quotes");
    let text = e.to_string();
    assert!(text.contains("expected a whole number"), "{text}");
    assert!(!text.contains("i64"), "{text}");
}

#[test]
fn every_snapshot_validates_with_any_one_file_missing() {
    let Some(root) = snapshots() else { return };
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-drop-{}", std::process::id()));
    for name in SNAPSHOTS {
        let copy = tmp.join(name);
        copy_dir(&root.join(name), &copy);
        let files: Vec<PathBuf> = walk(&copy);
        for f in files {
            let saved = std::fs::read(&f).expect("read");
            std::fs::remove_file(&f).expect("remove");
            match import_aws(&copy) {
                Ok(i) => {
                    load(&format!("{name} without {}", f.display()), &i.text);
                }
                // Only a folder left with nothing to read may fail.
                Err(ImportError::Empty(_)) => {}
                Err(e) => panic!("{name} without {}: {e}", f.display()),
            }
            std::fs::write(&f, saved).expect("restore");
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn one_folder_per_region() {
    let Some(root) = snapshots() else { return };
    let tmp = std::env::temp_dir().join(format!("vpcsim-import-regions-{}", std::process::id()));
    let dir = tmp.join("two-regions");
    copy_dir(
        &root.join("test-vpc-endpoint-gateway/aws_configs/us-east-1"),
        &dir.join("us-east-1"),
    );
    copy_dir(
        &root.join("test-nat-gateway/aws_configs"),
        &dir.join("us-east-2"),
    );
    let (imported, d) = import_and_load(&dir, "");
    assert_eq!(d.name, "two-regions");
    assert_eq!(d.region, "us-east-1");
    assert_eq!((d.vpcs.len(), d.instances.len()), (2, 5));
    assert_eq!(
        notes_of(&imported, NoteKind::Approximated),
        ["region", "t2.micro"]
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn malformed_files_name_the_file_and_the_path() {
    let err = import_aws(&fixture("malformed")).expect_err("a number is no CIDR");
    assert!(matches!(err, ImportError::Json(_)));
    let msg = err.to_string();
    assert!(
        msg.starts_with("Subnets.json: $.Subnets[3].CidrBlock: invalid type: integer `1006003`, expected a string"),
        "{msg}"
    );
    let err = import_aws(&fixture("truncated")).expect_err("the file is cut");
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "Vpcs.json: $.Vpcs[0].CidrBlockAssociationSet[0].CidrBlockState: EOF while parsing"
        ),
        "{msg}"
    );
    let err = import_aws(&fixture("no-such-folder")).expect_err("missing");
    assert!(matches!(err, ImportError::Io { .. }), "{err}");
    // A folder without describe output is an error, not an empty design.
    let err = import_aws(&fixture("")).expect_err("no JSON at the top");
    assert!(matches!(err, ImportError::Empty(_)), "{err}");
}

#[test]
fn command_line() {
    let exe = env!("CARGO_BIN_EXE_vpcsim");
    let out_file =
        std::env::temp_dir().join(format!("vpcsim-import-cli-{}.toml", std::process::id()));
    let run = Command::new(exe)
        .args(["import", "aws"])
        .arg(fixture("middlebox"))
        .arg("-o")
        .arg(&out_file)
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0));
    let written = std::fs::read_to_string(&out_file).expect("written");
    assert_eq!(written, import(&fixture("middlebox")).text);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("vpcsim import: unknown: tgw-0b2b0000000000001: transit gateway whose VPC attachments are not in the files"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&out_file);
    // Without -o: the scenario on standard output.
    let run = Command::new(exe)
        .args(["import", "aws"])
        .arg(fixture("lambda-nat"))
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        import(&fixture("lambda-nat")).text
    );
    // Unreadable input: exit 2, and the place of the fault.
    let run = Command::new(exe)
        .args(["import", "aws"])
        .arg(fixture("malformed"))
        .output()
        .expect("runs");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("Subnets.json: $.Subnets[3].CidrBlock"));
    assert!(run.stdout.is_empty());
}

/// IFE-7: an S3 interface endpoint with private DNS, in a VPC that has the
/// S3 gateway endpoint too, answers in-VPC names only where the account
/// turned `PrivateDnsOnlyForInboundResolverEndpoint` off; AWS's default
/// (on) leaves in-VPC names to the gateway endpoint.
#[test]
fn ife_7_private_dns_only_for_inbound_resolver_endpoint_is_imported() {
    let private_dns_in_vpc = |only_inbound: Option<bool>| {
        let tmp = std::env::temp_dir().join(format!(
            "vpcsim-import-ife7-{}-{only_inbound:?}",
            std::process::id()
        ));
        let dir = tmp.join("lambda-nat");
        copy_dir(&fixture("lambda-nat"), &dir);
        let mut interface = serde_json::json!({
            "VpcEndpointId": "vpce-0a1a000000000s3i1",
            "VpcEndpointType": "Interface",
            "VpcId": "vpc-0a1a000000000000a",
            "ServiceName": "com.amazonaws.us-west-2.s3",
            "State": "available",
            "SubnetIds": ["subnet-0a1a00000000000p1"],
            "Groups": [{ "GroupId": "sg-0a1a0000000000a01", "GroupName": "app" }],
            "PrivateDnsEnabled": true,
            "NetworkInterfaceIds": []
        });
        if let Some(v) = only_inbound {
            interface["DnsOptions"] = serde_json::json!({
                "DnsRecordIpType": "ipv4",
                "PrivateDnsOnlyForInboundResolverEndpoint": v
            });
        }
        let endpoints = serde_json::json!({ "VpcEndpoints": [{
            "VpcEndpointId": "vpce-0a1a000000000s3g1",
            "VpcEndpointType": "Gateway",
            "VpcId": "vpc-0a1a000000000000a",
            "ServiceName": "com.amazonaws.us-west-2.s3",
            "State": "available",
            "RouteTableIds": ["rtb-0a1a00000000000p1"]
        }, interface]});
        std::fs::write(dir.join("VpcEndpoints.json"), endpoints.to_string()).expect("write");
        let lists = serde_json::json!({ "PrefixLists": [{
            "PrefixListId": "pl-68a54001",
            "PrefixListName": "com.amazonaws.us-west-2.s3",
            "Cidrs": ["52.218.128.0/17", "3.5.76.0/22"]
        }]});
        std::fs::write(dir.join("PrefixLists.json"), lists.to_string()).expect("write");
        let (imported, d) = import_and_load(&dir, "");
        let _ = std::fs::remove_dir_all(&tmp);
        let text = &imported.text;
        assert!(d.lookup("vpce-0a1a000000000s3g1").is_some(), "{text}");
        let written = text.contains("private_dns_only_for_inbound_resolver_endpoint = false");
        let Some(vpcsim::model::Component::Endpoint(e)) = d.lookup("vpce-0a1a000000000s3i1") else {
            panic!("the interface endpoint is imported: {text}");
        };
        let vpcsim::model::EndpointKind::Interface { private_dns, .. } = &d.endpoints[e.idx()].kind
        else {
            panic!("an interface endpoint");
        };
        assert_eq!(written, *private_dns, "{text}");
        *private_dns
    };
    assert!(private_dns_in_vpc(Some(false)));
    assert!(!private_dns_in_vpc(Some(true)));
    assert!(!private_dns_in_vpc(None));
}
