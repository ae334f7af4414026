//! The terminal summary of a run.

use std::fmt::Write as _;

use crate::dataplane::{Network, Place};
use crate::model::Component;
use crate::report::metrics::Metrics;

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// A summary table of traffic and components, within 100 columns.
pub fn render(net: &Network, m: &Metrics, seed: u64) -> String {
    let d = &*net.design;
    let mut s = String::new();
    let _ = writeln!(s, "{}", d.name);
    let _ = writeln!(
        s,
        "seed {seed}, {} of virtual time, {} events, {} packet hops\n",
        d.duration, m.events, m.packet_hops
    );
    let w = d
        .traffic
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        s,
        "{:<w$}  {:>8}  {:>9}  {:>7}  {:>6}  {:>9}  {:>9}  {:>6}",
        "traffic", "started", "delivered", "failed", "unfin", "p50 ms", "p99 ms", "retx"
    );
    for (i, t) in d.traffic.iter().enumerate() {
        let tm = &m.traffic[i];
        let decided = tm.delivered + tm.failed;
        let share = if decided == 0 {
            "-".to_string()
        } else {
            format!("{:.1}%", tm.delivered as f64 * 100.0 / decided as f64)
        };
        let (p50, p99) = if tm.completion.is_empty() {
            ("-".to_string(), "-".to_string())
        } else {
            (
                ms(tm.completion.value_at_quantile(0.5)),
                ms(tm.completion.value_at_quantile(0.99)),
            )
        };
        let _ = writeln!(
            s,
            "{:<w$}  {:>8}  {:>9}  {:>7}  {:>6}  {:>9}  {:>9}  {:>6}",
            t.name, tm.started, share, tm.failed, tm.unfinished, p50, p99, tm.retransmissions
        );
        for ((cause, place), n) in &tm.failures {
            let at = place.map_or(String::new(), |p| format!(" at {}", net.place_name(p).0));
            let _ = writeln!(s, "{:<w$}    failed: {n} {}{at}", "", cause.name());
        }
    }
    let gateways: Vec<(&Place, _)> = m
        .components
        .iter()
        .filter(|(p, _)| matches!(p, Place::Component(_)))
        .collect();
    if !gateways.is_empty() {
        let _ = writeln!(s);
        let w = gateways
            .iter()
            .map(|(p, _)| net.place_name(**p).0.len())
            .max()
            .unwrap_or(9)
            .max(9);
        let _ = writeln!(
            s,
            "{:<w$}  {:<16}  {:>10}  {:>12}  {:>10}",
            "component", "kind", "packets", "bytes", "peak conns"
        );
        for (p, c) in gateways {
            let (name, kind) = net.place_name(*p);
            let peak = match p {
                Place::Component(Component::Nat(n)) => m
                    .nat_peak
                    .get(n.idx())
                    .map_or("-".to_string(), |p| p.to_string()),
                _ => "-".to_string(),
            };
            let _ = writeln!(
                s,
                "{name:<w$}  {kind:<16}  {:>10}  {:>12}  {peak:>10}",
                c.packets, c.bytes
            );
        }
    }
    if !m.drops.is_empty() {
        let _ = writeln!(s, "\ndrops");
        for ((r, p), n) in &m.drops {
            let _ = writeln!(s, "  {n:>8}  {r} at {}", net.place_name(*p).0);
        }
    }
    s
}
