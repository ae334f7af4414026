//! The data plane: what each AWS component does to a packet.
//!
//! [`Network`] holds the compiled, current state of a design: route tables
//! as LPM tables, security groups and NACLs with their current rules,
//! connection tracking, NAT mappings, and which components still exist. A
//! packet moves through it one [`Loc`] at a time: [`Network::step`] takes the
//! packet's bytes, where it is, and the virtual time, and returns one
//! [`Step`]: go on to the next place (after a link delay), be delivered to a
//! host, or be dropped with a reason and the component that decided. Every
//! decision is also reported to a [`Trace`], which `explain` prints and the
//! engine turns into metrics. Nothing here reads a clock, does I/O or
//! allocates on the forwarding path.

pub mod capacity;
pub mod conntrack;
pub mod eni;
mod forward;
pub mod gateway_endpoint;
pub mod host;
pub mod interface_endpoint;
pub mod internet;
pub mod internet_gateway;
pub mod lambda;
pub mod link_local;
pub mod mtu;
pub mod nacl;
pub mod nat_gateway;
pub mod peering;
pub mod resolve;
pub mod route_table;
pub mod security_group;
mod timeline;
pub mod trace;
pub mod transit_gateway;
pub mod vpn;

use std::net::Ipv4Addr;
use std::sync::Arc;

use ipnet::Ipv4Net;

pub use capacity::{
    Capacity, Credits, Scaling, ServerId, SizeTime, capacity_at, capacity_of, internet_capacity,
    internet_shaped, leaves_region,
};
pub use host::{host_eni, host_listens, host_place, host_start};
pub use lambda::{LAMBDA_OUTSIDE_BASE, lambda_outside_ip};
pub use trace::{
    Arrival, AwsRule, Decision, Gateway, Hop, NoTrace, Place, Rule, Seen, Side, Trace,
};

use crate::hashing::FastMap;
use crate::lpm::Lpm;
use crate::model::*;
use crate::units::Nanos;

/// Where a packet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    /// Sent by the ENI's owner, or forwarded by a middlebox: egress checks,
    /// then routing from the ENI's subnet.
    EniOut(EniId),
    /// Leaving a transit gateway by VPC attachment ENI `eni`, with the
    /// identity of the ENI of VPC `sender` that sent it (TGW-11): routed
    /// from the ENI's subnet like `EniOut`.
    TgwExit { eni: EniId, sender: VpcId },
    /// Arriving at an ENI: NACL ingress when it crosses the subnet boundary,
    /// then source/destination check and security groups.
    EniIn { eni: EniId, from: Entry },
    /// At an internet gateway; `outbound` from the VPC to the internet.
    Igw { igw: IgwId, outbound: bool },
    /// At a gateway endpoint; `to_service` from the VPC.
    GatewayEndpoint {
        endpoint: EndpointId,
        to_service: bool,
    },
    /// Crossing a peering connection into `into`.
    Peering { peering: PeeringId, into: VpcId },
    /// At a VPN gateway; `to_onprem` leaving the VPC.
    Vgw { vgw: VgwId, to_onprem: bool },
    /// At a transit gateway's VPN attachment (TGW-9): `to_onprem` leaving
    /// the transit gateway for the on-premises network, else arriving from
    /// it.
    VpnAttachment {
        attachment: TgwAttachmentId,
        to_onprem: bool,
    },
    /// Arriving at a transit gateway over peering attachment `attachment`
    /// (the receiving side's) from the peer transit gateway (TGW-10).
    TgwPeering { attachment: TgwAttachmentId },
    /// In tunnel `tunnel` (0 or 1) of the VPN connection of on-premises
    /// network `net` behind a transit gateway's VPN attachment (TGW-13):
    /// `to_onprem` towards the network, else towards the attachment.
    VpnTunnel {
        net: OnpremNetId,
        tunnel: u8,
        to_onprem: bool,
    },
    /// On the public internet, routed by destination address.
    Internet,
    /// Translated by a NAT gateway (or sent by it): routed from its subnet.
    NatOut(NatId),
    /// Sent by a host: a workload through its ENI, an outside host into its
    /// network (an AWS service's replies may go back through a gateway
    /// endpoint).
    HostOut(Host),
    /// Arriving at a host outside every VPC, after the last link's delay.
    Arrive(Host),
    /// Arriving at an AWS service's front door through a gateway endpoint:
    /// the service remembers the way back for its replies (GWE-3).
    ServiceVia { service: Host, endpoint: EndpointId },
}

/// How a packet reached an ENI, for NACL-5 and the edge rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// From an ENI of this subnet or another subnet of the VPC, sent by
    /// its own host.
    Subnet(SubnetId),
    /// From an ENI of this subnet or another subnet of the VPC that
    /// forwards a packet it did not send (a middlebox): as `Subnet` for
    /// network ACLs, but no group reference admits it (SG-2).
    Forwarded(SubnetId),
    /// From transit gateway attachment ENI of `subnet` (as `Forwarded` for
    /// network ACLs), sent by an ENI of VPC `vpc` whose identity the
    /// transit gateway carried: security group referencing is on for it
    /// and both attachments (TGW-11).
    Transit {
        subnet: SubnetId,
        vpc: VpcId,
    },
    Igw,
    Peering(PeeringId),
    Vgw(VgwId),
    GatewayEndpoint(EndpointId),
}

impl Entry {
    /// From an ENI of subnet `s`: sent by its own host, or `forwarded` by
    /// it, a packet it did not send (a middlebox, SG-2).
    pub fn from_subnet(s: SubnetId, forwarded: bool) -> Entry {
        if forwarded {
            Entry::Forwarded(s)
        } else {
            Entry::Subnet(s)
        }
    }

    /// The subnet of the VPC the packet came from, if it came from one.
    pub fn subnet(self) -> Option<SubnetId> {
        match self {
            Entry::Subnet(s) | Entry::Forwarded(s) | Entry::Transit { subnet: s, .. } => Some(s),
            _ => None,
        }
    }
}

/// Who receives a delivered packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    Instance(InstanceId),
    /// A Lambda function's Hyperplane ENI (the function is found by the
    /// traffic that owns the flow).
    LambdaEni(EniId),
    /// A Lambda function outside any VPC, at its AWS-managed address.
    LambdaOutside(LambdaId),
    /// An interface endpoint answering on its service's behalf (IFE).
    Endpoint(EndpointId, EniId),
    External(ExternalHostId),
    AwsService(AwsServiceId),
    Onprem(OnpremHostId),
    /// A host on the internet at a public address that nothing of the
    /// design owns: the outside world is open. It answers ICMP echo and
    /// accepts every port.
    Internet(Ipv4Addr),
    /// An AWS service at an address of its ranges where the file declares
    /// no front door (`ServiceId` indexes [`State::services`]).
    Service(ServiceId, Ipv4Addr),
    /// An address of an on-premises network that no declared host has.
    OnpremAddr(OnpremNetId, Ipv4Addr),
    /// A service the host of ENI `EniId` answers itself (NACL-9).
    LinkLocal(link_local::LinkLocal, EniId),
}

/// An AWS service: one known by its address ranges (a prefix list of the
/// design named `com.amazonaws.<region>.<service>`, or a built-in one of the
/// design's region), or one only named by an endpoint or a front door.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub u16);

pub use crate::model::builtin::{ServiceRanges, service_ranges};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drop {
    pub reason: DropReason,
    pub place: Place,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Next { loc: Loc, delay: Delay },
    Deliver(Host),
    Drop(Drop),
}

/// Which components still exist (timeline `delete`).
#[derive(Clone, Debug)]
struct Alive {
    nat: Vec<bool>,
    igw: Vec<bool>,
    endpoint: Vec<bool>,
    peering: Vec<bool>,
    vgw: Vec<bool>,
    eni: Vec<bool>,
    tgw_attachment: Vec<bool>,
}

/// A design and the data plane's current state for it.
pub struct Network {
    pub design: Arc<Design>,
    pub st: State,
}

/// The data plane's state for one part of a run: the configuration, shared
/// by every logical process of the run as long as nobody changes it, and
/// what moves with the packets (connection tracking, NAT mappings, flows
/// seen), which each logical process keeps for what it owns. Reads of the
/// configuration go through `Deref`.
pub struct State {
    /// The configuration now (routes, rules, associations, what exists).
    pub cfg: Arc<Config>,
    pub conntrack: conntrack::Conntrack,
    /// Each ENI's allowance for the services its host answers (NACL-9).
    linklocal: link_local::Allowance,
    pub nats: Vec<nat_gateway::NatTable>,
    /// Flows that reached a service through a gateway endpoint, so that the
    /// service's replies go back the same way: (service ip, private ip,
    /// ports, proto) -> endpoint.
    gwe_flows: FastMap<u128, (EndpointId, u64)>,
    /// Flows that stateful forwarding instances saw start: (ENI, flow) ->
    /// last packet (RT-9a).
    middlebox_flows: FastMap<(EniId, u128), u64>,
    /// The ports of datagrams whose first fragment passed, for their later
    /// fragments (MTU-3): key -> (source port, destination port, when).
    fragment_ports: FastMap<u128, (u16, u16, u64)>,
}

impl std::ops::Deref for State {
    type Target = Config;
    #[inline]
    fn deref(&self) -> &Config {
        &self.cfg
    }
}

/// The compiled configuration of the data plane: what a timeline event
/// changes, never a packet. Immutable once built; a timeline event makes a
/// new version ([`Config::after`]).
#[derive(Clone)]
pub struct Config {
    routes: Vec<Vec<Route>>,
    tables: Vec<route_table::Compiled>,
    propagation: Vec<Vec<VgwId>>,
    endpoint_tables: Vec<Vec<RouteTableId>>,
    subnet_rt: Vec<RouteTableId>,
    subnet_nacl: Vec<NaclId>,
    nacls: Vec<NetworkAcl>,
    /// `nacls`, compiled for the scan: entry `i` is `nacl::Scan::of(&nacls[i])`.
    nacl_scans: Vec<nacl::Scan>,
    sgs: Vec<SecurityGroup>,
    eni_sgs: Vec<Vec<SgId>>,
    eni_sdc: Vec<bool>,
    members: security_group::Members,
    prefix_lists: Vec<Vec<Ipv4Net>>,
    alive: Alive,
    /// (VPC, private IP) -> ENI.
    private: FastMap<u64, EniId>,
    /// Public IP -> ENI (instances' public IPs, NAT gateways' Elastic IPs).
    public: FastMap<u32, EniId>,
    /// Internet addresses of hosts outside any VPC.
    internet_hosts: FastMap<u32, Host>,
    onprem_hosts: FastMap<u32, OnpremHostId>,
    onprem_nets: Lpm<u32>,
    /// AWS services by their address ranges, and the table that finds them;
    /// after those with ranges, the services only named, without ranges.
    pub services: Vec<ServiceRanges>,
    service_ranges: Lpm<u32>,
    /// The service of each endpoint and of each declared front door.
    endpoint_service: Vec<ServiceId>,
    front_door_service: Vec<ServiceId>,
    /// The DNS resolver's address of each VPC (ADDR-4).
    vpc_resolver: Vec<Ipv4Addr>,
    /// Transit gateway route tables: static routes now, the attachments
    /// that propagate into each, and the compiled tables (TGW-3, TGW-4).
    tgw_routes: Vec<Vec<TgwRoute>>,
    tgw_props: Vec<Vec<TgwAttachmentId>>,
    tgw_tables: Vec<transit_gateway::Compiled>,
    /// The route table each attachment is associated with now.
    tgw_assoc: Vec<Option<TgwRouteTableId>>,
    /// (transit gateway, subnet) -> the attachment ENI packets from the
    /// subnet enter by (TGW-2).
    tgw_entry: FastMap<u64, EniId>,
    /// Availability Zone per ENI, as a number (only with transit gateways).
    eni_az: Vec<u16>,
    /// Appliance mode of each attachment now (TGW-6).
    tgw_appliance: Vec<bool>,
    /// The VPN connection of each on-premises network, its tunnels as they
    /// are now (VPN-3, VPN-4).
    vpn_links: Vec<VpnLink>,
}

fn private_key(vpc: VpcId, ip: u32) -> u64 {
    (u64::from(vpc.0) << 32) | u64::from(ip)
}

/// A flow between a service's front door and a private address, as seen
/// from the service.
pub(crate) fn gwe_key(
    proto: u8,
    service: Ipv4Addr,
    sport: u16,
    private: Ipv4Addr,
    pport: u16,
) -> u128 {
    (u128::from(proto) << 96)
        | (u128::from(u32::from(service)) << 64)
        | (u128::from(sport) << 48)
        | (u128::from(u32::from(private)) << 16)
        | u128::from(pport)
}

impl Network {
    pub fn new(design: Arc<Design>) -> Network {
        let cfg = Arc::new(Config::new(&design));
        Network::with_config(design, cfg)
    }

    /// A network whose configuration is `cfg` (built by [`Config::new`]
    /// for the same design, and shared with other parts of the run), with
    /// no tracked flow yet.
    pub fn with_config(design: Arc<Design>, cfg: Arc<Config>) -> Network {
        let d = &*design;
        let st = State {
            cfg,
            conntrack: conntrack::Conntrack::new(),
            linklocal: link_local::Allowance::new(),
            nats: (0..d.nats.len())
                .map(|_| nat_gateway::NatTable::with_seed(d.seed))
                .collect(),
            gwe_flows: FastMap::default(),
            middlebox_flows: FastMap::default(),
            fragment_ports: FastMap::default(),
        };
        Network { design, st }
    }

    /// Applies a timeline action (at its virtual time, by the engine).
    pub fn apply(&mut self, action: &Action) {
        let next = self.st.cfg.after(&self.design, action);
        self.apply_config(Arc::new(next), action);
    }

    /// Applies a timeline action whose configuration `next` was already
    /// made ([`Config::after`] of the current one), shared with the other
    /// parts of the run: only what moves with packets changes here.
    pub fn apply_config(&mut self, next: Arc<Config>, action: &Action) {
        self.st.cfg = next;
        if let Action::Delete(Component::Nat(n)) = action {
            // Deleting a NAT gateway forgets its mappings.
            self.st.nats[n.idx()].clear();
        }
    }
}

impl Config {
    /// The configuration a design starts with.
    pub fn new(design: &Design) -> Config {
        let d = design;
        let prefix_lists: Vec<Vec<Ipv4Net>> =
            d.prefix_lists.iter().map(|p| p.cidrs.clone()).collect();
        let mut propagation = vec![Vec::new(); d.route_tables.len()];
        for (g, vgw) in d.vgws.iter().enumerate() {
            for rt in &vgw.propagate_to {
                propagation[rt.idx()].push(VgwId::from_idx(g));
            }
        }
        let endpoint_tables = d
            .endpoints
            .iter()
            .map(|e| match &e.kind {
                EndpointKind::Gateway { route_tables, .. } => route_tables.clone(),
                EndpointKind::Interface { .. } => vec![],
            })
            .collect();
        let mut private = FastMap::default();
        let mut public = FastMap::default();
        for (i, e) in d.enis.iter().enumerate() {
            private.insert(private_key(e.vpc, u32::from(e.ip)), EniId::from_idx(i));
            if let Some(p) = e.public_ip {
                public.insert(u32::from(p), EniId::from_idx(i));
            }
        }
        for n in &d.nats {
            if let Some(p) = n.public_ip {
                public.insert(u32::from(p), n.eni);
            }
        }
        let mut internet_hosts = FastMap::default();
        for (i, h) in d.external_hosts.iter().enumerate() {
            internet_hosts.insert(u32::from(h.ip), Host::External(ExternalHostId::from_idx(i)));
        }
        for (i, s) in d.aws_services.iter().enumerate() {
            for ip in &s.ips {
                internet_hosts.insert(u32::from(*ip), Host::AwsService(AwsServiceId::from_idx(i)));
            }
        }
        for (i, l) in d.lambdas.iter().enumerate() {
            if l.vpc.is_none() {
                internet_hosts.insert(
                    u32::from(lambda_outside_ip(LambdaId::from_idx(i))),
                    Host::LambdaOutside(LambdaId::from_idx(i)),
                );
            }
        }
        let onprem_hosts = d
            .onprem_hosts
            .iter()
            .enumerate()
            .map(|(i, h)| (u32::from(h.ip), OnpremHostId::from_idx(i)))
            .collect();
        let onprem_nets = Lpm::from_prefixes(
            d.onprem_nets
                .iter()
                .enumerate()
                .flat_map(|(i, n)| n.cidrs.iter().map(move |c| (*c, i as u32))),
        );
        let mut services = service_ranges(d);
        let service_ranges = Lpm::from_prefixes(
            services
                .iter()
                .enumerate()
                .flat_map(|(i, s)| s.cidrs.iter().map(move |c| (*c, i as u32))),
        );
        let endpoint_service = d
            .endpoints
            .iter()
            .map(|e| service_id(&mut services, &d.vpcs[e.vpc.idx()].region, &e.service))
            .collect();
        let front_door_service = d
            .aws_services
            .iter()
            .map(|s| service_id(&mut services, &s.region, &s.service))
            .collect();
        let mut st = Config {
            routes: d.route_tables.iter().map(|t| t.routes.clone()).collect(),
            tables: Vec::new(),
            propagation,
            endpoint_tables,
            subnet_rt: d.subnets.iter().map(|s| s.route_table).collect(),
            subnet_nacl: d.subnets.iter().map(|s| s.nacl).collect(),
            nacls: d.nacls.clone(),
            nacl_scans: d.nacls.iter().map(nacl::Scan::of).collect(),
            sgs: d.security_groups.clone(),
            eni_sgs: d.enis.iter().map(|e| e.security_groups.clone()).collect(),
            eni_sdc: d.enis.iter().map(|e| e.source_dest_check).collect(),
            members: security_group::Members::default(),
            prefix_lists,
            alive: Alive {
                nat: vec![true; d.nats.len()],
                igw: vec![true; d.igws.len()],
                endpoint: vec![true; d.endpoints.len()],
                peering: vec![true; d.peerings.len()],
                vgw: vec![true; d.vgws.len()],
                eni: vec![true; d.enis.len()],
                tgw_attachment: vec![true; d.tgw_attachments.len()],
            },
            private,
            public,
            internet_hosts,
            onprem_hosts,
            onprem_nets,
            services,
            service_ranges,
            endpoint_service,
            front_door_service,
            vpc_resolver: d.vpcs.iter().map(link_local::vpc_resolver).collect(),
            tgw_routes: d
                .tgw_route_tables
                .iter()
                .map(|t| t.routes.clone())
                .collect(),
            tgw_props: tgw_propagations(d),
            tgw_tables: Vec::new(),
            tgw_assoc: d.tgw_attachments.iter().map(|a| a.association).collect(),
            tgw_entry: transit_gateway::entry_enis(d),
            eni_az: transit_gateway::eni_azs(d),
            tgw_appliance: d
                .tgw_attachments
                .iter()
                .map(|a| match a.kind {
                    TgwAttachmentKind::Vpc { appliance_mode, .. } => appliance_mode,
                    TgwAttachmentKind::Vpn { .. } | TgwAttachmentKind::Peering { .. } => false,
                })
                .collect(),
            vpn_links: d.onprem_nets.iter().map(|n| n.vpn.clone()).collect(),
        };
        st.rebuild_members(d);
        st.tgw_tables = (0..d.tgw_route_tables.len())
            .map(|i| st.compile_tgw(d, TgwRouteTableId::from_idx(i)))
            .collect();
        st.tables = (0..st.routes.len())
            .map(|i| st.compile(d, RouteTableId::from_idx(i)))
            .collect();
        st
    }

    /// The configuration after a timeline action.
    pub fn after(&self, design: &Design, action: &Action) -> Config {
        let mut next = self.clone();
        next.apply(design, action);
        next
    }
}

impl Network {
    /// Forgets idle connection-tracking entries and NAT mappings.
    pub fn sweep(&mut self, now: Nanos) {
        self.st.conntrack.sweep(now);
        for t in &mut self.st.nats {
            t.sweep(now);
        }
        let limit = crate::dataplane::nat_gateway::IDLE_TIMEOUT.0;
        self.st
            .gwe_flows
            .retain(|_, (_, last)| now.0.saturating_sub(*last) <= limit);
        if !self.st.middlebox_flows.is_empty() {
            let idle = eni::MIDDLEBOX_IDLE.0;
            self.st
                .middlebox_flows
                .retain(|_, last| now.0.saturating_sub(*last) <= idle);
        }
        let limit = mtu::FRAGMENT_MEMORY.0;
        self.st
            .fragment_ports
            .retain(|_, (_, _, at)| now.0.saturating_sub(*at) <= limit);
    }

    /// The ENI that owns a private address in a VPC.
    pub fn eni_at(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
        self.st.eni_at(vpc, ip)
    }

    /// Whether ENI `e` still exists (timeline `delete`).
    pub fn eni_alive(&self, e: EniId) -> bool {
        self.st.alive.eni[e.idx()]
    }
}

impl Config {
    fn compile(&self, design: &Design, rt: RouteTableId) -> route_table::Compiled {
        let vgws: Vec<VgwId> = self.propagation[rt.idx()]
            .iter()
            .copied()
            .filter(|g| self.alive.vgw[g.idx()])
            .collect();
        route_table::Compiled::build(
            design,
            rt,
            &self.routes[rt.idx()],
            &self.prefix_lists,
            &vgws,
            &self.vpn_links,
        )
    }

    fn compile_tgw(&self, design: &Design, rt: TgwRouteTableId) -> transit_gateway::Compiled {
        let props: Vec<TgwAttachmentId> = self.tgw_props[rt.idx()]
            .iter()
            .copied()
            .filter(|a| self.alive.tgw_attachment[a.idx()])
            .collect();
        transit_gateway::Compiled::build(
            design,
            &self.tgw_routes[rt.idx()],
            &self.prefix_lists,
            &props,
            &self.vpn_links,
        )
    }

    fn rebuild_members(&mut self, design: &Design) {
        let mut by_group = vec![Vec::new(); self.sgs.len()];
        let mut by_eni = vec![Vec::new(); self.sgs.len()];
        for (i, e) in design.enis.iter().enumerate() {
            if !self.alive.eni[i] {
                continue;
            }
            for g in &self.eni_sgs[i] {
                by_group[g.idx()].push(u32::from(e.ip));
                by_eni[g.idx()].push(security_group::eni_key(e.vpc, u32::from(e.ip)));
            }
        }
        for v in &mut by_group {
            v.sort_unstable();
            v.dedup();
        }
        for v in &mut by_eni {
            v.sort_unstable();
            v.dedup();
        }
        self.members = security_group::Members { by_group, by_eni };
    }

    /// The AWS service whose ranges hold `ip`, if any.
    pub fn service_at(&self, ip: Ipv4Addr) -> Option<ServiceId> {
        self.service_ranges
            .lookup_u32(u32::from(ip))
            .map(|i| ServiceId(i as u16))
    }

    /// The on-premises network whose declared prefixes hold `ip`, if any.
    pub fn onprem_net_at(&self, ip: Ipv4Addr) -> Option<OnpremNetId> {
        self.onprem_nets.lookup_u32(u32::from(ip)).map(OnpremNetId)
    }

    /// The ENI that owns a private address in a VPC.
    pub fn eni_at(&self, vpc: VpcId, ip: Ipv4Addr) -> Option<EniId> {
        self.private
            .get(&private_key(vpc, u32::from(ip)))
            .copied()
            .filter(|e| self.alive.eni[e.idx()])
    }
}

/// A packet followed from one place until it is delivered or dropped.
#[derive(Debug)]
pub struct Walk {
    pub end: Step,
    pub hops: Vec<Hop>,
    /// The sum of the median delays of the links on the way (LAT-2).
    pub latency: Nanos,
}

/// The most steps a walk takes; TTL ends every loop long before (a loop
/// through the VPC passes a middlebox or NAT gateway that decrements it).
pub const MAX_STEPS: usize = 4096;

impl Network {
    /// Follows a packet from `start` to its end, all at virtual time `now`.
    pub fn walk(&mut self, buf: &mut [u8], start: Loc, now: Nanos) -> Walk {
        let mut hops = Vec::new();
        let mut latency = Nanos::ZERO;
        let mut loc = start;
        for _ in 0..MAX_STEPS {
            match self.step(buf, loc, now, &mut hops) {
                Step::Next { loc: next, delay } => {
                    let median = self
                        .design
                        .links
                        .get(delay.link.idx())
                        .map_or(delay.min, |l| l.dist.p50);
                    latency = latency.saturating_add(median);
                    loc = next;
                }
                end => return Walk { end, hops, latency },
            }
        }
        let place = hops.last().map_or(Place::Internet, |h| h.place);
        Walk {
            end: Step::Drop(Drop {
                reason: DropReason::TtlExpired,
                place,
            }),
            hops,
            latency,
        }
    }

    /// The compiled route a [`Rule::Route`] names, against the current
    /// state (RT-4).
    pub fn route_entry(&self, table: RouteTableId, entry: u32) -> &route_table::Entry {
        self.st.tables[table.idx()].entry(entry)
    }

    /// The compiled transit gateway route a [`Rule::TgwRoute`] names,
    /// against the current state (TGW-4).
    pub fn tgw_route_entry(&self, table: TgwRouteTableId, entry: u32) -> &transit_gateway::Entry {
        self.st.tgw_tables[table.idx()].entry(entry)
    }

    /// The rule of a hop in words, against the current state.
    pub fn describe(&self, rule: &Rule) -> Option<String> {
        let d = &*self.design;
        Some(match *rule {
            Rule::None => return None,
            Rule::Route { table, entry } => {
                route_table::describe(d, self.st.tables[table.idx()].entry(entry))
            }
            Rule::Nacl {
                nacl,
                ingress,
                number,
            } => {
                let a = &self.st.nacls[nacl.idx()];
                let dir = if ingress { "inbound" } else { "outbound" };
                match number {
                    None => format!("{} {dir} rule * (deny: no rule matches)", a.name),
                    Some(n) => {
                        let rules = if ingress { &a.ingress } else { &a.egress };
                        let r = rules.iter().find(|r| r.number == n);
                        let what = r.map_or(String::new(), |r| {
                            let action = if r.allow { "allow" } else { "deny" };
                            let way = if ingress { "from" } else { "to" };
                            format!(
                                " ({action} {} {way} {})",
                                traffic_words(r.protocol, r.ports, r.icmp),
                                r.cidr
                            )
                        });
                        format!("{} {dir} rule {n}{what}", a.name)
                    }
                }
            }
            Rule::Sg {
                group,
                ingress,
                index,
            } => {
                let g = &self.st.sgs[group.idx()];
                let (rules, dir, way) = if ingress {
                    (&g.ingress, "inbound", "from")
                } else {
                    (&g.egress, "outbound", "to")
                };
                let what = rules.get(index as usize).map_or(String::new(), |r| {
                    let peer = match r.peer {
                        Peer::Cidr(c) => c.to_string(),
                        Peer::Group(x) => format!("group {}", self.st.sgs[x.idx()].name),
                        Peer::PrefixList(p) => {
                            format!("prefix list {}", d.prefix_lists[p.idx()].name)
                        }
                    };
                    format!(
                        ": {} {way} {peer}",
                        traffic_words(r.protocol, r.ports, r.icmp)
                    )
                });
                format!("{} {dir} rule {}{what}", g.name, index + 1)
            }
            Rule::SgNoMatch { ingress } => {
                let dir = if ingress { "inbound" } else { "outbound" };
                format!("no {dir} rule of its security groups allows it")
            }
            Rule::Tracked => "part of a tracked connection (SG-3)".to_string(),
            Rule::TgwAssociation { attachment, table } => format!(
                "from attachment {}, associated with route table {}",
                d.tgw_attachments[attachment.idx()].name,
                d.tgw_route_tables[table.idx()].name
            ),
            Rule::TgwEni { eni, entering } => {
                let e = &d.enis[eni.idx()];
                let s = &d.subnets[e.subnet.idx()];
                let way = if entering { "enters" } else { "leaves" };
                format!("{way} through ENI {} ({}) in {}", e.name, e.ip, s.az)
            }
            Rule::TgwRoute { table, entry } => {
                transit_gateway::describe(d, self.st.tgw_tables[table.idx()].entry(entry))
            }
            Rule::VpnTunnels { net } => vpn::describe(&self.st.vpn_links[net.idx()]),
            Rule::VpnTunnel { net, tunnel, ecmp } => {
                let link = &self.st.vpn_links[net.idx()];
                let name = link.tunnels.get(usize::from(tunnel)).map_or_else(
                    || format!("tunnel {} of 2", tunnel + 1),
                    |t| format!("tunnel {}", t.0),
                );
                let up = if link.tunnels.is_empty() {
                    2
                } else {
                    link.tunnels.iter().filter(|t| t.1).count()
                };
                let how = match (ecmp, up > 1) {
                    (true, true) => format!("one of {up} tunnels up, by flow hash: ECMP"),
                    (true, false) => "the one tunnel up".to_string(),
                    (false, _) => "the first tunnel up: static routing, no ECMP".to_string(),
                };
                format!(
                    "over {name} ({how}); a tunnel carries 1.25 Gbps and 140,000 packets/s (TGW-13)"
                )
            }
            Rule::BgpWithdrawn { net } => format!(
                "no route covers the destination: the BGP routes to {} are withdrawn, every tunnel of its VPN is down (TGW-12)",
                d.onprem_nets[net.idx()].name
            ),
            Rule::Aws(r) => r.words().to_string(),
        })
    }

    /// The name and kind of a place, for traces and reports.
    pub fn place_name(&self, place: Place) -> (String, &'static str) {
        match place {
            Place::Component(c) => (self.design.name_of(c).to_string(), c.kind().name()),
            Place::Internet => ("internet".to_string(), "internet"),
            Place::Onprem(n) => (
                self.design.onprem_nets[n.idx()].name.clone(),
                "onprem_network",
            ),
            Place::Service(s) => (
                self.st.services[s.0 as usize].service.clone(),
                "aws_service",
            ),
            Place::InternetHost(ip) => (ip.to_string(), "internet_host"),
        }
    }
}

/// "all traffic", "tcp 443", "udp 1024-65535", "icmp".
fn traffic_words(
    p: crate::units::Protocol,
    ports: crate::units::PortRange,
    icmp: IcmpMatch,
) -> String {
    if p == crate::units::Protocol::All {
        "all traffic".to_string()
    } else if p.has_ports() {
        format!("{p} {ports}")
    } else if p == crate::units::Protocol::ICMP {
        // The type and code a rule names (SG-11).
        match (icmp.icmp_type, icmp.code) {
            (None, _) => p.to_string(),
            (Some(t), None) => format!("{p} type {t}"),
            (Some(t), Some(c)) => format!("{p} type {t} code {c}"),
        }
    } else {
        p.to_string()
    }
}

/// The id of service `name` of `region`, added without ranges when it has
/// none.
fn service_id(services: &mut Vec<ServiceRanges>, region: &str, name: &str) -> ServiceId {
    let i = match services
        .iter()
        .position(|s| s.service == name && s.region == region)
    {
        Some(i) => i,
        None => {
            services.push(ServiceRanges {
                region: region.to_string(),
                service: name.to_string(),
                cidrs: Vec::new(),
            });
            services.len() - 1
        }
    };
    ServiceId(i as u16)
}

/// The attachments that propagate into each transit gateway route table, in
/// attachment order.
fn tgw_propagations(d: &Design) -> Vec<Vec<TgwAttachmentId>> {
    let mut out = vec![Vec::new(); d.tgw_route_tables.len()];
    for (i, a) in d.tgw_attachments.iter().enumerate() {
        for rt in &a.propagations {
            out[rt.idx()].push(TgwAttachmentId::from_idx(i));
        }
    }
    out
}
