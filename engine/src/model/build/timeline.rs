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
                    self.reference("event `delete`", "delete", id, &kinds)
                        .map(Action::Delete)
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
        self.design.events = events
            .into_iter()
            .map(|(at, _, action)| Event { at, action })
            .collect();
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
                    if sgs.is_empty() {
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
                (raw::SetAttr::RouteTable(r), Component::Subnet(s)) => {
                    match self.reference(&owner, "route_table", r, &[Kind::RouteTable]) {
                        Some(Component::RouteTable(rt)) => Some(SetChange::SubnetRouteTable(s, rt)),
                        _ => None,
                    }
                }
                (raw::SetAttr::NetworkAcl(r), Component::Subnet(s)) => {
                    match self.reference(&owner, "network_acl", r, &[Kind::Nacl]) {
                        Some(Component::Nacl(n)) => Some(SetChange::SubnetNacl(s, n)),
                        _ => None,
                    }
                }
                (raw::SetAttr::Routes(routes), Component::RouteTable(rt)) => {
                    let vpc = self.route_table_vpc(rt);
                    let mut out_routes = Vec::new();
                    for r in routes {
                        if let Some(route) = self.route(&owner, vpc, &r.v) {
                            if route.target != Target::Local {
                                out_routes.push(route);
                            }
                        }
                    }
                    Some(SetChange::Routes(rt, out_routes))
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
}
