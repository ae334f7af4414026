//! Lambda execution environments: a cold start for each new one (LAM-7),
//! warm reuse of idle ones and their expiry (LAM-8), the concurrency limit
//! with throttled invocations (LAM-9), and the function timeout (LAM-10).

use std::sync::Arc;

use vpcsim::model::load_str;
use vpcsim::sim::metrics::TrafficMetrics;
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;

/// A function outside any VPC calling an internet host, over fixed delays
/// so that every warm invocation takes the same time. `lambda` is the
/// `[[lambda]]` body after its id (line 13), `traffic` the `[[traffic]]`
/// tables.
fn design(internet: &str, lambda: &str, traffic: &str) -> String {
    format!(
        r#"
[scenario]
name = "lambda environments"
seed = 5
duration = "700s"

[latency]
internet = "{internet}"
aws_service = "1ms"

[[lambda]]
id = "fn"
{lambda}

[[external_host]]
id = "api"
ip = "198.51.100.25"
listen = [ {{ protocol = "tcp", port = 443 }} ]

{traffic}
"#
    )
}

fn run(text: &str) -> Vec<TrafficMetrics> {
    let loaded = load_str("lambda.toml", text).expect("the design loads");
    let n = loaded.design.traffic.len();
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    (0..n).map(|i| out.metrics.traffic[i].clone()).collect()
}

fn failures(m: &TrafficMetrics, cause: Cause) -> u64 {
    m.failures
        .iter()
        .filter(|((c, _), _)| *c == cause)
        .map(|(_, n)| *n)
        .sum()
}

const SEQUENTIAL: &str = r#"
[[traffic]]
id = "calls"
from = "fn"
to = "api"
port = 443
rate = "1/s"
arrivals = "fixed"
stop = "5s"
"#;

#[test]
fn lam_7_a_cold_start_adds_the_init_duration_to_the_first_invocation_only() {
    let m = &run(&design("10ms", "init_duration = \"400ms\"", SEQUENTIAL))[0];
    assert_eq!(m.delivered, 5, "{:?}", m.failures);
    assert_eq!((m.invocations, m.cold_starts), (5, 1));
    let c = m.completion();
    let (min, p50, max) = (c.min(), c.value_at_quantile(0.5), c.max());
    // Four warm invocations take the same time; the cold one 400 ms more.
    assert!(c.equivalent(min, p50), "{min} {p50}");
    let extra = c.median_equivalent(max) as i64 - c.median_equivalent(min) as i64;
    assert!((extra - 400_000).abs() < 1_000, "cold - warm = {extra} us");

    // Without an init duration, the first invocation is as fast as the rest.
    let m = &run(&design("10ms", "init_duration = \"0s\"", SEQUENTIAL))[0];
    assert_eq!((m.invocations, m.cold_starts), (5, 1));
    let c = m.completion();
    assert!(c.equivalent(c.min(), c.max()), "{} {}", c.min(), c.max());
}

#[test]
fn lam_8_an_idle_environment_is_reused_until_lambda_lets_it_go() {
    // One invocation at 0 s (cold), one at 200 s (the idle environment,
    // warm), one at 600 s (idle 400 s, past the 300 s it is kept: cold).
    let traffic = [("0s", "1s"), ("200s", "201s"), ("600s", "601s")]
        .iter()
        .enumerate()
        .map(|(i, (start, stop))| {
            format!(
                "[[traffic]]\nid = \"t{i}\"\nfrom = \"fn\"\nto = \"api\"\nport = 443\nrate = \"1/s\"\narrivals = \"fixed\"\nstart = \"{start}\"\nstop = \"{stop}\"\n"
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let ms = run(&design("10ms", "", &traffic));
    let got: Vec<(u64, u64, u64)> = ms
        .iter()
        .map(|m| (m.delivered, m.invocations, m.cold_starts))
        .collect();
    assert_eq!(got, [(1, 1, 1), (1, 1, 0), (1, 1, 1)]);
    // The warm invocation is 250 ms (the default init duration) faster.
    let cold = ms[0].completion().max();
    let warm = ms[1].completion().max();
    let extra = cold as i64 - warm as i64;
    assert!((extra - 250_000).abs() < 1_000, "cold - warm = {extra} us");
}

#[test]
fn lam_9_invocations_beyond_the_concurrency_limit_are_throttled() {
    // Each call takes about 400 ms (two round trips of 200 ms); 100 calls a
    // second would need about 40 environments, and the function has 5.
    let traffic = r#"
[[traffic]]
id = "burst"
from = "fn"
to = "api"
port = 443
rate = "100/s"
arrivals = "fixed"
stop = "3s"
"#;
    let m = &run(&design("100ms", "concurrency = 5", traffic))[0];
    let throttled = failures(m, Cause::Throttled);
    assert!(throttled > 200, "{:?}", m.failures);
    assert_eq!(m.failed, throttled, "{:?}", m.failures);
    assert!(m.delivered > 20, "{}", m.delivered);
    // Every invocation that was not throttled ran in one of five
    // environments, each started cold once and then reused.
    assert_eq!(m.invocations, m.started - throttled);
    assert_eq!(m.cold_starts, 5);

    // With room for all of them, none is throttled.
    let m = &run(&design("100ms", "concurrency = 1000", traffic))[0];
    assert_eq!(failures(m, Cause::Throttled), 0, "{:?}", m.failures);
    assert_eq!(m.delivered, m.started);
}

#[test]
fn lam_10_an_invocation_still_running_at_the_function_timeout_is_ended() {
    // A call takes two round trips of 600 ms: 1.2 s, more than a 1 s
    // function timeout and less than the 3 s default.
    let m = &run(&design("300ms", "timeout = \"1s\"", SEQUENTIAL))[0];
    assert_eq!(m.delivered, 0);
    assert_eq!(failures(m, Cause::FunctionTimeout), 5, "{:?}", m.failures);
    // A timed-out environment is reset: every invocation starts cold.
    assert_eq!(m.cold_starts, 5);

    // With the default 3 s, all are delivered. The first (cold) call ends
    // at 1.45 s, after the second arrived: that one starts a second
    // environment; the other three reuse the two.
    let m = &run(&design("300ms", "", SEQUENTIAL))[0];
    assert_eq!(m.delivered, 5, "{:?}", m.failures);
    assert_eq!(m.cold_starts, 2);
}

#[test]
fn lam_10_function_settings_lambda_refuses_are_errors() {
    for (body, msg) in [
        (
            "timeout = \"1500ms\"",
            "`timeout` must be whole seconds from 1s to 900s",
        ),
        (
            "timeout = \"901s\"",
            "`timeout` must be whole seconds from 1s to 900s",
        ),
        (
            "init_duration = \"11s\"",
            "`init_duration` must be at most 10s",
        ),
    ] {
        let text = design("10ms", body, SEQUENTIAL);
        let Err(report) = load_str("lambda.toml", &text) else {
            panic!("{body} loads");
        };
        let shown = report.to_string();
        assert!(shown.contains(msg), "{body}: {shown}");
        assert!(
            shown.contains("lambda.toml:13:"),
            "{body}: located: {shown}"
        );
    }
}
