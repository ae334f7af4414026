//! One step of a packet through the data plane.
//!
//! Each function here is one component's behaviour, citing the rules of
//! `aws-vpc-semantics.md` it implements. A step parses the packet's header
//! (cheap: no copy), decides, rewrites in place where the component
//! translates, reports its hops, and says where the packet goes next.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::nat_gateway::NatError;
use super::security_group::{self, Direction};
use super::{Drop, Entry, Hop, Host, Loc, Network, Place, Rule, State, Step, Trace, nacl};
use crate::model::*;
use crate::packet::{self, FlowView, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::units::Nanos;

impl Network {
    /// Moves the packet in `buf`, which is at `loc`, one step on.
    pub fn step(&mut self, buf: &mut [u8], loc: Loc, now: Nanos, tr: &mut impl Trace) -> Step {
        if tr.wants_bytes() {
            tr.arrive(loc, buf);
            let step = self.step_inner(buf, loc, now, tr);
            tr.leave(loc, buf, &step);
            step
        } else {
            self.step_inner(buf, loc, now, tr)
        }
    }

    fn step_inner(&mut self, buf: &mut [u8], loc: Loc, now: Nanos, tr: &mut impl Trace) -> Step {
        let Network { design, st } = self;
        let mut cx = Cx {
            d: design,
            st,
            tr,
            now,
        };
        let p = match packet::parse(buf) {
            Ok(p) => p,
            Err(_) => {
                return Step::Drop(Drop {
                    reason: DropReason::Malformed,
                    place: cx.place_of(loc),
                });
            }
        };
        match loc {
            Loc::EniOut(e) => cx.eni_out(buf, p, e),
            Loc::EniIn { eni, from } => cx.eni_in(buf, p, eni, from),
            Loc::NatOut(n) => {
                let subnet = cx.d.nats[n.idx()].subnet;
                cx.route(subnet, p)
            }
            Loc::Igw {
                igw,
                outbound: true,
            } => cx.igw_out(buf, p, igw),
            Loc::Igw {
                igw,
                outbound: false,
            } => cx.igw_in(buf, p, igw),
            Loc::GatewayEndpoint {
                endpoint,
                to_service,
            } => cx.gateway_endpoint(p, endpoint, to_service),
            Loc::Peering { peering, into } => cx.peering(p, peering, into),
            Loc::Vgw { vgw, to_onprem } => cx.vgw(p, vgw, to_onprem),
            Loc::Internet => cx.internet(buf, p),
            Loc::HostOut(h) => cx.host_out(p, h),
            Loc::Arrive(h) => cx.arrive(p, h),
            Loc::ServiceVia { service, endpoint } => {
                cx.st.gwe_flows.insert(
                    super::gwe_key(p.proto, p.dst, p.dst_port, p.src, p.src_port),
                    (endpoint, now.0),
                );
                cx.arrive(p, Host::AwsService(service))
            }
        }
    }
}

struct Cx<'a, T> {
    d: &'a Design,
    st: &'a mut State,
    tr: &'a mut T,
    now: Nanos,
}

fn comp(c: Component) -> Place {
    Place::Component(c)
}

impl<T: Trace> Cx<'_, T> {
    fn place_of(&self, loc: Loc) -> Place {
        match loc {
            Loc::EniOut(e) | Loc::EniIn { eni: e, .. } => comp(self.d.eni_workload(e)),
            Loc::NatOut(n) => comp(Component::Nat(n)),
            Loc::Igw { igw, .. } => comp(Component::Igw(igw)),
            Loc::GatewayEndpoint { endpoint, .. } => comp(Component::Endpoint(endpoint)),
            Loc::Peering { peering, .. } => comp(Component::Peering(peering)),
            Loc::Vgw { vgw, .. } => comp(Component::Vgw(vgw)),
            Loc::Internet => Place::Internet,
            Loc::HostOut(h) | Loc::Arrive(h) => self.host_place(h),
            Loc::ServiceVia { service, .. } => comp(Component::AwsService(service)),
        }
    }

    fn host_place(&self, h: Host) -> Place {
        super::host_place(self.d, h)
    }

    #[inline]
    fn hop(&mut self, place: Place, decision: super::Decision, rule: Rule, view: FlowView) {
        self.tr.hop(Hop {
            place,
            decision,
            rule,
            view,
        });
    }

    #[inline]
    fn forward(&mut self, place: Place, rule: Rule, p: FlowView) {
        self.hop(place, super::Decision::Forward, rule, p);
    }

    #[inline]
    fn drop(&mut self, place: Place, rule: Rule, p: FlowView, reason: DropReason) -> Step {
        self.hop(place, super::Decision::Drop, rule, p);
        Step::Drop(Drop { reason, place })
    }

    fn az_delay(&self, a: SubnetId, b: SubnetId) -> Nanos {
        let (sa, sb) = (&self.d.subnets[a.idx()], &self.d.subnets[b.idx()]);
        if sa.az == sb.az {
            self.d.latency.same_az
        } else {
            self.d.latency.cross_az
        }
    }

    fn target_alive(&self, t: &Target) -> bool {
        let a = &self.st.alive;
        match t {
            Target::Local => true,
            Target::Igw(g) => a.igw[g.idx()],
            Target::Nat(n) => a.nat[n.idx()],
            Target::Endpoint(e) => a.endpoint[e.idx()],
            Target::Eni(e) => a.eni[e.idx()],
            Target::Peering(p) => a.peering[p.idx()],
            Target::Vgw(g) => a.vgw[g.idx()],
            Target::Missing(_) => false,
        }
    }

    // -- ENI ------------------------------------------------------------------

    /// A packet leaves an ENI: source/destination check, security group
    /// egress (SG-3, SG-4), then routing from its subnet.
    fn eni_out(&mut self, buf: &mut [u8], p: FlowView, e: EniId) -> Step {
        let _ = buf;
        let d = self.d;
        let eni = &d.enis[e.idx()];
        let who = comp(d.eni_workload(e));
        if !self.st.alive.eni[e.idx()] {
            return self.drop(
                who,
                Rule::Text("the network interface was deleted"),
                p,
                DropReason::HostUnreachable,
            );
        }
        if self.st.eni_sdc[e.idx()] && p.src != eni.ip {
            return self.drop(
                who,
                Rule::Text("source/destination check: the source is not this interface's address"),
                p,
                DropReason::SourceDestCheck,
            );
        }
        if !matches!(eni.owner, EniOwner::Nat(_)) {
            // SG-4a: flows through a NAT gateway or to an interface endpoint
            // are always tracked.
            let subnet = eni.subnet;
            let always = |cx: &Self| cx.via_tracked_hop(subnet, &p);
            let Some(rule) = self.security_groups(e, Direction::Egress, &p, always) else {
                return self.drop(
                    who,
                    Rule::SgNoMatch { ingress: false },
                    p,
                    DropReason::SgEgressDenied,
                );
            };
            self.forward(who, rule, p);
        }
        self.route(eni.subnet, p)
    }

    /// The security groups of ENI `e` for a packet going `dir` (SG-1..SG-4):
    /// the rule that lets it pass (its tracked flow, or an allowing rule), or
    /// `None`. A newly allowed flow is tracked unless it is untracked (SG-4)
    /// and `always_tracked` does not say otherwise (SG-4a).
    fn security_groups(
        &mut self,
        e: EniId,
        dir: Direction,
        p: &FlowView,
        always_tracked: impl FnOnce(&Self) -> bool,
    ) -> Option<Rule> {
        let outbound = dir == Direction::Egress;
        if self.st.conntrack.hit(e, p, outbound, self.now) {
            return Some(Rule::Tracked);
        }
        let peer = u32::from(if outbound { p.dst } else { p.src });
        let st = &*self.st;
        let groups = &st.eni_sgs[e.idx()];
        let m =
            security_group::evaluate(&st.sgs, groups, dir, p, peer, &st.members, &st.prefix_lists)?;
        // SG-4: untracked when this packet opens such a flow, or answers one
        // opened the other way.
        let untracked = security_group::untracked(&st.sgs, groups, &m, dir, p.proto)
            || security_group::answers_untracked(
                &st.sgs,
                groups,
                dir,
                p,
                &st.members,
                &st.prefix_lists,
            );
        if always_tracked(self) || !untracked {
            self.st.conntrack.track(e, p, outbound, self.now);
        }
        Some(Rule::Sg {
            group: m.group,
            ingress: !outbound,
            index: m.rule,
        })
    }

    /// Whether the packet's path goes through a NAT gateway or ends at an
    /// interface endpoint (SG-4a).
    fn via_tracked_hop(&self, subnet: SubnetId, p: &FlowView) -> bool {
        let vpc = self.d.subnets[subnet.idx()].vpc;
        if let Some(x) = self.st.eni_at(vpc, p.dst) {
            if matches!(self.d.enis[x.idx()].owner, EniOwner::Endpoint(_)) {
                return true;
            }
        }
        let rt = self.st.subnet_rt[subnet.idx()];
        let table = &self.st.tables[rt.idx()];
        table
            .lookup(u32::from(p.dst))
            .is_some_and(|i| matches!(table.entry(i).target, Target::Nat(_)))
    }

    /// NACL egress of a subnet (NACL-5): `Some(drop)` when denied.
    fn nacl_out(&mut self, s: SubnetId, p: FlowView) -> Option<Step> {
        let n = self.st.subnet_nacl[s.idx()];
        let v = nacl::evaluate(&self.st.nacls[n.idx()].egress, &p, u32::from(p.dst));
        let rule = Rule::Nacl {
            nacl: n,
            ingress: false,
            number: v.rule,
        };
        let place = comp(Component::Nacl(n));
        if v.allow {
            self.forward(place, rule, p);
            None
        } else {
            Some(self.drop(place, rule, p, DropReason::NaclEgressDenied))
        }
    }

    fn nacl_in(&mut self, s: SubnetId, p: FlowView) -> Option<Step> {
        let n = self.st.subnet_nacl[s.idx()];
        let v = nacl::evaluate(&self.st.nacls[n.idx()].ingress, &p, u32::from(p.src));
        let rule = Rule::Nacl {
            nacl: n,
            ingress: true,
            number: v.rule,
        };
        let place = comp(Component::Nacl(n));
        if v.allow {
            self.forward(place, rule, p);
            None
        } else {
            Some(self.drop(place, rule, p, DropReason::NaclIngressDenied))
        }
    }

    /// The VPC router, for a packet from subnet `s` (RT-1..RT-9).
    fn route(&mut self, s: SubnetId, p: FlowView) -> Step {
        let d = self.d;
        let sub = &d.subnets[s.idx()];
        let vpc = sub.vpc;
        let rt = self.st.subnet_rt[s.idx()];
        let rt_place = comp(Component::RouteTable(rt));
        if sub.cidr.contains(&p.dst) {
            // RT-8: within a subnet the route table is not consulted, and no
            // NACL applies (NACL-5).
            return match self.st.eni_at(vpc, p.dst) {
                Some(x) => Step::Next {
                    loc: Loc::EniIn {
                        eni: x,
                        from: Entry::Subnet(s),
                    },
                    delay: d.latency.same_az,
                },
                None => self.drop(
                    rt_place,
                    Rule::Text("no network interface has this address"),
                    p,
                    DropReason::HostUnreachable,
                ),
            };
        }
        let table = &self.st.tables[rt.idx()];
        let Some(i) = table.lookup(u32::from(p.dst)) else {
            return self.drop(rt_place, Rule::None, p, DropReason::NoRoute);
        };
        let rule = Rule::Route {
            table: rt,
            entry: i,
        };
        let entry = table.entry(i);
        if entry.blackhole || !self.target_alive(&entry.target) {
            return self.drop(rt_place, rule, p, DropReason::RouteBlackhole);
        }
        let target = entry.target.clone();
        self.forward(rt_place, rule, p);
        let (x, next_subnet) = match target {
            Target::Local => match self.st.eni_at(vpc, p.dst) {
                Some(x) => (x, d.enis[x.idx()].subnet),
                None => {
                    return self.drop(
                        rt_place,
                        Rule::Text("no network interface has this address"),
                        p,
                        DropReason::HostUnreachable,
                    );
                }
            },
            Target::Nat(n) => {
                let x = d.nats[n.idx()].eni;
                (x, d.enis[x.idx()].subnet)
            }
            Target::Eni(x) => (x, d.enis[x.idx()].subnet),
            other => {
                if let Some(drop) = self.nacl_out(s, p) {
                    return drop;
                }
                let loc = match other {
                    Target::Igw(igw) => Loc::Igw {
                        igw,
                        outbound: true,
                    },
                    Target::Endpoint(endpoint) => Loc::GatewayEndpoint {
                        endpoint,
                        to_service: true,
                    },
                    Target::Peering(peering) => Loc::Peering {
                        peering,
                        into: d.peerings[peering.idx()].other(vpc).unwrap_or(vpc),
                    },
                    Target::Vgw(vgw) => Loc::Vgw {
                        vgw,
                        to_onprem: true,
                    },
                    _ => unreachable!("handled above"),
                };
                // Crossing into another VPC takes the cross-AZ latency.
                let delay = match loc {
                    Loc::Peering { .. } => d.latency.cross_az,
                    _ => Nanos::ZERO,
                };
                return Step::Next { loc, delay };
            }
        };
        if next_subnet != s {
            if let Some(drop) = self.nacl_out(s, p) {
                return drop;
            }
        }
        Step::Next {
            loc: Loc::EniIn {
                eni: x,
                from: Entry::Subnet(s),
            },
            delay: self.az_delay(s, next_subnet),
        }
    }

    /// A packet arrives at an ENI (NACL-5, SG-3, SG-4, the host behind it).
    fn eni_in(&mut self, buf: &mut [u8], p: FlowView, x: EniId, from: Entry) -> Step {
        let d = self.d;
        let eni = &d.enis[x.idx()];
        let who = comp(d.eni_workload(x));
        if !self.st.alive.eni[x.idx()] {
            return self.drop(
                who,
                Rule::Text("the network interface was deleted"),
                p,
                DropReason::HostUnreachable,
            );
        }
        if from != Entry::Subnet(eni.subnet) {
            if let Some(drop) = self.nacl_in(eni.subnet, p) {
                return drop;
            }
        }
        if let EniOwner::Nat(n) = eni.owner {
            return self.nat(buf, p, n, from);
        }
        if p.dst != eni.ip && self.st.eni_sdc[x.idx()] {
            return self.drop(
                who,
                Rule::Text(
                    "source/destination check: the destination is not this interface's address",
                ),
                p,
                DropReason::SourceDestCheck,
            );
        }
        // SG-4a: an interface endpoint tracks every flow.
        let always = matches!(eni.owner, EniOwner::Endpoint(_));
        let Some(rule) = self.security_groups(x, Direction::Ingress, &p, |_| always) else {
            return self.drop(
                who,
                Rule::SgNoMatch { ingress: true },
                p,
                DropReason::SgIngressDenied,
            );
        };
        match eni.owner {
            EniOwner::Instance(i) if p.dst == eni.ip => {
                self.hop(who, super::Decision::Deliver, rule, p);
                Step::Deliver(Host::Instance(i))
            }
            EniOwner::Instance(_) => {
                // A middlebox forwards through its subnet's route table and
                // decrements TTL (RT-9).
                self.forward(who, rule, p);
                match packet::decrement_ttl(buf) {
                    Ok(0) | Err(_) => {
                        self.emit_time_exceeded(buf, eni.ip, x);
                        self.drop(
                            who,
                            Rule::Text("TTL reached zero at a forwarding instance"),
                            p,
                            DropReason::TtlExpired,
                        )
                    }
                    Ok(_) => Step::Next {
                        loc: Loc::EniOut(x),
                        delay: Nanos::ZERO,
                    },
                }
            }
            EniOwner::Endpoint(ep) => {
                let place = comp(Component::Endpoint(ep));
                if p.proto != PROTO_TCP {
                    return self.drop(
                        place,
                        Rule::Text("interface endpoints carry TCP only (IFE-4)"),
                        p,
                        DropReason::ProtocolNotSupported,
                    );
                }
                self.hop(place, super::Decision::Deliver, rule, p);
                Step::Deliver(Host::Endpoint(ep, x))
            }
            EniOwner::Lambda => {
                self.hop(who, super::Decision::Deliver, rule, p);
                Step::Deliver(Host::LambdaEni(x))
            }
            EniOwner::Nat(_) => unreachable!("handled above"),
        }
    }

    fn emit_time_exceeded(&mut self, buf: &[u8], from: Ipv4Addr, eni: EniId) {
        if self.st.emit {
            let icmp = packet::build::icmp_error(from, buf, packet::ICMP_TIME_EXCEEDED, 0, 64);
            self.st.emitted.push((icmp, Loc::EniOut(eni)));
        }
    }

    // -- NAT gateway -------------------------------------------------------------

    fn nat(&mut self, buf: &mut [u8], p: FlowView, n: NatId, from: Entry) -> Step {
        let d = self.d;
        let nat = &d.nats[n.idx()];
        let place = comp(Component::Nat(n));
        let nat_ip = d.enis[nat.eni.idx()].ip;
        if p.dst == nat_ip {
            // A reply, translated back by its mapping (NAT-3).
            return match self.st.nats[n.idx()].inbound(&p, self.now) {
                Ok((ip, port)) => {
                    let port = (p.proto != PROTO_ICMP || p.icmp_type == 0).then_some(port);
                    if packet::set_destination(buf, Ipv4Addr::from(ip), port).is_err() {
                        return self.drop(place, Rule::None, p, DropReason::Malformed);
                    }
                    let q = packet::parse(buf).unwrap_or(p);
                    self.forward(
                        place,
                        Rule::Text("reverse translation to the connection's inside address"),
                        q,
                    );
                    self.route(nat.subnet, q)
                }
                Err(NatError::Expired) => self.drop(
                    place,
                    Rule::Text("the mapping was idle past 350 s (NAT-6)"),
                    p,
                    DropReason::NatConnectionExpired,
                ),
                Err(_) => self.drop(
                    place,
                    Rule::Text(
                        "no connection uses this port; a NAT gateway admits only replies (NAT-3)",
                    ),
                    p,
                    DropReason::PortUnreachable,
                ),
            };
        }
        match from {
            Entry::Subnet(_) => {}
            Entry::Peering(_) => {
                return self.drop(
                    place,
                    Rule::Text("a NAT gateway serves only its own VPC (NAT-9, PCX-2)"),
                    p,
                    DropReason::PeeringNotTransitive,
                );
            }
            _ => {
                return self.drop(place, Rule::Text("a NAT gateway does not translate traffic that entered the VPC from outside (NAT-9)"), p, DropReason::NoRoute);
            }
        }
        let echo = p.proto == PROTO_ICMP
            && (p.icmp_type == packet::ICMP_ECHO_REQUEST || p.icmp_type == packet::ICMP_ECHO_REPLY);
        let supported = match p.proto {
            PROTO_UDP => true,
            PROTO_TCP => p.fragment == packet::Fragment::None,
            PROTO_ICMP => echo && p.fragment == packet::Fragment::None,
            _ => false,
        };
        if !supported {
            return self.drop(
                place,
                Rule::Text("a NAT gateway carries TCP, UDP and ICMP echo; fragmented TCP and ICMP are dropped (NAT-4)"),
                p,
                DropReason::ProtocolNotSupported,
            );
        }
        let port = if p.fragment == packet::Fragment::Later {
            None // later UDP fragments carry no ports
        } else {
            match self.st.nats[n.idx()].outbound(&p, self.now) {
                Ok(port) => Some(port),
                Err(NatError::PortsExhausted) => {
                    return self.drop(
                        place,
                        Rule::Text("55,000 connections to this destination already (NAT-5)"),
                        p,
                        DropReason::NatPortExhausted,
                    );
                }
                Err(_) => {
                    self.emit_nat_rst(&p, n);
                    return self.drop(place, Rule::Text("the connection was idle past 350 s; the NAT gateway answers RST (NAT-6)"), p, DropReason::NatConnectionExpired);
                }
            }
        };
        match packet::decrement_ttl(buf) {
            Ok(0) | Err(_) => {
                return self.drop(
                    place,
                    Rule::Text("TTL reached zero"),
                    p,
                    DropReason::TtlExpired,
                );
            }
            Ok(_) => {}
        }
        if packet::set_source(buf, nat_ip, port).is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        self.forward(
            place,
            Rule::Text("source NAT to the gateway's private address (NAT-1)"),
            q,
        );
        self.route(nat.subnet, q)
    }

    fn emit_nat_rst(&mut self, p: &FlowView, n: NatId) {
        if !self.st.emit || p.proto != PROTO_TCP || p.tcp_flags & tcp_flags::RST != 0 {
            return;
        }
        let spec = packet::build::TcpSpec {
            src: SocketAddrV4::new(p.dst, p.dst_port),
            dst: SocketAddrV4::new(p.src, p.src_port),
            seq: 0,
            ack: 0,
            flags: tcp_flags::RST,
            window: 0,
        };
        let rst = packet::build::tcp(&spec, &[], 64, 0);
        self.st.emitted.push((rst, Loc::NatOut(n)));
    }

    // -- internet gateway ----------------------------------------------------------

    /// IGW-2, IGW-3: the private source becomes its public IP.
    fn igw_out(&mut self, buf: &mut [u8], p: FlowView, g: IgwId) -> Step {
        let d = self.d;
        let place = comp(Component::Igw(g));
        let vpc = d.igws[g.idx()].vpc;
        let public = self.st.eni_at(vpc, p.src).and_then(|x| {
            let e = &d.enis[x.idx()];
            match e.owner {
                EniOwner::Nat(n) => d.nats[n.idx()].public_ip,
                _ => e.public_ip,
            }
        });
        let Some(public) = public else {
            return self.drop(
                place,
                Rule::Text("the source has no public IP (IGW-3)"),
                p,
                DropReason::NoPublicIp,
            );
        };
        if packet::set_source(buf, public, None).is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        self.forward(
            place,
            Rule::Text("source mapped 1:1 to its public IP (IGW-2)"),
            q,
        );
        Step::Next {
            loc: Loc::Internet,
            delay: self.d.latency.edge(),
        }
    }

    /// IGW-2, IGW-3: the public destination becomes its private address.
    fn igw_in(&mut self, buf: &mut [u8], p: FlowView, g: IgwId) -> Step {
        let d = self.d;
        let place = comp(Component::Igw(g));
        let vpc = d.igws[g.idx()].vpc;
        let target = self
            .st
            .public
            .get(&u32::from(p.dst))
            .copied()
            .filter(|x| d.enis[x.idx()].vpc == vpc && self.st.alive.eni[x.idx()]);
        let Some(x) = target else {
            return self.drop(
                place,
                Rule::Text("no public IP of this VPC has this address (IGW-3)"),
                p,
                DropReason::NoInternetRoute,
            );
        };
        if packet::set_destination(buf, d.enis[x.idx()].ip, None).is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        self.forward(
            place,
            Rule::Text("destination mapped 1:1 to its private address (IGW-2)"),
            q,
        );
        Step::Next {
            loc: Loc::EniIn {
                eni: x,
                from: Entry::Igw,
            },
            delay: Nanos::ZERO,
        }
    }

    // -- the internet ----------------------------------------------------------------

    fn internet(&mut self, buf: &mut [u8], p: FlowView) -> Step {
        let d = self.d;
        match packet::decrement_ttl(buf) {
            Ok(0) | Err(_) => {
                return self.drop(
                    Place::Internet,
                    Rule::Text("TTL reached zero"),
                    p,
                    DropReason::TtlExpired,
                );
            }
            Ok(_) => {}
        }
        let p = packet::parse(buf).unwrap_or(p);
        let dst = u32::from(p.dst);
        if let Some(h) = self.st.internet_hosts.get(&dst).copied() {
            self.forward(Place::Internet, Rule::None, p);
            // The region's edge was crossed on the way in (`Latency::edge`);
            // an internet host is the rest of the way.
            let delay = match h {
                Host::AwsService(_) | Host::LambdaOutside(_) => Nanos::ZERO,
                _ => d.latency.beyond_edge(),
            };
            return Step::Next {
                loc: Loc::Arrive(h),
                delay,
            };
        }
        if let Some(x) = self.st.public.get(&dst).copied() {
            let vpc = d.enis[x.idx()].vpc;
            if let Some(igw) = d.vpcs[vpc.idx()].igw.filter(|g| self.st.alive.igw[g.idx()]) {
                self.forward(Place::Internet, Rule::None, p);
                return Step::Next {
                    loc: Loc::Igw {
                        igw,
                        outbound: false,
                    },
                    delay: d.latency.edge(),
                };
            }
            return self.drop(
                Place::Internet,
                Rule::Text("the VPC that owns this public IP has no internet gateway"),
                p,
                DropReason::NoInternetRoute,
            );
        }
        let mut owners = d.vpcs.iter().filter(|v| v.contains(p.dst));
        if let Some(v) = owners.next() {
            // A private address is not routed on the internet. When exactly
            // one VPC has it, its internet gateway is where a user looks.
            let place = match (owners.next(), v.igw) {
                (None, Some(g)) => comp(Component::Igw(g)),
                _ => Place::Internet,
            };
            return self.drop(
                place,
                Rule::Text("a private address is not reachable from the internet"),
                p,
                DropReason::NoInternetRoute,
            );
        }
        self.drop(
            Place::Internet,
            Rule::Text("no host on the internet has this address"),
            p,
            DropReason::HostUnreachable,
        )
    }

    // -- endpoints, peering, VPN ---------------------------------------------------------

    fn gateway_endpoint(&mut self, p: FlowView, e: EndpointId, to_service: bool) -> Step {
        let d = self.d;
        let place = comp(Component::Endpoint(e));
        let ep = &d.endpoints[e.idx()];
        if to_service {
            if p.proto != PROTO_TCP {
                return self.drop(
                    place,
                    Rule::Text("gateway endpoints carry TCP only (GWE-5)"),
                    p,
                    DropReason::ProtocolNotSupported,
                );
            }
            let host = self.st.internet_hosts.get(&u32::from(p.dst)).copied();
            let Some(Host::AwsService(s)) = host.filter(|h| matches!(h, Host::AwsService(s) if d.aws_services[s.idx()].service == ep.service)) else {
                return self.drop(place, Rule::Text("no front door of the service has this address"), p, DropReason::HostUnreachable);
            };

            self.forward(
                place,
                Rule::Text("to the service, keeping the private source address (GWE-3)"),
                p,
            );
            return Step::Next {
                loc: Loc::ServiceVia {
                    service: s,
                    endpoint: e,
                },
                delay: d.latency.aws_service,
            };
        }
        let Some(x) = self.st.eni_at(ep.vpc, p.dst) else {
            return self.drop(
                place,
                Rule::Text("no network interface has this address"),
                p,
                DropReason::HostUnreachable,
            );
        };
        self.forward(place, Rule::Text("back into the VPC"), p);
        Step::Next {
            loc: Loc::EniIn {
                eni: x,
                from: Entry::GatewayEndpoint(e),
            },
            delay: Nanos::ZERO,
        }
    }

    /// Delivers a packet that enters `vpc` from outside it, by the local
    /// route only: a destination outside the VPC is dropped for `outside`.
    fn enter_vpc(
        &mut self,
        place: Place,
        vpc: VpcId,
        p: FlowView,
        from: Entry,
        outside: (DropReason, &'static str),
    ) -> Step {
        if !self.d.vpcs[vpc.idx()].contains(p.dst) {
            return self.drop(place, Rule::Text(outside.1), p, outside.0);
        }
        let Some(x) = self.st.eni_at(vpc, p.dst) else {
            return self.drop(
                place,
                Rule::Text("no network interface has this address"),
                p,
                DropReason::HostUnreachable,
            );
        };
        self.forward(place, Rule::None, p);
        Step::Next {
            loc: Loc::EniIn { eni: x, from },
            delay: Nanos::ZERO,
        }
    }

    /// PCX-2: a peering delivers only to addresses of the peer VPC.
    fn peering(&mut self, p: FlowView, pc: PeeringId, into: VpcId) -> Step {
        let outside = (
            DropReason::PeeringNotTransitive,
            "a peering delivers only to addresses of the peer VPC; it is not transitive (PCX-2)",
        );
        self.enter_vpc(
            comp(Component::Peering(pc)),
            into,
            p,
            Entry::Peering(pc),
            outside,
        )
    }

    fn vgw(&mut self, p: FlowView, g: VgwId, to_onprem: bool) -> Step {
        let d = self.d;
        let place = comp(Component::Vgw(g));
        if to_onprem {
            let net = self
                .st
                .onprem_nets
                .lookup_u32(u32::from(p.dst))
                .map(OnpremNetId)
                .filter(|n| d.onprem_nets[n.idx()].via == g);
            let Some(net) = net else {
                return self.drop(
                    place,
                    Rule::Text("no on-premises network behind this VPN gateway has this address"),
                    p,
                    DropReason::NoRoute,
                );
            };
            let host = self
                .st
                .onprem_hosts
                .get(&u32::from(p.dst))
                .copied()
                .filter(|h| d.onprem_hosts[h.idx()].network == net);
            let Some(h) = host else {
                return self.drop(
                    Place::Onprem(net),
                    Rule::Text("no on-premises host has this address"),
                    p,
                    DropReason::HostUnreachable,
                );
            };
            self.forward(place, Rule::None, p);
            return Step::Next {
                loc: Loc::Arrive(Host::Onprem(h)),
                delay: d.onprem_nets[net.idx()].latency,
            };
        }
        let outside = (
            DropReason::NoRoute,
            "traffic from a VPN reaches only the VPC's own addresses (VPN-2); no gateway or gateway endpoint carries it further (GWE-4, NAT-9)",
        );
        self.enter_vpc(place, d.vgws[g.idx()].vpc, p, Entry::Vgw(g), outside)
    }

    // -- hosts -----------------------------------------------------------------------

    /// A host sends: workloads in a VPC through their ENI, outside hosts
    /// into their network.
    fn host_out(&mut self, p: FlowView, h: Host) -> Step {
        let d = self.d;
        match h {
            Host::Instance(i) => Step::Next {
                loc: Loc::EniOut(d.instances[i.idx()].eni),
                delay: Nanos::ZERO,
            },
            Host::LambdaEni(x) | Host::Endpoint(_, x) => Step::Next {
                loc: Loc::EniOut(x),
                delay: Nanos::ZERO,
            },
            Host::External(_) => Step::Next {
                loc: Loc::Internet,
                delay: d.latency.beyond_edge(),
            },
            Host::LambdaOutside(_) => Step::Next {
                loc: Loc::Internet,
                delay: d.latency.aws_service,
            },
            Host::AwsService(_) => {
                let key = super::gwe_key(p.proto, p.src, p.src_port, p.dst, p.dst_port);
                match self.st.gwe_flows.get(&key).copied() {
                    Some((e, _)) if self.st.alive.endpoint[e.idx()] => Step::Next {
                        loc: Loc::GatewayEndpoint {
                            endpoint: e,
                            to_service: false,
                        },
                        delay: d.latency.aws_service,
                    },
                    _ => Step::Next {
                        loc: Loc::Internet,
                        delay: Nanos::ZERO,
                    },
                }
            }
            Host::Onprem(oh) => {
                let net = d.onprem_hosts[oh.idx()].network;
                let nw = &d.onprem_nets[net.idx()];
                if let Some(other) = self.st.onprem_hosts.get(&u32::from(p.dst)).copied() {
                    if d.onprem_hosts[other.idx()].network == net {
                        return Step::Next {
                            loc: Loc::Arrive(Host::Onprem(other)),
                            delay: Nanos::ZERO,
                        };
                    }
                }
                if !self.st.alive.vgw[nw.via.idx()] {
                    return self.drop(
                        Place::Onprem(net),
                        Rule::Text("the VPN gateway was deleted"),
                        p,
                        DropReason::NoRoute,
                    );
                }
                // On-premises networks reach AWS only over their VPN.
                self.forward(Place::Onprem(net), Rule::None, p);
                Step::Next {
                    loc: Loc::Vgw {
                        vgw: nw.via,
                        to_onprem: false,
                    },
                    delay: nw.latency,
                }
            }
        }
    }

    fn arrive(&mut self, p: FlowView, h: Host) -> Step {
        let place = self.host_place(h);
        self.hop(place, super::Decision::Deliver, Rule::None, p);
        Step::Deliver(h)
    }
}
