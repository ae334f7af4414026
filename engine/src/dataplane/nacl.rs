//! Network ACLs (NACL-1..NACL-9): stateless, ordered, at subnet boundaries.
//!
//! Rules are kept sorted by number; the first rule whose protocol, ports (the
//! packet's destination port, NACL-6) and CIDR match decides. No match: the
//! final `*` rule denies (NACL-2). Replies are judged like any other packet
//! (NACL-1): this module has no state at all.
//!
//! The data plane scans rules compiled from the design's ([`Compiled`]):
//! the CIDR as network and mask, the protocol and the port or ICMP ranges
//! as bounds, so that a rule costs one comparison of all its fields. The
//! compiled lists are made again whenever a NACL's rules change.

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

/// A rule as the scan reads it, in 20 bytes: the CIDR as network and mask,
/// the protocol, and the ranges the packet's key and code must fall in. For
/// TCP and UDP the key is the destination port (NACL-6), for ICMP the type,
/// and the code is ICMP's; a rule that does not look at them has full
/// ranges. A rule for every protocol has a protocol mask of 0, so any
/// protocol number matches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compiled {
    net: u32,
    mask: u32,
    lo: u16,
    hi: u16,
    proto: u8,
    proto_mask: u8,
    code_lo: u8,
    code_hi: u8,
    number: u16,
    allow: bool,
}

impl Compiled {
    pub fn of(r: &NaclRule) -> Compiled {
        let mask = u32::from(r.cidr.netmask());
        let (proto, proto_mask) = match r.protocol {
            crate::units::Protocol::All => (0, 0),
            crate::units::Protocol::Number(n) => (n, u8::MAX),
        };
        let ((lo, hi), (code_lo, code_hi)) = match proto_mask & proto {
            PROTO_TCP | PROTO_UDP => ((r.ports.lo, r.ports.hi), (0, u8::MAX)),
            PROTO_ICMP => (
                r.icmp
                    .icmp_type
                    .map_or((0, u16::MAX), |t| (u16::from(t), u16::from(t))),
                r.icmp.code.map_or((0, u8::MAX), |c| (c, c)),
            ),
            _ => ((0, u16::MAX), (0, u8::MAX)),
        };
        Compiled {
            net: u32::from(r.cidr.addr()) & mask,
            mask,
            lo,
            hi,
            proto,
            proto_mask,
            code_lo,
            code_hi,
            number: r.number,
            allow: r.allow,
        }
    }
}

/// A network ACL's two rule lists, compiled in their order (by number).
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub ingress: Box<[Compiled]>,
    pub egress: Box<[Compiled]>,
}

impl Scan {
    pub fn of(acl: &crate::model::NetworkAcl) -> Scan {
        Scan {
            ingress: acl.ingress.iter().map(Compiled::of).collect(),
            egress: acl.egress.iter().map(Compiled::of).collect(),
        }
    }
}

/// Evaluates compiled rules, in number order, against the packet; `peer` is
/// the address outside the subnet (the source inbound, the destination
/// outbound). Each rule is one comparison of every field, without a branch
/// per field.
#[inline]
pub fn evaluate(rules: &[Compiled], p: &FlowView, peer: u32) -> NaclVerdict {
    let (key, code) = match p.proto {
        PROTO_TCP | PROTO_UDP => (p.dst_port, 0),
        PROTO_ICMP => (u16::from(p.icmp_type), p.icmp_code),
        _ => (0, 0),
    };
    for r in rules {
        let hit = (peer & r.mask == r.net)
            & (p.proto & r.proto_mask == r.proto)
            & (r.lo <= key)
            & (key <= r.hi)
            & (r.code_lo <= code)
            & (code <= r.code_hi);
        if hit {
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
        let acl = &self.st.nacl_scans[n.idx()];
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
    use proptest::prelude::*;
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

    fn compile(rules: &[NaclRule]) -> Vec<Compiled> {
        rules.iter().map(Compiled::of).collect()
    }

    /// The rules as NACL-2 and NACL-6 state them, one field at a time: the
    /// reference the compiled scan is held to.
    fn reference(rules: &[NaclRule], p: &FlowView, peer: u32) -> NaclVerdict {
        rules
            .iter()
            .find(|r| {
                r.cidr.contains(&Ipv4Addr::from(peer))
                    && proto_ports_match(r.protocol, r.ports, r.icmp, p)
            })
            .map_or(
                NaclVerdict {
                    allow: false,
                    rule: None,
                },
                |r| NaclVerdict {
                    allow: r.allow,
                    rule: Some(r.number),
                },
            )
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
        let v = evaluate(
            &compile(&rules),
            &tcp(22),
            u32::from(Ipv4Addr::new(1, 2, 3, 4)),
        );
        assert_eq!(
            v,
            NaclVerdict {
                allow: false,
                rule: Some(100)
            }
        );
        let v = evaluate(
            &compile(&rules),
            &tcp(22),
            u32::from(Ipv4Addr::new(9, 9, 9, 9)),
        );
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
        let v = evaluate(&compile(&rules), &tcp(80), 0x01020304);
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
        assert!(!evaluate(&compile(&rules), &reply, 0x01020304).allow);
        let rules = vec![rule(100, Protocol::TCP, "32768-61000", "0.0.0.0/0", true)];
        assert!(evaluate(&compile(&rules), &reply, 0x01020304).allow);
        let _ = PortRange::ALL;
    }

    #[test]
    fn nacl_2_icmp_rules_match_type_and_code() {
        let icmp = |icmp_type, code| {
            let mut r = rule(100, Protocol::ICMP, "0", "0.0.0.0/0", true);
            r.icmp = IcmpMatch { icmp_type, code };
            r
        };
        let mut unreachable = tcp(0);
        unreachable.proto = PROTO_ICMP;
        unreachable.icmp_type = 3;
        unreachable.icmp_code = 4;
        let scan = |r: NaclRule| evaluate(&compile(&[r]), &unreachable, 1).allow;
        assert!(scan(icmp(None, None)));
        assert!(scan(icmp(Some(3), None)));
        assert!(scan(icmp(Some(3), Some(4))));
        assert!(!scan(icmp(Some(3), Some(3))));
        assert!(!scan(icmp(Some(0), None)));
        assert!(scan(icmp(None, Some(4))));
        assert!(!scan(icmp(None, Some(0))));
        // A TCP rule never matches ICMP, whatever its ports.
        assert!(!scan(rule(
            100,
            Protocol::TCP,
            "0-65535",
            "0.0.0.0/0",
            true
        )));
        assert!(scan(rule(100, Protocol::All, "0", "0.0.0.0/0", true)));
    }

    fn arb_rule() -> impl Strategy<Value = NaclRule> {
        let protocol = prop_oneof![
            Just(Protocol::All),
            Just(Protocol::TCP),
            Just(Protocol::UDP),
            Just(Protocol::ICMP),
            Just(Protocol::Number(47)),
        ];
        (
            1u16..=32766,
            protocol,
            (0u16..64, 0u16..64),
            (proptest::option::of(0u8..4), proptest::option::of(0u8..4)),
            (any::<u32>(), 0u8..=32),
            any::<bool>(),
        )
            .prop_map(
                |(number, protocol, (a, b), (icmp_type, code), (addr, len), allow)| NaclRule {
                    number,
                    protocol,
                    ports: PortRange {
                        lo: a.min(b),
                        hi: a.max(b),
                    },
                    icmp: IcmpMatch { icmp_type, code },
                    cidr: ipnet::Ipv4Net::new(Ipv4Addr::from(addr), len).unwrap(),
                    allow,
                },
            )
    }

    proptest! {
        /// NACL-2, NACL-6: the compiled scan gives the verdict of the rules
        /// read one field at a time, for any rules and packet. Peers are
        /// drawn from the rules' own CIDRs half the time, with the rule's
        /// protocol, and ports, types and codes from small ranges, so that
        /// matches happen.
        #[test]
        fn nacl_2_the_compiled_scan_agrees_with_the_rules(
            mut rules in proptest::collection::vec(arb_rule(), 0..8),
            proto in prop_oneof![Just(PROTO_TCP), Just(PROTO_UDP), Just(PROTO_ICMP), Just(47u8), Just(50u8)],
            ports in (any::<u16>(), 0u16..64),
            icmp in (0u8..4, 0u8..4),
            pick in any::<(usize, u32)>(),
            inside in any::<bool>(),
        ) {
            rules.sort_by_key(|r| r.number);
            let mut p = tcp(ports.1);
            p.proto = proto;
            p.src_port = ports.0;
            (p.icmp_type, p.icmp_code) = icmp;
            let peer = match rules.get(pick.0 % rules.len().max(1)) {
                Some(r) if inside => {
                    if let Protocol::Number(n) = r.protocol {
                        p.proto = n;
                    }
                    u32::from(r.cidr.network()) | (pick.1 & u32::from(r.cidr.hostmask()))
                }
                _ => pick.1,
            };
            prop_assert_eq!(evaluate(&compile(&rules), &p, peer), reference(&rules, &p, peer));
        }
    }
}
