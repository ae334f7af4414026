//! Services the host answers (NACL-9, ADDR-4, FL-5): the instance metadata
//! service, the Amazon DNS resolver, the time service and the Windows
//! license service.
//!
//! Invariants:
//! - A packet that an instance or a Lambda function's ENI sends from its own
//!   address to one of these services never leaves the host: no security
//!   group, network ACL or route judges it, so it works in a subnet with a
//!   deny-all NACL and a route table with no route (NACL-9).
//! - Their addresses: metadata 169.254.169.254; the DNS resolver at the base
//!   of the VPC's primary CIDR plus two and at 169.254.169.253 (ADDR-4); time
//!   169.254.169.123; Windows license activation 169.254.169.250 and .251.
//! - Together they allow 1,024 packets per second per ENI; the excess is
//!   dropped at the workload as `linklocal_allowance_exceeded` (NACL-9),
//!   counted per whole second of virtual time.
//! - Flow logs do not record them, either way (FL-5): neither the request
//!   nor the answer crosses the ENI.
//! - A capture on the host sees the packets both ways (`Seen::Host`), the
//!   ones over the allowance too. A query reaches the DNS resolver
//!   [`RESOLVER_DELAY`] after it leaves, and its answer comes back at once:
//!   a capture on the host sees the query, then the answer that much later
//!   (DNS-5).
//! - What answers: metadata on TCP 80, DNS on UDP and TCP 53, time on UDP
//!   123, license activation on TCP 1688. Nothing else is answered (a closed
//!   port is refused, ICMP echo is not answered).

use std::net::Ipv4Addr;

use super::forward::{Cx, comp};
use super::{AwsRule, Decision, Host, Loc, Rule, Seen, Step, Trace};
use crate::model::*;
use crate::packet::{FlowView, PROTO_TCP, PROTO_UDP};
use crate::units::Nanos;

/// Packets per second per ENI that the services together accept (NACL-9).
pub const ALLOWANCE_PPS: u32 = 1024;

/// How long the Amazon DNS resolver takes to answer, query to answer, as a
/// delay on the query's way to it (DNS-5). vpcsim's choice: AWS publishes no figure;
/// `dig` from an instance reports a few milliseconds for a query the
/// resolver forwards, less from its cache.
pub const RESOLVER_DELAY: Nanos = Nanos(1_000_000);

/// A service the host answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkLocal {
    /// The instance metadata service, 169.254.169.254.
    Metadata,
    /// The Amazon DNS resolver: VPC base + 2, and 169.254.169.253.
    Dns,
    /// The Amazon Time Sync Service, 169.254.169.123.
    Time,
    /// Windows license activation, 169.254.169.250 and .251.
    License,
}

impl LinkLocal {
    pub fn name(self) -> &'static str {
        match self {
            LinkLocal::Metadata => "instance metadata service",
            LinkLocal::Dns => "Amazon DNS resolver",
            LinkLocal::Time => "time sync service",
            LinkLocal::License => "Windows license service",
        }
    }

    /// Whether the service answers `proto` on `port`.
    pub fn listens(self, proto: u8, port: u16) -> bool {
        match self {
            LinkLocal::Metadata => proto == PROTO_TCP && port == 80,
            LinkLocal::Dns => (proto == PROTO_UDP || proto == PROTO_TCP) && port == 53,
            LinkLocal::Time => proto == PROTO_UDP && port == 123,
            LinkLocal::License => proto == PROTO_TCP && port == 1688,
        }
    }
}

/// The DNS resolver's address in a VPC: its primary CIDR's base plus two
/// (ADDR-4).
pub fn vpc_resolver(vpc: &Vpc) -> Ipv4Addr {
    vpc.cidrs.first().map_or(Ipv4Addr::UNSPECIFIED, |c| {
        Ipv4Addr::from(u32::from(c.network()).wrapping_add(2))
    })
}

/// The service at `dst`, for a packet from a VPC whose resolver is at
/// `resolver`. One comparison for every other address.
#[inline]
pub fn link_local_at(dst: Ipv4Addr, resolver: Ipv4Addr) -> Option<LinkLocal> {
    if dst == resolver {
        return Some(LinkLocal::Dns);
    }
    let o = dst.octets();
    if o[0] != 169 || o[1] != 254 || o[2] != 169 {
        return None;
    }
    match o[3] {
        254 => Some(LinkLocal::Metadata),
        253 => Some(LinkLocal::Dns),
        123 => Some(LinkLocal::Time),
        250 | 251 => Some(LinkLocal::License),
        _ => None,
    }
}

/// Whether `dst` is in 169.254.168.0/22, the range of the services the
/// host answers: no route may name it and no packet to it is forwarded
/// (RT-8a).
#[inline]
pub fn reserved(dst: Ipv4Addr) -> bool {
    u32::from(dst) & 0xffff_fc00 == 0xa9fe_a800
}

/// The host behind ENI `e`, where a service's answers arrive.
pub fn host_of_eni(d: &Design, e: EniId) -> Host {
    match d.eni_workload(e) {
        Component::Instance(i) => Host::Instance(i),
        _ => Host::LambdaEni(e),
    }
}

/// Per-ENI counters of the allowance: (second of virtual time, packets).
#[derive(Clone, Debug, Default)]
pub struct Allowance {
    slots: Vec<(u64, u32)>,
}

impl Allowance {
    /// Slots are made as ENIs first use them (a part of a run that owns
    /// few ENIs keeps few).
    pub fn new() -> Self {
        Allowance { slots: Vec::new() }
    }

    /// Counts one packet of ENI `e` at `now`; false when it is over the
    /// allowance of its second.
    #[inline]
    fn take(&mut self, e: EniId, now: Nanos) -> bool {
        let second = now.0 / 1_000_000_000;
        if e.idx() >= self.slots.len() {
            self.slots.resize(e.idx() + 1, (u64::MAX, 0));
        }
        let slot = &mut self.slots[e.idx()];
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 = slot.1.saturating_add(1);
        slot.1 <= ALLOWANCE_PPS
    }
}

impl<T: Trace> Cx<'_, T> {
    /// The packet from ENI `e`'s own host to service `s`: answered on the
    /// host, within the allowance.
    pub(super) fn link_local(&mut self, buf: &[u8], p: FlowView, e: EniId, s: LinkLocal) -> Step {
        let who = comp(self.d.eni_workload(e));
        self.seen(|| Seen::Host {
            eni: e,
            to_service: true,
            bytes: buf,
        });
        if !self.st.linklocal.take(e, self.now) {
            return self.drop(
                who,
                Rule::Aws(AwsRule::LinkLocalThrottled),
                p,
                DropReason::LinklocalAllowanceExceeded,
            );
        }
        if s == LinkLocal::Dns {
            // The resolver takes its time: the query reaches it later.
            self.hop(
                who,
                Decision::Forward,
                Rule::Aws(AwsRule::LinkLocalAnswered(s)),
                p,
            );
            return Step::Next {
                loc: Loc::Arrive(Host::LinkLocal(s, e)),
                delay: Delay {
                    min: RESOLVER_DELAY,
                    link: LinkId::NONE,
                },
            };
        }
        self.hop(
            who,
            Decision::Deliver,
            Rule::Aws(AwsRule::LinkLocalAnswered(s)),
            p,
        );
        Step::Deliver(Host::LinkLocal(s, e))
    }

    /// A service's answer goes straight back to the host that asked.
    pub(super) fn link_local_out(&mut self, buf: &[u8], e: EniId) -> Step {
        self.seen(|| Seen::Host {
            eni: e,
            to_service: false,
            bytes: buf,
        });
        Step::Next {
            loc: Loc::Arrive(host_of_eni(self.d, e)),
            delay: Delay::ZERO,
        }
    }
}
