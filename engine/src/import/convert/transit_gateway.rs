//! Transit gateways (TGW-1), their VPC attachments (TGW-2) and route tables
//! with associations, propagations, static and blackhole routes (TGW-3,
//! TGW-4), from `describe-transit-gateways`,
//! `describe-transit-gateway-attachments`,
//! `describe-transit-gateway-vpc-attachments`,
//! `describe-transit-gateway-route-tables`,
//! `get-transit-gateway-route-table-propagations` and
//! `search-transit-gateway-routes`.
//!
//! The associations and propagations are written as AWS reports them, with
//! the transit gateway's defaults off: the defaults decide what happens to
//! attachments created later, which a snapshot does not have. Only when the
//! attachments or propagations file is missing do the defaults stand in for
//! them (noted). VPN attachments (TGW-9) are imported with their VPN
//! connection (`VpnConnections.json`), whose on-premises networks name the
//! attachment in `via`. Peering attachments (TGW-10) come from
//! `describe-transit-gateway-peering-attachments`: both sides are written,
//! each on its transit gateway and naming the other in `peer`; the side
//! whose transit gateway is in the files keeps AWS's id (the requester's
//! when both are), the other is `<id>/accepter` or `<id>/requester` (or
//! the accepter's own attachment id where AWS gives one). A peer transit
//! gateway outside the files is written with its `region` and no route
//! table (a note says so). Routes that name a peering attachment are
//! written to the side on their table's transit gateway. Attachments of
//! other types (Direct Connect gateway, Connect) are notes naming the
//! attachment.

use super::*;

/// The states in which a transit gateway or route table carries traffic.
fn usable(state: Option<&str>) -> bool {
    matches!(state, None | Some("available" | "modifying"))
}

/// What an attachment type is called in notes.
fn attachment_what(rtype: &str) -> String {
    match rtype {
        "vpc" => "VPC attachment".into(),
        "vpn" => "VPN attachment".into(),
        "direct-connect-gateway" => "Direct Connect gateway attachment".into(),
        "peering" | "tgw-peering" => "peering attachment".into(),
        "connect" => "Connect attachment".into(),
        other => format!("{other} attachment"),
    }
}

impl Cx<'_> {
    pub(super) fn transit_gateways(&mut self) {
        self.tgw_gateways();
        self.tgw_tables();
        self.tgw_attachments();
        self.tgw_peerings();
        self.tgw_associations();
        self.tgw_propagations();
        self.tgw_static_routes();
        for t in self.scenario.tgw_route_tables.values_mut() {
            t.associations.sort();
            t.associations.dedup();
            t.propagations.sort();
            t.propagations.dedup();
        }
    }

    fn tgw_gateways(&mut self) {
        let gateways: Vec<(&str, &aws::TransitGateway)> =
            self.input.tgws.iter().map(|(k, v)| (*k, *v)).collect();
        for (id, g) in gateways {
            if !usable(g.state.as_deref()) {
                self.notes.add(
                    Skipped,
                    id,
                    format!(
                        "transit gateway in state {}",
                        g.state.as_deref().unwrap_or("")
                    ),
                );
                continue;
            }
            if !self.input.has_tgw_vpc_attachments_file {
                // Nothing could be attached to it: what routes to it stays
                // a blackhole, as before transit gateways were imported.
                self.notes.add(
                    Unknown,
                    id,
                    "transit gateway whose VPC attachments are not in the files (TransitGatewayVpcAttachments.json, describe-transit-gateway-vpc-attachments); left out",
                );
                continue;
            }
            let o = g.options.clone().unwrap_or_default();
            let mut h = head(&g.tags);
            if let Some(owner) = &g.owner_id {
                h.comments.push(format!("owner account {owner}"));
            }
            let asn = match o.amazon_side_asn {
                Some(n) => match u32::try_from(n) {
                    Ok(a) => Some(a),
                    Err(_) => {
                        self.notes.add(
                            Approximated,
                            id,
                            format!("Amazon-side ASN {n} is not a 32-bit ASN; the default 64512 is written"),
                        );
                        None
                    }
                },
                None => None,
            };
            self.scenario.tgws.insert(
                id.to_string(),
                out::Tgw {
                    head: h,
                    asn,
                    association_default: None,
                    propagation_default: None,
                    dns_support: aws::enabled(&o.dns_support).unwrap_or(true),
                    sg_referencing: aws::enabled(&o.security_group_referencing_support)
                        .unwrap_or(false),
                },
            );
        }
    }

    fn tgw_tables(&mut self) {
        let tables: Vec<(&str, &aws::TgwRouteTable)> = self
            .input
            .tgw_route_tables
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        for (id, t) in tables {
            let Some(tgw) = t.transit_gateway_id.clone() else {
                self.notes.add(
                    Unknown,
                    id,
                    "transit gateway route table without its transit gateway",
                );
                continue;
            };
            if !self.scenario.tgws.contains_key(&tgw) {
                let present = self.input.tgws.contains_key(tgw.as_str());
                self.notes.left_out_with(
                    &tgw,
                    "transit gateway",
                    present,
                    format!("transit gateway route table {id}"),
                );
                continue;
            }
            if !usable(t.state.as_deref()) {
                self.notes.add(
                    Skipped,
                    id,
                    format!(
                        "transit gateway route table in state {}",
                        t.state.as_deref().unwrap_or("")
                    ),
                );
                continue;
            }
            let mut h = head(&t.tags);
            let defaults: Vec<&str> = [
                (t.default_association_route_table, "association"),
                (t.default_propagation_route_table, "propagation"),
            ]
            .into_iter()
            .filter(|(b, _)| *b == Some(true))
            .map(|(_, w)| w)
            .collect();
            if !defaults.is_empty() {
                h.comments.push(format!(
                    "the default {} route table of {tgw} in AWS",
                    defaults.join(" and ")
                ));
            }
            self.scenario.tgw_route_tables.insert(
                id.to_string(),
                out::TgwRouteTable {
                    head: h,
                    tgw,
                    associations: vec![],
                    propagations: vec![],
                    routes: vec![],
                },
            );
        }
    }

    fn tgw_attachments(&mut self) {
        let mut all: BTreeSet<&str> = self.input.tgw_attachments.keys().copied().collect();
        all.extend(self.input.tgw_vpc_attachments.keys().copied());
        for id in all {
            let general = self.input.tgw_attachments.get(id).copied();
            let vpc_att = self.input.tgw_vpc_attachments.get(id).copied();
            let rtype = general
                .and_then(|a| a.resource_type.clone())
                .unwrap_or_else(|| "vpc".to_string());
            let what = attachment_what(&rtype);
            let Some(tgw) = general
                .and_then(|a| a.transit_gateway_id.clone())
                .or_else(|| vpc_att.and_then(|a| a.transit_gateway_id.clone()))
            else {
                self.notes
                    .add(Unknown, id, format!("{what} without its transit gateway"));
                continue;
            };
            if matches!(rtype.as_str(), "peering" | "tgw-peering")
                && self.input.has_tgw_peerings_file
            {
                // From the peering attachments file (`tgw_peerings`), its
                // state included; one it does not describe is noted here.
                let described =
                    self.input.tgw_peerings.contains_key(id)
                        || self.input.tgw_peerings.values().any(|p| {
                            p.accepter_transit_gateway_attachment_id.as_deref() == Some(id)
                        });
                if !described {
                    self.notes.add(
                        Unknown,
                        id,
                        format!("peering attachment of {tgw}, not in TransitGatewayPeeringAttachments.json; left out, and routes to it are kept as blackholes"),
                    );
                }
                continue;
            }
            let state = general
                .and_then(|a| a.state.clone())
                .or_else(|| vpc_att.and_then(|a| a.state.clone()));
            if let Some(s) = state.as_deref().filter(|s| *s != "available") {
                self.notes
                    .add(Skipped, id, format!("{what} of {tgw} in state {s}"));
                continue;
            }
            let resource = general
                .and_then(|a| a.resource_id.clone())
                .or_else(|| vpc_att.and_then(|a| a.vpc_id.clone()))
                .unwrap_or_default();
            match rtype.as_str() {
                "vpc" => {}
                "vpn" => {
                    self.tgw_vpn_attachment(id, &tgw, &resource, general);
                    continue;
                }
                "peering" | "tgw-peering" => {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("peering attachment of {tgw}: its peer is not in the files (TransitGatewayPeeringAttachments.json, describe-transit-gateway-peering-attachments); not imported, and routes to it are kept as blackholes"),
                    );
                    continue;
                }
                "direct-connect-gateway" => {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("Direct Connect gateway attachment of {tgw} (Direct Connect gateway {resource}): Direct Connect is not modelled, so the routes it propagates are absent and routes to it are kept as blackholes"),
                    );
                    continue;
                }
                _ => {
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("{what} of {tgw} ({resource}): not imported; routes to it are kept as blackholes"),
                    );
                    continue;
                }
            }
            if !self.scenario.tgws.contains_key(&tgw) {
                let present = self.input.tgws.contains_key(tgw.as_str());
                self.notes.left_out_with(
                    &tgw,
                    "transit gateway",
                    present,
                    format!("transit gateway attachment {id}"),
                );
                continue;
            }
            let Some(v) = vpc_att else {
                self.notes.add(
                    Unknown,
                    id,
                    format!("VPC attachment of {tgw} to {resource}: its subnets are not in the files (TransitGatewayVpcAttachments.json, describe-transit-gateway-vpc-attachments)"),
                );
                continue;
            };
            let vpc = v.vpc_id.clone().unwrap_or(resource);
            if !self.scenario.vpcs.contains_key(&vpc) {
                self.notes.left_out_with(
                    &vpc,
                    "VPC",
                    in_files(&self.input, "VPC", &vpc),
                    format!("transit gateway attachment {id}"),
                );
                continue;
            }
            if let Some((other, _)) = self
                .scenario
                .tgw_attachments
                .iter()
                .find(|(_, a)| a.tgw == tgw && a.vpc == vpc)
            {
                let other = other.clone();
                self.notes.add(
                    Unsupported,
                    id,
                    format!("a second attachment of {vpc} to {tgw} (after {other}); left out"),
                );
                continue;
            }
            let mut subnets: Vec<String> = Vec::new();
            let mut zones: BTreeSet<String> = BTreeSet::new();
            for s in &v.subnet_ids {
                match self.scenario.subnets.get(s) {
                    Some(sub) if sub.vpc == vpc => {
                        if zones.insert(sub.az.clone()) {
                            subnets.push(s.clone());
                        } else {
                            self.notes.add(
                                Approximated,
                                id,
                                format!("a second subnet in {} ({s}) left out: an attachment has one subnet per Availability Zone", sub.az),
                            );
                        }
                    }
                    Some(_) => self.notes.add(
                        Unsupported,
                        id,
                        format!("subnet {s} is not in {vpc}; left out of the attachment"),
                    ),
                    None => self.notes.left_out_with(
                        s,
                        "subnet",
                        in_files(&self.input, "subnet", s),
                        format!("the attachment {id}'s ENI in it"),
                    ),
                }
            }
            if subnets.is_empty() {
                self.notes.add(
                    Unknown,
                    id,
                    format!("VPC attachment of {tgw} to {vpc}: none of its subnets is imported; left out"),
                );
                continue;
            }
            subnets.sort();
            // The attachment's ENIs are its own: not left over.
            let enis: Vec<String> = self
                .input
                .enis
                .values()
                .filter(|n| n.interface_type.as_deref() == Some("transit_gateway"))
                .filter(|n| n.description.as_deref().is_some_and(|d| d.contains(id)))
                .map(|n| n.network_interface_id.clone())
                .collect();
            self.accounted_enis.extend(enis);
            let tags = match general {
                Some(a) if v.tags.is_empty() => &a.tags,
                _ => &v.tags,
            };
            let mut h = head(tags);
            if let Some(owner) = general
                .and_then(|a| a.resource_owner_id.clone())
                .or_else(|| v.vpc_owner_id.clone())
            {
                let tgw_owner = general.and_then(|a| a.transit_gateway_owner_id.clone());
                if tgw_owner.as_ref().is_some_and(|o| *o != owner) {
                    h.comments.push(format!(
                        "VPC of account {owner} on a transit gateway of account {}",
                        tgw_owner.unwrap_or_default()
                    ));
                }
            }
            let appliance_mode = v
                .options
                .as_ref()
                .and_then(|o| aws::enabled(&o.appliance_mode_support))
                .unwrap_or(false);
            let sg_referencing_off = v
                .options
                .as_ref()
                .and_then(|o| aws::enabled(&o.security_group_referencing_support))
                .is_some_and(|on| !on);
            self.scenario.tgw_attachments.insert(
                id.to_string(),
                out::TgwAttachment {
                    head: h,
                    tgw,
                    vpc,
                    subnets,
                    appliance_mode,
                    sg_referencing_off,
                    vpn: None,
                },
            );
        }
    }

    /// A VPN attachment (TGW-9): the VPN connection `vpn` terminating on
    /// `tgw`, with the routing of its options. The on-premises networks
    /// behind it come with the other VPN connections' (`onprem_networks`).
    fn tgw_vpn_attachment(
        &mut self,
        id: &str,
        tgw: &str,
        vpn: &str,
        general: Option<&aws::TgwAttachment>,
    ) {
        if !self.scenario.tgws.contains_key(tgw) {
            let present = self.input.tgws.contains_key(tgw);
            self.notes.left_out_with(
                tgw,
                "transit gateway",
                present,
                format!("transit gateway attachment {id}"),
            );
            return;
        }
        let Some(v) = self.input.vpns.get(vpn).copied() else {
            self.notes.add(
                Unknown,
                id,
                format!("VPN attachment of {tgw}: its VPN connection {vpn} is not in the files (VpnConnections.json, describe-vpn-connections); left out, and routes to it are kept as blackholes"),
            );
            return;
        };
        if let Some(s) = v
            .state
            .as_deref()
            .filter(|s| matches!(*s, "deleted" | "deleting"))
        {
            self.notes.add(
                Skipped,
                id,
                format!("VPN attachment of {tgw}: its VPN connection {vpn} is in state {s}"),
            );
            return;
        }
        if v.transit_gateway_id.as_deref().is_some_and(|t| t != tgw) {
            self.notes.add(
                Unsupported,
                id,
                format!("VPN attachment of {tgw}, but its VPN connection {vpn} names transit gateway {}; left out", v.transit_gateway_id.as_deref().unwrap_or("")),
            );
            return;
        }
        let is_static = v
            .options
            .as_ref()
            .and_then(|o| o.static_routes_only)
            .unwrap_or(false);
        let mut h = head(general.map_or(&[][..], |a| &a.tags[..]));
        h.comments.push(format!("VPN connection {vpn}"));
        self.scenario.tgw_attachments.insert(
            id.to_string(),
            out::TgwAttachment {
                head: h,
                tgw: tgw.to_string(),
                vpn: Some((vpn.to_string(), !is_static)),
                ..out::TgwAttachment::default()
            },
        );
    }

    /// The table of each attachment, from the `Association` of
    /// `describe-transit-gateway-attachments`.
    fn tgw_associations(&mut self) {
        if !self.input.has_tgw_attachments_file {
            // Without the file: the default association stands in.
            let tgws: Vec<String> = self.scenario.tgws.keys().cloned().collect();
            for id in tgws {
                // A peer transit gateway outside the files has no defaults.
                let Some(g) = self.input.tgws.get(id.as_str()) else {
                    continue;
                };
                let o = g.options.clone().unwrap_or_default();
                let table = o.association_default_route_table_id.filter(|t| {
                    aws::enabled(&o.default_route_table_association) != Some(false)
                        && self.scenario.tgw_route_tables.contains_key(t)
                });
                let uses = self.scenario.tgw_attachments.values().any(|a| a.tgw == id);
                if let (Some(t), true) = (table, uses) {
                    self.notes.add(
                        Approximated,
                        &id,
                        format!("the attachments' associations are not in the files (TransitGatewayAttachments.json); each is taken to be associated with the default association table {t}"),
                    );
                    self.scenario
                        .tgws
                        .get_mut(&id)
                        .expect("listed above")
                        .association_default = Some(t);
                }
            }
            return;
        }
        let ids: Vec<String> = self.scenario.tgw_attachments.keys().cloned().collect();
        for id in ids {
            let tgw = self.scenario.tgw_attachments[&id].tgw.clone();
            if let Some(aws_id) = self.peering_aws_id(&id) {
                // A side of a peering: its transit gateway's view of it.
                if !self.input.tgws.contains_key(tgw.as_str()) {
                    continue; // outside the files, noted with the peering
                }
                let view = self.input.tgw_attachment_views.iter().find(|v| {
                    v.transit_gateway_attachment_id == aws_id
                        && v.transit_gateway_id.as_deref() == Some(tgw.as_str())
                });
                let table = view
                    .and_then(|v| v.association.as_ref())
                    .filter(|x| {
                        matches!(
                            x.state.as_deref(),
                            None | Some("associated" | "associating")
                        )
                    })
                    .and_then(|x| x.transit_gateway_route_table_id.clone());
                match table {
                    Some(t) if self.scenario.tgw_route_tables.get(&t).is_some_and(|x| x.tgw == tgw) => {
                        self.scenario
                            .tgw_route_tables
                            .get_mut(&t)
                            .expect("looked up")
                            .associations
                            .push(id.clone());
                    }
                    Some(t) => self.notes.add(
                        Unknown,
                        &id,
                        format!("associated with route table {t}, which is not imported; what arrives over the peering is dropped at {tgw}"),
                    ),
                    None if view.is_none() => self.notes.add(
                        Unknown,
                        &id,
                        format!("{tgw}'s view of this peering attachment is not in TransitGatewayAttachments.json, so its association is unknown; associated with no route table (what arrives over the peering is dropped at {tgw})"),
                    ),
                    None => {}
                }
                continue;
            }
            let a = self.input.tgw_attachments.get(id.as_str()).copied();
            let assoc = a.and_then(|a| a.association.as_ref()).filter(|x| {
                matches!(
                    x.state.as_deref(),
                    None | Some("associated" | "associating")
                )
            });
            let Some(table) = assoc.and_then(|x| x.transit_gateway_route_table_id.clone()) else {
                if a.is_none() {
                    self.notes.add(
                        Unknown,
                        &id,
                        "not in TransitGatewayAttachments.json, so its association is unknown; associated with no route table (its packets are dropped at the transit gateway)",
                    );
                }
                continue;
            };
            match self.scenario.tgw_route_tables.get_mut(&table) {
                Some(t) if t.tgw == tgw => t.associations.push(id.clone()),
                _ => self.notes.add(
                    Unknown,
                    &id,
                    format!("associated with route table {table}, which is not imported; its packets are dropped at the transit gateway"),
                ),
            }
        }
    }

    /// Which tables each attachment propagates into.
    fn tgw_propagations(&mut self) {
        if !self.input.has_tgw_propagations_file {
            let tgws: Vec<String> = self.scenario.tgws.keys().cloned().collect();
            for id in tgws {
                let Some(g) = self.input.tgws.get(id.as_str()) else {
                    continue;
                };
                let o = g.options.clone().unwrap_or_default();
                let table = o.propagation_default_route_table_id.filter(|t| {
                    aws::enabled(&o.default_route_table_propagation) != Some(false)
                        && self.scenario.tgw_route_tables.contains_key(t)
                });
                let uses = self.scenario.tgw_attachments.values().any(|a| a.tgw == id);
                if let (Some(t), true) = (table, uses) {
                    self.notes.add(
                        Approximated,
                        &id,
                        format!("the route tables' propagations are not in the files (TransitGatewayPropagations.json); every attachment is taken to propagate into the default propagation table {t}"),
                    );
                    self.scenario
                        .tgws
                        .get_mut(&id)
                        .expect("listed above")
                        .propagation_default = Some(t);
                }
            }
            return;
        }
        let tables: Vec<(&str, &aws::TgwTablePropagations)> = self
            .input
            .tgw_propagations
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        for (table, p) in tables {
            let Some(tgw) = self
                .scenario
                .tgw_route_tables
                .get(table)
                .map(|t| t.tgw.clone())
            else {
                continue;
            };
            for x in &p.transit_gateway_route_table_propagations {
                if !matches!(x.state.as_deref(), None | Some("enabled" | "enabling")) {
                    continue;
                }
                let att = x.transit_gateway_attachment_id.as_str();
                if self.scenario.tgw_peers.contains_key(att) {
                    // A peering attachment propagates nothing (TGW-10).
                    self.notes.add(
                        Unsupported,
                        table,
                        format!("a propagation from peering attachment {att}, which AWS does not make (TGW-10); left out"),
                    );
                    continue;
                }
                if self
                    .scenario
                    .tgw_attachments
                    .get(att)
                    .is_some_and(|a| a.tgw == tgw)
                {
                    self.scenario
                        .tgw_route_tables
                        .get_mut(table)
                        .expect("looked up above")
                        .propagations
                        .push(att.to_string());
                } else if !self.notes.0.keys().any(|(_, id)| id == att) {
                    self.notes.add(
                        Unknown,
                        att,
                        format!("attachment propagating into {table}, not in the attachment files; its routes are absent"),
                    );
                }
            }
        }
    }

    /// Static and blackhole routes of each table.
    fn tgw_static_routes(&mut self) {
        if !self.input.has_tgw_static_routes_file {
            let tables: Vec<String> = self.scenario.tgw_route_tables.keys().cloned().collect();
            for t in tables {
                self.notes.add(
                    Unknown,
                    &t,
                    "its static routes are not in the files (TransitGatewayStaticRoutes.json, search-transit-gateway-routes); imported without them",
                );
            }
            return;
        }
        let tables: Vec<(&str, &aws::TgwTableRoutes)> = self
            .input
            .tgw_static_routes
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        for (table, rs) in tables {
            let Some(tgw) = self
                .scenario
                .tgw_route_tables
                .get(table)
                .map(|t| t.tgw.clone())
            else {
                continue;
            };
            if rs.additional_routes_available == Some(true) {
                self.notes.add(
                    Approximated,
                    table,
                    "the route search returned only part of the static routes (AdditionalRoutesAvailable); the others are missing",
                );
            }
            let mut routes: Vec<out::TgwRoute> = Vec::new();
            for r in &rs.routes {
                if r.route_type.as_deref() == Some("propagated") {
                    continue; // from the propagations
                }
                if matches!(r.state.as_deref(), Some("deleted" | "deleting")) {
                    continue;
                }
                let target = r
                    .transit_gateway_attachments
                    .iter()
                    .find_map(|a| a.transit_gateway_attachment_id.clone());
                let shown = target.clone().unwrap_or_else(|| "blackhole".into());
                let destination = if let Some(d) = &r.destination_cidr_block {
                    match d.trim().parse::<Ipv4Net>() {
                        Ok(n) => n.trunc().to_string(),
                        Err(_) => {
                            self.notes.add(
                                Unsupported,
                                table,
                                format!("route {d} -> {shown} left out (not IPv4)"),
                            );
                            continue;
                        }
                    }
                } else if let Some(pl) = &r.prefix_list_id {
                    if !self.want_prefix_list(pl, &format!("transit gateway route table {table}")) {
                        let (kind, why) = self.list_left_out(pl);
                        self.notes.add(
                            kind,
                            table,
                            format!("route {pl} -> {shown} left out ({why})"),
                        );
                        continue;
                    }
                    pl.clone()
                } else {
                    continue;
                };
                if routes.iter().any(|x| x.destination == destination) {
                    continue; // ECMP over several attachments: the first kept
                }
                let blackhole = r.state.as_deref() == Some("blackhole");
                let attachment = match target {
                    Some(a) if !blackhole => {
                        // A peering attachment is named alike on both
                        // sides: the side on this table's transit gateway.
                        let a = self.side_on(&a, &tgw).unwrap_or(a);
                        if self
                            .scenario
                            .tgw_attachments
                            .get(&a)
                            .is_some_and(|x| x.tgw == tgw)
                        {
                            Some(a)
                        } else {
                            self.notes.add(
                                Unsupported,
                                table,
                                format!("route {destination} -> {a} kept as a blackhole: the attachment is not imported"),
                            );
                            None
                        }
                    }
                    _ => None,
                };
                routes.push(out::TgwRoute {
                    destination,
                    attachment,
                });
            }
            self.scenario
                .tgw_route_tables
                .get_mut(table)
                .expect("looked up above")
                .routes = routes;
        }
    }

    /// Peering attachments (TGW-10) from
    /// `describe-transit-gateway-peering-attachments`: both sides, each on
    /// its transit gateway; a peer transit gateway outside the files is
    /// written with its Region and no route table.
    fn tgw_peerings(&mut self) {
        let peerings: Vec<(&str, &aws::TgwPeeringAttachment)> = self
            .input
            .tgw_peerings
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect();
        for (id, p) in peerings {
            let info = |x: &Option<aws::PeeringTgwInfo>| x.clone().unwrap_or_default();
            let (req, acc) = (info(&p.requester_tgw_info), info(&p.accepter_tgw_info));
            let (Some(req_tgw), Some(acc_tgw)) = (
                req.transit_gateway_id.clone(),
                acc.transit_gateway_id.clone(),
            ) else {
                self.notes.add(
                    Unknown,
                    id,
                    "peering attachment without both transit gateways (RequesterTgwInfo, AccepterTgwInfo); left out",
                );
                continue;
            };
            let between = format!("peering attachment between {req_tgw} and {acc_tgw}");
            if let Some(s) = p.state.as_deref().filter(|s| *s != "available") {
                let why = p
                    .status
                    .as_ref()
                    .and_then(|x| x.message.clone())
                    .map_or(String::new(), |m| format!(" ({m})"));
                self.notes.add(
                    Skipped,
                    id,
                    format!("{between} in state {s}{why}: it carries nothing; left out, and routes to it are kept as blackholes"),
                );
                continue;
            }
            if req_tgw == acc_tgw {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("{between}: a transit gateway peered with itself, which AWS refuses; left out"),
                );
                continue;
            }
            let here = |t: &str| self.scenario.tgws.contains_key(t);
            let (req_here, acc_here) = (here(&req_tgw), here(&acc_tgw));
            if !req_here && !acc_here {
                self.notes.add(
                    Unknown,
                    id,
                    format!("{between}: neither transit gateway is imported; left out"),
                );
                continue;
            }
            // A transit gateway described in the files but not imported
            // (its state) takes its peerings with it.
            let skipped = [&req_tgw, &acc_tgw]
                .into_iter()
                .find(|t| !here(t) && self.input.tgws.contains_key(t.as_str()));
            if let Some(t) = skipped {
                self.notes.left_out_with(
                    t,
                    "transit gateway",
                    true,
                    format!("peering attachment {id}"),
                );
                continue;
            }
            let twice = self.scenario.tgw_peers.iter().any(|(a, b)| {
                let (x, y) = (
                    &self.scenario.tgw_attachments[a],
                    &self.scenario.tgw_attachments[b],
                );
                x.tgw == req_tgw && y.tgw == acc_tgw
            });
            if twice {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("{between}: a second peering between them, which AWS does not allow; left out"),
                );
                continue;
            }
            // The side in the files keeps AWS's id, the requester when both
            // are; the other is named by its role.
            let own_accepter_id = p
                .accepter_transit_gateway_attachment_id
                .clone()
                .filter(|a| a != id);
            let (req_id, acc_id) = if req_here {
                let acc_id = own_accepter_id.unwrap_or_else(|| format!("{id}/accepter"));
                (id.to_string(), acc_id)
            } else {
                (
                    format!("{id}/requester"),
                    own_accepter_id.unwrap_or_else(|| id.to_string()),
                )
            };
            if let Some(used) = [&req_id, &acc_id]
                .into_iter()
                .find(|x| self.scenario.tgw_attachments.contains_key(x.as_str()))
            {
                self.notes.add(
                    Unsupported,
                    id,
                    format!(
                        "{between}: its side {used} has the id of another attachment; left out"
                    ),
                );
                continue;
            }
            for (t, i, here) in [(&req, &req_tgw, req_here), (&acc, &acc_tgw, acc_here)] {
                let region = t.region.clone().filter(|r| *r != self.scenario.region);
                if here {
                    if let Some(r) = region {
                        self.scenario.tgw_regions.entry(i.clone()).or_insert(r);
                    }
                    continue;
                }
                let account = t
                    .owner_id
                    .as_deref()
                    .map_or(String::new(), |o| format!(" of account {o}"));
                let place = t
                    .region
                    .as_deref()
                    .unwrap_or(&self.scenario.region)
                    .to_string();
                self.notes.add(
                    Unknown,
                    i,
                    format!("the peer transit gateway{account} in {place} of {id} is outside the snapshot: written with no route table, so what crosses the peering to it is dropped there (no_route)"),
                );
                self.scenario.tgws.insert(
                    i.clone(),
                    out::Tgw {
                        head: out::Head {
                            name: None,
                            comments: vec![format!(
                                "Outside the snapshot: the peer of {id}{account}; its attachments and route tables are not in the files"
                            )],
                        },
                        asn: None,
                        association_default: None,
                        propagation_default: None,
                        dns_support: true,
                        sg_referencing: false,
                    },
                );
                if let Some(r) = region {
                    self.scenario.tgw_regions.insert(i.clone(), r);
                }
            }
            // Each account tags its own side: a side's name is what its
            // transit gateway's view of the attachment says, where it has
            // tags (accounts/<id>/), else the peering's.
            let tags_on = |tgw: &str| {
                self.input
                    .tgw_attachment_views
                    .iter()
                    .find(|v| {
                        v.transit_gateway_attachment_id == id
                            && v.transit_gateway_id.as_deref() == Some(tgw)
                            && !v.tags.is_empty()
                    })
                    .map_or(p.tags.as_slice(), |v| v.tags.as_slice())
            };
            let mut req_head = head(tags_on(&req_tgw));
            let mut acc_head = head(tags_on(&acc_tgw));
            req_head
                .comments
                .push(format!("the requester side of peering attachment {id}"));
            acc_head
                .comments
                .push(format!("the accepter side of peering attachment {id}"));
            for (side, tgw, h) in [(&req_id, &req_tgw, req_head), (&acc_id, &acc_tgw, acc_head)] {
                self.scenario.tgw_attachments.insert(
                    side.clone(),
                    out::TgwAttachment {
                        head: h,
                        tgw: tgw.clone(),
                        ..out::TgwAttachment::default()
                    },
                );
            }
            self.scenario
                .tgw_peers
                .insert(req_id.clone(), acc_id.clone());
            self.scenario.tgw_peers.insert(acc_id, req_id);
        }
    }

    /// The AWS id of a peering attachment's side `id`: the id itself for
    /// the side that kept it, else the other side's.
    fn peering_aws_id(&self, id: &str) -> Option<String> {
        let other = self.scenario.tgw_peers.get(id)?;
        if self.input.tgw_peerings.contains_key(id) {
            Some(id.to_string())
        } else if self.input.tgw_peerings.contains_key(other.as_str()) {
            Some(other.clone())
        } else {
            // The accepter's own id: the requester side kept AWS's.
            Some(id.to_string())
        }
    }

    /// The side on transit gateway `tgw` of the peering attachment AWS
    /// names `a`.
    fn side_on(&self, a: &str, tgw: &str) -> Option<String> {
        let other = self.scenario.tgw_peers.get(a)?;
        [a, other.as_str()]
            .into_iter()
            .find(|x| {
                self.scenario
                    .tgw_attachments
                    .get(*x)
                    .is_some_and(|y| y.tgw == tgw)
            })
            .map(str::to_string)
    }
}
