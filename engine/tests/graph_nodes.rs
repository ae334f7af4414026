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
    add(
        "tgw-attachment",
        d.tgw_attachments.iter().map(|x| x.name.clone()).collect(),
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

/// Each node statement of a DOT text, with the clusters it is declared in,
/// outermost first.
fn placement(dot: &str) -> BTreeMap<String, Vec<String>> {
    let mut stack: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for line in dot.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph ") {
            let name = rest.trim_end_matches('{').trim().trim_matches('"');
            stack.push(name.to_string());
        } else if line == "}" {
            stack.pop();
        } else if line.starts_with('"') && !line.contains("->") {
            for id in nodes_of(line) {
                out.insert(id, stack.clone());
            }
        }
    }
    out
}

/// The edges of a DOT text, as (tail, head, attributes).
fn edges(dot: &str) -> Vec<(String, String, String)> {
    dot.lines()
        .map(str::trim)
        .filter_map(|l| {
            let (a, rest) = l.strip_prefix('"')?.split_once('"')?;
            let rest = rest.trim_start().strip_prefix("->")?.trim_start();
            let (b, attrs) = rest.strip_prefix('"')?.split_once('"')?;
            Some((a.to_string(), b.to_string(), attrs.to_string()))
        })
        .collect()
}

/// The gateways of a design that belong on a VPC's edge, with that VPC:
/// internet and VPN gateways, gateway endpoints, peering connections (on
/// the requester's), transit gateway VPC attachments.
fn edge_gateways(d: &Design) -> Vec<(String, String)> {
    let vpc = |v: vpcsim::model::VpcId| d.vpcs[v.idx()].name.clone();
    let mut v: Vec<(String, String)> = Vec::new();
    v.extend(
        d.igws
            .iter()
            .map(|g| (format!("igw:{}", g.name), vpc(g.vpc))),
    );
    v.extend(
        d.vgws
            .iter()
            .map(|g| (format!("vgw:{}", g.name), vpc(g.vpc))),
    );
    v.extend(
        d.endpoints
            .iter()
            .filter(|e| matches!(e.kind, EndpointKind::Gateway { .. }))
            .map(|e| (format!("vpce:{}", e.name), vpc(e.vpc))),
    );
    v.extend(
        d.peerings
            .iter()
            .map(|p| (format!("pcx:{}", p.name), vpc(p.requester))),
    );
    v.extend(d.tgw_attachments.iter().filter_map(|a| {
        a.vpc()
            .map(|x| (format!("tgw-attachment:{}", a.name), vpc(x)))
    }));
    v
}

/// Where the DOT puts each gateway that belongs on a VPC's edge: in its
/// VPC's cluster, in the band `cluster_edge:VPC` and in no AZ or subnet;
/// every other node of the VPC has an edge to the band, whose nodes share
/// one rank, so that the band comes last in the VPC, on its border. NAT
/// gateways stay in their subnets. Returns the gateways checked.
fn edge_placement_problems(d: &Design, dot: &str) -> (usize, Vec<String>) {
    let placed = placement(dot);
    let edges = edges(dot);
    let mut bad = Vec::new();
    let gws = edge_gateways(d);
    for (id, vpc) in &gws {
        let Some(path) = placed.get(id) else {
            bad.push(format!("{id} is not drawn"));
            continue;
        };
        let want = [format!("cluster_vpc:{vpc}"), format!("cluster_edge:{vpc}")];
        if path.as_slice() != want {
            bad.push(format!("{id} is in {path:?}, not on the edge of {vpc}"));
        }
    }
    for v in &d.vpcs {
        let band: BTreeSet<&String> = gws
            .iter()
            .filter(|(_, x)| *x == v.name)
            .map(|(id, _)| id)
            .collect();
        if band.is_empty() {
            continue;
        }
        let same = dot.lines().map(str::trim).any(|l| {
            l.starts_with("{ rank=same;") && band.iter().all(|id| l.contains(&format!("\"{id}\"")))
        });
        if !same {
            bad.push(format!("the edge of {} is not one rank", v.name));
        }
        let inside = format!("cluster_vpc:{}", v.name);
        for (id, path) in &placed {
            if path.first() != Some(&inside) || band.contains(id) {
                continue;
            }
            let to_band = edges.iter().any(|(a, b, _)| a == id && band.contains(b));
            if !to_band {
                bad.push(format!("{id} in {} is not ranked before its edge", v.name));
            }
        }
    }
    for n in &d.nats {
        let path = placed.get(&format!("nat:{}", n.name));
        let sub = format!("cluster_subnet:{}", d.subnets[n.subnet.idx()].name);
        if path.and_then(|p| p.last()) != Some(&sub) {
            bad.push(format!("nat:{} is in {path:?}, not in {sub}", n.name));
        }
    }
    (gws.len(), bad)
}

#[test]
fn gateways_are_drawn_on_their_vpcs_edge_and_nat_gateways_in_their_subnet() {
    let mut checked = 0;
    for f in scenarios() {
        let Ok(l) = load_file(&f) else { continue };
        let dot = graph::render(&l.design);
        let (n, bad) = edge_placement_problems(&l.design, &dot);
        assert!(bad.is_empty(), "{}: {bad:#?}", f.display());
        checked += n;
    }
    assert!(checked >= 40, "only {checked} gateways were checked");
}

#[test]
fn the_edge_check_catches_a_gateway_inside_a_subnet_or_off_its_rank() {
    let f = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lambda-private-nat.toml");
    let l = load_file(&f).expect("loads");
    let dot = graph::render(&l.design);
    assert!(edge_placement_problems(&l.design, &dot).1.is_empty());
    let igw = &l.design.igws[0].name;
    // The internet gateway's statement moved into the first subnet.
    let line = dot
        .lines()
        .find(|x| x.trim_start().starts_with(&format!("\"igw:{igw}\" [")))
        .expect("the gateway's node")
        .to_string();
    let anchor = format!(
        "\"subnet:{}\" [shape=point, style=invis, width=0.01];\n",
        l.design.subnets[0].name
    );
    assert!(dot.contains(&anchor), "{dot}");
    let moved = dot
        .replacen(&line, "", 1)
        .replacen(&anchor, &format!("{anchor}{line}\n"), 1);
    let bad = edge_placement_problems(&l.design, &moved).1;
    assert!(bad.iter().any(|b| b.contains("not on the edge")), "{bad:?}");
    // The invisible edges that rank the band last, gone.
    let loose: String = dot
        .lines()
        .filter(|x| !x.contains("[style=invis]"))
        .map(|x| format!("{x}\n"))
        .collect();
    let bad = edge_placement_problems(&l.design, &loose).1;
    assert!(
        bad.iter().any(|b| b.contains("not ranked before")),
        "{bad:?}"
    );
}

/// Graphviz's layout, when it is installed: `dot -Tjson` of the drawing.
fn layout(dot: &str) -> Option<serde_json::Value> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("dot")
        .arg("-Tjson")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("dot reads");
    let out = child.wait_with_output().expect("dot runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(warnings.trim().is_empty(), "dot warns: {warnings}");
    Some(serde_json::from_slice(&out.stdout).expect("dot's JSON"))
}

/// A box `[x0, y0, x1, y1]` from a `bb` attribute.
fn bbox(s: &str) -> [f64; 4] {
    let v: Vec<f64> = s.split(',').map(|x| x.parse().expect("a number")).collect();
    [v[0], v[1], v[2], v[3]]
}

#[test]
fn graphviz_lays_each_vpcs_gateways_along_its_border_outside_its_subnets() {
    let mut checked = 0;
    for name in [
        "lambda-private-nat",
        "two-vpc-load",
        "tgw-shared-services",
        "office-vpn-endpoint",
        "s3-gateway-vs-interface-endpoint",
    ] {
        let f = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../scenarios/{name}.toml"));
        let l = load_file(&f).expect("loads");
        let Some(json) = layout(&graph::render(&l.design)) else {
            println!("skipped: Graphviz's dot is not installed (apt-get install graphviz)");
            return;
        };
        let objects = json["objects"].as_array().expect("objects");
        let cluster = |n: &str| {
            objects
                .iter()
                .find(|o| o["name"] == n)
                .and_then(|o| o["bb"].as_str())
                .map(bbox)
        };
        for v in &l.design.vpcs {
            let Some(edge) = cluster(&format!("cluster_edge:{}", v.name)) else {
                continue;
            };
            let vpc = cluster(&format!("cluster_vpc:{}", v.name)).expect("the VPC's cluster");
            // rankdir=LR: the outside is to the right. The band's right side
            // is the VPC's, within the cluster's margin.
            assert!(
                vpc[2] - edge[2] <= 12.0 && edge[2] <= vpc[2],
                "{name}: the edge of {} ends at {} and its VPC at {}",
                v.name,
                edge[2],
                vpc[2]
            );
            for o in objects {
                let Some(n) = o["name"].as_str() else {
                    continue;
                };
                let subnet_of_vpc = (n.starts_with("cluster_subnet:")
                    || n.starts_with(&format!("cluster_az:{}:", v.name)))
                    && o["bb"].as_str().is_some_and(|b| {
                        let b = bbox(b);
                        b[0] >= vpc[0] && b[2] <= vpc[2] && b[1] >= vpc[1] && b[3] <= vpc[3]
                    });
                if subnet_of_vpc {
                    let b = bbox(o["bb"].as_str().expect("bb"));
                    assert!(
                        b[2] <= edge[0],
                        "{name}: {n} reaches {} past the edge of {} at {}",
                        b[2],
                        v.name,
                        edge[0]
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} VPC edges were laid out");
}

/// The `<g class=CLASS ...><rect .../>` groups of an SVG: their
/// `data-node` (or empty), `data-vpc`, and rectangle `[x, y, width, height]`.
fn svg_boxes(svg: &str, class: &str) -> Vec<(String, String, [f64; 4])> {
    let attr = |s: &str, k: &str| -> Option<String> {
        let at = s.find(&format!(" {k}=\""))? + k.len() + 3;
        Some(s[at..at + s[at..].find('"')?].to_string())
    };
    svg.split(&format!("<g class=\"{class}\""))
        .skip(1)
        .map(|g| {
            let head = &g[..g.find('>').expect("a tag")];
            let rect = &g[g.find("<rect").expect("a rect")..];
            let rect = &rect[..rect.find("/>").expect("an empty tag")];
            let n = |k: &str| -> f64 {
                attr(rect, k)
                    .and_then(|v| v.parse().ok())
                    .expect("a number")
            };
            (
                attr(head, "data-node").unwrap_or_default(),
                attr(head, "data-vpc").expect("data-vpc"),
                [n("x"), n("y"), n("width"), n("height")],
            )
        })
        .collect()
}

#[test]
fn without_graphviz_gateways_straddle_their_vpcs_border_outside_its_subnets() {
    let mut checked = 0;
    for f in scenarios() {
        let Ok(l) = load_file(&f) else { continue };
        let d = &l.design;
        let svg = vpcsim::report::html::fallback(d);
        let vpcs = svg_boxes(&svg, "vpc");
        let subnets = svg_boxes(&svg, "subnet");
        let gws = svg_boxes(&svg, "gateway");
        let want = edge_gateways(d);
        let drawn: Vec<(String, String)> =
            gws.iter().map(|(n, v, _)| (n.clone(), v.clone())).collect();
        assert_eq!(
            drawn.iter().collect::<BTreeSet<_>>(),
            want.iter().collect::<BTreeSet<_>>(),
            "{}",
            f.display()
        );
        assert_eq!(
            drawn.len(),
            want.len(),
            "{}: a gateway drawn twice",
            f.display()
        );
        for (node, vpc, g) in &gws {
            let (_, _, v) = vpcs
                .iter()
                .find(|(_, x, _)| x == vpc)
                .expect("the VPC's box");
            let border = v[0] + v[2];
            assert!(
                g[0] < border && border < g[0] + g[2],
                "{}: {node} spans {}..{}, not {vpc}'s border at {border}",
                f.display(),
                g[0],
                g[0] + g[2]
            );
            assert!(
                g[1] >= v[1] && g[1] + g[3] <= v[1] + v[3],
                "{}: {node} is above or below {vpc}",
                f.display()
            );
            for (_, _, s) in &subnets {
                let apart = g[0] >= s[0] + s[2]
                    || s[0] >= g[0] + g[2]
                    || g[1] >= s[1] + s[3]
                    || s[1] >= g[1] + g[3];
                assert!(apart, "{}: {node} overlaps a subnet", f.display());
            }
            checked += 1;
        }
        for n in &d.nats {
            assert!(
                svg.contains(&format!(">NAT {}</text>", n.name)),
                "{}: NAT {} not in its subnet",
                f.display(),
                n.name
            );
        }
    }
    assert!(checked >= 40, "only {checked} gateways were checked");
}
