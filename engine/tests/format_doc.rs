//! The format documents stay in step with the reader.
//!
//! Every ```toml block of `docs/scenario-format.md` must read without a
//! problem (a fragment may lack only its `[scenario]` table), and every block
//! with a `[scenario]` table must load, warnings included; the drop reasons
//! and `set` attributes it lists must be exactly those of the code. The TOML
//! blocks of the shared format contract (`shared/docs/scenario-format.md`,
//! beside the repository) are read the same way, when it is there.

use std::path::{Path, PathBuf};

use vpcsim::model::{DropReason, load_str};
use vpcsim::scenario::raw::SETTABLE;
use vpcsim::scenario::{self, Diags, Report, Severity};

const NO_SCENARIO: &str =
    "the file has no [scenario] table (it needs at least `name` and `duration`)";

struct Block {
    /// Line of the document where the block's text starts.
    line: usize,
    text: String,
}

fn toml_blocks(doc: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (i, l) in doc.lines().enumerate() {
        match &mut current {
            None if l.trim_end() == "```toml" => {
                current = Some(Block {
                    line: i + 2,
                    text: String::new(),
                });
            }
            None => {}
            Some(_) if l.trim_end() == "```" => blocks.push(current.take().expect("open block")),
            Some(b) => {
                b.text.push_str(l);
                b.text.push('\n');
            }
        }
    }
    assert!(current.is_none(), "a ```toml block is not closed");
    blocks
}

/// The report of a block, its lines renumbered to the document's.
fn report_lines(doc: &Path, block: &Block, report: &Report) -> Vec<String> {
    report
        .entries
        .iter()
        .map(|(line, col, sev, msg)| {
            let sev = match sev {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            format!(
                "{}:{}:{col}: {sev}: {msg}",
                doc.display(),
                line + block.line - 1
            )
        })
        .collect()
}

/// Reads every block; returns the problems found and how many blocks are
/// complete scenarios that loaded.
fn check_document(doc: &Path, load_complete: bool) -> (Vec<String>, usize, usize) {
    let text = std::fs::read_to_string(doc).unwrap_or_else(|e| panic!("{}: {e}", doc.display()));
    let blocks = toml_blocks(&text);
    let mut problems = Vec::new();
    let mut complete = 0;
    for b in &blocks {
        let mut d = Diags::default();
        let raw = scenario::parse(&b.text, &mut d);
        let fragment = raw.scenario.is_none();
        let report = Report::new("block", &b.text, &d);
        let allowed = |m: &String| fragment && m.as_str() == NO_SCENARIO;
        let unexpected: Vec<_> = report.entries.iter().filter(|e| !allowed(&e.3)).collect();
        if !unexpected.is_empty() || (fragment && report.entries.is_empty()) {
            problems.extend(report_lines(doc, b, &report));
            if fragment && report.entries.is_empty() {
                problems.push(format!(
                    "{}:{}: a fragment without [scenario] read without the expected error",
                    doc.display(),
                    b.line
                ));
            }
            continue;
        }
        if fragment || !load_complete {
            continue;
        }
        match load_str("block", &b.text) {
            Ok(loaded) if loaded.report.entries.is_empty() => complete += 1,
            Ok(loaded) => problems.extend(report_lines(doc, b, &loaded.report)),
            Err(report) => problems.extend(report_lines(doc, b, &report)),
        }
    }
    (problems, blocks.len(), complete)
}

fn repo_doc() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/scenario-format.md")
}

#[test]
fn every_block_of_the_reference_reads_and_examples_load() {
    let (problems, blocks, complete) = check_document(&repo_doc(), true);
    assert!(
        problems.is_empty(),
        "problems in the TOML blocks:\n{}",
        problems.join("\n")
    );
    assert!(blocks >= 20, "only {blocks} TOML blocks found");
    assert!(
        complete >= 2,
        "only {complete} complete examples load (the [scenario] block, and the two examples)"
    );
}

#[test]
fn every_block_of_the_shared_contract_reads() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/docs/scenario-format.md");
    if !doc.exists() {
        println!(
            "note: {} is absent; the shared contract was not checked",
            doc.display()
        );
        return;
    }
    let (problems, blocks, _) = check_document(&doc, true);
    assert!(
        problems.is_empty(),
        "problems in the TOML blocks:\n{}",
        problems.join("\n")
    );
    assert!(blocks > 0, "no TOML block found in {}", doc.display());
}

/// The rows of the Markdown table that follows `heading`: first cells
/// (without backquotes) and second cells.
fn table_after(doc: &str, heading: &str) -> Vec<(String, String)> {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("no `{heading}` in the document"));
    doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // header and separator
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].replace('`', ""), cells[2].replace('`', ""))
        })
        .collect()
}

#[test]
fn drop_reasons_are_those_of_the_code() {
    let doc = std::fs::read_to_string(repo_doc()).expect("the reference");
    let listed: Vec<String> = table_after(&doc, "## Drop reasons")
        .into_iter()
        .map(|(reason, _)| reason)
        .collect();
    let known: Vec<String> = DropReason::ALL
        .iter()
        .map(|r| r.name().to_string())
        .collect();
    assert_eq!(listed, known);
}

#[test]
fn settable_attributes_are_those_of_the_code() {
    let doc = std::fs::read_to_string(repo_doc()).expect("the reference");
    let listed = table_after(&doc, "| kind | attributes |");
    let known: Vec<(String, String)> = SETTABLE
        .iter()
        .map(|(kind, attrs)| (kind.to_string(), attrs.join(", ")))
        .collect();
    assert_eq!(listed, known);
}
