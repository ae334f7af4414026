//! Invariants of packets walked through generated designs.
//!
//! Each case generates a small design (one VPC, 2 to 4 subnets, random
//! security groups, NACLs, routes, instances, some of them middleboxes, an
//! internet gateway and a NAT gateway maybe; `common::walk_design`), loads
//! its text, and sends random packets from its hosts with [`Network::step`],
//! one step at a time: fresh packets to random addresses, replies to packets
//! delivered earlier, at increasing virtual times, with the design's
//! timeline `set` events applied in between. Packets that components emit
//! (a NAT gateway's RST, a middlebox's ICMP time exceeded) are walked too.
//!
//! - SG-3: no packet is delivered to an instance unless an inbound rule of
//!   its groups allows it or it belongs to a flow the ENI tracks; and no
//!   packet that a rule allows is refused by the groups.
//! - IGW-2, NAT-1 (and every other rewrite): every packet leaving a
//!   component has a valid IPv4 header checksum and transport checksum.
//! - RT-9: TTL never increases along the way; only a forwarding instance, a
//!   NAT gateway and the internet take one off (the VPC router is not a
//!   hop); every walk ends, delivered or dropped, within a number of steps
//!   bounded by its TTL.
//!
//! Case counts are modest; `PROPTEST_CASES` overrides them.

mod common;

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use common::{WalkOpts, covers};
use proptest::prelude::*;
use vpcsim::dataplane::{Entry, Hop, Host, Loc, MAX_STEPS, Network, Rule, Seen, Step, Trace};
use vpcsim::model::{
    Action, Design, DropReason, EniId, EniOwner, Peer, SecurityGroup, SetChange, SgId, SgRule,
};
use vpcsim::packet::{
    self, FlowView, PROTO_ICMP, PROTO_TCP, PROTO_UDP, build, checksum, tcp_flags,
};
use vpcsim::units::Nanos;

/// Records the hops of a step, checks the bytes of the packet at every
/// boundary the data plane reports it crossing, and keeps the packets
/// components made.
#[derive(Default)]
struct Checked {
    hops: Vec<Hop>,
    bad_bytes: Vec<String>,
    emitted: Vec<(bytes::Bytes, Loc)>,
}

fn bytes_ok(buf: &[u8]) -> Result<(), String> {
    packet::parse(buf).map_err(|e| e.to_string())?;
    if !packet::transport_checksum_ok(buf) {
        return Err("bad transport checksum".into());
    }
    Ok(())
}

impl Trace for Checked {
    fn hop(&mut self, hop: Hop) {
        self.hops.push(hop);
    }

    fn wants_packets(&self) -> bool {
        true
    }

    fn seen(&mut self, seen: Seen<'_>) {
        let bytes = match seen {
            Seen::EniOut { bytes, .. }
            | Seen::EniIn { bytes, .. }
            | Seen::Gateway { bytes, .. }
            | Seen::Host { bytes, .. }
            | Seen::Attachment { bytes, .. }
            | Seen::VpnOut { bytes, .. } => bytes,
        };
        if let Err(e) = bytes_ok(bytes) {
            self.bad_bytes.push(format!("{seen:?}: {e}"));
        }
    }

    fn wants_emitted(&self) -> bool {
        true
    }

    fn emitted(&mut self, packet: bytes::Bytes, at: Loc) {
        self.emitted.push((packet, at));
    }
}

/// The key of a flow at an ENI, as SG-3 describes it: protocol, remote
/// address, local port, remote port.
type FlowKey = (u32, u8, u32, u16, u16);

fn flow_key(eni: EniId, v: &FlowView, outbound: bool) -> FlowKey {
    if outbound {
        (eni.0, v.proto, u32::from(v.dst), v.src_port, v.dst_port)
    } else {
        (eni.0, v.proto, u32::from(v.src), v.dst_port, v.src_port)
    }
}

/// Failures found, by the invariant they break.
#[derive(Default, Debug)]
struct Fails {
    sg: Vec<String>,
    bytes: Vec<String>,
    ttl: Vec<String>,
}

/// A generated design, its network, and a reference of what the security
/// groups allow and which flows they may track.
struct Bench {
    design: Arc<Design>,
    net: Network,
    now: Nanos,
    /// Current rules and group memberships, following the applied events.
    sgs: Vec<SecurityGroup>,
    eni_groups: Vec<Vec<SgId>>,
    /// Every flow a packet of which passed an ENI's groups: a superset of
    /// what the ENI tracks (it leaves untracked and expired flows out).
    passed: BTreeSet<FlowKey>,
    /// Packets delivered so far, as they arrived, to answer later.
    delivered: Vec<(Host, FlowView)>,
    events: usize,
    fails: Fails,
    text: String,
    /// Packets components made, not yet walked.
    emitted: Vec<(bytes::Bytes, Loc)>,
}

impl Bench {
    fn new(text: String) -> Bench {
        let design = common::load_arc(&text);
        Bench {
            net: Network::new(Arc::clone(&design)),
            now: Nanos::ZERO,
            sgs: design.security_groups.clone(),
            eni_groups: design
                .enis
                .iter()
                .map(|e| e.security_groups.clone())
                .collect(),
            passed: BTreeSet::new(),
            delivered: Vec::new(),
            events: 0,
            fails: Fails::default(),
            emitted: Vec::new(),
            design,
            text,
        }
    }

    /// SG-1, SG-2 read naively: some rule of some group of the ENI allows
    /// the packet in that direction.
    /// `from`: how an inbound packet arrived. A group reference admits it
    /// only from the member ENI itself, in the VPC it came from (SG-2);
    /// outbound, members are matched by address.
    fn rules_allow(&self, eni: EniId, v: &FlowView, ingress: bool, from: Option<Entry>) -> bool {
        let remote = if ingress { v.src } else { v.dst };
        let here = self.design.enis[eni.idx()].vpc;
        let sender_vpc = match from {
            None => None,
            Some(Entry::Subnet(_)) => Some(Some(here)),
            Some(Entry::Peering(pc)) => Some(self.design.peerings[pc.idx()].other(here)),
            Some(_) => Some(None),
        };
        let member = |g: SgId| {
            self.design.enis.iter().enumerate().any(|(i, e)| {
                e.ip == remote
                    && self.eni_groups[i].contains(&g)
                    && sender_vpc.is_none_or(|vpc| vpc == Some(e.vpc))
            })
        };
        let peer_ok = |p: &Peer| match p {
            Peer::Cidr(n) => n.contains(&remote),
            Peer::Group(g) => member(*g),
            Peer::PrefixList(l) => self.design.prefix_lists[l.idx()]
                .cidrs
                .iter()
                .any(|n| n.contains(&remote)),
        };
        self.eni_groups[eni.idx()].iter().any(|g| {
            let sg = &self.sgs[g.idx()];
            let rules: &[SgRule] = if ingress { &sg.ingress } else { &sg.egress };
            rules
                .iter()
                .any(|r| covers(r.protocol, r.ports, r.icmp, v) && peer_ok(&r.peer))
        })
    }

    fn apply_next_event(&mut self) {
        let Some(e) = self.design.events.get(self.events) else {
            return;
        };
        self.events += 1;
        let action = e.action.clone();
        if let Action::Set(changes) = &action {
            for c in changes {
                match c {
                    SetChange::SgIngress(g, rules) => self.sgs[g.idx()].ingress = rules.clone(),
                    SetChange::SgEgress(g, rules) => self.sgs[g.idx()].egress = rules.clone(),
                    SetChange::EniSecurityGroups(enis, groups) => {
                        for x in enis {
                            self.eni_groups[x.idx()] = groups.clone();
                        }
                    }
                    _ => {}
                }
            }
        }
        self.net.apply(&action);
    }

    fn advance(&mut self, by: Nanos) {
        if by > Nanos::ZERO {
            self.now = self.now.saturating_add(by);
            self.net.sweep(self.now);
        }
    }

    /// What a step at `loc` means for SG-3, given the packet as it entered.
    fn observe(&mut self, loc: Loc, v: &FlowView, step: &Step, hops: &[Hop]) {
        let passed = hops
            .iter()
            .any(|h| matches!(h.rule, Rule::Sg { .. } | Rule::Tracked));
        let denied = |r: DropReason| matches!(step, Step::Drop(d) if d.reason == r);
        match loc {
            Loc::EniOut(e) if !matches!(self.design.enis[e.idx()].owner, EniOwner::Nat(_)) => {
                if denied(DropReason::SgEgressDenied) && self.rules_allow(e, v, false, None) {
                    self.fails.sg.push(format!(
                        "{v:?} refused on its way out of ENI {e:?}, which a rule allows"
                    ));
                }
                if passed {
                    self.passed.insert(flow_key(e, v, true));
                }
            }
            Loc::EniIn { eni, from }
                if matches!(self.design.enis[eni.idx()].owner, EniOwner::Instance(_)) =>
            {
                let allowed = self.rules_allow(eni, v, true, Some(from));
                let key = flow_key(eni, v, false);
                if let Step::Deliver(h) = step {
                    let e = &self.design.enis[eni.idx()];
                    let ok_host =
                        matches!(h, Host::Instance(i) if self.design.instances[i.idx()].eni == eni);
                    if !ok_host || v.dst != e.ip {
                        self.fails.sg.push(format!(
                            "{v:?} delivered to {h:?} through ENI {eni:?} ({})",
                            e.ip
                        ));
                    }
                    if !allowed && !self.passed.contains(&key) {
                        self.fails.sg.push(format!(
                            "{v:?} delivered through ENI {eni:?}: no inbound rule allows it and no flow of it passed before"
                        ));
                    }
                }
                if denied(DropReason::SgIngressDenied) && allowed {
                    self.fails.sg.push(format!(
                        "{v:?} refused at ENI {eni:?}, which an inbound rule allows"
                    ));
                }
                if passed {
                    self.passed.insert(key);
                }
            }
            _ => {}
        }
    }

    /// Walks a packet from `start` one step at a time until it ends.
    fn walk(&mut self, mut buf: Vec<u8>, start: Loc) {
        let Ok(first) = packet::parse(&buf) else {
            return;
        };
        let bound = 6 * (usize::from(first.ttl) + 2);
        let mut ttl = first.ttl;
        let mut loc = start;
        let mut steps = 0usize;
        loop {
            let before = packet::parse(&buf).ok();
            let mut tr = Checked::default();
            let step = self.net.step(&mut buf, loc, self.now, &mut tr);
            steps += 1;
            for b in tr.bad_bytes {
                self.fails.bytes.push(format!("{b} (from {start:?})"));
            }
            self.emitted.append(&mut tr.emitted);
            // A dropped packet leaves nowhere; every other one goes on.
            if !matches!(step, Step::Drop(_)) {
                if let Err(e) = bytes_ok(&buf) {
                    self.fails
                        .bytes
                        .push(format!("leaving {loc:?} ({step:?}): {e} (from {start:?})"));
                }
            }
            if let Some(v) = before {
                self.observe(loc, &v, &step, &tr.hops);
                if let Ok(after) = packet::parse(&buf) {
                    if after.ttl > ttl {
                        self.fails.ttl.push(format!(
                            "TTL rose from {ttl} to {} at {loc:?} (from {start:?})",
                            after.ttl
                        ));
                    }
                    // Only a forwarding instance, a NAT gateway (both reached
                    // at an ENI) and the internet take one off; the VPC
                    // router, gateways and peerings are not hops.
                    let may = matches!(loc, Loc::EniIn { .. } | Loc::Internet);
                    if after.ttl + 1 < v.ttl || (!may && after.ttl != v.ttl) {
                        self.fails.ttl.push(format!(
                            "TTL went from {} to {} at {loc:?} (from {start:?})",
                            v.ttl, after.ttl
                        ));
                    }
                    ttl = after.ttl;
                }
                if let Step::Deliver(h) = step {
                    self.delivered.push((h, v));
                }
            }
            match step {
                Step::Next { loc: next, .. } => loc = next,
                _ => break,
            }
            if steps > bound || steps >= MAX_STEPS {
                self.fails.ttl.push(format!(
                    "a packet from {start:?} with TTL {} is still going after {steps} steps, at {loc:?}",
                    first.ttl
                ));
                break;
            }
        }
    }

    /// Walks what components emitted (and what that emits, a few rounds).
    fn walk_emitted(&mut self) {
        for _ in 0..4 {
            let emitted = std::mem::take(&mut self.emitted);
            if emitted.is_empty() {
                return;
            }
            for (b, loc) in emitted {
                if let Err(e) = bytes_ok(&b) {
                    self.fails.bytes.push(format!("emitted at {loc:?}: {e}"));
                }
                self.walk(b.to_vec(), loc);
            }
        }
        self.emitted.clear();
    }

    fn host_ip(&self, h: Host) -> Ipv4Addr {
        match h {
            Host::Instance(i) => self.design.enis[self.design.instances[i.idx()].eni.idx()].ip,
            Host::External(x) => self.design.external_hosts[x.idx()].ip,
            _ => Ipv4Addr::UNSPECIFIED,
        }
    }

    fn sources(&self) -> Vec<Host> {
        let d = &self.design;
        (0..d.instances.len())
            .map(|i| Host::Instance(vpcsim::model::InstanceId::from_idx(i)))
            .chain(
                (0..d.external_hosts.len())
                    .map(|i| Host::External(vpcsim::model::ExternalHostId::from_idx(i))),
            )
            .collect()
    }

    /// Addresses packets go to: every address the design gives out, and a
    /// few that nothing owns.
    fn destinations(&self) -> Vec<Ipv4Addr> {
        let d = &self.design;
        let mut v: Vec<Ipv4Addr> = d.enis.iter().map(|e| e.ip).collect();
        v.extend(d.enis.iter().filter_map(|e| e.public_ip));
        v.extend(d.nats.iter().filter_map(|n| n.public_ip));
        v.extend(d.external_hosts.iter().map(|h| h.ip));
        v.extend([
            Ipv4Addr::new(10, 0, 1, 99),
            Ipv4Addr::new(10, 0, 3, 1),
            Ipv4Addr::new(203, 0, 113, 9),
            Ipv4Addr::new(3, 35, 1, 99),
        ]);
        v
    }

    fn send(&mut self, s: &PSpec) {
        self.advance(Nanos(ADVANCE[s.adv]));
        if s.kind == 0 {
            self.apply_next_event();
            return;
        }
        let (from, src, dst, sport, dport, reply_to) = if s.kind < 10 && !self.delivered.is_empty()
        {
            // Answer a packet delivered earlier, from where it arrived:
            // most often one of the last few, to carry conversations on.
            let n = self.delivered.len();
            let i = match s.a % 5 {
                0 => s.a % n,
                1 | 2 => n - 1 - (s.a / 5) % n.min(3),
                _ => n - 1,
            };
            let (h, v) = self.delivered[i];
            (h, v.dst, v.src, v.dst_port, v.src_port, Some(v))
        } else {
            let sources = self.sources();
            let from = sources[s.a % sources.len()];
            let dsts = self.destinations();
            let ext = &self.design.external_hosts;
            // Often an internet host, through the gateways.
            let dst = if s.b % 10 < 3 {
                ext[(s.b / 10) % ext.len()].ip
            } else {
                dsts[s.b % dsts.len()]
            };
            (
                from,
                self.host_ip(from),
                dst,
                SPORTS[s.sport],
                DPORTS[s.dport],
                None,
            )
        };
        let proto = match reply_to {
            Some(v) => match v.proto {
                PROTO_TCP => 0,
                PROTO_UDP => 2,
                PROTO_ICMP if v.icmp_type == packet::ICMP_ECHO_REQUEST => 6,
                _ => s.proto,
            },
            None => s.proto,
        };
        let payload = vec![0xA5u8; usize::from(s.len)];
        let bytes: Vec<u8> = match proto {
            0 | 1 => {
                let flags = match reply_to {
                    Some(v)
                        if v.tcp_flags & tcp_flags::SYN != 0
                            && v.tcp_flags & tcp_flags::ACK == 0 =>
                    {
                        tcp_flags::SYN | tcp_flags::ACK
                    }
                    Some(_) => REPLY_FLAGS[s.flags % REPLY_FLAGS.len()],
                    None => FLAGS[s.flags],
                };
                build::tcp(
                    &build::TcpSpec {
                        src: SocketAddrV4::new(src, sport),
                        dst: SocketAddrV4::new(dst, dport),
                        seq: 7,
                        ack: 9,
                        flags,
                        window: 1000,
                    },
                    &payload,
                    s.ttl,
                    1,
                )
                .to_vec()
            }
            2 | 3 => {
                let mut b = build::udp(
                    SocketAddrV4::new(src, sport),
                    SocketAddrV4::new(dst, dport),
                    &payload,
                    s.ttl,
                    1,
                )
                .to_vec();
                if proto == 3 {
                    // No checksum (RFC 768): rewrites must keep it 0.
                    b[26] = 0;
                    b[27] = 0;
                }
                b
            }
            4 => {
                // An ICMP error about a datagram from the destination.
                let original = build::udp(
                    SocketAddrV4::new(dst, dport),
                    SocketAddrV4::new(src, sport),
                    &payload,
                    64,
                    2,
                );
                let mut b = build::icmp_error(src, &original, packet::ICMP_DEST_UNREACHABLE, 3, 64)
                    .to_vec();
                set_ttl(&mut b, s.ttl);
                b
            }
            5 => {
                // Another IP protocol (GRE), which NAT gateways refuse.
                let mut b = build::udp(
                    SocketAddrV4::new(src, sport),
                    SocketAddrV4::new(dst, dport),
                    &payload,
                    s.ttl,
                    3,
                )
                .to_vec();
                b[9] = 47;
                fix_ip_checksum(&mut b);
                b
            }
            _ => build::icmp_echo(
                &build::EchoSpec {
                    src,
                    dst,
                    reply: reply_to.is_some(),
                    ident: if reply_to.is_some() {
                        sport
                    } else {
                        SPORTS[s.sport]
                    },
                    seq: 1,
                },
                &payload,
                s.ttl,
                4,
            )
            .to_vec(),
        };
        self.walk(bytes, Loc::HostOut(from));
        self.walk_emitted();
    }

    fn report(&self) -> String {
        format!("--- design ---\n{}", self.text)
    }
}

fn fix_ip_checksum(b: &mut [u8]) {
    b[10] = 0;
    b[11] = 0;
    let c = checksum::compute(&b[..20]);
    b[10..12].copy_from_slice(&c.to_be_bytes());
}

fn set_ttl(b: &mut [u8], ttl: u8) {
    b[8] = ttl;
    fix_ip_checksum(b);
}

const SPORTS: [u16; 6] = [40000, 40001, 1024, 22, 443, 53];
const DPORTS: [u16; 7] = [22, 80, 443, 53, 5432, 40000, 1024];
const FLAGS: [u8; 6] = [
    tcp_flags::SYN,
    tcp_flags::SYN,
    tcp_flags::ACK,
    tcp_flags::ACK | tcp_flags::PSH,
    tcp_flags::FIN | tcp_flags::ACK,
    tcp_flags::RST,
];
const REPLY_FLAGS: [u8; 4] = [
    tcp_flags::ACK,
    tcp_flags::ACK | tcp_flags::PSH,
    tcp_flags::FIN | tcp_flags::ACK,
    tcp_flags::RST | tcp_flags::ACK,
];
/// Virtual time between packets: often none, sometimes past the idle
/// timeouts of tracked flows (SG-6) and NAT mappings (NAT-6).
const ADVANCE: [u64; 8] = [
    0,
    0,
    0,
    1_000_000,
    1_000_000_000,
    31_000_000_000,
    61_000_000_000,
    400_000_000_000,
];

/// One packet to send: `kind` 0 applies the next timeline event instead,
/// 1-9 answers a delivered packet (when there is one), the rest are fresh.
#[derive(Clone, Debug)]
struct PSpec {
    kind: u8,
    a: usize,
    b: usize,
    proto: u8,
    sport: usize,
    dport: usize,
    flags: usize,
    ttl: u8,
    len: u8,
    adv: usize,
}

fn pspec(ttl: impl Strategy<Value = u8>) -> impl Strategy<Value = PSpec> {
    (
        0u8..20,
        any::<usize>(),
        any::<usize>(),
        prop_oneof![4 => 0u8..4, 1 => 4u8..7],
        0..SPORTS.len(),
        0..DPORTS.len(),
        0..FLAGS.len(),
        ttl,
        0u8..48,
        0..ADVANCE.len(),
    )
        .prop_map(
            |(kind, a, b, proto, sport, dport, flags, ttl, len, adv)| PSpec {
                kind,
                a,
                b,
                proto,
                sport,
                dport,
                flags,
                ttl,
                len,
                adv,
            },
        )
}

fn run(seed: u64, opts: WalkOpts, packets: &[PSpec]) -> Bench {
    let mut b = Bench::new(common::walk_design(seed, opts));
    for p in packets {
        b.send(p);
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// SG-3: every delivery at an instance is allowed by an inbound rule of
    /// its groups or belongs to a flow that passed its groups before; SG-1:
    /// a packet a rule allows is never refused by the groups.
    #[test]
    fn sg_3_delivered_only_by_a_rule_or_a_tracked_flow(
        seed in any::<u64>(),
        nat_igw in any::<bool>(),
        middleboxes in any::<bool>(),
        packets in prop::collection::vec(pspec(Just(64u8)), 1..60),
    ) {
        let b = run(seed, WalkOpts { nat_igw, middleboxes }, &packets);
        prop_assert!(b.fails.sg.is_empty(), "{:#?}\n{}", b.fails.sg, b.report());
    }

    /// IGW-2, NAT-1: every packet leaving a component (a gateway's rewrite,
    /// a middlebox's TTL decrement, a NAT gateway's reverse translation, or
    /// a packet a component emits) has valid IPv4 and transport checksums.
    #[test]
    fn igw_2_nat_1_every_packet_leaves_with_valid_checksums(
        seed in any::<u64>(),
        middleboxes in any::<bool>(),
        packets in prop::collection::vec(pspec(prop_oneof![3 => Just(64u8), 1 => 1u8..=64]), 1..60),
    ) {
        let b = run(seed, WalkOpts { nat_igw: true, middleboxes }, &packets);
        prop_assert!(b.fails.bytes.is_empty(), "{:#?}\n{}", b.fails.bytes, b.report());
    }

    /// RT-9: TTL never rises, drops by one at most per step and only where a
    /// middlebox, a NAT gateway or the internet forwards, and every walk
    /// ends, delivered or dropped, within a number of steps bounded by its
    /// TTL, whatever the routes between middleboxes.
    #[test]
    fn rt_9_ttl_never_rises_and_every_walk_ends(
        seed in any::<u64>(),
        nat_igw in any::<bool>(),
        packets in prop::collection::vec(pspec(1u8..=64), 1..60),
    ) {
        let b = run(seed, WalkOpts { nat_igw, middleboxes: true }, &packets);
        prop_assert!(b.fails.ttl.is_empty(), "{:#?}\n{}", b.fails.ttl, b.report());
    }
}
