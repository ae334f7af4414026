//! FL-6: flow logs count IP packets and their IP lengths, a fragment as a
//! packet of its datagram's flow; checked on the shipped scenario of large
//! UDP datagrams through a NAT gateway against a hand computation.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// One record of the default format (FL-1): interface, ports, packets,
/// bytes.
struct Record {
    interface: String,
    srcport: String,
    dstport: String,
    packets: u64,
    bytes: u64,
}

fn flow_log() -> Vec<Record> {
    let dir = std::env::temp_dir().join(format!("vpcsim-fl6-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("flows.log");
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .args([
            "check",
            "scenarios/udp-nat-large-datagram.toml",
            "--flow-logs",
            path.to_str().expect("utf-8"),
        ])
        .current_dir(repo())
        .output()
        .expect("vpcsim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).expect("the flow log");
    let _ = std::fs::remove_dir_all(&dir);
    text.lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            Record {
                interface: f[2].to_string(),
                srcport: f[5].to_string(),
                dstport: f[6].to_string(),
                packets: f[8].parse().expect("packets"),
                bytes: f[9].parse().expect("bytes"),
            }
        })
        .collect()
}

#[test]
fn fl_6_packets_and_bytes_of_large_datagrams_and_their_fragments() {
    let records = flow_log();
    let of =
        |eni: &str| -> Vec<&Record> { records.iter().filter(|r| r.interface == eni).collect() };
    // `app` sends 4,000-byte datagrams: 8 bytes of UDP header and 20 of
    // IPv4, one 4,028-byte packet each in its 9001-byte VPC.
    let app = of("app");
    assert_eq!(app.len(), 1, "one flow");
    let n = app[0].packets;
    assert!(n > 100, "{n} datagrams");
    assert_eq!(app[0].bytes, 4028 * n);
    assert_eq!(app[0].dstport, "8125");
    // `batcher` sends 12,000-byte datagrams (12,028 as one packet), more
    // than its 9001-byte interface: a first fragment of 20 + 8,976 bytes
    // (the largest multiple of 8 that fits) and a last one of 20 + 3,032.
    // Both count in the one flow, the later fragment with its first's
    // ports.
    let batcher = of("batcher");
    assert_eq!(batcher.len(), 1, "one flow, no record without ports");
    let m = batcher[0].packets / 2;
    assert!(m > 20, "{m} datagrams");
    assert_eq!(batcher[0].packets, 2 * m);
    assert_eq!(batcher[0].bytes, (8996 + 3052) * m);
    assert_eq!(batcher[0].dstport, "8125");
    // The NAT gateway's ENI sees each datagram arrive and leave as it came:
    // the internet gateway cuts them to 1500 bytes only beyond it. Two
    // flows each way, translated on the way out, the same counts.
    let nat = of("nat-a-eni");
    assert_eq!(nat.len(), 4);
    assert!(nat.iter().all(|r| r.srcport != "0" && r.dstport == "8125"));
    let mut sizes: Vec<(u64, u64)> = nat.iter().map(|r| (r.packets, r.bytes)).collect();
    sizes.sort_unstable();
    let mut want = vec![
        (n, 4028 * n),
        (n, 4028 * n),
        (2 * m, 12048 * m),
        (2 * m, 12048 * m),
    ];
    want.sort_unstable();
    assert_eq!(sizes, want);
}
