//! Gateway endpoints (GWE-1..GWE-5): S3 and DynamoDB reached by route.
//!
//! Invariants:
//! - The endpoint's prefix-list route sits in the route tables it is
//!   associated with (GWE-2); deleting the endpoint removes those routes.
//! - Towards the service the packet keeps its private source address
//!   (GWE-3), and only TCP is carried (GWE-5); the destination must be a
//!   front door of the endpoint's service.
//! - The service remembers the way back: its replies to a flow that came
//!   through the endpoint return through it, until the flow is idle past the
//!   NAT idle timeout.
//! - Traffic from outside the VPC cannot use the endpoint (GWE-4): from a
//!   peering or a VPN gateway it never routes through the VPC's route
//!   tables; from a transit gateway it does, at its attachment ENI, and a
//!   route there to the endpoint drops it (`route_table.rs`).

use super::forward::{Cx, comp};
use super::{AwsRule, Entry, Gateway, Host, Loc, Rule, Step, Trace};
use crate::model::*;
use crate::packet::{FlowView, PROTO_TCP};

impl<T: Trace> Cx<'_, T> {
    /// A packet at gateway endpoint `e`: to the service (`to_service`) or
    /// back into the VPC.
    pub(super) fn gateway_endpoint(
        &mut self,
        buf: &[u8],
        p: FlowView,
        e: EndpointId,
        to_service: bool,
    ) -> Step {
        self.seen_gateway(Gateway::Endpoint(e), false, to_service, buf);
        let d = self.d;
        let place = comp(Component::Endpoint(e));
        let ep = &d.endpoints[e.idx()];
        if to_service {
            if p.proto != PROTO_TCP {
                return self.drop(
                    place,
                    Rule::Aws(AwsRule::GweTcpOnly),
                    p,
                    DropReason::ProtocolNotSupported,
                );
            }
            // A declared front door, else any address of the service's
            // ranges (OPEN-2).
            let service = self.st.endpoint_service[e.idx()];
            let declared = match self.st.internet_hosts.get(&u32::from(p.dst)).copied() {
                Some(Host::AwsService(s)) if self.st.front_door_service[s.idx()] == service => {
                    Some(Host::AwsService(s))
                }
                _ => None,
            };
            let host = declared.or_else(|| {
                self.st
                    .service_at(p.dst)
                    .filter(|s| *s == service)
                    .map(|s| Host::Service(s, p.dst))
            });
            let Some(host) = host else {
                return self.drop(
                    place,
                    Rule::Aws(AwsRule::NotServiceAddress),
                    p,
                    DropReason::HostUnreachable,
                );
            };
            self.forward(place, Rule::Aws(AwsRule::GweToService), p);
            return Step::Next {
                loc: Loc::ServiceVia {
                    service: host,
                    endpoint: e,
                },
                delay: d.delay(LinkId::EDGE),
            };
        }
        let Some(x) = self.st.eni_at(ep.vpc, p.dst) else {
            return self.drop(
                place,
                Rule::Aws(AwsRule::NoEni),
                p,
                DropReason::HostUnreachable,
            );
        };
        self.forward(place, Rule::Aws(AwsRule::GweBack), p);
        Step::Next {
            loc: Loc::EniIn {
                eni: x,
                from: Entry::GatewayEndpoint(e),
            },
            delay: Delay::ZERO,
        }
    }

    /// The packet arrives at a service's front door through endpoint
    /// `endpoint`: the service remembers the way back (GWE-3).
    pub(super) fn service_via(&mut self, p: FlowView, service: Host, endpoint: EndpointId) -> Step {
        self.st.gwe_flows.insert(
            super::gwe_key(p.proto, p.dst, p.dst_port, p.src, p.src_port),
            (endpoint, self.now.0),
        );
        self.arrive(p, service)
    }

    /// A service sends: back through the gateway endpoint a flow came by,
    /// or to the internet.
    pub(super) fn service_out(&mut self, p: FlowView) -> Step {
        let key = super::gwe_key(p.proto, p.src, p.src_port, p.dst, p.dst_port);
        match self.st.gwe_flows.get(&key).copied() {
            Some((e, _)) if self.st.alive.endpoint[e.idx()] => Step::Next {
                loc: Loc::GatewayEndpoint {
                    endpoint: e,
                    to_service: false,
                },
                delay: self.d.delay(LinkId::EDGE),
            },
            _ => Step::Next {
                loc: Loc::Internet,
                delay: Delay::ZERO,
            },
        }
    }
}
