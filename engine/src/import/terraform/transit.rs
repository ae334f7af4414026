//! Transit gateways (TGW-1), their attachments (VPC, VPN and peering,
//! TGW-2, TGW-9, TGW-10) and route tables with associations, propagations,
//! static, blackhole and prefix-list routes (TGW-3, TGW-4).
//!
//! The file is what `import aws` writes for the same things: every
//! association and propagation is listed in its table, and each transit
//! gateway keeps Terraform's defaults. AWS creates a transit gateway's
//! default route table with it when a default is on; Terraform names it by
//! the gateway's `association_default_route_table_id` (or
//! `propagation_default_route_table_id`), and the import writes it as
//! `<gateway>/default-rt`. An attachment that opts out of a default
//! (`transit_gateway_default_route_table_association = false`) and is
//! associated nowhere else makes the file say the default is off, since the
//! scenario's default would otherwise associate it (noted).
//!
//! A VPN connection with `transit_gateway_id` is a VPN attachment,
//! `<connection>/attachment`, and its on-premises network (the
//! connection's id) is reached by it: its prefixes are the connection's
//! `local_ipv4_network_cidr` and the destinations of the static routes to
//! the attachment. Both sides of a peering attachment are written, the
//! accepter's on the peer transit gateway; Terraform names one attachment
//! id for both, so a route names the side on its table's transit gateway.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::Ipv4Net;

use super::super::NoteKind::{Approximated, Skipped, Unknown, Unsupported};
use super::super::out;
use super::resolve::Pick;
use super::{Conv, cidr};

/// The resource types of transit gateways: imported in any Region, a
/// gateway of another Region than the scenario's carrying `region`.
pub const TYPES: &[&str] = &[
    "aws_ec2_transit_gateway",
    "aws_ec2_transit_gateway_route_table",
    "aws_ec2_transit_gateway_route",
    "aws_ec2_transit_gateway_route_table_association",
    "aws_ec2_transit_gateway_route_table_propagation",
    "aws_ec2_transit_gateway_vpc_attachment",
    "aws_ec2_transit_gateway_vpc_attachment_accepter",
    "aws_ec2_transit_gateway_peering_attachment",
    "aws_ec2_transit_gateway_peering_attachment_accepter",
    "aws_ec2_transit_gateway_prefix_list_reference",
];

const TGW: &[&str] = &["aws_ec2_transit_gateway"];

/// What an attachment reference may name.
const ATTACHMENT: &[&str] = &[
    "aws_ec2_transit_gateway_vpc_attachment",
    "aws_ec2_transit_gateway_vpc_attachment_accepter",
    "aws_ec2_transit_gateway_peering_attachment",
    "aws_ec2_transit_gateway_peering_attachment_accepter",
    "aws_vpn_connection",
];

/// A transit gateway's defaults, as Terraform sets them.
struct Gw {
    inst: usize,
    association: bool,
    propagation: bool,
}

/// An attachment, and whether it takes its gateway's defaults.
struct Att {
    tgw: String,
    inst: usize,
    association: bool,
    propagation: bool,
}

/// A private ASN, as AWS takes for a transit gateway's Amazon side (TGW-1).
fn private_asn(n: u64) -> bool {
    (64512..=65534).contains(&n) || (4_200_000_000..=4_294_967_294).contains(&n)
}

impl Conv<'_> {
    /// The id of the VPN attachment of a VPN connection to a transit gateway.
    pub(super) fn vpn_attachment_id(&self, i: usize) -> String {
        format!("{}/attachment", self.ids[i])
    }

    /// The transit gateway `attr` of `i` names, if it is in the design.
    fn tgw_named(&mut self, i: usize, attr: &str) -> Option<String> {
        let p = self.world.one(i, attr, TGW)?;
        self.sid(&Pick {
            inst: p.inst,
            attr: None,
        })
        .filter(|t| self.out.tgws.contains_key(t))
    }

    /// The transit gateway route table `attr` of `i` names: a table, or a
    /// gateway's default table by its attribute.
    fn tgw_table(&mut self, i: usize, attr: &str) -> Option<String> {
        let p = self.world.one(
            i,
            attr,
            &[
                "aws_ec2_transit_gateway_route_table",
                "aws_ec2_transit_gateway",
            ],
        )?;
        self.sid(&p)
            .filter(|t| self.out.tgw_route_tables.contains_key(t))
    }

    /// The attachment `attr` of `i` names, on the transit gateway `tgw`:
    /// of a peering, the side on `tgw`.
    fn tgw_attachment(&mut self, i: usize, attr: &str, tgw: &str) -> Option<String> {
        let p = self.world.one(i, attr, ATTACHMENT)?;
        if !self.made.contains(&p.inst) {
            return None;
        }
        let base = if self.inst(p.inst).rtype == "aws_vpn_connection" {
            self.vpn_attachment_id(p.inst)
        } else {
            self.ids[p.inst].clone()
        };
        let other = self.out.tgw_peers.get(&base).cloned();
        [Some(base), other].into_iter().flatten().find(|a| {
            self.out
                .tgw_attachments
                .get(a)
                .is_some_and(|x| x.tgw == tgw)
        })
    }

    pub(super) fn transit_gateways(&mut self) {
        let mut gws: BTreeMap<String, Gw> = BTreeMap::new();
        let mut atts: BTreeMap<String, Att> = BTreeMap::new();
        self.tgw_gateways(&mut gws);
        self.tgw_tables();
        self.tgw_vpc_attachments(&mut atts);
        let vpns = self.tgw_vpns(&mut atts);
        self.tgw_peerings(&gws, &mut atts);
        self.tgw_associations(&gws, &atts);
        self.tgw_propagations(&gws, &atts);
        let to_vpn = self.tgw_routes();
        self.tgw_onprem(&vpns, &to_vpn);
        for t in self.out.tgw_route_tables.values_mut() {
            t.associations.sort();
            t.associations.dedup();
            t.propagations.sort();
            t.propagations.dedup();
        }
    }

    fn tgw_gateways(&mut self, gws: &mut BTreeMap<String, Gw>) {
        for i in self.of(TGW) {
            let x = self.inst(i);
            let on = |k: &str| x.str(k) != Some("disable");
            let (association, propagation) = (
                on("default_route_table_association"),
                on("default_route_table_propagation"),
            );
            let dns_support = on("dns_support");
            let sg_referencing = x.str("security_group_referencing_support") == Some("enable");
            let asn = x.values.get("amazon_side_asn").and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            });
            let asn = match asn {
                Some(n) if private_asn(n) => u32::try_from(n).ok(),
                Some(n) => {
                    self.note(
                        Approximated,
                        i,
                        format!("`amazon_side_asn` {n} is not a private ASN, which AWS refuses (TGW-1); the default 64512 is written"),
                    );
                    None
                }
                None => None,
            };
            let id = self.ids[i].clone();
            let default = (association || propagation).then(|| format!("{id}/default-rt"));
            if let Some(t) = &default {
                self.out.tgw_route_tables.insert(
                    t.clone(),
                    out::TgwRouteTable {
                        head: out::Head {
                            name: None,
                            comments: vec![format!(
                                "The default route table of {id}, which AWS creates with it (Terraform: {}.association_default_route_table_id)",
                                self.addr(i)
                            )],
                        },
                        tgw: id.clone(),
                        ..out::TgwRouteTable::default()
                    },
                );
            }
            let head = self.head(i);
            self.out.tgws.insert(
                id.clone(),
                out::Tgw {
                    head,
                    asn,
                    association_default: default.clone().filter(|_| association),
                    propagation_default: default.filter(|_| propagation),
                    dns_support,
                    sg_referencing,
                },
            );
            if self.regions[i] != self.region {
                self.out
                    .tgw_regions
                    .insert(id.clone(), self.regions[i].clone());
            }
            self.made.insert(i);
            gws.insert(
                id,
                Gw {
                    inst: i,
                    association,
                    propagation,
                },
            );
        }
    }

    fn tgw_tables(&mut self) {
        for i in self.of(&["aws_ec2_transit_gateway_route_table"]) {
            let Some(tgw) = self.tgw_named(i, "transit_gateway_id") else {
                self.note(
                    Unknown,
                    i,
                    "its transit gateway is not in the design; left out",
                );
                continue;
            };
            let head = self.head(i);
            self.out.tgw_route_tables.insert(
                self.ids[i].clone(),
                out::TgwRouteTable {
                    head,
                    tgw,
                    ..out::TgwRouteTable::default()
                },
            );
            self.made.insert(i);
        }
    }

    /// The account of instance `i`: what its values say (`attr`, else
    /// `owner_id`), else its provider configuration's.
    fn account_of(&self, i: usize, attr: &str) -> Option<String> {
        let x = self.inst(i);
        x.str(attr)
            .or_else(|| x.str("owner_id"))
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .or_else(|| self.world.config.account(x))
    }

    /// A VPC attachment of another account than its transit gateway's
    /// stays pending acceptance unless the gateway accepts shared
    /// attachments automatically or an accepter of the plan accepts it
    /// (TGW-2): the note, when it stays pending.
    fn pending_acceptance(
        &mut self,
        i: usize,
        accepted: &BTreeMap<usize, usize>,
    ) -> Option<String> {
        let g = self.world.one(i, "transit_gateway_id", TGW)?.inst;
        let vpc_account = self.account_of(i, "vpc_owner_id").or_else(|| {
            let v = self
                .world
                .one(i, "vpc_id", &["aws_vpc", "aws_default_vpc"])?;
            self.account_of(v.inst, "owner_id")
        })?;
        let tgw_account = self.account_of(g, "owner_id")?;
        if vpc_account == tgw_account
            || accepted.contains_key(&i)
            || self.inst(g).str("auto_accept_shared_attachments") == Some("enable")
        {
            return None;
        }
        Some(format!(
            "a VPC of account {vpc_account} attached to {} of account {tgw_account}, which does not accept shared attachments automatically (auto_accept_shared_attachments), and no aws_ec2_transit_gateway_vpc_attachment_accepter of the plan accepts it: it stays pending acceptance, and carries nothing; left out",
            self.addr(g)
        ))
    }

    fn tgw_vpc_attachments(&mut self, atts: &mut BTreeMap<String, Att>) {
        let accepters = self.of(&["aws_ec2_transit_gateway_vpc_attachment_accepter"]);
        // Attachment -> the accepter that accepts it.
        let mut accepted: BTreeMap<usize, usize> = BTreeMap::new();
        for &a in &accepters {
            if let Some(p) = self.world.one(
                a,
                "transit_gateway_attachment_id",
                &["aws_ec2_transit_gateway_vpc_attachment"],
            ) {
                accepted.entry(p.inst).or_insert(a);
            }
        }
        for i in self.of(&["aws_ec2_transit_gateway_vpc_attachment"]) {
            let tgw = self.tgw_named(i, "transit_gateway_id");
            let vpc = self
                .vpc_of(i, "vpc_id")
                .filter(|v| self.out.vpcs.contains_key(v));
            let (Some(tgw), Some(vpc)) = (tgw, vpc) else {
                self.note(
                    Unknown,
                    i,
                    "its transit gateway or VPC is not in the design; left out",
                );
                continue;
            };
            if let Some(why) = self.pending_acceptance(i, &accepted) {
                self.note(Skipped, i, why);
                continue;
            }
            if let Some(other) = self
                .out
                .tgw_attachments
                .iter()
                .find(|(_, a)| a.tgw == tgw && a.vpc == vpc)
                .map(|(k, _)| k.clone())
            {
                self.note(
                    Unsupported,
                    i,
                    format!("a second attachment of {vpc} to {tgw} (after {other}); AWS allows one; left out"),
                );
                continue;
            }
            let mut subnets: Vec<String> = Vec::new();
            let mut zones: BTreeSet<String> = BTreeSet::new();
            for p in self.world.all(i, "subnet_ids", super::network::SUBNET) {
                let Some(s) = self.sid(&p) else { continue };
                let Some(sub) = self.out.subnets.get(&s) else {
                    continue;
                };
                if sub.vpc != vpc {
                    self.note(
                        Unsupported,
                        i,
                        format!("subnet {s} is not in {vpc}; left out of the attachment"),
                    );
                } else if zones.insert(sub.az.clone()) {
                    subnets.push(s);
                } else {
                    let az = sub.az.clone();
                    self.note(
                        Approximated,
                        i,
                        format!("a second subnet in {az} ({s}) left out: an attachment has one subnet per Availability Zone (TGW-2)"),
                    );
                }
            }
            if subnets.is_empty() {
                self.note(Unknown, i, "none of its subnets is in the design; left out");
                continue;
            }
            subnets.sort();
            let x = self.inst(i);
            let appliance_mode = x.str("appliance_mode_support") == Some("enable");
            let association = x
                .bool("transit_gateway_default_route_table_association")
                .unwrap_or(true);
            let propagation = x
                .bool("transit_gateway_default_route_table_propagation")
                .unwrap_or(true);
            let mut head = self.head(i);
            if let Some(&a) = accepted.get(&i) {
                head.comments.push(format!("accepted by {}", self.addr(a)));
            }
            let id = self.ids[i].clone();
            self.out.tgw_attachments.insert(
                id.clone(),
                out::TgwAttachment {
                    head,
                    tgw: tgw.clone(),
                    vpc,
                    subnets,
                    appliance_mode,
                    sg_referencing_off: x.str("security_group_referencing_support")
                        == Some("disable"),
                    vpn: None,
                },
            );
            atts.insert(
                id,
                Att {
                    tgw,
                    inst: i,
                    association,
                    propagation,
                },
            );
            self.made.insert(i);
        }
        // An accepter (of another account) is its attachment; its own
        // defaults are the ones that hold.
        for i in accepters {
            let p = self
                .world
                .one(
                    i,
                    "transit_gateway_attachment_id",
                    &["aws_ec2_transit_gateway_vpc_attachment"],
                )
                .filter(|p| self.made.contains(&p.inst));
            let Some(p) = p else {
                self.note(
                    Unknown,
                    i,
                    "the attachment it accepts is not in the design; left out",
                );
                continue;
            };
            let id = self.ids[p.inst].clone();
            self.ids[i] = id.clone();
            let x = self.inst(i);
            let association = x.bool("transit_gateway_default_route_table_association");
            let propagation = x.bool("transit_gateway_default_route_table_propagation");
            if let Some(a) = atts.get_mut(&id) {
                a.association = association.unwrap_or(a.association);
                a.propagation = propagation.unwrap_or(a.propagation);
            }
            self.made.insert(i);
        }
    }

    /// VPN connections to a transit gateway: their attachments.
    fn tgw_vpns(&mut self, atts: &mut BTreeMap<String, Att>) -> Vec<usize> {
        let mut vpns = Vec::new();
        for i in self.of(&["aws_vpn_connection"]) {
            let x = self.inst(i);
            if x.str("transit_gateway_id").is_none()
                && self.world.config.expr(x, "transit_gateway_id").is_none()
            {
                continue;
            }
            let Some(tgw) = self.tgw_named(i, "transit_gateway_id") else {
                self.note(
                    Unknown,
                    i,
                    "its transit gateway is not in the design; left out",
                );
                continue;
            };
            let bgp = !self.inst(i).bool("static_routes_only").unwrap_or(false);
            let id = self.vpn_attachment_id(i);
            let mut head = self.head(i);
            head.name = None;
            head.comments.push(format!(
                "the VPN attachment of {} (its `transit_gateway_attachment_id`)",
                self.ids[i]
            ));
            self.out.tgw_attachments.insert(
                id.clone(),
                out::TgwAttachment {
                    head,
                    tgw: tgw.clone(),
                    vpn: Some((self.ids[i].clone(), bgp)),
                    ..out::TgwAttachment::default()
                },
            );
            atts.insert(
                id,
                Att {
                    tgw,
                    inst: i,
                    association: true,
                    propagation: true,
                },
            );
            self.made.insert(i);
            vpns.push(i);
        }
        vpns
    }

    fn tgw_peerings(&mut self, gws: &BTreeMap<String, Gw>, atts: &mut BTreeMap<String, Att>) {
        let accepters = self.of(&["aws_ec2_transit_gateway_peering_attachment_accepter"]);
        let mut accepted: BTreeMap<usize, usize> = BTreeMap::new();
        for &a in &accepters {
            if let Some(p) = self.world.one(
                a,
                "transit_gateway_attachment_id",
                &["aws_ec2_transit_gateway_peering_attachment"],
            ) {
                accepted.entry(p.inst).or_insert(a);
            }
        }
        for i in self.of(&["aws_ec2_transit_gateway_peering_attachment"]) {
            let tgw = self.tgw_named(i, "transit_gateway_id");
            let peer = self.tgw_named(i, "peer_transit_gateway_id");
            let peer = match (&tgw, peer) {
                (Some(_), None) => self.outside_peer(i, &accepted),
                (_, peer) => peer,
            };
            let (Some(tgw), Some(peer)) = (tgw, peer) else {
                self.note(
                    Unknown,
                    i,
                    "its transit gateway or the peer transit gateway is not in the design (of another account or configuration?); left out, and routes to it are kept as blackholes",
                );
                continue;
            };
            if tgw == peer {
                self.note(
                    Unsupported,
                    i,
                    format!("peers {tgw} with itself, which AWS refuses; left out"),
                );
                continue;
            }
            // Accepted by an accepter of the plan, or outside this
            // configuration: what the plan or state knows of the
            // attachment says it is available.
            let acc = match accepted.get(&i) {
                Some(&acc) => Some(acc),
                None if self.inst(i).str("state") == Some("available") => None,
                None => {
                    self.note(
                        Skipped,
                        i,
                        "no aws_ec2_transit_gateway_peering_attachment_accepter of the plan accepts it: it stays pending acceptance, and carries nothing; left out",
                    );
                    continue;
                }
            };
            let peer_region = gws.get(&peer).map(|g| self.regions[g.inst].clone());
            if let (Some(r), Some(peer_region)) = (self.inst(i).str("peer_region"), peer_region) {
                if r != peer_region {
                    self.note(
                        Approximated,
                        i,
                        format!("`peer_region` is {r}, but the peer transit gateway {peer} is in {peer_region} (its provider configuration); {peer_region} is written"),
                    );
                }
            }
            let twice = self.out.tgw_peers.keys().any(|a| {
                let x = &self.out.tgw_attachments[a];
                let y = &self.out.tgw_attachments[&self.out.tgw_peers[a]];
                x.tgw == tgw && y.tgw == peer
            });
            if twice {
                self.note(
                    Unsupported,
                    i,
                    format!("a second peering between {tgw} and {peer}: AWS allows one; left out"),
                );
                continue;
            }
            let a = self.ids[i].clone();
            let (b, mut head_b, acc) = match acc {
                Some(acc) => (self.ids[acc].clone(), self.head(acc), acc),
                None => {
                    let b = format!("{a}/accepter");
                    self.note(
                        Approximated,
                        i,
                        format!("no aws_ec2_transit_gateway_peering_attachment_accepter of the plan accepts it, but its state is available: accepted outside this configuration, so it is imported as working, its accepter side written as {b} on {peer}"),
                    );
                    let head = out::Head {
                        name: None,
                        comments: vec![
                            "Accepted outside this configuration (its state is available)"
                                .to_string(),
                        ],
                    };
                    (b, head, i)
                }
            };
            let head_a = self.head(i);
            head_b.comments.push(format!("the accepter side of {a}"));
            for (id, on, head, inst) in [(&a, &tgw, head_a, i), (&b, &peer, head_b, acc)] {
                self.out.tgw_attachments.insert(
                    id.clone(),
                    out::TgwAttachment {
                        head,
                        tgw: on.clone(),
                        ..out::TgwAttachment::default()
                    },
                );
                if !gws.contains_key(on) {
                    // On a peer outside the configuration: no table.
                    continue;
                }
                atts.insert(
                    id.clone(),
                    Att {
                        tgw: on.clone(),
                        inst,
                        association: true,
                        // A peering attachment propagates nothing (TGW-10).
                        propagation: false,
                    },
                );
            }
            self.out.tgw_peers.insert(a.clone(), b.clone());
            self.out.tgw_peers.insert(b, a);
            self.made.insert(i);
            self.made.insert(acc);
        }
        for a in accepters {
            if !self.made.contains(&a) {
                self.note(
                    Unknown,
                    a,
                    "the peering attachment it accepts is not in the design; left out",
                );
            }
        }
    }

    /// The peer transit gateway of peering attachment `i` when it is
    /// outside the configuration but the attachment is available without
    /// an accepter of the plan (accepted there): written by its AWS id and
    /// its `peer_region`, with no route table, so that what crosses the
    /// peering is dropped there (noted).
    fn outside_peer(&mut self, i: usize, accepted: &BTreeMap<usize, usize>) -> Option<String> {
        let x = self.inst(i);
        if accepted.contains_key(&i) || x.str("state") != Some("available") {
            return None;
        }
        let id = x
            .str("peer_transit_gateway_id")
            .filter(|t| t.starts_with("tgw-"))?
            .to_string();
        if self.world.by_id(&id).is_some() {
            // A gateway of the plan that is not imported.
            return None;
        }
        let account = x
            .str("peer_account_id")
            .map_or(String::new(), |a| format!(" of account {a}"));
        let region = x.str("peer_region").map(str::to_string);
        let place = region.clone().unwrap_or_else(|| self.region.clone());
        self.note(
            Unknown,
            i,
            format!("its peer transit gateway {id}{account} in {place} is outside this configuration: written with no route table, so what crosses the peering to it is dropped there (no_route)"),
        );
        if !self.out.tgws.contains_key(&id) {
            self.out.tgws.insert(
                id.clone(),
                out::Tgw {
                    head: out::Head {
                        name: None,
                        comments: vec![format!(
                            "Outside this configuration: the peer of {}{account}; its attachments and route tables are not in the plan",
                            self.addr(i)
                        )],
                    },
                    asn: None,
                    association_default: None,
                    propagation_default: None,
                    dns_support: true,
                    sg_referencing: false,
                },
            );
            if let Some(r) = region.filter(|r| *r != self.region) {
                self.out.tgw_regions.insert(id.clone(), r);
            }
        }
        Some(id)
    }

    /// The table and the attachment of an association or propagation.
    fn tgw_link(&mut self, i: usize) -> Option<(String, String)> {
        let Some(table) = self.tgw_table(i, "transit_gateway_route_table_id") else {
            self.note(
                Unknown,
                i,
                "its transit gateway route table is not in the design; left out",
            );
            return None;
        };
        let tgw = self.out.tgw_route_tables[&table].tgw.clone();
        let Some(att) = self.tgw_attachment(i, "transit_gateway_attachment_id", &tgw) else {
            self.note(
                Unknown,
                i,
                format!("its attachment is not in the design, or not one of {tgw}; left out"),
            );
            return None;
        };
        Some((table, att))
    }

    fn tgw_associations(&mut self, gws: &BTreeMap<String, Gw>, atts: &BTreeMap<String, Att>) {
        let mut assoc: BTreeMap<String, String> = BTreeMap::new();
        for i in self.of(&["aws_ec2_transit_gateway_route_table_association"]) {
            let Some((table, att)) = self.tgw_link(i) else {
                continue;
            };
            if let Some(prev) = assoc.get(&att) {
                let prev = prev.clone();
                self.note(
                    Approximated,
                    i,
                    format!("a second association of {att} (with {table}): an attachment is associated with one table (TGW-3); the first, with {prev}, is kept"),
                );
                continue;
            }
            let a = &atts[&att];
            if a.association
                && gws[&a.tgw].association
                && self.inst(i).bool("replace_existing_association") != Some(true)
            {
                self.note(
                    Approximated,
                    i,
                    format!("{att} is associated with the default route table of {} when it is created (its transit_gateway_default_route_table_association is true), and AWS refuses a second association without replace_existing_association; the association with {table} is written", a.tgw),
                );
            }
            assoc.insert(att, table);
            self.made.insert(i);
        }
        let mut off: BTreeSet<String> = BTreeSet::new();
        for (id, a) in atts {
            if assoc.contains_key(id) || !gws[&a.tgw].association {
                continue;
            }
            if a.association {
                assoc.insert(id.clone(), format!("{}/default-rt", a.tgw));
            } else {
                off.insert(a.tgw.clone());
                self.note(
                    Approximated,
                    a.inst,
                    format!("associated with no route table (transit_gateway_default_route_table_association = false, and no association): its packets are dropped at {}; the transit gateway is written with default association off, which would otherwise associate it, and its other attachments' associations are listed", a.tgw),
                );
            }
        }
        for t in off {
            if let Some(g) = self.out.tgws.get_mut(&t) {
                g.association_default = None;
            }
        }
        for (att, table) in assoc {
            if let Some(t) = self.out.tgw_route_tables.get_mut(&table) {
                t.associations.push(att);
            }
        }
    }

    fn tgw_propagations(&mut self, gws: &BTreeMap<String, Gw>, atts: &BTreeMap<String, Att>) {
        let mut props: BTreeSet<(String, String)> = BTreeSet::new();
        for i in self.of(&["aws_ec2_transit_gateway_route_table_propagation"]) {
            let Some((table, att)) = self.tgw_link(i) else {
                continue;
            };
            if self.out.tgw_peers.contains_key(&att) {
                self.note(
                    Unsupported,
                    i,
                    format!("{att} is a peering attachment, which propagates nothing (AWS refuses the propagation, TGW-10); left out"),
                );
                continue;
            }
            props.insert((table, att));
            self.made.insert(i);
        }
        let mut off: BTreeSet<String> = BTreeSet::new();
        for (id, a) in atts {
            if self.out.tgw_peers.contains_key(id) || !gws[&a.tgw].propagation {
                continue;
            }
            let default = (format!("{}/default-rt", a.tgw), id.clone());
            if a.propagation {
                props.insert(default);
            } else if !props.contains(&default) {
                off.insert(a.tgw.clone());
                self.note(
                    Approximated,
                    a.inst,
                    format!("does not propagate into the default route table of {} (transit_gateway_default_route_table_propagation = false); the transit gateway is written with default propagation off, and its other attachments' propagations are listed", a.tgw),
                );
            }
        }
        for t in off {
            if let Some(g) = self.out.tgws.get_mut(&t) {
                g.propagation_default = None;
            }
        }
        for (table, att) in props {
            if let Some(t) = self.out.tgw_route_tables.get_mut(&table) {
                t.propagations.push(att);
            }
        }
    }

    /// Static, blackhole and prefix-list routes; returns the destinations
    /// routed to each VPN attachment.
    fn tgw_routes(&mut self) -> BTreeMap<String, Vec<Ipv4Net>> {
        let mut to_vpn: BTreeMap<String, Vec<Ipv4Net>> = BTreeMap::new();
        for i in self.of(&[
            "aws_ec2_transit_gateway_route",
            "aws_ec2_transit_gateway_prefix_list_reference",
        ]) {
            let Some(table) = self.tgw_table(i, "transit_gateway_route_table_id") else {
                self.note(
                    Unknown,
                    i,
                    "its transit gateway route table is not in the design; left out",
                );
                continue;
            };
            let tgw = self.out.tgw_route_tables[&table].tgw.clone();
            let x = self.inst(i);
            let (destination, cidrs) = if x.rtype == "aws_ec2_transit_gateway_prefix_list_reference"
            {
                let list = self
                    .world
                    .one(i, "prefix_list_id", &["aws_ec2_managed_prefix_list"])
                    .and_then(|p| self.sid(&p))
                    .filter(|l| self.out.prefix_lists.contains_key(l));
                let Some(list) = list else {
                    self.note(Unknown, i, "its prefix list is not in the design; left out");
                    continue;
                };
                let cidrs = self.out.prefix_lists[&list].cidrs.clone();
                (list, cidrs)
            } else {
                match x.str("destination_cidr_block") {
                    Some(s) if s.contains(':') => {
                        self.note(Unsupported, i, "an IPv6 route; left out");
                        continue;
                    }
                    Some(s) => match cidr(s) {
                        Some(c) => (c.to_string(), vec![c]),
                        None => continue, // refused by check_values
                    },
                    None => {
                        self.note(
                            Unknown,
                            i,
                            "its destination is unknown until apply; left out",
                        );
                        continue;
                    }
                }
            };
            let blackhole = self.inst(i).bool("blackhole").unwrap_or(false);
            let attachment = if blackhole {
                None
            } else {
                let a = self.tgw_attachment(i, "transit_gateway_attachment_id", &tgw);
                if a.is_none() {
                    self.note(
                        Unknown,
                        i,
                        format!("route to {destination}: its attachment is not in the design, or not one of {tgw}; kept as a blackhole"),
                    );
                }
                a
            };
            let t = self
                .out
                .tgw_route_tables
                .get_mut(&table)
                .expect("looked up above");
            if t.routes.iter().any(|r| r.destination == destination) {
                self.note(
                    Approximated,
                    i,
                    format!("a second route to {destination} in {table}; the first is kept"),
                );
                continue;
            }
            t.routes.push(out::TgwRoute {
                destination,
                attachment: attachment.clone(),
            });
            if let Some(a) = attachment {
                if self.out.tgw_attachments[&a].vpn.is_some() {
                    to_vpn.entry(a).or_default().extend(cidrs);
                }
            }
            self.made.insert(i);
        }
        to_vpn
    }

    /// The on-premises network behind each VPN attachment.
    fn tgw_onprem(&mut self, vpns: &[usize], to_vpn: &BTreeMap<String, Vec<Ipv4Net>>) {
        for &i in vpns {
            let via = self.vpn_attachment_id(i);
            let mut cidrs: Vec<Ipv4Net> = to_vpn.get(&via).cloned().unwrap_or_default();
            if let Some(c) = self.inst(i).str("local_ipv4_network_cidr").and_then(cidr) {
                if c.prefix_len() > 0 {
                    cidrs.push(c);
                }
            }
            cidrs.sort();
            cidrs.dedup();
            if cidrs.is_empty() {
                self.note(
                    Unknown,
                    i,
                    format!("the on-premises prefixes are not in the plan (BGP, or no static route to {via}); the attachment is written with no on-premises network behind it"),
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
        }
    }
}
