//! The plan's `configuration` section: each resource's expressions (with the
//! `references` Terraform lists for them), module calls and their inputs,
//! module outputs, and the provider configurations with their regions.

use std::collections::BTreeMap;

use serde_json::Value;

use super::plan::Inst;

/// The configuration of a plan (empty for a state, which has none).
pub struct Config<'a> {
    root: &'a Value,
    variables: &'a BTreeMap<String, Value>,
}

/// Splits a module instance address, `module.a[0].module.b`, into its calls:
/// `[("a", "module.a[0]"), ("b", "module.a[0].module.b")]`.
pub fn module_segments(module: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = module;
    let mut done = 0;
    while let Some(r) = rest.strip_prefix("module.") {
        let name_len = r.find(['[', '.']).unwrap_or(r.len());
        let name = r[..name_len].to_string();
        let mut len = "module.".len() + name_len;
        if r[name_len..].starts_with('[') {
            // The key: a number or a quoted string, which may hold `]`.
            let mut in_str = false;
            let mut escaped = false;
            for (i, c) in r[name_len..].char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' if in_str => escaped = true,
                    '"' => in_str = !in_str,
                    ']' if !in_str => {
                        len += i + 1;
                        break;
                    }
                    _ => {}
                }
            }
        }
        done += len;
        out.push((name, module[..done].to_string()));
        rest = &module[done..];
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            done += 1;
        }
    }
    out
}

/// The module instance that holds `module` (its caller); `""` for the root.
pub fn parent_module(module: &str) -> String {
    let segs = module_segments(module);
    if segs.len() < 2 {
        return String::new();
    }
    segs[segs.len() - 2].1.clone()
}

impl<'a> Config<'a> {
    pub fn new(configuration: &'a Value, variables: &'a BTreeMap<String, Value>) -> Config<'a> {
        Config {
            root: configuration,
            variables,
        }
    }

    /// The configuration of the module instance `module`.
    fn module(&self, module: &str) -> Option<&'a Value> {
        let mut m = self.root.get("root_module")?;
        for (name, _) in module_segments(module) {
            m = m.get("module_calls")?.get(&name)?.get("module")?;
        }
        Some(m)
    }

    /// The configuration block of an instance's resource.
    pub fn resource(&self, inst: &Inst) -> Option<&'a Value> {
        let want = inst.config_address();
        self.module(&inst.module)?
            .get("resources")?
            .as_array()?
            .iter()
            .find(|r| r.get("address").and_then(Value::as_str) == Some(want.as_str()))
    }

    /// The expression of an attribute (or of a nested block: an array of
    /// objects of expressions).
    pub fn expr(&self, inst: &Inst, attr: &str) -> Option<&'a Value> {
        self.resource(inst)?.get("expressions")?.get(attr)
    }

    /// The expression given for variable `var` by the call of module
    /// instance `module`.
    pub fn module_input(&self, module: &str, var: &str) -> Option<&'a Value> {
        let segs = module_segments(module);
        let (name, _) = segs.last()?;
        let parent = self.module(&parent_module(module))?;
        parent
            .get("module_calls")?
            .get(name)?
            .get("expressions")?
            .get(var)
    }

    /// The expression of output `output` of the child `call` of `module`.
    pub fn module_output(&self, module: &str, call: &str, output: &str) -> Option<&'a Value> {
        self.module(module)?
            .get("module_calls")?
            .get(call)?
            .get("module")?
            .get("outputs")?
            .get(output)?
            .get("expression")
    }

    /// The region of an instance's provider configuration, if the
    /// configuration gives it as a constant or a root variable.
    pub fn region(&self, inst: &Inst) -> Option<String> {
        let key = self
            .resource(inst)
            .and_then(|r| r.get("provider_config_key"))
            .and_then(Value::as_str)
            .unwrap_or("aws");
        self.provider_region(key)
    }

    /// The account of an instance's provider configuration, where the
    /// configuration says it: the account of its `assume_role`'s
    /// `role_arn`, else its one `allowed_account_ids`.
    pub fn account(&self, inst: &Inst) -> Option<String> {
        let key = self
            .resource(inst)
            .and_then(|r| r.get("provider_config_key"))
            .and_then(Value::as_str)
            .unwrap_or("aws");
        let providers = self.root.get("provider_config")?;
        let p = providers
            .get(key)
            .or_else(|| providers.get(key.rsplit(':').next().unwrap_or(key)))?;
        let e = p.get("expressions")?;
        let module = p
            .get("module_address")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| key.rsplit_once(':').map(|(m, _)| m.to_string()))
            .unwrap_or_default();
        let account = |s: &str| {
            (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.to_string())
        };
        let roles = e.get("assume_role").and_then(Value::as_array);
        for r in roles.into_iter().flatten() {
            let arn = r
                .get("role_arn")
                .and_then(|x| self.string_value(&module, x, 0));
            if let Some(a) = arn
                .as_deref()
                .and_then(|a| a.split(':').nth(4))
                .and_then(account)
            {
                return Some(a);
            }
        }
        match e
            .get("allowed_account_ids")?
            .get("constant_value")?
            .as_array()?
            .as_slice()
        {
            [one] => one.as_str().and_then(account),
            _ => None,
        }
    }

    /// The region of a provider configuration (`aws`, `aws.west`, or in old
    /// plans `module.x:aws`).
    pub fn provider_region(&self, key: &str) -> Option<String> {
        let providers = self.root.get("provider_config")?;
        let p = providers
            .get(key)
            .or_else(|| providers.get(key.rsplit(':').next().unwrap_or(key)))?;
        let region = p.get("expressions")?.get("region")?;
        // A provider block inside a module (`module.x:aws.west`) reads that
        // module's variables, which its call sets.
        let module = p
            .get("module_address")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| key.rsplit_once(':').map(|(m, _)| m.to_string()))
            .unwrap_or_default();
        self.string_value(&module, region, 0)
    }

    /// The string an expression of module instance `module` gives, if it
    /// is a constant or a variable that is one (followed up through the
    /// module calls to the root's variables).
    fn string_value(&self, module: &str, expr: &Value, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        if let Some(s) = expr.get("constant_value").and_then(Value::as_str) {
            return Some(s.to_string());
        }
        for r in expr.get("references")?.as_array()? {
            let Some(var) = r.as_str().and_then(|r| r.strip_prefix("var.")) else {
                continue;
            };
            let var = var.split(['.', '[']).next().unwrap_or(var);
            let found = if module.is_empty() {
                self.variables
                    .get(var)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            } else {
                self.module_input(module, var)
                    .and_then(|e| self.string_value(&parent_module(module), e, depth + 1))
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// The region of the default provider configuration.
    pub fn default_region(&self) -> Option<String> {
        self.provider_region("aws")
    }
}

/// The references of an expression (`{"references": [...]}`).
pub fn references(expr: &Value) -> Vec<String> {
    expr.get("references")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_addresses_split_into_calls() {
        assert_eq!(module_segments(""), vec![]);
        assert_eq!(
            module_segments("module.a[0].module.b"),
            vec![
                ("a".to_string(), "module.a[0]".to_string()),
                ("b".to_string(), "module.a[0].module.b".to_string())
            ]
        );
        assert_eq!(
            module_segments("module.x[\"a]b\"]"),
            vec![("x".to_string(), "module.x[\"a]b\"]".to_string())]
        );
        assert_eq!(parent_module("module.a[0].module.b"), "module.a[0]");
        assert_eq!(parent_module("module.a"), "");
    }
}
