//! A bulk transfer moves its bytes as fast as the path allows; given a
//! `timeout`, a transfer not done by then is reset and fails (`timeout`),
//! and without one it runs until it is done or the run ends (`unfinished`).

use std::sync::Arc;

use vpcsim::model::load_str;
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;

/// Two instances 20 ms apart (one way): a 64 KiB window moves about
/// 1.6 MB per second, so 8 MiB take about 5 s.
const DESIGN: &str = r#"
[scenario]
name = "bulk transfers with and without a deadline"
duration = "12s"

[latency]
same_az = "20ms"

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
size = "8MiB"
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
size = "64MiB"
"#;

#[test]
fn a_bulk_transfer_past_its_timeout_fails_and_one_without_is_unfinished() {
    let loaded = load_str("bulk.toml", DESIGN).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let m = &out.metrics.traffic;
    // Given 2 s for 8 MiB: reset and failed, with no drop to blame.
    assert_eq!((m[0].started, m[0].delivered, m[0].failed), (1, 0, 1));
    assert_eq!(
        m[0].failures.keys().map(|(c, _)| *c).collect::<Vec<_>>(),
        vec![Cause::Timeout]
    );
    // Given 11 s: done.
    assert_eq!((m[1].delivered, m[1].failed), (1, 0));
    assert_eq!(m[1].bytes_delivered, 8 << 20);
    // 64 MiB and no deadline: still moving when the run ends.
    assert_eq!((m[2].delivered, m[2].failed, m[2].unfinished), (0, 0, 1));
}
