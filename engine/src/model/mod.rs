//! The validated design: every reference resolved to an integer id, every
//! address allocated, every AWS rule of `aws-vpc-semantics.md` that a file can
//! break checked. A [`Design`] is immutable; the data plane compiles it into
//! the state it forwards with, and timeline events change that state, not this.

mod build;
pub mod builtin;
pub mod dns;
pub mod ids;
pub mod instance_type;
mod kind;
pub mod mtu;
pub mod reason;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

pub use build::{Loaded, load_file, load_set, load_str};
pub use ids::*;
pub use kind::Kind;
pub use reason::DropReason;

use crate::scenario::raw::{Arrivals, Delivered, Pattern};
use crate::units::{Nanos, PortRange, Protocol, Rate};

/// A one-way delay: a positive minimum, a median and a 99th percentile
/// (LAT-2). A fixed delay has all three equal; otherwise the delay above the
/// minimum follows a log-normal distribution through the median and the
/// 99th percentile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dist {
    pub min: Nanos,
    pub p50: Nanos,
    pub p99: Nanos,
}

impl Dist {
    pub const fn fixed(d: Nanos) -> Dist {
        Dist {
            min: d,
            p50: d,
            p99: d,
        }
    }

    const fn us(min: u64, p50: u64, p99: u64) -> Dist {
        Dist {
            min: Nanos::from_micros(min),
            p50: Nanos::from_micros(p50),
            p99: Nanos::from_micros(p99),
        }
    }

    /// What is left of this delay after `first` was spent on the way: each
    /// figure less the same figure of `first`, never below zero and kept in
    /// order.
    pub fn after(&self, first: &Dist) -> Dist {
        let min = Nanos(self.min.0.saturating_sub(first.min.0));
        let p50 = Nanos(self.p50.0.saturating_sub(first.p50.0)).max(min);
        let p99 = Nanos(self.p99.0.saturating_sub(first.p99.0)).max(p50);
        Dist { min, p50, p99 }
    }
}

/// One-way latencies (LAT), overridable in `[latency]`, and the loss of
/// internet and VPN paths (LAT-3).
#[derive(Clone, Debug, PartialEq)]
pub struct Latency {
    pub same_az: Dist,
    pub cross_az: Dist,
    pub internet: Dist,
    pub aws_service: Dist,
    pub vpn: Dist,
    /// Between two Regions: across a VPC peering or a transit gateway
    /// peering attachment whose two sides are in different Regions.
    pub inter_region: Dist,
    /// Share of packets lost between the region's edge and an internet host.
    pub internet_loss: f64,
    /// Share of packets lost on a VPN path, each way.
    pub vpn_loss: f64,
}

impl Latency {
    /// The region's edge: what a packet takes between a VPC and the public
    /// internet (an AWS service's front door is right behind it). An internet
    /// host is `internet` away in all, the edge included.
    pub fn edge(&self) -> Dist {
        self.aws_service
    }

    /// From the region's edge to an internet host.
    pub fn beyond_edge(&self) -> Dist {
        self.internet.after(&self.aws_service)
    }
}

impl Default for Latency {
    /// Published measurements, cited in `docs/traffic.md` (LAT-2).
    fn default() -> Self {
        Latency {
            same_az: Dist::us(40, 50, 120),
            cross_az: Dist::us(300, 400, 900),
            internet: Dist::us(12_000, 15_000, 30_000),
            aws_service: Dist::us(800, 1_000, 2_500),
            vpn: Dist::us(8_000, 10_000, 20_000),
            inter_region: Dist::us(30_000, 40_000, 60_000),
            internet_loss: 0.0,
            vpn_loss: 0.0,
        }
    }
}

/// A link class of the design, by index in [`Design::links`]: the classes
/// every design has, then one per on-premises network and one per external
/// host with its own latency or loss, then the link between Regions
/// ([`Design::inter_region_link`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u16);

impl LinkId {
    /// No link: a hop inside one place, with no delay.
    pub const NONE: LinkId = LinkId(u16::MAX);
    pub const SAME_AZ: LinkId = LinkId(0);
    pub const CROSS_AZ: LinkId = LinkId(1);
    /// Between a VPC (or a Lambda function outside one) and the region's
    /// edge, where AWS services' front doors are.
    pub const EDGE: LinkId = LinkId(2);
    /// From the region's edge to a host on the internet.
    pub const BEYOND_EDGE: LinkId = LinkId(3);

    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// How a link class delays and loses packets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub dist: Dist,
    /// Share of packets lost, 0 to below 1 (LAT-3).
    pub loss: f64,
    /// The on-premises network at the far end of a VPN link: where its
    /// losses are charged (else the internet).
    pub onprem: Option<OnpremNetId>,
}

/// A link a packet is about to cross: its minimum delay and its class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delay {
    pub min: Nanos,
    pub link: LinkId,
}

impl Delay {
    pub const ZERO: Delay = Delay {
        min: Nanos::ZERO,
        link: LinkId::NONE,
    };
}

/// US dollars; defaults from the shipped price table (us-east-1).
#[derive(Clone, Debug, PartialEq)]
pub struct Pricing {
    pub nat_gateway_hour: f64,
    pub nat_gateway_gb: f64,
    pub interface_endpoint_hour: f64,
    pub interface_endpoint_gb: f64,
    pub internet_out_gb: f64,
    pub cross_az_gb: f64,
    pub transit_gateway_attachment_hour: f64,
    pub transit_gateway_gb: f64,
    /// Data sent from one Region to another (a transit gateway peering
    /// attachment between Regions, TGW-8).
    pub inter_region_gb: f64,
    /// Data sent to or received from a public or Elastic IP address of
    /// another instance in the same Region, charged each way (DT-1).
    pub regional_public_ip_gb: f64,
    /// A Site-to-Site VPN connection per hour (VPN-5).
    pub vpn_connection_hour: f64,
}

impl Default for Pricing {
    fn default() -> Self {
        Pricing {
            nat_gateway_hour: 0.045,
            nat_gateway_gb: 0.045,
            interface_endpoint_hour: 0.01,
            interface_endpoint_gb: 0.01,
            internet_out_gb: 0.09,
            cross_az_gb: 0.01,
            transit_gateway_attachment_hour: 0.05,
            transit_gateway_gb: 0.02,
            inter_region_gb: 0.02,
            regional_public_ip_gb: 0.01,
            vpn_connection_hour: 0.05,
        }
    }
}

/// Anything a file can name by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    Vpc(VpcId),
    Subnet(SubnetId),
    RouteTable(RouteTableId),
    Igw(IgwId),
    Nat(NatId),
    PrefixList(PrefixListId),
    Endpoint(EndpointId),
    Sg(SgId),
    Nacl(NaclId),
    Peering(PeeringId),
    Vgw(VgwId),
    OnpremNet(OnpremNetId),
    Instance(InstanceId),
    Lambda(LambdaId),
    ExternalHost(ExternalHostId),
    AwsService(AwsServiceId),
    OnpremHost(OnpremHostId),
    Eni(EniId),
    Tgw(TgwId),
    TgwAttachment(TgwAttachmentId),
    TgwRouteTable(TgwRouteTableId),
}

impl Component {
    /// What kind of component it is.
    pub fn kind(self) -> Kind {
        match self {
            Component::Vpc(_) => Kind::Vpc,
            Component::Subnet(_) => Kind::Subnet,
            Component::RouteTable(_) => Kind::RouteTable,
            Component::Igw(_) => Kind::Igw,
            Component::Nat(_) => Kind::Nat,
            Component::PrefixList(_) => Kind::PrefixList,
            Component::Endpoint(_) => Kind::Endpoint,
            Component::Sg(_) => Kind::Sg,
            Component::Nacl(_) => Kind::Nacl,
            Component::Peering(_) => Kind::Peering,
            Component::Vgw(_) => Kind::Vgw,
            Component::OnpremNet(_) => Kind::OnpremNet,
            Component::Instance(_) => Kind::Instance,
            Component::Lambda(_) => Kind::Lambda,
            Component::ExternalHost(_) => Kind::ExternalHost,
            Component::AwsService(_) => Kind::AwsService,
            Component::OnpremHost(_) => Kind::OnpremHost,
            Component::Eni(_) => Kind::Eni,
            Component::Tgw(_) => Kind::Tgw,
            Component::TgwAttachment(_) => Kind::TgwAttachment,
            Component::TgwRouteTable(_) => Kind::TgwRouteTable,
        }
    }

    /// The kind in words, with its article: "an internet gateway".
    pub fn described(self) -> &'static str {
        match self {
            Component::Vpc(_) => "a VPC",
            Component::Subnet(_) => "a subnet",
            Component::RouteTable(_) => "a route table",
            Component::Igw(_) => "an internet gateway",
            Component::Nat(_) => "a NAT gateway",
            Component::PrefixList(_) => "a prefix list",
            Component::Endpoint(_) => "a VPC endpoint",
            Component::Sg(_) => "a security group",
            Component::Nacl(_) => "a network ACL",
            Component::Peering(_) => "a VPC peering connection",
            Component::Vgw(_) => "a VPN gateway",
            Component::OnpremNet(_) => "an on-premises network",
            Component::Instance(_) => "an instance",
            Component::Lambda(_) => "a Lambda function",
            Component::ExternalHost(_) => "an external host",
            Component::AwsService(_) => "an AWS service",
            Component::OnpremHost(_) => "an on-premises host",
            Component::Eni(_) => "a network interface",
            Component::Tgw(_) => "a transit gateway",
            Component::TgwAttachment(_) => "a transit gateway attachment",
            Component::TgwRouteTable(_) => "a transit gateway route table",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Vpc {
    pub name: String,
    pub cidrs: Vec<Ipv4Net>,
    /// The main route table, the default network ACL and the default
    /// security group: declared or implicit, each known once the build has
    /// placed them (RT-1, NACL-4, SG-8).
    pub main_route_table: Option<RouteTableId>,
    pub default_nacl: Option<NaclId>,
    pub default_sg: Option<SgId>,
    pub igw: Option<IgwId>,
    pub vgw: Option<VgwId>,
    pub subnets: Vec<SubnetId>,
    /// `enableDnsSupport`: the Amazon DNS server answers (DNS-2).
    pub dns_support: bool,
    /// `enableDnsHostnames`: with `dns_support`, instances with a public IP
    /// get a public DNS name and Amazon-provided private names resolve
    /// (DNS-2).
    pub dns_hostnames: bool,
    /// The Region the VPC is in: the scenario's, or a peering's
    /// `peer_region` for its accepter.
    pub region: String,
}

impl Vpc {
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        let ip = u32::from(ip);
        self.cidrs.iter().any(|c| crate::units::in_cidr(*c, ip))
    }
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub name: String,
    pub vpc: VpcId,
    pub cidr: Ipv4Net,
    pub az: String,
    /// The zone as a number, what the data plane compares: the index of
    /// `az` among the sorted zone names of the design's subnets.
    pub zone: AzId,
    pub route_table: RouteTableId,
    pub nacl: NaclId,
    pub enis: Vec<EniId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteDest {
    Cidr(Ipv4Net),
    PrefixList(PrefixListId),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Local,
    Igw(IgwId),
    Nat(NatId),
    Endpoint(EndpointId),
    Eni(EniId),
    Peering(PeeringId),
    Vgw(VgwId),
    /// A transit gateway: the packet enters it through the attachment ENI of
    /// the route table's VPC in the source's AZ (TGW-2).
    Tgw(TgwId),
    /// A target that no longer exists (`state = "blackhole"`), by its name.
    Missing(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub dest: RouteDest,
    pub target: Target,
    /// Recorded as a blackhole, or its target was deleted (RT-5).
    pub blackhole: bool,
}

#[derive(Clone, Debug)]
pub struct RouteTable {
    pub name: String,
    pub vpc: VpcId,
    pub main: bool,
    /// Static routes and prefix-list routes, as written; gateway endpoint
    /// routes are added here (GWE-2). Local and propagated routes are not.
    pub routes: Vec<Route>,
}

#[derive(Clone, Debug)]
pub struct Igw {
    pub name: String,
    pub vpc: VpcId,
}

#[derive(Clone, Debug)]
pub struct Nat {
    pub name: String,
    pub subnet: SubnetId,
    pub public: bool,
    pub public_ip: Option<Ipv4Addr>,
    pub eni: EniId,
}

#[derive(Clone, Debug)]
pub struct PrefixList {
    pub name: String,
    /// AWS's name, `com.amazonaws.us-east-1.s3` for a service list.
    pub list_name: String,
    pub cidrs: Vec<Ipv4Net>,
}

#[derive(Clone, Debug)]
pub enum EndpointKind {
    Gateway {
        prefix_list: PrefixListId,
        route_tables: Vec<RouteTableId>,
    },
    Interface {
        subnets: Vec<SubnetId>,
        security_groups: Vec<SgId>,
        /// The service's default name resolves to the ENIs from inside the
        /// VPC (IFE-2): private DNS on, and not only for inbound Resolver
        /// endpoints (IFE-7).
        private_dns: bool,
        enis: Vec<EniId>,
    },
}

#[derive(Clone, Debug)]
pub struct Endpoint {
    pub name: String,
    pub vpc: VpcId,
    pub service: String,
    pub kind: EndpointKind,
    pub listen: Vec<Listen>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    Cidr(Ipv4Net),
    Group(SgId),
    PrefixList(PrefixListId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpMatch {
    /// `None`: every type.
    pub icmp_type: Option<u8>,
    /// `None`: every code.
    pub code: Option<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SgRule {
    pub protocol: Protocol,
    /// All ports for protocols without ports.
    pub ports: PortRange,
    pub icmp: IcmpMatch,
    pub peer: Peer,
}

#[derive(Clone, Debug)]
pub struct SecurityGroup {
    pub name: String,
    pub vpc: VpcId,
    pub ingress: Vec<SgRule>,
    pub egress: Vec<SgRule>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaclRule {
    pub number: u16,
    pub protocol: Protocol,
    pub ports: PortRange,
    pub icmp: IcmpMatch,
    pub cidr: Ipv4Net,
    pub allow: bool,
}

#[derive(Clone, Debug)]
pub struct NetworkAcl {
    pub name: String,
    pub vpc: VpcId,
    /// Sorted by rule number (NACL-2).
    pub ingress: Vec<NaclRule>,
    pub egress: Vec<NaclRule>,
}

#[derive(Clone, Debug)]
pub struct Peering {
    pub name: String,
    pub requester: VpcId,
    pub accepter: VpcId,
    /// 9001 within the Region, 8500 across Regions (MTU-1).
    pub mtu: u16,
    /// Its VPCs are in different Regions: an instance's traffic across it
    /// counts towards its bandwidth to other Regions (BW-4).
    pub inter_region: bool,
    /// The requester side's DNS resolution option: public DNS names of the
    /// requester VPC's instances resolve to private addresses when queried
    /// from the accepter VPC (DNS-4).
    pub requester_dns: bool,
    /// The accepter side's: the accepter VPC's instances' names, queried
    /// from the requester VPC.
    pub accepter_dns: bool,
}

impl Peering {
    /// The VPC on the other side from `vpc`.
    pub fn other(&self, vpc: VpcId) -> Option<VpcId> {
        if vpc == self.requester {
            Some(self.accepter)
        } else if vpc == self.accepter {
            Some(self.requester)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug)]
pub struct Vgw {
    pub name: String,
    pub vpc: VpcId,
    pub propagate_to: Vec<RouteTableId>,
    pub networks: Vec<OnpremNetId>,
}

#[derive(Clone, Debug)]
pub struct OnpremNet {
    pub name: String,
    pub cidrs: Vec<Ipv4Net>,
    pub via: OnpremVia,
    pub latency: Dist,
    /// Its VPN link's class, in [`Design::links`].
    pub link: LinkId,
    /// The VPN connection it is reached over, where the file states it
    /// (VPN-3).
    pub vpn: VpnLink,
}

/// What a file states of a Site-to-Site VPN connection (VPN-3, VPN-4).
#[derive(Clone, Debug, Default)]
pub struct VpnLink {
    pub customer_gateway: Option<Ipv4Addr>,
    /// Dynamic (BGP) routing; static otherwise.
    pub bgp: bool,
    /// Its tunnels: AWS's outside address and whether the tunnel is up.
    pub tunnels: Vec<(Ipv4Addr, bool)>,
}

impl VpnLink {
    /// Whether the connection carries traffic: it has a tunnel up, or
    /// states none (VPN-3).
    pub fn carries(&self) -> bool {
        self.tunnels.is_empty() || self.tunnels.iter().any(|t| t.1)
    }
}

/// What an on-premises network reaches AWS through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnpremVia {
    /// A VPN gateway of one VPC (VPN-1, VPN-2).
    Vgw(VgwId),
    /// A VPN attachment of a transit gateway (TGW-9).
    TgwAttachment(TgwAttachmentId),
}

/// A transit gateway (TGW-1): a regional router between attachments.
#[derive(Clone, Debug)]
pub struct TransitGateway {
    pub name: String,
    pub asn: u32,
    /// The table new attachments are associated with, when default
    /// association is on (TGW-3).
    pub association_default: Option<TgwRouteTableId>,
    /// The table new attachments propagate into, when default propagation is
    /// on (TGW-3).
    pub propagation_default: Option<TgwRouteTableId>,
    pub dns_support: bool,
    pub sg_referencing: bool,
    /// The Region it is in: the scenario's, or its own `region`
    /// (TGW-10).
    pub region: String,
}

#[derive(Clone, Debug)]
pub enum TgwAttachmentKind {
    /// A VPC attachment: one subnet per AZ, one ENI in each (TGW-2).
    Vpc {
        vpc: VpcId,
        subnets: Vec<SubnetId>,
        enis: Vec<EniId>,
        /// Both directions of a flow use the same AZ's ENI (TGW-6).
        appliance_mode: bool,
        /// Security group referencing on the attachment (on by default;
        /// TGW-11).
        sg_referencing: bool,
    },
    /// A Site-to-Site VPN connection terminating on the transit gateway
    /// (TGW-9): the on-premises networks behind it.
    Vpn {
        networks: Vec<OnpremNetId>,
        /// BGP routing: the networks' prefixes propagate; static routing
        /// propagates nothing (TGW-9).
        bgp: bool,
    },
    /// One side of a peering between two transit gateways (TGW-10): the
    /// attachment on the other transit gateway, which names this one back.
    Peering {
        peer: TgwAttachmentId,
        /// The two transit gateways are in different Regions.
        inter_region: bool,
    },
}

#[derive(Clone, Debug)]
pub struct TgwAttachment {
    pub name: String,
    pub tgw: TgwId,
    pub kind: TgwAttachmentKind,
    /// The route table that routes packets arriving from it (TGW-3).
    pub association: Option<TgwRouteTableId>,
    /// The route tables its routes propagate into (TGW-3).
    pub propagations: Vec<TgwRouteTableId>,
}

impl TgwAttachment {
    /// The VPC of a VPC attachment.
    pub fn vpc(&self) -> Option<VpcId> {
        match self.kind {
            TgwAttachmentKind::Vpc { vpc, .. } => Some(vpc),
            TgwAttachmentKind::Vpn { .. } | TgwAttachmentKind::Peering { .. } => None,
        }
    }

    /// Whether a VPC attachment has security group referencing on (TGW-11).
    pub fn sg_referencing(&self) -> bool {
        matches!(
            self.kind,
            TgwAttachmentKind::Vpc {
                sg_referencing: true,
                ..
            }
        )
    }

    /// The ENIs of a VPC attachment, one per AZ, in the order written.
    pub fn enis(&self) -> &[EniId] {
        match &self.kind {
            TgwAttachmentKind::Vpc { enis, .. } => enis,
            TgwAttachmentKind::Vpn { .. } | TgwAttachmentKind::Peering { .. } => &[],
        }
    }

    /// The other side of a peering attachment (TGW-10).
    pub fn peer(&self) -> Option<TgwAttachmentId> {
        match self.kind {
            TgwAttachmentKind::Peering { peer, .. } => Some(peer),
            _ => None,
        }
    }
}

/// A static route of a transit gateway route table (TGW-4): to an
/// attachment, or a blackhole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TgwRoute {
    pub dest: RouteDest,
    /// `None`: a blackhole route.
    pub target: Option<TgwAttachmentId>,
}

#[derive(Clone, Debug)]
pub struct TgwRouteTable {
    pub name: String,
    pub tgw: TgwId,
    /// Static and blackhole routes as written; propagated routes come from
    /// the attachments that propagate into the table.
    pub routes: Vec<TgwRoute>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listen {
    pub protocol: u8,
    /// `None`: every port (for protocols without ports).
    pub port: Option<u16>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EniOwner {
    Instance(InstanceId),
    Endpoint(EndpointId),
    /// A Hyperplane ENI, shared by every function of its (subnet, groups):
    /// the first function that uses it, which decisions at it are charged to.
    Lambda(LambdaId),
    Nat(NatId),
    /// A transit gateway VPC attachment's ENI in one subnet (TGW-2).
    TgwAttachment(TgwAttachmentId),
}

#[derive(Clone, Debug)]
pub struct Eni {
    /// The `eni` id given in the file, or a name derived from the owner.
    pub name: String,
    pub subnet: SubnetId,
    pub vpc: VpcId,
    pub ip: Ipv4Addr,
    pub public_ip: Option<Ipv4Addr>,
    pub security_groups: Vec<SgId>,
    pub source_dest_check: bool,
    pub owner: EniOwner,
    /// What the pcap file and flow logs call it.
    pub label: String,
    /// The interface MTU: an instance's `mtu` (MTU-2), 8500 for an
    /// interface endpoint's (IFE-5), 9001 otherwise.
    pub mtu: u16,
    /// An instance's network performance by its `instance_type` (BW-1);
    /// `None`: the ENI default of 10 Gbps.
    pub bandwidth: Option<instance_type::NetworkPerformance>,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub eni: EniId,
    /// A forwarding instance that drops packets of flows it did not see
    /// start (`forward = "stateful"`), as a firewall does.
    pub stateful: bool,
    pub listen: Vec<Listen>,
}

#[derive(Clone, Debug)]
pub struct Lambda {
    pub name: String,
    pub vpc: Option<VpcId>,
    /// One Hyperplane ENI per subnet of the function (LAM-2).
    pub enis: Vec<EniId>,
    pub security_groups: Vec<SgId>,
    pub concurrency: u32,
    /// How long a new execution environment initialises before its first
    /// invocation runs (LAM-7).
    pub init_duration: Nanos,
    /// The function timeout: an invocation still running then is ended
    /// (LAM-10).
    pub timeout: Nanos,
}

#[derive(Clone, Debug)]
pub struct ExternalHost {
    pub name: String,
    pub ip: Ipv4Addr,
    pub listen: Vec<Listen>,
    /// The link from the region's edge to it: [`LinkId::BEYOND_EDGE`] unless
    /// it has its own latency or loss.
    pub link: LinkId,
}

#[derive(Clone, Debug)]
pub struct AwsService {
    pub name: String,
    pub service: String,
    /// The Region whose service this front door is (the scenario's unless
    /// the file says).
    pub region: String,
    pub ips: Vec<Ipv4Addr>,
    pub listen: Vec<Listen>,
}

#[derive(Clone, Debug)]
pub struct OnpremHost {
    pub name: String,
    pub network: OnpremNetId,
    pub ip: Ipv4Addr,
    pub listen: Vec<Listen>,
}

/// Where traffic comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Instance(InstanceId),
    Lambda(LambdaId),
    External(ExternalHostId),
    Onprem(OnpremHostId),
}

/// Where traffic goes, before name resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DestSpec {
    /// A component other than an instance, by its id.
    Component(Component),
    /// An instance, by the name the file or command line gave: its id, its
    /// private DNS name or its public DNS name (DNS-1, DNS-3).
    Instance(InstanceId, dns::NameForm),
    Ip(Ipv4Addr),
    /// An AWS service name (`s3`), resolved as the VPC's DNS would.
    Service(String),
}

#[derive(Clone, Debug)]
pub struct Traffic {
    pub name: String,
    pub from: Source,
    pub to: DestSpec,
    pub protocol: u8,
    pub port: u16,
    pub pattern: Pattern,
    pub rate: Rate,
    pub request: u64,
    pub response: u64,
    pub size: u64,
    pub hold: Nanos,
    /// After this a request, ping or bulk transfer has failed; `None` for a
    /// bulk transfer written without one (it may take as long as it takes).
    pub timeout: Option<Nanos>,
    pub start: Nanos,
    pub stop: Nanos,
    pub arrivals: Arrivals,
    /// The TTL, in seconds, the resolver gives the name `to` stands for,
    /// when it is one (DNS-5); `None`: [`dns::DEFAULT_TTL`].
    pub dns_ttl: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetChange {
    SgIngress(SgId, Vec<SgRule>),
    SgEgress(SgId, Vec<SgRule>),
    NaclIngress(NaclId, Vec<NaclRule>),
    NaclEgress(NaclId, Vec<NaclRule>),
    EniSecurityGroups(Vec<EniId>, Vec<SgId>),
    SourceDestCheck(EniId, bool),
    SubnetRouteTable(SubnetId, RouteTableId),
    SubnetNacl(SubnetId, NaclId),
    Routes(RouteTableId, Vec<Route>),
    EndpointRouteTables(EndpointId, Vec<RouteTableId>),
    Propagation(VgwId, Vec<RouteTableId>),
    /// The attachments associated with a transit gateway route table: those
    /// listed move to it, those no longer listed are disassociated (TGW-3).
    TgwAssociations(TgwRouteTableId, Vec<TgwAttachmentId>),
    /// The attachments propagating into a transit gateway route table.
    TgwPropagations(TgwRouteTableId, Vec<TgwAttachmentId>),
    /// A transit gateway route table's static and blackhole routes.
    TgwRoutes(TgwRouteTableId, Vec<TgwRoute>),
    /// A transit gateway attachment's appliance mode (TGW-6).
    ApplianceMode(TgwAttachmentId, bool),
    /// The tunnels of an on-premises network's VPN connection and their
    /// status (VPN-4): with every tunnel down, BGP withdraws its routes.
    VpnTunnels(OnpremNetId, Vec<(Ipv4Addr, bool)>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Delete(Component),
    /// Adds or replaces the route for `route.dest`.
    AddRoute(RouteTableId, Route),
    DeleteRoute(RouteTableId, RouteDest),
    /// Adds or replaces the static route of a transit gateway route table
    /// for `route.dest` (TGW-4).
    AddTgwRoute(TgwRouteTableId, TgwRoute),
    DeleteTgwRoute(TgwRouteTableId, RouteDest),
    Set(Vec<SetChange>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub at: Nanos,
    pub action: Action,
}

#[derive(Clone, Debug)]
pub struct Expect {
    /// The traffic it speaks of; none for an expectation that states only
    /// bounds on a component or on the cost.
    pub traffic: Option<TrafficId>,
    pub window: Option<(Nanos, Nanos)>,
    pub delivered: Option<Delivered>,
    pub via: Vec<Component>,
    pub not_via: Vec<Component>,
    pub drop_reason: Option<DropReason>,
    pub drop_at: Option<DropAt>,
    /// The component that `nat_ports`, `nat_connections` and `bytes` speak of.
    pub component: Option<Component>,
    /// Numeric bounds (`p99 = "< 40ms"`).
    pub bounds: Vec<crate::scenario::bound::Bound>,
    /// Whether a bound needs the latency of the traffic's flows in the
    /// window (they are then recorded).
    pub latency: bool,
    /// Line of the `[[expect]]` in its file, for reports.
    pub line: usize,
}

/// Where an expectation says packets are dropped: a component of the
/// design, the internet, or an on-premises network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropAt {
    Component(Component),
    /// `drop_at = "internet"`: the internet itself (an address it does not
    /// route, OPEN-1), when no resource has that id.
    Internet,
}

/// A validated scenario.
#[derive(Clone, Debug)]
pub struct Design {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub duration: Nanos,
    pub region: String,
    pub account_id: String,
    pub latency: Latency,
    /// Every link class, by [`LinkId`].
    pub links: Vec<Link>,
    /// The link between two Regions (`[latency] inter_region`): across a
    /// VPC peering or a transit gateway peering attachment whose sides are
    /// in different Regions. The last class, so that adding it moved no
    /// other class's draws.
    pub inter_region_link: LinkId,
    pub pricing: Pricing,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub igws: Vec<Igw>,
    pub nats: Vec<Nat>,
    pub prefix_lists: Vec<PrefixList>,
    pub endpoints: Vec<Endpoint>,
    pub security_groups: Vec<SecurityGroup>,
    pub nacls: Vec<NetworkAcl>,
    pub peerings: Vec<Peering>,
    pub vgws: Vec<Vgw>,
    pub onprem_nets: Vec<OnpremNet>,
    pub instances: Vec<Instance>,
    pub lambdas: Vec<Lambda>,
    pub external_hosts: Vec<ExternalHost>,
    pub aws_services: Vec<AwsService>,
    pub onprem_hosts: Vec<OnpremHost>,
    pub enis: Vec<Eni>,
    pub tgws: Vec<TransitGateway>,
    pub tgw_attachments: Vec<TgwAttachment>,
    pub tgw_route_tables: Vec<TgwRouteTable>,
    pub traffic: Vec<Traffic>,
    pub events: Vec<Event>,
    pub expects: Vec<Expect>,
    /// Every id of the file (and every ENI name), to its component.
    pub names: BTreeMap<String, Component>,
    /// The smallest MTU of any link of the design: a packet no longer than
    /// this fits every link, and the data plane looks no further (MTU-1).
    pub mtu_floor: u16,
    /// Which networks reach which VPCs privately, and where public DNS
    /// names resolve to private addresses (DNS-1, DNS-4).
    pub dns: dns::Reach,
}

impl Design {
    /// The Region a VPC is in (the scenario's for `None`: a source
    /// outside the VPCs).
    pub fn region_of(&self, vpc: Option<VpcId>) -> &str {
        vpc.map_or(self.region.as_str(), |v| self.vpcs[v.idx()].region.as_str())
    }

    /// The subnet a traffic source sends from, if it is in a VPC.
    pub fn source_subnet(&self, src: Source) -> Option<SubnetId> {
        match src {
            Source::Instance(i) => Some(self.enis[self.instances[i.idx()].eni.idx()].subnet),
            Source::Lambda(l) => self.lambdas[l.idx()]
                .enis
                .first()
                .map(|x| self.enis[x.idx()].subnet),
            Source::External(_) | Source::Onprem(_) => None,
        }
    }

    /// The id the file gives a component (or the derived name of an ENI).
    pub fn name_of(&self, c: Component) -> &str {
        match c {
            Component::Vpc(i) => &self.vpcs[i.idx()].name,
            Component::Subnet(i) => &self.subnets[i.idx()].name,
            Component::RouteTable(i) => &self.route_tables[i.idx()].name,
            Component::Igw(i) => &self.igws[i.idx()].name,
            Component::Nat(i) => &self.nats[i.idx()].name,
            Component::PrefixList(i) => &self.prefix_lists[i.idx()].name,
            Component::Endpoint(i) => &self.endpoints[i.idx()].name,
            Component::Sg(i) => &self.security_groups[i.idx()].name,
            Component::Nacl(i) => &self.nacls[i.idx()].name,
            Component::Peering(i) => &self.peerings[i.idx()].name,
            Component::Vgw(i) => &self.vgws[i.idx()].name,
            Component::OnpremNet(i) => &self.onprem_nets[i.idx()].name,
            Component::Instance(i) => &self.instances[i.idx()].name,
            Component::Lambda(i) => &self.lambdas[i.idx()].name,
            Component::ExternalHost(i) => &self.external_hosts[i.idx()].name,
            Component::AwsService(i) => &self.aws_services[i.idx()].name,
            Component::OnpremHost(i) => &self.onprem_hosts[i.idx()].name,
            Component::Eni(i) => &self.enis[i.idx()].name,
            Component::Tgw(i) => &self.tgws[i.idx()].name,
            Component::TgwAttachment(i) => &self.tgw_attachments[i.idx()].name,
            Component::TgwRouteTable(i) => &self.tgw_route_tables[i.idx()].name,
        }
    }

    /// The link of class `l`, as a packet about to cross it sees it.
    pub fn delay(&self, l: LinkId) -> Delay {
        Delay {
            min: self.links[l.idx()].dist.min,
            link: l,
        }
    }

    pub fn lookup(&self, name: &str) -> Option<Component> {
        self.names.get(name).copied()
    }

    /// The component that a security group or host decision is charged to:
    /// the workload whose ENI applied it.
    pub fn eni_workload(&self, eni: EniId) -> Component {
        match self.enis[eni.idx()].owner {
            EniOwner::Instance(i) => Component::Instance(i),
            EniOwner::Endpoint(e) => Component::Endpoint(e),
            EniOwner::Nat(n) => Component::Nat(n),
            EniOwner::TgwAttachment(a) => Component::TgwAttachment(a),
            EniOwner::Lambda(l) => Component::Lambda(l),
        }
    }
}

/// Ranges no host on the internet can have: this network, private
/// (RFC 1918), shared (RFC 6598), loopback, link-local, multicast and
/// reserved, each with its name.
const NOT_ON_THE_INTERNET: [(u32, u32, &str); 9] = [
    (0x0000_0000, 8, "0.0.0.0/8 (\"this network\")"),
    (0x0a00_0000, 8, "10.0.0.0/8 (private, RFC 1918)"),
    (
        0x6440_0000,
        10,
        "100.64.0.0/10 (shared address space, RFC 6598)",
    ),
    (0x7f00_0000, 8, "127.0.0.0/8 (loopback)"),
    (0xa9fe_0000, 16, "169.254.0.0/16 (link-local)"),
    (0xac10_0000, 12, "172.16.0.0/12 (private, RFC 1918)"),
    (0xc0a8_0000, 16, "192.168.0.0/16 (private, RFC 1918)"),
    (0xe000_0000, 4, "224.0.0.0/4 (multicast)"),
    (0xf000_0000, 4, "240.0.0.0/4 (reserved)"),
];

/// The range, by name, that keeps `ip` off the internet (OPEN-1): `None`
/// for an address an internet host can have.
pub fn range_off_the_internet(ip: u32) -> Option<&'static str> {
    NOT_ON_THE_INTERNET
        .iter()
        .find(|&&(net, len, _)| ip >> (32 - len) == net >> (32 - len))
        .map(|&(_, _, name)| name)
}
