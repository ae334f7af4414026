//! Names looked up on the wire (DNS-5): a client whose traffic names its
//! destination by a DNS name or a service name asks its VPC's resolver
//! (VPC base + 2, ADDR-4) with a UDP query before it connects, and the
//! resolver on its host answers.
//!
//! Invariants:
//! - A lookup is one DNS query (RFC 1035: an id, RD, one question A IN)
//!   from the client's ENI to the resolver, UDP port 53, from an ephemeral
//!   port. The answer holds every address the name has (one A record
//!   each), in an order the resolver draws for each query from the design's
//!   seed (`resolve::answer_order`); the client connects to the first after
//!   glibc's RFC 6724 sort ([`client_choice`]).
//! - Answers are cached per ENI and name: an address for its TTL; a
//!   negative answer (NXDOMAIN, or NOERROR without an address) for the
//!   smaller of its SOA's TTL and MINIMUM (RFC 2308), 900 s. A request
//!   that finds a live answer in the cache sends nothing: it connects, or
//!   fails at once with `nxdomain`. A request that finds none sends its own
//!   query (lookups in flight are not shared).
//! - Queries are packets to a service the host answers: they share the
//!   1,024 packets per second per ENI (NACL-9), and one over it is dropped
//!   (`linklocal_allowance_exceeded`). Unanswered, the client asks again
//!   after 5 s, twice in all, as a Linux stub resolver does with
//!   `resolv.conf`'s defaults (`timeout:5`, `attempts:2`); then the item
//!   fails with the last drop's reason, or `timeout`.
//! - The resolver answers what `model::dns` and `dataplane::resolve` say
//!   from the asking ENI's VPC, when the query arrives: the name of an
//!   instance deleted by then is NXDOMAIN, and the item fails with
//!   `nxdomain`. With `enable_dns_support = false` it answers nothing
//!   (DNS-2).
//! - The time from the query to the answer counts in the item's latency:
//!   the item started when the request was made.

use std::net::{Ipv4Addr, SocketAddrV4};

use super::*;
use crate::dataplane::link_local::{self, LinkLocal};
use crate::hashing::FastMap;
use crate::packet::{PROTO_UDP, dns};

/// How long a stub resolver waits for an answer before it asks again:
/// `resolv.conf`'s `timeout` default (`RES_TIMEOUT`, 5 s).
pub const RES_TIMEOUT: Nanos = Nanos::from_secs(5);
/// How many times it asks: `resolv.conf`'s `attempts` default
/// (`RES_DFLRETRY`, 2).
pub const RES_ATTEMPTS: u8 = 2;
/// The step between the ids of successive queries of a part of the run;
/// its first query has this id.
pub const QUERY_ID_STEP: u16 = 0x2f1d;

/// A name some traffic looks up, from one VPC.
#[derive(Clone, Debug)]
struct Name {
    /// The name in wire form.
    wire: Vec<u8>,
    /// The VPC of the clients that ask for it.
    vpc: VpcId,
    /// The TTL the resolver gives it, in seconds: the smallest `dns_ttl`
    /// of the traffic that names it.
    ttl: u32,
    /// The first traffic that names it: what the name stands for.
    traffic: u32,
}

/// The names traffic looks up, found once from the design, and the answers
/// each ENI holds.
#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    names: Vec<Name>,
    of_traffic: Vec<Option<u32>>,
    /// Per ENI and name (`eni << 32 | name`): the address the client
    /// chose (`None`: a negative answer) and when the answer expires.
    /// Looked up, never iterated.
    cache: FastMap<u64, (Option<Ipv4Addr>, Nanos)>,
    next_id: u16,
    next_port: u32,
}

/// A lookup in flight for an item.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lookup {
    host: Host,
    src_ip: Ipv4Addr,
    eni: EniId,
    name: u32,
    attempt: u8,
    id: u16,
    port: u16,
}

impl Names {
    pub(super) fn new(d: &Design) -> Names {
        let mut names: Vec<Name> = Vec::new();
        let mut of_traffic = Vec::with_capacity(d.traffic.len());
        for (t, tr) in d.traffic.iter().enumerate() {
            let found = crate::model::dns::lookup_name(d, tr.from, &tr.to).and_then(|text| {
                let wire = dns::encode_name(&text)?;
                let eni = crate::model::dns::lookup_eni(d, tr.from)?;
                let vpc = d.enis[eni.idx()].vpc;
                let ttl = tr.dns_ttl.unwrap_or(crate::model::dns::DEFAULT_TTL);
                match names.iter().position(|n| n.wire == wire && n.vpc == vpc) {
                    Some(i) => {
                        names[i].ttl = names[i].ttl.min(ttl);
                        Some(i as u32)
                    }
                    None => {
                        names.push(Name {
                            wire,
                            vpc,
                            ttl,
                            traffic: t as u32,
                        });
                        Some(names.len() as u32 - 1)
                    }
                }
            });
            of_traffic.push(found);
        }
        Names {
            names,
            of_traffic,
            cache: FastMap::default(),
            next_id: 0,
            next_port: 0,
        }
    }

    /// The name traffic `t` looks up, if it looks one up.
    pub(super) fn of(&self, t: u32) -> Option<u32> {
        self.of_traffic.get(t as usize).copied().flatten()
    }

    /// The name a query from VPC `vpc` asks for: one asked for from that
    /// VPC, else one asked for from any.
    fn find(&self, wire: &[u8], vpc: VpcId) -> Option<&Name> {
        let mut any = None;
        for n in &self.names {
            if dns::same_name(&n.wire, wire) {
                if n.vpc == vpc {
                    return Some(n);
                }
                any = any.or(Some(n));
            }
        }
        any
    }

    /// A live answer of the cache: `Some(None)` for a negative one.
    fn cached(&self, eni: EniId, name: u32, now: Nanos) -> Option<Option<Ipv4Addr>> {
        let key = (u64::from(eni.0) << 32) | u64::from(name);
        self.cache
            .get(&key)
            .filter(|(_, until)| now < *until)
            .map(|(ip, _)| *ip)
    }
}

/// Of the addresses of an answer, in the resolver's order, the one a Linux
/// client connects to from `src`, whose interface has a `/prefix`: the
/// first after glibc's `getaddrinfo` sorts them (`rfc3484_sort`, RFC 6724).
/// Between IPv4 unicast addresses only its rule 9 tells two apart, and for
/// IPv4 glibc counts it only for a destination in the source's own subnet
/// (by the interface's mask): such a destination comes before the others,
/// and between two of them, the one whose highest bit that differs from
/// the source is higher comes first. Otherwise rule 10 keeps the
/// resolver's order.
pub fn client_choice(
    addrs: impl IntoIterator<Item = Ipv4Addr>,
    src: Ipv4Addr,
    prefix: u8,
) -> Option<Ipv4Addr> {
    let mask = u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0);
    let src = u32::from(src);
    let bit = |dst: Ipv4Addr| {
        let dst = u32::from(dst);
        if src & mask == dst & mask {
            32 - (src ^ dst).leading_zeros()
        } else {
            0
        }
    };
    let mut best: Option<(Ipv4Addr, u32)> = None;
    for a in addrs {
        let b = bit(a);
        if best.is_none_or(|(_, x)| b > x) {
            best = Some((a, b));
        }
    }
    best.map(|(a, _)| a)
}

/// The prefix length of the subnet of ENI `eni`: the mask of the
/// interface the client sends from.
pub(super) fn eni_prefix(d: &Design, eni: EniId) -> u8 {
    d.subnets[d.enis[eni.idx()].subnet.idx()].cidr.prefix_len()
}

impl Endpoints {
    /// Item `tag` of a traffic that names its destination: connects at
    /// once with an answer in `host`'s cache (DNS-5), else asks the
    /// resolver first. Returns false when the traffic looks nothing up.
    pub(super) fn resolve_first(
        &mut self,
        io: &mut Io<'_>,
        tag: Tag,
        deadline_set: bool,
        host: Host,
        src_ip: Ipv4Addr,
    ) -> bool {
        let Some(name) = self.names.of(tag.traffic) else {
            return false;
        };
        let Some(eni) = sending_eni(io.d, host) else {
            return false;
        };
        match self.names.cached(eni, name, io.now) {
            Some(Some(ip)) => {
                self.connect(io, tag, deadline_set, host, src_ip, ip);
                return true;
            }
            // A negative answer still cached: no query, the item fails.
            Some(None) => {
                self.decide(io, tag, Some(Cause::Nxdomain));
                return true;
            }
            None => {}
        }
        // The item's deadline runs from its start, lookup included.
        let tr = &io.d.traffic[tag.traffic as usize];
        if let (Some(timeout), false) = (tr.timeout, deadline_set) {
            if tr.pattern != Pattern::Udp {
                self.add_deadline(io, tag.traffic, tag.start.saturating_add(timeout), tag);
            }
        }
        let l = Lookup {
            host,
            src_ip,
            eni,
            name,
            attempt: 1,
            id: 0,
            port: 0,
        };
        self.ask(io, tag, l);
        true
    }

    /// Sends the query of attempt `l.attempt` and waits [`RES_TIMEOUT`].
    fn ask(&mut self, io: &mut Io<'_>, tag: Tag, mut l: Lookup) {
        let d = io.d;
        self.names.next_id = self.names.next_id.wrapping_add(QUERY_ID_STEP);
        let span = u32::from(LINUX_PORTS.1 - LINUX_PORTS.0) + 1;
        l.id = self.names.next_id;
        l.port = LINUX_PORTS.0 + (self.names.next_port % span) as u16;
        self.names.next_port = self.names.next_port.wrapping_add(1);
        let msg = dns::query(l.id, &self.names.names[l.name as usize].wire);
        let resolver = link_local::vpc_resolver(&d.vpcs[d.enis[l.eni.idx()].vpc.idx()]);
        let b = packet::build::udp(
            SocketAddrV4::new(l.src_ip, l.port),
            SocketAddrV4::new(resolver, dns::PORT),
            &msg,
            64,
            l.id,
        );
        self.items[tag.item as usize].lookup = Some(l);
        // The query goes to the resolver, not towards the traffic's
        // destination: `via` and `not_via` do not judge it.
        io.send(
            b,
            l.host,
            Tag {
                toward: false,
                ..tag
            },
        );
        io.timer(
            io.now.saturating_add(RES_TIMEOUT),
            Timer::Lookup {
                item: tag.item,
                epoch: tag.epoch,
                attempt: l.attempt,
            },
        );
    }

    /// No answer to attempt `attempt` in time: ask again, or fail.
    pub(super) fn lookup_timer(&mut self, io: &mut Io<'_>, item: u32, epoch: u32, attempt: u8) {
        let Some(tag) = self.live_tag(item, epoch) else {
            return;
        };
        let Some(l) = self.items[item as usize].lookup else {
            return;
        };
        if l.attempt != attempt {
            return;
        }
        if attempt < RES_ATTEMPTS {
            self.ask(
                io,
                tag,
                Lookup {
                    attempt: attempt + 1,
                    ..l
                },
            );
            return;
        }
        let it = &mut self.items[item as usize];
        it.lookup = None;
        let cause = it.unanswered();
        self.decide(io, tag, Some(cause));
    }

    /// A UDP datagram reached the Amazon DNS resolver on ENI `eni`'s host:
    /// a query is answered (true); anything else is left to the host's
    /// usual answer (false).
    pub(super) fn resolver_query(
        &mut self,
        io: &mut Io<'_>,
        h: Host,
        eni: EniId,
        buf: &[u8],
        v: &packet::FlowView,
        tag: Option<Tag>,
    ) -> bool {
        let d = io.d;
        let Some(q) = udp_payload(buf, v).and_then(dns::parse_query) else {
            return false;
        };
        if q.qclass != dns::CLASS_IN {
            return false;
        }
        let vpc = d.enis[eni.idx()].vpc;
        // DNS-2: with DNS support off, the resolver answers nothing.
        if !d.vpcs[vpc.idx()].dns_support {
            return true;
        }
        let (mut ips, ttl) = match self.names.find(q.name, vpc) {
            Some(n) => {
                let to = &d.traffic[n.traffic as usize].to;
                let ips = resolve::lookup_answers(d, eni, to, |x| io.net.eni_alive(x));
                (ips, n.ttl)
            }
            None => (Vec::new(), 0),
        };
        resolve::answer_order(d.seed, eni, q.id, &mut ips);
        let soa = crate::model::dns::NEGATIVE_SOA;
        let answer = match (q.qtype, ips.is_empty()) {
            (_, true) => dns::Answer::NxDomain(soa),
            // The names have A records only (NODATA for another type).
            (dns::TYPE_A, false) => dns::Answer::Records { ips: &ips, ttl },
            (_, false) => dns::Answer::NoData(soa),
        };
        let msg = dns::response(&q, answer);
        let b = packet::build::udp(
            SocketAddrV4::new(v.dst, v.dst_port),
            SocketAddrV4::new(v.src, v.src_port),
            &msg,
            64,
            q.id,
        );
        io.send(b, h, tag.map(|t| Tag { toward: false, ..t }));
        true
    }

    /// A UDP datagram from port 53 reached host `h`: the answer to its
    /// item's lookup is cached and the item connects, or fails with
    /// `nxdomain` (true); anything else is left to the host (false).
    pub(super) fn lookup_answered(
        &mut self,
        io: &mut Io<'_>,
        h: Host,
        buf: &[u8],
        v: &packet::FlowView,
        tag: Option<Tag>,
    ) -> bool {
        let Some(tag) = tag else {
            return false;
        };
        let Some(it) = self.items.get(tag.item as usize) else {
            return false;
        };
        if it.epoch != tag.epoch {
            return false;
        }
        let Some(l) = it.lookup else {
            return false;
        };
        if l.host != h || v.dst_port != l.port {
            return false;
        }
        let Some(r) = udp_payload(buf, v).and_then(dns::parse_response) else {
            return false;
        };
        if r.id != l.id {
            // An answer to an earlier attempt: the stub has moved on.
            return true;
        }
        let live = it.live;
        // Answered: a query dropped on the way is not what decides the
        // connection that follows.
        let it = &mut self.items[tag.item as usize];
        it.lookup = None;
        it.last_drop = None;
        let key = (u64::from(l.eni.0) << 32) | u64::from(l.name);
        let chosen = match (r.rcode, r.ttl) {
            (dns::RCODE_NOERROR, Some(ttl)) => {
                client_choice(r.addresses(), l.src_ip, eni_prefix(io.d, l.eni)).map(|ip| (ip, ttl))
            }
            _ => None,
        };
        match chosen {
            Some((ip, ttl)) => {
                let until = io.now.saturating_add(Nanos::from_secs(u64::from(ttl)));
                self.names.cache.insert(key, (Some(ip), until));
                if live {
                    let tag = Tag {
                        toward: true,
                        ..tag
                    };
                    self.connect(io, tag, true, l.host, l.src_ip, ip);
                }
            }
            None => {
                // RFC 2308: a negative answer is cached for its SOA's
                // negative TTL; one without an SOA is not cached.
                if let Some(t) = r.negative_ttl {
                    let until = io.now.saturating_add(Nanos::from_secs(u64::from(t)));
                    self.names.cache.insert(key, (None, until));
                }
                if live {
                    let tag = Tag {
                        toward: true,
                        ..tag
                    };
                    self.decide(io, tag, Some(Cause::Nxdomain));
                }
            }
        }
        true
    }
}

/// The UDP payload of a whole (unfragmented) datagram.
fn udp_payload<'a>(buf: &'a [u8], v: &packet::FlowView) -> Option<&'a [u8]> {
    if v.proto != PROTO_UDP || v.fragment != packet::Fragment::None {
        return None;
    }
    let start = usize::from(v.header_len) + 8;
    buf.get(start..usize::from(v.total_len))
}

/// Whether a datagram to `h` is for the Amazon DNS resolver of its host.
pub(super) fn for_resolver(h: Host) -> Option<EniId> {
    match h {
        Host::LinkLocal(LinkLocal::Dns, e) => Some(e),
        _ => None,
    }
}
