//! Route tables (RT-1..RT-9), compiled for longest-prefix match.
//!
//! A table's candidate routes are its VPC's local routes, its static routes,
//! its prefix-list routes expanded to their CIDRs (RT-3), and the routes a
//! VPN gateway propagates into it (VPN-1). For each distinct prefix the best
//! origin wins (RT-4: static, then local, then prefix list, then propagated;
//! a static route with a local route's prefix replaces it, RT-2);
//! propagated routes inside a VPC CIDR are dropped (RT-4a). The survivors go
//! into an [`Lpm`], so a lookup is a handful of memory reads, never a scan.

use std::fmt::Write as _;

use ipnet::Ipv4Net;

use crate::lpm::Lpm;
use crate::model::{Delay, Design, LinkId, RouteDest, RouteTableId, Target, VgwId};
use crate::packet::FlowView;

/// Where a route comes from, in order of priority among routes of the same
/// prefix (RT-4). A static route for exactly a VPC CIDR replaces the target of
/// its local route (RT-2), so it ranks before the local route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Static,
    Local,
    PrefixList,
    Propagated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub prefix: Ipv4Net,
    pub dest: RouteDest,
    pub target: Target,
    pub origin: Origin,
    pub blackhole: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Compiled {
    lpm: Lpm<u32>,
    pub entries: Vec<Entry>,
}

impl Compiled {
    /// Compiles table `rt` of the design with the given (possibly changed)
    /// routes and the VPN gateways that propagate into it.
    pub fn build(
        design: &Design,
        rt: RouteTableId,
        routes: &[crate::model::Route],
        prefix_lists: &[Vec<Ipv4Net>],
        propagating: &[VgwId],
        vpn_links: &[crate::model::VpnLink],
    ) -> Compiled {
        let table = &design.route_tables[rt.idx()];
        let vpc = &design.vpcs[table.vpc.idx()];
        let mut candidates: Vec<Entry> = Vec::new();
        for c in &vpc.cidrs {
            candidates.push(Entry {
                prefix: *c,
                dest: RouteDest::Cidr(*c),
                target: Target::Local,
                origin: Origin::Local,
                blackhole: false,
            });
        }
        for r in routes {
            match r.dest {
                RouteDest::Cidr(c) => candidates.push(Entry {
                    prefix: c,
                    dest: r.dest,
                    target: r.target.clone(),
                    origin: Origin::Static,
                    blackhole: r.blackhole,
                }),
                RouteDest::PrefixList(p) => {
                    for c in prefix_lists.get(p.idx()).into_iter().flatten() {
                        candidates.push(Entry {
                            prefix: *c,
                            dest: r.dest,
                            target: r.target.clone(),
                            origin: Origin::PrefixList,
                            blackhole: r.blackhole,
                        });
                    }
                }
            }
        }
        for g in propagating {
            for n in &design.vgws[g.idx()].networks {
                let net = &design.onprem_nets[n.idx()];
                let link = &vpn_links[n.idx()];
                if link.bgp && !link.carries() {
                    continue; // every tunnel down: BGP withdrew them (VPN-4)
                }
                for c in &net.cidrs {
                    if vpc.cidrs.iter().any(|v| v.contains(c)) {
                        continue; // RT-4a
                    }
                    candidates.push(Entry {
                        prefix: *c,
                        dest: RouteDest::Cidr(*c),
                        target: Target::Vgw(*g),
                        origin: Origin::Propagated,
                        blackhole: false,
                    });
                }
            }
        }
        // Best origin per prefix; ties in origin keep the first written.
        candidates.sort_by_key(|e| {
            (
                u32::from(e.prefix.network()),
                e.prefix.prefix_len(),
                e.origin,
            )
        });
        candidates.dedup_by_key(|e| e.prefix);
        let lpm = Lpm::from_prefixes(
            candidates
                .iter()
                .enumerate()
                .map(|(i, e)| (e.prefix, i as u32)),
        );
        Compiled {
            lpm,
            entries: candidates,
        }
    }

    #[inline]
    pub fn lookup(&self, addr: u32) -> Option<u32> {
        self.lpm.lookup_u32(addr)
    }

    pub fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }
}

/// `10.0.0.0/16 -> local`, `pl-s3 (52.216.0.0/15) -> vpce-s3`: how a route
/// reads in a trace.
pub fn describe(design: &Design, e: &Entry) -> String {
    let mut s = String::new();
    match e.dest {
        RouteDest::PrefixList(p) => {
            let _ = write!(s, "{} ({})", design.prefix_lists[p.idx()].name, e.prefix);
        }
        RouteDest::Cidr(c) => {
            let _ = write!(s, "{c}");
        }
    }
    s.push_str(" -> ");
    s.push_str(&target_name(design, &e.target));
    match (e.origin, e.blackhole) {
        (_, true) => s.push_str(" (blackhole)"),
        (Origin::Propagated, _) => s.push_str(" (propagated)"),
        _ => {}
    }
    s
}

pub fn target_name(design: &Design, t: &Target) -> String {
    match t {
        Target::Local => "local".into(),
        Target::Igw(g) => design.igws[g.idx()].name.clone(),
        Target::Nat(n) => design.nats[n.idx()].name.clone(),
        Target::Endpoint(e) => design.endpoints[e.idx()].name.clone(),
        Target::Eni(e) => design.enis[e.idx()].name.clone(),
        Target::Peering(p) => design.peerings[p.idx()].name.clone(),
        Target::Vgw(g) => design.vgws[g.idx()].name.clone(),
        Target::Tgw(t) => design.tgws[t.idx()].name.clone(),
        Target::Missing(n) => n.clone(),
    }
}

// -- the VPC router -------------------------------------------------------------

impl<T: super::Trace> super::forward::Cx<'_, T> {
    /// The VPC router, for a packet from subnet `s` (RT-1..RT-9): within the
    /// subnet straight to the ENI (RT-8); else the subnet's route table by
    /// longest prefix, the NACL of `s` on the way out (NACL-5), and the
    /// target's next place.
    ///
    /// `forwarded`: the ENI that sent it forwards a packet it did not send
    /// (a middlebox), which group references do not admit (SG-2).
    pub(super) fn route(
        &mut self,
        s: crate::model::SubnetId,
        p: FlowView,
        forwarded: bool,
    ) -> super::Step {
        self.route_from(s, p, super::Entry::from_subnet(s, forwarded), false)
    }

    /// [`Self::route`] for a packet whose entry into the next ENI is
    /// `from` (a transit gateway's exit carries its sender, TGW-11).
    /// `transit`: the packet entered the VPC from a transit gateway, at an
    /// attachment ENI of `s`, and no gateway endpoint carries it (GWE-4).
    pub(super) fn route_from(
        &mut self,
        s: crate::model::SubnetId,
        p: FlowView,
        from: super::Entry,
        transit: bool,
    ) -> super::Step {
        use super::{AwsRule, Loc, Place, Rule, Step};
        use crate::model::{Component, DropReason};
        let d = self.d;
        let sub = &d.subnets[s.idx()];
        let vpc = sub.vpc;
        let rt = self.st.subnet_rt[s.idx()];
        let rt_place = Place::Component(Component::RouteTable(rt));
        if crate::units::in_cidr(sub.cidr, u32::from(p.dst)) {
            // RT-8: within a subnet the route table is not consulted, and no
            // NACL applies (NACL-5).
            return match self.st.eni_at(vpc, p.dst) {
                Some(x) => Step::Next {
                    loc: Loc::EniIn { eni: x, from },
                    delay: d.delay(LinkId::SAME_AZ),
                },
                // The route table was never consulted: the subnet is where
                // the packet found no one.
                None => self.drop(
                    Place::Component(Component::Subnet(s)),
                    Rule::Aws(AwsRule::NoEniInSubnet),
                    p,
                    DropReason::HostUnreachable,
                ),
            };
        }
        let table = &self.st.tables[rt.idx()];
        let Some(i) = table.lookup(u32::from(p.dst)) else {
            return self.drop(rt_place, Rule::None, p, DropReason::NoRoute);
        };
        let rule = Rule::Route {
            table: rt,
            entry: i,
        };
        let entry = table.entry(i);
        if entry.blackhole || !self.target_alive(&entry.target) {
            return self.drop(rt_place, rule, p, DropReason::RouteBlackhole);
        }
        // A missing target is a blackhole (above): what is left is an id,
        // whose copy holds nothing to drop (and is not dropped).
        debug_assert!(!matches!(entry.target, Target::Missing(_)));
        let target = std::mem::ManuallyDrop::new(entry.target.clone());
        self.forward(rt_place, rule, p);
        let (x, next_subnet) = match &*target {
            Target::Local => match self.st.eni_at(vpc, p.dst) {
                Some(x) => (x, d.enis[x.idx()].subnet),
                None => {
                    return self.drop(
                        rt_place,
                        Rule::Aws(AwsRule::NoEni),
                        p,
                        DropReason::HostUnreachable,
                    );
                }
            },
            Target::Nat(n) => {
                let x = d.nats[n.idx()].eni;
                (x, d.enis[x.idx()].subnet)
            }
            Target::Eni(x) => (*x, d.enis[x.idx()].subnet),
            Target::Tgw(t) => {
                // TGW-2: the attachment's ENI in the source's AZ, if any.
                let Some(x) = self.tgw_entry(*t, s) else {
                    return self.drop(
                        rt_place,
                        Rule::Aws(AwsRule::TgwNoSubnetInAz),
                        p,
                        DropReason::NoRoute,
                    );
                };
                if !self.st.alive.eni[x.idx()] {
                    return self.drop(rt_place, rule, p, DropReason::RouteBlackhole);
                }
                let xs = d.enis[x.idx()].subnet;
                if xs == s {
                    // TGW-5: from an instance to the transit gateway in one
                    // subnet, its NACL's outbound and inbound rules apply.
                    if let Some(drop) = self.nacl_out(s, p) {
                        return drop;
                    }
                    if let Some(drop) = self.nacl_in(s, p) {
                        return drop;
                    }
                }
                (x, xs)
            }
            Target::Endpoint(_) if transit => {
                // GWE-4: a gateway endpoint is not reachable from outside
                // the VPC, a transit gateway included.
                return self.drop(
                    rt_place,
                    Rule::Aws(AwsRule::GweFromTransit),
                    p,
                    DropReason::NoRoute,
                );
            }
            other => {
                if let Some(drop) = self.nacl_out(s, p) {
                    return drop;
                }
                let loc = match other {
                    Target::Igw(igw) => Loc::Igw {
                        igw: *igw,
                        outbound: true,
                    },
                    Target::Endpoint(endpoint) => Loc::GatewayEndpoint {
                        endpoint: *endpoint,
                        to_service: true,
                    },
                    Target::Peering(peering) => Loc::Peering {
                        peering: *peering,
                        into: d.peerings[peering.idx()].other(vpc).unwrap_or(vpc),
                    },
                    Target::Vgw(vgw) => Loc::Vgw {
                        vgw: *vgw,
                        to_onprem: true,
                    },
                    _ => unreachable!("handled above"),
                };
                // Crossing into another VPC takes the cross-AZ latency, or
                // the latency between Regions to a VPC in another Region.
                let delay = match loc {
                    Loc::Peering { peering, .. } if d.peerings[peering.idx()].inter_region => {
                        d.delay(d.inter_region_link)
                    }
                    Loc::Peering { .. } => d.delay(LinkId::CROSS_AZ),
                    _ => Delay::ZERO,
                };
                return Step::Next { loc, delay };
            }
        };
        if next_subnet != s {
            if let Some(drop) = self.nacl_out(s, p) {
                return drop;
            }
        }
        let (sa, sb) = (&d.subnets[s.idx()], &d.subnets[next_subnet.idx()]);
        let delay = if sa.zone == sb.zone {
            d.delay(LinkId::SAME_AZ)
        } else {
            d.delay(LinkId::CROSS_AZ)
        };
        Step::Next {
            loc: Loc::EniIn { eni: x, from },
            delay,
        }
    }
}
