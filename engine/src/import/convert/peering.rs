//! VPC peering connections: imported when active and both VPCs are.

use super::*;

impl Cx<'_> {
    pub(super) fn peerings(&mut self) {
        for (&id, p) in &self.input.peerings {
            let code = p.status.as_ref().map_or("active", |s| s.code.as_str());
            if code != "active" {
                self.notes
                    .add(Skipped, id, format!("peering connection in state {code}"));
                continue;
            }
            let side = |i: &Option<aws::PeeringVpcInfo>| {
                i.as_ref()
                    .and_then(|i| i.vpc_id.clone())
                    .unwrap_or_default()
            };
            let (req, acc) = (side(&p.requester_vpc_info), side(&p.accepter_vpc_info));
            let missing: Vec<&String> = [&req, &acc]
                .into_iter()
                .filter(|v| !self.scenario.vpcs.contains_key(*v))
                .collect();
            if !missing.is_empty() {
                let where_ = |i: &Option<aws::PeeringVpcInfo>| {
                    i.as_ref()
                        .map(|i| {
                            format!(
                                "account {}, {}",
                                i.owner_id.as_deref().unwrap_or("?"),
                                i.region.as_deref().unwrap_or("?")
                            )
                        })
                        .unwrap_or_default()
                };
                let other = if missing[0] == &req {
                    where_(&p.requester_vpc_info)
                } else {
                    where_(&p.accepter_vpc_info)
                };
                self.notes.add(
                    Unsupported,
                    id,
                    format!(
                        "peering to VPC {} ({other}), which is not in the files",
                        missing[0]
                    ),
                );
                continue;
            }
            let overlap = self.scenario.vpcs[&req].cidrs.iter().find_map(|a| {
                self.scenario.vpcs[&acc]
                    .cidrs
                    .iter()
                    .find(|b| a.contains(*b) || b.contains(a))
                    .map(|b| (*a, *b))
            });
            if let Some((a, b)) = overlap {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("peering between overlapping CIDRs {a} and {b}"),
                );
                continue;
            }
            // An inter-Region peering: `peer_region` names the side that is
            // not the scenario's Region (the folder's), which gives the
            // peering its 8500-byte MTU (MTU-1).
            let region =
                |i: &Option<aws::PeeringVpcInfo>| i.as_ref().and_then(|i| i.region.clone());
            let peer_region = match (region(&p.requester_vpc_info), region(&p.accepter_vpc_info)) {
                (Some(r), Some(a)) if r != a => Some(if a != self.scenario.region { a } else { r }),
                _ => None,
            };
            if let Some(r) = &peer_region {
                self.notes.add(
                    Approximated,
                    id,
                    format!(
                        "inter-region peering with {r}: its MTU is modelled (peer_region), its far VPC as if in {}",
                        self.scenario.region
                    ),
                );
            }
            self.scenario.peerings.insert(
                id.to_string(),
                out::Peering {
                    head: head(&p.tags),
                    requester: req,
                    accepter: acc,
                    peer_region,
                    requester_dns: dns(&p.requester_vpc_info),
                    accepter_dns: dns(&p.accepter_vpc_info),
                },
            );
        }
        // Peerings that only the route tables speak of: active routes from
        // both sides tell both VPCs.
        let mut sides: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (_, vpc, r) in self.routes() {
            if let Some(p) = &r.vpc_peering_connection_id {
                if route_active(r) && !self.input.peerings.contains_key(p.as_str()) {
                    sides.entry(p.clone()).or_default().insert(vpc.to_string());
                }
            }
        }
        for (id, vpcs) in sides {
            let v: Vec<String> = vpcs.into_iter().collect();
            if let [a, b] = v.as_slice() {
                let overlap = self.scenario.vpcs[a].cidrs.iter().any(|x| {
                    self.scenario.vpcs[b]
                        .cidrs
                        .iter()
                        .any(|y| x.contains(y) || y.contains(x))
                });
                if overlap {
                    continue;
                }
                self.scenario.peerings.insert(
                    id.clone(),
                    out::Peering {
                        head: Head::default(),
                        requester: a.clone(),
                        accepter: b.clone(),
                        ..out::Peering::default()
                    },
                );
                self.notes.add(
                    Approximated,
                    &id,
                    "peering connection not in the files, imported from the active routes of both VPCs (which side requested it is unknown)",
                );
            }
        }
    }

    pub(super) fn peered(&self, a: &str, b: &str) -> bool {
        a == b
            || self.scenario.peerings.values().any(|p| {
                (p.requester == a && p.accepter == b) || (p.requester == b && p.accepter == a)
            })
    }
}

/// A side's `PeeringOptions.AllowDnsResolutionFromRemoteVpc` (DNS-4).
fn dns(side: &Option<aws::PeeringVpcInfo>) -> bool {
    side.as_ref()
        .and_then(|i| i.peering_options.as_ref())
        .and_then(|o| o.allow_dns_resolution_from_remote_vpc)
        .unwrap_or(false)
}
