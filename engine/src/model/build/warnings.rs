//! Designs that AWS accepts but that cannot work: warnings, not errors.

use super::*;

impl Builder<'_> {
    /// The target of the route a table uses for 0.0.0.0/0, if it has one.
    pub(super) fn default_target(&self, rt: RouteTableId) -> Option<&Target> {
        let any: Ipv4Net = "0.0.0.0/0".parse().expect("literal");
        self.design.route_tables[rt.idx()]
            .routes
            .iter()
            .find(|r| r.dest == RouteDest::Cidr(any) && !r.blackhole)
            .map(|r| &r.target)
    }

    /// Whether a table's 0.0.0.0/0 leads to an internet gateway: straight,
    /// or through middlebox instances whose subnets' tables lead there (a
    /// firewall between a NAT gateway and the internet gateway).
    fn default_reaches_igw(&self, rt: RouteTableId) -> bool {
        let mut rt = rt;
        let mut seen = vec![rt];
        loop {
            match self.default_target(rt) {
                Some(Target::Igw(_)) => return true,
                // A middlebox forwards only with its source/destination
                // check off (RT-8).
                Some(Target::Eni(e)) if !self.design.enis[e.idx()].source_dest_check => {
                    let Some(s) = self.eni_subnets.get(e.idx()).copied().flatten() else {
                        return false;
                    };
                    rt = self.design.subnets[s.idx()].route_table;
                    if seen.contains(&rt) {
                        return false;
                    }
                    seen.push(rt);
                }
                _ => return false,
            }
        }
    }

    pub(super) fn design_warnings(&mut self) {
        let raw = self.raw;
        for (i, n) in raw.nat_gateways.iter().enumerate() {
            let nat = &self.design.nats[i];
            // The subnet of its ENI, and that subnet's VPC: none when a
            // reference did not resolve (reported).
            let Some(subnet) = self.eni_subnets[nat.eni.idx()] else {
                continue;
            };
            let Some(vpc) = self.subnet_vpc(subnet) else {
                continue;
            };
            if !nat.public {
                // A private NAT gateway's translations to an internet
                // gateway are dropped there (NAT-2).
                let rt = self.design.subnets[subnet.idx()].route_table;
                if matches!(self.default_target(rt), Some(Target::Igw(_))) {
                    let msg = format!(
                        "NAT gateway `{}` is private, but its subnet `{}` sends 0.0.0.0/0 to an internet gateway (route table `{}`); a private NAT gateway has no Elastic IP, and the internet gateway drops what it forwards there (NAT-2); for internet access make it public (`connectivity = \"public\"` with a `public_ip`)",
                        n.id.v,
                        self.design.subnets[subnet.idx()].name,
                        self.design.route_tables[rt.idx()].name
                    );
                    self.warn(&n.id.span, msg);
                }
                continue;
            }
            // Without an internet gateway in the VPC it is an error (NAT-1).
            if self.design.vpcs[vpc.idx()].igw.is_none() {
                continue;
            }
            let rt = self.design.subnets[subnet.idx()].route_table;
            let default = self.default_target(rt);
            if !self.default_reaches_igw(rt) {
                // Its own subnet sending the internet back to it: each lap
                // translates the packet again until its TTL runs out.
                let itself = if default == Some(&Target::Nat(NatId::from_idx(i))) {
                    ": it sends 0.0.0.0/0 back to this NAT gateway, which translates each packet again until its TTL runs out"
                } else {
                    ""
                };
                let msg = format!(
                    "NAT gateway `{}` is public, but its subnet `{}` has no 0.0.0.0/0 route to an internet gateway (route table `{}`{itself}): nothing it translates can reach the internet (NAT-1)",
                    n.id.v,
                    self.design.subnets[subnet.idx()].name,
                    self.design.route_tables[rt.idx()].name
                );
                self.warn(&n.id.span, msg);
            }
        }
        for (i, l) in raw.lambdas.iter().enumerate() {
            let enis = self.design.lambdas[i].enis.clone();
            for eni in &enis {
                let Some(subnet) = self.eni_subnets[eni.idx()] else {
                    continue;
                };
                if self.subnet_vpc(subnet).is_none() {
                    continue;
                }
                let rt = self.design.subnets[subnet.idx()].route_table;
                if matches!(self.default_target(rt), Some(Target::Igw(_))) {
                    let msg = format!(
                        "Lambda function `{}` runs in subnet `{}`, whose default route goes to an internet gateway; Lambda's ENIs never have a public IP, so the function has no internet access there: route 0.0.0.0/0 to a NAT gateway instead (LAM-3)",
                        l.id.v,
                        self.design.subnets[subnet.idx()].name
                    );
                    self.warn(&l.id.span, msg);
                }
            }
        }
        for (i, inst) in raw.instances.iter().enumerate() {
            let Some(p) = &inst.public_ip else { continue };
            let Some(subnet) = self.eni_subnets[self.design.instances[i].eni.idx()] else {
                continue;
            };
            if self.subnet_vpc(subnet).is_none() {
                continue;
            }
            let rt = self.design.subnets[subnet.idx()].route_table;
            if !matches!(self.default_target(rt), Some(Target::Igw(_))) {
                let table = &self.design.route_tables[rt.idx()];
                // The ranges the table does send to an internet gateway:
                // the address answers those, and only those (IGW-4).
                let reach: Vec<String> = table
                    .routes
                    .iter()
                    .filter(|r| !r.blackhole && matches!(r.target, Target::Igw(_)))
                    .map(|r| match &r.dest {
                        RouteDest::Cidr(c) => c.to_string(),
                        RouteDest::PrefixList(l) => self.design.prefix_lists[l.idx()].name.clone(),
                    })
                    .collect();
                let msg = if reach.is_empty() {
                    format!(
                        "instance `{}` has public IP {}, but its subnet's route table `{}` sends nothing to an internet gateway, so the address is unreachable (IGW-4)",
                        inst.id.v, p.v, table.name
                    )
                } else {
                    format!(
                        "instance `{}` has public IP {}, but its subnet's route table `{}` sends only {} to an internet gateway (no 0.0.0.0/0 to one): the address answers those ranges and no other internet address (IGW-4)",
                        inst.id.v,
                        p.v,
                        table.name,
                        reach.join(", ")
                    )
                };
                self.warn(&p.span, msg);
            }
        }
        self.tgw_warnings();
        for (i, g) in raw.vpn_gateways.iter().enumerate() {
            if self.design.vgws[i].networks.is_empty() {
                self.warn(
                    &g.id.span,
                    format!(
                        "VPN gateway `{}` has no [[onprem_network]] behind it",
                        g.id.v
                    ),
                );
            }
        }
    }

    /// Transit gateway designs AWS accepts that cannot work as meant.
    fn tgw_warnings(&mut self) {
        let raw = self.raw;
        if self.d.has_errors() {
            return;
        }
        let mut out = Vec::new();
        for (i, a) in raw.tgw_attachments.iter().enumerate() {
            let att = &self.design.tgw_attachments[i];
            let TgwAttachmentKind::Vpc {
                vpc,
                subnets,
                enis,
                appliance_mode,
                ..
            } = &att.kind
            else {
                continue;
            };
            let (vpc, tgw) = (*vpc, att.tgw);
            let zones: Vec<AzId> = subnets
                .iter()
                .map(|s| self.design.subnets[s.idx()].zone)
                .collect();
            // TGW-2: a subnet whose table routes to the transit gateway, in
            // an AZ where the attachment has no subnet, holding something
            // that sends.
            let mut stranded: Vec<String> = Vec::new();
            for s in &self.design.vpcs[vpc.idx()].subnets {
                let sub = &self.design.subnets[s.idx()];
                if zones.contains(&sub.zone) {
                    continue;
                }
                let routes_there = self.design.route_tables[sub.route_table.idx()]
                    .routes
                    .iter()
                    .any(|r| !r.blackhole && r.target == Target::Tgw(tgw));
                let holds = sub.enis.iter().any(|e| {
                    !matches!(self.design.enis[e.idx()].owner, EniOwner::TgwAttachment(_))
                });
                if routes_there && holds {
                    stranded.push(format!("`{}` ({})", sub.name, sub.az));
                }
            }
            if !stranded.is_empty() {
                let msg = format!(
                    "transit gateway attachment `{}` has no subnet in the Availability Zone of {}, whose route table routes to transit gateway `{}`: what they send there cannot reach it (TGW-2); add a subnet of that zone to the attachment",
                    a.id.v,
                    stranded.join(", "),
                    self.design.tgws[tgw.idx()].name
                );
                out.push((a.id.span.clone(), msg));
            }
            // TGW-6: without appliance mode, an attachment over several AZs
            // into a VPC of stateful middleboxes sends the two directions
            // of a flow between AZs through different ones.
            let mut azs = zones.clone();
            azs.sort_unstable();
            azs.dedup();
            if !*appliance_mode && azs.len() > 1 {
                let stateful = enis.iter().any(|e| {
                    let sub = &self.design.subnets[self.design.enis[e.idx()].subnet.idx()];
                    self.design.route_tables[sub.route_table.idx()]
                        .routes
                        .iter()
                        .any(|r| match (&r.target, r.blackhole) {
                            (Target::Eni(m), false) => match self.design.enis[m.idx()].owner {
                                EniOwner::Instance(x) => self.design.instances[x.idx()].stateful,
                                _ => false,
                            },
                            _ => false,
                        })
                });
                if stateful {
                    let msg = format!(
                        "transit gateway attachment `{}` spans {} Availability Zones and routes into stateful middleboxes, with appliance mode off: a flow between AZs can leave by one AZ's appliance and come back by another's, which drops it (TGW-6); set `appliance_mode = true`",
                        a.id.v,
                        azs.len()
                    );
                    out.push((a.id.span.clone(), msg));
                }
            }
        }
        // TGW-3: a VPC CIDR already propagated into a table by another
        // attachment is not propagated again.
        for (t, table) in self.design.tgw_route_tables.iter().enumerate() {
            let mut seen: Vec<(ipnet::Ipv4Net, usize)> = Vec::new();
            for (i, att) in self.design.tgw_attachments.iter().enumerate() {
                if !att.propagations.contains(&TgwRouteTableId::from_idx(t)) {
                    continue;
                }
                let Some(vpc) = att.vpc() else { continue };
                for c in &self.design.vpcs[vpc.idx()].cidrs {
                    match seen.iter().find(|(n, _)| n == c) {
                        Some((_, first)) => {
                            let msg = format!(
                                "transit gateway attachment `{}` propagates {c} into route table `{}`, which attachment `{}` already propagates: the transit gateway keeps the first route and this VPC gets none for it (TGW-3)",
                                att.name, table.name, self.design.tgw_attachments[*first].name
                            );
                            out.push((raw.tgw_attachments[i].id.span.clone(), msg));
                        }
                        None => seen.push((*c, i)),
                    }
                }
            }
        }
        for (span, msg) in out {
            self.warn(&span, msg);
        }
    }
}
