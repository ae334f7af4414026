//! Security groups (inline rules, `aws_security_group_rule`, the
//! `aws_vpc_security_group_*_rule` resources, the default group) and network
//! ACLs (inline rules, `aws_network_acl_rule`, associations, the default ACL).

use serde_json::{Map, Value};

use super::super::NoteKind::{Unknown, Unsupported};
use super::super::out::{self, Peer};
use super::Conv;
use super::network::SUBNET;
use super::resolve::Pick;
use crate::units::{PortRange, Protocol};

pub(super) const SG: &[&str] = &[
    "aws_security_group",
    "aws_default_security_group",
    "aws_vpc",
    "aws_default_vpc",
];
const NACL: &[&str] = &[
    "aws_network_acl",
    "aws_default_network_acl",
    "aws_vpc",
    "aws_default_vpc",
];

/// A Terraform protocol (`-1`, `all`, `tcp`, `6`); `None` for ICMPv6 and
/// what is not a protocol.
pub(super) fn protocol(p: &Value) -> Option<Protocol> {
    let s = match p {
        Value::String(s) => s.trim().to_ascii_lowercase(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    match s.as_str() {
        "-1" | "all" => Some(Protocol::All),
        "tcp" => Some(Protocol::TCP),
        "udp" => Some(Protocol::UDP),
        "icmp" => Some(Protocol::ICMP),
        "icmpv6" | "58" => None,
        n => n.parse::<u8>().ok().map(Protocol::Number),
    }
}

/// Why a rule's protocol value is none vpcsim models, in words.
fn not_a_protocol(key: &str, v: Option<&Value>) -> String {
    let shown = match v {
        None | Some(Value::Null) => return format!("`{key}` is not given"),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(other) => other.to_string(),
    };
    if matches!(shown.to_ascii_lowercase().as_str(), "icmpv6" | "58") {
        format!("`{key}` is {shown}, ICMPv6, and IPv6 is not modelled")
    } else {
        format!(
            "`{key}` is `{shown}`, not a protocol (expected tcp, udp, icmp, all or -1, or a protocol number 0 to 255)"
        )
    }
}

fn int(m: &Map<String, Value>, k: &str) -> Option<i64> {
    m.get(k).and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}

/// The ports of a TCP or UDP rule, as AWS reads `FromPort` and `ToPort`:
/// 0 to 0 is port 0, and only -1 (or a port the plan leaves unknown) is
/// every port. `check_values` has refused ranges AWS refuses.
fn ports(from: Option<i64>, to: Option<i64>) -> PortRange {
    match (from.map(u16::try_from), to.map(u16::try_from)) {
        (Some(Ok(lo)), Some(Ok(hi))) if lo <= hi => PortRange { lo, hi },
        _ => PortRange::ALL,
    }
}

fn icmp(v: Option<i64>) -> Option<u8> {
    v.and_then(|n| u8::try_from(n).ok())
}

fn strs(m: &Map<String, Value>, k: &str) -> Vec<String> {
    match m.get(k) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The fields of one rule, whatever resource holds it.
struct RuleIn<'f> {
    fields: &'f Map<String, Value>,
    protocol_key: &'static str,
    cidr_keys: &'static [&'static str],
    v6_keys: &'static [&'static str],
    group_keys: &'static [&'static str],
    list_keys: &'static [&'static str],
}

impl<'a> Conv<'a> {
    /// The rules of one rule description: one per peer.
    #[allow(clippy::too_many_arguments)]
    fn sg_rules_of(
        &mut self,
        i: usize,
        sg: &str,
        r: RuleIn<'_>,
        block: Option<&'a Value>,
        top_level: bool,
        dir: &str,
    ) -> Vec<out::SgRule> {
        let f = r.fields;
        let Some(protocol) = f.get(r.protocol_key).and_then(protocol) else {
            self.note(
                Unsupported,
                i,
                format!(
                    "{dir} rule of {sg} left out: {}",
                    not_a_protocol(r.protocol_key, f.get(r.protocol_key))
                ),
            );
            return Vec::new();
        };
        let (mut p, mut t, mut c) = (None, None, None);
        if protocol.has_ports() {
            p = Some(ports(int(f, "from_port"), int(f, "to_port")));
        } else if protocol == Protocol::ICMP {
            t = icmp(int(f, "from_port"));
            c = t.and(icmp(int(f, "to_port")));
        }
        let description = f
            .get("description")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let rule = |peer: Peer| out::SgRule {
            protocol,
            ports: p,
            icmp_type: t,
            icmp_code: c,
            peer,
            description: description.clone(),
        };
        let mut out = Vec::new();
        for k in r.cidr_keys {
            for s in strs(f, k) {
                match super::cidr(&s) {
                    Some(n) => out.push(rule(Peer::Cidr(n))),
                    None => self.note(Unsupported, i, format!("{dir} rule with CIDR {s} left out")),
                }
            }
        }
        for k in r.v6_keys {
            for s in strs(f, k) {
                self.note(
                    Unsupported,
                    i,
                    format!("{dir} rule for {s} left out (IPv6)"),
                );
            }
        }
        if f.get("self").and_then(Value::as_bool) == Some(true) {
            out.push(rule(Peer::Group(sg.to_string())));
        }
        for k in r.group_keys.iter().chain(r.list_keys) {
            let is_list = r.list_keys.contains(k);
            let want: &[&str] = if is_list {
                &["aws_ec2_managed_prefix_list"]
            } else {
                SG
            };
            let expr = if top_level {
                self.world.config.expr(self.inst(i), k)
            } else {
                block.and_then(|b| b.get(*k))
            };
            let known = f.get(*k).cloned();
            let has_known = !strs(f, k).is_empty();
            let has_refs = expr.is_some_and(|e| !super::config::references(e).is_empty());
            if !has_known && !has_refs {
                continue;
            }
            let picks = self.world.names(i, k, want, true, expr, known.as_ref());
            if picks.is_empty() {
                self.note(
                    Unknown,
                    i,
                    format!("{dir} rule of {sg}: `{k}` names nothing in the design; left out"),
                );
            }
            for pk in picks {
                if let Some(id) = self.sid(&pk) {
                    out.push(rule(if is_list {
                        Peer::PrefixList(id)
                    } else {
                        Peer::Group(id)
                    }));
                }
            }
        }
        out
    }

    pub(super) fn security_groups(&mut self) {
        for i in self.of(&["aws_security_group", "aws_default_security_group"]) {
            let Some(vpc) = self.vpc_of(i, "vpc_id") else {
                self.note(Unknown, i, "its VPC is not in the design; left out");
                continue;
            };
            if self.inst(i).rtype == "aws_default_security_group" {
                self.ids[i] = format!("{vpc}/default-sg");
            }
            self.made.insert(i);
            let id = self.ids[i].clone();
            let head = self.head(i);
            self.out.sgs.insert(
                id,
                out::SecurityGroup {
                    head,
                    vpc,
                    ingress: Vec::new(),
                    egress: Vec::new(),
                },
            );
        }
        // Inline rules, once every group has its id.
        for i in self.of(&["aws_security_group", "aws_default_security_group"]) {
            if !self.made.contains(&i) {
                continue;
            }
            let sg = self.ids[i].clone();
            for (key, dir) in [("ingress", "inbound"), ("egress", "outbound")] {
                let rules: Vec<Value> = self
                    .inst(i)
                    .values
                    .get(key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let blocks: Vec<&'a Value> = self
                    .world
                    .config
                    .expr(self.inst(i), key)
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                let mut all = Vec::new();
                for (n, r) in rules.iter().enumerate() {
                    let Some(f) = r.as_object() else { continue };
                    let same = |b: &&'a Value, k: &str| {
                        b.pointer(&format!("/{k}/constant_value"))
                            .map(|v| v.to_string().trim_matches('"').to_string())
                            == f.get(k)
                                .map(|v| v.to_string().trim_matches('"').to_string())
                    };
                    let block = blocks
                        .iter()
                        .find(|b| same(b, "from_port") && same(b, "to_port") && same(b, "protocol"))
                        .copied()
                        .or_else(|| blocks.get(n).copied());
                    let got = self.sg_rules_of(
                        i,
                        &sg,
                        RuleIn {
                            fields: f,
                            protocol_key: "protocol",
                            cidr_keys: &["cidr_blocks"],
                            v6_keys: &["ipv6_cidr_blocks"],
                            group_keys: &["security_groups"],
                            list_keys: &["prefix_list_ids"],
                        },
                        block,
                        false,
                        dir,
                    );
                    all.extend(got);
                }
                let g = self.out.sgs.get_mut(&sg).expect("made");
                if key == "ingress" {
                    g.ingress = all;
                } else {
                    g.egress = all;
                }
            }
        }
        // Rules as resources of their own.
        let kinds: [(&str, Option<bool>); 3] = [
            ("aws_security_group_rule", None),
            ("aws_vpc_security_group_ingress_rule", Some(false)),
            ("aws_vpc_security_group_egress_rule", Some(true)),
        ];
        for (t, egress) in kinds {
            for i in self.of(&[t]) {
                let Some(sg) = self
                    .world
                    .one(i, "security_group_id", SG)
                    .and_then(|p| self.sid(&p))
                    .filter(|s| self.out.sgs.contains_key(s) || s.ends_with("/default-sg"))
                else {
                    self.note(
                        Unknown,
                        i,
                        "its security group is not in the design; left out",
                    );
                    continue;
                };
                if !self.out.sgs.contains_key(&sg) {
                    // The VPC's default group, named through the VPC: AWS's
                    // rules, which Terraform leaves in place.
                    let vpc = sg.trim_end_matches("/default-sg").to_string();
                    self.out.sgs.insert(
                        sg.clone(),
                        out::SecurityGroup {
                            head: out::Head {
                                name: None,
                                comments: vec![format!(
                                    "The default security group of {vpc}, with AWS's rules"
                                )],
                            },
                            vpc,
                            ingress: vec![out::SgRule {
                                protocol: Protocol::All,
                                ports: None,
                                icmp_type: None,
                                icmp_code: None,
                                peer: Peer::Group(sg.clone()),
                                description: None,
                            }],
                            egress: vec![out::SgRule {
                                protocol: Protocol::All,
                                ports: None,
                                icmp_type: None,
                                icmp_code: None,
                                peer: Peer::Cidr("0.0.0.0/0".parse().expect("literal")),
                                description: None,
                            }],
                        },
                    );
                }
                let fields = self.inst(i).values.clone();
                let (is_egress, dir, rule_in) = match egress {
                    None => {
                        let e = fields.get("type").and_then(Value::as_str) == Some("egress");
                        (
                            e,
                            if e { "outbound" } else { "inbound" },
                            RuleIn {
                                fields: &fields,
                                protocol_key: "protocol",
                                cidr_keys: &["cidr_blocks"],
                                v6_keys: &["ipv6_cidr_blocks"],
                                group_keys: &["source_security_group_id"],
                                list_keys: &["prefix_list_ids"],
                            },
                        )
                    }
                    Some(e) => (
                        e,
                        if e { "outbound" } else { "inbound" },
                        RuleIn {
                            fields: &fields,
                            protocol_key: "ip_protocol",
                            cidr_keys: &["cidr_ipv4"],
                            v6_keys: &["cidr_ipv6"],
                            group_keys: &["referenced_security_group_id"],
                            list_keys: &["prefix_list_id"],
                        },
                    ),
                };
                let got = self.sg_rules_of(i, &sg, rule_in, None, true, dir);
                let g = self.out.sgs.get_mut(&sg).expect("inserted");
                if is_egress {
                    g.egress.extend(got);
                } else {
                    g.ingress.extend(got);
                }
                self.made.insert(i);
            }
        }
    }

    fn nacl_rule(
        &mut self,
        i: usize,
        f: &Map<String, Value>,
        number_key: &str,
        action_key: &str,
    ) -> Option<out::NaclRule> {
        let rule = int(f, number_key).and_then(|n| u16::try_from(n).ok())?;
        let Some(protocol) = f.get("protocol").and_then(protocol) else {
            self.note(
                Unsupported,
                i,
                format!(
                    "rule {rule} left out: {}",
                    not_a_protocol("protocol", f.get("protocol"))
                ),
            );
            return None;
        };
        let Some(c) = f
            .get("cidr_block")
            .and_then(Value::as_str)
            .and_then(super::cidr)
        else {
            self.note(
                Unsupported,
                i,
                format!("rule {rule} without an IPv4 CIDR (IPv6?) left out"),
            );
            return None;
        };
        let (mut p, mut t, mut code) = (None, None, None);
        if protocol.has_ports() {
            p = Some(ports(int(f, "from_port"), int(f, "to_port")));
        } else if protocol == Protocol::ICMP {
            t = icmp(int(f, "icmp_type"));
            code = t.and(icmp(int(f, "icmp_code")));
        }
        Some(out::NaclRule {
            rule,
            protocol,
            ports: p,
            icmp_type: t,
            icmp_code: code,
            cidr: c,
            allow: f.get(action_key).and_then(Value::as_str) == Some("allow"),
        })
    }

    pub(super) fn nacls(&mut self) {
        for i in self.of(&["aws_network_acl", "aws_default_network_acl"]) {
            let default = self.inst(i).rtype == "aws_default_network_acl";
            let vpc = if default {
                self.world
                    .one(i, "default_network_acl_id", &["aws_vpc", "aws_default_vpc"])
                    .and_then(|p| {
                        self.sid(&Pick {
                            inst: p.inst,
                            attr: None,
                        })
                    })
            } else {
                self.vpc_of(i, "vpc_id")
            };
            let Some(vpc) = vpc else {
                self.note(Unknown, i, "its VPC is not in the design; left out");
                continue;
            };
            if default {
                self.ids[i] = format!("{vpc}/default-acl");
            }
            let mut acl = out::Nacl {
                head: self.head(i),
                vpc,
                default,
                ingress: Vec::new(),
                egress: Vec::new(),
            };
            for key in ["ingress", "egress"] {
                let rules: Vec<Value> = self
                    .inst(i)
                    .values
                    .get(key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for r in rules {
                    let Some(f) = r.as_object() else { continue };
                    if let Some(rule) = self.nacl_rule(i, f, "rule_no", "action") {
                        if key == "ingress" {
                            acl.ingress.push(rule);
                        } else {
                            acl.egress.push(rule);
                        }
                    }
                }
            }
            self.out.nacls.insert(self.ids[i].clone(), acl);
            self.made.insert(i);
        }
        for i in self.of(&["aws_network_acl_rule"]) {
            let Some(acl) = self
                .world
                .one(i, "network_acl_id", NACL)
                .and_then(|p| self.sid(&p))
                .filter(|a| self.out.nacls.contains_key(a))
            else {
                self.note(Unknown, i, "its network ACL is not in the design; left out");
                continue;
            };
            let f = self.inst(i).values.clone();
            if let Some(rule) = self.nacl_rule(i, &f, "rule_number", "rule_action") {
                let a = self.out.nacls.get_mut(&acl).expect("checked");
                if f.get("egress").and_then(Value::as_bool) == Some(true) {
                    a.egress.push(rule);
                } else {
                    a.ingress.push(rule);
                }
                self.made.insert(i);
            }
        }
        for a in self.out.nacls.values_mut() {
            a.ingress.sort_by_key(|r| r.rule);
            a.egress.sort_by_key(|r| r.rule);
            a.ingress.dedup_by_key(|r| r.rule);
            a.egress.dedup_by_key(|r| r.rule);
        }
        // Associations: inline `subnet_ids`, then association resources.
        for i in self.of(&["aws_network_acl", "aws_default_network_acl"]) {
            if !self.made.contains(&i) {
                continue;
            }
            let acl = self.ids[i].clone();
            for s in self.world.all(i, "subnet_ids", SUBNET) {
                if let Some(s) = self.sid(&s) {
                    if let Some(sub) = self.out.subnets.get_mut(&s) {
                        sub.network_acl = Some(acl.clone());
                    }
                }
            }
        }
        for i in self.of(&["aws_network_acl_association"]) {
            let a = self
                .world
                .one(i, "network_acl_id", NACL)
                .and_then(|p| self.sid(&p));
            let s = self
                .world
                .one(i, "subnet_id", SUBNET)
                .and_then(|p| self.sid(&p));
            match (a, s) {
                (Some(a), Some(s)) if self.out.subnets.contains_key(&s) => {
                    self.out.subnets.get_mut(&s).expect("checked").network_acl = Some(a);
                    self.made.insert(i);
                }
                _ => self.note(
                    Unknown,
                    i,
                    "its ACL or subnet is not in the design; left out",
                ),
            }
        }
    }
}
