//! Names to addresses, as a workload would see them.
//!
//! `to = "s3"` resolves the way the VPC's DNS would from the source: an
//! interface endpoint with private DNS in the source's VPC wins (IFE-2),
//! otherwise the service's public front door (GWE-3: routing, not DNS, takes
//! traffic to a gateway endpoint). An instance, by its id or a DNS name,
//! resolves as `model::dns` says from where the source is (DNS-1..DNS-4).

use std::net::Ipv4Addr;

use super::{Host, lambda_outside_ip};
use crate::model::*;

/// The host that sends for a source, its address, and its VPC and subnet.
pub fn source_host(d: &Design, src: Source) -> (Host, Ipv4Addr, Option<SubnetId>) {
    match src {
        Source::Instance(i) => {
            let e = &d.enis[d.instances[i.idx()].eni.idx()];
            (Host::Instance(i), e.ip, Some(e.subnet))
        }
        Source::Lambda(l) => match d.lambdas[l.idx()].enis.first() {
            Some(x) => {
                let e = &d.enis[x.idx()];
                (Host::LambdaEni(*x), e.ip, Some(e.subnet))
            }
            None => (Host::LambdaOutside(l), lambda_outside_ip(l), None),
        },
        Source::External(h) => (Host::External(h), d.external_hosts[h.idx()].ip, None),
        Source::Onprem(h) => (Host::Onprem(h), d.onprem_hosts[h.idx()].ip, None),
    }
}

/// Of an interface endpoint's ENIs, the one in the AZ of `near`, else the
/// first (zonal DNS answers first with the local one).
fn endpoint_ip(d: &Design, e: EndpointId, near: Option<SubnetId>) -> Option<Ipv4Addr> {
    let EndpointKind::Interface { enis, .. } = &d.endpoints[e.idx()].kind else {
        return None;
    };
    let zone = near.map(|s| d.subnets[s.idx()].zone);
    enis.iter()
        .find(|x| Some(d.subnets[d.enis[x.idx()].subnet.idx()].zone) == zone)
        .or(enis.first())
        .map(|x| d.enis[x.idx()].ip)
}

/// The address of service `name` from a VPC (with the subnet asking):
/// an interface endpoint with private DNS in that VPC whose ENIs are there
/// (`alive`) wins (IFE-2), otherwise the service's public front door (GWE-3:
/// routing, not DNS, takes traffic to a gateway endpoint).
fn service_address(
    d: &Design,
    vpc: Option<VpcId>,
    subnet: Option<SubnetId>,
    name: &str,
    alive: impl Fn(EniId) -> bool,
) -> Option<Ipv4Addr> {
    // Private DNS needs the VPC's DNS support and hostnames (IFE-2).
    let private = d.endpoints.iter().enumerate().find(|(_, e)| {
        Some(e.vpc) == vpc
            && d.vpcs[e.vpc.idx()].dns_support
            && d.vpcs[e.vpc.idx()].dns_hostnames
            && e.service == name
            && match &e.kind {
                EndpointKind::Interface {
                    private_dns: true,
                    enis,
                    ..
                } => enis.iter().any(|x| alive(*x)),
                _ => false,
            }
    });
    if let Some((i, _)) = private {
        return endpoint_ip(d, EndpointId::from_idx(i), subnet);
    }
    // A declared front door, else an address of the service's ranges
    // (OPEN-2): the first host of its first range; both of the asking
    // VPC's Region (GWE-1), the scenario's for a source outside the VPCs.
    let region = d.region_of(vpc);
    d.aws_services
        .iter()
        .find(|s| s.service == name && s.region == region)
        .and_then(|s| s.ips.first().copied())
        .or_else(|| {
            super::service_ranges(d)
                .into_iter()
                .find(|s| s.service == name && s.region == region)
                .and_then(|s| s.cidrs.first().copied())
                .map(|c| Ipv4Addr::from(u32::from(c.network()) + 1))
        })
}

/// The address traffic from `src` sends to for `to`.
pub fn destination(d: &Design, src: Source, to: &DestSpec) -> Option<Ipv4Addr> {
    let (_, _, subnet) = source_host(d, src);
    let vpc = subnet.map(|s| d.subnets[s.idx()].vpc);
    match to {
        DestSpec::Ip(ip) => Some(*ip),
        DestSpec::Service(name) => service_address(d, vpc, subnet, name, |_| true),
        DestSpec::Instance(i, form) => dns::address(d, dns::origin(d, src), *i, *form).ok(),
        DestSpec::Component(c) => match *c {
            Component::Instance(i) => {
                dns::address(d, dns::origin(d, src), i, dns::NameForm::Id).ok()
            }
            Component::Endpoint(e) => endpoint_ip(d, e, subnet),
            Component::Eni(x) => Some(d.enis[x.idx()].ip),
            Component::ExternalHost(h) => Some(d.external_hosts[h.idx()].ip),
            Component::AwsService(s) => d.aws_services[s.idx()].ips.first().copied(),
            Component::OnpremHost(h) => Some(d.onprem_hosts[h.idx()].ip),
            _ => None,
        },
    }
}

/// Every address of service `name` from VPC `vpc`, as the Resolver's
/// answer holds them (DNS-5): the ENIs there (`alive`) of an interface
/// endpoint with private DNS in that VPC, one per subnet in the endpoint's
/// order (IFE-2: the regional name has one record per Availability Zone),
/// otherwise the service's declared front doors, or the first host of its
/// first range (OPEN-2).
fn service_addresses(
    d: &Design,
    vpc: VpcId,
    name: &str,
    alive: impl Fn(EniId) -> bool,
) -> Vec<Ipv4Addr> {
    let v = &d.vpcs[vpc.idx()];
    let private = v.dns_support && v.dns_hostnames;
    for e in d
        .endpoints
        .iter()
        .filter(|e| e.vpc == vpc && e.service == name)
    {
        if let EndpointKind::Interface {
            private_dns: true,
            enis,
            ..
        } = &e.kind
        {
            let ips: Vec<Ipv4Addr> = enis
                .iter()
                .filter(|x| alive(**x))
                .map(|x| d.enis[x.idx()].ip)
                .collect();
            if private && !ips.is_empty() {
                return ips;
            }
        }
    }
    match d
        .aws_services
        .iter()
        .find(|s| s.service == name && s.region == v.region)
    {
        Some(s) if !s.ips.is_empty() => s.ips.clone(),
        _ => service_address(d, Some(vpc), None, name, |_| false)
            .into_iter()
            .collect(),
    }
}

/// What the Amazon DNS resolver answers ENI `eni` for a name that stands
/// for `to` (DNS-5): every address the name has from the ENI's VPC, in the
/// design's order, or none (NXDOMAIN) for the name of an instance that no
/// longer exists (`alive` says which ENIs are there) or that does not
/// resolve from the ENI's VPC (DNS-1..DNS-4). A service's name gives the
/// ENIs of its interface endpoint while the endpoint exists (IFE-2), the
/// service's front doors otherwise. [`answer_order`] orders them for one
/// answer.
pub fn lookup_answers(
    d: &Design,
    eni: EniId,
    to: &DestSpec,
    alive: impl Fn(EniId) -> bool,
) -> Vec<Ipv4Addr> {
    let e = &d.enis[eni.idx()];
    match to {
        DestSpec::Instance(i, form) => {
            if !alive(d.instances[i.idx()].eni) {
                return Vec::new();
            }
            dns::address(d, dns::Origin::Vpc(e.vpc), *i, *form)
                .ok()
                .into_iter()
                .collect()
        }
        DestSpec::Service(name) => service_addresses(d, e.vpc, name, alive),
        _ => Vec::new(),
    }
}

/// The order of the records of one answer (DNS-5): Route 53 returns the
/// values of a record in a random order, a new one for each query; vpcsim
/// shuffles them (Fisher-Yates) with a generator seeded by the design's
/// `seed`, the asking ENI and the query's id, so that a run is reproducible
/// and successive queries see different orders.
pub fn answer_order(seed: u64, eni: EniId, id: u16, ips: &mut [Ipv4Addr]) {
    let mut state = seed ^ (u64::from(eni.0) << 32) ^ (u64::from(id) << 8) ^ 0x5eed_d115;
    let mut next = || {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    for i in (1..ips.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        ips.swap(i, j);
    }
}
