//! Parse, print, parse: printing a scenario (`scenario::print::print`) and
//! loading the text gives the same model as loading the original, on every
//! shipped scenario and on generated ones (format version 1, docs/scenario-format.md).
//!
//! Designs are compared by a canonical rendering: their `Debug` text with the
//! line numbers of expectations, which depend on the layout, set to 0.

mod common;

use std::path::PathBuf;

use proptest::prelude::*;
use vpcsim::model::{self, Design};
use vpcsim::scenario::{self, Diags};

fn canonical(mut d: Design) -> String {
    for e in &mut d.expects {
        e.line = 0;
    }
    format!("{d:#?}")
}

fn load(file: &str, text: &str) -> Design {
    match model::load_str(file, text) {
        Ok(l) => l.design,
        Err(r) => panic!("{file} does not load:\n{r}\n--- text ---\n{text}"),
    }
}

/// The printed text of a scenario that loads.
fn printed(text: &str) -> String {
    let mut d = Diags::default();
    let raw = scenario::parse(text, &mut d);
    assert!(!d.has_errors(), "the text parses without errors");
    scenario::print::print(&raw)
}

fn assert_round_trip(file: &str, text: &str) {
    let original = canonical(load(file, text));
    let once = printed(text);
    let again = canonical(load(&format!("{file} (printed)"), &once));
    if original != again {
        let diff = original
            .lines()
            .zip(again.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {i}: {a:?} != {b:?}"));
        panic!("{file}: the printed scenario loads differently: {diff:?}\n--- printed ---\n{once}");
    }
    // Printing is stable: the printed text prints to itself.
    assert_eq!(printed(&once), once, "{file}: printing twice differs");
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn format_v1_print_parse_round_trip_on_shipped_scenarios() {
    let files = scenario_files();
    assert!(files.len() >= 10, "scenarios/ has its scenarios");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert_round_trip(&f.display().to_string(), &text);
    }
}

/// The fixtures of other tests that load, for the keys that the shipped
/// scenarios do not use (events of every kind, pricing, latency, ...).
#[test]
fn format_v1_print_parse_round_trip_on_test_fixtures() {
    let mut n = 0;
    for dir in ["tests/timeline", "tests/explain"] {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        {
            let text = std::fs::read_to_string(f).unwrap();
            if model::load_str("fixture", &text).is_ok() {
                assert_round_trip(&f.display().to_string(), &text);
                n += 1;
            }
        }
    }
    assert!(n > 0, "some fixtures load");
}

/// Scenarios written by `vpcsim import aws`, from the test fixtures and from
/// the AWS snapshots in `shared/` when they are there.
#[test]
fn format_v1_print_parse_round_trip_on_imported_designs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = [
        "bgp-vpn",
        "inter-region-peering",
        "lambda-nat",
        "middlebox",
        "multi-account",
        "private-nat",
        "transit-gateway",
        "tgw-vpn",
    ]
    .iter()
    .map(|f| root.join("tests/import").join(f))
    .collect();
    if let Ok(entries) = std::fs::read_dir(root.join("../../shared/aws-snapshots")) {
        dirs.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir()),
        );
    }
    dirs.sort();
    let mut n = 0;
    for dir in dirs {
        let Ok(imported) = vpcsim::import::import_aws(&dir) else {
            continue;
        };
        if model::load_str("imported", &imported.text).is_ok() {
            assert_round_trip(&dir.display().to_string(), &imported.text);
            n += 1;
        }
    }
    assert!(n >= 3, "the fixtures import and load");
}

#[test]
fn format_v1_print_keeps_every_kind_of_value() {
    let text = r#"
[scenario]
name = "every \"kind\" of value\\"
description = "line one\nline two\ttab"
seed = 18446744073709551615
duration = "1.5s"
region = "eu-west-1"
account_id = "000011112222"

[pricing]
nat_gateway_hour = 1
nat_gateway_gb = 0.0451
internet_out_gb = 1e-3

[latency]
same_az = "75us"
cross_az = "1.25ms"
vpn = "20ms"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16", "10.1.0.0/24"]

[[subnet]]
id = "s"
vpc = "v"
cidr = "10.0.0.0/24"
az = "eu-west-1a"
route_table = "rt"
network_acl = "acl"

[[subnet]]
id = "s2"
vpc = "v"
cidr = "10.0.1.0/24"
az = "eu-west-1b"

[[route_table]]
id = "rt"
vpc = "v"
main = false
routes = [
  { destination = "0.0.0.0/0", target = "igw" },
  { destination = "172.16.0.0/12", target = "gone", state = "blackhole" },
  { destination = "pl-x", target = "fw" },
]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[nat_gateway]]
id = "nat-p"
subnet = "s"
connectivity = "private"

[[prefix_list]]
id = "pl-x"
name = "partners"
cidrs = ["198.51.100.0/24"]

[[prefix_list]]
id = "pl-s3"
name = "com.amazonaws.eu-west-1.s3"
cidrs = ["52.216.0.0/15"]

[[vpc_endpoint]]
id = "vpce-s3"
type = "gateway"
vpc = "v"
service = "s3"
route_tables = ["rt"]

[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "v"
service = "sqs"
subnets = ["s2"]
security_groups = ["sg"]
private_dns = false
listen = [{ protocol = "tcp", port = 8443 }]

[[security_group]]
id = "sg"
vpc = "v"
ingress = [
  { protocol = "tcp", ports = "22", source_group = "sg", description = "ssh" },
  { protocol = "icmp", icmp_type = 3, icmp_code = 4, cidr = "0.0.0.0/0" },
  { protocol = 50, prefix_list = "pl-x" },
]
egress = [{ protocol = "all", ports = "all", dest_group = "sg" }]

[[security_group]]
id = "sg-default-egress"
vpc = "v"

[[security_group]]
id = "sg-no-egress"
vpc = "v"
ingress = []
egress = []

[[network_acl]]
id = "acl"
vpc = "v"
ingress = [{ rule = 10, protocol = "udp", ports = "1024-65535", cidr = "0.0.0.0/0", action = "deny" }]
egress = [{ rule = 20, protocol = "icmp", icmp_type = 8, cidr = "10.0.0.0/8", action = "allow" }]

[[vpn_gateway]]
id = "vgw"
vpc = "v"
propagate_to = ["rt"]

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw"
latency = "8ms"

[[instance]]
id = "fw"
subnet = "s"
private_ip = "10.0.0.10"
public_ip = "3.3.3.3"
security_groups = ["sg"]
source_dest_check = false
eni = "eni-fw"
listen = [{ protocol = "tcp", port = 22 }, { protocol = "icmp" }]

[[instance]]
id = "plain"
subnet = "s2"

[[lambda]]
id = "fn"
subnets = ["s2"]
security_groups = ["sg"]
concurrency = 7

[[lambda]]
id = "outside"

[[external_host]]
id = "api"
ip = "93.184.216.34"
listen = [{ protocol = "tcp", port = 443 }]

[[aws_service]]
id = "s3"
service = "s3"
ips = ["52.216.0.10"]
listen = []

[[onprem_host]]
id = "build"
network = "office"
ip = "192.168.10.5"

[[traffic]]
id = "t1"
from = "fw"
to = "api"
protocol = "tcp"
port = 443
pattern = "requests"
rate = "0.125/s"
request = "1KiB"
response = 8192
hold = "2s"
timeout = "3s"
start = "10ms"
stop = "1s"
arrivals = "fixed"
dns_ttl = "30s"

[[traffic]]
id = "t2"
from = "build"
to = "10.0.0.10"
pattern = "bulk"
port = 22
size = "1MB"

[[event]]
at = "0.5s"
delete = "nat-p"

[[event]]
at = "0.6s"
add_route = { route_table = "rt", destination = "10.9.0.0/16", target = "fw" }

[[event]]
at = "0.7s"
delete_route = { route_table = "rt", destination = "10.9.0.0/16" }

[[event]]
at = "0.8s"
set = { resource = "sg", ingress = [{ protocol = "tcp", ports = "443", cidr = "0.0.0.0/0" }], egress = [] }

[[event]]
at = "0.9s"
set = { resource = "acl", ingress = [], egress = [{ rule = 5, protocol = "all", cidr = "0.0.0.0/0", action = "allow" }] }

[[event]]
at = "1s"
set = { resource = "fw", security_groups = ["sg"], source_dest_check = true }

[[event]]
at = "1.1s"
set = { resource = "s2", route_table = "rt", network_acl = "acl" }

[[event]]
at = "1.2s"
set = { resource = "rt", routes = [{ destination = "0.0.0.0/0", target = "igw" }] }

[[event]]
at = "1.3s"
set = { resource = "vpce-s3", route_tables = [] }

[[event]]
at = "1.4s"
set = { resource = "vgw", propagate_to = [] }

[[expect]]
traffic = "t1"
window = ["0s", "1s"]
delivered = ">= 99.5%"
via = ["igw"]
not_via = ["nat-p"]

[[expect]]
traffic = "t2"
delivered = 3
drop_reason = "no_route"
drop_at = "rt"

[[expect]]
traffic = "t2"
delivered = "<= 2"
"#;
    assert_round_trip("every-value.toml", text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn format_v1_print_parse_round_trip_on_generated_designs(seed in any::<u64>(), mb in any::<bool>(), ni in any::<bool>()) {
        let text = common::walk_design(seed, common::WalkOpts { nat_igw: ni, middleboxes: mb });
        assert_round_trip("walk.toml", &text);
        let text = common::traffic_design(seed);
        assert_round_trip("traffic.toml", &text);
    }
}
