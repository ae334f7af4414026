//! Security groups (SG-1..SG-10): stateful, allow-only, the union of every
//! group of an ENI.
//!
//! Evaluation here is the stateless half: does any rule of any group allow
//! this packet? Connection tracking ([`super::conntrack`]) is the other half,
//! and the forwarding code combines them. A rule's peer is a CIDR, a group,
//! or a prefix list. ICMP error messages are judged like any packet (SG-10).
//!
//! Invariants:
//! - An inbound rule that references a group admits a packet sent by an ENI
//!   carrying the group, identified as that ENI: by its VPC and private
//!   address, the VPC being the one the packet came from (the ENI's own, or
//!   the other side of the peering it crossed). A host of another VPC with
//!   the same private address is not a member (SG-2).
//! - A packet that a middlebox forwarded, or that arrived through a gateway
//!   or a VPN, has no sender ENI: no group reference admits it (SG-2).
//! - Outbound references and the reverse check of SG-4 match members by
//!   address (the destination's VPC is not known before routing).

use ipnet::Ipv4Net;

use super::nacl::proto_ports_match;
use crate::model::{Peer, SecurityGroup, SgId, SgRule, VpcId};
use crate::packet::{FlowView, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::units::in_cidr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// The rule that allowed a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SgMatch {
    pub group: SgId,
    /// Index of the rule in its group's list for that direction.
    pub rule: u16,
    /// The rule allows every address (0.0.0.0/0): a condition of SG-4.
    pub all_addresses: bool,
}

/// Who carries each group: sorted private IPs per group, and sorted ENI
/// identities (VPC and private IP, [`eni_key`]) per group.
#[derive(Clone, Debug, Default)]
pub struct Members {
    pub by_group: Vec<Vec<u32>>,
    pub by_eni: Vec<Vec<u64>>,
}

/// An ENI's identity: its VPC and private address.
#[inline]
pub fn eni_key(vpc: VpcId, ip: u32) -> u64 {
    (u64::from(vpc.0) << 32) | u64::from(ip)
}

impl Members {
    /// Whether some ENI with address `ip` carries group `g`.
    #[inline]
    pub fn contains(&self, g: SgId, ip: u32) -> bool {
        self.by_group
            .get(g.idx())
            .is_some_and(|v| v.binary_search(&ip).is_ok())
    }

    /// Whether the ENI of VPC `vpc` with address `ip` carries group `g`.
    #[inline]
    pub fn contains_eni(&self, g: SgId, vpc: VpcId, ip: u32) -> bool {
        self.by_eni
            .get(g.idx())
            .is_some_and(|v| v.binary_search(&eni_key(vpc, ip)).is_ok())
    }
}

/// Who sent a packet, as far as a group reference is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sender {
    /// The ENI with the packet's source address in this VPC (SG-2).
    Eni(VpcId),
    /// Not known: members are matched by address.
    Address,
    /// No ENI sent it as it is (forwarded by a middlebox, or from outside
    /// the VPCs): no group reference admits it (SG-2).
    Nobody,
}

/// The remote end of a packet, for rule matching: its address, and who sent
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Remote {
    pub ip: u32,
    pub sender: Sender,
}

impl From<u32> for Remote {
    fn from(ip: u32) -> Remote {
        Remote {
            ip,
            sender: Sender::Address,
        }
    }
}

#[inline]
fn peer_matches(
    peer: &Peer,
    remote: Remote,
    members: &Members,
    prefix_lists: &[Vec<Ipv4Net>],
) -> bool {
    let ip = remote.ip;
    match peer {
        Peer::Cidr(c) => in_cidr(*c, ip),
        Peer::Group(g) => match remote.sender {
            Sender::Eni(vpc) => members.contains_eni(*g, vpc, ip),
            Sender::Address => members.contains(*g, ip),
            Sender::Nobody => false,
        },
        Peer::PrefixList(p) => prefix_lists
            .get(p.idx())
            .is_some_and(|l| l.iter().any(|c| in_cidr(*c, ip))),
    }
}

fn is_all(peer: &Peer) -> bool {
    matches!(peer, Peer::Cidr(c) if c.prefix_len() == 0)
}

/// Finds a rule of `groups` that allows the packet in `dir`; `peer` is the
/// remote address (the source inbound, the destination outbound). A rule
/// open to every address is preferred, since it decides tracking (SG-4).
#[inline]
pub fn evaluate(
    all: &[SecurityGroup],
    groups: &[SgId],
    dir: Direction,
    p: &FlowView,
    peer: impl Into<Remote>,
    members: &Members,
    prefix_lists: &[Vec<Ipv4Net>],
) -> Option<SgMatch> {
    let peer = peer.into();
    let mut found = None;
    for &g in groups {
        let Some(sg) = all.get(g.idx()) else { continue };
        let rules: &[SgRule] = match dir {
            Direction::Ingress => &sg.ingress,
            Direction::Egress => &sg.egress,
        };
        for (i, r) in rules.iter().enumerate() {
            if proto_ports_match(r.protocol, r.ports, r.icmp, p)
                && peer_matches(&r.peer, peer, members, prefix_lists)
            {
                let m = SgMatch {
                    group: g,
                    rule: i as u16,
                    all_addresses: is_all(&r.peer),
                };
                if m.all_addresses {
                    return Some(m);
                }
                found.get_or_insert(m);
            }
        }
    }
    found
}

/// SG-4: a TCP or UDP flow is untracked when the rule admitting it allows
/// every address and the other direction allows every address on every port
/// for that protocol. ICMP and other protocols are always tracked.
pub fn untracked(
    all: &[SecurityGroup],
    groups: &[SgId],
    admitted: &SgMatch,
    dir: Direction,
    proto: u8,
) -> bool {
    if !(proto == PROTO_TCP || proto == PROTO_UDP) || !admitted.all_addresses {
        return false;
    }
    groups.iter().any(|g| {
        let Some(sg) = all.get(g.idx()) else {
            return false;
        };
        let other = match dir {
            Direction::Ingress => &sg.egress,
            Direction::Egress => &sg.ingress,
        };
        other
            .iter()
            .any(|r| r.protocol.matches(proto) && r.ports.is_all() && is_all(&r.peer))
    })
}

/// SG-4 for a packet that no tracked flow covers: whether it belongs to an
/// untracked flow opened the other way, such as a web server's reply to a
/// client admitted by an inbound rule open to 0.0.0.0/0. It does when the
/// rules of the other direction admit the packet reversed, by a rule open to
/// every address, and this direction allows every address on every port.
/// Such a packet must not start tracking the flow, or the flow would outlive
/// the removal of its rule. A TCP SYN opens a flow of its own and is judged
/// by [`untracked`] alone.
pub fn answers_untracked(
    all: &[SecurityGroup],
    groups: &[SgId],
    dir: Direction,
    p: &FlowView,
    members: &Members,
    prefix_lists: &[Vec<Ipv4Net>],
) -> bool {
    let opens = p.tcp_flags & tcp_flags::SYN != 0 && p.tcp_flags & tcp_flags::ACK == 0;
    if !(p.proto == PROTO_UDP || p.proto == PROTO_TCP && !opens) {
        return false;
    }
    let back = FlowView {
        src: p.dst,
        dst: p.src,
        src_port: p.dst_port,
        dst_port: p.src_port,
        ..*p
    };
    let (other, remote) = match dir {
        Direction::Ingress => (Direction::Egress, p.src),
        Direction::Egress => (Direction::Ingress, p.dst),
    };
    evaluate(
        all,
        groups,
        other,
        &back,
        u32::from(remote),
        members,
        prefix_lists,
    )
    .is_some_and(|m| untracked(all, groups, &m, other, p.proto))
}

// -- the security group step ------------------------------------------------

impl<T: super::Trace> super::forward::Cx<'_, T> {
    /// The security groups of ENI `e` for a packet going `dir` (SG-1..SG-4):
    /// the rule that lets it pass (its tracked flow, or an allowing rule), or
    /// `None`. A packet that starts a newly allowed flow tracks it unless the
    /// flow is untracked (SG-4) and `always_tracked` does not say otherwise
    /// (SG-4a); no other packet starts tracking (SG-4b).
    pub(super) fn security_groups(
        &mut self,
        e: crate::model::EniId,
        dir: Direction,
        p: &FlowView,
        sender: Sender,
        always_tracked: impl FnOnce(&Self) -> bool,
    ) -> Option<super::Rule> {
        use super::conntrack::{Lookup, starts_flow};
        let outbound = dir == Direction::Egress;
        let known = self.st.conntrack.lookup(e, p, outbound, self.now);
        if known == Lookup::Tracked {
            return Some(super::Rule::Tracked);
        }
        let peer = Remote {
            ip: u32::from(if outbound { p.dst } else { p.src }),
            sender,
        };
        let st = &*self.st;
        let groups = &st.eni_sgs[e.idx()];
        let m = evaluate(&st.sgs, groups, dir, p, peer, &st.members, &st.prefix_lists)?;
        let rule = super::Rule::Sg {
            group: m.group,
            ingress: !outbound,
            index: m.rule,
        };
        // SG-4b: a flow known to be untracked, or a TCP packet other than the
        // SYN that opens a connection, never starts tracking.
        if known == Lookup::Untracked || !starts_flow(p) {
            return Some(rule);
        }
        if always_tracked(self) {
            self.st.conntrack.track(e, p, outbound, self.now);
            return Some(rule);
        }
        // SG-4: untracked when this packet opens such a flow, or answers a
        // UDP flow opened the other way.
        let st = &*self.st;
        let untracked = untracked(&st.sgs, groups, &m, dir, p.proto)
            || answers_untracked(&st.sgs, groups, dir, p, &st.members, &st.prefix_lists);
        if !untracked {
            self.st.conntrack.track(e, p, outbound, self.now);
        } else if p.proto == PROTO_UDP {
            self.st.conntrack.mark_untracked(e, p, outbound, self.now);
        }
        Some(rule)
    }

    /// Whether the packet's path goes through a NAT gateway or a DynamoDB
    /// gateway endpoint, or ends at an interface endpoint (SG-4a).
    pub(super) fn via_tracked_hop(&self, subnet: crate::model::SubnetId, p: &FlowView) -> bool {
        use crate::model::{EndpointKind, EniOwner, Target};
        let vpc = self.d.subnets[subnet.idx()].vpc;
        if let Some(x) = self.st.eni_at(vpc, p.dst) {
            if matches!(self.d.enis[x.idx()].owner, EniOwner::Endpoint(_)) {
                return true;
            }
        }
        let rt = self.st.subnet_rt[subnet.idx()];
        let table = &self.st.tables[rt.idx()];
        table
            .lookup(u32::from(p.dst))
            .is_some_and(|i| match table.entry(i).target {
                Target::Nat(_) => true,
                Target::Endpoint(ep) => {
                    let ep = &self.d.endpoints[ep.idx()];
                    matches!(ep.kind, EndpointKind::Gateway { .. }) && ep.service == "dynamodb"
                }
                _ => false,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IcmpMatch, VpcId};
    use crate::packet::{Fragment, PROTO_ICMP};
    use crate::units::{PortRange, Protocol};
    use std::net::Ipv4Addr;

    const ANY_ICMP: IcmpMatch = IcmpMatch {
        icmp_type: None,
        code: None,
    };

    fn rule(proto: Protocol, ports: &str, peer: Peer) -> SgRule {
        SgRule {
            protocol: proto,
            ports: crate::units::parse_ports(ports).unwrap(),
            icmp: ANY_ICMP,
            peer,
        }
    }

    fn cidr(s: &str) -> Peer {
        Peer::Cidr(s.parse().unwrap())
    }

    fn group(ingress: Vec<SgRule>, egress: Vec<SgRule>) -> SecurityGroup {
        SecurityGroup {
            name: "g".into(),
            vpc: VpcId(0),
            ingress,
            egress,
        }
    }

    fn pkt(src: [u8; 4], dst: [u8; 4], proto: u8, dport: u16) -> FlowView {
        FlowView {
            src: Ipv4Addr::from(src),
            dst: Ipv4Addr::from(dst),
            proto,
            ttl: 64,
            src_port: 40000,
            dst_port: dport,
            icmp_type: 8,
            icmp_code: 0,
            tcp_flags: 0,
            fragment: Fragment::None,
            total_len: 40,
            payload_len: 0,
            header_len: 20,
        }
    }

    fn ip(a: [u8; 4]) -> u32 {
        u32::from(Ipv4Addr::from(a))
    }

    #[test]
    fn sg_1_union_of_groups_and_default_deny() {
        let all = vec![
            group(vec![rule(Protocol::TCP, "22", cidr("10.0.0.0/24"))], vec![]),
            group(vec![rule(Protocol::TCP, "443", cidr("0.0.0.0/0"))], vec![]),
        ];
        let m = Members::default();
        let both = [SgId(0), SgId(1)];
        let ssh = pkt([10, 0, 0, 9], [10, 0, 1, 5], PROTO_TCP, 22);
        let https = pkt([1, 2, 3, 4], [10, 0, 1, 5], PROTO_TCP, 443);
        let http = pkt([1, 2, 3, 4], [10, 0, 1, 5], PROTO_TCP, 80);
        assert!(
            evaluate(
                &all,
                &both,
                Direction::Ingress,
                &ssh,
                ip([10, 0, 0, 9]),
                &m,
                &[]
            )
            .is_some()
        );
        assert!(
            evaluate(
                &all,
                &both,
                Direction::Ingress,
                &https,
                ip([1, 2, 3, 4]),
                &m,
                &[]
            )
            .is_some()
        );
        assert!(
            evaluate(
                &all,
                &both,
                Direction::Ingress,
                &http,
                ip([1, 2, 3, 4]),
                &m,
                &[]
            )
            .is_none()
        );
        // SSH from outside the /24 is not allowed by either group.
        let ssh_far = pkt([10, 0, 9, 9], [10, 0, 1, 5], PROTO_TCP, 22);
        assert!(
            evaluate(
                &all,
                &both,
                Direction::Ingress,
                &ssh_far,
                ip([10, 0, 9, 9]),
                &m,
                &[]
            )
            .is_none()
        );
    }

    #[test]
    fn sg_2_group_reference_matches_members_by_private_ip() {
        let all = vec![
            group(
                vec![rule(Protocol::TCP, "5432", Peer::Group(SgId(1)))],
                vec![],
            ),
            group(vec![], vec![]),
        ];
        let members = Members {
            by_group: vec![vec![], vec![ip([10, 0, 1, 7])]],
            ..Members::default()
        };
        let from_member = pkt([10, 0, 1, 7], [10, 0, 2, 5], PROTO_TCP, 5432);
        let from_other = pkt([10, 0, 1, 8], [10, 0, 2, 5], PROTO_TCP, 5432);
        let g = [SgId(0)];
        assert!(
            evaluate(
                &all,
                &g,
                Direction::Ingress,
                &from_member,
                ip([10, 0, 1, 7]),
                &members,
                &[]
            )
            .is_some()
        );
        assert!(
            evaluate(
                &all,
                &g,
                Direction::Ingress,
                &from_other,
                ip([10, 0, 1, 8]),
                &members,
                &[]
            )
            .is_none()
        );
    }

    #[test]
    fn sg_2_prefix_list_peer() {
        let all = vec![group(
            vec![],
            vec![rule(
                Protocol::TCP,
                "443",
                Peer::PrefixList(crate::model::PrefixListId(0)),
            )],
        )];
        let lists = vec![vec!["52.216.0.0/15".parse().unwrap()]];
        let to_s3 = pkt([10, 0, 1, 5], [52, 217, 1, 1], PROTO_TCP, 443);
        let elsewhere = pkt([10, 0, 1, 5], [52, 218, 1, 1], PROTO_TCP, 443);
        let m = Members::default();
        assert!(
            evaluate(
                &all,
                &[SgId(0)],
                Direction::Egress,
                &to_s3,
                ip([52, 217, 1, 1]),
                &m,
                &lists
            )
            .is_some()
        );
        assert!(
            evaluate(
                &all,
                &[SgId(0)],
                Direction::Egress,
                &elsewhere,
                ip([52, 218, 1, 1]),
                &m,
                &lists
            )
            .is_none()
        );
    }

    #[test]
    fn sg_4_untracked_needs_open_rule_and_open_other_direction() {
        let open_out = rule(Protocol::All, "all", cidr("0.0.0.0/0"));
        let all = vec![group(
            vec![
                rule(Protocol::TCP, "80", cidr("0.0.0.0/0")),
                rule(Protocol::TCP, "22", cidr("203.0.113.5/32")),
            ],
            vec![open_out],
        )];
        let m = Members::default();
        let g = [SgId(0)];
        let web = pkt([1, 2, 3, 4], [10, 0, 1, 5], PROTO_TCP, 80);
        let hit = evaluate(
            &all,
            &g,
            Direction::Ingress,
            &web,
            ip([1, 2, 3, 4]),
            &m,
            &[],
        )
        .unwrap();
        assert!(untracked(&all, &g, &hit, Direction::Ingress, PROTO_TCP));
        let ssh = pkt([203, 0, 113, 5], [10, 0, 1, 5], PROTO_TCP, 22);
        let hit = evaluate(
            &all,
            &g,
            Direction::Ingress,
            &ssh,
            ip([203, 0, 113, 5]),
            &m,
            &[],
        )
        .unwrap();
        assert!(!untracked(&all, &g, &hit, Direction::Ingress, PROTO_TCP));
    }

    #[test]
    fn sg_4_reply_of_an_untracked_inbound_flow_is_untracked() {
        let all = vec![group(
            vec![
                rule(Protocol::TCP, "443", cidr("0.0.0.0/0")),
                rule(Protocol::TCP, "22", cidr("203.0.113.5/32")),
            ],
            vec![rule(Protocol::All, "all", cidr("0.0.0.0/0"))],
        )];
        let m = Members::default();
        let g = [SgId(0)];
        let mut reply = pkt([10, 0, 1, 5], [1, 2, 3, 4], PROTO_TCP, 40000);
        reply.src_port = 443;
        reply.tcp_flags = tcp_flags::SYN | tcp_flags::ACK;
        assert!(answers_untracked(
            &all,
            &g,
            Direction::Egress,
            &reply,
            &m,
            &[]
        ));
        // The same ports opening a connection outbound: its own flow, which
        // the inbound rules do not leave untracked.
        let mut opens = reply;
        opens.tcp_flags = tcp_flags::SYN;
        assert!(!answers_untracked(
            &all,
            &g,
            Direction::Egress,
            &opens,
            &m,
            &[]
        ));
        // The reply of SSH admitted from a /32 belongs to a tracked flow.
        let mut ssh = pkt([10, 0, 1, 5], [203, 0, 113, 5], PROTO_TCP, 40000);
        ssh.src_port = 22;
        ssh.tcp_flags = tcp_flags::ACK;
        assert!(!answers_untracked(
            &all,
            &g,
            Direction::Egress,
            &ssh,
            &m,
            &[]
        ));
    }

    #[test]
    fn sg_4_icmp_is_always_tracked() {
        let all = vec![group(
            vec![rule(Protocol::ICMP, "all", cidr("0.0.0.0/0"))],
            vec![rule(Protocol::All, "all", cidr("0.0.0.0/0"))],
        )];
        let m = Members::default();
        let ping = pkt([1, 2, 3, 4], [10, 0, 1, 5], PROTO_ICMP, 0);
        let hit = evaluate(
            &all,
            &[SgId(0)],
            Direction::Ingress,
            &ping,
            ip([1, 2, 3, 4]),
            &m,
            &[],
        )
        .unwrap();
        assert!(!untracked(
            &all,
            &[SgId(0)],
            &hit,
            Direction::Ingress,
            PROTO_ICMP
        ));
        let _ = PortRange::ALL;
    }

    #[test]
    fn sg_10_icmp_type_and_code_match() {
        let mut r = rule(Protocol::ICMP, "all", cidr("0.0.0.0/0"));
        r.icmp = IcmpMatch {
            icmp_type: Some(3),
            code: Some(4),
        };
        let all = vec![group(vec![r], vec![])];
        let m = Members::default();
        let mut frag_needed = pkt([1, 2, 3, 4], [10, 0, 1, 5], PROTO_ICMP, 0);
        frag_needed.icmp_type = 3;
        frag_needed.icmp_code = 4;
        assert!(
            evaluate(
                &all,
                &[SgId(0)],
                Direction::Ingress,
                &frag_needed,
                ip([1, 2, 3, 4]),
                &m,
                &[]
            )
            .is_some()
        );
        frag_needed.icmp_code = 3;
        assert!(
            evaluate(
                &all,
                &[SgId(0)],
                Direction::Ingress,
                &frag_needed,
                ip([1, 2, 3, 4]),
                &m,
                &[]
            )
            .is_none()
        );
    }
}
