//! `explain`: one packet and its reply, followed hop by hop.
//!
//! The design is taken as it is at `--at` (the timeline applied up to that
//! time). The destination answers exactly as it would in `run`
//! ([`crate::dataplane::host::host_answer`]): a listener accepts (TCP answers
//! SYN-ACK, a UDP datagram is received), a closed port refuses (TCP RST, UDP
//! ICMP port unreachable), every host answers ICMP echo; the answer is walked
//! back through the data plane from the destination. The verdict is
//! `delivered` when the packet arrives, the destination accepts, and its
//! reply arrives (a UDP listener does not answer: the datagram arriving is
//! enough); else `dropped`, with the reason and place of the first drop
//! (`port_unreachable` at the destination when nothing listens).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use serde::Serialize;

use crate::dataplane::host::{Answer, host_answer, host_place};
use crate::dataplane::{Host, Loc, Network, Rule, Step, lambda_outside_ip, resolve};
use crate::model::*;
use crate::packet::{self, FlowView, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::units::Nanos;

/// What to explain.
#[derive(Clone, Debug)]
pub struct Query {
    pub from: String,
    pub to: String,
    /// An IP protocol number (6 TCP, 17 UDP, 1 ICMP, or any other).
    pub protocol: u8,
    pub port: Option<u16>,
    /// ICMP type and code of the probe (default: echo request, code 0).
    pub icmp_type: Option<u8>,
    pub icmp_code: Option<u8>,
    /// The virtual time at which the design is taken (the timeline applied
    /// up to it).
    pub at: Nanos,
    /// Where a packet from outside every VPC enters, when the user forces
    /// it: an internet gateway, a VPN gateway or a peering connection.
    pub enter: Option<String>,
}

/// How a packet fared, or a packet and the answer to it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Delivered,
    Dropped,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Delivered => "delivered",
            Verdict::Dropped => "dropped",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HopOut {
    pub component: String,
    pub kind: &'static str,
    pub decision: &'static str,
    pub rule: Option<String>,
    /// The rule or route that decided, typed: `rule` is its words.
    #[serde(skip)]
    pub decided_by: Rule,
    pub src: String,
    pub dst: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Leg {
    pub verdict: Verdict,
    pub reason: Option<&'static str>,
    pub drop_at: Option<String>,
    /// One-way latency of the links crossed, in microseconds.
    pub latency_us: u64,
    pub hops: Vec<HopOut>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Explanation {
    pub verdict: Verdict,
    pub reason: Option<&'static str>,
    pub drop_at: Option<String>,
    pub from: String,
    pub to: String,
    pub protocol: String,
    pub hops: Vec<HopOut>,
    /// How the destination answered the packet, when it arrived.
    pub answer: Option<String>,
    pub reply: Option<Leg>,
    /// The DNS lookup the source makes first, when it names its
    /// destination by a DNS name or a service name (DNS-5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lookup: Option<LookupOut>,
    #[serde(skip)]
    pub forward: Leg,
}

/// A DNS lookup through the VPC's resolver: the query, and the answer
/// coming back (DNS-5).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct LookupOut {
    /// The name asked for.
    pub name: String,
    /// The resolver asked: the VPC's base + 2 (ADDR-4).
    pub resolver: String,
    /// What the resolver answered: its addresses in the answer's order,
    /// `NXDOMAIN`, or nothing (DNS support off, or the query did not reach
    /// it).
    pub answer: Option<String>,
    /// Of several addresses, the one the client connects to (glibc's
    /// RFC 6724 order, `traffic::client_choice`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
    /// The TTL of the answer, in seconds.
    pub ttl: Option<u32>,
    pub query: Leg,
    pub reply: Option<Leg>,
}

/// Ephemeral source ports of the probe: the first port `run`'s endpoints
/// pick, the bottom of Linux's range for hosts (NACL-7) and of Lambda's
/// 1024-65535 (LAM-5) for functions, so that a NACL that forgets Lambda's
/// range shows.
pub const LINUX_PORT: u16 = crate::traffic::LINUX_PORTS.0;
pub const LAMBDA_PORT: u16 = crate::traffic::LAMBDA_PORTS.0;

/// Why a probe cannot be explained: each names the option of `explain` it
/// comes from, as written, and what that option expects.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    #[error("--protocol `{0}`: expected tcp, udp, icmp or an IP protocol number (0-255)")]
    Protocol(String),
    #[error("--from `{0}`: this network interface does not send traffic of its own")]
    FromInterface(String),
    /// `what` is the component in words ("a subnet `app`").
    #[error(
        "--from `{from}` is {what}; expected an instance, a Lambda function, an external or on-premises host, or an address"
    )]
    FromKind { from: String, what: &'static str },
    #[error("--from `{0}` is neither an id of the file nor an IPv4 address")]
    FromUnknown(String),
    #[error("--from {ip} is {owner}, which sends no traffic of its own")]
    FromSilent { ip: Ipv4Addr, owner: SilentOwner },
    #[error("--from {0} is inside a VPC but no workload has this address")]
    FromInsideVpc(Ipv4Addr),
    /// A DNS name of the file's that names no instance (DNS-1..DNS-4).
    #[error("--to {0}")]
    ToName(dns::DnsError),
    /// An instance's DNS name that does not resolve from the source.
    #[error("--to `{to}`: {why}")]
    ToUnresolved { to: String, why: dns::DnsError },
    #[error("--to `{0}` is not an id, an address, or a service of this file")]
    ToUnknown(String),
    /// An IPv6 address, which the design cannot hold: its addresses and
    /// prefixes are IPv4.
    #[error("{option} `{value}`: IPv6 is not supported yet; give an IPv4 address or an id")]
    Ipv6 { option: &'static str, value: String },
    #[error("--to `{0}` has no address to send to")]
    ToNoAddress(String),
    #[error("--port is needed for tcp and udp")]
    PortNeeded,
    /// `protocol` in words (`icmp`, `protocol 47`).
    #[error("--port applies to tcp and udp only; {protocol} has no ports{hint}")]
    PortWithoutPorts {
        protocol: String,
        hint: &'static str,
    },
    #[error("--icmp-type and --icmp-code apply to icmp only")]
    IcmpOnly,
    #[error(
        "--enter {0}: the source is inside a VPC; --enter places a packet from outside every VPC"
    )]
    EnterFromInside(String),
    #[error(
        "--enter {0} is a transit gateway VPC attachment; a packet from a VPC starts at a workload of the VPC (--from), and --enter takes a VPN or peering attachment"
    )]
    EnterVpcAttachment(String),
    #[error("--enter {id}: {dst} is in neither VPC of this peering connection")]
    EnterOutsidePeering { id: String, dst: Ipv4Addr },
    /// `what` is the component in words.
    #[error(
        "--enter {id} is {what}; expected an internet gateway, a VPN gateway, a VPC peering connection, or a transit gateway's VPN or peering attachment"
    )]
    EnterKind { id: String, what: &'static str },
    #[error("--enter {0}: no resource of the file has this id")]
    EnterUnknown(String),
}

/// What owns an address of the design that sends no traffic of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SilentOwner {
    GatewayOrEndpoint,
    /// The public IP of this network interface.
    PublicIp(String),
    /// The Elastic IP of this NAT gateway.
    NatEip(String),
    /// A front door of this AWS service.
    Service(String),
}

impl std::fmt::Display for SilentOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SilentOwner::GatewayOrEndpoint => f.write_str("a gateway's or endpoint's address"),
            SilentOwner::PublicIp(n) => write!(f, "the public IP of `{n}`"),
            SilentOwner::NatEip(n) => write!(f, "the Elastic IP of NAT gateway `{n}`"),
            SilentOwner::Service(n) => write!(f, "a front door of AWS service `{n}`"),
        }
    }
}

/// `tcp`, `udp`, `icmp`, or an IP protocol number (0-255).
pub fn protocol_number(name: &str) -> Result<u8, ExplainError> {
    match name.to_ascii_lowercase().as_str() {
        "tcp" => Ok(PROTO_TCP),
        "udp" => Ok(PROTO_UDP),
        "icmp" => Ok(PROTO_ICMP),
        other => other
            .parse::<u8>()
            .map_err(|_| ExplainError::Protocol(other.to_string())),
    }
}

fn proto_name(p: u8) -> String {
    match p {
        PROTO_TCP => "tcp".to_string(),
        PROTO_UDP => "udp".to_string(),
        PROTO_ICMP => "icmp".to_string(),
        n => format!("protocol {n}"),
    }
}

/// The source of the probe: a workload id, or an address.
fn source(d: &mut Design, from: &str) -> Result<Source, ExplainError> {
    if let Some(c) = d.lookup(from) {
        return match c {
            Component::Instance(i) => Ok(Source::Instance(i)),
            Component::Lambda(l) => Ok(Source::Lambda(l)),
            Component::ExternalHost(h) => Ok(Source::External(h)),
            Component::OnpremHost(h) => Ok(Source::Onprem(h)),
            Component::Eni(e) => match d.enis[e.idx()].owner {
                EniOwner::Instance(i) => Ok(Source::Instance(i)),
                _ => Err(ExplainError::FromInterface(from.to_string())),
            },
            other => Err(ExplainError::FromKind {
                from: from.to_string(),
                what: other.described(),
            }),
        };
    }
    if from.parse::<std::net::Ipv6Addr>().is_ok() {
        return Err(ExplainError::Ipv6 {
            option: "--from",
            value: from.to_string(),
        });
    }
    let ip: Ipv4Addr = from
        .parse()
        .map_err(|_| ExplainError::FromUnknown(from.to_string()))?;
    if let Some((i, _)) = d.enis.iter().enumerate().find(|(_, e)| e.ip == ip) {
        return match d.enis[i].owner {
            EniOwner::Instance(x) => Ok(Source::Instance(x)),
            EniOwner::Lambda(l) => Ok(Source::Lambda(l)),
            _ => Err(ExplainError::FromSilent {
                ip,
                owner: SilentOwner::GatewayOrEndpoint,
            }),
        };
    }
    // Public addresses of the design belong to what owns them; an internet
    // host invented at one of them would shadow it, replies included.
    if let Some(e) = d.enis.iter().find(|e| e.public_ip == Some(ip)) {
        return match e.owner {
            EniOwner::Instance(x) => Ok(Source::Instance(x)),
            _ => Err(ExplainError::FromSilent {
                ip,
                owner: SilentOwner::PublicIp(e.name.clone()),
            }),
        };
    }
    if let Some(n) = d.nats.iter().find(|n| n.public_ip == Some(ip)) {
        return Err(ExplainError::FromSilent {
            ip,
            owner: SilentOwner::NatEip(n.name.clone()),
        });
    }
    if let Some(s) = d.aws_services.iter().find(|s| s.ips.contains(&ip)) {
        return Err(ExplainError::FromSilent {
            ip,
            owner: SilentOwner::Service(s.name.clone()),
        });
    }
    if let Some(l) = (0..d.lambdas.len())
        .map(LambdaId::from_idx)
        .find(|l| d.lambdas[l.idx()].vpc.is_none() && lambda_outside_ip(*l) == ip)
    {
        return Ok(Source::Lambda(l));
    }
    if let Some(i) = d.onprem_hosts.iter().position(|h| h.ip == ip) {
        return Ok(Source::Onprem(OnpremHostId::from_idx(i)));
    }
    if let Some(i) = d.external_hosts.iter().position(|h| h.ip == ip) {
        return Ok(Source::External(ExternalHostId::from_idx(i)));
    }
    if d.vpcs.iter().any(|v| v.contains(ip)) {
        return Err(ExplainError::FromInsideVpc(ip));
    }
    if let Some(n) = d
        .onprem_nets
        .iter()
        .position(|n| n.cidrs.iter().any(|c| c.contains(&ip)))
    {
        d.onprem_hosts.push(OnpremHost {
            name: ip.to_string(),
            network: OnpremNetId::from_idx(n),
            ip,
            listen: vec![],
        });
        return Ok(Source::Onprem(OnpremHostId::from_idx(
            d.onprem_hosts.len() - 1,
        )));
    }
    // Outside every VPC and on-premises network: a host on the internet.
    d.external_hosts.push(ExternalHost {
        name: ip.to_string(),
        ip,
        listen: vec![],
        link: LinkId::BEYOND_EDGE,
    });
    Ok(Source::External(ExternalHostId::from_idx(
        d.external_hosts.len() - 1,
    )))
}

fn destination(d: &Design, src: Source, to: &str) -> Result<(Ipv4Addr, DestSpec), ExplainError> {
    let spec = if let Ok(ip) = to.parse::<Ipv4Addr>() {
        DestSpec::Ip(ip)
    } else if let Some(c) = d.lookup(to) {
        match c {
            Component::Instance(i) => DestSpec::Instance(i, dns::NameForm::Id),
            c => DestSpec::Component(c),
        }
    } else if to.parse::<std::net::Ipv6Addr>().is_ok() {
        return Err(ExplainError::Ipv6 {
            option: "--to",
            value: to.to_string(),
        });
    } else if dns::looks_like_instance_name(to) {
        let (i, form) =
            dns::lookup(d, to, Some(dns::origin(d, src))).map_err(ExplainError::ToName)?;
        DestSpec::Instance(i, form)
    } else {
        DestSpec::Service(to.to_string())
    };
    if let DestSpec::Instance(i, form) = spec {
        return dns::address(d, dns::origin(d, src), i, form)
            .map(|ip| (ip, spec))
            .map_err(|why| ExplainError::ToUnresolved {
                to: to.to_string(),
                why,
            });
    }
    match resolve::destination(d, src, &spec) {
        Some(ip) => Ok((ip, spec)),
        None => Err(match spec {
            DestSpec::Service(_) => ExplainError::ToUnknown(to.to_string()),
            _ => ExplainError::ToNoAddress(to.to_string()),
        }),
    }
}

/// The lookup of `spec`'s name from `src` (DNS-5), walked through the data
/// plane at `now`: the query to the VPC's resolver, its answer, and the
/// address the answer gives.
fn lookup(
    d: &Design,
    net: &mut Network,
    src: Source,
    spec: &DestSpec,
    sport: u16,
    now: Nanos,
) -> Option<(LookupOut, Option<Ipv4Addr>)> {
    use crate::dataplane::link_local::{self, LinkLocal};
    use crate::packet::dns as wire;
    let name = dns::lookup_name(d, src, spec)?;
    let eni = dns::lookup_eni(d, src)?;
    let qname = wire::encode_name(&name)?;
    let e = &d.enis[eni.idx()];
    let resolver = link_local::vpc_resolver(&d.vpcs[e.vpc.idx()]);
    // The id of the first query of a run: a traffic run alone gets the
    // order of records explain shows (DNS-5).
    let id = crate::traffic::QUERY_ID_STEP;
    let msg = wire::query(id, &qname);
    let mut buf = packet::build::udp(
        SocketAddrV4::new(e.ip, sport),
        SocketAddrV4::new(resolver, wire::PORT),
        &msg,
        64,
        1,
    )
    .to_vec();
    let host = resolve::source_host(d, src).0;
    let fwd = net.walk(&mut buf, Loc::HostOut(host), now);
    let query = leg(net, &fwd);
    let mut out = LookupOut {
        name,
        resolver: format!("{resolver}:{}", wire::PORT),
        answer: None,
        chosen: None,
        ttl: None,
        query,
        reply: None,
    };
    let Step::Deliver(at @ Host::LinkLocal(LinkLocal::Dns, _)) = fwd.end else {
        return Some((out, None));
    };
    // DNS-2: with DNS support off, the resolver answers nothing.
    if !d.vpcs[e.vpc.idx()].dns_support {
        return Some((out, None));
    }
    let q = wire::parse_query(&msg)?;
    let mut ips = resolve::lookup_answers(d, eni, spec, |x| net.eni_alive(x));
    resolve::answer_order(d.seed, eni, q.id, &mut ips);
    let prefix = d.subnets[e.subnet.idx()].cidr.prefix_len();
    let addr = crate::traffic::client_choice(ips.iter().copied(), e.ip, prefix);
    let ttl = d
        .traffic
        .iter()
        .filter(|t| dns::lookup_name(d, t.from, &t.to).as_deref() == Some(out.name.as_str()))
        .filter_map(|t| t.dns_ttl)
        .min()
        .unwrap_or(dns::DEFAULT_TTL);
    let answer = match addr {
        Some(_) => wire::Answer::Records { ips: &ips, ttl },
        None => wire::Answer::NxDomain(dns::NEGATIVE_SOA),
    };
    let answer = wire::response(&q, answer);
    let mut back = packet::build::udp(
        SocketAddrV4::new(resolver, wire::PORT),
        SocketAddrV4::new(e.ip, sport),
        &answer,
        64,
        1,
    )
    .to_vec();
    let w = net.walk(&mut back, Loc::HostOut(at), now);
    out.reply = Some(leg(net, &w));
    out.answer = Some(if ips.is_empty() {
        "NXDOMAIN".to_string()
    } else {
        let all: Vec<String> = ips.iter().map(|ip| ip.to_string()).collect();
        all.join(", ")
    });
    out.chosen = addr.filter(|_| ips.len() > 1).map(|ip| ip.to_string());
    out.ttl = addr.map(|_| ttl);
    Some((out, addr))
}

fn addr(v: &FlowView, src: bool) -> String {
    let (ip, port) = if src {
        (v.src, v.src_port)
    } else {
        (v.dst, v.dst_port)
    };
    if v.proto == PROTO_TCP || v.proto == PROTO_UDP {
        format!("{ip}:{port}")
    } else {
        ip.to_string()
    }
}

fn leg(net: &Network, walk: &crate::dataplane::Walk) -> Leg {
    let hops = walk
        .hops
        .iter()
        .map(|h| {
            let (component, kind) = net.place_name(h.place);
            HopOut {
                component,
                kind,
                decision: h.decision.name(),
                rule: net.describe(&h.rule),
                decided_by: h.rule,
                src: addr(&h.view, true),
                dst: addr(&h.view, false),
            }
        })
        .collect();
    let (verdict, reason, drop_at) = match walk.end {
        Step::Drop(d) => (
            Verdict::Dropped,
            Some(d.reason.name()),
            Some(net.place_name(d.place).0),
        ),
        _ => (Verdict::Delivered, None, None),
    };
    Leg {
        verdict,
        reason,
        drop_at,
        latency_us: walk.latency.0 / 1000,
        hops,
    }
}

/// Builds the probe, follows it and the destination's answer.
pub fn explain(mut design: Design, q: &Query) -> Result<Explanation, ExplainError> {
    let src = source(&mut design, &q.from)?;
    let (mut dst_ip, spec) = destination(&design, src, &q.to)?;
    let (host, src_ip, _) = resolve::source_host(&design, src);
    let sport = if matches!(src, Source::Lambda(_)) {
        LAMBDA_PORT
    } else {
        LINUX_PORT
    };
    let ports = q.protocol == PROTO_TCP || q.protocol == PROTO_UDP;
    let dport = match (ports, q.port) {
        (true, Some(p)) => p,
        (true, None) => return Err(ExplainError::PortNeeded),
        (false, Some(_)) => {
            return Err(ExplainError::PortWithoutPorts {
                protocol: proto_name(q.protocol),
                hint: if q.protocol == PROTO_ICMP {
                    " (use --icmp-type and --icmp-code)"
                } else {
                    ""
                },
            });
        }
        (false, None) => 0,
    };
    if q.protocol != PROTO_ICMP && (q.icmp_type.is_some() || q.icmp_code.is_some()) {
        return Err(ExplainError::IcmpOnly);
    }
    let design = Arc::new(design);
    let mut net = Network::new(Arc::clone(&design));
    for e in design.events.iter().filter(|e| e.at <= q.at) {
        net.apply(&e.action);
    }
    let now = q.at;
    // DNS-5: a name is looked up first, and the answer is where the packet
    // goes; without one, the packet is not sent.
    let looked_up = match q.enter {
        None => lookup(&design, &mut net, src, &spec, sport, now),
        Some(_) => None,
    };
    if let Some((l, addr)) = looked_up {
        match addr {
            Some(ip) => dst_ip = ip,
            None => {
                let (reason, at) = match &l.query.verdict {
                    Verdict::Dropped => (l.query.reason, l.query.drop_at.clone()),
                    _ if l.answer.is_some() => {
                        (Some("nxdomain"), Some("Amazon DNS resolver".into()))
                    }
                    _ => (Some("timeout"), Some("Amazon DNS resolver".into())),
                };
                let forward = Leg {
                    verdict: Verdict::Dropped,
                    reason,
                    drop_at: at.clone(),
                    latency_us: 0,
                    hops: Vec::new(),
                };
                return Ok(Explanation {
                    verdict: Verdict::Dropped,
                    reason,
                    drop_at: at,
                    from: q.from.clone(),
                    to: q.to.clone(),
                    protocol: proto_name(q.protocol),
                    hops: Vec::new(),
                    answer: None,
                    reply: None,
                    lookup: Some(l),
                    forward,
                });
            }
        }
        return finish(
            design,
            net,
            q,
            src,
            host,
            src_ip,
            sport,
            dst_ip,
            dport,
            Some(l),
        );
    }
    finish(
        design, net, q, src, host, src_ip, sport, dst_ip, dport, None,
    )
}

/// The probe to `dst_ip`, followed with the destination's answer.
#[allow(clippy::too_many_arguments)]
fn finish(
    design: Arc<Design>,
    mut net: Network,
    q: &Query,
    src: Source,
    host: Host,
    src_ip: Ipv4Addr,
    sport: u16,
    dst_ip: Ipv4Addr,
    dport: u16,
    lookup: Option<LookupOut>,
) -> Result<Explanation, ExplainError> {
    let payload = [0u8; 32];
    let probe = match q.protocol {
        PROTO_TCP => packet::build::tcp(
            &packet::build::TcpSpec {
                src: SocketAddrV4::new(src_ip, sport),
                dst: SocketAddrV4::new(dst_ip, dport),
                seq: 1,
                ack: 0,
                flags: tcp_flags::SYN,
                window: 65535,
            },
            &[],
            64,
            1,
        ),
        PROTO_UDP => packet::build::udp(
            SocketAddrV4::new(src_ip, sport),
            SocketAddrV4::new(dst_ip, dport),
            &payload,
            64,
            1,
        ),
        PROTO_ICMP => {
            let mut b = packet::build::icmp_echo(
                &packet::build::EchoSpec {
                    src: src_ip,
                    dst: dst_ip,
                    reply: false,
                    ident: sport,
                    seq: 1,
                },
                &payload,
                64,
                1,
            )
            .to_vec();
            if q.icmp_type.is_some() || q.icmp_code.is_some() {
                set_icmp_type(
                    &mut b,
                    q.icmp_type.unwrap_or(packet::ICMP_ECHO_REQUEST),
                    q.icmp_code.unwrap_or(0),
                );
            }
            b.into()
        }
        other => packet::build::raw_ip(src_ip, dst_ip, other, &payload, 64, 1),
    };
    let now = q.at;
    let start = match &q.enter {
        None => Loc::HostOut(host),
        Some(id) => entry(&design, src, dst_ip, id)?,
    };
    let mut buf = probe.to_vec();
    let fwd = net.walk(&mut buf, start, now);
    let forward = leg(&net, &fwd);
    let mut reply = None;
    let mut refused = None;
    let mut said = None;
    if let Step::Deliver(at) = fwd.end {
        if let Ok(v) = packet::parse(&buf) {
            let answer = host_answer(&design, at, &v);
            let who = match at {
                Host::LinkLocal(s, _) => format!(
                    "the {} on {}'s host",
                    s.name(),
                    net.place_name(host_place(&design, at)).0
                ),
                _ => net.place_name(host_place(&design, at)).0,
            };
            said = Some(answer_words(&who, &v, answer));
            if answer == Answer::Refuse {
                refused = Some(who);
            }
            if let Some(mut back) = answer_packet(&buf, answer) {
                let w = net.walk(&mut back, Loc::HostOut(at), now);
                reply = Some(leg(&net, &w));
            }
        }
    }
    let (verdict, reason, drop_at) = match (forward.verdict, &refused, &reply) {
        (Verdict::Dropped, _, _) => (Verdict::Dropped, forward.reason, forward.drop_at.clone()),
        (_, Some(place), _) => (
            Verdict::Dropped,
            Some(DropReason::PortUnreachable.name()),
            Some(place.clone()),
        ),
        (_, None, Some(r)) if r.verdict == Verdict::Dropped => {
            (Verdict::Dropped, r.reason, r.drop_at.clone())
        }
        _ => (Verdict::Delivered, None, None),
    };
    Ok(Explanation {
        verdict,
        reason,
        drop_at,
        from: q.from.clone(),
        to: q.to.clone(),
        protocol: proto_name(q.protocol),
        hops: forward.hops.clone(),
        answer: said,
        reply,
        lookup,
        forward,
    })
}

/// How a destination answered, in words.
fn answer_words(who: &str, v: &FlowView, answer: Answer) -> String {
    let what = match v.proto {
        PROTO_TCP => format!("tcp {}", v.dst_port),
        PROTO_UDP => format!("udp {}", v.dst_port),
        p => proto_name(p),
    };
    match (answer, v.proto) {
        (Answer::Accept, PROTO_TCP) => format!("{who} accepts the connection on {what} (SYN-ACK)"),
        (Answer::Accept, _) => {
            format!("{who} receives the datagram on {what}; a UDP listener does not answer")
        }
        (Answer::Refuse, PROTO_TCP) => {
            format!("nothing listens on {what} at {who}: it answers RST")
        }
        (Answer::Refuse, _) => {
            format!("nothing listens on {what} at {who}: it answers ICMP port unreachable")
        }
        (Answer::EchoReply, _) => format!("{who} answers the echo request"),
        (Answer::Silent, _) => format!("{who} does not answer {what}"),
    }
}

/// Where `--enter ID` makes an outside packet start: inbound at an internet
/// gateway or a VPN gateway, crossing a peering connection into the
/// destination's VPC, or into a transit gateway by its VPN attachment (from
/// on-premises, TGW-9) or its peering attachment (from beyond the peer
/// transit gateway, TGW-10).
fn entry(d: &Design, src: Source, dst: std::net::Ipv4Addr, id: &str) -> Result<Loc, ExplainError> {
    if matches!(src, Source::Instance(_))
        || matches!(src, Source::Lambda(l) if d.lambdas[l.idx()].vpc.is_some())
    {
        return Err(ExplainError::EnterFromInside(id.to_string()));
    }
    match d.lookup(id) {
        Some(Component::Igw(igw)) => Ok(Loc::Igw {
            igw,
            outbound: false,
        }),
        Some(Component::Vgw(vgw)) => Ok(Loc::Vgw {
            vgw,
            to_onprem: false,
        }),
        Some(Component::TgwAttachment(a))
            if matches!(
                d.tgw_attachments[a.idx()].kind,
                TgwAttachmentKind::Vpn { .. }
            ) =>
        {
            Ok(Loc::VpnAttachment {
                attachment: a,
                to_onprem: false,
            })
        }
        // From beyond the peer transit gateway: the packet enters this
        // attachment's transit gateway and its associated table routes it
        // (TGW-10).
        Some(Component::TgwAttachment(a))
            if matches!(
                d.tgw_attachments[a.idx()].kind,
                TgwAttachmentKind::Peering { .. }
            ) =>
        {
            Ok(Loc::TgwPeering { attachment: a })
        }
        Some(Component::TgwAttachment(_)) => Err(ExplainError::EnterVpcAttachment(id.to_string())),
        Some(Component::Peering(p)) => {
            let pc = &d.peerings[p.idx()];
            let into = [pc.requester, pc.accepter]
                .into_iter()
                .find(|v| d.vpcs[v.idx()].contains(dst))
                .ok_or_else(|| ExplainError::EnterOutsidePeering {
                    id: id.to_string(),
                    dst,
                })?;
            Ok(Loc::Peering { peering: p, into })
        }
        Some(c) => Err(ExplainError::EnterKind {
            id: id.to_string(),
            what: c.described(),
        }),
        None => Err(ExplainError::EnterUnknown(id.to_string())),
    }
}

/// Rewrites an ICMP message's type and code, with its checksum.
fn set_icmp_type(b: &mut [u8], t: u8, code: u8) {
    let ihl = usize::from(b[0] & 0x0f) * 4;
    b[ihl] = t;
    b[ihl + 1] = code;
    b[ihl + 2] = 0;
    b[ihl + 3] = 0;
    let c = packet::checksum::compute(&b[ihl..]);
    b[ihl + 2..ihl + 4].copy_from_slice(&c.to_be_bytes());
}

/// The packet the destination sends back for its answer to the delivered
/// probe: SYN-ACK or RST for TCP, ICMP port unreachable for a closed UDP
/// port, an echo reply; none from a UDP listener or for a silent answer.
fn answer_packet(delivered: &[u8], answer: Answer) -> Option<Vec<u8>> {
    let v = packet::parse(delivered).ok()?;
    let tcp = |flags: u8, seq: u32| {
        packet::build::tcp(
            &packet::build::TcpSpec {
                src: SocketAddrV4::new(v.dst, v.dst_port),
                dst: SocketAddrV4::new(v.src, v.src_port),
                seq,
                ack: 2,
                flags,
                window: if flags & tcp_flags::RST != 0 {
                    0
                } else {
                    65535
                },
            },
            &[],
            64,
            2,
        )
    };
    let b = match (answer, v.proto) {
        (Answer::Accept, PROTO_TCP) => tcp(tcp_flags::SYN | tcp_flags::ACK, 1000),
        (Answer::Refuse, PROTO_TCP) => tcp(tcp_flags::RST | tcp_flags::ACK, 0),
        (Answer::Refuse, PROTO_UDP) => {
            packet::build::icmp_error(v.dst, delivered, packet::ICMP_DEST_UNREACHABLE, 3, 64)
        }
        (Answer::EchoReply, _) => packet::build::icmp_echo(
            &packet::build::EchoSpec {
                src: v.dst,
                dst: v.src,
                reply: true,
                ident: v.dst_port,
                seq: 1,
            },
            &[0u8; 32],
            64,
            2,
        ),
        _ => return None,
    };
    Some(b.to_vec())
}

/// The trace as a network engineer reads it.
pub fn render(e: &Explanation) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{} -> {} ({})", e.from, e.to, e.protocol);
    let write_leg = |out: &mut String, title: &str, l: &Leg| {
        let _ = writeln!(out, "\n{title}");
        let w = l
            .hops
            .iter()
            .map(|h| h.component.len())
            .max()
            .unwrap_or(0)
            .max(9);
        for (i, h) in l.hops.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {:>2}  {:<w$}  {:<16}  {:<7}  {} -> {}",
                i + 1,
                h.component,
                h.kind,
                h.decision,
                h.src,
                h.dst,
            );
            if let Some(r) = &h.rule {
                let _ = writeln!(out, "      {:<w$}  {r}", "");
            }
        }
        match l.verdict {
            Verdict::Delivered => {
                let _ = writeln!(out, "  => delivered, one-way latency {} us", l.latency_us);
            }
            Verdict::Dropped => {
                let _ = writeln!(
                    out,
                    "  => dropped at {}: {}",
                    l.drop_at.as_deref().unwrap_or("?"),
                    l.reason.unwrap_or("?")
                );
            }
        }
    };
    if let Some(l) = &e.lookup {
        let _ = writeln!(
            out,
            "\nlookup: {} (A) from the resolver at {}",
            l.name, l.resolver
        );
        write_leg(&mut out, "query:", &l.query);
        match (&l.answer, l.ttl) {
            (Some(a), Some(ttl)) => {
                let _ = writeln!(out, "\nresolver answers: {a}, TTL {ttl} s");
                if let Some(c) = &l.chosen {
                    let _ = writeln!(
                        out,
                        "the client connects to {c}, the first after glibc's RFC 6724 sort (DNS-5)"
                    );
                }
            }
            (Some(a), None) => {
                let _ = writeln!(out, "\nresolver answers: {a}");
            }
            (None, _) if l.query.verdict == Verdict::Delivered => {
                let _ = writeln!(out, "\nresolver answers: nothing (DNS support is off)");
            }
            (None, _) => {}
        }
        if let Some(r) = &l.reply {
            write_leg(&mut out, "answer:", r);
        }
    }
    write_leg(&mut out, "packet:", &e.forward);
    if let Some(a) = &e.answer {
        let _ = writeln!(out, "\nanswer: {a}");
    }
    if let Some(r) = &e.reply {
        write_leg(&mut out, "reply:", r);
    }
    let _ = write!(out, "\nverdict: {}", e.verdict);
    if let (Some(r), Some(at)) = (e.reason, &e.drop_at) {
        let _ = write!(out, " ({r} at {at})");
    }
    out.push('\n');
    out
}
