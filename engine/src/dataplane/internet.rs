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
//! - An address of an AWS service's ranges is that service (OPEN-2).
//! - A VPC's private address is not routed on the internet
//!   (`no_internet_route` at `internet`).
//! - Addresses no internet host can have (private, shared, loopback,
//!   link-local, multicast, reserved ranges) are dropped at `internet`
//!   (`host_unreachable`); every other public address is a host on the
//!   internet (OPEN-1). The documentation blocks (192.0.2.0/24,
//!   198.51.100.0/24, 203.0.113.0/24) stay usable as internet hosts.

use super::forward::Cx;
use super::{AwsRule, Host, Loc, Place, Rule, Step, Trace};
use crate::model::*;
use crate::packet::{self, FlowView};

impl<T: Trace> Cx<'_, T> {
    /// A packet on the internet, routed by its destination address.
    pub(super) fn internet(&mut self, buf: &mut [u8], p: FlowView) -> Step {
        let d = self.d;
        match packet::decrement_ttl(buf) {
            Ok(0) | Err(_) => {
                return self.drop(
                    Place::Internet,
                    Rule::Aws(AwsRule::TtlExpired),
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
                Host::AwsService(_) | Host::LambdaOutside(_) => Delay::ZERO,
                Host::External(x) => d.delay(d.external_hosts[x.idx()].link),
                _ => d.delay(LinkId::BEYOND_EDGE),
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
                    delay: d.delay(LinkId::EDGE),
                };
            }
            return self.drop(
                Place::Internet,
                Rule::Aws(AwsRule::PublicIpNoIgw),
                p,
                DropReason::NoInternetRoute,
            );
        }
        // AWS services own their ranges (OPEN-2).
        if let Some(s) = self.st.service_at(p.dst) {
            self.forward(Place::Internet, Rule::None, p);
            return Step::Next {
                loc: Loc::Arrive(Host::Service(s, p.dst)),
                delay: Delay::ZERO,
            };
        }
        if d.vpcs.iter().any(|v| v.contains(p.dst)) {
            // A VPC's private address is not routed on the internet; the
            // packet never reaches the VPC's internet gateway.
            return self.drop(
                Place::Internet,
                Rule::Aws(AwsRule::PrivateFromInternet),
                p,
                DropReason::NoInternetRoute,
            );
        }
        if not_on_the_internet(dst) {
            return self.drop(
                Place::Internet,
                Rule::Aws(AwsRule::NoInternetHost),
                p,
                DropReason::HostUnreachable,
            );
        }
        // Any other public address is a host on the internet (OPEN-1).
        self.forward(Place::Internet, Rule::None, p);
        Step::Next {
            loc: Loc::Arrive(Host::Internet(p.dst)),
            delay: d.delay(LinkId::BEYOND_EDGE),
        }
    }
}

/// Whether no host on the internet can have address `ip` (OPEN-1).
pub fn not_on_the_internet(ip: u32) -> bool {
    crate::model::range_off_the_internet(ip).is_some()
}
