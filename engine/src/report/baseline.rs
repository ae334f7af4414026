//! Baselines of `check`: the numbers a run measured, saved under a name
//! (`--save-baseline NAME`) and compared with a later run (`--baseline
//! NAME`), so that a change of the design or of vpcsim that makes a number
//! worse fails the check (`docs/baselines.md`).
//!
//! A baseline holds, for one scenario file, every traffic's headline
//! numbers (flows started, delivered, failed by cause, drops by reason,
//! retransmissions, completion time p50/p99/max, throughput), every
//! gateway's packets and bytes (and a NAT gateway's peaks), the design's
//! cost per month, and what every `[[expect]]` measured (its counts and the
//! actual value of each numeric bound). Each number has a direction: for
//! latency, failures, drops and cost a rise is worse; for deliveries and
//! throughput a fall is worse; for counts such as bytes and packets any
//! change beyond the tolerance is reported as changed, and fails too, since
//! runs are deterministic and such a change means the design behaves
//! differently.
//!
//! Numbers are listed in a fixed order (the design's), so the same run saves
//! the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::check::Outcome;
use super::cost::Estimate;
use crate::model::Component;
use crate::scenario::bound::Measure;
use crate::sim::parallel::Outcome as Run;

/// The version of the baseline file's form.
pub const BASELINE_VERSION: u32 = 1;

/// Where baselines are kept when `--baseline-dir` is not given: relative
/// to the working directory.
pub const DEFAULT_DIR: &str = ".vpcsim/baselines";

/// Which way a number gets worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// A rise is a regression (latency, failures, drops, cost).
    HigherIsWorse,
    /// A fall is a regression (deliveries, throughput).
    LowerIsWorse,
    /// Any change is reported (bytes, packets, flows started).
    Either,
}

/// The direction of a measure named in a baseline.
pub fn direction(measure: &str) -> Direction {
    let m = measure.strip_prefix("bound.").unwrap_or(measure);
    if m.starts_with("failures.") || m.starts_with("drops.") {
        return Direction::HigherIsWorse;
    }
    match m {
        "delivered" | "throughput_bps" | "throughput" => Direction::LowerIsWorse,
        "failed"
        | "unfinished"
        | "retransmissions"
        | "p50_us"
        | "p99_us"
        | "max_us"
        | "p50"
        | "p90"
        | "p95"
        | "p99"
        | "max"
        | "failures"
        | "failures_share"
        | "nat_ports"
        | "nat_connections"
        | "nat_peak_ports"
        | "nat_peak_connections"
        | "cost_per_month"
        | "cost_per_month_usd"
        | "via_missed"
        | "not_via_crossed"
        | "drop_mismatch" => Direction::HigherIsWorse,
        _ => Direction::Either,
    }
}

/// One measured number.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    /// What it is of: "traffic `web`", "gateway `nat-a`", "the design",
    /// "expectation traffic `web` over [0s, 30s]".
    pub subject: String,
    /// Which number, with its unit in the name where it has one:
    /// `p99_us`, `throughput_bps`, `failures.timeout`, `bound.p99`.
    pub measure: String,
    pub value: f64,
}

/// The numbers of one run of one scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    pub scenario: String,
    pub seed: u64,
    pub numbers: Vec<Number>,
}

/// Every number of the run worth keeping, in the design's order.
pub fn measure(
    scenario: &str,
    sim: &Run,
    cost: Option<&Estimate>,
    outcomes: &[Outcome],
) -> Baseline {
    let net = &sim.net;
    let d = &*net.design;
    let m = &sim.metrics;
    let mut numbers = Vec::new();
    let mut push = |subject: &str, measure: String, value: f64| {
        numbers.push(Number {
            subject: subject.to_string(),
            measure,
            value,
        })
    };
    let secs = m.end.as_secs_f64();
    for (i, t) in d.traffic.iter().enumerate() {
        let tm = &m.traffic[i];
        let s = format!("traffic `{}`", t.name);
        push(&s, "started".into(), tm.started as f64);
        push(&s, "delivered".into(), tm.delivered as f64);
        push(&s, "failed".into(), tm.failed as f64);
        push(&s, "unfinished".into(), tm.unfinished as f64);
        push(&s, "retransmissions".into(), tm.retransmissions as f64);
        let mut by_cause: BTreeMap<&str, u64> = BTreeMap::new();
        for ((cause, _), n) in &tm.failures {
            *by_cause.entry(cause.name()).or_default() += n;
        }
        for (cause, n) in by_cause {
            push(&s, format!("failures.{cause}"), n as f64);
        }
        let mut by_reason: BTreeMap<&str, u64> = BTreeMap::new();
        for ((reason, _), n) in &tm.drops {
            *by_reason.entry(reason.name()).or_default() += n;
        }
        for (reason, n) in by_reason {
            push(&s, format!("drops.{reason}"), n as f64);
        }
        let h = tm.completion();
        if !h.is_empty() {
            push(&s, "p50_us".into(), h.value_at_quantile(0.5) as f64);
            push(&s, "p99_us".into(), h.value_at_quantile(0.99) as f64);
            push(&s, "max_us".into(), h.max() as f64);
        }
        if secs > 0.0 {
            push(
                &s,
                "throughput_bps".into(),
                (tm.bytes_delivered as f64 * 8.0 / secs).round(),
            );
        }
    }
    for c in super::json::gateway_components(d) {
        let s = format!("gateway `{}`", d.name_of(c));
        let k = m
            .components
            .get(&crate::dataplane::Place::Component(c))
            .copied()
            .unwrap_or_default();
        push(&s, "packets".into(), k.packets as f64);
        push(&s, "bytes".into(), k.bytes as f64);
        if let Component::Nat(n) = c {
            let at = |v: &Vec<u64>| v.get(n.idx()).copied().unwrap_or(0) as f64;
            push(&s, "nat_peak_ports".into(), at(&m.nat_peak_ports));
            push(&s, "nat_peak_connections".into(), at(&m.nat_peak));
        }
    }
    if let Some(c) = cost {
        push(
            "the design",
            "cost_per_month_usd".into(),
            (c.monthly_usd * 100.0).round() / 100.0,
        );
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, o) in outcomes.iter().enumerate() {
        let base = format!("expectation {} over {}", o.subject, o.window);
        let n = seen.entry(base.clone()).or_default();
        *n += 1;
        let s = if *n > 1 { format!("{base} #{n}") } else { base };
        let st = &m.expects[i];
        push(&s, "delivered".into(), st.delivered as f64);
        push(&s, "failed".into(), st.failed as f64);
        push(&s, "unfinished".into(), st.unfinished as f64);
        push(&s, "path_packets".into(), st.path_packets as f64);
        push(&s, "via_missed".into(), st.via_missed as f64);
        push(&s, "not_via_crossed".into(), st.not_via_crossed as f64);
        push(&s, "drops".into(), st.drops as f64);
        push(&s, "drop_mismatch".into(), st.drop_mismatch as f64);
        for b in &o.bounds {
            if let Some(v) = b.actual {
                let key = if b.measure == Measure::Failures && b.expected.ends_with('%') {
                    "failures_share"
                } else {
                    b.measure.key()
                };
                push(&s, format!("bound.{key}"), v);
            }
        }
    }
    Baseline {
        scenario: scenario.to_string(),
        seed: sim.seed,
        numbers,
    }
}

/// The baseline as the JSON text that is saved.
pub fn to_text(b: &Baseline, name: &str) -> String {
    let numbers: Vec<Value> = b
        .numbers
        .iter()
        .map(|n| json!({"subject": n.subject, "measure": n.measure, "value": n.value}))
        .collect();
    let mut v = json!({
        "baseline_version": BASELINE_VERSION,
        "generator": {"name": "vpcsim", "version": env!("CARGO_PKG_VERSION")},
        "name": name,
        "scenario": b.scenario,
        "seed": b.seed,
        "numbers": numbers,
    });
    v.sort_all_objects();
    super::json::to_text(&v)
}

/// Why a baseline could not be named, read, saved or loaded; each says
/// which file and what was expected of it.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("not JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("not a baseline of version {BASELINE_VERSION} (`baseline_version` is {found})")]
    Version { found: Value },
    #[error("no `{field}` {kind}")]
    Missing {
        field: &'static str,
        kind: &'static str,
    },
    #[error("`numbers[{index}]` needs a `subject` and a `measure` string and a numeric `value`")]
    Number { index: usize },
    #[error("`{0}` cannot name a baseline: use letters, digits, `.`, `_` and `-`, e.g. `main`")]
    Name(String),
    #[error("`{0}` is not a tolerance: write a percentage of 0 or more, e.g. `10%`")]
    Tolerance(String),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "no baseline `{name}` for {scenario}: {} does not exist; save one with `vpcsim check --save-baseline {name}{dir_arg} {scenario}`",
        .path.display()
    )]
    NotSaved {
        name: String,
        scenario: String,
        path: PathBuf,
        /// ` --baseline-dir DIR` where the directory is not the default.
        dir_arg: String,
    },
    #[error("{}: {error}", .path.display())]
    InFile {
        path: PathBuf,
        error: Box<BaselineError>,
    },
    #[error("{}: the baseline is of {found}, not of {scenario}", .path.display())]
    OtherScenario {
        path: PathBuf,
        found: String,
        scenario: String,
    },
}

/// Reads a saved baseline's text.
pub fn from_text(text: &str) -> Result<Baseline, BaselineError> {
    let v: Value = serde_json::from_str(text).map_err(BaselineError::NotJson)?;
    let version = v.get("baseline_version").and_then(Value::as_u64);
    if version != Some(u64::from(BASELINE_VERSION)) {
        return Err(BaselineError::Version {
            found: v.get("baseline_version").cloned().unwrap_or(Value::Null),
        });
    }
    let scenario = v
        .get("scenario")
        .and_then(Value::as_str)
        .ok_or(BaselineError::Missing {
            field: "scenario",
            kind: "string",
        })?
        .to_string();
    let seed = v.get("seed").and_then(Value::as_u64).unwrap_or(0);
    let list = v
        .get("numbers")
        .and_then(Value::as_array)
        .ok_or(BaselineError::Missing {
            field: "numbers",
            kind: "array",
        })?;
    let mut numbers = Vec::with_capacity(list.len());
    for (i, n) in list.iter().enumerate() {
        let field = |k: &str| n.get(k).and_then(Value::as_str).map(str::to_string);
        match (
            field("subject"),
            field("measure"),
            n.get("value").and_then(Value::as_f64),
        ) {
            (Some(subject), Some(measure), Some(value)) => numbers.push(Number {
                subject,
                measure,
                value,
            }),
            _ => return Err(BaselineError::Number { index: i }),
        }
    }
    Ok(Baseline {
        scenario,
        seed,
        numbers,
    })
}

/// Whether `name` can name a baseline: a non-empty file name of
/// `[A-Za-z0-9._-]`, not `.` or `..`.
pub fn parse_name(name: &str) -> Result<String, BaselineError> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(name.to_string())
    } else {
        Err(BaselineError::Name(name.to_string()))
    }
}

/// A tolerance as a fraction: `10%`, `2.5%`, or `10` (a percentage).
pub fn parse_tolerance(s: &str) -> Result<f64, BaselineError> {
    let t = s.trim();
    let n = t.strip_suffix('%').unwrap_or(t).trim();
    match n.parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p / 100.0),
        _ => Err(BaselineError::Tolerance(s.to_string())),
    }
}

/// The file that keeps baseline `name` of `scenario` under `dir`:
/// `DIR/NAME/<the scenario path as given, made a file name>.json`.
pub fn path(dir: &Path, name: &str, scenario: &str) -> PathBuf {
    dir.join(name)
        .join(format!("{}.json", super::outfile::safe_name(scenario)))
}

/// Saves `b` as baseline `name` under `dir`, creating the directories.
pub fn save(dir: &Path, name: &str, b: &Baseline) -> Result<PathBuf, BaselineError> {
    let p = path(dir, name, &b.scenario);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).map_err(|source| BaselineError::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    super::outfile::write_whole(&p, to_text(b, name).as_bytes()).map_err(|source| {
        BaselineError::Io {
            path: p.clone(),
            source,
        }
    })?;
    Ok(p)
}

/// Loads baseline `name` of `scenario`; the error names the file and how to
/// create it.
pub fn load(dir: &Path, name: &str, scenario: &str) -> Result<Baseline, BaselineError> {
    let p = path(dir, name, scenario);
    let text = match std::fs::read_to_string(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let dir_arg = if dir == Path::new(DEFAULT_DIR) {
                String::new()
            } else {
                format!(" --baseline-dir {}", dir.display())
            };
            return Err(BaselineError::NotSaved {
                name: name.to_string(),
                scenario: scenario.to_string(),
                path: p,
                dir_arg,
            });
        }
        Err(source) => return Err(BaselineError::Io { path: p, source }),
    };
    let b = from_text(&text).map_err(|e| BaselineError::InFile {
        path: p.clone(),
        error: Box::new(e),
    })?;
    if b.scenario != scenario {
        return Err(BaselineError::OtherScenario {
            path: p,
            found: b.scenario,
            scenario: scenario.to_string(),
        });
    }
    Ok(b)
}

/// What became of one number of the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Worse beyond the tolerance.
    Regressed,
    /// A number without a better direction moved beyond the tolerance.
    Changed,
    /// Better beyond the tolerance.
    Improved,
    /// In the baseline, not measured by this run (a traffic or gateway
    /// removed or renamed, a latency with no delivered flow).
    Gone,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Changed => "changed",
            Verdict::Improved => "improved",
            Verdict::Gone => "gone",
        }
    }

    /// Whether the check fails for it.
    pub fn fails(self) -> bool {
        !matches!(self, Verdict::Improved)
    }
}

/// A number that moved beyond the tolerance, or is gone.
#[derive(Clone, Debug, PartialEq)]
pub struct Moved {
    pub subject: String,
    pub measure: String,
    pub old: f64,
    pub new: Option<f64>,
    pub verdict: Verdict,
}

impl Moved {
    /// The change in percent of the old value; none when the old value is
    /// 0 or the number is gone.
    pub fn change_percent(&self) -> Option<f64> {
        let new = self.new?;
        (self.old != 0.0).then(|| (new - self.old) * 100.0 / self.old.abs())
    }

    /// `traffic `web` p99_us: 1200 -> 1500 (+25.0%)`.
    pub fn text(&self) -> String {
        let change = match (self.new, self.change_percent()) {
            (None, _) => "not measured by this run".to_string(),
            (Some(_), Some(p)) => format!("{p:+.1}%"),
            (Some(_), None) => "from 0".to_string(),
        };
        format!(
            "{} {}: {} -> {} ({change})",
            self.subject,
            self.measure,
            show(self.old),
            self.new.map_or("none".to_string(), show),
        )
    }
}

/// A number as written in the text: integers without decimals.
fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A run compared with a baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub name: String,
    /// The tolerance, a fraction.
    pub tolerance: f64,
    /// Numbers of the baseline compared.
    pub compared: usize,
    /// Numbers this run measured that the baseline does not hold.
    pub added: usize,
    /// Numbers that moved beyond the tolerance or are gone, in the
    /// baseline's order.
    pub moved: Vec<Moved>,
}

impl Comparison {
    /// Numbers for which the check fails.
    pub fn failing(&self) -> impl Iterator<Item = &Moved> {
        self.moved.iter().filter(|m| m.verdict.fails())
    }

    /// The tolerance in percent, as written: `10`, `2.5`.
    pub fn tolerance_text(&self) -> String {
        show((self.tolerance * 100.0 * 1e6).round() / 1e6)
    }

    pub fn ok(&self) -> bool {
        self.failing().next().is_none()
    }

    fn count(&self, v: Verdict) -> usize {
        self.moved.iter().filter(|m| m.verdict == v).count()
    }

    /// `baseline `main` (tolerance 0%): 57 numbers, 1 regressed, 0 changed,
    /// 2 improved, 0 gone`.
    pub fn summary(&self) -> String {
        format!(
            "baseline `{}` (tolerance {}%): {} numbers, {} regressed, {} changed, {} improved, {} gone{}",
            self.name,
            self.tolerance_text(),
            self.compared,
            self.count(Verdict::Regressed),
            self.count(Verdict::Changed),
            self.count(Verdict::Improved),
            self.count(Verdict::Gone),
            if self.added > 0 {
                format!(", {} new (not compared)", self.added)
            } else {
                String::new()
            }
        )
    }

    /// The comparison as the JSON report's `baseline` object.
    pub fn to_json(&self) -> Value {
        let moved: Vec<Value> = self
            .moved
            .iter()
            .map(|m| {
                json!({
                    "subject": m.subject,
                    "measure": m.measure,
                    "old": m.old,
                    "new": m.new,
                    "change_percent": m.change_percent(),
                    "verdict": m.verdict.name(),
                })
            })
            .collect();
        json!({
            "name": self.name,
            "tolerance_percent": (self.tolerance * 100.0 * 1e6).round() / 1e6,
            "compared": self.compared,
            "added": self.added,
            "ok": self.ok(),
            "moved": moved,
        })
    }
}

/// Compares the numbers of a run with those of a baseline; `tolerance` a
/// fraction of the old value (0: any change counts).
pub fn compare(old: &Baseline, new: &Baseline, name: &str, tolerance: f64) -> Comparison {
    let now: BTreeMap<(&str, &str), f64> = new
        .numbers
        .iter()
        .map(|n| ((n.subject.as_str(), n.measure.as_str()), n.value))
        .collect();
    let before: std::collections::BTreeSet<(&str, &str)> = old
        .numbers
        .iter()
        .map(|n| (n.subject.as_str(), n.measure.as_str()))
        .collect();
    let mut moved = Vec::new();
    for n in &old.numbers {
        let key = (n.subject.as_str(), n.measure.as_str());
        let Some(&v) = now.get(&key) else {
            moved.push(Moved {
                subject: n.subject.clone(),
                measure: n.measure.clone(),
                old: n.value,
                new: None,
                verdict: Verdict::Gone,
            });
            continue;
        };
        // A relative 1e-9 absorbs the rounding of the saved text.
        let slack = tolerance * n.value.abs() + 1e-9 * n.value.abs().max(1.0);
        if (v - n.value).abs() <= slack {
            continue;
        }
        let verdict = match (direction(&n.measure), v > n.value) {
            (Direction::Either, _) => Verdict::Changed,
            (Direction::HigherIsWorse, true) | (Direction::LowerIsWorse, false) => {
                Verdict::Regressed
            }
            _ => Verdict::Improved,
        };
        moved.push(Moved {
            subject: n.subject.clone(),
            measure: n.measure.clone(),
            old: n.value,
            new: Some(v),
            verdict,
        });
    }
    let added = now.keys().filter(|k| !before.contains(*k)).count();
    Comparison {
        name: name.to_string(),
        tolerance,
        compared: old.numbers.len(),
        added,
        moved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(numbers: &[(&str, &str, f64)]) -> Baseline {
        Baseline {
            scenario: "a.toml".into(),
            seed: 1,
            numbers: numbers
                .iter()
                .map(|(s, m, v)| Number {
                    subject: s.to_string(),
                    measure: m.to_string(),
                    value: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn directions_decide_regressions_and_improvements() {
        let old = b(&[
            ("traffic `web`", "p99_us", 1000.0),
            ("traffic `web`", "delivered", 100.0),
            ("traffic `web`", "throughput_bps", 8e8),
            ("gateway `nat`", "bytes", 5000.0),
            ("the design", "cost_per_month_usd", 100.0),
            ("traffic `old`", "delivered", 3.0),
        ]);
        let new = b(&[
            ("traffic `web`", "p99_us", 1200.0),
            ("traffic `web`", "delivered", 110.0),
            ("traffic `web`", "throughput_bps", 7e8),
            ("gateway `nat`", "bytes", 4000.0),
            ("the design", "cost_per_month_usd", 90.0),
            ("traffic `new`", "delivered", 3.0),
        ]);
        let c = compare(&old, &new, "main", 0.0);
        let v: Vec<(&str, Verdict)> = c
            .moved
            .iter()
            .map(|m| (m.measure.as_str(), m.verdict))
            .collect();
        assert_eq!(
            v,
            vec![
                ("p99_us", Verdict::Regressed),
                ("delivered", Verdict::Improved),
                ("throughput_bps", Verdict::Regressed),
                ("bytes", Verdict::Changed),
                ("cost_per_month_usd", Verdict::Improved),
                ("delivered", Verdict::Gone),
            ]
        );
        assert_eq!(c.added, 1);
        assert!(!c.ok());
        assert_eq!(
            c.moved[0].text(),
            "traffic `web` p99_us: 1000 -> 1200 (+20.0%)"
        );
        // 25% covers every move but the gone traffic.
        let c = compare(&old, &new, "main", 0.25);
        assert_eq!(c.moved.len(), 1);
        assert_eq!(c.moved[0].verdict, Verdict::Gone);
    }

    #[test]
    fn text_round_trips_and_names_are_checked() {
        let x = b(&[("the design", "cost_per_month_usd", 123.5)]);
        assert_eq!(from_text(&to_text(&x, "main")).ok(), Some(x));
        assert!(parse_name("main-2").is_ok());
        assert!(parse_name("../x").is_err());
        assert_eq!(parse_tolerance("10%").ok(), Some(0.1));
        assert_eq!(parse_tolerance("2.5").ok(), Some(0.025));
        assert!(parse_tolerance("-1%").is_err());
        let e = from_text("{}").unwrap_err();
        assert!(matches!(e, BaselineError::Version { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            format!("not a baseline of version {BASELINE_VERSION} (`baseline_version` is null)")
        );
        let e = parse_name("a/b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`a/b` cannot name a baseline: use letters, digits, `.`, `_` and `-`, e.g. `main`"
        );
        assert_eq!(
            path(Path::new("d"), "main", "scenarios/x.toml"),
            PathBuf::from("d/main/scenarios_x.toml.json")
        );
    }
}
