//! What recorders see of a data-plane step: a packet leaving or entering an
//! ENI, or crossing one side of a gateway.
//!
//! The engine reports each step twice ([`crate::sim::Recorder`]): the bytes
//! as the step begins, then as it ends with the [`Step`] it produced. This
//! module turns that pair into observations that flow logs, pcap files and
//! the cost meter share, so that they agree on what crossed where:
//!
//! - `EniOut(e)`: the packet leaves ENI `e` (egress). It is rejected when a
//!   security group or the NACL of `e`'s subnet dropped it (FL-3). A packet
//!   from a deleted ENI, or stopped by the source/destination check, never
//!   left: nothing is seen.
//! - `EniIn { eni }`: the packet enters the ENI (ingress), rejected when the
//!   ENI's NACL or security groups dropped it. At a NAT gateway's ENI the step
//!   includes the translation: the packet is seen entering before it and, if
//!   the gateway forwarded it, leaving after it (NAT-1), and on both sides of
//!   the gateway.
//! - `NatOut(n)`: a packet the NAT gateway sends on its own (a RST, NAT-6).
//! - `Igw`: seen on arrival, and once more after the 1:1 translation when it
//!   goes on (IGW-2). Gateway endpoints, peering connections and VPN
//!   gateways do not rewrite packets: seen once, on arrival.

use crate::dataplane::{Loc, Place, Step};
use crate::model::*;

/// A gateway: a component that has a pcap file of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gateway {
    Igw(IgwId),
    Nat(NatId),
    Endpoint(EndpointId),
    Peering(PeeringId),
    Vgw(VgwId),
}

impl Gateway {
    pub fn component(self) -> Component {
        match self {
            Gateway::Igw(g) => Component::Igw(g),
            Gateway::Nat(n) => Component::Nat(n),
            Gateway::Endpoint(e) => Component::Endpoint(e),
            Gateway::Peering(p) => Component::Peering(p),
            Gateway::Vgw(g) => Component::Vgw(g),
        }
    }

    /// Every gateway of a design, in a fixed order: internet gateways, NAT
    /// gateways, gateway endpoints, peering connections, VPN gateways.
    pub fn all(d: &Design) -> Vec<Gateway> {
        let mut v: Vec<Gateway> = (0..d.igws.len())
            .map(|i| Gateway::Igw(IgwId::from_idx(i)))
            .collect();
        v.extend((0..d.nats.len()).map(|i| Gateway::Nat(NatId::from_idx(i))));
        v.extend(
            d.endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e.kind, EndpointKind::Gateway { .. }))
                .map(|(i, _)| Gateway::Endpoint(EndpointId::from_idx(i))),
        );
        v.extend((0..d.peerings.len()).map(|i| Gateway::Peering(PeeringId::from_idx(i))));
        v.extend((0..d.vgws.len()).map(|i| Gateway::Vgw(VgwId::from_idx(i))));
        v
    }
}

#[derive(Debug)]
pub enum Obs<'a> {
    /// The packet leaves (`egress`) or enters an ENI.
    Eni {
        eni: EniId,
        egress: bool,
        bytes: &'a [u8],
        /// Dropped by the ENI's security groups or its subnet's NACL.
        reject: bool,
        /// Where it went next, for a packet that went on.
        next: Option<Loc>,
    },
    /// The packet on one side of a gateway: arriving, or departing after
    /// the gateway's rewrite.
    Gateway {
        gw: Gateway,
        departing: bool,
        bytes: &'a [u8],
    },
}

/// Whether classifying a step at `loc` needs the bytes as the step began
/// (the step may rewrite them); otherwise the bytes at its end will do.
pub fn wants_before(loc: Loc) -> bool {
    matches!(loc, Loc::EniIn { .. } | Loc::Igw { .. })
}

/// The packet as a step began, kept for when it ends.
#[derive(Debug, Default)]
pub struct Stash {
    loc: Option<Loc>,
    buf: Vec<u8>,
}

impl Stash {
    pub fn arrive(&mut self, loc: Loc, buf: &[u8]) {
        if wants_before(loc) {
            self.loc = Some(loc);
            self.buf.clear();
            self.buf.extend_from_slice(buf);
        } else {
            self.loc = None;
        }
    }

    /// The bytes as the step at `loc` began (`after` when not kept).
    pub fn before<'a>(&'a self, loc: Loc, after: &'a [u8]) -> &'a [u8] {
        if self.loc == Some(loc) {
            &self.buf
        } else {
            after
        }
    }
}

fn next_of(step: &Step) -> Option<Loc> {
    match step {
        Step::Next { loc, .. } => Some(*loc),
        _ => None,
    }
}

/// Calls `f` with what the step at `loc` shows; `before` and `after` are the
/// packet as the step began and ended.
pub fn classify<'a>(
    d: &Design,
    loc: Loc,
    before: &'a [u8],
    after: &'a [u8],
    step: &Step,
    mut f: impl FnMut(Obs<'a>),
) {
    let drop = match step {
        Step::Drop(x) => Some(*x),
        _ => None,
    };
    let reason = drop.map(|x| x.reason);
    let own = |e: EniId| drop.is_some_and(|x| x.place == Place::Component(d.eni_workload(e)));
    match loc {
        Loc::EniOut(e) => {
            let never_left = own(e)
                && matches!(
                    reason,
                    Some(DropReason::HostUnreachable | DropReason::SourceDestCheck)
                );
            if never_left {
                return;
            }
            f(Obs::Eni {
                eni: e,
                egress: true,
                bytes: after,
                reject: matches!(
                    reason,
                    Some(DropReason::SgEgressDenied | DropReason::NaclEgressDenied)
                ),
                next: next_of(step),
            });
        }
        Loc::EniIn { eni, .. } => {
            if let EniOwner::Nat(n) = d.enis[eni.idx()].owner {
                nat_step(eni, n, before, after, step, f);
                return;
            }
            let not_in = own(eni)
                && matches!(
                    reason,
                    Some(DropReason::HostUnreachable | DropReason::SourceDestCheck)
                );
            if not_in {
                return;
            }
            f(Obs::Eni {
                eni,
                egress: false,
                bytes: before,
                reject: matches!(
                    reason,
                    Some(DropReason::NaclIngressDenied | DropReason::SgIngressDenied)
                ),
                next: next_of(step),
            });
        }
        Loc::NatOut(n) => {
            let eni = d.nats[n.idx()].eni;
            f(Obs::Gateway {
                gw: Gateway::Nat(n),
                departing: true,
                bytes: after,
            });
            f(Obs::Eni {
                eni,
                egress: true,
                bytes: after,
                reject: reason == Some(DropReason::NaclEgressDenied),
                next: next_of(step),
            });
        }
        Loc::Igw { igw, .. } => {
            let gw = Gateway::Igw(igw);
            f(Obs::Gateway {
                gw,
                departing: false,
                bytes: before,
            });
            if matches!(step, Step::Next { .. }) {
                f(Obs::Gateway {
                    gw,
                    departing: true,
                    bytes: after,
                });
            }
        }
        Loc::GatewayEndpoint { endpoint, .. } => f(Obs::Gateway {
            gw: Gateway::Endpoint(endpoint),
            departing: false,
            bytes: after,
        }),
        Loc::Peering { peering, .. } => f(Obs::Gateway {
            gw: Gateway::Peering(peering),
            departing: false,
            bytes: after,
        }),
        Loc::Vgw { vgw, .. } => f(Obs::Gateway {
            gw: Gateway::Vgw(vgw),
            departing: false,
            bytes: after,
        }),
        Loc::Internet | Loc::HostOut(_) | Loc::Arrive(_) | Loc::ServiceVia { .. } => {}
    }
}

/// A packet at a NAT gateway's ENI: in, translated, out (NAT-1, NAT-3).
fn nat_step<'a>(
    eni: EniId,
    n: NatId,
    before: &'a [u8],
    after: &'a [u8],
    step: &Step,
    mut f: impl FnMut(Obs<'a>),
) {
    let gw = Gateway::Nat(n);
    let at_nat = |x: &crate::dataplane::Drop| x.place == Place::Component(Component::Nat(n));
    match step {
        Step::Drop(x) if x.reason == DropReason::NaclIngressDenied => {
            f(Obs::Eni {
                eni,
                egress: false,
                bytes: before,
                reject: true,
                next: None,
            });
            return;
        }
        // The gateway was deleted: nothing is there to see it.
        Step::Drop(x) if at_nat(x) && x.reason == DropReason::HostUnreachable => return,
        _ => {}
    }
    f(Obs::Eni {
        eni,
        egress: false,
        bytes: before,
        reject: false,
        next: None,
    });
    f(Obs::Gateway {
        gw,
        departing: false,
        bytes: before,
    });
    if let Step::Drop(x) = step {
        if at_nat(x) {
            // Not translated: it never left the gateway.
            return;
        }
    }
    f(Obs::Gateway {
        gw,
        departing: true,
        bytes: after,
    });
    f(Obs::Eni {
        eni,
        egress: true,
        bytes: after,
        reject: matches!(step, Step::Drop(x) if x.reason == DropReason::NaclEgressDenied),
        next: next_of(step),
    });
}
