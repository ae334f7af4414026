//! Invalid scenario files and the exact report the loader gives for each.
//!
//! Every case is a whole file (the text starts on line 1 at `[scenario]`; a
//! leading newline after `r#"` is dropped) and the complete list of report
//! lines expected for it, `line:column: severity: message`, in report order.
//! The rule ids in the messages are those of `aws-vpc-semantics.md`.

#[path = "cases/invalid.rs"]
mod cases;

use cases::{Case, INVALID, LOADS};
use vpcsim::model::load_str;

fn text_of(text: &str) -> &str {
    text.strip_prefix('\n').unwrap_or(text)
}

/// The report lines of a file, and whether it loaded.
fn report(name: &str, text: &str) -> (bool, Vec<String>) {
    let file = format!("{name}.toml");
    match load_str(&file, text_of(text)) {
        Ok(loaded) => (true, loaded.report.lines().collect()),
        Err(report) => (false, report.lines().collect()),
    }
}

fn expected_lines(name: &str, expected: &[&str]) -> Vec<String> {
    expected
        .iter()
        .map(|e| format!("{name}.toml:{e}"))
        .collect()
}

/// Checks every case and fails once, listing every case that differs, with
/// what it actually reported.
fn check_all(cases: &[Case], should_load: bool) {
    let mut failures = Vec::new();
    for c in cases {
        let (loaded, got) = report(c.name, c.text);
        let want = expected_lines(c.name, c.expected);
        if loaded != should_load || got != want {
            let shown: Vec<String> = got
                .iter()
                .map(|l| {
                    let rest = l.strip_prefix(&format!("{}.toml:", c.name)).unwrap_or(l);
                    format!("        {rest:?},")
                })
                .collect();
            failures.push(format!(
                "case `{}`: loaded = {loaded} (expected {should_load})\n    expected:\n{}\n    got:\n{}",
                c.name,
                want.iter()
                    .map(|l| format!("        {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                shown.join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn invalid_files_report_exactly() {
    check_all(INVALID, false);
}

#[test]
fn valid_files_report_exactly_their_warnings() {
    check_all(LOADS, true);
}
