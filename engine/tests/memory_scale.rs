//! Memory grows with the design, not with (logical processes x design).
//!
//! A run has one logical process per VPC and one for the outside; each keeps
//! only what moves with its packets, while the configuration (routes, rules,
//! compiled tables) is shared and per-traffic state is made only where the
//! traffic has endpoints or records. A counting allocator measures the most
//! heap held at once during runs of growing designs (`bench/scripts/
//! gen-scale.py` writes the same files, for measuring whole processes). The
//! figures are allocation counts of one thread, the same on every run.

use std::sync::Arc;

use peak_alloc::PeakAlloc;
use vpcsim::model::load_str;
use vpcsim::sim::{self, RunOptions};

#[global_allocator]
static HEAP: PeakAlloc = PeakAlloc;

/// `vpcs` VPCs of one subnet and two instances each, with `per_vpc` pings
/// a second between the two, for 2 s.
fn design(vpcs: usize, per_vpc: usize) -> String {
    let mut s = String::from(
        "[scenario]\nname = \"scale\"\nseed = 1\nduration = \"2s\"\nregion = \"us-east-1\"\n\n",
    );
    for i in 0..vpcs {
        let net = format!("10.{}.{}", i / 256, i % 256);
        s += &format!(
            "[[vpc]]\nid = \"v{i}\"\ncidrs = [\"{net}.0/24\"]\n\n\
             [[subnet]]\nid = \"s{i}\"\nvpc = \"v{i}\"\ncidr = \"{net}.0/25\"\naz = \"us-east-1a\"\n\n\
             [[instance]]\nid = \"a{i}\"\nsubnet = \"s{i}\"\n\n\
             [[instance]]\nid = \"b{i}\"\nsubnet = \"s{i}\"\n\n"
        );
        for t in 0..per_vpc {
            s += &format!(
                "[[traffic]]\nid = \"p{i}-{t}\"\nfrom = \"a{i}\"\nto = \"b{i}\"\n\
                 pattern = \"ping\"\nrate = \"1/s\"\n\n"
            );
        }
    }
    s
}

/// The most heap held at once while the design runs on one thread, beyond
/// what was held before (the loaded design itself included).
fn peak_of_run(vpcs: usize, per_vpc: usize) -> usize {
    let Ok(loaded) = load_str("scale.toml", &design(vpcs, per_vpc)) else {
        panic!("the generated design of {vpcs} VPCs does not load");
    };
    let d = Arc::new(loaded.design);
    let before = HEAP.current_usage();
    HEAP.reset_peak_usage();
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let peak = HEAP.peak_usage();
    let started: u64 = out.metrics.traffic.iter().map(|t| t.started).sum();
    let delivered: u64 = out.metrics.traffic.iter().map(|t| t.delivered).sum();
    assert!(
        started as usize >= vpcs * per_vpc,
        "{started} pings started"
    );
    assert!(
        delivered as usize >= vpcs * per_vpc,
        "{delivered} of {started} answered"
    );
    assert_eq!(out.lps as usize, vpcs + 1, "one LP per VPC and the outside");
    peak - before
}

/// Bytes a run holds grow linearly in VPCs (one LP each), with a bounded
/// cost per VPC, and linearly in traffic generators, with a bounded cost
/// per traffic: not with (LPs x VPCs) or (LPs x traffic).
#[test]
fn run_memory_grows_linearly_in_vpcs_and_traffic() {
    // VPCs (and so LPs): 20 and 80.
    let small = peak_of_run(20, 1);
    let large = peak_of_run(80, 1);
    let per_vpc = (large - small) / 60;
    eprintln!("VPCs: 20 -> {small} bytes, 80 -> {large} bytes, {per_vpc} per VPC");
    assert!(
        large <= small * 5,
        "4x the VPCs took {large} bytes against {small}: more than linear"
    );
    assert!(per_vpc <= 200_000, "{per_vpc} bytes per VPC");

    // Traffic generators in 4 VPCs: 400 and 1,600.
    let small = peak_of_run(4, 100);
    let large = peak_of_run(4, 400);
    let per_traffic = (large - small) / 1200;
    eprintln!("traffic: 400 -> {small} bytes, 1600 -> {large} bytes, {per_traffic} per traffic");
    assert!(
        large <= small * 5,
        "4x the traffic took {large} bytes against {small}: more than linear"
    );
    assert!(per_traffic <= 8_000, "{per_traffic} bytes per traffic");
}
