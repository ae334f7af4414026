//! VPC peering connections (with their accepters and options) and VPN
//! gateways, customer gateways and VPN connections.

use super::super::NoteKind::{Approximated, Skipped, Unknown, Unsupported};
use super::super::out;
use super::network::{TABLE, VPC};
use super::resolve::Pick;
use super::{Conv, cidr};

impl<'a> Conv<'a> {
    pub(super) fn peerings(&mut self) {
        let accepters = self.of(&["aws_vpc_peering_connection_accepter"]);
        let mut accepted = std::collections::BTreeSet::new();
        // Peerings whose accepter does not accept, by the accepter.
        let mut declined: std::collections::BTreeMap<usize, usize> = Default::default();
        for a in &accepters {
            if let Some(p) = self.world.one(
                *a,
                "vpc_peering_connection_id",
                &["aws_vpc_peering_connection"],
            ) {
                // The accepter accepts with `auto_accept = true`; in a
                // state, its `accept_status` says whether it did.
                let x = self.inst(*a);
                let accepts = match x.str("accept_status") {
                    Some(s) => s == "active",
                    None => x.bool("auto_accept") == Some(true),
                };
                if accepts {
                    accepted.insert(p.inst);
                    self.made.insert(*a);
                } else {
                    declined.entry(p.inst).or_insert(*a);
                }
            }
        }
        for i in self.of(&["aws_vpc_peering_connection"]) {
            let x = self.inst(i);
            let own = self.regions[i].clone();
            let far = x
                .str("peer_region")
                .map_or_else(|| own.clone(), str::to_string);
            // Across Regions the file writes the requester in the
            // scenario's region and the accepter in `peer_region`.
            let swapped = own != self.region && far == self.region;
            let peer_region = if own != far {
                if own != self.region && far != self.region {
                    self.note(
                        Unsupported,
                        i,
                        format!("a peering between regions {own} and {far}, neither the scenario's ({}); left out", self.region),
                    );
                    continue;
                }
                Some(if swapped { own.clone() } else { far.clone() })
            } else {
                None
            };
            let requester = self.vpc_of(i, "vpc_id");
            let accepter = self.world.one(i, "peer_vpc_id", VPC).and_then(|p| {
                self.sid(&Pick {
                    inst: p.inst,
                    attr: None,
                })
            });
            let (requester, accepter) = if swapped {
                self.note(
                    Approximated,
                    i,
                    format!("requested from {own} to a VPC of {far}, the scenario's region: written with the VPCs swapped (the requester in the scenario's region, the accepter in peer_region {own}); traffic crosses it the same both ways"),
                );
                (accepter, requester)
            } else {
                (requester, accepter)
            };
            let (Some(requester), Some(accepter)) = (requester, accepter) else {
                self.note(Unknown, i, "one of its VPCs is not in the design; left out");
                continue;
            };
            // A state knows whether it was accepted (by an accepter here or
            // by the other account); a plan, by `auto_accept` or an
            // accepter that accepts.
            match self.inst(i).str("accept_status") {
                Some("active") => {}
                Some(status) => {
                    let status = status.to_string();
                    self.note(
                        Skipped,
                        i,
                        format!("its accept_status is {status}, not active: it carries nothing; left out"),
                    );
                    continue;
                }
                None => {
                    let auto = self.inst(i).bool("auto_accept").unwrap_or(false);
                    if !auto && !accepted.contains(&i) {
                        let text = match declined.get(&i) {
                            Some(&a) => format!(
                                "its accepter {} leaves auto_accept false: it stays pending acceptance; left out",
                                self.addr(a)
                            ),
                            None => "neither auto_accept nor an accepter in the plan: it stays pending; left out".to_string(),
                        };
                        self.note(Skipped, i, text);
                        continue;
                    }
                }
            }
            let head = self.head(i);
            let x = self.inst(i);
            let (mut requester_dns, mut accepter_dns) =
                (side_dns(x, "requester"), side_dns(x, "accepter"));
            if swapped {
                std::mem::swap(&mut requester_dns, &mut accepter_dns);
            }
            self.out.peerings.insert(
                self.ids[i].clone(),
                out::Peering {
                    head,
                    requester,
                    accepter,
                    peer_region,
                    requester_dns: requester_dns.unwrap_or(false),
                    accepter_dns: accepter_dns.unwrap_or(false),
                },
            );
            self.made.insert(i);
        }
        // Accepters name their peering: routes to either are to the peering.
        for a in accepters {
            if let Some(p) = self.world.one(
                a,
                "vpc_peering_connection_id",
                &["aws_vpc_peering_connection"],
            ) {
                if self.made.contains(&p.inst) {
                    self.ids[a] = self.ids[p.inst].clone();
                }
            }
        }
        // The options of a peering made elsewhere in the plan (DNS-4).
        for i in self.of(&["aws_vpc_peering_connection_options"]) {
            let p = self.world.one(
                i,
                "vpc_peering_connection_id",
                &[
                    "aws_vpc_peering_connection",
                    "aws_vpc_peering_connection_accepter",
                ],
            );
            let made = p.as_ref().filter(|p| self.made.contains(&p.inst));
            let Some(p) = made else {
                self.note(
                    Unknown,
                    i,
                    "its peering connection is not in the design; left out",
                );
                continue;
            };
            let id = self.ids[p.inst].clone();
            let x = self.inst(i);
            let (r, a) = (side_dns(x, "requester"), side_dns(x, "accepter"));
            if let Some(out) = self.out.peerings.get_mut(&id) {
                if let Some(r) = r {
                    out.requester_dns = r;
                }
                if let Some(a) = a {
                    out.accepter_dns = a;
                }
                self.made.insert(i);
            }
        }
    }

    pub(super) fn vpn(&mut self) {
        for i in self.of(&["aws_vpn_gateway_route_propagation"]) {
            let g = self
                .world
                .one(i, "vpn_gateway_id", &["aws_vpn_gateway"])
                .and_then(|p| self.sid(&p));
            let t = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p));
            match (g, t) {
                (Some(g), Some(t)) if self.out.vgws.contains_key(&g) => {
                    let v = self.out.vgws.get_mut(&g).expect("checked");
                    if !v.propagate_to.contains(&t) {
                        v.propagate_to.push(t);
                        v.propagate_to.sort();
                    }
                    self.made.insert(i);
                }
                _ => self.note(
                    Unknown,
                    i,
                    "its gateway or route table is not in the design",
                ),
            }
        }
        for i in self.of(&["aws_route_table", "aws_default_route_table"]) {
            if !self.made.contains(&i) {
                continue;
            }
            let gs = self.world.all(i, "propagating_vgws", &["aws_vpn_gateway"]);
            for g in gs {
                if let Some(g) = self.sid(&g) {
                    let t = self.ids[i].clone();
                    if let Some(v) = self.out.vgws.get_mut(&g) {
                        if !v.propagate_to.contains(&t) {
                            v.propagate_to.push(t);
                            v.propagate_to.sort();
                        }
                    }
                }
            }
        }
        let routes = self.of(&["aws_vpn_connection_route"]);
        for i in self.of(&["aws_vpn_connection"]) {
            let x = self.inst(i);
            if x.str("transit_gateway_id").is_some()
                || self.world.config.expr(x, "transit_gateway_id").is_some()
            {
                continue; // a VPN attachment, with the transit gateways
            }
            let Some(via) = self
                .world
                .one(i, "vpn_gateway_id", &["aws_vpn_gateway"])
                .and_then(|p| self.sid(&p))
                .filter(|g| self.out.vgws.contains_key(g))
            else {
                self.note(Unknown, i, "its VPN gateway is not in the design; left out");
                continue;
            };
            let mut cidrs = Vec::new();
            if let Some(c) = self.inst(i).str("local_ipv4_network_cidr").and_then(cidr) {
                if c.prefix_len() > 0 {
                    cidrs.push(c);
                }
            }
            for &r in &routes {
                let conn = self
                    .world
                    .one(r, "vpn_connection_id", &["aws_vpn_connection"]);
                if conn.is_some_and(|p| p.inst == i) {
                    if let Some(c) = self.inst(r).str("destination_cidr_block").and_then(cidr) {
                        cidrs.push(c);
                        self.made.insert(r);
                    }
                }
            }
            cidrs.sort();
            cidrs.dedup();
            if cidrs.is_empty() {
                self.note(
                    Unknown,
                    i,
                    "the on-premises prefixes are not in the plan (BGP, or no static routes); left out",
                );
                continue;
            }
            let head = self.head(i);
            self.out.onprem.insert(
                self.ids[i].clone(),
                out::Onprem {
                    head,
                    cidrs,
                    via,
                    ..out::Onprem::default()
                },
            );
            self.made.insert(i);
        }
        for r in routes {
            if !self.made.contains(&r) {
                self.note(
                    Unknown,
                    r,
                    "its connection or CIDR is not in the design; left out",
                );
            }
        }
    }
}

impl Conv<'_> {
    /// Customer gateways: vpcsim has none of their own, the far end of a
    /// VPN connection stands for one. One that no imported connection uses
    /// is left out, noted.
    pub(super) fn customer_gateways(&mut self) {
        let conns = self.of(&["aws_vpn_connection"]);
        for g in self.of(&["aws_customer_gateway"]) {
            let mut used = Vec::new();
            for &c in &conns {
                let p = self
                    .world
                    .one(c, "customer_gateway_id", &["aws_customer_gateway"]);
                if p.is_some_and(|p| p.inst == g) {
                    used.push(c);
                }
            }
            if used.iter().any(|c| self.made.contains(c)) {
                self.made.insert(g);
                continue;
            }
            let text = match used.as_slice() {
                [] => "a customer gateway that no VPN connection of the plan uses; vpcsim models one only as the far end of a VPN connection, so it is left out".to_string(),
                _ => {
                    let names: Vec<String> = used.iter().map(|&c| self.addr(c)).collect();
                    format!(
                        "a customer gateway whose VPN connections ({}) are left out; left out with them",
                        names.join(", ")
                    )
                }
            };
            self.note(Unsupported, g, text);
        }
    }
}

/// A peering side's block (`requester`, `accepter`):
/// `allow_remote_vpc_dns_resolution`, whether that side's VPC resolves its
/// instances' public DNS names to private addresses for the peer (DNS-4).
fn side_dns(x: &super::plan::Inst, block: &str) -> Option<bool> {
    let v = x.values.get(block)?;
    let o = v.as_array().and_then(|a| a.first()).unwrap_or(v);
    o.get("allow_remote_vpc_dns_resolution")?.as_bool()
}
