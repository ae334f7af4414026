//! The services the host answers (NACL-9, ADDR-4, FL-5): the instance
//! metadata service, the Amazon DNS resolver, the time service. No security
//! group, network ACL or route stands between an instance and them; together
//! they take 1,024 packets per second per ENI; flow logs never show them.

use std::process::Command;
use std::sync::Arc;

use vpcsim::model::{DropReason, load_str};
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;

/// An instance in a subnet whose NACL denies everything, whose route table
/// has only the local route, and whose group allows nothing out.
const LOCKED: &str = r#"
[scenario]
name = "a locked-down instance asks the host's services"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.20.0.0/16", "10.30.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"
routes = []

[[network_acl]]
id = "deny-all"
vpc = "v"
ingress = []
egress = []

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.30.1.0/24"
az = "us-east-1a"
route_table = "rt"
network_acl = "deny-all"

[[security_group]]
id = "nothing"
vpc = "v"
egress = []

[[instance]]
id = "box"
subnet = "a"
security_groups = ["nothing"]

TRAFFIC
"#;

fn run(traffic: &str) -> vpcsim::sim::parallel::Outcome {
    let text = LOCKED.replace("TRAFFIC", traffic);
    let loaded = load_str("locked.toml", &text).expect("the design loads");
    sim::run(Arc::new(loaded.design), &RunOptions::default())
}

#[test]
fn nacl_9_metadata_dns_and_time_answer_whatever_the_groups_acls_and_routes() {
    let out = run(r#"
[[traffic]]
id = "metadata"
from = "box"
to = "169.254.169.254"
port = 80
rate = "5/s"
arrivals = "fixed"

[[traffic]]
id = "resolver"
from = "box"
to = "10.20.0.2"
protocol = "udp"
pattern = "udp"
port = 53
rate = "5/s"
arrivals = "fixed"

[[traffic]]
id = "resolver-link-local"
from = "box"
to = "169.254.169.253"
port = 53
rate = "5/s"
arrivals = "fixed"

[[traffic]]
id = "time"
from = "box"
to = "169.254.169.123"
pattern = "udp"
port = 123
rate = "5/s"
arrivals = "fixed"
"#);
    for (i, m) in out.metrics.traffic.iter().enumerate() {
        assert!(m.started >= 45, "traffic {i}: {}", m.started);
        assert_eq!(
            m.delivered + m.unfinished,
            m.started,
            "traffic {i}: {:?}",
            m.failures
        );
    }
}

#[test]
fn addr_4_the_resolver_is_at_the_primary_cidrs_base_plus_two_only() {
    // 10.30.0.2 is the base + 2 of a secondary CIDR: reserved, not the
    // resolver. The instance's group allows nothing out, so the packet
    // stops there.
    let out = run(r#"
[[traffic]]
id = "secondary"
from = "box"
to = "10.30.0.2"
pattern = "udp"
port = 53
rate = "5/s"
arrivals = "fixed"
"#);
    let m = &out.metrics.traffic[0];
    assert_eq!(m.delivered, 0);
    assert!(
        m.failures
            .keys()
            .all(|(c, _)| *c == Cause::Drop(DropReason::SgEgressDenied)),
        "{:?}",
        m.failures
    );
}

#[test]
fn nacl_9_a_closed_port_of_the_metadata_service_is_refused() {
    let out = run(r#"
[[traffic]]
id = "metadata-443"
from = "box"
to = "169.254.169.254"
port = 443
rate = "5/s"
arrivals = "fixed"
"#);
    let m = &out.metrics.traffic[0];
    assert_eq!(m.delivered, 0);
    assert!(
        m.failures
            .keys()
            .all(|(c, _)| *c == Cause::Drop(DropReason::PortUnreachable)),
        "{:?}",
        m.failures
    );
}

#[test]
fn nacl_9_over_1024_packets_per_second_are_dropped_as_linklocal_allowance_exceeded() {
    // 2,000 DNS queries a second, each one packet: about 1,024 a second
    // pass, the rest are over the allowance.
    let out = run(r#"
[[traffic]]
id = "flood"
from = "box"
to = "169.254.169.253"
pattern = "udp"
port = 53
rate = "2000/s"
arrivals = "fixed"
start = "1s"
stop = "9s"
"#);
    let m = &out.metrics.traffic[0];
    assert_eq!(m.started, 16_000);
    assert_eq!(m.delivered, 8 * 1024, "{:?}", m.failures);
    let over: u64 = m
        .failures
        .iter()
        .filter(|((c, _), _)| *c == Cause::Drop(DropReason::LinklocalAllowanceExceeded))
        .map(|(_, n)| *n)
        .sum();
    assert_eq!(over, 16_000 - 8 * 1024);
}

#[test]
fn fl_5_flow_logs_do_not_record_the_services_the_host_answers() {
    let text = LOCKED.replace(
        "TRAFFIC",
        r#"
[[traffic]]
id = "metadata"
from = "box"
to = "169.254.169.254"
port = 80
rate = "5/s"
arrivals = "fixed"
"#,
    );
    let dir = std::env::temp_dir().join(format!("vpcsim-fl5-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("locked.toml");
    std::fs::write(&file, text).unwrap();
    let logs = dir.join("flows.log");
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["run", file.to_str().unwrap(), "--flow-logs"])
        .arg(&logs)
        .output()
        .expect("vpcsim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&logs).unwrap();
    assert!(
        !text.contains("169.254.169.254"),
        "the metadata service is not logged:\n{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
