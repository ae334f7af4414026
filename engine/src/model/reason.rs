//! Why a packet was dropped: the closed vocabulary of the format document.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    NoRoute,
    RouteBlackhole,
    SgEgressDenied,
    SgIngressDenied,
    NaclEgressDenied,
    NaclIngressDenied,
    NoPublicIp,
    NoInternetRoute,
    NatPortExhausted,
    NatConnectionExpired,
    ProtocolNotSupported,
    SourceDestCheck,
    PeeringNotTransitive,
    VpnTunnelDown,
    HostUnreachable,
    PortUnreachable,
    TtlExpired,
    QueueOverflow,
    PacketTooBig,
    Malformed,
    LinklocalAllowanceExceeded,
    MiddleboxNoFlow,
    LinkLoss,
}

impl DropReason {
    pub const ALL: [DropReason; 23] = [
        DropReason::NoRoute,
        DropReason::RouteBlackhole,
        DropReason::SgEgressDenied,
        DropReason::SgIngressDenied,
        DropReason::NaclEgressDenied,
        DropReason::NaclIngressDenied,
        DropReason::NoPublicIp,
        DropReason::NoInternetRoute,
        DropReason::NatPortExhausted,
        DropReason::NatConnectionExpired,
        DropReason::ProtocolNotSupported,
        DropReason::SourceDestCheck,
        DropReason::PeeringNotTransitive,
        DropReason::VpnTunnelDown,
        DropReason::HostUnreachable,
        DropReason::PortUnreachable,
        DropReason::TtlExpired,
        DropReason::QueueOverflow,
        DropReason::PacketTooBig,
        DropReason::Malformed,
        DropReason::LinklocalAllowanceExceeded,
        DropReason::MiddleboxNoFlow,
        DropReason::LinkLoss,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DropReason::NoRoute => "no_route",
            DropReason::RouteBlackhole => "route_blackhole",
            DropReason::SgEgressDenied => "sg_egress_denied",
            DropReason::SgIngressDenied => "sg_ingress_denied",
            DropReason::NaclEgressDenied => "nacl_egress_denied",
            DropReason::NaclIngressDenied => "nacl_ingress_denied",
            DropReason::NoPublicIp => "no_public_ip",
            DropReason::NoInternetRoute => "no_internet_route",
            DropReason::NatPortExhausted => "nat_port_exhausted",
            DropReason::NatConnectionExpired => "nat_connection_expired",
            DropReason::ProtocolNotSupported => "protocol_not_supported",
            DropReason::SourceDestCheck => "source_dest_check",
            DropReason::PeeringNotTransitive => "peering_not_transitive",
            DropReason::VpnTunnelDown => "vpn_tunnel_down",
            DropReason::HostUnreachable => "host_unreachable",
            DropReason::PortUnreachable => "port_unreachable",
            DropReason::TtlExpired => "ttl_expired",
            DropReason::QueueOverflow => "queue_overflow",
            DropReason::PacketTooBig => "packet_too_big",
            DropReason::Malformed => "malformed",
            DropReason::LinklocalAllowanceExceeded => "linklocal_allowance_exceeded",
            DropReason::MiddleboxNoFlow => "middlebox_no_flow",
            DropReason::LinkLoss => "link_loss",
        }
    }

    /// Whether the component that drops a TCP packet for this reason
    /// answers it with a RST, so that the reset a client then sees is this
    /// drop's doing: a NAT gateway's expired connection (NAT-6), a host
    /// with nothing listening on the port. Any other drop only loses the
    /// packet; a reset that follows it comes from elsewhere.
    pub fn answered_with_reset(self) -> bool {
        matches!(
            self,
            DropReason::NatConnectionExpired | DropReason::PortUnreachable
        )
    }

    pub fn from_name(name: &str) -> Option<DropReason> {
        DropReason::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
