//! Route tables: destinations, targets, and the checks AWS makes when a
//! route is created.

use super::*;

impl Builder<'_> {
    pub(super) fn route_target(
        &mut self,
        owner: &str,
        vpc: Option<VpcId>,
        target: &Id,
        dest: Option<&RouteDest>,
    ) -> Option<Target> {
        if target.v == "local" {
            return Some(Target::Local);
        }
        let kinds = [
            Kind::Igw,
            Kind::Nat,
            Kind::Endpoint,
            Kind::Instance,
            Kind::Eni,
            Kind::Peering,
            Kind::Vgw,
            Kind::Tgw,
        ];
        let c = self.reference(owner, "target", target, &kinds)?;
        // Both VPCs known, and different.
        let other_vpc = |v: Option<VpcId>| vpc.is_some() && v.is_some() && v != vpc;
        let t = match c {
            Component::Igw(g) => {
                if other_vpc(self.vpc_named(&self.raw.internet_gateways[g.idx()].vpc)) {
                    self.err(
                        &target.span,
                        format!(
                            "{owner}: internet gateway `{}` is attached to another VPC",
                            target.v
                        ),
                    );
                }
                Target::Igw(g)
            }
            Component::Nat(n) => {
                if other_vpc(self.eni_vpc(self.design.nats[n.idx()].eni)) {
                    self.err(
                        &target.span,
                        format!("{owner}: NAT gateway `{}` is in another VPC", target.v),
                    );
                }
                Target::Nat(n)
            }
            Component::Endpoint(e) => {
                let ep = &self.design.endpoints[e.idx()];
                match &ep.kind {
                    EndpointKind::Gateway { prefix_list, .. } => {
                        if dest != Some(&RouteDest::PrefixList(*prefix_list)) {
                            let pl = self
                                .design
                                .prefix_lists
                                .get(prefix_list.idx())
                                .map_or("", |p| p.name.as_str())
                                .to_string();
                            self.err(&target.span, format!("{owner}: gateway endpoint `{}` is only the target of its service's prefix-list route (`{pl}`) (RT-7)", target.v));
                        }
                    }
                    EndpointKind::Interface { .. } => {
                        self.err(&target.span, format!("{owner}: `{}` is an interface endpoint; routes cannot target it (traffic reaches it by its address)", target.v));
                    }
                }
                Target::Endpoint(e)
            }
            Component::Instance(i) => Target::Eni(self.design.instances[i.idx()].eni),
            Component::Eni(e) => Target::Eni(e),
            Component::Peering(p) => {
                let pc = &self.raw.vpc_peerings[p.idx()];
                let ends = (self.vpc_named(&pc.requester), self.vpc_named(&pc.accepter));
                if let (Some(v), (Some(a), Some(b))) = (vpc, ends) {
                    if v != a && v != b {
                        self.err(
                            &target.span,
                            format!(
                                "{owner}: peering `{}` does not connect this route table's VPC",
                                target.v
                            ),
                        );
                    }
                }
                Target::Peering(p)
            }
            Component::Vgw(g) => {
                if other_vpc(self.vpc_named(&self.raw.vpn_gateways[g.idx()].vpc)) {
                    self.err(
                        &target.span,
                        format!(
                            "{owner}: VPN gateway `{}` is attached to another VPC",
                            target.v
                        ),
                    );
                }
                Target::Vgw(g)
            }
            Component::Tgw(t) => {
                // AWS refuses a route to a transit gateway the VPC has no
                // attachment to (TGW-2).
                if let Some(v) = vpc {
                    if self.vpc_attachment(t, v).is_none() {
                        self.err(
                            &target.span,
                            format!(
                                "{owner}: VPC `{}` has no attachment to transit gateway `{}`; add a [[transit_gateway_attachment]] for it (TGW-2)",
                                self.design.vpcs[v.idx()].name,
                                target.v
                            ),
                        );
                    }
                }
                Target::Tgw(t)
            }
            _ => return None,
        };
        if let Target::Eni(e) = t {
            if other_vpc(self.eni_vpc(e)) {
                self.err(
                    &target.span,
                    format!("{owner}: `{}` is in another VPC", target.v),
                );
            }
        }
        Some(t)
    }

    /// A route destination: a CIDR, or the id of a prefix list.
    pub(super) fn route_dest(&mut self, owner: &str, d: &Sp<String>) -> Option<RouteDest> {
        let text = d.v.trim();
        let looks_like_cidr = text.contains('/')
            || text.contains(':')
            || text.chars().next().is_some_and(|c| c.is_ascii_digit());
        if looks_like_cidr {
            match parse_cidr(text) {
                Ok(net) => {
                    let reserved: Ipv4Net = RESERVED_LINK_LOCAL.parse().expect("literal");
                    // An exact match or a subset is refused; a larger block
                    // that holds the range is allowed (RT-8a).
                    if reserved.contains(&net) {
                        self.err(
                            &d.span,
                            format!(
                                "{owner}: {net} is within {RESERVED_LINK_LOCAL}, which AWS reserves; routes to it or part of it are not allowed (a larger block that holds it is) (RT-8a)"
                            ),
                        );
                        return None;
                    }
                    Some(RouteDest::Cidr(net))
                }
                Err(m) => {
                    self.err(&d.span, format!("{owner}: `destination` {m}"));
                    None
                }
            }
        } else {
            match self.reference(owner, "destination", d, &[Kind::PrefixList])? {
                Component::PrefixList(p) => Some(RouteDest::PrefixList(p)),
                _ => None,
            }
        }
    }

    /// Checks one route against the table's VPC (RT-2); returns it resolved.
    pub(super) fn route(
        &mut self,
        owner: &str,
        vpc: Option<VpcId>,
        r: &raw::Route,
    ) -> Option<Route> {
        let dest_raw = r.destination.as_ref()?;
        let target_raw = r.target.as_ref()?;
        let dest = self.route_dest(owner, dest_raw);
        let target = if r.blackhole {
            match self.names.get(&target_raw.v) {
                Some(_) => self.route_target(owner, vpc, target_raw, dest.as_ref()),
                None => Some(Target::Missing(target_raw.v.clone())),
            }
        } else {
            self.route_target(owner, vpc, target_raw, dest.as_ref())
        };
        let (dest, target) = (dest?, target?);
        if let (RouteDest::Cidr(net), Some(v)) = (dest, vpc) {
            let v = &self.design.vpcs[v.idx()];
            if let Some(vc) = v.cidrs.iter().find(|vc| vc.contains(&net)) {
                let middlebox =
                    matches!(target, Target::Eni(_) | Target::Nat(_) | Target::Missing(_));
                if net == *vc {
                    // The local route's target may be replaced by a middlebox
                    // (RT-2); the route then wins over the local route.
                    if target != Target::Local && !middlebox {
                        self.err(&dest_raw.span, format!("{owner}: `{net}` is the VPC's own CIDR; the target of its local route can be replaced only by an instance, ENI or NAT gateway (RT-2)"));
                    }
                } else {
                    let is_subnet = v.subnets.iter().any(|s| {
                        self.raw.subnets[s.idx()]
                            .cidr
                            .as_ref()
                            .is_some_and(|c| c.v == net)
                    });
                    if !(is_subnet && middlebox) {
                        self.err(&dest_raw.span, format!("{owner}: `{net}` is more specific than the local route {vc}; that is allowed only for exactly a subnet's CIDR with an instance, ENI or NAT gateway as target (RT-2)"));
                    }
                }
            } else if target == Target::Local {
                self.err(
                    &target_raw.span,
                    format!("{owner}: target `local` is only for the VPC's own CIDRs"),
                );
            }
        }
        Some(Route {
            dest,
            target,
            blackhole: r.blackhole,
        })
    }

    /// A table's routes as written (in the file or a timeline `set`): one
    /// per destination, the local ones left implicit (RT-2).
    pub(super) fn route_list(
        &mut self,
        owner: &str,
        vpc: Option<VpcId>,
        written: &[Sp<raw::Route>],
    ) -> Vec<Route> {
        let mut routes: Vec<Route> = Vec::new();
        let mut seen: BTreeMap<RouteDest, Span> = BTreeMap::new();
        for r in written {
            let Some(route) = self.route(owner, vpc, &r.v) else {
                continue;
            };
            if let Some(prev) = seen.get(&route.dest) {
                let line = self.line_of(prev, &r.span);
                self.err(
                    &r.span,
                    format!("{owner}: a route to this destination already exists on {line}"),
                );
                continue;
            }
            seen.insert(route.dest, r.span.clone());
            if route.target != Target::Local {
                routes.push(route);
            }
        }
        routes
    }

    /// A subnet's `route_table`: a table of the subnet's own VPC (RT-1).
    pub(super) fn subnet_route_table(
        &mut self,
        owner: &str,
        s: SubnetId,
        r: &Id,
    ) -> Option<RouteTableId> {
        let Some(Component::RouteTable(t)) =
            self.reference(owner, "route_table", r, &[Kind::RouteTable])
        else {
            return None;
        };
        let (vpc, other) = (self.subnet_vpc(s), self.route_table_vpc(t));
        if vpc.is_some() && other.is_some() && other != vpc {
            self.err(
                &r.span,
                format!("{owner}: route table `{}` belongs to another VPC", r.v),
            );
            return None;
        }
        Some(t)
    }

    pub(super) fn route_tables(&mut self) {
        let raw = self.raw;
        let mut mains: BTreeMap<VpcId, Span> = BTreeMap::new();
        for (i, t) in raw.route_tables.iter().enumerate() {
            let owner = format!("route table `{}`", shown_id(&t.id.v));
            let vpc = self.vpc_ref(&owner, &t.vpc);
            let main = t.main.as_ref().is_some_and(|m| m.v);
            if let (Some(v), Some(m)) = (vpc, &t.main) {
                if m.v {
                    if let Some(prev) = mains.get(&v) {
                        let line = self.line_of(prev, &m.span);
                        self.err(&m.span, format!("{owner}: VPC `{}` already has a main route table, on {line}; exactly one per VPC (RT-1)", self.design.vpcs[v.idx()].name));
                    } else {
                        mains.insert(v, m.span.clone());
                        self.design.vpcs[v.idx()].main_route_table =
                            Some(RouteTableId::from_idx(i));
                    }
                }
            }
            self.design.route_tables.push(RouteTable {
                name: t.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                main,
                routes: vec![],
            });
        }
        for (i, t) in raw.route_tables.iter().enumerate() {
            let owner = format!("route table `{}`", shown_id(&t.id.v));
            let vpc = t.vpc.as_ref().and_then(|v| match self.names.get(&v.v) {
                Some((Component::Vpc(v), _)) => Some(*v),
                _ => None,
            });
            let routes = self.route_list(&owner, vpc, &t.routes);
            self.design.route_tables[i].routes = routes;
        }
        // Implicit main route tables, with only local routes (RT-1).
        for v in 0..self.design.vpcs.len() {
            if self.design.vpcs[v].main_route_table.is_some() {
                continue;
            }
            let id = RouteTableId::from_idx(self.design.route_tables.len());
            let name = format!("{}/main-rt", self.design.vpcs[v].name);
            self.design.route_tables.push(RouteTable {
                name: name.clone(),
                vpc: VpcId::from_idx(v),
                main: true,
                routes: vec![],
            });
            self.design.vpcs[v].main_route_table = Some(id);
            self.names
                .entry(name)
                .or_insert((Component::RouteTable(id), 0..0));
        }
        // Gateway endpoint routes (GWE-2).
        for e in 0..self.design.endpoints.len() {
            if let EndpointKind::Gateway {
                prefix_list,
                route_tables,
            } = &self.design.endpoints[e].kind
            {
                let (pl, rts) = (*prefix_list, route_tables.clone());
                for rt in rts {
                    let routes = &mut self.design.route_tables[rt.idx()].routes;
                    let dest = RouteDest::PrefixList(pl);
                    if !routes.iter().any(|r| r.dest == dest) {
                        routes.push(Route {
                            dest,
                            target: Target::Endpoint(EndpointId::from_idx(e)),
                            blackhole: false,
                        });
                    }
                }
            }
        }
        // Subnet associations (RT-1).
        for (i, s) in raw.subnets.iter().enumerate() {
            let vpc = self.subnet_vpc(SubnetId::from_idx(i));
            let mut rt = vpc.and_then(|v| self.design.vpcs[v.idx()].main_route_table);
            if let Some(r) = &s.route_table {
                let owner = format!("subnet `{}`", shown_id(&s.id.v));
                if let Some(t) = self.subnet_route_table(&owner, SubnetId::from_idx(i), r) {
                    rt = Some(t);
                }
            }
            self.subnets[i].route_table = rt;
        }
    }
}
