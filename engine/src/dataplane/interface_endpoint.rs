//! Interface endpoints (IFE-1..IFE-5): PrivateLink ENIs that answer on a
//! service's behalf.
//!
//! Invariants:
//! - The endpoint has an ENI in each of its subnets, with security groups
//!   (IFE-3); its private DNS name resolves to the ENI of the source's
//!   subnet or AZ inside its VPC (IFE-2, see `resolve.rs`).
//! - It carries TCP only (IFE-4, `protocol_not_supported`).
//! - Every flow to it is tracked, whatever the rules (SG-4a).
//! - Capacity: 100 Gbps per AZ, the ceiling it scales to (IFE-5).
//! - The service answers beyond the ENI: a packet admitted at the ENI
//!   reaches it after the latency to the Region's AWS services
//!   (`[latency] aws_service`), and its answer takes the same back to the
//!   ENI (IFE-8), as through a gateway endpoint.

use super::forward::{Cx, comp};
use super::{AwsRule, Capacity, Host, Loc, Rule, Step, Trace};
use crate::model::*;
use crate::packet::{FlowView, PROTO_TCP};

/// IFE-5: 100 Gbps per AZ, the ceiling it scales to; a 1,024-packet queue.
pub const CAPACITY: Capacity = Capacity::fixed(100_000_000_000, 10_000_000, 1024);

impl<T: Trace> Cx<'_, T> {
    /// A packet admitted by the endpoint ENI `x`'s security groups.
    pub(super) fn interface_endpoint(
        &mut self,
        p: FlowView,
        ep: EndpointId,
        x: EniId,
        rule: Rule,
    ) -> Step {
        let place = comp(Component::Endpoint(ep));
        if p.proto != PROTO_TCP {
            return self.drop(
                place,
                Rule::Aws(AwsRule::IfeTcpOnly),
                p,
                DropReason::ProtocolNotSupported,
            );
        }
        // IFE-8: the service is beyond the ENI, as far as AWS services are.
        self.forward(place, rule, p);
        Step::Next {
            loc: Loc::Arrive(Host::Endpoint(ep, x)),
            delay: self.d.delay(LinkId::EDGE),
        }
    }
}
