//! From the raw file to a [`Design`]: resolution of references, address
//! allocation, and every check that the format and AWS's rules call for.
//!
//! Checks run over the whole file and report every problem found; a check
//! whose inputs were already reported as broken is skipped rather than
//! reported again in other words.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;

use ipnet::Ipv4Net;

use super::*;
use crate::scenario::diag::{Diags, LineIndex, Report, did_you_mean};
use crate::scenario::raw::{self, Id, Raw};
use crate::scenario::reader::{Sp, Span, article, parse_cidr, parse_ipv4};
use crate::scenario::{self};
use crate::units::{Nanos, PortRange, Protocol};

/// A design that validated, with its warnings.
#[derive(Debug)]
pub struct Loaded {
    pub design: Design,
    /// Warnings only (a file with errors does not load).
    pub report: Report,
}

/// Reads, parses and validates a scenario file.
pub fn load_file(path: &Path) -> Result<Loaded, Report> {
    let shown = path.display().to_string();
    let bytes = match scenario::read_bounded(path, scenario::MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => {
            let mut d = Diags::default();
            d.error_at_file(format!("cannot read the file: {e}"));
            return Err(Report::new(&shown, "", &d));
        }
    };
    let mut d = Diags::default();
    let text = match scenario::read_text(&bytes, &mut d) {
        Ok(t) => t,
        Err(prefix) => return Err(Report::new(&shown, &prefix, &d)),
    };
    load_str(&shown, &text)
}

/// Parses and validates scenario text; `file` is the name used in messages.
pub fn load_str(file: &str, text: &str) -> Result<Loaded, Report> {
    let mut d = Diags::default();
    let raw = scenario::parse(text, &mut d);
    if d.has_errors() && raw.scenario.is_none() && raw.vpcs.is_empty() {
        return Err(truncated(Report::new(file, text, &d)));
    }
    let design = Builder::new(&raw, text, &mut d).build();
    let report = truncated(Report::new(file, text, &d));
    match design {
        Some(design) if !d.has_errors() => Ok(Loaded { design, report }),
        _ => Err(report),
    }
}

fn truncated(mut r: Report) -> Report {
    let max = scenario::MAX_DIAGNOSTICS;
    if r.entries.len() > max {
        let more = r.entries.len() - max;
        let errors = r.entries[max..]
            .iter()
            .filter(|e| e.2 == scenario::Severity::Error)
            .count();
        r.hidden = Some((errors, more - errors));
        r.entries.truncate(max);
        let (line, col) = r.entries.last().map_or((1, 1), |e| (e.0, e.1));
        r.entries.push((
            line,
            col,
            scenario::Severity::Error,
            format!("... and {more} more problems"),
        ));
    }
    r
}

/// Human words for a kind of component.
fn human(kind: &str) -> &str {
    match kind {
        "vpc" => "VPC",
        "subnet" => "subnet",
        "route_table" => "route table",
        "internet_gateway" => "internet gateway",
        "nat_gateway" => "NAT gateway",
        "prefix_list" => "prefix list",
        "vpc_endpoint" => "VPC endpoint",
        "security_group" => "security group",
        "network_acl" => "network ACL",
        "vpc_peering" => "VPC peering connection",
        "vpn_gateway" => "VPN gateway",
        "onprem_network" => "on-premises network",
        "instance" => "instance",
        "lambda" => "Lambda function",
        "external_host" => "external host",
        "aws_service" => "AWS service",
        "onprem_host" => "on-premises host",
        "eni" => "network interface",
        "traffic" => "traffic",
        other => other,
    }
}

fn a_kind(kind: &str) -> String {
    let h = human(kind);
    if h == "VPC" {
        return "a VPC".into();
    }
    article(h)
}

fn one_of(kinds: &[&str]) -> String {
    let words: Vec<String> = kinds.iter().map(|k| a_kind(k)).collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

const RESERVED_LINK_LOCAL: &str = "169.254.168.0/22";

struct Builder<'r> {
    raw: &'r Raw,
    d: &'r mut Diags,
    lines: LineIndex<'r>,
    names: BTreeMap<String, (Component, Span)>,
    region: String,
    duration: Nanos,
    latency: Latency,
    /// The fixed private IP of each ENI, by ENI index, if the file gives one.
    fixed_ips: Vec<Option<Sp<Ipv4Addr>>>,
    x: Design,
}

impl<'r> Builder<'r> {
    fn new(raw: &'r Raw, text: &'r str, d: &'r mut Diags) -> Self {
        Builder {
            raw,
            d,
            lines: LineIndex::new(text),
            names: BTreeMap::new(),
            region: "us-east-1".into(),
            duration: Nanos::ZERO,
            latency: Latency::default(),
            fixed_ips: Vec::new(),
            x: Design {
                name: String::new(),
                description: String::new(),
                seed: 0,
                duration: Nanos::ZERO,
                region: String::new(),
                account_id: String::new(),
                latency: Latency::default(),
                pricing: Pricing::default(),
                vpcs: vec![],
                subnets: vec![],
                route_tables: vec![],
                igws: vec![],
                nats: vec![],
                prefix_lists: vec![],
                endpoints: vec![],
                security_groups: vec![],
                nacls: vec![],
                peerings: vec![],
                vgws: vec![],
                onprem_nets: vec![],
                instances: vec![],
                lambdas: vec![],
                external_hosts: vec![],
                aws_services: vec![],
                onprem_hosts: vec![],
                enis: vec![],
                traffic: vec![],
                events: vec![],
                expects: vec![],
                names: BTreeMap::new(),
            },
        }
    }

    fn err(&mut self, span: &Span, msg: impl Into<String>) {
        self.d.error(span.clone(), msg);
    }

    fn warn(&mut self, span: &Span, msg: impl Into<String>) {
        self.d.warning(span.clone(), msg);
    }

    fn line(&self, span: &Span) -> usize {
        self.lines.line_col(span.start).0
    }

    /// Whether `key` of the table at `at` (a resource's `id`, or the table
    /// itself) was given with a value already reported as unreadable: then
    /// its absence is not reported again.
    fn unreadable(&self, at: &Span, key: &'static str) -> bool {
        self.d.is_unreadable(at.start, key)
    }

    fn build(mut self) -> Option<Design> {
        self.head();
        self.register();
        self.vpcs();
        self.prefix_lists();
        self.subnets();
        self.security_groups();
        self.nacls();
        self.igws();
        self.peerings();
        self.vgws();
        self.instances();
        self.nats();
        self.endpoints();
        self.lambdas();
        self.route_tables();
        self.outside_hosts();
        self.allocate_addresses();
        self.check_unique_addresses();
        self.traffic();
        self.events();
        self.expects();
        self.design_warnings();
        self.x.names = self
            .names
            .iter()
            .map(|(k, (c, _))| (k.clone(), *c))
            .collect();
        Some(self.x)
    }

    // -- scenario head -------------------------------------------------------

    fn head(&mut self) {
        let raw = self.raw;
        if let Some(h) = &raw.scenario {
            if let Some(n) = &h.name {
                self.x.name = n.v.clone();
            }
            if let Some(dsc) = &h.description {
                self.x.description = dsc.v.clone();
            }
            self.x.seed = h.seed.as_ref().map_or(0, |s| s.v);
            if let Some(dur) = &h.duration {
                if dur.v == Nanos::ZERO {
                    self.err(&dur.span, "`duration` must be more than 0s");
                }
                self.duration = dur.v;
            }
            if let Some(r) = &h.region {
                let ok = !r.v.is_empty()
                    && r.v
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if !ok {
                    self.err(
                        &r.span,
                        format!(
                            "`region` `{}` is not an AWS region name like \"us-east-1\"",
                            r.v
                        ),
                    );
                }
                self.region = r.v.clone();
            }
            self.x.account_id = h
                .account_id
                .as_ref()
                .map_or_else(|| "123456789012".to_string(), |a| a.v.clone());
        }
        self.x.duration = self.duration;
        self.x.region = self.region.clone();
        if let Some(p) = &raw.pricing {
            let pr = &mut self.x.pricing;
            let fields = [
                (&p.nat_gateway_hour, &mut pr.nat_gateway_hour),
                (&p.nat_gateway_gb, &mut pr.nat_gateway_gb),
                (&p.interface_endpoint_hour, &mut pr.interface_endpoint_hour),
                (&p.interface_endpoint_gb, &mut pr.interface_endpoint_gb),
                (&p.internet_out_gb, &mut pr.internet_out_gb),
                (&p.cross_az_gb, &mut pr.cross_az_gb),
            ];
            let mut negative = Vec::new();
            for (given, slot) in fields {
                if let Some(v) = given {
                    if v.v < 0.0 {
                        negative.push(v.span.clone());
                    }
                    *slot = v.v;
                }
            }
            for s in negative {
                self.err(&s, "a price cannot be negative");
            }
        }
        if let Some(l) = &raw.latency {
            let lat = &mut self.latency;
            for (given, slot) in [
                (&l.same_az, &mut lat.same_az),
                (&l.cross_az, &mut lat.cross_az),
                (&l.internet, &mut lat.internet),
                (&l.aws_service, &mut lat.aws_service),
                (&l.vpn, &mut lat.vpn),
            ] {
                if let Some(v) = given {
                    *slot = v.v;
                }
            }
            let zero: Vec<Span> = [&l.same_az, &l.cross_az, &l.internet, &l.aws_service, &l.vpn]
                .into_iter()
                .flatten()
                .filter(|v| v.v == Nanos::ZERO)
                .map(|v| v.span.clone())
                .collect();
            for s in zero {
                self.err(&s, "a latency must be more than 0s");
            }
        }
        self.x.latency = self.latency.clone();
    }

    // -- ids -----------------------------------------------------------------

    fn define(&mut self, id: &Id, c: Component) {
        if id.v.trim().is_empty() {
            self.err(&id.span, "an id cannot be empty");
            return;
        }
        if let Some((prev, prev_span)) = self.names.get(&id.v) {
            let line = self.line(prev_span);
            let msg = format!(
                "duplicate id `{}`: already used by {} on line {line}",
                id.v,
                a_kind(prev.kind())
            );
            self.err(&id.span, msg);
            return;
        }
        self.names.insert(id.v.clone(), (c, id.span.clone()));
    }

    /// Gives every resource its index, so that references can resolve in any
    /// order of the file.
    fn register(&mut self) {
        let raw = self.raw;
        let mut all: Vec<(&Id, Component)> = Vec::new();
        macro_rules! reg {
            ($list:expr, $variant:ident, $idt:ident) => {
                for (i, r) in $list.iter().enumerate() {
                    all.push((&r.id, Component::$variant($idt::from_idx(i))));
                }
            };
        }
        reg!(raw.vpcs, Vpc, VpcId);
        reg!(raw.subnets, Subnet, SubnetId);
        reg!(raw.route_tables, RouteTable, RouteTableId);
        reg!(raw.internet_gateways, Igw, IgwId);
        reg!(raw.nat_gateways, Nat, NatId);
        reg!(raw.prefix_lists, PrefixList, PrefixListId);
        reg!(raw.vpc_endpoints, Endpoint, EndpointId);
        reg!(raw.security_groups, Sg, SgId);
        reg!(raw.network_acls, Nacl, NaclId);
        reg!(raw.vpc_peerings, Peering, PeeringId);
        reg!(raw.vpn_gateways, Vgw, VgwId);
        reg!(raw.onprem_networks, OnpremNet, OnpremNetId);
        reg!(raw.instances, Instance, InstanceId);
        reg!(raw.lambdas, Lambda, LambdaId);
        reg!(raw.external_hosts, ExternalHost, ExternalHostId);
        reg!(raw.aws_services, AwsService, AwsServiceId);
        reg!(raw.onprem_hosts, OnpremHost, OnpremHostId);
        // Instance ENIs are numbered like their instances: ENI i is instance i.
        for (i, inst) in raw.instances.iter().enumerate() {
            if let Some(eni) = &inst.eni {
                all.push((eni, Component::Eni(EniId::from_idx(i))));
            }
        }
        // In file order, so that the second use of an id is the one reported.
        all.sort_by_key(|(id, _)| id.span.start);
        for (id, c) in all {
            self.define(id, c);
        }
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for t in &raw.traffic {
            if let Some(prev) = seen.get(t.id.v.as_str()) {
                let line = self.line(prev);
                self.err(
                    &t.id.span,
                    format!(
                        "duplicate traffic id `{}`: already used on line {line}",
                        t.id.v
                    ),
                );
            } else {
                seen.insert(&t.id.v, t.id.span.clone());
            }
        }
    }

    /// A close candidate for a misspelt name. Past the problems a report
    /// shows, none is looked for: a huge broken file would otherwise cost a
    /// scan of every name for every dangling reference.
    fn suggest<'a>(
        &self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        if self.d.items.len() > scenario::MAX_DIAGNOSTICS {
            return None;
        }
        did_you_mean(word, candidates)
    }

    /// Resolves a reference; `owner` says who refers ("subnet `a`").
    fn reference(&mut self, owner: &str, key: &str, r: &Id, kinds: &[&str]) -> Option<Component> {
        match self.names.get(&r.v) {
            Some((c, _)) if kinds.contains(&c.kind()) => Some(*c),
            Some((c, _)) => {
                let msg = format!(
                    "{owner}: `{key}` names `{}`, which is {}; expected {}",
                    r.v,
                    a_kind(c.kind()),
                    one_of(kinds)
                );
                self.err(&r.span, msg);
                None
            }
            None => {
                let candidates = self
                    .names
                    .iter()
                    .filter(|(_, (c, _))| kinds.contains(&c.kind()))
                    .map(|(k, _)| k.as_str());
                let mut msg = format!("{owner}: `{key}` names `{}`, which does not exist", r.v);
                if let Some(s) = self.suggest(&r.v, candidates) {
                    msg.push_str(&format!("; did you mean `{s}`?"));
                } else {
                    msg.push_str(&format!(" (expected {})", one_of(kinds)));
                }
                self.err(&r.span, msg);
                None
            }
        }
    }

    fn vpc_ref(&mut self, owner: &str, r: &Option<Id>) -> Option<VpcId> {
        match self.reference(owner, "vpc", r.as_ref()?, &["vpc"])? {
            Component::Vpc(v) => Some(v),
            _ => None,
        }
    }

    // The VPC of a resource, or `None` when its `vpc` did not resolve (that
    // was reported). The design's own `vpc` fields hold a placeholder then,
    // which checks must not compare with anything.

    /// The VPC a `vpc` key names, if it names one.
    fn vpc_named(&self, r: &Option<Id>) -> Option<VpcId> {
        match self.names.get(&r.as_ref()?.v) {
            Some((Component::Vpc(v), _)) => Some(*v),
            _ => None,
        }
    }

    fn subnet_vpc(&self, s: SubnetId) -> Option<VpcId> {
        self.vpc_named(&self.raw.subnets.get(s.idx())?.vpc)
    }

    fn eni_vpc(&self, e: EniId) -> Option<VpcId> {
        self.subnet_vpc(self.x.enis.get(e.idx())?.subnet)
    }

    /// A route table of the file, or an implicit main table.
    fn route_table_vpc(&self, rt: RouteTableId) -> Option<VpcId> {
        match self.raw.route_tables.get(rt.idx()) {
            Some(t) => self.vpc_named(&t.vpc),
            None => self.x.route_tables.get(rt.idx()).map(|t| t.vpc),
        }
    }

    /// A security group of the file, or a VPC's default group.
    fn sg_vpc(&self, sg: SgId) -> Option<VpcId> {
        match self.raw.security_groups.get(sg.idx()) {
            Some(g) => self.vpc_named(&g.vpc),
            None => self.x.security_groups.get(sg.idx()).map(|g| g.vpc),
        }
    }

    /// A network ACL of the file, or a VPC's default ACL.
    fn nacl_vpc(&self, n: NaclId) -> Option<VpcId> {
        match self.raw.network_acls.get(n.idx()) {
            Some(a) => self.vpc_named(&a.vpc),
            None => self.x.nacls.get(n.idx()).map(|a| a.vpc),
        }
    }

    fn sg_refs(&mut self, owner: &str, key: &str, refs: &[Id], vpc: Option<VpcId>) -> Vec<SgId> {
        let mut out = Vec::new();
        for r in refs {
            if let Some(Component::Sg(sg)) = self.reference(owner, key, r, &["security_group"]) {
                if let (Some(want), Some(got)) = (vpc, self.sg_vpc(sg)) {
                    if want != got {
                        let msg = format!(
                            "{owner}: security group `{}` belongs to VPC `{}`, not `{}`",
                            r.v,
                            self.x.vpcs[got.idx()].name,
                            self.x.vpcs[want.idx()].name
                        );
                        self.err(&r.span, msg);
                        continue;
                    }
                }
                if out.contains(&sg) {
                    self.err(
                        &r.span,
                        format!("{owner}: security group `{}` is listed twice", r.v),
                    );
                    continue;
                }
                out.push(sg);
            }
        }
        out
    }

    // -- VPCs ----------------------------------------------------------------

    fn vpcs(&mut self) {
        let raw = self.raw;
        for v in &raw.vpcs {
            let owner = format!("VPC `{}`", v.id.v);
            let mut cidrs: Vec<Ipv4Net> = Vec::new();
            match &v.cidrs {
                // Empty because its items were unreadable: reported.
                Some(list) if list.v.is_empty() && !self.unreadable(&v.id.span, "cidrs") => {
                    self.err(
                        &list.span,
                        format!("{owner} needs at least one CIDR in `cidrs`"),
                    );
                }
                Some(list) => {
                    for c in &list.v {
                        if !(16..=28).contains(&c.v.prefix_len()) {
                            self.err(
                                &c.span,
                                format!(
                                    "{owner}: CIDR `{}` is a /{}; a VPC CIDR is /16 to /28 (ADDR-1)",
                                    c.v,
                                    c.v.prefix_len()
                                ),
                            );
                            continue;
                        }
                        if let Some(o) = cidrs.iter().find(|o| o.contains(&c.v) || c.v.contains(*o))
                        {
                            let msg =
                                format!("{owner}: CIDR `{}` overlaps `{o}` of the same VPC", c.v);
                            self.err(&c.span, msg);
                            continue;
                        }
                        cidrs.push(c.v);
                    }
                    if list.v.len() > 5 {
                        self.warn(
                            &list.span,
                            format!(
                                "{owner} has {} CIDRs; AWS allows 5 per VPC by default (ADDR-1)",
                                list.v.len()
                            ),
                        );
                    }
                }
                None => {}
            }
            self.x.vpcs.push(Vpc {
                name: v.id.v.clone(),
                cidrs,
                main_route_table: RouteTableId(u32::MAX),
                default_nacl: NaclId(u32::MAX),
                default_sg: SgId(u32::MAX),
                igw: None,
                vgw: None,
                subnets: vec![],
            });
        }
        // VPCs of one file may overlap (they are separate networks) unless
        // they are peered; that is checked with the peerings.
    }

    fn prefix_lists(&mut self) {
        let raw = self.raw;
        for p in &raw.prefix_lists {
            if p.cidrs.is_empty() && !self.unreadable(&p.id.span, "cidrs") {
                self.warn(&p.id.span, format!("prefix list `{}` has no CIDRs", p.id.v));
            }
            self.x.prefix_lists.push(PrefixList {
                name: p.id.v.clone(),
                list_name: p
                    .name
                    .as_ref()
                    .map_or_else(|| p.id.v.clone(), |n| n.v.clone()),
                cidrs: p.cidrs.iter().map(|c| c.v).collect(),
            });
        }
    }

    fn subnets(&mut self) {
        let raw = self.raw;
        // The subnets of each VPC that overlap no other, by (VPC, first
        // address) -> (last address, subnet). They are disjoint, so the one
        // that starts last before a new subnet ends is the only one that can
        // overlap it: one lookup per subnet, even in a file of thousands.
        let mut placed: BTreeMap<(VpcId, u32), (u32, SubnetId)> = BTreeMap::new();
        for s in &raw.subnets {
            let owner = format!("subnet `{}`", s.id.v);
            let vpc = self.vpc_ref(&owner, &s.vpc);
            let mut cidr = Ipv4Net::default();
            if let Some(c) = &s.cidr {
                cidr = c.v;
                if !(16..=28).contains(&c.v.prefix_len()) {
                    self.err(
                        &c.span,
                        format!(
                            "{owner}: CIDR `{}` is a /{}; a subnet is /16 to /28 (ADDR-2)",
                            c.v,
                            c.v.prefix_len()
                        ),
                    );
                } else if let Some(vpc) = vpc {
                    let vpc_data = &self.x.vpcs[vpc.idx()];
                    if !vpc_data.cidrs.is_empty()
                        && !vpc_data.cidrs.iter().any(|v| v.contains(&c.v))
                    {
                        let list: Vec<String> =
                            vpc_data.cidrs.iter().map(|c| c.to_string()).collect();
                        let msg = format!(
                            "{owner}: CIDR `{}` is outside every CIDR of VPC `{}` ({})",
                            c.v,
                            vpc_data.name,
                            list.join(", ")
                        );
                        self.err(&c.span, msg);
                    } else {
                        let (first, last) = (u32::from(c.v.network()), u32::from(c.v.broadcast()));
                        let before = placed.range((vpc, 0)..=(vpc, last)).next_back();
                        match before {
                            Some((_, (end, other))) if *end >= first => {
                                let other = &self.x.subnets[other.idx()];
                                let msg = format!(
                                    "{owner}: CIDR `{}` overlaps subnet `{}` ({}) (ADDR-2)",
                                    c.v, other.name, other.cidr
                                );
                                self.err(&c.span, msg);
                            }
                            _ => {
                                let id = SubnetId::from_idx(self.x.subnets.len());
                                placed.insert((vpc, first), (last, id));
                            }
                        }
                    }
                }
            }
            let id = SubnetId::from_idx(self.x.subnets.len());
            if let (Some(vpc), Some(_)) = (vpc, &s.cidr) {
                self.x.vpcs[vpc.idx()].subnets.push(id);
            }
            let az =
                s.az.as_ref()
                    .map_or_else(|| format!("{}a", self.region), |a| a.v.clone());
            if let Some(a) = &s.az {
                if !a.v.starts_with(&self.region) {
                    let msg = format!(
                        "{owner}: availability zone `{}` is not in the scenario's region `{}`",
                        a.v, self.region
                    );
                    self.warn(&a.span, msg);
                }
            }
            self.x.subnets.push(Subnet {
                name: s.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                cidr,
                az,
                route_table: RouteTableId(u32::MAX),
                nacl: NaclId(u32::MAX),
                enis: vec![],
            });
        }
    }

    // -- filters -------------------------------------------------------------

    fn icmp_match(&mut self, proto: Protocol, t: &Option<Sp<u8>>, c: &Option<Sp<u8>>) -> IcmpMatch {
        if proto != Protocol::ICMP {
            for s in [t, c].into_iter().flatten() {
                self.err(
                    &s.span,
                    "`icmp_type` and `icmp_code` apply only to protocol \"icmp\"",
                );
            }
        }
        if t.is_none() {
            if let Some(code) = c {
                self.err(&code.span, "`icmp_code` needs an `icmp_type`");
            }
        }
        IcmpMatch {
            icmp_type: t.as_ref().map(|x| x.v),
            code: c.as_ref().map(|x| x.v),
        }
    }

    fn rule_ports(
        &mut self,
        what: &str,
        rule: &Span,
        proto: &Sp<Protocol>,
        ports: &Option<Sp<PortRange>>,
    ) -> PortRange {
        match (proto.v.has_ports(), ports) {
            (true, Some(p)) => p.v,
            (true, None) if self.unreadable(rule, "ports") => PortRange::ALL,
            (true, None) => {
                self.err(
                    &proto.span,
                    format!("{what} for protocol \"{}\" needs `ports` (\"443\", \"1024-65535\" or \"all\")", proto.v),
                );
                PortRange::ALL
            }
            (false, _) => PortRange::ALL,
        }
    }

    fn sg_rules(
        &mut self,
        sg_name: &str,
        vpc: Option<VpcId>,
        rules: &[Sp<raw::SgRule>],
        dir: &str,
    ) -> Vec<SgRule> {
        let owner = format!("security group `{sg_name}`");
        let mut out = Vec::new();
        for r in rules {
            let (rule, r) = (&r.span, &r.v);
            let (Some(proto), Some(peer)) = (&r.protocol, &r.peer) else {
                continue;
            };
            let ports = self.rule_ports("a security group rule", rule, proto, &r.ports);
            let icmp = self.icmp_match(proto.v, &r.icmp_type, &r.icmp_code);
            let key = if dir == "egress" {
                "dest_group"
            } else {
                "source_group"
            };
            let peer = match &peer.v {
                raw::Peer::Cidr(c) => Peer::Cidr(*c),
                raw::Peer::Group(g) => {
                    let gid = Sp::new(peer.span.clone(), g.clone());
                    let Some(Component::Sg(sg)) =
                        self.reference(&owner, key, &gid, &["security_group"])
                    else {
                        continue;
                    };
                    // Same VPC, or a peered VPC (PCX-3); peerings are read
                    // from the raw file, as they are resolved later.
                    if let (Some(v), Some(ov)) = (vpc, self.sg_vpc(sg)) {
                        if ov != v && !self.peered(v, ov) {
                            let msg = format!(
                                "{owner}: `{key}` names `{g}` of VPC `{}`, which is neither this VPC nor peered with it (PCX-3)",
                                self.x.vpcs[ov.idx()].name
                            );
                            self.err(&peer.span, msg);
                        }
                    }
                    Peer::Group(sg)
                }
                raw::Peer::PrefixList(p) => {
                    let pid = Sp::new(peer.span.clone(), p.clone());
                    let Some(Component::PrefixList(pl)) =
                        self.reference(&owner, "prefix_list", &pid, &["prefix_list"])
                    else {
                        continue;
                    };
                    Peer::PrefixList(pl)
                }
            };
            out.push(SgRule {
                protocol: proto.v,
                ports,
                icmp,
                peer,
            });
        }
        if rules.len() > 60 {
            let span = rules[60].span.clone();
            self.warn(
                &span,
                format!(
                    "{owner} has {} {dir} rules; AWS allows 60 per direction by default (SG-9)",
                    rules.len()
                ),
            );
        }
        out
    }

    /// Whether two VPCs are peered, from the raw file (peerings are resolved
    /// after security groups).
    fn peered(&self, a: VpcId, b: VpcId) -> bool {
        let name = |v: VpcId| self.raw.vpcs.get(v.idx()).map(|x| x.id.v.as_str());
        let (Some(a), Some(b)) = (name(a), name(b)) else {
            return false;
        };
        self.raw.vpc_peerings.iter().any(|p| {
            let r = p.requester.as_ref().map(|x| x.v.as_str());
            let c = p.accepter.as_ref().map(|x| x.v.as_str());
            (r == Some(a) && c == Some(b)) || (r == Some(b) && c == Some(a))
        })
    }

    fn security_groups(&mut self) {
        let raw = self.raw;
        // First pass: VPCs, so that group references can check them.
        for g in &raw.security_groups {
            let owner = format!("security group `{}`", g.id.v);
            let vpc = self.vpc_ref(&owner, &g.vpc);
            self.x.security_groups.push(SecurityGroup {
                name: g.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                ingress: vec![],
                egress: vec![],
            });
        }
        // The default group of every VPC (SG-8): all inbound from itself, all
        // outbound. Made before the rules are read, so that rules can name it.
        for v in 0..self.x.vpcs.len() {
            let id = SgId::from_idx(self.x.security_groups.len());
            let name = format!("{}/default-sg", self.x.vpcs[v].name);
            self.x.security_groups.push(SecurityGroup {
                name: name.clone(),
                vpc: VpcId::from_idx(v),
                ingress: vec![SgRule {
                    protocol: Protocol::All,
                    ports: PortRange::ALL,
                    icmp: IcmpMatch {
                        icmp_type: None,
                        code: None,
                    },
                    peer: Peer::Group(id),
                }],
                egress: vec![SgRule {
                    protocol: Protocol::All,
                    ports: PortRange::ALL,
                    icmp: IcmpMatch {
                        icmp_type: None,
                        code: None,
                    },
                    peer: Peer::Cidr("0.0.0.0/0".parse().expect("literal")),
                }],
            });
            self.x.vpcs[v].default_sg = id;
            self.names.entry(name).or_insert((Component::Sg(id), 0..0));
        }
        for (i, g) in raw.security_groups.iter().enumerate() {
            let vpc = g.vpc.as_ref().and_then(|v| match self.names.get(&v.v) {
                Some((Component::Vpc(v), _)) => Some(*v),
                _ => None,
            });
            let ingress = self.sg_rules(&g.id.v, vpc, &g.ingress, "ingress");
            let egress = match &g.egress {
                Some(rules) => self.sg_rules(&g.id.v, vpc, rules, "egress"),
                // A new group allows all outbound traffic (SG-8).
                None => vec![SgRule {
                    protocol: Protocol::All,
                    ports: PortRange::ALL,
                    icmp: IcmpMatch {
                        icmp_type: None,
                        code: None,
                    },
                    peer: Peer::Cidr("0.0.0.0/0".parse().expect("literal")),
                }],
            };
            self.x.security_groups[i].ingress = ingress;
            self.x.security_groups[i].egress = egress;
        }
    }

    fn nacl_rules(&mut self, owner: &str, rules: &[Sp<raw::NaclRule>], dir: &str) -> Vec<NaclRule> {
        let mut out: Vec<NaclRule> = Vec::new();
        let mut numbers: BTreeMap<u16, Span> = BTreeMap::new();
        for r in rules {
            let rv = &r.v;
            if let Some(n) = &rv.rule {
                if !(1..=32766).contains(&n.v) {
                    self.err(
                        &n.span,
                        format!("{owner}: rule number {} is outside 1..32766 (NACL-2)", n.v),
                    );
                } else if let Some(prev) = numbers.get(&n.v) {
                    let line = self.line(prev);
                    self.err(
                        &n.span,
                        format!(
                            "{owner}: {dir} rule number {} is already used on line {line} (NACL-2)",
                            n.v
                        ),
                    );
                } else {
                    numbers.insert(n.v, n.span.clone());
                }
            }
            let (Some(n), Some(proto), Some(cidr), Some(allow)) =
                (&rv.rule, &rv.protocol, &rv.cidr, &rv.allow)
            else {
                continue;
            };
            let ports = self.rule_ports("a network ACL rule", &r.span, proto, &rv.ports);
            let icmp = self.icmp_match(proto.v, &rv.icmp_type, &rv.icmp_code);
            out.push(NaclRule {
                number: n.v,
                protocol: proto.v,
                ports,
                icmp,
                cidr: cidr.v,
                allow: allow.v,
            });
        }
        out.sort_by_key(|r| r.number);
        out.dedup_by_key(|r| r.number);
        if rules.len() > 19 {
            let span = rules[19].span.clone();
            self.warn(
                &span,
                format!(
                    "{owner} has {} {dir} rules; AWS allows 20 per direction including the final `*` rule by default (NACL-8)",
                    rules.len()
                ),
            );
        }
        out
    }

    fn nacls(&mut self) {
        let raw = self.raw;
        let mut defaults: BTreeMap<VpcId, Span> = BTreeMap::new();
        for a in &raw.network_acls {
            let owner = format!("network ACL `{}`", a.id.v);
            let vpc = self.vpc_ref(&owner, &a.vpc);
            let ingress = self.nacl_rules(&owner, &a.ingress, "ingress");
            let egress = self.nacl_rules(&owner, &a.egress, "egress");
            let id = NaclId::from_idx(self.x.nacls.len());
            if let (Some(vpc), Some(def)) = (vpc, &a.default) {
                if def.v {
                    if let Some(prev) = defaults.get(&vpc) {
                        let line = self.line(prev);
                        self.err(
                            &def.span,
                            format!("{owner}: VPC `{}` already has a default network ACL, on line {line}", self.x.vpcs[vpc.idx()].name),
                        );
                    } else {
                        defaults.insert(vpc, def.span.clone());
                        self.x.vpcs[vpc.idx()].default_nacl = id;
                    }
                }
            }
            self.x.nacls.push(NetworkAcl {
                name: a.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                ingress,
                egress,
            });
        }
        // The default NACL allows everything both ways (NACL-4).
        for v in 0..self.x.vpcs.len() {
            if self.x.vpcs[v].default_nacl.0 != u32::MAX {
                continue;
            }
            let id = NaclId::from_idx(self.x.nacls.len());
            let name = format!("{}/default-acl", self.x.vpcs[v].name);
            let allow_all = vec![NaclRule {
                number: 100,
                protocol: Protocol::All,
                ports: PortRange::ALL,
                icmp: IcmpMatch {
                    icmp_type: None,
                    code: None,
                },
                cidr: "0.0.0.0/0".parse().expect("literal"),
                allow: true,
            }];
            self.x.nacls.push(NetworkAcl {
                name: name.clone(),
                vpc: VpcId::from_idx(v),
                ingress: allow_all.clone(),
                egress: allow_all,
            });
            self.x.vpcs[v].default_nacl = id;
            self.names
                .entry(name)
                .or_insert((Component::Nacl(id), 0..0));
        }
        // Subnet associations.
        for (i, s) in raw.subnets.iter().enumerate() {
            let vpc = self.subnet_vpc(SubnetId::from_idx(i));
            let mut nacl = vpc.map_or(NaclId(0), |v| self.x.vpcs[v.idx()].default_nacl);
            if let Some(r) = &s.network_acl {
                let owner = format!("subnet `{}`", s.id.v);
                if let Some(Component::Nacl(n)) =
                    self.reference(&owner, "network_acl", r, &["network_acl"])
                {
                    let other = self.nacl_vpc(n);
                    if vpc.is_some() && other.is_some() && other != vpc {
                        let msg = format!("{owner}: network ACL `{}` belongs to another VPC", r.v);
                        self.err(&r.span, msg);
                    }
                    nacl = n;
                }
            }
            self.x.subnets[i].nacl = nacl;
        }
    }

    fn igws(&mut self) {
        let raw = self.raw;
        for g in &raw.internet_gateways {
            let owner = format!("internet gateway `{}`", g.id.v);
            let vpc = self.vpc_ref(&owner, &g.vpc);
            let id = IgwId::from_idx(self.x.igws.len());
            if let Some(v) = vpc {
                if let Some(prev) = self.x.vpcs[v.idx()].igw {
                    let msg = format!(
                        "{owner}: VPC `{}` already has internet gateway `{}`; a VPC has at most one (IGW-1)",
                        self.x.vpcs[v.idx()].name,
                        self.x.igws[prev.idx()].name
                    );
                    self.err(&g.id.span, msg);
                } else {
                    self.x.vpcs[v.idx()].igw = Some(id);
                }
            }
            self.x.igws.push(Igw {
                name: g.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
            });
        }
    }

    fn peerings(&mut self) {
        let raw = self.raw;
        for p in &raw.vpc_peerings {
            let owner = format!("VPC peering `{}`", p.id.v);
            let req = p.requester.as_ref().and_then(|r| {
                match self.reference(&owner, "requester", r, &["vpc"]) {
                    Some(Component::Vpc(v)) => Some(v),
                    _ => None,
                }
            });
            let acc = p.accepter.as_ref().and_then(|r| {
                match self.reference(&owner, "accepter", r, &["vpc"]) {
                    Some(Component::Vpc(v)) => Some(v),
                    _ => None,
                }
            });
            if let (Some(a), Some(b)) = (req, acc) {
                if a == b {
                    self.err(
                        &p.id.span,
                        format!(
                            "{owner} connects VPC `{}` to itself",
                            self.x.vpcs[a.idx()].name
                        ),
                    );
                } else {
                    let overlap = self.x.vpcs[a.idx()].cidrs.iter().find_map(|x| {
                        self.x.vpcs[b.idx()]
                            .cidrs
                            .iter()
                            .find(|y| x.contains(*y) || y.contains(x))
                            .map(|y| (*x, *y))
                    });
                    if let Some((x, y)) = overlap {
                        let msg = format!(
                            "{owner}: VPCs `{}` ({x}) and `{}` ({y}) overlap; a peering needs CIDRs that do not (PCX-1)",
                            self.x.vpcs[a.idx()].name,
                            self.x.vpcs[b.idx()].name
                        );
                        self.err(&p.id.span, msg);
                    }
                }
            }
            self.x.peerings.push(Peering {
                name: p.id.v.clone(),
                requester: req.unwrap_or(VpcId(0)),
                accepter: acc.unwrap_or(VpcId(0)),
            });
        }
    }

    fn route_table_refs(
        &mut self,
        owner: &str,
        key: &str,
        refs: &[Id],
        vpc: Option<VpcId>,
    ) -> Vec<RouteTableId> {
        let mut out = Vec::new();
        for r in refs {
            if let Some(Component::RouteTable(rt)) = self.reference(owner, key, r, &["route_table"])
            {
                if let (Some(a), Some(b)) = (vpc, self.route_table_vpc(rt)) {
                    if a != b {
                        let msg = format!("{owner}: route table `{}` belongs to another VPC", r.v);
                        self.err(&r.span, msg);
                        continue;
                    }
                }
                if !out.contains(&rt) {
                    out.push(rt);
                }
            }
        }
        out
    }

    fn vgws(&mut self) {
        let raw = self.raw;
        for g in &raw.vpn_gateways {
            let owner = format!("VPN gateway `{}`", g.id.v);
            let vpc = self.vpc_ref(&owner, &g.vpc);
            let id = VgwId::from_idx(self.x.vgws.len());
            if let Some(v) = vpc {
                if let Some(prev) = self.x.vpcs[v.idx()].vgw {
                    let msg = format!(
                        "{owner}: VPC `{}` already has VPN gateway `{}`; a VPC attaches one",
                        self.x.vpcs[v.idx()].name,
                        self.x.vgws[prev.idx()].name
                    );
                    self.err(&g.id.span, msg);
                } else {
                    self.x.vpcs[v.idx()].vgw = Some(id);
                }
            }
            let propagate_to = self.route_table_refs(&owner, "propagate_to", &g.propagate_to, vpc);
            self.x.vgws.push(Vgw {
                name: g.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                propagate_to,
                networks: vec![],
            });
        }
        for n in &raw.onprem_networks {
            let owner = format!("on-premises network `{}`", n.id.v);
            let via = n.via.as_ref().and_then(|r| {
                match self.reference(&owner, "via", r, &["vpn_gateway"]) {
                    Some(Component::Vgw(v)) => Some(v),
                    _ => None,
                }
            });
            if n.cidrs.is_empty() && !self.unreadable(&n.id.span, "cidrs") {
                self.err(
                    &n.id.span,
                    format!("{owner} needs at least one CIDR in `cidrs`"),
                );
            }
            let id = OnpremNetId::from_idx(self.x.onprem_nets.len());
            if let Some(v) = via {
                self.x.vgws[v.idx()].networks.push(id);
                let vpc = self.vpc_named(&raw.vpn_gateways[v.idx()].vpc);
                for c in &n.cidrs {
                    if let Some(vc) = vpc.and_then(|vpc| {
                        let x = &self.x.vpcs[vpc.idx()];
                        x.cidrs
                            .iter()
                            .find(|vc| vc.contains(&c.v) || c.v.contains(*vc))
                            .copied()
                    }) {
                        self.warn(
                            &c.span,
                            format!("{owner}: `{}` overlaps the VPC's CIDR {vc}; the local route wins over it (RT-4a)", c.v),
                        );
                    }
                }
            }
            self.x.onprem_nets.push(OnpremNet {
                name: n.id.v.clone(),
                cidrs: n.cidrs.iter().map(|c| c.v).collect(),
                via: via.unwrap_or(VgwId(0)),
                latency: n.latency.as_ref().map_or(self.latency.vpn, |l| l.v),
            });
        }
    }

    fn subnet_ref(&mut self, owner: &str, key: &str, r: &Id) -> Option<SubnetId> {
        match self.reference(owner, key, r, &["subnet"])? {
            Component::Subnet(s) => Some(s),
            _ => None,
        }
    }

    fn nats(&mut self) {
        let raw = self.raw;
        for n in &raw.nat_gateways {
            let owner = format!("NAT gateway `{}`", n.id.v);
            let subnet = n
                .subnet
                .as_ref()
                .and_then(|r| self.subnet_ref(&owner, "subnet", r));
            let unreadable = self.unreadable(&n.id.span, "public_ip")
                || self.unreadable(&n.id.span, "connectivity");
            if n.public.v && n.public_ip.is_none() && !unreadable {
                self.err(
                    &n.id.span,
                    format!("{owner} is public and needs `public_ip` (its Elastic IP) (NAT-1)"),
                );
            }
            if !n.public.v {
                if let Some(ip) = &n.public_ip {
                    self.err(
                        &ip.span,
                        format!(
                            "{owner} is private and has no Elastic IP (NAT-2); remove `public_ip`"
                        ),
                    );
                }
            }
            let id = NatId::from_idx(self.x.nats.len());
            let eni = self.new_eni(
                subnet,
                n.private_ip.as_ref(),
                format!("{}-eni", n.id.v),
                n.id.v.clone(),
                vec![],
                EniOwner::Nat(id),
            );
            self.x.nats.push(Nat {
                name: n.id.v.clone(),
                subnet: subnet.unwrap_or(SubnetId(0)),
                public: n.public.v,
                public_ip: n.public_ip.as_ref().map(|p| p.v),
                eni,
            });
        }
    }

    /// Private IPs to allocate once every fixed one is known: (eni, span of
    /// the fixed address if any).
    fn new_eni(
        &mut self,
        subnet: Option<SubnetId>,
        fixed: Option<&Sp<Ipv4Addr>>,
        name: String,
        label: String,
        security_groups: Vec<SgId>,
        owner: EniOwner,
    ) -> EniId {
        let id = EniId::from_idx(self.x.enis.len());
        let (subnet, vpc) = match subnet {
            Some(s) => (s, self.x.subnets[s.idx()].vpc),
            None => (SubnetId(u32::MAX), VpcId(0)),
        };
        if subnet.0 != u32::MAX {
            self.x.subnets[subnet.idx()].enis.push(id);
        }
        self.fixed_ips.push(fixed.cloned());
        self.x.enis.push(Eni {
            name,
            subnet,
            vpc,
            ip: Ipv4Addr::UNSPECIFIED,
            public_ip: None,
            security_groups,
            source_dest_check: true,
            owner,
            label,
        });
        id
    }

    fn listen(&mut self, l: &[Sp<raw::Listen>]) -> Vec<Listen> {
        let mut out = Vec::new();
        for x in l {
            let Some(proto) = &x.v.protocol else { continue };
            let Protocol::Number(p) = proto.v else {
                self.err(&proto.span, "a listener names one protocol, not \"all\"");
                continue;
            };
            let port = match (proto.v.has_ports(), &x.v.port) {
                (true, Some(port)) => Some(port.v),
                (true, None) if self.unreadable(&x.span, "port") => continue,
                (true, None) => {
                    self.err(&x.span, format!("a {} listener needs a `port`", proto.v));
                    continue;
                }
                (false, Some(port)) => {
                    self.err(&port.span, format!("a {} listener has no port", proto.v));
                    None
                }
                (false, None) => None,
            };
            out.push(Listen { protocol: p, port });
        }
        out
    }

    fn instances(&mut self) {
        let raw = self.raw;
        for inst in &raw.instances {
            let owner = format!("instance `{}`", inst.id.v);
            let subnet = inst
                .subnet
                .as_ref()
                .and_then(|r| self.subnet_ref(&owner, "subnet", r));
            let vpc = subnet.and_then(|s| self.subnet_vpc(s));
            let sgs = match &inst.security_groups {
                Some(list) => {
                    let sgs = self.sg_refs(&owner, "security_groups", &list.v, vpc);
                    if list.v.is_empty() {
                        if !self.unreadable(&inst.id.span, "security_groups") {
                            self.err(&list.span, format!("{owner}: an ENI has at least one security group (SG-1); omit `security_groups` for the VPC's default group"));
                        }
                    } else if list.v.len() > 16 {
                        self.err(
                            &list.span,
                            format!(
                                "{owner} has {} security groups; an ENI has at most 16 (SG-1)",
                                list.v.len()
                            ),
                        );
                    } else if list.v.len() > 5 {
                        self.warn(&list.span, format!("{owner} has {} security groups; AWS allows 5 per ENI by default (SG-1)", list.v.len()));
                    }
                    sgs
                }
                None => vpc
                    .map(|v| vec![self.x.vpcs[v.idx()].default_sg])
                    .unwrap_or_default(),
            };
            let id = InstanceId::from_idx(self.x.instances.len());
            let name = inst
                .eni
                .as_ref()
                .map_or_else(|| inst.id.v.clone(), |e| e.v.clone());
            let eni = self.new_eni(
                subnet,
                inst.private_ip.as_ref(),
                name.clone(),
                name,
                sgs,
                EniOwner::Instance(id),
            );
            debug_assert_eq!(eni.idx(), id.idx());
            let e = &mut self.x.enis[eni.idx()];
            e.public_ip = inst.public_ip.as_ref().map(|p| p.v);
            e.source_dest_check = inst.source_dest_check.as_ref().is_none_or(|s| s.v);
            let listen = self.listen(&inst.listen);
            self.x.instances.push(Instance {
                name: inst.id.v.clone(),
                eni,
                listen,
            });
        }
    }

    fn endpoints(&mut self) {
        let raw = self.raw;
        let mut per_table: BTreeMap<(RouteTableId, String), Span> = BTreeMap::new();
        for e in &raw.vpc_endpoints {
            let owner = format!("VPC endpoint `{}`", e.id.v);
            let vpc = self.vpc_ref(&owner, &e.vpc);
            let service = e.service.as_ref().map_or_else(String::new, |s| s.v.clone());
            let id = EndpointId::from_idx(self.x.endpoints.len());
            let listen = if e.listen.is_empty() {
                vec![Listen {
                    protocol: 6,
                    port: Some(443),
                }]
            } else {
                self.listen(&e.listen)
            };
            let kind = match e.kind.as_ref().map(|k| k.v) {
                // Without a readable `type` (reported), nothing more can be
                // checked.
                None => EndpointKind::Gateway {
                    prefix_list: PrefixListId(u32::MAX),
                    route_tables: vec![],
                },
                Some(raw::EndpointType::Gateway) => {
                    let mut service_ok = true;
                    if let Some(s) = &e.service {
                        if s.v != "s3" && s.v != "dynamodb" {
                            self.err(&s.span, format!("{owner}: a gateway endpoint serves only \"s3\" or \"dynamodb\", not \"{}\" (GWE-1)", s.v));
                            service_ok = false;
                        }
                    }
                    for (key, list) in [
                        ("subnets", &e.subnets),
                        ("security_groups", &e.security_groups),
                    ] {
                        if let Some(first) = list.first() {
                            self.err(&first.span, format!("{owner}: a gateway endpoint has no `{key}`; it works through `route_tables`"));
                        }
                    }
                    let prefix_list = if service_ok {
                        self.service_prefix_list(&owner, e, &service)
                    } else {
                        None
                    };
                    let route_tables =
                        self.route_table_refs(&owner, "route_tables", &e.route_tables, vpc);
                    for (rt, r) in route_tables.iter().zip(&e.route_tables) {
                        if let Some(prev) = per_table.get(&(*rt, service.clone())) {
                            let line = self.line(prev);
                            self.err(&r.span, format!("{owner}: route table `{}` already has a {service} endpoint route, from line {line} (GWE-3)", r.v));
                        } else {
                            per_table.insert((*rt, service.clone()), r.span.clone());
                        }
                    }
                    EndpointKind::Gateway {
                        prefix_list: prefix_list.unwrap_or(PrefixListId(0)),
                        route_tables,
                    }
                }
                Some(raw::EndpointType::Interface) => {
                    if let Some(first) = e.route_tables.first() {
                        self.err(&first.span, format!("{owner}: an interface endpoint has no `route_tables`; it has an ENI in each of its `subnets`"));
                    }
                    if e.subnets.is_empty() && !self.unreadable(&e.id.span, "subnets") {
                        self.err(&e.id.span, format!("{owner}: an interface endpoint needs at least one subnet in `subnets`"));
                    }
                    let mut subnets = Vec::new();
                    let mut azs: BTreeMap<String, String> = BTreeMap::new();
                    for r in &e.subnets {
                        let Some(s) = self.subnet_ref(&owner, "subnets", r) else {
                            continue;
                        };
                        let sv = self.subnet_vpc(s);
                        let sub = &self.x.subnets[s.idx()];
                        if vpc.is_some() && sv.is_some() && sv != vpc {
                            self.err(
                                &r.span,
                                format!("{owner}: subnet `{}` is not in the endpoint's VPC", r.v),
                            );
                            continue;
                        }
                        if let Some(other) = azs.get(&sub.az) {
                            let msg = format!(
                                "{owner}: subnets `{other}` and `{}` are both in {}; an interface endpoint takes one subnet per availability zone (IFE-1)",
                                r.v, sub.az
                            );
                            self.err(&r.span, msg);
                            continue;
                        }
                        azs.insert(sub.az.clone(), r.v.clone());
                        subnets.push(s);
                    }
                    let mut sgs = self.sg_refs(&owner, "security_groups", &e.security_groups, vpc);
                    if e.security_groups.is_empty() {
                        if let Some(v) = vpc {
                            sgs.push(self.x.vpcs[v.idx()].default_sg);
                        }
                    }
                    let mut enis = Vec::new();
                    for s in &subnets {
                        let sub_name = self.x.subnets[s.idx()].name.clone();
                        let name = format!("{}-{}", e.id.v, sub_name);
                        let label = if subnets.len() > 1 {
                            name.clone()
                        } else {
                            e.id.v.clone()
                        };
                        enis.push(self.new_eni(
                            Some(*s),
                            None,
                            name,
                            label,
                            sgs.clone(),
                            EniOwner::Endpoint(id),
                        ));
                    }
                    EndpointKind::Interface {
                        subnets,
                        security_groups: sgs,
                        private_dns: e.private_dns.as_ref().is_none_or(|p| p.v),
                        enis,
                    }
                }
            };
            self.x.endpoints.push(Endpoint {
                name: e.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                service,
                kind,
                listen,
            });
        }
    }

    /// The service's prefix list: declared by name, else built in (GWE-2).
    fn service_prefix_list(
        &mut self,
        owner: &str,
        e: &raw::VpcEndpoint,
        service: &str,
    ) -> Option<PrefixListId> {
        if service.is_empty() {
            return None;
        }
        let list_name = builtin::service_list_name(&self.region, service);
        if let Some(i) = self
            .x
            .prefix_lists
            .iter()
            .position(|p| p.list_name == list_name)
        {
            return Some(PrefixListId::from_idx(i));
        }
        if let Some(b) = builtin::prefix_list(&list_name) {
            let id = PrefixListId::from_idx(self.x.prefix_lists.len());
            self.x.prefix_lists.push(PrefixList {
                name: b.id.to_string(),
                list_name: b.name.to_string(),
                cidrs: b
                    .cidrs
                    .iter()
                    .map(|c| c.parse().expect("built-in CIDRs are valid"))
                    .collect(),
            });
            self.names
                .entry(b.id.to_string())
                .or_insert((Component::PrefixList(id), 0..0));
            return Some(id);
        }
        let span = e
            .service
            .as_ref()
            .map_or(e.id.span.clone(), |s| s.span.clone());
        self.err(
            &span,
            format!("{owner}: no prefix list named `{list_name}`; declare a [[prefix_list]] with that `name` and the service's CIDRs (vpcsim ships the lists of us-east-1 only)"),
        );
        None
    }

    fn lambdas(&mut self) {
        let raw = self.raw;
        // Hyperplane ENIs are shared per (subnet, security-group set) (LAM-2).
        let mut shared: BTreeMap<(SubnetId, Vec<SgId>), EniId> = BTreeMap::new();
        for l in &raw.lambdas {
            let owner = format!("Lambda function `{}`", l.id.v);
            let mut vpc = None;
            let mut subnets = Vec::new();
            for r in &l.subnets {
                let Some(s) = self.subnet_ref(&owner, "subnets", r) else {
                    continue;
                };
                match (vpc, self.subnet_vpc(s)) {
                    (None, sv) => vpc = sv,
                    (Some(v), Some(sv)) if v != sv => {
                        self.err(&r.span, format!("{owner}: subnet `{}` is in another VPC; a function's subnets share one VPC", r.v));
                        continue;
                    }
                    _ => {}
                }
                subnets.push(s);
            }
            let subnets_unreadable = self.unreadable(&l.id.span, "subnets");
            let sgs_unreadable = self.unreadable(&l.id.span, "security_groups");
            if l.subnets.is_empty() && !l.security_groups.is_empty() && !subnets_unreadable {
                self.err(&l.security_groups[0].span, format!("{owner} has `security_groups` but no `subnets`; a function outside a VPC has no security groups"));
            }
            if !l.subnets.is_empty() && l.security_groups.is_empty() && !sgs_unreadable {
                self.err(
                    &l.id.span,
                    format!(
                        "{owner}: a function in a VPC needs `security_groups` as well as `subnets`"
                    ),
                );
            }
            let mut sgs = self.sg_refs(&owner, "security_groups", &l.security_groups, vpc);
            sgs.sort();
            let concurrency = match &l.concurrency {
                Some(c) if c.v == 0 => {
                    self.err(
                        &c.span,
                        format!("{owner}: `concurrency` must be at least 1"),
                    );
                    1
                }
                Some(c) => c.v,
                None => 1000,
            };
            let id = LambdaId::from_idx(self.x.lambdas.len());
            let mut enis = Vec::new();
            for s in subnets {
                let key = (s, sgs.clone());
                let eni = match shared.get(&key) {
                    Some(e) => *e,
                    None => {
                        let sub_name = self.x.subnets[s.idx()].name.clone();
                        let name = format!("{}-{}", l.id.v, sub_name);
                        let e = self.new_eni(
                            Some(s),
                            None,
                            name.clone(),
                            name,
                            sgs.clone(),
                            EniOwner::Lambda,
                        );
                        shared.insert(key, e);
                        e
                    }
                };
                let _ = id;
                enis.push(eni);
            }
            self.x.lambdas.push(Lambda {
                name: l.id.v.clone(),
                vpc,
                enis,
                security_groups: sgs,
                concurrency,
            });
        }
    }

    // -- route tables ----------------------------------------------------------

    fn route_target(
        &mut self,
        owner: &str,
        vpc: Option<VpcId>,
        target: &Id,
        dest: Option<&RouteDest>,
    ) -> Option<Target> {
        if target.v == "local" {
            return Some(Target::Local);
        }
        let kinds = [
            "internet_gateway",
            "nat_gateway",
            "vpc_endpoint",
            "instance",
            "eni",
            "vpc_peering",
            "vpn_gateway",
        ];
        let c = self.reference(owner, "target", target, &kinds)?;
        // Both VPCs known, and different.
        let other_vpc = |v: Option<VpcId>| vpc.is_some() && v.is_some() && v != vpc;
        let t = match c {
            Component::Igw(g) => {
                if other_vpc(self.vpc_named(&self.raw.internet_gateways[g.idx()].vpc)) {
                    self.err(
                        &target.span,
                        format!(
                            "{owner}: internet gateway `{}` is attached to another VPC",
                            target.v
                        ),
                    );
                }
                Target::Igw(g)
            }
            Component::Nat(n) => {
                if other_vpc(self.eni_vpc(self.x.nats[n.idx()].eni)) {
                    self.err(
                        &target.span,
                        format!("{owner}: NAT gateway `{}` is in another VPC", target.v),
                    );
                }
                Target::Nat(n)
            }
            Component::Endpoint(e) => {
                let ep = &self.x.endpoints[e.idx()];
                match &ep.kind {
                    EndpointKind::Gateway { prefix_list, .. } => {
                        if dest != Some(&RouteDest::PrefixList(*prefix_list)) {
                            let pl = self
                                .x
                                .prefix_lists
                                .get(prefix_list.idx())
                                .map_or("", |p| p.name.as_str())
                                .to_string();
                            self.err(&target.span, format!("{owner}: gateway endpoint `{}` is only the target of its service's prefix-list route (`{pl}`) (RT-7)", target.v));
                        }
                    }
                    EndpointKind::Interface { .. } => {
                        self.err(&target.span, format!("{owner}: `{}` is an interface endpoint; routes cannot target it (traffic reaches it by its address)", target.v));
                    }
                }
                Target::Endpoint(e)
            }
            Component::Instance(i) => Target::Eni(self.x.instances[i.idx()].eni),
            Component::Eni(e) => Target::Eni(e),
            Component::Peering(p) => {
                let pc = &self.raw.vpc_peerings[p.idx()];
                let ends = (self.vpc_named(&pc.requester), self.vpc_named(&pc.accepter));
                if let (Some(v), (Some(a), Some(b))) = (vpc, ends) {
                    if v != a && v != b {
                        self.err(
                            &target.span,
                            format!(
                                "{owner}: peering `{}` does not connect this route table's VPC",
                                target.v
                            ),
                        );
                    }
                }
                Target::Peering(p)
            }
            Component::Vgw(g) => {
                if other_vpc(self.vpc_named(&self.raw.vpn_gateways[g.idx()].vpc)) {
                    self.err(
                        &target.span,
                        format!(
                            "{owner}: VPN gateway `{}` is attached to another VPC",
                            target.v
                        ),
                    );
                }
                Target::Vgw(g)
            }
            _ => return None,
        };
        if let Target::Eni(e) = t {
            if other_vpc(self.eni_vpc(e)) {
                self.err(
                    &target.span,
                    format!("{owner}: `{}` is in another VPC", target.v),
                );
            }
        }
        Some(t)
    }

    /// A route destination: a CIDR, or the id of a prefix list.
    fn route_dest(&mut self, owner: &str, d: &Sp<String>) -> Option<RouteDest> {
        let text = d.v.trim();
        let looks_like_cidr = text.contains('/')
            || text.contains(':')
            || text.chars().next().is_some_and(|c| c.is_ascii_digit());
        if looks_like_cidr {
            match parse_cidr(text) {
                Ok(net) => {
                    let reserved: Ipv4Net = RESERVED_LINK_LOCAL.parse().expect("literal");
                    if reserved.contains(&net) || net.contains(&reserved) && net.prefix_len() > 0 {
                        self.err(
                            &d.span,
                            format!(
                                "{owner}: routes to {RESERVED_LINK_LOCAL} are not allowed (RT-8a)"
                            ),
                        );
                        return None;
                    }
                    Some(RouteDest::Cidr(net))
                }
                Err(m) => {
                    self.err(&d.span, format!("{owner}: `destination` {m}"));
                    None
                }
            }
        } else {
            match self.reference(owner, "destination", d, &["prefix_list"])? {
                Component::PrefixList(p) => Some(RouteDest::PrefixList(p)),
                _ => None,
            }
        }
    }

    /// Checks one route against the table's VPC (RT-2); returns it resolved.
    fn route(&mut self, owner: &str, vpc: Option<VpcId>, r: &raw::Route) -> Option<Route> {
        let dest_raw = r.destination.as_ref()?;
        let target_raw = r.target.as_ref()?;
        let dest = self.route_dest(owner, dest_raw);
        let target = if r.blackhole {
            match self.names.get(&target_raw.v) {
                Some(_) => self.route_target(owner, vpc, target_raw, dest.as_ref()),
                None => Some(Target::Missing(target_raw.v.clone())),
            }
        } else {
            self.route_target(owner, vpc, target_raw, dest.as_ref())
        };
        let (dest, target) = (dest?, target?);
        if let (RouteDest::Cidr(net), Some(v)) = (dest, vpc) {
            let v = &self.x.vpcs[v.idx()];
            if let Some(vc) = v.cidrs.iter().find(|vc| vc.contains(&net)) {
                if net == *vc {
                    if target != Target::Local {
                        self.err(&dest_raw.span, format!("{owner}: `{net}` is the VPC's own CIDR; its local route cannot be replaced (RT-2)"));
                    }
                } else {
                    let is_subnet = v
                        .subnets
                        .iter()
                        .any(|s| self.x.subnets[s.idx()].cidr == net);
                    let middlebox =
                        matches!(target, Target::Eni(_) | Target::Nat(_) | Target::Missing(_));
                    if !(is_subnet && middlebox) {
                        self.err(&dest_raw.span, format!("{owner}: `{net}` is more specific than the local route {vc}; that is allowed only for exactly a subnet's CIDR with an instance, ENI or NAT gateway as target (RT-2)"));
                    }
                }
            } else if target == Target::Local {
                self.err(
                    &target_raw.span,
                    format!("{owner}: target `local` is only for the VPC's own CIDRs"),
                );
            }
        }
        Some(Route {
            dest,
            target,
            blackhole: r.blackhole,
        })
    }

    fn route_tables(&mut self) {
        let raw = self.raw;
        let mut mains: BTreeMap<VpcId, Span> = BTreeMap::new();
        for (i, t) in raw.route_tables.iter().enumerate() {
            let owner = format!("route table `{}`", t.id.v);
            let vpc = self.vpc_ref(&owner, &t.vpc);
            let main = t.main.as_ref().is_some_and(|m| m.v);
            if let (Some(v), Some(m)) = (vpc, &t.main) {
                if m.v {
                    if let Some(prev) = mains.get(&v) {
                        let line = self.line(prev);
                        self.err(&m.span, format!("{owner}: VPC `{}` already has a main route table, on line {line}; exactly one per VPC (RT-1)", self.x.vpcs[v.idx()].name));
                    } else {
                        mains.insert(v, m.span.clone());
                        self.x.vpcs[v.idx()].main_route_table = RouteTableId::from_idx(i);
                    }
                }
            }
            self.x.route_tables.push(RouteTable {
                name: t.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                main,
                routes: vec![],
            });
        }
        for (i, t) in raw.route_tables.iter().enumerate() {
            let owner = format!("route table `{}`", t.id.v);
            let vpc = t.vpc.as_ref().and_then(|v| match self.names.get(&v.v) {
                Some((Component::Vpc(v), _)) => Some(*v),
                _ => None,
            });
            let mut routes: Vec<Route> = Vec::new();
            let mut seen: BTreeMap<RouteDest, Span> = BTreeMap::new();
            for r in &t.routes {
                let Some(route) = self.route(&owner, vpc, &r.v) else {
                    continue;
                };
                if let Some(prev) = seen.get(&route.dest) {
                    let line = self.line(prev);
                    self.err(
                        &r.span,
                        format!(
                            "{owner}: a route to this destination already exists on line {line}"
                        ),
                    );
                    continue;
                }
                seen.insert(route.dest, r.span.clone());
                if route.target == Target::Local {
                    continue; // implicit (RT-2)
                }
                routes.push(route);
            }
            self.x.route_tables[i].routes = routes;
        }
        // Implicit main route tables, with only local routes (RT-1).
        for v in 0..self.x.vpcs.len() {
            if self.x.vpcs[v].main_route_table.0 != u32::MAX {
                continue;
            }
            let id = RouteTableId::from_idx(self.x.route_tables.len());
            let name = format!("{}/main-rt", self.x.vpcs[v].name);
            self.x.route_tables.push(RouteTable {
                name: name.clone(),
                vpc: VpcId::from_idx(v),
                main: true,
                routes: vec![],
            });
            self.x.vpcs[v].main_route_table = id;
            self.names
                .entry(name)
                .or_insert((Component::RouteTable(id), 0..0));
        }
        // Gateway endpoint routes (GWE-2).
        for e in 0..self.x.endpoints.len() {
            if let EndpointKind::Gateway {
                prefix_list,
                route_tables,
            } = &self.x.endpoints[e].kind
            {
                let (pl, rts) = (*prefix_list, route_tables.clone());
                for rt in rts {
                    let routes = &mut self.x.route_tables[rt.idx()].routes;
                    let dest = RouteDest::PrefixList(pl);
                    if !routes.iter().any(|r| r.dest == dest) {
                        routes.push(Route {
                            dest,
                            target: Target::Endpoint(EndpointId::from_idx(e)),
                            blackhole: false,
                        });
                    }
                }
            }
        }
        // Subnet associations (RT-1).
        for (i, s) in raw.subnets.iter().enumerate() {
            let vpc = self.subnet_vpc(SubnetId::from_idx(i));
            let mut rt = vpc.map_or(RouteTableId(u32::MAX), |v| {
                self.x.vpcs[v.idx()].main_route_table
            });
            if let Some(r) = &s.route_table {
                let owner = format!("subnet `{}`", s.id.v);
                if let Some(Component::RouteTable(t)) =
                    self.reference(&owner, "route_table", r, &["route_table"])
                {
                    let other = self.route_table_vpc(t);
                    if vpc.is_some() && other.is_some() && other != vpc {
                        self.err(
                            &r.span,
                            format!("{owner}: route table `{}` belongs to another VPC", r.v),
                        );
                    }
                    rt = t;
                }
            }
            self.x.subnets[i].route_table = rt;
        }
    }

    // -- outside hosts ---------------------------------------------------------

    fn in_any_vpc(&self, ip: Ipv4Addr) -> Option<&str> {
        self.x
            .vpcs
            .iter()
            .find(|v| v.contains(ip))
            .map(|v| v.name.as_str())
    }

    fn outside_hosts(&mut self) {
        let raw = self.raw;
        for h in &raw.external_hosts {
            let listen = self.listen(&h.listen);
            if let Some(ip) = &h.ip {
                if let Some(v) = self.in_any_vpc(ip.v) {
                    let msg = format!(
                        "external host `{}`: {} is inside VPC `{v}`; an internet host has an address outside every VPC",
                        h.id.v, ip.v
                    );
                    self.err(&ip.span, msg);
                }
            }
            self.x.external_hosts.push(ExternalHost {
                name: h.id.v.clone(),
                ip: h.ip.as_ref().map_or(Ipv4Addr::UNSPECIFIED, |i| i.v),
                listen,
            });
        }
        for s in &raw.aws_services {
            let owner = format!("AWS service `{}`", s.id.v);
            let listen = match &s.listen {
                Some(l) => self.listen(l),
                None => vec![Listen {
                    protocol: 6,
                    port: Some(443),
                }],
            };
            if s.ips.is_empty() && !self.unreadable(&s.id.span, "ips") {
                self.err(
                    &s.id.span,
                    format!("{owner} needs at least one address in `ips`"),
                );
            }
            let service = s.service.as_ref().map_or_else(String::new, |x| x.v.clone());
            let list_name = builtin::service_list_name(&self.region, &service);
            let list: Option<Vec<Ipv4Net>> = self
                .x
                .prefix_lists
                .iter()
                .find(|p| p.list_name == list_name)
                .map(|p| p.cidrs.clone())
                .or_else(|| {
                    builtin::prefix_list(&list_name)
                        .map(|b| b.cidrs.iter().map(|c| c.parse().expect("valid")).collect())
                });
            for ip in &s.ips {
                if let Some(v) = self.in_any_vpc(ip.v) {
                    let msg = format!(
                        "{owner}: {} is inside VPC `{v}`; a service's front door is a public address",
                        ip.v
                    );
                    self.err(&ip.span, msg);
                }
                if let Some(list) = &list {
                    if !list.iter().any(|c| c.contains(&ip.v)) {
                        self.warn(&ip.span, format!("{owner}: {} is outside the prefix list `{list_name}`, so a gateway endpoint will not carry traffic to it", ip.v));
                    }
                }
            }
            self.x.aws_services.push(AwsService {
                name: s.id.v.clone(),
                service,
                ips: s.ips.iter().map(|i| i.v).collect(),
                listen,
            });
        }
        for h in &raw.onprem_hosts {
            let owner = format!("on-premises host `{}`", h.id.v);
            let net = h.network.as_ref().and_then(|r| {
                match self.reference(&owner, "network", r, &["onprem_network"]) {
                    Some(Component::OnpremNet(n)) => Some(n),
                    _ => None,
                }
            });
            if let (Some(n), Some(ip)) = (net, &h.ip) {
                let nw = &self.x.onprem_nets[n.idx()];
                if !nw.cidrs.is_empty() && !nw.cidrs.iter().any(|c| c.contains(&ip.v)) {
                    let msg = format!("{owner}: {} is outside network `{}`", ip.v, nw.name);
                    self.err(&ip.span, msg);
                }
            }
            let listen = self.listen(&h.listen);
            self.x.onprem_hosts.push(OnpremHost {
                name: h.id.v.clone(),
                network: net.unwrap_or(OnpremNetId(0)),
                ip: h.ip.as_ref().map_or(Ipv4Addr::UNSPECIFIED, |i| i.v),
                listen,
            });
        }
    }

    // -- addresses -------------------------------------------------------------

    /// Fixed private IPs are checked first (ADDR-3, ADDR-5); then every ENI
    /// without one gets the lowest free usable address of its subnet, in file
    /// order.
    fn allocate_addresses(&mut self) {
        for s in 0..self.x.subnets.len() {
            let sub = self.x.subnets[s].clone();
            if sub.enis.is_empty() || sub.cidr.prefix_len() == 0 {
                continue;
            }
            let net = u32::from(sub.cidr.network());
            let last = u32::from(sub.cidr.broadcast());
            let usable = u64::from(last - net + 1).saturating_sub(5);
            let mut used: BTreeMap<u32, String> = BTreeMap::new();
            for e in &sub.enis {
                let Some(fixed) = self.fixed_ips[e.idx()].clone() else {
                    continue;
                };
                let ip = u32::from(fixed.v);
                // Only instances and NAT gateways choose their address.
                let who = match self.x.enis[e.idx()].owner {
                    EniOwner::Instance(i) => {
                        format!("instance `{}`", self.raw.instances[i.idx()].id.v)
                    }
                    EniOwner::Nat(n) => {
                        format!("NAT gateway `{}`", self.raw.nat_gateways[n.idx()].id.v)
                    }
                    _ => format!("`{}`", self.x.enis[e.idx()].label),
                };
                if !sub.cidr.contains(&fixed.v) {
                    self.err(
                        &fixed.span,
                        format!(
                            "{who}: private IP {} is outside its subnet `{}` ({})",
                            fixed.v, sub.name, sub.cidr
                        ),
                    );
                    continue;
                }
                let reserved = match ip - net {
                    0 => Some("its network address"),
                    1 => Some("the VPC router's address"),
                    2 => Some("the Amazon DNS server's address"),
                    3 => Some("kept by AWS for future use"),
                    _ if ip == last => Some("its broadcast address"),
                    _ => None,
                };
                if let Some(what) = reserved {
                    self.err(&fixed.span, format!("{who}: private IP {} is reserved in subnet `{}` ({what}); AWS reserves the first four addresses and the last of every subnet (ADDR-3)", fixed.v, sub.name));
                    continue;
                }
                if let Some(other) = used.get(&ip) {
                    self.err(
                        &fixed.span,
                        format!(
                            "{who}: private IP {} is already used by {other} (ADDR-5)",
                            fixed.v
                        ),
                    );
                    continue;
                }
                used.insert(ip, who);
                self.x.enis[e.idx()].ip = fixed.v;
            }
            if sub.enis.len() as u64 > usable {
                let span = self.raw.subnets[s].id.span.clone();
                self.err(&span, format!(
                    "subnet `{}` ({}) has {} usable addresses but {} network interfaces (workloads, NAT gateways, endpoint and Lambda ENIs) (ADDR-3)",
                    sub.name, sub.cidr, usable, sub.enis.len()
                ));
                continue;
            }
            let mut next = net + 4;
            for e in &sub.enis {
                if self.fixed_ips[e.idx()].is_some() {
                    continue;
                }
                while used.contains_key(&next) {
                    next += 1;
                }
                if next >= last {
                    break;
                }
                used.insert(next, self.x.enis[e.idx()].label.clone());
                self.x.enis[e.idx()].ip = Ipv4Addr::from(next);
            }
        }
    }

    /// Public addresses are unique across the file, and no private address is
    /// claimed twice across ENIs and outside hosts.
    fn check_unique_addresses(&mut self) {
        let raw = self.raw;
        let mut public: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
        let mut claims: Vec<(Ipv4Addr, String, Span)> = Vec::new();
        for (i, inst) in raw.instances.iter().enumerate() {
            if let Some(p) = &inst.public_ip {
                claims.push((p.v, format!("instance `{}`", inst.id.v), p.span.clone()));
            }
            let _ = i;
        }
        for n in &raw.nat_gateways {
            if let Some(p) = &n.public_ip {
                claims.push((p.v, format!("NAT gateway `{}`", n.id.v), p.span.clone()));
            }
        }
        for h in &raw.external_hosts {
            if let Some(p) = &h.ip {
                claims.push((p.v, format!("external host `{}`", h.id.v), p.span.clone()));
            }
        }
        for s in &raw.aws_services {
            for p in &s.ips {
                claims.push((p.v, format!("AWS service `{}`", s.id.v), p.span.clone()));
            }
        }
        for h in &raw.onprem_hosts {
            if let Some(p) = &h.ip {
                claims.push((
                    p.v,
                    format!("on-premises host `{}`", h.id.v),
                    p.span.clone(),
                ));
            }
        }
        for (ip, who, span) in claims {
            if let Some(v) = self.in_any_vpc(ip) {
                if who.starts_with("instance") || who.starts_with("NAT") {
                    let msg = format!("{who}: public IP {ip} is inside VPC `{v}`");
                    self.err(&span, msg);
                    continue;
                }
            }
            if let Some(prev) = public.get(&ip) {
                self.err(
                    &span,
                    format!("{who}: address {ip} is already used by {prev}"),
                );
                continue;
            }
            public.insert(ip, who);
        }
    }
}

impl Builder<'_> {
    // -- traffic ---------------------------------------------------------------

    fn traffic(&mut self) {
        let raw = self.raw;
        for t in &raw.traffic {
            let owner = format!("traffic `{}`", t.id.v);
            let from = t.from.as_ref().and_then(|f| {
                match self.reference(
                    &owner,
                    "from",
                    f,
                    &["instance", "lambda", "external_host", "onprem_host"],
                )? {
                    Component::Instance(i) => Some(Source::Instance(i)),
                    Component::Lambda(l) => Some(Source::Lambda(l)),
                    Component::ExternalHost(h) => Some(Source::External(h)),
                    Component::OnpremHost(h) => Some(Source::Onprem(h)),
                    _ => None,
                }
            });
            let to =
                t.to.as_ref()
                    .and_then(|to| self.destination(&owner, from, to));
            let pattern = t.pattern.as_ref().map_or(raw::Pattern::Requests, |p| p.v);
            // With an unreadable `pattern` (reported), what the flow needs is
            // unknown: its protocol, port, rate and size are not checked.
            let unreadable = |b: &Self, key| b.unreadable(&t.id.span, key);
            let pattern_known = !unreadable(self, "pattern");
            let default_proto = match pattern {
                raw::Pattern::Requests | raw::Pattern::Bulk => 6,
                raw::Pattern::Ping => 1,
                raw::Pattern::Udp => 17,
            };
            let protocol = match &t.protocol {
                Some(p) if !pattern_known => match p.v {
                    Protocol::Number(n) => n,
                    Protocol::All => default_proto,
                },
                Some(p) => match p.v {
                    Protocol::Number(n) if n == default_proto => n,
                    other => {
                        let want = Protocol::Number(default_proto);
                        let name = match pattern {
                            raw::Pattern::Requests => "requests",
                            raw::Pattern::Bulk => "bulk",
                            raw::Pattern::Ping => "ping",
                            raw::Pattern::Udp => "udp",
                        };
                        self.err(&p.span, format!("{owner}: pattern \"{name}\" uses protocol \"{want}\", not \"{other}\""));
                        default_proto
                    }
                },
                None => default_proto,
            };
            let port = match (&t.port, protocol) {
                (Some(p), 6 | 17) => {
                    if p.v == 0 {
                        self.err(&p.span, format!("{owner}: port 0 cannot be connected to"));
                    }
                    p.v
                }
                (Some(p), _) => {
                    if pattern_known {
                        self.err(
                            &p.span,
                            format!("{owner}: ICMP has no ports; remove `port`"),
                        );
                    }
                    0
                }
                (None, 6 | 17) if !pattern_known || unreadable(self, "port") => 0,
                (None, 6 | 17) => {
                    self.err(&t.id.span, format!("{owner} needs a destination `port`"));
                    0
                }
                (None, _) => 0,
            };
            let needs_rate = pattern != raw::Pattern::Bulk && pattern_known;
            if needs_rate && t.rate.is_none() && !unreadable(self, "rate") {
                self.err(&t.id.span, format!("{owner} needs a `rate`, like \"20/s\""));
            }
            if pattern == raw::Pattern::Bulk && t.size.is_none() && !unreadable(self, "size") {
                self.err(
                    &t.id.span,
                    format!("{owner}: a bulk transfer needs a `size`"),
                );
            }
            let start = t.start.as_ref().map_or(Nanos::ZERO, |s| s.v);
            let stop = t.stop.as_ref().map_or(self.duration, |s| s.v);
            if let Some(s) = &t.stop {
                if stop <= start {
                    self.err(
                        &s.span,
                        format!("{owner}: `stop` ({stop}) must come after `start` ({start})"),
                    );
                } else if stop > self.duration && self.duration > Nanos::ZERO {
                    self.warn(&s.span, format!("{owner}: `stop` ({stop}) is after the end of the run ({}); traffic stops there", self.duration));
                }
            }
            if let Some(s) = &t.start {
                if s.v >= self.duration && self.duration > Nanos::ZERO {
                    self.err(
                        &s.span,
                        format!(
                            "{owner}: `start` ({}) is not before the end of the run ({})",
                            s.v, self.duration
                        ),
                    );
                }
            }
            let timeout = t.timeout.as_ref().map_or(Nanos::from_secs(10), |x| x.v);
            if timeout == Nanos::ZERO {
                if let Some(x) = &t.timeout {
                    self.err(&x.span, format!("{owner}: `timeout` must be more than 0s"));
                }
            }
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            self.x.traffic.push(Traffic {
                name: t.id.v.clone(),
                from,
                to,
                protocol,
                port,
                pattern,
                rate: t.rate.as_ref().map_or(
                    crate::units::Rate {
                        milli_per_sec: 1000,
                    },
                    |r| r.v,
                ),
                request: t.request.as_ref().map_or(100, |x| x.v.0),
                response: t.response.as_ref().map_or(1024, |x| x.v.0),
                size: t.size.as_ref().map_or(512, |x| x.v.0),
                hold: t.hold.as_ref().map_or(Nanos::ZERO, |x| x.v),
                timeout,
                start,
                stop: stop.min(self.duration.max(start)),
                arrivals: t.arrivals.as_ref().map_or(raw::Arrivals::Poisson, |a| a.v),
            });
        }
    }

    /// Resolves `to`: an id that owns an address, an address, or a service.
    fn destination(&mut self, owner: &str, from: Option<Source>, to: &Id) -> Option<DestSpec> {
        if let Ok(ip) = parse_ipv4(&to.v) {
            return Some(DestSpec::Ip(ip));
        }
        if to.v.contains(':') {
            self.err(
                &to.span,
                format!("{owner}: `to` `{}`: IPv6 is not supported yet", to.v),
            );
            return None;
        }
        if let Some((c, _)) = self.names.get(&to.v) {
            let c = *c;
            return match c {
                Component::Instance(i) => {
                    if let Some(Source::External(_)) = from {
                        let eni = self.x.instances[i.idx()].eni;
                        if self.x.enis[eni.idx()].public_ip.is_none() {
                            self.err(&to.span, format!("{owner}: from the internet, instance `{}` is reached by its public IP, and it has none", to.v));
                            return None;
                        }
                    }
                    Some(DestSpec::Component(c))
                }
                Component::Endpoint(e)
                    if matches!(
                        self.x.endpoints[e.idx()].kind,
                        EndpointKind::Interface { .. }
                    ) =>
                {
                    Some(DestSpec::Component(c))
                }
                Component::ExternalHost(_)
                | Component::AwsService(_)
                | Component::OnpremHost(_) => Some(DestSpec::Component(c)),
                Component::Eni(_) => Some(DestSpec::Component(c)),
                other => {
                    self.err(&to.span, format!("{owner}: `to` names `{}`, which is {} and has no address to send to; expected an instance, an interface endpoint, an external host, an AWS service, an on-premises host, an address or a service name", to.v, a_kind(other.kind())));
                    None
                }
            };
        }
        let is_service_name = !to.v.is_empty()
            && to
                .v
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        let known_service = self.x.aws_services.iter().any(|s| s.service == to.v)
            || self.x.endpoints.iter().any(|e| {
                e.service == to.v
                    && matches!(
                        e.kind,
                        EndpointKind::Interface {
                            private_dns: true,
                            ..
                        }
                    )
            });
        if is_service_name && known_service {
            return Some(DestSpec::Service(to.v.clone()));
        }
        let candidates = self
            .names
            .keys()
            .map(|s| s.as_str())
            .chain(self.x.aws_services.iter().map(|s| s.service.as_str()));
        let suggestion = self.suggest(&to.v, candidates).map(str::to_string);
        let mut msg = if is_service_name {
            format!(
                "{owner}: `to` names `{}`, which is neither an id of this file nor a service that an [[aws_service]] or a private-DNS interface endpoint provides",
                to.v
            )
        } else {
            format!(
                "{owner}: `to` `{}` is neither an id, an IPv4 address nor a service name",
                to.v
            )
        };
        if let Some(s) = suggestion {
            msg.push_str(&format!("; did you mean `{s}`?"));
        }
        self.err(&to.span, msg);
        None
    }

    // -- timeline --------------------------------------------------------------

    fn events(&mut self) {
        let raw = self.raw;
        let mut events: Vec<(Nanos, usize, Action)> = Vec::new();
        for (n, e) in raw.events.iter().enumerate() {
            let Some(at) = &e.at else { continue };
            if at.v > self.duration && self.duration > Nanos::ZERO {
                self.err(
                    &at.span,
                    format!(
                        "an event at {} is after the end of the run ({})",
                        at.v, self.duration
                    ),
                );
            }
            let Some(action) = &e.action else { continue };
            let resolved = match &action.v {
                raw::EventAction::Delete(id) => {
                    let kinds = [
                        "nat_gateway",
                        "internet_gateway",
                        "instance",
                        "eni",
                        "vpc_endpoint",
                        "vpc_peering",
                        "vpn_gateway",
                    ];
                    self.reference("event `delete`", "delete", id, &kinds)
                        .map(Action::Delete)
                }
                raw::EventAction::AddRoute(c) => self.route_change("event `add_route`", c, true),
                raw::EventAction::DeleteRoute(c) => {
                    self.route_change("event `delete_route`", c, false)
                }
                raw::EventAction::Set { resource, attrs } => self.set_change(resource, attrs),
            };
            if let Some(a) = resolved {
                events.push((at.v, n, a));
            }
        }
        // The timeline runs in time order, file order breaking ties.
        events.sort_by_key(|(at, n, _)| (*at, *n));
        self.x.events = events
            .into_iter()
            .map(|(at, _, action)| Event { at, action })
            .collect();
    }

    fn route_change(&mut self, owner: &str, c: &raw::RouteChange, add: bool) -> Option<Action> {
        let rt = match self.reference(
            owner,
            "route_table",
            c.route_table.as_ref()?,
            &["route_table"],
        )? {
            Component::RouteTable(r) => r,
            _ => return None,
        };
        let vpc = self.route_table_vpc(rt);
        let dest_raw = c.destination.as_ref()?;
        if add {
            let route = raw::Route {
                destination: Some(dest_raw.clone()),
                target: c.target.clone(),
                blackhole: false,
            };
            let r = self.route(owner, vpc, &route)?;
            Some(Action::AddRoute(rt, r))
        } else {
            let dest = self.route_dest(owner, dest_raw)?;
            Some(Action::DeleteRoute(rt, dest))
        }
    }

    fn set_change(&mut self, resource: &Id, attrs: &[Sp<raw::SetAttr>]) -> Option<Action> {
        let owner = format!("event `set` on `{}`", resource.v);
        let settable: Vec<&str> = raw::SETTABLE.iter().map(|(k, _)| *k).collect();
        // A resource the reader could not find is reported here, with the
        // other dangling references.
        let c = self.reference("event `set`", "resource", resource, &settable)?;
        let mut out = Vec::new();
        for a in attrs {
            let change = match (&a.v, c) {
                (raw::SetAttr::SgIngress(rules), Component::Sg(sg)) => {
                    let vpc = self.sg_vpc(sg);
                    let name = resource.v.clone();
                    Some(SetChange::SgIngress(
                        sg,
                        self.sg_rules(&name, vpc, rules, "ingress"),
                    ))
                }
                (raw::SetAttr::SgEgress(rules), Component::Sg(sg)) => {
                    let vpc = self.sg_vpc(sg);
                    let name = resource.v.clone();
                    Some(SetChange::SgEgress(
                        sg,
                        self.sg_rules(&name, vpc, rules, "egress"),
                    ))
                }
                (raw::SetAttr::NaclIngress(rules), Component::Nacl(n)) => Some(
                    SetChange::NaclIngress(n, self.nacl_rules(&owner, rules, "ingress")),
                ),
                (raw::SetAttr::NaclEgress(rules), Component::Nacl(n)) => Some(
                    SetChange::NaclEgress(n, self.nacl_rules(&owner, rules, "egress")),
                ),
                (raw::SetAttr::SecurityGroups(ids), Component::Instance(i)) => {
                    let eni = self.x.instances[i.idx()].eni;
                    let vpc = self.eni_vpc(eni);
                    let sgs = self.sg_refs(&owner, "security_groups", ids, vpc);
                    if sgs.is_empty() {
                        self.err(
                            &a.span,
                            format!("{owner}: an ENI keeps at least one security group (SG-1)"),
                        );
                    }
                    Some(SetChange::EniSecurityGroups(vec![eni], sgs))
                }
                (raw::SetAttr::SecurityGroups(ids), Component::Endpoint(e)) => {
                    match &self.x.endpoints[e.idx()].kind {
                        EndpointKind::Interface { enis, .. } => {
                            let enis = enis.clone();
                            let vpc = self.vpc_named(&self.raw.vpc_endpoints[e.idx()].vpc);
                            let sgs = self.sg_refs(&owner, "security_groups", ids, vpc);
                            Some(SetChange::EniSecurityGroups(enis, sgs))
                        }
                        EndpointKind::Gateway { .. } => {
                            self.err(
                                &a.span,
                                format!("{owner}: a gateway endpoint has no security groups"),
                            );
                            None
                        }
                    }
                }
                (raw::SetAttr::SourceDestCheck(b), Component::Instance(i)) => Some(
                    SetChange::SourceDestCheck(self.x.instances[i.idx()].eni, *b),
                ),
                (raw::SetAttr::RouteTable(r), Component::Subnet(s)) => {
                    match self.reference(&owner, "route_table", r, &["route_table"]) {
                        Some(Component::RouteTable(rt)) => Some(SetChange::SubnetRouteTable(s, rt)),
                        _ => None,
                    }
                }
                (raw::SetAttr::NetworkAcl(r), Component::Subnet(s)) => {
                    match self.reference(&owner, "network_acl", r, &["network_acl"]) {
                        Some(Component::Nacl(n)) => Some(SetChange::SubnetNacl(s, n)),
                        _ => None,
                    }
                }
                (raw::SetAttr::Routes(routes), Component::RouteTable(rt)) => {
                    let vpc = self.route_table_vpc(rt);
                    let mut out_routes = Vec::new();
                    for r in routes {
                        if let Some(route) = self.route(&owner, vpc, &r.v) {
                            if route.target != Target::Local {
                                out_routes.push(route);
                            }
                        }
                    }
                    Some(SetChange::Routes(rt, out_routes))
                }
                (raw::SetAttr::PropagateTo(ids), Component::Endpoint(e)) => {
                    let vpc = self.vpc_named(&self.raw.vpc_endpoints[e.idx()].vpc);
                    let rts = self.route_table_refs(&owner, "route_tables", ids, vpc);
                    Some(SetChange::EndpointRouteTables(e, rts))
                }
                (raw::SetAttr::PropagateTo(ids), Component::Vgw(g)) => {
                    let vpc = self.vpc_named(&self.raw.vpn_gateways[g.idx()].vpc);
                    let rts = self.route_table_refs(&owner, "propagate_to", ids, vpc);
                    Some(SetChange::Propagation(g, rts))
                }
                _ => {
                    self.err(
                        &a.span,
                        format!(
                            "{owner}: this attribute does not apply to {}",
                            a_kind(c.kind())
                        ),
                    );
                    None
                }
            };
            out.extend(change);
        }
        Some(Action::Set(out))
    }

    // -- expectations ----------------------------------------------------------

    fn expects(&mut self) {
        let raw = self.raw;
        // The first valid traffic of each id (a duplicate id is reported).
        let mut valid: BTreeMap<String, TrafficId> = BTreeMap::new();
        for (i, t) in self.x.traffic.iter().enumerate() {
            valid
                .entry(t.name.clone())
                .or_insert(TrafficId::from_idx(i));
        }
        let written: std::collections::BTreeSet<&str> =
            raw.traffic.iter().map(|t| t.id.v.as_str()).collect();
        for e in &raw.expects {
            let line = self.line(&e.span);
            let owner = format!("expectation on line {line}");
            let traffic = e.traffic.as_ref().and_then(|t| {
                match valid.get(t.v.as_str()) {
                    Some(i) => Some(*i),
                    None if written.contains(t.v.as_str()) => None, // invalid traffic, reported
                    None => {
                        let names = raw.traffic.iter().map(|x| x.id.v.as_str());
                        let mut msg = format!("{owner}: `traffic` names `{}`, which is not a [[traffic]] of this file", t.v);
                        if let Some(s) = self.suggest(&t.v, names) {
                            msg.push_str(&format!("; did you mean `{s}`?"));
                        }
                        self.err(&t.span, msg);
                        None
                    }
                }
            });
            if let Some(w) = &e.window {
                if w.v.0 >= self.duration && self.duration > Nanos::ZERO {
                    self.err(
                        &w.span,
                        format!(
                            "{owner}: the window starts at or after the end of the run ({})",
                            self.duration
                        ),
                    );
                }
            }
            let path_kinds = [
                "route_table",
                "internet_gateway",
                "nat_gateway",
                "vpc_endpoint",
                "vpc_peering",
                "vpn_gateway",
                "instance",
                "eni",
            ];
            let mut via = Vec::new();
            for v in &e.via {
                via.extend(self.reference(&owner, "via", v, &path_kinds));
            }
            let mut not_via = Vec::new();
            for v in &e.not_via {
                not_via.extend(self.reference(&owner, "not_via", v, &path_kinds));
            }
            let drop_reason =
                e.drop_reason
                    .as_ref()
                    .and_then(|r| match DropReason::from_name(&r.v) {
                        Some(x) => Some(x),
                        None => {
                            let mut msg =
                                format!("{owner}: `drop_reason` `{}` is not a drop reason", r.v);
                            if let Some(s) =
                                did_you_mean(&r.v, DropReason::ALL.iter().map(|d| d.name()))
                            {
                                msg.push_str(&format!("; did you mean `{s}`?"));
                            }
                            self.err(&r.span, msg);
                            None
                        }
                    });
            let drop_kinds = [
                "route_table",
                "network_acl",
                "internet_gateway",
                "nat_gateway",
                "vpc_endpoint",
                "vpc_peering",
                "vpn_gateway",
                "instance",
                "lambda",
                "eni",
                "external_host",
                "aws_service",
                "onprem_host",
            ];
            let drop_at = e
                .drop_at
                .as_ref()
                .and_then(|d| self.reference(&owner, "drop_at", d, &drop_kinds));
            let stated = ["delivered", "via", "not_via", "drop_reason", "drop_at"]
                .iter()
                .any(|k| self.unreadable(&e.span, k));
            if e.delivered.is_none()
                && e.via.is_empty()
                && e.not_via.is_empty()
                && e.drop_reason.is_none()
                && e.drop_at.is_none()
                && !stated
            {
                self.err(&e.span, format!("{owner} states nothing: give `delivered`, `via`, `not_via`, `drop_reason` or `drop_at`"));
            }
            let Some(traffic) = traffic else { continue };
            self.x.expects.push(Expect {
                traffic,
                window: e.window.as_ref().map(|w| w.v),
                delivered: e.delivered.as_ref().map(|d| d.v),
                via,
                not_via,
                drop_reason,
                drop_at,
                line,
            });
        }
    }

    // -- designs that AWS accepts but that cannot work -------------------------

    /// The target of the route a table uses for 0.0.0.0/0, if it has one.
    fn default_target(&self, rt: RouteTableId) -> Option<&Target> {
        let any: Ipv4Net = "0.0.0.0/0".parse().expect("literal");
        self.x.route_tables[rt.idx()]
            .routes
            .iter()
            .find(|r| r.dest == RouteDest::Cidr(any) && !r.blackhole)
            .map(|r| &r.target)
    }

    fn design_warnings(&mut self) {
        let raw = self.raw;
        for (i, n) in raw.nat_gateways.iter().enumerate() {
            let nat = &self.x.nats[i];
            // The subnet of its ENI: none when `subnet` did not resolve.
            let subnet = self.x.enis[nat.eni.idx()].subnet;
            if !nat.public || subnet.idx() >= self.x.subnets.len() {
                continue;
            }
            let rt = self.x.subnets[subnet.idx()].route_table;
            if rt.idx() >= self.x.route_tables.len() {
                continue;
            }
            if !matches!(self.default_target(rt), Some(Target::Igw(_))) {
                let msg = format!(
                    "NAT gateway `{}` is public, but its subnet `{}` has no 0.0.0.0/0 route to an internet gateway (route table `{}`): nothing it translates can reach the internet (NAT-1)",
                    n.id.v,
                    self.x.subnets[subnet.idx()].name,
                    self.x.route_tables[rt.idx()].name
                );
                self.warn(&n.id.span, msg);
            }
        }
        for (i, l) in raw.lambdas.iter().enumerate() {
            let enis = self.x.lambdas[i].enis.clone();
            for eni in &enis {
                let subnet = self.x.enis[eni.idx()].subnet;
                let rt = self.x.subnets[subnet.idx()].route_table;
                if rt.idx() < self.x.route_tables.len()
                    && matches!(self.default_target(rt), Some(Target::Igw(_)))
                {
                    let msg = format!(
                        "Lambda function `{}` runs in subnet `{}`, whose default route goes to an internet gateway; Lambda's ENIs never have a public IP, so the function has no internet access there: route 0.0.0.0/0 to a NAT gateway instead (LAM-3)",
                        l.id.v,
                        self.x.subnets[subnet.idx()].name
                    );
                    self.warn(&l.id.span, msg);
                }
            }
        }
        for (i, inst) in raw.instances.iter().enumerate() {
            let Some(p) = &inst.public_ip else { continue };
            let eni = &self.x.enis[self.x.instances[i].eni.idx()];
            if eni.subnet.idx() >= self.x.subnets.len() {
                continue;
            }
            let rt = self.x.subnets[eni.subnet.idx()].route_table;
            if rt.idx() < self.x.route_tables.len()
                && !matches!(self.default_target(rt), Some(Target::Igw(_)))
            {
                let msg = format!(
                    "instance `{}` has public IP {}, but its subnet's route table `{}` sends no 0.0.0.0/0 to an internet gateway, so the address is unreachable (IGW-4)",
                    inst.id.v,
                    p.v,
                    self.x.route_tables[rt.idx()].name
                );
                self.warn(&p.span, msg);
            }
        }
        for (i, g) in raw.vpn_gateways.iter().enumerate() {
            if self.x.vgws[i].networks.is_empty() {
                self.warn(
                    &g.id.span,
                    format!(
                        "VPN gateway `{}` has no [[onprem_network]] behind it",
                        g.id.v
                    ),
                );
            }
        }
    }
}
