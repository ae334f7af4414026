//! Scenario files: from text to the raw, spanned form of the format.
//!
//! [`parse`] never panics and never stops at the first problem: syntax errors,
//! unknown keys and values of the wrong type are all collected as
//! [`Diagnostic`]s with their spans. Checking what the values mean (references,
//! CIDRs, AWS's rules) is the model's work, in `crate::model`.

pub mod bound;
pub mod diag;
pub mod include;
pub mod print;
pub mod raw;
mod read;
pub mod reader;
pub mod set;

use toml::de::{DeTable, DeValue};

pub use diag::{Diagnostic, Diags, Report, Severity, Sources};
pub use raw::Raw;
pub use reader::{Sp, Span};

/// The largest scenario file read; a bigger one is refused before parsing.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// Reads a whole file of at most `limit` bytes. The file's type and size
/// are checked first and it is read with a bound, so a huge file, a device
/// or a FIFO costs no memory: each is refused with a message saying why.
pub fn read_bounded(path: &std::path::Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, Read};
    use std::os::unix::fs::FileTypeExt as _;
    let m = std::fs::metadata(path)?;
    let t = m.file_type();
    let refuse = |what: &str| Err(Error::other(format!("it is {what}, not a regular file")));
    if t.is_dir() {
        return refuse("a directory");
    }
    if t.is_fifo() {
        return refuse("a FIFO");
    }
    if t.is_char_device() || t.is_block_device() {
        return refuse("a device");
    }
    if t.is_socket() || !t.is_file() {
        return refuse("a special file");
    }
    let too_large = |n: String| Error::other(format!("too large ({n} bytes, limit {limit})"));
    if m.len() > limit as u64 {
        return Err(too_large(m.len().to_string()));
    }
    let mut bytes = Vec::with_capacity(m.len() as usize);
    std::fs::File::open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        // The file grew while it was read.
        return Err(too_large(format!("more than {limit}")));
    }
    Ok(bytes)
}

/// The most problems reported for one file; the rest are counted.
pub const MAX_DIAGNOSTICS: usize = 200;

/// Parses scenario text. Problems found are pushed onto `d`; what could be
/// read is returned either way, so that validation can find more.
pub fn parse(text: &str, d: &mut Diags) -> Raw {
    parse_part(text, d, Part::Whole, &Raw::default())
}

/// What a file is to the scenario being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The scenario's own file: `[scenario]` with `name` and `duration`.
    Whole,
    /// A file that another includes: resources only; its `[scenario]` table
    /// may be omitted, and only its `region` and `include` are used.
    Included,
}

/// Parses the text of one file of a scenario. `included` holds what the
/// files it includes declare, so that its timeline may name their resources.
pub fn parse_part(text: &str, d: &mut Diags, part: Part, included: &Raw) -> Raw {
    let mut raw = Raw::default();
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        // The parser may repeat one error (a recursion limit hit in every
        // nested table, say); report each once.
        let mut seen = std::collections::BTreeSet::new();
        for e in errors {
            let span = e.span().unwrap_or(0..0);
            let mut msg = e.message().trim().replace('\n', "; ");
            if msg == "duplicate key" {
                if let Some(key) = text.get(span.clone()).filter(|k| !k.is_empty()) {
                    msg = format!("duplicate key `{}`", key.trim());
                }
            }
            if seen.insert((span.start, span.end, msg.clone())) {
                d.error(span, format!("TOML syntax: {msg}"));
            }
        }
        return raw;
    }
    let root_span = root.span();
    let table = root.get_ref();

    let mut known: Vec<&'static str> = Vec::new();
    let mut get = |key: &'static str| {
        known.push(key);
        table.get(key)
    };

    if part == Part::Included {
        if let Some(v) = get("scenario") {
            raw.scenario = read::read_included_head(v, d);
        }
        for key in ["pricing", "latency", "traffic", "event", "expect"] {
            if let Some(v) = get(key) {
                d.error(
                    v.span(),
                    format!(
                        "an included file holds resources only: `{key}` belongs in the \
                         file that includes it"
                    ),
                );
            }
        }
    } else if let Some(v) = get("scenario") {
        raw.scenario = read::read_head(v, d);
    } else {
        d.error(
            0..0,
            "the file has no [scenario] table (it needs at least `name` and `duration`)",
        );
    }
    if let Some(v) = get("pricing") {
        raw.pricing = read::read_pricing(v, d);
    }
    if let Some(v) = get("latency") {
        raw.latency = read::read_latency(v, d);
    }

    macro_rules! arrays {
        ($($key:literal => $field:ident, $read:path;)*) => {$(
            if let Some(v) = get($key) {
                raw.$field = each(v, $key, d, $read);
            }
        )*};
    }
    arrays! {
        "vpc" => vpcs, read::read_vpc;
        "subnet" => subnets, read::read_subnet;
        "route_table" => route_tables, read::read_route_table;
        "internet_gateway" => internet_gateways, read::read_igw;
        "nat_gateway" => nat_gateways, read::read_nat;
        "prefix_list" => prefix_lists, read::read_prefix_list;
        "vpc_endpoint" => vpc_endpoints, read::read_endpoint;
        "security_group" => security_groups, read::read_sg;
        "network_acl" => network_acls, read::read_nacl;
        "vpc_peering" => vpc_peerings, read::read_peering;
        "vpn_gateway" => vpn_gateways, read::read_vgw;
        "onprem_network" => onprem_networks, read::read_onprem_network;
        "instance" => instances, read::read_instance;
        "lambda" => lambdas, read::read_lambda;
        "external_host" => external_hosts, read::read_external_host;
        "aws_service" => aws_services, read::read_aws_service;
        "onprem_host" => onprem_hosts, read::read_onprem_host;
        "transit_gateway" => transit_gateways, read::read_tgw;
        "transit_gateway_attachment" => tgw_attachments, read::read_tgw_attachment;
        "transit_gateway_route_table" => tgw_route_tables, read::read_tgw_route_table;
        "traffic" => traffic, read::read_traffic;
        "expect" => expects, read::read_expect;
    }
    if let Some(v) = get("event") {
        let mut kinds = resource_kinds(&raw);
        for (id, kind) in resource_kinds(included) {
            kinds.entry(id).or_insert(kind);
        }
        raw.events = each(v, "event", d, |v, d| read::read_event(v, &kinds, d));
    }

    let mut fields = reader::Fields::from_table(table, root_span, "the scenario file");
    for k in known {
        fields.raw(k);
    }
    fields.finish(d);
    raw
}

/// Reads an array of tables (`[[subnet]]`) element by element.
fn each<T>(
    v: &reader::Value<'_>,
    key: &str,
    d: &mut Diags,
    read: impl Fn(&reader::Value<'_>, &mut Diags) -> Option<T>,
) -> Vec<T> {
    match v.get_ref() {
        DeValue::Array(items) => items.iter().filter_map(|item| read(item, d)).collect(),
        DeValue::Table(_) => {
            d.error(
                v.span(),
                format!("`{key}` must be an array of tables: write [[{key}]], not [{key}]"),
            );
            Vec::new()
        }
        _ => {
            d.error(
                v.span(),
                format!("`{key}` must be an array of tables ([[{key}]])"),
            );
            Vec::new()
        }
    }
}

/// Id -> resource kind, for every resource of the file, so that `set` knows
/// what it names.
fn resource_kinds(raw: &Raw) -> raw::Kinds {
    let mut kinds = raw::Kinds::new();
    let mut add = |ids: Vec<&String>, kind: &'static str| {
        for id in ids {
            kinds.entry(id.clone()).or_insert(kind);
        }
    };
    add(raw.vpcs.iter().map(|x| &x.id.v).collect(), "vpc");
    add(raw.subnets.iter().map(|x| &x.id.v).collect(), "subnet");
    add(
        raw.route_tables.iter().map(|x| &x.id.v).collect(),
        "route_table",
    );
    add(
        raw.internet_gateways.iter().map(|x| &x.id.v).collect(),
        "internet_gateway",
    );
    add(
        raw.nat_gateways.iter().map(|x| &x.id.v).collect(),
        "nat_gateway",
    );
    add(
        raw.prefix_lists.iter().map(|x| &x.id.v).collect(),
        "prefix_list",
    );
    add(
        raw.vpc_endpoints.iter().map(|x| &x.id.v).collect(),
        "vpc_endpoint",
    );
    add(
        raw.security_groups.iter().map(|x| &x.id.v).collect(),
        "security_group",
    );
    add(
        raw.network_acls.iter().map(|x| &x.id.v).collect(),
        "network_acl",
    );
    add(
        raw.vpc_peerings.iter().map(|x| &x.id.v).collect(),
        "vpc_peering",
    );
    add(
        raw.vpn_gateways.iter().map(|x| &x.id.v).collect(),
        "vpn_gateway",
    );
    add(raw.instances.iter().map(|x| &x.id.v).collect(), "instance");
    add(raw.lambdas.iter().map(|x| &x.id.v).collect(), "lambda");
    add(
        raw.onprem_networks.iter().map(|x| &x.id.v).collect(),
        "onprem_network",
    );
    add(
        raw.external_hosts.iter().map(|x| &x.id.v).collect(),
        "external_host",
    );
    add(
        raw.aws_services.iter().map(|x| &x.id.v).collect(),
        "aws_service",
    );
    add(
        raw.onprem_hosts.iter().map(|x| &x.id.v).collect(),
        "onprem_host",
    );
    add(
        raw.transit_gateways.iter().map(|x| &x.id.v).collect(),
        "transit_gateway",
    );
    add(
        raw.tgw_attachments.iter().map(|x| &x.id.v).collect(),
        "transit_gateway_attachment",
    );
    add(
        raw.tgw_route_tables.iter().map(|x| &x.id.v).collect(),
        "transit_gateway_route_table",
    );
    // What every VPC has without declaring it (see `model::build`); a file's
    // own resource of the same id came first and wins.
    for v in &raw.vpcs {
        for (suffix, kind) in [
            ("main-rt", "route_table"),
            ("default-acl", "network_acl"),
            ("default-sg", "security_group"),
        ] {
            kinds.entry(format!("{}/{suffix}", v.id.v)).or_insert(kind);
        }
    }
    for t in &raw.transit_gateways {
        kinds
            .entry(format!("{}/default-rt", t.id.v))
            .or_insert("transit_gateway_route_table");
    }
    kinds
}

/// Why the bytes of a file are not scenario text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error(
        "the file is {size} bytes; scenario files are limited to {} bytes",
        MAX_FILE_BYTES
    )]
    TooLarge { size: usize },
    /// Bytes that are not UTF-8 at offset `valid`; `prefix` is the text
    /// before them, for line and column.
    #[error("the file is not UTF-8 text: byte {valid} is invalid")]
    NotUtf8 { valid: usize, prefix: String },
}

impl TextError {
    /// The text that could be read: the lines and columns of the diagnostic
    /// are counted in it.
    pub fn valid_prefix(&self) -> &str {
        match self {
            TextError::TooLarge { .. } => "",
            TextError::NotUtf8 { prefix, .. } => prefix,
        }
    }
}

/// Reads a file as scenario text, turning unreadable bytes into a located
/// error rather than a panic.
///
/// The error is also reported to `d`; on invalid UTF-8 the diagnostic's span
/// points into the valid prefix, which the error carries so that line and
/// column can be computed from it.
pub fn read_text(bytes: &[u8], d: &mut Diags) -> Result<String, TextError> {
    if bytes.len() > MAX_FILE_BYTES {
        let e = TextError::TooLarge { size: bytes.len() };
        d.error_at_file(e.to_string());
        return Err(e);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let valid = e.valid_up_to();
            let e = TextError::NotUtf8 {
                valid,
                prefix: String::from_utf8_lossy(&bytes[..valid]).into_owned(),
            };
            d.error(valid..valid, e.to_string());
            Err(e)
        }
    }
}
