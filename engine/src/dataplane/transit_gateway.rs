//! Transit gateways (TGW-1..TGW-7, TGW-9, TGW-10, TGW-12..TGW-14): a regional
//! router between VPC, VPN and peering attachments.
//!
//! Invariants (rule ids of `docs/aws-rules.md`):
//! - A VPC route whose target is a transit gateway hands the packet to the
//!   VPC attachment's ENI in the source subnet's Availability Zone; with no
//!   attachment subnet in that AZ the packet cannot reach the transit gateway
//!   and is dropped at the route table with `no_route` (TGW-2).
//! - A packet arriving from an attachment is routed by the one transit
//!   gateway route table the attachment is associated with (none: `no_route`
//!   at the transit gateway), by longest prefix; for one prefix a static route
//!   beats a prefix-list route, which beats one propagated from a VPC, which
//!   beats one propagated from a VPN; a blackhole
//!   route drops with `route_blackhole`, no route with `no_route`, both at
//!   that route table (TGW-3, TGW-4).
//! - A VPC attachment propagates its VPC's CIDRs into the tables it
//!   propagates to (TGW-3).
//! - The packet leaves through the destination attachment's ENI in the AZ it
//!   entered, when the attachment has a subnet there; else through its first
//!   subnet in the order written (TGW-2). With appliance mode on the
//!   destination attachment, a symmetric hash of the flow picks the ENI, so
//!   that both directions of a flow use the same AZ (TGW-6).
//! - From the exit ENI the packet is routed by the route table of the
//!   attachment's subnet, like any packet leaving that subnet.
//! - Network ACLs apply at attachment ENIs as AWS's table says (TGW-5):
//!   instance to transit gateway, the instance subnet's outbound rules and
//!   the attachment subnet's inbound rules, also when they are one subnet;
//!   transit gateway to instance, the attachment subnet's outbound rules and
//!   the instance subnet's inbound rules, none when they are one subnet.
//! - Security groups do not apply to attachment ENIs; a flow through an
//!   attachment is tracked, or not, by the groups' rules at each end, like
//!   any other (TGW-5, SG-4).
//! - A VPN attachment (TGW-9) has no ENI: a packet from on-premises enters
//!   by it and is routed by its associated table; a packet routed to it
//!   goes to the on-premises network behind it that has its destination
//!   (`no_route` at the attachment otherwise), over a 1500-byte link
//!   (MTU-1) with no ICMP for a DF packet too long (MTU-4). With BGP
//!   routing it propagates its networks' prefixes, with static routing
//!   nothing. From a VPN attachment (no AZ) the packet leaves a VPC
//!   attachment by its first subnet, or by the flow hash in appliance mode.
//! - While every tunnel of an on-premises network's VPN is down, a BGP VPN
//!   attachment propagates none of its prefixes (the timeline's `tunnels`
//!   recompiles the tables); a packet that then finds no route is dropped
//!   at the table naming the withdrawal; a static route to the attachment
//!   stays, and the attachment drops its packets with `vpn_tunnel_down`
//!   (TGW-12, `vpn.rs`).
//! - A peering attachment (TGW-10) carries static routes only: a packet
//!   routed to it crosses to the peer transit gateway after the cross-AZ
//!   latency and is routed there by the table the peer attachment is
//!   associated with; with either side deleted the route is a blackhole.
//!   From a peering attachment (no AZ) the packet leaves a VPC attachment
//!   by its first subnet, or by the flow hash in appliance mode.
//! - A packet over 8500 bytes entering by a VPC attachment's ENI or a
//!   peering attachment is fragmented, or with DF set dropped with
//!   `packet_too_big`; at a VPC attachment it is answered with ICMP
//!   "fragmentation needed", at a peering attachment not (TGW-7, MTU-4;
//!   `dataplane::mtu`).
//! - A TCP SYN or SYN-ACK crossing the transit gateway has its MSS option
//!   lowered to the smaller MTU of the attachments in and out less 40
//!   (8460, or 1460 with a VPN attachment), the checksum fixed (TGW-7).
//! - Crossing the transit gateway takes the cross-AZ latency and decrements
//!   TTL (TGW-7). Capacity: 100 Gbps and 7,500,000 packets per second per
//!   attachment per AZ (TGW-7), served at each attachment ENI.
//! - Behind a VPN attachment each tunnel of a VPN connection is a server of
//!   1.25 Gbps and 140,000 packets per second each way; a flow takes one
//!   tunnel (`Loc::VpnTunnel`): the symmetric flow hash picks among the
//!   tunnels up with ECMP (BGP towards on-premises; always from
//!   on-premises), else the first up (TGW-13, `vpn_tunnel`).
//! - What crosses a peering into one side is a server of 100 Gbps and
//!   7,500,000 packets per second per AZ the sending transit gateway's VPC
//!   attachments are in, at least one (TGW-14, `peering_capacity`).

use ipnet::Ipv4Net;

use super::forward::{Cx, comp};
use super::{AwsRule, Capacity, Gateway, Loc, Rule, Step, Trace};
use crate::lpm::Lpm;
use crate::model::*;
use crate::packet::{self, FlowView};

/// TGW-7: per VPC attachment per AZ.
pub const CAPACITY: Capacity = Capacity::fixed(100_000_000_000, 7_500_000, 4096);

/// TGW-13: one tunnel of a Site-to-Site VPN connection, each way.
pub const VPN_TUNNEL: Capacity = Capacity::fixed(1_250_000_000, 140_000, 1024);

/// TGW-14: what a peering carries into the side `a` (one direction): 100
/// Gbps and 7,500,000 packets per second per Availability Zone of the
/// Region, the zones being those the design shows of the transit gateway
/// it comes from (the subnets of its VPC attachments; at least one).
pub fn peering_capacity(d: &Design, a: TgwAttachmentId) -> Capacity {
    let from = d.tgw_attachments[a.idx()]
        .peer()
        .map_or(d.tgw_attachments[a.idx()].tgw, |p| {
            d.tgw_attachments[p.idx()].tgw
        });
    let mut zones: Vec<&str> = d
        .tgw_attachments
        .iter()
        .filter(|x| x.tgw == from)
        .filter_map(|x| match &x.kind {
            TgwAttachmentKind::Vpc { subnets, .. } => Some(subnets),
            _ => None,
        })
        .flatten()
        .map(|s| d.subnets[s.idx()].az.as_str())
        .collect();
    zones.sort_unstable();
    zones.dedup();
    let n = zones.len().max(1) as u64;
    Capacity::fixed(
        CAPACITY.bits_per_sec * n,
        CAPACITY.packets_per_sec * n,
        CAPACITY.queue,
    )
}

/// The tunnel of on-premises network `net`'s VPN connection that carries
/// a packet of flow `p` over a transit gateway's VPN attachment (TGW-13),
/// of `up` (the tunnels up, in order; a connection that states none has
/// two, both up): with ECMP (BGP routing, or towards AWS, where the
/// customer gateway uses both tunnels) the flow hash picks one, the same
/// both ways; else the first.
#[inline]
pub fn vpn_tunnel(link: &VpnLink, ecmp: bool, p: &FlowView) -> (u8, u8) {
    let (up, first) = if link.tunnels.is_empty() {
        (2u8, 0u8)
    } else {
        let up = link.tunnels.iter().filter(|t| t.1).count() as u8;
        let first = link.tunnels.iter().position(|t| t.1).unwrap_or(0) as u8;
        (up, first)
    };
    if !ecmp || up < 2 {
        return (first, up);
    }
    ((symmetric_flow_hash(p) % u64::from(up)) as u8, up)
}

/// Where a transit gateway route comes from, in order of priority among
/// routes of the same prefix (TGW-4): static, prefix list, propagated from
/// a VPC, propagated from a VPN (BGP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Static,
    PrefixList,
    Propagated,
    PropagatedVpn,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub prefix: Ipv4Net,
    pub dest: RouteDest,
    /// `None`: a blackhole.
    pub target: Option<TgwAttachmentId>,
    pub origin: Origin,
}

/// A transit gateway route table, compiled for longest-prefix match.
#[derive(Clone, Debug, Default)]
pub struct Compiled {
    lpm: Lpm<u32>,
    pub entries: Vec<Entry>,
}

impl Compiled {
    /// Compiles a table from its (possibly changed) static routes and the
    /// attachments that propagate into it now.
    pub fn build(
        design: &Design,
        routes: &[TgwRoute],
        prefix_lists: &[Vec<Ipv4Net>],
        propagating: &[TgwAttachmentId],
        vpn_links: &[VpnLink],
    ) -> Compiled {
        let mut candidates: Vec<Entry> = Vec::new();
        for r in routes {
            match r.dest {
                RouteDest::Cidr(c) => candidates.push(Entry {
                    prefix: c,
                    dest: r.dest,
                    target: r.target,
                    origin: Origin::Static,
                }),
                RouteDest::PrefixList(p) => {
                    for c in prefix_lists.get(p.idx()).into_iter().flatten() {
                        candidates.push(Entry {
                            prefix: *c,
                            dest: r.dest,
                            target: r.target,
                            origin: Origin::PrefixList,
                        });
                    }
                }
            }
        }
        for a in propagating {
            let origin = match design.tgw_attachments[a.idx()].kind {
                TgwAttachmentKind::Vpn { .. } => Origin::PropagatedVpn,
                _ => Origin::Propagated,
            };
            let cidrs: Vec<Ipv4Net> = match &design.tgw_attachments[a.idx()].kind {
                TgwAttachmentKind::Vpc { vpc, .. } => design.vpcs[vpc.idx()].cidrs.clone(),
                // TGW-9: BGP routes propagate, static VPN routes do not;
                // with every tunnel of a network's VPN down, BGP withdrew
                // its routes (TGW-12).
                TgwAttachmentKind::Vpn {
                    networks,
                    bgp: true,
                } => networks
                    .iter()
                    .filter(|n| vpn_links[n.idx()].carries())
                    .flat_map(|n| design.onprem_nets[n.idx()].cidrs.iter().copied())
                    .collect(),
                // TGW-10: a peering attachment propagates nothing (the
                // loader refuses it).
                TgwAttachmentKind::Vpn { bgp: false, .. } | TgwAttachmentKind::Peering { .. } => {
                    Vec::new()
                }
            };
            for c in cidrs {
                candidates.push(Entry {
                    prefix: c,
                    dest: RouteDest::Cidr(c),
                    target: Some(*a),
                    origin,
                });
            }
        }
        // Best origin per prefix; among equals the first (static routes as
        // written, propagations in attachment order) wins. The sort is stable.
        candidates.sort_by_key(|e| {
            (
                u32::from(e.prefix.network()),
                e.prefix.prefix_len(),
                e.origin,
            )
        });
        candidates.dedup_by_key(|e| e.prefix);
        let lpm = Lpm::from_prefixes(
            candidates
                .iter()
                .enumerate()
                .map(|(i, e)| (e.prefix, i as u32)),
        );
        Compiled {
            lpm,
            entries: candidates,
        }
    }

    #[inline]
    pub fn lookup(&self, addr: u32) -> Option<u32> {
        self.lpm.lookup_u32(addr)
    }

    pub fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }
}

/// `10.1.0.0/16 -> att-b (propagated from att-b)`: how a route reads in a
/// trace.
pub fn describe(design: &Design, e: &Entry) -> String {
    let dest = match e.dest {
        RouteDest::PrefixList(p) => format!("{} ({})", design.prefix_lists[p.idx()].name, e.prefix),
        RouteDest::Cidr(c) => c.to_string(),
    };
    match (e.target, e.origin) {
        (None, _) => format!("{dest} -> blackhole (static)"),
        (Some(a), Origin::Propagated | Origin::PropagatedVpn) => {
            let n = &design.tgw_attachments[a.idx()].name;
            format!("{dest} -> {n} (propagated from {n})")
        }
        (Some(a), Origin::Static | Origin::PrefixList) => format!(
            "{dest} -> {} (static)",
            design.tgw_attachments[a.idx()].name
        ),
    }
}

/// A hash of a flow that is the same in both directions (TGW-6).
#[inline]
pub fn symmetric_flow_hash(p: &FlowView) -> u64 {
    let (a, b) = (u32::from(p.src), u32::from(p.dst));
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let (pa, pb) = if p.src_port <= p.dst_port {
        (p.src_port, p.dst_port)
    } else {
        (p.dst_port, p.src_port)
    };
    let mut h = (u64::from(lo) << 32 | u64::from(hi)) ^ 0x9e37_79b9_7f4a_7c15;
    h = (h ^ (h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= u64::from(pa) << 24 | u64::from(pb) << 8 | u64::from(p.proto);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The key of the entry ENI of a transit gateway for a subnet.
#[inline]
pub(super) fn entry_key(tgw: TgwId, subnet: SubnetId) -> u64 {
    (u64::from(tgw.0) << 32) | u64::from(subnet.0)
}

/// The attachment ENI through which packets from each subnet enter each
/// transit gateway: the ENI of the subnet's VPC attachment in the subnet's
/// AZ (TGW-2). Subnets in an AZ the attachment has no subnet in are absent.
pub(super) fn entry_enis(d: &Design) -> crate::hashing::FastMap<u64, EniId> {
    let mut out = crate::hashing::FastMap::default();
    for a in &d.tgw_attachments {
        let TgwAttachmentKind::Vpc {
            vpc, subnets, enis, ..
        } = &a.kind
        else {
            continue;
        };
        for s in &d.vpcs[vpc.idx()].subnets {
            let zone = d.subnets[s.idx()].zone;
            if let Some(i) = subnets.iter().position(|x| d.subnets[x.idx()].zone == zone) {
                out.insert(entry_key(a.tgw, *s), enis[i]);
            }
        }
    }
    out
}

/// Availability Zones as small numbers, per ENI (empty without transit
/// gateways: nothing else asks).
pub(super) fn eni_azs(d: &Design) -> Vec<u16> {
    if d.tgws.is_empty() {
        return Vec::new();
    }
    d.enis
        .iter()
        .map(|e| d.subnets.get(e.subnet.idx()).map_or(0, |s| s.zone.0 as u16))
        .collect()
}

impl<T: Trace> Cx<'_, T> {
    /// A packet at VPN attachment `a` (TGW-9): from on-premises into the
    /// transit gateway, routed by the attachment's route table; or out of
    /// it to the on-premises network behind the attachment that has its
    /// destination.
    pub(super) fn vpn_attachment(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        a: TgwAttachmentId,
        to_onprem: bool,
    ) -> Step {
        if to_onprem {
            let place = comp(Component::TgwAttachment(a));
            return self.over_vpn(buf, place, p, OnpremVia::TgwAttachment(a));
        }
        self.transit_gateway(buf, p, a, None, None)
    }

    /// A packet handed to the transit gateway by attachment `a`, through its
    /// ENI `x` for a VPC attachment, or from on-premises for a VPN
    /// attachment (`None`) (TGW-3, TGW-4, TGW-9): the associated route table
    /// decides the attachment it leaves by, and for a VPC attachment the AZ
    /// it leaves in (TGW-2, TGW-6).
    ///
    /// `sender`: the VPC of the ENI that sent the packet into attachment
    /// `a`'s ENI, when it sent it itself; with security group referencing
    /// on the transit gateway and on both VPC attachments, the identity
    /// goes along to the destination VPC (TGW-11).
    pub(super) fn transit_gateway(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        a: TgwAttachmentId,
        x: Option<EniId>,
        sender: Option<VpcId>,
    ) -> Step {
        let d = self.d;
        let tgw = d.tgw_attachments[a.idx()].tgw;
        self.seen_gateway(Gateway::Tgw(tgw), false, false, buf);
        if x.is_none() {
            self.seen_attachment(a, true, buf);
        }
        let enters = match (x, &d.tgw_attachments[a.idx()].kind) {
            (Some(eni), _) => Rule::TgwEni {
                eni,
                entering: true,
            },
            (None, TgwAttachmentKind::Peering { .. }) => Rule::Aws(AwsRule::TgwFromPeer),
            (None, _) => Rule::Aws(AwsRule::TgwFromVpn),
        };
        self.forward(comp(Component::TgwAttachment(a)), enters, p);
        let place = comp(Component::Tgw(tgw));
        let Some(rt) = self.st.tgw_assoc[a.idx()] else {
            return self.drop(
                place,
                Rule::Aws(AwsRule::TgwNoAssociation),
                p,
                DropReason::NoRoute,
            );
        };
        self.forward(
            place,
            Rule::TgwAssociation {
                attachment: a,
                table: rt,
            },
            p,
        );
        let rt_place = comp(Component::TgwRouteTable(rt));
        let table = &self.st.tgw_tables[rt.idx()];
        let Some(i) = table.lookup(u32::from(p.dst)) else {
            let rule = match self.withdrawn(rt, p.dst) {
                Some(net) => Rule::BgpWithdrawn { net },
                None => Rule::Aws(AwsRule::TgwNoRoute),
            };
            return self.drop(rt_place, rule, p, DropReason::NoRoute);
        };
        let rule = Rule::TgwRoute {
            table: rt,
            entry: i,
        };
        // A peering is gone when either side of it is (TGW-10).
        let alive = |o: TgwAttachmentId| {
            self.st.alive.tgw_attachment[o.idx()]
                && d.tgw_attachments[o.idx()]
                    .peer()
                    .is_none_or(|q| self.st.alive.tgw_attachment[q.idx()])
        };
        let out = match table.entry(i).target {
            Some(out) if alive(out) => out,
            _ => return self.drop(rt_place, rule, p, DropReason::RouteBlackhole),
        };
        match packet::decrement_ttl(buf) {
            Ok(0) | Err(_) => {
                return self.drop(
                    rt_place,
                    Rule::Aws(AwsRule::TtlExpiredAtTgw),
                    p,
                    DropReason::TtlExpired,
                );
            }
            Ok(_) => {}
        }
        // TGW-7: MSS clamping, to what the smaller MTU of the attachments in
        // and out carries.
        if p.proto == packet::PROTO_TCP && p.tcp_flags & packet::tcp_flags::SYN != 0 {
            let link = |x: TgwAttachmentId| match d.tgw_attachments[x.idx()].kind {
                TgwAttachmentKind::Vpn { .. } => mtu::VPN,
                _ => mtu::TRANSIT_GATEWAY,
            };
            let _ = packet::clamp_mss(buf, link(a).min(link(out)) - 40);
        }
        self.forward(rt_place, rule, p);
        if let TgwAttachmentKind::Peering { peer, inter_region } = d.tgw_attachments[out.idx()].kind
        {
            self.forward(
                comp(Component::TgwAttachment(out)),
                Rule::Aws(AwsRule::TgwToPeer),
                p,
            );
            self.seen_gateway(Gateway::Tgw(tgw), true, false, buf);
            self.seen_attachment(out, false, buf);
            let link = if inter_region {
                d.inter_region_link
            } else {
                LinkId::CROSS_AZ
            };
            return Step::Next {
                loc: Loc::TgwPeering { attachment: peer },
                delay: d.delay(link),
            };
        }
        if let TgwAttachmentKind::Vpn { .. } = d.tgw_attachments[out.idx()].kind {
            self.forward(
                comp(Component::TgwAttachment(out)),
                Rule::Aws(AwsRule::TgwToVpn),
                p,
            );
            self.seen_gateway(Gateway::Tgw(tgw), true, false, buf);
            self.seen_attachment(out, false, buf);
            return Step::Next {
                loc: Loc::VpnAttachment {
                    attachment: out,
                    to_onprem: true,
                },
                delay: d.delay(LinkId::CROSS_AZ),
            };
        }
        let exit = self.exit_eni(out, x, &p);
        self.forward(
            comp(Component::TgwAttachment(out)),
            Rule::TgwEni {
                eni: exit,
                entering: false,
            },
            p,
        );
        self.seen_gateway(Gateway::Tgw(tgw), true, false, buf);
        let atts = &d.tgw_attachments;
        let loc = match sender {
            Some(sender)
                if d.tgws[tgw.idx()].sg_referencing
                    && atts[a.idx()].sg_referencing()
                    && atts[out.idx()].sg_referencing() =>
            {
                Loc::TgwExit { eni: exit, sender }
            }
            _ => Loc::EniOut(exit),
        };
        Step::Next {
            loc,
            delay: d.delay(LinkId::CROSS_AZ),
        }
    }

    /// The on-premises network holding `dst` whose BGP routes table `rt`
    /// would hold but for every tunnel of its VPN being down (TGW-12): a
    /// network behind a BGP VPN attachment that propagates into `rt`. Only
    /// asked on a drop.
    fn withdrawn(&self, rt: TgwRouteTableId, dst: std::net::Ipv4Addr) -> Option<OnpremNetId> {
        let net = self.st.onprem_net_at(dst)?;
        let OnpremVia::TgwAttachment(a) = self.d.onprem_nets[net.idx()].via else {
            return None;
        };
        let bgp = matches!(
            self.d.tgw_attachments[a.idx()].kind,
            TgwAttachmentKind::Vpn { bgp: true, .. }
        );
        (bgp && !self.st.vpn_links[net.idx()].carries() && self.st.tgw_props[rt.idx()].contains(&a))
            .then_some(net)
    }

    /// Reports a packet crossing VPN or peering attachment `a`, when the
    /// trace wants it (TGW-8).
    #[inline]
    fn seen_attachment(&mut self, a: TgwAttachmentId, into_tgw: bool, bytes: &[u8]) {
        if self.tr.wants_packets() {
            self.tr.seen(super::Seen::Attachment {
                attachment: a,
                into_tgw,
                bytes,
            });
        }
    }

    /// The ENI of VPC attachment `out` a packet that entered through
    /// `entry` leaves by (TGW-2, TGW-6); from a VPN attachment (no entry
    /// ENI, no AZ), the attachment's first subnet in the order written.
    fn exit_eni(&self, out: TgwAttachmentId, entry: Option<EniId>, p: &FlowView) -> EniId {
        let enis = self.d.tgw_attachments[out.idx()].enis();
        if self.st.tgw_appliance[out.idx()] {
            return enis[(symmetric_flow_hash(p) % enis.len() as u64) as usize];
        }
        let Some(entry) = entry else {
            return enis[0];
        };
        let az = self.st.eni_az[entry.idx()];
        enis.iter()
            .copied()
            .find(|e| self.st.eni_az[e.idx()] == az)
            .unwrap_or(enis[0])
    }

    /// The attachment ENI a packet from subnet `s` enters transit gateway
    /// `t` through, if the attachment has a subnet in its AZ (TGW-2).
    #[inline]
    pub(super) fn tgw_entry(&self, t: TgwId, s: SubnetId) -> Option<EniId> {
        self.st.tgw_entry.get(&entry_key(t, s)).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn view(src: [u8; 4], sport: u16, dst: [u8; 4], dport: u16) -> FlowView {
        FlowView {
            src: Ipv4Addr::from(src),
            dst: Ipv4Addr::from(dst),
            proto: packet::PROTO_TCP,
            ttl: 64,
            src_port: sport,
            dst_port: dport,
            icmp_type: 0,
            icmp_code: 0,
            tcp_flags: 0,
            fragment: packet::Fragment::None,
            total_len: 40,
            payload_len: 0,
            header_len: 20,
        }
    }

    #[test]
    fn tgw_6_flow_hash_is_the_same_both_ways() {
        for (a, b, sp, dp) in [
            ([10, 1, 0, 5], [10, 2, 0, 9], 40000, 443),
            ([10, 2, 0, 9], [10, 1, 0, 5], 443, 40000),
            ([192, 168, 1, 1], [10, 0, 0, 1], 5, 6),
        ] {
            assert_eq!(
                symmetric_flow_hash(&view(a, sp, b, dp)),
                symmetric_flow_hash(&view(b, dp, a, sp))
            );
        }
        // Different flows spread.
        let hashes: std::collections::BTreeSet<u64> = (0..64u16)
            .map(|i| symmetric_flow_hash(&view([10, 1, 0, 5], 40000 + i, [10, 2, 0, 9], 443)) % 2)
            .collect();
        assert_eq!(hashes.len(), 2);
    }
}
