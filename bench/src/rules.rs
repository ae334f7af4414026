//! Security-group and network-ACL evaluation: rule sets the size of a busy
//! production account, packets drawn to hit rules all over them, and the
//! loops the `rules` criterion target times.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use vpcsim::dataplane::nacl;
use vpcsim::dataplane::security_group::{self, Direction, Members};
use vpcsim::model::{IcmpMatch, NaclRule, Peer, PrefixListId, SecurityGroup, SgId, SgRule, VpcId};
use vpcsim::packet::{FlowView, Fragment, PROTO_ICMP, PROTO_TCP, PROTO_UDP};
use vpcsim::units::{PortRange, Protocol};

use crate::SplitMix64;

/// Groups on the ENI under test.
pub const GROUPS: usize = 5;
/// Rules per group and direction.
pub const RULES_PER_GROUP: usize = 60;
/// Rules per NACL direction.
pub const NACL_RULES: usize = 20;

const ANY_ICMP: IcmpMatch = IcmpMatch {
    icmp_type: None,
    code: None,
};

/// Ports services listen on, as single-port rules use them.
const SERVICE_PORTS: [u16; 16] = [
    22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 9200, 11211, 27017, 2049, 389, 636, 5672,
];

/// A packet with the fields the rules read, and its remote address (the
/// source inbound, the destination outbound).
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    pub view: FlowView,
    pub peer: u32,
}

fn view(src: u32, dst: u32, proto: u8, src_port: u16, dst_port: u16) -> FlowView {
    FlowView {
        src: Ipv4Addr::from(src),
        dst: Ipv4Addr::from(dst),
        proto,
        ttl: 64,
        src_port,
        dst_port,
        icmp_type: if proto == PROTO_ICMP { 8 } else { 0 },
        icmp_code: 0,
        tcp_flags: if proto == PROTO_TCP { 0x02 } else { 0 },
        fragment: Fragment::None,
        total_len: 60,
        payload_len: 0,
        header_len: 20,
    }
}

/// The security groups of one ENI, the groups they reference and the
/// prefix lists they name, with a probe set.
#[derive(Clone, Debug)]
pub struct SgSetup {
    /// Every group of the design: the ENI's [`GROUPS`] first, then groups
    /// that rules reference as peers.
    pub all: Vec<SecurityGroup>,
    /// The ENI's groups.
    pub eni_groups: Vec<SgId>,
    pub members: Members,
    pub prefix_lists: Vec<Vec<Ipv4Net>>,
    /// Inbound probes; about 90% are allowed by some rule.
    pub ingress: Vec<Probe>,
    /// Outbound probes, likewise.
    pub egress: Vec<Probe>,
}

/// Groups that rules reference (an app tier, a bastion, a load balancer...).
const PEER_GROUPS: usize = 12;
/// Members per referenced group.
const MEMBERS: usize = 40;
/// Prefix lists (S3-, DynamoDB-like and partner lists) and their sizes.
const PREFIX_LIST_SIZES: [usize; 4] = [4, 20, 40, 8];

fn random_cidr(rng: &mut SplitMix64, base: u32, base_len: u8, lo: u8, hi: u8) -> Ipv4Net {
    let len = lo + rng.below(u32::from(hi - lo + 1)) as u8;
    let host = rng.next_u32() & (u32::MAX >> base_len);
    Ipv4Net::new(Ipv4Addr::from(base | host), len)
        .expect("length <= 32")
        .trunc()
}

fn random_in(rng: &mut SplitMix64, c: Ipv4Net) -> u32 {
    u32::from(c.network()) | (rng.next_u32() & u32::from(c.hostmask()))
}

fn random_rule(rng: &mut SplitMix64, egress: bool) -> SgRule {
    // Peers: half CIDRs, a quarter groups, a quarter prefix lists.
    let peer = match rng.below(4) {
        0 | 1 => {
            if rng.below(3) == 0 {
                // Partners and offices on the internet.
                Peer::Cidr(random_cidr(rng, 0x2c00_0000, 6, 20, 32))
            } else {
                // The VPC and peered VPCs.
                Peer::Cidr(random_cidr(rng, 0x0a00_0000, 8, 16, 28))
            }
        }
        2 => Peer::Group(SgId::from_idx(
            GROUPS + rng.below(PEER_GROUPS as u32) as usize,
        )),
        _ => Peer::PrefixList(PrefixListId(rng.below(PREFIX_LIST_SIZES.len() as u32))),
    };
    let (protocol, ports) = match rng.below(10) {
        0..=5 => {
            let p = SERVICE_PORTS[rng.below(SERVICE_PORTS.len() as u32) as usize];
            (Protocol::TCP, PortRange::single(p))
        }
        6 => {
            let lo = 8000 + rng.below(1000) as u16;
            (Protocol::TCP, PortRange { lo, hi: lo + 99 })
        }
        7 if egress => (
            Protocol::TCP,
            PortRange {
                lo: 1024,
                hi: 65535,
            },
        ),
        7 | 8 => (
            Protocol::UDP,
            PortRange::single([53, 123, 514][rng.below(3) as usize]),
        ),
        _ => (Protocol::ICMP, PortRange::ALL),
    };
    SgRule {
        protocol,
        ports,
        icmp: ANY_ICMP,
        peer,
    }
}

/// A probe that `rule` allows (`None` for an empty prefix list).
fn probe_for(
    rng: &mut SplitMix64,
    rule: &SgRule,
    members: &Members,
    lists: &[Vec<Ipv4Net>],
    local: u32,
    egress: bool,
) -> Option<Probe> {
    let peer = match rule.peer {
        Peer::Cidr(c) => random_in(rng, c),
        Peer::Group(g) => {
            let m = &members.by_group[g.idx()];
            m[rng.below(m.len() as u32) as usize]
        }
        Peer::PrefixList(p) => {
            let l = &lists[p.idx()];
            let c = *l.get(rng.below(l.len() as u32) as usize)?;
            random_in(rng, c)
        }
    };
    let proto = match rule.protocol {
        Protocol::All => PROTO_TCP,
        Protocol::Number(n) => n,
    };
    let span = u32::from(rule.ports.hi - rule.ports.lo) + 1;
    let port = rule.ports.lo + rng.below(span) as u16;
    let eph = 32768 + rng.below(28000) as u16;
    let v = if egress {
        view(local, peer, proto, eph, port)
    } else {
        view(peer, local, proto, eph, port)
    };
    Some(Probe { view: v, peer })
}

/// A probe no rule allows: a port nothing opens, from an address no rule
/// names (every rule is still read: the worst case).
fn denied_probe(rng: &mut SplitMix64, local: u32, egress: bool) -> Probe {
    let peer = 0xc000_0200 | (rng.next_u32() & 0xff); // 192.0.2.0/24
    let v = if egress {
        view(local, peer, PROTO_TCP, 40000, 9)
    } else {
        view(peer, local, PROTO_TCP, 40000, 9)
    };
    Probe { view: v, peer }
}

/// [`GROUPS`] groups of [`RULES_PER_GROUP`] rules each way, and `n` probes
/// each way (90% allowed, by rules spread over every group).
pub fn sg_setup(n: usize, seed: u64) -> SgSetup {
    let mut rng = SplitMix64::new(seed);
    let prefix_lists: Vec<Vec<Ipv4Net>> = PREFIX_LIST_SIZES
        .iter()
        .map(|&k| {
            (0..k)
                .map(|_| random_cidr(&mut rng, 0x3400_0000, 8, 15, 24))
                .collect()
        })
        .collect();
    let mut by_group = vec![Vec::new(); GROUPS + PEER_GROUPS];
    for g in by_group.iter_mut().skip(GROUPS) {
        for _ in 0..MEMBERS {
            g.push(0x0a00_0000 | (rng.next_u32() & 0x00ff_ffff));
        }
        g.sort_unstable();
        g.dedup();
    }
    let members = Members {
        by_group,
        ..Members::default()
    };
    let mut all = Vec::new();
    for i in 0..GROUPS + PEER_GROUPS {
        let (ingress, egress) = if i < GROUPS {
            (
                (0..RULES_PER_GROUP)
                    .map(|_| random_rule(&mut rng, false))
                    .collect(),
                (0..RULES_PER_GROUP)
                    .map(|_| random_rule(&mut rng, true))
                    .collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        all.push(SecurityGroup {
            name: format!("sg-{i}"),
            vpc: VpcId(0),
            ingress,
            egress,
        });
    }
    let eni_groups: Vec<SgId> = (0..GROUPS).map(SgId::from_idx).collect();
    let local = u32::from(Ipv4Addr::new(10, 0, 1, 5));
    let mut probes = |egress: bool| -> Vec<Probe> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            if rng.below(10) == 0 {
                out.push(denied_probe(&mut rng, local, egress));
                continue;
            }
            let g = &all[rng.below(GROUPS as u32) as usize];
            let rules = if egress { &g.egress } else { &g.ingress };
            let r = &rules[rng.below(rules.len() as u32) as usize];
            if let Some(p) = probe_for(&mut rng, r, &members, &prefix_lists, local, egress) {
                out.push(p);
            }
        }
        out
    };
    let ingress = probes(false);
    let egress = probes(true);
    SgSetup {
        all,
        eni_groups,
        members,
        prefix_lists,
        ingress,
        egress,
    }
}

/// Evaluates every probe; folds the matched (group, rule) into a checksum.
pub fn sg_evaluations(s: &SgSetup, dir: Direction) -> u64 {
    let probes = match dir {
        Direction::Ingress => &s.ingress,
        Direction::Egress => &s.egress,
    };
    probes
        .iter()
        .map(|p| {
            security_group::evaluate(
                &s.all,
                &s.eni_groups,
                dir,
                &p.view,
                p.peer,
                &s.members,
                &s.prefix_lists,
            )
            .map_or(0, |m| u64::from(m.group.0) * 1000 + u64::from(m.rule) + 1)
        })
        .sum()
}

/// A NACL of [`NACL_RULES`] rules each way and probes each way.
#[derive(Clone, Debug)]
pub struct NaclSetup {
    /// The rules as the data plane scans them (`nacl::Compiled`).
    pub ingress: Vec<nacl::Compiled>,
    pub egress: Vec<nacl::Compiled>,
    pub ingress_probes: Vec<Probe>,
    pub egress_probes: Vec<Probe>,
}

fn nacl_rules(rng: &mut SplitMix64) -> Vec<NaclRule> {
    let mut rules = Vec::with_capacity(NACL_RULES);
    for i in 0..NACL_RULES {
        let number = 100 * (i as u16 + 1);
        let last = i == NACL_RULES - 1;
        // Deny a few bad neighbours first, then allow services, and end
        // with the ephemeral ports for replies.
        let (protocol, ports, cidr, allow) = if last {
            (
                Protocol::TCP,
                PortRange {
                    lo: 1024,
                    hi: 65535,
                },
                "0.0.0.0/0".parse().expect("cidr"),
                true,
            )
        } else if i < 4 {
            (
                Protocol::All,
                PortRange::ALL,
                random_cidr(rng, 0xc600_0000, 8, 16, 24),
                false,
            )
        } else {
            let p = SERVICE_PORTS[rng.below(SERVICE_PORTS.len() as u32) as usize];
            let proto = if rng.below(6) == 0 {
                Protocol::UDP
            } else {
                Protocol::TCP
            };
            let cidr = if rng.below(2) == 0 {
                random_cidr(rng, 0x0a00_0000, 8, 16, 24)
            } else {
                random_cidr(rng, 0x2c00_0000, 6, 12, 24)
            };
            (proto, PortRange::single(p), cidr, rng.below(5) != 0)
        };
        rules.push(NaclRule {
            number,
            protocol,
            ports,
            icmp: ANY_ICMP,
            cidr,
            allow,
        });
    }
    rules
}

fn nacl_probes(rng: &mut SplitMix64, rules: &[NaclRule], n: usize, egress: bool) -> Vec<Probe> {
    let local = u32::from(Ipv4Addr::new(10, 0, 1, 5));
    (0..n)
        .map(|_| {
            if rng.below(10) == 0 {
                // Nothing matches: the final `*` rule decides.
                return denied_probe(rng, local, egress);
            }
            let r = &rules[rng.below(rules.len() as u32) as usize];
            let peer = random_in(rng, r.cidr);
            let proto = match r.protocol {
                Protocol::All => PROTO_UDP,
                Protocol::Number(n) => n,
            };
            let span = u32::from(r.ports.hi - r.ports.lo) + 1;
            let port = r.ports.lo + rng.below(span) as u16;
            let v = if egress {
                view(local, peer, proto, 40000, port)
            } else {
                view(peer, local, proto, 40000, port)
            };
            Probe { view: v, peer }
        })
        .collect()
}

/// [`NACL_RULES`] rules each way, `n` probes each way.
pub fn nacl_setup(n: usize, seed: u64) -> NaclSetup {
    let mut rng = SplitMix64::new(seed);
    let ingress = nacl_rules(&mut rng);
    let egress = nacl_rules(&mut rng);
    let ingress_probes = nacl_probes(&mut rng, &ingress, n, false);
    let egress_probes = nacl_probes(&mut rng, &egress, n, true);
    NaclSetup {
        ingress: ingress.iter().map(nacl::Compiled::of).collect(),
        egress: egress.iter().map(nacl::Compiled::of).collect(),
        ingress_probes,
        egress_probes,
    }
}

/// Evaluates every probe; folds the deciding rule numbers into a checksum.
pub fn nacl_evaluations(rules: &[nacl::Compiled], probes: &[Probe]) -> u64 {
    probes
        .iter()
        .map(|p| {
            let v = nacl::evaluate(rules, &p.view, p.peer);
            u64::from(v.rule.unwrap_or(0)) * 2 + u64::from(v.allow)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sg_probes_mostly_allowed_and_rules_mixed() {
        let s = sg_setup(2_000, 1);
        for g in &s.all[..GROUPS] {
            assert_eq!(g.ingress.len(), RULES_PER_GROUP);
            assert_eq!(g.egress.len(), RULES_PER_GROUP);
        }
        let rules = s.all[..GROUPS].iter().flat_map(|g| &g.ingress);
        let (mut cidr, mut group, mut list) = (0, 0, 0);
        for r in rules {
            match r.peer {
                Peer::Cidr(_) => cidr += 1,
                Peer::Group(_) => group += 1,
                Peer::PrefixList(_) => list += 1,
            }
        }
        assert!(
            cidr > 100 && group > 40 && list > 40,
            "{cidr} {group} {list}"
        );
        for dir in [Direction::Ingress, Direction::Egress] {
            let probes = match dir {
                Direction::Ingress => &s.ingress,
                Direction::Egress => &s.egress,
            };
            let allowed = probes
                .iter()
                .filter(|p| {
                    security_group::evaluate(
                        &s.all,
                        &s.eni_groups,
                        dir,
                        &p.view,
                        p.peer,
                        &s.members,
                        &s.prefix_lists,
                    )
                    .is_some()
                })
                .count();
            assert!((1_700..=1_900).contains(&allowed), "{dir:?} {allowed}");
            assert!(sg_evaluations(&s, dir) > 0);
        }
    }

    #[test]
    fn nacl_probes_reach_many_rules() {
        let s = nacl_setup(2_000, 2);
        assert_eq!(s.ingress.len(), NACL_RULES);
        assert_eq!(s.egress.len(), NACL_RULES);
        let mut seen = std::collections::BTreeSet::new();
        for p in &s.ingress_probes {
            seen.insert(nacl::evaluate(&s.ingress, &p.view, p.peer).rule);
        }
        assert!(seen.len() > 10, "{seen:?}");
        assert!(seen.contains(&None));
        assert!(nacl_evaluations(&s.egress, &s.egress_probes) > 0);
    }
}
