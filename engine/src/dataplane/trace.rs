//! What the data plane reports of a step: one [`Hop`] per decision, what a
//! capture would see of the packet at each boundary it crosses ([`Seen`]),
//! and the packets components make on their own.
//!
//! The data plane says what it did, where it did it; recorders (`explain`,
//! the engine's metrics, flow logs, pcap files, the cost meter) keep what
//! they need of it and never work it out again from drop reasons or bytes.
//! [`NoTrace`] keeps nothing, at no cost: with it, no packet is built and no
//! bytes are handed out.

use bytes::Bytes;

use super::Loc;
use super::link_local::LinkLocal;
use crate::model::{
    Component, Design, EndpointId, EndpointKind, EniId, IgwId, NaclId, NatId, OnpremNetId,
    PeeringId, RouteTableId, SgId, TgwAttachmentId, TgwId, TgwRouteTableId, VgwId,
};
use crate::packet::FlowView;

/// Where a decision was taken: a component of the design, or the networks
/// outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Place {
    Component(Component),
    /// The public internet (routing between public addresses).
    Internet,
    /// An on-premises network.
    Onprem(OnpremNetId),
    /// An AWS service known by its address ranges (no declared front door).
    Service(super::ServiceId),
    /// A host on the internet that the design does not declare.
    InternetHost(std::net::Ipv4Addr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Forward,
    Deliver,
    Drop,
}

impl Decision {
    pub fn name(self) -> &'static str {
        match self {
            Decision::Forward => "forward",
            Decision::Deliver => "deliver",
            Decision::Drop => "drop",
        }
    }
}

/// The rule or route that decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    None,
    /// Entry `entry` of the compiled route table `table`.
    Route {
        table: RouteTableId,
        entry: u32,
    },
    /// A NACL rule number (`None`: the final `*` rule).
    Nacl {
        nacl: NaclId,
        ingress: bool,
        number: Option<u16>,
    },
    /// Rule `index` of security group `group`.
    Sg {
        group: SgId,
        ingress: bool,
        index: u16,
    },
    /// No rule of the ENI's groups allows it.
    SgNoMatch {
        ingress: bool,
    },
    /// Part of a flow the ENI tracks (SG-3).
    Tracked,
    /// A transit gateway takes a packet from `attachment` and routes it by
    /// the table the attachment is associated with (TGW-3).
    TgwAssociation {
        attachment: TgwAttachmentId,
        table: TgwRouteTableId,
    },
    /// A packet enters or leaves a transit gateway through attachment ENI
    /// `eni` (TGW-2).
    TgwEni {
        eni: EniId,
        entering: bool,
    },
    /// Entry `entry` of the compiled transit gateway route table `table`.
    TgwRoute {
        table: TgwRouteTableId,
        entry: u32,
    },
    /// The tunnels of the VPN connection to on-premises network `net`
    /// (VPN-3, VPN-4).
    VpnTunnels {
        net: OnpremNetId,
    },
    /// Tunnel `tunnel` of the VPN connection to on-premises network `net`
    /// carries the packet, chosen by flow hash among the tunnels up with
    /// `ecmp`, else the first up (TGW-13).
    VpnTunnel {
        net: OnpremNetId,
        tunnel: u8,
        ecmp: bool,
    },
    /// No route of a transit gateway route table covers the destination,
    /// an address of on-premises network `net` whose BGP routes are
    /// withdrawn while every tunnel of its VPN is down (TGW-12).
    BgpWithdrawn {
        net: OnpremNetId,
    },
    /// A decision AWS takes on its own, by one of its rules.
    Aws(AwsRule),
}

impl Rule {
    /// The ids of `docs/aws-rules.md` the decision follows (none where the
    /// decision is a declared route or rule, or plain addressing).
    pub fn ids(self) -> &'static [&'static str] {
        match self {
            Rule::Tracked => &["SG-3"],
            Rule::TgwAssociation { .. } => &["TGW-3"],
            Rule::TgwEni { .. } => &["TGW-2"],
            Rule::VpnTunnels { .. } => &["VPN-3", "VPN-4"],
            Rule::VpnTunnel { .. } => &["TGW-13"],
            Rule::BgpWithdrawn { .. } => &["TGW-12"],
            Rule::Aws(r) => r.ids(),
            Rule::None
            | Rule::Route { .. }
            | Rule::Nacl { .. }
            | Rule::Sg { .. }
            | Rule::SgNoMatch { .. }
            | Rule::TgwRoute { .. } => &[],
        }
    }
}

/// Which way a translation or a check looks at the packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Source,
    Destination,
}

/// What happens to a VPC's packets on the way that AWS decides, not a route
/// or a rule of the design: each variant names its rule ids ([`AwsRule::ids`])
/// and is put into words only where a report shows it ([`AwsRule::words`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AwsRule {
    /// The TTL reached zero on the way (at a gateway or on the internet).
    TtlExpired,
    /// The TTL reached zero at a transit gateway (TGW-7).
    TtlExpiredAtTgw,
    /// The TTL reached zero at an instance that forwards (RT-9).
    TtlExpiredAtForwarder,
    /// No ENI of the VPC has the destination.
    NoEni,
    /// No ENI of the destination's subnet has it.
    NoEniInSubnet,
    /// The ENI was deleted.
    EniDeleted,
    /// The source/destination check refused the packet: its source (on the
    /// way out) or destination (on the way in) is not the ENI's address.
    SourceDestCheck(Side),
    /// A stateful forwarder saw no start of the flow (RT-9a).
    ForwarderNoFlow,
    /// A public address whose VPC has no internet gateway.
    PublicIpNoIgw,
    /// A private address, from the internet.
    PrivateFromInternet,
    /// No host on the internet can have the address (OPEN-1).
    NoInternetHost,
    /// The source has no public address to map to (IGW-3).
    IgwNoPublicSource,
    /// No public address of the VPC is the destination (IGW-3).
    IgwNoPublicDestination,
    /// The internet gateway maps an address 1:1 (IGW-2).
    IgwMapped(Side),
    /// A reply translated back to the connection's inside address (NAT-1).
    NatReverse,
    /// The mapping was idle past the NAT gateway's timeout (NAT-6).
    NatIdle,
    /// The connection was idle past the timeout: the NAT gateway answers
    /// RST (NAT-6).
    NatIdleRst,
    /// No connection uses the port: a NAT gateway admits only replies
    /// (NAT-3).
    NatNoConnection,
    /// A NAT gateway serves only its own VPC (NAT-9, PCX-2).
    NatOwnVpcOnly,
    /// A NAT gateway does not translate traffic that entered the VPC from
    /// outside (NAT-9).
    NatEnteredFromOutside,
    /// A protocol a NAT gateway does not carry (NAT-4).
    NatProtocol,
    /// Every port towards the destination is in use (NAT-5).
    NatPortsExhausted,
    /// Source NAT to the gateway's private address: a public gateway's
    /// (NAT-1), or a private one's (NAT-2).
    NatSource { public: bool },
    /// An ICMP error from outside that quotes no connection (NAT-4a, NAT-3).
    NatIcmpNoConnection,
    /// An ICMP error translated back to the connection's inside host
    /// (NAT-4a).
    NatIcmpBack,
    /// An ICMP error from inside that quotes no connection (NAT-4a).
    NatIcmpInsideNoConnection,
    /// An ICMP error from inside translated to the gateway's address
    /// (NAT-4a).
    NatIcmpOut,
    /// Gateway endpoints carry TCP only (GWE-5).
    GweTcpOnly,
    /// No address of the endpoint's service is the destination.
    NotServiceAddress,
    /// To the service, keeping the private source address (GWE-3).
    GweToService,
    /// Back into the VPC from the service.
    GweBack,
    /// To 169.254.168.0/22 but no service the host answers: never
    /// forwarded (RT-8a).
    ReservedRange,
    /// Traffic that entered the VPC from a transit gateway cannot use a
    /// gateway endpoint (GWE-4).
    GweFromTransit,
    /// Interface endpoints carry TCP only (IFE-4).
    IfeTcpOnly,
    /// A peering delivers only to the peer VPC's addresses (PCX-2).
    PeeringNotTransitive,
    /// Traffic from a VPN reaches only the VPC's own addresses (VPN-2, GWE-4,
    /// NAT-9).
    VpnOnlyVpc,
    /// No on-premises network behind the VPN gateway (`attachment`: false)
    /// or the transit gateway's VPN attachment has the destination.
    NoOnpremNet { attachment: bool },
    /// The VPN gateway (`attachment`: false) or the transit gateway's VPN
    /// attachment was deleted.
    VpnGone { attachment: bool },
    /// The transit gateway attachment has no subnet in the source subnet's
    /// Availability Zone (TGW-2).
    TgwNoSubnetInAz,
    /// Into a transit gateway from its peer (TGW-10).
    TgwFromPeer,
    /// Into a transit gateway from its VPN connection (TGW-9).
    TgwFromVpn,
    /// The attachment is associated with no route table (TGW-3).
    TgwNoAssociation,
    /// No route of the transit gateway route table covers the destination
    /// (TGW-4).
    TgwNoRoute,
    /// Out of a transit gateway to its peer (TGW-10).
    TgwToPeer,
    /// Out of a transit gateway over its VPN connection (TGW-9).
    TgwToVpn,
    /// Over the packets per second an ENI may send to the services the host
    /// answers (NACL-9).
    LinkLocalThrottled,
    /// Answered on the host by a service (NACL-9; the DNS resolver, ADDR-4).
    LinkLocalAnswered(LinkLocal),
    /// Longer than the link's MTU with DF set: dropped, with an ICMP
    /// "fragmentation needed" sent back (`icmp`) or without (MTU-4, IFE-5).
    TooBig { icmp: bool },
    /// A VPN tunnel's capacity is modelled only behind a transit gateway's
    /// VPN attachment (TGW-13).
    VpnTunnelOutsideTgw,
}

impl AwsRule {
    /// The ids of `docs/aws-rules.md` the decision follows.
    pub fn ids(self) -> &'static [&'static str] {
        use AwsRule::*;
        match self {
            TtlExpired
            | NoEni
            | NoEniInSubnet
            | EniDeleted
            | SourceDestCheck(_)
            | PublicIpNoIgw
            | PrivateFromInternet
            | NatReverse
            | NotServiceAddress
            | GweBack
            | NoOnpremNet { .. }
            | VpnGone { .. } => &[],
            TtlExpiredAtTgw => &["TGW-7"],
            TtlExpiredAtForwarder => &["RT-9"],
            ForwarderNoFlow => &["RT-9a"],
            NoInternetHost => &["OPEN-1"],
            IgwNoPublicSource | IgwNoPublicDestination => &["IGW-3"],
            IgwMapped(_) => &["IGW-2"],
            NatIdle | NatIdleRst => &["NAT-6"],
            NatNoConnection => &["NAT-3"],
            NatOwnVpcOnly => &["NAT-9", "PCX-2"],
            NatEnteredFromOutside => &["NAT-9"],
            NatProtocol => &["NAT-4"],
            NatPortsExhausted => &["NAT-5"],
            NatSource { public: true } => &["NAT-1"],
            NatSource { public: false } => &["NAT-2"],
            NatIcmpNoConnection => &["NAT-4a", "NAT-3"],
            NatIcmpBack | NatIcmpInsideNoConnection | NatIcmpOut => &["NAT-4a"],
            GweTcpOnly => &["GWE-5"],
            GweToService => &["GWE-3"],
            GweFromTransit => &["GWE-4"],
            ReservedRange => &["RT-8a"],
            IfeTcpOnly => &["IFE-4"],
            PeeringNotTransitive => &["PCX-2"],
            VpnOnlyVpc => &["VPN-2", "GWE-4", "NAT-9"],
            TgwNoSubnetInAz => &["TGW-2"],
            TgwFromPeer | TgwToPeer => &["TGW-10"],
            TgwFromVpn | TgwToVpn => &["TGW-9"],
            TgwNoAssociation => &["TGW-3"],
            TgwNoRoute => &["TGW-4"],
            LinkLocalThrottled => &["NACL-9"],
            LinkLocalAnswered(LinkLocal::Dns) => &["NACL-9", "ADDR-4"],
            LinkLocalAnswered(_) => &["NACL-9"],
            TooBig { icmp: true } => &["MTU-4"],
            TooBig { icmp: false } => &["MTU-4", "IFE-5"],
            VpnTunnelOutsideTgw => &["TGW-13"],
        }
    }

    /// The decision in words, as `explain` and the reports show it.
    pub fn words(self) -> &'static str {
        use AwsRule::*;
        match self {
            TtlExpired => "TTL reached zero",
            TtlExpiredAtTgw => "TTL reached zero at the transit gateway (TGW-7)",
            TtlExpiredAtForwarder => "TTL reached zero at a forwarding instance",
            NoEni => "no network interface has this address",
            NoEniInSubnet => "no network interface of the subnet has this address",
            EniDeleted => "the network interface was deleted",
            SourceDestCheck(Side::Source) => {
                "source/destination check: the source is not this interface's address"
            }
            SourceDestCheck(Side::Destination) => {
                "source/destination check: the destination is not this interface's address"
            }
            ForwarderNoFlow => "a stateful forwarder saw no start of this flow (RT-9a)",
            PublicIpNoIgw => "the VPC that owns this public IP has no internet gateway",
            PrivateFromInternet => "a private address is not reachable from the internet",
            NoInternetHost => "no host on the internet can have this address (OPEN-1)",
            IgwNoPublicSource => "the source has no public IP (IGW-3)",
            IgwNoPublicDestination => "no public IP of this VPC has this address (IGW-3)",
            IgwMapped(Side::Source) => "source mapped 1:1 to its public IP (IGW-2)",
            IgwMapped(Side::Destination) => "destination mapped 1:1 to its private address (IGW-2)",
            NatReverse => "reverse translation to the connection's inside address",
            NatIdle => "the mapping was idle past 350 s (NAT-6)",
            NatIdleRst => "the connection was idle past 350 s; the NAT gateway answers RST (NAT-6)",
            NatNoConnection => {
                "no connection uses this port; a NAT gateway admits only replies (NAT-3)"
            }
            NatOwnVpcOnly => "a NAT gateway serves only its own VPC (NAT-9, PCX-2)",
            NatEnteredFromOutside => {
                "a NAT gateway does not translate traffic that entered the VPC from outside (NAT-9)"
            }
            NatProtocol => {
                "a NAT gateway carries TCP, UDP and ICMP echo; fragmented TCP and ICMP are dropped (NAT-4)"
            }
            NatPortsExhausted => "55,000 connections to this destination already (NAT-5)",
            NatSource { public: true } => "source NAT to the gateway's private address (NAT-1)",
            NatSource { public: false } => {
                "source NAT to the private NAT gateway's address (NAT-2)"
            }
            NatIcmpNoConnection => {
                "an ICMP error that quotes no connection of this gateway is dropped (NAT-4a, NAT-3)"
            }
            NatIcmpBack => {
                "ICMP error and the packet it quotes translated back to the connection's inside host (NAT-4a)"
            }
            NatIcmpInsideNoConnection => {
                "an ICMP error from inside that quotes no connection of this gateway is dropped (NAT-4a)"
            }
            NatIcmpOut => {
                "ICMP error from inside and the reply it quotes translated to the gateway's address (NAT-4a)"
            }
            GweTcpOnly => "gateway endpoints carry TCP only (GWE-5)",
            NotServiceAddress => "no address of the service is this one",
            GweToService => "to the service, keeping the private source address (GWE-3)",
            GweBack => "back into the VPC",
            ReservedRange => {
                "169.254.168.0/22 is kept for the services the host answers; a packet to any other address of it is never forwarded (RT-8a)"
            }
            GweFromTransit => {
                "a gateway endpoint carries only traffic from inside its VPC; traffic that entered from a transit gateway cannot use it (GWE-4)"
            }
            IfeTcpOnly => "interface endpoints carry TCP only (IFE-4)",
            PeeringNotTransitive => {
                "a peering delivers only to addresses of the peer VPC; it is not transitive (PCX-2)"
            }
            VpnOnlyVpc => {
                "traffic from a VPN reaches only the VPC's own addresses (VPN-2); no gateway or gateway endpoint carries it further (GWE-4, NAT-9)"
            }
            NoOnpremNet { attachment: false } => {
                "no on-premises network behind this VPN gateway has this address"
            }
            NoOnpremNet { attachment: true } => {
                "no on-premises network behind this VPN attachment has this address"
            }
            VpnGone { attachment: false } => "the VPN gateway was deleted",
            VpnGone { attachment: true } => "the transit gateway's VPN attachment was deleted",
            TgwNoSubnetInAz => {
                "the transit gateway attachment has no subnet in this subnet's Availability Zone (TGW-2)"
            }
            TgwFromPeer => "enters from the peer transit gateway (TGW-10)",
            TgwFromVpn => "enters from the VPN connection (TGW-9)",
            TgwNoAssociation => {
                "the attachment is associated with no transit gateway route table (TGW-3)"
            }
            TgwNoRoute => {
                "no route of the transit gateway route table covers the destination (TGW-4)"
            }
            TgwToPeer => "leaves over the peering attachment to the peer transit gateway (TGW-10)",
            TgwToVpn => "leaves over the VPN connection (TGW-9)",
            LinkLocalThrottled => {
                "over the 1,024 packets per second an ENI may send to the services the host answers (NACL-9)"
            }
            LinkLocalAnswered(LinkLocal::Metadata) => {
                "answered on the host by the instance metadata service (NACL-9)"
            }
            LinkLocalAnswered(LinkLocal::Dns) => {
                "answered on the host by the Amazon DNS resolver (NACL-9, ADDR-4)"
            }
            LinkLocalAnswered(LinkLocal::Time) => {
                "answered on the host by the time sync service (NACL-9)"
            }
            LinkLocalAnswered(LinkLocal::License) => {
                "answered on the host by the Windows license service (NACL-9)"
            }
            TooBig { icmp: true } => {
                "longer than the link's MTU with DF set: dropped, ICMP fragmentation needed sent back (MTU-4)"
            }
            TooBig { icmp: false } => {
                "longer than the link's MTU with DF set: dropped without ICMP (MTU-4, IFE-5)"
            }
            VpnTunnelOutsideTgw => {
                "a VPN tunnel is modelled only behind a transit gateway (TGW-13)"
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Hop {
    pub place: Place,
    pub decision: Decision,
    pub rule: Rule,
    /// The packet's addresses and ports as they are after this hop.
    pub view: FlowView,
}

/// A gateway: a component packets cross between a VPC and something else,
/// with a capture of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gateway {
    Igw(IgwId),
    Nat(NatId),
    Endpoint(EndpointId),
    Peering(PeeringId),
    Vgw(VgwId),
    Tgw(TgwId),
}

impl Gateway {
    pub fn component(self) -> Component {
        match self {
            Gateway::Igw(g) => Component::Igw(g),
            Gateway::Nat(n) => Component::Nat(n),
            Gateway::Endpoint(e) => Component::Endpoint(e),
            Gateway::Peering(p) => Component::Peering(p),
            Gateway::Vgw(g) => Component::Vgw(g),
            Gateway::Tgw(t) => Component::Tgw(t),
        }
    }

    /// Every gateway of a design, in a fixed order: internet gateways, NAT
    /// gateways, gateway endpoints, peering connections, VPN gateways,
    /// transit gateways.
    pub fn all(d: &Design) -> Vec<Gateway> {
        let mut v: Vec<Gateway> = (0..d.igws.len())
            .map(|i| Gateway::Igw(IgwId::from_idx(i)))
            .collect();
        v.extend((0..d.nats.len()).map(|i| Gateway::Nat(NatId::from_idx(i))));
        v.extend(
            d.endpoints
                .iter()
                .enumerate()
                .filter(|(_, e)| matches!(e.kind, EndpointKind::Gateway { .. }))
                .map(|(i, _)| Gateway::Endpoint(EndpointId::from_idx(i))),
        );
        v.extend((0..d.peerings.len()).map(|i| Gateway::Peering(PeeringId::from_idx(i))));
        v.extend((0..d.vgws.len()).map(|i| Gateway::Vgw(VgwId::from_idx(i))));
        v.extend((0..d.tgws.len()).map(|i| Gateway::Tgw(TgwId::from_idx(i))));
        v
    }
}

/// How a packet that reached an ENI fared there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Its NACL (where one applies) and security groups let it in.
    Accepted,
    /// Its subnet's NACL or its security groups turned it away (FL-3).
    Rejected,
    /// The interface was not there to take it: deleted, or its
    /// source/destination check refused a packet not addressed to it.
    Absent,
}

/// The packet as a capture would see it at a boundary it crosses.
#[derive(Clone, Copy, Debug)]
pub enum Seen<'a> {
    /// The packet leaves ENI `eni` (egress): accepted or rejected by the
    /// ENI's security groups or its subnet's NACL (FL-3). `next` is where it
    /// went, when it went on (a packet that leaves can still find no route).
    EniOut {
        eni: EniId,
        bytes: &'a [u8],
        reject: bool,
        next: Option<Loc>,
    },
    /// The packet reaches ENI `eni`, having come `from` there.
    EniIn {
        eni: EniId,
        from: super::Entry,
        bytes: &'a [u8],
        arrival: Arrival,
    },
    /// The packet on one side of a gateway: arriving, or departing after
    /// the gateway's rewrite. `outbound`: leaving the gateway's VPC (to the
    /// internet, a service, on-premises; at a NAT gateway, a translated
    /// connection rather than a reply). A peering connection joins two
    /// VPCs: its packets always enter one, and are never outbound.
    Gateway {
        gw: Gateway,
        departing: bool,
        outbound: bool,
        bytes: &'a [u8],
    },
    /// The packet between a workload and a service its host answers
    /// (NACL-9): a query an instance or a Lambda function's ENI `eni` sends
    /// to the Amazon DNS resolver or the metadata service, and the answer.
    /// It never crosses the ENI: a capture on the host sees it, flow logs do
    /// not (FL-5). `to_service`: the workload's packet, else the answer.
    Host {
        eni: EniId,
        to_service: bool,
        bytes: &'a [u8],
    },
    /// The packet crosses a transit gateway's VPN or peering attachment
    /// (which has no ENI): `into_tgw` arriving from the VPN or the peer
    /// transit gateway, else leaving to it (TGW-8).
    Attachment {
        attachment: TgwAttachmentId,
        into_tgw: bool,
        bytes: &'a [u8],
    },
    /// The packet leaves AWS over the Site-to-Site VPN connection of
    /// on-premises network `net`, a tunnel of it being up (VPN-5).
    VpnOut { net: OnpremNetId, bytes: &'a [u8] },
}

pub trait Trace {
    fn hop(&mut self, hop: Hop);

    /// Whether [`Trace::seen`] is wanted (pcap files, flow logs and the
    /// cost meter want it; metrics and `explain` do not).
    fn wants_packets(&self) -> bool {
        false
    }

    /// The packet at a boundary, called only when [`Trace::wants_packets`].
    fn seen(&mut self, _seen: Seen<'_>) {}

    /// Whether packets components make on their own (a NAT gateway's RST,
    /// ICMP time exceeded) are wanted: the engine sends them; `explain`,
    /// which follows one packet, does not.
    fn wants_emitted(&self) -> bool {
        false
    }

    /// A packet a component made, and where it starts.
    fn emitted(&mut self, _packet: Bytes, _at: Loc) {}

    /// A fragment a link cut from the packet being stepped (MTU-3), and
    /// where it starts: it belongs to the same item as that packet. Called
    /// only when [`Trace::wants_emitted`].
    fn fragment(&mut self, packet: Bytes, at: Loc) {
        self.emitted(packet, at);
    }
}

/// Records nothing.
pub struct NoTrace;

impl Trace for NoTrace {
    #[inline]
    fn hop(&mut self, _: Hop) {}
}

impl Trace for Vec<Hop> {
    fn hop(&mut self, hop: Hop) {
        self.push(hop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[AwsRule] = &[
        AwsRule::TtlExpired,
        AwsRule::TtlExpiredAtTgw,
        AwsRule::TtlExpiredAtForwarder,
        AwsRule::NoEni,
        AwsRule::NoEniInSubnet,
        AwsRule::EniDeleted,
        AwsRule::SourceDestCheck(Side::Source),
        AwsRule::SourceDestCheck(Side::Destination),
        AwsRule::ForwarderNoFlow,
        AwsRule::PublicIpNoIgw,
        AwsRule::PrivateFromInternet,
        AwsRule::NoInternetHost,
        AwsRule::IgwNoPublicSource,
        AwsRule::IgwNoPublicDestination,
        AwsRule::IgwMapped(Side::Source),
        AwsRule::IgwMapped(Side::Destination),
        AwsRule::NatReverse,
        AwsRule::NatIdle,
        AwsRule::NatIdleRst,
        AwsRule::NatNoConnection,
        AwsRule::NatOwnVpcOnly,
        AwsRule::NatEnteredFromOutside,
        AwsRule::NatProtocol,
        AwsRule::NatPortsExhausted,
        AwsRule::NatSource { public: true },
        AwsRule::NatSource { public: false },
        AwsRule::NatIcmpNoConnection,
        AwsRule::NatIcmpBack,
        AwsRule::NatIcmpInsideNoConnection,
        AwsRule::NatIcmpOut,
        AwsRule::GweTcpOnly,
        AwsRule::NotServiceAddress,
        AwsRule::GweToService,
        AwsRule::GweBack,
        AwsRule::GweFromTransit,
        AwsRule::ReservedRange,
        AwsRule::IfeTcpOnly,
        AwsRule::PeeringNotTransitive,
        AwsRule::VpnOnlyVpc,
        AwsRule::NoOnpremNet { attachment: false },
        AwsRule::NoOnpremNet { attachment: true },
        AwsRule::VpnGone { attachment: false },
        AwsRule::VpnGone { attachment: true },
        AwsRule::TgwNoSubnetInAz,
        AwsRule::TgwFromPeer,
        AwsRule::TgwFromVpn,
        AwsRule::TgwNoAssociation,
        AwsRule::TgwNoRoute,
        AwsRule::TgwToPeer,
        AwsRule::TgwToVpn,
        AwsRule::LinkLocalThrottled,
        AwsRule::LinkLocalAnswered(LinkLocal::Metadata),
        AwsRule::LinkLocalAnswered(LinkLocal::Dns),
        AwsRule::LinkLocalAnswered(LinkLocal::Time),
        AwsRule::LinkLocalAnswered(LinkLocal::License),
        AwsRule::TooBig { icmp: true },
        AwsRule::TooBig { icmp: false },
        AwsRule::VpnTunnelOutsideTgw,
    ];

    /// The rule ids that words cite: `NAT-4a`, `TGW-10`.
    fn cited(words: &str) -> Vec<&str> {
        words
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| {
                let Some((head, tail)) = w.split_once('-') else {
                    return false;
                };
                let digits = tail.trim_end_matches(|c: char| c.is_ascii_lowercase());
                !head.is_empty()
                    && head.bytes().all(|b| b.is_ascii_uppercase())
                    && !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
            })
            .collect()
    }

    #[test]
    fn aws_rule_words_cite_only_its_own_ids() {
        for r in ALL {
            for id in cited(r.words()) {
                assert!(
                    r.ids().contains(&id),
                    "{r:?} cites {id} but names {:?}",
                    r.ids()
                );
            }
        }
        assert_eq!(
            cited(AwsRule::NatIcmpNoConnection.words()),
            ["NAT-4a", "NAT-3"]
        );
    }

    #[test]
    fn aws_rule_words_are_distinct() {
        let mut words: Vec<&str> = ALL.iter().map(|r| r.words()).collect();
        words.sort_unstable();
        let n = words.len();
        words.dedup();
        assert_eq!(words.len(), n);
    }
}
