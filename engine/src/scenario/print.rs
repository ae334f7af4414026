//! Printing a scenario back as text in the version 1 format.
//!
//! [`print`] writes a [`Raw`], the file as it was read, one table per
//! resource in the order of the format's document (`[scenario]`, pricing,
//! latency, network resources, workloads, traffic, events, expectations),
//! each array in the order read. Every value that was given is written; a key
//! that was omitted stays omitted (but for a NAT gateway's `connectivity`,
//! which the reader fills in), so defaults are the loader's to fill in, the
//! same way as for the original. A few lists are written even when empty,
//! where an empty list says something to a reader: a route table's routes, a
//! group's or an ACL's rules, the route tables of a gateway endpoint and the
//! subnets of an interface endpoint, a VPN gateway's `propagate_to`, and the
//! security groups of a Lambda function in a VPC. Spans are not kept, nor are
//! the comments of the file read; [`print_commented`] writes comments given
//! apart ([`Comments`]).
//!
//! The contract, tested on every shipped scenario and on generated ones:
//! loading the printed text gives the same [`crate::model::Design`] as
//! loading the original (apart from the line numbers of expectations).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::raw::*;
use super::reader::{ByteSize, Sp};
use crate::units::{PortRange, Protocol, Rate};

/// Comments to write with a scenario: a block at the top of the file, and
/// lines above a resource's table.
#[derive(Clone, Debug, Default)]
pub struct Comments {
    /// Lines of the block at the top, before `[scenario]`; an empty line is a
    /// bare `#`.
    pub top: Vec<String>,
    /// Lines above the table of a resource, by (table key, id):
    /// `("vpc", "vpc-0abc")`.
    pub resources: BTreeMap<(String, String), Vec<String>>,
}

/// The scenario as TOML text in the version 1 format.
pub fn print(raw: &Raw) -> String {
    print_commented(raw, &Comments::default())
}

/// The scenario as TOML text in the version 1 format, with comments.
/// Control characters in a comment are written as spaces (they would end it
/// early).
pub fn print_commented(raw: &Raw, comments: &Comments) -> String {
    let kinds = super::resource_kinds(raw);
    let mut w = W {
        out: String::new(),
        comments,
    };
    for line in &comments.top {
        w.comment(line);
    }
    if let Some(h) = &raw.scenario {
        w.head("[scenario]");
        w.opt("name", &h.name, |s| quote(s));
        w.opt("description", &h.description, |s| quote(s));
        w.opt("seed", &h.seed, u64::to_string);
        w.opt("duration", &h.duration, |d| quote(&d.to_string()));
        w.opt("region", &h.region, |s| quote(s));
        w.opt("account_id", &h.account_id, |s| quote(s));
        if !h.include.is_empty() {
            w.kv("include", list(&h.include, |s| quote(s)));
        }
    }
    if let Some(p) = &raw.pricing {
        w.head("[pricing]");
        for (k, v) in [
            ("nat_gateway_hour", &p.nat_gateway_hour),
            ("nat_gateway_gb", &p.nat_gateway_gb),
            ("interface_endpoint_hour", &p.interface_endpoint_hour),
            ("interface_endpoint_gb", &p.interface_endpoint_gb),
            ("internet_out_gb", &p.internet_out_gb),
            ("cross_az_gb", &p.cross_az_gb),
            (
                "transit_gateway_attachment_hour",
                &p.transit_gateway_attachment_hour,
            ),
            ("transit_gateway_gb", &p.transit_gateway_gb),
            ("inter_region_gb", &p.inter_region_gb),
            ("regional_public_ip_gb", &p.regional_public_ip_gb),
            ("vpn_connection_hour", &p.vpn_connection_hour),
        ] {
            // `{:?}` keeps a decimal point (or an exponent): a TOML float,
            // printed exactly.
            w.opt(k, v, |x| format!("{x:?}"));
        }
    }
    if let Some(l) = &raw.latency {
        w.head("[latency]");
        for (k, v) in [
            ("same_az", &l.same_az),
            ("cross_az", &l.cross_az),
            ("internet", &l.internet),
            ("aws_service", &l.aws_service),
            ("vpn", &l.vpn),
            ("inter_region", &l.inter_region),
        ] {
            w.opt(k, v, |d| d.to_string());
        }
        w.opt("internet_loss", &l.internet_loss, |s| s.to_string());
        w.opt("vpn_loss", &l.vpn_loss, |s| s.to_string());
    }
    for x in &raw.vpcs {
        w.table("vpc", &x.id);
        w.opt("cidrs", &x.cidrs, |c| list(c, |n| quote(&n.to_string())));
        w.opt("enable_dns_support", &x.enable_dns_support, bool::to_string);
        w.opt(
            "enable_dns_hostnames",
            &x.enable_dns_hostnames,
            bool::to_string,
        );
    }
    for x in &raw.subnets {
        w.table("subnet", &x.id);
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.opt("cidr", &x.cidr, |c| quote(&c.to_string()));
        w.opt("az", &x.az, |s| quote(s));
        w.opt("route_table", &x.route_table, |s| quote(s));
        w.opt("network_acl", &x.network_acl, |s| quote(s));
    }
    for x in &raw.route_tables {
        w.table("route_table", &x.id);
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.opt("main", &x.main, bool::to_string);
        w.lines_or_empty("routes", &x.routes, route);
    }
    for x in &raw.internet_gateways {
        w.table("internet_gateway", &x.id);
        w.opt("vpc", &x.vpc, |s| quote(s));
    }
    for x in &raw.nat_gateways {
        w.table("nat_gateway", &x.id);
        w.opt("subnet", &x.subnet, |s| quote(s));
        let connectivity = if x.public.v { "public" } else { "private" };
        w.kv("connectivity", quote(connectivity));
        w.opt("public_ip", &x.public_ip, |a| quote(&a.to_string()));
        w.opt("private_ip", &x.private_ip, |a| quote(&a.to_string()));
    }
    for x in &raw.prefix_lists {
        w.table("prefix_list", &x.id);
        w.opt("name", &x.name, |s| quote(s));
        w.kv("cidrs", list(&x.cidrs, |c| quote(&c.to_string())));
    }
    for x in &raw.vpc_endpoints {
        w.table("vpc_endpoint", &x.id);
        w.opt("type", &x.kind, |k| {
            quote(match k {
                EndpointType::Gateway => "gateway",
                EndpointType::Interface => "interface",
            })
        });
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.opt("service", &x.service, |s| quote(s));
        let kind = x.kind.as_ref().map(|k| k.v);
        if kind == Some(EndpointType::Gateway) {
            w.kv("route_tables", list(&x.route_tables, |s| quote(s)));
        } else {
            w.ids("route_tables", &x.route_tables);
        }
        if kind == Some(EndpointType::Interface) {
            w.kv("subnets", list(&x.subnets, |s| quote(s)));
        } else {
            w.ids("subnets", &x.subnets);
        }
        w.ids("security_groups", &x.security_groups);
        w.opt("private_dns", &x.private_dns, bool::to_string);
        w.opt(
            "private_dns_only_for_inbound_resolver_endpoint",
            &x.private_dns_only_for_inbound_resolver_endpoint,
            bool::to_string,
        );
        if !x.private_ips.is_empty() {
            w.kv(
                "private_ips",
                list(&x.private_ips, |a| quote(&a.to_string())),
            );
        }
        w.listen(&x.listen);
    }
    for x in &raw.security_groups {
        w.table("security_group", &x.id);
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.lines_or_empty("ingress", &x.ingress, |r| sg_rule(r, false));
        // Omitted egress is AWS's default rule; `egress = []` is none at all.
        match &x.egress {
            Some(rules) if rules.is_empty() => w.kv("egress", "[]".into()),
            Some(rules) => w.lines("egress", rules, |r| sg_rule(r, true)),
            None => {}
        }
    }
    for x in &raw.network_acls {
        w.table("network_acl", &x.id);
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.opt("default", &x.default, bool::to_string);
        w.lines_or_empty("ingress", &x.ingress, nacl_rule);
        w.lines_or_empty("egress", &x.egress, nacl_rule);
    }
    for x in &raw.vpc_peerings {
        w.table("vpc_peering", &x.id);
        w.opt("requester", &x.requester, |s| quote(s));
        w.opt("accepter", &x.accepter, |s| quote(s));
        w.opt("peer_region", &x.peer_region, |s| quote(s));
        w.opt(
            "allow_dns_resolution",
            &x.allow_dns_resolution,
            bool::to_string,
        );
        w.opt(
            "requester_dns_resolution",
            &x.requester_dns_resolution,
            bool::to_string,
        );
        w.opt(
            "accepter_dns_resolution",
            &x.accepter_dns_resolution,
            bool::to_string,
        );
    }
    for x in &raw.vpn_gateways {
        w.table("vpn_gateway", &x.id);
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.kv("propagate_to", list(&x.propagate_to, |s| quote(s)));
    }
    for x in &raw.onprem_networks {
        w.table("onprem_network", &x.id);
        w.kv("cidrs", list(&x.cidrs, |c| quote(&c.to_string())));
        w.opt("via", &x.via, |s| quote(s));
        w.opt("latency", &x.latency, |d| d.to_string());
        w.opt("loss", &x.loss, |s| s.to_string());
        w.opt("customer_gateway", &x.customer_gateway, |a| {
            quote(&a.to_string())
        });
        w.opt("routing", &x.bgp, |b| {
            quote(if *b { "bgp" } else { "static" })
        });
        w.lines("tunnels", &x.tunnels, tunnel);
    }
    for x in &raw.instances {
        w.table("instance", &x.id);
        w.opt("subnet", &x.subnet, |s| quote(s));
        w.opt("private_ip", &x.private_ip, |a| quote(&a.to_string()));
        w.opt("public_ip", &x.public_ip, |a| quote(&a.to_string()));
        w.opt("security_groups", &x.security_groups, |g| {
            list(g, |s| quote(s))
        });
        w.opt("source_dest_check", &x.source_dest_check, bool::to_string);
        w.opt("forward", &x.stateful, |b| {
            quote(if *b { "stateful" } else { "stateless" })
        });
        w.opt("eni", &x.eni, |s| quote(s));
        w.opt("mtu", &x.mtu, u16::to_string);
        w.opt("instance_type", &x.instance_type, |s| quote(s));
        w.listen(&x.listen);
    }
    for x in &raw.lambdas {
        w.table("lambda", &x.id);
        w.ids("subnets", &x.subnets);
        // In a VPC, the groups are written even when there are none.
        if x.subnets.is_empty() {
            w.ids("security_groups", &x.security_groups);
        } else {
            w.kv("security_groups", list(&x.security_groups, |s| quote(s)));
        }
        w.opt("concurrency", &x.concurrency, u32::to_string);
        w.opt("init_duration", &x.init_duration, |d| quote(&d.to_string()));
        w.opt("timeout", &x.timeout, |d| quote(&d.to_string()));
    }
    for x in &raw.external_hosts {
        w.table("external_host", &x.id);
        w.opt("ip", &x.ip, |a| quote(&a.to_string()));
        w.listen(&x.listen);
        w.opt("latency", &x.latency, |d| d.to_string());
        w.opt("loss", &x.loss, |s| s.to_string());
    }
    for x in &raw.aws_services {
        w.table("aws_service", &x.id);
        w.opt("service", &x.service, |s| quote(s));
        w.opt("region", &x.region, |s| quote(s));
        w.kv("ips", list(&x.ips, |a| quote(&a.to_string())));
        if let Some(l) = &x.listen {
            w.kv("listen", listeners(l));
        }
    }
    for x in &raw.onprem_hosts {
        w.table("onprem_host", &x.id);
        w.opt("network", &x.network, |s| quote(s));
        w.opt("ip", &x.ip, |a| quote(&a.to_string()));
        w.listen(&x.listen);
    }
    for x in &raw.transit_gateways {
        w.table("transit_gateway", &x.id);
        w.opt("asn", &x.asn, u32::to_string);
        w.opt(
            "default_route_table_association",
            &x.default_association,
            bool::to_string,
        );
        w.opt(
            "default_route_table_propagation",
            &x.default_propagation,
            bool::to_string,
        );
        w.opt(
            "association_default_route_table",
            &x.association_table,
            |s| quote(s),
        );
        w.opt(
            "propagation_default_route_table",
            &x.propagation_table,
            |s| quote(s),
        );
        w.opt("dns_support", &x.dns_support, bool::to_string);
        w.opt(
            "security_group_referencing",
            &x.sg_referencing,
            bool::to_string,
        );
        w.opt("region", &x.region, |s| quote(s));
    }
    for x in &raw.tgw_attachments {
        w.table("transit_gateway_attachment", &x.id);
        w.opt("transit_gateway", &x.transit_gateway, |s| quote(s));
        w.opt("type", &x.kind, |k| {
            quote(match k {
                TgwAttachmentType::Vpc => "vpc",
                TgwAttachmentType::Vpn => "vpn",
                TgwAttachmentType::Peering => "peering",
            })
        });
        w.opt("vpc", &x.vpc, |s| quote(s));
        w.ids("subnets", &x.subnets);
        w.opt("appliance_mode", &x.appliance_mode, bool::to_string);
        w.opt(
            "security_group_referencing",
            &x.sg_referencing,
            bool::to_string,
        );
        w.opt("routing", &x.routing, |r| {
            quote(match r {
                VpnRouting::Bgp => "bgp",
                VpnRouting::Static => "static",
            })
        });
        w.opt("peer", &x.peer, |s| quote(s));
    }
    for x in &raw.tgw_route_tables {
        w.table("transit_gateway_route_table", &x.id);
        w.opt("transit_gateway", &x.transit_gateway, |s| quote(s));
        w.ids("associations", &x.associations);
        w.ids("propagations", &x.propagations);
        w.lines("routes", &x.routes, tgw_route);
    }
    for x in &raw.traffic {
        w.table("traffic", &x.id);
        w.opt("from", &x.from, |s| quote(s));
        w.opt("to", &x.to, |s| quote(s));
        w.opt("protocol", &x.protocol, protocol);
        w.opt("port", &x.port, u16::to_string);
        w.opt("pattern", &x.pattern, |p| {
            quote(match p {
                Pattern::Requests => "requests",
                Pattern::Ping => "ping",
                Pattern::Udp => "udp",
                Pattern::Bulk => "bulk",
            })
        });
        w.opt("rate", &x.rate, rate);
        w.opt("request", &x.request, size);
        w.opt("response", &x.response, size);
        w.opt("size", &x.size, size);
        w.opt("hold", &x.hold, |d| quote(&d.to_string()));
        w.opt("timeout", &x.timeout, |d| quote(&d.to_string()));
        w.opt("start", &x.start, |d| quote(&d.to_string()));
        w.opt("stop", &x.stop, |d| quote(&d.to_string()));
        w.opt("arrivals", &x.arrivals, |a| {
            quote(match a {
                Arrivals::Poisson => "poisson",
                Arrivals::Fixed => "fixed",
            })
        });
        w.opt("dns_ttl", &x.dns_ttl, |d| quote(&d.to_string()));
    }
    for x in &raw.events {
        w.head("[[event]]");
        w.opt("at", &x.at, |d| quote(&d.to_string()));
        if let Some(a) = &x.action {
            event_action(&mut w, &a.v, &kinds);
        }
    }
    for x in &raw.expects {
        w.head("[[expect]]");
        w.opt("traffic", &x.traffic, |s| quote(s));
        w.opt("window", &x.window, |(a, b)| {
            format!("[{}, {}]", quote(&a.to_string()), quote(&b.to_string()))
        });
        w.opt("delivered", &x.delivered, delivered);
        w.ids("via", &x.via);
        w.ids("not_via", &x.not_via);
        w.opt("drop_reason", &x.drop_reason, |s| quote(s));
        w.opt("drop_at", &x.drop_at, |s| quote(s));
        w.opt("component", &x.component, |s| quote(s));
        for b in &x.bounds {
            w.kv(b.v.measure.key(), quote(&b.v.text));
        }
    }
    w.out
}

/// The text being written, a blank line between tables.
struct W<'c> {
    out: String,
    comments: &'c Comments,
}

impl W<'_> {
    fn head(&mut self, header: &str) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out.push_str(header);
        self.out.push('\n');
    }

    fn comment(&mut self, text: &str) {
        if text.is_empty() {
            self.out.push_str("#\n");
        } else {
            let clean: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            let _ = writeln!(self.out, "# {clean}");
        }
    }

    /// A resource's table: its comments, its header and its `id`.
    fn table(&mut self, key: &str, id: &Id) {
        let comments = self.comments;
        match comments.resources.get(&(key.to_string(), id.v.clone())) {
            Some(lines) if !lines.is_empty() => {
                if !self.out.is_empty() {
                    self.out.push('\n');
                }
                for l in lines {
                    self.comment(l);
                }
                self.out.push_str(&format!("[[{key}]]\n"));
            }
            _ => self.head(&format!("[[{key}]]")),
        }
        self.kv("id", quote(&id.v));
    }

    fn kv(&mut self, key: &str, value: String) {
        let _ = writeln!(self.out, "{key} = {value}");
    }

    fn opt<T>(&mut self, key: &str, v: &Option<Sp<T>>, f: impl FnOnce(&T) -> String) {
        if let Some(v) = v {
            self.kv(key, f(&v.v));
        }
    }

    /// A list of ids, left out when empty (as the loader reads an absent one).
    fn ids(&mut self, key: &str, ids: &[Id]) {
        if !ids.is_empty() {
            self.kv(key, list(ids, |s| quote(s)));
        }
    }

    fn listen(&mut self, l: &[Sp<Listen>]) {
        if !l.is_empty() {
            self.kv("listen", listeners(l));
        }
    }

    /// An array of inline tables, one per line; `key = []` when empty.
    fn lines_or_empty<T>(&mut self, key: &str, items: &[Sp<T>], f: impl Fn(&T) -> String) {
        if items.is_empty() {
            self.kv(key, "[]".into());
        } else {
            self.lines(key, items, f);
        }
    }

    /// An array of inline tables, one per line.
    fn lines<T>(&mut self, key: &str, items: &[Sp<T>], f: impl Fn(&T) -> String) {
        if items.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "{key} = [");
        for i in items {
            let _ = writeln!(self.out, "  {},", f(&i.v));
        }
        self.out.push_str("]\n");
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
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

fn list<T>(items: &[Sp<T>], f: impl Fn(&T) -> String) -> String {
    let inner: Vec<String> = items.iter().map(|i| f(&i.v)).collect();
    format!("[{}]", inner.join(", "))
}

/// An inline table from the keys that have a value.
fn inline(fields: Vec<(&str, Option<String>)>) -> String {
    let parts: Vec<String> = fields
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} = {v}")))
        .collect();
    format!("{{ {} }}", parts.join(", "))
}

fn protocol(p: &Protocol) -> String {
    quote(&p.to_string())
}

fn ports(p: &PortRange) -> String {
    quote(&p.to_string())
}

fn size(s: &ByteSize) -> String {
    s.0.to_string()
}

/// `"20/s"`, `"0.5/s"`: thousandths, written exactly.
fn rate(r: &Rate) -> String {
    let (whole, milli) = (r.milli_per_sec / 1000, r.milli_per_sec % 1000);
    if milli == 0 {
        return quote(&format!("{whole}/s"));
    }
    let frac = format!("{milli:03}");
    quote(&format!("{whole}.{}/s", frac.trim_end_matches('0')))
}

/// A `listen` value: `"any"`, or the array of listeners.
fn listeners(l: &[Sp<Listen>]) -> String {
    if l.iter().any(|x| x.v.any) {
        return quote("any");
    }
    list(l, listen)
}

fn listen(l: &Listen) -> String {
    inline(vec![
        ("protocol", l.protocol.as_ref().map(|p| protocol(&p.v))),
        ("port", l.port.as_ref().map(|p| p.v.to_string())),
    ])
}

fn tunnel(t: &VpnTunnel) -> String {
    inline(vec![
        (
            "outside_ip",
            t.outside_ip.as_ref().map(|a| quote(&a.v.to_string())),
        ),
        (
            "status",
            t.up.as_ref()
                .map(|u| quote(if u.v { "up" } else { "down" })),
        ),
    ])
}

fn route(r: &Route) -> String {
    inline(vec![
        ("destination", r.destination.as_ref().map(|d| quote(&d.v))),
        ("target", r.target.as_ref().map(|t| quote(&t.v))),
        ("state", r.blackhole.then(|| quote("blackhole"))),
    ])
}

fn tgw_route(r: &TgwRoute) -> String {
    inline(vec![
        ("destination", r.destination.as_ref().map(|d| quote(&d.v))),
        ("attachment", r.attachment.as_ref().map(|a| quote(&a.v))),
        ("blackhole", r.blackhole.as_ref().map(|b| b.v.to_string())),
    ])
}

fn sg_rule(r: &SgRule, egress: bool) -> String {
    let peer = r.peer.as_ref().map(|p| match &p.v {
        Peer::Cidr(c) => ("cidr", quote(&c.to_string())),
        Peer::Group(g) if egress => ("dest_group", quote(g)),
        Peer::Group(g) => ("source_group", quote(g)),
        Peer::PrefixList(l) => ("prefix_list", quote(l)),
    });
    let mut fields = vec![
        ("protocol", r.protocol.as_ref().map(|p| protocol(&p.v))),
        ("ports", r.ports.as_ref().map(|p| ports(&p.v))),
        ("icmp_type", r.icmp_type.as_ref().map(|t| t.v.to_string())),
        ("icmp_code", r.icmp_code.as_ref().map(|c| c.v.to_string())),
    ];
    if let Some((k, v)) = peer {
        fields.push((k, Some(v)));
    }
    fields.push(("description", r.description.as_ref().map(|s| quote(&s.v))));
    inline(fields)
}

fn nacl_rule(r: &NaclRule) -> String {
    inline(vec![
        ("rule", r.rule.as_ref().map(|n| n.v.to_string())),
        ("protocol", r.protocol.as_ref().map(|p| protocol(&p.v))),
        ("ports", r.ports.as_ref().map(|p| ports(&p.v))),
        ("icmp_type", r.icmp_type.as_ref().map(|t| t.v.to_string())),
        ("icmp_code", r.icmp_code.as_ref().map(|c| c.v.to_string())),
        ("cidr", r.cidr.as_ref().map(|c| quote(&c.v.to_string()))),
        (
            "action",
            r.allow
                .as_ref()
                .map(|a| quote(if a.v { "allow" } else { "deny" })),
        ),
    ])
}

fn delivered(d: &Delivered) -> String {
    let cmp = match d.cmp {
        Cmp::Eq => "",
        Cmp::AtLeast => ">= ",
        Cmp::AtMost => "<= ",
    };
    match (d.cmp, d.amount) {
        (Cmp::Eq, Amount::Count(n)) => n.to_string(),
        (_, Amount::Count(n)) => quote(&format!("{cmp}{n}")),
        (_, Amount::Percent(p)) => quote(&format!("{cmp}{p}%")),
    }
}

fn route_change(c: &RouteChange) -> String {
    inline(vec![
        ("route_table", c.route_table.as_ref().map(|t| quote(&t.v))),
        ("destination", c.destination.as_ref().map(|d| quote(&d.v))),
        ("target", c.target.as_ref().map(|t| quote(&t.v))),
    ])
}

fn event_action(w: &mut W, a: &EventAction, kinds: &Kinds) {
    match a {
        EventAction::Delete(id) => w.kv("delete", quote(&id.v)),
        EventAction::AddRoute(c) => w.kv("add_route", route_change(c)),
        EventAction::DeleteRoute(c) => w.kv("delete_route", route_change(c)),
        EventAction::Set { resource, attrs } => {
            let kind = kinds.get(&resource.v).copied().unwrap_or("");
            let ids = |v: &[Id]| list(v, |s| quote(s));
            let mut fields = vec![("resource", Some(quote(&resource.v)))];
            for attr in attrs {
                let (key, value) = match &attr.v {
                    SetAttr::SgIngress(r) => ("ingress", list(r, |x| sg_rule(x, false))),
                    SetAttr::SgEgress(r) => ("egress", list(r, |x| sg_rule(x, true))),
                    SetAttr::NaclIngress(r) => ("ingress", list(r, nacl_rule)),
                    SetAttr::NaclEgress(r) => ("egress", list(r, nacl_rule)),
                    SetAttr::SecurityGroups(g) => ("security_groups", ids(g)),
                    SetAttr::SourceDestCheck(b) => ("source_dest_check", b.to_string()),
                    SetAttr::RouteTable(t) => ("route_table", quote(&t.v)),
                    SetAttr::NetworkAcl(n) => ("network_acl", quote(&n.v)),
                    SetAttr::Routes(r) => ("routes", list(r, route)),
                    // The loader reads both keys into one attribute.
                    SetAttr::PropagateTo(t) if kind == "vpc_endpoint" => ("route_tables", ids(t)),
                    SetAttr::PropagateTo(t) => ("propagate_to", ids(t)),
                    SetAttr::TgwAssociations(t) => ("associations", ids(t)),
                    SetAttr::TgwPropagations(t) => ("propagations", ids(t)),
                    SetAttr::TgwRoutes(r) => ("routes", list(r, tgw_route)),
                    SetAttr::ApplianceMode(b) => ("appliance_mode", b.to_string()),
                    SetAttr::Tunnels(t) => ("tunnels", list(t, tunnel)),
                };
                fields.push((key, Some(value)));
            }
            w.kv("set", inline(fields));
        }
    }
}
