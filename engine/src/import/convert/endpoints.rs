//! VPC endpoints, gateway and interface.

use super::*;

impl Cx<'_> {
    pub(super) fn endpoints(&mut self) {
        let region = self.scenario.region.clone();
        let list: Vec<(&str, &aws::VpcEndpoint)> =
            self.input.endpoints.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, e) in list {
            self.accounted_enis
                .extend(e.network_interface_ids.iter().cloned());
            let state = e
                .state
                .as_deref()
                .unwrap_or("available")
                .to_ascii_lowercase();
            if !matches!(state.as_str(), "available" | "pending") {
                self.notes
                    .add(Skipped, id, format!("VPC endpoint in state {state}"));
                continue;
            }
            if !self.scenario.vpcs.contains_key(&e.vpc_id) {
                self.notes.left_out_with(
                    &e.vpc_id,
                    "VPC",
                    in_files(&self.input, "VPC", &e.vpc_id),
                    format!("endpoint {id}"),
                );
                continue;
            }
            let service = service_short(&e.service_name);
            let kind = match e.vpc_endpoint_type.to_ascii_lowercase().as_str() {
                "gateway" => {
                    if service != "s3" && service != "dynamodb" {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("gateway endpoint for {}", e.service_name),
                        );
                        continue;
                    }
                    let list_name = builtin::service_list_name(&region, &service);
                    let known = self
                        .scenario
                        .prefix_lists
                        .values()
                        .any(|p| p.list_name.as_deref() == Some(list_name.as_str()))
                        || builtin::prefix_list(&list_name).is_some();
                    if !known {
                        self.notes.add(
                            Unknown,
                            id,
                            format!("gateway endpoint left out: the prefix list {list_name} is not in the files (add describe-prefix-lists output as PrefixLists.json)"),
                        );
                        continue;
                    }
                    let mut route_tables: Vec<String> = Vec::new();
                    for rt in &e.route_table_ids {
                        let ok = self
                            .input
                            .route_tables
                            .get(rt.as_str())
                            .is_some_and(|t| t.vpc_id == e.vpc_id);
                        if ok {
                            route_tables.push(rt.clone());
                        } else {
                            self.notes.add(
                                Unknown,
                                rt,
                                format!("route table of gateway endpoint {id}, not in the files"),
                            );
                        }
                    }
                    out::EndpointKind::Gateway { route_tables }
                }
                "interface" => {
                    let mut subnets: Vec<String> = Vec::new();
                    // IFE-1: one subnet per AZ; AWS refuses a second, so a
                    // file that gives one keeps the first listed.
                    let mut zones: BTreeMap<String, String> = BTreeMap::new();
                    for s in &e.subnet_ids {
                        if let Some(sub) = self.scenario.subnets.get(s) {
                            if subnets.contains(s) {
                                continue;
                            }
                            match zones.get(&sub.az) {
                                Some(first) => self.notes.add(
                                    Unsupported,
                                    id,
                                    format!("subnet {s} left out of the interface endpoint: {first} is in {} too, and an interface endpoint takes one subnet per Availability Zone (IFE-1)", sub.az),
                                ),
                                None => {
                                    zones.insert(sub.az.clone(), s.clone());
                                    subnets.push(s.clone());
                                }
                            }
                        } else {
                            self.notes.add(
                                Unknown,
                                s,
                                format!("subnet of interface endpoint {id}, not imported"),
                            );
                        }
                    }
                    if subnets.is_empty() {
                        self.notes.add(
                            Unknown,
                            id,
                            "interface endpoint with none of its subnets imported; left out",
                        );
                        continue;
                    }
                    subnets.sort();
                    subnets.dedup();
                    let security_groups =
                        self.groups_of(&format!("endpoint {id}"), &e.vpc_id, &e.groups);
                    // The endpoint's ENI in each subnet, with the address
                    // AWS gave it.
                    let enis: Vec<_> = e
                        .network_interface_ids
                        .iter()
                        .filter_map(|n| self.input.enis.get(n.as_str()))
                        .collect();
                    let private_ips: Vec<_> = subnets
                        .iter()
                        .filter_map(|s| {
                            enis.iter()
                                .find(|n| n.subnet_id.as_deref() == Some(s.as_str()))
                                .and_then(|n| n.private_ip_address)
                                .map(|ip| ip.0)
                        })
                        .collect();
                    let private_ips = if private_ips.len() == subnets.len() {
                        private_ips
                    } else {
                        self.notes.add(
                            Approximated,
                            id,
                            format!(
                                "the files give the addresses of {} of its {} ENIs; vpcsim allocates them",
                                private_ips.len(),
                                subnets.len()
                            ),
                        );
                        Vec::new()
                    };
                    out::EndpointKind::Interface {
                        subnets,
                        security_groups,
                        private_dns: e.private_dns_enabled.unwrap_or(true),
                        private_dns_only_inbound: e
                            .dns_options
                            .as_ref()
                            .and_then(|o| o.private_dns_only_for_inbound_resolver_endpoint),
                        private_ips,
                    }
                }
                other => {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("VPC endpoint of type {other} ({})", e.service_name),
                    );
                    continue;
                }
            };
            self.scenario.endpoints.insert(
                id.to_string(),
                out::Endpoint {
                    head: head(&e.tags),
                    vpc: e.vpc_id.clone(),
                    service,
                    kind,
                },
            );
        }
    }
}
