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
    Text(&'static str),
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
    /// The packet crosses a transit gateway's VPN or peering attachment
    /// (which has no ENI): `into_tgw` arriving from the VPN or the peer
    /// transit gateway, else leaving to it (TGW-8).
    Attachment {
        attachment: TgwAttachmentId,
        into_tgw: bool,
        bytes: &'a [u8],
    },
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
