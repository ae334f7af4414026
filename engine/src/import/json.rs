//! Reading one JSON file into typed structs, with errors that name the file
//! and the JSON path of the value at fault (`$.Subnets[3].CidrBlock`).
//!
//! serde_json reports where it stopped as a line and column; the path is
//! recovered by scanning the text up to that place. The scan is a tolerant
//! tokenizer, not a validator: it also names the place of a syntax error or of
//! a file cut short.

use serde::de::DeserializeOwned;

/// A file that could not be read as the shape its name promises.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub file: String,
    /// `$`, `$.Subnets[3]`, `$.Subnets[3].CidrBlock`.
    pub path: String,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {} (line {}, column {})",
            self.file, self.path, self.message, self.line, self.column
        )
    }
}

impl std::error::Error for JsonError {}

/// Parses `text` (the contents of `file`) as a `T`.
/// A leading UTF-8 byte order mark (as Windows editors and PowerShell's
/// `Out-File` write) is read past, as the scenario loader does; lines and
/// columns count from the text after it.
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, JsonError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str::<T>(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        let offset = offset_of(text, line, column);
        let mut message = e.to_string();
        // serde_json appends the place; it is given separately.
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        let mut message = in_words(&message);
        if e.is_eof() && !message.contains("EOF") {
            message.push_str(" (the file ends early)");
        }
        JsonError {
            file: file.to_string(),
            path: path_at(text, offset),
            message,
            line,
            column,
        }
    })
}

/// serde's message with Rust's names for what it expected (`i64`, `struct
/// VpcsFile`, `a sequence`) put in the words of JSON.
fn in_words(message: &str) -> String {
    if message.starts_with("invalid length ") && message.contains(", expected struct ") {
        // A list where the file's object should be: serde reads a struct
        // from a list by position.
        return "a list ([...]) where an object ({...}) is expected: describe output is an object \
                holding the list under the call's key, like {\"Vpcs\": [...]}"
            .to_string();
    }
    let Some(i) = message.rfind("expected ") else {
        return message.to_string();
    };
    let (head, want) = message.split_at(i + "expected ".len());
    let words = match want {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "i8" | "i16" | "i32" | "i64" | "u64" | "isize" | "usize" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "true or false",
        "a sequence" => "a list ([...])",
        "a map" => "an object ({...})",
        "value" => "a JSON value (an object, a list, a string, a number, true, false or null)",
        w if w.starts_with("struct ") || w.starts_with("map ") => "an object ({...})",
        _ => return message.to_string(),
    };
    format!("{head}{words}")
}

/// Byte offset of serde_json's (line, column): column counts the bytes after
/// the start of the line.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    (start + column).min(text.len())
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

fn render(path: &[Seg]) -> String {
    let mut out = String::from("$");
    for s in path {
        match s {
            Seg::Key(k)
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push('.');
                out.push_str(k);
            }
            Seg::Key(k) => out.push_str(&format!("[{k:?}]")),
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

enum Frame {
    /// The key of the member being read, once known.
    Object(Option<String>),
    /// The index of the element being read; `None` before the first.
    Array(Option<usize>),
}

/// The path of the innermost value around `offset`: a value that ends exactly
/// there (serde_json stops just after the value it rejects), else the value
/// that starts there, else the innermost one still open.
fn path_at(text: &str, offset: usize) -> String {
    let b = text.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    // The path of each open value, and whether it is a container.
    let mut open: Vec<Vec<Seg>> = Vec::new();
    let mut cur: Vec<Seg> = Vec::new();
    let mut ended_here: Option<Vec<Seg>> = None;
    let mut i = 0;
    // Where the next value goes: the path segment it takes.
    let value_seg = |frames: &mut Vec<Frame>| -> Option<Seg> {
        match frames.last_mut() {
            Some(Frame::Object(Some(k))) => Some(Seg::Key(k.clone())),
            Some(Frame::Object(None)) => None,
            Some(Frame::Array(idx)) => {
                let n = idx.map_or(0, |n| n + 1);
                *idx = Some(n);
                Some(Seg::Index(n))
            }
            None => None,
        }
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b',' || c == b':' {
            i += 1;
            continue;
        }
        if i > offset {
            break;
        }
        let expecting_key = matches!(frames.last(), Some(Frame::Object(None)));
        match c {
            b'"' => {
                let start = i;
                i += 1;
                let mut s = Vec::new();
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        s.push(b[i + 1]);
                        i += 2;
                    } else {
                        s.push(b[i]);
                        i += 1;
                    }
                }
                i = (i + 1).min(b.len());
                let s = String::from_utf8_lossy(&s).into_owned();
                if expecting_key {
                    if let Some(Frame::Object(k)) = frames.last_mut() {
                        *k = Some(s);
                    }
                } else {
                    let mut p = cur.clone();
                    p.extend(value_seg(&mut frames));
                    if start <= offset && offset <= i {
                        if i == offset {
                            ended_here = Some(p);
                        } else {
                            return render(&p);
                        }
                    }
                    after_value(&mut frames);
                }
            }
            b'{' | b'[' => {
                let seg = value_seg(&mut frames);
                open.push(cur.clone());
                cur.extend(seg);
                if i == offset {
                    return render(&cur);
                }
                frames.push(if c == b'{' {
                    Frame::Object(None)
                } else {
                    Frame::Array(None)
                });
                ended_here = None;
                i += 1;
            }
            b'}' | b']' => {
                frames.pop();
                i += 1;
                let done = cur.clone();
                cur = open.pop().unwrap_or_default();
                if i == offset {
                    ended_here = Some(done);
                }
                after_value(&mut frames);
            }
            _ => {
                // A number or a literal.
                let start = i;
                while i < b.len() && !b",]}: \t\r\n".contains(&b[i]) {
                    i += 1;
                }
                let mut p = cur.clone();
                p.extend(value_seg(&mut frames));
                if start <= offset && offset <= i {
                    if i == offset {
                        ended_here = Some(p);
                    } else {
                        return render(&p);
                    }
                }
                after_value(&mut frames);
            }
        }
        if i > offset {
            break;
        }
    }
    match ended_here {
        Some(p) => render(&p),
        None => render(&cur),
    }
}

/// After a member's value, the object waits for the next key.
fn after_value(frames: &mut [Frame]) {
    if let Some(Frame::Object(k)) = frames.last_mut() {
        *k = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct File {
        subnets: Vec<Subnet>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Subnet {
        subnet_id: String,
        cidr_block: String,
        #[serde(default)]
        tags: Vec<Tag>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct Tag {
        key: String,
    }

    fn err(text: &str) -> JsonError {
        parse::<File>("Subnets.json", text).unwrap_err()
    }

    #[test]
    fn wrong_type_names_the_value() {
        let text = r#"{"Subnets": [
            {"SubnetId": "a", "CidrBlock": "10.0.0.0/24"},
            {"SubnetId": "b", "CidrBlock": 10}
        ]}"#;
        let e = err(text);
        assert_eq!(e.path, "$.Subnets[1].CidrBlock");
        assert!(e.message.contains("expected a string"), "{e}");
        assert!(
            e.to_string()
                .starts_with("Subnets.json: $.Subnets[1].CidrBlock: ")
        );
        // Compact text too.
        let e = err(r#"{"Subnets":[{"SubnetId":"a","CidrBlock":true}]}"#);
        assert_eq!(e.path, "$.Subnets[0].CidrBlock");
    }

    #[test]
    fn missing_field_names_the_object() {
        let e = err(r#"{"Subnets": [{"SubnetId": "a"}]}"#);
        assert_eq!(e.path, "$.Subnets[0]");
        assert!(e.message.contains("missing field `CidrBlock`"), "{e}");
        let e = err(r#"{"Subnets":[{"SubnetId":"a","Tags":[{"Key":"x"},{}]}]}"#);
        assert_eq!(e.path, "$.Subnets[0].Tags[1]");
        let e = err(r#"{"Vpcs": []}"#);
        assert_eq!(e.path, "$");
    }

    #[test]
    fn container_of_the_wrong_kind() {
        let e = err(r#"{"Subnets": [{"SubnetId": "a", "CidrBlock": {"x": 1}}]}"#);
        assert_eq!(e.path, "$.Subnets[0].CidrBlock");
        let e = err(r#"{"Subnets": {"SubnetId": "a"}}"#);
        assert_eq!(e.path, "$.Subnets");
    }

    #[test]
    fn syntax_errors_and_cut_files() {
        let e = err("{\"Subnets\": [\n {\"SubnetId\": \"a\", \"CidrBlock\": \"10.0.");
        assert_eq!(e.path, "$.Subnets[0].CidrBlock");
        assert!(e.message.contains("EOF"), "{e}");
        let e = err("{\"Subnets\": [\n {\"SubnetId\": \"a\",\n");
        assert_eq!(e.path, "$.Subnets[0]");
        let e = err("{\"Subnets\": [ {\"SubnetId\": \"a\" \"CidrBlock\": \"x\"} ]}");
        assert_eq!(e.path, "$.Subnets[0]");
        assert_eq!(e.line, 1);
    }

    #[test]
    fn a_leading_byte_order_mark_is_read_past() {
        let ok: File =
            parse("Subnets.json", "\u{feff}{\"Subnets\": []}").expect("a BOM is not JSON's");
        assert!(ok.subnets.is_empty());
    }

    #[test]
    fn messages_name_json_types_not_rust_ones() {
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "PascalCase")]
        #[allow(dead_code)]
        struct Entry {
            rule_number: i64,
            port: u16,
        }
        #[derive(Deserialize, Debug)]
        #[serde(rename_all = "PascalCase")]
        #[allow(dead_code)]
        struct Acl {
            entries: Vec<Entry>,
        }
        let e = parse::<Acl>(
            "a.json",
            r#"{"Entries": [{"RuleNumber": "100", "Port": 1}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.path, "$.Entries[0].RuleNumber");
        assert_eq!(
            e.message,
            "invalid type: string \"100\", expected a whole number"
        );
        let e = parse::<Acl>(
            "a.json",
            r#"{"Entries": [{"RuleNumber": 1, "Port": 70000}]}"#,
        )
        .unwrap_err();
        assert!(
            e.message
                .ends_with("expected a whole number from 0 to 65535"),
            "{e}"
        );
        let e = parse::<Acl>("a.json", r#"{"Entries": {}}"#).unwrap_err();
        assert!(e.message.ends_with("expected a list ([...])"), "{e}");
        // A list where the file's object is expected.
        let e = err("[]");
        assert_eq!(e.path, "$");
        assert!(
            e.message
                .starts_with("a list ([...]) where an object ({...}) is expected"),
            "{e}"
        );
        assert!(!e.message.contains("struct"), "{e}");
        let e = err("nonsense");
        assert!(!e.message.ends_with("expected value"), "{e}");
    }

    #[test]
    fn odd_keys_are_quoted() {
        assert_eq!(path_at(r#"{"a b": [1, 2]}"#, 13), "$[\"a b\"][1]");
    }
}
