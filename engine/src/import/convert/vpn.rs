//! VPN gateways, and the on-premises networks behind their VPN connections
//! and behind transit gateways' VPN attachments (TGW-9).

use super::*;
use crate::import::ImportError;

/// A VPN connection's tunnels as imported, with the comments that say what
/// the files reported.
struct Tunnels {
    tunnels: Vec<(Ipv4Addr, bool)>,
    comments: Vec<String>,
}

impl Cx<'_> {
    pub(super) fn vpn_gateways(&mut self) {
        let mut vpc_has: BTreeSet<String> = BTreeSet::new();
        for (&id, g) in &self.input.vgws {
            if matches!(g.state.as_deref(), Some("deleted" | "deleting")) {
                self.notes.add(
                    Skipped,
                    id,
                    format!("VPN gateway in state {}", g.state.as_deref().unwrap_or("")),
                );
                continue;
            }
            let Some(a) = g.vpc_attachments.iter().find(|a| a.attached()) else {
                self.notes
                    .add(Skipped, id, "VPN gateway not attached to a VPC");
                continue;
            };
            if !self.scenario.vpcs.contains_key(&a.vpc_id) {
                self.notes.left_out_with(
                    &a.vpc_id,
                    "VPC",
                    in_files(&self.input, "VPC", &a.vpc_id),
                    format!("VPN gateway {id}"),
                );
                continue;
            }
            if !vpc_has.insert(a.vpc_id.clone()) {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("a second VPN gateway attached to {}", a.vpc_id),
                );
                continue;
            }
            self.scenario.vgws.insert(
                id.to_string(),
                out::Vgw {
                    head: head(&g.tags),
                    vpc: a.vpc_id.clone(),
                    propagate_to: vec![],
                },
            );
        }
        for (rt, vpc, r) in self.routes() {
            let Some((gid, TargetKind::Vgw)) = route_target(r) else {
                continue;
            };
            if !route_active(r)
                || self.input.vgws.contains_key(gid.as_str())
                || self.scenario.vgws.contains_key(&gid)
                || vpc_has.contains(vpc)
            {
                continue;
            }
            vpc_has.insert(vpc.to_string());
            self.scenario.vgws.insert(
                gid.clone(),
                out::Vgw {
                    head: Head::default(),
                    vpc: vpc.to_string(),
                    propagate_to: vec![],
                },
            );
            self.notes.add(
                Approximated,
                &gid,
                format!("VPN gateway not in the files, imported from the active route of {rt} (attached to {vpc})"),
            );
        }
    }

    pub(super) fn onprem_networks(&mut self) -> Result<(), ImportError> {
        // Prefixes that route tables show as propagated from each VGW, and
        // transit gateway route tables from each VPN attachment.
        let mut propagated_cidrs: BTreeMap<String, BTreeSet<Ipv4Net>> = BTreeMap::new();
        for (_, _, r) in self.routes() {
            if let (true, Some(g), Some(c)) =
                (propagated(r), &r.gateway_id, r.destination_cidr_block)
            {
                propagated_cidrs
                    .entry(g.clone())
                    .or_default()
                    .insert(trunc(c));
            }
        }
        for rs in self.input.tgw_static_routes.values() {
            for r in &rs.routes {
                if r.route_type.as_deref() != Some("propagated") {
                    continue;
                }
                let Some(Ok(c)) = r
                    .destination_cidr_block
                    .as_deref()
                    .map(|d| d.trim().parse::<Ipv4Net>())
                else {
                    continue;
                };
                for a in &r.transit_gateway_attachments {
                    let Some(att) = a.transit_gateway_attachment_id.as_deref() else {
                        continue;
                    };
                    if self
                        .scenario
                        .tgw_attachments
                        .get(att)
                        .is_some_and(|x| x.vpn.is_some())
                    {
                        propagated_cidrs
                            .entry(att.to_string())
                            .or_default()
                            .insert(c.trunc());
                    }
                }
            }
        }
        let vpns: Vec<(&str, &aws::VpnConnection)> =
            self.input.vpns.iter().map(|(k, v)| (*k, *v)).collect();
        // Prefixes declared with `--onprem`, by VPN connection.
        let mut declared: BTreeMap<&str, Vec<Ipv4Net>> = BTreeMap::new();
        for (vpn, nets) in &self.options.onprem {
            if !self.input.vpns.contains_key(vpn.as_str()) {
                let known: Vec<&str> = self.input.vpns.keys().copied().collect();
                let there = if known.is_empty() {
                    "the files hold no VPN connection".to_string()
                } else {
                    format!("the VPN connections in the files: {}", known.join(", "))
                };
                let list: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
                return Err(ImportError::Onprem {
                    arg: format!("{vpn}={}", list.join(",")),
                    message: format!("no VPN connection `{vpn}` in the files; {there}"),
                });
            }
            declared.entry(vpn.as_str()).or_default().extend(nets);
        }
        let mut covered: BTreeMap<String, BTreeSet<Ipv4Net>> = BTreeMap::new();
        let mut bgp_of: BTreeMap<String, String> = BTreeMap::new();
        for (id, v) in vpns {
            let state = v.state.as_deref().unwrap_or("available");
            if matches!(state, "deleted" | "deleting") {
                self.notes
                    .add(Skipped, id, format!("VPN connection in state {state}"));
                continue;
            }
            // What the on-premises networks are reached by: the VPN gateway,
            // or the transit gateway's VPN attachment (TGW-9).
            let vgw = if let Some(tgw) = &v.transit_gateway_id {
                let att = self
                    .scenario
                    .tgw_attachments
                    .iter()
                    .find(|(_, a)| a.vpn.as_ref().is_some_and(|(c, _)| c == id))
                    .map(|(k, _)| k.clone());
                let Some(att) = att else {
                    let listed = self.input.tgw_attachments.values().any(|a| {
                        a.resource_type.as_deref() == Some("vpn")
                            && a.resource_id.as_deref() == Some(id)
                    });
                    let why = if listed {
                        "its attachment is not imported"
                    } else {
                        "its attachment is not in the files (TransitGatewayAttachments.json, describe-transit-gateway-attachments)"
                    };
                    self.notes.add(
                        Unsupported,
                        id,
                        format!("VPN connection to transit gateway {tgw}: {why}; no [[onprem_network]] for it"),
                    );
                    continue;
                };
                att
            } else if let Some(vgw) = v.vpn_gateway_id.clone() {
                vgw
            } else {
                continue;
            };
            if v.transit_gateway_id.is_none() && !self.scenario.vgws.contains_key(&vgw) {
                self.notes.left_out_with(
                    &vgw,
                    "VPN gateway",
                    in_files(&self.input, "VPN gateway", &vgw),
                    format!("VPN connection {id}"),
                );
                continue;
            }
            let mut cidrs: Vec<Ipv4Net> = Vec::new();
            for r in &v.routes {
                if matches!(r.state.as_deref(), Some("deleted" | "deleting")) {
                    continue;
                }
                match r
                    .destination_cidr_block
                    .as_deref()
                    .map(str::parse::<Ipv4Net>)
                {
                    Some(Ok(n)) => {
                        let n = n.trunc();
                        if !cidrs.contains(&n) {
                            cidrs.push(n);
                        }
                    }
                    Some(Err(_)) => self.notes.add(
                        Unsupported,
                        id,
                        format!(
                            "static route {} left out (not IPv4)",
                            r.destination_cidr_block.as_deref().unwrap_or("")
                        ),
                    ),
                    None => {}
                }
            }
            if let Some(nets) = declared.get(id) {
                for n in nets {
                    let n = n.trunc();
                    if !cidrs.contains(&n) {
                        cidrs.push(n);
                    }
                }
                self.notes.add(
                    Approximated,
                    id,
                    "on-premises prefixes declared with --onprem",
                );
            }
            let is_static = v
                .options
                .as_ref()
                .and_then(|o| o.static_routes_only)
                .unwrap_or(false);
            if !is_static {
                bgp_of.entry(vgw.clone()).or_insert_with(|| id.to_string());
            }
            let tunnels = self.vpn_tunnels(id, v);
            covered.entry(vgw.clone()).or_default().extend(cidrs.iter());
            if cidrs.is_empty() {
                if is_static || !propagated_cidrs.contains_key(&vgw) {
                    let how = if is_static {
                        "no static routes"
                    } else if v.transit_gateway_id.is_some() {
                        "BGP, none propagated into a transit gateway route table"
                    } else {
                        "BGP, none propagated into a route table"
                    };
                    self.notes.add(
                        Unknown,
                        id,
                        format!("no on-premises prefixes in the files ({how}); no [[onprem_network]] for it; declare them with `vpcsim import aws DIR --onprem {id}=CIDR[,CIDR]`"),
                    );
                    continue;
                }
                // A VPN attachment's connection is its only one: the network
                // is written with its tunnels, and its prefixes are the
                // propagated ones (below).
                if v.transit_gateway_id.is_none() {
                    continue;
                }
            }
            let mut h = head(&v.tags);
            let mut customer_gateway = None;
            if let Some(cg) = v.customer_gateway_id.as_deref() {
                let ip = self.input.cgws.get(cg).and_then(|c| c.ip_address.clone());
                customer_gateway = ip.as_deref().and_then(|ip| ip.parse().ok());
                let at = ip.map(|ip| format!(" at {ip}")).unwrap_or_default();
                h.comments
                    .push(format!("VPN connection to customer gateway {cg}{at}"));
            }
            h.comments.extend(tunnels.comments);
            self.scenario.onprem.insert(
                id.to_string(),
                out::Onprem {
                    head: h,
                    cidrs,
                    via: vgw,
                    customer_gateway,
                    bgp: Some(!is_static),
                    tunnels: tunnels.tunnels,
                },
            );
        }
        // Propagated prefixes that no static route explains: learned by BGP.
        for (vgw, cidrs) in propagated_cidrs {
            if !self.scenario.vgws.contains_key(&vgw)
                && !self.scenario.tgw_attachments.contains_key(&vgw)
            {
                continue;
            }
            let have = covered.get(&vgw).cloned().unwrap_or_default();
            let rest: Vec<Ipv4Net> = cidrs.difference(&have).copied().collect();
            if rest.is_empty() {
                continue;
            }
            let id = bgp_of
                .get(&vgw)
                .cloned()
                .unwrap_or_else(|| format!("{vgw}-onprem"));
            let entry = self
                .scenario
                .onprem
                .entry(id.clone())
                .or_insert_with(|| out::Onprem {
                    head: Head::default(),
                    cidrs: vec![],
                    via: vgw.clone(),
                    ..out::Onprem::default()
                });
            entry.cidrs.extend(rest);
            entry
                .head
                .comments
                .push("prefixes propagated into the route tables (learned over BGP)".into());
            self.notes.add(
                Approximated,
                &id,
                "on-premises prefixes taken from the routes propagated into the route tables",
            );
        }
        for n in self.scenario.onprem.values_mut() {
            n.cidrs.sort();
            n.cidrs.dedup();
        }
        self.scenario.onprem.retain(|_, n| !n.cidrs.is_empty());
        // What the tunnels of a connection without a network would carry
        // is moot: the connection is left out, and its own note says why.
        let gone: Vec<&str> = self
            .input
            .vpns
            .keys()
            .copied()
            .filter(|id| !self.scenario.onprem.contains_key(*id))
            .collect();
        for id in gone {
            let key = (Approximated, id.to_string());
            if let Some(texts) = self.notes.0.get_mut(&key) {
                texts.retain(|t| !t.starts_with(TUNNELS_DOWN));
                if texts.is_empty() {
                    self.notes.0.remove(&key);
                }
            }
        }
        Ok(())
    }
}

/// The start of the note on a connection whose every tunnel is DOWN.
const TUNNELS_DOWN: &str = "every tunnel is DOWN in the snapshot";

impl Cx<'_> {
    /// The tunnels of VPN connection `id` from its `VgwTelemetry` (VPN-3).
    /// Tunnels reported DOWN stay down only with `--tunnels-as-reported`
    /// when every tunnel is DOWN; otherwise the VPN carries traffic, and a
    /// note says so (the design question is about routing).
    fn vpn_tunnels(&mut self, id: &str, v: &aws::VpnConnection) -> Tunnels {
        let mut out = Tunnels {
            tunnels: vec![],
            comments: vec![],
        };
        let all_down = !v.vgw_telemetry.is_empty()
            && v.vgw_telemetry
                .iter()
                .all(|t| t.status.as_deref() == Some("DOWN"));
        let as_reported = self.options.tunnels_as_reported;
        for t in &v.vgw_telemetry {
            let Some(text) = t.outside_ip_address.as_deref() else {
                continue;
            };
            let Ok(ip) = text.parse::<Ipv4Addr>() else {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("tunnel outside address {text} left out (not IPv4)"),
                );
                continue;
            };
            // A connection has two tunnels, each with its own outside
            // address (VPN-3): a repeated address or a third tunnel is not
            // what AWS reports, and is left out.
            if out.tunnels.iter().any(|(x, _)| *x == ip) || out.tunnels.len() == 2 {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("tunnel {ip} left out: a connection has two tunnels, each with its own outside address (VPN-3)"),
                );
                continue;
            }
            let status = t.status.as_deref().unwrap_or("UP");
            let up = status != "DOWN" || (all_down && !as_reported);
            if status == "DOWN" && up {
                out.comments
                    .push(format!("tunnel {ip} reported DOWN; imported up"));
            }
            out.tunnels.push((ip, up));
        }
        if all_down && !out.tunnels.is_empty() {
            if as_reported {
                self.notes.add(
                    Approximated,
                    id,
                    format!("{TUNNELS_DOWN} and imported so (--tunnels-as-reported): the VPN carries nothing (VPN-4)"),
                );
            } else {
                self.notes.add(
                    Approximated,
                    id,
                    format!("{TUNNELS_DOWN}; imported up, so the VPN carries traffic (--tunnels-as-reported imports them down)"),
                );
            }
        }
        out
    }
}
