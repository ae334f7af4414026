//! VPC peering connections.

use super::*;

impl Builder<'_> {
    pub(super) fn peerings(&mut self) {
        let raw = self.raw;
        for p in &raw.vpc_peerings {
            let owner = format!("VPC peering `{}`", p.id.v);
            let req = p.requester.as_ref().and_then(|r| {
                match self.reference(&owner, "requester", r, &["vpc"]) {
                    Some(Component::Vpc(v)) => Some(v),
                    _ => None,
                }
            });
            let acc = p.accepter.as_ref().and_then(|r| {
                match self.reference(&owner, "accepter", r, &["vpc"]) {
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
            self.design.peerings.push(Peering {
                name: p.id.v.clone(),
                requester: req.unwrap_or(VpcId(0)),
                accepter: acc.unwrap_or(VpcId(0)),
            });
        }
    }
}
