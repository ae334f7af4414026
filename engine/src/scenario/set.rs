//! Settings of a scenario file's keys from outside the file, for sweeps:
//! `traffic.lambda-to-api.rate=100/s,1000/s`.
//!
//! A setting addresses one key of one resource: the resource's kind (the
//! name of its array of tables, `traffic`, `nat_gateway`), its `id`, and the
//! key; or one key of a table of the file (`latency.same_az`,
//! `scenario.duration`). It is applied to the text of the file before it is
//! loaded: the value already there is replaced in place, or the key is
//! added to the resource's table, so that the normal loader reads and checks
//! it like any key the file holds. Its messages name the setting where it
//! wrote ([`apply_mapped`] says where), and the file's own lines elsewhere.

use toml::de::{DeTable, DeValue};

use super::diag::did_you_mean;

/// The arrays of tables of the format, whose elements have an `id`.
pub const ARRAY_KINDS: [&str; 23] = [
    "vpc",
    "subnet",
    "route_table",
    "internet_gateway",
    "nat_gateway",
    "prefix_list",
    "vpc_endpoint",
    "security_group",
    "network_acl",
    "vpc_peering",
    "vpn_gateway",
    "onprem_network",
    "instance",
    "lambda",
    "external_host",
    "aws_service",
    "onprem_host",
    "transit_gateway",
    "transit_gateway_attachment",
    "transit_gateway_route_table",
    "traffic",
    "event",
    "expect",
];

/// The tables of the format that are one per file.
pub const TABLE_KINDS: [&str; 3] = ["scenario", "pricing", "latency"];

/// The place a setting writes: `kind.id.key`, or `table.key`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub kind: String,
    /// The resource's `id`; `None` for a table of the file.
    pub id: Option<String>,
    pub key: String,
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{}.{id}.{}", self.kind, self.key),
            None => write!(f, "{}.{}", self.kind, self.key),
        }
    }
}

/// One `--set`: an address and the values it takes, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub address: Address,
    pub values: Vec<String>,
}

/// Why a setting could not be read or applied to a file: each names the
/// setting or address as written and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    #[error("`{0}` has no `=`: write KIND.ID.KEY=VALUE,VALUE (or TABLE.KEY=VALUE)")]
    NoEquals(String),
    #[error("`{0}`: an empty value (two commas, or a comma at an end)")]
    EmptyValue(String),
    #[error(
        "`{0}` is not an address: write KIND.ID.KEY (`traffic.web.rate`) or TABLE.KEY (`latency.same_az`)"
    )]
    NotAnAddress(String),
    /// `hint` is `; did you mean ...?` or the list of kinds.
    #[error("`{addr}`: unknown kind `{kind}`{hint}")]
    UnknownKind {
        addr: String,
        kind: String,
        hint: String,
    },
    #[error("`{addr}`: a {kind} is addressed as {kind}.ID.KEY (`{kind}.my-id.{example_key}`)")]
    NoId {
        addr: String,
        kind: String,
        example_key: &'static str,
    },
    #[error("`{addr}`: `{key}` is not a key of the table")]
    NotAKey { addr: String, key: String },
    #[error("`{0}`: an `id` cannot be swept (settings and expectations name resources by it)")]
    SweptId(String),
    #[error("the file is not valid TOML: {0}")]
    NotToml(String),
    #[error(
        "`{address}`: the file has no [[{}]] (resources of included files cannot be set)",
        .address.kind
    )]
    NoArray { address: Address },
    /// `hint` is `; did you mean ...?` or the ids the file has.
    #[error("`{address}`: no {} with id `{id}` in the file{hint}", .address.kind)]
    NoResource {
        address: Address,
        id: String,
        hint: String,
    },
    #[error(
        "`{address}`: `{}` in the file is not what the address expects ({expected})",
        .address.kind
    )]
    WrongShape {
        address: Address,
        expected: &'static str,
    },
}

/// Reads `ADDRESS=V1,V2,...`. A value holding a comma is written as a TOML
/// value in quotes or brackets (`'a,b'`, `["x", "y"]`).
pub fn parse_setting(arg: &str) -> Result<Setting, SetError> {
    let Some((addr, values)) = arg.split_once('=') else {
        return Err(SetError::NoEquals(arg.to_string()));
    };
    let address = parse_address(addr.trim())?;
    let values: Vec<String> = split_values(values)
        .into_iter()
        .map(|v| v.trim().to_string())
        .collect();
    if values.iter().any(String::is_empty) {
        return Err(SetError::EmptyValue(arg.to_string()));
    }
    Ok(Setting { address, values })
}

fn parse_address(addr: &str) -> Result<Address, SetError> {
    let Some((kind, rest)) = addr.split_once('.') else {
        return Err(SetError::NotAnAddress(addr.to_string()));
    };
    let is_table = TABLE_KINDS.contains(&kind);
    if !is_table && !ARRAY_KINDS.contains(&kind) {
        let all = ARRAY_KINDS.iter().chain(TABLE_KINDS.iter()).copied();
        let hint = match did_you_mean(kind, all) {
            Some(s) => format!("; did you mean `{s}`?"),
            None => format!(
                "; expected one of: {}, {}",
                ARRAY_KINDS.join(", "),
                TABLE_KINDS.join(", ")
            ),
        };
        return Err(SetError::UnknownKind {
            addr: addr.to_string(),
            kind: kind.to_string(),
            hint,
        });
    }
    let (id, key) = if is_table {
        (None, rest)
    } else {
        // Ids may hold dots; keys do not.
        match rest.rsplit_once('.') {
            Some((id, key)) if !id.is_empty() => (Some(id.to_string()), key),
            _ => {
                return Err(SetError::NoId {
                    addr: addr.to_string(),
                    kind: kind.to_string(),
                    example_key: if kind == "traffic" { "rate" } else { "key" },
                });
            }
        }
    };
    if key.is_empty() || key.contains('.') {
        return Err(SetError::NotAKey {
            addr: addr.to_string(),
            key: key.to_string(),
        });
    }
    if key == "id" {
        return Err(SetError::SweptId(addr.to_string()));
    }
    Ok(Address {
        kind: kind.to_string(),
        id,
        key: key.to_string(),
    })
}

/// Splits at the commas outside quotes and brackets.
fn split_values(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// Whether `s` is a TOML value on its own (`42`, `true`, `1.5`).
fn is_toml_value(s: &str) -> bool {
    toml::from_str::<toml::Table>(&format!("v = {s}")).is_ok()
}

/// The TOML text of a value: as written when it is already TOML in quotes
/// or brackets; a number or boolean as it is where the key holds one (or
/// is absent); otherwise a quoted string.
fn render(value: &str, existing: Option<&DeValue<'_>>) -> String {
    let quoted = || toml::Value::String(value.to_string()).to_string();
    if value.starts_with(['"', '\'', '[', '{']) {
        return value.to_string();
    }
    match existing {
        Some(DeValue::String(_)) => quoted(),
        _ if is_toml_value(value) => value.to_string(),
        _ => quoted(),
    }
}

/// The text of the file with `values[i]` written at `settings[i]`'s
/// address. The error names the address and what is not there, with the
/// closest id when one is near.
pub fn apply(text: &str, settings: &[(&Address, &str)]) -> Result<String, SetError> {
    apply_mapped(text, settings).map(|(t, _)| t)
}

/// One place of the text that a setting wrote: where in the new text
/// (`at`), how many bytes longer it made the text (`grew`, negative when
/// shorter), and which setting (its index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub at: std::ops::Range<usize>,
    pub grew: isize,
    pub setting: usize,
}

/// Where a place of the new text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The file's own text, at this offset.
    File(usize),
    /// What the setting of this index wrote.
    Setting(usize),
}

/// Where `offset` of the text [`apply_mapped`] made, with `edits`, comes
/// from.
pub fn origin(edits: &[Edit], offset: usize) -> Origin {
    let mut shift: isize = 0;
    for e in edits {
        if offset < e.at.start {
            break;
        }
        if offset < e.at.end {
            return Origin::Setting(e.setting);
        }
        shift += e.grew;
    }
    Origin::File(offset.saturating_add_signed(-shift))
}

/// [`apply`], and the places of the new text each setting wrote, in the
/// order of the text.
pub fn apply_mapped(
    text: &str,
    settings: &[(&Address, &str)],
) -> Result<(String, Vec<Edit>), SetError> {
    let root = DeTable::parse(text)
        .map_err(|e| SetError::NotToml(e.message().trim().replace('\n', "; ")))?;
    let table = root.get_ref();
    // (start, end, replacement), applied from the end of the text.
    let mut edits: Vec<(usize, usize, String, usize)> = Vec::new();
    // (setting, text) of the tables the file leaves out.
    let mut appended: Vec<(usize, String)> = Vec::new();
    for (k, (addr, value)) in settings.iter().enumerate() {
        let Some(v) = table.get(addr.kind.as_str()) else {
            if addr.id.is_none() {
                // A table the file leaves out gets one.
                appended.push((
                    k,
                    format!(
                        "\n[{}]\n{} = {}\n",
                        addr.kind,
                        addr.key,
                        render(value, None)
                    ),
                ));
                continue;
            }
            return Err(SetError::NoArray {
                address: (*addr).clone(),
            });
        };
        let (t, span) = match (&addr.id, v.get_ref()) {
            (None, DeValue::Table(t)) => (t, v.span()),
            (Some(id), DeValue::Array(items)) => {
                let mut ids = Vec::new();
                let mut found = None;
                for item in items.iter() {
                    if let DeValue::Table(t) = item.get_ref() {
                        if let Some(DeValue::String(s)) = t.get("id").map(|x| x.get_ref()) {
                            if s.as_ref() == id {
                                found = Some((t, item.span()));
                                break;
                            }
                            ids.push(s.to_string());
                        }
                    }
                }
                match found {
                    Some(x) => x,
                    None => {
                        let hint = match did_you_mean(id, ids.iter().map(String::as_str)) {
                            Some(s) => format!("; did you mean `{s}`?"),
                            None if ids.is_empty() => String::new(),
                            None => format!("; the file has: {}", ids.join(", ")),
                        };
                        return Err(SetError::NoResource {
                            address: (*addr).clone(),
                            id: id.clone(),
                            hint,
                        });
                    }
                }
            }
            _ => {
                return Err(SetError::WrongShape {
                    address: (*addr).clone(),
                    expected: if addr.id.is_some() {
                        "an array of tables"
                    } else {
                        "a table"
                    },
                });
            }
        };
        match t.get(addr.key.as_str()) {
            Some(old) => {
                let s = old.span();
                edits.push((s.start, s.end, render(value, Some(old.get_ref())), k));
            }
            None => {
                let line = format!("{} = {}", addr.key, render(value, None));
                let inline = text[span.clone()].trim_start().starts_with('{');
                if inline {
                    // `{ id = "x", a = 1 }`: before the closing brace.
                    let close = text[..span.end].rfind('}').unwrap_or(span.end);
                    edits.push((close, close, format!(", {line} "), k));
                } else {
                    // After the line of the last plain value of the table
                    // (a sub-table's header may follow it).
                    let last = t
                        .iter()
                        .map(|(_, v)| v)
                        .filter(|v| {
                            !matches!(v.get_ref(), DeValue::Table(_))
                                || text[v.span()].starts_with('{')
                        })
                        .map(|v| v.span().end)
                        .max()
                        .unwrap_or(span.start);
                    let at = text[last..].find('\n').map_or(text.len(), |i| last + i + 1);
                    let sep = if at == text.len() && !text.ends_with('\n') {
                        "\n"
                    } else {
                        ""
                    };
                    edits.push((at, at, format!("{sep}{line}\n"), k));
                }
            }
        }
    }
    edits.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len());
    let mut places = Vec::with_capacity(edits.len() + appended.len());
    let mut from = 0;
    for (start, end, with, k) in edits {
        out.push_str(&text[from..start]);
        let at = out.len();
        out.push_str(&with);
        places.push(Edit {
            at: at..out.len(),
            grew: with.len() as isize - (end - start) as isize,
            setting: k,
        });
        from = end;
    }
    out.push_str(&text[from..]);
    for (k, with) in appended {
        let at = out.len();
        out.push_str(&with);
        places.push(Edit {
            at: at..out.len(),
            grew: with.len() as isize,
            setting: k,
        });
    }
    Ok((out, places))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"[scenario]
name = "x"
duration = "1s"

[[nat_gateway]]
id = "nat-a"
subnet = "pub"

[[traffic]]
id = "web"
rate = "10/s" # comment
port = 443
pattern = { kind = "x" }

[[traffic]]
id = "db"
rate = "1/s"
"#;

    fn set(text: &str, arg: &str) -> Result<String, SetError> {
        let s = parse_setting(arg)?;
        apply(text, &[(&s.address, s.values[0].as_str())])
    }

    #[test]
    fn places_written_are_told_from_the_file_s_own() {
        let web = parse_setting("traffic.web.rate=20/s").unwrap();
        let same = parse_setting("latency.same_az=0s").unwrap();
        let add = parse_setting("traffic.db.port=80").unwrap();
        let (out, edits) = apply_mapped(
            FILE,
            &[
                (&web.address, "20/s"),
                (&same.address, "0s"),
                (&add.address, "80"),
            ],
        )
        .unwrap();
        let rate = out.find("\"20/s\"").unwrap();
        assert_eq!(origin(&edits, rate), Origin::Setting(0));
        let port = out.find("port = 80").unwrap();
        assert_eq!(origin(&edits, port), Origin::Setting(2));
        let latency = out.find("same_az").unwrap();
        assert_eq!(origin(&edits, latency), Origin::Setting(1));
        // The file's own text after an edit maps back to where it was.
        let db = out.find("id = \"db\"").unwrap();
        assert_eq!(
            origin(&edits, db),
            Origin::File(FILE.find("id = \"db\"").unwrap())
        );
        let name = out.find("name").unwrap();
        assert_eq!(
            origin(&edits, name),
            Origin::File(FILE.find("name").unwrap())
        );
    }

    #[test]
    fn a_value_is_replaced_in_place() {
        let out = set(FILE, "traffic.web.rate=100/s").unwrap();
        assert!(out.contains("rate = \"100/s\" # comment"), "{out}");
        assert!(out.contains("rate = \"1/s\""), "{out}");
        let out = set(FILE, "traffic.db.port=8080").unwrap();
        assert!(
            out.contains("id = \"db\"\nrate = \"1/s\"\nport = 8080\n"),
            "{out}"
        );
        let out = set(FILE, "traffic.web.port=22").unwrap();
        assert!(out.contains("port = 22\n"), "{out}");
    }

    #[test]
    fn a_missing_key_is_added_to_its_table() {
        let out = set(FILE, "nat_gateway.nat-a.idle_timeout=350s").unwrap();
        assert!(
            out.contains("subnet = \"pub\"\nidle_timeout = \"350s\"\n\n[[traffic]]"),
            "{out}"
        );
        let out = set(FILE, "latency.same_az=1ms").unwrap();
        assert!(out.ends_with("\n[latency]\nsame_az = \"1ms\"\n"), "{out}");
        let out = set(FILE, "scenario.seed=7").unwrap();
        assert!(out.contains("duration = \"1s\"\nseed = 7\n"), "{out}");
    }

    #[test]
    fn typos_in_kind_and_id_are_errors_with_a_suggestion() {
        let e = set(FILE, "trafic.web.rate=1/s").unwrap_err();
        assert!(matches!(&e, SetError::UnknownKind { kind, .. } if kind == "trafic"));
        assert!(e.to_string().contains("did you mean `traffic`?"), "{e}");
        let e = set(FILE, "traffic.wev.rate=1/s").unwrap_err();
        assert!(e.to_string().contains("did you mean `web`?"), "{e}");
        let e = set(FILE, "subnet.pub.cidr=10.0.0.0/24").unwrap_err();
        assert_eq!(
            e.to_string(),
            "`subnet.pub.cidr`: the file has no [[subnet]] (resources of included files cannot be set)"
        );
        assert!(parse_setting("traffic.web.id=x").is_err());
        assert!(parse_setting("traffic.rate=1/s").is_err());
        assert!(parse_setting("traffic.web.rate").is_err());
        assert!(parse_setting("traffic.web.rate=1/s,,2/s").is_err());
    }

    #[test]
    fn values_split_at_commas_outside_quotes_and_brackets() {
        let s = parse_setting(r#"instance.a.security_groups=["x", "y"],'p,q',3"#).unwrap();
        assert_eq!(s.values, vec![r#"["x", "y"]"#, "'p,q'", "3"]);
        assert_eq!(s.address.id.as_deref(), Some("a"));
        let s = parse_setting("vpc_endpoint.s3.gw.type=gateway").unwrap();
        assert_eq!(s.address.id.as_deref(), Some("s3.gw"));
    }
}
