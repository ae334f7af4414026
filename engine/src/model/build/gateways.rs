//! Internet gateways and NAT gateways.

use super::*;

impl Builder<'_> {
    pub(super) fn igws(&mut self) {
        let raw = self.raw;
        for g in &raw.internet_gateways {
            let owner = format!("internet gateway `{}`", shown_id(&g.id.v));
            let vpc = self.vpc_ref(&owner, &g.vpc);
            let id = IgwId::from_idx(self.design.igws.len());
            if let Some(v) = vpc {
                if let Some(prev) = self.design.vpcs[v.idx()].igw {
                    let msg = format!(
                        "{owner}: VPC `{}` already has internet gateway `{}`; a VPC has at most one (IGW-1)",
                        self.design.vpcs[v.idx()].name,
                        self.design.igws[prev.idx()].name
                    );
                    self.err(&g.id.span, msg);
                } else {
                    self.design.vpcs[v.idx()].igw = Some(id);
                }
            }
            self.design.igws.push(Igw {
                name: g.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
            });
        }
    }

    pub(super) fn nats(&mut self) {
        let raw = self.raw;
        for n in &raw.nat_gateways {
            let owner = format!("NAT gateway `{}`", shown_id(&n.id.v));
            let subnet = n
                .subnet
                .as_ref()
                .and_then(|r| self.subnet_ref(&owner, "subnet", r));
            let unreadable = self.unreadable(&n.id.span, "public_ip")
                || self.unreadable(&n.id.span, "connectivity");
            if n.public.v && n.public_ip.is_none() && !unreadable {
                self.err(
                    &n.id.span,
                    format!("{owner} is public and needs `public_ip` (its Elastic IP) (NAT-1)"),
                );
            }
            // AWS refuses to create a public NAT gateway in a VPC with no
            // internet gateway attached (NAT-1).
            if let Some(v) = subnet.and_then(|s| self.subnet_vpc(s)) {
                if n.public.v && self.design.vpcs[v.idx()].igw.is_none() && !unreadable {
                    let msg = format!(
                        "{owner} is public, but VPC `{}` has no internet gateway attached, and AWS refuses to create a public NAT gateway there (NAT-1): attach an [[internet_gateway]] to the VPC, or make the NAT gateway private with `connectivity = \"private\"`",
                        self.design.vpcs[v.idx()].name
                    );
                    self.err(&n.id.span, msg);
                }
            }
            if !n.public.v {
                if let Some(ip) = &n.public_ip {
                    self.err(
                        &ip.span,
                        format!(
                            "{owner} is private and has no Elastic IP (NAT-2); remove `public_ip`"
                        ),
                    );
                }
            }
            let id = NatId::from_idx(self.design.nats.len());
            let eni = self.new_eni(
                subnet,
                n.private_ip.as_ref(),
                format!("{}-eni", n.id.v),
                n.id.v.clone(),
                vec![],
                EniOwner::Nat(id),
            );
            self.design.nats.push(Nat {
                name: n.id.v.clone(),
                subnet: subnet.unwrap_or(SubnetId(0)),
                public: n.public.v,
                public_ip: n.public_ip.as_ref().map(|p| p.v),
                eni,
            });
        }
    }
}
