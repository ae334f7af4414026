//! Invariants of the stateless rule evaluators and of NAT translation, on
//! generated rules, packets and sequences, each against a naive reference
//! written from `aws-vpc-semantics.md` rather than from the code:
//!
//! - NACL-2: a network ACL returns the decision of its lowest-numbered
//!   matching rule (rules written in any order go through the loader);
//! - SG-1, SG-2: a set of security groups allows exactly what the union of
//!   its rules allows, peers being CIDRs, groups and prefix lists;
//! - NAT-3, NAT-5, NAT-6: a NAT gateway's table is a bijection between live
//!   inside connections and outside (port, destination) tuples, maps every
//!   reply back, admits nothing unsolicited, and releases ports after the
//!   idle timeout.
//!
//! Case counts are modest; `PROPTEST_CASES` overrides them.

mod common;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use common::covers;
use ipnet::Ipv4Net;
use proptest::prelude::*;
use vpcsim::dataplane::nacl;
use vpcsim::dataplane::nat_gateway::{self, NatError, NatTable};
use vpcsim::dataplane::security_group::{self, Direction, Members};
use vpcsim::model::{self, IcmpMatch, Peer, PrefixListId, SecurityGroup, SgId, SgRule, VpcId};
use vpcsim::packet::{FlowView, Fragment, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use vpcsim::units::{Nanos, PortRange, Protocol};

// -- generated packets and rule parts ------------------------------------------

/// Addresses that rules below often name, and a few that they do not.
const ADDRS: [[u8; 4]; 8] = [
    [10, 0, 1, 7],
    [10, 0, 1, 200],
    [10, 0, 9, 1],
    [10, 1, 0, 1],
    [198, 51, 100, 10],
    [93, 184, 216, 34],
    [1, 2, 3, 4],
    [0, 0, 0, 0],
];

const NETS: [&str; 9] = [
    "0.0.0.0/0",
    "10.0.0.0/8",
    "10.0.0.0/16",
    "10.0.1.0/24",
    "10.0.1.7/32",
    "10.0.1.128/25",
    "198.51.100.0/24",
    "93.184.216.34/32",
    "1.0.0.0/8",
];

fn addr() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => (0..ADDRS.len()).prop_map(|i| u32::from(Ipv4Addr::from(ADDRS[i]))),
        1 => any::<u32>(),
    ]
}

fn net() -> impl Strategy<Value = Ipv4Net> {
    prop_oneof![
        3 => (0..NETS.len()).prop_map(|i| NETS[i].parse::<Ipv4Net>().unwrap()),
        1 => (any::<u32>(), 0u8..=32)
            .prop_map(|(a, l)| Ipv4Net::new(Ipv4Addr::from(a), l).unwrap().trunc()),
    ]
}

fn protocol() -> impl Strategy<Value = Protocol> {
    prop_oneof![
        3 => Just(Protocol::TCP),
        2 => Just(Protocol::UDP),
        2 => Just(Protocol::ICMP),
        2 => Just(Protocol::All),
        1 => Just(Protocol::Number(47)),
    ]
}

const PORTS: [u16; 7] = [0, 22, 53, 80, 443, 1024, 65535];

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![3 => (0..PORTS.len()).prop_map(|i| PORTS[i]), 1 => any::<u16>()]
}

fn ports() -> impl Strategy<Value = PortRange> {
    prop_oneof![
        1 => Just(PortRange::ALL),
        2 => port().prop_map(PortRange::single),
        2 => (port(), port()).prop_map(|(a, b)| PortRange { lo: a.min(b), hi: a.max(b) }),
    ]
}

fn icmp() -> impl Strategy<Value = IcmpMatch> {
    (
        prop::option::of(prop_oneof![Just(0u8), Just(3), Just(8), Just(11)]),
        prop::option::of(0u8..5),
    )
        // A code is given only with a type, as the format requires.
        .prop_map(|(t, c)| IcmpMatch {
            icmp_type: t,
            code: c.filter(|_| t.is_some()),
        })
}

#[derive(Clone, Debug)]
struct Pkt {
    src: u32,
    dst: u32,
    proto: u8,
    sport: u16,
    dport: u16,
    icmp_type: u8,
    icmp_code: u8,
}

fn pkt() -> impl Strategy<Value = Pkt> {
    (
        addr(),
        addr(),
        prop_oneof![3 => Just(PROTO_TCP), 2 => Just(PROTO_UDP), 2 => Just(PROTO_ICMP), 1 => Just(47u8), 1 => any::<u8>()],
        port(),
        port(),
        prop_oneof![Just(0u8), Just(3), Just(8), Just(11), any::<u8>()],
        0u8..5,
    )
        .prop_map(|(src, dst, proto, sport, dport, t, c)| Pkt {
            src,
            dst,
            proto,
            sport,
            dport,
            icmp_type: if proto == PROTO_ICMP { t } else { 0 },
            icmp_code: if proto == PROTO_ICMP { c } else { 0 },
        })
}

fn view(p: &Pkt) -> FlowView {
    let echo = p.proto == PROTO_ICMP && (p.icmp_type == 0 || p.icmp_type == 8);
    let (sport, dport) = match p.proto {
        PROTO_TCP | PROTO_UDP => (p.sport, p.dport),
        _ if echo => (p.sport, p.sport),
        _ => (0, 0),
    };
    FlowView {
        src: Ipv4Addr::from(p.src),
        dst: Ipv4Addr::from(p.dst),
        proto: p.proto,
        ttl: 64,
        src_port: sport,
        dst_port: dport,
        icmp_type: p.icmp_type,
        icmp_code: p.icmp_code,
        tcp_flags: 0,
        fragment: Fragment::None,
        total_len: 60,
        payload_len: 0,
        header_len: 20,
    }
}

// -- NACL-2 ------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct NRule {
    number: u16,
    proto: Protocol,
    ports: PortRange,
    icmp: IcmpMatch,
    cidr: Ipv4Net,
    allow: bool,
}

fn nacl_rules() -> impl Strategy<Value = Vec<NRule>> {
    prop::collection::btree_map(
        1u16..=32766,
        (protocol(), ports(), icmp(), net(), any::<bool>()),
        0..12,
    )
    .prop_map(|m| {
        m.into_iter()
            .map(|(number, (proto, ports, icmp, cidr, allow))| NRule {
                number,
                proto,
                ports,
                icmp,
                cidr,
                allow,
            })
            .collect::<Vec<_>>()
    })
    .prop_shuffle()
}

fn nacl_toml(rules: &[NRule]) -> String {
    let items: Vec<String> = rules
        .iter()
        .map(|r| {
            let mut s = format!("{{ rule = {}, protocol = \"{}\"", r.number, r.proto);
            if r.proto.has_ports() {
                s += &format!(", ports = \"{}\"", r.ports);
            }
            if r.proto == Protocol::ICMP {
                if let Some(t) = r.icmp.icmp_type {
                    s += &format!(", icmp_type = {t}");
                }
                if let Some(c) = r.icmp.code {
                    s += &format!(", icmp_code = {c}");
                }
            }
            s + &format!(
                ", cidr = \"{}\", action = \"{}\" }}",
                r.cidr,
                if r.allow { "allow" } else { "deny" }
            )
        })
        .collect();
    format!(
        "[scenario]\nname = \"nacl\"\nduration = \"1s\"\n\n[[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/16\"]\n\n\
         [[network_acl]]\nid = \"acl\"\nvpc = \"v\"\ningress = [{}]\n",
        items.join(", ")
    )
}

/// The naive reading of NACL-2: of the rules that match, the one with the
/// lowest number decides; none matching, the final `*` rule denies.
fn nacl_reference(rules: &[NRule], v: &FlowView, peer: u32) -> (bool, Option<u16>) {
    let peer = Ipv4Addr::from(peer);
    rules
        .iter()
        .filter(|r| r.cidr.contains(&peer) && covers(r.proto, r.ports, r.icmp, v))
        .min_by_key(|r| r.number)
        .map_or((false, None), |r| (r.allow, Some(r.number)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// NACL-2, through the loader: rules given in any order are evaluated
    /// from the lowest number, the first match decides, and no match denies.
    #[test]
    fn nacl_2_first_matching_rule_by_number_decides(
        rules in nacl_rules(),
        packets in prop::collection::vec(pkt(), 1..24),
    ) {
        let text = nacl_toml(&rules);
        let design = match model::load_str("nacl.toml", &text) {
            Ok(l) => l.design,
            Err(r) => panic!("{r}\n{text}"),
        };
        let acl = design.nacls.iter().find(|a| a.name == "acl").unwrap();
        // The rules as the data plane scans them.
        let scan = nacl::Scan::of(acl);
        for p in &packets {
            let v = view(p);
            let got = nacl::evaluate(&scan.ingress, &v, p.src);
            let want = nacl_reference(&rules, &v, p.src);
            prop_assert_eq!((got.allow, got.rule), want, "packet {:?}", p);
        }
    }
}

// -- SG-1, SG-2 ----------------------------------------------------------------------

#[derive(Clone, Debug)]
struct SgCase {
    groups: Vec<SecurityGroup>,
    /// Private IPs of the ENIs carrying each group.
    members: Vec<Vec<u32>>,
    prefix_lists: Vec<Vec<Ipv4Net>>,
    /// The groups of the ENI being judged.
    eni_groups: Vec<SgId>,
}

fn sg_case() -> impl Strategy<Value = SgCase> {
    (1usize..5, 0usize..4).prop_flat_map(|(n_groups, n_lists)| {
        let peer = prop_oneof![
            4 => net().prop_map(Peer::Cidr),
            2 => (0..n_groups as u32).prop_map(|g| Peer::Group(SgId(g))),
            // A list index past the end stands for a list that does not exist.
            1 => (0..=n_lists as u32).prop_map(|l| Peer::PrefixList(PrefixListId(l))),
        ];
        let rule = (protocol(), ports(), icmp(), peer)
            .prop_map(|(protocol, ports, icmp, peer)| SgRule {
                protocol,
                ports,
                icmp,
                peer,
            })
            .boxed();
        let group = (
            prop::collection::vec(rule.clone(), 0..5),
            prop::collection::vec(rule, 0..5),
        )
            .prop_map(|(ingress, egress)| SecurityGroup {
                name: "g".into(),
                vpc: VpcId(0),
                ingress,
                egress,
            });
        (
            prop::collection::vec(group, n_groups),
            prop::collection::vec(prop::collection::vec(addr(), 0..4), n_groups),
            prop::collection::vec(prop::collection::vec(net(), 0..3), n_lists),
            prop::collection::vec(0..n_groups as u32, 1..4),
        )
            .prop_map(|(groups, members, prefix_lists, eni)| SgCase {
                groups,
                members,
                prefix_lists,
                eni_groups: eni.into_iter().map(SgId).collect(),
            })
    })
}

/// SG-2's peers, read naively: a CIDR contains the address; a group has an
/// ENI with that private IP; a prefix list has a CIDR containing it.
fn peer_ok(c: &SgCase, peer: &Peer, ip: u32) -> bool {
    let a = Ipv4Addr::from(ip);
    match peer {
        Peer::Cidr(n) => n.contains(&a),
        Peer::Group(g) => c.members[g.0 as usize].contains(&ip),
        Peer::PrefixList(l) => c
            .prefix_lists
            .get(l.0 as usize)
            .is_some_and(|l| l.iter().any(|n| n.contains(&a))),
    }
}

fn sg_rule_ok(c: &SgCase, r: &SgRule, v: &FlowView, remote: u32) -> bool {
    covers(r.protocol, r.ports, r.icmp, v) && peer_ok(c, &r.peer, remote)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// SG-1, SG-2: a packet is allowed iff some rule of some group of the
    /// ENI allows it; the rule reported is one of them, and it is open to
    /// every address whenever such a rule matches (SG-4 relies on it).
    #[test]
    fn sg_1_sg_2_union_of_rules_allows_exactly(
        c in sg_case(),
        packets in prop::collection::vec((pkt(), any::<bool>()), 1..24),
    ) {
        let members = Members {
            by_group: c
                .members
                .iter()
                .map(|m| {
                    let mut m = m.clone();
                    m.sort_unstable();
                    m.dedup();
                    m
                })
                .collect(),
            ..Members::default()
        };
        for (p, ingress) in &packets {
            let v = view(p);
            let (dir, remote) = if *ingress {
                (Direction::Ingress, p.src)
            } else {
                (Direction::Egress, p.dst)
            };
            let rules_of = |g: &SecurityGroup| -> Vec<SgRule> {
                if *ingress { g.ingress.clone() } else { g.egress.clone() }
            };
            let matching: Vec<(SgId, usize, SgRule)> = c
                .eni_groups
                .iter()
                .flat_map(|g| {
                    rules_of(&c.groups[g.0 as usize])
                        .into_iter()
                        .enumerate()
                        .map(move |(i, r)| (*g, i, r))
                })
                .filter(|(_, _, r)| sg_rule_ok(&c, r, &v, remote))
                .collect();
            let got = security_group::evaluate(
                &c.groups,
                &c.eni_groups,
                dir,
                &v,
                remote,
                &members,
                &c.prefix_lists,
            );
            prop_assert_eq!(got.is_some(), !matching.is_empty(), "packet {:?} {:?}", p, dir);
            if let Some(m) = got {
                let rule = &rules_of(&c.groups[m.group.0 as usize])[m.rule as usize];
                prop_assert!(c.eni_groups.contains(&m.group));
                prop_assert!(sg_rule_ok(&c, rule, &v, remote), "the rule reported matches");
                let open = |r: &SgRule| matches!(r.peer, Peer::Cidr(n) if n.prefix_len() == 0);
                prop_assert_eq!(m.all_addresses, open(rule));
                if matching.iter().any(|(_, _, r)| open(r)) {
                    prop_assert!(m.all_addresses, "a rule open to all addresses is preferred");
                }
            }
        }
    }
}

// -- NAT-3, NAT-5, NAT-6 -------------------------------------------------------------

const NAT_IP: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 5);
const INSIDE: [[u8; 4]; 3] = [[10, 0, 1, 10], [10, 0, 1, 11], [10, 0, 2, 10]];
const INSIDE_PORTS: [u16; 4] = [1024, 40000, 40001, 65535];
const REMOTES: [[u8; 4]; 3] = [[93, 184, 216, 34], [8, 8, 8, 8], [198, 51, 100, 10]];
const REMOTE_PORTS: [u16; 3] = [443, 53, 80];
const PROTOS: [u8; 3] = [PROTO_TCP, PROTO_UDP, PROTO_ICMP];
/// Time steps around the idle timeout (350 s) and the linger of closed TCP
/// mappings (2 s), in nanoseconds.
const STEPS: [u64; 9] = [
    1,
    1_000_000_000,
    2_000_000_001,
    100_000_000_000,
    349_999_999_999,
    350_000_000_000,
    350_000_000_001,
    10_000_000,
    0,
];
const FLAGS: [u8; 7] = [
    tcp_flags::SYN,
    tcp_flags::SYN,
    tcp_flags::SYN | tcp_flags::ACK,
    tcp_flags::ACK,
    tcp_flags::ACK | tcp_flags::PSH,
    tcp_flags::FIN | tcp_flags::ACK,
    tcp_flags::RST,
];

#[derive(Clone, Debug)]
enum Op {
    /// A packet from inside: (inside, inside port, remote, remote port, protocol, flags).
    Out(usize, usize, usize, usize, usize, usize),
    /// A reply to the n-th connection of the model (modulo), with flags.
    Reply(usize, usize),
    /// A packet from outside to a port of the gateway: (remote, remote port, protocol, port).
    Unsolicited(usize, usize, usize, u16),
    Advance(usize),
    Sweep,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (0..INSIDE.len(), 0..INSIDE_PORTS.len(), 0..REMOTES.len(), 0..REMOTE_PORTS.len(), 0..PROTOS.len(), 0..FLAGS.len())
            .prop_map(|(a, b, c, d, e, f)| Op::Out(a, b, c, d, e, f)),
        4 => (any::<usize>(), 0..FLAGS.len()).prop_map(|(n, f)| Op::Reply(n, f)),
        1 => (0..REMOTES.len(), 0..REMOTE_PORTS.len(), 0..PROTOS.len(), prop_oneof![1024u16..1040, any::<u16>()])
            .prop_map(|(a, b, c, d)| Op::Unsolicited(a, b, c, d)),
        2 => (0..STEPS.len()).prop_map(Op::Advance),
        1 => Just(Op::Sweep),
    ]
}

/// A connection as NAT-6 and the closing rule describe it.
#[derive(Clone, Debug)]
struct Conn {
    port: u16,
    last: u64,
    fin_out: bool,
    fin_in: bool,
    closed: bool,
}

impl Conn {
    fn expired(&self, now: u64) -> bool {
        let limit = if self.closed {
            nat_gateway::CLOSED_LINGER
        } else {
            nat_gateway::IDLE_TIMEOUT
        };
        now.saturating_sub(self.last) > limit.0
    }

    fn touch(&mut self, proto: u8, flags: u8, outbound: bool, now: u64) {
        self.last = now;
        if proto == PROTO_TCP {
            self.closed |= flags & tcp_flags::RST != 0;
            if flags & tcp_flags::FIN != 0 {
                if outbound {
                    self.fin_out = true;
                } else {
                    self.fin_in = true;
                }
            }
            self.closed |= self.fin_out && self.fin_in;
        }
    }
}

/// (protocol, inside, inside port, remote, remote port); ICMP has no remote port.
type Key = (u8, u32, u16, u32, u16);

fn flow(src: u32, sport: u16, dst: u32, dport: u16, proto: u8, flags: u8) -> FlowView {
    FlowView {
        src: Ipv4Addr::from(src),
        dst: Ipv4Addr::from(dst),
        proto,
        ttl: 64,
        src_port: sport,
        dst_port: dport,
        icmp_type: if proto == PROTO_ICMP { 8 } else { 0 },
        icmp_code: 0,
        tcp_flags: if proto == PROTO_TCP { flags } else { 0 },
        fragment: Fragment::None,
        total_len: 60,
        payload_len: 0,
        header_len: 20,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// NAT-3, NAT-5, NAT-6 over random sequences of outbound packets,
    /// replies, unsolicited packets, time steps and sweeps.
    #[test]
    fn nat_3_nat_5_nat_6_live_connections_are_a_bijection(ops in prop::collection::vec(op(), 1..80)) {
        let mut t = NatTable::new();
        let mut model: BTreeMap<Key, Conn> = BTreeMap::new();
        let mut now = 0u64;
        let mut created = 0u64;
        for op in &ops {
            match *op {
                Op::Out(a, b, c, d, e, f) => {
                    let proto = PROTOS[e];
                    let inside = u32::from(Ipv4Addr::from(INSIDE[a]));
                    let iport = INSIDE_PORTS[b];
                    let remote = u32::from(Ipv4Addr::from(REMOTES[c]));
                    let (sport, dport, rport) = if proto == PROTO_ICMP {
                        (iport, iport, 0)
                    } else {
                        (iport, REMOTE_PORTS[d], REMOTE_PORTS[d])
                    };
                    let flags = FLAGS[f];
                    let key = (proto, inside, iport, remote, rport);
                    let got = t.outbound(&flow(inside, sport, remote, dport, proto, flags), Nanos(now));
                    match model.get_mut(&key) {
                        Some(c) if !c.expired(now) => {
                            // The same live connection keeps its port.
                            prop_assert_eq!(got, Ok(c.port));
                            c.touch(proto, flags, true, now);
                            continue;
                        }
                        Some(_) => {
                            // Idle past its timeout: released now (NAT-6).
                            model.remove(&key);
                        }
                        None => {}
                    }
                    let opens = flags & tcp_flags::SYN != 0 && flags & tcp_flags::ACK == 0;
                    if proto == PROTO_TCP && !opens {
                        // No mapping for a packet that does not open a
                        // connection: the gateway answers RST (NAT-6).
                        prop_assert_eq!(got, Err(NatError::Expired));
                        continue;
                    }
                    let port = match got {
                        Ok(p) => p,
                        Err(e) => return Err(TestCaseError::fail(format!("{e:?} for a new connection"))),
                    };
                    created += 1;
                    // NAT-5: ports from 1024-65535.
                    prop_assert!(port >= nat_gateway::PORT_LO);
                    // No other mapping holds the same outside tuple.
                    for (k, c) in &model {
                        prop_assert!(
                            !(k.0 == proto && k.3 == remote && k.4 == rport && c.port == port),
                            "port {} to {:?} given twice", port, (proto, remote, rport)
                        );
                    }
                    let mut c = Conn { port, last: now, fin_out: false, fin_in: false, closed: false };
                    c.touch(proto, flags, true, now);
                    model.insert(key, c);
                }
                Op::Reply(n, f) => {
                    if model.is_empty() {
                        continue;
                    }
                    let (key, c) = model.iter().nth(n % model.len()).map(|(k, c)| (*k, c.clone())).unwrap();
                    let (proto, inside, iport, remote, rport) = key;
                    let flags = FLAGS[f];
                    let (sport, dport) = if proto == PROTO_ICMP { (c.port, c.port) } else { (rport, c.port) };
                    let got = t.inbound(&flow(remote, sport, u32::from(NAT_IP), dport, proto, flags), Nanos(now));
                    if c.expired(now) {
                        prop_assert_eq!(got, Err(NatError::Expired));
                        model.remove(&key);
                    } else {
                        // NAT-3: a reply maps back to its connection.
                        prop_assert_eq!(got, Ok((inside, iport)));
                        model.get_mut(&key).unwrap().touch(proto, flags, false, now);
                    }
                }
                Op::Unsolicited(a, b, e, port) => {
                    let proto = PROTOS[e];
                    let remote = u32::from(Ipv4Addr::from(REMOTES[a]));
                    let rport = if proto == PROTO_ICMP { 0 } else { REMOTE_PORTS[b] };
                    let (sport, dport) = if proto == PROTO_ICMP { (port, port) } else { (rport, port) };
                    let got = t.inbound(&flow(remote, sport, u32::from(NAT_IP), dport, proto, tcp_flags::SYN), Nanos(now));
                    let owner = model
                        .iter()
                        .find(|(k, c)| k.0 == proto && k.3 == remote && k.4 == rport && c.port == port)
                        .map(|(k, c)| (*k, c.clone()));
                    match owner {
                        None => prop_assert_eq!(got, Err(NatError::Unsolicited)),
                        Some((k, c)) if c.expired(now) => {
                            prop_assert_eq!(got, Err(NatError::Expired));
                            model.remove(&k);
                        }
                        Some((k, c)) => {
                            prop_assert_eq!(got, Ok((k.1, k.2)));
                            let mut c = c;
                            c.touch(proto, tcp_flags::SYN, false, now);
                            model.insert(k, c);
                        }
                    }
                }
                Op::Advance(i) => now += STEPS[i],
                Op::Sweep => {
                    t.sweep(Nanos(now));
                    model.retain(|_, c| !c.expired(now));
                    // Every mapping left is live: ports idle past the
                    // timeout are released (NAT-6).
                    prop_assert_eq!(t.len(), model.len());
                }
            }
            prop_assert_eq!(t.len(), model.len(), "after {:?}", op);
            prop_assert_eq!(t.created, created);
        }
        // Past every timeout, a sweep releases every port.
        now += nat_gateway::IDLE_TIMEOUT.0 + 1;
        t.sweep(Nanos(now));
        prop_assert_eq!(t.len(), 0);
        prop_assert_eq!(t.max_ports_per_destination(), 0);
    }
}

// -- memory per connection ------------------------------------------------------------

/// (resident, peak resident) bytes of this process, from /proc (Linux).
fn rss() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib = |key: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace()
            .nth(1)?
            .parse::<u64>()
            .ok()
            .map(|k| k * 1024)
    };
    Some((kib("VmRSS:")?, kib("VmHWM:")?))
}

/// Bytes per tracked connection (SG-3) and per NAT mapping (NAT-5): the
/// size of an entry, and the growth of the resident set when 1,000,000 of
/// each are created. Run alone, so that nothing else allocates meanwhile:
/// `cargo test --release -p vpcsim --test invariants -- --ignored --nocapture memory`.
/// docs/determinism.md records the figures.
#[test]
#[ignore]
fn memory_per_connection_sg_3_nat_5() {
    use vpcsim::dataplane::conntrack::Conntrack;
    use vpcsim::model::EniId;
    const N: u32 = 1_000_000;
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "size_of: conntrack entry {} B, NAT mapping {} B (outbound and inbound entries)",
        Conntrack::ENTRY_BYTES,
        NatTable::MAPPING_BYTES
    );
    let Some((base, _)) = rss() else {
        println!("no /proc/self/status: resident set not measured");
        return;
    };

    let mut ct = Conntrack::new();
    for i in 0..N {
        // 100 ENIs, each with 10,000 flows to distinct remote ports.
        let v = flow(
            u32::from(Ipv4Addr::new(10, 0, 1, 10)),
            40_000,
            u32::from(Ipv4Addr::new(93, 184, (i >> 16) as u8, 34)),
            (i & 0xFFFF) as u16,
            PROTO_TCP,
            tcp_flags::SYN,
        );
        ct.track(EniId(i % 100), &v, true, Nanos(u64::from(i)));
    }
    assert_eq!(ct.len(), N as usize);
    let (after_ct, peak_ct) = rss().unwrap();
    let per_ct = (after_ct - base) as f64 / f64::from(N);

    let mut nat = NatTable::new();
    for i in 0..N {
        // 20 destinations, 50,000 connections each (under the 55,000 of NAT-5).
        let inside = u32::from(Ipv4Addr::new(10, 0, 0, 0)) + 256 + i / 50_000 * 256 + i % 200;
        let v = flow(
            inside,
            1024 + ((i % 50_000) / 200) as u16,
            u32::from(Ipv4Addr::new(198, 51, 100, (i / 50_000) as u8)),
            443,
            PROTO_TCP,
            tcp_flags::SYN,
        );
        nat.outbound(&v, Nanos(0)).expect("a port is free");
    }
    assert_eq!(nat.len(), N as usize);
    let (after_nat, peak_nat) = rss().unwrap();
    let per_nat = (after_nat - after_ct) as f64 / f64::from(N);

    println!(
        "resident set: {:.1} MiB before, {:.1} MiB with {N} tracked connections (peak {:.1} MiB), {:.1} MiB with {N} NAT mappings too (peak {:.1} MiB)",
        mib(base),
        mib(after_ct),
        mib(peak_ct),
        mib(after_nat),
        mib(peak_nat)
    );
    println!(
        "per tracked connection: {per_ct:.1} B; per NAT mapping: {per_nat:.1} B; both for one connection through a NAT gateway: {:.1} B",
        per_ct + per_nat
    );
    let gib = 1u64 << 30;
    println!(
        "{N} connections through a NAT gateway, each tracked: {:.0} MiB, {} 1 GiB",
        (per_ct + per_nat) * f64::from(N) / (1024.0 * 1024.0),
        if ((per_ct + per_nat) * f64::from(N)) < gib as f64 {
            "within"
        } else {
            "over"
        }
    );
    drop((ct, nat));
}
