//! Every AWS rule id cited in the repository is defined in
//! `docs/aws-rules.md`, and defined there once.
//!
//! An id is a rule family in capitals, `-`, a number and an optional
//! lower-case letter (`RT-4`, `RT-4a`, `SG-10`); test functions cite one in
//! lower case in their names (`nacl_2_first_match_wins`, `sg_4a_...`). The
//! files read are every text file under `engine/src`, `engine/tests` and
//! `docs/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rule families, besides those `docs/aws-rules.md` defines: a citation of
/// a family with no rule at all is reported too.
const FAMILIES: &[&str] = &[
    "ADDR", "RT", "SG", "NACL", "IGW", "NAT", "GWE", "IFE", "LAM", "PCX", "VPN", "FL", "MTU",
    "OPEN", "TGW", "DNS", "LAT", "BW", "DT",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

/// The text files under `dir`, sorted; files that are not UTF-8 are skipped.
fn text_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            text_files(&p, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            out.push((p, text));
        }
    }
}

/// The number and optional letter that start `s` (`4a` in `4a_tracked`), if
/// `s` starts with a digit and the id ends where `s` or a word ends.
fn number_part(s: &str) -> Option<&str> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let mut end = digits;
    if s.as_bytes().get(end).is_some_and(u8::is_ascii_lowercase) {
        end += 1;
    }
    match s.as_bytes().get(end) {
        Some(b) if b.is_ascii_alphanumeric() => None,
        _ => Some(&s[..end]),
    }
}

/// The ids written as such in a line: `NAT-6`, `(RT-4a)`.
fn ids_in_text(line: &str, families: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    for (i, _) in line.match_indices('-') {
        let start = bytes[..i]
            .iter()
            .rposition(|b| !b.is_ascii_uppercase())
            .map_or(0, |p| p + 1);
        if start == i || (start > 0 && bytes[start - 1].is_ascii_alphanumeric()) {
            continue;
        }
        let family = &line[start..i];
        if !families.contains(family) {
            continue;
        }
        if let Some(n) = number_part(&line[i + 1..]) {
            out.push(format!("{family}-{n}"));
        }
    }
    out
}

/// The ids in the names of functions a line declares: `fn sg_4a_tracked`.
fn ids_in_fn_names(line: &str, families: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in line.match_indices("fn ") {
        if i > 0 && line.as_bytes()[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let name: String = line[i + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let words: Vec<&str> = name.split('_').collect();
        for pair in words.windows(2) {
            let family = pair[0].to_ascii_uppercase();
            if !families.contains(&family) {
                continue;
            }
            if let Some(n) = number_part(pair[1]) {
                if n.len() == pair[1].len() {
                    out.push(format!("{family}-{n}"));
                }
            }
        }
    }
    out
}

/// The ids `docs/aws-rules.md` defines (a list item that starts with the id),
/// with the lines that define them.
fn definitions(text: &str) -> BTreeMap<String, Vec<usize>> {
    let mut defined: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let Some(rest) = line.strip_prefix("- ") else {
            continue;
        };
        let Some((id, _)) = rest.split_once(' ') else {
            continue;
        };
        let Some((family, number)) = id.split_once('-') else {
            continue;
        };
        if !family.is_empty()
            && family.bytes().all(|b| b.is_ascii_uppercase())
            && number_part(number) == Some(number)
        {
            defined.entry(id.to_string()).or_default().push(n + 1);
        }
    }
    defined
}

#[test]
fn every_cited_rule_is_defined_once() {
    let root = root();
    let rules_path = root.join("docs/aws-rules.md");
    let rules = std::fs::read_to_string(&rules_path).expect("docs/aws-rules.md");
    let defined = definitions(&rules);
    assert!(!defined.is_empty(), "docs/aws-rules.md defines no rule");

    let mut problems = Vec::new();
    for (id, lines) in &defined {
        if lines.len() > 1 {
            let at: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            problems.push(format!(
                "docs/aws-rules.md:{}: {id} is defined more than once (lines {})",
                lines[1],
                at.join(", ")
            ));
        }
    }

    let mut families: BTreeSet<String> = FAMILIES.iter().map(|f| f.to_string()).collect();
    families.extend(
        defined
            .keys()
            .filter_map(|id| id.split_once('-').map(|(f, _)| f.to_string())),
    );

    let mut files = Vec::new();
    for dir in ["engine/src", "engine/tests", "docs"] {
        text_files(&root.join(dir), &mut files);
    }
    let mut cited = 0;
    for (path, text) in &files {
        let shown = path.strip_prefix(&root).unwrap_or(path).display();
        for (n, line) in text.lines().enumerate() {
            let mut ids = ids_in_text(line, &families);
            ids.extend(ids_in_fn_names(line, &families));
            for id in ids {
                cited += 1;
                if !defined.contains_key(&id) {
                    problems.push(format!(
                        "{shown}:{}: {id} is not defined in docs/aws-rules.md",
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(cited > 0, "no rule id found in the repository");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn ids_are_recognised() {
    let families: BTreeSet<String> = FAMILIES.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        ids_in_text("dropped (RT-4a), see SG-10 and NAT-6.", &families),
        ["RT-4a", "SG-10", "NAT-6"]
    );
    assert!(ids_in_text("UTF-8, XRT-4, RT-4ab, RT-", &families).is_empty());
    assert_eq!(
        ids_in_fn_names("    fn sg_4a_untracked_flows() {", &families),
        ["SG-4a"]
    );
    assert_eq!(
        ids_in_fn_names("fn nacl_2_first_match_wins()", &families),
        ["NACL-2"]
    );
    assert!(ids_in_fn_names("fn ipv4_only() {", &families).is_empty());
    let defined = definitions("- RT-1 a rule\n- RT-1 again\n  - SG-1 not a definition\n");
    assert_eq!(defined["RT-1"], [1, 2]);
    assert!(!defined.contains_key("SG-1"));
}
