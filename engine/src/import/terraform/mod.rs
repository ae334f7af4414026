//! `vpcsim import terraform PLAN.json`: a scenario from the JSON of
//! `terraform show -json`, of a saved plan or of a state.
//!
//! The import builds the same intermediate scenario as `import aws`
//! (`super::out::Scenario`), which the scenario printer writes. Ids come from
//! Terraform addresses (`module.vpc.aws_subnet.private[1]` ->
//! `vpc.subnet.private.1`), and a comment above each resource gives its
//! address. The files (`plan.rs` reads the document, `config.rs` indexes the
//! configuration, `resolve.rs` follows references) feed the converters, one
//! file per concern: `network.rs` (VPCs, subnets, routing, gateways,
//! endpoints, peering, VPN, prefix lists), `security.rs` (security groups and
//! network ACLs), `workloads.rs` (instances, network interfaces, Elastic IPs,
//! Lambda functions).
//!
//! Guarantees: the same document gives the same bytes; the text validates
//! with vpcsim's loader; every approximation, heuristic match and unresolved
//! reference is a note naming the Terraform address.

mod config;
mod connections;
mod network;
mod plan;
mod resolve;
mod routes;
mod security;
mod transit;
mod workloads;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::Path;

use ipnet::Ipv4Net;
use serde_json::Value;

use super::out::{self, Head};
use super::{ImportError, Imported, NoteKind};
use config::Config;
use plan::{Inst, Key};
use resolve::{Pick, World};

/// Imports the plan or state in `file`; `region` picks the region whose
/// resources are imported (default: the default provider's).
pub fn import_terraform(file: &Path, region: Option<&str>) -> Result<Imported, ImportError> {
    let shown = file.display().to_string();
    let io = |e: std::io::Error| ImportError::Io {
        path: shown.clone(),
        message: e.to_string(),
    };
    let bytes = crate::scenario::read_bounded(file, 512 << 20).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|e| ImportError::Io {
        path: shown.clone(),
        message: format!(
            "not UTF-8 text (byte {} is invalid): not the JSON of `terraform show -json`",
            e.utf8_error().valid_up_to()
        ),
    })?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan.json".into());
    import_text(&name, &text, region)
}

/// Imports the text of a plan or state; `name` names it in messages and in
/// the scenario.
pub fn import_text(name: &str, text: &str, region: Option<&str>) -> Result<Imported, ImportError> {
    let doc = plan::read(name, text)?;
    let config = Config::new(&doc.configuration, &doc.variables);
    let mut c = Conv::new(name, &doc, config, region);
    c.check_values()?;
    c.run();
    let scenario = c.finish();
    let notes = {
        let mut n = std::mem::take(&mut c.world.notes);
        n.sort();
        n.dedup();
        n
    };
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, kind) in scenario.ids() {
        if let Some(prev) = seen.insert(id, kind) {
            return Err(ImportError::Collision {
                id: id.to_string(),
                first: prev.to_string(),
                second: kind.to_string(),
            });
        }
    }
    let text = scenario.to_toml(&notes, &[]);
    super::fits_the_loader(name, &text)?;
    Ok(Imported {
        text,
        notes,
        ignored_files: Vec::new(),
        region: scenario.region.clone(),
    })
}

/// Whether a string is a valid value of an attribute.
type Valid = fn(&str) -> bool;

/// One import under way.
pub(crate) struct Conv<'a> {
    file: &'a str,
    doc: &'a plan::Doc,
    world: World<'a>,
    /// The scenario id of each instance.
    ids: Vec<String>,
    /// Instances imported: of the scenario's region, or of another whose
    /// VPCs the format can place there.
    here: Vec<bool>,
    /// The region of each instance (its provider configuration's).
    regions: Vec<String>,
    /// The region each instance's own values give (a state has no
    /// provider configuration to say it), or those of what it names.
    value_regions: Vec<Option<String>>,
    region: String,
    /// Instances written to the scenario.
    made: BTreeSet<usize>,
    out: out::Scenario,
    /// The next address handed out for a public IP unknown until apply.
    next_public: u32,
    /// Network interfaces that are an instance's primary one: the `eni` id.
    eni_owner: BTreeMap<usize, String>,
    /// Elastic IPs and their addresses, known or handed out.
    eips: BTreeMap<usize, Ipv4Addr>,
    /// The addresses the values give, which none handed out may be.
    known_addresses: BTreeSet<Ipv4Addr>,
}

/// The readable id of an instance: its modules, its type without `aws_`,
/// its name and its index or key, joined by dots.
fn base_id(inst: &Inst) -> String {
    id_with(inst, clean)
}

/// The id as `base_id` builds it, each module key and `for_each` key made
/// safe by `safe`.
fn id_with(inst: &Inst, safe: fn(&str) -> String) -> String {
    let clean = safe;
    let mut parts: Vec<String> = Vec::new();
    for (name, addr) in config::module_segments(&inst.module) {
        let mut p = name.clone();
        let key = addr
            .rsplit_once(&format!("module.{name}"))
            .map_or("", |(_, k)| k);
        let key = key.trim_start_matches('[').trim_end_matches(']');
        if !key.is_empty() {
            p.push('.');
            p.push_str(&clean(key.trim_matches('"')));
        }
        parts.push(p);
    }
    parts.push(
        inst.rtype
            .strip_prefix("aws_")
            .unwrap_or(&inst.rtype)
            .to_string(),
    );
    parts.push(inst.name.clone());
    match &inst.index {
        Some(Key::Int(i)) => parts.push(i.to_string()),
        Some(Key::Str(s)) => parts.push(clean(s)),
        None => {}
    }
    parts.join(".")
}

/// Ids that the instances of `which` would share once their keys are made
/// safe (`aws_subnet.s["a b"]` and `aws_subnet.s["a_b"]` are both
/// `subnet.s.a_b`) told apart: the instance whose id needed no mending
/// keeps it (else the first by address), the others get `-2`, `-3`, ...
/// in address order, each the first suffix no other id has. Returns the
/// instances renamed, each with the id it shared and the instance that
/// keeps it.
fn unique_ids(insts: &[Inst], ids: &mut [String], which: &[bool]) -> Vec<(usize, String, usize)> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, id) in ids.iter().enumerate() {
        if which[i] {
            groups.entry(id.clone()).or_default().push(i);
        }
    }
    let mut taken: BTreeSet<String> = groups.keys().cloned().collect();
    let mut renamed = Vec::new();
    for (id, mut group) in groups {
        if group.len() < 2 {
            continue;
        }
        // Stable: the instances are sorted by address, and so the group.
        group.sort_by_key(|&i| id_with(&insts[i], str::to_string) != id);
        for &i in &group[1..] {
            let mut n = 2;
            let new = loop {
                let candidate = format!("{id}-{n}");
                if !taken.contains(&candidate) {
                    break candidate;
                }
                n += 1;
            };
            taken.insert(new.clone());
            ids[i] = new;
            renamed.push((i, id.clone(), group[0]));
        }
    }
    renamed
}

fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The region an availability zone is in: `us-east-2b` -> `us-east-2`.
fn region_of_az(az: &str) -> Option<String> {
    let r = az.trim_end_matches(|c: char| c.is_ascii_lowercase());
    (r.len() < az.len() && r.ends_with(|c: char| c.is_ascii_digit())).then(|| r.to_string())
}

fn cidr(s: &str) -> Option<Ipv4Net> {
    s.parse::<Ipv4Net>().ok().map(|n| n.trunc())
}

impl<'a> Conv<'a> {
    fn new(file: &'a str, doc: &'a plan::Doc, config: Config<'a>, region: Option<&str>) -> Self {
        let world = World::new(&doc.insts, config);
        let mut c = Conv {
            file,
            doc,
            ids: doc.insts.iter().map(base_id).collect(),
            here: vec![true; doc.insts.len()],
            regions: Vec::new(),
            value_regions: Vec::new(),
            region: String::new(),
            made: BTreeSet::new(),
            out: out::Scenario::default(),
            next_public: 0,
            eni_owner: BTreeMap::new(),
            eips: BTreeMap::new(),
            known_addresses: doc
                .insts
                .iter()
                .flat_map(|x| x.values.values())
                .filter_map(|v| v.as_str()?.parse().ok())
                .collect(),
            world,
        };
        c.value_regions = c.value_regions();
        let default_region = c.world.config.default_region().or_else(|| {
            // A state has no configuration: the zones of its subnets, or the
            // region of its ARNs, say where it is; of several, the one most
            // of its resources are in (the first of equals).
            let mut count: Vec<(&str, usize)> = Vec::new();
            for r in c.value_regions.iter().flatten() {
                match count.iter_mut().find(|(x, _)| *x == r.as_str()) {
                    Some((_, n)) => *n += 1,
                    None => count.push((r.as_str(), 1)),
                }
            }
            let most = count.iter().map(|(_, n)| *n).max()?;
            count
                .iter()
                .find(|(_, n)| *n == most)
                .map(|(r, _)| r.to_string())
        });
        c.region = match (region, default_region) {
            (Some(r), _) => r.to_string(),
            (None, Some(r)) => r,
            (None, None) => {
                c.world.note(
                    NoteKind::Approximated,
                    "provider.aws",
                    "the region is given nowhere the import can read; us-east-1 is assumed",
                );
                "us-east-1".to_string()
            }
        };
        c
    }

    /// The region of each instance by its own values: AWS provider 6's
    /// `region`, its ARN's, its zone's, an Elastic IP's border group; else
    /// the region of what it names (its transit gateway, VPC, subnet, route
    /// table, ...), one step and then another.
    fn value_regions(&self) -> Vec<Option<String>> {
        let own = |x: &Inst| {
            x.str("region")
                .filter(|r| crate::import::files::is_region_name(r))
                .map(str::to_string)
                .or_else(|| {
                    x.str("arn")
                        .and_then(|a| a.split(':').nth(3))
                        .filter(|r| crate::import::files::is_region_name(r))
                        .map(str::to_string)
                })
                .or_else(|| x.str("availability_zone").and_then(region_of_az))
                .or_else(|| {
                    x.str("network_border_group")
                        .filter(|r| crate::import::files::is_region_name(r))
                        .map(str::to_string)
                })
        };
        // Its own side first: an accepter's `transit_gateway_id` and
        // `vpc_id` are the accepter's.
        const NAMES: &[&str] = &[
            "transit_gateway_id",
            "vpc_id",
            "subnet_id",
            "route_table_id",
            "transit_gateway_route_table_id",
            "transit_gateway_attachment_id",
            "security_group_id",
            "network_acl_id",
            "network_interface_id",
            "instance_id",
            "vpc_endpoint_id",
            "vpn_gateway_id",
            "vpn_connection_id",
            "prefix_list_id",
            "allocation_id",
        ];
        let mut found: Vec<Option<String>> = self.doc.insts.iter().map(own).collect();
        for _ in 0..2 {
            let before = found.clone();
            for (i, x) in self.doc.insts.iter().enumerate() {
                if found[i].is_some() {
                    continue;
                }
                found[i] = NAMES.iter().find_map(|a| {
                    let p = self.world.by_id(x.str(a)?)?;
                    before[p.inst].clone()
                });
            }
        }
        found
    }

    fn inst(&self, i: usize) -> &'a Inst {
        &self.doc.insts[i]
    }

    fn addr(&self, i: usize) -> String {
        self.inst(i).address.clone()
    }

    fn note(&mut self, kind: NoteKind, i: usize, text: impl Into<String>) {
        let a = self.addr(i);
        self.world.note(kind, &a, text);
    }

    /// The indexes of the instances of the region of the given types.
    fn of(&self, types: &[&str]) -> Vec<usize> {
        (0..self.doc.insts.len())
            .filter(|&i| self.here[i] && types.contains(&self.inst(i).rtype.as_str()))
            .collect()
    }

    /// The scenario id of what a pick names, if it was imported: a VPC
    /// named by its default route table, network ACL or security group
    /// attribute is that implicit resource.
    fn sid(&self, p: &Pick) -> Option<String> {
        if !self.made.contains(&p.inst) {
            return None;
        }
        let x = self.inst(p.inst);
        if x.rtype == "aws_ec2_transit_gateway"
            && matches!(
                p.attr.as_deref(),
                Some("association_default_route_table_id" | "propagation_default_route_table_id")
            )
        {
            return Some(format!("{}/default-rt", self.ids[p.inst]));
        }
        if matches!(x.rtype.as_str(), "aws_vpc" | "aws_default_vpc") {
            let suffix = match p.attr.as_deref() {
                Some("default_route_table_id" | "main_route_table_id") => "main-rt",
                Some("default_network_acl_id") => "default-acl",
                Some("default_security_group_id") => "default-sg",
                _ => return Some(self.ids[p.inst].clone()),
            };
            return Some(format!("{}/{suffix}", self.ids[p.inst]));
        }
        Some(self.ids[p.inst].clone())
    }

    /// The VPC of a VPC-scoped instance: its `vpc_id`, else the only VPC
    /// around (noted).
    fn vpc_of(&mut self, i: usize, attr: &str) -> Option<String> {
        let before = self.world.notes.len();
        let p = self.world.one(i, attr, &["aws_vpc", "aws_default_vpc"]);
        let p = match p {
            Some(p) => Some(p),
            None if self.inst(i).str(attr).is_none() => {
                let v = self.world.only_vpc(i);
                if v.is_some() {
                    // The fallback's note says why; the unresolved
                    // reference is in it.
                    self.drop_unknown_since(before, i);
                }
                v.map(|v| Pick {
                    inst: v,
                    attr: None,
                })
            }
            None => None,
        };
        let p = p?;
        self.sid(&Pick {
            inst: p.inst,
            attr: None,
        })
    }

    /// Drops the notes of unresolved references of `i` made since the
    /// notes numbered `before`, when a heuristic has resolved them (its own
    /// note says so).
    fn drop_unknown_since(&mut self, before: usize, i: usize) {
        let address = self.addr(i);
        let mut n = before;
        while n < self.world.notes.len() {
            let note = &self.world.notes[n];
            if note.kind == NoteKind::Unknown && note.id == address {
                self.world.notes.remove(n);
            } else {
                n += 1;
            }
        }
    }

    /// A head: the Terraform address, and the `Name` tag.
    fn head(&self, i: usize) -> Head {
        let x = self.inst(i);
        let name = x
            .values
            .get("tags")
            .and_then(|t| t.get("Name"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Head {
            name,
            comments: vec![format!("Terraform: {}", x.address)],
        }
    }

    /// An address for a public IP unknown until apply, from 198.51.100.0/24
    /// (TEST-NET-2), in the order of the addresses that need one, past any
    /// address the values give.
    fn public_ip(&mut self, i: usize, what: &str) -> Ipv4Addr {
        let ip = loop {
            self.next_public += 1;
            let ip = Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 51, 100, 0)) + self.next_public);
            if !self.known_addresses.contains(&ip) {
                break ip;
            }
        };
        self.note(
            NoteKind::Approximated,
            i,
            format!("{what} is unknown until apply; {ip} stands for it"),
        );
        ip
    }

    /// Impossible values are errors naming the address and attribute: a
    /// CIDR or address that is not one, a value of the wrong type (a
    /// number where a CIDR is written), a port or rule number out of range,
    /// a port range that runs backwards. A value unknown until apply is
    /// absent from the values, not of a wrong type.
    fn check_values(&self) -> Result<(), ImportError> {
        let cidr_keys = [
            "cidr_block",
            "destination_cidr_block",
            "cidr_ipv4",
            "cidr",
            "local_ipv4_network_cidr",
        ];
        let ip_keys = ["private_ip", "public_ip", "ip_address"];
        for x in &self.doc.insts {
            if !x.is_aws() || x.data {
                continue;
            }
            let checks: [(&[&str], &str, Valid); 2] = [
                (&cidr_keys, "an IPv4 CIDR like \"10.0.0.0/16\"", |s| {
                    s.parse::<Ipv4Net>().is_ok()
                }),
                (&ip_keys, "an IPv4 address like \"10.0.0.5\"", |s| {
                    s.parse::<Ipv4Addr>().is_ok()
                }),
            ];
            for (keys, want, valid) in checks {
                for &k in keys {
                    match x.values.get(k) {
                        None | Some(Value::Null) => {}
                        // Empty, or IPv6: left out, with a note.
                        Some(Value::String(s)) if s.is_empty() || s.contains(':') => {}
                        Some(Value::String(s)) if !valid(s) => {
                            return Err(self.impossible(x, k, s, want));
                        }
                        Some(Value::String(_)) => {}
                        Some(v) => return Err(self.wrong_type(x, k, v, want)),
                    }
                }
            }
            self.check_rule(x, "", &x.values)?;
            for block in ["ingress", "egress"] {
                let rules = x.values.get(block).and_then(Value::as_array);
                for (n, r) in rules.into_iter().flatten().enumerate() {
                    if let Some(f) = r.as_object() {
                        self.check_rule(x, &format!("{block}[{n}]."), f)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The ports and rule number of one rule (a rule resource's values, or
    /// one inline `ingress` or `egress` block): each in range, and for TCP
    /// and UDP a range from the lower port to the higher. AWS refuses
    /// anything else (SG-1, NACL-1), so the import does not guess.
    fn check_rule(
        &self,
        x: &Inst,
        at: &str,
        f: &serde_json::Map<String, Value>,
    ) -> Result<(), ImportError> {
        let mut got: [Option<i64>; 2] = [None, None];
        for (n, k) in ["from_port", "to_port"].into_iter().enumerate() {
            let attr = format!("{at}{k}");
            match f.get(k) {
                None | Some(Value::Null) => {}
                Some(v) => {
                    let p = match v {
                        Value::Number(p) => p.as_i64(),
                        Value::String(s) => s.trim().parse::<i64>().ok(),
                        _ => None,
                    };
                    let Some(p) = p else {
                        return Err(self.wrong_type(x, &attr, v, "a port, 0 to 65535"));
                    };
                    if !(-1..=65535).contains(&p) {
                        return Err(self.impossible(
                            x,
                            &attr,
                            &p.to_string(),
                            "a port, 0 to 65535 (or -1)",
                        ));
                    }
                    got[n] = Some(p);
                }
            }
        }
        let protocol = f
            .get("protocol")
            .or_else(|| f.get("ip_protocol"))
            .and_then(security::protocol);
        if let (Some(p), [Some(lo), Some(hi)]) = (protocol, got) {
            if p.has_ports() && lo > hi && lo != -1 && hi != -1 {
                return Err(ImportError::Shape {
                    file: self.file.to_string(),
                    at: format!("{} (attribute `{at}from_port`)", x.address),
                    message: format!(
                        "`{lo}` is above `to_port` {hi}: a {p} port range runs from the lower port to the higher"
                    ),
                });
            }
        }
        for k in ["rule_number", "rule_no"] {
            if let Some(n) = f.get(k).and_then(Value::as_i64) {
                if !(1..=32766).contains(&n) {
                    return Err(self.impossible(
                        x,
                        &format!("{at}{k}"),
                        &n.to_string(),
                        "a rule number, 1 to 32766",
                    ));
                }
            }
        }
        Ok(())
    }

    /// A known value of the wrong JSON type: an error, never a value
    /// unknown until apply.
    fn wrong_type(&self, x: &Inst, attr: &str, v: &Value, want: &str) -> ImportError {
        let kind = match v {
            Value::Bool(_) => "true or false",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "a list",
            Value::Object(_) => "an object",
            Value::Null => "null",
        };
        ImportError::Shape {
            file: self.file.to_string(),
            at: format!("{} (attribute `{attr}`)", x.address),
            message: format!("`{v}` is {kind}, where {want} is expected"),
        }
    }

    fn impossible(&self, x: &Inst, attr: &str, v: &str, want: &str) -> ImportError {
        ImportError::Shape {
            file: self.file.to_string(),
            at: format!("{} (attribute `{attr}`)", x.address),
            message: format!("`{v}` is not {want}"),
        }
    }

    fn run(&mut self) {
        self.sort_out_instances();
        let which: Vec<bool> = (0..self.doc.insts.len())
            .map(|i| self.here[i] && !self.inst(i).data && self.inst(i).is_aws())
            .collect();
        for (i, shared, keeper) in unique_ids(&self.doc.insts, &mut self.ids, &which) {
            let text = format!(
                "its id would be `{shared}`, that of {} too (an id joins modules, names and keys with dots, and writes `_` for what else a key holds); written as `{}`",
                self.addr(keeper),
                self.ids[i]
            );
            self.note(NoteKind::Approximated, i, text);
        }
        self.vpcs();
        self.prefix_lists();
        self.subnets();
        self.route_tables();
        self.gateways();
        self.security_groups();
        self.nacls();
        self.peerings();
        self.vpn();
        self.transit_gateways();
        self.workloads();
        self.nats();
        self.unused_eips();
        self.endpoints();
        self.routes();
        self.associations();
        self.lambdas();
        self.customer_gateways();
        for (id, ip, holder) in self.out.unshare_public_ips() {
            let text = out::Scenario::unshared_note(ip, &holder);
            match self.ids.iter().position(|x| *x == id) {
                Some(i) => self.note(NoteKind::Approximated, i, text),
                None => self.world.note(NoteKind::Approximated, &id, text),
            }
        }
    }

    /// Data sources, other providers and other regions: counted and left
    /// out, each with a note; default resources get their implicit ids. A
    /// region other than the scenario's is imported when the format can
    /// place each of its VPCs there (see `placed`); its transit gateways
    /// are imported in any case, with their `region`.
    fn sort_out_instances(&mut self) {
        let mut data = 0;
        let mut other: BTreeMap<String, usize> = BTreeMap::new();
        let mut away: BTreeSet<String> = BTreeSet::new();
        self.regions = vec![self.region.clone(); self.doc.insts.len()];
        for i in 0..self.doc.insts.len() {
            let x = self.inst(i);
            if x.data {
                data += 1;
                self.here[i] = false;
            } else if !x.is_aws() {
                *other.entry(x.provider.clone()).or_default() += 1;
                self.here[i] = false;
            } else {
                // Its provider configuration's region; in a state, which
                // has none, its values' (TGW-10, ADDR-6).
                let r = self
                    .world
                    .config
                    .region(x)
                    .or_else(|| self.value_regions[i].clone())
                    .unwrap_or_else(|| self.region.clone());
                if r != self.region {
                    away.insert(r.clone());
                }
                self.regions[i] = r;
            }
        }
        // Following references for the placement leaves notes that the
        // conversion makes again where they matter.
        let before = self.world.notes.len();
        let mut unplaced: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for r in &away {
            for v in 0..self.doc.insts.len() {
                let x = self.inst(v);
                if self.here[v]
                    && self.regions[v] == *r
                    && matches!(x.rtype.as_str(), "aws_vpc" | "aws_default_vpc")
                    && !self.placed(v, r)
                {
                    unplaced.entry(r.clone()).or_default().push(v);
                }
            }
        }
        self.world.notes.truncate(before);
        for i in 0..self.doc.insts.len() {
            let r = self.regions[i].clone();
            if !self.here[i] || r == self.region {
                continue;
            }
            let Some(vpcs) = unplaced.get(&r) else {
                continue;
            };
            if transit::TYPES.contains(&self.inst(i).rtype.as_str()) {
                continue;
            }
            self.here[i] = false;
            let vpcs: Vec<String> = vpcs.iter().map(|&v| self.addr(v)).collect();
            let by = if self.world.config.region(self.inst(i)).is_some() {
                "its provider configuration"
            } else {
                "its values: a state names no provider configuration"
            };
            self.note(
                NoteKind::Skipped,
                i,
                format!(
                    "in region {r} ({by}), whose VPC {} the scenario format cannot place there: a VPC is in another Region only when it is attached to a transit gateway of that Region or is the accepter of a peering whose peer_region names it; import it with --region {r}",
                    vpcs.join(", ")
                ),
            );
        }
        if data > 0 {
            self.world.note(
                NoteKind::Skipped,
                "data",
                format!("{data} data source instance(s) read, not imported (what refers to them is noted)"),
            );
        }
        for (p, n) in other {
            self.world.note(
                NoteKind::Skipped,
                &p,
                format!("{n} resource instance(s) of another provider, not imported"),
            );
        }
        for d in &self.doc.deleted {
            self.world
                .note(NoteKind::Skipped, d, "deleted by the plan, not imported");
        }
        for i in 0..self.doc.insts.len() {
            let t = self.inst(i).rtype.as_str();
            if !self.here[i] || network::KNOWN.contains(&t) || transit::TYPES.contains(&t) {
                continue;
            }
            let t = self.inst(i).rtype.clone();
            self.note(
                NoteKind::Unsupported,
                i,
                format!("{t}: not a resource vpcsim models"),
            );
        }
    }

    /// Whether the VPC `v`, of region `r` (not the scenario's), can be
    /// written as in `r`: attached to a transit gateway of `r` (TGW-10), or
    /// one side of a peering across Regions whose other side is of the
    /// scenario's region (the file names the far side's Region in
    /// `peer_region`).
    fn placed(&mut self, v: usize, r: &str) -> bool {
        for a in 0..self.doc.insts.len() {
            let t = self.inst(a).rtype.as_str();
            if !self.here[a] {
                continue;
            }
            if t == "aws_ec2_transit_gateway_vpc_attachment" {
                let vpc = self.world.one(a, "vpc_id", &["aws_vpc", "aws_default_vpc"]);
                if vpc.is_none_or(|p| p.inst != v) {
                    continue;
                }
                let tgw = self
                    .world
                    .one(a, "transit_gateway_id", &["aws_ec2_transit_gateway"]);
                if tgw.is_some_and(|p| self.here[p.inst] && self.regions[p.inst] == r) {
                    return true;
                }
            } else if t == "aws_vpc_peering_connection" && self.peering_far(a) == Some(v) {
                return true;
            }
        }
        false
    }

    /// The far VPC of a peering across Regions: the one not of the
    /// scenario's region, when exactly one side is.
    fn peering_far(&mut self, p: usize) -> Option<usize> {
        let own = self.regions[p].clone();
        let far = self
            .inst(p)
            .str("peer_region")
            .map_or_else(|| own.clone(), str::to_string);
        let vpcs = &["aws_vpc", "aws_default_vpc"];
        let attr = match (own == self.region, far == self.region) {
            (true, false) => "peer_vpc_id",
            (false, true) => "vpc_id",
            _ => return None,
        };
        self.world.one(p, attr, vpcs).map(|x| x.inst)
    }

    /// The scenario, with name and region.
    fn finish(&mut self) -> out::Scenario {
        let mut s = std::mem::take(&mut self.out);
        s.name = self.file.to_string();
        s.region = self.region.clone();
        let what = match self.doc.kind {
            plan::Kind::Plan => "plan",
            plan::Kind::State => "state",
        };
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        s.description = format!(
            "Imported from a Terraform {what} (JSON format {}): {}, {}, {}.",
            self.doc.format_version,
            n(s.vpcs.len(), "VPC", "VPCs"),
            n(s.subnets.len(), "subnet", "subnets"),
            n(s.instances.len(), "instance", "instances")
        );
        s.titles = Some([
            "Not imported: vpcsim cannot represent these (routes to them are kept as blackholes)."
                .into(),
            "References that could not be followed, or that name what is not in the design.".into(),
            "Left out: another region, another provider, a data source, deleted, or not active."
                .into(),
            "Imported with a difference from AWS, or by a heuristic.".into(),
        ]);
        s.header = Some(vec![
            format!("Imported by `vpcsim import terraform` from {}.", self.file),
            "The design only: no traffic, events or expectations. Each resource's".to_string(),
            "Terraform address is the comment above it. Every instance listens on".to_string(),
            "every TCP and UDP port (listen = \"any\"): the plan does not say what listens."
                .to_string(),
        ]);
        s
    }
}
