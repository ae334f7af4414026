//! Whole runs: a shipped scenario over one and two threads, and the echo
//! workload compared with ns-3 (`bench/peers/ns3/run.sh`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use vpcsim::model::Design;
use vpcsim::sim::metrics::Metrics;
use vpcsim::sim::{RunOptions, Sim, run};
use vpcsim::units::Nanos;

/// The scenario the end-to-end benchmark runs: two peered VPCs of similar
/// load, so that both VPCs' logical processes are busy.
pub const TWO_VPC_LOAD: &str = "scenarios/two-vpc-load.toml";

/// A path from the workspace root.
pub fn workspace_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// Loads a scenario file of the workspace.
pub fn design(rel: &str) -> Design {
    match vpcsim::model::load_file(&workspace_path(rel)) {
        Ok(l) => l.design,
        Err(r) => panic!("{rel} does not load: {r:?}"),
    }
}

/// What one run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunCount {
    pub packet_hops: u64,
    pub events: u64,
    pub packets_sent: u64,
    /// Pings, requests and datagrams delivered.
    pub delivered: u64,
    pub lps: u32,
}

/// Runs `design` to its end over `threads` threads.
pub fn run_count(design: &Arc<Design>, threads: usize) -> RunCount {
    let out = run(
        Arc::clone(design),
        &RunOptions {
            seed: None,
            threads,
            interval: None,
        },
    );
    count(&out.metrics, out.lps)
}

fn count(m: &Metrics, lps: u32) -> RunCount {
    RunCount {
        packet_hops: m.packet_hops,
        events: m.events,
        packets_sent: m.packets_sent,
        delivered: m.traffic.iter().map(|t| t.delivered).sum(),
        lps,
    }
}

/// Runs `design` as one logical process that holds everything: one queue,
/// no windows, no messages between LPs. What the partitioned engine on one
/// thread is measured against (`benches/e2e.rs`); its event order differs
/// slightly (notes between LPs take a lookahead there), so its counts may
/// too.
pub fn run_whole(design: &Arc<Design>) -> RunCount {
    let mut sim = Sim::new(
        Arc::clone(design),
        &RunOptions {
            seed: None,
            threads: 1,
            interval: None,
        },
    );
    sim.run(|_, _| {});
    count(&sim.metrics, 1)
}

/// Runs and times it.
pub fn timed_run(design: &Arc<Design>, threads: usize) -> (RunCount, Duration) {
    let start = Instant::now();
    let c = run_count(design, threads);
    (c, start.elapsed())
}

/// The ns-3 comparison's workload in vpcsim: `n` client instances in one
/// subnet and `n` servers in another (same AZ: 50 us each way), with security groups and
/// network ACLs that admit ICMP between them; each client pings its server
/// 100,000 times a second, evenly spaced, for `duration`.
pub fn echo_scenario(n: usize, duration: Nanos) -> String {
    let mut s = String::new();
    let ms = duration.0 as f64 / 1e6;
    let _ = write!(
        s,
        r#"[scenario]
name = "{n} echo pairs across two subnets"
seed = 1
duration = "{ms}ms"
region = "us-east-1"

[[vpc]]
id = "vpc-echo"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "clients"
vpc = "vpc-echo"
cidr = "10.0.0.0/22"
az = "us-east-1a"
network_acl = "acl-clients"

[[subnet]]
id = "servers"
vpc = "vpc-echo"
cidr = "10.0.4.0/22"
az = "us-east-1a"
network_acl = "acl-servers"

[[security_group]]
id = "sg-client"
vpc = "vpc-echo"
egress = [ {{ protocol = "icmp", cidr = "10.0.4.0/22" }} ]

[[security_group]]
id = "sg-server"
vpc = "vpc-echo"
ingress = [ {{ protocol = "icmp", source_group = "sg-client" }} ]

[[network_acl]]
id = "acl-clients"
vpc = "vpc-echo"
ingress = [ {{ rule = 100, protocol = "icmp", cidr = "10.0.4.0/22", action = "allow" }} ]
egress = [ {{ rule = 100, protocol = "icmp", cidr = "10.0.4.0/22", action = "allow" }} ]

[[network_acl]]
id = "acl-servers"
vpc = "vpc-echo"
ingress = [ {{ rule = 100, protocol = "icmp", cidr = "10.0.0.0/22", action = "allow" }} ]
egress = [ {{ rule = 100, protocol = "icmp", cidr = "10.0.0.0/22", action = "allow" }} ]
"#
    );
    for i in 0..n {
        let (hi, lo) = (i / 200, i % 200 + 10);
        let _ = write!(
            s,
            r#"
[[instance]]
id = "client-{i}"
subnet = "clients"
private_ip = "10.0.{hi}.{lo}"
security_groups = ["sg-client"]

[[instance]]
id = "server-{i}"
subnet = "servers"
private_ip = "10.0.{}.{lo}"
security_groups = ["sg-server"]

[[traffic]]
id = "echo-{i}"
from = "client-{i}"
to = "server-{i}"
pattern = "ping"
rate = "100000/s"
arrivals = "fixed"
timeout = "1s"
"#,
            hi + 4
        );
    }
    s
}

/// Runs the echo workload on one thread: (packets delivered, wall time).
/// Packets delivered are the requests that reached their server (as many as
/// the replies the servers sent) and the replies that reached their client.
pub fn echo_run(n: usize, duration: Nanos) -> (u64, Duration) {
    let text = echo_scenario(n, duration);
    let d = match vpcsim::model::load_str("echo.toml", &text) {
        Ok(l) => Arc::new(l.design),
        Err(r) => panic!("the echo scenario does not load: {r:?}"),
    };
    let start = Instant::now();
    let out = run(
        Arc::clone(&d),
        &RunOptions {
            seed: None,
            threads: 1,
            interval: None,
        },
    );
    let wall = start.elapsed();
    let m = &out.metrics;
    let started: u64 = m.traffic.iter().map(|t| t.started).sum();
    let delivered: u64 = m.traffic.iter().map(|t| t.delivered).sum();
    let replies_sent = m.packets_sent - started;
    (replies_sent + delivered, wall)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_vpc_load_runs_identically_on_one_and_two_threads() {
        let mut d = design(TWO_VPC_LOAD);
        d.duration = Nanos::from_millis(200);
        let d = Arc::new(d);
        let one = run_count(&d, 1);
        let two = run_count(&d, 2);
        assert_eq!(one, two);
        assert_eq!(one.lps, 3);
        assert!(one.packet_hops > 10_000, "{one:?}");
    }

    #[test]
    fn one_lp_does_the_same_work() {
        let mut d = design(TWO_VPC_LOAD);
        d.duration = Nanos::from_millis(200);
        let d = Arc::new(d);
        let whole = run_whole(&d);
        let parts = run_count(&d, 1);
        assert_eq!(whole.lps, 1);
        // The same arrivals; only notes between LPs are timed differently.
        assert_eq!(
            whole.packets_sent, parts.packets_sent,
            "{whole:?} {parts:?}"
        );
        assert_eq!(whole.delivered, parts.delivered, "{whole:?} {parts:?}");
    }

    #[test]
    fn echo_pairs_deliver_every_ping() {
        for n in [1, 3] {
            let (delivered, _) = echo_run(n, Nanos::from_millis(2));
            // 200 pings a pair in 2 ms, 100 us there and back: those of
            // the last 100 us are still on their way.
            let n = n as u64;
            assert!(
                (2 * 190 * n..=2 * 200 * n).contains(&delivered),
                "{n}: {delivered}"
            );
        }
    }
}
