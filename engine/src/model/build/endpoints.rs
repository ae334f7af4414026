//! VPC endpoints, gateway and interface, and the prefix lists of the
//! services they reach.

use super::*;

impl Builder<'_> {
    pub(super) fn endpoints(&mut self) {
        let raw = self.raw;
        let mut per_table: BTreeMap<(RouteTableId, String), Span> = BTreeMap::new();
        // The (VPC, service) of every gateway endpoint, wherever the file
        // declares it (IFE-7).
        let gateways: Vec<(&str, &str)> = raw
            .vpc_endpoints
            .iter()
            .filter(|e| {
                matches!(
                    e.kind.as_ref().map(|k| k.v),
                    Some(raw::EndpointType::Gateway)
                )
            })
            .filter_map(|e| Some((e.vpc.as_ref()?.v.as_str(), e.service.as_ref()?.v.as_str())))
            .collect();
        // The private-DNS interface endpoint of each (VPC, service) (IFE-9).
        let mut private_dns_of: BTreeMap<(VpcId, String), (String, Span)> = BTreeMap::new();
        for e in &raw.vpc_endpoints {
            let owner = format!("VPC endpoint `{}`", shown_id(&e.id.v));
            let vpc = self.vpc_ref(&owner, &e.vpc);
            let service = e.service.as_ref().map_or_else(String::new, |s| s.v.clone());
            let id = EndpointId::from_idx(self.design.endpoints.len());
            let listen = if e.listen.is_empty() {
                vec![Listen {
                    protocol: 6,
                    port: Some(443),
                }]
            } else {
                self.listen(&e.listen)
            };
            let kind = match e.kind.as_ref().map(|k| k.v) {
                // Without a readable `type` (reported), nothing more can be
                // checked: an interface endpoint in no subnet stands in, and
                // the design is not returned.
                None => {
                    self.unsettled = true;
                    EndpointKind::Interface {
                        subnets: vec![],
                        security_groups: vec![],
                        private_dns: false,
                        enis: vec![],
                    }
                }
                Some(raw::EndpointType::Gateway) => {
                    let mut service_ok = true;
                    if let Some(s) = &e.service {
                        if s.v != "s3" && s.v != "dynamodb" {
                            self.err(&s.span, format!("{owner}: a gateway endpoint serves only \"s3\" or \"dynamodb\", not \"{}\" (GWE-1)", s.v));
                            service_ok = false;
                        }
                    }
                    if let Some(first) = e.private_ips.first() {
                        self.err(&first.span, format!("{owner}: a gateway endpoint has no ENI and no `private_ips`; only an interface endpoint has addresses"));
                    }
                    for (key, list) in [
                        ("subnets", &e.subnets),
                        ("security_groups", &e.security_groups),
                    ] {
                        if let Some(first) = list.first() {
                            self.err(&first.span, format!("{owner}: a gateway endpoint has no `{key}`; it works through `route_tables`"));
                        }
                    }
                    if let Some(k) = &e.private_dns_only_for_inbound_resolver_endpoint {
                        self.err(&k.span, format!("{owner}: a gateway endpoint has no private DNS; `private_dns_only_for_inbound_resolver_endpoint` belongs on the interface endpoint of the service"));
                    }
                    let prefix_list = if service_ok {
                        self.service_prefix_list(&owner, e, &service, vpc)
                    } else {
                        None
                    };
                    let route_tables =
                        self.route_table_refs(&owner, "route_tables", &e.route_tables, vpc);
                    for (rt, r) in route_tables.iter().zip(&e.route_tables) {
                        if let Some(prev) = per_table.get(&(*rt, service.clone())) {
                            let line = self.line_of(prev, &r.span);
                            self.err(&r.span, format!("{owner}: route table `{}` already has a {service} endpoint route, from {line} (GWE-3)", r.v));
                        } else {
                            per_table.insert((*rt, service.clone()), r.span.clone());
                        }
                    }
                    // Without its service's prefix list (reported), the
                    // endpoint routes nothing, and the design is not
                    // returned.
                    match prefix_list {
                        Some(prefix_list) => EndpointKind::Gateway {
                            prefix_list,
                            route_tables,
                        },
                        None => {
                            self.unsettled = true;
                            EndpointKind::Interface {
                                subnets: vec![],
                                security_groups: vec![],
                                private_dns: false,
                                enis: vec![],
                            }
                        }
                    }
                }
                Some(raw::EndpointType::Interface) => {
                    if let Some(first) = e.route_tables.first() {
                        self.err(&first.span, format!("{owner}: an interface endpoint has no `route_tables`; it has an ENI in each of its `subnets`"));
                    }
                    if e.subnets.is_empty() && !self.unreadable(&e.id.span, "subnets") {
                        self.err(&e.id.span, format!("{owner}: an interface endpoint needs at least one subnet in `subnets`"));
                    }
                    let mut subnets = Vec::new();
                    let mut azs: BTreeMap<String, String> = BTreeMap::new();
                    for r in &e.subnets {
                        let Some(s) = self.subnet_ref(&owner, "subnets", r) else {
                            continue;
                        };
                        let sv = self.subnet_vpc(s);
                        let sub = &self.subnets[s.idx()];
                        if vpc.is_some() && sv.is_some() && sv != vpc {
                            self.err(
                                &r.span,
                                format!("{owner}: subnet `{}` is not in the endpoint's VPC", r.v),
                            );
                            continue;
                        }
                        if let Some(other) = azs.get(&sub.az) {
                            let msg = format!(
                                "{owner}: subnets `{other}` and `{}` are both in {}; an interface endpoint takes one subnet per availability zone (IFE-1)",
                                r.v, sub.az
                            );
                            self.err(&r.span, msg);
                            continue;
                        }
                        azs.insert(sub.az.clone(), r.v.clone());
                        subnets.push(s);
                    }
                    let mut sgs = self.sg_refs(&owner, "security_groups", &e.security_groups, vpc);
                    if e.security_groups.is_empty() {
                        if let Some(v) = vpc {
                            sgs.extend(self.design.vpcs[v.idx()].default_sg);
                        }
                    }
                    if !e.private_ips.is_empty() && e.private_ips.len() != e.subnets.len() {
                        self.err(&e.private_ips[0].span, format!("{owner}: `private_ips` has {} addresses for {} subnets; give one per subnet, in the order of `subnets`", e.private_ips.len(), e.subnets.len()));
                    }
                    let fixed: Vec<Option<Sp<Ipv4Addr>>> = if e.private_ips.len() == subnets.len() {
                        e.private_ips.iter().cloned().map(Some).collect()
                    } else {
                        vec![None; subnets.len()]
                    };
                    let mut enis = Vec::new();
                    for (s, fixed) in subnets.iter().zip(&fixed) {
                        let sub_name = self.subnets[s.idx()].name.clone();
                        let name = format!("{}-{}", e.id.v, sub_name);
                        let label = if subnets.len() > 1 {
                            name.clone()
                        } else {
                            e.id.v.clone()
                        };
                        enis.push(self.new_eni(
                            Some(*s),
                            fixed.as_ref(),
                            name,
                            label,
                            sgs.clone(),
                            EniOwner::Endpoint(id),
                        ));
                    }
                    let private_dns = e.private_dns.as_ref().is_none_or(|p| p.v);
                    let inbound_only = self.inbound_only(&owner, e, private_dns, &gateways);
                    let service_known = self.interface_service(&owner, e);
                    if let (true, Some(v)) = (private_dns, vpc) {
                        let at = e
                            .private_dns
                            .as_ref()
                            .map_or(&e.id.span, |p| &p.span)
                            .clone();
                        let x = &self.design.vpcs[v.idx()];
                        if !(x.dns_support && x.dns_hostnames) {
                            let off = if x.dns_support {
                                "`enable_dns_hostnames`"
                            } else {
                                "`enable_dns_support`"
                            };
                            let msg = format!(
                                "{owner}: private DNS (on {}) needs VPC `{}`'s `enable_dns_support` and `enable_dns_hostnames` both true, and {off} is false; AWS refuses to create the endpoint (IFE-2); set `private_dns = false`, or turn both attributes on",
                                if e.private_dns.is_some() {
                                    "here"
                                } else {
                                    "by default"
                                },
                                x.name
                            );
                            self.err(&at, msg);
                        } else if service_known && !service.is_empty() {
                            match private_dns_of.get(&(v, service.clone())) {
                                Some((first, prev)) => {
                                    let line = self.line_of(prev, &at);
                                    let msg = format!(
                                        "{owner}: VPC `{}` already has interface endpoint `{first}` ({line}) with private DNS for `{service}`; AWS refuses a second, whose private DNS domain would conflict (IFE-9); set `private_dns = false` here, or give the VPC one endpoint for `{service}`",
                                        x.name
                                    );
                                    self.err(&at, msg);
                                }
                                None => {
                                    private_dns_of
                                        .insert((v, service.clone()), (e.id.v.clone(), at));
                                }
                            }
                        }
                    }
                    EndpointKind::Interface {
                        subnets,
                        security_groups: sgs,
                        private_dns: private_dns && !inbound_only,
                        enis,
                    }
                }
            };
            self.design.endpoints.push(Endpoint {
                name: e.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                service,
                kind,
                listen,
            });
        }
    }

    /// Whether an interface endpoint's private DNS answers only queries that
    /// come through inbound Resolver endpoints (IFE-7): as the file says,
    /// else on when private DNS is on and a gateway endpoint of the service
    /// is in the VPC (AWS's default). The option needs private DNS, a
    /// service with gateway endpoints and such an endpoint in the VPC.
    fn inbound_only(
        &mut self,
        owner: &str,
        e: &raw::VpcEndpoint,
        private_dns: bool,
        gateways: &[(&str, &str)],
    ) -> bool {
        let service = e.service.as_ref().map_or("", |s| s.v.as_str());
        let vpc = e.vpc.as_ref().map_or("", |v| v.v.as_str());
        let gateway = gateways.contains(&(vpc, service));
        let Some(set) = &e.private_dns_only_for_inbound_resolver_endpoint else {
            return private_dns && gateway;
        };
        if !set.v {
            return false;
        }
        const KEY: &str = "private_dns_only_for_inbound_resolver_endpoint";
        if !private_dns {
            self.err(
                &set.span,
                format!("{owner}: `{KEY}` needs `private_dns = true` (IFE-7)"),
            );
        } else if service != "s3" && service != "dynamodb" {
            self.err(&set.span, format!("{owner}: `{KEY}` is only for a service with gateway endpoints too (\"s3\", \"dynamodb\"), not \"{service}\" (IFE-7)"));
        } else if !gateway {
            self.err(&set.span, format!("{owner}: `{KEY}` needs a gateway endpoint for {service} in VPC `{vpc}`, which in-VPC traffic then takes; declare one, or set `{KEY} = false` for the interface endpoint to answer in the VPC (IFE-7)"));
        }
        private_dns && gateway
    }

    /// Whether an interface endpoint's `service` names a service: one that
    /// vpcsim knows, one the file declares (an `[[aws_service]]`, or a
    /// `com.amazonaws.<region>.<service>` prefix list), or an endpoint
    /// service by its `vpce-svc-` id; AWS refuses any other name (IFE-10).
    /// Reports it otherwise, with the known name it may be a misspelling of.
    fn interface_service(&mut self, owner: &str, e: &raw::VpcEndpoint) -> bool {
        let Some(s) = &e.service else { return true };
        let name = s.v.as_str();
        let list_name = builtin::service_list_name(&self.region, name);
        let known = builtin::INTERFACE_SERVICES.contains(&name)
            || name.starts_with("vpce-svc-")
            || self
                .raw
                .aws_services
                .iter()
                .any(|a| a.service.as_ref().is_some_and(|x| x.v == name))
            || self
                .design
                .prefix_lists
                .iter()
                .any(|p| p.list_name == list_name)
            || builtin::prefix_list(&list_name).is_some();
        if known || name.is_empty() {
            return true;
        }
        let services = builtin::INTERFACE_SERVICES.iter().copied();
        let close = did_you_mean(name, services).or_else(|| {
            // A known name with something written after it: `sqs-prod`.
            builtin::INTERFACE_SERVICES
                .iter()
                .copied()
                .filter(|k| {
                    name.strip_prefix(k)
                        .is_some_and(|rest| rest.starts_with(['-', '.', '_']))
                })
                .max_by_key(|k| k.len())
        });
        let hint = match close {
            Some(k) => format!("did you mean `{k}`?"),
            None => {
                "write the short name AWS gives it (`sqs` for `com.amazonaws.us-east-1.sqs`)".into()
            }
        };
        self.err(
            &s.span,
            format!(
                "{owner}: `{name}` is not an AWS service vpcsim knows, and the file declares no `[[aws_service]]` or `{list_name}` prefix list for it; AWS refuses an endpoint for a service it does not offer (IFE-10); {hint}"
            ),
        );
        false
    }

    /// The prefix list of the service in the Region of the endpoint's VPC
    /// (GWE-1: an endpoint serves its own Region's service only): declared
    /// by name, else built in (GWE-2).
    pub(super) fn service_prefix_list(
        &mut self,
        owner: &str,
        e: &raw::VpcEndpoint,
        service: &str,
        vpc: Option<VpcId>,
    ) -> Option<PrefixListId> {
        if service.is_empty() {
            return None;
        }
        let region = vpc.map_or_else(
            || self.region.clone(),
            |v| self.design.vpcs[v.idx()].region.clone(),
        );
        let list_name = builtin::service_list_name(&region, service);
        if let Some(i) = self
            .design
            .prefix_lists
            .iter()
            .position(|p| p.list_name == list_name)
        {
            return Some(PrefixListId::from_idx(i));
        }
        if let Some(b) = builtin::prefix_list(&list_name) {
            let id = PrefixListId::from_idx(self.design.prefix_lists.len());
            self.design.prefix_lists.push(PrefixList {
                name: b.id.to_string(),
                list_name: b.name.to_string(),
                cidrs: b
                    .cidrs
                    .iter()
                    .map(|c| c.parse().expect("built-in CIDRs are valid"))
                    .collect(),
            });
            self.names
                .entry(b.id.to_string())
                .or_insert((Component::PrefixList(id), 0..0));
            return Some(id);
        }
        let span = e
            .service
            .as_ref()
            .map_or(e.id.span.clone(), |s| s.span.clone());
        self.err(
            &span,
            format!("{owner}: no prefix list named `{list_name}`; declare a [[prefix_list]] with that `name` and the service's CIDRs in {region} (a gateway endpoint serves its own Region's service only, GWE-1; vpcsim ships the lists of {})", builtin::shipped_regions()),
        );
        None
    }
}
