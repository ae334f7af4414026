//! From an attribute of a resource instance to the instances it names.
//!
//! A value known in the plan or state (an AWS id) names the instance whose
//! `id` it is. An unknown value is followed through the configuration: the
//! references Terraform lists for the attribute's expression, through module
//! inputs (`var.x` in a module is what its call passed) and module outputs
//! (`module.x.y`). A reference to a resource created with `count` or
//! `for_each` that does not name the instance is matched by the index or key
//! of the instance that refers (the private route table `[1]` to the NAT
//! gateway `[1]`); such a match is a heuristic, and noted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::super::{Note, NoteKind};
use super::config::{self, Config, module_segments, parent_module};
use super::plan::{Inst, Key};

/// An instance a reference names, and the attribute of it named
/// (`default_security_group_id` of a VPC).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pick {
    pub inst: usize,
    pub attr: Option<String>,
}

/// The instances of the plan, indexed for resolution, and the notes made.
pub struct World<'a> {
    pub insts: &'a [Inst],
    pub config: Config<'a>,
    /// (module instance, configuration address) -> instances, by index.
    by_resource: BTreeMap<(String, String), Vec<usize>>,
    /// Known AWS id (and ARN) -> instance, and the attribute of it that
    /// the id is (a VPC's default route table, say).
    by_aws_id: BTreeMap<String, (usize, Option<String>)>,
    pub notes: Vec<Note>,
}

/// One reference, parsed.
#[derive(Debug, PartialEq)]
enum Ref {
    Resource {
        addr: String,
        index: Option<Key>,
        attr: Option<String>,
    },
    Var(String),
    Module {
        call: String,
        output: Option<String>,
    },
    /// `each.value` (and what follows it): with `for_each` over a
    /// resource, that resource's instance of the same key.
    EachValue,
    /// `count.index`, `each.key`, `local.x`, `path.module`, ...
    Other,
}

fn parse_key(s: &str) -> Option<(Key, &str)> {
    let s = s.strip_prefix('[')?;
    if let Some(q) = s.strip_prefix('"') {
        let end = q.find("\"]")?;
        Some((Key::Str(q[..end].to_string()), &q[end + 2..]))
    } else {
        let end = s.find(']')?;
        let n = s[..end].parse().ok()?;
        Some((Key::Int(n), &s[end + 1..]))
    }
}

fn parse_ref(r: &str) -> Ref {
    let first = r.split(['.', '[']).next().unwrap_or("");
    match first {
        "var" => Ref::Var(
            r.get(4..)
                .unwrap_or("")
                .split(['.', '['])
                .next()
                .unwrap_or("")
                .to_string(),
        ),
        "module" => {
            let mut parts = r.get(7..).unwrap_or("").splitn(2, '.');
            let call = parts.next().unwrap_or("");
            let call = call.split('[').next().unwrap_or(call).to_string();
            let output = parts
                .next()
                .map(|o| o.split(['.', '[']).next().unwrap_or(o).to_string());
            Ref::Module { call, output }
        }
        "each" if r.starts_with("each.value") => Ref::EachValue,
        "count" | "each" | "local" | "path" | "terraform" | "self" => Ref::Other,
        _ => {
            let (data, rest) = match r.strip_prefix("data.") {
                Some(rest) => (true, rest),
                None => (false, r),
            };
            let mut it = rest.splitn(2, '.');
            let rtype = it.next().unwrap_or("");
            let Some(after) = it.next() else {
                return Ref::Other;
            };
            let name_len = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..name_len];
            let mut tail = &after[name_len..];
            let mut index = None;
            if let Some((k, t)) = parse_key(tail) {
                index = Some(k);
                tail = t;
            }
            let attr = tail
                .strip_prefix('.')
                .map(|a| a.split(['.', '[']).next().unwrap_or(a).to_string());
            let prefix = if data { "data." } else { "" };
            Ref::Resource {
                addr: format!("{prefix}{rtype}.{name}"),
                index,
                attr,
            }
        }
    }
}

impl<'a> World<'a> {
    pub fn new(insts: &'a [Inst], config: Config<'a>) -> World<'a> {
        let mut by_resource: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
        let mut by_aws_id = BTreeMap::new();
        for (i, x) in insts.iter().enumerate() {
            by_resource
                .entry((x.module.clone(), x.config_address()))
                .or_default()
                .push(i);
            for k in ["id", "arn"] {
                if let Some(v) = x.str(k) {
                    by_aws_id.entry(v.to_string()).or_insert((i, None));
                }
            }
            // A transit gateway's default route table, a VPN connection's
            // attachment to a transit gateway.
            let named: &[&str] = match x.rtype.as_str() {
                "aws_ec2_transit_gateway" => &[
                    "association_default_route_table_id",
                    "propagation_default_route_table_id",
                ],
                "aws_vpn_connection" => &["transit_gateway_attachment_id"],
                _ => &[],
            };
            for k in named {
                if let Some(v) = x.str(k).filter(|v| !v.is_empty()) {
                    by_aws_id
                        .entry(v.to_string())
                        .or_insert((i, Some(k.to_string())));
                }
            }
            if matches!(x.rtype.as_str(), "aws_vpc" | "aws_default_vpc") {
                for k in [
                    "default_route_table_id",
                    "main_route_table_id",
                    "default_network_acl_id",
                    "default_security_group_id",
                ] {
                    if let Some(v) = x.str(k) {
                        by_aws_id
                            .entry(v.to_string())
                            .or_insert((i, Some(k.to_string())));
                    }
                }
            }
        }
        for v in by_resource.values_mut() {
            v.sort_by(|a, b| insts[*a].index.cmp(&insts[*b].index));
        }
        World {
            insts,
            config,
            by_resource,
            by_aws_id,
            notes: Vec::new(),
        }
    }

    pub fn note(&mut self, kind: NoteKind, address: &str, text: impl Into<String>) {
        self.notes.push(Note {
            kind,
            id: address.to_string(),
            text: text.into(),
        });
    }

    /// The instance whose known AWS id is `id`.
    pub fn by_id(&self, id: &str) -> Option<Pick> {
        self.by_aws_id.get(id).map(|(inst, attr)| Pick {
            inst: *inst,
            attr: attr.clone(),
        })
    }

    /// What an expression of the instance `from`, in the module instance
    /// `module`, refers to. `many`: the attribute is a list, and a reference
    /// to a resource with several instances means all of them.
    fn resolve_expr(
        &mut self,
        from: usize,
        attr_name: &str,
        module: &str,
        expr: &Value,
        many: bool,
        depth: usize,
    ) -> Vec<Pick> {
        if depth > 16 {
            return Vec::new();
        }
        let mut out = Vec::new();
        let refs = config::references(expr);
        for el in elements(&refs) {
            match el {
                Elem::Var(v) => {
                    if module.is_empty() {
                        continue;
                    }
                    if let Some(e) = self.config.module_input(module, &v) {
                        let parent = parent_module(module);
                        out.extend(self.resolve_expr(from, attr_name, &parent, e, many, depth + 1));
                    }
                }
                Elem::Module { call, output } => {
                    let Some(e) = self.config.module_output(module, &call, &output) else {
                        continue;
                    };
                    let child = if module.is_empty() {
                        format!("module.{call}")
                    } else {
                        format!("{module}.module.{call}")
                    };
                    // The instances of the called module: `module.x`, or
                    // `module.x[0]`, `module.x["a"]` with count or for_each.
                    let instances: BTreeSet<String> = self
                        .insts
                        .iter()
                        .map(|x| &x.module)
                        .filter(|m| {
                            module_segments(m)
                                .iter()
                                .any(|(_, a)| *a == child || a.starts_with(&format!("{child}[")))
                        })
                        .filter_map(|m| {
                            module_segments(m)
                                .into_iter()
                                .map(|(_, a)| a)
                                .find(|a| *a == child || a.starts_with(&format!("{child}[")))
                        })
                        .collect();
                    for inst in instances {
                        out.extend(self.resolve_expr(from, attr_name, &inst, e, many, depth + 1));
                    }
                }
                Elem::EachValue => {
                    // `for_each = aws_subnet.app`: `each.value` is the
                    // subnet of the same key.
                    let key = self.insts[from].index.clone();
                    let fe = self
                        .config
                        .resource(&self.insts[from])
                        .and_then(|r| r.get("for_each_expression"));
                    for r in fe.map(config::references).unwrap_or_default() {
                        if let Ref::Resource {
                            addr, index: None, ..
                        } = parse_ref(&r)
                        {
                            let found = self.resource(
                                from,
                                attr_name,
                                module,
                                &refs,
                                many,
                                (&addr, key.as_ref(), None),
                            );
                            out.extend(found);
                        }
                    }
                }
                Elem::Resource { addr, index, attr } => {
                    let found = self.resource(
                        from,
                        attr_name,
                        module,
                        &refs,
                        many,
                        (&addr, index.as_ref(), attr.as_deref()),
                    );
                    out.extend(found);
                }
            }
        }
        dedup_in_order(&mut out);
        out
    }

    /// The instances of one resource that an element of an expression
    /// names: `(address, index or key, attribute)`. `refs`: every
    /// reference of the expression, for `each.key` and `count.index`.
    fn resource(
        &mut self,
        from: usize,
        attr_name: &str,
        module: &str,
        refs: &[String],
        many: bool,
        (addr, index, attr): (&str, Option<&Key>, Option<&str>),
    ) -> Vec<Pick> {
        let Some(group) = self
            .by_resource
            .get(&(module.to_string(), addr.to_string()))
        else {
            return Vec::new();
        };
        let group = group.clone();
        let pick = |i: usize| Pick {
            inst: i,
            attr: attr.map(str::to_string),
        };
        if let Some(k) = index {
            if let Some(&i) = group
                .iter()
                .find(|&&i| self.insts[i].index.as_ref() == Some(k))
            {
                return vec![pick(i)];
            }
            // `aws_subnet.private[3]` of a count of 3: Terraform would
            // refuse the plan, so this is a plan cut down by hand.
            let text = format!(
                "`{attr_name}` refers to {}{k}, an instance the plan does not have; left out",
                full(module, addr)
            );
            let address = self.insts[from].address.clone();
            self.note(NoteKind::Unknown, &address, text);
            return Vec::new();
        }
        if group.len() == 1 {
            return vec![pick(group[0])];
        }
        // `[aws_subnet.app[each.key].id]`: Terraform lists
        // `aws_subnet.app` and `each.key`, and the instance of the same
        // key is meant, even in a list.
        let keyed = refs.iter().any(|r| r == "each.key" || r == "count.index");
        let me = self.insts[from].index.clone();
        let same = group
            .iter()
            .copied()
            .find(|&i| me.is_some() && self.insts[i].index == me);
        if many && !(keyed && same.is_some()) {
            return group.iter().map(|&i| pick(i)).collect();
        }
        // Several instances, one wanted: the one of the same index or
        // key as the instance that refers.
        let (chosen, how) = match (same, &me) {
            (Some(i), _) => (i, "by the same index or key".to_string()),
            (None, Some(Key::Int(n))) => {
                let i = group[(*n).rem_euclid(group.len() as i64) as usize];
                (
                    i,
                    format!("by index {n} modulo {} (as element() does)", group.len()),
                )
            }
            _ => (group[0], "as the first instance".to_string()),
        };
        let text = format!(
            "`{attr_name}` refers to {} without naming an instance; matched to {} {how} (a heuristic)",
            full(module, addr),
            self.insts[chosen].address
        );
        let address = self.insts[from].address.clone();
        self.note(NoteKind::Approximated, &address, text);
        vec![pick(chosen)]
    }

    /// The instances that attribute `attr` of `from` names, among the
    /// resource types `want`. A known value names them by id; an unknown one
    /// is followed through the configuration. `expr`: the expression to
    /// follow instead of the attribute's own (for nested blocks).
    pub fn names(
        &mut self,
        from: usize,
        attr: &str,
        want: &[&str],
        many: bool,
        expr: Option<&'a Value>,
        known: Option<&Value>,
    ) -> Vec<Pick> {
        let inst = &self.insts[from];
        let known = known.or_else(|| inst.values.get(attr));
        let mut ids: Vec<String> = Vec::new();
        match known {
            Some(Value::String(s)) if !s.is_empty() => ids.push(s.clone()),
            Some(Value::Array(a)) => {
                ids.extend(
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
            }
            _ => {}
        }
        let mut out = Vec::new();
        let mut missing = Vec::new();
        for id in &ids {
            match self.by_id(id) {
                Some(p) if want.contains(&self.insts[p.inst].rtype.as_str()) => out.push(p),
                _ => missing.push(id.clone()),
            }
        }
        let address = inst.address.clone();
        for id in missing {
            self.note(
                NoteKind::Unknown,
                &address,
                format!("`{attr}` is `{id}`, which no resource of the plan or state is"),
            );
        }
        let unknown_part = ids.is_empty()
            || inst.is_unknown(attr)
            || inst
                .unknown
                .get(attr)
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x == &Value::Bool(true)));
        if unknown_part {
            let expr = expr.or_else(|| self.config.expr(&self.insts[from], attr));
            if let Some(e) = expr {
                let module = self.insts[from].module.clone();
                let found = self.resolve_expr(from, attr, &module, e, many, 0);
                let mut wrong = Vec::new();
                for p in found {
                    if want.contains(&self.insts[p.inst].rtype.as_str()) {
                        out.push(p);
                    } else {
                        wrong.push(p);
                    }
                }
                // `aws_vpc_ipv4_cidr_block_association.x.vpc_id`: the
                // attribute of what is named, followed in its turn.
                for p in wrong {
                    if let Some(a) = p
                        .attr
                        .as_deref()
                        .filter(|a| *a != "id" && a.ends_with("_id"))
                    {
                        out.extend(self.names(p.inst, a, want, many, None, None));
                    }
                }
                let refs = config::references(e);
                if out.is_empty() && ids.is_empty() && !refs.is_empty() {
                    let text = format!(
                        "`{attr}` refers to {}, which does not resolve to {} in the plan",
                        refs.join(", "),
                        want.join(" or ")
                    );
                    self.note(NoteKind::Unknown, &address, text);
                }
            } else if ids.is_empty()
                && inst.is_unknown(attr)
                && self.config.resource(&self.insts[from]).is_none()
            {
                self.note(
                    NoteKind::Unknown,
                    &address,
                    format!(
                        "`{attr}` is unknown until apply and the plan has no configuration for it"
                    ),
                );
            }
        }
        // In the order of the value, or of the configuration's expression.
        dedup_in_order(&mut out);
        out
    }

    /// The one instance that `attr` names (the first, if several).
    pub fn one(&mut self, from: usize, attr: &str, want: &[&str]) -> Option<Pick> {
        self.names(from, attr, want, false, None, None)
            .into_iter()
            .next()
    }

    /// Every instance that the list attribute `attr` names.
    pub fn all(&mut self, from: usize, attr: &str, want: &[&str]) -> Vec<Pick> {
        self.names(from, attr, want, true, None, None)
    }

    /// The instances of a VPC-scoped resource's module, to fall back on when
    /// its `vpc_id` cannot be followed: the one VPC of its module, or of the
    /// plan.
    pub fn only_vpc(&mut self, from: usize) -> Option<usize> {
        let module = self.insts[from].module.clone();
        let vpcs: Vec<usize> = (0..self.insts.len())
            .filter(|&i| matches!(self.insts[i].rtype.as_str(), "aws_vpc" | "aws_default_vpc"))
            .collect();
        let local: Vec<usize> = vpcs
            .iter()
            .copied()
            .filter(|&i| self.insts[i].module == module)
            .collect();
        let chosen = match (local.as_slice(), vpcs.as_slice()) {
            ([one], _) => *one,
            (_, [one]) => *one,
            _ => return None,
        };
        let address = self.insts[from].address.clone();
        let text = format!(
            "`vpc_id` could not be followed; taken to be {}, the only VPC of {} (a heuristic)",
            self.insts[chosen].address,
            if local.len() == 1 {
                "its module"
            } else {
                "the plan"
            }
        );
        self.note(NoteKind::Approximated, &address, text);
        Some(chosen)
    }
}

/// One element of an expression: a resource (with its index or key when
/// the expression names one), a variable, a module output, `each.value`.
#[derive(Debug, PartialEq)]
enum Elem {
    Resource {
        addr: String,
        index: Option<Key>,
        attr: Option<String>,
    },
    Var(String),
    Module {
        call: String,
        output: String,
    },
    EachValue,
}

/// The elements an expression's references name, in the order of the
/// expression. Terraform lists each reference as written and then its
/// shorter forms (`aws_subnet.a[1].id`, `aws_subnet.a[1]`,
/// `aws_subnet.a`), one reference after another, so that
/// `[aws_subnet.a[0].id, aws_subnet.a[1].id]` is two elements, the
/// instances `[0]` and `[1]`, while the shorter forms of each join the
/// element they shorten.
fn elements(refs: &[String]) -> Vec<Elem> {
    let mut out: Vec<Elem> = Vec::new();
    for r in refs {
        let el = match parse_ref(r) {
            Ref::Resource { addr, index, attr } => {
                // The same instance again, or a shorter form of one
                // already listed: the first, most precise, form is kept.
                let known = out.iter_mut().any(|e| match e {
                    Elem::Resource {
                        addr: a,
                        index: i,
                        attr: t,
                    } if *a == addr => {
                        if index.is_some() && *i != index {
                            return false;
                        }
                        if t.is_none() && i.is_none() {
                            t.clone_from(&attr);
                        }
                        true
                    }
                    _ => false,
                });
                if known {
                    continue;
                }
                Elem::Resource { addr, index, attr }
            }
            Ref::Var(v) => Elem::Var(v),
            Ref::Module {
                call,
                output: Some(output),
            } => Elem::Module { call, output },
            Ref::EachValue => Elem::EachValue,
            Ref::Module { output: None, .. } | Ref::Other => continue,
        };
        if !out.contains(&el) {
            out.push(el);
        }
    }
    out
}

/// Drops repeated picks, keeping the first of each in place.
fn dedup_in_order(v: &mut Vec<Pick>) {
    let mut seen = BTreeSet::new();
    v.retain(|p| seen.insert(p.clone()));
}

fn full(module: &str, addr: &str) -> String {
    if module.is_empty() {
        addr.to_string()
    } else {
        format!("{module}.{addr}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert_eq!(
            parse_ref("aws_nat_gateway.this[1].id"),
            Ref::Resource {
                addr: "aws_nat_gateway.this".into(),
                index: Some(Key::Int(1)),
                attr: Some("id".into())
            }
        );
        assert_eq!(
            parse_ref("aws_subnet.a[\"x.y\"]"),
            Ref::Resource {
                addr: "aws_subnet.a".into(),
                index: Some(Key::Str("x.y".into())),
                attr: None
            }
        );
        assert_eq!(
            parse_ref("data.aws_vpc.v.id"),
            Ref::Resource {
                addr: "data.aws_vpc.v".into(),
                index: None,
                attr: Some("id".into())
            }
        );
        assert_eq!(parse_ref("var.vpc_id"), Ref::Var("vpc_id".into()));
        assert_eq!(
            parse_ref("module.vpc.private_subnets"),
            Ref::Module {
                call: "vpc".into(),
                output: Some("private_subnets".into())
            }
        );
        assert_eq!(parse_ref("count.index"), Ref::Other);
        // Cut references read as what they can be, without a panic.
        assert_eq!(parse_ref("var"), Ref::Var(String::new()));
        assert_eq!(
            parse_ref("module"),
            Ref::Module {
                call: String::new(),
                output: None
            }
        );
        assert_eq!(parse_ref("aws_vpc"), Ref::Other);
    }
}
