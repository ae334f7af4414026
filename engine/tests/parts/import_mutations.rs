//! Whatever `import aws` writes validates (`docs/import.md`): describe
//! folders mutated into missing, repeated and contradictory entries either
//! import to a file the loader accepts with no error, or are refused with an
//! error; never a panic, never an invalid file.
//!
//! Each case copies a fixture and applies a few mutations to its JSON: an
//! entry removed from a list (a resource missing), an entry repeated (a
//! duplicate), an id field pointed at another id of the folder or at one
//! that exists nowhere (a contradiction), two string fields swapped. The
//! number of cases is modest by default; `PROPTEST_CASES` sets more.

use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;
use vpcsim::import::import_aws;
use vpcsim::model::load_str;

const FIXTURES: [&str; 8] = [
    "lambda-nat",
    "middlebox",
    "private-nat",
    "transit-gateway",
    "tgw-vpn",
    "bgp-vpn",
    "inter-region-peering",
    "tgw-peering",
];

/// Every list of objects in `v`, as a JSON pointer.
fn lists(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => {
            if a.iter().any(Value::is_object) {
                out.push(at.clone());
            }
            for (i, x) in a.iter().enumerate() {
                lists(x, format!("{at}/{i}"), out);
            }
        }
        Value::Object(o) => {
            for (k, x) in o {
                lists(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
}

/// Every string value of a key ending in `Id` in `v`.
fn ids(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| ids(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                match x {
                    Value::String(s) if k.ends_with("Id") => out.push(s.clone()),
                    _ => ids(x, out),
                }
            }
        }
        _ => {}
    }
}

/// One mutation: which file, which list, which operation, which element,
/// and a further choice.
type Mutation = (usize, usize, u8, usize, usize);

fn mutate(files: &mut [(String, Value)], all_ids: &[String], m: Mutation) {
    let (f, l, op, e, pick) = m;
    let (_, doc) = &mut files[f % files.len()];
    let mut found = Vec::new();
    lists(doc, String::new(), &mut found);
    if found.is_empty() {
        return;
    }
    let ptr = found[l % found.len()].clone();
    let Some(Value::Array(list)) = doc.pointer_mut(&ptr) else {
        return;
    };
    if list.is_empty() {
        return;
    }
    let i = e % list.len();
    match op % 4 {
        0 => {
            list.remove(i);
        }
        1 => {
            let x = list[i].clone();
            list.insert(i, x);
        }
        2 => {
            if let Value::Object(o) = &mut list[i] {
                let keys: Vec<String> = o
                    .iter()
                    .filter(|(k, v)| k.ends_with("Id") && v.is_string())
                    .map(|(k, _)| k.clone())
                    .collect();
                if let Some(k) = keys.get(pick % keys.len().max(1)) {
                    let to = if pick % 3 == 0 || all_ids.is_empty() {
                        "x-0000000000missing".to_string()
                    } else {
                        all_ids[pick % all_ids.len()].clone()
                    };
                    o.insert(k.clone(), Value::String(to));
                }
            }
        }
        _ => {
            if let Value::Object(o) = &mut list[i] {
                let keys: Vec<String> = o
                    .iter()
                    .filter(|(_, v)| v.is_string())
                    .map(|(k, _)| k.clone())
                    .collect();
                if keys.len() >= 2 {
                    let (a, b) = (&keys[pick % keys.len()], &keys[(pick / 7 + 1) % keys.len()]);
                    if a != b {
                        let va = o[a].clone();
                        let vb = o[b].clone();
                        o.insert(a.clone(), vb);
                        o.insert(b.clone(), va);
                    }
                }
            }
        }
    }
}

/// The JSON files of a fixture, by path relative to it (region folders
/// included), in a fixed order.
fn json_files(dir: &Path, rel: &str, out: &mut Vec<(String, Value)>) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("fixture")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    for n in names {
        let p = dir.join(&n);
        let r = format!("{rel}{n}");
        if p.is_dir() {
            json_files(&p, &format!("{r}/"), out);
        } else if n.ends_with(".json") {
            let v: Value =
                serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("json");
            out.push((r, v));
        }
    }
}

fn mutated_import_validates(fixture_ix: usize, muts: &[Mutation], case: u64) {
    let name = FIXTURES[fixture_ix % FIXTURES.len()];
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/import")
        .join(name);
    let dir = std::env::temp_dir().join(format!("vpcsim-import-mut-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut files: Vec<(String, Value)> = Vec::new();
    json_files(&src, "", &mut files);
    let mut all_ids = Vec::new();
    for (_, v) in &files {
        ids(v, &mut all_ids);
    }
    all_ids.sort();
    all_ids.dedup();
    for m in muts {
        mutate(&mut files, &all_ids, *m);
    }
    for (n, v) in &files {
        let p = dir.join(n);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, v.to_string()).expect("write");
    }
    let result = import_aws(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Err(e) => assert!(!e.to_string().is_empty(), "{name} {muts:?}: an empty error"),
        Ok(imported) => {
            if let Err(report) = load_str("imported.toml", &imported.text) {
                let lines: Vec<&str> = imported.text.lines().collect();
                let near: Vec<String> = report
                    .lines()
                    .filter_map(|l| l.split(':').nth(1)?.parse::<usize>().ok())
                    .filter_map(|n| lines.get(n.saturating_sub(1)).map(|t| format!("{n}: {t}")))
                    .collect();
                panic!(
                    "{name} with {muts:?}: the import does not validate:\n{report}\n--- at:\n{}\n--- notes:\n{:#?}",
                    near.join("\n"),
                    imported.notes
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn mutated_describe_folders_import_to_files_that_validate(
        fixture in 0usize..FIXTURES.len(),
        muts in prop::collection::vec((0usize..64, 0usize..64, 0u8..4, 0usize..64, 0usize..1024), 1..4),
        case in any::<u64>(),
    ) {
        mutated_import_validates(fixture, &muts, case);
    }
}

/// ADDR-2: a case the property found. A repeated subnet whose fields were
/// swapped overlaps the subnet it repeats; AWS refuses overlapping subnets
/// in a VPC, so the import leaves the second out with a note instead of
/// writing a file that does not load.
#[test]
fn addr_2_a_subnet_overlapping_another_is_left_out() {
    mutated_import_validates(
        5,
        &[
            (28, 59, 1, 22, 599),
            (38, 48, 0, 42, 817),
            (44, 42, 3, 46, 895),
        ],
        1,
    );
}

/// RT-1: a case the property found. A route table's VPC id pointed at
/// another VPC that already has a main route table gives that VPC two;
/// AWS keeps exactly one per VPC, so the import keeps the first (by id) as
/// the main table and writes the other as an ordinary one, with a note.
#[test]
fn rt_1_a_second_main_route_table_of_a_vpc_is_imported_as_an_ordinary_one() {
    mutated_import_validates(7, &[(55, 50, 1, 15, 572), (1, 63, 2, 26, 134)], 1);
}
