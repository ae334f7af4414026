//! When items start: `fixed` arrivals at `start + k / rate` exactly, so
//! that a rate `r` over `d` seconds starts `r * d` items, the one due at
//! `stop` left out, whether or not the period is a whole number of
//! nanoseconds.

use std::sync::Arc;

use vpcsim::sim::{RunOptions, run};

mod common;

/// UDP datagrams from `app` to `db` at `RATE`, evenly spaced, from
/// `START` to `STOP`.
const DESIGN: &str = r#"
[scenario]
name = "fixed arrivals"
seed = 1
duration = "DURATION"

[[vpc]]
id = "v"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.1.1.0/24"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "all", cidr = "10.1.0.0/16" } ]

[[instance]]
id = "app"
subnet = "a"
security_groups = ["sg"]

[[instance]]
id = "db"
subnet = "a"
security_groups = ["sg"]
listen = [ { protocol = "udp", port = 9000 } ]

[[traffic]]
id = "datagrams"
pattern = "udp"
from = "app"
to = "db"
port = 9000
rate = "RATE"
arrivals = "fixed"
start = "START"
stop = "STOP"
"#;

fn started(rate: &str, start: &str, stop: &str, duration: &str) -> u64 {
    let text = DESIGN
        .replace("DURATION", duration)
        .replace("RATE", rate)
        .replace("START", start)
        .replace("STOP", stop);
    let out = run(Arc::new(common::load(&text)), &RunOptions::default());
    let t = out.metrics.traffic.iter().next().expect("the traffic ran");
    t.started
}

#[test]
fn fixed_arrivals_start_rate_times_duration_items() {
    // A period of 333,333,333.3 ns: not a whole number of nanoseconds.
    assert_eq!(started("3/s", "0s", "1s", "2s"), 3);
    assert_eq!(started("3/s", "0s", "30s", "31s"), 90);
    assert_eq!(started("3/s", "1s", "4s", "5s"), 9);
    assert_eq!(started("11000/s", "0s", "1s", "2s"), 11_000);
    assert_eq!(started("0.3/s", "0s", "10s", "11s"), 3);
    // A whole period, as before.
    assert_eq!(started("10/s", "0s", "10s", "11s"), 100);
}
