//! Ids and references: every resource's id registered once, and the
//! lookups that turn a reference in the file into a component of the design,
//! with the VPC each component belongs to.

use super::*;

impl Builder<'_> {
    pub(super) fn define(&mut self, id: &Id, c: Component) {
        if id.v.trim().is_empty() {
            self.err(&id.span, "an id cannot be empty");
            return;
        }
        // Reported, and still defined: what refers to it is not reported
        // again as dangling.
        self.check_id_chars(id, "id");
        if let Some((prev, prev_span)) = self.names.get(&id.v) {
            let line = self.line_of(prev_span, &id.span);
            let msg = format!(
                "duplicate id `{}`: already used by {} on {line}",
                id.v,
                a_kind(prev.kind())
            );
            self.err(&id.span, msg);
            return;
        }
        self.names.insert(id.v.clone(), (c, id.span.clone()));
    }

    /// Gives every resource its index, so that references can resolve in any
    /// order of the file.
    pub(super) fn register(&mut self) {
        let raw = self.raw;
        let mut all: Vec<(&Id, Component)> = Vec::new();
        macro_rules! reg {
            ($list:expr, $variant:ident, $idt:ident) => {
                for (i, r) in $list.iter().enumerate() {
                    all.push((&r.id, Component::$variant($idt::from_idx(i))));
                }
            };
        }
        reg!(raw.vpcs, Vpc, VpcId);
        reg!(raw.subnets, Subnet, SubnetId);
        reg!(raw.route_tables, RouteTable, RouteTableId);
        reg!(raw.internet_gateways, Igw, IgwId);
        reg!(raw.nat_gateways, Nat, NatId);
        reg!(raw.prefix_lists, PrefixList, PrefixListId);
        reg!(raw.vpc_endpoints, Endpoint, EndpointId);
        reg!(raw.security_groups, Sg, SgId);
        reg!(raw.network_acls, Nacl, NaclId);
        reg!(raw.vpc_peerings, Peering, PeeringId);
        reg!(raw.vpn_gateways, Vgw, VgwId);
        reg!(raw.onprem_networks, OnpremNet, OnpremNetId);
        reg!(raw.instances, Instance, InstanceId);
        reg!(raw.lambdas, Lambda, LambdaId);
        reg!(raw.external_hosts, ExternalHost, ExternalHostId);
        reg!(raw.aws_services, AwsService, AwsServiceId);
        reg!(raw.onprem_hosts, OnpremHost, OnpremHostId);
        reg!(raw.transit_gateways, Tgw, TgwId);
        reg!(raw.tgw_attachments, TgwAttachment, TgwAttachmentId);
        reg!(raw.tgw_route_tables, TgwRouteTable, TgwRouteTableId);
        // Instance ENIs are numbered like their instances: ENI i is instance i.
        for (i, inst) in raw.instances.iter().enumerate() {
            if let Some(eni) = &inst.eni {
                all.push((eni, Component::Eni(EniId::from_idx(i))));
            }
        }
        // In file order, so that the second use of an id is the one reported.
        all.sort_by_key(|(id, _)| id.span.start);
        for (id, c) in all {
            self.define(id, c);
        }
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for t in &raw.traffic {
            self.check_id_chars(&t.id, "traffic id");
            if let Some(prev) = seen.get(t.id.v.as_str()) {
                let line = self.line_of(prev, &t.id.span);
                self.err(
                    &t.id.span,
                    format!("duplicate traffic id `{}`: already used on {line}", t.id.v),
                );
            } else {
                seen.insert(&t.id.v, t.id.span.clone());
            }
        }
    }

    /// An id holds no whitespace, control or invisible character: flow
    /// logs separate their fields with spaces, the summary and the report
    /// give each one line, and an invisible character makes two ids look
    /// the same.
    fn check_id_chars(&mut self, id: &Id, what: &str) {
        let Some(unfit) = unfit_chars(&id.v) else {
            return;
        };
        let mended = mended_id(&id.v);
        let mut msg = format!(
            "{what} `{}` contains {unfit}: an id cannot hold whitespace, control or invisible characters (flow logs separate their fields with spaces, the summary and this report give each one line, and an invisible character makes two ids look the same)",
            shown_id(&id.v)
        );
        if !mended.is_empty() {
            msg.push_str(&format!("; write it as `{mended}`"));
        }
        self.err(&id.span, msg);
    }

    /// A close candidate for a misspelt name. Past the problems a report
    /// shows, none is looked for: a huge broken file would otherwise cost a
    /// scan of every name for every dangling reference.
    pub(super) fn suggest<'a>(
        &self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        if self.d.items.len() > scenario::MAX_DIAGNOSTICS {
            return None;
        }
        did_you_mean(word, candidates)
    }

    /// Resolves a reference; `owner` says who refers ("subnet `a`").
    pub(super) fn reference(
        &mut self,
        owner: &str,
        key: &str,
        r: &Id,
        kinds: &[Kind],
    ) -> Option<Component> {
        match self.names.get(&r.v) {
            Some((c, _)) if kinds.contains(&c.kind()) => Some(*c),
            Some((c, _)) => {
                let msg = format!(
                    "{owner}: `{key}` names `{}`, which is {}; expected {}",
                    r.v,
                    a_kind(c.kind()),
                    one_of(kinds)
                );
                self.err(&r.span, msg);
                None
            }
            // It may be in the included file that could not be read
            // (reported): not checked.
            None if self.sources.incomplete => None,
            None => {
                let candidates = self
                    .names
                    .iter()
                    .filter(|(_, (c, _))| kinds.contains(&c.kind()))
                    .map(|(k, _)| k.as_str());
                let mut msg = format!(
                    "{owner}: `{key}` names `{}`, which does not exist{}",
                    shown_id(&r.v),
                    hidden_note(&r.v)
                );
                if let Some(s) = self.suggest(&r.v, candidates) {
                    msg.push_str(&did_you_mean_id(s));
                } else {
                    msg.push_str(&format!(" (expected {})", one_of(kinds)));
                }
                self.err(&r.span, msg);
                None
            }
        }
    }

    /// The VPC a resource's `vpc` names; `None` (reported) when it names
    /// none, and then the resource holds a stand-in VPC id and the design is
    /// not returned (`unsettled`).
    pub(super) fn vpc_ref(&mut self, owner: &str, r: &Option<Id>) -> Option<VpcId> {
        let vpc = match self.reference(owner, "vpc", r.as_ref()?, &[Kind::Vpc]) {
            Some(Component::Vpc(v)) => Some(v),
            _ => None,
        };
        self.unsettled |= vpc.is_none();
        vpc
    }

    // The VPC of a resource, or `None` when its `vpc` did not resolve (that
    // was reported). The design's own `vpc` fields hold a placeholder then,
    // which checks must not compare with anything.

    /// The VPC a `vpc` key names, if it names one.
    pub(super) fn vpc_named(&self, r: &Option<Id>) -> Option<VpcId> {
        match self.names.get(&r.as_ref()?.v) {
            Some((Component::Vpc(v), _)) => Some(*v),
            _ => None,
        }
    }

    pub(super) fn subnet_vpc(&self, s: SubnetId) -> Option<VpcId> {
        self.vpc_named(&self.raw.subnets.get(s.idx())?.vpc)
    }

    pub(super) fn eni_vpc(&self, e: EniId) -> Option<VpcId> {
        self.subnet_vpc(self.eni_subnets.get(e.idx()).copied().flatten()?)
    }

    /// A route table of the file, or an implicit main table.
    pub(super) fn route_table_vpc(&self, rt: RouteTableId) -> Option<VpcId> {
        match self.raw.route_tables.get(rt.idx()) {
            Some(t) => self.vpc_named(&t.vpc),
            None => self.design.route_tables.get(rt.idx()).map(|t| t.vpc),
        }
    }

    /// A security group of the file, or a VPC's default group.
    pub(super) fn sg_vpc(&self, sg: SgId) -> Option<VpcId> {
        match self.raw.security_groups.get(sg.idx()) {
            Some(g) => self.vpc_named(&g.vpc),
            None => self.design.security_groups.get(sg.idx()).map(|g| g.vpc),
        }
    }

    /// A network ACL of the file, or a VPC's default ACL.
    pub(super) fn nacl_vpc(&self, n: NaclId) -> Option<VpcId> {
        match self.raw.network_acls.get(n.idx()) {
            Some(a) => self.vpc_named(&a.vpc),
            None => self.design.nacls.get(n.idx()).map(|a| a.vpc),
        }
    }

    pub(super) fn sg_refs(
        &mut self,
        owner: &str,
        key: &str,
        refs: &[Id],
        vpc: Option<VpcId>,
    ) -> Vec<SgId> {
        let mut out = Vec::new();
        for r in refs {
            if let Some(Component::Sg(sg)) = self.reference(owner, key, r, &[Kind::Sg]) {
                if let (Some(want), Some(got)) = (vpc, self.sg_vpc(sg)) {
                    if want != got {
                        let msg = format!(
                            "{owner}: security group `{}` belongs to VPC `{}`, not `{}`",
                            r.v,
                            self.design.vpcs[got.idx()].name,
                            self.design.vpcs[want.idx()].name
                        );
                        self.err(&r.span, msg);
                        continue;
                    }
                }
                if out.contains(&sg) {
                    self.err(
                        &r.span,
                        format!("{owner}: security group `{}` is listed twice", r.v),
                    );
                    continue;
                }
                out.push(sg);
            }
        }
        out
    }

    pub(super) fn route_table_refs(
        &mut self,
        owner: &str,
        key: &str,
        refs: &[Id],
        vpc: Option<VpcId>,
    ) -> Vec<RouteTableId> {
        let mut out = Vec::new();
        for r in refs {
            if let Some(Component::RouteTable(rt)) =
                self.reference(owner, key, r, &[Kind::RouteTable])
            {
                if let (Some(a), Some(b)) = (vpc, self.route_table_vpc(rt)) {
                    if a != b {
                        let msg = format!("{owner}: route table `{}` belongs to another VPC", r.v);
                        self.err(&r.span, msg);
                        continue;
                    }
                }
                if !out.contains(&rt) {
                    out.push(rt);
                }
            }
        }
        out
    }

    pub(super) fn subnet_ref(&mut self, owner: &str, key: &str, r: &Id) -> Option<SubnetId> {
        match self.reference(owner, key, r, &[Kind::Subnet])? {
            Component::Subnet(s) => Some(s),
            _ => None,
        }
    }
}

/// " (it contains U+200B ZERO WIDTH SPACE)" after a name that holds what
/// an id may not, which the eye may not see; else nothing.
pub(super) fn hidden_note(name: &str) -> String {
    unfit_chars(name).map_or_else(String::new, |u| format!(" (it contains {u})"))
}

/// "; did you mean `nat-a`?", naming what the suggestion holds that an id
/// may not: a suggestion that differs by an invisible character would
/// otherwise look the same as the name it corrects.
pub(super) fn did_you_mean_id(s: &str) -> String {
    match unfit_chars(s) {
        Some(u) => format!("; did you mean `{}`, which contains {u}?", shown_id(s)),
        None => format!("; did you mean `{s}`?"),
    }
}
