//! Trimming captures: `--pcap-snaplen N` keeps at most N bytes of each
//! packet (the record still states the packet's full length), and
//! `--pcap-only ID,...` writes only those ENIs' and gateways' files; an id
//! with no capture is an error before the run.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_vpcsim"))
}

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lambda-private-nat.toml")
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

#[test]
fn snaplen_and_only_trim_the_captures() {
    let dir = std::env::temp_dir().join(format!("vpcsim-pcap-trim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin()
        .args(["run", "--quiet", "--threads", "1"])
        .arg(scenario())
        .arg("--pcap")
        .arg(&dir)
        .args([
            "--pcap-snaplen",
            "40",
            "--pcap-only",
            "nat-a,fetcher-private-a",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["fetcher-private-a.pcap", "nat-a.pcap"]);
    for n in &names {
        let b = std::fs::read(dir.join(n)).unwrap();
        assert_eq!(u32_at(&b, 16), 40, "{n}: the header's snap length");
        let (mut at, mut records, mut cut) = (24, 0, 0);
        while at < b.len() {
            let (incl, orig) = (u32_at(&b, at + 8), u32_at(&b, at + 12));
            assert!(
                incl <= 40 && incl <= orig,
                "{n}: record {records}: {incl} of {orig}"
            );
            cut += u64::from(incl < orig);
            at += 16 + incl as usize;
            records += 1;
        }
        assert_eq!(at, b.len(), "{n}: records end with the file");
        assert!(records > 0 && cut > 0, "{n}: {records} records, {cut} cut");
        // tshark reads the trimmed file, where it is installed.
        if let Ok(t) = Command::new("tshark").arg("-r").arg(dir.join(n)).output() {
            assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_id_with_no_capture_is_refused_before_the_run() {
    let dir = std::env::temp_dir().join(format!("vpcsim-pcap-only-{}", std::process::id()));
    let out = bin()
        .args(["run", "--quiet", "--threads", "1"])
        .arg(scenario())
        .arg("--pcap")
        .arg(&dir)
        .args(["--pcap-only", "nat-b"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`nat-b`") && err.contains("did you mean `nat-a`?"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
