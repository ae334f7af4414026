//! The region, VPCs, prefix lists and subnets: what everything else lives in.

use super::*;

impl<'a> Cx<'a> {
    pub(super) fn region(&mut self, folders: &[Folder]) {
        let regions: Vec<String> = folders.iter().filter_map(Folder::infer_region).collect();
        let distinct: BTreeSet<&String> = regions.iter().collect();
        self.scenario.region = match regions.first() {
            Some(r) => r.clone(),
            None => {
                self.notes.add(
                    Approximated,
                    "region",
                    "no folder name or availability zone tells the region; us-east-1 assumed",
                );
                "us-east-1".into()
            }
        };
        if distinct.len() > 1 {
            let list: Vec<&str> = distinct.iter().map(|s| s.as_str()).collect();
            self.notes.add(
                Approximated,
                "region",
                format!(
                    "resources of several regions ({}) in one file; the scenario's region is {}",
                    list.join(", "),
                    self.scenario.region
                ),
            );
        }
    }

    pub(super) fn vpcs(&mut self) {
        for (&id, v) in &self.input.vpcs {
            let mut cidrs: Vec<Ipv4Net> = Vec::new();
            let live = v.cidr_block_association_set.iter().filter(|a| {
                a.cidr_block_state
                    .as_ref()
                    .is_none_or(|s| s.state == "associated" || s.state == "associating")
            });
            let mut all: Vec<Ipv4Net> = live
                .map(|a| trunc_noted(&mut self.notes, id, "CIDR block", a.cidr_block))
                .collect();
            if v.cidr_block_association_set.is_empty() {
                all.extend(
                    v.cidr_block
                        .map(|c| trunc_noted(&mut self.notes, id, "CIDR block", c)),
                );
            }
            // The primary block first (ADDR-1).
            if let Some(p) = v.cidr_block.map(trunc) {
                if let Some(i) = all.iter().position(|c| *c == p) {
                    let c = all.remove(i);
                    all.insert(0, c);
                }
            }
            for c in all {
                if let Some(text) = Scenario::vpc_cidr_problem(c) {
                    self.notes.add(Unsupported, id, text);
                } else if !cidrs.contains(&c) {
                    cidrs.push(c);
                }
            }
            for a in &v.ipv6_cidr_block_association_set {
                if a.associated() {
                    let block = a.ipv6_cidr_block.as_deref().unwrap_or("an IPv6 block");
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("IPv6 CIDR block {block} left out (IPv6 is not supported)"),
                    );
                }
            }
            if cidrs.is_empty() {
                self.notes
                    .add(Unsupported, id, "VPC without an IPv4 CIDR block");
                continue;
            }
            if self.scenario.account_id.is_none() {
                self.scenario.account_id = v.owner_id.clone();
            }
            self.scenario.vpcs.insert(
                id.to_string(),
                out::Vpc {
                    head: head(&v.tags),
                    cidrs,
                },
            );
        }
    }

    pub(super) fn prefix_lists(&mut self) {
        let lists: Vec<(&'a str, &'a aws::PrefixList)> = self
            .input
            .prefix_lists
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        for (id, p) in lists {
            self.add_prefix_list(id, p.prefix_list_name.clone(), &p.cidrs);
        }
        let managed: Vec<(&'a str, &'a aws::ManagedPrefixList)> = self
            .input
            .managed_lists
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        for (id, m) in managed {
            if self.scenario.prefix_lists.contains_key(id) {
                continue;
            }
            if m.address_family.as_deref() == Some("IPv6") {
                self.notes
                    .add(Unsupported, id, "IPv6 managed prefix list left out");
                continue;
            }
            if matches!(
                m.state.as_deref(),
                Some("delete-complete" | "delete-in-progress" | "delete-failed")
            ) {
                self.notes.add(
                    Skipped,
                    id,
                    format!(
                        "managed prefix list in state {}",
                        m.state.as_deref().unwrap_or("")
                    ),
                );
                continue;
            }
            match self.input.entries.get(id) {
                Some(e) => {
                    let cidrs: Vec<String> = e.iter().map(|e| e.cidr.clone()).collect();
                    self.add_prefix_list(id, m.prefix_list_name.clone(), &cidrs);
                }
                None => {
                    self.lists_without_entries.insert(id.to_string());
                }
            }
        }
        let extra: Vec<(&str, &[aws::PrefixListEntry])> = self
            .input
            .entries
            .iter()
            .filter(|(id, _)| !self.scenario.prefix_lists.contains_key(**id))
            .filter(|(id, _)| !self.input.managed_lists.contains_key(**id))
            .map(|(id, e)| (*id, *e))
            .collect();
        for (id, e) in extra {
            let cidrs: Vec<String> = e.iter().map(|e| e.cidr.clone()).collect();
            self.add_prefix_list(id, None, &cidrs);
        }
    }

    pub(super) fn add_prefix_list(
        &mut self,
        id: &str,
        list_name: Option<String>,
        cidrs: &[String],
    ) {
        let mut v4: Vec<Ipv4Net> = Vec::new();
        let mut v6 = 0;
        for c in cidrs {
            match c.trim().parse::<Ipv4Net>() {
                Ok(n) => {
                    let n = n.trunc();
                    if !v4.contains(&n) {
                        v4.push(n);
                    }
                }
                Err(_) => v6 += 1,
            }
        }
        if v6 > 0 {
            self.notes.add(
                Unsupported,
                id,
                format!("{v6} entries that are not IPv4 CIDRs left out"),
            );
        }
        if v4.is_empty() && v6 > 0 {
            return;
        }
        self.scenario.prefix_lists.insert(
            id.to_string(),
            out::PrefixList {
                head: Head::default(),
                list_name,
                cidrs: v4,
            },
        );
    }

    /// Whether `id` is an IPv6 managed prefix list of the files: IPv6 is
    /// not modelled, so it is left out.
    pub(super) fn ipv6_list(&self, id: &str) -> bool {
        self.input
            .managed_lists
            .get(id)
            .is_some_and(|m| m.address_family.as_deref() == Some("IPv6"))
    }

    /// What a rule or route naming prefix list `id`, which is not
    /// imported, is noted as: the kind and why.
    pub(super) fn list_left_out(&self, id: &str) -> (NoteKind, &'static str) {
        if self.ipv6_list(id) {
            (Unsupported, "an IPv6 prefix list; IPv6 is not modelled")
        } else {
            (Unknown, "its prefix list is unknown")
        }
    }

    /// Makes sure a prefix list named by a rule or route is in the file:
    /// from the files, else vpcsim's built-in copy.
    pub(super) fn want_prefix_list(&mut self, id: &str, by: &str) -> bool {
        if self.scenario.prefix_lists.contains_key(id) {
            return true;
        }
        if let Some(b) = builtin::PREFIX_LISTS.iter().find(|b| b.id == id) {
            self.scenario.prefix_lists.insert(
                id.to_string(),
                out::PrefixList {
                    head: Head {
                        name: None,
                        comments: vec![
                            "CIDRs from vpcsim's built-in copy (describe-prefix-lists output not given)"
                                .into(),
                        ],
                    },
                    list_name: Some(b.name.to_string()),
                    cidrs: b
                        .cidrs
                        .iter()
                        .map(|c| c.parse().expect("built-in CIDRs are valid"))
                        .collect(),
                },
            );
            return true;
        }
        if self.ipv6_list(id) {
            return false; // noted with the list, and by who names it
        }
        let why = if self.lists_without_entries.contains(id) {
            format!(
                "prefix list named by {by}; its entries are not in the files (PrefixListEntries-{id}.json)"
            )
        } else {
            format!("prefix list named by {by}, not in the files")
        };
        self.notes.add(Unknown, id, why);
        false
    }

    pub(super) fn subnets(&mut self) {
        for (&id, s) in &self.input.subnets {
            if !self.scenario.vpcs.contains_key(&s.vpc_id) {
                self.notes.left_out_with(
                    &s.vpc_id,
                    "VPC",
                    in_files(&self.input, "VPC", &s.vpc_id),
                    format!("subnet {id}"),
                );
                continue;
            }
            let Some(cidr) = s.cidr_block else {
                self.notes.add(Unsupported, id, "IPv6-only subnet left out");
                continue;
            };
            let net = trunc_noted(&mut self.notes, id, "CIDR", cidr);
            if let Some(text) = self.scenario.subnet_problem(&s.vpc_id, net) {
                self.notes.add(Unsupported, id, text);
                continue;
            }
            for a in &s.ipv6_cidr_block_association_set {
                if a.associated() {
                    let block = a.ipv6_cidr_block.as_deref().unwrap_or("an IPv6 block");
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("IPv6 CIDR block {block} left out (IPv6 is not supported)"),
                    );
                }
            }
            if s.outpost_arn.is_some() {
                self.notes.add(
                    Approximated,
                    id,
                    "subnet on an Outpost, imported as a regional subnet",
                );
            }
            self.scenario.subnets.insert(
                id.to_string(),
                out::Subnet {
                    head: head(&s.tags),
                    vpc: s.vpc_id.clone(),
                    cidr: trunc(cidr),
                    az: s.availability_zone.clone(),
                    route_table: None,
                    network_acl: None,
                },
            );
        }
    }
}
