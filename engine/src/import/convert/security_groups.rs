//! Security groups and their rules.

use super::*;

impl<'a> Cx<'a> {
    pub(super) fn sg_rules(
        &mut self,
        sg: &str,
        vpc: &str,
        perms: &[aws::IpPermission],
        egress: bool,
    ) -> Vec<out::SgRule> {
        let dir = if egress { "outbound" } else { "inbound" };
        let mut rules = Vec::new();
        for p in perms {
            let protocol = match aws_protocol(&p.ip_protocol) {
                Ok(x) => x,
                Err(what) => {
                    self.notes
                        .add(Unsupported, sg, format!("{dir} rule for {what} left out"));
                    continue;
                }
            };
            let (mut ports, mut icmp_type, mut icmp_code) = (None, None, None);
            if protocol.has_ports() {
                match aws_ports(p.from_port, p.to_port) {
                    Ok(x) => ports = Some(x),
                    Err(what) => {
                        self.notes
                            .add(Unsupported, sg, format!("{dir} rule with {what} left out"));
                        continue;
                    }
                }
            } else if protocol == Protocol::ICMP {
                icmp_type = icmp_value(p.from_port);
                icmp_code = icmp_type.and(icmp_value(p.to_port));
            }
            let rule = |peer: Peer, description: &Option<String>| out::SgRule {
                protocol,
                ports,
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
                    let (kind, why) = self.list_left_out(&r.prefix_list_id);
                    self.notes.add(
                        kind,
                        sg,
                        format!(
                            "{dir} rule naming prefix list {} left out ({why})",
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
                let other_vpc = self
                    .input
                    .sgs
                    .get(gid.as_str())
                    .and_then(|o| o.vpc_id.clone());
                match other_vpc {
                    Some(ov) if self.scenario.vpcs.contains_key(&ov) => {
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

    pub(super) fn security_groups(&mut self) {
        let sgs: Vec<(&'a str, &'a aws::SecurityGroup)> =
            self.input.sgs.iter().map(|(k, v)| (*k, *v)).collect();
        for &(id, g) in &sgs {
            let Some(vpc) = &g.vpc_id else {
                self.notes
                    .add(Unsupported, id, "EC2-Classic security group (no VPC)");
                continue;
            };
            if !self.scenario.vpcs.contains_key(vpc) {
                self.notes.left_out_with(
                    vpc,
                    "VPC",
                    in_files(&self.input, "VPC", vpc),
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
                    .is_some_and(|v| self.scenario.vpcs.contains_key(v))
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
            self.scenario.sgs.insert(
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
}
