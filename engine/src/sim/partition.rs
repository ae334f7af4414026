//! Logical processes: how the design is split for parallel runs.
//!
//! Every availability zone a VPC uses is one logical process (LP), and
//! everything outside the VPCs (the internet, AWS services' front doors,
//! on-premises networks, Lambda functions outside a VPC) is one more. The
//! split depends only on the design, never on the number of threads:
//! threads execute LPs, they do not shape them.
//!
//! Each step runs where AWS keeps its state:
//! - an ENI's steps (out, in, a transit gateway's exit through it) in the LP
//!   of its subnet's AZ; its connection tracking, its capacity and its
//!   host's endpoints with it. Interface endpoint and transit gateway
//!   attachment ENIs are ENIs of their subnets like any other.
//! - a NAT gateway (its port table, its capacity) with its ENI, in its
//!   subnet's AZ.
//! - a Lambda function's Hyperplane ENIs with the function: its
//!   invocations and their connections are one set of endpoints, so a
//!   function whose subnets span several AZs of a VPC joins those AZs into
//!   one LP (only then does an LP hold more than one AZ).
//! - regional things without an AZ run on the side of the VPC where the
//!   packet is: leaving the VPC (an internet gateway outbound, a gateway
//!   endpoint towards its service, a VPN gateway towards on-premises) in the
//!   LP of the step that routed there, with no delay; entering it (an
//!   internet gateway inbound, a gateway endpoint's way back, a VPN gateway
//!   from on-premises, a peering) in the LP of the ENI that the packet's
//!   destination address names, found in tables built here (public address,
//!   then (VPC, private address), then the subnet holding it), since the
//!   step after them is that ENI with no delay.
//!
//! Every link between two LPs has a delay of at least the lookahead: the
//! region's edge, a cross-AZ hop inside a VPC, over a peering or out of a
//! transit gateway, a VPN's latency. A same-AZ hop never leaves its LP.
//! That is what lets LPs run a window of virtual time independently.

use crate::dataplane::{Host, Loc};
use crate::hashing::FastMap;
use crate::model::*;
use crate::units::Nanos;

#[derive(Clone, Debug)]
pub struct Partition {
    /// The LP of each ENI (its subnet's AZ).
    eni: Vec<u32>,
    /// The LP of each NAT gateway (its ENI's).
    nat: Vec<u32>,
    /// The LP of each Lambda function (its Hyperplane ENIs'), or of
    /// everything outside the VPCs.
    lambda: Vec<u32>,
    /// Per VPC: its first LP, and whether it is its only one (then no
    /// address needs looking up).
    vpc_first: Vec<u32>,
    vpc_single: Vec<bool>,
    /// (VPC, private address) -> the LP of the ENI that has it.
    private: FastMap<u64, u32>,
    /// Public address -> the LP of the ENI that has it (an instance's
    /// public IP, a NAT gateway's Elastic IP).
    public: FastMap<u32, u32>,
    /// Per VPC: its subnets as (network, mask, LP), for an address no ENI
    /// has.
    subnets: Vec<Vec<(u32, u32, u32)>>,
    /// Each LP's VPC (none for the outside) and the AZs it holds, for
    /// reports.
    pub names: Vec<(Option<VpcId>, Vec<AzId>)>,
    /// The LP of everything outside the VPCs.
    pub outside: u32,
    pub count: u32,
    /// The smallest delay of a link between two LPs.
    pub lookahead: Nanos,
}

/// A union-find over the (VPC, AZ) groups, for AZs a Lambda function joins.
fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

impl Partition {
    pub fn new(d: &Design) -> Partition {
        // Every (VPC, AZ) pair the VPC's subnets use, in VPC order then AZ
        // order; a VPC with no subnet has one group of its own.
        let mut groups: Vec<(VpcId, Option<AzId>)> = Vec::new();
        let mut vpc_groups: Vec<Vec<usize>> = vec![Vec::new(); d.vpcs.len()];
        for (v, vpc) in d.vpcs.iter().enumerate() {
            let mut zones: Vec<AzId> = vpc
                .subnets
                .iter()
                .map(|s| d.subnets[s.idx()].zone)
                .collect();
            zones.sort();
            zones.dedup();
            if zones.is_empty() {
                vpc_groups[v].push(groups.len());
                groups.push((VpcId::from_idx(v), None));
            }
            for z in zones {
                vpc_groups[v].push(groups.len());
                groups.push((VpcId::from_idx(v), Some(z)));
            }
        }
        let group_of = |vpc: VpcId, zone: AzId| -> usize {
            vpc_groups[vpc.idx()]
                .iter()
                .copied()
                .find(|&g| groups[g].1 == Some(zone))
                .unwrap_or(vpc_groups[vpc.idx()][0])
        };
        let mut parent: Vec<usize> = (0..groups.len()).collect();
        for l in &d.lambdas {
            let mut first = None;
            for e in &l.enis {
                let eni = &d.enis[e.idx()];
                let g = group_of(eni.vpc, d.subnets[eni.subnet.idx()].zone);
                let g = root(&mut parent, g);
                match first {
                    None => first = Some(g),
                    Some(f) if f != g => {
                        let (a, b) = (f.min(g), f.max(g));
                        parent[b] = a;
                        first = Some(a);
                    }
                    Some(_) => {}
                }
            }
        }
        // LPs in the order of their first group.
        let mut lp_of_root: Vec<Option<u32>> = vec![None; groups.len()];
        let mut lp_of_group = vec![0u32; groups.len()];
        let mut names: Vec<(Option<VpcId>, Vec<AzId>)> = Vec::new();
        for g in 0..groups.len() {
            let r = root(&mut parent, g);
            let lp = *lp_of_root[r].get_or_insert_with(|| {
                names.push((Some(groups[r].0), Vec::new()));
                names.len() as u32 - 1
            });
            lp_of_group[g] = lp;
            if let Some(z) = groups[g].1 {
                names[lp as usize].1.push(z);
            }
        }
        let outside = names.len() as u32;
        names.push((None, Vec::new()));
        let lp_at = |vpc: VpcId, zone: AzId| lp_of_group[group_of(vpc, zone)];
        let eni: Vec<u32> = d
            .enis
            .iter()
            .map(|e| lp_at(e.vpc, d.subnets[e.subnet.idx()].zone))
            .collect();
        let nat = d.nats.iter().map(|n| eni[n.eni.idx()]).collect();
        let vpc_first: Vec<u32> = vpc_groups.iter().map(|g| lp_of_group[g[0]]).collect();
        let vpc_single: Vec<bool> = vpc_groups
            .iter()
            .map(|g| g.iter().all(|&x| lp_of_group[x] == lp_of_group[g[0]]))
            .collect();
        let lambda = d
            .lambdas
            .iter()
            .map(|l| match (l.enis.first(), l.vpc) {
                (Some(e), _) => eni[e.idx()],
                (None, Some(v)) => vpc_first[v.idx()],
                (None, None) => outside,
            })
            .collect();
        let mut private = FastMap::default();
        let mut public = FastMap::default();
        for (i, e) in d.enis.iter().enumerate() {
            private.insert(key(e.vpc, u32::from(e.ip)), eni[i]);
            if let Some(p) = e.public_ip {
                public.insert(u32::from(p), eni[i]);
            }
        }
        for n in &d.nats {
            if let Some(p) = n.public_ip {
                public.insert(u32::from(p), eni[n.eni.idx()]);
            }
        }
        let subnets = d
            .vpcs
            .iter()
            .map(|v| {
                v.subnets
                    .iter()
                    .map(|s| {
                        let sub = &d.subnets[s.idx()];
                        let mask = u32::from(sub.cidr.netmask());
                        (
                            u32::from(sub.cidr.network()),
                            mask,
                            lp_at(sub.vpc, sub.zone),
                        )
                    })
                    .collect()
            })
            .collect();
        let split = vpc_single.iter().any(|s| !s);
        // Jitter only adds to a link's minimum: the minimum bounds it.
        let mut lookahead = d.latency.edge().min;
        if split || !d.peerings.is_empty() || !d.tgws.is_empty() {
            lookahead = lookahead.min(d.latency.cross_az.min);
        }
        if d.peerings.iter().any(|p| p.inter_region)
            || d.tgw_attachments.iter().any(|a| {
                matches!(
                    a.kind,
                    TgwAttachmentKind::Peering {
                        inter_region: true,
                        ..
                    }
                )
            })
        {
            lookahead = lookahead.min(d.latency.inter_region.min);
        }
        for o in &d.onprem_nets {
            lookahead = lookahead.min(o.latency.min);
        }
        Partition {
            eni,
            nat,
            lambda,
            vpc_first,
            vpc_single,
            private,
            public,
            subnets,
            outside,
            count: outside + 1,
            names,
            lookahead: lookahead.max(Nanos(1)),
        }
    }

    /// A readable name of LP `lp`: its VPC and AZs, or `outside`.
    pub fn name(&self, d: &Design, lp: u32) -> String {
        match self.names.get(lp as usize) {
            Some((Some(v), zones)) => {
                let mut azs: Vec<&str> = Vec::new();
                for z in zones {
                    let az = d
                        .subnets
                        .iter()
                        .find(|s| s.zone == *z)
                        .map_or("?", |s| s.az.as_str());
                    azs.push(az);
                }
                if azs.is_empty() {
                    d.vpcs[v.idx()].name.clone()
                } else {
                    format!("{}/{}", d.vpcs[v.idx()].name, azs.join("+"))
                }
            }
            _ => "outside".to_string(),
        }
    }

    #[inline]
    pub fn of_eni(&self, _d: &Design, e: EniId) -> u32 {
        self.eni[e.idx()]
    }

    #[inline]
    pub fn of_nat(&self, n: NatId) -> u32 {
        self.nat[n.idx()]
    }

    pub fn of_host(&self, d: &Design, h: Host) -> u32 {
        match h {
            Host::Instance(i) => self.eni[d.instances[i.idx()].eni.idx()],
            Host::LambdaEni(e) | Host::Endpoint(_, e) | Host::LinkLocal(_, e) => self.eni[e.idx()],
            Host::LambdaOutside(_)
            | Host::External(_)
            | Host::AwsService(_)
            | Host::Onprem(_)
            | Host::Internet(_)
            | Host::Service(..)
            | Host::OnpremAddr(..) => self.outside,
        }
    }

    /// The LP that owns a traffic's items: its source's.
    pub fn of_source(&self, d: &Design, s: Source) -> u32 {
        match s {
            Source::Instance(i) => self.eni[d.instances[i.idx()].eni.idx()],
            Source::Lambda(l) => self.lambda[l.idx()],
            Source::External(_) | Source::Onprem(_) => self.outside,
        }
    }

    /// The LP of the ENI of VPC `v` that a packet for private address `ip`
    /// reaches (or of the subnet holding it; the VPC's first LP when none
    /// does).
    fn of_private(&self, v: VpcId, ip: u32) -> u32 {
        if self.vpc_single[v.idx()] {
            return self.vpc_first[v.idx()];
        }
        if let Some(lp) = self.private.get(&key(v, ip)) {
            return *lp;
        }
        self.subnets[v.idx()]
            .iter()
            .find(|(net, mask, _)| ip & mask == *net)
            .map_or(self.vpc_first[v.idx()], |s| s.2)
    }

    /// The LP where a step at `loc` runs, for the packet `buf` (an IPv4
    /// packet: its destination address decides where a packet entering a
    /// VPC of several LPs goes). `None`: where the packet is, a step out
    /// of a VPC through a regional gateway, which follows the step that
    /// routed there with no delay.
    #[inline]
    pub fn of_loc(&self, d: &Design, loc: Loc, buf: &[u8]) -> Option<u32> {
        match loc {
            // An ENI's step, every packet's: an array read, inline.
            Loc::EniOut(e) | Loc::TgwExit { eni: e, .. } | Loc::EniIn { eni: e, .. } => {
                Some(self.eni[e.idx()])
            }
            _ => self.of_other_loc(d, loc, buf),
        }
    }

    /// [`Partition::of_loc`] of a place other than an ENI.
    #[inline(never)]
    fn of_other_loc(&self, d: &Design, loc: Loc, buf: &[u8]) -> Option<u32> {
        Some(match loc {
            Loc::EniOut(e) | Loc::TgwExit { eni: e, .. } | Loc::EniIn { eni: e, .. } => {
                self.eni[e.idx()]
            }
            Loc::NatOut(n) => self.nat[n.idx()],
            Loc::Igw { outbound: true, .. }
            | Loc::GatewayEndpoint {
                to_service: true, ..
            }
            | Loc::Vgw {
                to_onprem: true, ..
            } => return None,
            Loc::Igw {
                igw,
                outbound: false,
            } => {
                let v = d.igws[igw.idx()].vpc;
                if self.vpc_single[v.idx()] {
                    self.vpc_first[v.idx()]
                } else {
                    self.public
                        .get(&dst(buf))
                        .copied()
                        .unwrap_or(self.vpc_first[v.idx()])
                }
            }
            Loc::GatewayEndpoint { endpoint, .. } => {
                self.of_private(d.endpoints[endpoint.idx()].vpc, dst(buf))
            }
            Loc::Peering { into, .. } => self.of_private(into, dst(buf)),
            Loc::Vgw { vgw, .. } => self.of_private(d.vgws[vgw.idx()].vpc, dst(buf)),
            Loc::Internet
            | Loc::ServiceVia { .. }
            | Loc::VpnAttachment { .. }
            | Loc::VpnTunnel { .. }
            | Loc::TgwPeering { .. } => self.outside,
            Loc::HostOut(h) | Loc::Arrive(h) => self.of_host(d, h),
        })
    }
}

fn key(v: VpcId, ip: u32) -> u64 {
    (u64::from(v.0) << 32) | u64::from(ip)
}

/// The destination address of an IPv4 packet (0 when it is too short to
/// have one: the step drops it wherever it runs).
#[inline]
fn dst(buf: &[u8]) -> u32 {
    match buf.get(16..20) {
        Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

#[cfg(test)]
#[path = "partition_tests.rs"]
mod tests;
