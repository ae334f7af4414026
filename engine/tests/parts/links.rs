//! Links with jitter and loss (LAT-2, LAT-3), seen from whole runs.

use std::sync::Arc;

use vpcsim::dataplane::Place;
use vpcsim::model::{DropReason, load_str};
use vpcsim::sim::{self, RunOptions};

fn design(latency: &str) -> String {
    format!(
        r#"
[scenario]
name = "two instances in one AZ"
duration = "10s"
seed = 5

{latency}

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
ingress = [ {{ protocol = "tcp", ports = "8080", cidr = "10.0.0.0/16" }} ]

[[instance]]
id = "client"
subnet = "a"
security_groups = ["sg"]

[[instance]]
id = "server"
subnet = "a"
security_groups = ["sg"]
listen = [ {{ protocol = "tcp", port = 8080 }} ]

[[traffic]]
id = "calls"
from = "client"
to = "server"
port = 8080
rate = "200/s"
request = "200B"
response = "2KiB"
"#
    )
}

fn completion_p50_p99(latency: &str, threads: usize) -> (u64, u64, u64) {
    let loaded = load_str("calls.toml", &design(latency)).expect("the design loads");
    let opts = RunOptions {
        threads,
        ..RunOptions::default()
    };
    let out = sim::run(Arc::new(loaded.design), &opts);
    let m = &out.metrics.traffic[0];
    assert_eq!(m.failed, 0, "{:?}", m.failures);
    let h = m.completion();
    (
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.99),
        m.delivered,
    )
}

/// LAT-2: with the default distributions, request latencies spread (p50
/// below p99); a single value per class keeps today's fixed delays, and
/// every request of the same size takes the same time.
#[test]
fn lat_2_default_jitter_spreads_latency_and_fixed_values_do_not() {
    let (p50, p99, n) = completion_p50_p99("", 1);
    assert!(n > 1_500, "{n} delivered");
    assert!(p50 < p99, "jitter: p50 {p50} us, p99 {p99} us");
    let fixed = "[latency]\nsame_az = \"50us\"\n";
    let (p50, p99, _) = completion_p50_p99(fixed, 1);
    assert_eq!(p50, p99, "a fixed delay has no jitter");
}

/// LAT-2: the draws are the same whatever the number of threads.
#[test]
fn lat_2_jitter_is_the_same_for_every_thread_count() {
    assert_eq!(completion_p50_p99("", 1), completion_p50_p99("", 2));
}

/// LAT-2: a distribution needs min < p50 < p99; otherwise a located error.
#[test]
fn lat_2_a_distribution_out_of_order_is_a_located_error() {
    let bad = "[latency]\ncross_az = { min = \"500us\", p50 = \"400us\", p99 = \"900us\" }\n";
    let err = load_str("calls.toml", &design(bad))
        .map(|_| ())
        .expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("calls.toml:8"), "{text}");
    assert!(text.contains("min < p50 < p99"), "{text}");
    let bad = "[latency]\ninternet_loss = \"120%\"\n";
    let err = load_str("calls.toml", &design(bad))
        .map(|_| ())
        .expect_err("refused");
    assert!(err.to_string().contains("below 100%"), "{err}");
}

/// LAT-3: the shipped lossy-path scenario loses packets at the internet as
/// `link_loss`, and TCP still delivers every download.
#[test]
fn lat_3_internet_loss_drops_as_link_loss_and_tcp_recovers() {
    let text = include_str!("../../../scenarios/drop-link_loss.toml");
    let loaded = load_str("drop-link_loss.toml", text).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let m = &out.metrics.traffic[0];
    let lost = m
        .drops
        .get(&(DropReason::LinkLoss, Place::Internet))
        .copied()
        .unwrap_or(0);
    assert!(lost > 0, "{:?}", m.drops);
    assert_eq!(m.drops.values().sum::<u64>(), lost, "{:?}", m.drops);
    assert!(m.retransmissions > 0);
    assert_eq!(m.delivered, m.started, "{:?}", m.failures);
}

/// LAT-2: the draws come from the run's seed: another seed draws other
/// delays (another spread of latencies), the same seed the same ones.
#[test]
fn lat_2_jitter_is_drawn_from_the_runs_seed() {
    let run = |seed: &str| {
        let text = design("").replace("seed = 5", seed);
        let loaded = load_str("calls.toml", &text).expect("the design loads");
        let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
        let h = out.metrics.traffic[0].completion();
        (
            h.value_at_quantile(0.5),
            h.value_at_quantile(0.99),
            h.mean(),
        )
    };
    assert_eq!(run("seed = 5"), run("seed = 5"));
    assert_ne!(run("seed = 5"), run("seed = 6"));
}

/// LAT-3: a VPN path's `loss` drops packets as `link_loss` at the
/// on-premises network, and TCP recovers them: the office's calls over
/// the VPN gateway to the interface endpoint all complete.
#[test]
fn lat_3_vpn_loss_drops_at_the_onprem_network_and_tcp_recovers() {
    let text = include_str!("../../../scenarios/office-vpn-endpoint.toml");
    let text = text.replace("latency = \"8ms\"", "latency = \"8ms\"\nloss = \"2%\"");
    let loaded = load_str("office-vpn-endpoint.toml", &text).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let m = &out.metrics.traffic[0];
    let lost: u64 = m
        .drops
        .iter()
        .filter(|((r, p), _)| *r == DropReason::LinkLoss && matches!(p, Place::Onprem(_)))
        .map(|(_, n)| *n)
        .sum();
    assert!(lost > 0, "{:?}", m.drops);
    assert_eq!(m.drops.values().sum::<u64>(), lost, "{:?}", m.drops);
    assert!(m.retransmissions > 0);
    assert_eq!(m.delivered + m.unfinished, m.started, "{:?}", m.failures);
    // Without the loss, nothing is dropped on that path.
    let clean = load_str(
        "office-vpn-endpoint.toml",
        include_str!("../../../scenarios/office-vpn-endpoint.toml"),
    )
    .expect("the design loads");
    let out = sim::run(Arc::new(clean.design), &RunOptions::default());
    assert!(out.metrics.traffic[0].drops.is_empty());
}

/// LAT-1: each link class has its own default distribution. A call
/// within an AZ and one across AZs (the server moved to another AZ of the
/// same design) take the two round trips of a handshake and a request:
/// four one-way delays of their class, never under four minimums, their
/// median between four minimums and four 99th percentiles.
#[test]
fn lat_1_each_link_class_draws_from_its_own_default_distribution() {
    let defaults = vpcsim::model::Latency::default();
    let us = |d: vpcsim::units::Nanos| d.0 / 1_000;
    let classes = [
        (defaults.same_az, (40, 50, 120)),
        (defaults.cross_az, (300, 400, 900)),
        (defaults.aws_service, (800, 1_000, 2_500)),
        (defaults.internet, (12_000, 15_000, 30_000)),
        (defaults.vpn, (8_000, 10_000, 20_000)),
    ];
    for (d, want) in classes {
        assert_eq!((us(d.min), us(d.p50), us(d.p99)), want);
    }
    let cross_az = design("")
        .replace(
            "[[security_group]]",
            "[[subnet]]\nid = \"b\"\nvpc = \"v\"\ncidr = \"10.0.2.0/24\"\naz = \"us-east-1b\"\n\n[[security_group]]",
        )
        .replace("id = \"server\"\nsubnet = \"a\"", "id = \"server\"\nsubnet = \"b\"");
    for (text, class) in [
        (design(""), defaults.same_az),
        (cross_az, defaults.cross_az),
    ] {
        let loaded = load_str("calls.toml", &text).expect("the design loads");
        let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
        let m = &out.metrics.traffic[0];
        assert_eq!(m.failed, 0, "{:?}", m.failures);
        let h = m.completion();
        let (lo, hi) = (4 * us(class.min), 4 * us(class.p99));
        assert!(h.min() >= lo, "{} us under {lo}", h.min());
        let p50 = h.value_at_quantile(0.5);
        assert!((lo..hi).contains(&p50), "p50 {p50} us, not in {lo}..{hi}");
    }
}
