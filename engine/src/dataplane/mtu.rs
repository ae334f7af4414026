//! Link MTUs: what happens to a packet longer than the link it is about to
//! cross (MTU-1..MTU-4).
//!
//! Invariants (rule ids of `docs/aws-rules.md`):
//! - Each place a packet enters has the MTU of the link into it, known when
//!   the design is built (`model::mtu`): an internet gateway 1500, a VPN
//!   gateway 1500, a peering 9001 or 8500 across Regions, a transit
//!   gateway's VPC attachment ENI and peering attachment 8500 (TGW-7), a
//!   VPN attachment 1500, a gateway
//!   endpoint and an interface endpoint's ENI 8500, an ENI sending its
//!   interface's MTU (MTU-1, MTU-2). Nothing else limits a packet.
//! - A packet no longer than the design's smallest MTU is never looked at
//!   again: one comparison per hop.
//! - A longer packet with DF clear is fragmented there (MTU-3): the first
//!   fragment goes on in place of the packet, the others follow it from the
//!   same place as part of the same item.
//! - A longer packet with DF set is dropped (`packet_too_big`). An internet
//!   gateway, a peering, a VPN gateway and a transit gateway at a VPC
//!   attachment answer ICMP "fragmentation needed"
//!   (type 3 code 4, the next-hop MTU filled in) to its source, from the
//!   address it was sent to, entering the sender's VPC the way the packet
//!   left it, so the sender's network ACL and security groups judge it
//!   (MTU-4, SG-10). VPC endpoints drop in silence (IFE-5); so does an ENI
//!   asked to send more than its interface MTU (the host's own stack refuses
//!   it; vpcsim's hosts never try).
//! - A later fragment carries no ports; security groups, network ACLs and
//!   NAT see it with the ports of its datagram's first fragment, remembered
//!   per (source, destination, protocol, identification) for 30 s (MTU-3).

use bytes::Bytes;

use super::forward::Cx;
use super::{AwsRule, Entry, Loc, Rule, Step, Trace};
use crate::model::*;
use crate::packet::{self, FlowView, fragment};
use crate::units::Nanos;

/// How long the ports of a first fragment are remembered for its later
/// fragments, and the most datagrams remembered at once.
pub const FRAGMENT_MEMORY: Nanos = Nanos::from_secs(30);
pub const FRAGMENT_ENTRIES: usize = 65_536;

/// The MTU of the link into `loc`, and whether a DF packet too long for it
/// is answered with ICMP "fragmentation needed".
#[inline]
pub fn mtu_into(d: &Design, loc: Loc) -> (u16, bool) {
    match loc {
        Loc::EniOut(e) | Loc::TgwExit { eni: e, .. } => (d.enis[e.idx()].mtu, false),
        Loc::EniIn { eni, .. } => match d.enis[eni.idx()].owner {
            EniOwner::Endpoint(_) => (mtu::ENDPOINT, false),
            // TGW-7, MTU-4: a transit gateway answers with ICMP.
            EniOwner::TgwAttachment(_) => (mtu::TRANSIT_GATEWAY, true),
            _ => (u16::MAX, false),
        },
        Loc::Igw { .. } => (mtu::INTERNET, true),
        Loc::Peering { peering, .. } => (d.peerings[peering.idx()].mtu, true),
        Loc::Vgw { .. } => (mtu::VPN, true),
        Loc::VpnAttachment { .. } | Loc::VpnTunnel { .. } => (mtu::VPN, false),
        // TGW-7, MTU-4: no path MTU discovery at a peering attachment.
        Loc::TgwPeering { .. } => (mtu::TRANSIT_GATEWAY, false),
        Loc::GatewayEndpoint { .. } => (mtu::ENDPOINT, false),
        _ => (u16::MAX, false),
    }
}

impl<T: Trace> Cx<'_, T> {
    /// A packet longer than `mtu`, the MTU of the link into `loc`: the
    /// length of its first fragment, which goes on, or the drop.
    pub(super) fn too_big(
        &mut self,
        buf: &mut [u8],
        p: FlowView,
        loc: Loc,
        mtu: u16,
        answers: bool,
    ) -> Result<usize, Step> {
        let place = self.place_of(loc);
        if !fragment::dont_fragment(buf) {
            let Ok((first, rest)) = fragment::split(buf, mtu) else {
                return Err(self.drop(place, Rule::None, p, DropReason::Malformed));
            };
            if self.tr.wants_emitted() {
                for f in rest {
                    self.tr.fragment(Bytes::from(f), loc);
                }
            }
            return Ok(first);
        }
        if answers {
            if let Some(back) = self.way_back(loc, p) {
                self.emit(back, || {
                    packet::build::icmp_frag_needed(p.dst, buf, mtu, 64)
                });
            }
        }
        let why = Rule::Aws(AwsRule::TooBig { icmp: answers });
        Err(self.drop(place, why, p, DropReason::PacketTooBig))
    }

    /// Where an ICMP error about a packet at `loc` starts: back into the
    /// sender's VPC the way the packet came (over the peering again), or
    /// towards the internet or on-premises.
    fn way_back(&self, loc: Loc, p: FlowView) -> Option<Loc> {
        let d = self.d;
        match loc {
            Loc::Igw {
                igw,
                outbound: true,
            } => {
                let eni = self.st.eni_at(d.igws[igw.idx()].vpc, p.src)?;
                Some(Loc::EniIn {
                    eni,
                    from: Entry::Igw,
                })
            }
            Loc::Igw {
                outbound: false, ..
            } => Some(Loc::Internet),
            Loc::Peering { peering, into } => {
                // Back over the peering into the sender's VPC.
                let from = d.peerings[peering.idx()].other(into)?;
                Some(Loc::Peering {
                    peering,
                    into: from,
                })
            }
            // TGW-7: from the attachment ENI back to the sender in its VPC,
            // as from the subnet of the attachment ENI.
            Loc::EniIn { eni, .. } => {
                let e = &d.enis[eni.idx()];
                let EniOwner::TgwAttachment(_) = e.owner else {
                    return None;
                };
                let vpc = d.subnets[e.subnet.idx()].vpc;
                let to = self.st.eni_at(vpc, p.src)?;
                Some(Loc::EniIn {
                    eni: to,
                    from: Entry::Subnet(e.subnet),
                })
            }
            Loc::Vgw {
                vgw,
                to_onprem: true,
            } => {
                let eni = self.st.eni_at(d.vgws[vgw.idx()].vpc, p.src)?;
                Some(Loc::EniIn {
                    eni,
                    from: Entry::Vgw(vgw),
                })
            }
            Loc::Vgw {
                vgw,
                to_onprem: false,
            } => Some(Loc::Vgw {
                vgw,
                to_onprem: true,
            }),
            _ => None,
        }
    }

    /// Gives a later fragment the ports its datagram's first fragment
    /// carried; remembers a first fragment's (MTU-3).
    pub(super) fn fragment_ports(&mut self, buf: &[u8], p: &mut FlowView) {
        let key = fragment::key(buf);
        match p.fragment {
            packet::Fragment::First => {
                let t = &mut self.st.fragment_ports;
                if t.len() < FRAGMENT_ENTRIES || t.contains_key(&key) {
                    t.insert(key, (p.src_port, p.dst_port, self.now.0));
                }
            }
            packet::Fragment::Later => {
                if let Some(&(s, dport, _)) = self.st.fragment_ports.get(&key) {
                    p.src_port = s;
                    p.dst_port = dport;
                }
            }
            packet::Fragment::None => {}
        }
    }
}
