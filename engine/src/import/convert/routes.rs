//! Route tables, their routes and targets, and their associations with
//! subnets.

use super::*;

impl<'a> Cx<'a> {
    /// Every route of every table whose VPC is imported: (table, VPC, route).
    pub(super) fn routes(&self) -> Vec<(&'a str, &'a str, &'a aws::Route)> {
        let mut out = Vec::new();
        for (&id, &t) in &self.input.route_tables {
            if !self.scenario.vpcs.contains_key(&t.vpc_id) {
                continue;
            }
            for r in &t.routes {
                out.push((id, t.vpc_id.as_str(), r));
            }
        }
        out
    }

    /// A route's target, if it is imported and of a kind a route may name.
    /// A route's target, if it is imported, of a kind a route may name, and
    /// reachable from the table's VPC (AWS ensures that; broken input may not).
    pub(super) fn resolve_target(
        &self,
        kind: TargetKind,
        id: &str,
        r: &aws::Route,
        vpc: &str,
    ) -> Option<String> {
        let subnet_vpc = |s: &str| self.scenario.subnets.get(s).map(|s| s.vpc.as_str());
        let instance_vpc = |i: &str| {
            self.scenario
                .instances
                .get(i)
                .and_then(|x| subnet_vpc(&x.subnet))
        };
        let have = match kind {
            TargetKind::Igw => self.scenario.igws.get(id).is_some_and(|g| g.vpc == vpc),
            TargetKind::Vgw => self.scenario.vgws.get(id).is_some_and(|g| g.vpc == vpc),
            TargetKind::Nat => self
                .scenario
                .nats
                .get(id)
                .is_some_and(|n| subnet_vpc(&n.subnet) == Some(vpc)),
            TargetKind::Peering => self
                .scenario
                .peerings
                .get(id)
                .is_some_and(|p| p.requester == vpc || p.accepter == vpc),
            TargetKind::Endpoint => self.scenario.endpoints.get(id).is_some_and(|e| {
                e.vpc == vpc && matches!(e.kind, out::EndpointKind::Gateway { .. })
            }),
            TargetKind::InstanceOrEni => {
                // Prefer the ENI: AWS prints both for an instance target.
                if let Some(e) = &r.network_interface_id {
                    if let Some(i) = self.eni_owner.get(e) {
                        if instance_vpc(i) == Some(vpc) {
                            return Some(e.clone());
                        }
                    }
                }
                if let Some(i) = &r.instance_id {
                    if instance_vpc(i) == Some(vpc) {
                        return Some(i.clone());
                    }
                }
                false
            }
            TargetKind::Tgw => self
                .scenario
                .tgw_attachments
                .values()
                .any(|a| a.tgw == id && a.vpc == vpc),
            TargetKind::Local | TargetKind::Unsupported(_) => false,
        };
        have.then(|| id.to_string())
    }

    /// The NAT gateway whose network interface `eni` is, from
    /// `NatGateways.json`, when that gateway is imported.
    fn nat_of_eni(&self, eni: &str) -> Option<String> {
        self.input
            .nats
            .iter()
            .find(|(_, n)| {
                n.nat_gateway_addresses
                    .iter()
                    .any(|a| a.network_interface_id.as_deref() == Some(eni))
            })
            .map(|(id, _)| id.to_string())
            .filter(|id| self.scenario.nats.contains_key(id))
    }

    pub(super) fn route_tables(&mut self) {
        // Targets left out, with the tables whose routes name them.
        let mut missing: BTreeMap<String, (String, bool, BTreeSet<String>)> = BTreeMap::new();
        let tables: Vec<(&str, &aws::RouteTable)> = self
            .input
            .route_tables
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        // Each VPC's main route table, the first (by id) that claims it.
        let mut mains: BTreeMap<String, String> = BTreeMap::new();
        for (id, t) in tables {
            if !self.scenario.vpcs.contains_key(&t.vpc_id) {
                self.notes.left_out_with(
                    &t.vpc_id,
                    "VPC",
                    in_files(&self.input, "VPC", &t.vpc_id),
                    format!("route table {id}"),
                );
                continue;
            }
            let vpc_cidrs = self.scenario.vpcs[&t.vpc_id].cidrs.clone();
            let mut main = t.associations.iter().any(|a| a.main && a.live());
            if main {
                if let Some(first) = mains.get(&t.vpc_id) {
                    // Files AWS did not write as one account's view: a VPC
                    // has exactly one main route table (RT-1).
                    self.notes.add(
                        Unsupported,
                        id,
                        format!(
                            "also marked the main route table of {}, whose main route table is {first}; imported as an ordinary table (a VPC has exactly one, RT-1)",
                            t.vpc_id
                        ),
                    );
                    main = false;
                } else {
                    mains.insert(t.vpc_id.clone(), id.to_string());
                }
            }
            let mut routes: Vec<out::Route> = Vec::new();
            for r in &t.routes {
                if propagated(r) {
                    continue; // from the VGW's on-premises networks
                }
                let Some((mut target_id, mut kind)) = route_target(r) else {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!(
                            "route {} left out: it names no target (no GatewayId, NatGatewayId, NetworkInterfaceId or other target field)",
                            route_destination_text(r)
                        ),
                    );
                    continue;
                };
                if kind == TargetKind::Local {
                    continue; // implicit (RT-2)
                }
                // A NAT gateway's own network interface (requester-managed,
                // `InterfaceType` `nat_gateway`) hands what reaches it to the
                // gateway: the route is to the NAT gateway (NAT-1).
                if kind == TargetKind::InstanceOrEni && r.instance_id.is_none() {
                    if let Some(nat) = self.nat_of_eni(&target_id) {
                        self.notes.add(
                            Approximated,
                            id,
                            format!(
                                "route {} -> {target_id}, the network interface of NAT gateway {nat}: written with {nat} as its target",
                                route_destination_text(r)
                            ),
                        );
                        target_id = nat;
                        kind = TargetKind::Nat;
                    }
                }
                let destination = if let Some(c) = r.destination_cidr_block {
                    let net = trunc_noted(&mut self.notes, id, "route destination", c);
                    if vpc_cidrs.contains(&net) {
                        self.notes.add(
                            Unsupported,
                            id,
                            format!("route {net} -> {target_id} replaces the local route; left out (vpcsim keeps the local route)"),
                        );
                        continue;
                    }
                    // Inside the VPC's CIDR, a route may name exactly a
                    // subnet's CIDR with a middlebox as target (RT-2); a
                    // subnet the files lack (or left out) leaves a route
                    // the loader would refuse.
                    if vpc_cidrs.iter().any(|vc| vc.contains(&net)) {
                        let subnet = self
                            .scenario
                            .subnets
                            .values()
                            .any(|s| s.vpc == t.vpc_id && s.cidr == net);
                        let middlebox = matches!(kind, TargetKind::InstanceOrEni | TargetKind::Nat);
                        if !(subnet && middlebox) {
                            let why = if subnet {
                                "only an instance, network interface or NAT gateway may take a subnet's traffic from the local route"
                            } else {
                                "no subnet of the VPC in the files has that CIDR"
                            };
                            self.notes.add(
                                Unsupported,
                                id,
                                format!("route {net} -> {target_id} is more specific than the local route and {why} (RT-2); left out"),
                            );
                            continue;
                        }
                    }
                    net.to_string()
                } else if let Some(pl) = &r.destination_prefix_list_id {
                    // A gateway endpoint's route comes from the endpoint.
                    if kind == TargetKind::Endpoint {
                        if let Some(out::Endpoint {
                            kind: out::EndpointKind::Gateway { route_tables },
                            ..
                        }) = self
                            .scenario
                            .endpoints
                            .get_mut(&target_id)
                            .filter(|e| e.vpc == t.vpc_id)
                        {
                            if !route_tables.iter().any(|x| x == id) {
                                route_tables.push(id.to_string());
                            }
                            continue;
                        }
                    }
                    if !self.want_prefix_list(pl, &format!("route table {id}")) {
                        let (kind, why) = self.list_left_out(pl);
                        self.notes.add(
                            kind,
                            id,
                            format!("route {pl} -> {target_id} left out ({why})"),
                        );
                        continue;
                    }
                    pl.clone()
                } else {
                    let text = match &r.destination_ipv6_cidr_block {
                        Some(v6) => format!("route {v6} -> {target_id} left out (IPv6)"),
                        None => format!(
                            "route -> {target_id} left out: it names no destination (no DestinationCidrBlock or DestinationPrefixListId)"
                        ),
                    };
                    self.notes.add(Unsupported, id, text);
                    continue;
                };
                // A table holds one route per destination: a repeated
                // one keeps the first in the file.
                if routes.iter().any(|x| x.destination == destination) {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("route {destination} -> {target_id} left out: the table already routes {destination} (the first in the file is kept)"),
                    );
                    continue;
                }
                let mut blackhole = !route_active(r);
                let target = match self.resolve_target(kind, &target_id, r, &t.vpc_id) {
                    Some(t) => t,
                    None => {
                        let (what, unsupported) = match kind {
                            TargetKind::Unsupported(w) => (w.to_string(), true),
                            TargetKind::Igw => ("internet gateway".into(), false),
                            TargetKind::Vgw => ("VPN gateway".into(), false),
                            TargetKind::Nat => ("NAT gateway".into(), false),
                            TargetKind::Peering => ("peering connection".into(), false),
                            TargetKind::Tgw => ("transit gateway".into(), false),
                            TargetKind::Endpoint => ("VPC endpoint".into(), false),
                            TargetKind::InstanceOrEni => {
                                ("instance or network interface".into(), false)
                            }
                            TargetKind::Local => unreachable!("skipped above"),
                        };
                        // An instance target is reported by the id AWS shows.
                        let shown = match kind {
                            TargetKind::InstanceOrEni => {
                                r.instance_id.clone().unwrap_or_else(|| target_id.clone())
                            }
                            _ => target_id.clone(),
                        };
                        // A blackhole names what no longer exists; an id the
                        // file defines would be checked as a live target.
                        if self.scenario.ids().iter().any(|(x, _)| *x == shown) {
                            let why = if kind == TargetKind::Tgw {
                                format!("the VPC has no attachment to {shown} in the design")
                            } else {
                                "the target is in another VPC, or of a kind a route cannot name"
                                    .to_string()
                            };
                            self.notes.add(
                                Unsupported,
                                id,
                                format!("route {destination} -> {shown} left out: {why}"),
                            );
                            continue;
                        }
                        let e = missing.entry(shown.clone()).or_insert((
                            what,
                            unsupported,
                            BTreeSet::new(),
                        ));
                        e.2.insert(if route_active(r) {
                            id.to_string()
                        } else {
                            format!("{id} (a blackhole in AWS too)")
                        });
                        blackhole = true;
                        shown
                    }
                };
                routes.push(out::Route {
                    destination,
                    target,
                    blackhole,
                });
            }
            let h = head(&t.tags);
            self.scenario.route_tables.insert(
                id.to_string(),
                out::RouteTable {
                    head: h,
                    vpc: t.vpc_id.clone(),
                    main,
                    routes,
                },
            );
        }
        for (target, (what, unsupported, tables)) in missing {
            let list: Vec<String> = tables.into_iter().collect();
            // In the files but left out: its own note says why.
            let own = [Unsupported, Skipped, Unknown]
                .into_iter()
                .find(|k| self.notes.0.contains_key(&(*k, target.clone())));
            let (kind, text) = if let Some(k) = own {
                (
                    k,
                    format!("routes to it in {} are kept as blackholes", list.join(", ")),
                )
            } else if unsupported {
                (
                    Unsupported,
                    format!("{what}, the target of routes in {}", list.join(", ")),
                )
            } else {
                (
                    Unknown,
                    format!("{what} named by routes in {}", list.join(", ")),
                )
            };
            self.notes.add(kind, &target, text);
        }
        for e in self.scenario.endpoints.values_mut() {
            if let out::EndpointKind::Gateway { route_tables } = &mut e.kind {
                route_tables.sort();
                route_tables.dedup();
            }
        }
    }

    /// A blackhole route keeps the id of a target the files lack; when that
    /// id turns out to be a resource of another kind in the design (a route
    /// table, a subnet, an on-premises network), no route can name it, so
    /// the route is left out and noted.
    pub(super) fn blackholes_naming_other_kinds(&mut self) {
        const TARGETS: [&str; 8] = [
            "internet_gateway",
            "nat_gateway",
            "vpc_endpoint",
            "instance",
            "instance eni",
            "vpc_peering",
            "vpn_gateway",
            "transit_gateway",
        ];
        let kinds: BTreeMap<String, &'static str> = self
            .scenario
            .ids()
            .into_iter()
            .map(|(id, k)| (id.to_string(), k))
            .collect();
        for (id, t) in self.scenario.route_tables.iter_mut() {
            t.routes.retain(|r| {
                let other =
                    r.blackhole && kinds.get(&r.target).is_some_and(|k| !TARGETS.contains(k));
                if other {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!(
                            "route {} -> {} left out: the target is a {}, which no route can name",
                            r.destination,
                            r.target,
                            kinds[&r.target].replace('_', " ")
                        ),
                    );
                }
                !other
            });
        }
    }

    pub(super) fn associations(&mut self) {
        for (id, t) in &self.input.route_tables {
            if !self.scenario.route_tables.contains_key(*id) {
                continue;
            }
            for a in t.associations.iter().filter(|a| a.live()) {
                if let Some(s) = a
                    .subnet_id
                    .as_ref()
                    .and_then(|s| self.scenario.subnets.get_mut(s))
                {
                    if s.vpc == t.vpc_id {
                        s.route_table = Some(id.to_string());
                    }
                }
                if let Some(g) = &a.gateway_id {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("gateway route table: its edge association with {g} (ingress routing) is left out; the table is imported with its routes"),
                    );
                }
            }
            for p in &t.propagating_vgws {
                if let Some(g) = self.scenario.vgws.get_mut(&p.gateway_id) {
                    if g.vpc == t.vpc_id && !g.propagate_to.iter().any(|x| x == id) {
                        g.propagate_to.push(id.to_string());
                    }
                }
            }
        }
        for g in self.scenario.vgws.values_mut() {
            g.propagate_to.sort();
        }
        for (id, a) in &self.input.nacls {
            if !self.scenario.nacls.contains_key(*id) {
                continue;
            }
            for s in &a.associations {
                if let Some(sub) = self.scenario.subnets.get_mut(&s.subnet_id) {
                    if sub.vpc == a.vpc_id {
                        sub.network_acl = Some(id.to_string());
                    }
                }
            }
        }
    }
}

/// A route's destination as the file gives it, for notes.
fn route_destination_text(r: &aws::Route) -> String {
    if let Some(c) = r.destination_cidr_block {
        trunc(c).to_string()
    } else if let Some(p) = &r.destination_prefix_list_id {
        p.clone()
    } else if let Some(v6) = &r.destination_ipv6_cidr_block {
        v6.clone()
    } else {
        "without a destination".to_string()
    }
}
