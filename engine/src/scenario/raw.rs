//! The scenario file as written: one struct per table of the format, every
//! value with its span, references still as text.
//!
//! Required keys are `Option`s here: a missing one has been reported already,
//! and validation skips the checks that need it instead of piling up errors
//! that only repeat the first.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::reader::{ByteSize, Sp, Span};
use crate::units::{Nanos, PortRange, Protocol, Rate};

pub type Id = Sp<String>;

#[derive(Clone, Debug, Default)]
pub struct Raw {
    pub scenario: Option<ScenarioHead>,
    pub pricing: Option<Pricing>,
    pub latency: Option<LatencyDefaults>,
    pub vpcs: Vec<Vpc>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<RouteTable>,
    pub internet_gateways: Vec<InternetGateway>,
    pub nat_gateways: Vec<NatGateway>,
    pub prefix_lists: Vec<PrefixList>,
    pub vpc_endpoints: Vec<VpcEndpoint>,
    pub security_groups: Vec<SecurityGroup>,
    pub network_acls: Vec<NetworkAcl>,
    pub vpc_peerings: Vec<VpcPeering>,
    pub vpn_gateways: Vec<VpnGateway>,
    pub onprem_networks: Vec<OnpremNetwork>,
    pub instances: Vec<Instance>,
    pub lambdas: Vec<Lambda>,
    pub external_hosts: Vec<ExternalHost>,
    pub aws_services: Vec<AwsService>,
    pub onprem_hosts: Vec<OnpremHost>,
    pub transit_gateways: Vec<TransitGateway>,
    pub tgw_attachments: Vec<TgwAttachment>,
    pub tgw_route_tables: Vec<TgwRouteTable>,
    pub traffic: Vec<Traffic>,
    pub events: Vec<Event>,
    pub expects: Vec<Expect>,
}

#[derive(Clone, Debug)]
pub struct ScenarioHead {
    pub span: Span,
    pub name: Option<Sp<String>>,
    pub description: Option<Sp<String>>,
    pub seed: Option<Sp<u64>>,
    pub duration: Option<Sp<Nanos>>,
    pub region: Option<Sp<String>>,
    pub account_id: Option<Sp<String>>,
    /// Files whose resources join the scenario, relative to this file.
    pub include: Vec<Sp<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct Pricing {
    pub nat_gateway_hour: Option<Sp<f64>>,
    pub nat_gateway_gb: Option<Sp<f64>>,
    pub interface_endpoint_hour: Option<Sp<f64>>,
    pub interface_endpoint_gb: Option<Sp<f64>>,
    pub internet_out_gb: Option<Sp<f64>>,
    pub cross_az_gb: Option<Sp<f64>>,
    pub transit_gateway_attachment_hour: Option<Sp<f64>>,
    pub transit_gateway_gb: Option<Sp<f64>>,
    pub inter_region_gb: Option<Sp<f64>>,
    pub regional_public_ip_gb: Option<Sp<f64>>,
    pub vpn_connection_hour: Option<Sp<f64>>,
}

/// Overrides of the latency defaults (LAT).
#[derive(Clone, Debug, Default)]
pub struct LatencyDefaults {
    pub same_az: Option<Sp<LatencyValue>>,
    pub cross_az: Option<Sp<LatencyValue>>,
    pub internet: Option<Sp<LatencyValue>>,
    pub aws_service: Option<Sp<LatencyValue>>,
    pub vpn: Option<Sp<LatencyValue>>,
    pub inter_region: Option<Sp<LatencyValue>>,
    pub internet_loss: Option<Sp<Share>>,
    pub vpn_loss: Option<Sp<Share>>,
}

/// A one-way latency as written: one duration (a fixed delay) or a table
/// `{ min, p50, p99 }` (LAT-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LatencyValue {
    pub min: Nanos,
    pub p50: Nanos,
    pub p99: Nanos,
}

impl std::fmt::Display for LatencyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.min == self.p50 && self.p50 == self.p99 {
            write!(f, "\"{}\"", self.min)
        } else {
            write!(
                f,
                "{{ min = \"{}\", p50 = \"{}\", p99 = \"{}\" }}",
                self.min, self.p50, self.p99
            )
        }
    }
}

/// A share written as a percentage, `"0.1%"`: kept as a fraction, 0 to
/// below 1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share(pub f64);

impl std::fmt::Display for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}%\"", self.0 * 100.0)
    }
}

#[derive(Clone, Debug)]
pub struct Vpc {
    pub id: Id,
    pub cidrs: Option<Sp<Vec<Sp<Ipv4Net>>>>,
    /// AWS's `enableDnsSupport`: the Amazon DNS server answers (DNS-2).
    pub enable_dns_support: Option<Sp<bool>>,
    /// AWS's `enableDnsHostnames`: instances get public DNS names, and
    /// Amazon-provided private names resolve (DNS-2).
    pub enable_dns_hostnames: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct Subnet {
    pub id: Id,
    pub vpc: Option<Id>,
    pub cidr: Option<Sp<Ipv4Net>>,
    pub az: Option<Sp<String>>,
    pub route_table: Option<Id>,
    pub network_acl: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct RouteTable {
    pub id: Id,
    pub vpc: Option<Id>,
    pub main: Option<Sp<bool>>,
    pub routes: Vec<Sp<Route>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// A CIDR, or the id of a prefix list.
    pub destination: Option<Sp<String>>,
    pub target: Option<Id>,
    pub blackhole: bool,
}

#[derive(Clone, Debug)]
pub struct InternetGateway {
    pub id: Id,
    pub vpc: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct NatGateway {
    pub id: Id,
    pub subnet: Option<Id>,
    /// `true` for public (the default).
    pub public: Sp<bool>,
    pub public_ip: Option<Sp<Ipv4Addr>>,
    pub private_ip: Option<Sp<Ipv4Addr>>,
}

#[derive(Clone, Debug)]
pub struct PrefixList {
    pub id: Id,
    pub name: Option<Sp<String>>,
    pub cidrs: Vec<Sp<Ipv4Net>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointType {
    Gateway,
    Interface,
}

#[derive(Clone, Debug)]
pub struct VpcEndpoint {
    pub id: Id,
    pub kind: Option<Sp<EndpointType>>,
    pub vpc: Option<Id>,
    pub service: Option<Sp<String>>,
    pub route_tables: Vec<Id>,
    pub subnets: Vec<Id>,
    pub security_groups: Vec<Id>,
    pub private_dns: Option<Sp<bool>>,
    /// Interface only: AWS's `PrivateDnsOnlyForInboundResolverEndpoint`.
    pub private_dns_only_for_inbound_resolver_endpoint: Option<Sp<bool>>,
    /// Interface only: the address of the ENI in each subnet, in the order
    /// of `subnets`.
    pub private_ips: Vec<Sp<Ipv4Addr>>,
    pub listen: Vec<Sp<Listen>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    Cidr(Ipv4Net),
    Group(String),
    PrefixList(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SgRule {
    pub protocol: Option<Sp<Protocol>>,
    pub ports: Option<Sp<PortRange>>,
    /// Exactly one peer; `None` when the rule named none or several (reported).
    pub peer: Option<Sp<Peer>>,
    pub icmp_type: Option<Sp<u8>>,
    pub icmp_code: Option<Sp<u8>>,
    pub description: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct SecurityGroup {
    pub id: Id,
    pub vpc: Option<Id>,
    pub ingress: Vec<Sp<SgRule>>,
    /// `None`: omitted, which is AWS's default outbound rule (all traffic to
    /// 0.0.0.0/0, SG-8); `egress = []` is no outbound rule at all.
    pub egress: Option<Vec<Sp<SgRule>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NaclRule {
    pub rule: Option<Sp<u16>>,
    pub protocol: Option<Sp<Protocol>>,
    pub ports: Option<Sp<PortRange>>,
    pub cidr: Option<Sp<Ipv4Net>>,
    pub allow: Option<Sp<bool>>,
    pub icmp_type: Option<Sp<u8>>,
    pub icmp_code: Option<Sp<u8>>,
}

#[derive(Clone, Debug)]
pub struct NetworkAcl {
    pub id: Id,
    pub vpc: Option<Id>,
    /// Declares this NACL the VPC's default (used by subnets that name none).
    pub default: Option<Sp<bool>>,
    pub ingress: Vec<Sp<NaclRule>>,
    pub egress: Vec<Sp<NaclRule>>,
}

#[derive(Clone, Debug)]
pub struct VpcPeering {
    pub id: Id,
    pub requester: Option<Id>,
    pub accepter: Option<Id>,
    /// The accepter VPC's region when it is not the scenario's (an
    /// inter-Region peering, MTU-1).
    pub peer_region: Option<Sp<String>>,
    /// Both sides' DNS resolution option (DNS-4).
    pub allow_dns_resolution: Option<Sp<bool>>,
    /// The requester side's option: public DNS names of the requester VPC's
    /// instances resolve to private addresses when queried from the
    /// accepter VPC (DNS-4).
    pub requester_dns_resolution: Option<Sp<bool>>,
    /// The accepter side's option, the other way round.
    pub accepter_dns_resolution: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct VpnGateway {
    pub id: Id,
    pub vpc: Option<Id>,
    pub propagate_to: Vec<Id>,
}

#[derive(Clone, Debug)]
pub struct OnpremNetwork {
    pub id: Id,
    pub cidrs: Vec<Sp<Ipv4Net>>,
    pub via: Option<Id>,
    pub latency: Option<Sp<LatencyValue>>,
    pub loss: Option<Sp<Share>>,
    /// The VPN connection's customer gateway: its public address (VPN-3).
    pub customer_gateway: Option<Sp<Ipv4Addr>>,
    /// `routing = "bgp"` (true) or `"static"` (false, the default).
    pub bgp: Option<Sp<bool>>,
    /// The VPN connection's tunnels (VPN-3).
    pub tunnels: Vec<Sp<VpnTunnel>>,
}

/// One tunnel of a Site-to-Site VPN connection (VPN-3).
#[derive(Clone, Debug, PartialEq)]
pub struct VpnTunnel {
    /// AWS's end of the tunnel.
    pub outside_ip: Option<Sp<Ipv4Addr>>,
    /// `status = "up"` (true, the default) or `"down"`.
    pub up: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct TransitGateway {
    pub id: Id,
    pub asn: Option<Sp<u32>>,
    /// AWS's default: on.
    pub default_association: Option<Sp<bool>>,
    /// AWS's default: on.
    pub default_propagation: Option<Sp<bool>>,
    /// The table of default association; `None`: the implicit
    /// `<id>/default-rt`.
    pub association_table: Option<Id>,
    pub propagation_table: Option<Id>,
    pub dns_support: Option<Sp<bool>>,
    pub sg_referencing: Option<Sp<bool>>,
    /// The Region it is in; `None`: the scenario's.
    pub region: Option<Sp<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TgwAttachmentType {
    Vpc,
    /// A Site-to-Site VPN connection terminating on the transit gateway.
    Vpn,
    /// One side of a peering between two transit gateways.
    Peering,
}

/// How a VPN attachment's on-premises prefixes reach the transit gateway's
/// route tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VpnRouting {
    /// Dynamic routing: the prefixes are propagated.
    Bgp,
    /// Static routing: nothing is propagated.
    Static,
}

#[derive(Clone, Debug)]
pub struct TgwAttachment {
    pub id: Id,
    pub transit_gateway: Option<Id>,
    pub kind: Option<Sp<TgwAttachmentType>>,
    pub vpc: Option<Id>,
    pub subnets: Vec<Id>,
    pub appliance_mode: Option<Sp<bool>>,
    /// A VPC attachment's security group referencing (default on, TGW-11).
    pub sg_referencing: Option<Sp<bool>>,
    /// A VPN attachment's routing (default BGP).
    pub routing: Option<Sp<VpnRouting>>,
    /// A peering attachment's other side: the attachment on the peer
    /// transit gateway.
    pub peer: Option<Id>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TgwRoute {
    /// A CIDR, or the id of a prefix list.
    pub destination: Option<Sp<String>>,
    pub attachment: Option<Id>,
    pub blackhole: Option<Sp<bool>>,
}

#[derive(Clone, Debug)]
pub struct TgwRouteTable {
    pub id: Id,
    pub transit_gateway: Option<Id>,
    pub associations: Vec<Id>,
    pub propagations: Vec<Id>,
    pub routes: Vec<Sp<TgwRoute>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Listen {
    pub protocol: Option<Sp<Protocol>>,
    pub port: Option<Sp<u16>>,
    /// `listen = "any"`: every TCP and UDP port (then the only listener).
    pub any: bool,
}

#[derive(Clone, Debug)]
pub struct Instance {
    pub id: Id,
    pub subnet: Option<Id>,
    pub private_ip: Option<Sp<Ipv4Addr>>,
    pub public_ip: Option<Sp<Ipv4Addr>>,
    /// `None`: the VPC's default security group.
    pub security_groups: Option<Sp<Vec<Id>>>,
    pub source_dest_check: Option<Sp<bool>>,
    /// How a forwarding instance forwards: `true` for `"stateful"`.
    pub stateful: Option<Sp<bool>>,
    pub eni: Option<Id>,
    pub listen: Vec<Sp<Listen>>,
    /// The interface MTU (MTU-2); 9001 when omitted.
    pub mtu: Option<Sp<u16>>,
    /// The EC2 instance type, whose network performance the interface
    /// sends at (BW-1).
    pub instance_type: Option<Sp<String>>,
}

#[derive(Clone, Debug)]
pub struct Lambda {
    pub id: Id,
    pub subnets: Vec<Id>,
    pub security_groups: Vec<Id>,
    pub concurrency: Option<Sp<u32>>,
    /// How long a new execution environment initialises (LAM-7).
    pub init_duration: Option<Sp<Nanos>>,
    /// The function timeout (LAM-10).
    pub timeout: Option<Sp<Nanos>>,
}

#[derive(Clone, Debug)]
pub struct ExternalHost {
    pub id: Id,
    pub ip: Option<Sp<Ipv4Addr>>,
    pub listen: Vec<Sp<Listen>>,
    /// From the instance to the host, the region's edge included (LAT-2).
    pub latency: Option<Sp<LatencyValue>>,
    pub loss: Option<Sp<Share>>,
}

#[derive(Clone, Debug)]
pub struct AwsService {
    pub id: Id,
    pub service: Option<Sp<String>>,
    pub region: Option<Sp<String>>,
    pub ips: Vec<Sp<Ipv4Addr>>,
    pub listen: Option<Vec<Sp<Listen>>>,
}

#[derive(Clone, Debug)]
pub struct OnpremHost {
    pub id: Id,
    pub network: Option<Id>,
    pub ip: Option<Sp<Ipv4Addr>>,
    pub listen: Vec<Sp<Listen>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    Requests,
    Ping,
    Udp,
    Bulk,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrivals {
    Poisson,
    Fixed,
}

#[derive(Clone, Debug)]
pub struct Traffic {
    pub id: Id,
    pub from: Option<Id>,
    pub to: Option<Id>,
    pub protocol: Option<Sp<Protocol>>,
    pub port: Option<Sp<u16>>,
    pub pattern: Option<Sp<Pattern>>,
    pub rate: Option<Sp<Rate>>,
    pub request: Option<Sp<ByteSize>>,
    pub response: Option<Sp<ByteSize>>,
    pub size: Option<Sp<ByteSize>>,
    pub hold: Option<Sp<Nanos>>,
    pub timeout: Option<Sp<Nanos>>,
    pub start: Option<Sp<Nanos>>,
    pub stop: Option<Sp<Nanos>>,
    pub arrivals: Option<Sp<Arrivals>>,
    /// The TTL the resolver gives the name `to` stands for (DNS-5).
    pub dns_ttl: Option<Sp<Nanos>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RouteChange {
    pub route_table: Option<Id>,
    pub destination: Option<Sp<String>>,
    pub target: Option<Id>,
}

/// One attribute that a `set` event replaces.
#[derive(Clone, Debug, PartialEq)]
pub enum SetAttr {
    SgIngress(Vec<Sp<SgRule>>),
    SgEgress(Vec<Sp<SgRule>>),
    NaclIngress(Vec<Sp<NaclRule>>),
    NaclEgress(Vec<Sp<NaclRule>>),
    SecurityGroups(Vec<Id>),
    SourceDestCheck(bool),
    RouteTable(Id),
    NetworkAcl(Id),
    Routes(Vec<Sp<Route>>),
    PropagateTo(Vec<Id>),
    /// A transit gateway route table's associated attachments.
    TgwAssociations(Vec<Id>),
    /// A transit gateway route table's propagating attachments.
    TgwPropagations(Vec<Id>),
    /// A transit gateway route table's static routes.
    TgwRoutes(Vec<Sp<TgwRoute>>),
    /// A transit gateway attachment's appliance mode.
    ApplianceMode(bool),
    /// The tunnels of an on-premises network's VPN connection, with their
    /// status (VPN-4).
    Tunnels(Vec<Sp<VpnTunnel>>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventAction {
    Delete(Id),
    AddRoute(RouteChange),
    DeleteRoute(RouteChange),
    Set {
        resource: Id,
        attrs: Vec<Sp<SetAttr>>,
    },
}

#[derive(Clone, Debug)]
pub struct Event {
    pub span: Span,
    pub at: Option<Sp<Nanos>>,
    pub action: Option<Sp<EventAction>>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Amount {
    Percent(f64),
    Count(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    AtLeast,
    AtMost,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Delivered {
    pub cmp: Cmp,
    pub amount: Amount,
}

#[derive(Clone, Debug)]
pub struct Expect {
    pub span: Span,
    pub traffic: Option<Id>,
    pub window: Option<Sp<(Nanos, Nanos)>>,
    pub delivered: Option<Sp<Delivered>>,
    pub via: Vec<Id>,
    pub not_via: Vec<Id>,
    pub drop_reason: Option<Sp<String>>,
    pub drop_at: Option<Id>,
    /// The component that `nat_ports`, `nat_connections` and `bytes` speak of.
    pub component: Option<Id>,
    /// Numeric bounds, in the order of [`super::bound::Measure::ALL`].
    pub bounds: Vec<Sp<super::bound::Bound>>,
}

/// Everything known about the file's ids before events are read: the kind of
/// each resource, so that `set` knows which attributes to expect.
pub type Kinds = std::collections::BTreeMap<String, &'static str>;

/// The kinds of resource `set` can change, and the attributes of each.
pub const SETTABLE: &[(&str, &[&str])] = &[
    ("security_group", &["ingress", "egress"]),
    ("network_acl", &["ingress", "egress"]),
    ("instance", &["security_groups", "source_dest_check"]),
    ("subnet", &["route_table", "network_acl"]),
    ("route_table", &["routes"]),
    ("vpc_endpoint", &["security_groups", "route_tables"]),
    ("vpn_gateway", &["propagate_to"]),
    (
        "transit_gateway_route_table",
        &["associations", "propagations", "routes"],
    ),
    ("transit_gateway_attachment", &["appliance_mode"]),
    ("onprem_network", &["tunnels"]),
];
