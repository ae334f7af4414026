//! Lambda functions attached to a VPC.

use super::*;

impl Cx<'_> {
    pub(super) fn lambdas(&mut self) {
        let list: Vec<(&str, &aws::Function)> =
            self.input.functions.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, f) in list {
            let (subnet_ids, sg_ids) = match &f.vpc_config {
                Some(c) if !c.subnet_ids.is_empty() => (&c.subnet_ids, &c.security_group_ids),
                _ => {
                    self.scenario
                        .lambdas
                        .insert(id.to_string(), out::Lambda::default());
                    continue;
                }
            };
            let mut subnets: Vec<String> = Vec::new();
            let mut vpc: Option<String> = None;
            for s in subnet_ids {
                if let Some(sub) = self.scenario.subnets.get(s) {
                    match &vpc {
                        Some(v) if *v != sub.vpc => {
                            self.notes.add(
                                Unsupported,
                                id,
                                format!("subnet {s} is in another VPC than the function's first subnet; left out"),
                            );
                            continue;
                        }
                        _ => vpc = Some(sub.vpc.clone()),
                    }
                    subnets.push(s.clone());
                } else {
                    self.notes.add(
                        Unknown,
                        s,
                        format!("subnet of Lambda function {id}, not imported"),
                    );
                }
            }
            let groups: Vec<aws::GroupRef> = sg_ids
                .iter()
                .map(|g| aws::GroupRef {
                    group_id: g.clone(),
                })
                .collect();
            let vpc = vpc.unwrap_or_default();
            let security_groups = self.groups_of(&format!("Lambda function {id}"), &vpc, &groups);
            if subnets.is_empty() || security_groups.is_empty() {
                self.notes.add(
                    Unknown,
                    id,
                    "Lambda function whose subnets or security groups are not in the files; left out",
                );
                continue;
            }
            subnets.sort();
            subnets.dedup();
            self.scenario.lambdas.insert(
                id.to_string(),
                out::Lambda {
                    head: Head::default(),
                    subnets,
                    security_groups,
                },
            );
        }
    }
}
