//! `hopcount` runs each hop loop and delivers every packet of it.

use std::process::Command;

fn hopcount(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hopcount"))
        .args(args)
        .output()
        .expect("hopcount runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

#[test]
fn every_loop_delivers_its_256_packets_a_round() {
    assert_eq!(hopcount(&["subnet", "2", "1460"]), (0, "512".into()));
    assert_eq!(hopcount(&["lambda", "2", "0"]), (0, "512".into()));
    // Each round's SYNs come 61 s after the last: new flows on both sides.
    assert_eq!(hopcount(&["new_flow", "3", "0"]), (0, "768".into()));
}

#[test]
fn new_flows_carry_no_payload_and_unknown_loops_are_refused() {
    assert_eq!(hopcount(&["new_flow", "1", "100"]).0, 2);
    assert_eq!(hopcount(&["elsewhere", "1", "0"]).0, 2);
    assert_eq!(hopcount(&["subnet", "1", "9000"]).0, 2);
}
