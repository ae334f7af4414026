//! The files of `run` and `check`, read back: VPC Flow Logs (FL-1..FL-4),
//! pcap captures (NAT-1, IGW-2) and the JSON report against its schema.
//!
//! The shipped NAT scenario runs through the real command line, twice: the
//! JSON reports must be byte-identical. If `tshark` is on PATH it must read
//! every capture with no malformed packet and no bad checksum.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// Virtual time 0 (2024-01-01T00:00:00Z), as the report module uses it.
const EPOCH: u64 = vpcsim::report::EPOCH_UNIX_SECS;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// A fresh directory under the system's temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p =
            std::env::temp_dir().join(format!("vpcsim-test-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        Scratch(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vpcsim(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args(args)
        .current_dir(repo())
        .output()
        .expect("vpcsim runs");
    assert!(
        out.status.success(),
        "vpcsim {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

// -- a tiny pcap reader -------------------------------------------------------

struct Capture {
    linktype: u32,
    /// (timestamp in ns since the Unix epoch, packet bytes)
    packets: Vec<(u64, Vec<u8>)>,
}

fn u32_at(b: &[u8], at: usize, le: bool) -> u32 {
    let x: [u8; 4] = b[at..at + 4].try_into().unwrap();
    if le {
        u32::from_le_bytes(x)
    } else {
        u32::from_be_bytes(x)
    }
}

fn read_pcap(path: &Path) -> Capture {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(b.len() >= 24, "{}: no global header", path.display());
    let (le, nanos) = match u32_at(&b, 0, true) {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        _ => match u32_at(&b, 0, false) {
            0xa1b2_c3d4 => (false, false),
            0xa1b2_3c4d => (false, true),
            m => panic!("{}: bad magic {m:#x}", path.display()),
        },
    };
    let linktype = u32_at(&b, 20, le);
    let snaplen = u32_at(&b, 16, le) as usize;
    let mut packets = Vec::new();
    let mut at = 24;
    while at < b.len() {
        assert!(at + 16 <= b.len(), "{}: cut record header", path.display());
        let secs = u64::from(u32_at(&b, at, le));
        let frac = u64::from(u32_at(&b, at + 4, le));
        let incl = u32_at(&b, at + 8, le) as usize;
        let orig = u32_at(&b, at + 12, le) as usize;
        assert!(
            incl <= snaplen && incl <= orig,
            "{}: bad lengths",
            path.display()
        );
        let frac_ns = if nanos { frac } else { frac * 1000 };
        assert!(frac_ns < 1_000_000_000);
        let data = b
            .get(at + 16..at + 16 + incl)
            .unwrap_or_else(|| panic!("{}: cut packet", path.display()));
        packets.push((secs * 1_000_000_000 + frac_ns, data.to_vec()));
        at += 16 + incl;
    }
    Capture { linktype, packets }
}

/// (source, destination, protocol) of an IPv4 packet, checking its header.
fn ipv4(p: &[u8]) -> (Ipv4Addr, Ipv4Addr, u8) {
    assert!(p.len() >= 20 && p[0] >> 4 == 4, "not IPv4");
    let ihl = usize::from(p[0] & 0x0f) * 4;
    let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
    assert!(
        ihl >= 20 && total >= ihl && total == p.len(),
        "bad IPv4 lengths"
    );
    let src = Ipv4Addr::new(p[12], p[13], p[14], p[15]);
    let dst = Ipv4Addr::new(p[16], p[17], p[18], p[19]);
    (src, dst, p[9])
}

fn tshark_present() -> bool {
    Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// tshark reads the file; no malformed packet, error, or bad checksum.
fn tshark_check(path: &Path) {
    let file = path.to_str().unwrap();
    // Payloads are not real TLS: dissect them as plain data, so that port
    // heuristics do not take them for some protocol they are not.
    let common = [
        "-r",
        file,
        "-d",
        "tcp.port==1-65535,data",
        "-d",
        "udp.port==1-65535,data",
    ];
    let first = Command::new("tshark")
        .args(common)
        .args(["-c", "3"])
        .output()
        .expect("tshark runs");
    assert!(first.status.success(), "tshark -r {file}: {first:?}");
    let bad = Command::new("tshark")
        .args(common)
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-Y",
            "_ws.malformed || _ws.expert.severity == error || ip.checksum.status == 0 \
             || tcp.checksum.status == 0 || udp.checksum.status == 0",
        ])
        .output()
        .expect("tshark runs");
    assert!(bad.status.success(), "tshark -r {file}: {bad:?}");
    let text = String::from_utf8_lossy(&bad.stdout);
    assert!(
        text.trim().is_empty(),
        "tshark finds bad packets in {file}:\n{}",
        text.lines().take(5).collect::<Vec<_>>().join("\n")
    );
}

// -- the checks ---------------------------------------------------------------

fn check_flow_log_line(line: &str, enis: &BTreeMap<String, Ipv4Addr>) {
    let f: Vec<&str> = line.split(' ').collect();
    assert_eq!(f.len(), 14, "not 14 fields: {line}");
    assert_eq!(f[0], "2", "version: {line}");
    assert!(
        f[1].len() == 12 && f[1].bytes().all(|c| c.is_ascii_digit()),
        "account-id: {line}"
    );
    assert!(enis.contains_key(f[2]), "interface-id: {line}");
    let start: u64 = f[10].parse().expect("start");
    let end: u64 = f[11].parse().expect("end");
    assert!(
        EPOCH <= start && start <= end && end <= EPOCH + 61,
        "start/end: {line}"
    );
    match f[13] {
        "NODATA" => {
            for (i, x) in f.iter().enumerate().take(13).skip(3) {
                assert_eq!(*x, "-", "field {i} of a NODATA record: {line}");
            }
        }
        "OK" => {
            let src: Ipv4Addr = f[3].parse().expect("srcaddr");
            let dst: Ipv4Addr = f[4].parse().expect("dstaddr");
            let _: u16 = f[5].parse().expect("srcport");
            let _: u16 = f[6].parse().expect("dstport");
            let proto: u8 = f[7].parse().expect("protocol");
            assert!(matches!(proto, 1 | 6 | 17), "protocol: {line}");
            let packets: u64 = f[8].parse().expect("packets");
            let bytes: u64 = f[9].parse().expect("bytes");
            assert!(
                packets > 0 && bytes >= 20 * packets,
                "packets/bytes: {line}"
            );
            assert!(matches!(f[12], "ACCEPT" | "REJECT"), "action: {line}");
            // One end of every record is the interface itself.
            let own = enis[f[2]];
            assert!(
                src == own || dst == own,
                "neither address is the ENI's: {line}"
            );
        }
        other => panic!("log-status {other}: {line}"),
    }
}

#[test]
fn nat_scenario_outputs_read_back() {
    let tmp = Scratch::new("nat");
    let scenario = repo().join("scenarios/lambda-private-nat.toml");
    let scenario = scenario.to_str().unwrap();
    let (json_a, json_b) = (tmp.path("a.json"), tmp.path("b.json"));
    let (flow_a, flow_b) = (tmp.path("flows.log"), tmp.path("flows-v5.log"));
    let pcap_dir = tmp.path("pcap/new"); // created by vpcsim
    vpcsim(&[
        "check",
        scenario,
        "--json",
        json_a.to_str().unwrap(),
        "--flow-logs",
        flow_a.to_str().unwrap(),
        "--pcap",
        pcap_dir.to_str().unwrap(),
    ]);
    vpcsim(&[
        "check",
        scenario,
        "--json",
        json_b.to_str().unwrap(),
        "--flow-logs",
        flow_b.to_str().unwrap(),
        "--flow-log-interval",
        "60s",
        "--flow-log-format",
        "${version} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr} \
         ${tcp-flags} ${flow-direction} ${traffic-path} ${action} ${log-status}",
    ]);

    // JSON: byte-identical across runs, and valid against the schema.
    let a = std::fs::read(&json_a).unwrap();
    assert_eq!(a, std::fs::read(&json_b).unwrap(), "JSON reports differ");
    let report: Value = serde_json::from_slice(&a).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    jsonschema::meta::validate(&schema).expect("the schema is a valid JSON Schema");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "report breaks the schema: {errors:#?}");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["expectations"][0]["result"]["ok"], true);
    assert!(report["cost"]["total_usd"].as_f64().unwrap() > 0.0);

    let enis: BTreeMap<String, Ipv4Addr> = report["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                i["ip"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let nat_ip = enis["nat-a-eni"];
    let lambda_ip = enis["fetcher-private-a"];
    let eip: Ipv4Addr = "3.35.0.10".parse().unwrap();
    let api: Ipv4Addr = "93.184.216.34".parse().unwrap();

    // Flow logs in the default format (FL-1).
    let text = std::fs::read_to_string(&flow_a).unwrap();
    assert!(text.lines().count() > 100);
    for line in text.lines() {
        check_flow_log_line(line, &enis);
    }
    let mut sorted: Vec<&str> = text.lines().collect();
    sorted.sort_by_key(|l| l.split(' ').nth(2).unwrap_or(""));
    assert_eq!(
        sorted,
        text.lines().collect::<Vec<_>>(),
        "not sorted by interface"
    );
    // At the NAT gateway's ENI, inside to gateway (AWS's NAT example).
    let inside = format!("nat-a-eni {lambda_ip} {nat_ip} ");
    assert!(
        text.lines()
            .any(|l| l.contains(&inside) && l.contains(" 443 6 "))
    );

    // Version 5 fields: the packet's addresses differ from srcaddr/dstaddr at
    // the NAT gateway's ENI (FL-4).
    let v5 = std::fs::read_to_string(&flow_b).unwrap();
    let to_internet = format!("5 nat-a-eni {lambda_ip} {nat_ip} {lambda_ip} {api} ");
    let back_inside = format!("5 nat-a-eni {nat_ip} {lambda_ip} {api} {lambda_ip} ");
    assert!(
        v5.lines()
            .any(|l| l.starts_with(&to_internet) && l.contains(" ingress - ACCEPT OK"))
    );
    assert!(
        v5.lines()
            .any(|l| l.starts_with(&back_inside) && l.contains(" egress 1 ACCEPT OK"))
    );
    assert!(
        v5.lines().any(|l| l.contains(" egress 8 ACCEPT OK")),
        "no traffic-path 8 (IGW)"
    );
    for l in v5.lines() {
        assert_eq!(l.split(' ').count(), 11, "{l}");
    }

    // pcap: one file per ENI and gateway, each parses as raw IPv4.
    let mut names: Vec<String> = std::fs::read_dir(&pcap_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "fetcher-private-a.pcap",
            "igw-main.pcap",
            "nat-a.pcap",
            "vpce-s3.pcap"
        ]
    );
    let mut caps = BTreeMap::new();
    for n in &names {
        let c = read_pcap(&pcap_dir.join(n));
        assert!(
            c.linktype == 101 || c.linktype == 228,
            "{n}: link type {}",
            c.linktype
        );
        assert!(!c.packets.is_empty(), "{n} is empty");
        let mut last = 0;
        for (ts, p) in &c.packets {
            assert!(
                *ts >= EPOCH * 1_000_000_000 && *ts >= last,
                "{n}: time goes back"
            );
            last = *ts;
            ipv4(p);
        }
        caps.insert(n.clone(), c);
    }
    // The internet gateway maps the NAT gateway's private IP to its Elastic
    // IP (NAT-1, IGW-2): outbound packets show both, the lambda's never.
    let igw: Vec<_> = caps["igw-main.pcap"]
        .packets
        .iter()
        .map(|(_, p)| ipv4(p))
        .collect();
    assert!(igw.iter().any(|(s, d, _)| *s == eip && *d == api));
    assert!(igw.iter().any(|(s, d, _)| *s == nat_ip && *d == api));
    assert!(igw.iter().all(|(s, _, _)| *s != lambda_ip));
    let outbound = igw.iter().filter(|(_, d, _)| *d == api).count();
    let from_eip = igw
        .iter()
        .filter(|(s, d, _)| *s == eip && *d == api)
        .count();
    assert_eq!(outbound, 2 * from_eip, "each outbound packet on both sides");
    // The NAT gateway's file: the lambda's source, rewritten to its own.
    let nat: Vec<_> = caps["nat-a.pcap"]
        .packets
        .iter()
        .map(|(_, p)| ipv4(p))
        .collect();
    assert!(nat.iter().any(|(s, d, _)| *s == lambda_ip && *d == api));
    assert!(nat.iter().any(|(s, d, _)| *s == nat_ip && *d == api));
    assert!(nat.iter().all(|(s, _, _)| *s != eip));

    if tshark_present() {
        for n in &names {
            tshark_check(&pcap_dir.join(n));
        }
    } else {
        eprintln!(
            "note: tshark is not on PATH; the captures were checked by the built-in reader only"
        );
    }
}

/// A small design for `run --json -`: the report on standard output.
const SMALL: &str = r#"
[scenario]
name = "one instance pings another"
duration = "2s"

[[vpc]]
id = "vpc-a"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "sub-a"
vpc = "vpc-a"
cidr = "10.0.0.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg-open"
vpc = "vpc-a"
ingress = [ { protocol = "icmp", cidr = "10.0.0.0/16" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "a"
subnet = "sub-a"
security_groups = ["sg-open"]

[[instance]]
id = "b"
subnet = "sub-a"
security_groups = ["sg-open"]

[[traffic]]
id = "ping"
from = "a"
to = "b"
protocol = "icmp"
pattern = "ping"
rate = "10/s"
"#;

#[test]
fn run_writes_the_report_to_stdout() {
    let tmp = Scratch::new("small");
    let file = tmp.path("small.toml");
    std::fs::write(&file, SMALL).unwrap();
    let out = vpcsim(&["run", file.to_str().unwrap(), "--json", "-"]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&report));
    assert_eq!(report["traffic"][0]["id"], "ping");
    assert!(report["traffic"][0]["delivered"].as_u64().unwrap() > 0);
    assert_eq!(report["expectations"], Value::Array(vec![]));
    assert_eq!(report["cost"]["total_usd"], 0.0);
    // The summary went to standard error.
    assert!(String::from_utf8_lossy(&out.stderr).contains("one instance pings another"));
}

#[test]
fn a_bad_flow_log_format_is_refused_before_the_run() {
    let tmp = Scratch::new("badfmt");
    let file = tmp.path("small.toml");
    std::fs::write(&file, SMALL).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--flow-logs",
            tmp.path("f.log").to_str().unwrap(),
            "--flow-log-format",
            "${version} ${no-such-field}",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-field"));
    // Nothing half-written is left behind.
    let left: Vec<_> = std::fs::read_dir(&tmp.0).unwrap().collect();
    assert_eq!(left.len(), 1, "only the scenario file remains");
}

#[test]
fn graph_is_dot_and_deterministic() {
    let file = repo().join("scenarios/lambda-private-nat.toml");
    let a = vpcsim(&["graph", file.to_str().unwrap()]).stdout;
    let b = vpcsim(&["graph", file.to_str().unwrap()]).stdout;
    assert_eq!(a, b);
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with("digraph \"vpcsim\" {"));
    assert!(text.trim_end().ends_with('}'));
    assert_eq!(text.matches('{').count(), text.matches('}').count());
    for needle in [
        "cluster_vpc:vpc-main",
        "cluster_az:vpc-main:us-east-1a",
        "cluster_subnet:private-a",
        "\"rt:rt-private\" -> \"nat:nat-a\" [label=\"0.0.0.0/0\"]",
        "\"igw:igw-main\"",
        "\"vpce:vpce-s3\"",
        "label=\"lambda-to-api\"",
    ] {
        assert!(text.contains(needle), "graph lacks {needle}");
    }
}

/// The fields `fields` (tab-separated) of the packets of `path` that
/// tshark's display filter `filter` keeps, one line each.
fn tshark_fields(path: &Path, filter: &str, fields: &[&str]) -> Vec<String> {
    let mut cmd = Command::new("tshark");
    cmd.args(["-r", path.to_str().unwrap()]).args([
        "-d",
        "tcp.port==1-65535,data",
        "-Y",
        filter,
        "-T",
        "fields",
    ]);
    for f in fields {
        cmd.args(["-e", f]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark -r {}: {out:?}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

fn pcaps_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the pcap directory")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap"))
        .collect();
    v.sort();
    v
}

/// A shipped scenario's run: its name, its JSON report, and, where its
/// traffic has TCP, the run dropped nothing and tshark is installed, what
/// Wireshark's TCP analysis flags in each capture (the file and one line
/// per packet flagged, but for reused ports; see below).
struct ShippedRun {
    name: String,
    report: Value,
    analysis: Option<Vec<(String, Vec<String>)>>,
}

/// Every shipped scenario (`scenarios/*.toml`, sorted by name), run once
/// with its JSON report and its captures (their first 80 bytes, all the
/// headers) for the tests that read them all.
fn shipped_runs() -> &'static [ShippedRun] {
    static RUNS: std::sync::OnceLock<Vec<ShippedRun>> = std::sync::OnceLock::new();
    RUNS.get_or_init(|| {
        let tshark = tshark_present();
        let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
            .expect("the scenarios")
            .map(|e| e.expect("an entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|scenario| {
                let name = scenario.file_stem().unwrap().to_string_lossy().to_string();
                let tmp = Scratch::new("shipped");
                let (json, dir) = (tmp.path("r.json"), tmp.path("pcap"));
                let mut args = vec![
                    "run",
                    scenario.to_str().unwrap(),
                    "--quiet",
                    "--json",
                    json.to_str().unwrap(),
                ];
                if tshark {
                    args.extend(["--pcap", dir.to_str().unwrap(), "--pcap-snaplen", "80"]);
                }
                vpcsim(&args);
                let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap())
                    .expect("the JSON report");
                let tcp = report["traffic"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t["protocol"] == "tcp");
                let clean = report["drops"] == serde_json::json!([]);
                // tshark reads the captures a few at a time, one per core.
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                let analysis = (tshark && tcp && clean).then(|| {
                    let files = pcaps_in(&dir);
                    let mut flagged = Vec::new();
                    for chunk in files.chunks(cores) {
                        std::thread::scope(|s| {
                            let readers: Vec<_> = chunk
                                .iter()
                                .map(|f| {
                                    s.spawn(move || {
                                        tshark_fields(
                                            f,
                                            "tcp.analysis.flags && !tcp.analysis.reused_ports",
                                            &["frame.number", "_ws.expert.message"],
                                        )
                                    })
                                })
                                .collect();
                            for (f, r) in chunk.iter().zip(readers) {
                                let name = f.file_name().unwrap().to_string_lossy().to_string();
                                flagged.push((name, r.join().expect("tshark's reader")));
                            }
                        });
                    }
                    flagged
                });
                ShippedRun {
                    name,
                    report,
                    analysis,
                }
            })
            .collect()
    })
}

#[test]
fn lat_2_shipped_scenarios_latencies_spread_where_jitter_applies() {
    // Every traffic of a shipped scenario with enough delivered items to
    // tell: its 99th percentile lies above its median, since every link
    // class but one set to a single value draws its delay from a
    // distribution. An office over a VPN with `latency = "8ms"` to an
    // interface endpoint spreads too: the service behind the endpoint is
    // `aws_service` away, a distribution (IFE-8).
    let mut spread = 0;
    for run in shipped_runs() {
        let name = &run.name;
        for t in run.report["traffic"].as_array().unwrap() {
            let id = t["id"].as_str().unwrap();
            let c = &t["latency_us"]["completion"];
            if t["delivered"].as_u64().unwrap() < 20 {
                continue;
            }
            let (p50, p99) = (c["p50"].as_u64().unwrap(), c["p99"].as_u64().unwrap());
            assert!(p50 < p99, "{name}, {id}: p50 {p50} us, p99 {p99} us");
            spread += 1;
        }
    }
    assert!(spread > 50, "{spread} traffics");
}

#[test]
fn tcp_analysis_flags_nothing_in_runs_without_drops() {
    // Every shipped scenario with TCP traffic whose run drops no packet:
    // Wireshark's TCP analysis (retransmissions, duplicate ACKs, window
    // full, window updates, zero windows, lost segments, keep-alives...)
    // finds nothing to say about any of its captures. A sender held back
    // by the window sends whole segments and waits, as Linux does, so no
    // segment fills the window to the byte ("window full").
    //
    // Left out: a reused port. A NAT gateway draws a connection's outside
    // port from the flow (NAT-5a), so a later connection may draw one that
    // a closed connection used towards the same destination; Wireshark
    // notes the second SYN of those four numbers, which is the gateway's
    // doing, not TCP's.
    if !tshark_present() {
        eprintln!("note: tshark is not on PATH: the TCP analysis of the captures is not checked");
        return;
    }
    let mut checked = Vec::new();
    for run in shipped_runs() {
        let Some(analysis) = &run.analysis else {
            continue;
        };
        assert!(!analysis.is_empty(), "{}: captures", run.name);
        for (file, flagged) in analysis {
            assert!(
                flagged.is_empty(),
                "{}, {file}: {} packets flagged, the first:\n{}",
                run.name,
                flagged.len(),
                flagged[..flagged.len().min(5)].join("\n")
            );
        }
        checked.push(run.name.clone());
    }
    println!("TCP analysis clean in {}: {checked:?}", checked.len());
    // Among them, the S3 uploads (limited by the receiver's window at
    // 20 ms) and the downloads through the endpoints and a NAT gateway.
    for name in [
        "s3-gateway-vs-interface-endpoint",
        "s3-path-interface-endpoint",
        "s3-path-nat-gateway",
        "s3-upload-rtt-20ms",
        "s3-upload-rtt-2ms",
    ] {
        assert!(checked.iter().any(|c| c == name), "{name} was checked");
    }
}

/// Whether sequence number `a` comes before `b` (modulo 2^32).
fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

#[test]
fn tcp_analysis_retransmissions_are_where_the_link_lost_segments() {
    // LAT-3: the mirror's path loses 1 % of packets each way. At the
    // instance's interface, past the lossy link, a segment the link lost
    // is a gap in the mirror's sequence numbers (packets of one flow do
    // not reorder); every retransmission tshark finds must fill such a
    // gap, and every gap must be filled.
    if !tshark_present() {
        eprintln!(
            "note: tshark is not on PATH: the retransmissions in the captures are not checked"
        );
        return;
    }
    let tmp = Scratch::new("loss");
    let scenario = repo().join("scenarios/drop-link_loss.toml");
    let (json, dir) = (tmp.path("r.json"), tmp.path("pcap"));
    vpcsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--pcap",
        dir.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let link_losses: u64 = report["drops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["reason"] == "link_loss")
        .map(|d| d["count"].as_u64().unwrap())
        .sum();
    let mirror = Ipv4Addr::new(198, 51, 100, 30);
    let path = dir.join("web-1.pcap");
    // Per connection (the instance's port): the next sequence number
    // expected, the gaps seen, the repeats seen.
    let mut next: BTreeMap<u16, u32> = BTreeMap::new();
    let mut gaps: Vec<(u16, u32, u32)> = Vec::new();
    let mut repeats: Vec<(u16, u32, u32)> = Vec::new();
    let mut fins: std::collections::BTreeSet<(u16, u32)> = std::collections::BTreeSet::new();
    let mut fin_repeats: Vec<(u16, u32)> = Vec::new();
    for (_, p) in read_pcap(&path).packets {
        let (src, _, proto) = ipv4(&p);
        if src != mirror || proto != 6 {
            continue;
        }
        let ihl = usize::from(p[0] & 0x0f) * 4;
        let t = &p[ihl..];
        let port = u16::from_be_bytes([t[2], t[3]]);
        let seq = u32::from_be_bytes([t[4], t[5], t[6], t[7]]);
        let flags = t[13];
        let len = (t.len() - usize::from(t[12] >> 4) * 4) as u32;
        if flags & 0x02 != 0 {
            next.insert(port, seq.wrapping_add(1));
            continue;
        }
        let Some(hi) = next.get_mut(&port) else {
            continue;
        };
        let end = seq.wrapping_add(len).wrapping_add(u32::from(flags & 0x01));
        if len == 0 {
            // A FIN sent again: the instance's ACK of it was lost on the
            // way back, and TIME-WAIT acknowledges it again.
            if flags & 0x01 != 0 && !fins.insert((port, seq)) {
                fin_repeats.push((port, seq));
            }
            continue;
        }
        let ahead = seq.wrapping_sub(*hi) as i32;
        if ahead > 0 {
            gaps.push((port, *hi, seq));
        } else if ahead < 0 {
            repeats.push((port, seq, end));
        }
        if end.wrapping_sub(*hi) as i32 > 0 {
            *hi = end;
        }
    }
    assert!(
        !gaps.is_empty(),
        "the link lost some of the mirror's segments"
    );
    assert!(
        (gaps.len() + fin_repeats.len()) as u64 <= link_losses,
        "{} gaps and {} FINs sent again, {link_losses} link losses",
        gaps.len(),
        fin_repeats.len()
    );
    // Each repeat lies in a gap of its connection; each gap is filled.
    for &(port, seq, _) in &repeats {
        assert!(
            gaps.iter()
                .any(|&(p, a, b)| p == port && !before(seq, a) && before(seq, b)),
            "a retransmission at {seq} on port {port} fills no gap: {gaps:?}"
        );
    }
    for &(port, a, b) in &gaps {
        let mut at = a;
        while at != b {
            let Some(&(_, _, end)) = repeats
                .iter()
                .find(|&&(p, s, e)| p == port && !before(at, s) && before(at, e))
            else {
                panic!("the gap {a}..{b} on port {port} is not sent again from {at}");
            };
            at = if before(end, b) { end } else { b };
        }
    }
    // tshark sees the same retransmissions (a retransmission that comes
    // within a round trip of later data, and is not the segment the
    // receiver's ACK asks for, it calls out of order), and no spurious
    // one.
    let flagged = tshark_fields(
        &path,
        &format!(
            "ip.src == {mirror} && (tcp.analysis.retransmission || \
             tcp.analysis.fast_retransmission || tcp.analysis.spurious_retransmission || \
             tcp.analysis.out_of_order)"
        ),
        &["tcp.dstport", "tcp.seq_raw"],
    );
    let mut theirs: Vec<(u16, u32)> = flagged
        .iter()
        .map(|l| {
            let mut f = l.split('\t');
            let port = f.next().unwrap().parse().unwrap();
            let seq = f.next().unwrap().parse().unwrap();
            (port, seq)
        })
        .collect();
    let mut ours: Vec<(u16, u32)> = repeats.iter().map(|&(p, s, _)| (p, s)).collect();
    ours.extend(&fin_repeats);
    // A FIN sent again reaches a connection in TIME-WAIT, which
    // acknowledges it: the instance resets nothing.
    let resets = tshark_fields(
        &path,
        &format!("ip.dst == {mirror} && tcp.flags.reset == 1"),
        &["frame.number"],
    );
    assert!(resets.is_empty(), "resets towards the mirror: {resets:?}");
    theirs.sort_unstable();
    ours.sort_unstable();
    assert_eq!(theirs, ours, "tshark's retransmissions against the gaps");
    let spurious = tshark_fields(
        &path,
        "tcp.analysis.spurious_retransmission",
        &["frame.number"],
    );
    assert!(
        spurious.is_empty(),
        "spurious retransmissions: {spurious:?}"
    );
    println!(
        "{} segments lost on the link towards the instance, {} retransmissions, {link_losses} link losses in all",
        gaps.len(),
        repeats.len()
    );
}

/// FL-1, TGW-2, TGW-9: on the shipped VPN attachment scenario, the flow log
/// has records of the VPC attachments' ENIs (which the transit gateway
/// places in each attachment subnet) carrying the office's traffic, and the
/// capture of the transit gateway holds the packets that crossed it, every
/// one a well-formed IPv4 packet between the office and the VPCs.
#[test]
fn fl_1_tgw_2_attachment_enis_log_flows_and_the_transit_gateway_is_captured() {
    let tmp = Scratch::new("tgw");
    let scenario = repo().join("scenarios/tgw-vpn-onprem.toml");
    let flows = tmp.path("flows.log");
    let pcap_dir = tmp.path("pcap");
    vpcsim(&[
        "check",
        scenario.to_str().unwrap(),
        "--flow-logs",
        flows.to_str().unwrap(),
        "--pcap",
        pcap_dir.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&flows).unwrap();
    let office = |a: &str| a.starts_with("192.168.");
    // Default format: version account-id interface-id srcaddr dstaddr ...
    // Each VPC attachment's ENI logs what it carried, on the VPC side.
    for eni in ["att-app/app-1a", "att-data/data-1a"] {
        let records: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split(' ').collect::<Vec<&str>>())
            .filter(|f| f.len() == 14 && f[2] == eni)
            .collect();
        assert!(
            records.iter().any(|f| f[12] == "ACCEPT" && f[13] == "OK"),
            "no accepted record of {eni}:\n{text}"
        );
        assert!(
            records
                .iter()
                .filter(|f| f[13] == "OK")
                .all(|f| f[3].starts_with("10.") && f[4].starts_with("10.")),
            "{eni}"
        );
    }
    let c = read_pcap(&pcap_dir.join("tgw-hub.pcap"));
    assert!(c.linktype == 101 || c.linktype == 228, "{}", c.linktype);
    assert!(
        !c.packets.is_empty(),
        "the transit gateway captured nothing"
    );
    let mut from_office = 0;
    for (_, p) in &c.packets {
        let (src, dst, _) = ipv4(p);
        if office(&src.to_string()) {
            from_office += 1;
        }
        assert!(
            src.octets()[0] == 10 || dst.octets()[0] == 10,
            "{src} -> {dst} did not come from or go to a VPC"
        );
    }
    assert!(from_office > 0, "nothing from the office crossed the hub");
    // Each packet once, as it enters: no two records of one packet at one
    // time (the same addresses and transport header but for the TTL and
    // checksums), which Wireshark would flag as retransmissions.
    let mut seen = std::collections::BTreeSet::new();
    for (t, p) in &c.packets {
        let key = (
            *t,
            p[12..20].to_vec(),
            p[20..p.len().min(36)].to_vec(),
            p.len(),
        );
        assert!(seen.insert(key), "a packet captured twice at the hub");
    }
}

#[test]
fn bulk_timeout_resets_the_connection_and_nothing_follows_on_the_wire() {
    // A bulk transfer given a `timeout` and not done by then fails with
    // the reason `timeout` (no drop to blame), and its connection is
    // closed: the client resets it at the deadline, sends no more data,
    // and answers what the server still had in flight with a reset, as a
    // host with no connection does; the server sends nothing once the
    // reset arrived.
    let tmp = Scratch::new("bulk-timeout");
    let scenario = tmp.path("bulk.toml");
    std::fs::write(
        &scenario,
        r#"
[scenario]
name = "a bulk transfer cut short"
duration = "3s"

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
size = "256MiB"
timeout = "1s"
"#,
    )
    .unwrap();
    let (json, dir) = (tmp.path("r.json"), tmp.path("pcap"));
    vpcsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--quiet",
        "--json",
        json.to_str().unwrap(),
        "--pcap",
        dir.to_str().unwrap(),
        "--pcap-snaplen",
        "60",
    ]);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let t = &report["traffic"][0];
    assert_eq!(
        (t["started"].as_u64(), t["failed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(t["failures"][0]["cause"], "timeout");
    assert_eq!(t["failures"][0]["place"], Value::Null);
    assert_eq!(t["drops"], serde_json::json!([]));
    let client = Ipv4Addr::new(10, 0, 1, 4);
    // (time since the run's start, from the client, flags, payload length)
    let segments = |file: &str| -> Vec<(u64, bool, u8, usize)> {
        read_pcap(&dir.join(file))
            .packets
            .into_iter()
            .map(|(t, p)| {
                // Cut at 60 bytes: the lengths come from the headers.
                let src = Ipv4Addr::new(p[12], p[13], p[14], p[15]);
                assert_eq!(p[9], 6, "TCP");
                let total = usize::from(u16::from_be_bytes([p[2], p[3]]));
                let ihl = usize::from(p[0] & 0x0f) * 4;
                let doff = usize::from(p[ihl + 12] >> 4) * 4;
                (
                    t - EPOCH * 1_000_000_000,
                    src == client,
                    p[ihl + 13],
                    total - ihl - doff,
                )
            })
            .collect()
    };
    const RST: u8 = 0x04;
    let at_client = segments("client.pcap");
    let first_rst = at_client
        .iter()
        .position(|&(_, mine, flags, _)| mine && flags & RST != 0)
        .expect("the client resets the connection");
    let deadline = at_client[first_rst].0;
    assert!(
        (1_000_000_000..1_000_100_000).contains(&deadline),
        "reset at {deadline} ns"
    );
    assert!(at_client[..first_rst].iter().any(|s| s.1 && s.3 > 0));
    for &(t, mine, flags, len) in &at_client[first_rst..] {
        if mine {
            assert!(
                flags & RST != 0 && len == 0,
                "at {t} ns: {flags:#x}, {len} bytes"
            );
        }
    }
    let at_server = segments("server.pcap");
    let arrived = at_server
        .iter()
        .find(|&&(_, mine, flags, _)| mine && flags & RST != 0)
        .expect("the reset reaches the server")
        .0;
    assert!(
        at_server
            .iter()
            .all(|&(t, mine, _, _)| mine || t <= arrived),
        "the server sends nothing after the reset"
    );
}

/// One instance behind a NAT gateway sends to two destinations, and a VPC
/// with nothing billed: the summary's NAT columns and the cost report.
const TWO_DESTINATIONS: &str = r#"[scenario]
name = "two destinations"
duration = "5s"

[[vpc]]
id = "vpc"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "idle"
cidrs = ["10.9.0.0/16"]

[[subnet]]
id = "pub"
vpc = "vpc"
cidr = "10.0.0.0/24"
route_table = "rt-pub"

[[subnet]]
id = "priv"
vpc = "vpc"
cidr = "10.0.1.0/24"
route_table = "rt-priv"

[[route_table]]
id = "rt-pub"
vpc = "vpc"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[route_table]]
id = "rt-priv"
vpc = "vpc"
routes = [ { destination = "0.0.0.0/0", target = "nat" } ]

[[internet_gateway]]
id = "igw"
vpc = "vpc"

[[nat_gateway]]
id = "nat"
subnet = "pub"
public_ip = "3.3.3.3"

[[instance]]
id = "app"
subnet = "priv"

[[traffic]]
id = "one"
from = "app"
to = "93.184.216.34"
port = 443
rate = "5/s"

[[traffic]]
id = "two"
from = "app"
to = "93.184.216.35"
port = 443
rate = "3/s"
"#;

#[test]
fn the_summary_shows_a_nat_gateway_s_mappings_and_its_busiest_destination() {
    let tmp = Scratch::new("nat-columns");
    let file = tmp.path("two.toml");
    std::fs::write(&file, TWO_DESTINATIONS).unwrap();
    let json = tmp.path("r.json");
    let out = vpcsim(&[
        "run",
        file.to_str().unwrap(),
        "--threads",
        "1",
        "--json",
        json.to_str().unwrap(),
    ]);
    let summary = String::from_utf8_lossy(&out.stdout).into_owned();
    let head = summary
        .lines()
        .find(|l| l.starts_with("gateway/endpoint"))
        .expect("the gateway table");
    let cols: Vec<&str> = head
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cols[cols.len() - 2..],
        ["mappings", "max/dest"],
        "{summary}"
    );
    let row: Vec<&str> = summary
        .lines()
        .find(|l| l.starts_with("nat "))
        .expect("the NAT gateway's row")
        .split_whitespace()
        .collect();
    let (mappings, busiest): (u64, u64) = (
        row[row.len() - 2].parse().unwrap(),
        row[row.len() - 1].parse().unwrap(),
    );
    let report: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let nat = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "nat")
        .expect("the NAT gateway")["nat"]
        .clone();
    assert_eq!(nat["ports_in_use"], mappings, "{summary}");
    assert_eq!(nat["busiest_destination_ports"], busiest, "{summary}");
    assert!(
        busiest < mappings,
        "two destinations share the mappings: {summary}"
    );
}

#[test]
fn a_cost_of_nothing_is_zero_not_negative_zero() {
    let tmp = Scratch::new("zero-cost");
    let file = tmp.path("two.toml");
    std::fs::write(&file, TWO_DESTINATIONS).unwrap();
    let json = tmp.path("r.json");
    vpcsim(&[
        "run",
        file.to_str().unwrap(),
        "--quiet",
        "--json",
        json.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&json).unwrap();
    assert!(
        !text.contains("-0.0") && !text.contains("-0,"),
        "a negative zero"
    );
    let report: Value = serde_json::from_str(&text).unwrap();
    let idle = report["cost"]["by_vpc"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["vpc"] == "idle")
        .expect("the idle VPC")
        .clone();
    for k in ["usd", "monthly_usd"] {
        let x = idle[k].as_f64().unwrap();
        assert!(x == 0.0 && x.is_sign_positive(), "{k}: {x:?}");
    }
}
