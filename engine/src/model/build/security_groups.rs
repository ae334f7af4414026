//! Security groups and the pieces of rules they share with network ACLs
//! (protocols, ports, ICMP types).

use super::*;

impl Builder<'_> {
    pub(super) fn icmp_match(
        &mut self,
        proto: Protocol,
        t: &Option<Sp<u8>>,
        c: &Option<Sp<u8>>,
    ) -> IcmpMatch {
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

    pub(super) fn rule_ports(
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
            (false, Some(p)) if proto.v == Protocol::ICMP => {
                self.warn(
                    &p.span,
                    format!("{what} for protocol \"icmp\" ignores `ports`; to match ICMP messages, write `icmp_type` (and `icmp_code`) instead"),
                );
                PortRange::ALL
            }
            (false, _) => PortRange::ALL,
        }
    }

    pub(super) fn sg_rules(
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
                    let Some(Component::Sg(sg)) = self.reference(&owner, key, &gid, &[Kind::Sg])
                    else {
                        continue;
                    };
                    // Same VPC, a peered VPC (PCX-3), or for an inbound
                    // rule a VPC attached to the same transit gateway
                    // (TGW-11); peerings and attachments are read from the
                    // raw file, as they are resolved later.
                    if let (Some(v), Some(ov)) = (vpc, self.sg_vpc(sg)) {
                        if ov != v && self.peered(v, ov) {
                            // A peer of another Region cannot be named
                            // (PCX-3); the Regions of VPCs are known once
                            // the peerings and transit gateways are read.
                            self.peer_group_refs.push(PeerGroupRef {
                                at: peer.span.clone(),
                                owner: owner.clone(),
                                key,
                                group: g.clone(),
                                vpc: v,
                                other: ov,
                            });
                        }
                        if ov != v && !self.peered(v, ov) {
                            let other = self.design.vpcs[ov.idx()].name.clone();
                            match self.tgw_between(v, ov) {
                                None => {
                                    let msg = format!(
                                        "{owner}: `{key}` names `{g}` of VPC `{other}`, which is neither this VPC, nor peered with it, nor attached to a transit gateway of this VPC (PCX-3, TGW-11)"
                                    );
                                    self.err(&peer.span, msg);
                                }
                                Some(_) if dir == "egress" => {
                                    let msg = format!(
                                        "{owner}: `{key}` names `{g}` of VPC `{other}`, reached only through a transit gateway; AWS supports group references across a transit gateway in inbound rules only (TGW-11); write the VPC's CIDR instead"
                                    );
                                    self.err(&peer.span, msg);
                                }
                                Some(Err(off)) => {
                                    let msg = format!(
                                        "{owner}: `{key}` names `{g}` of VPC `{other}` across transit gateway {off}, so the rule matches nothing from that VPC (TGW-11); set `security_group_referencing = true` there"
                                    );
                                    self.warn(&peer.span, msg);
                                }
                                Some(Ok(())) => {}
                            }
                        }
                    }
                    Peer::Group(sg)
                }
                raw::Peer::PrefixList(p) => {
                    let pid = Sp::new(peer.span.clone(), p.clone());
                    let Some(Component::PrefixList(pl)) =
                        self.reference(&owner, "prefix_list", &pid, &[Kind::PrefixList])
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

    /// A transit gateway both VPCs are attached to by VPC attachments, from
    /// the raw file (TGW-11): `Ok` when it and both attachments have
    /// security group referencing on, else `Err` naming what has it off.
    /// One with it on is preferred.
    pub(super) fn tgw_between(&self, a: VpcId, b: VpcId) -> Option<Result<(), ReferencingOff>> {
        let name = |v: VpcId| self.raw.vpcs.get(v.idx()).map(|x| x.id.v.as_str());
        let (Some(a), Some(b)) = (name(a), name(b)) else {
            return None;
        };
        let vpc_attachments = |vpc: &str| -> Vec<&raw::TgwAttachment> {
            self.raw
                .tgw_attachments
                .iter()
                .filter(|x| {
                    x.kind
                        .as_ref()
                        .is_none_or(|k| k.v == raw::TgwAttachmentType::Vpc)
                        && x.vpc.as_ref().is_some_and(|v| v.v == vpc)
                })
                .collect()
        };
        let mut found: Option<Result<(), ReferencingOff>> = None;
        for x in vpc_attachments(a) {
            let Some(t) = x.transit_gateway.as_ref() else {
                continue;
            };
            for y in vpc_attachments(b) {
                if y.transit_gateway.as_ref().map(|u| &u.v) != Some(&t.v) {
                    continue;
                }
                let tgw_on = self
                    .raw
                    .transit_gateways
                    .iter()
                    .find(|g| g.id.v == t.v)
                    .is_some_and(|g| g.sg_referencing.as_ref().is_some_and(|f| f.v));
                let on = |z: &raw::TgwAttachment| z.sg_referencing.as_ref().is_none_or(|f| f.v);
                let verdict = if !tgw_on {
                    Err(ReferencingOff::Gateway(t.v.clone()))
                } else if !on(x) || !on(y) {
                    let off = if on(x) { &y.id.v } else { &x.id.v };
                    Err(ReferencingOff::Attachment {
                        gateway: t.v.clone(),
                        attachment: off.clone(),
                    })
                } else {
                    Ok(())
                };
                if verdict.is_ok() || found.is_none() {
                    found = Some(verdict);
                }
            }
        }
        found
    }

    /// Reports the group references of the rules read so far that name a
    /// group of a peered VPC in another Region: AWS refuses them (PCX-3).
    /// Run once the Regions of VPCs are known, and again after the
    /// timeline's rules.
    pub(super) fn check_peer_group_regions(&mut self) {
        for r in std::mem::take(&mut self.peer_group_refs) {
            let (Some(a), Some(b)) = (
                self.design.vpcs.get(r.vpc.idx()),
                self.design.vpcs.get(r.other.idx()),
            ) else {
                continue;
            };
            if a.region == b.region {
                continue;
            }
            let msg = format!(
                "{}: `{}` names `{}` of VPC `{}`, peered from another Region ({} and {}); AWS does not let a rule reference a security group of a peer VPC in a different Region (PCX-3); write the peer VPC's CIDR instead ({})",
                r.owner,
                r.key,
                r.group,
                b.name,
                a.region,
                b.region,
                b.cidrs
                    .iter()
                    .map(|c| format!("`cidr = \"{c}\"`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            );
            self.err(&r.at, msg);
        }
    }

    /// Whether two VPCs are peered, from the raw file (peerings are resolved
    /// after security groups).
    pub(super) fn peered(&self, a: VpcId, b: VpcId) -> bool {
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

    pub(super) fn security_groups(&mut self) {
        let raw = self.raw;
        // First pass: VPCs, so that group references can check them.
        for g in &raw.security_groups {
            let owner = format!("security group `{}`", shown_id(&g.id.v));
            let vpc = self.vpc_ref(&owner, &g.vpc);
            self.design.security_groups.push(SecurityGroup {
                name: g.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                ingress: vec![],
                egress: vec![],
            });
        }
        // The default group of every VPC (SG-8): all inbound from itself, all
        // outbound. Made before the rules are read, so that rules can name it.
        for v in 0..self.design.vpcs.len() {
            let id = SgId::from_idx(self.design.security_groups.len());
            let name = format!("{}/default-sg", self.design.vpcs[v].name);
            self.design.security_groups.push(SecurityGroup {
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
            self.design.vpcs[v].default_sg = Some(id);
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
            self.design.security_groups[i].ingress = ingress;
            self.design.security_groups[i].egress = egress;
        }
    }
}

/// What turns security group referencing off between two VPCs attached to
/// one transit gateway (TGW-11), in the words of the loader's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(super) enum ReferencingOff {
    #[error("`{0}`, which has `security_group_referencing` off")]
    Gateway(String),
    #[error("`{gateway}`, whose attachment `{attachment}` has `security_group_referencing` off")]
    Attachment { gateway: String, attachment: String },
}

/// A rule's reference to a group of a peered VPC, checked against the two
/// VPCs' Regions once they are known (PCX-3).
#[derive(Clone, Debug)]
pub(super) struct PeerGroupRef {
    pub at: Span,
    pub owner: String,
    pub key: &'static str,
    pub group: String,
    pub vpc: VpcId,
    pub other: VpcId,
}
