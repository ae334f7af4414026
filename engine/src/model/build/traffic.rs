//! Traffic flows: their sources, destinations and patterns.

use super::*;

impl Builder<'_> {
    pub(super) fn traffic(&mut self) {
        let raw = self.raw;
        for t in &raw.traffic {
            let owner = format!("traffic `{}`", shown_id(&t.id.v));
            let from = t.from.as_ref().and_then(|f| {
                match self.reference(
                    &owner,
                    "from",
                    f,
                    &[
                        Kind::Instance,
                        Kind::Lambda,
                        Kind::ExternalHost,
                        Kind::OnpremHost,
                    ],
                )? {
                    Component::Instance(i) => Some(Source::Instance(i)),
                    Component::Lambda(l) => Some(Source::Lambda(l)),
                    Component::ExternalHost(h) => Some(Source::External(h)),
                    Component::OnpremHost(h) => Some(Source::Onprem(h)),
                    _ => None,
                }
            });
            let to =
                t.to.as_ref()
                    .and_then(|to| self.destination(&owner, from, to));
            let pattern = t.pattern.as_ref().map_or(raw::Pattern::Requests, |p| p.v);
            // With an unreadable `pattern` (reported), what the flow needs is
            // unknown: its protocol, port, rate and size are not checked.
            let unreadable = |b: &Self, key| b.unreadable(&t.id.span, key);
            let pattern_known = !unreadable(self, "pattern");
            let default_proto = match pattern {
                raw::Pattern::Requests | raw::Pattern::Bulk => 6,
                raw::Pattern::Ping => 1,
                raw::Pattern::Udp => 17,
            };
            let protocol = match &t.protocol {
                Some(p) if !pattern_known => match p.v {
                    Protocol::Number(n) => n,
                    Protocol::All => default_proto,
                },
                Some(p) => match p.v {
                    Protocol::Number(n) if n == default_proto => n,
                    other => {
                        let want = Protocol::Number(default_proto);
                        let name = match pattern {
                            raw::Pattern::Requests => "requests",
                            raw::Pattern::Bulk => "bulk",
                            raw::Pattern::Ping => "ping",
                            raw::Pattern::Udp => "udp",
                        };
                        self.err(&p.span, format!("{owner}: pattern \"{name}\" uses protocol \"{want}\", not \"{other}\""));
                        default_proto
                    }
                },
                None => default_proto,
            };
            let port = match (&t.port, protocol) {
                (Some(p), 6 | 17) => {
                    if p.v == 0 {
                        self.err(&p.span, format!("{owner}: port 0 cannot be connected to"));
                    }
                    p.v
                }
                (Some(p), _) => {
                    if pattern_known {
                        self.err(
                            &p.span,
                            format!("{owner}: ICMP has no ports; remove `port`"),
                        );
                    }
                    0
                }
                (None, 6 | 17) if !pattern_known || unreadable(self, "port") => 0,
                (None, 6 | 17) => {
                    self.err(&t.id.span, format!("{owner} needs a destination `port`"));
                    0
                }
                (None, _) => 0,
            };
            let needs_rate = pattern != raw::Pattern::Bulk && pattern_known;
            if needs_rate && t.rate.is_none() && !unreadable(self, "rate") {
                self.err(&t.id.span, format!("{owner} needs a `rate`, like \"20/s\""));
            }
            let max = crate::units::Rate::MAX_PER_SEC;
            if let Some(r) = t
                .rate
                .as_ref()
                .filter(|r| needs_rate && r.v.milli_per_sec > max * 1000)
            {
                self.warn(
                    &r.span,
                    format!(
                        "{owner}: a rate of {}/s is more than one a nanosecond, the finest step of virtual time; it runs at {max}/s",
                        r.v.per_sec()
                    ),
                );
            }
            if pattern == raw::Pattern::Bulk && t.size.is_none() && !unreadable(self, "size") {
                self.err(
                    &t.id.span,
                    format!("{owner}: a bulk transfer needs a `size`"),
                );
            }
            // One datagram is one IPv4 packet at most: its payload cannot
            // say more than 65,535 bytes less the two headers.
            let max_udp = crate::packet::MAX_UDP_PAYLOAD as u64;
            if let Some(s) = t
                .size
                .as_ref()
                .filter(|s| pattern == raw::Pattern::Udp && pattern_known && s.v.0 > max_udp)
            {
                self.err(
                    &s.span,
                    format!(
                        "{owner}: `size` {} bytes is more than one UDP datagram carries over IPv4: at most {max_udp} bytes (65535, the largest IPv4 packet, less its 20-byte header and the 8-byte UDP header); for a larger transfer use TCP (`pattern = \"bulk\"` with this `size`, or \"requests\" with `request` and `response`)",
                        s.v.0
                    ),
                );
            }
            // A key the pattern does not use is named, not silently ignored.
            if pattern_known {
                let (name, uses): (&str, &[&str]) = match pattern {
                    raw::Pattern::Requests => ("requests", &["request", "response", "hold"]),
                    raw::Pattern::Bulk => ("bulk", &["size"]),
                    raw::Pattern::Ping => ("ping", &[]),
                    raw::Pattern::Udp => ("udp", &["size"]),
                };
                let keys = [
                    ("request", t.request.as_ref().map(|x| &x.span)),
                    ("response", t.response.as_ref().map(|x| &x.span)),
                    ("size", t.size.as_ref().map(|x| &x.span)),
                    ("hold", t.hold.as_ref().map(|x| &x.span)),
                ];
                for (key, span) in keys {
                    if let Some(span) = span.filter(|_| !uses.contains(&key)) {
                        let what = match pattern {
                            raw::Pattern::Ping => {
                                " (each ping is an echo of 56 data bytes, `ping`'s default)"
                            }
                            _ => "",
                        };
                        self.warn(span, format!("{owner}: `{key}` has no effect on pattern \"{name}\"{what}; remove it"));
                    }
                }
            }
            let start = t.start.as_ref().map_or(Nanos::ZERO, |s| s.v);
            let stop = t.stop.as_ref().map_or(self.duration, |s| s.v);
            if let Some(s) = &t.stop {
                if stop <= start {
                    self.err(
                        &s.span,
                        format!("{owner}: `stop` ({stop}) must come after `start` ({start})"),
                    );
                } else if stop > self.duration && self.duration > Nanos::ZERO {
                    self.warn(&s.span, format!("{owner}: `stop` ({stop}) is after the end of the run ({}); traffic stops there", self.duration));
                }
            }
            if let Some(s) = &t.start {
                if s.v >= self.duration && self.duration > Nanos::ZERO {
                    self.err(
                        &s.span,
                        format!(
                            "{owner}: `start` ({}) is not before the end of the run ({})",
                            s.v, self.duration
                        ),
                    );
                }
            }
            // A bulk transfer has a deadline only when one is written.
            let timeout = match (&t.timeout, pattern) {
                (Some(x), _) => Some(x.v),
                (None, raw::Pattern::Bulk) => None,
                (None, _) => Some(Nanos::from_secs(10)),
            };
            if timeout == Some(Nanos::ZERO) {
                if let Some(x) = &t.timeout {
                    self.err(&x.span, format!("{owner}: `timeout` must be more than 0s"));
                }
            }
            // DNS-5: a TTL is whole seconds, and applies to a name looked up.
            let dns_ttl = t.dns_ttl.as_ref().and_then(|x| {
                if x.v.0 % 1_000_000_000 != 0 || x.v.0 / 1_000_000_000 > u64::from(i32::MAX as u32) {
                    self.err(
                        &x.span,
                        format!("{owner}: `dns_ttl` ({}) is a DNS TTL: whole seconds, from 0s to 2147483647s (RFC 2181); write it like \"60s\"", x.v),
                    );
                    return None;
                }
                let looked_up = match (from, &to) {
                    (Some(f), Some(to)) => dns::lookup_name(&self.design, f, to).is_some(),
                    _ => true,
                };
                if !looked_up {
                    self.warn(
                        &x.span,
                        format!("{owner}: `dns_ttl` has no effect: only traffic from an instance or a Lambda function in a VPC that names its destination by a DNS name or a service name looks it up (DNS-5); remove it, or write `to` as a name"),
                    );
                }
                Some((x.v.0 / 1_000_000_000) as u32)
            });
            let (Some(from), Some(to)) = (from, to) else {
                continue;
            };
            self.design.traffic.push(Traffic {
                name: t.id.v.clone(),
                from,
                to,
                protocol,
                port,
                pattern,
                rate: t.rate.as_ref().map_or(
                    crate::units::Rate {
                        milli_per_sec: 1000,
                    },
                    |r| r.v,
                ),
                request: t.request.as_ref().map_or(100, |x| x.v.0),
                response: t.response.as_ref().map_or(1024, |x| x.v.0),
                size: t.size.as_ref().map_or(512, |x| x.v.0),
                hold: t.hold.as_ref().map_or(Nanos::ZERO, |x| x.v),
                timeout,
                start,
                stop: stop.min(self.duration.max(start)),
                arrivals: t.arrivals.as_ref().map_or(raw::Arrivals::Poisson, |a| a.v),
                dns_ttl,
            });
        }
    }

    /// Resolves `to`: an id that owns an address, an address, or a service.
    pub(super) fn destination(
        &mut self,
        owner: &str,
        from: Option<Source>,
        to: &Id,
    ) -> Option<DestSpec> {
        if let Ok(ip) = parse_ipv4(&to.v) {
            return Some(DestSpec::Ip(ip));
        }
        if to.v.contains(':') {
            self.err(
                &to.span,
                format!("{owner}: `to` `{}`: IPv6 is not supported yet", to.v),
            );
            return None;
        }
        if let Some((c, _)) = self.names.get(&to.v) {
            let c = *c;
            return match c {
                Component::Instance(i) => {
                    self.instance_destination(owner, from, to, i, dns::NameForm::Id)
                }
                Component::Endpoint(e)
                    if matches!(
                        self.design.endpoints[e.idx()].kind,
                        EndpointKind::Interface { .. }
                    ) =>
                {
                    Some(DestSpec::Component(c))
                }
                Component::ExternalHost(_)
                | Component::AwsService(_)
                | Component::OnpremHost(_) => Some(DestSpec::Component(c)),
                Component::Eni(_) => Some(DestSpec::Component(c)),
                other => {
                    self.err(&to.span, format!("{owner}: `to` names `{}`, which is {} and has no address to send to; expected an instance, an interface endpoint, an external host, an AWS service, an on-premises host, an address or a service name", to.v, a_kind(other.kind())));
                    None
                }
            };
        }
        if dns::looks_like_instance_name(&to.v) {
            let near = from.map(|f| dns::origin(&self.design, f));
            return match dns::lookup(&self.design, &to.v, near) {
                Ok((i, form)) => self.instance_destination(owner, from, to, i, form),
                Err(e) => {
                    self.err(&to.span, format!("{owner}: `to`: {e}"));
                    None
                }
            };
        }
        let is_service_name = !to.v.is_empty()
            && to
                .v
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        // Resolved as the source's VPC DNS would (the contract's `to`): a
        // private-DNS interface endpoint of that VPC (IFE-2, DNS-2), a
        // declared front door, or the service's address ranges (OPEN-2).
        let vpc = from.and_then(|f| match dns::origin(&self.design, f) {
            dns::Origin::Vpc(v) => Some(v),
            _ => None,
        });
        // The service of the source's Region only (GWE-1): the scenario's
        // for a source outside the VPCs.
        let region = self.design.region_of(vpc).to_string();
        let public = builtin::has_public_address(&self.design, &region, &to.v);
        let known_service = public
            || self.design.endpoints.iter().any(|e| {
                // Private DNS needs the VPC's DNS attributes (IFE-2, DNS-2).
                let v = self.design.vpcs.get(e.vpc.idx());
                e.service == to.v
                    && (from.is_none() || Some(e.vpc) == vpc)
                    && v.is_some_and(|v| v.dns_support && v.dns_hostnames)
                    && matches!(
                        e.kind,
                        EndpointKind::Interface {
                            private_dns: true,
                            ..
                        }
                    )
            });
        if is_service_name && known_service {
            return Some(DestSpec::Service(to.v.clone()));
        }
        // Another Region's service is not an answer for this one: the name
        // gets NXDOMAIN until the file gives this Region's service an
        // address.
        if is_service_name && builtin::known_anywhere(&self.design, &to.v) {
            let msg = format!(
                "{owner}: `to` names `{svc}`, which from the source's Region, {region}, is `{svc}.{region}.amazonaws.com`; vpcsim has no address range for {svc} in {region} and the file declares none, so its lookups get NXDOMAIN (another Region's addresses are not an answer); declare [[aws_service]] with `service = \"{svc}\"`, `region = \"{region}\"` and its `ips`, or a [[prefix_list]] named `{list}` with its CIDRs",
                svc = to.v,
                list = builtin::service_list_name(&region, &to.v),
            );
            self.warn(&to.span, msg);
            return Some(DestSpec::Service(to.v.clone()));
        }
        // Only what a `to` may name is offered: a subnet or a route table
        // close in spelling would be refused in turn.
        let design = &self.design;
        let candidates = self
            .names
            .iter()
            .filter(|(_, (c, _))| match c {
                Component::Instance(_)
                | Component::Eni(_)
                | Component::ExternalHost(_)
                | Component::AwsService(_)
                | Component::OnpremHost(_) => true,
                Component::Endpoint(e) => matches!(
                    design.endpoints.get(e.idx()).map(|x| &x.kind),
                    Some(EndpointKind::Interface { .. })
                ),
                _ => false,
            })
            .map(|(k, _)| k.as_str())
            .chain(design.aws_services.iter().map(|s| s.service.as_str()));
        let suggestion = self.suggest(&to.v, candidates).map(str::to_string);
        let mut msg = if is_service_name {
            format!(
                "{owner}: `to` names `{}`, which is neither an id of this file nor a service name that resolves from the source (through a private-DNS interface endpoint of its VPC with DNS support and hostnames on, an [[aws_service]], or a `com.amazonaws.<region>.<service>` prefix list)",
                to.v
            )
        } else {
            format!(
                "{owner}: `to` `{}`{} is neither an id, an IPv4 address nor a service name",
                shown_id(&to.v),
                hidden_note(&to.v)
            )
        };
        if let Some(s) = suggestion {
            msg.push_str(&did_you_mean_id(&s));
        }
        self.err(&to.span, msg);
        None
    }

    /// An instance named by `form`: the address it stands for from the
    /// source must exist (DNS-1..DNS-4); a private address the source has no
    /// private path to is a warning (AWS answers; the packets cannot arrive).
    fn instance_destination(
        &mut self,
        owner: &str,
        from: Option<Source>,
        to: &Id,
        i: InstanceId,
        form: dns::NameForm,
    ) -> Option<DestSpec> {
        let Some(src) = from else {
            return Some(DestSpec::Instance(i, form));
        };
        let origin = dns::origin(&self.design, src);
        match dns::address(&self.design, origin, i, form) {
            Ok(ip) => {
                if dns::resolves_out_of_reach(&self.design, origin, i, ip) {
                    let msg = format!(
                        "{owner}: `{}` resolves to {ip}, the private address of instance `{}`, but {} has no private path to its VPC `{}` (no peering, VPN gateway or transit gateway joins them): AWS answers the name, but packets to that address have no private way there (DNS-3)",
                        to.v,
                        self.design.instances[i.idx()].name,
                        dns::describe(&self.design, origin),
                        self.design.vpcs[dns::vpc_of(&self.design, i).idx()].name
                    );
                    self.warn(&to.span, msg);
                }
                if let Some(msg) = self.routed_elsewhere(src, i, ip) {
                    self.warn(&to.span, format!("{owner}: {msg}"));
                }
                Some(DestSpec::Instance(i, form))
            }
            Err(e) => {
                self.err(&to.span, format!("{owner}: `to` `{}`: {e}", to.v));
                None
            }
        }
    }

    /// Where the source's route table takes instance `i`'s address `ip`
    /// when that is another VPC's host (overlapping peered VPCs, RT-3):
    /// packets reach that host, not the instance the traffic names (DNS-1).
    fn routed_elsewhere(&self, src: Source, i: InstanceId, ip: Ipv4Addr) -> Option<String> {
        let d = &self.design;
        let sub = &d.subnets[d.source_subnet(src)?.idx()];
        let (here, want) = (sub.vpc, dns::vpc_of(d, i));
        let table = &d.route_tables[sub.route_table.idx()];
        let route = table
            .routes
            .iter()
            .filter(|r| !r.blackhole)
            .filter_map(|r| match r.dest {
                RouteDest::Cidr(c) if c.contains(&ip) => Some((c, r)),
                _ => None,
            })
            .max_by_key(|(c, _)| c.prefix_len())?;
        let (cidr, r) = route;
        let (to_vpc, via) = match r.target {
            Target::Local => (here, "local".to_string()),
            Target::Peering(p) => {
                let pc = &d.peerings[p.idx()];
                let other = if pc.requester == here {
                    pc.accepter
                } else {
                    pc.requester
                };
                (other, pc.name.clone())
            }
            _ => return None,
        };
        if to_vpc == want {
            return None;
        }
        let host = d.enis.iter().find(|e| e.vpc == to_vpc && e.ip == ip)?;
        let name = &d.instances[i.idx()].name;
        Some(format!(
            "`to` names instance `{name}` ({ip} in VPC `{}`), but route {cidr} -> {via} of `{}` takes {ip} to VPC `{}`, where `{}` has it (RT-3): packets reach `{}`, not `{name}`",
            d.vpcs[want.idx()].name,
            table.name,
            d.vpcs[to_vpc.idx()].name,
            host.label,
            host.label,
        ))
    }
}
