//! Lambda functions and the network interfaces they have in a VPC.

use super::*;

/// The init duration of a new execution environment when the file gives
/// none (LAM-7): AWS documents cold starts from under 100 ms to over 1 s;
/// 250 ms is vpcsim's choice within that span.
pub const LAMBDA_INIT_DEFAULT: Nanos = Nanos(250_000_000);
/// Lambda limits the Init phase to 10 seconds (LAM-7).
pub const LAMBDA_INIT_LIMIT: Nanos = Nanos(10_000_000_000);
/// Lambda's default function timeout, 3 seconds, and its maximum, 900
/// seconds (LAM-10).
pub const LAMBDA_TIMEOUT_DEFAULT: Nanos = Nanos(3_000_000_000);
pub const LAMBDA_TIMEOUT_MAX: Nanos = Nanos(900_000_000_000);

impl Builder<'_> {
    pub(super) fn lambdas(&mut self) {
        let raw = self.raw;
        // Hyperplane ENIs are shared per (subnet, security-group set) (LAM-2).
        let mut shared: BTreeMap<(SubnetId, Vec<SgId>), EniId> = BTreeMap::new();
        for l in &raw.lambdas {
            let owner = format!("Lambda function `{}`", shown_id(&l.id.v));
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
            let init_duration = match &l.init_duration {
                Some(x) if x.v > LAMBDA_INIT_LIMIT => {
                    self.err(
                        &x.span,
                        format!("{owner}: `init_duration` must be at most 10s: Lambda limits the Init phase to 10 seconds (LAM-7); write a value up to \"10s\""),
                    );
                    LAMBDA_INIT_LIMIT
                }
                Some(x) => x.v,
                None => LAMBDA_INIT_DEFAULT,
            };
            let timeout = match &l.timeout {
                Some(x)
                    if x.v < Nanos::from_secs(1)
                        || x.v > LAMBDA_TIMEOUT_MAX
                        || x.v.0 % Nanos::from_secs(1).0 != 0 =>
                {
                    self.err(
                        &x.span,
                        format!("{owner}: `timeout` must be whole seconds from 1s to 900s, as Lambda sets it (LAM-10); for example \"3s\""),
                    );
                    LAMBDA_TIMEOUT_DEFAULT
                }
                Some(x) => x.v,
                None => LAMBDA_TIMEOUT_DEFAULT,
            };
            let mut enis = Vec::new();
            for s in subnets {
                let key = (s, sgs.clone());
                let eni = match shared.get(&key) {
                    Some(e) => *e,
                    None => {
                        let sub_name = self.subnets[s.idx()].name.clone();
                        let name = format!("{}-{}", l.id.v, sub_name);
                        let e = self.new_eni(
                            Some(s),
                            None,
                            name.clone(),
                            name,
                            sgs.clone(),
                            // The function being built is the first
                            // that uses it.
                            EniOwner::Lambda(LambdaId::from_idx(self.design.lambdas.len())),
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
                init_duration,
                timeout,
            });
        }
    }
}
