//! Hosts outside every VPC: external hosts, AWS service addresses and
//! on-premises hosts.

use super::*;

impl Builder<'_> {
    pub(super) fn in_any_vpc(&self, ip: Ipv4Addr) -> Option<&str> {
        self.design
            .vpcs
            .iter()
            .find(|v| v.contains(ip))
            .map(|v| v.name.as_str())
    }

    pub(super) fn outside_hosts(&mut self) {
        let raw = self.raw;
        for h in &raw.external_hosts {
            let listen = self.listen(&h.listen);
            if let Some(ip) = &h.ip {
                if let Some(v) = self.in_any_vpc(ip.v) {
                    let msg = format!(
                        "external host `{}`: {} is inside VPC `{v}`; an internet host has an address outside every VPC",
                        h.id.v, ip.v
                    );
                    self.err(&ip.span, msg);
                } else if let Some(range) = crate::model::range_off_the_internet(u32::from(ip.v)) {
                    let msg = format!(
                        "external host `{}`: {} is in {range}, an address no internet host can have, so nothing could reach it (OPEN-1); give it a public address, such as one of 203.0.113.0/24 (a documentation block), or declare an `[[onprem_host]]` for a host behind a VPN",
                        h.id.v, ip.v
                    );
                    self.err(&ip.span, msg);
                }
            }
            if let Some(l) = h.latency.as_ref().filter(|l| l.v.min == Nanos::ZERO) {
                self.err(&l.span, "a latency must be more than 0s");
            }
            let link = if h.latency.is_none() && h.loss.is_none() {
                LinkId::BEYOND_EDGE
            } else {
                let internet = h
                    .latency
                    .as_ref()
                    .map_or(self.latency.internet, |l| super::head::dist(&l.v));
                self.design.links.push(Link {
                    dist: internet.after(&self.latency.edge()),
                    loss: h
                        .loss
                        .as_ref()
                        .map_or(self.latency.internet_loss, |x| x.v.0),
                    onprem: None,
                });
                LinkId(self.design.links.len() as u16 - 1)
            };
            self.design.external_hosts.push(ExternalHost {
                name: h.id.v.clone(),
                ip: h.ip.as_ref().map_or(Ipv4Addr::UNSPECIFIED, |i| i.v),
                listen,
                link,
            });
        }
        for s in &raw.aws_services {
            let owner = format!("AWS service `{}`", shown_id(&s.id.v));
            let listen = match &s.listen {
                Some(l) => self.listen(l),
                None => vec![Listen {
                    protocol: 6,
                    port: Some(443),
                }],
            };
            if s.ips.is_empty() && !self.unreadable(&s.id.span, "ips") {
                self.err(
                    &s.id.span,
                    format!("{owner} needs at least one address in `ips`"),
                );
            }
            let service = s.service.as_ref().map_or_else(String::new, |x| x.v.clone());
            let region = match &s.region {
                Some(r) if super::transit_gateway::valid_region(&r.v) => r.v.clone(),
                Some(r) => {
                    let msg = format!(
                        "{owner}: `region` is \"{}\", not an AWS Region name; expected a Region code such as \"us-west-2\"",
                        r.v
                    );
                    self.err(&r.span, msg);
                    self.region.clone()
                }
                None => self.region.clone(),
            };
            let list_name = builtin::service_list_name(&region, &service);
            let list: Option<Vec<Ipv4Net>> = self
                .design
                .prefix_lists
                .iter()
                .find(|p| p.list_name == list_name)
                .map(|p| p.cidrs.clone())
                .or_else(|| {
                    builtin::prefix_list(&list_name)
                        .map(|b| b.cidrs.iter().map(|c| c.parse().expect("valid")).collect())
                });
            for ip in &s.ips {
                if let Some(v) = self.in_any_vpc(ip.v) {
                    let msg = format!(
                        "{owner}: {} is inside VPC `{v}`; a service's front door is a public address",
                        ip.v
                    );
                    self.err(&ip.span, msg);
                }
                if let Some(list) = &list {
                    if !list.iter().any(|c| c.contains(&ip.v)) {
                        self.warn(&ip.span, format!("{owner}: {} is outside the prefix list `{list_name}`, so a gateway endpoint will not carry traffic to it", ip.v));
                    }
                }
            }
            self.design.aws_services.push(AwsService {
                name: s.id.v.clone(),
                service,
                region,
                ips: s.ips.iter().map(|i| i.v).collect(),
                listen,
            });
        }
        for h in &raw.onprem_hosts {
            let owner = format!("on-premises host `{}`", h.id.v);
            let net = h.network.as_ref().and_then(|r| {
                match self.reference(&owner, "network", r, &[Kind::OnpremNet]) {
                    Some(Component::OnpremNet(n)) => Some(n),
                    _ => None,
                }
            });
            if let (Some(n), Some(ip)) = (net, &h.ip) {
                let nw = &self.design.onprem_nets[n.idx()];
                if !nw.cidrs.is_empty() && !nw.cidrs.iter().any(|c| c.contains(&ip.v)) {
                    let msg = format!("{owner}: {} is outside network `{}`", ip.v, nw.name);
                    self.err(&ip.span, msg);
                }
            }
            let listen = self.listen(&h.listen);
            self.design.onprem_hosts.push(OnpremHost {
                name: h.id.v.clone(),
                network: net.unwrap_or(OnpremNetId(0)),
                ip: h.ip.as_ref().map_or(Ipv4Addr::UNSPECIFIED, |i| i.v),
                listen,
            });
        }
    }
}
