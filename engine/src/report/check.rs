//! `check`: every `[[expect]]` of a scenario against what the run measured.

use crate::dataplane::Network;
use crate::model::Design;
use crate::scenario::raw::{Amount, Cmp, Delivered};
use crate::sim::metrics::{ExpectState, Metrics};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub line: usize,
    pub traffic: String,
    /// The window the expectation covers, in words (`[0s, 30s]`, `the
    /// whole run`).
    pub window: String,
    pub ok: bool,
    /// One line per stated property: what was expected, what happened.
    pub details: Vec<String>,
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

/// Evaluates every expectation of the design.
pub fn evaluate(net: &Network, m: &Metrics) -> Vec<Outcome> {
    let d = &*net.design;
    let mut out = Vec::new();
    for (i, e) in d.expects.iter().enumerate() {
        let st = &m.expects[i];
        let mut ok = true;
        let mut details = Vec::new();
        let decided = st.delivered + st.failed;
        if decided == 0 {
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
        out.push(Outcome {
            line: e.line,
            traffic: d.traffic[e.traffic.idx()].name.clone(),
            window: window_text(d, i),
            ok,
            details,
        });
    }
    out
}
