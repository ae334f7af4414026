//! Parameter sweeps: one scenario file run at every point of the Cartesian
//! product of some settings (`scenario::set`) and for every seed, one row
//! per point and seed (`docs/sweeps.md`).
//!
//! The items of a sweep are numbered in a fixed order: point by point, the
//! last setting changing fastest, and within a point seed by seed; item `k`
//! is point `k / seeds` and seed `k % seeds`. A shard `I/N` runs the items
//! `k` with `k mod N = I`, so that the costly points (the high rates, often
//! the last values) spread over the shards. Its output starts with a line
//! naming the shard, the number of items and a fingerprint of the sweep;
//! [`merge`] checks those lines and writes the rows of every shard in item
//! order, byte for byte what the whole sweep writes.
//!
//! Rows do not depend on the number of threads: each item is run on one
//! thread, as its own scenario, and rows are written in item order.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::model::{Design, DropReason};
use crate::scenario::set::{self, Setting};
use crate::sim::metrics::Counter;
use crate::traffic::Cause;

/// How rows are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
}

impl Format {
    /// By a file's extension: `.jsonl` and `.ndjson` are JSON lines,
    /// anything else CSV.
    pub fn of_path(p: &std::path::Path) -> Format {
        match p.extension().and_then(|e| e.to_str()) {
            Some("jsonl" | "ndjson") => Format::JsonLines,
            _ => Format::Csv,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::JsonLines => "jsonl",
        }
    }
}

/// Which slice of the items a run takes: `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Reads `I/N`, `0 <= I < N`.
    pub fn parse(s: &str) -> Result<Shard, SweepError> {
        let bad = || SweepError::Shard(s.to_string());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn takes(self, item: usize) -> bool {
        item % self.count == self.index
    }
}

/// Why a sweep cannot be set up, run or merged: each names the option, the
/// point, the item or the shard output it is about.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// `--shard` as written.
    #[error("--shard `{0}`: write I/N with 0 <= I < N (`--shard 3/10`)")]
    Shard(String),
    #[error("--seeds `{text}`: {why}; write A..B (both included) or 1,2,3")]
    Seeds { text: String, why: SeedsProblem },
    #[error("`{0}` is set twice")]
    SetTwice(set::Address),
    #[error("no seed to run")]
    NoSeed,
    #[error(transparent)]
    Set(#[from] set::SetError),
    /// The loader's report, each line naming the point.
    #[error("point {point} ({settings}) is not a valid scenario:\n{report}")]
    InvalidPoint {
        point: usize,
        /// The point's settings, `address=value` each.
        settings: String,
        report: String,
    },
    #[error(transparent)]
    Output(#[from] super::outputs::OutputError),
    #[error("the cost meter was not attached")]
    NoMeter,
    #[error("item {item}: {error}")]
    Item { item: usize, error: Box<SweepError> },
    #[error("item {0} was not run")]
    NotRun(usize),
    #[error("no shard output to merge")]
    NothingToMerge,
    /// The first line of a file is not a shard's head.
    #[error(
        "{0}: line 1 is not the first line of a shard's output (`vpcsim sweep --shard I/N` writes one); the output of a whole sweep needs no merge"
    )]
    NotShardOutput(String),
    #[error(
        "{name} is shard {}/{} of sweep {} ({} items, {}), but {first_name} is of sweep {} in {} shards ({} items, {}): they are not parts of one sweep",
        .head.shard.index, .head.shard.count, .head.sweep, .head.items, .head.format.name(),
        .first.sweep, .first.shard.count, .first.items, .first.format.name()
    )]
    OtherSweep {
        name: String,
        head: Box<ShardHead>,
        first_name: String,
        first: Box<ShardHead>,
    },
    #[error("shard {}/{} is given twice: {first_name} and {name}", .shard.index, .shard.count)]
    ShardTwice {
        shard: Shard,
        first_name: String,
        name: String,
    },
    #[error("{name} and {first_name} have different columns: they are not parts of one sweep")]
    OtherColumns { name: String, first_name: String },
    /// `line` counts from 1.
    #[error("{name}:{line}: not a row of shard {}/{}", .shard.index, .shard.count)]
    NotARow {
        name: String,
        line: usize,
        shard: Shard,
    },
    #[error("{name}:{line}: item {item} is there twice")]
    ItemTwice {
        name: String,
        line: usize,
        item: usize,
    },
    /// The missing shards, `I/N` each.
    #[error(
        "missing shard{} {} of sweep {sweep}",
        if .missing.len() == 1 { "" } else { "s" },
        .missing.join(", ")
    )]
    MissingShards { missing: Vec<String>, sweep: String },
    #[error("item {item} is in no shard output (shard {}/{count} is incomplete)", .item % .count)]
    MissingItem { item: usize, count: usize },
}

/// What is wrong with `--seeds`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SeedsProblem {
    #[error("not a number")]
    NotANumber,
    #[error("the range is empty")]
    EmptyRange,
    #[error("more than a million seeds")]
    TooMany,
    #[error("seed {0} is given twice")]
    Twice(u64),
}

/// Reads `--seeds`: `A..B` (both ends included), or a list `1,5,9`.
pub fn parse_seeds(s: &str) -> Result<Vec<u64>, SweepError> {
    let bad = |why: SeedsProblem| SweepError::Seeds {
        text: s.to_string(),
        why,
    };
    if let Some((a, b)) = s.split_once("..") {
        let b = b.strip_prefix('=').unwrap_or(b);
        let a: u64 = a
            .trim()
            .parse()
            .map_err(|_| bad(SeedsProblem::NotANumber))?;
        let b: u64 = b
            .trim()
            .parse()
            .map_err(|_| bad(SeedsProblem::NotANumber))?;
        if b < a {
            return Err(bad(SeedsProblem::EmptyRange));
        }
        if b - a >= 1_000_000 {
            return Err(bad(SeedsProblem::TooMany));
        }
        return Ok((a..=b).collect());
    }
    let mut v = Vec::new();
    for x in s.split(',') {
        let n: u64 = x
            .trim()
            .parse()
            .map_err(|_| bad(SeedsProblem::NotANumber))?;
        if v.contains(&n) {
            return Err(bad(SeedsProblem::Twice(n)));
        }
        v.push(n);
    }
    Ok(v)
}

/// A sweep, ready to run: the scenario text, its settings and seeds.
pub struct Sweep {
    /// The file's name, for messages and for finding what it includes.
    pub file: String,
    pub text: String,
    pub settings: Vec<Setting>,
    pub seeds: Vec<u64>,
}

/// One point: the index of each setting's value.
pub type Point = Vec<usize>;

/// A point's scenario, loaded.
pub struct Loaded {
    pub design: Arc<Design>,
    /// The loader's warnings, as lines.
    pub warnings: Vec<String>,
}

impl Sweep {
    /// The number of points: the product of the numbers of values.
    pub fn points(&self) -> usize {
        self.settings.iter().map(|s| s.values.len()).product()
    }

    pub fn items(&self) -> usize {
        self.points() * self.seeds.len()
    }

    /// The value indices of point `p`, the last setting changing fastest.
    pub fn point(&self, mut p: usize) -> Point {
        let mut v = vec![0; self.settings.len()];
        for (i, s) in self.settings.iter().enumerate().rev() {
            v[i] = p % s.values.len();
            p /= s.values.len();
        }
        v
    }

    /// The settings of point `p`, as `address=value`.
    pub fn describe(&self, p: usize) -> String {
        let pt = self.point(p);
        self.settings
            .iter()
            .zip(&pt)
            .map(|(s, &i)| format!("{}={}", s.address, s.values[i]))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Checks the settings against each other: one address set once.
    pub fn check(&self) -> Result<(), SweepError> {
        for (i, a) in self.settings.iter().enumerate() {
            if self.settings[..i].iter().any(|b| b.address == a.address) {
                return Err(SweepError::SetTwice(a.address.clone()));
            }
        }
        if self.seeds.is_empty() {
            return Err(SweepError::NoSeed);
        }
        Ok(())
    }

    /// The text of point `p`.
    pub fn text_of(&self, p: usize) -> Result<String, SweepError> {
        let pt = self.point(p);
        Ok(set::apply(&self.text, &self.edits(&pt))?)
    }

    /// The settings' edits at point `pt`: (address, value) of each.
    fn edits(&self, pt: &[usize]) -> Vec<(&set::Address, &str)> {
        self.settings
            .iter()
            .zip(pt)
            .map(|(s, &i)| (&s.address, s.values[i].as_str()))
            .collect()
    }

    /// Loads point `p` with the normal loader; the error holds the loader's
    /// report, each line naming the point. A problem in what a setting
    /// wrote is shown at the setting (`--set latency.same_az=0s: error:
    /// ...`), one in the file's own text at its own line.
    pub fn load(&self, p: usize) -> Result<Loaded, SweepError> {
        let pt = self.point(p);
        let edits = self.edits(&pt);
        let names: Vec<String> = edits
            .iter()
            .map(|(a, v)| format!("--set {a}={v}"))
            .collect();
        let (text, places) = set::apply_mapped(&self.text, &edits)?;
        match crate::model::load_set(&self.file, &text, &self.text, &places, &names) {
            Ok(l) => Ok(Loaded {
                design: Arc::new(l.design),
                warnings: l.report.lines().map(|l| l.to_string()).collect(),
            }),
            Err(r) => Err(SweepError::InvalidPoint {
                point: p,
                settings: self.describe(p),
                report: r.to_string().trim_end().to_string(),
            }),
        }
    }

    /// A fingerprint of what the sweep runs (the text, settings, seeds and
    /// format), so that outputs of different sweeps are not merged.
    pub fn fingerprint(&self, format: Format) -> String {
        let mut h = Fnv::default();
        h.add(self.text.as_bytes());
        for s in &self.settings {
            h.add(s.address.to_string().as_bytes());
            for v in &s.values {
                h.add(v.as_bytes());
            }
        }
        for s in &self.seeds {
            h.add(&s.to_le_bytes());
        }
        h.add(format.name().as_bytes());
        format!("{:016x}", h.0)
    }
}

/// FNV-1a, 64 bits, with a separator after each part.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes.iter().chain(&[0xff]) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Every cause a traffic item fails for, in a fixed order: the columns of
/// failures.
pub fn causes() -> Vec<Cause> {
    let mut v: Vec<Cause> = DropReason::ALL.iter().map(|r| Cause::Drop(*r)).collect();
    v.extend([
        Cause::Timeout,
        Cause::Reset,
        Cause::Throttled,
        Cause::HostPortExhausted,
        Cause::Nxdomain,
    ]);
    v
}

/// What one item measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub item: usize,
    pub point: usize,
    pub seed: u64,
    /// The value of each setting, as given.
    pub values: Vec<String>,
    /// Per traffic, in design order: id, delivered share (delivered over
    /// decided; `None` when nothing was decided), completion latency p50
    /// and p99 in microseconds (`None` when nothing completed).
    pub traffic: Vec<TrafficRow>,
    /// Failed items of every traffic, per cause, in the order of [`causes`].
    pub failures: Vec<u64>,
    /// Bytes through each gateway and endpoint, in design order.
    pub gateways: Vec<(String, u64)>,
    pub cost_per_month_usd: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrafficRow {
    pub id: String,
    pub delivered_share: Option<f64>,
    pub p50_us: Option<u64>,
    pub p99_us: Option<u64>,
}

/// Runs item `item` of a sweep whose point it belongs to is loaded, on the
/// calling thread.
pub fn run_item(sweep: &Sweep, loaded: &Loaded, item: usize) -> Result<Row, SweepError> {
    let point = item / sweep.seeds.len();
    let seed = sweep.seeds[item % sweep.seeds.len()];
    let design = &loaded.design;
    let opts = super::outputs::Options {
        cost: true,
        ..Default::default()
    };
    let (attached, recorders) = super::outputs::attach(design, &opts)?;
    let run = crate::sim::RunOptions {
        seed: Some(seed),
        threads: 1,
        interval: None,
    };
    let sim = crate::sim::parallel::run(
        Arc::clone(design),
        &run,
        &|lp| recorders.for_lp(lp),
        &mut |_, _| true,
    );
    let cost = attached.estimate(&sim).ok_or(SweepError::NoMeter)?;
    let m = &sim.metrics;
    let d = &**design;
    let traffic = d
        .traffic
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tm = &m.traffic[i];
            let decided = tm.delivered + tm.failed;
            let h = tm.completion();
            TrafficRow {
                id: t.name.clone(),
                delivered_share: (decided > 0).then(|| tm.delivered as f64 / decided as f64),
                p50_us: (!h.is_empty()).then(|| h.value_at_quantile(0.5)),
                p99_us: (!h.is_empty()).then(|| h.value_at_quantile(0.99)),
            }
        })
        .collect();
    let all = causes();
    let mut failures = vec![0u64; all.len()];
    for tm in m.traffic.iter() {
        for ((cause, _), n) in &tm.failures {
            if let Some(i) = all.iter().position(|c| c == cause) {
                failures[i] += n;
            }
        }
    }
    let gateways = super::json::gateway_components(d)
        .into_iter()
        .map(|c| {
            let k: Counter = m
                .components
                .get(&crate::dataplane::Place::Component(c))
                .copied()
                .unwrap_or_default();
            (d.name_of(c).to_string(), k.bytes)
        })
        .collect();
    let pt = sweep.point(point);
    Ok(Row {
        item,
        point,
        seed,
        values: sweep
            .settings
            .iter()
            .zip(&pt)
            .map(|(s, &i)| s.values[i].clone())
            .collect(),
        traffic,
        failures,
        gateways,
        cost_per_month_usd: cost.monthly_usd,
    })
}

/// Runs the items of `shard` over `threads` threads, each item on one
/// thread; rows come back in item order. `loaded[p]` is point `p`.
pub fn run_shard(
    sweep: &Sweep,
    loaded: &[Loaded],
    shard: Shard,
    threads: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Row>, SweepError> {
    let items: Vec<usize> = (0..sweep.items()).filter(|&k| shard.takes(k)).collect();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<Row, SweepError>>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, items.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&item) = items.get(i) else { break };
                    let point = item / sweep.seeds.len();
                    let r = run_item(sweep, &loaded[point], item);
                    let failed = r.is_err();
                    if let Ok(mut slot) = results[i].lock() {
                        *slot = Some(r);
                    }
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, items.len());
                    if failed {
                        // Stop handing out items; the first error is reported.
                        next.store(items.len(), Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let mut rows = Vec::with_capacity(items.len());
    for (slot, item) in results.into_iter().zip(&items) {
        match slot.into_inner().ok().flatten() {
            Some(Ok(r)) => rows.push(r),
            Some(Err(e)) => {
                return Err(SweepError::Item {
                    item: *item,
                    error: Box::new(e),
                });
            }
            None => return Err(SweepError::NotRun(*item)),
        }
    }
    Ok(rows)
}

/// The column names of the CSV form, for a sweep whose points have the
/// traffic and gateways of `first`.
pub fn csv_columns(sweep: &Sweep, first: &Row) -> Vec<String> {
    let mut c: Vec<String> = vec!["item".into(), "point".into(), "seed".into()];
    c.extend(sweep.settings.iter().map(|s| s.address.to_string()));
    for t in &first.traffic {
        c.push(format!("{}.delivered_share", t.id));
        c.push(format!("{}.latency_p50_us", t.id));
        c.push(format!("{}.latency_p99_us", t.id));
    }
    c.extend(causes().iter().map(|c| format!("failed.{}", c.name())));
    c.extend(first.gateways.iter().map(|(id, _)| format!("{id}.bytes")));
    c.push("cost_per_month_usd".into());
    c
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A share with six decimals: enough for a million items, the same bytes
/// on every platform.
fn share(v: f64) -> String {
    format!("{v:.6}")
}

fn usd(v: f64) -> String {
    format!("{v:.2}")
}

/// One row as a CSV line (with its newline).
pub fn csv_line(r: &Row) -> String {
    let mut f: Vec<String> = vec![r.item.to_string(), r.point.to_string(), r.seed.to_string()];
    f.extend(r.values.iter().map(|v| csv_field(v)));
    for t in &r.traffic {
        f.push(opt(t.delivered_share.map(share)));
        f.push(opt(t.p50_us));
        f.push(opt(t.p99_us));
    }
    f.extend(r.failures.iter().map(u64::to_string));
    f.extend(r.gateways.iter().map(|(_, b)| b.to_string()));
    f.push(usd(r.cost_per_month_usd));
    let mut s = f.join(",");
    s.push('\n');
    s
}

/// One row as a JSON line (with its newline); keys sorted, failures only
/// where some items failed.
pub fn json_line(sweep: &Sweep, r: &Row) -> String {
    let set: serde_json::Map<String, Value> = sweep
        .settings
        .iter()
        .zip(&r.values)
        .map(|(s, v)| (s.address.to_string(), json!(v)))
        .collect();
    let traffic: serde_json::Map<String, Value> = r
        .traffic
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                json!({
                    "delivered_share": t.delivered_share.map(|v| share(v).parse::<f64>().unwrap_or(v)),
                    "latency_p50_us": t.p50_us,
                    "latency_p99_us": t.p99_us,
                }),
            )
        })
        .collect();
    let failures: serde_json::Map<String, Value> = causes()
        .iter()
        .zip(&r.failures)
        .filter(|(_, n)| **n > 0)
        .map(|(c, n)| (c.name().to_string(), json!(n)))
        .collect();
    let gateways: serde_json::Map<String, Value> = r
        .gateways
        .iter()
        .map(|(id, b)| (id.clone(), json!(b)))
        .collect();
    let v = json!({
        "item": r.item,
        "point": r.point,
        "seed": r.seed,
        "set": set,
        "traffic": traffic,
        "failures": failures,
        "gateway_bytes": gateways,
        "cost_per_month_usd": usd(r.cost_per_month_usd).parse::<f64>().unwrap_or(r.cost_per_month_usd),
    });
    let mut s = serde_json::to_string(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// The first line of a shard's output.
pub fn shard_line(format: Format, shard: Shard, items: usize, fingerprint: &str) -> String {
    match format {
        Format::Csv => format!(
            "# vpcsim sweep shard {}/{} items {items} sweep {fingerprint}\n",
            shard.index, shard.count
        ),
        Format::JsonLines => format!(
            "{}\n",
            json!({"vpcsim_sweep_shard": {
                "shard": shard.index, "shards": shard.count,
                "items": items, "sweep": fingerprint,
            }})
        ),
    }
}

/// The whole output of `rows` (of one shard, or of the whole sweep when
/// `shard` is [`Shard::WHOLE`], which has no shard line).
pub fn render(sweep: &Sweep, rows: &[Row], format: Format, shard: Shard) -> String {
    let mut s = String::new();
    if shard != Shard::WHOLE {
        s.push_str(&shard_line(
            format,
            shard,
            sweep.items(),
            &sweep.fingerprint(format),
        ));
    }
    match format {
        Format::Csv => {
            if let Some(first) = rows.first() {
                let cols: Vec<String> = csv_columns(sweep, first)
                    .iter()
                    .map(|c| csv_field(c))
                    .collect();
                let _ = writeln!(s, "{}", cols.join(","));
            }
            for r in rows {
                s.push_str(&csv_line(r));
            }
        }
        Format::JsonLines => {
            for r in rows {
                s.push_str(&json_line(sweep, r));
            }
        }
    }
    s
}

/// What a shard's first line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardHead {
    pub format: Format,
    pub shard: Shard,
    pub items: usize,
    /// The fingerprint of the sweep.
    pub sweep: String,
}

fn read_head(name: &str, line: &str) -> Result<ShardHead, SweepError> {
    let not = || SweepError::NotShardOutput(name.to_string());
    if let Some(rest) = line.strip_prefix("# vpcsim sweep shard ") {
        let w: Vec<&str> = rest.split_whitespace().collect();
        if let [sh, "items", items, "sweep", fp] = w.as_slice() {
            let shard = Shard::parse(sh).map_err(|_| not())?;
            let items = items.parse().map_err(|_| not())?;
            return Ok(ShardHead {
                format: Format::Csv,
                shard,
                items,
                sweep: fp.to_string(),
            });
        }
        return Err(not());
    }
    let v: Value = serde_json::from_str(line).map_err(|_| not())?;
    let h = v.get("vpcsim_sweep_shard").ok_or_else(not)?;
    let num = |k: &str| h.get(k).and_then(Value::as_u64).ok_or_else(not);
    let (index, count, items) = (num("shard")?, num("shards")?, num("items")?);
    if count == 0 || index >= count {
        return Err(not());
    }
    Ok(ShardHead {
        format: Format::JsonLines,
        shard: Shard {
            index: index as usize,
            count: count as usize,
        },
        items: items as usize,
        sweep: h
            .get("sweep")
            .and_then(Value::as_str)
            .ok_or_else(not)?
            .to_string(),
    })
}

/// The item number of a row line.
fn item_of(format: Format, line: &str) -> Option<usize> {
    match format {
        Format::Csv => line.split(',').next()?.parse().ok(),
        Format::JsonLines => serde_json::from_str::<Value>(line)
            .ok()?
            .get("item")?
            .as_u64()
            .map(|n| n as usize),
    }
}

/// Joins the outputs of the shards of one sweep, `(name, text)` each, into
/// the output of the whole sweep. Every shard must be there once, from the
/// same sweep, with each of its items once.
pub fn merge(parts: &[(String, String)]) -> Result<String, SweepError> {
    let Some((first_name, _)) = parts.first() else {
        return Err(SweepError::NothingToMerge);
    };
    let mut heads: Vec<ShardHead> = Vec::new();
    let mut by_shard: BTreeMap<usize, &str> = BTreeMap::new();
    let mut columns: Option<(&str, &str)> = None;
    let mut rows: BTreeMap<usize, &str> = BTreeMap::new();
    for (name, text) in parts {
        let mut lines = text.lines();
        let head = read_head(name, lines.next().unwrap_or(""))?;
        if let Some(h) = heads.first() {
            if (h.format, h.shard.count, h.items, &h.sweep)
                != (head.format, head.shard.count, head.items, &head.sweep)
            {
                return Err(SweepError::OtherSweep {
                    name: name.clone(),
                    head: Box::new(head),
                    first_name: first_name.clone(),
                    first: Box::new(h.clone()),
                });
            }
        }
        if let Some(other) = by_shard.insert(head.shard.index, name) {
            return Err(SweepError::ShardTwice {
                shard: head.shard,
                first_name: other.to_string(),
                name: name.clone(),
            });
        }
        if head.format == Format::Csv {
            if let Some(cols) = lines.next() {
                match columns {
                    Some((n, c)) if c != cols => {
                        return Err(SweepError::OtherColumns {
                            name: name.clone(),
                            first_name: n.to_string(),
                        });
                    }
                    Some(_) => {}
                    None => columns = Some((name, cols)),
                }
            }
        }
        for (i, line) in lines.enumerate() {
            let at = i + if head.format == Format::Csv { 3 } else { 2 };
            let item = item_of(head.format, line)
                .filter(|k| *k < head.items && head.shard.takes(*k))
                .ok_or_else(|| SweepError::NotARow {
                    name: name.clone(),
                    line: at,
                    shard: head.shard,
                })?;
            if rows.insert(item, line).is_some() {
                return Err(SweepError::ItemTwice {
                    name: name.clone(),
                    line: at,
                    item,
                });
            }
        }
        heads.push(head);
    }
    let h = &heads[0];
    let missing: Vec<String> = (0..h.shard.count)
        .filter(|i| !by_shard.contains_key(i))
        .map(|i| format!("{i}/{}", h.shard.count))
        .collect();
    if !missing.is_empty() {
        return Err(SweepError::MissingShards {
            missing,
            sweep: h.sweep.clone(),
        });
    }
    if let Some(k) = (0..h.items).find(|k| !rows.contains_key(k)) {
        return Err(SweepError::MissingItem {
            item: k,
            count: h.shard.count,
        });
    }
    let mut out = String::new();
    if let Some((_, cols)) = columns {
        out.push_str(cols);
        out.push('\n');
    }
    for line in rows.values() {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_and_seeds_parse() {
        assert_eq!(
            Shard::parse("3/10").ok(),
            Some(Shard {
                index: 3,
                count: 10
            })
        );
        assert!(Shard::parse("10/10").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("x").is_err());
        assert_eq!(parse_seeds("1..3").ok(), Some(vec![1, 2, 3]));
        assert_eq!(parse_seeds("1..=2").ok(), Some(vec![1, 2]));
        assert_eq!(parse_seeds("7,2").ok(), Some(vec![7, 2]));
        assert!(parse_seeds("3..1").is_err());
        let e = parse_seeds("1,1").unwrap_err();
        assert!(
            matches!(
                &e,
                SweepError::Seeds {
                    why: SeedsProblem::Twice(1),
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            e.to_string(),
            "--seeds `1,1`: seed 1 is given twice; write A..B (both included) or 1,2,3"
        );
    }

    #[test]
    fn points_enumerate_with_the_last_setting_fastest() {
        let sweep = Sweep {
            file: "x".into(),
            text: String::new(),
            settings: vec![
                set::parse_setting("traffic.a.rate=1/s,2/s").unwrap(),
                set::parse_setting("traffic.a.port=1,2,3").unwrap(),
            ],
            seeds: vec![1, 2],
        };
        assert_eq!(sweep.points(), 6);
        assert_eq!(sweep.items(), 12);
        assert_eq!(sweep.point(0), vec![0, 0]);
        assert_eq!(sweep.point(1), vec![0, 1]);
        assert_eq!(sweep.point(3), vec![1, 0]);
        assert_eq!(sweep.describe(5), "traffic.a.rate=2/s traffic.a.port=3");
    }
}
