//! A client host has its own ephemeral ports (Linux's kernel default,
//! 32768-60999; NACL-7 advises NACLs to admit 32768-61000): when every one of
//! them is in use towards a destination, a new connection fails on the host
//! with `host_port_exhausted`, never `nat_port_exhausted`, which belongs to a
//! NAT gateway (NAT-5).

use std::sync::Arc;

use vpcsim::model::load_str;
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

#[test]
fn nacl_7_a_host_out_of_ephemeral_ports_fails_on_the_host() {
    let loaded = load_str("storm.toml", DESIGN).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let m = &out.metrics.traffic[0];
    // 32768-60999 is 28,232 ports, held for 30 s: the rest cannot start.
    assert_eq!(m.delivered, 28_232, "{:?}", m.failures);
    let exhausted: u64 = m
        .failures
        .iter()
        .filter(|((c, _), _)| *c == Cause::HostPortExhausted)
        .map(|(_, n)| *n)
        .sum();
    assert_eq!(exhausted, m.started - 28_232);
    assert!(
        m.failures
            .keys()
            .all(|(c, _)| *c == Cause::HostPortExhausted),
        "{:?}",
        m.failures
    );
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
