//! `vpcsim sweep summary` and `vpcsim sweep --summary`: the rows of a sweep
//! (its CSV form) summed up over the seeds of each point (`docs/sweeps.md`).
//!
//! For each point and each numeric column, over the rows of the point whose
//! cell is not empty (`n` of them): the mean; the sample standard deviation
//! (denominator `n - 1`); the minimum and the maximum, as written in the
//! rows; and the 95 % confidence interval of the mean by Student's t,
//! `mean ± t(0.975, n - 1) · sd / √n`. The standard deviation and the
//! interval need two values, and are empty with fewer.
//!
//! The output is long ("tidy"): one row per point and column, points in
//! order and columns in the rows' order, so that it is the same bytes for
//! the same rows (sums are taken in item order).

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::sweep::Format;

/// The columns of a sweep's CSV rows that name its items rather than
/// measure them.
const ITEM_COLUMNS: [&str; 3] = ["item", "point", "seed"];

/// The suffixes of the per-traffic columns, in their order.
const TRAFFIC_COLUMNS: [&str; 3] = [".delivered_share", ".latency_p50_us", ".latency_p99_us"];

/// The statistics of one column over the seeds of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub n: usize,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    /// As written in the rows.
    pub min: Option<String>,
    pub max: Option<String>,
    pub ci95: Option<(f64, f64)>,
}

/// The statistics of `values` (in the order given).
pub fn stats(values: &[(f64, &str)]) -> Stats {
    let n = values.len();
    if n == 0 {
        return Stats {
            n,
            mean: None,
            sd: None,
            min: None,
            max: None,
            ci95: None,
        };
    }
    let mean = values.iter().map(|(v, _)| v).sum::<f64>() / n as f64;
    let sd = (n >= 2).then(|| {
        let ss: f64 = values.iter().map(|(v, _)| (v - mean) * (v - mean)).sum();
        (ss / (n - 1) as f64).sqrt()
    });
    let ci95 = sd.map(|sd| {
        let half = t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt();
        (mean - half, mean + half)
    });
    let pick = |better: fn(f64, f64) -> bool| {
        let mut best = values[0];
        for v in &values[1..] {
            if better(v.0, best.0) {
                best = *v;
            }
        }
        best.1.to_string()
    };
    Stats {
        n,
        mean: Some(mean),
        sd,
        min: Some(pick(|a, b| a < b)),
        max: Some(pick(|a, b| a > b)),
        ci95,
    }
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, nine terms: about 15 digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The continued fraction of the incomplete beta function (modified
/// Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function `I_x(a, b)`.
fn beta_inc(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The distribution function of Student's t with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * beta_inc(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The `p` quantile (`0.5 <= p < 1`) of Student's t with `df` degrees of
/// freedom, by bisection of [`t_cdf`] to the last bit.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_cdf(hi, df) < p && hi < 1e12 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The fields of one CSV line (`"` quotes, `""` a quote inside them).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The summary of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct PointSummary {
    pub point: usize,
    /// The value of each setting at the point.
    pub values: Vec<String>,
    /// Per measured column, in the rows' order: its name and statistics.
    pub columns: Vec<(String, Stats)>,
}

/// The summary of a sweep's rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The settings' addresses.
    pub settings: Vec<String>,
    pub points: Vec<PointSummary>,
}

/// How many columns after `item,point,seed` are settings: those before the
/// per-traffic triples that precede the first `failed.` column.
fn settings_count(cols: &[String]) -> Option<usize> {
    let first_failed = cols.iter().position(|c| c.starts_with("failed."))?;
    let mut at = first_failed;
    while at >= ITEM_COLUMNS.len() + 3
        && TRAFFIC_COLUMNS
            .iter()
            .zip(&cols[at - 3..at])
            .all(|(suffix, c)| c.ends_with(suffix))
    {
        at -= 3;
    }
    Some(at - ITEM_COLUMNS.len())
}

/// Why rows cannot be summed up or drawn: each names the file, with the
/// line (and column) where it can.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SummaryError {
    #[error("{0}: empty: no rows to sum up")]
    Empty(String),
    #[error(
        "{0}:1: the output of one shard; join the shards with `vpcsim sweep merge` and sum up the whole sweep"
    )]
    Shard(String),
    #[error(
        "{0}:1: JSON lines; the summary reads the CSV form of the rows (`vpcsim sweep ... -o rows.csv`)"
    )]
    JsonLines(String),
    #[error(
        "{0}:1: not the columns of a sweep's rows (`item,point,seed,...,failed.*,...,cost_per_month_usd`)"
    )]
    NotRows(String),
    #[error("{name}:{line}: {fields} fields, but the first line names {columns} columns")]
    FieldCount {
        name: String,
        line: usize,
        fields: usize,
        columns: usize,
    },
    #[error("{name}:{line}:{column}: the point `{text}` is not a number")]
    Point {
        name: String,
        line: usize,
        column: usize,
        text: String,
    },
    /// The settings of this line and of the earlier one, joined.
    #[error(
        "{name}:{line}: point {point} has other settings ({settings}) than on an earlier line ({earlier})"
    )]
    OtherSettings {
        name: String,
        line: usize,
        point: usize,
        settings: String,
        earlier: String,
    },
    #[error("{name}:{line}: column `{column}` holds `{cell}`, which is not a number")]
    NotANumber {
        name: String,
        line: usize,
        column: String,
        cell: String,
    },
    /// `hint` is `; did you mean ...?` when a column is near.
    #[error("--plot {column}: the rows have no such column{hint}")]
    NoColumn { column: String, hint: String },
    #[error("--plot: the columns hold no value to draw")]
    NothingToDraw,
    /// What the drawing library said.
    #[error("the chart could not be drawn: {0}")]
    Draw(String),
}

/// Sums up the CSV rows of a whole (or merged) sweep, `name` for messages.
pub fn summarize(name: &str, text: &str) -> Result<Summary, SummaryError> {
    let mut lines = text.lines().enumerate();
    let Some((_, head)) = lines.next() else {
        return Err(SummaryError::Empty(name.to_string()));
    };
    if head.starts_with("# vpcsim sweep shard") {
        return Err(SummaryError::Shard(name.to_string()));
    }
    if head.starts_with('{') {
        return Err(SummaryError::JsonLines(name.to_string()));
    }
    let cols = fields(head);
    let not_rows = || SummaryError::NotRows(name.to_string());
    if cols.len() < 4 || cols[..3] != ITEM_COLUMNS.map(String::from) {
        return Err(not_rows());
    }
    let k = settings_count(&cols).ok_or_else(not_rows)?;
    let measured = &cols[3 + k..];
    let mut points: Vec<(usize, Vec<String>, Vec<Vec<String>>)> = Vec::new();
    for (i, line) in lines {
        let at = i + 1;
        let f = fields(line);
        if f.len() != cols.len() {
            return Err(SummaryError::FieldCount {
                name: name.to_string(),
                line: at,
                fields: f.len(),
                columns: cols.len(),
            });
        }
        let point: usize = f[1].parse().map_err(|_| SummaryError::Point {
            name: name.to_string(),
            line: at,
            column: line.find(',').map_or(1, |c| c + 2),
            text: f[1].clone(),
        })?;
        let values = f[3..3 + k].to_vec();
        let cells = f[3 + k..].to_vec();
        match points.iter_mut().find(|(p, _, _)| *p == point) {
            Some((_, v, rows)) => {
                if *v != values {
                    return Err(SummaryError::OtherSettings {
                        name: name.to_string(),
                        line: at,
                        point,
                        settings: values.join(", "),
                        earlier: v.join(", "),
                    });
                }
                rows.push(cells);
            }
            None => points.push((point, values, vec![cells])),
        }
        // Each cell is a number or empty.
        for (c, cell) in f[3 + k..].iter().enumerate() {
            if !cell.is_empty() && cell.parse::<f64>().is_err() {
                return Err(SummaryError::NotANumber {
                    name: name.to_string(),
                    line: at,
                    column: measured[c].clone(),
                    cell: cell.clone(),
                });
            }
        }
    }
    points.sort_by_key(|(p, _, _)| *p);
    let points = points
        .into_iter()
        .map(|(point, values, rows)| PointSummary {
            point,
            values,
            columns: measured
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    let vals: Vec<(f64, &str)> = rows
                        .iter()
                        .filter(|r| !r[c].is_empty())
                        .filter_map(|r| r[c].parse::<f64>().ok().map(|v| (v, r[c].as_str())))
                        .collect();
                    (col.clone(), stats(&vals))
                })
                .collect(),
        })
        .collect();
    Ok(Summary {
        settings: cols[3..3 + k].to_vec(),
        points,
    })
}

/// A statistic as written: six decimals, the same bytes on every platform.
fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.6}")).unwrap_or_default()
}

/// The summary as CSV or JSON lines: one line per point and column.
pub fn render(s: &Summary, format: Format) -> String {
    let mut out = String::new();
    match format {
        Format::Csv => {
            let mut head: Vec<String> = vec!["point".into()];
            head.extend(s.settings.iter().map(|c| csv_field(c)));
            head.extend(
                [
                    "column",
                    "n",
                    "mean",
                    "sd",
                    "min",
                    "max",
                    "ci95_low",
                    "ci95_high",
                ]
                .map(String::from),
            );
            let _ = writeln!(out, "{}", head.join(","));
            for p in &s.points {
                for (col, st) in &p.columns {
                    let mut f: Vec<String> = vec![p.point.to_string()];
                    f.extend(p.values.iter().map(|v| csv_field(v)));
                    f.extend([
                        csv_field(col),
                        st.n.to_string(),
                        num(st.mean),
                        num(st.sd),
                        st.min.clone().unwrap_or_default(),
                        st.max.clone().unwrap_or_default(),
                        num(st.ci95.map(|c| c.0)),
                        num(st.ci95.map(|c| c.1)),
                    ]);
                    let _ = writeln!(out, "{}", f.join(","));
                }
            }
        }
        Format::JsonLines => {
            let n = |v: Option<f64>| -> Value {
                v.and_then(|v| format!("{v:.6}").parse::<f64>().ok())
                    .map_or(Value::Null, |v| json!(v))
            };
            let raw = |v: &Option<String>| -> Value {
                v.as_deref()
                    .and_then(|v| v.parse::<f64>().ok())
                    .map_or(Value::Null, |v| json!(v))
            };
            for p in &s.points {
                let set: serde_json::Map<String, Value> = s
                    .settings
                    .iter()
                    .zip(&p.values)
                    .map(|(a, v)| (a.clone(), json!(v)))
                    .collect();
                for (col, st) in &p.columns {
                    let v = json!({
                        "point": p.point,
                        "set": set,
                        "column": col,
                        "n": st.n,
                        "mean": n(st.mean),
                        "sd": n(st.sd),
                        "min": raw(&st.min),
                        "max": raw(&st.max),
                        "ci95_low": n(st.ci95.map(|c| c.0)),
                        "ci95_high": n(st.ci95.map(|c| c.1)),
                    });
                    let _ = writeln!(out, "{}", serde_json::to_string(&v).unwrap_or_default());
                }
            }
        }
    }
    out
}

/// A chart of `columns`' means over the points, each with its 95 %
/// confidence interval as an error bar, as SVG drawn with `plotters`: the
/// points along x, labelled with their settings' values, in order; one
/// colour per column. `title` heads it, `unit` names its y axis; every
/// value is multiplied by `scale` (0.001 draws microseconds as
/// milliseconds).
pub fn plot(
    s: &Summary,
    columns: &[String],
    title: &str,
    unit: &str,
    scale: f64,
) -> Result<String, SummaryError> {
    use plotters::prelude::*;
    for c in columns {
        let known = s
            .points
            .first()
            .is_some_and(|p| p.columns.iter().any(|(n, _)| n == c));
        if !known {
            let names: Vec<&str> = s
                .points
                .first()
                .map(|p| p.columns.iter().map(|(n, _)| n.as_str()).collect())
                .unwrap_or_default();
            let hint = crate::scenario::diag::did_you_mean(c, names.iter().copied())
                .map_or(String::new(), |n| format!("; did you mean `{n}`?"));
            return Err(SummaryError::NoColumn {
                column: c.clone(),
                hint,
            });
        }
    }
    let series: Vec<Vec<(f64, f64, f64, f64)>> = columns
        .iter()
        .map(|c| {
            s.points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    let st = &p.columns.iter().find(|(n, _)| n == c)?.1;
                    let mean = st.mean?;
                    let (lo, hi) = st.ci95.unwrap_or((mean, mean));
                    Some((i as f64, lo * scale, mean * scale, hi * scale))
                })
                .collect()
        })
        .collect();
    let (ymin, ymax) = series
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x.1), b.max(x.3))
        });
    if !ymin.is_finite() {
        return Err(SummaryError::NothingToDraw);
    }
    let ymin = ymin.min(0.0);
    let ymax = if ymax > ymin {
        ymax + (ymax - ymin) * 0.08
    } else {
        ymin + 1.0
    };
    let labels: Vec<String> = s.points.iter().map(|p| p.values.join(" ")).collect();
    let xmax = s.points.len().max(1) as f64 - 0.5;
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (720, 420)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(-0.5f64..xmax, ymin..ymax)?;
        c.configure_mesh()
            .x_desc(s.settings.join(", "))
            .y_desc(unit)
            .x_labels(labels.len().max(2) * 2 + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    labels.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        let n = series.len().max(1) as f64;
        for (k, (name, pts)) in columns.iter().zip(&series).enumerate() {
            let color = Palette99::pick(k).to_rgba();
            // Side by side within a point, so that the bars do not hide
            // one another.
            let dx = (k as f64 - (n - 1.0) / 2.0) * 0.12;
            c.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.0 + dx, p.2)),
                color.stroke_width(2),
            ))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
            // Each error bar: the interval, with a cap at either end.
            let cap = 0.04;
            c.draw_series(pts.iter().flat_map(|p| {
                let x = p.0 + dx;
                [
                    vec![(x, p.1), (x, p.3)],
                    vec![(x - cap, p.1), (x + cap, p.1)],
                    vec![(x - cap, p.3), (x + cap, p.3)],
                ]
                .map(|line| PathElement::new(line, color.stroke_width(2)))
            }))?;
            c.draw_series(
                pts.iter()
                    .map(|p| Circle::new((p.0 + dx, p.2), 3, color.filled())),
            )?;
        }
        c.configure_series_labels()
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::UpperLeft)
            .draw()?;
        root.present()?;
        Ok(())
    })();
    drawn.map_err(|e| SummaryError::Draw(e.to_string()))?;
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_quantiles_match_the_tables() {
        // Two-sided 95 %: the 0.975 quantile, from printed tables.
        for (df, t) in [
            (1.0, 12.7062),
            (2.0, 4.3027),
            (4.0, 2.7764),
            (9.0, 2.2622),
            (19.0, 2.0930),
            (30.0, 2.0423),
            (120.0, 1.9799),
        ] {
            let q = t_quantile(0.975, df);
            assert!((q - t).abs() < 5e-5, "df {df}: {q} vs {t}");
        }
        assert!((t_quantile(0.975, 1e6) - 1.959_964).abs() < 1e-5);
        assert!((t_cdf(0.0, 5.0) - 0.5).abs() < 1e-15);
    }

    /// Two points of three seeds; by hand: p50 1, 2, 6 has mean 3, sd
    /// √7 = 2.645751, and t(0.975, 2) = 4.302653 gives 3 ± 6.572411; p99 10,
    /// 10, 13: mean 11, sd √3 = 1.732051, 11 ± 4.302653; the shares 0.5 and
    /// 0.25 (one cell empty): mean 0.375, sd 0.176777, t(0.975, 1) =
    /// 12.706205 gives 0.375 ± 1.588276.
    const ROWS: &str = "item,point,seed,traffic.web.rate,web.delivered_share,web.latency_p50_us,web.latency_p99_us,failed.timeout,cost_per_month_usd\n\
        0,0,1,10/s,0.500000,1,10,0,7.00\n\
        1,0,2,10/s,0.250000,2,10,0,7.00\n\
        2,0,3,10/s,,6,13,2,7.00\n\
        3,1,1,\"1,000/s\",1.000000,4,4,0,9.50\n\
        4,1,2,\"1,000/s\",1.000000,4,4,0,9.50\n\
        5,1,3,\"1,000/s\",1.000000,4,4,0,9.50\n";

    #[test]
    fn the_summary_matches_a_hand_computation() {
        let s = summarize("rows.csv", ROWS).expect("sums up");
        assert_eq!(s.settings, vec!["traffic.web.rate"]);
        assert_eq!(s.points.len(), 2);
        assert_eq!(s.points[1].values, vec!["1,000/s"]);
        let csv = render(&s, Format::Csv);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "point,traffic.web.rate,column,n,mean,sd,min,max,ci95_low,ci95_high"
        );
        assert_eq!(
            lines[1],
            "0,10/s,web.delivered_share,2,0.375000,0.176777,0.250000,0.500000,-1.213276,1.963276"
        );
        assert_eq!(
            lines[2],
            "0,10/s,web.latency_p50_us,3,3.000000,2.645751,1,6,-3.572411,9.572411"
        );
        assert_eq!(
            lines[3],
            "0,10/s,web.latency_p99_us,3,11.000000,1.732051,10,13,6.697347,15.302653"
        );
        assert_eq!(
            lines[4],
            "0,10/s,failed.timeout,3,0.666667,1.154701,0,2,-2.201768,3.535102"
        );
        assert_eq!(
            lines[5],
            "0,10/s,cost_per_month_usd,3,7.000000,0.000000,7.00,7.00,7.000000,7.000000"
        );
        assert_eq!(
            lines[7],
            "1,\"1,000/s\",web.latency_p50_us,3,4.000000,0.000000,4,4,4.000000,4.000000"
        );
        assert_eq!(lines.len(), 1 + 2 * 5);
        // Rows in another order sum up to the same bytes.
        let mut shuffled: Vec<&str> = ROWS.lines().collect();
        shuffled[1..].reverse();
        let again = summarize("rows.csv", &shuffled.join("\n")).expect("sums up");
        assert_eq!(render(&again, Format::Csv), csv);
        let jsonl = render(&s, Format::JsonLines);
        let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(first["n"], 2);
        assert_eq!(first["mean"], 0.375);
        assert_eq!(first["ci95_low"], -1.213276);
        assert_eq!(first["set"]["traffic.web.rate"], "10/s");
    }

    #[test]
    fn one_value_has_no_spread_and_no_value_no_mean() {
        let st = stats(&[(4.0, "4")]);
        assert_eq!((st.n, st.mean, st.sd, st.ci95), (1, Some(4.0), None, None));
        assert_eq!(stats(&[]).mean, None);
    }

    #[test]
    fn what_is_not_a_whole_sweeps_csv_rows_is_refused() {
        let shard = "# vpcsim sweep shard 0/2 items 4 sweep 00\nitem,point,seed\n";
        let e = summarize("s.csv", shard).unwrap_err();
        assert_eq!(e, SummaryError::Shard("s.csv".to_string()));
        assert!(e.to_string().contains("sweep merge"), "{e}");
        let e = summarize("s.jsonl", "{\"item\":0}\n").unwrap_err();
        assert_eq!(e, SummaryError::JsonLines("s.jsonl".to_string()));
        assert!(e.to_string().contains("CSV"), "{e}");
        assert_eq!(
            summarize("e.csv", "").unwrap_err(),
            SummaryError::Empty("e.csv".to_string())
        );
        let bad = ROWS.replace("0,0,1,10/s,0.500000,1,", "0,0,1,10/s,0.500000,x,");
        let e = summarize("rows.csv", &bad).unwrap_err();
        assert!(
            matches!(&e, SummaryError::NotANumber { line: 2, column, .. } if column == "web.latency_p50_us"),
            "{e:?}"
        );
        let e = e.to_string();
        assert!(
            e.starts_with("rows.csv:2:") && e.contains("web.latency_p50_us"),
            "{e}"
        );
        let short = ROWS.replace("0,0,1,10/s,0.500000,1,10,0,7.00", "0,0,1,10/s");
        let e = summarize("rows.csv", &short).unwrap_err();
        assert!(
            matches!(e, SummaryError::FieldCount { line: 2, .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("rows.csv:2:"), "{e}");
    }

    #[test]
    fn csv_fields_keep_quoted_commas() {
        assert_eq!(
            fields("1,\"[\"\"a\"\",\"\"b\"\"]\",,x"),
            vec!["1", "[\"a\",\"b\"]", "", "x"]
        );
    }
}
