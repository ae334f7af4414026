//! `check`: every `[[expect]]` of a scenario against what the run measured.

use crate::dataplane::Network;
use crate::model::Component;
use crate::model::Design;
use crate::report::cost::Estimate;
use crate::scenario::bound::{Bound, Measure};
use crate::scenario::raw::{Amount, Cmp, Delivered};
use crate::sim::metrics::{ExpectState, Metrics};
use crate::units::Nanos;

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub line: usize,
    /// The traffic's id; empty for an expectation on a component or the
    /// cost alone.
    pub traffic: String,
    /// What the expectation speaks of, in words: "traffic `web`",
    /// "component `nat-a`", "the design".
    pub subject: String,
    /// The window the expectation covers, in words (`[0s, 30s]`, `the
    /// whole run`).
    pub window: String,
    pub ok: bool,
    /// One line per stated property: what was expected, what happened.
    pub details: Vec<String>,
    /// The numeric bounds, each against what was measured.
    pub bounds: Vec<BoundResult>,
}

/// A numeric bound against what the run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundResult {
    pub measure: Measure,
    /// The bound as written: `< 40ms`.
    pub expected: String,
    /// The measured value in the measure's base unit (nanoseconds, bits per
    /// second, a count, a percentage, bytes, dollars); none when nothing
    /// could be measured (no flow delivered in the window).
    pub actual: Option<f64>,
    /// The measured value in the bound's unit, or why there is none.
    pub actual_text: String,
    pub ok: bool,
}

impl BoundResult {
    /// `p99: expected < 40ms, actual 12.3ms`.
    pub fn line(&self) -> String {
        format!(
            "{}: expected {}, actual {}",
            self.measure.key(),
            self.expected,
            self.actual_text
        )
    }
}

/// Why a bound has no measured value; shown as the actual value of the
/// bound (`none: nothing was decided`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unmeasured {
    /// `failed` flows of the window failed.
    #[error("none: no flow of the window was delivered ({failed} failed)")]
    NoDelivery { failed: u64 },
    #[error("none: the window lies after the end of the run")]
    WindowAfterEnd,
    #[error("none: not a NAT gateway")]
    NotANat,
    #[error("none: nothing was decided")]
    NothingDecided,
    #[error("none: more than 64 components are watched")]
    TooManyWatched,
    #[error("none: the cost was not estimated")]
    NotEstimated,
}

/// Measures what `b` bounds for expectation `i`.
fn measure(
    net: &Network,
    m: &Metrics,
    cost: Option<&Estimate>,
    i: usize,
    b: &Bound,
) -> Result<f64, Unmeasured> {
    let d = &*net.design;
    let e = &d.expects[i];
    let st = &m.expects[i];
    if let Some(q) = b.measure.quantile() {
        let h = st.latency();
        if h.is_empty() {
            return Err(Unmeasured::NoDelivery { failed: st.failed });
        }
        let us = if q >= 1.0 {
            h.max()
        } else {
            h.value_at_quantile(q)
        };
        return Ok(us as f64 * 1000.0);
    }
    // Over a window: the peaks in it; else the whole run's.
    let nat = |v: &Vec<u64>, second: bool| match (e.component, e.window) {
        (Some(Component::Nat(_)), Some(_)) => match m.window_nat_peaks.get(&(i as u32)) {
            Some(&(conns, ports)) => Ok(if second { ports } else { conns } as f64),
            None => Err(Unmeasured::WindowAfterEnd),
        },
        (Some(Component::Nat(n)), None) => Ok(v.get(n.idx()).copied().unwrap_or(0) as f64),
        _ => Err(Unmeasured::NotANat),
    };
    match b.measure {
        Measure::Throughput => {
            let (a, z) = e.window.unwrap_or((Nanos::ZERO, m.end));
            let secs = (z.min(m.end).0.saturating_sub(a.0)) as f64 / 1e9;
            if secs <= 0.0 {
                return Err(Unmeasured::WindowAfterEnd);
            }
            Ok(st.bytes_delivered as f64 * 8.0 / secs)
        }
        Measure::Failures if b.share => {
            let decided = st.delivered + st.failed;
            if decided == 0 {
                return Err(Unmeasured::NothingDecided);
            }
            Ok(st.failed as f64 * 100.0 / decided as f64)
        }
        Measure::Failures => Ok(st.failed as f64),
        Measure::Retransmissions => Ok(st.retransmissions as f64),
        Measure::NatPorts => nat(&m.nat_peak_ports, true),
        Measure::NatConnections => nat(&m.nat_peak, false),
        Measure::Bytes => {
            let slot = crate::sim::Watch::new(d)
                .bytes_slots
                .get(i)
                .copied()
                .flatten();
            match slot {
                Some(s) => Ok(m.watched_bytes.get(s).copied().unwrap_or(0) as f64),
                None => Err(Unmeasured::TooManyWatched),
            }
        }
        Measure::CostPerMonth => match (cost, e.window) {
            (Some(c), None) => Ok(c.monthly_usd),
            (Some(c), Some(w)) => match c.windows.iter().find(|x| x.0 == w) {
                Some(x) if w.0 < m.end => Ok(x.1),
                _ => Err(Unmeasured::WindowAfterEnd),
            },
            (None, _) => Err(Unmeasured::NotEstimated),
        },
        Measure::P50 | Measure::P90 | Measure::P95 | Measure::P99 | Measure::Max => {
            unreachable!("latency is measured above")
        }
    }
}

fn window_text(d: &Design, i: usize) -> String {
    match d.expects[i].window {
        Some((a, b)) => format!("[{a}, {b}]"),
        None => "the whole run".to_string(),
    }
}

fn delivered_ok(spec: &Delivered, st: &ExpectState) -> (bool, String) {
    let decided = st.delivered + st.failed;
    let share = if decided == 0 {
        0.0
    } else {
        st.delivered as f64 * 100.0 / decided as f64
    };
    let actual = format!(
        "{share:.1}% ({} of {decided} decided; {} unfinished)",
        st.delivered, st.unfinished
    );
    let (ok, want) = match spec.amount {
        Amount::Percent(p) => {
            let ok = match spec.cmp {
                Cmp::Eq => (share - p).abs() < 1e-9,
                Cmp::AtLeast => share + 1e-9 >= p,
                Cmp::AtMost => share <= p + 1e-9,
            };
            (ok, format!("{p}%"))
        }
        Amount::Count(n) => {
            let ok = match spec.cmp {
                Cmp::Eq => st.delivered == n,
                Cmp::AtLeast => st.delivered >= n,
                Cmp::AtMost => st.delivered <= n,
            };
            (ok, n.to_string())
        }
    };
    let cmp = match spec.cmp {
        Cmp::Eq => "",
        Cmp::AtLeast => ">= ",
        Cmp::AtMost => "<= ",
    };
    (
        ok,
        format!("delivered: expected {cmp}{want}, actual {actual}"),
    )
}

/// Evaluates every expectation of the design; `cost`, the run's cost
/// estimate, for `cost_per_month`.
pub fn evaluate(net: &Network, m: &Metrics, cost: Option<&Estimate>) -> Vec<Outcome> {
    let d = &*net.design;
    let mut out = Vec::new();
    for (i, e) in d.expects.iter().enumerate() {
        let st = &m.expects[i];
        let mut ok = true;
        let mut details = Vec::new();
        let decided = st.delivered + st.failed;
        if decided == 0 && e.traffic.is_some() {
            ok = false;
            details.push(format!(
                "nothing was decided in {} ({} started, {} unfinished)",
                window_text(d, i),
                st.started,
                st.unfinished
            ));
        }
        if let Some(spec) = &e.delivered {
            let (good, text) = delivered_ok(spec, st);
            ok &= good;
            details.push(text);
        }
        let names = |cs: &[crate::model::Component]| -> String {
            cs.iter()
                .map(|c| d.name_of(*c).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !e.via.is_empty() {
            let good = st.path_packets > 0 && st.via_missed == 0;
            ok &= good;
            details.push(format!(
                "via [{}]: {} of {} packets towards the destination missed a listed component",
                names(&e.via),
                st.via_missed,
                st.path_packets
            ));
        }
        if !e.not_via.is_empty() {
            let good = st.path_packets > 0 && st.not_via_crossed == 0;
            ok &= good;
            details.push(format!(
                "not_via [{}]: {} of {} packets towards the destination crossed a listed component",
                names(&e.not_via),
                st.not_via_crossed,
                st.path_packets
            ));
        }
        if e.drop_reason.is_some() || e.drop_at.is_some() {
            let good = st.drops > 0 && st.drop_mismatch == 0;
            ok &= good;
            let want = format!(
                "{}{}",
                e.drop_reason
                    .map_or("any reason".to_string(), |r| r.name().to_string()),
                e.drop_at.map_or(String::new(), |at| match at {
                    crate::model::DropAt::Component(c) => format!(" at {}", d.name_of(c)),
                    crate::model::DropAt::Internet => " at internet".to_string(),
                })
            );
            details.push(format!(
                "drops: expected every drop to be {want}; {} drops, {} otherwise",
                st.drops, st.drop_mismatch
            ));
        }
        let mut bounds = Vec::new();
        for b in &e.bounds {
            let (actual, actual_text, good) = match measure(net, m, cost, i, b) {
                Ok(v) => (Some(v), b.measure.show(v, b.share), b.holds(v)),
                Err(why) => (None, why.to_string(), false),
            };
            ok &= good;
            let r = BoundResult {
                measure: b.measure,
                expected: b.expected(),
                actual,
                actual_text,
                ok: good,
            };
            details.push(r.line());
            bounds.push(r);
        }
        if !ok {
            let mut seen: Vec<_> = st.drops_seen.iter().collect();
            seen.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let top: Vec<String> = seen
                .iter()
                .take(3)
                .map(|((r, p), n)| format!("{r} at {} ({n})", net.place_name(*p).0))
                .collect();
            if !top.is_empty() {
                details.push(format!("top drops: {}", top.join(", ")));
            }
        }
        let traffic = e
            .traffic
            .map_or(String::new(), |t| d.traffic[t.idx()].name.clone());
        let subject = match (e.traffic, e.component) {
            (Some(_), _) => format!("traffic `{traffic}`"),
            (None, Some(c)) => format!("component `{}`", d.name_of(c)),
            (None, None) => "the design".to_string(),
        };
        out.push(Outcome {
            line: e.line,
            traffic,
            subject,
            window: window_text(d, i),
            ok,
            details,
            bounds,
        });
    }
    out
}
