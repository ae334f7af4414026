//! A client host has its own ephemeral ports (Linux's kernel default,
//! 32768-60999; NACL-7 advises NACLs to admit 32768-61000): when every one of
//! them is in use towards a destination, a new connection fails on the host
//! with `host_port_exhausted`, never `nat_port_exhausted`, which belongs to a
//! NAT gateway (NAT-5).

use std::sync::Arc;

use vpcsim::model::load_str;
use vpcsim::sim::metrics::TrafficMetrics;
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;

const DESIGN: &str = r#"
[scenario]
name = "one client, more connections than it has ports"
duration = "5s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "8080", cidr = "10.0.0.0/16" } ]

[[instance]]
id = "client"
subnet = "a"
security_groups = ["sg"]

[[instance]]
id = "server"
subnet = "a"
security_groups = ["sg"]
listen = [ { protocol = "tcp", port = 8080 } ]

[[traffic]]
id = "storm"
from = "client"
to = "server"
port = 8080
rate = "10000/s"
arrivals = "fixed"
hold = "30s"
stop = "4s"
"#;

/// The one traffic's counts after a run of `text`.
fn storm(text: &str) -> TrafficMetrics {
    let loaded = load_str("storm.toml", text).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    out.metrics.traffic[0].clone()
}

/// Items that failed for want of a port on the host.
fn refused_for_ports(m: &TrafficMetrics) -> u64 {
    m.failures
        .iter()
        .filter(|((c, _), _)| *c == Cause::HostPortExhausted)
        .map(|(_, n)| *n)
        .sum()
}

#[test]
fn nacl_7_a_host_out_of_ephemeral_ports_fails_on_the_host() {
    let m = storm(DESIGN);
    // 32768-60999 is 28,232 ports, held for 30 s: the rest cannot start.
    assert_eq!(m.delivered, 28_232, "{:?}", m.failures);
    assert_eq!(refused_for_ports(&m), m.started - 28_232);
    assert!(
        m.failures
            .keys()
            .all(|(c, _)| *c == Cause::HostPortExhausted),
        "{:?}",
        m.failures
    );
}

/// A port comes back when its connection closes: connections held 1 s at
/// 40,000 a second take every port by 0.71 s and are refused until the
/// first ones close, a little after 1 s; then one starts for each that
/// closes, until 1.71 s, when the ports taken last are held again until
/// 2 s: refused for twice 0.29 s, about 23,500 of 80,000. (A host out of
/// ports is refused without trying each port; that shows only in the
/// run's speed. A count of ports in use that did not come down again would
/// refuse every connection after 0.71 s: 51,768.)
#[test]
fn nacl_7_a_host_gets_its_ports_back_as_connections_close() {
    let text = DESIGN
        .replace("rate = \"10000/s\"", "rate = \"40000/s\"")
        .replace("hold = \"30s\"", "hold = \"1s\"")
        .replace("stop = \"4s\"", "stop = \"2s\"");
    let m = storm(&text);
    let exhausted = refused_for_ports(&m);
    assert_eq!(m.started, 80_000);
    assert!(
        (22_500..24_500).contains(&exhausted),
        "{exhausted} refused; {:?}",
        m.failures
    );
    // Every other connection starts: far more than the 28,232 ports.
    assert_eq!(m.delivered + m.unfinished, m.started - exhausted);
    assert!(m.delivered > 50_000, "{} delivered", m.delivered);
}

/// Arrivals faster than one a nanosecond come one a nanosecond: virtual
/// time goes on, and 10 us of them are 10,000.
#[test]
fn a_rate_faster_than_virtual_time_resolves_starts_one_a_nanosecond() {
    let text = DESIGN
        .replace("duration = \"5s\"", "duration = \"10us\"")
        .replace("rate = \"10000/s\"", "rate = \"50000000000/s\"")
        .replace("stop = \"4s\"\n", "");
    let loaded = load_str("flood.toml", &text).expect("the design loads");
    assert!(
        loaded
            .report
            .lines()
            .any(|l| l.contains("more than one a nanosecond")),
        "{}",
        loaded.report
    );
    // On another thread, so that a run that never ends fails the test
    // rather than holding it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
        let _ = tx.send(out.metrics.traffic[0].started);
    });
    let started = rx
        .recv_timeout(std::time::Duration::from_secs(300))
        .expect("10 us of virtual time end");
    assert_eq!(started, 10_000);
}

// Bulk transfers and their deadline, in this binary to save a link.
#[path = "parts/bulk.rs"]
mod bulk;

// Links with jitter and loss, in this binary to save a link.
#[path = "parts/links.rs"]
mod links;

// Lambda execution environments, in this binary to save a link.
#[path = "parts/lambda.rs"]
mod lambda;
