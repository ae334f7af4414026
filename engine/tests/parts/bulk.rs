//! A bulk transfer moves its bytes as fast as the path allows; given a
//! `timeout`, a transfer not done by then is reset and fails (`timeout`),
//! and without one it runs until it is done or the run ends (`unfinished`).

use std::sync::Arc;

use vpcsim::model::load_str;
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;

/// Two instances 200 ms apart (one way): slow start from ten segments
/// doubles once per 400 ms round trip, and the largest window (half of
/// `tcp_rmem`'s 6 MiB) moves at most 3 MiB per round trip, 7.5 MiB/s. So
/// in 2 s a transfer moves well under 64 MiB, 8 MiB take a few seconds,
/// and in the 12 s run no transfer moves 256 MiB.
const DESIGN: &str = r#"
[scenario]
name = "bulk transfers with and without a deadline"
duration = "12s"

[latency]
same_az = "200ms"

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
ingress = [ { protocol = "tcp", ports = "9000", cidr = "10.0.0.0/16" } ]

[[instance]]
id = "client"
subnet = "a"
security_groups = ["sg"]

[[instance]]
id = "server"
subnet = "a"
security_groups = ["sg"]
listen = [ { protocol = "tcp", port = 9000 } ]

[[traffic]]
id = "cut-short"
from = "client"
to = "server"
port = 9000
pattern = "bulk"
size = "64MiB"
timeout = "2s"

[[traffic]]
id = "in-time"
from = "client"
to = "server"
port = 9000
pattern = "bulk"
size = "8MiB"
timeout = "11s"

[[traffic]]
id = "no-deadline"
from = "client"
to = "server"
port = 9000
pattern = "bulk"
size = "256MiB"
"#;

#[test]
fn a_bulk_transfer_past_its_timeout_fails_and_one_without_is_unfinished() {
    let loaded = load_str("bulk.toml", DESIGN).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let m = &out.metrics.traffic;
    // Given 2 s for 64 MiB: reset and failed, with no drop to blame.
    assert_eq!((m[0].started, m[0].delivered, m[0].failed), (1, 0, 1));
    assert_eq!(
        m[0].failures.keys().map(|(c, _)| *c).collect::<Vec<_>>(),
        vec![Cause::Timeout]
    );
    // Given 11 s: done.
    assert_eq!((m[1].delivered, m[1].failed), (1, 0));
    assert_eq!(m[1].bytes_delivered, 8 << 20);
    // 256 MiB and no deadline: still moving when the run ends.
    assert_eq!((m[2].delivered, m[2].failed, m[2].unfinished), (0, 0, 1));
}
