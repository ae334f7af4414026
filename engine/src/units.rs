//! Units of the scenario format: durations, rates, sizes, ports and protocols.
//!
//! Every parser here takes the text a user wrote and returns either the value
//! or a short explanation of what was expected. Virtual time is kept in integer
//! nanoseconds so that arithmetic on it is exact and the same on every machine.

use std::fmt;

/// Whether `ip` lies in `net`. The same answer as `Ipv4Net::contains`,
/// without its branches: the mask comes from one 64-bit shift, defined for
/// every prefix length from 0 to 32. Rule scans call this once per rule.
#[inline]
pub fn in_cidr(net: ipnet::Ipv4Net, ip: u32) -> bool {
    let mask = (u64::from(u32::MAX) << (32 - u32::from(net.prefix_len()))) as u32;
    (ip ^ u32::from(net.addr())) & mask == 0
}

/// Division by a number fixed for a run (a series' interval, a link's
/// jitter span), as a multiplication: a 64-bit divide can take a processor
/// tens of cycles, and the packet path would divide by it several times a
/// packet. The quotient is exact: the estimate from the divisor's
/// reciprocal is at most one below it, and is corrected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Divisor {
    d: u64,
    /// `floor((2^64 - 1) / d)`.
    inv: u64,
}

impl Divisor {
    /// Division by `d`; by 1 when `d` is 0.
    pub const fn new(d: u64) -> Divisor {
        let d = if d == 0 { 1 } else { d };
        Divisor {
            d,
            inv: u64::MAX / d,
        }
    }

    /// `n / d`, exactly.
    #[inline]
    pub fn quotient(self, n: u64) -> u64 {
        // inv >= 2^64 / d - 1, so n * inv / 2^64 > n / d - 1 (n < 2^64)
        // and the estimate is at most one below floor(n / d); inv * d <
        // 2^64, so q * d <= n.
        let q = ((u128::from(n) * u128::from(self.inv)) >> 64) as u64;
        let r = n - q * self.d;
        debug_assert!(u128::from(r) < 2 * u128::from(self.d));
        q + u64::from(r >= self.d)
    }
}

impl Default for Divisor {
    fn default() -> Divisor {
        Divisor::new(1)
    }
}

/// A span of virtual time, or an instant measured from the start of the run,
/// in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Nanos(pub u64);

impl Nanos {
    pub const ZERO: Nanos = Nanos(0);
    pub const fn from_secs(s: u64) -> Nanos {
        Nanos(s * 1_000_000_000)
    }
    pub const fn from_millis(ms: u64) -> Nanos {
        Nanos(ms * 1_000_000)
    }
    pub const fn from_micros(us: u64) -> Nanos {
        Nanos(us * 1_000)
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
    pub fn saturating_add(self, other: Nanos) -> Nanos {
        Nanos(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for Nanos {
    /// An exact form in the largest unit of the format that is at most the
    /// value (`1.5s`, `250us`, `30.000000001s`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        let units: [(u64, &str, usize); 4] = [
            (1_000_000_000, "s", 9),
            (1_000_000, "ms", 6),
            (1_000, "us", 3),
            (1, "ns", 0),
        ];
        if n == 0 {
            return f.write_str("0s");
        }
        for (scale, unit, digits) in units {
            if n >= scale {
                let whole = n / scale;
                let frac = n % scale;
                if frac == 0 {
                    return write!(f, "{whole}{unit}");
                }
                let mut decimals = format!("{frac:0digits$}");
                while decimals.ends_with('0') {
                    decimals.pop();
                }
                return write!(f, "{whole}.{decimals}{unit}");
            }
        }
        write!(f, "{n}ns")
    }
}

/// Splits `"1.5ms"` into the number and the unit.
fn split_number(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    (&text[..end], text[end..].trim())
}

/// Multiplies a decimal number written as text by an integer scale, exactly.
fn scaled(number: &str, scale: u64) -> Option<u64> {
    if number.is_empty() || number.starts_with('.') || number.ends_with('.') {
        return None;
    }
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number, ""),
    };
    if frac.contains('.') {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let mut value = whole.checked_mul(scale)?;
    let mut unit = scale;
    for digit in frac.bytes() {
        unit /= 10;
        let d = u64::from(digit - b'0');
        if unit == 0 {
            if d != 0 {
                return None; // finer than the unit can hold
            }
            continue;
        }
        value = value.checked_add(d * unit)?;
    }
    Some(value)
}

pub const DURATION_EXPECTED: &str =
    "a duration with a unit, like \"250us\", \"3ms\", \"1.5s\", \"2m\" or \"1h\"";

/// Why a value with a unit (a duration, rate, size, port range or protocol)
/// could not be read; `text` is the value as written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// A number without a unit where a duration was expected.
    #[error("`{text}` has no unit: expected {}", DURATION_EXPECTED)]
    NoUnit { text: String },
    /// Not a value of the expected kind; `expected` says what would be.
    #[error("`{text}`: expected {expected}")]
    Expected {
        text: String,
        expected: &'static str,
    },
    /// A rate of zero events per second.
    #[error("`{text}`: a rate must be more than 0/s")]
    ZeroRate { text: String },
    /// A port range whose first port is above its last.
    #[error("`{text}`: the range runs backwards ({lo} > {hi})")]
    Backwards { text: String, lo: u16, hi: u16 },
    /// A negative duration or rate.
    #[error("`{text}`: a {what} cannot be negative")]
    Negative { text: String, what: &'static str },
    /// A value with a digit finer than its unit can hold.
    #[error("`{text}` is finer than {smallest}")]
    TooFine {
        text: String,
        smallest: &'static str,
    },
    /// A value larger than its unit can hold.
    #[error("`{text}` is out of range: {limit}")]
    OutOfRange { text: String, limit: String },
    /// A size with a unit that sizes are not written in; `instead` says
    /// how to write it, or why it cannot be.
    #[error(
        "`{text}`: `{unit}` is not a unit of size here: sizes are bytes, written with {SIZE_UNITS}{}",
        instead.as_ref().map_or_else(|| " (like \"1500B\", \"64KiB\", \"10MB\")".to_string(), |i| format!("; {i}"))
    )]
    SizeUnit {
        text: String,
        unit: String,
        instead: Option<String>,
    },
}

/// Whether `number` is written as a decimal number (so that a failure to
/// scale it means it is out of range).
fn is_decimal(number: &str) -> bool {
    let mut parts = number.split('.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next();
    parts.next().is_none()
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a decimal `number` has a digit finer than 1 / `scale`.
fn too_fine(number: &str, scale: u64) -> bool {
    let places = scale.ilog10() as usize;
    is_decimal(number)
        && number
            .split_once('.')
            .is_some_and(|(_, f)| f.bytes().skip(places).any(|b| b != b'0'))
}

impl UnitError {
    fn expected(text: &str, expected: &'static str) -> Self {
        UnitError::Expected {
            text: text.to_string(),
            expected,
        }
    }
}

pub fn parse_duration(text: &str) -> Result<Nanos, UnitError> {
    if text.trim().starts_with('-') {
        return Err(UnitError::Negative {
            text: text.to_string(),
            what: "duration",
        });
    }
    let (number, unit) = split_number(text.trim());
    let scale = match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "" => {
            return Err(UnitError::NoUnit {
                text: text.to_string(),
            });
        }
        _ => return Err(UnitError::expected(text, DURATION_EXPECTED)),
    };
    match scaled(number, scale) {
        Some(n) => Ok(Nanos(n)),
        None if too_fine(number, scale) => Err(UnitError::TooFine {
            text: text.to_string(),
            smallest: "a nanosecond, the smallest duration",
        }),
        None if is_decimal(number) => Err(UnitError::OutOfRange {
            text: text.to_string(),
            limit: format!(
                "the longest duration is about 584 years ({}h)",
                u64::MAX / 3_600_000_000_000
            ),
        }),
        None => Err(UnitError::expected(text, DURATION_EXPECTED)),
    }
}

pub const RATE_EXPECTED: &str = "a rate like \"20/s\", \"0.5/s\" or \"100000/s\"";

/// Events per second, as a rational `milli_per_sec / 1000` to stay exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Thousandths of an event per second.
    pub milli_per_sec: u64,
}

impl Rate {
    /// Events per second.
    pub fn per_sec(self) -> f64 {
        self.milli_per_sec as f64 / 1000.0
    }

    /// The most events a second that virtual time can tell apart: one a
    /// nanosecond, its finest step.
    pub const MAX_PER_SEC: u64 = 1_000_000_000;

    /// The mean gap between two events: never under a nanosecond, so that
    /// a faster rate runs at [`Rate::MAX_PER_SEC`] and time goes on.
    pub fn interval(self) -> Nanos {
        if self.milli_per_sec == 0 {
            return Nanos(u64::MAX);
        }
        Nanos((1_000_000_000_000 / self.milli_per_sec).max(1))
    }

    /// Events per second as runs carry them out, one every
    /// [`Rate::interval`]: at most [`Rate::MAX_PER_SEC`].
    pub fn effective_per_sec(self) -> f64 {
        1e9 / self.interval().0 as f64
    }
}

pub fn parse_rate(text: &str) -> Result<Rate, UnitError> {
    let t = text.trim();
    let Some(number) = t.strip_suffix("/s") else {
        return Err(UnitError::expected(text, RATE_EXPECTED));
    };
    let number = number.trim();
    if number.starts_with('-') {
        return Err(UnitError::Negative {
            text: text.to_string(),
            what: "rate",
        });
    }
    match scaled(number, 1000) {
        Some(m) if m > 0 => Ok(Rate { milli_per_sec: m }),
        Some(_) => Err(UnitError::ZeroRate {
            text: text.to_string(),
        }),
        None if too_fine(number, 1000) => Err(UnitError::TooFine {
            text: text.to_string(),
            smallest: "0.001/s, the smallest step of a rate",
        }),
        None if is_decimal(number) => Err(UnitError::OutOfRange {
            text: text.to_string(),
            limit: format!(
                "rates are thousandths of an event per second, up to {}/s",
                u64::MAX / 1000
            ),
        }),
        None => Err(UnitError::expected(text, RATE_EXPECTED)),
    }
}

pub const SIZE_EXPECTED: &str =
    "a size in bytes: a number, or a string like \"1500B\", \"64KiB\", \"10MB\"";

/// The units of a size, as `parse_size` reads them.
pub const SIZE_UNITS: &str = "B, KB (or kB), MB, GB, KiB, MiB or GiB";

/// The largest size: what 64 bits hold, 16 EiB less one byte.
const SIZE_LIMIT: &str = "a size is at most 18446744073709551615 bytes (16 EiB less one byte)";

pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let (number, unit) = split_number(text.trim());
    let known = |scale: u64| match exact_size(number, u128::from(scale)) {
        Some(Ok(n)) => Ok(n),
        Some(Err(Exact::Finer)) => Err(UnitError::TooFine {
            text: text.to_string(),
            smallest: "a byte, the smallest size",
        }),
        Some(Err(Exact::TooLarge)) => Err(UnitError::OutOfRange {
            text: text.to_string(),
            limit: SIZE_LIMIT.to_string(),
        }),
        None => Err(UnitError::expected(text, SIZE_EXPECTED)),
    };
    match unit {
        "" | "B" => known(1),
        "KB" | "kB" => known(1_000),
        "MB" => known(1_000_000),
        "GB" => known(1_000_000_000),
        "KiB" => known(1 << 10),
        "MiB" => known(1 << 20),
        "GiB" => known(1 << 30),
        _ => Err(larger_unit(text, number, unit)),
    }
}

/// Why a decimal number times a scale is no whole number of bytes.
enum Exact {
    /// It has a fraction of a byte.
    Finer,
    /// It is more than 64 bits hold.
    TooLarge,
}

/// `number` (decimal digits, maybe with a fraction) times `scale`, exactly;
/// `None` when `number` is not written as a decimal number.
fn exact_size(number: &str, scale: u128) -> Option<Result<u64, Exact>> {
    if !is_decimal(number) {
        return None;
    }
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let frac = frac.trim_end_matches('0');
    let whole = whole.trim_start_matches('0');
    // Past 20 digits a whole number is more than 64 bits hold, whatever the
    // unit; past 38 digits in all, the fraction is finer than any byte
    // these units make exact.
    if whole.len() > 20 {
        return Some(Err(Exact::TooLarge));
    }
    let joined = format!("{whole}{frac}");
    let joined = joined.trim_start_matches('0');
    if joined.len() > 38 {
        return Some(Err(Exact::Finer));
    }
    let digits: u128 = if joined.is_empty() {
        0
    } else {
        joined.parse().ok()?
    };
    // A fraction of more than 38 digits (leading zeros and all) is finer
    // than a byte at every unit these sizes take.
    let Some(den) = u32::try_from(frac.len())
        .ok()
        .and_then(|n| 10u128.checked_pow(n))
    else {
        return Some(Err(Exact::Finer));
    };
    let Some(product) = digits.checked_mul(scale) else {
        return Some(Err(Exact::TooLarge));
    };
    if product % den != 0 {
        return Some(Err(Exact::Finer));
    }
    Some(u64::try_from(product / den).map_err(|_| Exact::TooLarge))
}

/// A size written with a unit `parse_size` does not read: the units it
/// does, and for a unit larger than GiB (`TB`, `EiB`), the value in one
/// it reads, or that no size is that large.
fn larger_unit(text: &str, number: &str, unit: &str) -> UnitError {
    let larger: Option<(u128, bool)> = match unit {
        "TB" => Some((10u128.pow(12), false)),
        "PB" => Some((10u128.pow(15), false)),
        "EB" => Some((10u128.pow(18), false)),
        "ZB" => Some((10u128.pow(21), false)),
        "YB" => Some((10u128.pow(24), false)),
        "TiB" => Some((1 << 40, true)),
        "PiB" => Some((1 << 50, true)),
        "EiB" => Some((1 << 60, true)),
        "ZiB" => Some((1 << 70, true)),
        "YiB" => Some((1 << 80, true)),
        _ => None,
    };
    let Some((scale, binary)) = larger else {
        return UnitError::SizeUnit {
            text: text.to_string(),
            unit: unit.to_string(),
            instead: None,
        };
    };
    let instead = match exact_size(number, scale) {
        Some(Ok(bytes)) => {
            let (per, name) = if binary {
                (1u64 << 30, "GiB")
            } else {
                (1_000_000_000, "GB")
            };
            if bytes % per == 0 {
                format!("write it as \"{}{name}\"", bytes / per)
            } else {
                format!("write it as {bytes} (bytes)")
            }
        }
        Some(Err(Exact::TooLarge)) => format!("the value is too large in any unit: {SIZE_LIMIT}"),
        Some(Err(Exact::Finer)) => "the value is not a whole number of bytes".to_string(),
        None => {
            return UnitError::expected(text, SIZE_EXPECTED);
        }
    };
    UnitError::SizeUnit {
        text: text.to_string(),
        unit: unit.to_string(),
        instead: Some(instead),
    }
}

/// An inclusive range of ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortRange {
    pub lo: u16,
    pub hi: u16,
}

impl PortRange {
    pub const ALL: PortRange = PortRange { lo: 0, hi: 65535 };
    pub fn single(p: u16) -> PortRange {
        PortRange { lo: p, hi: p }
    }
    #[inline]
    pub fn contains(self, port: u16) -> bool {
        self.lo <= port && port <= self.hi
    }
    pub fn is_all(self) -> bool {
        self.lo == 0 && self.hi == 65535
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            f.write_str("all")
        } else if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

pub const PORTS_EXPECTED: &str = "a port range: \"443\", \"1024-65535\" or \"all\"";

pub fn parse_ports(text: &str) -> Result<PortRange, UnitError> {
    let t = text.trim();
    if t == "all" {
        return Ok(PortRange::ALL);
    }
    let bad = || UnitError::expected(text, PORTS_EXPECTED);
    let (lo, hi) = match t.split_once('-') {
        Some((a, b)) => (
            a.trim().parse::<u16>().map_err(|_| bad())?,
            b.trim().parse::<u16>().map_err(|_| bad())?,
        ),
        None => {
            let p = t.parse::<u16>().map_err(|_| bad())?;
            (p, p)
        }
    };
    if lo > hi {
        return Err(UnitError::Backwards {
            text: text.to_string(),
            lo,
            hi,
        });
    }
    Ok(PortRange { lo, hi })
}

/// An IP protocol a rule or a flow names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    All,
    Number(u8),
}

impl Protocol {
    pub const TCP: Protocol = Protocol::Number(6);
    pub const UDP: Protocol = Protocol::Number(17);
    pub const ICMP: Protocol = Protocol::Number(1);

    #[inline]
    pub fn matches(self, proto: u8) -> bool {
        match self {
            Protocol::All => true,
            Protocol::Number(n) => n == proto,
        }
    }
    /// Whether rules for this protocol carry ports.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Number(6) | Protocol::Number(17))
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::All => f.write_str("all"),
            Protocol::Number(6) => f.write_str("tcp"),
            Protocol::Number(17) => f.write_str("udp"),
            Protocol::Number(1) => f.write_str("icmp"),
            Protocol::Number(n) => write!(f, "{n}"),
        }
    }
}

pub const PROTOCOL_EXPECTED: &str =
    "a protocol: \"tcp\", \"udp\", \"icmp\", \"all\" or an IP protocol number 0-255";

pub fn parse_protocol(text: &str) -> Result<Protocol, UnitError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "tcp" => Ok(Protocol::TCP),
        "udp" => Ok(Protocol::UDP),
        "icmp" => Ok(Protocol::ICMP),
        "all" | "-1" => Ok(Protocol::All),
        other => other
            .parse::<u8>()
            .map(Protocol::Number)
            .map_err(|_| UnitError::expected(text, PROTOCOL_EXPECTED)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_duration_past_the_longest_names_the_limit_in_hours_and_years() {
        let e = parse_duration("100000000h").unwrap_err().to_string();
        assert_eq!(
            e,
            "`100000000h` is out of range: the longest duration is about 584 years (5124095h)"
        );
        // The limit it names can be written.
        assert!(parse_duration("5124095h").is_ok());
        assert!(parse_duration("5124096h").is_err());
    }

    #[test]
    fn a_size_in_a_unit_past_gib_names_the_units_read_and_how_to_write_it() {
        assert_eq!(
            parse_size("1000000TB").unwrap_err().to_string(),
            "`1000000TB`: `TB` is not a unit of size here: sizes are bytes, written with B, KB (or kB), MB, GB, KiB, MiB or GiB; write it as \"1000000000GB\""
        );
        assert_eq!(parse_size("1000000000GB"), Ok(1_000_000_000_000_000_000));
        assert_eq!(
            parse_size("2TiB").unwrap_err().to_string(),
            "`2TiB`: `TiB` is not a unit of size here: sizes are bytes, written with B, KB (or kB), MB, GB, KiB, MiB or GiB; write it as \"2048GiB\""
        );
        assert_eq!(
            parse_size("10 parsecs").unwrap_err().to_string(),
            "`10 parsecs`: `parsecs` is not a unit of size here: sizes are bytes, written with B, KB (or kB), MB, GB, KiB, MiB or GiB (like \"1500B\", \"64KiB\", \"10MB\")"
        );
    }

    #[test]
    fn a_size_past_64_bits_is_too_large() {
        assert_eq!(
            parse_size("16EiB").unwrap_err().to_string(),
            "`16EiB`: `EiB` is not a unit of size here: sizes are bytes, written with B, KB (or kB), MB, GB, KiB, MiB or GiB; the value is too large in any unit: a size is at most 18446744073709551615 bytes (16 EiB less one byte)"
        );
        for big in [
            "20000000000GB",
            "18446744073709551616",
            "99999999999999999999999GiB",
        ] {
            assert!(
                matches!(parse_size(big), Err(UnitError::OutOfRange { .. })),
                "{big}"
            );
        }
        assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn binary_sizes_with_decimals_are_exact() {
        assert_eq!(parse_size("1.5KiB"), Ok(1536));
        assert_eq!(parse_size("0.25MiB"), Ok(262_144));
        assert_eq!(parse_size("0.0009765625KiB"), Ok(1));
        assert!(matches!(parse_size("0.5B"), Err(UnitError::TooFine { .. })));
        assert!(matches!(
            parse_size("1.0001KiB"),
            Err(UnitError::TooFine { .. })
        ));
        // A fraction longer than any power of ten a u128 holds, leading
        // zeros and all, is finer than a byte, in every unit.
        let tiny = format!("0.{}1", "0".repeat(200));
        for unit in ["B", "KiB", "GiB", "MB"] {
            assert!(
                matches!(
                    parse_size(&format!("{tiny}{unit}")),
                    Err(UnitError::TooFine { .. })
                ),
                "{unit}"
            );
        }
        for unit in ["TB", "EiB"] {
            assert!(parse_size(&format!("{tiny}{unit}")).is_err(), "{unit}");
        }
    }

    #[test]
    fn in_cidr_at_the_prefix_lengths_edges() {
        let net = |s: &str| s.parse::<ipnet::Ipv4Net>().unwrap();
        assert!(in_cidr(net("0.0.0.0/0"), u32::MAX));
        assert!(in_cidr(net("10.0.1.0/24"), 0x0a00_01ff));
        assert!(!in_cidr(net("10.0.1.0/24"), 0x0a00_0200));
        assert!(in_cidr(net("10.0.0.2/32"), 0x0a00_0002));
        assert!(!in_cidr(net("10.0.0.2/32"), 0x0a00_0003));
        // A CIDR written with host bits set matches as its network does.
        assert!(in_cidr(net("10.0.1.7/24"), 0x0a00_0109));
    }

    #[test]
    fn divisor_at_the_edges_is_exact() {
        let cases = [
            1,
            2,
            3,
            7,
            1_000,
            1_000_000_000,
            u64::MAX / 3,
            u64::MAX - 1,
            u64::MAX,
        ];
        for d in cases {
            for n in [0, 1, d - 1, d, d.saturating_add(1), u64::MAX - 1, u64::MAX] {
                assert_eq!(Divisor::new(d).quotient(n), n / d, "{n} / {d}");
            }
        }
        // A zero divisor divides by 1, as `interval.max(1)` did.
        assert_eq!(Divisor::new(0).quotient(12_345), 12_345);
    }

    proptest! {
        #[test]
        fn divisor_quotient_is_the_processors(n in any::<u64>(), d in 1..=u64::MAX, small in 1u64..5_000_000_000) {
            prop_assert_eq!(Divisor::new(d).quotient(n), n / d);
            prop_assert_eq!(Divisor::new(small).quotient(n), n / small);
            prop_assert_eq!(Divisor::new(small).quotient(n >> 20), (n >> 20) / small);
        }

        #[test]
        fn in_cidr_agrees_with_ipnet(addr in any::<u32>(), len in 0u8..=32, ip in any::<u32>()) {
            let net = ipnet::Ipv4Net::new(addr.into(), len).unwrap();
            prop_assert_eq!(in_cidr(net, ip), net.contains(&std::net::Ipv4Addr::from(ip)));
            // The network's own first and last addresses are inside it.
            prop_assert!(in_cidr(net, u32::from(net.network())));
            prop_assert!(in_cidr(net, u32::from(net.broadcast())));
        }
    }

    #[test]
    fn durations_are_exact() {
        assert_eq!(parse_duration("250us"), Ok(Nanos(250_000)));
        assert_eq!(parse_duration("3ms"), Ok(Nanos(3_000_000)));
        assert_eq!(parse_duration("1.5s"), Ok(Nanos(1_500_000_000)));
        assert_eq!(parse_duration("2m"), Ok(Nanos(120_000_000_000)));
        assert_eq!(parse_duration("0s"), Ok(Nanos(0)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("1.5.2s").is_err());
        assert!(parse_duration("1.5ns").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }

    #[test]
    fn durations_print_back() {
        for text in ["250us", "3ms", "1.5s", "120s", "0s", "7ns", "1.25ms"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(parse_duration(&d.to_string()), Ok(d), "{text}");
        }
        assert_eq!(Nanos(1_500_000_000).to_string(), "1.5s");
        assert_eq!(Nanos(30_000_000_001).to_string(), "30.000000001s");
        assert_eq!(Nanos(1_234_567).to_string(), "1.234567ms");
    }

    #[test]
    fn rates_sizes_ports_protocols() {
        assert_eq!(parse_rate("20/s").unwrap().milli_per_sec, 20_000);
        assert_eq!(
            parse_rate("0.5/s").unwrap().interval(),
            Nanos(2_000_000_000)
        );
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("20").is_err());
        // Faster than one a nanosecond: the gap is the finest step of
        // virtual time, never zero, so that time goes on.
        assert_eq!(parse_rate("1000000000/s").unwrap().interval(), Nanos(1));
        assert_eq!(parse_rate("99999999999/s").unwrap().interval(), Nanos(1));
        assert_eq!(
            parse_rate("99999999999/s").unwrap().effective_per_sec(),
            1e9
        );
        assert_eq!(parse_size("64KiB"), Ok(65536));
        assert_eq!(parse_size("10MB"), Ok(10_000_000));
        assert_eq!(parse_size("1500B"), Ok(1500));
        assert!(parse_size("10 parsecs").is_err());
        assert_eq!(parse_ports("all"), Ok(PortRange::ALL));
        assert_eq!(
            parse_ports("1024-65535"),
            Ok(PortRange {
                lo: 1024,
                hi: 65535
            })
        );
        assert!(parse_ports("80-22").is_err());
        assert!(parse_ports("70000").is_err());
        assert_eq!(parse_protocol("TCP"), Ok(Protocol::TCP));
        assert_eq!(parse_protocol("50"), Ok(Protocol::Number(50)));
        assert!(parse_protocol("sctp").is_err());
    }
}
