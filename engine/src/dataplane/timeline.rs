//! Changes to a design while it runs (the scenario's `[[event]]`s): a
//! component deleted, a route added or removed, rules or associations
//! replaced, applied at their exact virtual time.
//!
//! Invariants:
//! - Deleting a gateway endpoint removes its routes (GWE-2); deleting a NAT
//!   gateway forgets its mappings (`Network::apply_config`); deleting a VPN gateway withdraws its
//!   propagated routes (VPN-1).
//! - Endpoint routes are not the user's to replace (GWE-2).
//! - Security group membership follows ENIs and their groups (SG-2).
//! - Deleting a transit gateway attachment deletes its ENIs and withdraws
//!   its propagated routes; static routes to it become blackholes (TGW-4).
//!   `add_route` on a transit gateway route table adds or replaces the
//!   static route for its destination, `delete_route` removes it (TGW-4).
//!   Setting a transit gateway route table's `associations` moves the listed
//!   attachments to it and disassociates those it no longer lists (TGW-3).
//! - Setting an on-premises network's `tunnels` changes what its VPN
//!   carries; with BGP routing its routes leave the route tables and
//!   transit gateway route tables while every tunnel is down (VPN-4,
//!   TGW-12).

use super::Config;
use crate::model::*;

impl Config {
    pub(super) fn apply(&mut self, design: &Design, action: &Action) {
        match action {
            Action::Delete(c) => self.delete(design, *c),
            Action::AddRoute(rt, route) => {
                let routes = &mut self.routes[rt.idx()];
                routes.retain(|r| r.dest != route.dest);
                routes.push(route.clone());
                self.tables[rt.idx()] = self.compile(design, *rt);
            }
            Action::DeleteRoute(rt, dest) => {
                self.routes[rt.idx()].retain(|r| r.dest != *dest);
                self.tables[rt.idx()] = self.compile(design, *rt);
            }
            Action::AddTgwRoute(rt, route) => {
                let routes = &mut self.tgw_routes[rt.idx()];
                routes.retain(|r| r.dest != route.dest);
                routes.push(route.clone());
                self.tgw_tables[rt.idx()] = self.compile_tgw(design, *rt);
            }
            Action::DeleteTgwRoute(rt, dest) => {
                self.tgw_routes[rt.idx()].retain(|r| r.dest != *dest);
                self.tgw_tables[rt.idx()] = self.compile_tgw(design, *rt);
            }
            Action::Set(changes) => {
                for c in changes {
                    self.set(design, c);
                }
            }
        }
    }

    fn delete(&mut self, design: &Design, c: Component) {
        match c {
            Component::Nat(n) => {
                self.alive.nat[n.idx()] = false;
                let eni = design.nats[n.idx()].eni;
                self.alive.eni[eni.idx()] = false;
            }
            Component::Igw(g) => self.alive.igw[g.idx()] = false,
            Component::Peering(p) => self.alive.peering[p.idx()] = false,
            Component::Vgw(g) => {
                self.alive.vgw[g.idx()] = false;
                for rt in 0..self.tables.len() {
                    if self.propagation[rt].contains(&g) {
                        self.tables[rt] = self.compile(design, RouteTableId::from_idx(rt));
                    }
                }
            }
            Component::Endpoint(e) => {
                self.alive.endpoint[e.idx()] = false;
                match &design.endpoints[e.idx()].kind {
                    EndpointKind::Gateway { .. } => {
                        // Deleting a gateway endpoint removes its routes.
                        let tables = std::mem::take(&mut self.endpoint_tables[e.idx()]);
                        for rt in tables {
                            self.routes[rt.idx()].retain(|r| r.target != Target::Endpoint(e));
                            self.tables[rt.idx()] = self.compile(design, rt);
                        }
                    }
                    EndpointKind::Interface { enis, .. } => {
                        for x in enis.clone() {
                            self.alive.eni[x.idx()] = false;
                        }
                        self.rebuild_members(design);
                    }
                }
            }
            Component::Instance(i) => {
                let eni = design.instances[i.idx()].eni;
                self.alive.eni[eni.idx()] = false;
                self.rebuild_members(design);
            }
            Component::Eni(e) => {
                self.alive.eni[e.idx()] = false;
                self.rebuild_members(design);
            }
            Component::TgwAttachment(a) => {
                // Its ENIs go, routes that target it become blackholes, its
                // propagated routes are withdrawn (TGW-3, TGW-4).
                self.alive.tgw_attachment[a.idx()] = false;
                for x in design.tgw_attachments[a.idx()].enis() {
                    self.alive.eni[x.idx()] = false;
                }
                self.tgw_assoc[a.idx()] = None;
                self.recompile_tgw(design);
            }
            _ => {}
        }
    }

    fn recompile_tgw(&mut self, design: &Design) {
        for rt in 0..self.tgw_tables.len() {
            self.tgw_tables[rt] = self.compile_tgw(design, TgwRouteTableId::from_idx(rt));
        }
    }

    fn set(&mut self, design: &Design, c: &SetChange) {
        match c {
            SetChange::SgIngress(g, rules) => self.sgs[g.idx()].ingress = rules.clone(),
            SetChange::SgEgress(g, rules) => self.sgs[g.idx()].egress = rules.clone(),
            SetChange::NaclIngress(n, rules) => {
                self.nacls[n.idx()].ingress = rules.clone();
                self.nacl_scans[n.idx()] = super::nacl::Scan::of(&self.nacls[n.idx()]);
            }
            SetChange::NaclEgress(n, rules) => {
                self.nacls[n.idx()].egress = rules.clone();
                self.nacl_scans[n.idx()] = super::nacl::Scan::of(&self.nacls[n.idx()]);
            }
            SetChange::EniSecurityGroups(enis, sgs) => {
                for e in enis {
                    self.eni_sgs[e.idx()] = sgs.clone();
                }
                self.rebuild_members(design);
            }
            SetChange::SourceDestCheck(e, on) => self.eni_sdc[e.idx()] = *on,
            SetChange::SubnetRouteTable(s, rt) => self.subnet_rt[s.idx()] = *rt,
            SetChange::SubnetNacl(s, n) => self.subnet_nacl[s.idx()] = *n,
            SetChange::Routes(rt, routes) => {
                // Endpoint routes are not the user's to replace (GWE-2).
                let kept: Vec<Route> = self.routes[rt.idx()]
                    .iter()
                    .filter(|r| matches!(r.target, Target::Endpoint(_)))
                    .cloned()
                    .collect();
                self.routes[rt.idx()] = routes.iter().cloned().chain(kept).collect();
                self.tables[rt.idx()] = self.compile(design, *rt);
            }
            SetChange::EndpointRouteTables(e, tables) => {
                let EndpointKind::Gateway { prefix_list, .. } = design.endpoints[e.idx()].kind
                else {
                    return;
                };
                let old = std::mem::replace(&mut self.endpoint_tables[e.idx()], tables.clone());
                for rt in old {
                    self.routes[rt.idx()].retain(|r| r.target != Target::Endpoint(*e));
                    self.tables[rt.idx()] = self.compile(design, rt);
                }
                for rt in tables {
                    let dest = RouteDest::PrefixList(prefix_list);
                    self.routes[rt.idx()].retain(|r| r.dest != dest);
                    self.routes[rt.idx()].push(Route {
                        dest,
                        target: Target::Endpoint(*e),
                        blackhole: false,
                    });
                    self.tables[rt.idx()] = self.compile(design, *rt);
                }
            }
            SetChange::TgwAssociations(rt, list) => {
                for (i, assoc) in self.tgw_assoc.iter_mut().enumerate() {
                    let listed = list.contains(&TgwAttachmentId::from_idx(i));
                    if listed && self.alive.tgw_attachment[i] {
                        *assoc = Some(*rt);
                    } else if !listed && *assoc == Some(*rt) {
                        *assoc = None;
                    }
                }
            }
            SetChange::ApplianceMode(a, on) => self.tgw_appliance[a.idx()] = *on,
            SetChange::VpnTunnels(n, tunnels) => {
                // With every tunnel down BGP withdraws the network's
                // routes, and brings them back with a tunnel up (VPN-4,
                // TGW-12): the tables that may hold them are compiled again.
                self.vpn_links[n.idx()].tunnels = tunnels.clone();
                for rt in 0..self.tables.len() {
                    self.tables[rt] = self.compile(design, RouteTableId::from_idx(rt));
                }
                self.recompile_tgw(design);
            }
            SetChange::TgwPropagations(rt, list) => {
                self.tgw_props[rt.idx()] = list.clone();
                self.tgw_tables[rt.idx()] = self.compile_tgw(design, *rt);
            }
            SetChange::TgwRoutes(rt, routes) => {
                self.tgw_routes[rt.idx()] = routes.clone();
                self.tgw_tables[rt.idx()] = self.compile_tgw(design, *rt);
            }
            SetChange::Propagation(g, tables) => {
                for rt in 0..self.propagation.len() {
                    self.propagation[rt].retain(|x| x != g);
                }
                for rt in tables {
                    self.propagation[rt.idx()].push(*g);
                }
                for rt in 0..self.tables.len() {
                    self.tables[rt] = self.compile(design, RouteTableId::from_idx(rt));
                }
            }
        }
    }
}
