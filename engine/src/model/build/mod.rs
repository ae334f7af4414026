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
use crate::scenario::diag::{
    Diags, Report, Sources, did_you_mean, mended_id, shown_id, unfit_chars,
};
use crate::scenario::raw::{self, Id, Raw};
use crate::scenario::reader::{Sp, Span, article, parse_cidr, parse_ipv4};
use crate::scenario::{self};
use crate::units::{Nanos, PortRange, Protocol};

mod addresses;
mod endpoints;
mod expectations;
mod gateways;
mod head;
mod ids;
mod instances;
mod lambda;
mod nacls;
mod outside;
mod peering;
mod routes;
mod security_groups;
mod timeline;
mod traffic;
mod transit_gateway;
mod vpcs;
mod vpn;
mod vpn_link;
mod warnings;

use ids::{did_you_mean_id, hidden_note};

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
        Err(e) => return Err(Report::new(&shown, e.valid_prefix(), &d)),
    };
    load_str(&shown, &text)
}

/// Parses and validates scenario text; `file` is the name used in messages,
/// and the files it includes are found next to it.
pub fn load_str(file: &str, text: &str) -> Result<Loaded, Report> {
    load_placed(file, text, &|sources, d| Report::from_sources(sources, d))
}

/// Loads `text`, the file's own text `original` with settings from outside
/// the file written in (`edits`, [`scenario::set::apply_mapped`]): a
/// problem in what setting `k` wrote is shown at `names[k]` (its
/// `--set ADDRESS=VALUE`), and one in the file's own text at its line in
/// `original`.
pub fn load_set(
    file: &str,
    text: &str,
    original: &str,
    edits: &[scenario::set::Edit],
    names: &[String],
) -> Result<Loaded, Report> {
    let lines = scenario::diag::LineIndex::new(original);
    load_placed(file, text, &|sources, d| {
        Report::from_sources_placed(sources, d, &|o| {
            if sources.file_of(o) != 0 {
                let (file, line, col) = sources.locate(o);
                return scenario::diag::Place::At { file, line, col };
            }
            match scenario::set::origin(edits, o) {
                scenario::set::Origin::Setting(k) => {
                    scenario::diag::Place::Named(names.get(k).cloned().unwrap_or_default())
                }
                scenario::set::Origin::File(x) => {
                    let (line, col) = lines.line_col(x);
                    scenario::diag::Place::At { file: 0, line, col }
                }
            }
        })
    })
}

/// Loads `text`; `report` makes the report of its problems.
fn load_placed(
    file: &str,
    text: &str,
    report: &dyn Fn(&scenario::Sources, &Diags) -> Report,
) -> Result<Loaded, Report> {
    let mut d = Diags::default();
    let (raw, sources) = scenario::include::parse_with_includes(file, text, &mut d);
    if d.has_errors() && raw.scenario.is_none() && raw.vpcs.is_empty() {
        return Err(truncated(report(&sources, &d)));
    }
    let design = Builder::new(&raw, &sources, &mut d).build();
    let report = truncated(report(&sources, &d));
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
        r.entry_files.truncate(max);
        let (line, col) = r.entries.last().map_or((1, 1), |e| (e.0, e.1));
        let file = r.entry_files.last().cloned().flatten();
        r.entry_files.push(file);
        r.entries.push((
            line,
            col,
            scenario::Severity::Error,
            format!("... and {more} more problems"),
        ));
    }
    r
}

/// A kind of component with its article: "a NAT gateway", "a VPC".
fn a_kind(kind: Kind) -> String {
    if kind == Kind::Vpc {
        return "a VPC".into();
    }
    article(kind.words())
}

fn one_of(kinds: &[Kind]) -> String {
    let words: Vec<String> = kinds.iter().map(|k| a_kind(*k)).collect();
    match words.len() {
        0 => String::new(),
        1 => words[0].clone(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

const RESERVED_LINK_LOCAL: &str = "169.254.168.0/22";

/// One load under way: the file as read, the problems found so far, and the
/// design being built. Each child module adds one part of the design.
struct Builder<'r> {
    raw: &'r Raw,
    /// The problems found so far.
    d: &'r mut Diags,
    /// The files of the scenario, for lines named in messages.
    sources: &'r Sources,
    /// Every id of the file: the component it names and where it is defined.
    names: BTreeMap<String, (Component, Span)>,
    region: String,
    duration: Nanos,
    latency: Latency,
    /// The fixed private IP of each ENI, by ENI index, if the file gives one.
    fixed_ips: Vec<Option<Sp<Ipv4Addr>>>,
    /// The subnet of each ENI, by ENI index: `None` where the owner's
    /// `subnet` did not resolve (reported).
    eni_subnets: Vec<Option<SubnetId>>,
    /// The subnets until their route tables and network ACLs are known
    /// (`vpcs::SubnetDraft`); moved into the design by `settle_subnets`.
    subnets: Vec<vpcs::SubnetDraft>,
    /// Whether an id of the design could not be known because a reference
    /// it depends on did not resolve (reported): the design then holds a
    /// stand-in there, and `build` returns none.
    unsettled: bool,
    /// Security group rules' references to groups of peered VPCs, whose
    /// Regions are checked once known (PCX-3).
    peer_group_refs: Vec<security_groups::PeerGroupRef>,
    /// The design being built.
    design: Design,
}

impl<'r> Builder<'r> {
    fn new(raw: &'r Raw, sources: &'r Sources, d: &'r mut Diags) -> Self {
        Builder {
            raw,
            d,
            sources,
            names: BTreeMap::new(),
            region: "us-east-1".into(),
            duration: Nanos::ZERO,
            latency: Latency::default(),
            fixed_ips: Vec::new(),
            eni_subnets: Vec::new(),
            subnets: Vec::new(),
            unsettled: false,
            peer_group_refs: Vec::new(),
            design: Design {
                name: String::new(),
                description: String::new(),
                seed: 0,
                duration: Nanos::ZERO,
                region: String::new(),
                account_id: String::new(),
                latency: Latency::default(),
                links: Vec::new(),
                inter_region_link: LinkId::NONE,
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
                tgws: vec![],
                tgw_attachments: vec![],
                tgw_route_tables: vec![],
                traffic: vec![],
                events: vec![],
                expects: vec![],
                names: BTreeMap::new(),
                mtu_floor: mtu::VPC,
                dns: dns::Reach::default(),
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
        self.sources.locate(span.start).1
    }

    /// Where `prev` is, said from where `here` is: "line 12", or "line 12 of
    /// design.toml" when it is in another file of the scenario.
    fn line_of(&self, prev: &Span, here: &Span) -> String {
        self.sources.line_from(prev.start, here.start)
    }

    /// Whether `key` of the table at `at` (a resource's `id`, or the table
    /// itself) was given with a value already reported as unreadable: then
    /// its absence is not reported again.
    fn unreadable(&self, at: &Span, key: &'static str) -> bool {
        self.d.is_unreadable(at.start, key)
    }

    /// Whether a stand-in id could name nothing: the design has no VPC,
    /// subnet, route table or network ACL for `VpcId(0)` and the others to
    /// name.
    fn stand_ins_dangle(&self) -> bool {
        let d = &self.design;
        d.vpcs.is_empty() || d.subnets.is_empty() || d.route_tables.is_empty() || d.nacls.is_empty()
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
        self.transit_gateways();
        self.subnet_zones();
        self.check_peer_group_regions();
        self.endpoints();
        self.lambdas();
        self.route_tables();
        self.settle_subnets();
        self.outside_hosts();
        self.design.links.push(Link {
            dist: self.latency.inter_region,
            loss: 0.0,
            onprem: None,
        });
        self.design.inter_region_link = LinkId(self.design.links.len() as u16 - 1);
        self.allocate_addresses();
        self.check_unique_addresses();
        // A stand-in id (for a reference that did not resolve, reported)
        // into a kind of resource the design has none of cannot be followed
        // by what comes next, which reads it. The design would not be
        // returned anyway; its other errors are reported once the files
        // name what the stand-ins stand for.
        if self.unsettled && self.stand_ins_dangle() {
            debug_assert!(self.d.has_errors(), "a stand-in id without an error");
            return None;
        }
        self.design.dns = dns::Reach::compute(&self.design);
        self.traffic();
        self.events();
        self.check_peer_group_regions();
        self.expects();
        self.design_warnings();
        self.mtu_floor();
        self.design.names = self
            .names
            .iter()
            .map(|(k, (c, _))| (k.clone(), *c))
            .collect();
        if self.unsettled {
            debug_assert!(self.d.has_errors(), "a stand-in id without an error");
            return None;
        }
        Some(self.design)
    }
}
