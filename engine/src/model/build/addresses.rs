//! Address allocation: private and public addresses for every network
//! interface, and the check that no address is given twice.

use super::*;

impl Builder<'_> {
    /// Fixed private IPs are checked first (ADDR-3, ADDR-5); then every ENI
    /// without one gets the lowest free usable address of its subnet, in the
    /// order the ENIs were made: instances, NAT gateways, transit gateway
    /// attachments, interface endpoints, Lambda functions, each in file
    /// order.
    pub(super) fn allocate_addresses(&mut self) {
        for s in 0..self.design.subnets.len() {
            let sub = self.design.subnets[s].clone();
            if sub.enis.is_empty() || sub.cidr.prefix_len() == 0 {
                continue;
            }
            let net = u32::from(sub.cidr.network());
            let last = u32::from(sub.cidr.broadcast());
            let usable = u64::from(last - net + 1).saturating_sub(5);
            let mut used: BTreeMap<u32, String> = BTreeMap::new();
            for e in &sub.enis {
                let Some(fixed) = self.fixed_ips[e.idx()].clone() else {
                    continue;
                };
                let ip = u32::from(fixed.v);
                // Only instances and NAT gateways choose their address.
                let who = match self.design.enis[e.idx()].owner {
                    EniOwner::Instance(i) => {
                        format!("instance `{}`", self.raw.instances[i.idx()].id.v)
                    }
                    EniOwner::Nat(n) => {
                        format!("NAT gateway `{}`", self.raw.nat_gateways[n.idx()].id.v)
                    }
                    _ => format!("`{}`", self.design.enis[e.idx()].label),
                };
                if !sub.cidr.contains(&fixed.v) {
                    self.err(
                        &fixed.span,
                        format!(
                            "{who}: private IP {} is outside its subnet `{}` ({})",
                            fixed.v, sub.name, sub.cidr
                        ),
                    );
                    continue;
                }
                let reserved = match ip - net {
                    0 => Some("its network address"),
                    1 => Some("the VPC router's address"),
                    2 => Some("the Amazon DNS server's address"),
                    3 => Some("kept by AWS for future use"),
                    _ if ip == last => Some("its broadcast address"),
                    _ => None,
                };
                if let Some(what) = reserved {
                    self.err(&fixed.span, format!("{who}: private IP {} is reserved in subnet `{}` ({what}); AWS reserves the first four addresses and the last of every subnet (ADDR-3)", fixed.v, sub.name));
                    continue;
                }
                if let Some(other) = used.get(&ip) {
                    self.err(
                        &fixed.span,
                        format!(
                            "{who}: private IP {} is already used by {other} (ADDR-5)",
                            fixed.v
                        ),
                    );
                    continue;
                }
                used.insert(ip, who);
                self.design.enis[e.idx()].ip = fixed.v;
            }
            if sub.enis.len() as u64 > usable {
                let span = self.raw.subnets[s].id.span.clone();
                self.err(&span, format!(
                    "subnet `{}` ({}) has {} usable addresses but {} network interfaces (workloads, NAT gateways, endpoint and Lambda ENIs) (ADDR-3)",
                    sub.name, sub.cidr, usable, sub.enis.len()
                ));
                continue;
            }
            let mut next = net + 4;
            for e in &sub.enis {
                if self.fixed_ips[e.idx()].is_some() {
                    continue;
                }
                while used.contains_key(&next) {
                    next += 1;
                }
                if next >= last {
                    break;
                }
                used.insert(next, self.design.enis[e.idx()].label.clone());
                self.design.enis[e.idx()].ip = Ipv4Addr::from(next);
            }
        }
    }

    /// Public addresses are unique across the file, and no private address is
    /// claimed twice across ENIs and outside hosts.
    pub(super) fn check_unique_addresses(&mut self) {
        let raw = self.raw;
        let mut public: BTreeMap<Ipv4Addr, String> = BTreeMap::new();
        let mut claims: Vec<(Ipv4Addr, String, Span)> = Vec::new();
        for inst in &raw.instances {
            if let Some(p) = &inst.public_ip {
                claims.push((
                    p.v,
                    format!("instance `{}`", shown_id(&inst.id.v)),
                    p.span.clone(),
                ));
            }
        }
        for n in &raw.nat_gateways {
            if let Some(p) = &n.public_ip {
                claims.push((
                    p.v,
                    format!("NAT gateway `{}`", shown_id(&n.id.v)),
                    p.span.clone(),
                ));
            }
        }
        for h in &raw.external_hosts {
            if let Some(p) = &h.ip {
                claims.push((
                    p.v,
                    format!("external host `{}`", shown_id(&h.id.v)),
                    p.span.clone(),
                ));
            }
        }
        for s in &raw.aws_services {
            for p in &s.ips {
                claims.push((
                    p.v,
                    format!("AWS service `{}`", shown_id(&s.id.v)),
                    p.span.clone(),
                ));
            }
        }
        for h in &raw.onprem_hosts {
            if let Some(p) = &h.ip {
                claims.push((
                    p.v,
                    format!("on-premises host `{}`", h.id.v),
                    p.span.clone(),
                ));
            }
        }
        for (ip, who, span) in claims {
            if let Some(v) = self.in_any_vpc(ip) {
                if who.starts_with("instance") || who.starts_with("NAT") {
                    let msg = format!("{who}: public IP {ip} is inside VPC `{v}`");
                    self.err(&span, msg);
                    continue;
                }
            }
            let holds_public_ip = who.starts_with("instance") || who.starts_with("NAT");
            if let Some(range) = crate::model::range_off_the_internet(u32::from(ip)) {
                if holds_public_ip {
                    let msg = format!(
                        "{who}: public IP {ip} is in {range}; AWS assigns public IPv4 addresses and Elastic IPs only from publicly routable ranges (ADDR-8); use a public address, such as one of 203.0.113.0/24 (a documentation block)"
                    );
                    self.err(&span, msg);
                    continue;
                }
            }
            if let Some(prev) = public.get(&ip) {
                self.err(
                    &span,
                    format!("{who}: address {ip} is already used by {prev}"),
                );
                continue;
            }
            public.insert(ip, who);
        }
    }
}
