//! The scenario being written, and its text.
//!
//! Resources sit in `BTreeMap`s by id, so the file lists them sorted whatever
//! order the JSON gave; lists inside a resource keep the order of the JSON
//! (rules, routes) or are sorted where order means nothing (subnets, groups).
//! The text is built by hand for a layout a person can read: one table per
//! resource, one inline table per rule or route.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{Note, NoteKind};

#[derive(Debug, Default)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub region: String,
    pub account_id: Option<String>,
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
    /// `all`, `tcp`, `udp`, `icmp` or a number.
    pub protocol: String,
    /// For tcp and udp.
    pub ports: Option<String>,
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
    pub protocol: String,
    pub ports: Option<String>,
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
}

#[derive(Debug, Default)]
pub struct Lambda {
    pub head: Head,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
}

/// A TOML basic string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list<T: ToString>(items: &[T]) -> String {
    let inner: Vec<String> = items.iter().map(|i| quote(&i.to_string())).collect();
    format!("[{}]", inner.join(", "))
}

/// A comment line: control characters would end it early.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

struct W {
    s: String,
}

impl W {
    fn line(&mut self, l: &str) {
        self.s.push_str(l);
        self.s.push('\n');
    }
    fn kv(&mut self, k: &str, v: impl std::fmt::Display) {
        let _ = writeln!(self.s, "{k} = {v}");
    }
    fn kq(&mut self, k: &str, v: &str) {
        self.kv(k, quote(v));
    }
    fn head(&mut self, table: &str, id: &str, h: &Head) {
        self.s.push('\n');
        if let Some(n) = &h.name {
            let _ = writeln!(self.s, "# Name: {}", comment_text(n));
        }
        for c in &h.comments {
            let _ = writeln!(self.s, "# {}", comment_text(c));
        }
        let _ = writeln!(self.s, "[[{table}]]");
        self.kq("id", id);
    }
    /// `key = [` one inline table a line `]`, or `key = []`.
    fn rows(&mut self, key: &str, rows: &[String]) {
        if rows.is_empty() {
            self.kv(key, "[]");
            return;
        }
        let _ = writeln!(self.s, "{key} = [");
        for r in rows {
            let _ = writeln!(self.s, "  {{ {r} }},");
        }
        self.line("]");
    }
}

fn sg_rule(r: &SgRule, egress: bool) -> String {
    let mut f = vec![format!("protocol = {}", quote(&r.protocol))];
    if let Some(p) = &r.ports {
        f.push(format!("ports = {}", quote(p)));
    }
    if let Some(t) = r.icmp_type {
        f.push(format!("icmp_type = {t}"));
    }
    if let Some(c) = r.icmp_code {
        f.push(format!("icmp_code = {c}"));
    }
    f.push(match &r.peer {
        Peer::Cidr(c) => format!("cidr = {}", quote(&c.to_string())),
        Peer::Group(g) if egress => format!("dest_group = {}", quote(g)),
        Peer::Group(g) => format!("source_group = {}", quote(g)),
        Peer::PrefixList(p) => format!("prefix_list = {}", quote(p)),
    });
    if let Some(d) = &r.description {
        f.push(format!("description = {}", quote(d)));
    }
    f.join(", ")
}

fn nacl_rule(r: &NaclRule) -> String {
    let mut f = vec![
        format!("rule = {}", r.rule),
        format!("protocol = {}", quote(&r.protocol)),
    ];
    if let Some(p) = &r.ports {
        f.push(format!("ports = {}", quote(p)));
    }
    if let Some(t) = r.icmp_type {
        f.push(format!("icmp_type = {t}"));
    }
    if let Some(c) = r.icmp_code {
        f.push(format!("icmp_code = {c}"));
    }
    f.push(format!("cidr = {}", quote(&r.cidr.to_string())));
    f.push(format!(
        "action = {}",
        quote(if r.allow { "allow" } else { "deny" })
    ));
    f.join(", ")
}

/// The comment block at the top: what was not imported, by id.
fn notes_block(w: &mut W, notes: &[Note]) {
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
    for (kind, title) in groups {
        let of_kind: Vec<&Note> = notes.iter().filter(|n| n.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        w.line("#");
        let _ = writeln!(w.s, "# {title}");
        for n in of_kind {
            let _ = writeln!(w.s, "#   {}: {}", n.id, comment_text(&n.text));
        }
    }
}

impl Scenario {
    /// The scenario file: a comment block with what was not imported (and
    /// the files not read), then the design.
    pub fn to_toml(&self, notes: &[Note], ignored_files: &[String]) -> String {
        let mut w = W { s: String::new() };
        w.line(&format!(
            "# Imported by `vpcsim import aws` from {}.",
            comment_text(&self.name)
        ));
        w.line("# The design only: no traffic, events or expectations.");
        notes_block(&mut w, notes);
        if !ignored_files.is_empty() {
            w.line("#");
            w.line(&format!(
                "# Files not read (names the import does not know): {}",
                comment_text(&ignored_files.join(", "))
            ));
        }
        w.line("");
        w.line("[scenario]");
        w.kq("name", &self.name);
        w.kq("description", &self.description);
        w.kq("duration", "60s");
        w.kq("region", &self.region);
        if let Some(a) = &self.account_id {
            w.kq("account_id", a);
        }

        for (id, v) in &self.vpcs {
            w.head("vpc", id, &v.head);
            w.kv("cidrs", list(&v.cidrs));
        }
        for (id, s) in &self.subnets {
            w.head("subnet", id, &s.head);
            w.kq("vpc", &s.vpc);
            w.kq("cidr", &s.cidr.to_string());
            w.kq("az", &s.az);
            if let Some(r) = &s.route_table {
                w.kq("route_table", r);
            }
            if let Some(a) = &s.network_acl {
                w.kq("network_acl", a);
            }
        }
        for (id, t) in &self.route_tables {
            w.head("route_table", id, &t.head);
            w.kq("vpc", &t.vpc);
            if t.main {
                w.kv("main", "true");
            }
            let rows: Vec<String> = t
                .routes
                .iter()
                .map(|r| {
                    let mut s = format!(
                        "destination = {}, target = {}",
                        quote(&r.destination),
                        quote(&r.target)
                    );
                    if r.blackhole {
                        s.push_str(", state = \"blackhole\"");
                    }
                    s
                })
                .collect();
            w.rows("routes", &rows);
        }
        for (id, g) in &self.igws {
            w.head("internet_gateway", id, &g.head);
            w.kq("vpc", &g.vpc);
        }
        for (id, n) in &self.nats {
            w.head("nat_gateway", id, &n.head);
            w.kq("subnet", &n.subnet);
            w.kq("connectivity", if n.public { "public" } else { "private" });
            if let Some(ip) = n.public_ip {
                w.kq("public_ip", &ip.to_string());
            }
            if let Some(ip) = n.private_ip {
                w.kq("private_ip", &ip.to_string());
            }
        }
        for (id, p) in &self.prefix_lists {
            w.head("prefix_list", id, &p.head);
            if let Some(n) = &p.list_name {
                w.kq("name", n);
            }
            w.kv("cidrs", list(&p.cidrs));
        }
        for (id, e) in &self.endpoints {
            w.head("vpc_endpoint", id, &e.head);
            match &e.kind {
                EndpointKind::Gateway { route_tables } => {
                    w.kq("type", "gateway");
                    w.kq("vpc", &e.vpc);
                    w.kq("service", &e.service);
                    w.kv("route_tables", list(route_tables));
                }
                EndpointKind::Interface {
                    subnets,
                    security_groups,
                    private_dns,
                } => {
                    w.kq("type", "interface");
                    w.kq("vpc", &e.vpc);
                    w.kq("service", &e.service);
                    w.kv("subnets", list(subnets));
                    if !security_groups.is_empty() {
                        w.kv("security_groups", list(security_groups));
                    }
                    w.kv("private_dns", private_dns);
                }
            }
        }
        for (id, g) in &self.sgs {
            w.head("security_group", id, &g.head);
            w.kq("vpc", &g.vpc);
            let ingress: Vec<String> = g.ingress.iter().map(|r| sg_rule(r, false)).collect();
            let egress: Vec<String> = g.egress.iter().map(|r| sg_rule(r, true)).collect();
            w.rows("ingress", &ingress);
            w.rows("egress", &egress);
        }
        for (id, a) in &self.nacls {
            w.head("network_acl", id, &a.head);
            w.kq("vpc", &a.vpc);
            if a.default {
                w.kv("default", "true");
            }
            let ingress: Vec<String> = a.ingress.iter().map(nacl_rule).collect();
            let egress: Vec<String> = a.egress.iter().map(nacl_rule).collect();
            w.rows("ingress", &ingress);
            w.rows("egress", &egress);
        }
        for (id, p) in &self.peerings {
            w.head("vpc_peering", id, &p.head);
            w.kq("requester", &p.requester);
            w.kq("accepter", &p.accepter);
        }
        for (id, g) in &self.vgws {
            w.head("vpn_gateway", id, &g.head);
            w.kq("vpc", &g.vpc);
            w.kv("propagate_to", list(&g.propagate_to));
        }
        for (id, n) in &self.onprem {
            w.head("onprem_network", id, &n.head);
            w.kv("cidrs", list(&n.cidrs));
            w.kq("via", &n.via);
        }
        for (id, i) in &self.instances {
            w.head("instance", id, &i.head);
            w.kq("subnet", &i.subnet);
            if let Some(ip) = i.private_ip {
                w.kq("private_ip", &ip.to_string());
            }
            if let Some(ip) = i.public_ip {
                w.kq("public_ip", &ip.to_string());
            }
            if let Some(g) = &i.security_groups {
                w.kv("security_groups", list(g));
            }
            w.kv("source_dest_check", i.source_dest_check);
            if let Some(e) = &i.eni {
                w.kq("eni", e);
            }
        }
        for (id, l) in &self.lambdas {
            w.head("lambda", id, &l.head);
            if !l.subnets.is_empty() {
                w.kv("subnets", list(&l.subnets));
                w.kv("security_groups", list(&l.security_groups));
            }
        }
        w.s
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
        for i in self.instances.values() {
            if let Some(e) = &i.eni {
                out.push((e.as_str(), "instance eni"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(quote("\u{1}"), "\"\\u0001\"");
        assert_eq!(comment_text("a\nb"), "a b");
    }
}
