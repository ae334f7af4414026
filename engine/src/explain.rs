//! `explain`: one packet and its reply, followed hop by hop at time 0.
//!
//! The question is whether the packet gets there, so the destination is
//! taken to listen on the port asked about. The verdict is `delivered` when
//! the packet and its reply both arrive (a UDP listener does not answer, so
//! for UDP the packet arriving is enough), else `dropped` with the reason and
//! place of the drop.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use serde::Serialize;

use crate::dataplane::{Host, Loc, Network, Step, lambda_outside_ip, resolve};
use crate::model::*;
use crate::packet::{self, FlowView, PROTO_ICMP, PROTO_TCP, PROTO_UDP, tcp_flags};
use crate::units::Nanos;

/// What to explain.
#[derive(Clone, Debug)]
pub struct Query {
    pub from: String,
    pub to: String,
    pub protocol: u8,
    pub port: Option<u16>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HopOut {
    pub component: String,
    pub kind: &'static str,
    pub decision: &'static str,
    pub rule: Option<String>,
    pub src: String,
    pub dst: String,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Leg {
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    pub drop_at: Option<String>,
    /// One-way latency of the links crossed, in microseconds.
    pub latency_us: u64,
    pub hops: Vec<HopOut>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Explanation {
    pub verdict: &'static str,
    pub reason: Option<&'static str>,
    pub drop_at: Option<String>,
    pub from: String,
    pub to: String,
    pub protocol: &'static str,
    pub hops: Vec<HopOut>,
    pub reply: Option<Leg>,
    #[serde(skip)]
    pub forward: Leg,
}

/// Ephemeral source ports used for the probe: Linux's range for hosts
/// (NACL-7), the bottom of Lambda's 1024-65535 (LAM-5) for functions, so that
/// a NACL that forgets Lambda's range shows.
pub const LINUX_PORT: u16 = 40000;
pub const LAMBDA_PORT: u16 = 1024;

pub fn protocol_number(name: &str) -> Result<u8, String> {
    match name.to_ascii_lowercase().as_str() {
        "tcp" => Ok(PROTO_TCP),
        "udp" => Ok(PROTO_UDP),
        "icmp" => Ok(PROTO_ICMP),
        other => Err(format!("--protocol `{other}`: expected tcp, udp or icmp")),
    }
}

fn proto_name(p: u8) -> &'static str {
    match p {
        PROTO_TCP => "tcp",
        PROTO_UDP => "udp",
        _ => "icmp",
    }
}

/// The source of the probe: a workload id, or an address.
fn source(d: &mut Design, from: &str) -> Result<Source, String> {
    if let Some(c) = d.lookup(from) {
        return match c {
            Component::Instance(i) => Ok(Source::Instance(i)),
            Component::Lambda(l) => Ok(Source::Lambda(l)),
            Component::ExternalHost(h) => Ok(Source::External(h)),
            Component::OnpremHost(h) => Ok(Source::Onprem(h)),
            Component::Eni(e) => match d.enis[e.idx()].owner {
                EniOwner::Instance(i) => Ok(Source::Instance(i)),
                _ => Err(format!(
                    "--from `{from}`: this network interface does not send traffic of its own"
                )),
            },
            other => Err(format!(
                "--from `{from}` is {}; expected an instance, a Lambda function, an external or on-premises host, or an address",
                other.described()
            )),
        };
    }
    let ip: Ipv4Addr = from
        .parse()
        .map_err(|_| format!("--from `{from}` is neither an id of the file nor an IPv4 address"))?;
    if let Some((i, _)) = d.enis.iter().enumerate().find(|(_, e)| e.ip == ip) {
        return match d.enis[i].owner {
            EniOwner::Instance(x) => Ok(Source::Instance(x)),
            EniOwner::Lambda => {
                let l = d
                    .lambdas
                    .iter()
                    .position(|l| l.enis.contains(&EniId::from_idx(i)))
                    .unwrap_or(0);
                Ok(Source::Lambda(LambdaId::from_idx(l)))
            }
            _ => Err(format!(
                "--from {ip} is a gateway's or endpoint's address, which sends no traffic of its own"
            )),
        };
    }
    // Public addresses of the design belong to what owns them; an internet
    // host invented at one of them would shadow it, replies included.
    if let Some(e) = d.enis.iter().find(|e| e.public_ip == Some(ip)) {
        return match e.owner {
            EniOwner::Instance(x) => Ok(Source::Instance(x)),
            _ => Err(format!(
                "--from {ip} is the public IP of `{}`, which sends no traffic of its own",
                e.name
            )),
        };
    }
    if let Some(n) = d.nats.iter().find(|n| n.public_ip == Some(ip)) {
        return Err(format!(
            "--from {ip} is the Elastic IP of NAT gateway `{}`, which sends no traffic of its own",
            n.name
        ));
    }
    if let Some(s) = d.aws_services.iter().find(|s| s.ips.contains(&ip)) {
        return Err(format!(
            "--from {ip} is a front door of AWS service `{}`, which sends no traffic of its own",
            s.name
        ));
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
        return Err(format!(
            "--from {ip} is inside a VPC but no workload has this address"
        ));
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
    });
    Ok(Source::External(ExternalHostId::from_idx(
        d.external_hosts.len() - 1,
    )))
}

fn destination(d: &Design, src: Source, to: &str) -> Result<Ipv4Addr, String> {
    let spec = if let Ok(ip) = to.parse::<Ipv4Addr>() {
        DestSpec::Ip(ip)
    } else if let Some(c) = d.lookup(to) {
        DestSpec::Component(c)
    } else {
        DestSpec::Service(to.to_string())
    };
    resolve::destination(d, src, &spec).ok_or_else(|| match spec {
        DestSpec::Service(_) => format!("--to `{to}` is not an id, an address, or a service of this file"),
        DestSpec::Component(Component::Instance(_)) => {
            format!("--to `{to}`: from the internet an instance is reached by its public IP, and it has none")
        }
        _ => format!("--to `{to}` has no address to send to"),
    })
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
                src: addr(&h.view, true),
                dst: addr(&h.view, false),
            }
        })
        .collect();
    let (verdict, reason, drop_at) = match walk.end {
        Step::Drop(d) => (
            "dropped",
            Some(d.reason.name()),
            Some(net.place_name(d.place).0),
        ),
        _ => ("delivered", None, None),
    };
    Leg {
        verdict,
        reason,
        drop_at,
        latency_us: walk.latency.0 / 1000,
        hops,
    }
}

/// Builds the probe, follows it and its reply.
pub fn explain(mut design: Design, q: &Query) -> Result<Explanation, String> {
    let src = source(&mut design, &q.from)?;
    let dst_ip = destination(&design, src, &q.to)?;
    let (host, src_ip, _) = resolve::source_host(&design, src);
    let sport = if matches!(src, Source::Lambda(_)) {
        LAMBDA_PORT
    } else {
        LINUX_PORT
    };
    let dport = match (q.protocol, q.port) {
        (PROTO_TCP | PROTO_UDP, Some(p)) => p,
        (PROTO_TCP | PROTO_UDP, None) => return Err("--port is needed for tcp and udp".into()),
        _ => 0,
    };
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
        _ => packet::build::icmp_echo(
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
        ),
    };
    let mut net = Network::new(Arc::new(design));
    let mut buf = probe.to_vec();
    let fwd = net.walk(&mut buf, Loc::HostOut(host), Nanos::ZERO);
    let forward = leg(&net, &fwd);
    let mut reply = None;
    if let Step::Deliver(at) = fwd.end {
        if let Some(mut back) = answer(&buf, q.protocol) {
            let from = match at {
                Host::LambdaEni(_) | Host::LambdaOutside(_) => None,
                h => Some(h),
            };
            if let Some(h) = from {
                let w = net.walk(&mut back, Loc::HostOut(h), Nanos::ZERO);
                reply = Some(leg(&net, &w));
            }
        }
    }
    let (verdict, reason, drop_at) = match (&forward.verdict, &reply) {
        (&"dropped", _) => ("dropped", forward.reason, forward.drop_at.clone()),
        (_, Some(r)) if r.verdict == "dropped" => ("dropped", r.reason, r.drop_at.clone()),
        _ => ("delivered", None, None),
    };
    Ok(Explanation {
        verdict,
        reason,
        drop_at,
        from: q.from.clone(),
        to: q.to.clone(),
        protocol: proto_name(q.protocol),
        hops: forward.hops.clone(),
        reply,
        forward,
    })
}

/// The destination's answer to the delivered probe: SYN-ACK, echo reply; a
/// UDP listener does not answer.
fn answer(delivered: &[u8], proto: u8) -> Option<Vec<u8>> {
    let v = packet::parse(delivered).ok()?;
    let b = match proto {
        PROTO_TCP => packet::build::tcp(
            &packet::build::TcpSpec {
                src: SocketAddrV4::new(v.dst, v.dst_port),
                dst: SocketAddrV4::new(v.src, v.src_port),
                seq: 1000,
                ack: 2,
                flags: tcp_flags::SYN | tcp_flags::ACK,
                window: 65535,
            },
            &[],
            64,
            2,
        ),
        PROTO_ICMP => packet::build::icmp_echo(
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
    let mut write_leg = |title: &str, l: &Leg| {
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
            "delivered" => {
                let _ = writeln!(out, "  => delivered, one-way latency {} us", l.latency_us);
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  => dropped at {}: {}",
                    l.drop_at.as_deref().unwrap_or("?"),
                    l.reason.unwrap_or("?")
                );
            }
        }
    };
    write_leg("packet:", &e.forward);
    if let Some(r) = &e.reply {
        write_leg("reply:", r);
    } else if e.forward.verdict == "delivered" {
        let _ = writeln!(
            out,
            "\nreply: none expected (a UDP listener or a function does not answer)"
        );
    }
    let _ = write!(out, "\nverdict: {}", e.verdict);
    if let (Some(r), Some(at)) = (e.reason, &e.drop_at) {
        let _ = write!(out, " ({r} at {at})");
    }
    out.push('\n');
    out
}
