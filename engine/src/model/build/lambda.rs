//! Lambda functions and the network interfaces they have in a VPC.

use super::*;

impl Builder<'_> {
    pub(super) fn lambdas(&mut self) {
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
            let mut enis = Vec::new();
            for s in subnets {
                let key = (s, sgs.clone());
                let eni = match shared.get(&key) {
                    Some(e) => *e,
                    None => {
                        let sub_name = self.design.subnets[s.idx()].name.clone();
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
                enis.push(eni);
            }
            self.design.lambdas.push(Lambda {
                name: l.id.v.clone(),
                vpc,
                enis,
                security_groups: sgs,
                concurrency,
            });
        }
    }
}
