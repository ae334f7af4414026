//! The Site-to-Site VPN connection an on-premises network is reached over:
//! its customer gateway and tunnels (VPN-3, VPN-4).

use super::*;

/// Ranges that are not public IPv4 addresses: this network, private
/// (RFC 1918), shared (RFC 6598), loopback, link-local, multicast and
/// reserved.
const NOT_PUBLIC: [(u32, u32); 9] = [
    (0x0000_0000, 8),
    (0x0a00_0000, 8),
    (0x6440_0000, 10),
    (0x7f00_0000, 8),
    (0xa9fe_0000, 16),
    (0xac10_0000, 12),
    (0xc0a8_0000, 16),
    (0xe000_0000, 4),
    (0xf000_0000, 4),
];

fn public(ip: Ipv4Addr) -> bool {
    let ip = u32::from(ip);
    !NOT_PUBLIC
        .iter()
        .any(|&(net, len)| ip >> (32 - len) == net >> (32 - len))
}

impl Builder<'_> {
    /// Checks and compiles what `n` states of its VPN connection.
    pub(super) fn vpn_link(&mut self, owner: &str, n: &raw::OnpremNetwork) -> VpnLink {
        if let Some(cg) = &n.customer_gateway {
            if !public(cg.v) {
                self.warn(
                    &cg.span,
                    format!(
                        "{owner}: customer gateway {} is not a public address; the VPN's tunnels cross the internet to it and cannot come up (VPN-3)",
                        cg.v
                    ),
                );
            }
        }
        let cg = n.customer_gateway.as_ref().map(|c| c.v);
        let tunnels = self.vpn_tunnels(owner, cg, &n.tunnels);
        VpnLink {
            customer_gateway: cg,
            bgp: n.bgp.as_ref().is_some_and(|b| b.v),
            tunnels,
        }
    }

    /// Checks the tunnels of a VPN connection whose customer gateway is
    /// `customer_gateway` (VPN-3): in the network's table, or set by the
    /// timeline.
    pub(super) fn vpn_tunnels(
        &mut self,
        owner: &str,
        customer_gateway: Option<Ipv4Addr>,
        tunnels_raw: &[Sp<raw::VpnTunnel>],
    ) -> Vec<(Ipv4Addr, bool)> {
        if tunnels_raw.len() > 2 {
            self.err(
                &tunnels_raw[2].span,
                format!(
                    "{owner}: a Site-to-Site VPN connection has two tunnels, found {} (VPN-3); remove the extra ones",
                    tunnels_raw.len()
                ),
            );
        }
        let mut tunnels: Vec<(Ipv4Addr, bool)> = Vec::new();
        for t in tunnels_raw {
            let up = t.v.up.as_ref().is_none_or(|u| u.v);
            let Some(ip) = &t.v.outside_ip else {
                continue;
            };
            if !public(ip.v) {
                self.err(
                    &ip.span,
                    format!(
                        "{owner}: tunnel outside address {} is not public; AWS gives a VPN gateway's tunnels public outside addresses (VPN-3)",
                        ip.v
                    ),
                );
            } else if Some(ip.v) == customer_gateway {
                self.err(
                    &ip.span,
                    format!(
                        "{owner}: tunnel outside address {} is the customer gateway's own address; it is AWS's end of the tunnel (VPN-3)",
                        ip.v
                    ),
                );
            } else if tunnels.iter().any(|x| x.0 == ip.v) {
                self.err(
                    &ip.span,
                    format!(
                        "{owner}: two tunnels with outside address {}; each tunnel has its own (VPN-3)",
                        ip.v
                    ),
                );
            }
            tunnels.push((ip.v, up));
        }
        tunnels
    }
}
