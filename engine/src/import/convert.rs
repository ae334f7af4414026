//! From the AWS shapes to the scenario: what each describe field becomes, and
//! what is left out and why.
//!
//! The order of the steps follows the references: VPCs and prefix lists
//! first, then what lives in them, then route tables, whose targets must all
//! be known. A resource is imported only when everything it needs is (its VPC,
//! its subnet); anything left out is noted by id, and the references to it are
//! dropped (rules) or kept as blackholes (routes).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::aws::{self, Folder, name_tag};
use super::out::{self, Head, Peer, Scenario};
use super::{Note, NoteKind};
use crate::model::builtin;

/// Notes, merged by (kind, id): several findings about one resource read as
/// one line.
#[derive(Default)]
struct Notes(
    BTreeMap<(NoteKind, String), Vec<String>>,
    /// Resources left out with another that is missing: id -> (what it is,
    /// the resources left out with it).
    BTreeMap<String, (String, Vec<String>)>,
);

impl Notes {
    fn add(&mut self, kind: NoteKind, id: &str, text: impl Into<String>) {
        let t = text.into();
        let v = self.0.entry((kind, id.to_string())).or_default();
        if !v.contains(&t) {
            v.push(t);
        }
    }
    /// Notes `item`, left out because `dep` (a VPC, subnet or VPN gateway)
    /// is; `present`: `dep` is in the files, but was not imported.
    fn left_out_with(&mut self, dep: &str, what: &str, present: bool, item: String) {
        let header = if present {
            format!("{what} not imported")
        } else {
            format!("{what} not in the files")
        };
        let e = self.1.entry(dep.to_string()).or_insert((header, vec![]));
        if !e.1.contains(&item) {
            e.1.push(item);
        }
    }

    fn into_vec(mut self) -> Vec<Note> {
        let deps = std::mem::take(&mut self.1);
        for (id, (what, items)) in deps {
            // With its own note if it has one (it is in the files but left out).
            let kind = [Unsupported, Skipped, Unknown]
                .into_iter()
                .find(|k| self.0.contains_key(&(*k, id.clone())))
                .unwrap_or(Unknown);
            self.add(
                kind,
                &id,
                format!("{what}; left out with it: {}", items.join(", ")),
            );
        }
        self.0
            .into_iter()
            .map(|((kind, id), texts)| Note {
                kind,
                id,
                text: texts.join("; "),
            })
            .collect()
    }
}

use NoteKind::{Approximated, Skipped, Unknown, Unsupported};

/// All folders' resources by id (the first description of an id wins).
#[derive(Default)]
struct Input<'a> {
    vpcs: BTreeMap<&'a str, &'a aws::Vpc>,
    subnets: BTreeMap<&'a str, &'a aws::Subnet>,
    route_tables: BTreeMap<&'a str, &'a aws::RouteTable>,
    sgs: BTreeMap<&'a str, &'a aws::SecurityGroup>,
    nacls: BTreeMap<&'a str, &'a aws::NetworkAcl>,
    igws: BTreeMap<&'a str, &'a aws::InternetGateway>,
    nats: BTreeMap<&'a str, &'a aws::NatGateway>,
    endpoints: BTreeMap<&'a str, &'a aws::VpcEndpoint>,
    enis: BTreeMap<&'a str, &'a aws::NetworkInterface>,
    instances: BTreeMap<&'a str, &'a aws::Instance>,
    peerings: BTreeMap<&'a str, &'a aws::VpcPeeringConnection>,
    vgws: BTreeMap<&'a str, &'a aws::VpnGateway>,
    vpns: BTreeMap<&'a str, &'a aws::VpnConnection>,
    cgws: BTreeMap<&'a str, &'a aws::CustomerGateway>,
    prefix_lists: BTreeMap<&'a str, &'a aws::PrefixList>,
    managed_lists: BTreeMap<&'a str, &'a aws::ManagedPrefixList>,
    entries: BTreeMap<&'a str, &'a [aws::PrefixListEntry]>,
    addresses: Vec<&'a aws::Address>,
    functions: BTreeMap<&'a str, &'a aws::Function>,
    has_functions_file: bool,
    unsupported: Vec<(&'a str, &'a str)>,
}

/// Whether a VPC, subnet or VPN gateway is described in the files.
fn in_files(x: &Input<'_>, what: &str, id: &str) -> bool {
    match what {
        "VPC" => x.vpcs.contains_key(id),
        "subnet" => x.subnets.contains_key(id),
        "VPN gateway" => x.vgws.contains_key(id),
        _ => false,
    }
}

impl<'a> Input<'a> {
    fn gather(folders: &'a [Folder]) -> Self {
        let mut x = Input::default();
        macro_rules! each {
            ($f:expr, $field:ident, $list:ident, $id:ident, $map:ident) => {
                if let Some(file) = &$f.$field {
                    for r in &file.$list {
                        x.$map.entry(r.$id.as_str()).or_insert(r);
                    }
                }
            };
        }
        for f in folders {
            each!(f, vpcs, vpcs, vpc_id, vpcs);
            each!(f, subnets, subnets, subnet_id, subnets);
            each!(f, route_tables, route_tables, route_table_id, route_tables);
            each!(f, security_groups, security_groups, group_id, sgs);
            each!(f, network_acls, network_acls, network_acl_id, nacls);
            each!(
                f,
                internet_gateways,
                internet_gateways,
                internet_gateway_id,
                igws
            );
            each!(f, nat_gateways, nat_gateways, nat_gateway_id, nats);
            each!(f, vpc_endpoints, vpc_endpoints, vpc_endpoint_id, endpoints);
            each!(
                f,
                network_interfaces,
                network_interfaces,
                network_interface_id,
                enis
            );
            each!(
                f,
                peerings,
                vpc_peering_connections,
                vpc_peering_connection_id,
                peerings
            );
            each!(f, vpn_gateways, vpn_gateways, vpn_gateway_id, vgws);
            each!(f, vpn_connections, vpn_connections, vpn_connection_id, vpns);
            each!(
                f,
                customer_gateways,
                customer_gateways,
                customer_gateway_id,
                cgws
            );
            each!(f, prefix_lists, prefix_lists, prefix_list_id, prefix_lists);
            each!(
                f,
                managed_prefix_lists,
                prefix_lists,
                prefix_list_id,
                managed_lists
            );
            each!(f, functions, functions, function_name, functions);
            if let Some(r) = &f.reservations {
                for i in r.reservations.iter().flat_map(|r| &r.instances) {
                    x.instances.entry(i.instance_id.as_str()).or_insert(i);
                }
            }
            if let Some(a) = &f.addresses {
                x.addresses.extend(a.addresses.iter());
            }
            for (id, e) in &f.prefix_list_entries {
                x.entries.entry(id.as_str()).or_insert(e.as_slice());
            }
            x.has_functions_file |= f.functions.is_some();
            x.unsupported.extend(
                f.unsupported
                    .iter()
                    .map(|(w, id)| (w.as_str(), id.as_str())),
            );
        }
        x
    }
}

struct Cx<'a> {
    x: Input<'a>,
    s: Scenario,
    notes: Notes,
    /// ENI id -> instance id, for the instances imported.
    eni_owner: BTreeMap<String, String>,
    /// ENIs that the design accounts for (imported, or noted with their owner).
    accounted_enis: BTreeSet<String>,
    /// Managed prefix lists known to exist but without their entries.
    lists_without_entries: BTreeSet<String>,
}

/// Service name -> the short name vpcsim uses: `com.amazonaws.us-east-1.s3`
/// -> `s3`, `com.amazonaws.vpce.us-east-1.vpce-svc-0abc` -> `vpce-svc-0abc`.
pub fn service_short(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    if let Some(i) = parts.iter().position(|p| aws::is_region_name(p)) {
        if i + 1 < parts.len() {
            return parts[i + 1..].join(".");
        }
    }
    name.to_string()
}

fn ports_text(from: Option<i64>, to: Option<i64>) -> Result<String, String> {
    let (lo, hi) = match (from, to) {
        (None, None) | (Some(-1), _) | (_, Some(-1)) => return Ok("all".into()),
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) | (None, Some(a)) => (a, a),
    };
    if !(0..=65535).contains(&lo) || !(0..=65535).contains(&hi) || lo > hi {
        return Err(format!("port range {lo}-{hi}"));
    }
    Ok(if lo == 0 && hi == 65535 {
        "all".into()
    } else if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}-{hi}")
    })
}

/// An API protocol (`-1`, `tcp`, `6`, `50`) in the format's words; `Err` for
/// IPv6 ICMP and what is not a protocol.
fn protocol_text(p: &str) -> Result<String, String> {
    match p.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => Ok("all".into()),
        "tcp" | "6" => Ok("tcp".into()),
        "udp" | "17" => Ok("udp".into()),
        "icmp" | "1" => Ok("icmp".into()),
        "icmpv6" | "58" => Err("ICMPv6 (IPv6)".into()),
        other => match other.parse::<u8>() {
            Ok(n) => Ok(n.to_string()),
            Err(_) => Err(format!("protocol `{p}`")),
        },
    }
}

fn icmp_value(v: Option<i64>) -> Option<u8> {
    v.and_then(|n| u8::try_from(n).ok())
}

fn trunc(c: aws::Cidr) -> Ipv4Net {
    c.0.trunc()
}

fn head(tags: &[aws::Tag]) -> Head {
    Head {
        name: name_tag(tags),
        comments: vec![],
    }
}

fn any() -> Ipv4Net {
    "0.0.0.0/0".parse().expect("literal")
}

/// What a route sends to, by the field that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetKind {
    Local,
    Igw,
    Vgw,
    Endpoint,
    Nat,
    InstanceOrEni,
    Peering,
    Unsupported(&'static str),
}

fn route_target(r: &aws::Route) -> Option<(String, TargetKind)> {
    use TargetKind::*;
    if let Some(g) = &r.gateway_id {
        let k = if g == "local" {
            Local
        } else if g.starts_with("igw-") {
            Igw
        } else if g.starts_with("vgw-") {
            Vgw
        } else if g.starts_with("vpce-") {
            Endpoint
        } else {
            Unsupported("gateway")
        };
        return Some((g.clone(), k));
    }
    let fields: [(&Option<String>, TargetKind); 8] = [
        (&r.nat_gateway_id, Nat),
        (&r.network_interface_id, InstanceOrEni),
        (&r.instance_id, InstanceOrEni),
        (&r.vpc_peering_connection_id, Peering),
        (&r.transit_gateway_id, Unsupported("transit gateway")),
        (
            &r.egress_only_internet_gateway_id,
            Unsupported("egress-only internet gateway (IPv6)"),
        ),
        (&r.local_gateway_id, Unsupported("local gateway")),
        (&r.carrier_gateway_id, Unsupported("carrier gateway")),
    ];
    for (f, k) in fields {
        if let Some(id) = f {
            return Some((id.clone(), k));
        }
    }
    r.core_network_arn
        .as_ref()
        .map(|a| (a.clone(), Unsupported("Cloud WAN core network")))
}

fn route_active(r: &aws::Route) -> bool {
    r.state.as_deref() != Some("blackhole")
}

fn propagated(r: &aws::Route) -> bool {
    r.origin.as_deref() == Some("EnableVgwRoutePropagation")
}

pub fn convert(name: &str, folders: &[Folder]) -> (Scenario, Vec<Note>) {
    let mut cx = Cx {
        x: Input::gather(folders),
        s: Scenario {
            name: name.to_string(),
            ..Scenario::default()
        },
        notes: Notes::default(),
        eni_owner: BTreeMap::new(),
        accounted_enis: BTreeSet::new(),
        lists_without_entries: BTreeSet::new(),
    };
    cx.region(folders);
    cx.vpcs();
    cx.prefix_lists();
    cx.subnets();
    cx.peerings();
    cx.security_groups();
    cx.nacls();
    cx.internet_gateways();
    cx.vpn_gateways();
    cx.instances();
    cx.nat_gateways();
    cx.endpoints();
    cx.route_tables();
    cx.associations();
    cx.onprem_networks();
    cx.lambdas();
    cx.leftover_enis();
    cx.unsupported_files();
    cx.describe();
    let notes = cx.notes.into_vec();
    (cx.s, notes)
}

impl<'a> Cx<'a> {
    fn region(&mut self, folders: &[Folder]) {
        let regions: Vec<String> = folders.iter().filter_map(Folder::infer_region).collect();
        let distinct: BTreeSet<&String> = regions.iter().collect();
        self.s.region = match regions.first() {
            Some(r) => r.clone(),
            None => {
                self.notes.add(
                    Approximated,
                    "region",
                    "no folder name or availability zone tells the region; us-east-1 assumed",
                );
                "us-east-1".into()
            }
        };
        if distinct.len() > 1 {
            let list: Vec<&str> = distinct.iter().map(|s| s.as_str()).collect();
            self.notes.add(
                Approximated,
                "region",
                format!(
                    "resources of several regions ({}) in one file; the scenario's region is {}",
                    list.join(", "),
                    self.s.region
                ),
            );
        }
    }

    fn vpcs(&mut self) {
        for (&id, v) in &self.x.vpcs {
            let mut cidrs: Vec<Ipv4Net> = Vec::new();
            let live = v.cidr_block_association_set.iter().filter(|a| {
                a.cidr_block_state
                    .as_ref()
                    .is_none_or(|s| s.state == "associated" || s.state == "associating")
            });
            let mut all: Vec<Ipv4Net> = live.map(|a| trunc(a.cidr_block)).collect();
            if v.cidr_block_association_set.is_empty() {
                all.extend(v.cidr_block.map(trunc));
            }
            // The primary block first (ADDR-1).
            if let Some(p) = v.cidr_block.map(trunc) {
                if let Some(i) = all.iter().position(|c| *c == p) {
                    let c = all.remove(i);
                    all.insert(0, c);
                }
            }
            for c in all {
                if !cidrs.contains(&c) {
                    cidrs.push(c);
                }
            }
            for a in &v.ipv6_cidr_block_association_set {
                if a.associated() {
                    let block = a.ipv6_cidr_block.as_deref().unwrap_or("an IPv6 block");
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("IPv6 CIDR block {block} left out (IPv6 is not supported)"),
                    );
                }
            }
            if cidrs.is_empty() {
                self.notes
                    .add(Unsupported, id, "VPC without an IPv4 CIDR block");
                continue;
            }
            if self.s.account_id.is_none() {
                self.s.account_id = v.owner_id.clone();
            }
            self.s.vpcs.insert(
                id.to_string(),
                out::Vpc {
                    head: head(&v.tags),
                    cidrs,
                },
            );
        }
    }

    fn prefix_lists(&mut self) {
        let lists: Vec<(&'a str, &'a aws::PrefixList)> =
            self.x.prefix_lists.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, p) in lists {
            self.add_prefix_list(id, p.prefix_list_name.clone(), &p.cidrs);
        }
        let managed: Vec<(&'a str, &'a aws::ManagedPrefixList)> =
            self.x.managed_lists.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, m) in managed {
            if self.s.prefix_lists.contains_key(id) {
                continue;
            }
            if m.address_family.as_deref() == Some("IPv6") {
                self.notes
                    .add(Unsupported, id, "IPv6 managed prefix list left out");
                continue;
            }
            if matches!(
                m.state.as_deref(),
                Some("delete-complete" | "delete-in-progress" | "delete-failed")
            ) {
                self.notes.add(
                    Skipped,
                    id,
                    format!(
                        "managed prefix list in state {}",
                        m.state.as_deref().unwrap_or("")
                    ),
                );
                continue;
            }
            match self.x.entries.get(id) {
                Some(e) => {
                    let cidrs: Vec<String> = e.iter().map(|e| e.cidr.clone()).collect();
                    self.add_prefix_list(id, m.prefix_list_name.clone(), &cidrs);
                }
                None => {
                    self.lists_without_entries.insert(id.to_string());
                }
            }
        }
        let extra: Vec<(&str, &[aws::PrefixListEntry])> = self
            .x
            .entries
            .iter()
            .filter(|(id, _)| !self.s.prefix_lists.contains_key(**id))
            .filter(|(id, _)| !self.x.managed_lists.contains_key(**id))
            .map(|(id, e)| (*id, *e))
            .collect();
        for (id, e) in extra {
            let cidrs: Vec<String> = e.iter().map(|e| e.cidr.clone()).collect();
            self.add_prefix_list(id, None, &cidrs);
        }
    }

    fn add_prefix_list(&mut self, id: &str, list_name: Option<String>, cidrs: &[String]) {
        let mut v4: Vec<Ipv4Net> = Vec::new();
        let mut v6 = 0;
        for c in cidrs {
            match c.trim().parse::<Ipv4Net>() {
                Ok(n) => {
                    let n = n.trunc();
                    if !v4.contains(&n) {
                        v4.push(n);
                    }
                }
                Err(_) => v6 += 1,
            }
        }
        if v6 > 0 {
            self.notes.add(
                Unsupported,
                id,
                format!("{v6} entries that are not IPv4 CIDRs left out"),
            );
        }
        if v4.is_empty() && v6 > 0 {
            return;
        }
        self.s.prefix_lists.insert(
            id.to_string(),
            out::PrefixList {
                head: Head::default(),
                list_name,
                cidrs: v4,
            },
        );
    }

    /// Makes sure a prefix list named by a rule or route is in the file:
    /// from the files, else vpcsim's built-in copy.
    fn want_prefix_list(&mut self, id: &str, by: &str) -> bool {
        if self.s.prefix_lists.contains_key(id) {
            return true;
        }
        if let Some(b) = builtin::PREFIX_LISTS.iter().find(|b| b.id == id) {
            self.s.prefix_lists.insert(
                id.to_string(),
                out::PrefixList {
                    head: Head {
                        name: None,
                        comments: vec![
                            "CIDRs from vpcsim's built-in copy (describe-prefix-lists output not given)"
                                .into(),
                        ],
                    },
                    list_name: Some(b.name.to_string()),
                    cidrs: b
                        .cidrs
                        .iter()
                        .map(|c| c.parse().expect("built-in CIDRs are valid"))
                        .collect(),
                },
            );
            return true;
        }
        let why = if self.lists_without_entries.contains(id) {
            format!(
                "prefix list named by {by}; its entries are not in the files (PrefixListEntries-{id}.json)"
            )
        } else {
            format!("prefix list named by {by}, not in the files")
        };
        self.notes.add(Unknown, id, why);
        false
    }

    fn subnets(&mut self) {
        for (&id, s) in &self.x.subnets {
            if !self.s.vpcs.contains_key(&s.vpc_id) {
                self.notes.left_out_with(
                    &s.vpc_id,
                    "VPC",
                    in_files(&self.x, "VPC", &s.vpc_id),
                    format!("subnet {id}"),
                );
                continue;
            }
            let Some(cidr) = s.cidr_block else {
                self.notes.add(Unsupported, id, "IPv6-only subnet left out");
                continue;
            };
            for a in &s.ipv6_cidr_block_association_set {
                if a.associated() {
                    let block = a.ipv6_cidr_block.as_deref().unwrap_or("an IPv6 block");
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("IPv6 CIDR block {block} left out (IPv6 is not supported)"),
                    );
                }
            }
            if s.outpost_arn.is_some() {
                self.notes.add(
                    Approximated,
                    id,
                    "subnet on an Outpost, imported as a regional subnet",
                );
            }
            self.s.subnets.insert(
                id.to_string(),
                out::Subnet {
                    head: head(&s.tags),
                    vpc: s.vpc_id.clone(),
                    cidr: trunc(cidr),
                    az: s.availability_zone.clone(),
                    route_table: None,
                    network_acl: None,
                },
            );
        }
    }

    /// Every route of every table whose VPC is imported: (table, VPC, route).
    fn routes(&self) -> Vec<(&'a str, &'a str, &'a aws::Route)> {
        let mut out = Vec::new();
        for (&id, &t) in &self.x.route_tables {
            if !self.s.vpcs.contains_key(&t.vpc_id) {
                continue;
            }
            for r in &t.routes {
                out.push((id, t.vpc_id.as_str(), r));
            }
        }
        out
    }

    fn peerings(&mut self) {
        for (&id, p) in &self.x.peerings {
            let code = p.status.as_ref().map_or("active", |s| s.code.as_str());
            if code != "active" {
                self.notes
                    .add(Skipped, id, format!("peering connection in state {code}"));
                continue;
            }
            let side = |i: &Option<aws::PeeringVpcInfo>| {
                i.as_ref()
                    .and_then(|i| i.vpc_id.clone())
                    .unwrap_or_default()
            };
            let (req, acc) = (side(&p.requester_vpc_info), side(&p.accepter_vpc_info));
            let missing: Vec<&String> = [&req, &acc]
                .into_iter()
                .filter(|v| !self.s.vpcs.contains_key(*v))
                .collect();
            if !missing.is_empty() {
                let where_ = |i: &Option<aws::PeeringVpcInfo>| {
                    i.as_ref()
                        .map(|i| {
                            format!(
                                "account {}, {}",
                                i.owner_id.as_deref().unwrap_or("?"),
                                i.region.as_deref().unwrap_or("?")
                            )
                        })
                        .unwrap_or_default()
                };
                let other = if missing[0] == &req {
                    where_(&p.requester_vpc_info)
                } else {
                    where_(&p.accepter_vpc_info)
                };
                self.notes.add(
                    Unsupported,
                    id,
                    format!(
                        "peering to VPC {} ({other}), which is not in the files",
                        missing[0]
                    ),
                );
                continue;
            }
            let overlap = self.s.vpcs[&req].cidrs.iter().find_map(|a| {
                self.s.vpcs[&acc]
                    .cidrs
                    .iter()
                    .find(|b| a.contains(*b) || b.contains(a))
                    .map(|b| (*a, *b))
            });
            if let Some((a, b)) = overlap {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("peering between overlapping CIDRs {a} and {b}"),
                );
                continue;
            }
            let regions: BTreeSet<Option<&str>> = [&p.requester_vpc_info, &p.accepter_vpc_info]
                .iter()
                .map(|i| i.as_ref().and_then(|i| i.region.as_deref()))
                .collect();
            if regions.len() > 1 {
                self.notes.add(
                    Approximated,
                    id,
                    "inter-region peering, modelled like one within a region",
                );
            }
            self.s.peerings.insert(
                id.to_string(),
                out::Peering {
                    head: head(&p.tags),
                    requester: req,
                    accepter: acc,
                },
            );
        }
        // Peerings that only the route tables speak of: active routes from
        // both sides tell both VPCs.
        let mut sides: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, vpc, r) in self.routes() {
            if let Some(p) = &r.vpc_peering_connection_id {
                if route_active(r) && !self.x.peerings.contains_key(p.as_str()) {
                    sides.entry(p.clone()).or_default().insert(vpc.to_string());
                }
            }
        }
        for (id, vpcs) in sides {
            let v: Vec<String> = vpcs.into_iter().collect();
            if let [a, b] = v.as_slice() {
                let overlap = self.s.vpcs[a].cidrs.iter().any(|x| {
                    self.s.vpcs[b]
                        .cidrs
                        .iter()
                        .any(|y| x.contains(y) || y.contains(x))
                });
                if overlap {
                    continue;
                }
                self.s.peerings.insert(
                    id.clone(),
                    out::Peering {
                        head: Head::default(),
                        requester: a.clone(),
                        accepter: b.clone(),
                    },
                );
                self.notes.add(
                    Approximated,
                    &id,
                    "peering connection not in the files, imported from the active routes of both VPCs (which side requested it is unknown)",
                );
            }
        }
    }

    fn peered(&self, a: &str, b: &str) -> bool {
        a == b
            || self.s.peerings.values().any(|p| {
                (p.requester == a && p.accepter == b) || (p.requester == b && p.accepter == a)
            })
    }

    fn sg_rules(
        &mut self,
        sg: &str,
        vpc: &str,
        perms: &[aws::IpPermission],
        egress: bool,
    ) -> Vec<out::SgRule> {
        let dir = if egress { "outbound" } else { "inbound" };
        let mut rules = Vec::new();
        for p in perms {
            let protocol = match protocol_text(&p.ip_protocol) {
                Ok(x) => x,
                Err(what) => {
                    self.notes
                        .add(Unsupported, sg, format!("{dir} rule for {what} left out"));
                    continue;
                }
            };
            let (mut ports, mut icmp_type, mut icmp_code) = (None, None, None);
            match protocol.as_str() {
                "tcp" | "udp" => match ports_text(p.from_port, p.to_port) {
                    Ok(x) => ports = Some(x),
                    Err(what) => {
                        self.notes
                            .add(Unsupported, sg, format!("{dir} rule with {what} left out"));
                        continue;
                    }
                },
                "icmp" => {
                    icmp_type = icmp_value(p.from_port);
                    icmp_code = icmp_type.and(icmp_value(p.to_port));
                }
                _ => {}
            }
            let rule = |peer: Peer, description: &Option<String>| out::SgRule {
                protocol: protocol.clone(),
                ports: ports.clone(),
                icmp_type,
                icmp_code,
                peer,
                description: description.clone().filter(|d| !d.is_empty()),
            };
            for r in &p.ip_ranges {
                if r.cidr_ip.0 != r.cidr_ip.0.trunc() {
                    self.notes.add(
                        Approximated,
                        sg,
                        format!(
                            "{dir} rule CIDR {} has host bits set; written as {}",
                            r.cidr_ip.0,
                            r.cidr_ip.0.trunc()
                        ),
                    );
                }
                rules.push(rule(Peer::Cidr(trunc(r.cidr_ip)), &r.description));
            }
            for r in &p.ipv6_ranges {
                self.notes.add(
                    Unsupported,
                    sg,
                    format!(
                        "{dir} rule for {} {} left out (IPv6)",
                        protocol, r.cidr_ipv6
                    ),
                );
            }
            for r in &p.prefix_list_ids {
                if self.want_prefix_list(&r.prefix_list_id, &format!("security group {sg}")) {
                    rules.push(rule(
                        Peer::PrefixList(r.prefix_list_id.clone()),
                        &r.description,
                    ));
                } else {
                    self.notes.add(
                        Unknown,
                        sg,
                        format!(
                            "{dir} rule naming prefix list {} left out",
                            r.prefix_list_id
                        ),
                    );
                }
            }
            for g in &p.user_id_group_pairs {
                let Some(gid) = &g.group_id else {
                    self.notes.add(
                        Unsupported,
                        sg,
                        format!(
                            "{dir} rule naming group `{}` by name only (EC2-Classic) left out",
                            g.group_name.as_deref().unwrap_or("?")
                        ),
                    );
                    continue;
                };
                let other_vpc = self.x.sgs.get(gid.as_str()).and_then(|o| o.vpc_id.clone());
                match other_vpc {
                    Some(ov) if self.s.vpcs.contains_key(&ov) => {
                        if self.peered(vpc, &ov) {
                            rules.push(rule(Peer::Group(gid.clone()), &g.description));
                        } else {
                            self.notes.add(
                                Unknown,
                                sg,
                                format!(
                                    "{dir} rule naming {gid} of VPC {ov}, which is not peered with this VPC in the files (a stale reference), left out"
                                ),
                            );
                        }
                    }
                    _ => {
                        let whose = g
                            .user_id
                            .as_deref()
                            .map(|u| format!(" (account {u})"))
                            .unwrap_or_default();
                        self.notes.add(
                            Unknown,
                            gid,
                            format!(
                                "security group{whose} named by a rule of {sg}, not in the files; the rule is left out"
                            ),
                        );
                    }
                }
            }
        }
        rules
    }

    fn security_groups(&mut self) {
        let sgs: Vec<(&'a str, &'a aws::SecurityGroup)> =
            self.x.sgs.iter().map(|(k, v)| (*k, *v)).collect();
        for &(id, g) in &sgs {
            let Some(vpc) = &g.vpc_id else {
                self.notes
                    .add(Unsupported, id, "EC2-Classic security group (no VPC)");
                continue;
            };
            if !self.s.vpcs.contains_key(vpc) {
                self.notes.left_out_with(
                    vpc,
                    "VPC",
                    in_files(&self.x, "VPC", vpc),
                    format!("security group {id}"),
                );
                continue;
            }
        }
        // Rules may name any group of an imported VPC: decide the groups first.
        let imported: Vec<(&str, &aws::SecurityGroup)> = sgs
            .into_iter()
            .filter(|(_, g)| {
                g.vpc_id
                    .as_ref()
                    .is_some_and(|v| self.s.vpcs.contains_key(v))
            })
            .collect();
        for (id, g) in imported {
            let vpc = g.vpc_id.clone().unwrap_or_default();
            let ingress = self.sg_rules(id, &vpc, &g.ip_permissions, false);
            let egress = self.sg_rules(id, &vpc, &g.ip_permissions_egress, true);
            let mut h = head(&g.tags);
            if h.name.is_none() {
                h.name = g.group_name.clone();
            }
            self.s.sgs.insert(
                id.to_string(),
                out::SecurityGroup {
                    head: h,
                    vpc,
                    ingress,
                    egress,
                },
            );
        }
    }

    fn nacls(&mut self) {
        for (&id, a) in &self.x.nacls {
            if !self.s.vpcs.contains_key(&a.vpc_id) {
                self.notes.left_out_with(
                    &a.vpc_id,
                    "VPC",
                    in_files(&self.x, "VPC", &a.vpc_id),
                    format!("network ACL {id}"),
                );
                continue;
            }
            let mut ingress = Vec::new();
            let mut egress = Vec::new();
            let mut ipv6 = 0;
            for e in &a.entries {
                if e.rule_number == 32767 {
                    continue; // the final `*` rule, implicit in vpcsim
                }
                let dir = if e.egress { "outbound" } else { "inbound" };
                let Some(cidr) = e.cidr_block else {
                    if e.ipv6_cidr_block.is_some() {
                        ipv6 += 1;
                    }
                    continue;
                };
                let Ok(rule) = u16::try_from(e.rule_number) else {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("{dir} rule number {} left out", e.rule_number),
                    );
                    continue;
                };
                let protocol = match protocol_text(&e.protocol) {
                    Ok(p) => p,
                    Err(what) => {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("{dir} rule {rule} for {what} left out"),
                        );
                        continue;
                    }
                };
                let allow = match e.rule_action.to_ascii_lowercase().as_str() {
                    "allow" => true,
                    "deny" => false,
                    other => {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("{dir} rule {rule} with action `{other}` left out"),
                        );
                        continue;
                    }
                };
                let (mut ports, mut icmp_type, mut icmp_code) = (None, None, None);
                match protocol.as_str() {
                    "tcp" | "udp" => {
                        let pr = e.port_range.as_ref();
                        match ports_text(pr.and_then(|p| p.from), pr.and_then(|p| p.to)) {
                            Ok(x) => ports = Some(x),
                            Err(what) => {
                                self.notes.add(
                                    Unsupported,
                                    id,
                                    format!("{dir} rule {rule} with {what} left out"),
                                );
                                continue;
                            }
                        }
                    }
                    "icmp" => {
                        let tc = e.icmp_type_code.as_ref();
                        icmp_type = icmp_value(tc.and_then(|t| t.icmp_type));
                        icmp_code = icmp_type.and(icmp_value(tc.and_then(|t| t.code)));
                    }
                    _ => {}
                }
                let r = out::NaclRule {
                    rule,
                    protocol,
                    ports,
                    icmp_type,
                    icmp_code,
                    cidr: trunc(cidr),
                    allow,
                };
                if e.egress {
                    egress.push(r);
                } else {
                    ingress.push(r);
                }
            }
            if ipv6 > 0 {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("{ipv6} IPv6 rules left out (IPv6 is not supported)"),
                );
            }
            ingress.sort_by_key(|r| r.rule);
            egress.sort_by_key(|r| r.rule);
            let standard = |rules: &[out::NaclRule]| matches!(rules, [r] if r.protocol == "all" && r.cidr == any() && r.allow);
            let associated = a
                .associations
                .iter()
                .any(|s| self.s.subnets.contains_key(&s.subnet_id));
            if a.is_default && !associated && standard(&ingress) && standard(&egress) {
                // vpcsim's implicit default NACL is the same.
                continue;
            }
            self.s.nacls.insert(
                id.to_string(),
                out::Nacl {
                    head: head(&a.tags),
                    vpc: a.vpc_id.clone(),
                    default: a.is_default,
                    ingress,
                    egress,
                },
            );
        }
    }

    fn internet_gateways(&mut self) {
        let mut vpc_has: BTreeMap<String, String> = BTreeMap::new();
        for (&id, g) in &self.x.igws {
            let attached: Vec<&aws::Attachment> =
                g.attachments.iter().filter(|a| a.attached()).collect();
            let Some(a) = attached.first() else {
                self.notes
                    .add(Skipped, id, "internet gateway not attached to a VPC");
                continue;
            };
            if !self.s.vpcs.contains_key(&a.vpc_id) {
                self.notes.left_out_with(
                    &a.vpc_id,
                    "VPC",
                    in_files(&self.x, "VPC", &a.vpc_id),
                    format!("internet gateway {id}"),
                );
                continue;
            }
            vpc_has.insert(a.vpc_id.clone(), id.to_string());
            self.s.igws.insert(
                id.to_string(),
                out::Attached {
                    head: head(&g.tags),
                    vpc: a.vpc_id.clone(),
                },
            );
        }
        // An active route to a gateway not in the files: AWS routes only to
        // the gateway attached to the table's VPC, so that is where it is.
        for (rt, vpc, r) in self.routes() {
            let Some((gid, TargetKind::Igw)) = route_target(r) else {
                continue;
            };
            if !route_active(r) || self.x.igws.contains_key(gid.as_str()) {
                continue;
            }
            if self.s.igws.contains_key(&gid) {
                continue;
            }
            if vpc_has.contains_key(vpc) {
                continue;
            }
            vpc_has.insert(vpc.to_string(), gid.clone());
            self.s.igws.insert(
                gid.clone(),
                out::Attached {
                    head: Head::default(),
                    vpc: vpc.to_string(),
                },
            );
            self.notes.add(
                Approximated,
                &gid,
                format!("internet gateway not in the files, imported from the active route of {rt} (attached to {vpc})"),
            );
        }
    }

    fn vpn_gateways(&mut self) {
        let mut vpc_has: BTreeSet<String> = BTreeSet::new();
        for (&id, g) in &self.x.vgws {
            if matches!(g.state.as_deref(), Some("deleted" | "deleting")) {
                self.notes.add(
                    Skipped,
                    id,
                    format!("VPN gateway in state {}", g.state.as_deref().unwrap_or("")),
                );
                continue;
            }
            let Some(a) = g.vpc_attachments.iter().find(|a| a.attached()) else {
                self.notes
                    .add(Skipped, id, "VPN gateway not attached to a VPC");
                continue;
            };
            if !self.s.vpcs.contains_key(&a.vpc_id) {
                self.notes.left_out_with(
                    &a.vpc_id,
                    "VPC",
                    in_files(&self.x, "VPC", &a.vpc_id),
                    format!("VPN gateway {id}"),
                );
                continue;
            }
            if !vpc_has.insert(a.vpc_id.clone()) {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("a second VPN gateway attached to {}", a.vpc_id),
                );
                continue;
            }
            self.s.vgws.insert(
                id.to_string(),
                out::Vgw {
                    head: head(&g.tags),
                    vpc: a.vpc_id.clone(),
                    propagate_to: vec![],
                },
            );
        }
        for (rt, vpc, r) in self.routes() {
            let Some((gid, TargetKind::Vgw)) = route_target(r) else {
                continue;
            };
            if !route_active(r)
                || self.x.vgws.contains_key(gid.as_str())
                || self.s.vgws.contains_key(&gid)
                || vpc_has.contains(vpc)
            {
                continue;
            }
            vpc_has.insert(vpc.to_string());
            self.s.vgws.insert(
                gid.clone(),
                out::Vgw {
                    head: Head::default(),
                    vpc: vpc.to_string(),
                    propagate_to: vec![],
                },
            );
            self.notes.add(
                Approximated,
                &gid,
                format!("VPN gateway not in the files, imported from the active route of {rt} (attached to {vpc})"),
            );
        }
    }

    /// The groups of an ENI that were imported; the others are noted.
    fn groups_of(&mut self, owner: &str, vpc: &str, groups: &[aws::GroupRef]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in groups {
            if let Some(sg) = self.s.sgs.get(&g.group_id) {
                if sg.vpc != vpc {
                    let other = sg.vpc.clone();
                    self.notes.add(
                        Unknown,
                        &g.group_id,
                        format!("security group of {owner} in {other}, not in its VPC {vpc}; left out there"),
                    );
                } else if !out.contains(&g.group_id) {
                    out.push(g.group_id.clone());
                }
            } else {
                self.notes.add(
                    Unknown,
                    &g.group_id,
                    format!("security group of {owner}, not in the files"),
                );
            }
        }
        out.sort();
        out
    }

    /// Adds an instance; its groups are resolved here.
    fn add_instance(&mut self, id: &str, mut inst: out::Instance, groups: &[aws::GroupRef]) {
        let vpc = self.s.subnets[&inst.subnet].vpc.clone();
        let sgs = self.groups_of(&format!("instance {id}"), &vpc, groups);
        inst.security_groups = if sgs.is_empty() {
            if !groups.is_empty() {
                self.notes.add(
                    Approximated,
                    id,
                    "none of its security groups is in the files; it gets the VPC's default group",
                );
            }
            None
        } else {
            Some(sgs)
        };
        if let Some(e) = &inst.eni {
            self.eni_owner.insert(e.clone(), id.to_string());
            self.accounted_enis.insert(e.clone());
        }
        self.s.instances.insert(id.to_string(), inst);
    }

    fn instances(&mut self) {
        let list: Vec<(&str, &aws::Instance)> =
            self.x.instances.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, i) in list {
            let state = i.state.as_ref().map_or("running", |s| s.name.as_str());
            let all_enis: Vec<String> = i
                .network_interfaces
                .iter()
                .map(|n| n.network_interface_id.clone())
                .collect();
            if matches!(state, "terminated" | "shutting-down") {
                self.notes
                    .add(Skipped, id, format!("instance in state {state}"));
                self.accounted_enis.extend(all_enis);
                continue;
            }
            let Some(subnet) = &i.subnet_id else {
                self.notes
                    .add(Unsupported, id, "instance outside any VPC (EC2-Classic)");
                continue;
            };
            if !self.s.subnets.contains_key(subnet) {
                self.notes.left_out_with(
                    subnet,
                    "subnet",
                    in_files(&self.x, "subnet", subnet),
                    format!("instance {id}"),
                );
                self.accounted_enis.extend(all_enis);
                continue;
            }
            if matches!(state, "stopped" | "stopping") {
                self.notes.add(
                    Approximated,
                    id,
                    format!("instance {state} in the snapshot, imported as running"),
                );
            }
            // The primary ENI carries the instance in vpcsim.
            let primary = i
                .network_interfaces
                .iter()
                .find(|n| n.device_index() == Some(0))
                .or_else(|| i.network_interfaces.first());
            for n in &i.network_interfaces {
                if Some(&n.network_interface_id) != primary.map(|p| &p.network_interface_id) {
                    self.notes.add(
                        Unsupported,
                        &n.network_interface_id,
                        format!(
                            "second network interface (device {}) of instance {id}; vpcsim gives an instance one",
                            n.device_index().map_or("?".into(), |d| d.to_string())
                        ),
                    );
                    self.accounted_enis.insert(n.network_interface_id.clone());
                }
            }
            let private_ip = i
                .private_ip_address
                .or_else(|| primary.and_then(|p| p.private_ip_address))
                .map(|x| x.0);
            let public_ip = i
                .public_ip_address
                .map(|x| x.0)
                .or_else(|| primary.and_then(|p| p.public_ip()));
            if let Some(p) = primary.filter(|p| !p.ipv6_addresses.is_empty()) {
                self.notes.add(
                    Unsupported,
                    id,
                    format!(
                        "{} IPv6 addresses of {} left out (IPv6 is not supported)",
                        p.ipv6_addresses.len(),
                        p.network_interface_id
                    ),
                );
            }
            if let Some(p) = primary {
                let extra = p.secondary_ips();
                if !extra.is_empty() {
                    let list: Vec<String> = extra.iter().map(|x| x.to_string()).collect();
                    self.notes.add(
                        Approximated,
                        id,
                        format!("secondary private IPs {} not represented", list.join(", ")),
                    );
                }
            }
            let groups = match primary {
                Some(p) if !p.groups.is_empty() => p.groups.clone(),
                _ => i.security_groups.clone(),
            };
            let sdc = primary
                .and_then(|p| p.source_dest_check)
                .or(i.source_dest_check)
                .unwrap_or(true);
            let inst = out::Instance {
                head: head(&i.tags),
                subnet: subnet.clone(),
                private_ip,
                public_ip,
                security_groups: None,
                source_dest_check: sdc,
                eni: primary.map(|p| p.network_interface_id.clone()),
            };
            self.add_instance(id, inst, &groups);
        }
        // Instances that only describe-network-interfaces speaks of.
        let enis: Vec<&aws::NetworkInterface> = self.x.enis.values().copied().collect();
        for n in enis {
            let Some(iid) = n.instance_id() else { continue };
            if self.x.instances.contains_key(iid) || n.device_index().unwrap_or(0) != 0 {
                continue;
            }
            let Some(subnet) = n
                .subnet_id
                .clone()
                .filter(|s| self.s.subnets.contains_key(s))
            else {
                continue;
            };
            let iid = iid.to_string();
            let inst = out::Instance {
                head: Head::default(),
                subnet,
                private_ip: n.private_ip_address.map(|x| x.0),
                public_ip: n.public_ip(),
                security_groups: None,
                source_dest_check: n.source_dest_check.unwrap_or(true),
                eni: Some(n.network_interface_id.clone()),
            };
            self.add_instance(&iid, inst, &n.groups);
            self.notes.add(
                Approximated,
                &iid,
                format!(
                    "instance not in describe-instances output, imported from its network interface {}",
                    n.network_interface_id
                ),
            );
        }
    }

    /// The public IP of an Elastic IP allocation or ENI, from describe-addresses.
    fn elastic_ip(&self, allocation: Option<&str>, eni: Option<&str>) -> Option<Ipv4Addr> {
        self.x
            .addresses
            .iter()
            .find(|a| {
                (allocation.is_some() && a.allocation_id.as_deref() == allocation)
                    || (eni.is_some() && a.network_interface_id.as_deref() == eni)
            })
            .and_then(|a| a.public_ip)
            .map(|x| x.0)
    }

    fn nat_gateways(&mut self) {
        for (&id, n) in &self.x.nats {
            let nat_enis: Vec<String> = n
                .nat_gateway_addresses
                .iter()
                .filter_map(|a| a.network_interface_id.clone())
                .collect();
            self.accounted_enis.extend(nat_enis);
            let state = n.state.as_deref().unwrap_or("available");
            if !matches!(state, "available" | "pending") {
                self.notes
                    .add(Skipped, id, format!("NAT gateway in state {state}"));
                continue;
            }
            if !self.s.subnets.contains_key(&n.subnet_id) {
                self.notes.left_out_with(
                    &n.subnet_id,
                    "subnet",
                    in_files(&self.x, "subnet", &n.subnet_id),
                    format!("NAT gateway {id}"),
                );
                continue;
            }
            let public = n.connectivity_type.as_deref() != Some("private");
            let primary = n
                .nat_gateway_addresses
                .iter()
                .find(|a| a.is_primary == Some(true))
                .or_else(|| n.nat_gateway_addresses.first());
            if n.nat_gateway_addresses.len() > 1 {
                self.notes.add(
                    Approximated,
                    id,
                    format!(
                        "{} addresses; vpcsim gives a NAT gateway one (the primary)",
                        n.nat_gateway_addresses.len()
                    ),
                );
            }
            let private_ip = primary.and_then(|a| a.private_ip).map(|x| x.0);
            let mut public_ip = None;
            if public {
                public_ip = primary.and_then(|a| a.public_ip).map(|x| x.0).or_else(|| {
                    primary.and_then(|a| {
                        self.elastic_ip(
                            a.allocation_id.as_deref(),
                            a.network_interface_id.as_deref(),
                        )
                    })
                });
                if public_ip.is_none() {
                    self.notes.add(
                        Unknown,
                        id,
                        "public NAT gateway whose Elastic IP is not in the files; left out",
                    );
                    continue;
                }
            }
            self.s.nats.insert(
                id.to_string(),
                out::Nat {
                    head: head(&n.tags),
                    subnet: n.subnet_id.clone(),
                    public,
                    public_ip,
                    private_ip,
                },
            );
        }
        // NAT gateways that only their ENI speaks of.
        let enis: Vec<&aws::NetworkInterface> = self.x.enis.values().copied().collect();
        for e in enis {
            if e.interface_type.as_deref() != Some("nat_gateway") {
                continue;
            }
            let Some(nid) = e
                .description
                .as_deref()
                .and_then(|d| d.split_whitespace().find(|w| w.starts_with("nat-")))
            else {
                continue;
            };
            if self.x.nats.contains_key(nid) {
                continue;
            }
            self.accounted_enis.insert(e.network_interface_id.clone());
            let Some(subnet) = e
                .subnet_id
                .clone()
                .filter(|s| self.s.subnets.contains_key(s))
            else {
                continue;
            };
            let public_ip = e
                .public_ip()
                .or_else(|| self.elastic_ip(None, Some(&e.network_interface_id)));
            self.s.nats.insert(
                nid.to_string(),
                out::Nat {
                    head: Head::default(),
                    subnet,
                    public: public_ip.is_some(),
                    public_ip,
                    private_ip: e.private_ip_address.map(|x| x.0),
                },
            );
            self.notes.add(
                Approximated,
                nid,
                format!(
                    "NAT gateway not in describe-nat-gateways output, imported from its network interface {} ({})",
                    e.network_interface_id,
                    if public_ip.is_some() { "public" } else { "private: no Elastic IP" }
                ),
            );
        }
    }

    fn endpoints(&mut self) {
        let region = self.s.region.clone();
        let list: Vec<(&str, &aws::VpcEndpoint)> =
            self.x.endpoints.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, e) in list {
            self.accounted_enis
                .extend(e.network_interface_ids.iter().cloned());
            let state = e
                .state
                .as_deref()
                .unwrap_or("available")
                .to_ascii_lowercase();
            if !matches!(state.as_str(), "available" | "pending") {
                self.notes
                    .add(Skipped, id, format!("VPC endpoint in state {state}"));
                continue;
            }
            if !self.s.vpcs.contains_key(&e.vpc_id) {
                self.notes.left_out_with(
                    &e.vpc_id,
                    "VPC",
                    in_files(&self.x, "VPC", &e.vpc_id),
                    format!("endpoint {id}"),
                );
                continue;
            }
            let service = service_short(&e.service_name);
            let kind = match e.vpc_endpoint_type.to_ascii_lowercase().as_str() {
                "gateway" => {
                    if service != "s3" && service != "dynamodb" {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("gateway endpoint for {}", e.service_name),
                        );
                        continue;
                    }
                    let list_name = builtin::service_list_name(&region, &service);
                    let known = self
                        .s
                        .prefix_lists
                        .values()
                        .any(|p| p.list_name.as_deref() == Some(list_name.as_str()))
                        || builtin::prefix_list(&list_name).is_some();
                    if !known {
                        self.notes.add(
                            Unknown,
                            id,
                            format!("gateway endpoint left out: the prefix list {list_name} is not in the files (add describe-prefix-lists output as PrefixLists.json)"),
                        );
                        continue;
                    }
                    let mut route_tables: Vec<String> = Vec::new();
                    for rt in &e.route_table_ids {
                        let ok = self
                            .x
                            .route_tables
                            .get(rt.as_str())
                            .is_some_and(|t| t.vpc_id == e.vpc_id);
                        if ok {
                            route_tables.push(rt.clone());
                        } else {
                            self.notes.add(
                                Unknown,
                                rt,
                                format!("route table of gateway endpoint {id}, not in the files"),
                            );
                        }
                    }
                    out::EndpointKind::Gateway { route_tables }
                }
                "interface" => {
                    let mut subnets = Vec::new();
                    for s in &e.subnet_ids {
                        if self.s.subnets.contains_key(s) {
                            subnets.push(s.clone());
                        } else {
                            self.notes.add(
                                Unknown,
                                s,
                                format!("subnet of interface endpoint {id}, not imported"),
                            );
                        }
                    }
                    if subnets.is_empty() {
                        self.notes.add(
                            Unknown,
                            id,
                            "interface endpoint with none of its subnets imported; left out",
                        );
                        continue;
                    }
                    subnets.sort();
                    subnets.dedup();
                    let security_groups =
                        self.groups_of(&format!("endpoint {id}"), &e.vpc_id, &e.groups);
                    let addrs: Vec<String> = e
                        .network_interface_ids
                        .iter()
                        .filter_map(|n| self.x.enis.get(n.as_str()))
                        .filter_map(|n| {
                            n.private_ip_address
                                .map(|ip| format!("{} {}", n.network_interface_id, ip.0))
                        })
                        .collect();
                    if !addrs.is_empty() {
                        self.notes.add(
                            Approximated,
                            id,
                            format!(
                                "vpcsim allocates the endpoint's addresses itself; in AWS: {}",
                                addrs.join(", ")
                            ),
                        );
                    }
                    out::EndpointKind::Interface {
                        subnets,
                        security_groups,
                        private_dns: e.private_dns_enabled.unwrap_or(true),
                    }
                }
                other => {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("VPC endpoint of type {other} ({})", e.service_name),
                    );
                    continue;
                }
            };
            self.s.endpoints.insert(
                id.to_string(),
                out::Endpoint {
                    head: head(&e.tags),
                    vpc: e.vpc_id.clone(),
                    service,
                    kind,
                },
            );
        }
    }

    /// A route's target, if it is imported and of a kind a route may name.
    /// A route's target, if it is imported, of a kind a route may name, and
    /// reachable from the table's VPC (AWS ensures that; broken input may not).
    fn resolve_target(
        &self,
        kind: TargetKind,
        id: &str,
        r: &aws::Route,
        vpc: &str,
    ) -> Option<String> {
        let subnet_vpc = |s: &str| self.s.subnets.get(s).map(|s| s.vpc.as_str());
        let instance_vpc = |i: &str| self.s.instances.get(i).and_then(|x| subnet_vpc(&x.subnet));
        let have = match kind {
            TargetKind::Igw => self.s.igws.get(id).is_some_and(|g| g.vpc == vpc),
            TargetKind::Vgw => self.s.vgws.get(id).is_some_and(|g| g.vpc == vpc),
            TargetKind::Nat => self
                .s
                .nats
                .get(id)
                .is_some_and(|n| subnet_vpc(&n.subnet) == Some(vpc)),
            TargetKind::Peering => self
                .s
                .peerings
                .get(id)
                .is_some_and(|p| p.requester == vpc || p.accepter == vpc),
            TargetKind::Endpoint => self.s.endpoints.get(id).is_some_and(|e| {
                e.vpc == vpc && matches!(e.kind, out::EndpointKind::Gateway { .. })
            }),
            TargetKind::InstanceOrEni => {
                // Prefer the ENI: AWS prints both for an instance target.
                if let Some(e) = &r.network_interface_id {
                    if let Some(i) = self.eni_owner.get(e) {
                        if instance_vpc(i) == Some(vpc) {
                            return Some(e.clone());
                        }
                    }
                }
                if let Some(i) = &r.instance_id {
                    if instance_vpc(i) == Some(vpc) {
                        return Some(i.clone());
                    }
                }
                false
            }
            TargetKind::Local | TargetKind::Unsupported(_) => false,
        };
        have.then(|| id.to_string())
    }

    fn route_tables(&mut self) {
        // Targets left out, with the tables whose routes name them.
        let mut missing: BTreeMap<String, (String, bool, BTreeSet<String>)> = BTreeMap::new();
        let tables: Vec<(&str, &aws::RouteTable)> =
            self.x.route_tables.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, t) in tables {
            if !self.s.vpcs.contains_key(&t.vpc_id) {
                self.notes.left_out_with(
                    &t.vpc_id,
                    "VPC",
                    in_files(&self.x, "VPC", &t.vpc_id),
                    format!("route table {id}"),
                );
                continue;
            }
            let vpc_cidrs = self.s.vpcs[&t.vpc_id].cidrs.clone();
            let main = t.associations.iter().any(|a| a.main && a.live());
            let mut routes: Vec<out::Route> = Vec::new();
            for r in &t.routes {
                if propagated(r) {
                    continue; // from the VGW's on-premises networks
                }
                let Some((target_id, kind)) = route_target(r) else {
                    continue;
                };
                if kind == TargetKind::Local {
                    continue; // implicit (RT-2)
                }
                let destination = if let Some(c) = r.destination_cidr_block {
                    let net = trunc(c);
                    if vpc_cidrs.contains(&net) {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("route {net} -> {target_id} replaces the local route; left out (vpcsim keeps the local route)"),
                        );
                        continue;
                    }
                    net.to_string()
                } else if let Some(pl) = &r.destination_prefix_list_id {
                    // A gateway endpoint's route comes from the endpoint.
                    if kind == TargetKind::Endpoint {
                        if let Some(out::Endpoint {
                            kind: out::EndpointKind::Gateway { route_tables },
                            ..
                        }) = self
                            .s
                            .endpoints
                            .get_mut(&target_id)
                            .filter(|e| e.vpc == t.vpc_id)
                        {
                            if !route_tables.iter().any(|x| x == id) {
                                route_tables.push(id.to_string());
                            }
                            continue;
                        }
                    }
                    if !self.want_prefix_list(pl, &format!("route table {id}")) {
                        self.notes.add(
                            Unknown,
                            id,
                            format!(
                                "route {pl} -> {target_id} left out (its prefix list is unknown)"
                            ),
                        );
                        continue;
                    }
                    pl.clone()
                } else {
                    if let Some(v6) = &r.destination_ipv6_cidr_block {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("route {v6} -> {target_id} left out (IPv6)"),
                        );
                    }
                    continue;
                };
                let mut blackhole = !route_active(r);
                let target = match self.resolve_target(kind, &target_id, r, &t.vpc_id) {
                    Some(t) => t,
                    None => {
                        let (what, unsupported) = match kind {
                            TargetKind::Unsupported(w) => (w.to_string(), true),
                            TargetKind::Igw => ("internet gateway".into(), false),
                            TargetKind::Vgw => ("VPN gateway".into(), false),
                            TargetKind::Nat => ("NAT gateway".into(), false),
                            TargetKind::Peering => ("peering connection".into(), false),
                            TargetKind::Endpoint => ("VPC endpoint".into(), false),
                            TargetKind::InstanceOrEni => {
                                ("instance or network interface".into(), false)
                            }
                            TargetKind::Local => unreachable!("skipped above"),
                        };
                        // An instance target is reported by the id AWS shows.
                        let shown = match kind {
                            TargetKind::InstanceOrEni => {
                                r.instance_id.clone().unwrap_or_else(|| target_id.clone())
                            }
                            _ => target_id.clone(),
                        };
                        // A blackhole names what no longer exists; an id the
                        // file defines would be checked as a live target.
                        if self.s.ids().iter().any(|(x, _)| *x == shown) {
                            self.notes.add(
                                Unsupported,
                                id,
                                format!("route {destination} -> {shown} left out: the target is in another VPC, or of a kind a route cannot name"),
                            );
                            continue;
                        }
                        let e = missing.entry(shown.clone()).or_insert((
                            what,
                            unsupported,
                            BTreeSet::new(),
                        ));
                        e.2.insert(if route_active(r) {
                            id.to_string()
                        } else {
                            format!("{id} (a blackhole in AWS too)")
                        });
                        blackhole = true;
                        shown
                    }
                };
                routes.push(out::Route {
                    destination,
                    target,
                    blackhole,
                });
            }
            let h = head(&t.tags);
            self.s.route_tables.insert(
                id.to_string(),
                out::RouteTable {
                    head: h,
                    vpc: t.vpc_id.clone(),
                    main,
                    routes,
                },
            );
        }
        for (target, (what, unsupported, tables)) in missing {
            let list: Vec<String> = tables.into_iter().collect();
            // In the files but left out: its own note says why.
            let own = [Unsupported, Skipped, Unknown]
                .into_iter()
                .find(|k| self.notes.0.contains_key(&(*k, target.clone())));
            let (kind, text) = if let Some(k) = own {
                (
                    k,
                    format!("routes to it in {} are kept as blackholes", list.join(", ")),
                )
            } else if unsupported {
                (
                    Unsupported,
                    format!("{what}, the target of routes in {}", list.join(", ")),
                )
            } else {
                (
                    Unknown,
                    format!("{what} named by routes in {}", list.join(", ")),
                )
            };
            self.notes.add(kind, &target, text);
        }
        for e in self.s.endpoints.values_mut() {
            if let out::EndpointKind::Gateway { route_tables } = &mut e.kind {
                route_tables.sort();
                route_tables.dedup();
            }
        }
    }

    fn associations(&mut self) {
        for (id, t) in &self.x.route_tables {
            if !self.s.route_tables.contains_key(*id) {
                continue;
            }
            for a in t.associations.iter().filter(|a| a.live()) {
                if let Some(s) = a.subnet_id.as_ref().and_then(|s| self.s.subnets.get_mut(s)) {
                    if s.vpc == t.vpc_id {
                        s.route_table = Some(id.to_string());
                    }
                }
                if let Some(g) = &a.gateway_id {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("gateway route table: its edge association with {g} (ingress routing) is left out; the table is imported with its routes"),
                    );
                }
            }
            for p in &t.propagating_vgws {
                if let Some(g) = self.s.vgws.get_mut(&p.gateway_id) {
                    if g.vpc == t.vpc_id && !g.propagate_to.iter().any(|x| x == id) {
                        g.propagate_to.push(id.to_string());
                    }
                }
            }
        }
        for g in self.s.vgws.values_mut() {
            g.propagate_to.sort();
        }
        for (id, a) in &self.x.nacls {
            if !self.s.nacls.contains_key(*id) {
                continue;
            }
            for s in &a.associations {
                if let Some(sub) = self.s.subnets.get_mut(&s.subnet_id) {
                    if sub.vpc == a.vpc_id {
                        sub.network_acl = Some(id.to_string());
                    }
                }
            }
        }
    }

    fn onprem_networks(&mut self) {
        // Prefixes that route tables show as propagated from each VGW.
        let mut propagated_cidrs: BTreeMap<String, BTreeSet<Ipv4Net>> = BTreeMap::new();
        for (_, _, r) in self.routes() {
            if let (true, Some(g), Some(c)) =
                (propagated(r), &r.gateway_id, r.destination_cidr_block)
            {
                propagated_cidrs
                    .entry(g.clone())
                    .or_default()
                    .insert(trunc(c));
            }
        }
        let vpns: Vec<(&str, &aws::VpnConnection)> =
            self.x.vpns.iter().map(|(k, v)| (*k, *v)).collect();
        let mut covered: BTreeMap<String, BTreeSet<Ipv4Net>> = BTreeMap::new();
        let mut bgp_of: BTreeMap<String, String> = BTreeMap::new();
        for (id, v) in vpns {
            let state = v.state.as_deref().unwrap_or("available");
            if matches!(state, "deleted" | "deleting") {
                self.notes
                    .add(Skipped, id, format!("VPN connection in state {state}"));
                continue;
            }
            if let Some(tgw) = &v.transit_gateway_id {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("VPN connection to transit gateway {tgw}"),
                );
                continue;
            }
            let Some(vgw) = v.vpn_gateway_id.clone() else {
                continue;
            };
            if !self.s.vgws.contains_key(&vgw) {
                self.notes.left_out_with(
                    &vgw,
                    "VPN gateway",
                    in_files(&self.x, "VPN gateway", &vgw),
                    format!("VPN connection {id}"),
                );
                continue;
            }
            let mut cidrs: Vec<Ipv4Net> = Vec::new();
            for r in &v.routes {
                if matches!(r.state.as_deref(), Some("deleted" | "deleting")) {
                    continue;
                }
                match r
                    .destination_cidr_block
                    .as_deref()
                    .map(str::parse::<Ipv4Net>)
                {
                    Some(Ok(n)) => {
                        let n = n.trunc();
                        if !cidrs.contains(&n) {
                            cidrs.push(n);
                        }
                    }
                    Some(Err(_)) => self.notes.add(
                        Unsupported,
                        id,
                        format!(
                            "static route {} left out (not IPv4)",
                            r.destination_cidr_block.as_deref().unwrap_or("")
                        ),
                    ),
                    None => {}
                }
            }
            let is_static = v
                .options
                .as_ref()
                .and_then(|o| o.static_routes_only)
                .unwrap_or(false);
            if !is_static {
                bgp_of.entry(vgw.clone()).or_insert_with(|| id.to_string());
            }
            if !v.vgw_telemetry.is_empty()
                && v.vgw_telemetry
                    .iter()
                    .all(|t| t.status.as_deref() == Some("DOWN"))
            {
                self.notes.add(
                    Approximated,
                    id,
                    "every tunnel is DOWN in the snapshot; vpcsim carries traffic over the VPN",
                );
            }
            covered.entry(vgw.clone()).or_default().extend(cidrs.iter());
            if cidrs.is_empty() {
                if is_static || !propagated_cidrs.contains_key(&vgw) {
                    self.notes.add(
                        Unknown,
                        id,
                        "no on-premises prefixes in the files (no static routes, none propagated); no [[onprem_network]] for it",
                    );
                }
                continue;
            }
            let mut h = head(&v.tags);
            if let Some(cg) = v.customer_gateway_id.as_deref() {
                let ip = self
                    .x
                    .cgws
                    .get(cg)
                    .and_then(|c| c.ip_address.clone())
                    .map(|ip| format!(" at {ip}"))
                    .unwrap_or_default();
                h.comments
                    .push(format!("VPN connection to customer gateway {cg}{ip}"));
            }
            self.s.onprem.insert(
                id.to_string(),
                out::Onprem {
                    head: h,
                    cidrs,
                    via: vgw,
                },
            );
        }
        // Propagated prefixes that no static route explains: learned by BGP.
        for (vgw, cidrs) in propagated_cidrs {
            if !self.s.vgws.contains_key(&vgw) {
                continue;
            }
            let have = covered.get(&vgw).cloned().unwrap_or_default();
            let rest: Vec<Ipv4Net> = cidrs.difference(&have).copied().collect();
            if rest.is_empty() {
                continue;
            }
            let id = bgp_of
                .get(&vgw)
                .cloned()
                .unwrap_or_else(|| format!("{vgw}-onprem"));
            let entry = self
                .s
                .onprem
                .entry(id.clone())
                .or_insert_with(|| out::Onprem {
                    head: Head::default(),
                    cidrs: vec![],
                    via: vgw.clone(),
                });
            entry.cidrs.extend(rest);
            entry
                .head
                .comments
                .push("prefixes propagated into the route tables (learned over BGP)".into());
            self.notes.add(
                Approximated,
                &id,
                "on-premises prefixes taken from the routes propagated into the route tables",
            );
        }
        for n in self.s.onprem.values_mut() {
            n.cidrs.sort();
            n.cidrs.dedup();
        }
    }

    fn lambdas(&mut self) {
        let list: Vec<(&str, &aws::Function)> =
            self.x.functions.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, f) in list {
            let (subnet_ids, sg_ids) = match &f.vpc_config {
                Some(c) if !c.subnet_ids.is_empty() => (&c.subnet_ids, &c.security_group_ids),
                _ => {
                    self.s
                        .lambdas
                        .insert(id.to_string(), out::Lambda::default());
                    continue;
                }
            };
            let mut subnets: Vec<String> = Vec::new();
            let mut vpc: Option<String> = None;
            for s in subnet_ids {
                if let Some(sub) = self.s.subnets.get(s) {
                    match &vpc {
                        Some(v) if *v != sub.vpc => {
                            self.notes.add(
                                Unsupported,
                                id,
                                format!("subnet {s} is in another VPC than the function's first subnet; left out"),
                            );
                            continue;
                        }
                        _ => vpc = Some(sub.vpc.clone()),
                    }
                    subnets.push(s.clone());
                } else {
                    self.notes.add(
                        Unknown,
                        s,
                        format!("subnet of Lambda function {id}, not imported"),
                    );
                }
            }
            let groups: Vec<aws::GroupRef> = sg_ids
                .iter()
                .map(|g| aws::GroupRef {
                    group_id: g.clone(),
                })
                .collect();
            let vpc = vpc.unwrap_or_default();
            let security_groups = self.groups_of(&format!("Lambda function {id}"), &vpc, &groups);
            if subnets.is_empty() || security_groups.is_empty() {
                self.notes.add(
                    Unknown,
                    id,
                    "Lambda function whose subnets or security groups are not in the files; left out",
                );
                continue;
            }
            subnets.sort();
            subnets.dedup();
            self.s.lambdas.insert(
                id.to_string(),
                out::Lambda {
                    head: Head::default(),
                    subnets,
                    security_groups,
                },
            );
        }
    }

    /// ENIs of describe-network-interfaces that nothing imported accounts for.
    fn leftover_enis(&mut self) {
        let enis: Vec<&aws::NetworkInterface> = self.x.enis.values().copied().collect();
        for n in enis {
            let id = n.network_interface_id.as_str();
            if self.accounted_enis.contains(id) {
                continue;
            }
            let itype = n.interface_type.as_deref().unwrap_or("interface");
            if itype == "lambda" && self.x.has_functions_file {
                continue; // a Hyperplane ENI of the functions imported
            }
            if let Some(iid) = n.instance_id() {
                if self.x.instances.contains_key(iid) {
                    continue; // noted with its instance
                }
            }
            let desc = n
                .description
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| format!(" \"{d}\""))
                .unwrap_or_default();
            let text = if itype == "lambda" {
                format!(
                    "Lambda network interface{desc}; add `aws lambda list-functions` output (Functions.json) to import the functions"
                )
            } else {
                format!(
                    "network interface of type {itype}{desc}, attached to nothing vpcsim models"
                )
            };
            self.notes.add(Unsupported, id, text);
        }
    }

    fn unsupported_files(&mut self) {
        let list: Vec<(&str, &str)> = self.x.unsupported.clone();
        for (what, id) in list {
            // A route to it may have said so already, at more length.
            if !self.notes.0.contains_key(&(Unsupported, id.to_string())) {
                self.notes.add(Unsupported, id, what);
            }
        }
    }

    fn describe(&mut self) {
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        self.s.description = format!(
            "Imported from AWS describe output: {}, {}, {}.",
            n(self.s.vpcs.len(), "VPC", "VPCs"),
            n(self.s.subnets.len(), "subnet", "subnets"),
            n(self.s.instances.len(), "instance", "instances"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert_eq!(service_short("com.amazonaws.us-east-1.s3"), "s3");
        assert_eq!(service_short("com.amazonaws.eu-west-1.ecr.dkr"), "ecr.dkr");
        assert_eq!(
            service_short("com.amazonaws.vpce.us-east-1.vpce-svc-0abc"),
            "vpce-svc-0abc"
        );
        assert_eq!(service_short("custom"), "custom");
    }

    #[test]
    fn ports_and_protocols() {
        assert_eq!(ports_text(Some(22), Some(22)).unwrap(), "22");
        assert_eq!(ports_text(Some(0), Some(65535)).unwrap(), "all");
        assert_eq!(ports_text(None, None).unwrap(), "all");
        assert_eq!(ports_text(Some(-1), Some(-1)).unwrap(), "all");
        assert_eq!(ports_text(Some(1024), Some(65535)).unwrap(), "1024-65535");
        assert!(ports_text(Some(5), Some(1)).is_err());
        assert_eq!(protocol_text("-1").unwrap(), "all");
        assert_eq!(protocol_text("6").unwrap(), "tcp");
        assert_eq!(protocol_text("TCP").unwrap(), "tcp");
        assert_eq!(protocol_text("50").unwrap(), "50");
        assert!(protocol_text("58").is_err());
        assert!(protocol_text("bogus").is_err());
    }
}
