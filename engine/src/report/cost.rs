//! The cost estimate of a run (NAT-10, IFE-6, GWE-1), from the shipped price
//! table (`docs/pricing.md`, the defaults of [`Pricing`]) or the scenario's
//! `[pricing]`.
//!
//! What is charged, in US dollars:
//! - a NAT gateway per hour it exists, and per GB it processes (both
//!   directions);
//! - an interface endpoint per hour per AZ (one ENI per AZ), and per GB it
//!   processes (both directions);
//! - a gateway endpoint nothing (its GB are shown, at $0);
//! - data out to the internet: bytes leaving an internet gateway, except to
//!   AWS services' public addresses in the same region, which is free;
//! - data between AZs inside a VPC or over a same-region peering: billed
//!   leaving one AZ and again entering the other, so each GB counts twice;
//!   free to or from an interface endpoint's or a transit gateway
//!   attachment's ENI (AWS PrivateLink and Transit Gateway, IFE-6, TGW-8);
//! - a transit gateway attachment (VPC, VPN or peering; a peering on each
//!   side) per hour it exists, and per GB sent into the transit gateway from
//!   its VPC or VPN; a peering attachment between Regions per GB it sends to
//!   the other Region (inter-Region transfer) (TGW-8);
//! - a Site-to-Site VPN connection (each on-premises network behind a VPN
//!   gateway, each VPN attachment of a transit gateway) per hour it exists,
//!   and the data sent out over it, at the price of data out to the
//!   internet (VPN-5).
//!
//! Hours are the virtual time a resource existed (a timeline `delete` ends
//! them), prorated: AWS bills a started hour whole, which a short run would
//! only blur. A GB is 2^30 bytes, as AWS bills. The monthly projection scales
//! the run to 730 hours, AWS's month for estimates. Not modelled: free tiers,
//! volume tiers, public IPv4 address hours, request charges.
//!
//! A `cost_per_month` bound over a window is priced from that window alone:
//! the hours each resource existed within it and the bytes of the window
//! (counted by the engine and the meter while it lasts), projected from the
//! window's length to the month ([`Estimate::windows`]).
//!
//! The [`Meter`] is the recorder that measures what the counters of
//! [`crate::sim::metrics`] cannot tell: the direction of internet traffic
//! and crossings between AZs, and per-ENI packets and bytes. It is attached
//! only to runs whose output shows a cost.

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};

use ipnet::Ipv4Net;

use crate::dataplane::{Entry, Gateway, Loc, Place, Seen};
use crate::hashing::{FastMap, FastSet};
use crate::model::*;
use crate::sim::Recorder;
use crate::sim::metrics::Metrics;
use crate::units::Nanos;

/// Bytes in a GB as AWS bills them.
pub const GB: f64 = 1_073_741_824.0;
/// Hours in a month, as AWS's estimates count them.
pub const MONTH_HOURS: f64 = 730.0;
/// The date of the shipped price table (see `docs/pricing.md`).
pub const PRICES_AS_OF: &str = "2025-01";

/// Packets and bytes an ENI sent and received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EniCounter {
    pub packets_out: u64,
    pub bytes_out: u64,
    pub packets_in: u64,
    pub bytes_in: u64,
}

/// What the meter measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transfer {
    /// Per internet gateway: bytes out to the internet (not to AWS services).
    pub internet_out: Vec<u64>,
    /// Per internet gateway: bytes out to AWS services' public addresses.
    pub to_aws_services: Vec<u64>,
    /// Per internet gateway: bytes out to, and bytes in from, a public or
    /// Elastic IP address of the same Region (an instance's, a NAT
    /// gateway's) (DT-1).
    pub regional_public: Vec<(u64, u64)>,
    /// Per VPC: bytes sent to another Region, over a VPC peering or to a
    /// public address of a VPC there (DT-2).
    pub inter_region_out: Vec<u64>,
    /// Per VPC: bytes that crossed from one AZ to another, each leg
    /// counted on its own side: out of the sender's VPC and into the
    /// receiver's (one VPC counts both) (DT-3).
    pub cross_az: Vec<u64>,
    pub enis: Vec<EniCounter>,
    /// Per transit gateway attachment without ENIs (VPN, peering): bytes
    /// into the transit gateway from it, and out of the transit gateway
    /// over it (TGW-8).
    pub attachments: Vec<(u64, u64)>,
    /// Per on-premises network: bytes sent to it over its Site-to-Site VPN
    /// connection (VPN-5).
    pub vpn_out: Vec<u64>,
    /// The same, within each window of a `cost_per_month` bound
    /// (`sim::cost_windows`).
    pub windows: Vec<Transfer>,
}

pub type Shared = Arc<Mutex<Transfer>>;

/// Measures transfer as the run goes; publishes it when the run ends.
pub struct Meter {
    d: Arc<Design>,
    t: Transfer,
    /// The windows of `cost_per_month` bounds, as `t.windows`.
    windows: Vec<(Nanos, Nanos)>,
    shared: Shared,
    /// Each subnet's AZ, numbered.
    az: Vec<u32>,
    /// (VPC, private IP) -> its ENI and subnet, for traffic arriving over a
    /// peering.
    subnet_of: FastMap<(u32, u32), (EniId, SubnetId)>,
    service_ips: FastSet<u32>,
    service_nets: Vec<Ipv4Net>,
    /// Public and Elastic IP addresses of the design (instances', NAT
    /// gateways') -> the VPC they belong to.
    public_vpc: FastMap<u32, VpcId>,
    /// Each VPC's Region, numbered.
    vpc_region: Vec<u32>,
}

impl Transfer {
    fn zero(d: &Design) -> Transfer {
        let one = Transfer {
            internet_out: vec![0; d.igws.len()],
            to_aws_services: vec![0; d.igws.len()],
            regional_public: vec![(0, 0); d.igws.len()],
            inter_region_out: vec![0; d.vpcs.len()],
            cross_az: vec![0; d.vpcs.len()],
            enis: vec![EniCounter::default(); d.enis.len()],
            attachments: vec![(0, 0); d.tgw_attachments.len()],
            vpn_out: vec![0; d.onprem_nets.len()],
            windows: Vec::new(),
        };
        Transfer {
            windows: vec![one.clone(); crate::sim::cost_windows(d).len()],
            ..one
        }
    }

    /// Adds another meter's counts (meters of several LPs add up).
    pub fn add(&mut self, o: &Transfer) {
        let sum = |a: &mut Vec<u64>, b: &Vec<u64>| {
            a.resize(a.len().max(b.len()), 0);
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        };
        sum(&mut self.internet_out, &o.internet_out);
        sum(&mut self.to_aws_services, &o.to_aws_services);
        sum(&mut self.cross_az, &o.cross_az);
        sum(&mut self.inter_region_out, &o.inter_region_out);
        self.regional_public.resize(
            self.regional_public.len().max(o.regional_public.len()),
            (0, 0),
        );
        for (x, y) in self.regional_public.iter_mut().zip(&o.regional_public) {
            x.0 += y.0;
            x.1 += y.1;
        }
        sum(&mut self.vpn_out, &o.vpn_out);
        self.enis
            .resize(self.enis.len().max(o.enis.len()), EniCounter::default());
        for (x, y) in self.enis.iter_mut().zip(&o.enis) {
            x.packets_out += y.packets_out;
            x.bytes_out += y.bytes_out;
            x.packets_in += y.packets_in;
            x.bytes_in += y.bytes_in;
        }
        self.attachments
            .resize(self.attachments.len().max(o.attachments.len()), (0, 0));
        for (x, y) in self.attachments.iter_mut().zip(&o.attachments) {
            x.0 += y.0;
            x.1 += y.1;
        }
        if self.windows.len() < o.windows.len() {
            self.windows.resize(o.windows.len(), Transfer::default());
        }
        for (x, y) in self.windows.iter_mut().zip(&o.windows) {
            x.add(y);
        }
    }
}

impl Meter {
    /// The total that the meters of a run add into.
    pub fn shared(d: &Design) -> Shared {
        Arc::new(Mutex::new(Transfer::zero(d)))
    }

    /// A meter that adds its counts into `shared` when the run ends.
    pub fn with_shared(d: Arc<Design>, shared: Shared) -> Meter {
        let (mut m, _) = Meter::new(d);
        m.shared = shared;
        m
    }

    pub fn new(d: Arc<Design>) -> (Meter, Shared) {
        let t = Transfer::zero(&d);
        let subnet_of = d
            .enis
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.vpc.0, u32::from(e.ip)), (EniId::from_idx(i), e.subnet)))
            .collect();
        let service_ips = d
            .aws_services
            .iter()
            .flat_map(|s| s.ips.iter().map(|ip| u32::from(*ip)))
            .collect();
        let service_nets = d
            .prefix_lists
            .iter()
            .filter(|p| p.list_name.starts_with("com.amazonaws."))
            .flat_map(|p| p.cidrs.iter().copied())
            .collect();
        let public_vpc = d
            .enis
            .iter()
            .filter_map(|e| e.public_ip.map(|ip| (u32::from(ip), e.vpc)))
            .chain(d.nats.iter().filter_map(|n| {
                n.public_ip
                    .map(|ip| (u32::from(ip), d.subnets[n.subnet.idx()].vpc))
            }))
            .collect();
        let mut regions: Vec<&str> = d.vpcs.iter().map(|v| v.region.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        let vpc_region = d
            .vpcs
            .iter()
            .map(|v| regions.binary_search(&v.region.as_str()).unwrap_or(0) as u32)
            .collect();
        let mut names: Vec<&str> = d.subnets.iter().map(|s| s.az.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let az = d
            .subnets
            .iter()
            .map(|s| names.binary_search(&s.az.as_str()).unwrap_or(0) as u32)
            .collect();
        let shared: Shared = Arc::new(Mutex::new(t.clone()));
        (
            Meter {
                windows: crate::sim::cost_windows(&d),
                d,
                t,
                shared: Arc::clone(&shared),
                az,
                subnet_of,
                service_ips,
                service_nets,
                public_vpc,
                vpc_region,
            },
            shared,
        )
    }
}

/// Whether an address is an AWS service's in this region: a declared front
/// door, or inside one of the services' prefix lists.
fn is_service(ips: &FastSet<u32>, nets: &[Ipv4Net], ip: Ipv4Addr) -> bool {
    ips.contains(&u32::from(ip)) || nets.iter().any(|n| n.contains(&ip))
}

/// Whether data between ENI `e` and another AZ is free: `e` is an
/// interface endpoint's (AWS PrivateLink) or a transit gateway attachment's
/// (IFE-6, TGW-8).
fn free_between_azs(d: &Design, e: EniId) -> bool {
    matches!(
        d.enis[e.idx()].owner,
        EniOwner::Endpoint(_) | EniOwner::TgwAttachment(_)
    )
}

/// Counts bytes that ENI `sender` (when known) sends from subnet `from` to
/// ENI `to` if the AZs differ, unless either ENI is one whose data between
/// AZs is free; `az` numbers each subnet's AZ. The leg out is the sending
/// subnet's VPC's, the leg in the receiving ENI's (DT-3).
fn cross(
    d: &Design,
    az: &[u32],
    t: &mut Transfer,
    (sender, from): (Option<EniId>, SubnetId),
    to: EniId,
    bytes: usize,
) {
    if free_between_azs(d, to) || sender.is_some_and(|s| free_between_azs(d, s)) {
        return;
    }
    let e = &d.enis[to.idx()];
    match (az.get(from.idx()), az.get(e.subnet.idx())) {
        (Some(a), Some(b)) if a != b => {
            t.cross_az[d.subnets[from.idx()].vpc.idx()] += bytes as u64;
            t.cross_az[e.vpc.idx()] += bytes as u64;
        }
        _ => {}
    }
}

impl Meter {
    /// Counts what `seen` shows into the run's transfer, or into that of
    /// window `k`.
    fn count(&mut self, k: Option<usize>, seen: &Seen<'_>) {
        let Meter {
            d,
            t,
            az,
            subnet_of,
            service_ips,
            service_nets,
            public_vpc,
            vpc_region,
            ..
        } = self;
        let d: &Design = d;
        let t = match k {
            None => t,
            Some(k) => &mut t.windows[k],
        };
        match *seen {
            Seen::EniOut {
                eni, bytes, next, ..
            } => {
                let c = &mut t.enis[eni.idx()];
                c.packets_out += 1;
                c.bytes_out += bytes.len() as u64;
                if let Some(Loc::EniIn {
                    eni: to,
                    from: Entry::Subnet(s) | Entry::Forwarded(s) | Entry::Transit { subnet: s, .. },
                }) = next
                {
                    cross(d, az, t, (Some(eni), s), to, bytes.len());
                }
            }
            Seen::EniIn {
                eni,
                from,
                bytes,
                arrival,
            } => {
                if arrival == crate::dataplane::Arrival::Accepted {
                    let c = &mut t.enis[eni.idx()];
                    c.packets_in += 1;
                    c.bytes_in += bytes.len() as u64;
                }
                // Over a peering: the sender's AZ is found by its address.
                // Between Regions, the sender's VPC pays inter-Region
                // transfer out, and nothing is charged in (DT-2).
                if let Entry::Peering(p) = from {
                    let into = d.enis[eni.idx()].vpc;
                    let pc = &d.peerings[p.idx()];
                    match pc.other(into) {
                        Some(other) if pc.inter_region => {
                            t.inter_region_out[other.idx()] += bytes.len() as u64;
                        }
                        Some(other) => {
                            if let Ok(v) = crate::packet::parse(bytes) {
                                if let Some(&(sender, s)) =
                                    subnet_of.get(&(other.0, u32::from(v.src)))
                                {
                                    cross(d, az, t, (Some(sender), s), eni, bytes.len());
                                }
                            }
                        }
                        None => {}
                    }
                }
            }
            Seen::Gateway {
                gw: Gateway::Igw(igw),
                departing: true,
                outbound,
                bytes,
            } => {
                let Ok(v) = crate::packet::parse(bytes) else {
                    return;
                };
                let n = bytes.len() as u64;
                let here = d.igws[igw.idx()].vpc;
                let same_region = |x: VpcId| vpc_region[x.idx()] == vpc_region[here.idx()];
                if !outbound {
                    // DT-1: data in from a public address of the Region.
                    if public_vpc
                        .get(&u32::from(v.src))
                        .is_some_and(|x| same_region(*x))
                    {
                        t.regional_public[igw.idx()].1 += n;
                    }
                } else if is_service(service_ips, service_nets, v.dst) {
                    t.to_aws_services[igw.idx()] += n;
                } else if let Some(&x) = public_vpc.get(&u32::from(v.dst)) {
                    // DT-1, DT-2: to a public address of a VPC, in this
                    // Region or another.
                    if same_region(x) {
                        t.regional_public[igw.idx()].0 += n;
                    } else {
                        t.inter_region_out[here.idx()] += n;
                    }
                } else {
                    t.internet_out[igw.idx()] += n;
                }
            }
            // Answered on the host: no data transfer (NACL-9).
            Seen::Gateway { .. } | Seen::Host { .. } => {}
            Seen::VpnOut { net, bytes } => {
                if t.vpn_out.len() < d.onprem_nets.len() {
                    t.vpn_out.resize(d.onprem_nets.len(), 0);
                }
                t.vpn_out[net.idx()] += bytes.len() as u64;
            }
            Seen::Attachment {
                attachment,
                into_tgw,
                bytes,
            } => {
                if t.attachments.len() < d.tgw_attachments.len() {
                    t.attachments.resize(d.tgw_attachments.len(), (0, 0));
                }
                let c = &mut t.attachments[attachment.idx()];
                if into_tgw {
                    c.0 += bytes.len() as u64;
                } else {
                    c.1 += bytes.len() as u64;
                }
            }
        }
    }
}

impl Recorder for Meter {
    fn seen(&mut self, now: Nanos, seen: &Seen<'_>) {
        self.count(None, seen);
        for k in 0..self.windows.len() {
            let (a, b) = self.windows[k];
            if a <= now && now <= b {
                self.count(Some(k), seen);
            }
        }
    }

    fn finish(&mut self, _end: Nanos) {
        if let Ok(mut s) = self.shared.lock() {
            s.add(&self.t);
        }
    }
}

/// One line of the estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// The component's id (a VPC's for cross-AZ transfer).
    pub component: String,
    /// The id of the VPC it belongs to.
    pub vpc: String,
    pub kind: &'static str,
    /// `hours`, `az_hours`, `data_processed`, `internet_out`, `cross_az`,
    /// `inter_region`, `vpn_out`.
    pub item: &'static str,
    pub quantity: f64,
    pub unit: &'static str,
    pub unit_usd: f64,
    pub usd: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub prices: Pricing,
    /// Price keys the scenario's `[pricing]` changed.
    pub overridden: Vec<&'static str>,
    pub hours: f64,
    pub items: Vec<Item>,
    pub total_usd: f64,
    pub monthly_usd: f64,
    /// Per VPC, in design order: (id, dollars, dollars per month).
    pub by_vpc: Vec<(String, f64, f64)>,
    /// Per window of a `cost_per_month` bound (`sim::cost_windows`): the
    /// window, and the month at the rate of that window alone.
    pub windows: Vec<((Nanos, Nanos), f64)>,
}

/// The price keys, in the order of the format document.
pub fn price_keys(p: &Pricing) -> [(&'static str, f64); 11] {
    [
        ("nat_gateway_hour", p.nat_gateway_hour),
        ("nat_gateway_gb", p.nat_gateway_gb),
        ("interface_endpoint_hour", p.interface_endpoint_hour),
        ("interface_endpoint_gb", p.interface_endpoint_gb),
        ("internet_out_gb", p.internet_out_gb),
        ("cross_az_gb", p.cross_az_gb),
        (
            "transit_gateway_attachment_hour",
            p.transit_gateway_attachment_hour,
        ),
        ("transit_gateway_gb", p.transit_gateway_gb),
        ("inter_region_gb", p.inter_region_gb),
        ("regional_public_ip_gb", p.regional_public_ip_gb),
        ("vpn_connection_hour", p.vpn_connection_hour),
    ]
}

/// Rounds to a nanodollar, so that printed figures are stable; never a
/// negative zero (an empty sum of `f64`s is -0.0).
fn usd(x: f64) -> f64 {
    (x * 1e9).round() / 1e9 + 0.0
}

/// The items of the estimate over `[from, until]` of the run (the whole
/// run, or a window of a `cost_per_month` bound): the hours each resource
/// existed in it, `bytes_of` each gateway and endpoint, and the meter's
/// transfer `t`, all of that span.
fn priced(
    d: &Design,
    (from, until): (Nanos, Nanos),
    bytes_of: &dyn Fn(Component) -> u64,
    t: &Transfer,
) -> Vec<Item> {
    let p = &d.pricing;
    let deleted = super::deleted_at(d);
    let until = until.min(d.duration);
    let hours_of = |c: Component| {
        let end = deleted.get(&c).copied().unwrap_or(d.duration).min(until);
        Nanos(end.0.saturating_sub(from.0)).as_secs_f64() / 3600.0
    };
    let mut items = Vec::new();
    let mut push = |component: &str,
                    vpc: Option<VpcId>,
                    kind: &'static str,
                    item: &'static str,
                    quantity: f64,
                    unit: &'static str,
                    unit_usd: f64| {
        items.push(Item {
            component: component.to_string(),
            // A VPN or peering attachment belongs to no VPC.
            vpc: vpc.map_or(String::new(), |v| d.vpcs[v.idx()].name.clone()),
            kind,
            item,
            quantity: usd(quantity),
            unit,
            unit_usd,
            usd: usd(quantity * unit_usd),
        });
    };
    for (i, n) in d.nats.iter().enumerate() {
        let c = Component::Nat(NatId::from_idx(i));
        let vpc = d.subnets[n.subnet.idx()].vpc;
        push(
            &n.name,
            Some(vpc),
            "nat_gateway",
            "hours",
            hours_of(c),
            "hour",
            p.nat_gateway_hour,
        );
        push(
            &n.name,
            Some(vpc),
            "nat_gateway",
            "data_processed",
            bytes_of(c) as f64 / GB,
            "GB",
            p.nat_gateway_gb,
        );
    }
    for (i, e) in d.endpoints.iter().enumerate() {
        let c = Component::Endpoint(EndpointId::from_idx(i));
        match &e.kind {
            EndpointKind::Interface { enis, .. } => {
                let azs: std::collections::BTreeSet<&str> = enis
                    .iter()
                    .map(|x| d.subnets[d.enis[x.idx()].subnet.idx()].az.as_str())
                    .collect();
                push(
                    &e.name,
                    Some(e.vpc),
                    "interface_endpoint",
                    "az_hours",
                    hours_of(c) * azs.len() as f64,
                    "AZ-hour",
                    p.interface_endpoint_hour,
                );
                push(
                    &e.name,
                    Some(e.vpc),
                    "interface_endpoint",
                    "data_processed",
                    bytes_of(c) as f64 / GB,
                    "GB",
                    p.interface_endpoint_gb,
                );
            }
            EndpointKind::Gateway { .. } => push(
                &e.name,
                Some(e.vpc),
                "gateway_endpoint",
                "data_processed",
                bytes_of(c) as f64 / GB,
                "GB",
                0.0,
            ),
        }
    }
    for (i, g) in d.igws.iter().enumerate() {
        let out = t.internet_out.get(i).copied().unwrap_or(0);
        push(
            &g.name,
            Some(g.vpc),
            "internet_gateway",
            "internet_out",
            out as f64 / GB,
            "GB",
            p.internet_out_gb,
        );
        // DT-1: to and from public addresses of the Region, each way.
        let (o, n) = t.regional_public.get(i).copied().unwrap_or((0, 0));
        if o + n > 0 {
            push(
                &g.name,
                Some(g.vpc),
                "internet_gateway",
                "regional_public_ip",
                (o + n) as f64 / GB,
                "GB",
                p.regional_public_ip_gb,
            );
        }
    }
    // TGW-8: each attachment per hour, whatever its type (a peering: each
    // side). Data processing: each GB sent into the transit gateway from a
    // VPC (its ENIs' accepted bytes) or a VPN; none for data arriving from
    // a peer transit gateway, processed where it entered the first.
    // Between Regions, the data sent over a peering attachment is charged
    // as inter-Region transfer on the sending side.
    for (i, a) in d.tgw_attachments.iter().enumerate() {
        let c = Component::TgwAttachment(TgwAttachmentId::from_idx(i));
        let vpc = a.vpc();
        push(
            &a.name,
            vpc,
            "transit_gateway_attachment",
            "hours",
            hours_of(c),
            "hour",
            p.transit_gateway_attachment_hour,
        );
        let (into_tgw, out_of_tgw) = t.attachments.get(i).copied().unwrap_or((0, 0));
        match a.kind {
            TgwAttachmentKind::Vpc { ref enis, .. } => {
                let sent: u64 = enis
                    .iter()
                    .map(|e| t.enis.get(e.idx()).map_or(0, |x| x.bytes_in))
                    .sum();
                push(
                    &a.name,
                    vpc,
                    "transit_gateway_attachment",
                    "data_processed",
                    sent as f64 / GB,
                    "GB",
                    p.transit_gateway_gb,
                );
            }
            TgwAttachmentKind::Vpn { .. } => push(
                &a.name,
                vpc,
                "transit_gateway_attachment",
                "data_processed",
                into_tgw as f64 / GB,
                "GB",
                p.transit_gateway_gb,
            ),
            TgwAttachmentKind::Peering {
                inter_region: true, ..
            } => push(
                &a.name,
                vpc,
                "transit_gateway_attachment",
                "inter_region",
                out_of_tgw as f64 / GB,
                "GB",
                p.inter_region_gb,
            ),
            TgwAttachmentKind::Peering { .. } => {}
        }
    }
    // VPN-5: each Site-to-Site VPN connection per hour, and the data sent
    // out of AWS over it at the price of data out to the internet. A VPN
    // gateway's connection is each on-premises network behind it; a
    // transit gateway's VPN attachment is one connection, whatever the
    // networks behind it.
    let vpn_out = |n: usize| t.vpn_out.get(n).copied().unwrap_or(0);
    for (i, n) in d.onprem_nets.iter().enumerate() {
        let OnpremVia::Vgw(g) = n.via else { continue };
        let vpc = d.vgws[g.idx()].vpc;
        let hours = hours_of(Component::Vgw(g))
            .min(hours_of(Component::OnpremNet(OnpremNetId::from_idx(i))));
        push(
            &n.name,
            Some(vpc),
            "vpn_connection",
            "hours",
            hours,
            "hour",
            p.vpn_connection_hour,
        );
        push(
            &n.name,
            Some(vpc),
            "vpn_connection",
            "vpn_out",
            vpn_out(i) as f64 / GB,
            "GB",
            p.internet_out_gb,
        );
    }
    for (i, a) in d.tgw_attachments.iter().enumerate() {
        let TgwAttachmentKind::Vpn { ref networks, .. } = a.kind else {
            continue;
        };
        let c = Component::TgwAttachment(TgwAttachmentId::from_idx(i));
        push(
            &a.name,
            None,
            "vpn_connection",
            "hours",
            hours_of(c),
            "hour",
            p.vpn_connection_hour,
        );
        let out: u64 = networks.iter().map(|n| vpn_out(n.idx())).sum();
        push(
            &a.name,
            None,
            "vpn_connection",
            "vpn_out",
            out as f64 / GB,
            "GB",
            p.internet_out_gb,
        );
    }
    for (i, v) in d.vpcs.iter().enumerate() {
        // DT-3: each leg on its own side.
        let x = t.cross_az.get(i).copied().unwrap_or(0);
        if x > 0 {
            push(
                &v.name,
                Some(VpcId::from_idx(i)),
                "vpc",
                "cross_az",
                x as f64 / GB,
                "GB",
                p.cross_az_gb,
            );
        }
        // DT-2: out to other Regions, on the sending side.
        let x = t.inter_region_out.get(i).copied().unwrap_or(0);
        if x > 0 {
            push(
                &v.name,
                Some(VpcId::from_idx(i)),
                "vpc",
                "inter_region",
                x as f64 / GB,
                "GB",
                p.inter_region_gb,
            );
        }
    }
    items
}

/// The estimate for a run of `d` that measured `m` and `t`.
pub fn estimate(d: &Design, m: &Metrics, t: &Transfer) -> Estimate {
    let p = &d.pricing;
    let defaults = Pricing::default();
    let overridden = price_keys(p)
        .iter()
        .zip(price_keys(&defaults).iter())
        .filter(|(a, b)| a.1 != b.1)
        .map(|(a, _)| a.0)
        .collect();
    let run_hours = d.duration.as_secs_f64() / 3600.0;
    let bytes_of = |c: Component| {
        m.components
            .get(&Place::Component(c))
            .map_or(0, |x| x.bytes)
    };
    let items = priced(d, (Nanos::ZERO, d.duration), &bytes_of, t);
    let monthly = |x: f64| {
        if run_hours > 0.0 {
            (x * MONTH_HOURS / run_hours * 100.0).round() / 100.0 + 0.0
        } else {
            0.0
        }
    };
    let total: f64 = items.iter().map(|i| i.usd).sum();
    let by_vpc = d
        .vpcs
        .iter()
        .map(|v| {
            let x: f64 = items
                .iter()
                .filter(|i| i.vpc == v.name)
                .map(|i| i.usd)
                .sum();
            (v.name.clone(), usd(x), monthly(x))
        })
        .collect();
    let windows = crate::sim::cost_windows(d)
        .into_iter()
        .enumerate()
        .map(|(k, w)| {
            let counted = m.window_components.get(k);
            let bytes_of = |c: Component| {
                counted
                    .and_then(|x| x.get(&Place::Component(c)))
                    .map_or(0, |x| x.bytes)
            };
            let empty = Transfer::default();
            let items = priced(d, w, &bytes_of, t.windows.get(k).unwrap_or(&empty));
            let total: f64 = items.iter().map(|i| i.usd).sum();
            let hours = Nanos(w.1.min(d.duration).0.saturating_sub(w.0.0)).as_secs_f64() / 3600.0;
            let monthly = if hours > 0.0 {
                (total * MONTH_HOURS / hours * 100.0).round() / 100.0 + 0.0
            } else {
                0.0
            };
            (w, monthly)
        })
        .collect();
    Estimate {
        windows,
        prices: p.clone(),
        overridden,
        hours: usd(run_hours),
        items,
        total_usd: usd(total),
        monthly_usd: monthly(total),
        by_vpc,
    }
}

/// A monthly figure: whole cents once it reaches a cent.
pub fn per_month(x: f64) -> String {
    if x.abs() >= 0.01 {
        format!("${x:.2}")
    } else {
        dollars(x)
    }
}

/// `$0.0123` with enough digits for small sums.
pub fn dollars(x: f64) -> String {
    if x == 0.0 {
        "$0".to_string()
    } else if x.abs() >= 1.0 {
        format!("${x:.2}")
    } else if x.abs() >= 0.01 {
        format!("${x:.4}")
    } else {
        format!("${x:.6}")
    }
}
