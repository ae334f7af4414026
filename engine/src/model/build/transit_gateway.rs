//! Transit gateways, their attachments and route tables (TGW-1..TGW-4).

use super::*;

/// AWS's default Amazon-side ASN of a transit gateway.
const DEFAULT_ASN: u32 = 64512;

impl Builder<'_> {
    fn tgw_ref(&mut self, owner: &str, r: &Option<Id>) -> Option<TgwId> {
        match self.reference(owner, "transit_gateway", r.as_ref()?, &[Kind::Tgw])? {
            Component::Tgw(t) => Some(t),
            _ => None,
        }
    }

    fn tgw_table_ref(&mut self, owner: &str, key: &str, r: &Id) -> Option<TgwRouteTableId> {
        match self.reference(owner, key, r, &[Kind::TgwRouteTable])? {
            Component::TgwRouteTable(t) => Some(t),
            _ => None,
        }
    }

    fn tgw_attachment_ref(&mut self, owner: &str, key: &str, r: &Id) -> Option<TgwAttachmentId> {
        match self.reference(owner, key, r, &[Kind::TgwAttachment])? {
            Component::TgwAttachment(a) => Some(a),
            _ => None,
        }
    }

    /// The transit gateway a raw attachment names, if it names one.
    fn attachment_tgw(&self, a: TgwAttachmentId) -> Option<TgwId> {
        match self.names.get(
            &self
                .raw
                .tgw_attachments
                .get(a.idx())?
                .transit_gateway
                .as_ref()?
                .v,
        ) {
            Some((Component::Tgw(t), _)) => Some(*t),
            _ => None,
        }
    }

    pub(super) fn transit_gateways(&mut self) {
        let raw = self.raw;
        // Route tables of the file first, so that attachments and gateways
        // can name them; implicit default tables follow.
        for t in &raw.tgw_route_tables {
            let owner = format!("transit gateway route table `{}`", shown_id(&t.id.v));
            let tgw = self.tgw_ref(&owner, &t.transit_gateway);
            self.design.tgw_route_tables.push(TgwRouteTable {
                name: t.id.v.clone(),
                tgw: tgw.unwrap_or(TgwId(0)),
                routes: vec![],
            });
        }
        for (i, g) in raw.transit_gateways.iter().enumerate() {
            let owner = format!("transit gateway `{}`", shown_id(&g.id.v));
            let id = TgwId::from_idx(i);
            let assoc_on = g.default_association.as_ref().is_none_or(|b| b.v);
            let prop_on = g.default_propagation.as_ref().is_none_or(|b| b.v);
            let table_of = |b: &mut Self, key: &str, r: &Option<Id>, on: bool| {
                let r = r.as_ref()?;
                let t = b.tgw_table_ref(&owner, key, r)?;
                if let Some(other) = b.vpc_of_table_tgw(t) {
                    if other != id {
                        b.err(
                            &r.span,
                            format!(
                                "{owner}: `{key}` names `{}`, a route table of another transit gateway",
                                r.v
                            ),
                        );
                        return None;
                    }
                }
                if !on {
                    b.warn(
                        &r.span,
                        format!(
                            "{owner}: `{key}` is set but the default is turned off; it is not used"
                        ),
                    );
                }
                Some(t)
            };
            let assoc = table_of(
                self,
                "association_default_route_table",
                &g.association_table,
                assoc_on,
            );
            let prop = table_of(
                self,
                "propagation_default_route_table",
                &g.propagation_table,
                prop_on,
            );
            let need_implicit = (assoc_on && assoc.is_none()) || (prop_on && prop.is_none());
            let implicit = need_implicit.then(|| {
                let rt = TgwRouteTableId::from_idx(self.design.tgw_route_tables.len());
                let name = format!("{}/default-rt", g.id.v);
                self.design.tgw_route_tables.push(TgwRouteTable {
                    name: name.clone(),
                    tgw: id,
                    routes: vec![],
                });
                self.names
                    .entry(name)
                    .or_insert((Component::TgwRouteTable(rt), 0..0));
                rt
            });
            let asn = match &g.asn {
                Some(a)
                    if !(64512..=65534).contains(&a.v)
                        && !(4_200_000_000..=4_294_967_294).contains(&a.v) =>
                {
                    self.err(&a.span, format!("{owner}: `asn` {} is not a private ASN; AWS takes 64512-65534 or 4200000000-4294967294 (TGW-1)", a.v));
                    DEFAULT_ASN
                }
                Some(a) => a.v,
                None => DEFAULT_ASN,
            };
            let region = match &g.region {
                Some(r) if !valid_region(&r.v) => {
                    self.err(
                        &r.span,
                        format!(
                            "{owner}: `region` is \"{}\", not an AWS Region name; expected a Region code such as \"us-west-2\"",
                            r.v
                        ),
                    );
                    self.region.clone()
                }
                Some(r) => r.v.clone(),
                None => self.region.clone(),
            };
            self.design.tgws.push(TransitGateway {
                name: g.id.v.clone(),
                region,
                asn,
                association_default: if assoc_on { assoc.or(implicit) } else { None },
                propagation_default: if prop_on { prop.or(implicit) } else { None },
                dns_support: g.dns_support.as_ref().is_none_or(|b| b.v),
                sg_referencing: g.sg_referencing.as_ref().is_some_and(|b| b.v),
            });
        }
        self.tgw_attachments();
        self.tgw_tables_content();
    }

    /// The transit gateway of a route table of the file, if it names one.
    fn vpc_of_table_tgw(&self, t: TgwRouteTableId) -> Option<TgwId> {
        match self.raw.tgw_route_tables.get(t.idx()) {
            Some(rt) => match self.names.get(&rt.transit_gateway.as_ref()?.v) {
                Some((Component::Tgw(g), _)) => Some(*g),
                _ => None,
            },
            None => self.design.tgw_route_tables.get(t.idx()).map(|r| r.tgw),
        }
    }

    fn tgw_attachments(&mut self) {
        let raw = self.raw;
        // (transit gateway, VPC) -> the attachment's id span.
        let mut per_vpc: BTreeMap<(TgwId, VpcId), String> = BTreeMap::new();
        for (i, a) in raw.tgw_attachments.iter().enumerate() {
            let owner = format!("transit gateway attachment `{}`", shown_id(&a.id.v));
            let id = TgwAttachmentId::from_idx(i);
            let tgw = self.tgw_ref(&owner, &a.transit_gateway);
            let propagations: Vec<TgwRouteTableId> = tgw
                .and_then(|t| self.design.tgws[t.idx()].propagation_default)
                .into_iter()
                .collect();
            if a.kind.as_ref().map(|k| k.v) == Some(raw::TgwAttachmentType::Peering) {
                let kind = self.peering_attachment(&owner, id, tgw, a);
                self.design.tgw_attachments.push(TgwAttachment {
                    name: a.id.v.clone(),
                    tgw: tgw.unwrap_or(TgwId(0)),
                    kind,
                    association: None,
                    // TGW-10: a peering attachment propagates nothing.
                    propagations: Vec::new(),
                });
                continue;
            }
            if let Some(p) = &a.peer {
                self.err(
                    &p.span,
                    format!("{owner}: `peer` is a peering attachment's (`type = \"peering\"`)"),
                );
            }
            if a.kind.as_ref().map(|k| k.v) == Some(raw::TgwAttachmentType::Vpn) {
                let kind = self.vpn_attachment(&owner, id, a);
                self.design.tgw_attachments.push(TgwAttachment {
                    name: a.id.v.clone(),
                    tgw: tgw.unwrap_or(TgwId(0)),
                    kind,
                    association: None,
                    propagations,
                });
                continue;
            }
            if let Some(r) = &a.routing {
                self.err(
                    &r.span,
                    format!("{owner}: `routing` is a VPN attachment's (`type = \"vpn\"`); a VPC attachment propagates its VPC's CIDRs"),
                );
            }
            let vpc = match &a.vpc {
                Some(_) => self.vpc_ref(&owner, &a.vpc),
                None => {
                    if !self.unreadable(&a.id.span, "vpc") {
                        self.err(&a.id.span, format!("{owner}: a VPC attachment needs `vpc`"));
                    }
                    None
                }
            };
            if let (Some(t), Some(v)) = (tgw, vpc) {
                // TGW-10: a VPC attached to a transit gateway of another
                // Region than the scenario's is in that Region; attached to
                // transit gateways of two Regions it is an error.
                let tr = self.design.tgws[t.idx()].region.clone();
                let vr = self.design.vpcs[v.idx()].region.clone();
                if vr != tr {
                    let placed = per_vpc.keys().any(|(_, w)| *w == v);
                    if vr == self.region && !placed {
                        self.design.vpcs[v.idx()].region = tr;
                    } else {
                        let msg = format!(
                            "{owner}: VPC `{}` is in {vr} and transit gateway `{}` in {tr}; a VPC attaches to transit gateways of its own Region, and peering attachments join transit gateways across Regions (TGW-2, TGW-10)",
                            self.design.vpcs[v.idx()].name,
                            self.design.tgws[t.idx()].name
                        );
                        self.err(&a.id.span, msg);
                    }
                }
                if let Some(prev) = per_vpc.get(&(t, v)) {
                    let msg = format!(
                        "{owner}: VPC `{}` is already attached to transit gateway `{}` by `{prev}`; a VPC attaches once to a transit gateway (TGW-2)",
                        self.design.vpcs[v.idx()].name,
                        self.design.tgws[t.idx()].name
                    );
                    self.err(&a.id.span, msg);
                } else {
                    per_vpc.insert((t, v), a.id.v.clone());
                }
            }
            if a.subnets.is_empty() && !self.unreadable(&a.id.span, "subnets") {
                self.err(
                    &a.id.span,
                    format!("{owner}: a VPC attachment needs `subnets`, one per Availability Zone (TGW-2)"),
                );
            }
            let mut subnets: Vec<SubnetId> = Vec::new();
            for r in &a.subnets {
                let Some(s) = self.subnet_ref(&owner, "subnets", r) else {
                    continue;
                };
                if let (Some(v), Some(sv)) = (vpc, self.subnet_vpc(s)) {
                    if v != sv {
                        self.err(
                            &r.span,
                            format!(
                                "{owner}: subnet `{}` is not in VPC `{}`",
                                r.v,
                                self.design.vpcs[v.idx()].name
                            ),
                        );
                        continue;
                    }
                }
                let az = self.subnets[s.idx()].az.clone();
                if let Some(o) = subnets.iter().find(|o| self.subnets[o.idx()].az == az) {
                    let msg = format!(
                        "{owner}: subnets `{}` and `{}` are both in {az}; an attachment takes one subnet per Availability Zone (TGW-2)",
                        self.subnets[o.idx()].name,
                        r.v
                    );
                    self.err(&r.span, msg);
                    continue;
                }
                subnets.push(s);
            }
            let mut enis = Vec::new();
            for s in &subnets {
                let sub_name = self.subnets[s.idx()].name.clone();
                let eni = self.new_eni(
                    Some(*s),
                    None,
                    format!("{}/{sub_name}", a.id.v),
                    format!("{}/{sub_name}", a.id.v),
                    vec![],
                    EniOwner::TgwAttachment(id),
                );
                // The transit gateway forwards packets not addressed to it.
                self.design.enis[eni.idx()].source_dest_check = false;
                enis.push(eni);
            }
            self.design.tgw_attachments.push(TgwAttachment {
                name: a.id.v.clone(),
                tgw: tgw.unwrap_or(TgwId(0)),
                kind: TgwAttachmentKind::Vpc {
                    vpc: vpc.unwrap_or(VpcId(0)),
                    subnets,
                    enis,
                    appliance_mode: a.appliance_mode.as_ref().is_some_and(|b| b.v),
                    sg_referencing: a.sg_referencing.as_ref().is_none_or(|b| b.v),
                },
                association: None,
                propagations,
            });
        }
    }

    /// A peering attachment (TGW-10): no VPC, subnets, appliance mode or
    /// routing; `peer` names a peering attachment of another transit
    /// gateway that names this one back.
    fn peering_attachment(
        &mut self,
        owner: &str,
        id: TgwAttachmentId,
        tgw: Option<TgwId>,
        a: &raw::TgwAttachment,
    ) -> TgwAttachmentKind {
        let not_here: [(&str, Option<&Span>); 5] = [
            ("vpc", a.vpc.as_ref().map(|v| &v.span)),
            ("subnets", a.subnets.first().map(|v| &v.span)),
            ("appliance_mode", a.appliance_mode.as_ref().map(|v| &v.span)),
            ("routing", a.routing.as_ref().map(|v| &v.span)),
            (
                "security_group_referencing",
                a.sg_referencing.as_ref().map(|v| &v.span),
            ),
        ];
        for (key, span) in not_here {
            if let Some(span) = span {
                self.err(
                    span,
                    format!("{owner}: a peering attachment has no `{key}`; it carries only static routes to the peer transit gateway (TGW-10)"),
                );
            }
        }
        let broken = TgwAttachmentKind::Peering {
            peer: id,
            inter_region: false,
        };
        let Some(r) = &a.peer else {
            if !self.unreadable(&a.id.span, "peer") {
                self.err(
                    &a.id.span,
                    format!("{owner}: a peering attachment needs `peer`, the attachment on the other transit gateway (TGW-10)"),
                );
            }
            return broken;
        };
        let Some(peer) = self.tgw_attachment_ref(owner, "peer", r) else {
            return broken;
        };
        let raw = self.raw;
        let other = &raw.tgw_attachments[peer.idx()];
        if other.kind.as_ref().map(|k| k.v) != Some(raw::TgwAttachmentType::Peering) {
            self.err(
                &r.span,
                format!(
                    "{owner}: `peer` names `{}`, which is not a peering attachment; expected an attachment with `type = \"peering\"` on the other transit gateway (TGW-10)",
                    r.v
                ),
            );
            return broken;
        }
        if other.peer.as_ref().map(|p| p.v.as_str()) != Some(a.id.v.as_str()) {
            let names = match &other.peer {
                Some(p) => format!("names `{}`", p.v),
                None => "names none".to_string(),
            };
            self.err(
                &r.span,
                format!(
                    "{owner}: `peer` names `{}`, whose `peer` {names}; the two sides of a peering name each other (TGW-10)",
                    r.v
                ),
            );
            return broken;
        }
        let peer_tgw = self.attachment_tgw(peer);
        let (Some(t), Some(u)) = (tgw, peer_tgw) else {
            return broken;
        };
        if t == u {
            self.err(
                &r.span,
                format!(
                    "{owner}: `peer` `{}` is on the same transit gateway `{}`; a peering attachment joins two transit gateways (TGW-10)",
                    r.v,
                    self.design.tgws[t.idx()].name
                ),
            );
            return broken;
        }
        // AWS: one peering attachment between two transit gateways.
        let peer_tgw_of = |b: &Self, x: &raw::TgwAttachment| match b.names.get(&x.peer.as_ref()?.v)
        {
            Some((Component::TgwAttachment(q), _)) => b.attachment_tgw(*q),
            _ => None,
        };
        let twice = raw.tgw_attachments.iter().enumerate().any(|(j, x)| {
            let j = TgwAttachmentId::from_idx(j);
            j != id
                && x.kind.as_ref().map(|k| k.v) == Some(raw::TgwAttachmentType::Peering)
                && self.attachment_tgw(j) == Some(t)
                && peer_tgw_of(self, x) == Some(u)
        });
        if twice {
            self.err(
                &a.id.span,
                format!(
                    "{owner}: transit gateways `{}` and `{}` are peered by another attachment too; AWS allows one peering attachment between two transit gateways (TGW-10)",
                    self.design.tgws[t.idx()].name,
                    self.design.tgws[u.idx()].name
                ),
            );
        }
        TgwAttachmentKind::Peering {
            peer,
            inter_region: self.design.tgws[t.idx()].region != self.design.tgws[u.idx()].region,
        }
    }

    /// A VPN attachment (TGW-9): no VPC, subnets or appliance mode; the
    /// on-premises networks whose `via` names it; BGP or static routing.
    fn vpn_attachment(
        &mut self,
        owner: &str,
        id: TgwAttachmentId,
        a: &raw::TgwAttachment,
    ) -> TgwAttachmentKind {
        let vpc_only: [(&str, Option<&Span>); 4] = [
            ("vpc", a.vpc.as_ref().map(|v| &v.span)),
            ("subnets", a.subnets.first().map(|v| &v.span)),
            ("appliance_mode", a.appliance_mode.as_ref().map(|v| &v.span)),
            (
                "security_group_referencing",
                a.sg_referencing.as_ref().map(|v| &v.span),
            ),
        ];
        for (key, span) in vpc_only {
            if let Some(span) = span {
                self.err(
                    span,
                    format!("{owner}: a VPN attachment has no `{key}`; it is a VPC attachment's (`type = \"vpc\"`)"),
                );
            }
        }
        let networks: Vec<OnpremNetId> = self
            .design
            .onprem_nets
            .iter()
            .enumerate()
            .filter(|(_, n)| n.via == OnpremVia::TgwAttachment(id))
            .map(|(i, _)| OnpremNetId::from_idx(i))
            .collect();
        if networks.is_empty() {
            self.warn(
                &a.id.span,
                format!("{owner}: no `[[onprem_network]]` has `via` naming this VPN attachment; it carries nothing"),
            );
        }
        let bgp = a
            .routing
            .as_ref()
            .is_none_or(|r| r.v == raw::VpnRouting::Bgp);
        TgwAttachmentKind::Vpn { networks, bgp }
    }

    /// An attachment a table names: of the table's transit gateway.
    fn table_attachment(
        &mut self,
        owner: &str,
        key: &str,
        rt: TgwRouteTableId,
        r: &Id,
    ) -> Option<TgwAttachmentId> {
        let a = self.tgw_attachment_ref(owner, key, r)?;
        if let (Some(x), Some(y)) = (self.vpc_of_table_tgw(rt), self.attachment_tgw(a)) {
            if x != y {
                self.err(
                    &r.span,
                    format!(
                        "{owner}: `{key}` names `{}`, an attachment of another transit gateway",
                        r.v
                    ),
                );
                return None;
            }
        }
        Some(a)
    }

    /// A table's list of attachments (`associations`, `propagations`), each
    /// of the table's transit gateway, each once.
    pub(super) fn tgw_attachment_list(
        &mut self,
        owner: &str,
        key: &str,
        rt: TgwRouteTableId,
        ids: &[Id],
    ) -> Vec<TgwAttachmentId> {
        let mut out = Vec::new();
        for r in ids {
            let Some(a) = self.table_attachment(owner, key, rt, r) else {
                continue;
            };
            if out.contains(&a) {
                self.err(&r.span, format!("{owner}: `{key}` lists `{}` twice", r.v));
                continue;
            }
            if key == "propagations"
                && self
                    .raw
                    .tgw_attachments
                    .get(a.idx())
                    .and_then(|x| x.kind.as_ref())
                    .map(|k| k.v)
                    == Some(raw::TgwAttachmentType::Peering)
            {
                self.err(
                    &r.span,
                    format!("{owner}: `propagations` lists `{}`, a peering attachment; AWS does not propagate routes from a peering attachment: write static routes to it (TGW-10)", r.v),
                );
                continue;
            }
            out.push(a);
        }
        out
    }

    /// A table's static and blackhole routes (TGW-4), checked.
    pub(super) fn tgw_routes(
        &mut self,
        owner: &str,
        rt: TgwRouteTableId,
        raw_routes: &[Sp<raw::TgwRoute>],
    ) -> Vec<TgwRoute> {
        let mut routes: Vec<TgwRoute> = Vec::new();
        let mut seen: BTreeMap<RouteDest, Span> = BTreeMap::new();
        for r in raw_routes {
            let Some(d) = &r.v.destination else { continue };
            let dest = self.tgw_route_dest(owner, d);
            let blackhole = r.v.blackhole.as_ref().is_some_and(|b| b.v);
            let target = match (&r.v.attachment, blackhole) {
                (Some(a), false) => match self.table_attachment(owner, "attachment", rt, a) {
                    Some(x) => Some(x),
                    None => continue,
                },
                (None, true) => None,
                (Some(a), true) => {
                    self.err(
                        &a.span,
                        format!("{owner}: a blackhole route has no `attachment`"),
                    );
                    continue;
                }
                (None, false) => {
                    if !self.unreadable(&r.span, "attachment") {
                        self.err(
                            &r.span,
                            format!("{owner}: a route needs `attachment`, or `blackhole = true`"),
                        );
                    }
                    continue;
                }
            };
            let Some(dest) = dest else { continue };
            if let Some(prev) = seen.get(&dest) {
                let line = self.line(prev);
                self.err(
                    &r.span,
                    format!("{owner}: a route to this destination already exists on line {line}"),
                );
                continue;
            }
            seen.insert(dest, r.span.clone());
            routes.push(TgwRoute { dest, target });
        }
        routes
    }

    /// Associations, propagations and static routes of each table (TGW-3,
    /// TGW-4); then the default association of attachments no table names.
    fn tgw_tables_content(&mut self) {
        let raw = self.raw;
        let mut associated: BTreeMap<TgwAttachmentId, (String, Span)> = BTreeMap::new();
        for (i, t) in raw.tgw_route_tables.iter().enumerate() {
            let owner = format!("transit gateway route table `{}`", shown_id(&t.id.v));
            let rt = TgwRouteTableId::from_idx(i);
            for r in &t.associations {
                let Some(a) = self.table_attachment(&owner, "associations", rt, r) else {
                    continue;
                };
                if let Some((prev, span)) = associated.get(&a) {
                    let line = self.line(span);
                    let msg = format!(
                        "{owner}: attachment `{}` is already associated with `{prev}` (line {line}); an attachment is associated with at most one route table (TGW-3)",
                        r.v
                    );
                    self.err(&r.span, msg);
                    continue;
                }
                associated.insert(a, (t.id.v.clone(), r.span.clone()));
                self.design.tgw_attachments[a.idx()].association = Some(rt);
            }
            for a in self.tgw_attachment_list(&owner, "propagations", rt, &t.propagations) {
                let props = &mut self.design.tgw_attachments[a.idx()].propagations;
                if !props.contains(&rt) {
                    props.push(rt);
                }
            }
            let routes = self.tgw_routes(&owner, rt, &t.routes);
            self.design.tgw_route_tables[i].routes = routes;
        }
        for a in 0..self.design.tgw_attachments.len() {
            let id = TgwAttachmentId::from_idx(a);
            if associated.contains_key(&id) {
                continue;
            }
            let Some(t) = self.attachment_tgw(id) else {
                continue;
            };
            self.design.tgw_attachments[a].association =
                self.design.tgws[t.idx()].association_default;
        }
    }

    /// A timeline `add_route` or `delete_route` on transit gateway route
    /// table `rt` (TGW-4): `target` names an attachment of its transit
    /// gateway, checked as the table's own routes are.
    pub(super) fn tgw_route_change(
        &mut self,
        owner: &str,
        rt: TgwRouteTableId,
        c: &raw::RouteChange,
        add: bool,
    ) -> Option<Action> {
        let dest_raw = c.destination.as_ref()?;
        if !add {
            let dest = self.tgw_route_dest(owner, dest_raw)?;
            return Some(Action::DeleteTgwRoute(rt, dest));
        }
        let route = raw::TgwRoute {
            destination: Some(dest_raw.clone()),
            attachment: c.target.clone(),
            blackhole: None,
        };
        let span = dest_raw.span.clone();
        let route = self.tgw_routes(owner, rt, &[Sp::new(span, route)]).pop()?;
        Some(Action::AddTgwRoute(rt, route))
    }

    /// A transit gateway route's destination: a CIDR, or a prefix list.
    fn tgw_route_dest(&mut self, owner: &str, d: &Sp<String>) -> Option<RouteDest> {
        let text = d.v.trim();
        let looks_like_cidr = text.contains('/')
            || text.contains(':')
            || text.chars().next().is_some_and(|c| c.is_ascii_digit());
        if looks_like_cidr {
            match parse_cidr(text) {
                Ok(net) => Some(RouteDest::Cidr(net)),
                Err(m) => {
                    self.err(&d.span, format!("{owner}: `destination` {m}"));
                    None
                }
            }
        } else {
            match self.reference(owner, "destination", d, &[Kind::PrefixList])? {
                Component::PrefixList(p) => Some(RouteDest::PrefixList(p)),
                _ => None,
            }
        }
    }

    /// The VPC attachment of `vpc` to `tgw`, if there is one.
    pub(super) fn vpc_attachment(&self, tgw: TgwId, vpc: VpcId) -> Option<TgwAttachmentId> {
        self.design
            .tgw_attachments
            .iter()
            .position(|a| a.tgw == tgw && a.vpc() == Some(vpc))
            .map(TgwAttachmentId::from_idx)
    }
}

/// An AWS Region code: lowercase letters, digits and dashes.
pub(super) fn valid_region(r: &str) -> bool {
    !r.is_empty()
        && r.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}
