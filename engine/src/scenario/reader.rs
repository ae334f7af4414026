//! Typed reading of a parsed TOML tree, collecting every problem.
//!
//! `toml` parses the text into a tree whose every key and value carries its
//! byte span. The readers here walk that tree: each table is read through a
//! [`Fields`], which remembers the keys it was asked for, so that any other key
//! is reported as unknown, with the closest known key as a suggestion. A value
//! of the wrong type is reported and read as absent; reading goes on, so one
//! pass finds every problem in the file.

use std::net::Ipv4Addr;
use std::ops::Range;

use ipnet::Ipv4Net;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diag::{Diags, did_you_mean};
use crate::units::{self, Nanos, PortRange, Protocol, Rate};

pub type Span = Range<usize>;

/// A value and the place in the file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Sp<T> {
    pub span: Span,
    pub v: T,
}

impl<T> Sp<T> {
    pub fn new(span: Span, v: T) -> Self {
        Sp { span, v }
    }
}

impl Sp<String> {
    pub fn as_str(&self) -> &str {
        &self.v
    }
}

pub type Value<'i> = Spanned<DeValue<'i>>;

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Something that can be read from one TOML value.
pub trait FromToml: Sized {
    /// What the user should have written, for error messages.
    const EXPECTED: &'static str;
    /// Reads the value; on failure reports why (naming `key`) and returns None.
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self>;
}

fn wrong_type(v: &Value<'_>, key: &str, expected: &str, d: &mut Diags) {
    d.error(
        v.span(),
        format!(
            "`{key}` must be {expected}, found {}",
            type_name(v.get_ref())
        ),
    );
}

fn string_of<'a>(v: &'a Value<'_>, key: &str, expected: &str, d: &mut Diags) -> Option<&'a str> {
    match v.get_ref() {
        DeValue::String(s) => Some(s.as_ref()),
        _ => {
            wrong_type(v, key, expected, d);
            None
        }
    }
}

fn integer_of(v: &Value<'_>) -> Option<i128> {
    match v.get_ref() {
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            i128::from_str_radix(&digits, i.radix()).ok()
        }
        _ => None,
    }
}

/// Parses text with `parse`, reporting its message at the value's span.
fn parse_text<T, E: std::fmt::Display>(
    v: &Value<'_>,
    key: &str,
    expected: &str,
    d: &mut Diags,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    let s = string_of(v, key, expected, d)?;
    match parse(s) {
        Ok(t) => Some(t),
        Err(msg) => {
            d.error(v.span(), format!("`{key}`: {msg}"));
            None
        }
    }
}

impl FromToml for String {
    const EXPECTED: &'static str = "a string";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        string_of(v, key, Self::EXPECTED, d).map(str::to_string)
    }
}

impl FromToml for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                wrong_type(v, key, Self::EXPECTED, d);
                None
            }
        }
    }
}

macro_rules! integer_from_toml {
    ($($t:ty => $expected:literal),*) => {$(
        impl FromToml for $t {
            const EXPECTED: &'static str = $expected;
            fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
                if !matches!(v.get_ref(), DeValue::Integer(_)) {
                    wrong_type(v, key, Self::EXPECTED, d);
                    return None;
                }
                match integer_of(v).and_then(|i| <$t>::try_from(i).ok()) {
                    Some(n) => Some(n),
                    None => {
                        d.error(v.span(), format!("`{key}` must be {}", Self::EXPECTED));
                        None
                    }
                }
            }
        }
    )*};
}

integer_from_toml!(
    u64 => "a whole number from 0 to 18446744073709551615",
    u32 => "a whole number from 0 to 4294967295",
    u16 => "a whole number from 0 to 65535",
    u8 => "a whole number from 0 to 255"
);

impl FromToml for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        match v.get_ref() {
            DeValue::Float(f) => match f.as_str().replace('_', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    d.error(v.span(), format!("`{key}` must be a finite number"));
                    None
                }
            },
            DeValue::Integer(_) => integer_of(v).map(|i| i as f64),
            _ => {
                wrong_type(v, key, Self::EXPECTED, d);
                None
            }
        }
    }
}

const CIDR_EXPECTED: &str = "an IPv4 CIDR like \"10.0.0.0/16\"";

/// Why an address or a CIDR could not be read; `text` is the value as
/// written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    #[error("`{text}`: IPv6 is not supported yet")]
    Ipv6 { text: String },
    #[error("`{text}` is not {}", CIDR_EXPECTED)]
    NotCidr { text: String },
    /// A CIDR with bits set past its prefix; `network` is the prefix meant.
    #[error("`{text}` has host bits set; did you mean `{network}`?")]
    HostBits { text: String, network: Ipv4Net },
    #[error("`{text}` is not an IPv4 address like \"10.0.1.5\"")]
    NotIpv4 { text: String },
}

/// Parses an IPv4 prefix, rejecting host bits and IPv6 with clear words.
pub fn parse_cidr(text: &str) -> Result<Ipv4Net, AddrError> {
    if text.contains(':') {
        return Err(AddrError::Ipv6 {
            text: text.to_string(),
        });
    }
    let net: Ipv4Net = text.trim().parse().map_err(|_| AddrError::NotCidr {
        text: text.to_string(),
    })?;
    if net.trunc() != net {
        return Err(AddrError::HostBits {
            text: text.to_string(),
            network: net.trunc(),
        });
    }
    Ok(net)
}

pub fn parse_ipv4(text: &str) -> Result<Ipv4Addr, AddrError> {
    if text.contains(':') {
        return Err(AddrError::Ipv6 {
            text: text.to_string(),
        });
    }
    text.trim().parse().map_err(|_| AddrError::NotIpv4 {
        text: text.to_string(),
    })
}

impl FromToml for Ipv4Net {
    const EXPECTED: &'static str = CIDR_EXPECTED;
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        parse_text(v, key, Self::EXPECTED, d, parse_cidr)
    }
}

impl FromToml for Ipv4Addr {
    const EXPECTED: &'static str = "an IPv4 address like \"10.0.1.5\"";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        parse_text(v, key, Self::EXPECTED, d, parse_ipv4)
    }
}

impl FromToml for Nanos {
    const EXPECTED: &'static str = units::DURATION_EXPECTED;
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        parse_text(v, key, Self::EXPECTED, d, units::parse_duration)
    }
}

impl FromToml for Rate {
    const EXPECTED: &'static str = units::RATE_EXPECTED;
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        parse_text(v, key, Self::EXPECTED, d, units::parse_rate)
    }
}

/// A size in bytes: an integer, or a string with a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl FromToml for ByteSize {
    const EXPECTED: &'static str = units::SIZE_EXPECTED;
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        if matches!(v.get_ref(), DeValue::Integer(_)) {
            return u64::from_toml(v, key, d).map(ByteSize);
        }
        parse_text(v, key, Self::EXPECTED, d, units::parse_size).map(ByteSize)
    }
}

impl FromToml for PortRange {
    const EXPECTED: &'static str = units::PORTS_EXPECTED;
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        if matches!(v.get_ref(), DeValue::Integer(_)) {
            return u16::from_toml(v, key, d).map(PortRange::single);
        }
        parse_text(v, key, Self::EXPECTED, d, units::parse_ports)
    }
}

impl FromToml for Protocol {
    const EXPECTED: &'static str = units::PROTOCOL_EXPECTED;
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        if matches!(v.get_ref(), DeValue::Integer(_)) {
            return u8::from_toml(v, key, d).map(Protocol::Number);
        }
        parse_text(v, key, Self::EXPECTED, d, units::parse_protocol)
    }
}

impl<T: FromToml> FromToml for Vec<Sp<T>> {
    const EXPECTED: &'static str = "an array";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        match v.get_ref() {
            DeValue::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|item| T::from_toml(item, key, d).map(|t| Sp::new(item.span(), t)))
                    .collect(),
            ),
            _ => {
                d.error(
                    v.span(),
                    format!(
                        "`{key}` must be an array, found {}; each item is {}",
                        type_name(v.get_ref()),
                        T::EXPECTED
                    ),
                );
                None
            }
        }
    }
}

/// Reads the keys of one table, and reports the ones nobody asked for.
pub struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    pub span: Span,
    /// What the table describes, for messages: "subnet", "route".
    pub kind: &'static str,
    known: Vec<&'static str>,
    /// Keys present whose value was reported as unreadable.
    failed: Vec<&'static str>,
    /// Required keys found missing; reported by `finish`, unless a misspelt
    /// key stands for them.
    missing: Vec<&'static str>,
    /// Where `finish` records the unreadable keys for validation: the start
    /// of the table, or of a resource's `id` (see [`Diags::unreadable`]).
    pub at: usize,
}

impl<'a, 'i> Fields<'a, 'i> {
    pub fn new(v: &'a Value<'i>, kind: &'static str, d: &mut Diags) -> Option<Self> {
        match v.get_ref() {
            DeValue::Table(table) => Some(Fields::from_table(table, v.span(), kind)),
            _ => {
                let found = type_name(v.get_ref());
                // "the [scenario] table" -> "[scenario] must be a table".
                let header = kind
                    .strip_prefix("the ")
                    .and_then(|k| k.strip_suffix(" table"));
                let msg = match header {
                    Some(header) => format!("{header} must be a table, found {found}"),
                    None => format!("{} must be a table, found {found}", article(kind)),
                };
                d.error(v.span(), msg);
                None
            }
        }
    }

    pub fn from_table(table: &'a DeTable<'i>, span: Span, kind: &'static str) -> Self {
        Fields {
            table,
            at: span.start,
            span,
            kind,
            known: Vec::new(),
            failed: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// How many keys the table has.
    pub fn key_count(&self) -> usize {
        self.table.len()
    }

    /// The raw value of a key, marking it known.
    pub fn raw(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        self.known.push(key);
        self.table.get(key)
    }

    pub fn has(&self, key: &str) -> bool {
        self.table.contains_key(key)
    }

    /// The span of a key (not of its value), if the table has it.
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(k, _)| k.span())
    }

    /// Reads a key's value with `read`, remembering the key as unreadable when
    /// reading it reported a problem (even if part of the value was kept).
    pub fn read_with<T>(
        &mut self,
        key: &'static str,
        d: &mut Diags,
        read: impl FnOnce(&Value<'i>, &mut Diags) -> Option<T>,
    ) -> Option<Sp<T>> {
        let v = self.raw(key)?;
        let before = d.items.len();
        let t = read(v, d);
        if t.is_none() || d.items.len() > before {
            self.failed.push(key);
        }
        t.map(|t| Sp::new(v.span(), t))
    }

    pub fn opt<T: FromToml>(&mut self, key: &'static str, d: &mut Diags) -> Option<Sp<T>> {
        self.read_with(key, d, |v, d| T::from_toml(v, key, d))
    }

    /// A key that must be present; its absence is reported at the table
    /// (by `finish`).
    pub fn req<T: FromToml>(&mut self, key: &'static str, d: &mut Diags) -> Option<Sp<T>> {
        if !self.table.contains_key(key) {
            self.known.push(key);
            self.missing.push(key);
            return None;
        }
        self.opt(key, d)
    }

    /// A list that may be omitted (empty).
    pub fn list<T: FromToml>(&mut self, key: &'static str, d: &mut Diags) -> Vec<Sp<T>> {
        self.opt::<Vec<Sp<T>>>(key, d)
            .map(|s| s.v)
            .unwrap_or_default()
    }

    /// Where to point at the table as a whole: its first key when it has one,
    /// which for `[[subnet]]` is the line under the header.
    fn head_span(&self) -> Span {
        self.table
            .iter()
            .map(|(k, _)| k.span())
            .min_by_key(|s| s.start)
            .map(|s| s.start..s.start + 1)
            .unwrap_or_else(|| self.span.clone())
    }

    /// Reports the missing required keys, and every key that was not read,
    /// with a suggestion where one fits. A required key that a misspelt key
    /// stands for (`duraton` for `duration`) is reported once, as the
    /// misspelling; like an unreadable value, it is recorded in `d` so that
    /// validation does not report it missing either.
    pub fn finish(mut self, d: &mut Diags) {
        let mut unknown: Vec<_> = self
            .table
            .iter()
            .filter(|(k, _)| !self.known.contains(&k.get_ref().as_ref()))
            .map(|(k, _)| k)
            .collect();
        unknown.sort_by_key(|k| k.span().start);
        let suggestions: Vec<Option<&'static str>> = unknown
            .iter()
            .map(|k| did_you_mean(k.get_ref().as_ref(), self.known.iter().copied()))
            .collect();
        let head = self.head_span();
        for key in &self.missing {
            if !suggestions.contains(&Some(*key)) {
                d.error(
                    head.clone(),
                    format!("{} is missing the required key `{key}`", article(self.kind)),
                );
            }
        }
        for (k, suggestion) in unknown.iter().zip(&suggestions) {
            let name = k.get_ref().as_ref();
            let mut msg = format!("unknown key `{name}` in {}", article(self.kind));
            if let Some(s) = suggestion {
                msg.push_str(&format!("; did you mean `{s}`?"));
                if !self.table.contains_key(*s) {
                    self.failed.push(s);
                }
            } else {
                let mut keys = self.known.clone();
                keys.sort_unstable();
                keys.dedup();
                msg.push_str(&format!("; expected one of: {}", keys.join(", ")));
            }
            d.error(k.span(), msg);
        }
        let at = self.at;
        d.unreadable.extend(self.failed.iter().map(|k| (at, *k)));
    }

    /// Gives up on a table whose keys cannot be told apart from unknown ones
    /// (a `set` without a readable `resource`): reports only what is missing.
    pub fn abandon(self, d: &mut Diags) {
        let head = self.head_span();
        for key in &self.missing {
            d.error(
                head.clone(),
                format!("{} is missing the required key `{key}`", article(self.kind)),
            );
        }
    }
}

/// "a subnet", "an instance"; kinds that carry their own ("the [scenario]
/// table") or are a key in backquotes ("`set`") are left as they are.
pub fn article(kind: &str) -> String {
    if kind.starts_with("the ") || kind.starts_with('`') {
        return kind.to_string();
    }
    // By sound: "an instance", "an on-premises host", "a VPC", "a NAT gateway".
    let vowel = kind.chars().next().is_some_and(|c| "aeiou".contains(c))
        || ["AWS", "ENI", "IGW"].iter().any(|w| kind.starts_with(w));
    if vowel {
        format!("an {kind}")
    } else {
        format!("a {kind}")
    }
}
