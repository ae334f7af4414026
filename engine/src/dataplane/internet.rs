//! The public internet, as far as a VPC sees it: routing between public
//! addresses.
//!
//! Invariants:
//! - Every hop on the internet decrements TTL; at zero the packet is dropped.
//! - A destination that is a host outside every VPC (an outside host, an AWS
//!   service's front door, a Lambda function outside any VPC) is delivered
//!   after the latency beyond the region's edge.
//! - A public IP of a VPC is reached through that VPC's internet gateway
//!   (`no_internet_route` without one).
//! - A private address is not routed on the internet (`no_internet_route`);
//!   any other address has no host (`host_unreachable`).

use super::forward::{Cx, comp};
use super::{Host, Loc, Place, Rule, Step, Trace};
use crate::model::*;
use crate::packet::{self, FlowView};
use crate::units::Nanos;

impl<T: Trace> Cx<'_, T> {
    /// A packet on the internet, routed by its destination address.
    pub(super) fn internet(&mut self, buf: &mut [u8], p: FlowView) -> Step {
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
}
