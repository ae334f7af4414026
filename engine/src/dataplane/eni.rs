//! Elastic network interfaces: where a workload meets its VPC.
//!
//! Invariants (rule ids of `docs/aws-rules.md`):
//! - A packet leaving an ENI passes the source/destination check (its
//!   source must be the ENI's address unless the check is off), then
//!   the ENI's security groups' egress rules (SG-1..SG-4), then the VPC
//!   router of its subnet (RT-*), which applies the subnet's NACL when the
//!   packet crosses the subnet's boundary (NACL-5).
//! - A packet reaching an ENI passes the subnet's NACL when it comes from
//!   outside the subnet (NACL-5), the destination check, then the security
//!   groups' ingress rules, and is handed to what is behind the ENI: the
//!   instance, a middlebox that forwards it and decrements TTL (RT-9), an
//!   interface endpoint (IFE-*), a Lambda function (LAM-*), or a NAT gateway
//!   (NAT-*).
//! - Security groups do not apply to a NAT gateway's ENI (NAT-7) or a
//!   transit gateway attachment's (TGW-5).
//! - A deleted ENI takes and sends nothing (`host_unreachable`).
//! - Capacity: 10 Gbps per ENI on the way out, a 1,024-packet queue; an
//!   instance's by its `instance_type` (BW-1), with credits (BW-2).

use super::forward::{Cx, comp};
use super::security_group::{Direction, Sender};
use super::{Arrival, AwsRule, Capacity, Entry, Host, Loc, Rule, Seen, Side, Step, Trace};
use crate::model::*;
use crate::packet::{self, FlowView};
use crate::units::Nanos;

/// LAT: 10 Gbps per ENI.
pub const CAPACITY: Capacity = Capacity::fixed(10_000_000_000, 10_000_000, 1024);

/// How long a stateful forwarding instance remembers an idle flow (RT-9a).
pub const MIDDLEBOX_IDLE: Nanos = Nanos::from_secs(350);

/// A flow as a stateful forwarder keys it: the same in both directions.
#[inline]
fn middlebox_flow_key(p: &FlowView) -> u128 {
    let a = (u64::from(u32::from(p.src)) << 16) | u64::from(p.src_port);
    let b = (u64::from(u32::from(p.dst)) << 16) | u64::from(p.dst_port);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    (u128::from(p.proto) << 120) | (u128::from(lo) << 60) | u128::from(hi)
}

/// Where a step that ended went on to, if it did.
pub(super) fn next_of(step: &Step) -> Option<Loc> {
    match step {
        Step::Next { loc, .. } => Some(*loc),
        _ => None,
    }
}

/// Whether a step ended in a drop by a network ACL (a packet leaving its
/// subnet was rejected there, FL-3).
pub(super) fn nacl_dropped(step: &Step) -> bool {
    matches!(step, Step::Drop(d) if matches!(d.place, super::Place::Component(Component::Nacl(_))))
}

impl<T: Trace> Cx<'_, T> {
    /// A packet leaves ENI `e`: source/destination check, security group
    /// egress (SG-3, SG-4), then routing from its subnet. `sender`: a
    /// transit gateway's exit carrying the identity of the ENI of that VPC
    /// that sent it (TGW-11).
    pub fn eni_out(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        e: EniId,
        sender: Option<VpcId>,
    ) -> Step {
        let d = self.d;
        let eni = &d.enis[e.idx()];
        let who = comp(d.eni_workload(e));
        if !self.st.alive.eni[e.idx()] {
            return self.drop(
                who,
                Rule::Aws(AwsRule::EniDeleted),
                p,
                DropReason::HostUnreachable,
            );
        }
        if self.st.eni_sdc[e.idx()] && p.src != eni.ip {
            return self.drop(
                who,
                Rule::Aws(AwsRule::SourceDestCheck(Side::Source)),
                p,
                DropReason::SourceDestCheck,
            );
        }
        // NACL-9: the services the host answers never reach the network.
        if matches!(eni.owner, EniOwner::Instance(_) | EniOwner::Lambda(_)) && p.src == eni.ip {
            let resolver = self.st.vpc_resolver[eni.vpc.idx()];
            if let Some(s) = super::link_local::link_local_at(p.dst, resolver) {
                return self.link_local(buf, p, e, s);
            }
        }
        // RT-8a: the rest of the services' range goes nowhere.
        if super::link_local::reserved(p.dst) {
            return self.drop(
                who,
                Rule::Aws(AwsRule::ReservedRange),
                p,
                DropReason::HostUnreachable,
            );
        }
        if !matches!(eni.owner, EniOwner::Nat(_) | EniOwner::TgwAttachment(_)) {
            // SG-4a: flows of a Lambda function's Hyperplane ENI, through a
            // NAT gateway or a DynamoDB gateway endpoint, or to an interface
            // endpoint are always tracked; a flow through a transit gateway
            // follows the rules at both ends (TGW-5).
            let subnet = eni.subnet;
            let lambda = matches!(eni.owner, EniOwner::Lambda(_));
            let always = |cx: &Self| lambda || cx.via_tracked_hop(subnet, &p);
            let Some(rule) =
                self.security_groups(e, Direction::Egress, &p, Sender::Address, always)
            else {
                self.seen(|| Seen::EniOut {
                    eni: e,
                    bytes: buf,
                    reject: true,
                    next: None,
                });
                return self.drop(
                    who,
                    Rule::SgNoMatch { ingress: false },
                    p,
                    DropReason::SgEgressDenied,
                );
            };
            self.forward(who, rule, p);
        }
        let from = match sender {
            Some(vpc) => Entry::Transit {
                subnet: eni.subnet,
                vpc,
            },
            None => Entry::from_subnet(eni.subnet, p.src != eni.ip),
        };
        let transit = matches!(eni.owner, EniOwner::TgwAttachment(_));
        let step = self.route_from(eni.subnet, p, from, transit);
        self.seen(|| Seen::EniOut {
            eni: e,
            bytes: buf,
            reject: nacl_dropped(&step),
            next: next_of(&step),
        });
        step
    }

    /// A packet arrives at ENI `x` (NACL-5, SG-3, SG-4, the host behind it).
    pub fn eni_in(&mut self, buf: &mut [u8], p: FlowView, x: EniId, from: Entry) -> Step {
        let d = self.d;
        let eni = &d.enis[x.idx()];
        let who = comp(d.eni_workload(x));
        if !self.st.alive.eni[x.idx()] {
            self.arrived(x, from, buf, Arrival::Absent);
            return self.drop(
                who,
                Rule::Aws(AwsRule::EniDeleted),
                p,
                DropReason::HostUnreachable,
            );
        }
        if from.subnet() != Some(eni.subnet) {
            if let Some(drop) = self.nacl_in(eni.subnet, p) {
                self.arrived(x, from, buf, Arrival::Rejected);
                return drop;
            }
        }
        if let EniOwner::Nat(n) = eni.owner {
            self.arrived(x, from, buf, Arrival::Accepted);
            return self.nat_gateway(buf, p, n, from);
        }
        if let EniOwner::TgwAttachment(a) = eni.owner {
            // No security group applies to an attachment ENI (TGW-5). The
            // sender's identity goes along when its own ENI sent it
            // (TGW-11).
            self.arrived(x, from, buf, Arrival::Accepted);
            let sender = matches!(from, Entry::Subnet(_)).then_some(eni.vpc);
            return self.transit_gateway(buf, p, a, Some(x), sender);
        }
        if p.dst != eni.ip && self.st.eni_sdc[x.idx()] {
            self.arrived(x, from, buf, Arrival::Absent);
            return self.drop(
                who,
                Rule::Aws(AwsRule::SourceDestCheck(Side::Destination)),
                p,
                DropReason::SourceDestCheck,
            );
        }
        // SG-4a: an interface endpoint and a Lambda function's Hyperplane ENI
        // track every flow.
        let always = matches!(eni.owner, EniOwner::Endpoint(_) | EniOwner::Lambda(_));
        // SG-2: the ENI that sent the packet, as a group reference sees it.
        let sender = match from {
            Entry::Subnet(_) => Sender::Eni(eni.vpc),
            Entry::Transit { vpc, .. } => Sender::Eni(vpc),
            Entry::Peering(pc) => d.peerings[pc.idx()]
                .other(eni.vpc)
                .map_or(Sender::Nobody, Sender::Eni),
            _ => Sender::Nobody,
        };
        let Some(rule) = self.security_groups(x, Direction::Ingress, &p, sender, |_| always) else {
            self.arrived(x, from, buf, Arrival::Rejected);
            return self.drop(
                who,
                Rule::SgNoMatch { ingress: true },
                p,
                DropReason::SgIngressDenied,
            );
        };
        self.arrived(x, from, buf, Arrival::Accepted);
        match eni.owner {
            EniOwner::Instance(i) if p.dst == eni.ip => {
                self.hop(who, super::Decision::Deliver, rule, p);
                Step::Deliver(Host::Instance(i))
            }
            EniOwner::Instance(_) => self.middlebox(buf, p, x, rule),
            EniOwner::Endpoint(ep) => self.interface_endpoint(p, ep, x, rule),
            EniOwner::Lambda(_) => self.lambda_eni(p, x, rule),
            EniOwner::Nat(_) | EniOwner::TgwAttachment(_) => unreachable!("handled above"),
        }
    }

    fn arrived(&mut self, eni: EniId, from: Entry, bytes: &[u8], arrival: Arrival) {
        self.seen(|| Seen::EniIn {
            eni,
            from,
            bytes,
            arrival,
        });
    }

    /// RT-9a: a stateful forwarder keeps the flows it saw start; a TCP
    /// packet other than a SYN of a flow it does not know is dropped. Other
    /// protocols start a flow with any packet.
    fn stateful_forward(&mut self, x: EniId, p: &FlowView, who: super::Place) -> Option<Step> {
        let key = (x, middlebox_flow_key(p));
        let now = self.now.0;
        let opens = p.proto != packet::PROTO_TCP
            || (p.tcp_flags & packet::tcp_flags::SYN != 0
                && p.tcp_flags & packet::tcp_flags::ACK == 0);
        match self.st.middlebox_flows.get_mut(&key) {
            Some(last) => *last = now,
            None if opens => {
                self.st.middlebox_flows.insert(key, now);
            }
            None => {
                return Some(self.drop(
                    who,
                    Rule::Aws(AwsRule::ForwarderNoFlow),
                    *p,
                    DropReason::MiddleboxNoFlow,
                ));
            }
        }
        None
    }

    /// An instance that forwards a packet not addressed to it (its
    /// source/destination check is off) sends it on through its subnet's
    /// route table, and decrements TTL (RT-9); at zero it answers ICMP time
    /// exceeded.
    fn middlebox(&mut self, buf: &mut [u8], p: FlowView, x: EniId, rule: Rule) -> Step {
        let who = comp(self.d.eni_workload(x));
        if let EniOwner::Instance(i) = self.d.enis[x.idx()].owner {
            if self.d.instances[i.idx()].stateful {
                if let Some(drop) = self.stateful_forward(x, &p, who) {
                    return drop;
                }
            }
        }
        self.forward(who, rule, p);
        match packet::decrement_ttl(buf) {
            Ok(0) | Err(_) => {
                let from = self.d.enis[x.idx()].ip;
                self.emit(Loc::EniOut(x), || {
                    packet::build::icmp_error(from, buf, packet::ICMP_TIME_EXCEEDED, 0, 64)
                });
                self.drop(
                    who,
                    Rule::Aws(AwsRule::TtlExpiredAtForwarder),
                    p,
                    DropReason::TtlExpired,
                )
            }
            Ok(_) => Step::Next {
                loc: Loc::EniOut(x),
                delay: Delay::ZERO,
            },
        }
    }
}
