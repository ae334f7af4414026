//! Hosts: where packets start and end. Workloads in a VPC send through
//! their ENI; hosts outside every VPC (outside hosts on the internet, AWS
//! services, Lambda functions outside any VPC, on-premises hosts) into
//! their own network.
//!
//! The outside world is open (OPEN-1..OPEN-3 of `docs/aws-rules.md`): every
//! public address that no element of the design owns is a host on the
//! internet; every address of an AWS service's ranges is that service;
//! every address of a declared on-premises network is a host there.
//!
//! Invariants:
//! - A host's decisions are charged to the component of the design it is
//!   (an undeclared host: to the internet, the service, or its on-premises
//!   network).
//! - One function, [`host_answer`], says how a host answers the first
//!   packet of a flow; `run`'s endpoints and `explain` both use it.
//! - A host listens only on its `listen` ports (`listen = "any"`: every
//!   port); an undeclared internet or on-premises host on every port; an AWS
//!   service on TCP 443; a Lambda function accepts no inbound connection
//!   (LAM-2). Every host answers ICMP echo, except the services a host
//!   answers itself (`link_local`).

use super::forward::Cx;
use super::{Host, Loc, Place, Step, Trace};
use crate::model::*;
use crate::packet::FlowView;

impl<T: Trace> Cx<'_, T> {
    /// Host `h` sends the packet.
    pub(super) fn host_out(&mut self, buf: &[u8], p: FlowView, h: Host) -> Step {
        let d = self.d;
        match h {
            Host::Instance(i) => Step::Next {
                loc: Loc::EniOut(d.instances[i.idx()].eni),
                delay: Delay::ZERO,
            },
            Host::LambdaEni(x) => Step::Next {
                loc: Loc::EniOut(x),
                delay: Delay::ZERO,
            },
            // IFE-8: the service's answer comes back to the endpoint's ENI
            // from beyond it.
            Host::Endpoint(_, x) => Step::Next {
                loc: Loc::EniOut(x),
                delay: d.delay(LinkId::EDGE),
            },
            Host::External(x) => Step::Next {
                loc: Loc::Internet,
                delay: d.delay(d.external_hosts[x.idx()].link),
            },
            Host::LambdaOutside(_) => Step::Next {
                loc: Loc::Internet,
                delay: d.delay(LinkId::EDGE),
            },
            Host::AwsService(_) | Host::Service(..) => self.service_out(p),
            Host::Onprem(oh) => self.onprem_out(p, self.d.onprem_hosts[oh.idx()].network),
            Host::OnpremAddr(net, _) => self.onprem_out(p, net),
            Host::Internet(_) => Step::Next {
                loc: Loc::Internet,
                delay: d.delay(LinkId::BEYOND_EDGE),
            },
            Host::LinkLocal(_, e) => self.link_local_out(buf, e),
        }
    }
}

/// The ENI host `h` sends through, if it is a workload in a VPC: an
/// instance's, a Lambda function's in its subnet, an interface endpoint's
/// (as the step out of the host sends it).
#[inline]
pub fn host_eni(d: &Design, h: Host) -> Option<EniId> {
    match h {
        Host::Instance(i) => Some(d.instances[i.idx()].eni),
        Host::LambdaEni(x) | Host::Endpoint(_, x) => Some(x),
        _ => None,
    }
}

/// Where a packet host `h` sent starts: at the way out of its ENI when the
/// step out of the host would decide nothing else (a workload in a VPC and
/// a whole packet: the host's side has no MTU of its own, and no fragment
/// needs its ports kept), else at the host, for that step to decide.
/// Endpoints build well-formed packets (the engine checks it in debug
/// builds); one that was not would take its ENI's capacity first and be
/// dropped by the ENI's step, charged there rather than to the host.
#[inline]
pub fn host_start(d: &Design, buf: &[u8], h: Host) -> Loc {
    match host_eni(d, h) {
        // The service behind an interface endpoint answers from beyond its
        // ENI: the step out of the host takes that way (IFE-8).
        _ if matches!(h, Host::Endpoint(..)) => Loc::HostOut(h),
        Some(x) if buf.len() >= 20 && u16::from_be_bytes([buf[6], buf[7]]) & 0x3FFF == 0 => {
            Loc::EniOut(x)
        }
        _ => Loc::HostOut(h),
    }
}

/// Where a host's decisions are charged: the component of the design it is.
pub fn host_place(d: &Design, h: Host) -> Place {
    let c = match h {
        Host::Instance(i) => Component::Instance(i),
        Host::LambdaEni(e) => d.eni_workload(e),
        Host::LambdaOutside(l) => Component::Lambda(l),
        Host::Endpoint(e, _) => Component::Endpoint(e),
        Host::External(h) => Component::ExternalHost(h),
        Host::AwsService(s) => Component::AwsService(s),
        Host::Onprem(h) => Component::OnpremHost(h),
        Host::Internet(ip) => return Place::InternetHost(ip),
        Host::Service(s, _) => return Place::Service(s),
        Host::OnpremAddr(n, _) => return Place::Onprem(n),
        Host::LinkLocal(_, e) => d.eni_workload(e),
    };
    Place::Component(c)
}

/// Whether host `h` listens on `port` for protocol `proto`.
pub fn host_listens(d: &Design, h: Host, proto: u8, port: u16) -> bool {
    use crate::packet::PROTO_TCP;
    let listen: &[Listen] = match h {
        Host::Internet(_) | Host::OnpremAddr(..) => return true,
        Host::Service(..) => return proto == PROTO_TCP && port == 443,
        Host::Instance(i) => &d.instances[i.idx()].listen,
        Host::Endpoint(e, _) => &d.endpoints[e.idx()].listen,
        Host::External(x) => &d.external_hosts[x.idx()].listen,
        Host::AwsService(s) => &d.aws_services[s.idx()].listen,
        Host::Onprem(o) => &d.onprem_hosts[o.idx()].listen,
        Host::LambdaEni(_) | Host::LambdaOutside(_) => &[],
        Host::LinkLocal(s, _) => return s.listens(proto, port),
    };
    listen
        .iter()
        .any(|l| l.protocol == proto && l.port.is_none_or(|p| p == port))
}

/// How a host answers the first packet of a flow (a TCP SYN, a UDP
/// datagram, an ICMP echo request) that reached it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// It listens: a TCP connection is accepted (SYN-ACK), a UDP datagram
    /// received (no answer).
    Accept,
    /// Nothing listens: TCP answers RST, UDP ICMP port unreachable
    /// (`port_unreachable` at the host).
    Refuse,
    /// ICMP echo reply.
    EchoReply,
    /// No answer: a packet that starts nothing (an ICMP error, a reply).
    Silent,
}

/// How host `h` answers the first packet of a flow, `v` (one function for
/// `run` and `explain`).
pub fn host_answer(d: &Design, h: Host, v: &crate::packet::FlowView) -> Answer {
    use crate::packet::{ICMP_ECHO_REQUEST, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
    match v.proto {
        PROTO_TCP => {
            let syn = v.tcp_flags & tcp_flags::SYN != 0 && v.tcp_flags & tcp_flags::ACK == 0;
            if !syn {
                Answer::Silent
            } else if host_listens(d, h, PROTO_TCP, v.dst_port) {
                Answer::Accept
            } else {
                Answer::Refuse
            }
        }
        PROTO_UDP => {
            if host_listens(d, h, PROTO_UDP, v.dst_port) {
                Answer::Accept
            } else {
                Answer::Refuse
            }
        }
        PROTO_ICMP if matches!(h, Host::LinkLocal(..)) => Answer::Silent,
        PROTO_ICMP if v.icmp_type == ICMP_ECHO_REQUEST => Answer::EchoReply,
        _ => Answer::Silent,
    }
}
