//! The timeline: events that change the design during a run.

use super::*;

impl Builder<'_> {
    pub(super) fn events(&mut self) {
        let raw = self.raw;
        let mut events: Vec<(Nanos, usize, Action)> = Vec::new();
        for (n, e) in raw.events.iter().enumerate() {
            let Some(at) = &e.at else { continue };
            if at.v > self.duration && self.duration > Nanos::ZERO {
                self.err(
                    &at.span,
                    format!(
                        "an event at {} is after the end of the run ({})",
                        at.v, self.duration
                    ),
                );
            }
            let Some(action) = &e.action else { continue };
            let resolved = match &action.v {
                raw::EventAction::Delete(id) => {
                    let kinds = [
                        Kind::Nat,
                        Kind::Igw,
                        Kind::Instance,
                        Kind::Eni,
                        Kind::Endpoint,
                        Kind::Peering,
                        Kind::Vgw,
                        Kind::TgwAttachment,
                    ];
                    let c = self.reference("event `delete`", "delete", id, &kinds);
                    if let Some(Component::Endpoint(e)) = c {
                        self.name_left_without_address(e, id);
                    }
                    c.map(Action::Delete)
                }
                raw::EventAction::AddRoute(c) => self.route_change("event `add_route`", c, true),
                raw::EventAction::DeleteRoute(c) => {
                    self.route_change("event `delete_route`", c, false)
                }
                raw::EventAction::Set { resource, attrs } => self.set_change(resource, attrs),
            };
            if let Some(a) = resolved {
                events.push((at.v, n, a));
            }
        }
        // The timeline runs in time order, file order breaking ties.
        events.sort_by_key(|(at, n, _)| (*at, *n));
        self.check_in_order(&events);
        self.design.events = events
            .into_iter()
            .map(|(at, _, action)| Event { at, action })
            .collect();
    }

    /// A warning at the `delete` of interface endpoint `e` when a traffic of
    /// its VPC names its service, which resolves there through the
    /// endpoint's private DNS (IFE-2), and the file gives the service no
    /// public address (no `[[aws_service]]`, no prefix list): AWS's public
    /// name would then answer, but vpcsim has no address for it, so the
    /// name stops resolving (NXDOMAIN) once cached answers expire.
    fn name_left_without_address(&mut self, e: EndpointId, id: &Id) {
        let ep = &self.design.endpoints[e.idx()];
        let EndpointKind::Interface {
            private_dns: true, ..
        } = ep.kind
        else {
            return;
        };
        let service = ep.service.clone();
        let vpc = ep.vpc;
        let d = &self.design;
        let public =
            crate::model::builtin::has_public_address(d, &d.vpcs[vpc.idx()].region, &service);
        if public {
            return;
        }
        let users: Vec<String> = d
            .traffic
            .iter()
            .filter(|t| matches!(&t.to, DestSpec::Service(s) if *s == service))
            .filter(|t| {
                let eni = match t.from {
                    Source::Instance(i) => Some(d.instances[i.idx()].eni),
                    Source::Lambda(l) => d.lambdas[l.idx()].enis.first().copied(),
                    _ => None,
                };
                eni.is_some_and(|x| d.enis[x.idx()].vpc == vpc)
            })
            .map(|t| format!("`{}`", t.name))
            .collect();
        if users.is_empty() {
            return;
        }
        let msg = format!(
            "event `delete`: traffic {} names `{service}`, which resolves through this endpoint's private DNS; the file gives `{service}` no public address (an `[[aws_service]]` or a `com.amazonaws.<region>.{service}` prefix list), so after this deletion its name gets NXDOMAIN once cached answers expire; declare an `[[aws_service]]` with `service = \"{service}\"` for its public front door",
            users.join(", ")
        );
        self.warn(&id.span, msg);
    }

    pub(super) fn route_change(
        &mut self,
        owner: &str,
        c: &raw::RouteChange,
        add: bool,
    ) -> Option<Action> {
        let rt = match self.reference(
            owner,
            "route_table",
            c.route_table.as_ref()?,
            &[Kind::RouteTable, Kind::TgwRouteTable],
        )? {
            Component::RouteTable(r) => r,
            Component::TgwRouteTable(rt) => return self.tgw_route_change(owner, rt, c, add),
            _ => return None,
        };
        let vpc = self.route_table_vpc(rt);
        let dest_raw = c.destination.as_ref()?;
        if add {
            let route = raw::Route {
                destination: Some(dest_raw.clone()),
                target: c.target.clone(),
                blackhole: false,
            };
            let r = self.route(owner, vpc, &route)?;
            Some(Action::AddRoute(rt, r))
        } else {
            let dest = self.route_dest(owner, dest_raw)?;
            Some(Action::DeleteRoute(rt, dest))
        }
    }

    pub(super) fn set_change(
        &mut self,
        resource: &Id,
        attrs: &[Sp<raw::SetAttr>],
    ) -> Option<Action> {
        let owner = format!("event `set` on `{}`", resource.v);
        let settable: Vec<Kind> = raw::SETTABLE
            .iter()
            .filter_map(|(k, _)| Kind::from_name(k))
            .collect();
        // A resource the reader could not find is reported here, with the
        // other dangling references.
        let c = self.reference("event `set`", "resource", resource, &settable)?;
        let mut out = Vec::new();
        for a in attrs {
            let change = match (&a.v, c) {
                (raw::SetAttr::SgIngress(rules), Component::Sg(sg)) => {
                    let vpc = self.sg_vpc(sg);
                    let name = resource.v.clone();
                    Some(SetChange::SgIngress(
                        sg,
                        self.sg_rules(&name, vpc, rules, "ingress"),
                    ))
                }
                (raw::SetAttr::SgEgress(rules), Component::Sg(sg)) => {
                    let vpc = self.sg_vpc(sg);
                    let name = resource.v.clone();
                    Some(SetChange::SgEgress(
                        sg,
                        self.sg_rules(&name, vpc, rules, "egress"),
                    ))
                }
                (raw::SetAttr::NaclIngress(rules), Component::Nacl(n)) => Some(
                    SetChange::NaclIngress(n, self.nacl_rules(&owner, rules, "ingress")),
                ),
                (raw::SetAttr::NaclEgress(rules), Component::Nacl(n)) => Some(
                    SetChange::NaclEgress(n, self.nacl_rules(&owner, rules, "egress")),
                ),
                (raw::SetAttr::SecurityGroups(ids), Component::Instance(i)) => {
                    let eni = self.design.instances[i.idx()].eni;
                    let vpc = self.eni_vpc(eni);
                    let sgs = self.sg_refs(&owner, "security_groups", ids, vpc);
                    // An empty list; a list of bad names has its own errors.
                    if ids.is_empty() {
                        self.err(
                            &a.span,
                            format!("{owner}: an ENI keeps at least one security group (SG-1)"),
                        );
                    }
                    Some(SetChange::EniSecurityGroups(vec![eni], sgs))
                }
                (raw::SetAttr::SecurityGroups(ids), Component::Endpoint(e)) => {
                    match &self.design.endpoints[e.idx()].kind {
                        EndpointKind::Interface { enis, .. } => {
                            let enis = enis.clone();
                            let vpc = self.vpc_named(&self.raw.vpc_endpoints[e.idx()].vpc);
                            let sgs = self.sg_refs(&owner, "security_groups", ids, vpc);
                            Some(SetChange::EniSecurityGroups(enis, sgs))
                        }
                        EndpointKind::Gateway { .. } => {
                            self.err(
                                &a.span,
                                format!("{owner}: a gateway endpoint has no security groups"),
                            );
                            None
                        }
                    }
                }
                (raw::SetAttr::SourceDestCheck(b), Component::Instance(i)) => Some(
                    SetChange::SourceDestCheck(self.design.instances[i.idx()].eni, *b),
                ),
                (raw::SetAttr::RouteTable(r), Component::Subnet(s)) => self
                    .subnet_route_table(&owner, s, r)
                    .map(|rt| SetChange::SubnetRouteTable(s, rt)),
                (raw::SetAttr::NetworkAcl(r), Component::Subnet(s)) => self
                    .subnet_nacl(&owner, s, r)
                    .map(|n| SetChange::SubnetNacl(s, n)),
                (raw::SetAttr::Routes(routes), Component::RouteTable(rt)) => {
                    let vpc = self.route_table_vpc(rt);
                    Some(SetChange::Routes(rt, self.route_list(&owner, vpc, routes)))
                }
                (raw::SetAttr::PropagateTo(ids), Component::Endpoint(e))
                    if matches!(
                        self.design.endpoints[e.idx()].kind,
                        EndpointKind::Interface { .. }
                    ) =>
                {
                    let span = ids.first().map_or(&a.span, |r| &r.span);
                    self.err(
                        span,
                        format!(
                            "{owner}: an interface endpoint has no `route_tables`; it has an ENI in each of its `subnets`"
                        ),
                    );
                    None
                }
                (raw::SetAttr::PropagateTo(ids), Component::Endpoint(e)) => {
                    let vpc = self.vpc_named(&self.raw.vpc_endpoints[e.idx()].vpc);
                    let rts = self.route_table_refs(&owner, "route_tables", ids, vpc);
                    Some(SetChange::EndpointRouteTables(e, rts))
                }
                (raw::SetAttr::PropagateTo(ids), Component::Vgw(g)) => {
                    let vpc = self.vpc_named(&self.raw.vpn_gateways[g.idx()].vpc);
                    let rts = self.route_table_refs(&owner, "propagate_to", ids, vpc);
                    Some(SetChange::Propagation(g, rts))
                }
                (raw::SetAttr::TgwAssociations(ids), Component::TgwRouteTable(rt)) => {
                    let list = self.tgw_attachment_list(&owner, "associations", rt, ids);
                    Some(SetChange::TgwAssociations(rt, list))
                }
                (raw::SetAttr::TgwPropagations(ids), Component::TgwRouteTable(rt)) => {
                    let list = self.tgw_attachment_list(&owner, "propagations", rt, ids);
                    Some(SetChange::TgwPropagations(rt, list))
                }
                (raw::SetAttr::ApplianceMode(on), Component::TgwAttachment(a)) => {
                    Some(SetChange::ApplianceMode(a, *on))
                }
                (raw::SetAttr::Tunnels(tunnels), Component::OnpremNet(n)) => {
                    let cg = self.design.onprem_nets[n.idx()].vpn.customer_gateway;
                    let tunnels = self.vpn_tunnels(&owner, cg, tunnels);
                    Some(SetChange::VpnTunnels(n, tunnels))
                }
                (raw::SetAttr::TgwRoutes(routes), Component::TgwRouteTable(rt)) => {
                    let routes = self.tgw_routes(&owner, rt, routes);
                    Some(SetChange::TgwRoutes(rt, routes))
                }
                _ => {
                    self.err(
                        &a.span,
                        format!(
                            "{owner}: this attribute does not apply to {}",
                            a_kind(c.kind())
                        ),
                    );
                    None
                }
            };
            out.extend(change);
        }
        Some(Action::Set(out))
    }

    /// Follows the timeline in the order it runs, keeping what exists at
    /// each event's time, and reports the changes AWS would refuse then
    /// (RT-10): a route deleted that the table does not hold, a route to a
    /// target already deleted, a resource deleted or changed after its
    /// deletion.
    fn check_in_order(&mut self, events: &[(Nanos, usize, Action)]) {
        let raw = self.raw;
        let mut state = TimelineState {
            routes: self
                .design
                .route_tables
                .iter()
                .map(|t| t.routes.clone())
                .collect(),
            tgw_routes: self
                .design
                .tgw_route_tables
                .iter()
                .map(|t| t.routes.clone())
                .collect(),
            deleted: BTreeMap::new(),
        };
        for (at, n, action) in events {
            let Some(ev) = raw.events.get(*n) else {
                continue;
            };
            let Some(written) = &ev.action else { continue };
            match (action, &written.v) {
                (Action::Delete(c), raw::EventAction::Delete(id)) => {
                    let key = self.deletion_key(*c);
                    if let Some(msg) = self.gone(&state, key, &id.span) {
                        self.err(
                            &id.span,
                            format!(
                                "event `delete`: `{}` {msg}; it cannot be deleted again (RT-10)",
                                shown_id(&id.v)
                            ),
                        );
                        continue;
                    }
                    if let Component::Igw(g) = c {
                        if self.igw_still_mapped(&state, *g, &id.span, at) {
                            continue;
                        }
                    }
                    state.deleted.insert(key, (*at, *n));
                    if let Component::Endpoint(e) = c {
                        // A gateway endpoint's routes go with it (GWE-2).
                        for routes in &mut state.routes {
                            routes.retain(|r| r.target != Target::Endpoint(*e));
                        }
                    }
                }
                (Action::AddRoute(rt, route), raw::EventAction::AddRoute(w)) => {
                    if let Some(t) = &w.target {
                        if self.target_gone("event `add_route`", &state, t, at)
                            || self.tgw_detached("event `add_route`", &state, *rt, route, t, at)
                        {
                            continue;
                        }
                    }
                    take_route(
                        state.routes.get_mut(rt.idx()),
                        route.dest,
                        |r| r.dest,
                        Some(route),
                    );
                }
                (Action::DeleteRoute(rt, dest), raw::EventAction::DeleteRoute(w)) => {
                    if take_route(state.routes.get_mut(rt.idx()), *dest, |r| r.dest, None) {
                        continue;
                    }
                    let span = w.destination.as_ref().map_or(&written.span, |d| &d.span);
                    let msg = self.no_such_route(&state, *rt, *dest, *at);
                    self.err(span, msg);
                }
                (Action::AddTgwRoute(rt, route), raw::EventAction::AddRoute(w)) => {
                    if let Some(t) = &w.target {
                        if self.target_gone("event `add_route`", &state, t, at) {
                            continue;
                        }
                    }
                    take_route(
                        state.tgw_routes.get_mut(rt.idx()),
                        route.dest,
                        |r| r.dest,
                        Some(route),
                    );
                }
                (Action::DeleteTgwRoute(rt, dest), raw::EventAction::DeleteRoute(w)) => {
                    if take_route(state.tgw_routes.get_mut(rt.idx()), *dest, |r| r.dest, None) {
                        continue;
                    }
                    let span = w.destination.as_ref().map_or(&written.span, |d| &d.span);
                    let table = self
                        .design
                        .tgw_route_tables
                        .get(rt.idx())
                        .map_or("", |t| t.name.as_str());
                    let msg = format!(
                        "event `delete_route`: transit gateway route table `{table}` has no static or blackhole route to {} at {at}; there is nothing to delete (RT-10, TGW-4)",
                        self.dest_name(*dest)
                    );
                    self.err(span, msg);
                }
                (Action::Set(changes), raw::EventAction::Set { resource, attrs }) => {
                    if let Some(c) = self.names.get(&resource.v).map(|x| x.0) {
                        let key = self.deletion_key(c);
                        if let Some(msg) = self.gone(&state, key, &resource.span) {
                            self.err(
                                &resource.span,
                                format!(
                                    "event `set` on `{}`: it {msg}; what no longer exists cannot be changed (RT-10)",
                                    shown_id(&resource.v)
                                ),
                            );
                            continue;
                        }
                    }
                    let table = match self.names.get(&resource.v).map(|x| x.0) {
                        Some(Component::RouteTable(rt)) => Some(rt),
                        _ => None,
                    };
                    self.set_targets_gone(&state, table, attrs, at);
                    self.set_attachments_gone(&state, attrs, at);
                    for change in changes {
                        state.set(&self.design, change);
                    }
                }
                _ => {}
            }
        }
    }

    /// Reports the `delete` of internet gateway `g` at `at` while its VPC
    /// still holds public addresses: AWS refuses to detach the gateway
    /// (`DependencyViolation`) while an instance or a NAT gateway of the VPC
    /// has a public IPv4 address or an Elastic IP (IGW-5).
    fn igw_still_mapped(
        &mut self,
        state: &TimelineState,
        g: IgwId,
        here: &Span,
        at: &Nanos,
    ) -> bool {
        let d = &self.design;
        let Some(igw) = d.igws.get(g.idx()) else {
            return false;
        };
        let vpc = igw.vpc;
        let mut holders: Vec<String> = Vec::new();
        for (i, e) in d.enis.iter().enumerate() {
            let EniOwner::Instance(inst) = e.owner else {
                continue;
            };
            let (Some(ip), true) = (e.public_ip, e.vpc == vpc) else {
                continue;
            };
            if state
                .deleted
                .contains_key(&Component::Eni(EniId::from_idx(i)))
            {
                continue;
            }
            let name = d.instances.get(inst.idx()).map_or("", |x| x.name.as_str());
            holders.push(format!("instance `{name}` ({ip})"));
        }
        for (i, n) in d.nats.iter().enumerate() {
            let Some(ip) = n.public_ip else { continue };
            let in_vpc = d.subnets.get(n.subnet.idx()).is_some_and(|s| s.vpc == vpc);
            if !in_vpc
                || state
                    .deleted
                    .contains_key(&Component::Nat(NatId::from_idx(i)))
            {
                continue;
            }
            holders.push(format!("NAT gateway `{}` ({ip})", n.name));
        }
        if holders.is_empty() {
            return false;
        }
        let shown = match holders.len() {
            1..=3 => holders.join(", "),
            n => format!("{} and {} more", holders[..3].join(", "), n - 3),
        };
        let msg = format!(
            "event `delete`: at {at}, VPC `{}` still has public addresses mapped through internet gateway `{}`: {shown}; AWS refuses to detach an internet gateway while instances or NAT gateways of its VPC hold public IPv4 or Elastic IP addresses (IGW-5); to model losing the internet, delete the routes to it (`delete_route`), or delete those instances and NAT gateways first",
            d.vpcs.get(vpc.idx()).map_or("", |v| v.name.as_str()),
            igw.name
        );
        self.err(here, msg);
        true
    }

    /// The component whose deletion a component's stands for: an instance
    /// and its network interface are deleted together.
    fn deletion_key(&self, c: Component) -> Component {
        match c {
            Component::Instance(i) => self
                .design
                .instances
                .get(i.idx())
                .map_or(c, |x| Component::Eni(x.eni)),
            c => c,
        }
    }

    /// "was deleted at 30s (line 86)", when `key` is deleted by then.
    fn gone(&self, state: &TimelineState, key: Component, here: &Span) -> Option<String> {
        let (at, n) = state.deleted.get(&key)?;
        let line = self.raw.events.get(*n).map_or_else(String::new, |e| {
            format!(" ({})", self.line_of(&e.span, here))
        });
        Some(format!("was deleted at {at}{line}"))
    }

    /// Reports a route's target that was deleted before `at`: AWS creates
    /// no route to what does not exist.
    fn target_gone(&mut self, owner: &str, state: &TimelineState, target: &Id, at: &Nanos) -> bool {
        let Some(c) = self.names.get(&target.v).map(|x| x.0) else {
            return false;
        };
        let key = self.deletion_key(c);
        let Some(msg) = self.gone(state, key, &target.span) else {
            return false;
        };
        self.err(
            &target.span,
            format!(
                "{owner} at {at}: the route's target `{}` {msg}; AWS creates no route to a target that does not exist (RT-10): route to one that exists then, or change the route before the deletion",
                shown_id(&target.v)
            ),
        );
        true
    }

    /// Reports a route to a transit gateway from a table whose VPC's
    /// attachment to it is deleted by `at`: AWS creates no route to a
    /// transit gateway the VPC is not attached to (TGW-2).
    fn tgw_detached(
        &mut self,
        owner: &str,
        state: &TimelineState,
        rt: RouteTableId,
        route: &Route,
        target: &Id,
        at: &Nanos,
    ) -> bool {
        let (Target::Tgw(tgw), false) = (&route.target, route.blackhole) else {
            return false;
        };
        self.tgw_unattached(owner, state, rt, *tgw, target, at)
    }

    /// [`Self::tgw_detached`] for a route to transit gateway `tgw`.
    fn tgw_unattached(
        &mut self,
        owner: &str,
        state: &TimelineState,
        rt: RouteTableId,
        tgw: TgwId,
        target: &Id,
        at: &Nanos,
    ) -> bool {
        let Some(vpc) = self.route_table_vpc(rt) else {
            return false;
        };
        let Some(a) = self.vpc_attachment(tgw, vpc) else {
            return false;
        };
        let Some(msg) = self.gone(state, Component::TgwAttachment(a), &target.span) else {
            return false;
        };
        let vpc_name = self.design.vpcs[vpc.idx()].name.clone();
        let attachment = self.design.tgw_attachments[a.idx()].name.clone();
        self.err(
            &target.span,
            format!(
                "{owner} at {at}: VPC `{vpc_name}` has no attachment to transit gateway `{}` then: `{attachment}` {msg}; AWS creates no route to a transit gateway the VPC is not attached to (TGW-2, RT-10)",
                shown_id(&target.v)
            ),
        );
        true
    }

    /// Reports the attachments a `set` of a transit gateway route table's
    /// `associations` or `propagations` names that are deleted by `at`.
    fn set_attachments_gone(
        &mut self,
        state: &TimelineState,
        attrs: &[Sp<raw::SetAttr>],
        at: &Nanos,
    ) {
        for a in attrs {
            let (raw::SetAttr::TgwAssociations(ids) | raw::SetAttr::TgwPropagations(ids)) = &a.v
            else {
                continue;
            };
            for id in ids {
                let Some(Component::TgwAttachment(t)) = self.names.get(&id.v).map(|x| x.0) else {
                    continue;
                };
                if let Some(msg) = self.gone(state, Component::TgwAttachment(t), &id.span) {
                    self.err(
                        &id.span,
                        format!(
                            "event `set` at {at}: transit gateway attachment `{}` {msg}; what no longer exists cannot be associated or propagate (RT-10)",
                            shown_id(&id.v)
                        ),
                    );
                }
            }
        }
    }

    /// Reports the routes of a `set` whose targets are deleted by `at`;
    /// a route written as a blackhole may name a target that is gone.
    fn set_targets_gone(
        &mut self,
        state: &TimelineState,
        table: Option<RouteTableId>,
        attrs: &[Sp<raw::SetAttr>],
        at: &Nanos,
    ) {
        for a in attrs {
            match &a.v {
                raw::SetAttr::Routes(routes) => {
                    for r in routes.iter().filter(|r| !r.v.blackhole) {
                        let Some(t) = &r.v.target else { continue };
                        if self.target_gone("event `set`", state, t, at) {
                            continue;
                        }
                        if let (Some(rt), Some(Component::Tgw(tgw))) =
                            (table, self.names.get(&t.v).map(|x| x.0))
                        {
                            self.tgw_unattached("event `set`", state, rt, tgw, t, at);
                        }
                    }
                }
                raw::SetAttr::TgwRoutes(routes) => {
                    for r in routes {
                        let blackhole = r.v.blackhole.as_ref().is_some_and(|b| b.v);
                        if let (Some(t), false) = (&r.v.attachment, blackhole) {
                            self.target_gone("event `set`", state, t, at);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Why `delete_route` of `dest` in `rt` finds nothing: the local route,
    /// which cannot be deleted (RT-2), or no route at all at that time.
    fn no_such_route(
        &self,
        state: &TimelineState,
        rt: RouteTableId,
        dest: RouteDest,
        at: Nanos,
    ) -> String {
        let Some(table) = self.design.route_tables.get(rt.idx()) else {
            return format!(
                "event `delete_route`: no route to {} at {at} (RT-10)",
                self.dest_name(dest)
            );
        };
        let local = match dest {
            RouteDest::Cidr(net) => self
                .design
                .vpcs
                .get(table.vpc.idx())
                .is_some_and(|v| v.cidrs.contains(&net)),
            RouteDest::PrefixList(_) => false,
        };
        let shown = self.dest_name(dest);
        if local {
            return format!(
                "event `delete_route`: the route to {shown} in route table `{}` is the local route of its VPC, which cannot be deleted (RT-2)",
                table.name
            );
        }
        let held: Vec<String> = state
            .routes
            .get(rt.idx())
            .map(|routes| routes.iter().map(|r| self.dest_name(r.dest)).collect())
            .unwrap_or_default();
        let now = if held.is_empty() {
            "it then holds only its local routes".to_string()
        } else {
            format!("its routes then go to {}", held.join(", "))
        };
        format!(
            "event `delete_route`: route table `{}` has no route to {shown} at {at} ({now}); AWS refuses to delete a route that does not exist (RT-10)",
            table.name
        )
    }

    /// A route's destination as the file writes it.
    fn dest_name(&self, dest: RouteDest) -> String {
        match dest {
            RouteDest::Cidr(net) => net.to_string(),
            RouteDest::PrefixList(p) => self
                .design
                .prefix_lists
                .get(p.idx())
                .map_or_else(String::new, |l| l.name.clone()),
        }
    }
}

/// Removes the route to `dest` from a table's routes and puts `add` in
/// its place, as `add_route` replaces a route; whether there was one.
fn take_route<R: Clone>(
    routes: Option<&mut Vec<R>>,
    dest: RouteDest,
    dest_of: impl Fn(&R) -> RouteDest,
    add: Option<&R>,
) -> bool {
    let Some(routes) = routes else {
        return false;
    };
    let before = routes.len();
    routes.retain(|r| dest_of(r) != dest);
    let held = routes.len() != before;
    routes.extend(add.cloned());
    held
}

/// What exists at a point of the timeline, for its checks: the routes of
/// each route table and transit gateway route table that `delete_route`
/// may remove, and what was deleted, with when and by which event.
struct TimelineState {
    routes: Vec<Vec<Route>>,
    tgw_routes: Vec<Vec<TgwRoute>>,
    deleted: BTreeMap<Component, (Nanos, usize)>,
}

impl TimelineState {
    /// The routes a `set` leaves, as the data plane keeps them.
    fn set(&mut self, design: &Design, change: &SetChange) {
        match change {
            SetChange::Routes(rt, routes) => {
                if let Some(held) = self.routes.get_mut(rt.idx()) {
                    // Endpoint routes are not the user's to replace (GWE-2).
                    held.retain(|r| matches!(r.target, Target::Endpoint(_)));
                    held.splice(0..0, routes.iter().cloned());
                }
            }
            SetChange::EndpointRouteTables(e, tables) => {
                let Some(EndpointKind::Gateway { prefix_list, .. }) =
                    design.endpoints.get(e.idx()).map(|x| &x.kind)
                else {
                    return;
                };
                let dest = RouteDest::PrefixList(*prefix_list);
                for routes in &mut self.routes {
                    routes.retain(|r| r.target != Target::Endpoint(*e));
                }
                for rt in tables {
                    if let Some(routes) = self.routes.get_mut(rt.idx()) {
                        routes.retain(|r| r.dest != dest);
                        routes.push(Route {
                            dest,
                            target: Target::Endpoint(*e),
                            blackhole: false,
                        });
                    }
                }
            }
            SetChange::TgwRoutes(rt, routes) => {
                if let Some(held) = self.tgw_routes.get_mut(rt.idx()) {
                    *held = routes.clone();
                }
            }
            _ => {}
        }
    }
}
