//! Network ACLs: their numbered rules and the subnets they are associated
//! with.

use super::*;

impl Builder<'_> {
    pub(super) fn nacl_rules(
        &mut self,
        owner: &str,
        rules: &[Sp<raw::NaclRule>],
        dir: &str,
    ) -> Vec<NaclRule> {
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
                    let line = self.line_of(prev, &n.span);
                    self.err(
                        &n.span,
                        format!(
                            "{owner}: {dir} rule number {} is already used on {line} (NACL-2)",
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

    pub(super) fn nacls(&mut self) {
        let raw = self.raw;
        let mut defaults: BTreeMap<VpcId, Span> = BTreeMap::new();
        for a in &raw.network_acls {
            let owner = format!("network ACL `{}`", shown_id(&a.id.v));
            let vpc = self.vpc_ref(&owner, &a.vpc);
            let ingress = self.nacl_rules(&owner, &a.ingress, "ingress");
            let egress = self.nacl_rules(&owner, &a.egress, "egress");
            let id = NaclId::from_idx(self.design.nacls.len());
            if let (Some(vpc), Some(def)) = (vpc, &a.default) {
                if def.v {
                    if let Some(prev) = defaults.get(&vpc) {
                        let line = self.line_of(prev, &def.span);
                        self.err(
                            &def.span,
                            format!(
                                "{owner}: VPC `{}` already has a default network ACL, on {line}",
                                self.design.vpcs[vpc.idx()].name
                            ),
                        );
                    } else {
                        defaults.insert(vpc, def.span.clone());
                        self.design.vpcs[vpc.idx()].default_nacl = Some(id);
                    }
                }
            }
            self.design.nacls.push(NetworkAcl {
                name: a.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                ingress,
                egress,
            });
        }
        // The default NACL allows everything both ways (NACL-4).
        for v in 0..self.design.vpcs.len() {
            if self.design.vpcs[v].default_nacl.is_some() {
                continue;
            }
            let id = NaclId::from_idx(self.design.nacls.len());
            let name = format!("{}/default-acl", self.design.vpcs[v].name);
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
            self.design.nacls.push(NetworkAcl {
                name: name.clone(),
                vpc: VpcId::from_idx(v),
                ingress: allow_all.clone(),
                egress: allow_all,
            });
            self.design.vpcs[v].default_nacl = Some(id);
            self.names
                .entry(name)
                .or_insert((Component::Nacl(id), 0..0));
        }
        // Subnet associations.
        for (i, s) in raw.subnets.iter().enumerate() {
            let vpc = self.subnet_vpc(SubnetId::from_idx(i));
            let mut nacl = vpc.and_then(|v| self.design.vpcs[v.idx()].default_nacl);
            if let Some(r) = &s.network_acl {
                let owner = format!("subnet `{}`", shown_id(&s.id.v));
                if let Some(n) = self.subnet_nacl(&owner, SubnetId::from_idx(i), r) {
                    nacl = Some(n);
                }
            }
            self.subnets[i].nacl = nacl;
        }
    }

    /// A subnet's `network_acl`: an ACL of the subnet's own VPC.
    pub(super) fn subnet_nacl(&mut self, owner: &str, s: SubnetId, r: &Id) -> Option<NaclId> {
        let Some(Component::Nacl(n)) = self.reference(owner, "network_acl", r, &[Kind::Nacl])
        else {
            return None;
        };
        let (vpc, other) = (self.subnet_vpc(s), self.nacl_vpc(n));
        if vpc.is_some() && other.is_some() && other != vpc {
            let msg = format!("{owner}: network ACL `{}` belongs to another VPC", r.v);
            self.err(&r.span, msg);
            return None;
        }
        Some(n)
    }
}
