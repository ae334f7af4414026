//! Logical processes: how the design is split for parallel runs.
//!
//! Every VPC is one logical process (LP), and everything outside the VPCs
//! (the internet, AWS services' front doors, on-premises networks, Lambda
//! functions outside a VPC) is one more. The split depends only on the
//! design, never on the number of threads: threads execute LPs, they do not
//! shape them. Every link between two LPs has a delay of at least the
//! lookahead (the region's edge, a peering's or a transit gateway's cross-AZ
//! hop, a VPN's latency),
//! which is what lets LPs run a window of virtual time independently.

use crate::dataplane::{Host, Loc};
use crate::model::*;
use crate::units::Nanos;

#[derive(Clone, Debug)]
pub struct Partition {
    /// The LP of each VPC.
    vpc: Vec<u32>,
    /// The LP of everything outside the VPCs.
    pub outside: u32,
    pub count: u32,
    /// The smallest delay of a link between two LPs.
    pub lookahead: Nanos,
}

impl Partition {
    pub fn new(d: &Design) -> Partition {
        let n = d.vpcs.len() as u32;
        // Jitter only adds to a link's minimum: the minimum bounds it.
        let mut lookahead = d.latency.edge().min;
        if !d.peerings.is_empty() || !d.tgws.is_empty() {
            lookahead = lookahead.min(d.latency.cross_az.min);
        }
        for o in &d.onprem_nets {
            lookahead = lookahead.min(o.latency.min);
        }
        Partition {
            vpc: (0..n).collect(),
            outside: n,
            count: n + 1,
            lookahead: lookahead.max(Nanos(1)),
        }
    }

    fn of_vpc(&self, v: VpcId) -> u32 {
        self.vpc[v.idx()]
    }

    pub fn of_eni(&self, d: &Design, e: EniId) -> u32 {
        self.of_vpc(d.enis[e.idx()].vpc)
    }

    pub fn of_host(&self, d: &Design, h: Host) -> u32 {
        match h {
            Host::Instance(i) => self.of_eni(d, d.instances[i.idx()].eni),
            Host::LambdaEni(e) | Host::Endpoint(_, e) | Host::LinkLocal(_, e) => self.of_eni(d, e),
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
            Source::Instance(i) => self.of_eni(d, d.instances[i.idx()].eni),
            Source::Lambda(l) => match d.lambdas[l.idx()].vpc {
                Some(v) => self.of_vpc(v),
                None => self.outside,
            },
            Source::External(_) | Source::Onprem(_) => self.outside,
        }
    }

    /// The LP where a step at `loc` runs.
    pub fn of_loc(&self, d: &Design, loc: Loc) -> u32 {
        match loc {
            Loc::EniOut(e) | Loc::TgwExit { eni: e, .. } | Loc::EniIn { eni: e, .. } => {
                self.of_eni(d, e)
            }
            Loc::NatOut(n) => self.of_eni(d, d.nats[n.idx()].eni),
            Loc::Igw { igw, .. } => self.of_vpc(d.igws[igw.idx()].vpc),
            Loc::GatewayEndpoint { endpoint, .. } => self.of_vpc(d.endpoints[endpoint.idx()].vpc),
            Loc::Peering { into, .. } => self.of_vpc(into),
            Loc::Vgw { vgw, .. } => self.of_vpc(d.vgws[vgw.idx()].vpc),
            Loc::Internet
            | Loc::ServiceVia { .. }
            | Loc::VpnAttachment { .. }
            | Loc::VpnTunnel { .. }
            | Loc::TgwPeering { .. } => self.outside,
            Loc::HostOut(h) | Loc::Arrive(h) => self.of_host(d, h),
        }
    }
}
