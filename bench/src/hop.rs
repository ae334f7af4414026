//! Whole hops through the data plane: `Network::step` between two subnets,
//! and `Network::walk` from a Lambda function to the internet through a NAT
//! gateway, on designs loaded from scenario text.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use vpcsim::dataplane::{Entry, Host, Loc, Network, NoTrace, Step};
use vpcsim::model::{Component, Design, EniId};
use vpcsim::packet::{self, tcp_flags};
use vpcsim::units::Nanos;

/// One VPC, an app subnet and a database subnet in two AZs, each with its
/// own network ACL, security groups that reference each other.
pub const TWO_SUBNETS: &str = r#"
[scenario]
name = "An app tier calls a database tier in another subnet"
seed = 1
duration = "10s"
region = "us-east-1"

[[vpc]]
id = "vpc-main"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "app-a"
vpc = "vpc-main"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-main"
network_acl = "acl-app"

[[subnet]]
id = "db-b"
vpc = "vpc-main"
cidr = "10.0.2.0/24"
az = "us-east-1b"
route_table = "rt-main"
network_acl = "acl-db"

[[route_table]]
id = "rt-main"
vpc = "vpc-main"
routes = [ { destination = "0.0.0.0/0", target = "igw-main" } ]

[[internet_gateway]]
id = "igw-main"
vpc = "vpc-main"

[[security_group]]
id = "sg-app"
vpc = "vpc-main"
ingress = [
  { protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" },
  { protocol = "tcp", ports = "22", cidr = "10.0.9.0/24" },
]
egress = [
  { protocol = "tcp", ports = "5432", dest_group = "sg-db" },
  { protocol = "tcp", ports = "6379", cidr = "10.0.3.0/24" },
  { protocol = "udp", ports = "53", cidr = "10.0.0.2/32" },
  { protocol = "tcp", ports = "443", cidr = "0.0.0.0/0" },
]

[[security_group]]
id = "sg-db"
vpc = "vpc-main"
ingress = [
  { protocol = "tcp", ports = "22", cidr = "10.0.9.0/24" },
  { protocol = "tcp", ports = "5432", source_group = "sg-app" },
]
egress = [ { protocol = "tcp", ports = "1024-65535", cidr = "10.0.0.0/16" } ]

[[network_acl]]
id = "acl-app"
vpc = "vpc-main"
ingress = [
  { rule = 90, protocol = "all", cidr = "10.0.99.0/24", action = "deny" },
  { rule = 100, protocol = "tcp", ports = "443", cidr = "10.0.0.0/16", action = "allow" },
  { rule = 110, protocol = "tcp", ports = "22", cidr = "10.0.9.0/24", action = "allow" },
  { rule = 200, protocol = "tcp", ports = "1024-65535", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 210, protocol = "udp", ports = "1024-65535", cidr = "10.0.0.0/16", action = "allow" },
]
egress = [
  { rule = 90, protocol = "all", cidr = "10.0.99.0/24", action = "deny" },
  { rule = 100, protocol = "tcp", ports = "443", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 110, protocol = "tcp", ports = "6379", cidr = "10.0.3.0/24", action = "allow" },
  { rule = 120, protocol = "udp", ports = "53", cidr = "10.0.0.2/32", action = "allow" },
  { rule = 130, protocol = "tcp", ports = "5432", cidr = "10.0.2.0/24", action = "allow" },
  { rule = 200, protocol = "tcp", ports = "1024-65535", cidr = "10.0.0.0/16", action = "allow" },
]

[[network_acl]]
id = "acl-db"
vpc = "vpc-main"
ingress = [
  { rule = 90, protocol = "all", cidr = "10.0.99.0/24", action = "deny" },
  { rule = 100, protocol = "tcp", ports = "22", cidr = "10.0.9.0/24", action = "allow" },
  { rule = 110, protocol = "tcp", ports = "5432", cidr = "10.0.1.0/24", action = "allow" },
]
egress = [
  { rule = 100, protocol = "tcp", ports = "1024-65535", cidr = "10.0.0.0/16", action = "allow" },
]

[[instance]]
id = "app-1"
subnet = "app-a"
private_ip = "10.0.1.10"
security_groups = ["sg-app"]

[[instance]]
id = "db-1"
subnet = "db-b"
private_ip = "10.0.2.20"
security_groups = ["sg-db"]
listen = [ { protocol = "tcp", port = 5432 } ]

[[traffic]]
id = "app-to-db"
from = "app-1"
to = "db-1"
port = 5432
rate = "10/s"
"#;

/// The shipped Lambda-through-NAT scenario.
pub const LAMBDA_NAT: &str = include_str!("../../scenarios/lambda-private-nat.toml");

/// Loads scenario text into a data plane.
pub fn network(text: &str) -> Network {
    let loaded = vpcsim::model::load_str("bench.toml", text).expect("the scenario loads");
    Network::new(Arc::new(loaded.design))
}

fn instance_eni(d: &Design, name: &str) -> EniId {
    match d.names.get(name) {
        Some(Component::Instance(i)) => d.instances[i.idx()].eni,
        other => panic!("{name} is not an instance: {other:?}"),
    }
}

/// Bytes of a TCP segment (no payload) from `src` to `dst`.
pub fn segment(src: SocketAddrV4, dst: SocketAddrV4, flags: u8) -> Vec<u8> {
    let spec = packet::build::TcpSpec {
        src,
        dst,
        seq: 1,
        ack: 1,
        flags,
        window: 65535,
    };
    packet::build::tcp(&spec, &[], 64, 0).to_vec()
}

/// The app-to-database design with `flows` connections from the app
/// instance already open (their SYNs went through, so both ENIs track them).
pub struct SubnetHop {
    pub net: Network,
    pub app: EniId,
    pub db: EniId,
    /// One ACK segment per open connection.
    pub packets: Vec<Vec<u8>>,
}

pub fn subnet_hop(flows: u16) -> SubnetHop {
    let mut net = network(TWO_SUBNETS);
    let d = Arc::clone(&net.design);
    let (app, db) = (instance_eni(&d, "app-1"), instance_eni(&d, "db-1"));
    let (app_ip, db_ip) = (d.enis[app.idx()].ip, d.enis[db.idx()].ip);
    let mut packets = Vec::new();
    for k in 0..flows {
        let src = SocketAddrV4::new(app_ip, 32768 + k);
        let dst = SocketAddrV4::new(db_ip, 5432);
        let mut syn = segment(src, dst, tcp_flags::SYN);
        assert_eq!(
            hop(&mut net, &mut syn, app, Nanos::ZERO),
            Some(db),
            "the SYN is delivered"
        );
        packets.push(segment(src, dst, tcp_flags::ACK));
    }
    SubnetHop {
        net,
        app,
        db,
        packets,
    }
}

/// One complete hop: the packet leaves `from` (parse, egress tracking or
/// security groups, route, NACL out) and arrives at the next ENI (parse,
/// NACL in, tracking or security groups). Returns the receiving ENI when it
/// delivered the packet.
#[inline]
pub fn hop(net: &mut Network, buf: &mut [u8], from: EniId, now: Nanos) -> Option<EniId> {
    let Step::Next {
        loc: Loc::EniIn { eni, from: entry },
        ..
    } = net.step(buf, Loc::EniOut(from), now, &mut NoTrace)
    else {
        return None;
    };
    debug_assert!(matches!(entry, Entry::Subnet(_)));
    match net.step(buf, Loc::EniIn { eni, from: entry }, now, &mut NoTrace) {
        Step::Deliver(Host::Instance(_)) => Some(eni),
        _ => None,
    }
}

/// Sends every packet of `s` one hop, each from a fresh copy in `buf`;
/// counts deliveries.
pub fn subnet_hops(s: &mut SubnetHop, buf: &mut [u8], now: Nanos) -> u64 {
    let mut n = 0;
    for p in &s.packets {
        let b = &mut buf[..p.len()];
        b.copy_from_slice(p);
        n += u64::from(hop(&mut s.net, b, s.app, now).is_some());
    }
    n
}

/// SYNs of `flows` new connections from the app instance to the database.
pub fn subnet_new_flows(s: &SubnetHop, flows: u16) -> Vec<Vec<u8>> {
    let d = &s.net.design;
    let (app_ip, db_ip) = (d.enis[s.app.idx()].ip, d.enis[s.db.idx()].ip);
    (0..flows)
        .map(|k| {
            let spec = packet::build::TcpSpec {
                src: SocketAddrV4::new(app_ip, 40000 + k),
                dst: SocketAddrV4::new(db_ip, 5432),
                seq: 1,
                ack: 0,
                flags: tcp_flags::SYN,
                window: 65535,
            };
            packet::build::tcp(&spec, &[], 64, 0).to_vec()
        })
        .collect()
}

/// Sends every SYN of `pkts` one hop at `now`; at a time past the 60 s of
/// an unanswered SYN's tracking, every hop is a new flow on both sides:
/// tracking misses (and removes the stale entry), security groups decide,
/// and tracking starts again.
pub fn subnet_new_flow_hops(
    s: &mut SubnetHop,
    pkts: &[Vec<u8>],
    buf: &mut [u8],
    now: Nanos,
) -> u64 {
    let mut n = 0;
    for p in pkts {
        let b = &mut buf[..p.len()];
        b.copy_from_slice(p);
        n += u64::from(hop(&mut s.net, b, s.app, now).is_some());
    }
    n
}

/// The Lambda function's path to an internet API through a NAT gateway,
/// with `flows` connections already open.
pub struct LambdaPath {
    pub net: Network,
    pub eni: EniId,
    pub packets: Vec<Vec<u8>>,
}

pub const API: Ipv4Addr = Ipv4Addr::new(93, 184, 216, 34);

pub fn lambda_path(flows: u16) -> LambdaPath {
    let mut net = network(LAMBDA_NAT);
    let d = Arc::clone(&net.design);
    let eni = d.lambdas[0].enis[0];
    let ip = d.enis[eni.idx()].ip;
    let mut packets = Vec::new();
    for k in 0..flows {
        let src = SocketAddrV4::new(ip, 1024 + k);
        let dst = SocketAddrV4::new(API, 443);
        let mut syn = segment(src, dst, tcp_flags::SYN);
        let w = net.walk(&mut syn, Loc::HostOut(Host::LambdaEni(eni)), Nanos::ZERO);
        assert!(
            matches!(w.end, Step::Deliver(Host::External(_))),
            "{:?}",
            w.end
        );
        packets.push(segment(src, dst, tcp_flags::ACK));
    }
    LambdaPath { net, eni, packets }
}

/// Walks every packet from the function to the API host; counts arrivals.
pub fn lambda_walks(p: &mut LambdaPath, buf: &mut [u8], now: Nanos) -> u64 {
    let mut n = 0;
    for pkt in &p.packets {
        let b = &mut buf[..pkt.len()];
        b.copy_from_slice(pkt);
        let w = p.net.walk(b, Loc::HostOut(Host::LambdaEni(p.eni)), now);
        n += u64::from(matches!(w.end, Step::Deliver(_)));
    }
    n
}

/// The same path step by step without keeping hops, as the engine's packet
/// loop runs it (it stops at every link delay; here the delays are summed).
/// Returns arrivals and steps taken.
pub fn lambda_steps(p: &mut LambdaPath, buf: &mut [u8], now: Nanos) -> (u64, u64) {
    let (mut n, mut steps) = (0, 0);
    for pkt in &p.packets {
        let b = &mut buf[..pkt.len()];
        b.copy_from_slice(pkt);
        let mut loc = Loc::HostOut(Host::LambdaEni(p.eni));
        loop {
            steps += 1;
            match p.net.step(b, loc, now, &mut NoTrace) {
                Step::Next { loc: next, .. } => loc = next,
                Step::Deliver(_) => {
                    n += 1;
                    break;
                }
                Step::Drop(_) => break,
            }
        }
    }
    (n, steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_hop_delivers_established_and_new_flows() {
        let mut s = subnet_hop(16);
        let mut buf = [0u8; 128];
        assert_eq!(subnet_hops(&mut s, &mut buf, Nanos::from_secs(1)), 16);
        let fresh = subnet_new_flows(&s, 8);
        for t in [2, 70, 140] {
            assert_eq!(
                subnet_new_flow_hops(&mut s, &fresh, &mut buf, Nanos::from_secs(t)),
                8
            );
        }
        // The established flows are still tracked.
        assert_eq!(subnet_hops(&mut s, &mut buf, Nanos::from_secs(150)), 16);
    }

    #[test]
    fn lambda_path_reaches_the_api_through_nat() {
        let mut p = lambda_path(8);
        let mut buf = [0u8; 128];
        assert_eq!(lambda_walks(&mut p, &mut buf, Nanos::from_secs(1)), 8);
        let (n, steps) = lambda_steps(&mut p, &mut buf, Nanos::from_secs(2));
        assert_eq!(n, 8);
        assert_eq!(steps, 8 * 6);
        assert_eq!(p.net.st.nats[0].len(), 8);
    }
}
