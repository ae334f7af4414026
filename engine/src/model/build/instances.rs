//! Instances, their network interfaces and the ports they listen on.

use super::*;

impl Builder<'_> {
    /// Private IPs to allocate once every fixed one is known: (eni, span of
    /// the fixed address if any).
    pub(super) fn new_eni(
        &mut self,
        subnet: Option<SubnetId>,
        fixed: Option<&Sp<Ipv4Addr>>,
        name: String,
        label: String,
        security_groups: Vec<SgId>,
        owner: EniOwner,
    ) -> EniId {
        let id = EniId::from_idx(self.design.enis.len());
        let vpc = match subnet {
            Some(s) => {
                self.subnets[s.idx()].enis.push(id);
                self.subnets[s.idx()].vpc
            }
            None => {
                // The owner's `subnet` did not resolve (reported): a
                // stand-in, and the design is not returned.
                self.unsettled = true;
                VpcId(0)
            }
        };
        self.fixed_ips.push(fixed.cloned());
        self.eni_subnets.push(subnet);
        self.design.enis.push(Eni {
            name,
            subnet: subnet.unwrap_or(SubnetId(0)),
            vpc,
            ip: Ipv4Addr::UNSPECIFIED,
            public_ip: None,
            security_groups,
            source_dest_check: true,
            owner,
            label,
            mtu: match owner {
                EniOwner::Endpoint(_) => mtu::ENDPOINT,
                _ => mtu::VPC,
            },
            bandwidth: None,
        });
        id
    }

    pub(super) fn listen(&mut self, l: &[Sp<raw::Listen>]) -> Vec<Listen> {
        let mut out = Vec::new();
        for x in l {
            if x.v.any {
                // Every TCP and UDP port (OPEN-3).
                out.push(Listen {
                    protocol: crate::packet::PROTO_TCP,
                    port: None,
                });
                out.push(Listen {
                    protocol: crate::packet::PROTO_UDP,
                    port: None,
                });
                continue;
            }
            let Some(proto) = &x.v.protocol else { continue };
            let Protocol::Number(p) = proto.v else {
                self.err(&proto.span, "a listener names one protocol, not \"all\"");
                continue;
            };
            let port = match (proto.v.has_ports(), &x.v.port) {
                (true, Some(port)) if port.v == 0 => {
                    self.err(
                        &port.span,
                        format!(
                            "a {} listener on port 0: no connection can reach port 0; a listener's port is 1 to 65535",
                            proto.v
                        ),
                    );
                    continue;
                }
                (true, Some(port)) => Some(port.v),
                (true, None) if self.unreadable(&x.span, "port") => continue,
                (true, None) => {
                    self.err(
                        &x.span,
                        format!("{} listener needs a `port`", a_protocol(&proto.v)),
                    );
                    continue;
                }
                (false, Some(port)) => {
                    self.err(
                        &port.span,
                        format!("{} listener has no port", a_protocol(&proto.v)),
                    );
                    None
                }
                (false, None) => None,
            };
            out.push(Listen { protocol: p, port });
        }
        out
    }

    pub(super) fn instances(&mut self) {
        let raw = self.raw;
        for inst in &raw.instances {
            let owner = format!("instance `{}`", shown_id(&inst.id.v));
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
                    .and_then(|v| self.design.vpcs[v.idx()].default_sg)
                    .into_iter()
                    .collect(),
            };
            let id = InstanceId::from_idx(self.design.instances.len());
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
            let e = &mut self.design.enis[eni.idx()];
            e.public_ip = inst.public_ip.as_ref().map(|p| p.v);
            e.source_dest_check = inst.source_dest_check.as_ref().is_none_or(|s| s.v);
            if let Some(m) = &inst.mtu {
                if (mtu::MIN_INSTANCE..=mtu::VPC).contains(&m.v) {
                    self.design.enis[eni.idx()].mtu = m.v;
                } else {
                    self.err(
                        &m.span,
                        format!(
                            "{owner}: `mtu` is {}; an instance's interface MTU is {} to {} (MTU-2); use 9001 (jumbo frames, the default) or 1500",
                            m.v,
                            mtu::MIN_INSTANCE,
                            mtu::VPC
                        ),
                    );
                }
            }
            if let Some(t) = &inst.instance_type {
                match instance_type::lookup(&t.v) {
                    Some(perf) => self.design.enis[eni.idx()].bandwidth = Some(perf),
                    None => {
                        let known = instance_type::names();
                        let hint = crate::scenario::diag::did_you_mean(
                            &t.v,
                            known.iter().map(String::as_str),
                        )
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                        self.warn(
                            &t.span,
                            format!(
                                "{owner}: instance type `{}` is not in vpcsim's table{hint}; its interface is modelled at the 10 Gbps default (BW-1). The table has {}",
                                t.v,
                                instance_type::FAMILIES
                                    .iter()
                                    .map(|(f, _)| *f)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                }
            }
            let listen = self.listen(&inst.listen);
            self.design.instances.push(Instance {
                name: inst.id.v.clone(),
                eni,
                stateful: inst.stateful.as_ref().is_some_and(|s| s.v),
                listen,
            });
        }
    }
}

/// A protocol's name with its article, by sound: "a tcp", "a udp", "an
/// icmp", "an all".
fn a_protocol(p: &impl std::fmt::Display) -> String {
    let name = p.to_string();
    if name.starts_with(['a', 'e', 'i', 'o']) {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}
