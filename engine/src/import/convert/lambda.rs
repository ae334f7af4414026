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
            // Without a subnet the function has no VPC to check its
            // groups against: the subnets' notes say why.
            if subnets.is_empty() {
                self.notes.add(
                    Unknown,
                    id,
                    format!(
                        "Lambda function none of whose subnets ({}) is imported; left out",
                        subnet_ids.join(", ")
                    ),
                );
                continue;
            }
            let groups: Vec<aws::GroupRef> = sg_ids
                .iter()
                .map(|g| aws::GroupRef {
                    group_id: g.clone(),
                })
                .collect();
            let vpc = vpc.unwrap_or_default();
            let security_groups = self.groups_of(&format!("Lambda function {id}"), &vpc, &groups);
            if security_groups.is_empty() {
                let text = if sg_ids.is_empty() {
                    "Lambda function with no security group; left out".to_string()
                } else {
                    format!(
                        "Lambda function none of whose security groups ({}) is imported in {vpc}; left out",
                        sg_ids.join(", ")
                    )
                };
                self.notes.add(Unknown, id, text);
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
