//! `vpcsim graph`: the design as a Graphviz DOT digraph.
//!
//! Each VPC is a cluster, holding one cluster per AZ, each holding one
//! cluster per subnet with its workloads (instances, NAT gateways, Lambda
//! and interface endpoint ENIs); an instance's label names its security
//! groups. Route tables sit in their VPC's cluster. The gateways, where the
//! VPC meets the outside, sit on its edge: internet and VPN gateways,
//! gateway endpoints, the peering connections the VPC requested and its
//! transit gateway attachments (one node each, naming its ENIs) are in a
//! band of their own (`cluster_edge:VPC`) inside the VPC's cluster, outside
//! every AZ and subnet, ranked after everything else of the VPC, so that
//! Graphviz lays the band along the cluster's border on the side of the
//! outside; NAT gateways stay in their subnets. Internet hosts and AWS
//! services are in an `internet` cluster, on-premises networks in clusters
//! of their own, transit gateways and their route tables outside every VPC.
//! Edges: subnet to its route table (dashed), route table to each target
//! with the destination as label (red when a blackhole), a peering
//! connection to its accepter's cluster, VPN gateways to their networks,
//! attachments to their transit gateway, and the traffic (blue, dotted):
//! one edge per source and destination, labelled with the number of
//! traffic entries and their ids, however many entries share the pair.
//!
//! Every node is a resource of the design, or one of the outside classes
//! [`OUTSIDE`] names: a destination that is a bare address is drawn as the
//! on-premises network whose prefixes hold it, as the AWS service whose
//! managed prefix list holds it, or else as the internet; a blackhole
//! route to a resource that does not exist ends at its route table's
//! blackhole. The output is a function of the design alone, in design
//! order.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::*;

/// The kinds of node id (`KIND:NAME`) that are not a resource of the
/// design: `internet` (alone), `aws:SERVICE` (an AWS service the design
/// does not declare as `[[aws_service]]`), and `blackhole:ROUTE_TABLE`.
pub const OUTSIDE: [&str; 3] = ["internet", "aws", "blackhole"];

/// The kinds of node id that name a resource of the design, and what they
/// name: `instance`, `nat`, `eni` (an ENI's name), `igw`, `vgw`, `pcx`,
/// `vpce` (a gateway endpoint), `lambda` (outside any VPC), `host`
/// (external host), `service` (`[[aws_service]]`), `onprem-host`, `onprem`
/// (a network), `rt`, `tgw`, `tgwrt`, `tgw-attachment` (a VPC
/// attachment), `vpc`, `subnet`.
pub const RESOURCE_KINDS: [&str; 18] = [
    "instance",
    "nat",
    "eni",
    "igw",
    "vgw",
    "pcx",
    "vpce",
    "lambda",
    "host",
    "service",
    "onprem-host",
    "onprem",
    "rt",
    "tgw",
    "tgwrt",
    "tgw-attachment",
    "vpc",
    "subnet",
];

/// The ends of a traffic edge: source node, destination node, and the
/// cluster the edge ends at (an on-premises network's).
type FlowEnds = (String, String, Option<String>);

/// A DOT string literal.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn node_of_eni(d: &Design, e: EniId) -> String {
    let eni = &d.enis[e.idx()];
    match eni.owner {
        EniOwner::Instance(i) => format!("instance:{}", d.instances[i.idx()].name),
        EniOwner::Nat(n) => format!("nat:{}", d.nats[n.idx()].name),
        EniOwner::Lambda(_) | EniOwner::Endpoint(_) => format!("eni:{}", eni.name),
        EniOwner::TgwAttachment(a) => format!("tgw-attachment:{}", d.tgw_attachments[a.idx()].name),
    }
}

fn node_of(d: &Design, c: Component) -> Option<String> {
    Some(match c {
        Component::Instance(i) => node_of_eni(d, d.instances[i.idx()].eni),
        Component::Nat(n) => format!("nat:{}", d.nats[n.idx()].name),
        Component::Igw(g) => format!("igw:{}", d.igws[g.idx()].name),
        Component::Vgw(g) => format!("vgw:{}", d.vgws[g.idx()].name),
        Component::Peering(p) => format!("pcx:{}", d.peerings[p.idx()].name),
        Component::Endpoint(e) => match &d.endpoints[e.idx()].kind {
            EndpointKind::Gateway { .. } => format!("vpce:{}", d.endpoints[e.idx()].name),
            EndpointKind::Interface { enis, .. } => node_of_eni(d, *enis.first()?),
        },
        Component::Lambda(l) => {
            let f = &d.lambdas[l.idx()];
            match f.enis.first() {
                Some(e) => node_of_eni(d, *e),
                None => format!("lambda:{}", f.name),
            }
        }
        Component::ExternalHost(h) => format!("host:{}", d.external_hosts[h.idx()].name),
        Component::AwsService(s) => format!("service:{}", d.aws_services[s.idx()].name),
        Component::OnpremHost(h) => format!("onprem-host:{}", d.onprem_hosts[h.idx()].name),
        Component::Eni(e) => node_of_eni(d, e),
        Component::RouteTable(r) => format!("rt:{}", d.route_tables[r.idx()].name),
        Component::Tgw(t) => format!("tgw:{}", d.tgws[t.idx()].name),
        Component::TgwRouteTable(r) => format!("tgwrt:{}", d.tgw_route_tables[r.idx()].name),
        _ => return None,
    })
}

/// The node that owns an address, as seen from a VPC (or from outside).
fn node_at(d: &Design, vpc: Option<VpcId>, ip: std::net::Ipv4Addr) -> Option<String> {
    let private = d.enis.iter().position(|e| Some(e.vpc) == vpc && e.ip == ip);
    if let Some(i) = private {
        return Some(node_of_eni(d, EniId::from_idx(i)));
    }
    if let Some(i) = d.enis.iter().position(|e| e.public_ip == Some(ip)) {
        return Some(node_of_eni(d, EniId::from_idx(i)));
    }
    if let Some(n) = d.nats.iter().position(|n| n.public_ip == Some(ip)) {
        return node_of(d, Component::Nat(NatId::from_idx(n)));
    }
    if let Some(h) = d.external_hosts.iter().position(|h| h.ip == ip) {
        return node_of(d, Component::ExternalHost(ExternalHostId::from_idx(h)));
    }
    if let Some(a) = d.aws_services.iter().position(|a| a.ips.contains(&ip)) {
        return node_of(d, Component::AwsService(AwsServiceId::from_idx(a)));
    }
    if let Some(h) = d.onprem_hosts.iter().position(|h| h.ip == ip) {
        return node_of(d, Component::OnpremHost(OnpremHostId::from_idx(h)));
    }
    None
}

fn target_node(d: &Design, t: &Target) -> Option<String> {
    match t {
        Target::Local => None,
        Target::Igw(g) => node_of(d, Component::Igw(*g)),
        Target::Nat(n) => node_of(d, Component::Nat(*n)),
        Target::Endpoint(e) => node_of(d, Component::Endpoint(*e)),
        Target::Eni(e) => Some(node_of_eni(d, *e)),
        Target::Peering(p) => node_of(d, Component::Peering(*p)),
        Target::Vgw(g) => node_of(d, Component::Vgw(*g)),
        Target::Tgw(t) => node_of(d, Component::Tgw(*t)),
        Target::Missing(name) => Some(format!("missing:{name}")),
    }
}

/// The label of an ENI's workload node.
fn eni_label(d: &Design, e: EniId) -> (String, &'static str) {
    let eni = &d.enis[e.idx()];
    match eni.owner {
        EniOwner::Instance(i) => {
            let public = eni
                .public_ip
                .map_or(String::new(), |p| format!("\npublic {p}"));
            (
                format!(
                    "{}\ninstance\n{}{public}{}",
                    d.instances[i.idx()].name,
                    eni.ip,
                    groups(d, &eni.security_groups)
                ),
                "#dbe8fb",
            )
        }
        EniOwner::Nat(n) => {
            let nat = &d.nats[n.idx()];
            let eip = nat
                .public_ip
                .map_or("private".to_string(), |p| format!("EIP {p}"));
            (
                format!("{}\nNAT gateway\n{} / {eip}", nat.name, eni.ip),
                "#f8dcb4",
            )
        }
        EniOwner::Lambda(_) => {
            let users: Vec<&str> = d
                .lambdas
                .iter()
                .filter(|l| l.enis.contains(&e))
                .map(|l| l.name.as_str())
                .collect();
            (
                format!("{}\nLambda ENI\n{}", users.join(", "), eni.ip),
                "#fde5c8",
            )
        }
        EniOwner::Endpoint(x) => {
            let ep = &d.endpoints[x.idx()];
            (
                format!(
                    "{} ({})\ninterface endpoint\n{}{}",
                    ep.name,
                    ep.service,
                    eni.ip,
                    groups(d, &eni.security_groups)
                ),
                "#e4d7f5",
            )
        }
        EniOwner::TgwAttachment(a) => (attachment_label(d, a), "#f2d7e6"),
    }
}

/// A transit gateway VPC attachment's label: its name, and its ENI in each
/// subnet (TGW-2).
fn attachment_label(d: &Design, a: TgwAttachmentId) -> String {
    let att = &d.tgw_attachments[a.idx()];
    let mut label = format!("{}\ntransit gateway attachment", att.name);
    for e in att.enis() {
        let eni = &d.enis[e.idx()];
        let _ = write!(label, "\n{} {}", d.subnets[eni.subnet.idx()].name, eni.ip);
    }
    label
}

/// The gateways on a VPC's edge, in design order: internet gateways, VPN
/// gateways, gateway endpoints, the peering connections it requested and
/// its transit gateway attachments; each as (node id, label, shape, fill).
pub fn edge_gateways(d: &Design, vpc: VpcId) -> Vec<(String, String, &'static str, &'static str)> {
    let mut v = Vec::new();
    for g in d.igws.iter().filter(|g| g.vpc == vpc) {
        v.push((
            format!("igw:{}", g.name),
            format!("{}\ninternet gateway", g.name),
            "box3d",
            "#d6ecd2",
        ));
    }
    for g in d.vgws.iter().filter(|g| g.vpc == vpc) {
        v.push((
            format!("vgw:{}", g.name),
            format!("{}\nVPN gateway", g.name),
            "box3d",
            "#d6e4f0",
        ));
    }
    for e in d.endpoints.iter().filter(|e| e.vpc == vpc) {
        if let EndpointKind::Gateway { .. } = e.kind {
            v.push((
                format!("vpce:{}", e.name),
                format!("{}\ngateway endpoint ({})", e.name, e.service),
                "cds",
                "#e4d7f5",
            ));
        }
    }
    for p in d.peerings.iter().filter(|p| p.requester == vpc) {
        v.push((
            format!("pcx:{}", p.name),
            format!("{}\npeering to {}", p.name, d.vpcs[p.accepter.idx()].name),
            "diamond",
            "#f4f4f4",
        ));
    }
    for (i, a) in d.tgw_attachments.iter().enumerate() {
        if a.vpc() == Some(vpc) {
            v.push((
                format!("tgw-attachment:{}", a.name),
                attachment_label(d, TgwAttachmentId::from_idx(i)),
                "box",
                "#f2d7e6",
            ));
        }
    }
    v
}

/// The nodes inside a VPC's cluster, its edge aside: its anchor, its
/// subnets' anchors and workloads, its route tables that are drawn.
fn vpc_nodes(d: &Design, vpc: VpcId) -> Vec<String> {
    let v = &d.vpcs[vpc.idx()];
    let mut out = vec![format!("vpc:{}", v.name)];
    for sid in &v.subnets {
        let sub = &d.subnets[sid.idx()];
        out.push(format!("subnet:{}", sub.name));
        for e in &sub.enis {
            if !matches!(d.enis[e.idx()].owner, EniOwner::TgwAttachment(_)) {
                out.push(node_of_eni(d, *e));
            }
        }
    }
    for (i, r) in d.route_tables.iter().enumerate() {
        if r.vpc == vpc && rt_shown(d, i, r) {
            out.push(format!("rt:{}", r.name));
        }
    }
    out
}

/// A main table that no subnet uses and that has no routes of its own (the
/// implicit one) would only clutter the picture.
fn rt_shown(d: &Design, i: usize, r: &RouteTable) -> bool {
    !r.routes.is_empty() || d.subnets.iter().any(|s| s.route_table.idx() == i)
}

/// A line naming an ENI's security groups, for its label.
fn groups(d: &Design, sgs: &[SgId]) -> String {
    if sgs.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = sgs
        .iter()
        .map(|g| d.security_groups[g.idx()].name.as_str())
        .collect();
    format!("\nSG {}", names.join(", "))
}

/// Where a bare address outside the design's hosts lies: an on-premises
/// network (node, cluster), an AWS service's managed prefix list, or the
/// internet.
fn outside_node(d: &Design, ip: std::net::Ipv4Addr) -> (String, Option<String>) {
    if let Some(n) = d
        .onprem_nets
        .iter()
        .find(|n| n.cidrs.iter().any(|c| c.contains(&ip)))
    {
        return (
            format!("onprem:{}", n.name),
            Some(format!("cluster_onprem:{}", n.name)),
        );
    }
    if let Some(p) = d.prefix_lists.iter().find(|p| {
        p.list_name.starts_with("com.amazonaws.") && p.cidrs.iter().any(|c| c.contains(&ip))
    }) {
        let service = p.list_name.rsplit('.').next().unwrap_or(&p.list_name);
        return (format!("aws:{service}"), None);
    }
    ("internet".to_string(), None)
}

fn dest_label(d: &Design, r: &Route) -> String {
    match r.dest {
        RouteDest::Cidr(c) => c.to_string(),
        RouteDest::PrefixList(p) => d.prefix_lists[p.idx()].name.clone(),
    }
}

/// The design as DOT text.
pub fn render(d: &Design) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "digraph {} {{", q("vpcsim"));
    let _ = writeln!(
        s,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", fontsize=14, rankdir=LR, compound=true, newrank=true, nodesep=0.3, ranksep=0.8];",
        q(&d.name)
    );
    let _ = writeln!(
        s,
        "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"white\"];"
    );
    let _ = writeln!(s, "  edge [fontname=\"Helvetica\", fontsize=9];");
    // Blackholes of route tables, drawn once each at the end.
    let mut holes: BTreeMap<String, ()> = BTreeMap::new();

    for (vi, v) in d.vpcs.iter().enumerate() {
        let vpc = VpcId::from_idx(vi);
        let cidrs: Vec<String> = v.cidrs.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(s, "  subgraph {} {{", q(&format!("cluster_vpc:{}", v.name)));
        let _ = writeln!(
            s,
            "    label={}; style=\"rounded\"; color=\"#8c4fff\"; penwidth=2; fontsize=12;",
            q(&format!("{}\n{}", v.name, cidrs.join(", ")))
        );
        let _ = writeln!(
            s,
            "    {} [shape=point, style=invis, width=0.01];",
            q(&format!("vpc:{}", v.name))
        );
        // Subnets by AZ, AZs in order of first appearance.
        let mut azs: Vec<&str> = Vec::new();
        for sid in &v.subnets {
            let az = d.subnets[sid.idx()].az.as_str();
            if !azs.contains(&az) {
                azs.push(az);
            }
        }
        for az in azs {
            let _ = writeln!(
                s,
                "    subgraph {} {{",
                q(&format!("cluster_az:{}:{az}", v.name))
            );
            let _ = writeln!(
                s,
                "      label={}; style=\"dashed\"; color=\"#5a6b86\";",
                q(az)
            );
            for sid in v.subnets.iter().filter(|x| d.subnets[x.idx()].az == az) {
                let sub = &d.subnets[sid.idx()];
                let nacl = &d.nacls[sub.nacl.idx()].name;
                let _ = writeln!(
                    s,
                    "      subgraph {} {{",
                    q(&format!("cluster_subnet:{}", sub.name))
                );
                let _ = writeln!(
                    s,
                    "        label={}; style=\"rounded,filled\"; fillcolor=\"#eef5ea\"; color=\"#7aa116\";",
                    q(&format!("{}\n{}\nNACL {nacl}", sub.name, sub.cidr))
                );
                let _ = writeln!(
                    s,
                    "        {} [shape=point, style=invis, width=0.01];",
                    q(&format!("subnet:{}", sub.name))
                );
                // A transit gateway attachment's ENIs are drawn as the
                // attachment, on the VPC's edge.
                for e in sub
                    .enis
                    .iter()
                    .filter(|e| !matches!(d.enis[e.idx()].owner, EniOwner::TgwAttachment(_)))
                {
                    let (label, fill) = eni_label(d, *e);
                    let _ = writeln!(
                        s,
                        "        {} [label={}, fillcolor=\"{fill}\"];",
                        q(&node_of_eni(d, *e)),
                        q(&label)
                    );
                }
                let _ = writeln!(s, "      }}");
            }
            let _ = writeln!(s, "    }}");
        }
        for rt in d
            .route_tables
            .iter()
            .enumerate()
            .filter(|(i, r)| r.vpc == vpc && rt_shown(d, *i, r))
            .map(|(_, r)| r)
        {
            let main = if rt.main { " (main)" } else { "" };
            let _ = writeln!(
                s,
                "    {} [label={}, shape=note, fillcolor=\"#f4f4f4\"];",
                q(&format!("rt:{}", rt.name)),
                q(&format!("{}{main}\nroute table", rt.name))
            );
        }
        // The VPC's edge: its gateways in a band of their own, outside
        // every AZ and subnet, ranked after everything else in the VPC so
        // that the band lies on the cluster's border towards the outside.
        let edge = edge_gateways(d, vpc);
        if let Some((first, _, _, _)) = edge.first() {
            let _ = writeln!(
                s,
                "    subgraph {} {{",
                q(&format!("cluster_edge:{}", v.name))
            );
            let _ = writeln!(
                s,
                "      label=\"\"; style=\"filled\"; fillcolor=\"#8c4fff33\"; color=\"#8c4fff\"; penwidth=2; margin=4;"
            );
            for (id, label, shape, fill) in &edge {
                let _ = writeln!(
                    s,
                    "      {} [label={}, shape={shape}, fillcolor=\"{fill}\"];",
                    q(id),
                    q(label)
                );
            }
            let ids: Vec<String> = edge.iter().map(|(id, ..)| q(id)).collect();
            let _ = writeln!(s, "      {{ rank=same; {}; }}", ids.join("; "));
            let _ = writeln!(s, "    }}");
            for n in vpc_nodes(d, vpc) {
                let _ = writeln!(s, "    {} -> {} [style=invis];", q(&n), q(first));
            }
        }
        let _ = writeln!(s, "  }}");
    }

    // The internet: outside hosts and AWS services' front doors.
    let outside_lambdas: Vec<&Lambda> = d.lambdas.iter().filter(|l| l.enis.is_empty()).collect();
    if !d.external_hosts.is_empty() || !d.aws_services.is_empty() || !outside_lambdas.is_empty() {
        let _ = writeln!(s, "  subgraph {} {{", q("cluster_internet"));
        let _ = writeln!(
            s,
            "    label=\"internet\"; style=\"rounded,dashed\"; color=\"#999999\";"
        );
        for h in &d.external_hosts {
            let _ = writeln!(
                s,
                "    {} [label={}, shape=ellipse, fillcolor=\"#f0f0f0\"];",
                q(&format!("host:{}", h.name)),
                q(&format!("{}\n{}", h.name, h.ip))
            );
        }
        for a in &d.aws_services {
            let ips: Vec<String> = a.ips.iter().map(|i| i.to_string()).collect();
            let _ = writeln!(
                s,
                "    {} [label={}, shape=ellipse, fillcolor=\"#ffe8cc\"];",
                q(&format!("service:{}", a.name)),
                q(&format!(
                    "{}\nAWS {}\n{}",
                    a.name,
                    a.service,
                    ips.join(", ")
                ))
            );
        }
        for l in outside_lambdas {
            let _ = writeln!(
                s,
                "    {} [label={}, fillcolor=\"#fde5c8\"];",
                q(&format!("lambda:{}", l.name)),
                q(&format!("{}\nLambda (no VPC)", l.name))
            );
        }
        let _ = writeln!(s, "  }}");
    }
    for (ni, n) in d.onprem_nets.iter().enumerate() {
        let cidrs: Vec<String> = n.cidrs.iter().map(|c| c.to_string()).collect();
        let _ = writeln!(
            s,
            "  subgraph {} {{",
            q(&format!("cluster_onprem:{}", n.name))
        );
        let _ = writeln!(
            s,
            "    label={}; style=\"rounded\"; color=\"#5a6b86\";",
            q(&format!("{} (on-premises)\n{}", n.name, cidrs.join(", ")))
        );
        let _ = writeln!(
            s,
            "    {} [shape=point, style=invis, width=0.01];",
            q(&format!("onprem:{}", n.name))
        );
        for h in d
            .onprem_hosts
            .iter()
            .filter(|h| h.network == OnpremNetId::from_idx(ni))
        {
            let _ = writeln!(
                s,
                "    {} [label={}, shape=ellipse, fillcolor=\"#f0f0f0\"];",
                q(&format!("onprem-host:{}", h.name)),
                q(&format!("{}\n{}", h.name, h.ip))
            );
        }
        let _ = writeln!(s, "  }}");
    }

    // Transit gateways: the hub, its route tables, and its attachments'
    // ENIs (TGW-1..TGW-4).
    for (ti, t) in d.tgws.iter().enumerate() {
        let tgw = TgwId::from_idx(ti);
        let _ = writeln!(
            s,
            "  {} [label={}, shape=doubleoctagon, fillcolor=\"#f2d7e6\"];",
            q(&format!("tgw:{}", t.name)),
            q(&format!("{}\ntransit gateway\nASN {}", t.name, t.asn))
        );
        for (ri, rt) in d.tgw_route_tables.iter().enumerate() {
            if rt.tgw != tgw {
                continue;
            }
            let rid = TgwRouteTableId::from_idx(ri);
            let names = |f: &dyn Fn(&TgwAttachment) -> bool| -> String {
                let v: Vec<&str> = d
                    .tgw_attachments
                    .iter()
                    .filter(|a| f(a))
                    .map(|a| a.name.as_str())
                    .collect();
                if v.is_empty() {
                    "-".into()
                } else {
                    v.join(", ")
                }
            };
            let assoc = names(&|a| a.association == Some(rid));
            let props = names(&|a| a.propagations.contains(&rid));
            let _ = writeln!(
                s,
                "  {} [label={}, shape=note, fillcolor=\"#f4f4f4\"];",
                q(&format!("tgwrt:{}", rt.name)),
                q(&format!(
                    "{}\ntransit gateway route table\nassociated: {assoc}\npropagated: {props}",
                    rt.name
                ))
            );
            let _ = writeln!(
                s,
                "  {} -> {} [style=dashed, color=\"#888888\", arrowhead=none];",
                q(&format!("tgw:{}", t.name)),
                q(&format!("tgwrt:{}", rt.name))
            );
            for r in &rt.routes {
                let dest = match r.dest {
                    RouteDest::Cidr(c) => c.to_string(),
                    RouteDest::PrefixList(p) => d.prefix_lists[p.idx()].name.clone(),
                };
                let Some(a) = r.target else {
                    let hole = format!("blackhole:{}", rt.name);
                    holes.insert(hole.clone(), ());
                    let _ = writeln!(
                        s,
                        "  {} -> {} [label={}, color=\"#d13212\", fontcolor=\"#d13212\", style=dashed];",
                        q(&format!("tgwrt:{}", rt.name)),
                        q(&hole),
                        q(&format!("{dest} (blackhole)"))
                    );
                    continue;
                };
                if d.tgw_attachments[a.idx()].vpc().is_some() {
                    let _ = writeln!(
                        s,
                        "  {} -> {} [label={}, constraint=false];",
                        q(&format!("tgwrt:{}", rt.name)),
                        q(&format!(
                            "tgw-attachment:{}",
                            d.tgw_attachments[a.idx()].name
                        )),
                        q(&dest)
                    );
                }
                // TGW-10: a route to a peering attachment leads to the peer
                // transit gateway.
                if let Some(peer) = d.tgw_attachments[a.idx()].peer() {
                    let other = &d.tgws[d.tgw_attachments[peer.idx()].tgw.idx()].name;
                    let _ = writeln!(
                        s,
                        "  {} -> {} [label={}];",
                        q(&format!("tgwrt:{}", rt.name)),
                        q(&format!("tgw:{other}")),
                        q(&dest)
                    );
                }
                if let TgwAttachmentKind::Vpn { networks, .. } = &d.tgw_attachments[a.idx()].kind {
                    if let Some(n) = networks.first() {
                        let name = &d.onprem_nets[n.idx()].name;
                        let _ = writeln!(
                            s,
                            "  {} -> {} [lhead={}, label={}];",
                            q(&format!("tgwrt:{}", rt.name)),
                            q(&format!("onprem:{name}")),
                            q(&format!("cluster_onprem:{name}")),
                            q(&dest)
                        );
                    }
                }
            }
        }
        for (i, a) in d.tgw_attachments.iter().enumerate() {
            if a.tgw != tgw {
                continue;
            }
            // The peering between two hubs, drawn once (TGW-10).
            if let Some(peer) = a.peer().filter(|p| p.idx() > i) {
                let other = &d.tgws[d.tgw_attachments[peer.idx()].tgw.idx()].name;
                let _ = writeln!(
                    s,
                    "  {} -> {} [label={}, color=\"#c7317e\", dir=both, style=bold];",
                    q(&format!("tgw:{}", t.name)),
                    q(&format!("tgw:{other}")),
                    q(&format!(
                        "{} / {}",
                        a.name,
                        d.tgw_attachments[peer.idx()].name
                    ))
                );
            }
            if a.vpc().is_some() {
                let _ = writeln!(
                    s,
                    "  {} -> {} [color=\"#c7317e\", dir=both, penwidth=2];",
                    q(&format!("tgw-attachment:{}", a.name)),
                    q(&format!("tgw:{}", t.name))
                );
            }
        }
    }

    // Subnets to their route tables.
    for sub in &d.subnets {
        let _ = writeln!(
            s,
            "  {} -> {} [ltail={}, style=dashed, color=\"#888888\", arrowhead=none];",
            q(&format!("subnet:{}", sub.name)),
            q(&format!(
                "rt:{}",
                d.route_tables[sub.route_table.idx()].name
            )),
            q(&format!("cluster_subnet:{}", sub.name))
        );
    }
    // Routes.
    for rt in &d.route_tables {
        for r in &rt.routes {
            let Some(mut to) = target_node(d, &r.target) else {
                continue;
            };
            if let Target::Missing(_) = &r.target {
                // The target does not exist: the route ends in its table's
                // blackhole.
                to = format!("blackhole:{}", rt.name);
                holes.insert(to.clone(), ());
            }
            let style = if r.blackhole || matches!(r.target, Target::Missing(_)) {
                ", color=\"#d13212\", fontcolor=\"#d13212\", style=dashed"
            } else {
                ""
            };
            let label = if let Target::Missing(name) = &r.target {
                format!("{} (blackhole: {name} deleted)", dest_label(d, r))
            } else if r.blackhole {
                format!("{} (blackhole)", dest_label(d, r))
            } else {
                dest_label(d, r)
            };
            let _ = writeln!(
                s,
                "  {} -> {} [label={}{style}];",
                q(&format!("rt:{}", rt.name)),
                q(&to),
                q(&label)
            );
        }
    }
    for hole in holes.keys() {
        let _ = writeln!(
            s,
            "  {} [label=\"blackhole\", shape=octagon, style=\"dashed\", color=\"#d13212\", fontcolor=\"#d13212\"];",
            q(hole)
        );
    }
    // Gateways to what lies beyond them.
    if !d.external_hosts.is_empty() || !d.aws_services.is_empty() {
        let anchor = d
            .external_hosts
            .first()
            .map(|h| format!("host:{}", h.name))
            .or_else(|| {
                d.aws_services
                    .first()
                    .map(|a| format!("service:{}", a.name))
            });
        if let Some(anchor) = anchor {
            for g in &d.igws {
                let _ = writeln!(
                    s,
                    "  {} -> {} [lhead=\"cluster_internet\", color=\"#3f8624\"];",
                    q(&format!("igw:{}", g.name)),
                    q(&anchor)
                );
            }
        }
    }
    for e in &d.endpoints {
        if let EndpointKind::Gateway { .. } = e.kind {
            for a in d.aws_services.iter().filter(|a| a.service == e.service) {
                let _ = writeln!(
                    s,
                    "  {} -> {} [color=\"#8c4fff\"];",
                    q(&format!("vpce:{}", e.name)),
                    q(&format!("service:{}", a.name))
                );
            }
        }
    }
    // A peering connection lies on its requester's edge; it reaches the
    // accepter's border.
    for p in &d.peerings {
        let vpc = &d.vpcs[p.accepter.idx()].name;
        let _ = writeln!(
            s,
            "  {} -> {} [lhead={}, dir=none, color=\"#5a6b86\", penwidth=2, constraint=false];",
            q(&format!("pcx:{}", p.name)),
            q(&format!("vpc:{vpc}")),
            q(&format!("cluster_vpc:{vpc}"))
        );
    }
    for n in &d.onprem_nets {
        let (from, label) = match n.via {
            OnpremVia::Vgw(g) => (format!("vgw:{}", d.vgws[g.idx()].name), "VPN".to_string()),
            OnpremVia::TgwAttachment(a) => {
                let att = &d.tgw_attachments[a.idx()];
                (
                    format!("tgw:{}", d.tgws[att.tgw.idx()].name),
                    format!("VPN {}", att.name),
                )
            }
        };
        let _ = writeln!(
            s,
            "  {} -> {} [lhead={}, label={}, dir=both, color=\"#5a6b86\"];",
            q(&from),
            q(&format!("onprem:{}", n.name)),
            q(&format!("cluster_onprem:{}", n.name)),
            q(&label)
        );
    }
    // Traffic: one edge per source and destination, in order of first
    // appearance, however many entries share it.
    let mut pairs: Vec<(FlowEnds, Vec<&str>)> = Vec::new();
    let mut aws: BTreeMap<String, ()> = BTreeMap::new();
    let mut internet = false;
    for t in &d.traffic {
        let from = match t.from {
            Source::Instance(i) => node_of(d, Component::Instance(i)),
            Source::Lambda(l) => node_of(d, Component::Lambda(l)),
            Source::External(h) => node_of(d, Component::ExternalHost(h)),
            Source::Onprem(h) => node_of(d, Component::OnpremHost(h)),
        };
        let (to, cluster) = match &t.to {
            DestSpec::Component(c) => (node_of(d, *c), None),
            DestSpec::Instance(i, _) => (node_of(d, Component::Instance(*i)), None),
            // Names and addresses go where the VPC's DNS and the design
            // send them: an interface endpoint with private DNS wins.
            spec => {
                let ip = crate::dataplane::resolve::destination(d, t.from, spec);
                let src_vpc = crate::dataplane::resolve::source_host(d, t.from)
                    .2
                    .map(|x| d.subnets[x.idx()].vpc);
                match (ip.and_then(|ip| node_at(d, src_vpc, ip)), spec, ip) {
                    (Some(n), _, _) => (Some(n), None),
                    (None, DestSpec::Service(name), _) => (Some(format!("aws:{name}")), None),
                    (None, _, Some(ip)) => {
                        let (n, c) = outside_node(d, ip);
                        (Some(n), c)
                    }
                    (None, _, None) => (None, None),
                }
            }
        };
        let (Some(a), Some(b)) = (from, to) else {
            continue;
        };
        if let Some(svc) = b.strip_prefix("aws:") {
            aws.insert(svc.to_string(), ());
        }
        internet |= b == "internet";
        let key = (a, b, cluster);
        match pairs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, names)) => names.push(&t.name),
            None => pairs.push((key, vec![&t.name])),
        }
    }
    for ((a, b, cluster), names) in &pairs {
        let label = match names.len() {
            1 => names[0].to_string(),
            n => {
                let shown: Vec<&str> = names.iter().take(3).copied().collect();
                let more = if n > 3 { ", ..." } else { "" };
                format!("{n} flows\n{}{more}", shown.join(", "))
            }
        };
        let width = 1.0 + (names.len() as f64).log2().min(3.0);
        let head = cluster
            .as_ref()
            .map_or(String::new(), |c| format!(", lhead={}", q(c)));
        let _ = writeln!(
            s,
            "  {} -> {} [label={}, style=dotted, color=\"#1f6fd1\", fontcolor=\"#1f6fd1\", penwidth={width:.1}, constraint=false{head}];",
            q(a),
            q(b),
            q(&label)
        );
    }
    if internet {
        let _ = writeln!(
            s,
            "  \"internet\" [label=\"internet\", shape=ellipse, style=\"dashed\", fillcolor=\"#f0f0f0\"];"
        );
    }
    for svc in aws.keys() {
        let _ = writeln!(
            s,
            "  {} [label={}, shape=ellipse, fillcolor=\"#ffe8cc\"];",
            q(&format!("aws:{svc}")),
            q(&format!("AWS {svc}"))
        );
    }
    let _ = writeln!(s, "}}");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_for_dot() {
        assert_eq!(q("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
