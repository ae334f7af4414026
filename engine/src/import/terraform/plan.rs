//! The JSON of `terraform show -json`: what kind of document it is, and the
//! resource instances it describes, with the values known of each.
//!
//! A plan (`planned_values`, `resource_changes`, `prior_state`,
//! `configuration`) and a state (`values`) are read alike: every managed
//! resource instance with its values, the values unknown until apply, and
//! its module, index and provider. A value that a plan leaves unknown and
//! that the prior state knows (a resource that already exists) is taken from
//! the prior state.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::super::ImportError;
use super::super::json;

/// `count` index or `for_each` key of an instance.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Int(i64),
    Str(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Int(i) => write!(f, "[{i}]"),
            Key::Str(s) => write!(f, "[{s:?}]"),
        }
    }
}

impl Key {
    fn from_json(v: &Value) -> Option<Key> {
        match v {
            Value::Number(n) => n.as_i64().map(Key::Int),
            Value::String(s) => Some(Key::Str(s.clone())),
            _ => None,
        }
    }
}

/// One resource instance.
#[derive(Clone, Debug)]
pub struct Inst {
    /// `module.vpc.aws_subnet.private[1]`.
    pub address: String,
    /// The module instance it is in: `""`, `module.vpc`, `module.app["a"]`.
    pub module: String,
    pub data: bool,
    pub rtype: String,
    pub name: String,
    pub index: Option<Key>,
    /// `registry.terraform.io/hashicorp/aws`, or `aws` in old plans.
    pub provider: String,
    /// The values known (an object).
    pub values: Map<String, Value>,
    /// Which values are unknown until apply (`after_unknown`).
    pub unknown: Value,
}

impl Inst {
    pub fn is_aws(&self) -> bool {
        let p = self.provider.as_str();
        p == "aws" || p.ends_with("/aws")
    }

    /// The resource's address within its module, without the index:
    /// `aws_subnet.private`, as the configuration names it.
    pub fn config_address(&self) -> String {
        let prefix = if self.data { "data." } else { "" };
        format!("{prefix}{}.{}", self.rtype, self.name)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.values.get(key).and_then(Value::as_bool)
    }

    /// Whether `key` is unknown until apply.
    pub fn is_unknown(&self, key: &str) -> bool {
        self.unknown
            .get(key)
            .is_some_and(|u| u == &Value::Bool(true))
    }
}

/// What the document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Plan,
    State,
}

/// A read document: its kind, format version, instances (sorted by
/// address), the root module's variables, the configuration and the
/// instances left out while reading (deleted by the plan).
pub struct Doc {
    pub kind: Kind,
    pub format_version: String,
    pub insts: Vec<Inst>,
    pub variables: BTreeMap<String, Value>,
    pub configuration: Value,
    /// Addresses that the plan deletes (not imported).
    pub deleted: Vec<String>,
}

fn bad(file: &str, path: &str, message: String) -> ImportError {
    ImportError::Shape {
        file: file.to_string(),
        at: path.to_string(),
        message,
    }
}

/// What a JSON document that is not a plan or state looks like.
fn looks_like(v: &Value) -> String {
    let Value::Object(m) = v else {
        let what = match v {
            Value::Array(_) => "an array",
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return format!("the document is {what}, not an object");
    };
    let has = |k: &str| m.contains_key(k);
    if has("version") && has("resources") && has("terraform_version") {
        return "it looks like a raw state file (terraform.tfstate); give the output of \
                `terraform show -json` instead"
            .into();
    }
    if has("resource") || has("provider") || has("module") || has("variable") {
        return "it looks like Terraform configuration in JSON (*.tf.json), not a plan or state; \
                run `terraform plan -out tfplan` and `terraform show -json tfplan`"
            .into();
    }
    let describe = [
        "Vpcs",
        "Subnets",
        "RouteTables",
        "SecurityGroups",
        "Reservations",
    ];
    if describe.iter().any(|k| has(k)) {
        return "it looks like `aws ec2 describe-*` output; read it with `vpcsim import aws`"
            .into();
    }
    let mut keys: Vec<&str> = m.keys().map(String::as_str).take(6).collect();
    keys.sort_unstable();
    if keys.is_empty() {
        "it is an empty object".into()
    } else {
        format!(
            "it is an object with the keys {}",
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Reads the text of `file` as the JSON of `terraform show -json`.
pub fn read(file: &str, text: &str) -> Result<Doc, ImportError> {
    let v: Value = json::parse(file, text)?;
    let m = match &v {
        Value::Object(m) if m.contains_key("format_version") => m,
        _ => {
            return Err(bad(
                file,
                "$",
                format!(
                    "not the JSON of `terraform show -json` (a plan or a state): {}",
                    looks_like(&v)
                ),
            ));
        }
    };
    let version = match m.get("format_version") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(bad(
                file,
                "$.format_version",
                format!("expected a version string like \"1.2\", found {other}"),
            ));
        }
        None => unreachable!("checked above"),
    };
    let major = version.split('.').next().unwrap_or("");
    if major != "0" && major != "1" {
        return Err(bad(
            file,
            "$.format_version",
            format!(
                "format version \"{version}\" is not supported; vpcsim reads versions 0.x and 1.x"
            ),
        ));
    }
    let is_plan = m.contains_key("planned_values") || m.contains_key("resource_changes");
    let kind = if is_plan {
        Kind::Plan
    } else if m.contains_key("values") {
        Kind::State
    } else {
        // `terraform show -json` of an empty state has only the versions.
        Kind::State
    };
    let mut variables = BTreeMap::new();
    if let Some(Value::Object(vars)) = m.get("variables") {
        for (k, v) in vars {
            if let Some(value) = v.get("value") {
                variables.insert(k.clone(), value.clone());
            }
        }
    }
    let mut insts: BTreeMap<String, Inst> = BTreeMap::new();
    let mut deleted = Vec::new();
    match kind {
        Kind::State => {
            if let Some(root) = m.get("values").and_then(|v| v.get("root_module")) {
                walk_module(file, "$.values.root_module", root, &mut insts)?;
            }
        }
        Kind::Plan => {
            let mut prior = BTreeMap::new();
            if let Some(root) = m
                .get("prior_state")
                .and_then(|v| v.pointer("/values/root_module"))
            {
                walk_module(file, "$.prior_state.values.root_module", root, &mut prior)?;
            }
            match m.get("resource_changes") {
                Some(Value::Array(changes)) => {
                    for (i, c) in changes.iter().enumerate() {
                        let at = format!("$.resource_changes[{i}]");
                        let Some(mut inst) = change(file, &at, c, &mut deleted)? else {
                            continue;
                        };
                        // A value the plan leaves unknown and the prior state
                        // knows: the resource exists and keeps it.
                        let actions = c.pointer("/change/actions").cloned().unwrap_or_default();
                        let replaced = actions.as_array().is_some_and(|a| {
                            a.iter().any(|x| x == "delete") && a.iter().any(|x| x == "create")
                        });
                        if let (Some(p), false) = (prior.get(&inst.address), replaced) {
                            for (k, v) in &p.values {
                                let missing = inst.values.get(k).is_none_or(Value::is_null);
                                if missing && !v.is_null() {
                                    inst.values.insert(k.clone(), v.clone());
                                    if let Value::Object(u) = &mut inst.unknown {
                                        u.remove(k);
                                    }
                                }
                            }
                        }
                        insts.insert(inst.address.clone(), inst);
                    }
                }
                Some(_) => {
                    return Err(bad(
                        file,
                        "$.resource_changes",
                        "expected an array of resource changes".into(),
                    ));
                }
                None => {
                    if let Some(root) = m.get("planned_values").and_then(|p| p.get("root_module")) {
                        walk_module(file, "$.planned_values.root_module", root, &mut insts)?;
                    }
                }
            }
            // Data sources read in the prior state that the plan does not
            // read again.
            for (k, p) in prior {
                if p.data && !insts.contains_key(&k) {
                    insts.insert(k, p);
                }
            }
        }
    }
    Ok(Doc {
        kind,
        format_version: version,
        insts: insts.into_values().collect(),
        variables,
        configuration: m.get("configuration").cloned().unwrap_or(Value::Null),
        deleted,
    })
}

fn expect_str<'a>(file: &str, at: &str, v: &'a Value, key: &str) -> Result<&'a str, ImportError> {
    match v.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(bad(
            file,
            &format!("{at}.{key}"),
            format!("expected a string, found {other}"),
        )),
        None => Err(bad(
            file,
            at,
            format!("a resource without `{key}`: the document is not shaped like Terraform's"),
        )),
    }
}

/// The module instance of a resource address: everything before its type.
fn module_of(address: &str, rtype: &str, data: bool) -> String {
    let needle = if data {
        format!("data.{rtype}.")
    } else {
        format!("{rtype}.")
    };
    let mut at = 0;
    // The last `module.x` segment's end, then the type.
    for (i, _) in address.match_indices(&needle) {
        if i == 0 || address[..i].ends_with('.') {
            at = i;
        }
    }
    address[..at].trim_end_matches('.').to_string()
}

fn inst_from(
    file: &str,
    at: &str,
    r: &Value,
    values: Option<&Value>,
    unknown: Option<&Value>,
) -> Result<Inst, ImportError> {
    let address = expect_str(file, at, r, "address")?.to_string();
    let rtype = expect_str(file, at, r, "type")?.to_string();
    let name = expect_str(file, at, r, "name")?.to_string();
    let data = r.get("mode").and_then(Value::as_str) == Some("data");
    let module = match r.get("module_address").and_then(Value::as_str) {
        Some(m) => m.to_string(),
        None => module_of(&address, &rtype, data),
    };
    let values = match values {
        Some(Value::Object(m)) => m.clone(),
        Some(Value::Null) | None => Map::new(),
        Some(other) => {
            return Err(bad(
                file,
                &format!("{at}.values"),
                format!("expected an object of attribute values, found {other}"),
            ));
        }
    };
    Ok(Inst {
        address,
        module,
        data,
        rtype,
        name,
        index: r.get("index").and_then(Key::from_json),
        provider: r
            .get("provider_name")
            .and_then(Value::as_str)
            .unwrap_or("aws")
            .to_string(),
        values,
        unknown: unknown.cloned().unwrap_or(Value::Null),
    })
}

/// One entry of `resource_changes`; `None` for an instance the plan deletes.
fn change(
    file: &str,
    at: &str,
    c: &Value,
    deleted: &mut Vec<String>,
) -> Result<Option<Inst>, ImportError> {
    let Some(ch) = c.get("change") else {
        return Err(bad(
            file,
            at,
            "a resource change without `change`: the document is not shaped like Terraform's"
                .into(),
        ));
    };
    let after = ch.get("after");
    if after.is_none_or(Value::is_null) {
        deleted.push(expect_str(file, at, c, "address")?.to_string());
        return Ok(None);
    }
    let at_change = format!("{at}.change");
    inst_from(file, at, c, after, ch.get("after_unknown"))
        .map_err(|e| match e {
            ImportError::Shape {
                file,
                at: path,
                message,
            } if path.ends_with(".values") => ImportError::Shape {
                file,
                at: format!("{at_change}.after"),
                message,
            },
            e => e,
        })
        .map(Some)
}

/// The resources of a module of `planned_values`, `values` or
/// `prior_state`, and of its child modules.
fn walk_module(
    file: &str,
    at: &str,
    m: &Value,
    out: &mut BTreeMap<String, Inst>,
) -> Result<(), ImportError> {
    if let Some(rs) = m.get("resources") {
        let Value::Array(rs) = rs else {
            return Err(bad(
                file,
                &format!("{at}.resources"),
                "expected an array of resources".into(),
            ));
        };
        for (i, r) in rs.iter().enumerate() {
            let here = format!("{at}.resources[{i}]");
            let inst = inst_from(file, &here, r, r.get("values"), None)?;
            out.insert(inst.address.clone(), inst);
        }
    }
    if let Some(Value::Array(children)) = m.get("child_modules") {
        for (i, c) in children.iter().enumerate() {
            walk_module(file, &format!("{at}.child_modules[{i}]"), c, out)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_of_an_address() {
        assert_eq!(module_of("aws_vpc.main", "aws_vpc", false), "");
        assert_eq!(
            module_of("module.vpc.aws_subnet.private[1]", "aws_subnet", false),
            "module.vpc"
        );
        assert_eq!(
            module_of("module.a[\"x\"].module.b.data.aws_vpc.v", "aws_vpc", true),
            "module.a[\"x\"].module.b"
        );
    }
}
