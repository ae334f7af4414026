//! Instances, their network interfaces and Elastic IPs, and Lambda
//! functions.

use std::net::Ipv4Addr;

use serde_json::Value;

use super::super::NoteKind::{Approximated, Unknown, Unsupported};
use super::super::out;
use super::Conv;
use super::network::SUBNET;
use super::security::SG;

impl<'a> Conv<'a> {
    /// The address of an Elastic IP: known, or handed out once.
    pub(super) fn eip_address(&mut self, e: usize) -> Ipv4Addr {
        if let Some(ip) = self.eips.get(&e) {
            return *ip;
        }
        let ip = match self.inst(e).str("public_ip").and_then(|s| s.parse().ok()) {
            Some(ip) => ip,
            None => self.public_ip(e, "the Elastic IP's address"),
        };
        self.eips.insert(e, ip);
        self.made.insert(e);
        ip
    }

    pub(super) fn workloads(&mut self) {
        // Interfaces attached as a second interface: not representable.
        let mut attached = std::collections::BTreeSet::new();
        for i in self.of(&["aws_network_interface_attachment"]) {
            if let Some(p) = self
                .world
                .one(i, "network_interface_id", &["aws_network_interface"])
            {
                attached.insert(p.inst);
            }
            self.note(
                Unsupported,
                i,
                "attaches a network interface after launch (a second interface of an instance); left out",
            );
        }
        let enis = self.of(&["aws_network_interface"]);
        // Security groups attached to interfaces.
        let mut extra_sgs: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
        for i in self.of(&["aws_network_interface_sg_attachment"]) {
            let n = self.world.one(
                i,
                "network_interface_id",
                &["aws_network_interface", "aws_instance"],
            );
            let g = self
                .world
                .one(i, "security_group_id", SG)
                .and_then(|p| self.sid(&p));
            match (n, g) {
                (Some(n), Some(g)) => {
                    extra_sgs.entry(n.inst).or_default().push(g);
                    self.made.insert(i);
                }
                _ => self.note(
                    Unknown,
                    i,
                    "its interface or group is not in the design; left out",
                ),
            }
        }
        // Instance types outside vpcsim's table, with their instances.
        let mut unknown_types: std::collections::BTreeMap<String, Vec<String>> =
            std::collections::BTreeMap::new();
        for i in self.of(&["aws_instance"]) {
            // The primary interface given as a network_interface block.
            let blocks: Vec<Value> = self
                .inst(i)
                .values
                .get("network_interface")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let block_exprs = self
                .world
                .config
                .expr(self.inst(i), "network_interface")
                .and_then(Value::as_array);
            let mut primary = None;
            for (n, b) in blocks.iter().enumerate() {
                let index = b.get("device_index").and_then(Value::as_i64).unwrap_or(0);
                let expr = block_exprs
                    .and_then(|a| a.get(n))
                    .and_then(|e| e.get("network_interface_id"));
                let known = b.get("network_interface_id").cloned();
                let p = self
                    .world
                    .names(
                        i,
                        "network_interface_id",
                        &["aws_network_interface"],
                        false,
                        expr,
                        known.as_ref(),
                    )
                    .into_iter()
                    .next();
                match (index, p) {
                    (0, Some(p)) => primary = Some(p.inst),
                    (0, None) => self.note(
                        Unknown,
                        i,
                        "its primary network interface is not in the plan",
                    ),
                    (_, _) => self.note(
                        Unsupported,
                        i,
                        format!("a second network interface (device {index}); left out"),
                    ),
                }
            }
            let src = primary.unwrap_or(i);
            let subnet = self
                .world
                .one(src, "subnet_id", SUBNET)
                .and_then(|p| self.sid(&p))
                .filter(|s| self.out.subnets.contains_key(s));
            let Some(subnet) = subnet else {
                self.note(Unknown, i, "its subnet is not in the design; left out");
                continue;
            };
            let x = self.inst(src);
            let private_ip = x
                .str("private_ip")
                .or_else(|| {
                    x.values
                        .get("private_ips")
                        .and_then(Value::as_array)
                        .and_then(|a| a.first())
                        .and_then(Value::as_str)
                })
                .and_then(|s| s.parse().ok());
            let sg_attr = if primary.is_some() {
                "security_groups"
            } else {
                "vpc_security_group_ids"
            };
            let mut groups: Vec<String> = self
                .world
                .all(src, sg_attr, SG)
                .iter()
                .filter_map(|p| self.sid(p))
                .collect();
            if primary.is_none()
                && !self
                    .inst(i)
                    .values
                    .get("security_groups")
                    .and_then(Value::as_array)
                    .is_none_or(|a| a.is_empty())
            {
                self.note(
                    Approximated,
                    i,
                    "`security_groups` names groups by name (EC2-Classic or default VPC style); vpc_security_group_ids is read",
                );
            }
            groups.extend(extra_sgs.get(&src).cloned().unwrap_or_default());
            groups.extend(extra_sgs.get(&i).cloned().unwrap_or_default());
            groups.sort();
            groups.dedup();
            let source_dest_check = self.inst(src).bool("source_dest_check").unwrap_or(true);
            let mut public_ip = self.inst(i).str("public_ip").and_then(|s| s.parse().ok());
            if public_ip.is_none() {
                // An Elastic IP that names the instance or its interface.
                let eips = self.of(&["aws_eip", "aws_eip_association"]);
                for e in eips {
                    let t = self.world.one(
                        e,
                        if self.inst(e).rtype == "aws_eip" {
                            "instance"
                        } else {
                            "instance_id"
                        },
                        &["aws_instance"],
                    );
                    let n = self
                        .world
                        .one(e, "network_interface", &["aws_network_interface"])
                        .or_else(|| {
                            self.world
                                .one(e, "network_interface_id", &["aws_network_interface"])
                        });
                    let mine = t.is_some_and(|p| p.inst == i)
                        || n.is_some_and(|p| Some(p.inst) == primary);
                    if !mine {
                        continue;
                    }
                    // An Elastic IP tied to a secondary private IP
                    // is not the instance's public IP.
                    let on = self
                        .inst(e)
                        .str(if self.inst(e).rtype == "aws_eip" {
                            "associate_with_private_ip"
                        } else {
                            "private_ip_address"
                        })
                        .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok());
                    if let (Some(on), Some(primary_ip)) = (on, private_ip) {
                        if on != primary_ip {
                            self.made.insert(e);
                            self.note(
                                Unsupported,
                                e,
                                format!(
                                    "an Elastic IP on secondary private IP {on} of {}; secondary addresses are not represented, left out",
                                    self.addr(i)
                                ),
                            );
                            continue;
                        }
                    }
                    let eip = if self.inst(e).rtype == "aws_eip" {
                        Some(e)
                    } else {
                        self.made.insert(e);
                        self.world
                            .one(e, "allocation_id", &["aws_eip"])
                            .map(|p| p.inst)
                    };
                    public_ip = Some(match eip {
                        Some(eip) => self.eip_address(eip),
                        None => match self.inst(e).str("public_ip").and_then(|s| s.parse().ok()) {
                            Some(ip) => ip,
                            None => self.public_ip(e, "the Elastic IP's address"),
                        },
                    });
                    break;
                }
            }
            if public_ip.is_none() {
                let x = self.inst(i);
                let asks = x.bool("associate_public_ip_address") == Some(true);
                let subnet_maps = self.world.one(src, "subnet_id", SUBNET).is_some_and(|p| {
                    self.inst(p.inst).bool("map_public_ip_on_launch") == Some(true)
                });
                if asks || (x.bool("associate_public_ip_address").is_none() && subnet_maps) {
                    public_ip = Some(self.public_ip(i, "its public IP"));
                }
            }
            let eni = primary.map(|p| {
                let id = self.ids[p].clone();
                self.eni_owner.insert(p, id.clone());
                self.made.insert(p);
                id
            });
            let instance_type = match self.inst(i).str("instance_type").map(str::to_string) {
                Some(t) if crate::model::instance_type::lookup(&t).is_some() => Some(t),
                Some(t) => {
                    unknown_types.entry(t).or_default().push(self.addr(i));
                    None
                }
                None => None,
            };
            let head = self.head(i);
            self.out.instances.insert(
                self.ids[i].clone(),
                out::Instance {
                    head,
                    subnet,
                    private_ip,
                    public_ip,
                    security_groups: (!groups.is_empty()).then_some(groups),
                    source_dest_check,
                    eni,
                    instance_type,
                },
            );
            self.made.insert(i);
        }
        for (t, addrs) in unknown_types {
            self.world.note(
                Approximated,
                &t,
                crate::import::unknown_instance_type(&addrs),
            );
        }
        // Interfaces attached through their own `attachment` block, or to
        // nothing.
        for i in enis {
            if self.made.contains(&i) {
                continue;
            }
            let att = self
                .inst(i)
                .values
                .get("attachment")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .cloned();
            match att {
                _ if attached.contains(&i) => self.note(
                    Unsupported,
                    i,
                    "attached to an instance after launch (a second interface); left out",
                ),
                Some(_) => self.note(
                    Unsupported,
                    i,
                    "attached to an instance after launch (a second interface); left out",
                ),
                None => self.note(
                    Unsupported,
                    i,
                    "a network interface of no instance of the design; left out",
                ),
            }
        }
    }

    /// Elastic IPs that nothing of the design uses.
    pub(super) fn unused_eips(&mut self) {
        for i in self.of(&["aws_eip", "aws_eip_association"]) {
            if !self.made.contains(&i) {
                self.note(
                    Unknown,
                    i,
                    "an Elastic IP of no NAT gateway or instance of the design; not imported",
                );
            }
        }
    }

    pub(super) fn lambdas(&mut self) {
        for i in self.of(&["aws_lambda_function"]) {
            let x = self.inst(i);
            let cfg = x
                .values
                .get("vpc_config")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .cloned();
            let expr = self
                .world
                .config
                .expr(x, "vpc_config")
                .and_then(Value::as_array)
                .and_then(|a| a.first());
            let (mut subnets, mut groups) = (Vec::new(), Vec::new());
            if cfg.is_some() || expr.is_some() {
                let cfg = cfg.unwrap_or(Value::Null);
                let s = self.world.names(
                    i,
                    "subnet_ids",
                    SUBNET,
                    true,
                    expr.and_then(|e| e.get("subnet_ids")),
                    cfg.get("subnet_ids"),
                );
                subnets = s.iter().filter_map(|p| self.sid(p)).collect();
                let g = self.world.names(
                    i,
                    "security_group_ids",
                    SG,
                    true,
                    expr.and_then(|e| e.get("security_group_ids")),
                    cfg.get("security_group_ids"),
                );
                groups = g.iter().filter_map(|p| self.sid(p)).collect();
                if subnets.is_empty() != groups.is_empty() {
                    self.note(
                        Unknown,
                        i,
                        "its VPC subnets or groups are not in the design; left out",
                    );
                    continue;
                }
            }
            subnets.sort();
            groups.sort();
            let head = self.head(i);
            self.out.lambdas.insert(
                self.ids[i].clone(),
                out::Lambda {
                    head,
                    subnets,
                    security_groups: groups,
                },
            );
            self.made.insert(i);
        }
    }
}
