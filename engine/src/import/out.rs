//! The scenario being imported, by id, and its translation into the raw
//! scenario that the scenario printer writes.
//!
//! Resources sit in `BTreeMap`s by id while the import looks them up and
//! completes them, so the file lists them sorted whatever order the JSON
//! gave; lists inside a resource keep the order of the JSON (rules, routes)
//! or are sorted where order means nothing (subnets, groups). The text is
//! written by [`crate::scenario::print`], with the `Name` tag and the notes of
//! each resource as comments above its table.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{Note, NoteKind};
use crate::scenario::print::Comments;
use crate::scenario::raw::{self, Id, Raw};
use crate::scenario::{Sp, print};
use crate::units::{Nanos, PortRange, Protocol};

#[derive(Debug, Default)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub region: String,
    pub account_id: Option<String>,
    /// The first lines of the comment block, when not those of `import aws`.
    pub header: Option<Vec<String>>,
    /// The titles of the four groups of notes, when not those of `import aws`.
    pub titles: Option<[String; 4]>,
    pub vpcs: BTreeMap<String, Vpc>,
    pub subnets: BTreeMap<String, Subnet>,
    pub route_tables: BTreeMap<String, RouteTable>,
    pub igws: BTreeMap<String, Attached>,
    pub nats: BTreeMap<String, Nat>,
    pub prefix_lists: BTreeMap<String, PrefixList>,
    pub endpoints: BTreeMap<String, Endpoint>,
    pub sgs: BTreeMap<String, SecurityGroup>,
    pub nacls: BTreeMap<String, Nacl>,
    pub peerings: BTreeMap<String, Peering>,
    pub vgws: BTreeMap<String, Vgw>,
    pub onprem: BTreeMap<String, Onprem>,
    pub instances: BTreeMap<String, Instance>,
    pub lambdas: BTreeMap<String, Lambda>,
    pub tgws: BTreeMap<String, Tgw>,
    pub tgw_attachments: BTreeMap<String, TgwAttachment>,
    pub tgw_route_tables: BTreeMap<String, TgwRouteTable>,
    /// The Region of each transit gateway not in the scenario's (TGW-10).
    pub tgw_regions: BTreeMap<String, String>,
    /// Peering attachments (TGW-10): each side's id -> the other side's.
    pub tgw_peers: BTreeMap<String, String>,
}

/// What every resource carries besides its fields: its `Name` tag and notes,
/// written as comments above it.
#[derive(Debug, Default, Clone)]
pub struct Head {
    pub name: Option<String>,
    pub comments: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Vpc {
    pub head: Head,
    pub cidrs: Vec<Ipv4Net>,
}

#[derive(Debug, Default)]
pub struct Subnet {
    pub head: Head,
    pub vpc: String,
    pub cidr: Ipv4Net,
    pub az: String,
    pub route_table: Option<String>,
    pub network_acl: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Route {
    /// A CIDR or a prefix list id.
    pub destination: String,
    pub target: String,
    pub blackhole: bool,
}

#[derive(Debug, Default)]
pub struct RouteTable {
    pub head: Head,
    pub vpc: String,
    pub main: bool,
    pub routes: Vec<Route>,
}

/// An internet gateway: attached to one VPC.
#[derive(Debug, Default)]
pub struct Attached {
    pub head: Head,
    pub vpc: String,
}

#[derive(Debug, Default)]
pub struct Nat {
    pub head: Head,
    pub subnet: String,
    pub public: bool,
    pub public_ip: Option<Ipv4Addr>,
    pub private_ip: Option<Ipv4Addr>,
}

#[derive(Debug, Default)]
pub struct PrefixList {
    pub head: Head,
    pub list_name: Option<String>,
    pub cidrs: Vec<Ipv4Net>,
}

#[derive(Debug)]
pub enum EndpointKind {
    Gateway {
        route_tables: Vec<String>,
    },
    Interface {
        subnets: Vec<String>,
        security_groups: Vec<String>,
        private_dns: bool,
        /// `DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint` when the
        /// account turned it off; `None` leaves vpcsim's default, which is
        /// AWS's (IFE-7).
        private_dns_only_inbound: Option<bool>,
        /// The address of its ENI in each subnet, in order; empty when not
        /// all are known.
        private_ips: Vec<std::net::Ipv4Addr>,
    },
}

#[derive(Debug)]
pub struct Endpoint {
    pub head: Head,
    pub vpc: String,
    pub service: String,
    pub kind: EndpointKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    Cidr(Ipv4Net),
    Group(String),
    PrefixList(String),
}

#[derive(Debug, Clone)]
pub struct SgRule {
    pub protocol: Protocol,
    /// For tcp and udp.
    pub ports: Option<PortRange>,
    pub icmp_type: Option<u8>,
    pub icmp_code: Option<u8>,
    pub peer: Peer,
    pub description: Option<String>,
}

#[derive(Debug, Default)]
pub struct SecurityGroup {
    pub head: Head,
    pub vpc: String,
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
}

#[derive(Debug, Clone)]
pub struct NaclRule {
    pub rule: u16,
    pub protocol: Protocol,
    pub ports: Option<PortRange>,
    pub icmp_type: Option<u8>,
    pub icmp_code: Option<u8>,
    pub cidr: Ipv4Net,
    pub allow: bool,
}

#[derive(Debug, Default)]
pub struct Nacl {
    pub head: Head,
    pub vpc: String,
    pub default: bool,
    pub ingress: Vec<NaclRule>,
    pub egress: Vec<NaclRule>,
}

#[derive(Debug, Default)]
pub struct Peering {
    pub head: Head,
    pub requester: String,
    pub accepter: String,
    /// The far side's Region of an inter-Region peering (MTU-1).
    pub peer_region: Option<String>,
    /// Each side's DNS resolution option (DNS-4): the requester's makes its
    /// instances' public DNS names resolve privately from the accepter.
    pub requester_dns: bool,
    pub accepter_dns: bool,
}

#[derive(Debug, Default)]
pub struct Vgw {
    pub head: Head,
    pub vpc: String,
    pub propagate_to: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Onprem {
    pub head: Head,
    pub cidrs: Vec<Ipv4Net>,
    pub via: String,
    /// What the files say of its VPN connection (VPN-3).
    pub customer_gateway: Option<Ipv4Addr>,
    pub bgp: Option<bool>,
    pub tunnels: Vec<(Ipv4Addr, bool)>,
}

#[derive(Debug, Default)]
pub struct Instance {
    pub head: Head,
    pub subnet: String,
    pub private_ip: Option<Ipv4Addr>,
    pub public_ip: Option<Ipv4Addr>,
    /// `None`: the VPC's default group (the file names none).
    pub security_groups: Option<Vec<String>>,
    pub source_dest_check: bool,
    pub eni: Option<String>,
    /// Written only when vpcsim's table knows it (BW-1).
    pub instance_type: Option<String>,
}

#[derive(Debug, Default)]
pub struct Lambda {
    pub head: Head,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
}

/// A transit gateway. A default table is written only when the default is
/// on: the import lists every attachment's association and propagations
/// as AWS reports them, so the defaults are on only when those are not in
/// the files.
#[derive(Debug, Default)]
pub struct Tgw {
    pub head: Head,
    pub asn: Option<u32>,
    pub association_default: Option<String>,
    pub propagation_default: Option<String>,
    pub dns_support: bool,
    pub sg_referencing: bool,
}

/// An attachment of a transit gateway: a VPC's (`vpc`, `subnets` and
/// `appliance_mode` set), or a VPN connection's.
#[derive(Debug, Default)]
pub struct TgwAttachment {
    pub head: Head,
    pub tgw: String,
    pub vpc: String,
    pub subnets: Vec<String>,
    pub appliance_mode: bool,
    /// Security group referencing turned off on a VPC attachment (AWS's
    /// default is on, TGW-11).
    pub sg_referencing_off: bool,
    /// A VPN attachment: the VPN connection's id (or Terraform address)
    /// and whether its routing is BGP (TGW-9). `None`: a VPC attachment.
    pub vpn: Option<(String, bool)>,
}

/// A static route of a transit gateway route table: to an attachment, or
/// a blackhole (`None`).
#[derive(Debug, Clone)]
pub struct TgwRoute {
    /// A CIDR or a prefix list id.
    pub destination: String,
    pub attachment: Option<String>,
}

#[derive(Debug, Default)]
pub struct TgwRouteTable {
    pub head: Head,
    pub tgw: String,
    pub associations: Vec<String>,
    pub propagations: Vec<String>,
    pub routes: Vec<TgwRoute>,
}

/// A value without a place in a file: the raw scenario's spans locate
/// problems in text that was read, and this one was not.
fn sp<T>(v: T) -> Sp<T> {
    Sp::new(0..0, v)
}

fn id(s: &str) -> Id {
    sp(s.to_string())
}

fn ids(v: &[String]) -> Vec<Id> {
    v.iter().map(|s| id(s)).collect()
}

fn nets(v: &[Ipv4Net]) -> Vec<Sp<Ipv4Net>> {
    v.iter().map(|c| sp(*c)).collect()
}

fn peer(p: &Peer) -> raw::Peer {
    match p {
        Peer::Cidr(c) => raw::Peer::Cidr(*c),
        Peer::Group(g) => raw::Peer::Group(g.clone()),
        Peer::PrefixList(l) => raw::Peer::PrefixList(l.clone()),
    }
}

fn sg_rules(rules: &[SgRule]) -> Vec<Sp<raw::SgRule>> {
    rules
        .iter()
        .map(|r| {
            sp(raw::SgRule {
                protocol: Some(sp(r.protocol)),
                ports: r.ports.map(sp),
                peer: Some(sp(peer(&r.peer))),
                icmp_type: r.icmp_type.map(sp),
                icmp_code: r.icmp_code.map(sp),
                description: r.description.clone().map(sp),
            })
        })
        .collect()
}

fn nacl_rules(rules: &[NaclRule]) -> Vec<Sp<raw::NaclRule>> {
    rules
        .iter()
        .map(|r| {
            sp(raw::NaclRule {
                rule: Some(sp(r.rule)),
                protocol: Some(sp(r.protocol)),
                ports: r.ports.map(sp),
                cidr: Some(sp(r.cidr)),
                allow: Some(sp(r.allow)),
                icmp_type: r.icmp_type.map(sp),
                icmp_code: r.icmp_code.map(sp),
            })
        })
        .collect()
}

/// A comment's text as the file shows it: a tag or id from the input may
/// hold what would end the comment or change how the line reads (a line
/// break, a right-to-left override, a zero-width space); control
/// characters are written as spaces, and other characters an id may not
/// hold (invisible ones, spaces other than U+0020) as `\u{202E}`.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == ' ' {
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else if crate::scenario::diag::unfit_in_id(c) {
            out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The comment block at the top: what was not imported, by id, and the
/// files not read.
fn top_comments(
    name: &str,
    header: Option<&Vec<String>>,
    titles: Option<&[String; 4]>,
    notes: &[Note],
    ignored_files: &[String],
) -> Vec<String> {
    let mut top = header.cloned().unwrap_or_else(|| {
        vec![
            format!("Imported by `vpcsim import aws` from {name}."),
            "The design only: no traffic, events or expectations.".to_string(),
            "Every instance listens on every TCP and UDP port (listen = \"any\"): the".to_string(),
            "describe files do not say what listens.".to_string(),
        ]
    });
    let groups = [
        (
            NoteKind::Unsupported,
            "Not imported: vpcsim cannot represent these (routes to them are kept as blackholes).",
        ),
        (
            NoteKind::Unknown,
            "Referenced but not in the files, so left out (routes to them are kept as blackholes).",
        ),
        (NoteKind::Skipped, "Left out because of their state."),
        (
            NoteKind::Approximated,
            "Imported with a difference from AWS.",
        ),
    ];
    for (n, (kind, title)) in groups.into_iter().enumerate() {
        let title = titles.map_or(title, |t| t[n].as_str());
        let of_kind: Vec<&Note> = notes.iter().filter(|n| n.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        top.push(String::new());
        top.push(title.to_string());
        for n in of_kind {
            top.push(format!("  {}: {}", n.id, n.text));
        }
    }
    if !ignored_files.is_empty() {
        top.push(String::new());
        top.push(format!(
            "Files not read (names the import does not know): {}",
            ignored_files.join(", ")
        ));
    }
    top
}

impl Scenario {
    /// Instances whose public IP another holder has (files or values of
    /// different times, an Elastic IP that moved): AWS gives an address to
    /// one holder, and the loader refuses a second. A NAT gateway keeps its
    /// address, then the first instance by id; the others are written
    /// without a public IP. Returns each such instance with the address
    /// and its holder ("NAT gateway nat-1", "instance i-1").
    pub fn unshare_public_ips(&mut self) -> Vec<(String, Ipv4Addr, String)> {
        let mut holder: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
        for (id, n) in &self.nats {
            if let Some(ip) = n.public_ip {
                holder
                    .entry(ip)
                    .or_insert_with(|| format!("NAT gateway {id}"));
            }
        }
        let mut moved = Vec::new();
        for (id, x) in self.instances.iter_mut() {
            let Some(ip) = x.public_ip else {
                continue;
            };
            match holder.get(&ip) {
                Some(h) => {
                    x.public_ip = None;
                    moved.push((id.clone(), ip, h.clone()));
                }
                None => {
                    holder.insert(ip, format!("instance {id}"));
                }
            }
        }
        moved
    }

    /// The note on an instance written without its public IP, since
    /// `holder` has the address (see `unshare_public_ips`).
    pub fn unshared_note(ip: Ipv4Addr, holder: &str) -> String {
        format!(
            "public IP {ip} is {holder}'s too, and an address has one holder; imported without a public IP"
        )
    }

    /// Why a VPC CIDR block cannot be one (ADDR-1: /16 to /28), if it
    /// cannot; the importers leave such a block out, with this note.
    pub fn vpc_cidr_problem(c: Ipv4Net) -> Option<String> {
        (!(16..=28).contains(&c.prefix_len())).then(|| {
            format!(
                "CIDR block {c} left out: a VPC CIDR block is /16 to /28, and this is a /{} (ADDR-1)",
                c.prefix_len()
            )
        })
    }

    /// Why a subnet with CIDR `net` cannot be in VPC `vpc` beside the
    /// subnets already in the scenario, if it cannot (ADDR-2): its size,
    /// outside every CIDR of the VPC, or overlapping another subnet of the
    /// VPC. The importers leave such a subnet out, with this note.
    pub fn subnet_problem(&self, vpc: &str, net: Ipv4Net) -> Option<String> {
        if !(16..=28).contains(&net.prefix_len()) {
            return Some(format!(
                "subnet left out: its CIDR {net} is a /{}; a subnet is /16 to /28 (ADDR-2)",
                net.prefix_len()
            ));
        }
        let inside = self
            .vpcs
            .get(vpc)
            .is_some_and(|v| v.cidrs.iter().any(|c| c.contains(&net)));
        if !inside {
            return Some(format!(
                "subnet left out: its CIDR {net} is outside every CIDR of {vpc} (ADDR-2)"
            ));
        }
        // AWS refuses a subnet that overlaps another of its VPC: a
        // description that has two is not one network.
        let overlap = self.subnets.iter().find(|(_, o)| {
            o.vpc == vpc && (o.cidr.contains(&net.network()) || net.contains(&o.cidr.network()))
        });
        overlap.map(|(other, o)| {
            format!(
                "subnet left out: its CIDR {net} overlaps {}, the CIDR of subnet {other} in {vpc} (ADDR-2)",
                o.cidr
            )
        })
    }

    /// The scenario file: a comment block with what was not imported (and
    /// the files not read), then the design.
    pub fn to_toml(&self, notes: &[Note], ignored_files: &[String]) -> String {
        let (raw, mut comments) = self.to_raw();
        comments.top = top_comments(
            &self.name,
            self.header.as_ref(),
            self.titles.as_ref(),
            notes,
            ignored_files,
        );
        for line in comments
            .top
            .iter_mut()
            .chain(comments.resources.values_mut().flatten())
        {
            *line = comment_text(line);
        }
        print::print_commented(&raw, &comments)
    }

    /// The raw scenario, and each resource's `Name` tag and notes as the
    /// comments above its table.
    fn to_raw(&self) -> (Raw, Comments) {
        let mut comments = Comments::default();
        let mut note = |table: &str, key: &str, h: &Head| {
            let mut lines = Vec::new();
            if let Some(n) = &h.name {
                lines.push(format!("Name: {n}"));
            }
            lines.extend(h.comments.iter().cloned());
            if !lines.is_empty() {
                comments
                    .resources
                    .insert((table.to_string(), key.to_string()), lines);
            }
            id(key)
        };
        let mut raw = Raw {
            scenario: Some(raw::ScenarioHead {
                span: 0..0,
                name: Some(sp(self.name.clone())),
                description: Some(sp(self.description.clone())),
                seed: None,
                duration: Some(sp(Nanos::from_secs(60))),
                region: Some(sp(self.region.clone())),
                account_id: self.account_id.clone().map(sp),
                include: Vec::new(),
            }),
            ..Raw::default()
        };
        for (k, v) in &self.vpcs {
            raw.vpcs.push(raw::Vpc {
                id: note("vpc", k, &v.head),
                cidrs: Some(sp(nets(&v.cidrs))),
                enable_dns_support: None,
                enable_dns_hostnames: None,
            });
        }
        for (k, s) in &self.subnets {
            raw.subnets.push(raw::Subnet {
                id: note("subnet", k, &s.head),
                vpc: Some(id(&s.vpc)),
                cidr: Some(sp(s.cidr)),
                az: Some(sp(s.az.clone())),
                route_table: s.route_table.as_deref().map(id),
                network_acl: s.network_acl.as_deref().map(id),
            });
        }
        for (k, t) in &self.route_tables {
            let routes = t
                .routes
                .iter()
                .map(|r| {
                    sp(raw::Route {
                        destination: Some(sp(r.destination.clone())),
                        target: Some(id(&r.target)),
                        blackhole: r.blackhole,
                    })
                })
                .collect();
            raw.route_tables.push(raw::RouteTable {
                id: note("route_table", k, &t.head),
                vpc: Some(id(&t.vpc)),
                main: t.main.then(|| sp(true)),
                routes,
            });
        }
        for (k, g) in &self.igws {
            raw.internet_gateways.push(raw::InternetGateway {
                id: note("internet_gateway", k, &g.head),
                vpc: Some(id(&g.vpc)),
            });
        }
        for (k, n) in &self.nats {
            raw.nat_gateways.push(raw::NatGateway {
                id: note("nat_gateway", k, &n.head),
                subnet: Some(id(&n.subnet)),
                public: sp(n.public),
                public_ip: n.public_ip.map(sp),
                private_ip: n.private_ip.map(sp),
            });
        }
        for (k, p) in &self.prefix_lists {
            raw.prefix_lists.push(raw::PrefixList {
                id: note("prefix_list", k, &p.head),
                name: p.list_name.clone().map(sp),
                cidrs: nets(&p.cidrs),
            });
        }
        for (k, e) in &self.endpoints {
            let mut x = raw::VpcEndpoint {
                id: note("vpc_endpoint", k, &e.head),
                kind: None,
                vpc: Some(id(&e.vpc)),
                service: Some(sp(e.service.clone())),
                route_tables: vec![],
                subnets: vec![],
                security_groups: vec![],
                private_dns: None,
                private_dns_only_for_inbound_resolver_endpoint: None,
                private_ips: vec![],
                listen: vec![],
            };
            match &e.kind {
                EndpointKind::Gateway { route_tables } => {
                    x.kind = Some(sp(raw::EndpointType::Gateway));
                    x.route_tables = ids(route_tables);
                }
                EndpointKind::Interface {
                    subnets,
                    security_groups,
                    private_dns,
                    private_dns_only_inbound,
                    private_ips,
                } => {
                    x.kind = Some(sp(raw::EndpointType::Interface));
                    x.subnets = ids(subnets);
                    x.security_groups = ids(security_groups);
                    x.private_dns = Some(sp(*private_dns));
                    // Only `false` is written: on, the option needs a
                    // gateway endpoint of the service in the VPC, and
                    // vpcsim's default turns it on exactly then (IFE-7).
                    if *private_dns && *private_dns_only_inbound == Some(false) {
                        x.private_dns_only_for_inbound_resolver_endpoint = Some(sp(false));
                    }
                    x.private_ips = private_ips.iter().map(|a| sp(*a)).collect();
                }
            }
            raw.vpc_endpoints.push(x);
        }
        for (k, g) in &self.sgs {
            raw.security_groups.push(raw::SecurityGroup {
                id: note("security_group", k, &g.head),
                vpc: Some(id(&g.vpc)),
                ingress: sg_rules(&g.ingress),
                egress: Some(sg_rules(&g.egress)),
            });
        }
        for (k, a) in &self.nacls {
            raw.network_acls.push(raw::NetworkAcl {
                id: note("network_acl", k, &a.head),
                vpc: Some(id(&a.vpc)),
                default: a.default.then(|| sp(true)),
                ingress: nacl_rules(&a.ingress),
                egress: nacl_rules(&a.egress),
            });
        }
        for (k, p) in &self.peerings {
            raw.vpc_peerings.push(raw::VpcPeering {
                id: note("vpc_peering", k, &p.head),
                requester: Some(id(&p.requester)),
                accepter: Some(id(&p.accepter)),
                peer_region: p.peer_region.clone().map(sp),
                allow_dns_resolution: (p.requester_dns && p.accepter_dns).then(|| sp(true)),
                requester_dns_resolution: (p.requester_dns && !p.accepter_dns).then(|| sp(true)),
                accepter_dns_resolution: (p.accepter_dns && !p.requester_dns).then(|| sp(true)),
            });
        }
        for (k, g) in &self.vgws {
            raw.vpn_gateways.push(raw::VpnGateway {
                id: note("vpn_gateway", k, &g.head),
                vpc: Some(id(&g.vpc)),
                propagate_to: ids(&g.propagate_to),
            });
        }
        for (k, n) in &self.onprem {
            raw.onprem_networks.push(raw::OnpremNetwork {
                id: note("onprem_network", k, &n.head),
                cidrs: nets(&n.cidrs),
                via: Some(id(&n.via)),
                latency: None,
                loss: None,
                customer_gateway: n.customer_gateway.map(sp),
                bgp: n.bgp.map(sp),
                tunnels: n
                    .tunnels
                    .iter()
                    .map(|&(ip, up)| {
                        sp(raw::VpnTunnel {
                            outside_ip: Some(sp(ip)),
                            up: Some(sp(up)),
                        })
                    })
                    .collect(),
            });
        }
        for (k, g) in &self.tgws {
            raw.transit_gateways.push(raw::TransitGateway {
                id: note("transit_gateway", k, &g.head),
                asn: g.asn.map(sp),
                default_association: Some(sp(g.association_default.is_some())),
                default_propagation: Some(sp(g.propagation_default.is_some())),
                association_table: g.association_default.as_deref().map(id),
                propagation_table: g.propagation_default.as_deref().map(id),
                dns_support: Some(sp(g.dns_support)),
                sg_referencing: Some(sp(g.sg_referencing)),
                region: self.tgw_regions.get(k).cloned().map(sp),
            });
        }
        for (k, a) in &self.tgw_attachments {
            raw.tgw_attachments.push(raw::TgwAttachment {
                id: note("transit_gateway_attachment", k, &a.head),
                transit_gateway: Some(id(&a.tgw)),
                kind: Some(sp(if a.vpn.is_some() {
                    raw::TgwAttachmentType::Vpn
                } else if self.tgw_peers.contains_key(k) {
                    raw::TgwAttachmentType::Peering
                } else {
                    raw::TgwAttachmentType::Vpc
                })),
                vpc: (a.vpn.is_none() && !self.tgw_peers.contains_key(k)).then(|| id(&a.vpc)),
                subnets: ids(&a.subnets),
                appliance_mode: a.appliance_mode.then(|| sp(true)),
                sg_referencing: a.sg_referencing_off.then(|| sp(false)),
                routing: a.vpn.as_ref().map(|(_, bgp)| {
                    sp(if *bgp {
                        raw::VpnRouting::Bgp
                    } else {
                        raw::VpnRouting::Static
                    })
                }),
                peer: self.tgw_peers.get(k).map(|p| id(p)),
            });
        }
        for (k, t) in &self.tgw_route_tables {
            let routes = t
                .routes
                .iter()
                .map(|r| {
                    sp(raw::TgwRoute {
                        destination: Some(sp(r.destination.clone())),
                        attachment: r.attachment.as_deref().map(id),
                        blackhole: r.attachment.is_none().then(|| sp(true)),
                    })
                })
                .collect();
            raw.tgw_route_tables.push(raw::TgwRouteTable {
                id: note("transit_gateway_route_table", k, &t.head),
                transit_gateway: Some(id(&t.tgw)),
                associations: ids(&t.associations),
                propagations: ids(&t.propagations),
                routes,
            });
        }
        for (k, i) in &self.instances {
            raw.instances.push(raw::Instance {
                id: note("instance", k, &i.head),
                subnet: Some(id(&i.subnet)),
                private_ip: i.private_ip.map(sp),
                public_ip: i.public_ip.map(sp),
                security_groups: i.security_groups.as_deref().map(|g| sp(ids(g))),
                source_dest_check: Some(sp(i.source_dest_check)),
                stateful: None,
                eni: i.eni.as_deref().map(id),
                // What listens is not in the files: every port (OPEN-3).
                listen: vec![sp(raw::Listen {
                    protocol: None,
                    port: None,
                    any: true,
                })],
                mtu: None,
                instance_type: i.instance_type.as_deref().map(|t| sp(t.to_string())),
            });
        }
        for (k, l) in &self.lambdas {
            raw.lambdas.push(raw::Lambda {
                id: note("lambda", k, &l.head),
                subnets: ids(&l.subnets),
                security_groups: ids(&l.security_groups),
                concurrency: None,
                init_duration: None,
                timeout: None,
            });
        }
        (raw, comments)
    }

    /// Every id the file defines, with its table, for the collision check.
    pub fn ids(&self) -> Vec<(&str, &'static str)> {
        let mut out: Vec<(&str, &'static str)> = Vec::new();
        macro_rules! add {
            ($map:expr, $kind:literal) => {
                out.extend($map.keys().map(|k| (k.as_str(), $kind)));
            };
        }
        add!(self.vpcs, "vpc");
        add!(self.subnets, "subnet");
        add!(self.route_tables, "route_table");
        add!(self.igws, "internet_gateway");
        add!(self.nats, "nat_gateway");
        add!(self.prefix_lists, "prefix_list");
        add!(self.endpoints, "vpc_endpoint");
        add!(self.sgs, "security_group");
        add!(self.nacls, "network_acl");
        add!(self.peerings, "vpc_peering");
        add!(self.vgws, "vpn_gateway");
        add!(self.onprem, "onprem_network");
        add!(self.instances, "instance");
        add!(self.lambdas, "lambda");
        add!(self.tgws, "transit_gateway");
        add!(self.tgw_attachments, "transit_gateway_attachment");
        add!(self.tgw_route_tables, "transit_gateway_route_table");
        for i in self.instances.values() {
            if let Some(e) = &i.eni {
                out.push((e.as_str(), "instance eni"));
            }
        }
        out
    }
}
