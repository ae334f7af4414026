//! VPC peering connections (PCX-1..PCX-3).
//!
//! Invariants:
//! - A peering delivers only to addresses of the peer VPC: it is not
//!   transitive (PCX-2, `peering_not_transitive`); no internet gateway, NAT
//!   gateway, gateway endpoint or VPN of the peer is reachable through it.
//! - Crossing it takes the cross-AZ latency within a Region, the latency
//!   between Regions (`[latency] inter_region`) across two.
//! - Security groups may reference the peer's groups (PCX-3).

use super::forward::{Cx, comp};
use super::{AwsRule, Entry, Gateway, Step, Trace};
use crate::model::*;
use crate::packet::FlowView;

impl<T: Trace> Cx<'_, T> {
    /// PCX-2: a peering delivers only to addresses of the peer VPC.
    pub(super) fn peering(&mut self, buf: &[u8], p: FlowView, pc: PeeringId, into: VpcId) -> Step {
        self.seen_gateway(Gateway::Peering(pc), false, false, buf);
        let outside = (
            DropReason::PeeringNotTransitive,
            AwsRule::PeeringNotTransitive,
        );
        self.enter_vpc(
            comp(Component::Peering(pc)),
            into,
            p,
            Entry::Peering(pc),
            outside,
        )
    }
}
