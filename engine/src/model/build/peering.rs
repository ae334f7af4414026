//! VPC peering connections.

use super::*;

impl Builder<'_> {
    pub(super) fn peerings(&mut self) {
        let raw = self.raw;
        for p in &raw.vpc_peerings {
            let owner = format!("VPC peering `{}`", shown_id(&p.id.v));
            let req = p.requester.as_ref().and_then(|r| {
                match self.reference(&owner, "requester", r, &[Kind::Vpc]) {
                    Some(Component::Vpc(v)) => Some(v),
                    _ => None,
                }
            });
            let acc = p.accepter.as_ref().and_then(|r| {
                match self.reference(&owner, "accepter", r, &[Kind::Vpc]) {
                    Some(Component::Vpc(v)) => Some(v),
                    _ => None,
                }
            });
            if let (Some(a), Some(b)) = (req, acc) {
                if a == b {
                    self.err(
                        &p.id.span,
                        format!(
                            "{owner} connects VPC `{}` to itself",
                            self.design.vpcs[a.idx()].name
                        ),
                    );
                } else {
                    let overlap = self.design.vpcs[a.idx()].cidrs.iter().find_map(|x| {
                        self.design.vpcs[b.idx()]
                            .cidrs
                            .iter()
                            .find(|y| x.contains(*y) || y.contains(x))
                            .map(|y| (*x, *y))
                    });
                    if let Some((x, y)) = overlap {
                        let msg = format!(
                            "{owner}: VPCs `{}` ({x}) and `{}` ({y}) overlap; a peering needs CIDRs that do not (PCX-1)",
                            self.design.vpcs[a.idx()].name,
                            self.design.vpcs[b.idx()].name
                        );
                        self.err(&p.id.span, msg);
                    }
                }
            }
            let inter_region = p.peer_region.as_ref().is_some_and(|r| r.v != self.region);
            if let Some(r) = &p.peer_region {
                if !super::transit_gateway::valid_region(&r.v) {
                    self.err(
                        &r.span,
                        format!(
                            "{owner}: `peer_region` is \"{}\", not an AWS Region name; expected a Region code such as \"eu-west-1\"",
                            r.v
                        ),
                    );
                }
            }
            if inter_region {
                if let (Some(a), Some(r)) = (acc, &p.peer_region) {
                    self.design.vpcs[a.idx()].region = r.v.clone();
                }
            }
            let both = p.allow_dns_resolution.as_ref();
            for side in [&p.requester_dns_resolution, &p.accepter_dns_resolution] {
                if let (Some(b), Some(s)) = (both, side) {
                    let msg = format!(
                        "{owner}: `allow_dns_resolution` (line {}) sets both sides; give it or the side's own key, not both",
                        self.line(&b.span)
                    );
                    self.err(&s.span, msg);
                }
            }
            let side = |s: &Option<Sp<bool>>| s.as_ref().or(both).is_some_and(|b| b.v);
            let (requester_dns, accepter_dns) = (
                side(&p.requester_dns_resolution),
                side(&p.accepter_dns_resolution),
            );
            if requester_dns || accepter_dns {
                for v in [req, acc].into_iter().flatten() {
                    let x = &self.design.vpcs[v.idx()];
                    if !(x.dns_support && x.dns_hostnames) {
                        let at = both
                            .or(p.requester_dns_resolution.as_ref())
                            .or(p.accepter_dns_resolution.as_ref())
                            .map_or(p.id.span.clone(), |b| b.span.clone());
                        let msg = format!(
                            "{owner}: DNS resolution over a peering needs both VPCs' `enable_dns_support` and `enable_dns_hostnames`, and VPC `{}` has one off; public DNS names resolve to public addresses across it (DNS-4)",
                            x.name
                        );
                        self.warn(&at, msg);
                    }
                }
            }
            self.design.peerings.push(Peering {
                name: p.id.v.clone(),
                requester: req.unwrap_or(VpcId(0)),
                accepter: acc.unwrap_or(VpcId(0)),
                mtu: if inter_region {
                    mtu::INTER_REGION_PEERING
                } else {
                    mtu::VPC
                },
                inter_region,
                requester_dns,
                accepter_dns,
            });
        }
    }
}

impl Builder<'_> {
    /// The smallest MTU of the design's links (MTU-1): instances' interface
    /// MTUs, and the internet gateway's, the VPN's, the endpoints' and the
    /// peerings' where the design has them.
    pub(super) fn mtu_floor(&mut self) {
        let d = &self.design;
        let mut floor = mtu::VPC;
        floor = d.enis.iter().map(|e| e.mtu).fold(floor, u16::min);
        floor = d.peerings.iter().map(|p| p.mtu).fold(floor, u16::min);
        if !d.igws.is_empty() || !d.external_hosts.is_empty() || !d.aws_services.is_empty() {
            floor = floor.min(mtu::INTERNET);
        }
        if !d.endpoints.is_empty() {
            floor = floor.min(mtu::ENDPOINT);
        }
        if !d.tgw_attachments.is_empty() {
            floor = floor.min(mtu::TRANSIT_GATEWAY);
        }
        let vpn_attachment = d
            .tgw_attachments
            .iter()
            .any(|a| matches!(a.kind, TgwAttachmentKind::Vpn { .. }));
        if !d.vgws.is_empty() || vpn_attachment {
            floor = floor.min(mtu::VPN);
        }
        self.design.mtu_floor = floor;
    }
}
