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

/// A download through a NAT gateway that overflows its queue at first and
/// recovers, then is cut at 1 s when an S3 gateway endpoint's route takes
/// the service's addresses (GWE-3: S3 resets a connection it sees from a
/// new path).
const CUT: &str = r#"
[scenario]
name = "a download cut by a new endpoint route"
seed = 32
duration = "8s"

[latency]
aws_service = "20ms"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[subnet]]
id = "pub"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "rt-pub"

[[subnet]]
id = "priv"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt-priv"

[[route_table]]
id = "rt-pub"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[route_table]]
id = "rt-priv"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "nat" } ]

[[nat_gateway]]
id = "nat"
subnet = "pub"
public_ip = "3.3.3.3"

[[vpc_endpoint]]
id = "vpce-s3"
type = "gateway"
vpc = "v"
service = "s3"
route_tables = []

[[instance]]
id = "app"
subnet = "priv"

[[traffic]]
id = "big"
from = "app"
to = "52.216.8.10"
port = 443
request = "200B"
response = "60MB"
rate = "0.5/s"
arrivals = "fixed"
stop = "1s"
timeout = "7s"

[[event]]
at = "1s"
set = { resource = "vpce-s3", route_tables = ["rt-priv"] }
"#;

#[test]
fn gwe_3_a_cut_connection_fails_as_reset_not_as_a_drop_it_recovered_from() {
    let d = Arc::new(common::load(CUT));
    let out = run(d, &RunOptions::default());
    let t = out.metrics.traffic.iter().next().expect("the traffic ran");
    // The NAT gateway's queue overflowed while the download ran, and the
    // download went on after (its lost segments sent again).
    let overflowed: u64 = t
        .drops
        .iter()
        .filter(|((r, _), _)| *r == DropReason::QueueOverflow)
        .map(|(_, n)| n)
        .sum();
    assert!(overflowed > 0, "{:?}", t.drops);
    assert_eq!((t.started, t.failed), (1, 1), "{:?}", t.failures);
    let causes: Vec<Cause> = t.failures.keys().map(|(c, _)| *c).collect();
    assert_eq!(causes, [Cause::Reset], "{:?}", t.failures);
}

/// [`CUT`] as an upload, cut at 0.3 s: the NAT gateway's queue drops
/// segments of it up to the moment the endpoint's route takes the
/// service's addresses, so
/// that a segment is still lost, not yet sent again, when S3 resets the
/// connection it sees from the new path (GWE-3). The reset, not the
/// overflow, ended it.
#[test]
fn gwe_3_an_upload_cut_while_recovering_from_a_drop_fails_as_reset() {
    let traffic = CUT.find("[[traffic]]").expect("the traffic");
    let event = CUT.find("[[event]]").expect("the event");
    let text = format!(
        "{}{}{}",
        &CUT[..traffic],
        r#"[[traffic]]
id = "upload"
from = "app"
to = "52.216.8.10"
port = 443
pattern = "bulk"
size = "2GB"

"#,
        &CUT[event..]
    )
    .replace("seed = 32", "seed = 11")
    .replace("duration = \"8s\"", "duration = \"0.4s\"")
    .replace("[latency]\naws_service = \"20ms\"\n", "")
    .replace("at = \"1s\"", "at = \"0.3s\"");
    let out = run(Arc::new(common::load(&text)), &RunOptions::default());
    let t = out.metrics.traffic.iter().next().expect("the traffic ran");
    let overflowed: u64 = t
        .drops
        .iter()
        .filter(|((r, _), _)| *r == DropReason::QueueOverflow)
        .map(|(_, n)| n)
        .sum();
    assert!(overflowed > 0, "{:?}", t.drops);
    assert_eq!((t.started, t.failed), (1, 1), "{:?}", t.failures);
    let failures: Vec<_> = t.failures.keys().copied().collect();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, Cause::Reset, "{failures:?}");
}

/// One request to a database whose group admits nothing: its SYNs are
/// dropped (SG-5). `DURATION` and `TIMEOUT` are set by the test.
const BLOCKED: &str = r#"
[scenario]
name = "a connect that is never answered"
seed = 9
duration = "DURATION"

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
ingress = []

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
id = "connect"
from = "app"
to = "db"
port = 5432
rate = "0.5/s"
arrivals = "fixed"
stop = "1s"
request = "200B"
response = "2KiB"
timeout = "TIMEOUT"
"#;

/// (started, failed, unfinished) of [`BLOCKED`] run for `duration` with
/// the item's `timeout`, and its failures' causes.
fn blocked(duration: &str, timeout: &str) -> ((u64, u64, u64), Vec<Cause>) {
    let text = BLOCKED
        .replace("DURATION", duration)
        .replace("TIMEOUT", timeout);
    let out = run(Arc::new(common::load(&text)), &RunOptions::default());
    let t = out.metrics.traffic.iter().next().expect("the traffic ran");
    let causes = t.failures.keys().map(|(c, _)| *c).collect();
    ((t.started, t.failed, t.unfinished), causes)
}

#[test]
fn tcp_syn_retries_a_connect_never_answered_fails_at_127_s_by_its_drop_sg_5() {
    // Linux's tcp_syn_retries = 6: SYNs at 0, 1, 3, ... 63 s, and
    // connect() fails 64 s after the last, before a longer `timeout`.
    assert_eq!(blocked("126s", "300s").0, (1, 0, 1));
    let (counts, causes) = blocked("128s", "300s");
    assert_eq!(counts, (1, 1, 0));
    assert_eq!(causes, [Cause::Drop(DropReason::SgIngressDenied)]);
    // A shorter `timeout` comes first.
    let (counts, causes) = blocked("101s", "100s");
    assert_eq!(counts, (1, 1, 0));
    assert_eq!(causes, [Cause::Drop(DropReason::SgIngressDenied)]);
}
