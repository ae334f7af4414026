//! Items fail at their traffic's `timeout` (the scenario format's
//! `traffic` table) whatever ended before them: a traffic keeps only the
//! deadlines of its undecided items, and those still come on time.

use std::sync::Arc;

use vpcsim::model::DropReason;
use vpcsim::sim::{RunOptions, run};
use vpcsim::traffic::Cause;

mod common;

/// Requests every 10 ms for 3 s, each with 1 s to complete; at 1.505 s
/// the database's group loses its only ingress rule.
const SCENARIO: &str = r#"
[scenario]
name = "requests cut off mid-run"
seed = 5
duration = "3s"

[[vpc]]
id = "v"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.1.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg-app"
vpc = "v"
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[security_group]]
id = "sg-db"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "5432", source_group = "sg-app" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "app"
subnet = "a"
security_groups = ["sg-app"]

[[instance]]
id = "db"
subnet = "a"
security_groups = ["sg-db"]
listen = [ { protocol = "tcp", port = 5432 } ]

[[traffic]]
id = "queries"
from = "app"
to = "db"
port = 5432
rate = "100/s"
request = "200B"
response = "2KiB"
arrivals = "fixed"
timeout = "1s"

[[event]]
at = "1505ms"
set = { resource = "sg-db", ingress = [] }
"#;

#[test]
fn items_after_many_ended_ones_still_fail_at_their_deadline_sg_5() {
    let d = Arc::new(common::load(SCENARIO));
    for threads in [1, 2] {
        let out = run(
            Arc::clone(&d),
            &RunOptions {
                seed: None,
                threads,
                interval: None,
            },
        );
        let t = out.metrics.traffic.iter().next().expect("the traffic ran");
        // One request every 10 ms from 0: 300 in 3 s. Those started by
        // 1.50 s completed before the rule went (a few hundred
        // microseconds each); those started from 1.51 s on lose their SYN
        // to the group (SG-5: a new flow is judged by the rules as they
        // are) and fail at start + 1 s, those up to 2.00 s within the run;
        // the rest are unfinished at its end.
        assert_eq!(t.started, 300, "{threads} threads");
        assert_eq!(t.delivered, 151, "{threads} threads");
        assert_eq!(t.failed, 50, "{threads} threads");
        assert_eq!(t.unfinished, 99, "{threads} threads");
        let by_cause: u64 = t
            .failures
            .iter()
            .filter(|((c, _), _)| *c == Cause::Drop(DropReason::SgIngressDenied))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(by_cause, 50, "{:?}", t.failures);
    }
}
