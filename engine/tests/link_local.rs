//! The services the host answers (NACL-9, ADDR-4, FL-5): the instance
//! metadata service, the Amazon DNS resolver, the time service. No security
//! group, network ACL or route stands between an instance and them; together
//! they take 1,024 packets per second per ENI; flow logs never show them.

use std::process::Command;
use std::sync::Arc;

use vpcsim::explain::Verdict;
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

// DNS-5: lookups on the wire. A client and a server in one subnet, the
// server named by its private DNS name; a fixed same-AZ delay, so that
// latencies compare exactly.
const LOOKUPS: &str = r#"
[scenario]
name = "lookups through the VPC's resolver"
duration = "DURATION"

[latency]
same_az = "50us"

[[vpc]]
id = "v"
cidrs = ["10.40.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"
routes = []

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.40.1.0/24"
az = "us-east-1a"
route_table = "rt"

[[security_group]]
id = "web"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "443", cidr = "10.40.0.0/16" } ]

[[instance]]
id = "client"
subnet = "a"
private_ip = "10.40.1.10"
security_groups = ["web"]

[[instance]]
id = "server"
subnet = "a"
private_ip = "10.40.1.20"
security_groups = ["web"]
listen = [ { protocol = "tcp", port = 443 } ]

TRAFFIC
"#;

const SERVER_NAME: &str = "ip-10-40-1-20.ec2.internal";

fn lookups_text(duration: &str, traffic: &str) -> String {
    LOOKUPS
        .replace("DURATION", duration)
        .replace("TRAFFIC", traffic)
}

fn run_lookups(duration: &str, traffic: &str) -> vpcsim::sim::parallel::Outcome {
    let loaded = load_str("lookups.toml", &lookups_text(duration, traffic)).expect("loads");
    sim::run(Arc::new(loaded.design), &RunOptions::default())
}

/// Runs the command with flow logs and captures; the flow log text, the
/// client's capture file and its directory (removed by the caller).
fn run_cli(name: &str, text: &str) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("vpcsim-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("lookups.toml");
    std::fs::write(&file, text).unwrap();
    let logs = dir.join("flows.log");
    let pcap = dir.join("pcap");
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(["run", file.to_str().unwrap(), "--flow-logs"])
        .arg(&logs)
        .arg("--pcap")
        .arg(&pcap)
        .output()
        .expect("vpcsim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&logs).unwrap();
    (text, pcap.join("client.pcap"), dir)
}

/// A UDP datagram of a capture: its time in nanoseconds from the first
/// second of the file, addresses, ports and payload.
struct Datagram {
    at_ns: u64,
    src: [u8; 4],
    dst: [u8; 4],
    sport: u16,
    dport: u16,
    payload: Vec<u8>,
}

/// The UDP datagrams of a classic nanosecond pcap file of raw IPv4.
fn udp_datagrams(path: &std::path::Path) -> Vec<Datagram> {
    let b = std::fs::read(path).unwrap();
    let le32 = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
    assert_eq!(le32(0), 0xa1b2_3c4d, "nanosecond pcap");
    let mut out = Vec::new();
    let mut i = 24;
    let mut first_sec = None;
    while i + 16 <= b.len() {
        let (sec, ns, len) = (le32(i) as u64, le32(i + 4) as u64, le32(i + 8) as usize);
        let first = *first_sec.get_or_insert(sec);
        let p = &b[i + 16..i + 16 + len];
        i += 16 + len;
        let ihl = usize::from(p[0] & 0x0f) * 4;
        if p[9] != 17 {
            continue;
        }
        let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
        out.push(Datagram {
            at_ns: (sec - first) * 1_000_000_000 + ns,
            src: p[12..16].try_into().unwrap(),
            dst: p[16..20].try_into().unwrap(),
            sport: u16::from_be_bytes([p[ihl], p[ihl + 1]]),
            dport: u16::from_be_bytes([p[ihl + 2], p[ihl + 3]]),
            payload: p[ihl + 8..total].to_vec(),
        });
    }
    out
}

const CLIENT: [u8; 4] = [10, 40, 1, 10];
const RESOLVER: [u8; 4] = [10, 40, 0, 2];

fn queries(d: &[Datagram]) -> Vec<&Datagram> {
    d.iter()
        .filter(|g| g.src == CLIENT && g.dst == RESOLVER && g.dport == 53)
        .collect()
}

fn answers(d: &[Datagram]) -> Vec<&Datagram> {
    d.iter()
        .filter(|g| g.src == RESOLVER && g.dst == CLIENT && g.sport == 53)
        .collect()
}

fn by_name(extra: &str) -> String {
    format!(
        r#"
[[traffic]]
id = "by-name"
from = "client"
to = "{SERVER_NAME}"
port = 443
rate = "1/s"
arrivals = "fixed"
{extra}
"#
    )
}

#[test]
fn dns_5_a_request_within_the_ttl_sends_no_query_and_one_after_it_asks_again() {
    // Requests at 0 s, 1 s, ..., 9 s; an answer at 1 ms lives 3 s: the
    // requests at 1-3 s find it, the one at 4 s asks again, and so on.
    let (_, pcap, dir) = run_cli(
        "dns5-ttl",
        &lookups_text("10s", &by_name("dns_ttl = \"3s\"")),
    );
    let d = udp_datagrams(&pcap);
    // Times from the first query (which leaves once the ENI has sent it).
    let asked: Vec<u64> = queries(&d).iter().map(|g| g.at_ns).collect();
    let from_first: Vec<u64> = asked.iter().map(|t| t - asked[0]).collect();
    assert_eq!(from_first, vec![0, 4_000_000_000, 8_000_000_000]);
    assert!(asked[0] < 1_000_000, "the first request asks at once");
    assert_eq!(answers(&d).len(), 3);
    std::fs::remove_dir_all(&dir).ok();

    // The default TTL (60 s) outlives the run: one query for ten requests.
    let (_, pcap, dir) = run_cli("dns5-default", &lookups_text("10s", &by_name("")));
    assert_eq!(queries(&udp_datagrams(&pcap)).len(), 1);
    std::fs::remove_dir_all(&dir).ok();

    let out = run_lookups("10s", &by_name("dns_ttl = \"3s\""));
    let m = &out.metrics.traffic[0];
    assert_eq!((m.started, m.delivered), (10, 10), "{:?}", m.failures);
}

#[test]
fn dns_5_the_query_and_answer_are_valid_dns_messages() {
    let (_, pcap, dir) = run_cli("dns5-wire", &lookups_text("2s", &by_name("")));
    let d = udp_datagrams(&pcap);
    let q = queries(&d);
    let a = answers(&d);
    assert_eq!((q.len(), a.len()), (1, 1));
    let query = vpcsim::packet::dns::parse_query(&q[0].payload).expect("a query");
    assert!(query.recursion, "RD set");
    assert_eq!(
        vpcsim::packet::dns::name_text(query.name),
        SERVER_NAME,
        "one question for the name"
    );
    let answer = vpcsim::packet::dns::parse_response(&a[0].payload).expect("a response");
    assert_eq!(answer.id, query.id);
    assert_eq!(answer.rcode, vpcsim::packet::dns::RCODE_NOERROR);
    assert_eq!(
        answer.answer,
        Some((std::net::Ipv4Addr::new(10, 40, 1, 20), 60))
    );
    assert_eq!(a[0].dport, q[0].sport, "back to the query's port");
    // The resolver takes 1 ms.
    assert_eq!(a[0].at_ns - q[0].at_ns, 1_000_000);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn fl_5_dns_5_flow_logs_leave_the_lookups_out_and_the_capture_on_the_host_shows_them() {
    let (logs, pcap, dir) = run_cli("dns5-fl5", &lookups_text("3s", &by_name("")));
    assert!(
        logs.lines().any(|l| l.contains("10.40.1.20")),
        "the connections are logged:\n{logs}"
    );
    assert!(
        !logs.contains("10.40.0.2 ") && !logs.contains(" 53 "),
        "the lookup is not logged:\n{logs}"
    );
    let d = udp_datagrams(&pcap);
    assert_eq!((queries(&d).len(), answers(&d).len()), (1, 1));
    // Read back by tshark where it is installed.
    match Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args([
            "-Y",
            "dns.flags.response == 1",
            "-T",
            "fields",
            "-e",
            "dns.a",
            "-e",
            "dns.resp.ttl",
        ])
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(text.trim(), "10.40.1.20\t60", "tshark reads one answer");
        }
        _ => eprintln!("tshark is not installed: the capture is checked by its bytes only"),
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn dns_5_the_lookup_counts_in_the_latency_of_the_request_that_makes_it() {
    // The same server by address and by name, one request a second each.
    let out = run_lookups(
        "5s",
        &format!(
            r#"
[[traffic]]
id = "by-address"
from = "client"
to = "10.40.1.20"
port = 443
rate = "1/s"
arrivals = "fixed"
start = "500ms"
{}"#,
            by_name("")
        ),
    );
    let (ip, name) = (&out.metrics.traffic[0], &out.metrics.traffic[1]);
    assert_eq!((ip.delivered, name.delivered), (5, 5));
    let (ip, name) = (ip.completion(), name.completion());
    // Only the first request by name waits for the answer, 1 ms.
    let extra = name.max() as i64 - ip.max() as i64;
    assert!((995..=1_005).contains(&extra), "{extra} us more");
    assert!(
        (name.min() as i64 - ip.min() as i64).abs() <= 2,
        "cached: {} vs {} us",
        name.min(),
        ip.min()
    );
}

#[test]
fn nacl_9_dns_5_lookups_over_1024_a_second_are_dropped_and_fail_once_the_retry_is_too_late() {
    // 2,000 requests in one second, no caching: 1,024 queries pass; the
    // rest are dropped, and the 3 s timeout comes before the stub's retry
    // at 5 s.
    let out = run_lookups(
        "5s",
        &by_name("dns_ttl = \"0s\"\ntimeout = \"3s\"\nstart = \"1s\"\nstop = \"2s\"")
            .replace("rate = \"1/s\"", "rate = \"2000/s\""),
    );
    let m = &out.metrics.traffic[0];
    assert_eq!(m.started, 2000);
    assert_eq!(m.delivered, 1024, "{:?}", m.failures);
    let over: u64 = m
        .failures
        .iter()
        .filter(|((c, _), _)| *c == Cause::Drop(DropReason::LinklocalAllowanceExceeded))
        .map(|(_, n)| *n)
        .sum();
    assert_eq!(over, 2000 - 1024, "{:?}", m.failures);
}

#[test]
fn nacl_9_dns_5_lookups_share_the_allowance_with_the_other_services_and_are_retried() {
    // 1,000 time queries and 100 lookups in one second: each under the
    // allowance alone, over it together. A lookup that is dropped is asked
    // again 5 s later, and its request still arrives within its 10 s.
    let out = run_lookups(
        "12s",
        &format!(
            r#"
[[traffic]]
id = "time"
from = "client"
to = "169.254.169.123"
pattern = "udp"
port = 123
rate = "1000/s"
arrivals = "fixed"
start = "1s"
stop = "2s"
{}"#,
            by_name("dns_ttl = \"0s\"\nstart = \"1s\"\nstop = \"2s\"")
                .replace("rate = \"1/s\"", "rate = \"100/s\"")
        ),
    );
    let (time, names) = (&out.metrics.traffic[0], &out.metrics.traffic[1]);
    assert_eq!((time.started, names.started), (1000, 100));
    let dropped = |m: &vpcsim::sim::metrics::TrafficMetrics| -> u64 {
        m.drops
            .iter()
            .filter(|((r, _), _)| *r == DropReason::LinklocalAllowanceExceeded)
            .map(|(_, n)| *n)
            .sum()
    };
    let (t, n) = (dropped(time), dropped(names));
    assert!(t > 0 && n > 0, "both share the allowance: {t} and {n}");
    assert_eq!(t + n, 1100 - 1024);
    assert_eq!(time.failed, t);
    assert_eq!(names.delivered, 100, "{:?}", names.failures);
    assert!(
        names.completion().max() >= 5_000_000,
        "a retried lookup waits 5 s: {} us",
        names.completion().max()
    );
}

#[test]
fn dns_5_the_name_of_a_deleted_instance_is_nxdomain() {
    let traffic = format!(
        "{}\n[[event]]\nat = \"5s\"\ndelete = \"server\"\n",
        by_name("dns_ttl = \"1s\"").replace("rate = \"1/s\"", "rate = \"2/s\"")
    );
    let out = run_lookups("10s", &traffic);
    let m = &out.metrics.traffic[0];
    assert_eq!(m.delivered, 10, "the requests before 5 s: {:?}", m.failures);
    let nx: u64 = m
        .failures
        .iter()
        .filter(|((c, _), _)| *c == Cause::Nxdomain)
        .map(|(_, n)| *n)
        .sum();
    // From 6.5 s on every request fails: the first that asks is told the
    // name is gone, and the later ones find that negative answer cached;
    // the ones in between use the cached address.
    assert!(nx >= 7, "{:?}", m.failures);

    // `explain` looks the name up first, and says so.
    let loaded = load_str("lookups.toml", &lookups_text("10s", &traffic)).unwrap();
    let q = |at: u64| vpcsim::explain::Query {
        from: "client".into(),
        to: SERVER_NAME.into(),
        protocol: 6,
        port: Some(443),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::from_secs(at),
        enter: None,
    };
    let before = vpcsim::explain::explain(loaded.design.clone(), &q(1)).unwrap();
    assert_eq!(before.verdict, Verdict::Delivered);
    let text = vpcsim::explain::render(&before);
    let (lookup, packet) = (text.find("lookup:").unwrap(), text.find("packet:").unwrap());
    assert!(lookup < packet, "the lookup comes first:\n{text}");
    assert!(
        text.contains("resolver answers: 10.40.1.20, TTL 1 s"),
        "{text}"
    );
    let after = vpcsim::explain::explain(loaded.design, &q(6)).unwrap();
    assert_eq!(
        (after.verdict, after.reason),
        (Verdict::Dropped, Some("nxdomain"))
    );
    assert!(
        vpcsim::explain::render(&after).contains("resolver answers: NXDOMAIN"),
        "{}",
        vpcsim::explain::render(&after)
    );
}

#[test]
fn dns_5_a_ttl_is_whole_seconds_and_applies_to_names_only() {
    let err = load_str(
        "lookups.toml",
        &lookups_text("2s", &by_name("dns_ttl = \"1500ms\"")),
    )
    .map(|_| ())
    .unwrap_err()
    .to_string();
    assert!(err.contains("`dns_ttl` (1.5s) is a DNS TTL"), "{err}");
    let loaded = load_str(
        "lookups.toml",
        &lookups_text(
            "2s",
            &by_name("dns_ttl = \"5s\"").replace(SERVER_NAME, "10.40.1.20"),
        ),
    )
    .expect("loads");
    let warnings = loaded.report.to_string();
    assert!(warnings.contains("`dns_ttl` has no effect"), "{warnings}");
}

// DNS-5: an answer with several addresses. The lookups design plus an
// interface endpoint for SQS with an ENI in each of three other subnets
// (one per AZ), or also in the client's own subnet.
fn endpoint_text(duration: &str, subnets: &str, traffic: &str) -> String {
    lookups_text(
        duration,
        &format!(
            r#"
[[subnet]]
id = "b"
vpc = "v"
cidr = "10.40.2.0/24"
az = "us-east-1b"
route_table = "rt"

[[subnet]]
id = "c"
vpc = "v"
cidr = "10.40.3.0/24"
az = "us-east-1c"
route_table = "rt"

[[subnet]]
id = "d"
vpc = "v"
cidr = "10.40.4.0/24"
az = "us-east-1d"
route_table = "rt"

[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "v"
service = "sqs"
subnets = [{subnets}]
security_groups = ["web"]
private_dns = true

[[traffic]]
id = "queue"
from = "client"
to = "sqs"
port = 443
rate = "1/s"
arrivals = "fixed"
dns_ttl = "1s"
{traffic}
"#
        ),
    )
}

/// The SYNs the client sends: (time in ns from the file's first second,
/// destination).
fn syns(path: &std::path::Path) -> Vec<(u64, [u8; 4])> {
    let b = std::fs::read(path).unwrap();
    let le32 = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
    let mut out = Vec::new();
    let mut i = 24;
    let mut first_sec = None;
    while i + 16 <= b.len() {
        let (sec, ns, len) = (le32(i) as u64, le32(i + 4) as u64, le32(i + 8) as usize);
        let first = *first_sec.get_or_insert(sec);
        let p = &b[i + 16..i + 16 + len];
        i += 16 + len;
        let ihl = usize::from(p[0] & 0x0f) * 4;
        let (src, dst): ([u8; 4], [u8; 4]) =
            (p[12..16].try_into().unwrap(), p[16..20].try_into().unwrap());
        // TCP, SYN without ACK.
        if p[9] == 6 && src == CLIENT && p[ihl + 13] & 0x12 == 0x02 {
            out.push(((sec - first) * 1_000_000_000 + ns, dst));
        }
    }
    out
}

/// Each answer of the capture: its time and its addresses in order.
fn answered(d: &[Datagram]) -> Vec<(u64, Vec<std::net::Ipv4Addr>)> {
    answers(d)
        .iter()
        .map(|g| {
            let r = vpcsim::packet::dns::parse_response(&g.payload).expect("a response");
            (g.at_ns, r.addresses().collect())
        })
        .collect()
}

#[test]
fn dns_5_an_answer_carries_every_address_of_the_name_and_the_client_takes_the_first() {
    let ips: Vec<std::net::Ipv4Addr> = ["10.40.2.4", "10.40.3.4", "10.40.4.4"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let text = endpoint_text("10s", r#""b", "c", "d""#, "");
    let (_, pcap, dir) = run_cli("dns5-records", &text);
    let d = udp_datagrams(&pcap);
    let got = answered(&d);
    // A 1 s TTL and a request a second: a query every other second.
    assert!(got.len() >= 4, "{} answers", got.len());
    for (_, a) in &got {
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, ips, "one A record per endpoint ENI");
    }
    // The order changes from query to query.
    let orders: std::collections::BTreeSet<_> = got.iter().map(|(_, a)| a.clone()).collect();
    assert!(orders.len() > 1, "{orders:?}");
    // The client, in none of the endpoint's subnets, connects to the
    // resolver's first address: the next SYN after each answer goes there.
    let s = syns(&pcap);
    for (at, a) in &got {
        let next = s
            .iter()
            .find(|(t, _)| t >= at)
            .expect("a SYN after the answer");
        assert_eq!(std::net::Ipv4Addr::from(next.1), a[0], "at {at} ns");
    }
    // tshark reads every record of the answers, where it is installed.
    match Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args([
            "-Y",
            "dns.flags.response == 1",
            "-T",
            "fields",
            "-e",
            "dns.count.answers",
            "-e",
            "dns.a",
        ])
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), got.len(), "{text}");
            for (line, (_, a)) in lines.iter().zip(&got) {
                let want: Vec<String> = a.iter().map(|ip| ip.to_string()).collect();
                assert_eq!(*line, format!("3\t{}", want.join(",")), "{text}");
            }
        }
        Ok(out) => panic!("tshark -r {}: {out:?}", pcap.display()),
        Err(_) => eprintln!("tshark is not installed: the answers are checked by their bytes only"),
    }
    // The same scenario gives the same orders: the shuffle is seeded, by
    // the scenario's `seed` among others.
    let (_, again, dir2) = run_cli("dns5-records-again", &text);
    assert_eq!(answered(&udp_datagrams(&again)), got);
    let reseeded = text.replacen("duration = ", "seed = 99\nduration = ", 1);
    let (_, other, dir3) = run_cli("dns5-records-seed", &reseeded);
    let other = answered(&udp_datagrams(&other));
    assert_eq!(other.len(), got.len());
    assert_ne!(other, got, "another seed, other orders");
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&dir2).ok();
    std::fs::remove_dir_all(&dir3).ok();
}

#[test]
fn dns_5_an_address_in_the_clients_own_subnet_comes_first_whatever_the_order() {
    // glibc's RFC 6724 rule 9 for IPv4: the endpoint's ENI in subnet a.
    let text = endpoint_text("10s", r#""b", "a", "c""#, "");
    let (_, pcap, dir) = run_cli("dns5-own-subnet", &text);
    let got = answered(&udp_datagrams(&pcap));
    assert!(got.len() >= 4);
    assert!(
        got.iter()
            .any(|(_, a)| a[0] != a.iter().copied().find(|ip| ip.octets()[2] == 1).unwrap())
    );
    let s = syns(&pcap);
    assert_eq!(s.len(), 10);
    assert!(s.iter().all(|(_, dst)| dst[..3] == [10, 40, 1]), "{s:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn dns_5_a_negative_answer_is_cached_for_the_soa_ttl_and_asked_again_after_it() {
    // The server is deleted at 1 s; requests every 100 s from 50 s to
    // 1,050 s. The NXDOMAIN of the request at 50 s carries its SOA, so it
    // is kept min(900, 86400) = 900 s: the requests up to 950 s fail
    // without a query, the one at 1,050 s asks again.
    let traffic = format!(
        "{}\n[[event]]\nat = \"1s\"\ndelete = \"server\"\n",
        by_name("start = \"50s\"\nstop = \"1060s\"").replace("rate = \"1/s\"", "rate = \"0.01/s\"")
    );
    let text = lookups_text("1100s", &traffic);
    let (_, pcap, dir) = run_cli("dns5-negative", &text);
    let d = udp_datagrams(&pcap);
    // Times from the capture's first second, the first query's.
    let asked: Vec<u64> = queries(&d)
        .iter()
        .map(|g| g.at_ns / 1_000_000_000)
        .collect();
    assert_eq!(asked, vec![0, 1000], "queries at (s from the first)");
    for g in answers(&d) {
        let r = vpcsim::packet::dns::parse_response(&g.payload).expect("a response");
        assert_eq!(r.rcode, vpcsim::packet::dns::RCODE_NXDOMAIN);
        assert_eq!(r.negative_ttl, Some(900));
    }
    // tshark reads the SOA of the negative answers.
    match Command::new("tshark")
        .arg("-r")
        .arg(&pcap)
        .args([
            "-Y",
            "dns.flags.response == 1",
            "-T",
            "fields",
            "-e",
            "dns.flags.rcode",
            "-e",
            "dns.soa.minimum_ttl",
        ])
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert_eq!(text.trim(), "3\t86400\n3\t86400", "{text}");
        }
        Ok(out) => panic!("tshark -r {}: {out:?}", pcap.display()),
        Err(_) => eprintln!("tshark is not installed: the answers are checked by their bytes only"),
    }
    std::fs::remove_dir_all(&dir).ok();
    // Every request fails as `nxdomain`, asked or cached.
    let out = run_lookups("1100s", &traffic);
    let m = &out.metrics.traffic[0];
    let nx: u64 = m
        .failures
        .iter()
        .filter(|((c, _), _)| *c == Cause::Nxdomain)
        .map(|(_, n)| *n)
        .sum();
    assert_eq!((m.started, nx), (11, 11), "{:?}", m.failures);
}

/// RT-8a: a packet to 169.254.168.0/22 that no service of the host answers
/// is dropped where it leaves, though a default route to an internet
/// gateway would carry it; the metadata service in the same range answers.
#[test]
fn rt_8a_packets_to_the_rest_of_the_reserved_range_are_never_forwarded() {
    let text = r#"
[scenario]
name = "a public instance asks the reserved range"
duration = "2s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[subnet]]
id = "pub"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt"

[[instance]]
id = "box"
subnet = "pub"
public_ip = "13.124.0.5"
"#;
    let design = load_str("reserved.toml", text)
        .expect("the design loads")
        .design;
    let ask = |to: &str, port: u16| {
        let q = vpcsim::explain::Query {
            from: "box".to_string(),
            to: to.to_string(),
            protocol: vpcsim::explain::protocol_number("tcp").expect("tcp"),
            port: Some(port),
            icmp_type: None,
            icmp_code: None,
            at: vpcsim::units::Nanos::ZERO,
            enter: None,
        };
        vpcsim::explain::explain(design.clone(), &q).expect("explains")
    };
    for to in ["169.254.168.10", "169.254.170.1", "169.254.171.255"] {
        let e = ask(to, 22);
        assert_eq!(
            (e.verdict, e.reason, e.drop_at.as_deref()),
            (Verdict::Dropped, Some("host_unreachable"), Some("box")),
            "{}",
            vpcsim::explain::render(&e)
        );
        assert!(
            e.hops.iter().all(|h| h.component != "igw"),
            "{}",
            vpcsim::explain::render(&e)
        );
    }
    // Just outside the range, the route to the internet gateway applies.
    let e = ask("169.254.172.1", 22);
    assert!(
        e.hops.iter().any(|h| h.component == "igw"),
        "{}",
        vpcsim::explain::render(&e)
    );
    assert_eq!(ask("169.254.169.254", 80).verdict, Verdict::Delivered);
}

/// RT-8a: a route to 169.254.168.0/22 or a part of it is refused; a larger
/// block that holds it (a default route split in two halves, say) is
/// allowed, and packets to the range are still never forwarded.
#[test]
fn rt_8a_routes_within_the_reserved_range_are_refused_larger_blocks_allowed() {
    let text = |dest: &str| {
        format!(
            r#"
[scenario]
name = "routes and the reserved range"
duration = "2s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ {{ destination = "{dest}", target = "igw" }} ]

[[subnet]]
id = "pub"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt"
"#
        )
    };
    for refused in ["169.254.168.0/22", "169.254.169.0/24", "169.254.169.253/32"] {
        let err = match load_str("r.toml", &text(refused)) {
            Ok(_) => panic!("{refused} loads"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains(&format!(
                "{refused} is within 169.254.168.0/22, which AWS reserves"
            )),
            "{err}"
        );
    }
    for allowed in [
        "128.0.0.0/1",
        "160.0.0.0/3",
        "169.0.0.0/8",
        "169.254.0.0/16",
        "169.254.168.0/21",
        "169.254.172.0/22",
    ] {
        if let Err(e) = load_str("r.toml", &text(allowed)) {
            panic!("{allowed}: {e}");
        }
    }
}
