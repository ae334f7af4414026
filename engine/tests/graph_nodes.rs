//! The topology drawing (`vpcsim graph`) draws only what the design holds:
//! every node of the DOT output of every shipped scenario is a resource of
//! the design, or one of the outside classes (the internet, an AWS service,
//! a route table's blackhole); traffic is one edge per source and
//! destination.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use vpcsim::model::{Design, EndpointKind, load_file};
use vpcsim::report::graph::{self, OUTSIDE, RESOURCE_KINDS};

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut v = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("scenarios/") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                v.push(p);
            }
        }
    }
    v.sort();
    v
}

/// The quoted strings of a DOT line that stand for nodes: the first of a
/// node statement, both ends of an edge.
fn nodes_of(dot: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in dot.lines().map(str::trim) {
        if line.starts_with("subgraph") || line.starts_with("digraph") {
            continue;
        }
        let quoted = |s: &str| -> Option<(String, usize)> {
            let s0 = s.strip_prefix('"')?;
            let mut id = String::new();
            let mut chars = s0.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            id.push(n);
                        }
                    }
                    '"' => return Some((id, i + 2)),
                    c => id.push(c),
                }
            }
            None
        };
        let Some((a, end)) = quoted(line) else {
            continue;
        };
        let rest = line[end..].trim_start();
        if let Some(r) = rest.strip_prefix("->") {
            if let Some((b, _)) = quoted(r.trim_start()) {
                out.insert(b);
            }
            out.insert(a);
        } else if rest.starts_with('[') {
            out.insert(a);
        }
    }
    out
}

/// The names the design has for each kind of node id.
fn names(d: &Design) -> BTreeMap<&'static str, BTreeSet<String>> {
    let mut m: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let mut add = |k: &'static str, it: Vec<String>| m.entry(k).or_default().extend(it);
    add(
        "instance",
        d.instances.iter().map(|x| x.name.clone()).collect(),
    );
    add("nat", d.nats.iter().map(|x| x.name.clone()).collect());
    add("eni", d.enis.iter().map(|x| x.name.clone()).collect());
    add("igw", d.igws.iter().map(|x| x.name.clone()).collect());
    add("vgw", d.vgws.iter().map(|x| x.name.clone()).collect());
    add("pcx", d.peerings.iter().map(|x| x.name.clone()).collect());
    add(
        "vpce",
        d.endpoints
            .iter()
            .filter(|e| matches!(e.kind, EndpointKind::Gateway { .. }))
            .map(|x| x.name.clone())
            .collect(),
    );
    add(
        "lambda",
        d.lambdas
            .iter()
            .filter(|l| l.enis.is_empty())
            .map(|x| x.name.clone())
            .collect(),
    );
    add(
        "host",
        d.external_hosts.iter().map(|x| x.name.clone()).collect(),
    );
    add(
        "service",
        d.aws_services.iter().map(|x| x.name.clone()).collect(),
    );
    add(
        "onprem-host",
        d.onprem_hosts.iter().map(|x| x.name.clone()).collect(),
    );
    add(
        "onprem",
        d.onprem_nets.iter().map(|x| x.name.clone()).collect(),
    );
    add(
        "rt",
        d.route_tables.iter().map(|x| x.name.clone()).collect(),
    );
    add("tgw", d.tgws.iter().map(|x| x.name.clone()).collect());
    add(
        "tgwrt",
        d.tgw_route_tables.iter().map(|x| x.name.clone()).collect(),
    );
    add("vpc", d.vpcs.iter().map(|x| x.name.clone()).collect());
    add("subnet", d.subnets.iter().map(|x| x.name.clone()).collect());
    m
}

/// The problems of one drawing: nodes that are neither a resource of the
/// design nor an outside class.
fn strangers(d: &Design, dot: &str) -> Vec<String> {
    let names = names(d);
    let route_tables: BTreeSet<&String> = names["rt"].iter().chain(&names["tgwrt"]).collect();
    let mut bad = Vec::new();
    for id in nodes_of(dot) {
        let ok = match id.split_once(':') {
            None => OUTSIDE.contains(&id.as_str()) && id == "internet",
            Some(("aws", svc)) => !svc.is_empty() && !svc.contains(':'),
            Some(("blackhole", rt)) => route_tables.contains(&rt.to_string()),
            Some((kind, name)) => {
                RESOURCE_KINDS.contains(&kind) && names.get(kind).is_some_and(|n| n.contains(name))
            }
        };
        if !ok {
            bad.push(id);
        }
    }
    bad
}

#[test]
fn every_drawn_node_is_in_the_design_or_an_outside_class() {
    let mut drawn = 0;
    for f in scenarios() {
        let Ok(l) = load_file(&f) else { continue };
        let dot = graph::render(&l.design);
        let bad = strangers(&l.design, &dot);
        assert!(
            bad.is_empty(),
            "{}: nodes not in the design: {bad:?}",
            f.display()
        );
        drawn += 1;
    }
    assert!(drawn >= 30, "only {drawn} shipped scenarios were drawn");
}

#[test]
fn the_check_catches_a_node_that_is_not_in_the_design() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/two-vpc-load.toml");
    let l = load_file(&f).expect("loads");
    let dot = graph::render(&l.design);
    let extra = dot.replace("}\n", "  \"ip:203.0.113.9\" [label=\"x\"];\n}\n");
    assert_eq!(strangers(&l.design, &extra), vec!["ip:203.0.113.9"]);
    let extra = dot.replace("}\n", "  \"instance:nobody\" -> \"internet\";\n}\n");
    assert_eq!(strangers(&l.design, &extra), vec!["instance:nobody"]);
}

const BUSY: &str = r#"
[scenario]
name = "busy"
duration = "1s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "web-sg"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "client"
subnet = "a"
security_groups = ["web-sg"]

[[instance]]
id = "server"
subnet = "a"
security_groups = ["web-sg"]
listen = [{ protocol = "tcp", port = 443 }]
"#;

#[test]
fn flows_between_one_pair_are_one_edge_and_bare_addresses_are_the_internet() {
    let mut text = BUSY.to_string();
    for i in 0..12 {
        text.push_str(&format!(
            "\n[[traffic]]\nid = \"t{i}\"\nfrom = \"client\"\nto = \"server\"\nprotocol = \"tcp\"\nport = 443\nrate = \"1/s\"\n"
        ));
    }
    text.push_str(
        "\n[[traffic]]\nid = \"out\"\nfrom = \"client\"\nto = \"198.51.100.7\"\nprotocol = \"tcp\"\nport = 443\nrate = \"1/s\"\n",
    );
    let l = vpcsim::model::load_str("busy.toml", &text).expect("loads");
    let dot = graph::render(&l.design);
    let edges: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("\"instance:client\" -> \"instance:server\""))
        .collect();
    assert_eq!(edges.len(), 1, "{dot}");
    assert!(edges[0].contains("12 flows"), "{}", edges[0]);
    assert!(dot.contains("\"instance:client\" -> \"internet\""), "{dot}");
    assert!(dot.contains("SG web-sg"), "{dot}");
    assert!(!dot.contains("ip:"), "{dot}");
    assert!(strangers(&l.design, &dot).is_empty());
}
