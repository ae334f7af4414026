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

/// The work of one web tier in the generated scenarios, each second: calls
/// to its database, pings of its cache, and calls to a web tier elsewhere
/// (another VPC over a peering, or another AZ), as in `two-vpc-load.toml`.
const DB_CALLS: u32 = 8_000;
const PINGS: u32 = 20_000;
const REMOTE_CALLS: u32 = 2_000;

/// The instances and traffic of one web tier: `web`, `db` and `cache` in
/// `subnet` at `base` (`10.x.y` with room for .10 to .30), calling `remote`.
fn tier(s: &mut String, tag: &str, subnet: &str, base: &str, sg: &str, remote: Option<&str>) {
    let _ = write!(
        s,
        r#"
[[instance]]
id = "{tag}-web"
subnet = "{subnet}"
private_ip = "{base}.10"
security_groups = ["{sg}"]
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[instance]]
id = "{tag}-db"
subnet = "{subnet}"
private_ip = "{base}.20"
security_groups = ["{sg}"]
listen = [ {{ protocol = "tcp", port = 5432 }} ]

[[instance]]
id = "{tag}-cache"
subnet = "{subnet}"
private_ip = "{base}.30"
security_groups = ["{sg}"]

[[traffic]]
id = "{tag}-web-to-db"
from = "{tag}-web"
to = "{tag}-db"
port = 5432
rate = "{DB_CALLS}/s"
request = "400B"
response = "4KiB"

[[traffic]]
id = "{tag}-web-ping-cache"
from = "{tag}-web"
to = "{tag}-cache"
pattern = "ping"
rate = "{PINGS}/s"
"#
    );
    if let Some(r) = remote {
        let _ = write!(
            s,
            r#"
[[traffic]]
id = "{tag}-web-to-{r}"
from = "{tag}-web"
to = "{r}-web"
port = 443
rate = "{REMOTE_CALLS}/s"
request = "1KiB"
response = "8KiB"
"#
        );
    }
}

/// A ring of `n` equal VPCs (`n` from 1 to 200), each peered with the
/// next: in each, in one AZ, a web tier calls its database 8,000 times a
/// second, pings its cache 20,000 times, and calls the next VPC's web tier
/// 2,000 times over their peering. Each VPC is one logical process and
/// every LP has the same work: the workload of parallel scaling over VPCs.
pub fn ring_scenario(n: usize, duration: Nanos) -> String {
    let mut s = String::new();
    let ms = duration.0 as f64 / 1e6;
    let _ = write!(
        s,
        r#"[scenario]
name = "A ring of {n} peered VPCs"
seed = 23
duration = "{ms}ms"
region = "us-east-1"
"#
    );
    // Peering i joins VPC i and VPC i + 1 (the last closes the ring; two
    // VPCs have one peering).
    let peerings = match n {
        0 | 1 => 0,
        2 => 1,
        _ => n,
    };
    for i in 0..n {
        let v = i + 1;
        let mut routes = Vec::new();
        for p in 0..peerings {
            let (a, b) = (p, (p + 1) % n);
            let other = if a == i {
                b
            } else if b == i {
                a
            } else {
                continue;
            };
            routes.push(format!(
                "{{ destination = \"10.{}.0.0/16\", target = \"pcx-{p}\" }}",
                other + 1
            ));
        }
        let _ = write!(
            s,
            r#"
[[vpc]]
id = "vpc-{i}"
cidrs = ["10.{v}.0.0/16"]

[[subnet]]
id = "s-{i}"
vpc = "vpc-{i}"
cidr = "10.{v}.1.0/24"
az = "us-east-1a"
route_table = "rt-{i}"

[[route_table]]
id = "rt-{i}"
vpc = "vpc-{i}"
routes = [ {} ]

[[security_group]]
id = "sg-{i}"
vpc = "vpc-{i}"
ingress = [ {{ protocol = "all", ports = "all", cidr = "10.0.0.0/8" }} ]
egress = [ {{ protocol = "all", ports = "all", cidr = "10.0.0.0/8" }} ]
"#,
            routes.join(", ")
        );
        let remote = (n > 1).then(|| format!("v{}", (i + 1) % n));
        tier(
            &mut s,
            &format!("v{i}"),
            &format!("s-{i}"),
            &format!("10.{v}.1"),
            &format!("sg-{i}"),
            remote.as_deref(),
        );
    }
    for p in 0..peerings {
        let _ = write!(
            s,
            r#"
[[vpc_peering]]
id = "pcx-{p}"
requester = "vpc-{p}"
accepter = "vpc-{}"
"#,
            (p + 1) % n
        );
    }
    s
}

/// One VPC over `k` AZs (`k` from 1 to 6, us-east-1a to 1f), each with its
/// own web tier, database and cache in one subnet: mostly AZ-local load
/// (8,000 database calls and 20,000 pings a second in each AZ) and 2,000
/// calls a second from each AZ's web tier to the next AZ's. Each AZ is one
/// logical process with the same work.
pub fn azs_scenario(k: usize, duration: Nanos) -> String {
    let mut s = String::new();
    let ms = duration.0 as f64 / 1e6;
    let _ = write!(
        s,
        r#"[scenario]
name = "One VPC over {k} AZs"
seed = 29
duration = "{ms}ms"
region = "us-east-1"

[[vpc]]
id = "vpc-azs"
cidrs = ["10.0.0.0/16"]

[[security_group]]
id = "sg-azs"
vpc = "vpc-azs"
ingress = [ {{ protocol = "all", ports = "all", cidr = "10.0.0.0/16" }} ]
egress = [ {{ protocol = "all", ports = "all", cidr = "10.0.0.0/16" }} ]
"#
    );
    for z in 0..k {
        let az = (b'a' + z as u8) as char;
        let _ = write!(
            s,
            r#"
[[subnet]]
id = "s-{az}"
vpc = "vpc-azs"
cidr = "10.0.{z}.0/24"
az = "us-east-1{az}"
"#
        );
        let remote = (k > 1).then(|| format!("{}", (b'a' + ((z + 1) % k) as u8) as char));
        tier(
            &mut s,
            &az.to_string(),
            &format!("s-{az}"),
            &format!("10.0.{z}"),
            "sg-azs",
            remote.as_deref(),
        );
    }
    s
}

/// One web server behind an internet gateway, asked for more than its
/// 10 Gbit/s interface can send: `rate` requests a second of 32 KiB from
/// an internet host 1 ms away. Thousands of its connections wait stopped
/// by TCP Small Queues on its one interface at once.
pub fn overloaded_scenario(rate: u32, duration: Nanos) -> String {
    let ms = duration.0 as f64 / 1e6;
    format!(
        r#"[scenario]
name = "An overloaded web server"
seed = 3
duration = "{ms}ms"
region = "us-east-1"

[latency]
internet = "1ms"

[[vpc]]
id = "vpc-web"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw-web"
vpc = "vpc-web"

[[route_table]]
id = "rt-public"
vpc = "vpc-web"
routes = [ {{ destination = "0.0.0.0/0", target = "igw-web" }} ]

[[subnet]]
id = "public-a"
vpc = "vpc-web"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[security_group]]
id = "sg-web"
vpc = "vpc-web"
ingress = [ {{ protocol = "tcp", ports = "443", cidr = "0.0.0.0/0" }} ]
egress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]

[[instance]]
id = "web"
subnet = "public-a"
public_ip = "54.160.3.30"
security_groups = ["sg-web"]
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[external_host]]
id = "shoppers"
ip = "198.51.100.77"

[[traffic]]
id = "pages"
from = "shoppers"
to = "web"
port = 443
rate = "{rate}/s"
response = "32KiB"
"#
    )
}

/// Loads generated scenario text.
pub fn load_generated(name: &str, text: &str) -> Arc<Design> {
    match vpcsim::model::load_str(name, text) {
        Ok(l) => Arc::new(l.design),
        Err(r) => panic!("{name} does not load: {r:?}"),
    }
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
        // Each VPC's two AZs, and the outside.
        assert_eq!(one.lps, 5);
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
    fn ring_vpcs_are_one_lp_each_and_run_identically_on_one_and_two_threads() {
        let d = load_generated("ring.toml", &ring_scenario(4, Nanos::from_millis(50)));
        let one = run_count(&d, 1);
        let two = run_count(&d, 2);
        assert_eq!(one, two);
        // Four VPCs and the outside.
        assert_eq!(one.lps, 5);
        let three = load_generated("ring.toml", &ring_scenario(3, Nanos::from_millis(50)));
        assert_eq!(three.peerings.len(), 3);
        // Every call, ping and call over a peering is answered.
        let out = run(
            Arc::clone(&d),
            &RunOptions {
                seed: None,
                threads: 1,
                interval: None,
            },
        );
        for (i, t) in out.metrics.traffic.iter().enumerate() {
            assert!(t.delivered > 0, "traffic {i}: {t:?}");
            assert_eq!(t.failed, 0, "traffic {i}: {t:?}");
        }
    }

    #[test]
    fn the_overloaded_server_runs_identically_on_one_and_two_threads_an_event_or_so_a_hop() {
        let d = load_generated(
            "overloaded.toml",
            &overloaded_scenario(65_535, Nanos::from_millis(60)),
        );
        let one = run_count(&d, 1);
        let two = run_count(&d, 2);
        assert_eq!(one, two);
        // The server's AZ and the outside.
        assert_eq!(one.lps, 2);
        // Its stopped connections wait their turns, not each a timer.
        assert!(one.events < one.packet_hops * 3 / 2, "{one:?}");
    }

    #[test]
    fn az_tiers_are_one_lp_each_and_run_identically_on_one_and_two_threads() {
        let d = load_generated("azs.toml", &azs_scenario(2, Nanos::from_millis(50)));
        let one = run_count(&d, 1);
        let two = run_count(&d, 2);
        assert_eq!(one, two);
        // Two AZs of one VPC and the outside.
        assert_eq!(one.lps, 3);
        let out = run(
            Arc::clone(&d),
            &RunOptions {
                seed: None,
                threads: 1,
                interval: None,
            },
        );
        for (i, t) in out.metrics.traffic.iter().enumerate() {
            assert!(t.delivered > 0, "traffic {i}: {t:?}");
            assert_eq!(t.failed, 0, "traffic {i}: {t:?}");
        }
        // Mostly AZ-local: 2,000 of 30,000 items a second cross AZs.
        assert_eq!(out.metrics.traffic.len(), 6);
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
