//! The loader never panics: whatever it is given, it returns a design or a
//! report of errors.
//!
//! Inputs: arbitrary bytes (through `read_text`, as `load_file` reads a file),
//! arbitrary text, TOML documents generated from the format's own key names
//! and plausible values mixed with junk, and byte-level mutations of a valid
//! scenario; then fixed cases at the edges (empty, binary, 10 MB, deeply
//! nested). The number of generated cases is modest by default; set
//! `PROPTEST_CASES` for a longer run (it overrides the count given here).

use std::fmt::Write as _;

use proptest::prelude::*;
use vpcsim::model::load_str;
use vpcsim::scenario::{self, Diags, Report, Severity};

/// Loads bytes the way `load_file` does, and checks the shape of the result:
/// an `Ok` carries no error, an `Err` at least one, and every line is
/// `file:line:col: severity: message` with line and column from 1.
fn load_bytes(bytes: &[u8]) -> Result<(), Report> {
    let mut d = Diags::default();
    match scenario::read_text(bytes, &mut d) {
        Ok(text) => load_text(&text),
        Err(e) => {
            let report = Report::new("fuzz.toml", e.valid_prefix(), &d);
            check_shape(&report, false);
            Err(report)
        }
    }
}

fn load_text(text: &str) -> Result<(), Report> {
    match load_str("fuzz.toml", text) {
        Ok(loaded) => {
            check_shape(&loaded.report, true);
            Ok(())
        }
        Err(report) => {
            check_shape(&report, false);
            Err(report)
        }
    }
}

fn check_shape(report: &Report, loaded: bool) {
    if loaded {
        assert_eq!(report.errors(), 0, "a design loaded with errors:\n{report}");
    } else {
        assert!(report.errors() > 0, "a file was refused without an error");
    }
    for (line, col, _, msg) in &report.entries {
        assert!(*line >= 1 && *col >= 1, "position {line}:{col} of {msg}");
        assert!(!msg.is_empty());
    }
    for l in report.lines() {
        assert!(l.starts_with("fuzz.toml:"), "{l}");
    }
}

fn assert_refused(text: &str) -> Report {
    match load_text(text) {
        Ok(()) => panic!("accepted"),
        Err(r) => r,
    }
}

// -- generated TOML documents ---------------------------------------------------

/// Every key of the format, tables included, and a few that are not.
const KEYS: &[&str] = &[
    "scenario",
    "pricing",
    "latency",
    "vpc",
    "subnet",
    "route_table",
    "internet_gateway",
    "nat_gateway",
    "prefix_list",
    "vpc_endpoint",
    "security_group",
    "network_acl",
    "vpc_peering",
    "vpn_gateway",
    "onprem_network",
    "instance",
    "lambda",
    "external_host",
    "aws_service",
    "onprem_host",
    "traffic",
    "event",
    "expect",
    "name",
    "description",
    "seed",
    "duration",
    "region",
    "account_id",
    "nat_gateway_hour",
    "nat_gateway_gb",
    "interface_endpoint_hour",
    "interface_endpoint_gb",
    "internet_out_gb",
    "cross_az_gb",
    "same_az",
    "cross_az",
    "internet",
    "vpn",
    "id",
    "cidrs",
    "cidr",
    "az",
    "main",
    "routes",
    "destination",
    "target",
    "state",
    "connectivity",
    "public_ip",
    "private_ip",
    "type",
    "service",
    "route_tables",
    "subnets",
    "security_groups",
    "private_dns",
    "listen",
    "ingress",
    "egress",
    "protocol",
    "ports",
    "source_group",
    "dest_group",
    "icmp_type",
    "icmp_code",
    "rule",
    "action",
    "default",
    "requester",
    "accepter",
    "propagate_to",
    "via",
    "source_dest_check",
    "eni",
    "port",
    "concurrency",
    "ip",
    "ips",
    "network",
    "from",
    "to",
    "pattern",
    "rate",
    "request",
    "response",
    "size",
    "hold",
    "timeout",
    "start",
    "stop",
    "arrivals",
    "at",
    "delete",
    "add_route",
    "delete_route",
    "set",
    "resource",
    "traffic",
    "window",
    "delivered",
    "not_via",
    "drop_reason",
    "drop_at",
    // not keys of the format
    "vpcs",
    "cidrr",
    "x",
    "",
    "é",
    "a b",
    "a.b",
    "[",
    "\"",
    "\\",
    "\u{0}",
];

/// Top-level tables and arrays of tables.
const TABLES: &[&str] = &["scenario", "pricing", "latency"];
const ARRAYS: &[&str] = &[
    "vpc",
    "subnet",
    "route_table",
    "internet_gateway",
    "nat_gateway",
    "prefix_list",
    "vpc_endpoint",
    "security_group",
    "network_acl",
    "vpc_peering",
    "vpn_gateway",
    "onprem_network",
    "instance",
    "lambda",
    "external_host",
    "aws_service",
    "onprem_host",
    "traffic",
    "event",
    "expect",
    "vpcs",
    "junk",
];

/// Strings a scenario uses: ids from a small pool (so that references
/// resolve), addresses, prefixes, durations, rates, sizes, words.
const STRINGS: &[&str] = &[
    "v",
    "v2",
    "a",
    "b",
    "rt",
    "sg",
    "acl",
    "igw",
    "nat",
    "pl",
    "vpce",
    "pcx",
    "vgw",
    "office",
    "web",
    "fn",
    "api",
    "s3",
    "t",
    "local",
    "v/main-rt",
    "v/default-sg",
    "v/default-acl",
    "pl-63a5400a",
    "10.0.0.0/16",
    "10.0.0.0/24",
    "10.0.1.0/24",
    "10.0.0.0/28",
    "0.0.0.0/0",
    "10.0.0.1/16",
    "192.168.0.0/16",
    "10.0.0.0/8",
    "::/0",
    "2001:db8::/32",
    "10.0.0.4",
    "10.0.0.255",
    "3.35.0.10",
    "93.184.216.34",
    "52.216.8.10",
    "2001:db8::1",
    "1.2.3.4.5",
    "10s",
    "0s",
    "1.5s",
    "250us",
    "2m",
    "1h",
    "10",
    "s",
    "99999999999999999999h",
    "1/s",
    "0/s",
    "20/s",
    "0.001/s",
    "400B",
    "64KiB",
    "10MB",
    "443",
    "22",
    "1024-65535",
    "80-22",
    "all",
    "70000",
    "tcp",
    "udp",
    "icmp",
    "-1",
    "50",
    "requests",
    "ping",
    "udp",
    "bulk",
    "poisson",
    "fixed",
    "gateway",
    "interface",
    "public",
    "private",
    "blackhole",
    "active",
    "allow",
    "deny",
    "sqs",
    "dynamodb",
    "100%",
    ">= 50%",
    "<= 0%",
    "101%",
    "5",
    "no_route",
    "route_blackhole",
    "sg_ingress_denied",
    "junk",
    "us-east-1",
    "eu-west-1",
    "us-east-1a",
    "US EAST",
    "com.amazonaws.us-east-1.s3",
    "",
    " ",
    "é",
    "\u{0}",
    "\n",
    "\"",
    "\\",
];

#[derive(Clone, Debug)]
enum Val {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date,
    Array(Vec<Val>),
    Table(Vec<(String, Val)>),
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        9 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-z_]{1,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Val> {
    prop_oneof![
        8 => prop::sample::select(STRINGS).prop_map(|s| Val::Str(s.to_string())),
        1 => any::<String>().prop_map(Val::Str),
        3 => prop_oneof![
            Just(0i64), Just(1), Just(-1), Just(100), Just(443), Just(32766),
            Just(32767), Just(65535), Just(65536), Just(i64::MAX), Just(i64::MIN),
            any::<i64>(),
        ]
        .prop_map(Val::Int),
        1 => prop_oneof![Just(0.5f64), Just(f64::NAN), Just(f64::INFINITY), any::<f64>()]
            .prop_map(Val::Float),
        2 => any::<bool>().prop_map(Val::Bool),
        1 => Just(Val::Date),
    ]
}

fn value() -> impl Strategy<Value = Val> {
    leaf().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Val::Array),
            prop::collection::vec((key(), inner), 0..5).prop_map(Val::Table),
        ]
    })
}

/// The keys of each table of the format, so that generated tables are
/// mostly made of the right keys and reach validation.
const TABLE_KEYS: &[(&str, &[&str])] = &[
    (
        "scenario",
        &[
            "name",
            "description",
            "seed",
            "duration",
            "region",
            "account_id",
        ],
    ),
    (
        "pricing",
        &[
            "nat_gateway_hour",
            "nat_gateway_gb",
            "interface_endpoint_hour",
            "interface_endpoint_gb",
            "internet_out_gb",
            "cross_az_gb",
        ],
    ),
    (
        "latency",
        &["same_az", "cross_az", "internet", "aws_service", "vpn"],
    ),
    ("vpc", &["id", "cidrs"]),
    (
        "subnet",
        &["id", "vpc", "cidr", "az", "route_table", "network_acl"],
    ),
    ("route_table", &["id", "vpc", "main", "routes"]),
    ("internet_gateway", &["id", "vpc"]),
    (
        "nat_gateway",
        &["id", "subnet", "connectivity", "public_ip", "private_ip"],
    ),
    ("prefix_list", &["id", "name", "cidrs"]),
    (
        "vpc_endpoint",
        &[
            "id",
            "type",
            "vpc",
            "service",
            "route_tables",
            "subnets",
            "security_groups",
            "private_dns",
            "listen",
        ],
    ),
    ("security_group", &["id", "vpc", "ingress", "egress"]),
    (
        "network_acl",
        &["id", "vpc", "default", "ingress", "egress"],
    ),
    ("vpc_peering", &["id", "requester", "accepter"]),
    ("vpn_gateway", &["id", "vpc", "propagate_to"]),
    ("onprem_network", &["id", "cidrs", "via", "latency"]),
    (
        "instance",
        &[
            "id",
            "subnet",
            "private_ip",
            "public_ip",
            "security_groups",
            "source_dest_check",
            "eni",
            "listen",
        ],
    ),
    (
        "lambda",
        &["id", "subnets", "security_groups", "concurrency"],
    ),
    ("external_host", &["id", "ip", "listen"]),
    ("aws_service", &["id", "service", "ips", "listen"]),
    ("onprem_host", &["id", "network", "ip", "listen"]),
    (
        "traffic",
        &[
            "id", "from", "to", "protocol", "port", "pattern", "rate", "request", "response",
            "size", "hold", "timeout", "start", "stop", "arrivals",
        ],
    ),
    (
        "event",
        &["at", "delete", "add_route", "delete_route", "set"],
    ),
    (
        "expect",
        &[
            "traffic",
            "window",
            "delivered",
            "via",
            "not_via",
            "drop_reason",
            "drop_at",
        ],
    ),
];

/// Keys of inline tables: routes, rules, listeners, event actions.
const INLINE_KEYS: &[&str] = &[
    "destination",
    "target",
    "state",
    "protocol",
    "ports",
    "cidr",
    "source_group",
    "dest_group",
    "prefix_list",
    "icmp_type",
    "icmp_code",
    "description",
    "rule",
    "action",
    "port",
    "route_table",
    "resource",
    "ingress",
    "egress",
    "routes",
    "security_groups",
    "source_dest_check",
    "network_acl",
    "route_tables",
    "propagate_to",
];

/// Plausible values of each key, so that generated files get past type
/// checks into validation.
const TYPED: &[(&[&str], &[&str])] = &[
    (
        &[
            "duration",
            "at",
            "start",
            "stop",
            "hold",
            "timeout",
            "same_az",
            "cross_az",
            "internet",
            "aws_service",
            "vpn",
            "latency",
            "window",
        ],
        &[
            "10s", "1s", "0s", "2m", "250us", "30s", "1.5s", "60s", "11s",
        ],
    ),
    (
        &["cidr", "cidrs", "destination"],
        &[
            "10.0.0.0/16",
            "10.0.0.0/24",
            "10.0.1.0/24",
            "10.0.0.0/28",
            "0.0.0.0/0",
            "192.168.0.0/16",
            "10.1.0.0/16",
            "52.216.0.0/15",
            "pl",
            "pl-63a5400a",
        ],
    ),
    (
        &["ip", "ips", "public_ip", "private_ip", "to"],
        &[
            "10.0.0.4",
            "10.0.0.10",
            "10.0.1.20",
            "3.35.0.10",
            "93.184.216.34",
            "52.216.8.10",
            "192.168.1.5",
            "s3",
            "sqs",
            "web",
            "api",
        ],
    ),
    (
        &[
            "id",
            "vpc",
            "subnet",
            "subnets",
            "route_table",
            "route_tables",
            "network_acl",
            "target",
            "security_groups",
            "source_group",
            "dest_group",
            "prefix_list",
            "requester",
            "accepter",
            "propagate_to",
            "via",
            "not_via",
            "eni",
            "network",
            "from",
            "delete",
            "resource",
            "traffic",
            "drop_at",
        ],
        &[
            "v",
            "v2",
            "a",
            "b",
            "rt",
            "sg",
            "acl",
            "igw",
            "nat",
            "pl",
            "vpce",
            "pcx",
            "vgw",
            "office",
            "web",
            "fn",
            "api",
            "s3",
            "t",
            "local",
            "v/main-rt",
            "v/default-sg",
            "v/default-acl",
            "eni-1",
        ],
    ),
    (&["protocol"], &["tcp", "udp", "icmp", "all", "6", "-1"]),
    (&["ports"], &["443", "all", "1024-65535", "22"]),
    (&["rate"], &["1/s", "20/s", "0.5/s"]),
    (&["request", "response", "size"], &["400B", "8KiB", "1MB"]),
    (&["pattern"], &["requests", "ping", "udp", "bulk"]),
    (&["arrivals"], &["poisson", "fixed"]),
    (&["type"], &["gateway", "interface"]),
    (&["connectivity"], &["public", "private"]),
    (&["state"], &["active", "blackhole"]),
    (&["action"], &["allow", "deny"]),
    (&["service"], &["s3", "dynamodb", "sqs"]),
    (&["region"], &["us-east-1", "eu-west-1"]),
    (&["az"], &["us-east-1a", "us-east-1b", "eu-west-1a"]),
    (&["delivered"], &["100%", ">= 50%", "0%", "3"]),
    (
        &["drop_reason"],
        &["no_route", "route_blackhole", "sg_ingress_denied"],
    ),
    (
        &["name", "description", "account_id"],
        &["t", "com.amazonaws.us-east-1.s3"],
    ),
];

/// Keys whose value is a whole number, or true or false.
const NUMBERS: &[&str] = &[
    "port",
    "rule",
    "concurrency",
    "icmp_type",
    "icmp_code",
    "seed",
];
const BOOLS: &[&str] = &["main", "default", "private_dns", "source_dest_check"];

/// One value for a key: mostly of the kind it takes, sometimes anything.
fn typed_leaf(name: &str) -> BoxedStrategy<Val> {
    if let Some((_, pool)) = TYPED.iter().find(|(keys, _)| keys.contains(&name)) {
        let pool: &'static [&'static str] = pool;
        prop_oneof![
            6 => prop::sample::select(pool).prop_map(|s| Val::Str(s.to_string())),
            1 => leaf(),
        ]
        .boxed()
    } else if NUMBERS.contains(&name) {
        prop_oneof![
            6 => prop_oneof![Just(0i64), Just(1), Just(100), Just(443), Just(32767), 0..70_000i64]
                .prop_map(Val::Int),
            1 => leaf(),
        ]
        .boxed()
    } else if BOOLS.contains(&name) {
        prop_oneof![6 => any::<bool>().prop_map(Val::Bool), 1 => leaf()].boxed()
    } else {
        leaf().boxed()
    }
}

/// An inline table: a route, a rule, a listener or an event's action.
fn inline_table() -> BoxedStrategy<Val> {
    let entry = prop_oneof![
        6 => prop::sample::select(INLINE_KEYS).prop_map(str::to_string),
        1 => key(),
    ]
    .prop_flat_map(|k| {
        let v = typed_leaf(&k);
        (Just(k), v)
    });
    prop::collection::vec(entry, 0..6)
        .prop_map(|entries| Val::Table(unique(entries)))
        .boxed()
}

/// A value for a key: mostly the kind of value the key takes.
fn value_for(name: &str) -> BoxedStrategy<Val> {
    let list_keys = [
        "cidrs",
        "routes",
        "route_tables",
        "subnets",
        "security_groups",
        "listen",
        "ingress",
        "egress",
        "propagate_to",
        "ips",
        "window",
        "via",
        "not_via",
    ];
    if list_keys.contains(&name) {
        let item = prop_oneof![3 => typed_leaf(name), 2 => inline_table()];
        prop_oneof![
            8 => prop::collection::vec(item, 0..4).prop_map(Val::Array),
            1 => value(),
        ]
        .boxed()
    } else if ["add_route", "delete_route", "set"].contains(&name) {
        prop_oneof![4 => inline_table(), 1 => value()].boxed()
    } else {
        prop_oneof![8 => typed_leaf(name), 1 => value()].boxed()
    }
}

/// Keeps the first of entries with the same key: a TOML table cannot repeat
/// one, and a syntax error would stop the reading there.
fn unique(entries: Vec<(String, Val)>) -> Vec<(String, Val)> {
    let mut seen = std::collections::BTreeSet::new();
    entries
        .into_iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect()
}

/// Keys that tables require: present in most generated tables.
const REQUIRED: &[&str] = &[
    "name",
    "duration",
    "id",
    "cidrs",
    "vpc",
    "cidr",
    "subnet",
    "requester",
    "accepter",
    "via",
    "network",
    "ip",
    "ips",
    "from",
    "to",
    "traffic",
    "at",
    "type",
    "service",
    "rate",
    "port",
];

/// The body of a table of kind `kind`: each of its own keys or not (the
/// required ones mostly there), and now and then another key.
fn body_of(kind: &str) -> BoxedStrategy<Vec<(String, Val)>> {
    let own: &'static [&'static str] = TABLE_KEYS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&["id"][..], |(_, keys)| keys);
    let entries: Vec<BoxedStrategy<Option<(String, Val)>>> = own
        .iter()
        .map(|k| {
            let p = if REQUIRED.contains(k) { 0.9 } else { 0.4 };
            prop::option::weighted(p, value_for(k).prop_map(|v| (k.to_string(), v))).boxed()
        })
        .collect();
    let other = key().prop_flat_map(|k| {
        let v = value_for(&k);
        (Just(k), v)
    });
    (entries, prop::collection::vec(other, 0..2))
        .prop_map(|(own, other)| {
            let mut all: Vec<(String, Val)> = own.into_iter().flatten().collect();
            all.extend(other);
            unique(all)
        })
        .boxed()
}

fn table(names: &'static [&'static str]) -> impl Strategy<Value = (String, Vec<(String, Val)>)> {
    prop_oneof![
        8 => prop::sample::select(names).prop_map(str::to_string),
        1 => key(),
    ]
    .prop_flat_map(|name| {
        let body = body_of(&name);
        (Just(name), body)
    })
}

/// A document: a few top-level keys, tables and arrays of tables.
#[derive(Clone, Debug)]
struct Doc {
    root: Vec<(String, Val)>,
    tables: Vec<(String, Vec<(String, Val)>)>,
    arrays: Vec<(String, Vec<(String, Val)>)>,
}

fn doc() -> impl Strategy<Value = Doc> {
    (
        prop::collection::vec((key(), value()), 0..2),
        prop::collection::vec(table(TABLES), 0..4),
        prop::collection::vec(table(ARRAYS), 0..16),
    )
        .prop_map(|(root, tables, arrays)| Doc {
            root,
            tables,
            arrays,
        })
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                write!(out, "\\u{:04X}", c as u32).unwrap();
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_text(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { k.to_string() } else { quote(k) }
}

fn render_value(v: &Val, out: &mut String) {
    match v {
        Val::Str(s) => out.push_str(&quote(s)),
        Val::Int(i) => write!(out, "{i}").unwrap(),
        Val::Float(f) if f.is_nan() => out.push_str("nan"),
        Val::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 { "inf" } else { "-inf" }),
        Val::Float(f) => write!(out, "{f:?}").unwrap(),
        Val::Bool(b) => write!(out, "{b}").unwrap(),
        Val::Date => out.push_str("1979-05-27T07:32:00Z"),
        Val::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_value(item, out);
            }
            out.push(']');
        }
        Val::Table(entries) => {
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                out.push_str(if i > 0 { ", " } else { " " });
                out.push_str(&key_text(k));
                out.push_str(" = ");
                render_value(item, out);
            }
            out.push_str(" }");
        }
    }
}

fn render_body(entries: &[(String, Val)], out: &mut String) {
    for (k, v) in entries {
        out.push_str(&key_text(k));
        out.push_str(" = ");
        render_value(v, out);
        out.push('\n');
    }
}

/// Renders a document; a name defined twice at the top level (as a key, a
/// table or an array of tables) is left out after its first definition, as
/// TOML forbids it.
fn render(doc: &Doc) -> String {
    let mut out = String::new();
    let mut seen = std::collections::BTreeSet::new();
    let root: Vec<_> = doc
        .root
        .iter()
        .filter(|(k, _)| seen.insert(k.clone()))
        .cloned()
        .collect();
    render_body(&root, &mut out);
    for (name, body) in &doc.tables {
        if seen.insert(name.clone()) {
            writeln!(out, "\n[{}]", key_text(name)).unwrap();
            render_body(body, &mut out);
        }
    }
    let arrays: std::collections::BTreeSet<&String> = doc.arrays.iter().map(|(n, _)| n).collect();
    let clash: Vec<&String> = arrays.into_iter().filter(|n| seen.contains(*n)).collect();
    for (name, body) in &doc.arrays {
        if !clash.contains(&name) {
            writeln!(out, "\n[[{}]]", key_text(name)).unwrap();
            render_body(body, &mut out);
        }
    }
    out
}

// -- mutations of a valid scenario ------------------------------------------------

const VALID: &str = include_str!("../../scenarios/lambda-private-nat.toml");
const REFERENCE: &str = include_str!("../../docs/scenario-format.md");

/// Valid scenarios to mutate: the shipped one, and the complete examples of
/// the format reference (its TOML blocks with a `[scenario]` table).
fn bases() -> Vec<String> {
    let mut out = vec![VALID.to_string()];
    let mut block: Option<String> = None;
    for l in REFERENCE.lines() {
        match &mut block {
            None if l == "```toml" => block = Some(String::new()),
            None => {}
            Some(b) if l == "```" => {
                if b.contains("[scenario]") && b.contains("[[traffic]]") {
                    out.push(b.clone());
                }
                block = None;
            }
            Some(b) => {
                b.push_str(l);
                b.push('\n');
            }
        }
    }
    out
}

#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, String),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let text = prop_oneof![
        prop::sample::select(STRINGS).prop_map(str::to_string),
        prop::sample::select(KEYS).prop_map(str::to_string),
        prop::sample::select(
            &[
                "\"", "[", "]", "{", "}", "=", ",", "\n", "#", "[[", "0", "."
            ][..]
        )
        .prop_map(str::to_string),
    ];
    let edit = prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), text.clone()).prop_map(|(at, t)| Edit::Insert(at, t)),
        (any::<usize>(), text).prop_map(|(at, t)| Edit::Replace(at, t)),
    ];
    prop::collection::vec(edit, 1..6)
}

/// Applies edits at character boundaries of the text.
fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    let boundary = |s: &str, at: usize| {
        let mut i = at % (s.len() + 1);
        while !s.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    for e in edits {
        match e {
            Edit::Delete(at, n) => {
                let a = boundary(&s, *at);
                let b = boundary(&s, (a + n).min(s.len()));
                s.replace_range(a..b, "");
            }
            Edit::Insert(at, t) => {
                let a = boundary(&s, *at);
                s.insert_str(a, t);
            }
            Edit::Replace(at, t) => {
                // Replaces the next quoted string or number with `t`.
                let a = boundary(&s, *at);
                if let Some(start) = s[a..].find('"').map(|i| a + i) {
                    if let Some(len) = s[start + 1..].find('"') {
                        s.replace_range(start + 1..start + 1 + len, t);
                    }
                }
            }
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = load_bytes(&bytes);
    }

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        let _ = load_text(&text);
    }

    #[test]
    fn generated_documents(doc in doc()) {
        let text = render(&doc);
        let _ = load_text(&text);
    }

    #[test]
    fn mutated_scenarios(base in prop::sample::select(bases()), edits in edits()) {
        let text = apply(&base, &edits);
        let _ = load_text(&text);
    }
}

// -- fixed cases ---------------------------------------------------------------------

#[test]
fn the_unmutated_scenarios_load() {
    let bases = bases();
    assert_eq!(
        bases.len(),
        4,
        "the shipped scenario and three complete examples (one with a transit gateway)"
    );
    for text in bases {
        load_text(&text).unwrap_or_else(|r| panic!("{r}"));
    }
}

#[test]
fn resources_in_a_vpc_that_does_not_exist_are_errors_when_there_is_no_vpc_at_all() {
    // The subnet's `vpc` names nothing and the design has no VPC: the
    // instances' traffic, whose DNS names are read from their VPC, must not
    // be followed to a VPC that is not there; with the subnet's route table
    // and network ACL named (in the same VPC that is not there) or not.
    let traffic = r#"
[[instance]]
id = "web"
subnet = "a"

[[instance]]
id = "db"
subnet = "a"

[[traffic]]
id = "t"
from = "web"
to = "db"
port = 80
rate = "1/s"
"#;
    let subnet = |more: &str| {
        format!(
            "[[subnet]]\nid = \"a\"\nvpc = \"vpc-main\"\ncidr = \"10.0.0.0/24\"\naz = \"us-east-1a\"\n{more}"
        )
    };
    let bare = subnet("");
    let named = format!(
        "[[route_table]]\nid = \"rt\"\nvpc = \"vpc-main\"\n\n[[network_acl]]\nid = \"acl\"\nvpc = \"vpc-main\"\n\n{}",
        subnet("route_table = \"rt\"\nnetwork_acl = \"acl\"\n")
    );
    for resources in [bare, named] {
        let text =
            format!("[scenario]\nname = \"no vpc\"\nduration = \"1s\"\n\n{resources}{traffic}");
        // The subnet's `vpc` line.
        let line = text
            .lines()
            .position(|l| l == "[[subnet]]")
            .map_or(0, |i| i + 3);
        let r = assert_refused(&text);
        let want = format!(
            "fuzz.toml:{line}:7: error: subnet `a`: `vpc` names `vpc-main`, which does not exist (expected a VPC)"
        );
        assert!(r.lines().any(|l| l == want), "{r}");
    }
}

#[test]
fn empty_and_blank_files() {
    for text in ["", " ", "\n\n", "# only a comment\n", "\u{feff}"] {
        let r = assert_refused(text);
        assert!(
            r.lines()
                .any(|l| l.contains("the file has no [scenario] table")),
            "{text:?}: {r}"
        );
    }
}

#[test]
fn binary_junk() {
    // Not UTF-8: located at the first bad byte.
    let mut bytes = b"[scenario]\nname = \"t\"\n".to_vec();
    bytes.extend([0xff, 0xfe, 0x00, 0x9f, 0x92, 0x96]);
    let r = load_bytes(&bytes).unwrap_err();
    let lines: Vec<String> = r.lines().collect();
    assert_eq!(
        lines,
        ["fuzz.toml:3:1: error: the file is not UTF-8 text: byte 22 is invalid"]
    );
    // UTF-8, but control characters and NULs.
    let junk: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 25) as u8 & 0x7f)
        .collect();
    assert!(load_bytes(&junk).is_err());
    assert!(load_bytes(&[0u8; 1000]).is_err());
}

#[test]
fn files_over_the_size_limit_are_refused_unread() {
    let bytes = vec![b'#'; scenario::MAX_FILE_BYTES + 1];
    let r = load_bytes(&bytes).unwrap_err();
    let lines: Vec<String> = r.lines().collect();
    assert_eq!(
        lines,
        [format!(
            "fuzz.toml:1:1: error: the file is {} bytes; scenario files are limited to {} bytes",
            scenario::MAX_FILE_BYTES + 1,
            scenario::MAX_FILE_BYTES
        )]
    );
}

/// A 10 MB file: a valid head and more instances than their subnet holds.
#[test]
fn ten_megabytes() {
    let mut text = String::from(
        "[scenario]\nname = \"big\"\nduration = \"10s\"\n\n\
         [[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/16\"]\n\n\
         [[subnet]]\nid = \"a\"\nvpc = \"v\"\ncidr = \"10.0.0.0/16\"\n",
    );
    let mut n = 0;
    while text.len() < 10_000_000 {
        write!(
            text,
            "\n[[instance]]\nid = \"i{n}\"\nsubnet = \"a\"\nlisten = [ {{ protocol = \"tcp\", port = 80 }} ]\n"
        )
        .unwrap();
        n += 1;
    }
    let r = load_bytes(text.as_bytes()).unwrap_err();
    let lines: Vec<String> = r.lines().collect();
    assert_eq!(
        lines,
        [format!(
            "fuzz.toml:10:6: error: subnet `a` (10.0.0.0/16) has 65531 usable addresses but {n} network interfaces (workloads, NAT gateways, endpoint and Lambda ENIs) (ADDR-3)"
        )]
    );
}

/// Many problems of one kind: the report shows the first ones, counts the
/// rest, and the time stays linear (no check compares every pair).
#[test]
fn thousands_of_problems() {
    let mut text = String::from(
        "[scenario]\nname = \"t\"\nduration = \"10s\"\n\n\
         [[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/16\"]\n",
    );
    for i in 0..20_000 {
        write!(
            text,
            "\n[[subnet]]\nid = \"s{i}\"\nvpc = \"v\"\ncidr = \"10.0.0.0/24\"\nroute_table = \"rt{i}\"\n"
        )
        .unwrap();
    }
    let r = assert_refused(&text);
    assert_eq!(r.entries.len(), scenario::MAX_DIAGNOSTICS + 1);
    let last = r.lines().last().unwrap();
    // 19,999 overlaps and 20,000 dangling route tables.
    let more = 19_999 + 20_000 - scenario::MAX_DIAGNOSTICS;
    assert!(
        last.ends_with(&format!("... and {more} more problems")),
        "{last}"
    );
}

#[test]
fn deeply_nested_values() {
    let depth = 50_000;
    let arrays = format!("a = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let tables = format!("a = {}1{}\n", "{ b = ".repeat(depth), " }".repeat(depth));
    let dotted = format!("{} = 1\n", vec!["a"; depth].join("."));
    let headers = format!("[{}]\n", vec!["a"; depth].join("."));
    let unclosed = "[".repeat(depth).to_string();
    for text in [arrays, tables, dotted, headers, unclosed] {
        let r = assert_refused(&text);
        assert!(
            r.entries.iter().all(|e| e.2 == Severity::Error),
            "{}",
            &text[..40]
        );
    }
}

#[test]
fn deep_but_reasonable_nesting_is_read() {
    // Nesting the parser accepts reaches the loader, which reports the
    // values as the wrong type instead of failing.
    let text = format!(
        "[scenario]\nname = \"t\"\nduration = \"10s\"\n\n[[vpc]]\nid = \"v\"\ncidrs = {}\"10.0.0.0/16\"{}\n",
        "[".repeat(20),
        "]".repeat(20)
    );
    let r = assert_refused(&text);
    let lines: Vec<String> = r.lines().collect();
    assert_eq!(
        lines,
        [
            "fuzz.toml:7:10: error: `cidrs` must be an IPv4 CIDR like \"10.0.0.0/16\", found an array",
        ]
    );
}
