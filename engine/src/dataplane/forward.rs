//! One step of a packet: the dispatcher.
//!
//! A step parses the packet's header (cheap: no copy), hands it to the
//! component where it is, and returns where it goes next. Each component's
//! behaviour lives in its own file (`eni.rs`, `nat_gateway.rs`, ...) as
//! methods of [`Cx`], the context of one step; this file only dispatches and
//! holds what every component shares: reporting hops and observations,
//! dropping, and entering a VPC from outside.
//!
//! A new component is a new file with its `impl Cx` block and one arm here.

use super::{AwsRule, Drop, Entry, Hop, Host, Loc, Network, Place, Rule, Seen, State, Step, Trace};
use crate::model::*;
use crate::packet::{self, FlowView};
use crate::units::Nanos;

impl Network {
    /// Moves the packet in `buf`, which is at `loc`, one step on.
    pub fn step(&mut self, buf: &mut [u8], loc: Loc, now: Nanos, tr: &mut impl Trace) -> Step {
        let Network { design, st } = self;
        let mut cx = Cx {
            d: design,
            st,
            tr,
            now,
        };
        let mut p = match packet::parse_inlined(buf) {
            Ok(p) => p,
            Err(_) => return cx.malformed(loc),
        };
        // MTU-1: one comparison for a packet that fits every link.
        let mut buf = buf;
        if p.total_len > cx.d.mtu_floor {
            let (mtu, answers) = super::mtu::mtu_into(cx.d, loc);
            if p.total_len > mtu {
                match cx.too_big(buf, p, loc, mtu, answers) {
                    Ok(first) => {
                        let whole = std::mem::take(&mut buf);
                        buf = &mut whole[..first];
                        p = packet::parse(buf).unwrap_or(p);
                    }
                    Err(drop) => return drop,
                }
            }
        }
        if usize::from(p.total_len) < buf.len() {
            // A first fragment left in a longer buffer.
            let whole = std::mem::take(&mut buf);
            buf = &mut whole[..usize::from(p.total_len)];
        }
        if p.fragment != packet::Fragment::None {
            cx.fragment_ports(buf, &mut p);
        }
        match loc {
            Loc::HostOut(h) => cx.host_out(buf, p, h),
            Loc::EniOut(e) => cx.eni_out(buf, p, e, None),
            Loc::TgwExit { eni, sender } => cx.eni_out(buf, p, eni, Some(sender)),
            Loc::EniIn { eni, from } => cx.eni_in(buf, p, eni, from),
            Loc::NatOut(n) => cx.nat_out(buf, p, n),
            Loc::Igw { igw, outbound } => cx.internet_gateway(buf, p, igw, outbound),
            Loc::GatewayEndpoint {
                endpoint,
                to_service,
            } => cx.gateway_endpoint(buf, p, endpoint, to_service),
            Loc::ServiceVia { service, endpoint } => cx.service_via(p, service, endpoint),
            Loc::Peering { peering, into } => cx.peering(buf, p, peering, into),
            Loc::Vgw { vgw, to_onprem } => cx.vpn_gateway(buf, p, vgw, to_onprem),
            Loc::VpnAttachment {
                attachment,
                to_onprem,
            } => cx.vpn_attachment(buf, p, attachment, to_onprem),
            Loc::TgwPeering { attachment } => cx.transit_gateway(buf, p, attachment, None, None),
            Loc::VpnTunnel {
                net,
                tunnel,
                to_onprem,
            } => cx.vpn_tunnel(p, net, tunnel, to_onprem),
            Loc::Internet => cx.internet(buf, p),
            Loc::Arrive(h) => cx.arrive(p, h),
        }
    }
}

/// The context of one step: the design, the data plane's state, the trace
/// the step reports to, and the virtual time.
pub(super) struct Cx<'a, T> {
    pub d: &'a Design,
    pub st: &'a mut State,
    pub tr: &'a mut T,
    pub now: Nanos,
}

pub(super) fn comp(c: Component) -> Place {
    Place::Component(c)
}

impl<T: Trace> Cx<'_, T> {
    pub(super) fn place_of(&self, loc: Loc) -> Place {
        match loc {
            Loc::EniOut(e) | Loc::TgwExit { eni: e, .. } | Loc::EniIn { eni: e, .. } => {
                comp(self.d.eni_workload(e))
            }
            Loc::NatOut(n) => comp(Component::Nat(n)),
            Loc::Igw { igw, .. } => comp(Component::Igw(igw)),
            Loc::GatewayEndpoint { endpoint, .. } => comp(Component::Endpoint(endpoint)),
            Loc::Peering { peering, .. } => comp(Component::Peering(peering)),
            Loc::Vgw { vgw, .. } => comp(Component::Vgw(vgw)),
            Loc::VpnAttachment { attachment, .. } | Loc::TgwPeering { attachment } => {
                comp(Component::TgwAttachment(attachment))
            }
            Loc::VpnTunnel { net, .. } => match self.d.onprem_nets[net.idx()].via {
                OnpremVia::TgwAttachment(a) => comp(Component::TgwAttachment(a)),
                OnpremVia::Vgw(g) => comp(Component::Vgw(g)),
            },
            Loc::Internet => Place::Internet,
            Loc::HostOut(h) | Loc::Arrive(h) => super::host_place(self.d, h),
            Loc::ServiceVia { service, .. } => super::host_place(self.d, service),
        }
    }

    /// A packet that does not parse is dropped where it is (the
    /// exception, kept out of the step's code).
    #[cold]
    #[inline(never)]
    fn malformed(&self, loc: Loc) -> Step {
        Step::Drop(Drop {
            reason: DropReason::Malformed,
            place: self.place_of(loc),
        })
    }

    #[inline]
    pub fn hop(&mut self, place: Place, decision: super::Decision, rule: Rule, view: FlowView) {
        self.tr.hop(Hop {
            place,
            decision,
            rule,
            view,
        });
    }

    #[inline]
    pub fn forward(&mut self, place: Place, rule: Rule, p: FlowView) {
        self.hop(place, super::Decision::Forward, rule, p);
    }

    #[inline]
    pub fn drop(&mut self, place: Place, rule: Rule, p: FlowView, reason: DropReason) -> Step {
        self.hop(place, super::Decision::Drop, rule, p);
        Step::Drop(Drop { reason, place })
    }

    /// Reports what a capture sees, when the trace wants it.
    #[inline]
    pub fn seen<'b>(&mut self, seen: impl FnOnce() -> Seen<'b>) {
        if self.tr.wants_packets() {
            self.tr.seen(seen());
        }
    }

    /// Reports a packet one side of a gateway, when the trace wants it.
    #[inline]
    pub fn seen_gateway(
        &mut self,
        gw: super::Gateway,
        departing: bool,
        outbound: bool,
        bytes: &[u8],
    ) {
        if self.tr.wants_packets() {
            self.tr.seen(Seen::Gateway {
                gw,
                departing,
                outbound,
                bytes,
            });
        }
    }

    /// Hands a packet a component made to the trace, when it wants one;
    /// `make` builds it only then.
    #[inline]
    pub fn emit(&mut self, at: Loc, make: impl FnOnce() -> bytes::Bytes) {
        if self.tr.wants_emitted() {
            self.tr.emitted(make(), at);
        }
    }

    pub fn target_alive(&self, t: &Target) -> bool {
        let a = &self.st.alive;
        match t {
            Target::Local => true,
            Target::Igw(g) => a.igw[g.idx()],
            Target::Nat(n) => a.nat[n.idx()],
            Target::Endpoint(e) => a.endpoint[e.idx()],
            Target::Eni(e) => a.eni[e.idx()],
            Target::Peering(p) => a.peering[p.idx()],
            Target::Vgw(g) => a.vgw[g.idx()],
            // A deleted attachment is found at its ENI (TGW-2).
            Target::Tgw(_) => true,
            Target::Missing(_) => false,
        }
    }

    /// Delivers a packet that enters `vpc` from outside it (a peering, a
    /// VPN), by the local route only: a destination outside the VPC is
    /// dropped for `outside`.
    pub fn enter_vpc(
        &mut self,
        place: Place,
        vpc: VpcId,
        p: FlowView,
        from: Entry,
        outside: (DropReason, AwsRule),
    ) -> Step {
        if !self.d.vpcs[vpc.idx()].contains(p.dst) {
            return self.drop(place, Rule::Aws(outside.1), p, outside.0);
        }
        let Some(x) = self.st.eni_at(vpc, p.dst) else {
            return self.drop(
                place,
                Rule::Aws(AwsRule::NoEni),
                p,
                DropReason::HostUnreachable,
            );
        };
        self.forward(place, Rule::None, p);
        Step::Next {
            loc: Loc::EniIn { eni: x, from },
            delay: Delay::ZERO,
        }
    }

    /// A packet reaches the host it is for.
    pub fn arrive(&mut self, p: FlowView, h: Host) -> Step {
        let place = super::host_place(self.d, h);
        self.hop(place, super::Decision::Deliver, Rule::None, p);
        Step::Deliver(h)
    }
}
