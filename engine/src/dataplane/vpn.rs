//! VPN gateways and the on-premises networks behind them (VPN-1, VPN-2).
//! A VPN may also terminate on a transit gateway's VPN attachment (TGW-9,
//! `transit_gateway.rs`); the way to and from on-premises is the same.
//!
//! Invariants:
//! - Towards on-premises, the destination must be in a network behind this
//!   gateway (`no_route` otherwise) and a host there must have it.
//! - From on-premises, traffic reaches only the VPC's own addresses (VPN-2):
//!   no gateway or gateway endpoint of the VPC carries it further (GWE-4,
//!   NAT-9).
//! - On-premises networks reach AWS only over their VPN; a deleted VPN
//!   gateway or VPN attachment carries nothing.
//! - Routes propagate into route tables that enable it (VPN-1; see
//!   `route_table.rs`).
//! - A VPN connection carries traffic while one of its tunnels is up; one
//!   that states no tunnels carries it (VPN-3). With every tunnel down it
//!   carries nothing either way: BGP withdrew its prefixes (`no_route`, and
//!   they leave the route tables), static routes stay (`vpn_tunnel_down`)
//!   (VPN-4). The hop at the VPN gateway names the tunnels' state, as the
//!   timeline last set it (`set` of `tunnels`).
//! - Over a transit gateway's VPN attachment, with every tunnel down the
//!   attachment's BGP routes leave the transit gateway route tables; a
//!   static route to the attachment stays and its packets are dropped at
//!   the attachment with `vpn_tunnel_down`; from on-premises the
//!   attachment's routing decides the reason (TGW-12).
//! - Over a transit gateway's VPN attachment a packet crosses one tunnel
//!   (`Loc::VpnTunnel`), whose capacity it takes: chosen by the flow hash
//!   among the tunnels up with ECMP, else the first up (TGW-13).

use super::forward::{Cx, comp};
use super::{AwsRule, Entry, Gateway, Host, Loc, Place, Rule, Step, Trace};
use crate::model::*;
use crate::packet::FlowView;

impl<T: Trace> Cx<'_, T> {
    /// A packet at VPN gateway `g`: towards on-premises (`to_onprem`), or
    /// from there into the VPC.
    pub(super) fn vpn_gateway(
        &mut self,
        buf: &[u8],
        p: FlowView,
        g: VgwId,
        to_onprem: bool,
    ) -> Step {
        self.seen_gateway(Gateway::Vgw(g), false, to_onprem, buf);
        let d = self.d;
        let place = comp(Component::Vgw(g));
        if to_onprem {
            return self.over_vpn(buf, place, p, OnpremVia::Vgw(g));
        }
        let outside = (DropReason::NoRoute, AwsRule::VpnOnlyVpc);
        self.enter_vpc(place, d.vgws[g.idx()].vpc, p, Entry::Vgw(g), outside)
    }

    /// A packet leaves AWS over the VPN `via` (at `place`) for the
    /// on-premises network behind it that has its destination.
    pub(super) fn over_vpn(
        &mut self,
        buf: &[u8],
        place: Place,
        p: FlowView,
        via: OnpremVia,
    ) -> Step {
        let d = self.d;
        let net = self
            .st
            .onprem_nets
            .lookup_u32(u32::from(p.dst))
            .map(OnpremNetId)
            .filter(|n| d.onprem_nets[n.idx()].via == via);
        let Some(net) = net else {
            let why = AwsRule::NoOnpremNet {
                attachment: matches!(via, OnpremVia::TgwAttachment(_)),
            };
            return self.drop(place, Rule::Aws(why), p, DropReason::NoRoute);
        };
        let link = &self.st.vpn_links[net.idx()];
        let rule = if link.tunnels.is_empty() {
            Rule::None
        } else {
            Rule::VpnTunnels { net }
        };
        if !link.carries() {
            // At a transit gateway's VPN attachment the packet came by a
            // static route, which stays with the tunnels down (TGW-12).
            let reason = match via {
                OnpremVia::Vgw(_) => tunnels_down(link.bgp),
                OnpremVia::TgwAttachment(_) => DropReason::VpnTunnelDown,
            };
            return self.drop(place, rule, p, reason);
        }
        // TGW-13: over a transit gateway, into one tunnel, whose capacity
        // it takes.
        let tunnel = match via {
            OnpremVia::TgwAttachment(a) => {
                let ecmp = matches!(
                    d.tgw_attachments[a.idx()].kind,
                    TgwAttachmentKind::Vpn { bgp: true, .. }
                );
                Some(super::transit_gateway::vpn_tunnel(link, ecmp, &p).0)
            }
            OnpremVia::Vgw(_) => None,
        };
        self.forward(place, rule, p);
        if self.tr.wants_packets() {
            self.tr.seen(super::Seen::VpnOut { net, bytes: buf });
        }
        if let Some(tunnel) = tunnel {
            return Step::Next {
                loc: Loc::VpnTunnel {
                    net,
                    tunnel,
                    to_onprem: true,
                },
                delay: Delay::ZERO,
            };
        }
        self.to_onprem_host(p, net)
    }

    /// The last link to on-premises network `net`, to the host there that
    /// has the destination.
    fn to_onprem_host(&self, p: FlowView, net: OnpremNetId) -> Step {
        let d = self.d;
        // The network owns its declared prefixes: an address no declared
        // host has is a host there all the same.
        let host = self
            .st
            .onprem_hosts
            .get(&u32::from(p.dst))
            .copied()
            .filter(|h| d.onprem_hosts[h.idx()].network == net)
            .map_or(Host::OnpremAddr(net, p.dst), Host::Onprem);
        Step::Next {
            loc: Loc::Arrive(host),
            delay: d.delay(d.onprem_nets[net.idx()].link),
        }
    }

    /// A packet in tunnel `tunnel` of the VPN connection of on-premises
    /// network `net`, behind a transit gateway's VPN attachment, having
    /// taken the tunnel's capacity (TGW-13): on to the network, or into
    /// the attachment.
    pub(super) fn vpn_tunnel(
        &mut self,
        p: FlowView,
        net: OnpremNetId,
        tunnel: u8,
        to_onprem: bool,
    ) -> Step {
        let d = self.d;
        let OnpremVia::TgwAttachment(attachment) = d.onprem_nets[net.idx()].via else {
            return self.drop(
                Place::Onprem(net),
                Rule::Aws(AwsRule::VpnTunnelOutsideTgw),
                p,
                DropReason::NoRoute,
            );
        };
        let place = if to_onprem {
            comp(Component::TgwAttachment(attachment))
        } else {
            Place::Onprem(net)
        };
        // Towards on-premises ECMP needs BGP; towards AWS the customer
        // gateway spreads flows over the tunnels.
        let ecmp = !to_onprem
            || matches!(
                d.tgw_attachments[attachment.idx()].kind,
                TgwAttachmentKind::Vpn { bgp: true, .. }
            );
        self.forward(place, Rule::VpnTunnel { net, tunnel, ecmp }, p);
        if to_onprem {
            return self.to_onprem_host(p, net);
        }
        Step::Next {
            loc: Loc::VpnAttachment {
                attachment,
                to_onprem: false,
            },
            delay: Delay::ZERO,
        }
    }

    /// An on-premises host sends: to a host of its own network directly,
    /// else over its network's VPN.
    pub(super) fn onprem_out(&mut self, p: FlowView, net: OnpremNetId) -> Step {
        let d = self.d;
        let nw = &d.onprem_nets[net.idx()];
        if let Some(other) = self.st.onprem_hosts.get(&u32::from(p.dst)).copied() {
            if d.onprem_hosts[other.idx()].network == net {
                return Step::Next {
                    loc: Loc::Arrive(Host::Onprem(other)),
                    delay: Delay::ZERO,
                };
            }
        }
        if self.st.onprem_net_at(p.dst) == Some(net) {
            return Step::Next {
                loc: Loc::Arrive(Host::OnpremAddr(net, p.dst)),
                delay: Delay::ZERO,
            };
        }
        let (alive, loc, gone) = match nw.via {
            OnpremVia::Vgw(vgw) => (
                self.st.alive.vgw[vgw.idx()],
                Loc::Vgw {
                    vgw,
                    to_onprem: false,
                },
                AwsRule::VpnGone { attachment: false },
            ),
            OnpremVia::TgwAttachment(attachment) => (
                self.st.alive.tgw_attachment[attachment.idx()],
                Loc::VpnAttachment {
                    attachment,
                    to_onprem: false,
                },
                AwsRule::VpnGone { attachment: true },
            ),
        };
        if !alive {
            return self.drop(Place::Onprem(net), Rule::Aws(gone), p, DropReason::NoRoute);
        }
        // On-premises networks reach AWS only over their VPN.
        let link = &self.st.vpn_links[net.idx()];
        let rule = if link.tunnels.is_empty() {
            Rule::None
        } else {
            Rule::VpnTunnels { net }
        };
        if !link.carries() {
            // Over a transit gateway, the attachment's routing decides
            // (TGW-12).
            let bgp = match nw.via {
                OnpremVia::Vgw(_) => link.bgp,
                OnpremVia::TgwAttachment(a) => matches!(
                    d.tgw_attachments[a.idx()].kind,
                    TgwAttachmentKind::Vpn { bgp: true, .. }
                ),
            };
            return self.drop(Place::Onprem(net), rule, p, tunnels_down(bgp));
        }
        let loc = match nw.via {
            // TGW-13: the customer gateway sends over both tunnels, a flow
            // over one.
            OnpremVia::TgwAttachment(_) => Loc::VpnTunnel {
                net,
                tunnel: super::transit_gateway::vpn_tunnel(link, true, &p).0,
                to_onprem: false,
            },
            OnpremVia::Vgw(_) => loc,
        };
        self.forward(Place::Onprem(net), rule, p);
        Step::Next {
            loc,
            delay: d.delay(nw.link),
        }
    }
}

/// Why a VPN connection with every tunnel down drops a packet (VPN-4):
/// with BGP routing its routes were withdrawn.
fn tunnels_down(bgp: bool) -> DropReason {
    if bgp {
        DropReason::NoRoute
    } else {
        DropReason::VpnTunnelDown
    }
}

/// The tunnels of a VPN connection as they are now, in words (VPN-3,
/// VPN-4).
pub fn describe(link: &VpnLink) -> String {
    let tunnels: Vec<String> = link
        .tunnels
        .iter()
        .map(|(ip, up)| format!("tunnel {ip} {}", if *up { "up" } else { "down" }))
        .collect();
    let mut s = String::from("VPN");
    if let Some(cg) = link.customer_gateway {
        s.push_str(&format!(" to customer gateway {cg}"));
    }
    s.push_str(if link.bgp {
        " (BGP): "
    } else {
        " (static routes): "
    });
    s.push_str(&tunnels.join(", "));
    if !link.carries() {
        s.push_str(if link.bgp {
            "; every tunnel is down, BGP withdrew its routes (VPN-4)"
        } else {
            "; every tunnel is down (VPN-4)"
        });
    }
    s
}
