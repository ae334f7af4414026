//! The scale of connections through one NAT gateway: `clients` instances in
//! a private subnet open TCP connections to as many internet servers, one
//! server each, through one NAT gateway, at `rate` new connections per
//! simulated second in all (Poisson arrivals), each one request of 200 bytes
//! and a response of 200 bytes, then closed. Each destination gets
//! `rate / clients` connections a second; with closed mappings holding their
//! port 2 s, that stays under NAT-5's 55,000 per destination for the
//! default 10 clients at 100,000 a second.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use vpcsim::sim::{RunOptions, run};
use vpcsim::units::Nanos;

/// The scenario, as a scenario file's text: connections are opened for
/// `open_for`, the run lasts `duration`.
pub fn scenario(clients: usize, rate: u64, open_for: Nanos, duration: Nanos) -> String {
    let mut s = String::new();
    let ms = duration.0 as f64 / 1e6;
    let _ = write!(
        s,
        r#"[scenario]
name = "{rate} new connections a second through one NAT gateway"
seed = 5
duration = "{ms}ms"
region = "us-east-1"

[[vpc]]
id = "vpc-scale"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public"
vpc = "vpc-scale"
cidr = "10.0.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private"
vpc = "vpc-scale"
cidr = "10.0.16.0/20"
az = "us-east-1a"
route_table = "rt-private"

[[route_table]]
id = "rt-public"
vpc = "vpc-scale"
routes = [ {{ destination = "0.0.0.0/0", target = "igw" }} ]

[[route_table]]
id = "rt-private"
vpc = "vpc-scale"
routes = [ {{ destination = "0.0.0.0/0", target = "nat" }} ]

[[internet_gateway]]
id = "igw"
vpc = "vpc-scale"

[[nat_gateway]]
id = "nat"
subnet = "public"
public_ip = "3.80.0.1"

[[security_group]]
id = "sg-clients"
vpc = "vpc-scale"
egress = [ {{ protocol = "tcp", ports = "443", cidr = "0.0.0.0/0" }} ]
"#
    );
    let per = rate / clients.max(1) as u64;
    let stop = open_for.0 as f64 / 1e6;
    for i in 0..clients {
        let _ = write!(
            s,
            r#"
[[instance]]
id = "client-{i}"
subnet = "private"
security_groups = ["sg-clients"]

[[external_host]]
id = "server-{i}"
ip = "198.51.{}.{}"
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[traffic]]
id = "calls-{i}"
from = "client-{i}"
to = "server-{i}"
port = 443
rate = "{per}/s"
request = "200B"
response = "200B"
stop = "{stop}ms"
"#,
            100 + i / 200,
            1 + i % 200
        );
    }
    s
}

/// What one run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// Connections opened (requests started) and completed.
    pub opened: u64,
    pub completed: u64,
    pub failed: u64,
    pub events: u64,
    pub packet_hops: u64,
}

/// Runs the workload over `threads` threads, opening connections for
/// `open_for` of `duration`: what it did and the wall time.
pub fn run_scale(
    clients: usize,
    rate: u64,
    open_for: Nanos,
    duration: Nanos,
    threads: usize,
) -> (Scale, Duration) {
    let text = scenario(clients, rate, open_for, duration);
    let d = match vpcsim::model::load_str("nat-scale.toml", &text) {
        Ok(l) => Arc::new(l.design),
        Err(r) => panic!("the scale scenario does not load: {r:?}"),
    };
    let start = Instant::now();
    let out = run(
        Arc::clone(&d),
        &RunOptions {
            seed: None,
            threads,
            interval: None,
        },
    );
    let wall = start.elapsed();
    let m = &out.metrics;
    let scale = Scale {
        opened: m.traffic.iter().map(|t| t.started).sum(),
        completed: m.traffic.iter().map(|t| t.delivered).sum(),
        failed: m.traffic.iter().map(|t| t.failed).sum(),
        events: m.events,
        packet_hops: m.packet_hops,
    };
    (scale, wall)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_through_the_nat_gateway_complete() {
        // 10,000 a second for 50 ms: about 500 connections, every one
        // completed by the end, 450 ms later.
        let (open, end) = (Nanos::from_millis(50), Nanos::from_millis(500));
        let (s, _) = run_scale(10, 10_000, open, end, 1);
        assert!((400..=600).contains(&s.opened), "{s:?}");
        assert_eq!(s.failed, 0, "{s:?}");
        assert_eq!(s.completed, s.opened, "{s:?}");
        let (two, _) = run_scale(10, 10_000, open, end, 2);
        assert_eq!(s, two);
    }
}
