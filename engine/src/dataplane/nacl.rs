//! Network ACLs (NACL-1..NACL-9): stateless, ordered, at subnet boundaries.
//!
//! Rules are kept sorted by number; the first rule whose protocol, ports (the
//! packet's destination port, NACL-6) and CIDR match decides. No match: the
//! final `*` rule denies (NACL-2). Replies are judged like any other packet
//! (NACL-1): this module has no state at all.

use crate::model::{IcmpMatch, NaclRule};
use crate::packet::{FlowView, PROTO_ICMP, PROTO_TCP, PROTO_UDP};

/// The decision of a NACL: allow or deny, and the rule number that decided
/// (`None`: the implicit final `*` rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NaclVerdict {
    pub allow: bool,
    pub rule: Option<u16>,
}

#[inline]
pub(crate) fn icmp_matches(m: IcmpMatch, p: &FlowView) -> bool {
    m.icmp_type.is_none_or(|t| t == p.icmp_type) && m.code.is_none_or(|c| c == p.icmp_code)
}

/// Whether a rule's protocol and port range cover the packet.
#[inline]
pub(crate) fn proto_ports_match(
    protocol: crate::units::Protocol,
    ports: crate::units::PortRange,
    icmp: IcmpMatch,
    p: &FlowView,
) -> bool {
    if !protocol.matches(p.proto) {
        return false;
    }
    match (protocol, p.proto) {
        (crate::units::Protocol::All, _) => true,
        (_, PROTO_TCP | PROTO_UDP) => ports.contains(p.dst_port),
        (_, PROTO_ICMP) => icmp_matches(icmp, p),
        _ => true,
    }
}

/// Evaluates rules sorted by number against the packet; `peer` is the
/// address outside the subnet (the source inbound, the destination outbound).
#[inline]
pub fn evaluate(rules: &[NaclRule], p: &FlowView, peer: u32) -> NaclVerdict {
    for r in rules {
        let net = u32::from(r.cidr.network());
        let mask = u32::from(r.cidr.netmask());
        if peer & mask == net && proto_ports_match(r.protocol, r.ports, r.icmp, p) {
            return NaclVerdict {
                allow: r.allow,
                rule: Some(r.number),
            };
        }
    }
    NaclVerdict {
        allow: false,
        rule: None,
    }
}

// -- the NACL step ------------------------------------------------------------

impl<T: super::Trace> super::forward::Cx<'_, T> {
    /// NACL egress of subnet `s` (NACL-5): `Some(drop)` when denied.
    pub(super) fn nacl_out(
        &mut self,
        s: crate::model::SubnetId,
        p: FlowView,
    ) -> Option<super::Step> {
        self.nacl(s, p, false)
    }

    /// NACL ingress of subnet `s` (NACL-5): `Some(drop)` when denied.
    pub(super) fn nacl_in(
        &mut self,
        s: crate::model::SubnetId,
        p: FlowView,
    ) -> Option<super::Step> {
        self.nacl(s, p, true)
    }

    fn nacl(
        &mut self,
        s: crate::model::SubnetId,
        p: FlowView,
        ingress: bool,
    ) -> Option<super::Step> {
        use crate::model::{Component, DropReason};
        let n = self.st.subnet_nacl[s.idx()];
        let acl = &self.st.nacls[n.idx()];
        let v = if ingress {
            evaluate(&acl.ingress, &p, u32::from(p.src))
        } else {
            evaluate(&acl.egress, &p, u32::from(p.dst))
        };
        let rule = super::Rule::Nacl {
            nacl: n,
            ingress,
            number: v.rule,
        };
        let place = super::Place::Component(Component::Nacl(n));
        if v.allow {
            self.forward(place, rule, p);
            None
        } else {
            let reason = if ingress {
                DropReason::NaclIngressDenied
            } else {
                DropReason::NaclEgressDenied
            };
            Some(self.drop(place, rule, p, reason))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{PortRange, Protocol};
    use std::net::Ipv4Addr;

    fn rule(number: u16, proto: Protocol, ports: &str, cidr: &str, allow: bool) -> NaclRule {
        NaclRule {
            number,
            protocol: proto,
            ports: crate::units::parse_ports(ports).unwrap(),
            icmp: IcmpMatch {
                icmp_type: None,
                code: None,
            },
            cidr: cidr.parse().unwrap(),
            allow,
        }
    }

    fn tcp(dst_port: u16) -> FlowView {
        FlowView {
            src: Ipv4Addr::new(1, 2, 3, 4),
            dst: Ipv4Addr::new(10, 0, 1, 5),
            proto: PROTO_TCP,
            ttl: 64,
            src_port: 40000,
            dst_port,
            icmp_type: 0,
            icmp_code: 0,
            tcp_flags: 0,
            fragment: crate::packet::Fragment::None,
            total_len: 40,
            payload_len: 0,
            header_len: 20,
        }
    }

    #[test]
    fn nacl_2_first_match_by_number_decides() {
        let mut rules = vec![
            rule(200, Protocol::TCP, "22", "0.0.0.0/0", true),
            rule(100, Protocol::TCP, "22", "1.2.3.0/24", false),
        ];
        rules.sort_by_key(|r| r.number);
        let v = evaluate(&rules, &tcp(22), u32::from(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(
            v,
            NaclVerdict {
                allow: false,
                rule: Some(100)
            }
        );
        let v = evaluate(&rules, &tcp(22), u32::from(Ipv4Addr::new(9, 9, 9, 9)));
        assert_eq!(
            v,
            NaclVerdict {
                allow: true,
                rule: Some(200)
            }
        );
    }

    #[test]
    fn nacl_2_no_match_is_the_final_deny() {
        let rules = vec![rule(100, Protocol::TCP, "22", "0.0.0.0/0", true)];
        let v = evaluate(&rules, &tcp(80), 0x01020304);
        assert_eq!(
            v,
            NaclVerdict {
                allow: false,
                rule: None
            }
        );
    }

    #[test]
    fn nacl_6_ports_match_the_destination_port() {
        // A reply to a client comes back to its ephemeral port: only a rule for
        // the ephemeral range lets it in.
        let rules = vec![rule(100, Protocol::TCP, "443", "0.0.0.0/0", true)];
        let mut reply = tcp(40000);
        reply.src_port = 443;
        assert!(!evaluate(&rules, &reply, 0x01020304).allow);
        let rules = vec![rule(100, Protocol::TCP, "32768-61000", "0.0.0.0/0", true)];
        assert!(evaluate(&rules, &reply, 0x01020304).allow);
        let _ = PortRange::ALL;
    }
}
