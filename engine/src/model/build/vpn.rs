//! VPN gateways and the on-premises networks behind them.

use super::*;

impl Builder<'_> {
    pub(super) fn vgws(&mut self) {
        let raw = self.raw;
        for g in &raw.vpn_gateways {
            let owner = format!("VPN gateway `{}`", shown_id(&g.id.v));
            let vpc = self.vpc_ref(&owner, &g.vpc);
            let id = VgwId::from_idx(self.design.vgws.len());
            if let Some(v) = vpc {
                if let Some(prev) = self.design.vpcs[v.idx()].vgw {
                    let msg = format!(
                        "{owner}: VPC `{}` already has VPN gateway `{}`; a VPC attaches one",
                        self.design.vpcs[v.idx()].name,
                        self.design.vgws[prev.idx()].name
                    );
                    self.err(&g.id.span, msg);
                } else {
                    self.design.vpcs[v.idx()].vgw = Some(id);
                }
            }
            let propagate_to = self.route_table_refs(&owner, "propagate_to", &g.propagate_to, vpc);
            self.design.vgws.push(Vgw {
                name: g.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                propagate_to,
                networks: vec![],
            });
        }
        for n in &raw.onprem_networks {
            let owner = format!("on-premises network `{}`", n.id.v);
            let via = n.via.as_ref().and_then(|r| {
                match self.reference(
                    &owner,
                    "via",
                    r,
                    &[Kind::Vgw, Kind::TgwAttachment],
                ) {
                    Some(Component::Vgw(v)) => Some(OnpremVia::Vgw(v)),
                    Some(Component::TgwAttachment(a)) => {
                        let kind = raw.tgw_attachments[a.idx()].kind.as_ref().map(|k| k.v);
                        if kind == Some(raw::TgwAttachmentType::Vpn) {
                            Some(OnpremVia::TgwAttachment(a))
                        } else {
                            self.err(
                                &r.span,
                                format!(
                                    "{owner}: `via` names `{}`, a VPC attachment; an on-premises network reaches a transit gateway through a VPN attachment (`type = \"vpn\"`, TGW-9)",
                                    r.v
                                ),
                            );
                            None
                        }
                    }
                    _ => None,
                }
            });
            if n.cidrs.is_empty() && !self.unreadable(&n.id.span, "cidrs") {
                self.err(
                    &n.id.span,
                    format!("{owner} needs at least one CIDR in `cidrs`"),
                );
            }
            let vpn = self.vpn_link(&owner, n);
            let id = OnpremNetId::from_idx(self.design.onprem_nets.len());
            if let Some(OnpremVia::Vgw(v)) = via {
                self.design.vgws[v.idx()].networks.push(id);
                let vpc = self.vpc_named(&raw.vpn_gateways[v.idx()].vpc);
                for c in &n.cidrs {
                    if let Some(vc) = vpc.and_then(|vpc| {
                        let x = &self.design.vpcs[vpc.idx()];
                        x.cidrs
                            .iter()
                            .find(|vc| vc.contains(&c.v) || c.v.contains(*vc))
                            .copied()
                    }) {
                        self.warn(
                            &c.span,
                            format!("{owner}: `{}` overlaps the VPC's CIDR {vc}; the local route wins over it (RT-4a)", c.v),
                        );
                    }
                }
            }
            let latency = n
                .latency
                .as_ref()
                .map_or(self.latency.vpn, |l| super::head::dist(&l.v));
            if let Some(l) = n.latency.as_ref().filter(|l| l.v.min == Nanos::ZERO) {
                self.err(&l.span, "a latency must be more than 0s");
            }
            let link = LinkId(self.design.links.len() as u16);
            self.design.links.push(Link {
                dist: latency,
                loss: n.loss.as_ref().map_or(self.latency.vpn_loss, |x| x.v.0),
                onprem: Some(OnpremNetId(self.design.onprem_nets.len() as u32)),
            });
            self.design.onprem_nets.push(OnpremNet {
                name: n.id.v.clone(),
                cidrs: n.cidrs.iter().map(|c| c.v).collect(),
                via: via.unwrap_or(OnpremVia::Vgw(VgwId(0))),
                latency,
                link,
                vpn,
            });
        }
    }
}
