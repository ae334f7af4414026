//! The MTU of every link of a design (MTU-1, MTU-2), known when the design
//! is built: what the data plane compares a packet's length with at each
//! hop, and what a host's TCP takes its MSS from.

/// Between ENIs of a VPC, and over an intra-Region peering (MTU-1).
pub const VPC: u16 = 9001;
/// Through an internet gateway, and so on a NAT gateway's way to the
/// internet (MTU-1); also what vpcsim gives hosts on the internet and
/// on-premises (MTU-2).
pub const INTERNET: u16 = 1500;
/// Over an inter-Region peering (MTU-1).
pub const INTER_REGION_PEERING: u16 = 8500;
/// Through a VPC endpoint, gateway or interface (MTU-1, IFE-5).
pub const ENDPOINT: u16 = 8500;
/// Over a Site-to-Site VPN connection as the hosts see it (MTU-1): the 1500
/// of the EC2 and transit gateway pages. The tunnel itself carries 1446
/// (the VPN guide), and the guide has the customer gateway clamp TCP's MSS
/// and fragment before encrypting, so hosts at 1500 never meet it.
pub const VPN: u16 = 1500;
/// Into a transit gateway by a VPC, peering or Direct Connect attachment
/// (TGW-7, MTU-1); a VPN attachment's link is 1500 (`VPN`).
pub const TRANSIT_GATEWAY: u16 = 8500;
/// The smallest interface MTU an instance may have: IPv4's 576-byte
/// datagram every host must accept (RFC 791).
pub const MIN_INSTANCE: u16 = 576;

/// IPv4 and TCP headers without options: an MSS is the MTU less these.
pub const TCP_IP_HEADERS: u16 = 40;

/// The MSS a host with interface MTU `mtu` offers in its SYN (MTU-5).
pub const fn mss_of(mtu: u16) -> u16 {
    mtu.saturating_sub(TCP_IP_HEADERS)
}
