//! Internet gateways (IGW-1..IGW-3): a VPC's door to the internet.
//!
//! Invariants:
//! - Outbound, the private source address becomes the ENI's public IP (or a
//!   NAT gateway's Elastic IP), 1:1, ports unchanged (IGW-2); a source with
//!   no public IP is dropped (`no_public_ip`, IGW-3).
//! - Inbound, a public destination address of this VPC becomes its private
//!   address (IGW-2); any other destination is dropped (`no_internet_route`).
//! - Stateless: the gateway keeps no connection state and rewrites checksums
//!   incrementally (RFC 1624).
//! - An ICMP error's quoted packet is mapped with it, the other way round
//!   (RFC 5508): an instance behind its public IP gets errors about its own
//!   packets as it sent them (path MTU discovery, MTU-4).
//! - Seen arriving, and departing after the rewrite when it goes on.

use super::forward::{Cx, comp};
use super::{AwsRule, Entry, Gateway, Loc, Rule, Side, Step, Trace};
use crate::model::*;
use crate::packet::{self, FlowView};

impl<T: Trace> Cx<'_, T> {
    /// A packet at internet gateway `g`: leaving the VPC (`outbound`) or
    /// entering it.
    pub(super) fn internet_gateway(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        g: IgwId,
        outbound: bool,
    ) -> Step {
        self.seen_gateway(Gateway::Igw(g), false, outbound, buf);
        let step = if outbound {
            self.igw_out(buf, p, g)
        } else {
            self.igw_in(buf, p, g)
        };
        if matches!(step, Step::Next { .. }) {
            self.seen_gateway(Gateway::Igw(g), true, outbound, buf);
        }
        step
    }

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
                Rule::Aws(AwsRule::IgwNoPublicSource),
                p,
                DropReason::NoPublicIp,
            );
        };
        // An ICMP error from the instance quotes a packet sent to its
        // public IP: the quote is mapped back with it (RFC 5508).
        let rewritten = match quoted(buf, &p) {
            Some(q) if q.dst == p.src => packet::icmp_error_set_source(buf, public, q.dst_port),
            _ => packet::set_source(buf, public, None),
        };
        if rewritten.is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        self.forward(place, Rule::Aws(AwsRule::IgwMapped(Side::Source)), q);
        Step::Next {
            loc: Loc::Internet,
            delay: self.d.delay(LinkId::EDGE),
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
                Rule::Aws(AwsRule::IgwNoPublicDestination),
                p,
                DropReason::NoInternetRoute,
            );
        };
        // An ICMP error about a packet the instance sent quotes it with its
        // public source: mapped back with the destination (RFC 5508), or
        // the instance could not match it to its connection (PMTUD).
        let private = d.enis[x.idx()].ip;
        let rewritten = match quoted(buf, &p) {
            Some(q) if q.src == p.dst => {
                packet::icmp_error_set_destination(buf, private, q.src_port)
            }
            _ => packet::set_destination(buf, private, None),
        };
        if rewritten.is_err() {
            return self.drop(place, Rule::None, p, DropReason::Malformed);
        }
        let q = packet::parse(buf).unwrap_or(p);
        self.forward(place, Rule::Aws(AwsRule::IgwMapped(Side::Destination)), q);
        Step::Next {
            loc: Loc::EniIn {
                eni: x,
                from: Entry::Igw,
            },
            delay: Delay::ZERO,
        }
    }
}

/// The quote of an ICMP error, when `p` is one.
#[inline]
fn quoted(buf: &[u8], p: &FlowView) -> Option<packet::IcmpQuote> {
    if p.proto == packet::PROTO_ICMP && packet::is_icmp_error(p.icmp_type) {
        packet::icmp_error_quote(buf)
    } else {
        None
    }
}
