//! Numeric bounds of an `[[expect]]`: `p99 = "< 40ms"`, `throughput =
//! "> 800Mbps"`, `failures = "< 1%"`, `cost_per_month = "< $500"`. A bound
//! is an operator and a value in the unit of its measure; the run measures
//! what it is compared with.

use super::Diags;
use super::reader::{FromToml, Value};

/// What a bound speaks of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    /// Percentiles and the maximum of a traffic's completion time (start
    /// to completion) over the window.
    P50,
    P90,
    P95,
    P99,
    Max,
    /// Bits per second delivered to the traffic's receivers in the window.
    Throughput,
    /// Failed flows or requests of the window: a count, or a share of those
    /// decided.
    Failures,
    /// TCP segments sent again in the window.
    Retransmissions,
    /// A NAT gateway's peak of ports in use towards one destination.
    NatPorts,
    /// A NAT gateway's peak of simultaneous connections (mappings).
    NatConnections,
    /// Bytes of the packets a component passed on.
    Bytes,
    /// The cost estimate, projected to a month.
    CostPerMonth,
}

/// The kind of value a measure is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Duration,
    BitRate,
    CountOrShare,
    Count,
    Bytes,
    Dollars,
}

impl Measure {
    pub const ALL: [Measure; 12] = [
        Measure::P50,
        Measure::P90,
        Measure::P95,
        Measure::P99,
        Measure::Max,
        Measure::Throughput,
        Measure::Failures,
        Measure::Retransmissions,
        Measure::NatPorts,
        Measure::NatConnections,
        Measure::Bytes,
        Measure::CostPerMonth,
    ];

    /// The key of the measure in an `[[expect]]`.
    pub fn key(self) -> &'static str {
        match self {
            Measure::P50 => "p50",
            Measure::P90 => "p90",
            Measure::P95 => "p95",
            Measure::P99 => "p99",
            Measure::Max => "max",
            Measure::Throughput => "throughput",
            Measure::Failures => "failures",
            Measure::Retransmissions => "retransmissions",
            Measure::NatPorts => "nat_ports",
            Measure::NatConnections => "nat_connections",
            Measure::Bytes => "bytes",
            Measure::CostPerMonth => "cost_per_month",
        }
    }

    pub fn from_key(key: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == key)
    }

    /// A latency percentile (or the maximum): the quantile, 1.0 for `max`.
    pub fn quantile(self) -> Option<f64> {
        match self {
            Measure::P50 => Some(0.50),
            Measure::P90 => Some(0.90),
            Measure::P95 => Some(0.95),
            Measure::P99 => Some(0.99),
            Measure::Max => Some(1.0),
            _ => None,
        }
    }

    /// Measured on the expectation's traffic, over its window.
    pub fn of_traffic(self) -> bool {
        self.quantile().is_some()
            || matches!(
                self,
                Measure::Throughput | Measure::Failures | Measure::Retransmissions
            )
    }

    /// Measured on the component the expectation names.
    pub fn of_component(self) -> bool {
        matches!(
            self,
            Measure::NatPorts | Measure::NatConnections | Measure::Bytes
        )
    }

    fn unit(self) -> Unit {
        match self {
            Measure::P50 | Measure::P90 | Measure::P95 | Measure::P99 | Measure::Max => {
                Unit::Duration
            }
            Measure::Throughput => Unit::BitRate,
            Measure::Failures => Unit::CountOrShare,
            Measure::Retransmissions | Measure::NatPorts | Measure::NatConnections => Unit::Count,
            Measure::Bytes => Unit::Bytes,
            Measure::CostPerMonth => Unit::Dollars,
        }
    }

    /// What a value of the measure looks like, for messages.
    fn example(self) -> &'static str {
        match self.unit() {
            Unit::Duration => "\"< 40ms\"",
            Unit::BitRate => "\"> 800Mbps\"",
            Unit::CountOrShare => "\"< 10\" or \"< 1%\"",
            Unit::Count => "\"< 30000\"",
            Unit::Bytes => "\"< 2GB\"",
            Unit::Dollars => "\"< $500\"",
        }
    }

    /// A measured value in the measure's unit: `12.3ms`, `812Mbps`, `4`,
    /// `0.52%`, `1.20GB`, `$431.20`.
    pub fn show(self, v: f64, share: bool) -> String {
        match self.unit() {
            Unit::Duration => show_duration(v),
            Unit::BitRate => show_si(v, "bps"),
            Unit::CountOrShare if share => format!("{}%", trim(v, 2)),
            Unit::CountOrShare | Unit::Count => trim(v, 2),
            Unit::Bytes => show_si(v, "B"),
            Unit::Dollars => format!("${v:.2}"),
        }
    }
}

/// `v` with at most `places` decimals, without trailing zeros.
fn trim(v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Nanoseconds as `850us`, `12.3ms`, `1.25s`.
fn show_duration(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{}s", trim(ns / 1e9, 3))
    } else if ns >= 1e6 {
        format!("{}ms", trim(ns / 1e6, 3))
    } else if ns >= 1e3 {
        format!("{}us", trim(ns / 1e3, 3))
    } else {
        format!("{}ns", trim(ns, 0))
    }
}

/// A value with SI prefixes: `812.4Mbps`, `1.2GB`.
fn show_si(v: f64, unit: &str) -> String {
    for (scale, p) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if v >= scale {
            let p = if unit == "B" && p == "k" { "K" } else { p };
            return format!("{}{p}{unit}", trim(v / scale, 3));
        }
    }
    format!("{}{unit}", trim(v, 3))
}

/// How a bound compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Op {
    /// Whether `actual OP bound` holds.
    pub fn holds(self, actual: f64, bound: f64) -> bool {
        // Values shown with a few decimals compare as written.
        let eps = 1e-9 * bound.abs().max(1.0);
        match self {
            Op::Lt => actual < bound - eps,
            Op::Le => actual <= bound + eps,
            Op::Gt => actual > bound + eps,
            Op::Ge => actual >= bound - eps,
            Op::Eq => (actual - bound).abs() <= eps,
        }
    }
}

/// One numeric bound: `p99 = "< 40ms"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub measure: Measure,
    pub op: Op,
    /// In the measure's base unit: nanoseconds, bits per second, a count,
    /// a percentage (with `share`), bytes, dollars.
    pub value: f64,
    /// `failures = "< 1%"`: a share of the flows decided, in percent.
    pub share: bool,
    /// The bound as written.
    pub text: String,
}

impl Bound {
    /// The bound in words: `< 40ms`.
    pub fn expected(&self) -> String {
        self.text.trim().to_string()
    }

    pub fn holds(&self, actual: f64) -> bool {
        self.op.holds(actual, self.value)
    }
}

/// Why a bound could not be read; it says what would do.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BoundError {
    /// The text does not start with an operator.
    #[error("`{text}`: a bound starts with <, <=, >, >= or ==, like {like}{hint}")]
    NoOperator {
        text: String,
        /// An example bound on the measure.
        like: &'static str,
        /// `; did you mean "<= 40ms"?`
        hint: String,
    },
    /// The value after the operator is not one of the measure's unit.
    #[error("`{text}`: {why}; write it like {like}")]
    Value {
        text: String,
        why: ValueError,
        like: &'static str,
    },
}

/// What is wrong with the value of a bound.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error(transparent)]
    Unit(#[from] crate::units::UnitError),
    /// `800MBps`: with the hint that names the unit meant.
    #[error("`{text}` is not a rate in bits per second{hint}")]
    BitRate { text: String, hint: &'static str },
    #[error("a share lies between 0% and 100%")]
    ShareRange,
    #[error("`{0}` is not a share")]
    Share(String),
    #[error("`{0}` is not a count")]
    Count(String),
    #[error("`{key}` takes a count, not a share")]
    NotAShare { key: &'static str },
    #[error("`{0}` is not an amount in dollars")]
    Dollars(String),
}

/// Reads `text` as a bound on `measure`; the error says what would do.
pub fn parse_bound(measure: Measure, text: &str) -> Result<Bound, BoundError> {
    let t = text.trim();
    let ops = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];
    let found = ops
        .iter()
        .find_map(|(s, op)| t.strip_prefix(s).map(|rest| (*op, rest.trim())));
    let like = measure.example();
    let Some((op, rest)) = found else {
        let hint = if let Some(r) = t.strip_prefix('=') {
            format!("; did you mean \"== {}\"?", r.trim())
        } else if let Some(r) = t.strip_prefix("=<").or_else(|| t.strip_prefix("=>")) {
            let op = if t.starts_with("=<") { "<=" } else { ">=" };
            format!("; did you mean \"{op} {}\"?", r.trim())
        } else {
            format!("; did you mean \"<= {t}\"?")
        };
        return Err(BoundError::NoOperator {
            text: text.to_string(),
            like,
            hint,
        });
    };
    let bad = |why: ValueError| BoundError::Value {
        text: text.to_string(),
        why,
        like,
    };
    let (value, share) = match measure.unit() {
        Unit::Duration => match crate::units::parse_duration(rest) {
            Ok(n) => (n.0 as f64, false),
            Err(e) => return Err(bad(e.into())),
        },
        Unit::BitRate => match parse_bit_rate(rest) {
            Ok(v) => (v, false),
            Err(e) => return Err(bad(e)),
        },
        Unit::CountOrShare => {
            if let Some(p) = rest.strip_suffix('%') {
                match p.trim().parse::<f64>() {
                    Ok(x) if (0.0..=100.0).contains(&x) => (x, true),
                    Ok(_) => return Err(bad(ValueError::ShareRange)),
                    Err(_) => return Err(bad(ValueError::Share(rest.to_string()))),
                }
            } else {
                (count(rest).map_err(bad)?, false)
            }
        }
        Unit::Count => {
            if rest.ends_with('%') {
                return Err(bad(ValueError::NotAShare { key: measure.key() }));
            }
            (count(rest).map_err(bad)?, false)
        }
        Unit::Bytes => match crate::units::parse_size(rest) {
            Ok(n) => (n as f64, false),
            Err(e) => return Err(bad(e.into())),
        },
        Unit::Dollars => {
            let n = rest
                .strip_prefix('$')
                .unwrap_or(rest)
                .trim()
                .replace(',', "");
            match n.parse::<f64>() {
                Ok(x) if x >= 0.0 && x.is_finite() => (x, false),
                _ => return Err(bad(ValueError::Dollars(rest.to_string()))),
            }
        }
    };
    Ok(Bound {
        measure,
        op,
        value,
        share,
        text: text.to_string(),
    })
}

fn count(s: &str) -> Result<f64, ValueError> {
    match s.trim().parse::<f64>() {
        Ok(x) if x >= 0.0 && x.is_finite() => Ok(x),
        _ => Err(ValueError::Count(s.to_string())),
    }
}

/// `800Mbps`, `1.5Gbps`, `64kbps`: bits per second.
fn parse_bit_rate(s: &str) -> Result<f64, ValueError> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = (&s[..split], s[split..].trim());
    let units = [
        ("bps", 1.0),
        ("kbps", 1e3),
        ("Kbps", 1e3),
        ("Mbps", 1e6),
        ("Gbps", 1e9),
        ("Tbps", 1e12),
    ];
    let Some(scale) = units.iter().find(|(u, _)| *u == unit).map(|(_, k)| *k) else {
        let hint = match unit.to_ascii_lowercase().as_str() {
            "mbps" | "mb/s" | "mbit/s" => "; did you mean `Mbps` (bits per second)?",
            "gbps" | "gb/s" | "gbit/s" => "; did you mean `Gbps` (bits per second)?",
            "kbps" | "kb/s" | "kbit/s" => "; did you mean `kbps` (bits per second)?",
            "" => "; it needs a unit: bps, kbps, Mbps, Gbps",
            _ => "; the units are bps, kbps, Mbps, Gbps, Tbps",
        };
        return Err(ValueError::BitRate {
            text: s.to_string(),
            hint,
        });
    };
    match number.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x * scale),
        _ => Err(ValueError::BitRate {
            text: s.to_string(),
            hint: "",
        }),
    }
}

impl FromToml for Bound {
    const EXPECTED: &'static str = "a bound: an operator and a value, like \"< 40ms\"";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        let measure = Measure::from_key(key)?;
        let s = String::from_toml(v, key, d)?;
        match parse_bound(measure, &s) {
            Ok(b) => Some(b),
            Err(m) => {
                d.error(v.span(), format!("`{key}`: {m}"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse_with_their_units() {
        let b = parse_bound(Measure::P99, "< 40ms").unwrap();
        assert_eq!((b.op, b.value), (Op::Lt, 40e6));
        let b = parse_bound(Measure::Throughput, ">= 1.5Gbps").unwrap();
        assert_eq!((b.op, b.value), (Op::Ge, 1.5e9));
        let b = parse_bound(Measure::Failures, "< 1%").unwrap();
        assert_eq!((b.value, b.share), (1.0, true));
        let b = parse_bound(Measure::Failures, "== 0").unwrap();
        assert_eq!((b.op, b.value, b.share), (Op::Eq, 0.0, false));
        let b = parse_bound(Measure::Bytes, "> 10MB").unwrap();
        assert_eq!(b.value, 10e6);
        let b = parse_bound(Measure::CostPerMonth, "<= $1,200.50").unwrap();
        assert_eq!(b.value, 1200.5);
    }

    #[test]
    fn malformed_bounds_say_what_would_do() {
        let e = parse_bound(Measure::P99, "40ms").unwrap_err();
        assert!(e.to_string().contains("did you mean \"<= 40ms\""), "{e}");
        let e = parse_bound(Measure::P99, "= 40ms").unwrap_err();
        assert!(e.to_string().contains("did you mean \"== 40ms\""), "{e}");
        let e = parse_bound(Measure::Throughput, "> 800MBps").unwrap_err();
        assert!(
            matches!(
                &e,
                BoundError::Value {
                    why: ValueError::BitRate { .. },
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("did you mean `Mbps`"), "{e}");
        let e = parse_bound(Measure::P50, "< 40").unwrap_err();
        assert!(e.to_string().contains("has no unit"), "{e}");
        let e = parse_bound(Measure::NatPorts, "< 5%").unwrap_err();
        assert!(e.to_string().contains("takes a count"), "{e}");
        let e = parse_bound(Measure::Failures, "< 120%").unwrap_err();
        assert!(e.to_string().contains("between 0% and 100%"), "{e}");
    }

    #[test]
    fn operators_compare_as_written() {
        assert!(Op::Lt.holds(39.9, 40.0) && !Op::Lt.holds(40.0, 40.0));
        assert!(Op::Le.holds(40.0, 40.0) && !Op::Le.holds(40.1, 40.0));
        assert!(Op::Gt.holds(41.0, 40.0) && !Op::Gt.holds(40.0, 40.0));
        assert!(Op::Ge.holds(40.0, 40.0) && !Op::Ge.holds(39.0, 40.0));
        assert!(Op::Eq.holds(0.0, 0.0) && !Op::Eq.holds(1.0, 0.0));
    }

    #[test]
    fn measured_values_show_in_their_units() {
        assert_eq!(Measure::P99.show(12_345_000.0, false), "12.345ms");
        assert_eq!(Measure::Throughput.show(812.4e6, false), "812.4Mbps");
        assert_eq!(Measure::Failures.show(0.5, true), "0.5%");
        assert_eq!(Measure::CostPerMonth.show(431.2, false), "$431.20");
        assert_eq!(Measure::Bytes.show(1.5e9, false), "1.5GB");
    }
}
