//! Instances, their network interfaces and addresses, and the network
//! interfaces that nothing imported accounts for.

use super::*;

impl Cx<'_> {
    /// The groups of an ENI that were imported; the others are noted.
    pub(super) fn groups_of(
        &mut self,
        owner: &str,
        vpc: &str,
        groups: &[aws::GroupRef],
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for g in groups {
            if let Some(sg) = self.scenario.sgs.get(&g.group_id) {
                if sg.vpc != vpc {
                    let other = sg.vpc.clone();
                    self.notes.add(
                        Unknown,
                        &g.group_id,
                        format!("security group of {owner} in {other}, not in its VPC {vpc}; left out there"),
                    );
                } else if !out.contains(&g.group_id) {
                    out.push(g.group_id.clone());
                }
            } else {
                self.notes.add(
                    Unknown,
                    &g.group_id,
                    format!("security group of {owner}, not in the files"),
                );
            }
        }
        out.sort();
        out
    }

    /// Adds an instance; its groups are resolved here.
    pub(super) fn add_instance(
        &mut self,
        id: &str,
        mut inst: out::Instance,
        groups: &[aws::GroupRef],
    ) {
        let vpc = self.scenario.subnets[&inst.subnet].vpc.clone();
        let sgs = self.groups_of(&format!("instance {id}"), &vpc, groups);
        inst.security_groups = if sgs.is_empty() {
            if !groups.is_empty() {
                self.notes.add(
                    Approximated,
                    id,
                    "none of its security groups is in the files; it gets the VPC's default group",
                );
            }
            None
        } else {
            Some(sgs)
        };
        if let Some(e) = &inst.eni {
            self.eni_owner.insert(e.clone(), id.to_string());
            self.accounted_enis.insert(e.clone());
        }
        self.scenario.instances.insert(id.to_string(), inst);
    }

    pub(super) fn instances(&mut self) {
        let list: Vec<(&str, &aws::Instance)> =
            self.input.instances.iter().map(|(k, v)| (*k, *v)).collect();
        // Instance types outside vpcsim's table, with their instances.
        let mut unknown_types: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, i) in list {
            let state = i.state.as_ref().map_or("running", |s| s.name.as_str());
            let all_enis: Vec<String> = i
                .network_interfaces
                .iter()
                .map(|n| n.network_interface_id.clone())
                .collect();
            if matches!(state, "terminated" | "shutting-down") {
                self.notes
                    .add(Skipped, id, format!("instance in state {state}"));
                self.accounted_enis.extend(all_enis);
                continue;
            }
            let Some(subnet) = &i.subnet_id else {
                self.notes
                    .add(Unsupported, id, "instance outside any VPC (EC2-Classic)");
                continue;
            };
            if !self.scenario.subnets.contains_key(subnet) {
                self.notes.left_out_with(
                    subnet,
                    "subnet",
                    in_files(&self.input, "subnet", subnet),
                    format!("instance {id}"),
                );
                self.accounted_enis.extend(all_enis);
                continue;
            }
            if matches!(state, "stopped" | "stopping") {
                self.notes.add(
                    Approximated,
                    id,
                    format!("instance {state} in the snapshot, imported as running"),
                );
            }
            // The primary ENI carries the instance in vpcsim.
            let primary = i
                .network_interfaces
                .iter()
                .find(|n| n.device_index() == Some(0))
                .or_else(|| i.network_interfaces.first());
            for n in &i.network_interfaces {
                if Some(&n.network_interface_id) != primary.map(|p| &p.network_interface_id) {
                    self.notes.add(
                        Unsupported,
                        &n.network_interface_id,
                        format!(
                            "second network interface (device {}) of instance {id}; vpcsim gives an instance one",
                            n.device_index().map_or("?".into(), |d| d.to_string())
                        ),
                    );
                    self.accounted_enis.insert(n.network_interface_id.clone());
                }
            }
            let private_ip = i
                .private_ip_address
                .or_else(|| primary.and_then(|p| p.private_ip_address))
                .map(|x| x.0);
            let public_ip = i
                .public_ip_address
                .map(|x| x.0)
                .or_else(|| primary.and_then(|p| p.public_ip()));
            if let Some(p) = primary.filter(|p| !p.ipv6_addresses.is_empty()) {
                self.notes.add(
                    Unsupported,
                    id,
                    format!(
                        "{} IPv6 addresses of {} left out (IPv6 is not supported)",
                        p.ipv6_addresses.len(),
                        p.network_interface_id
                    ),
                );
            }
            if let Some(p) = primary {
                let extra = p.secondary_ips();
                if !extra.is_empty() {
                    let list: Vec<String> = extra
                        .iter()
                        .map(|(ip, public)| match public {
                            Some(p) => format!("{ip} (with public IP {p})"),
                            None => ip.to_string(),
                        })
                        .collect();
                    self.notes.add(
                        Approximated,
                        id,
                        format!("secondary private IPs {} not represented", list.join(", ")),
                    );
                }
            }
            let groups = match primary {
                Some(p) if !p.groups.is_empty() => p.groups.clone(),
                _ => i.security_groups.clone(),
            };
            let sdc = primary
                .and_then(|p| p.source_dest_check)
                .or(i.source_dest_check)
                .unwrap_or(true);
            let private_ip = self.in_subnet(id, subnet, private_ip);
            let inst = out::Instance {
                head: head(&i.tags),
                subnet: subnet.clone(),
                private_ip,
                public_ip,
                security_groups: None,
                source_dest_check: sdc,
                eni: primary
                    .map(|p| p.network_interface_id.clone())
                    .filter(|e| !e.trim().is_empty()),
                instance_type: known_type(id, i.instance_type.as_deref(), &mut unknown_types),
            };
            self.add_instance(id, inst, &groups);
        }
        // Instances that only describe-network-interfaces speaks of.
        let enis: Vec<&aws::NetworkInterface> = self.input.enis.values().copied().collect();
        for n in enis {
            let Some(iid) = n.instance_id() else { continue };
            if self.input.instances.contains_key(iid) || n.device_index().unwrap_or(0) != 0 {
                continue;
            }
            let Some(subnet) = n
                .subnet_id
                .clone()
                .filter(|s| self.scenario.subnets.contains_key(s))
            else {
                continue;
            };
            let iid = iid.to_string();
            let private_ip = self.in_subnet(&iid, &subnet, n.private_ip_address.map(|x| x.0));
            let inst = out::Instance {
                head: Head::default(),
                subnet,
                private_ip,
                public_ip: n.public_ip(),
                security_groups: None,
                source_dest_check: n.source_dest_check.unwrap_or(true),
                eni: Some(n.network_interface_id.clone()),
                instance_type: None,
            };
            self.add_instance(&iid, inst, &n.groups);
            self.notes.add(
                Approximated,
                &iid,
                format!(
                    "instance not in describe-instances output, imported from its network interface {}",
                    n.network_interface_id
                ),
            );
        }
        for (t, ids) in unknown_types {
            self.notes
                .add(Approximated, &t, super::super::unknown_instance_type(&ids));
        }
    }

    /// `ip` when it lies in the subnet's CIDR; else noted and left out, so
    /// that vpcsim gives the instance an address of its subnet (files that
    /// disagree cannot both be right, and AWS allows no address outside it).
    fn in_subnet(&mut self, id: &str, subnet: &str, ip: Option<Ipv4Addr>) -> Option<Ipv4Addr> {
        let ip = ip?;
        match self.scenario.subnets.get(subnet) {
            Some(s) if !s.cidr.contains(&ip) => {
                let text = format!(
                    "private IP {ip} is outside its subnet {subnet} ({}); imported without it, so vpcsim gives it an address of the subnet",
                    s.cidr
                );
                self.notes.add(Approximated, id, text);
                None
            }
            _ => Some(ip),
        }
    }

    /// The public IP of an Elastic IP allocation or ENI, from describe-addresses.
    pub(super) fn elastic_ip(
        &self,
        allocation: Option<&str>,
        eni: Option<&str>,
    ) -> Option<Ipv4Addr> {
        self.input
            .addresses
            .iter()
            .find(|a| {
                (allocation.is_some() && a.allocation_id.as_deref() == allocation)
                    || (eni.is_some() && a.network_interface_id.as_deref() == eni)
            })
            .and_then(|a| a.public_ip)
            .map(|x| x.0)
    }

    /// ENIs of describe-network-interfaces that nothing imported accounts for.
    pub(super) fn leftover_enis(&mut self) {
        let enis: Vec<&aws::NetworkInterface> = self.input.enis.values().copied().collect();
        for n in enis {
            let id = n.network_interface_id.as_str();
            if self.accounted_enis.contains(id) {
                continue;
            }
            let itype = n.interface_type.as_deref().unwrap_or("interface");
            if itype == "lambda" && self.input.has_functions_file {
                continue; // a Hyperplane ENI of the functions imported
            }
            if let Some(iid) = n.instance_id() {
                if self.input.instances.contains_key(iid) {
                    continue; // noted with its instance
                }
            }
            let desc = n
                .description
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| format!(" \"{d}\""))
                .unwrap_or_default();
            let text = if itype == "lambda" {
                format!(
                    "Lambda network interface{desc}; add `aws lambda list-functions` output (Functions.json) to import the functions"
                )
            } else {
                format!(
                    "network interface of type {itype}{desc}, attached to nothing vpcsim models"
                )
            };
            self.notes.add(Unsupported, id, text);
        }
    }
}

/// The instance type as the scenario can carry it: one vpcsim's table knows
/// (BW-1); another is left out, so the interface sends at the default
/// bandwidth, and gathered in `unknown` for one note per type.
fn known_type(
    id: &str,
    t: Option<&str>,
    unknown: &mut BTreeMap<String, Vec<String>>,
) -> Option<String> {
    let t = t?;
    if crate::model::instance_type::lookup(t).is_some() {
        return Some(t.to_string());
    }
    unknown
        .entry(t.to_string())
        .or_default()
        .push(id.to_string());
    None
}
