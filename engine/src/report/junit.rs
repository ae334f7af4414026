//! `check`'s results for CI systems: JUnit XML and GitHub Actions
//! annotations.
//!
//! JUnit: one `<testsuite>` per scenario file (its `name` is the path), one
//! `<testcase>` per expectation, named by its traffic, window and line, with
//! a `<failure>` holding what was expected against what happened and the top
//! drops; a file that does not load is one `<testcase>` with an `<error>`
//! holding its report. The elements and attributes are those of the JUnit
//! schema that Jenkins' xUnit plugin publishes (`junit-10.xsd`): a test case
//! has no `file` or `line` attribute there, so they are in its name and
//! class name. Nothing in the document depends on the clock, so the same run
//! writes the same bytes.

use std::fmt::Write as _;

use super::baseline::Comparison;
use super::check::Outcome;

/// What `check` found for one file.
#[derive(Clone, Debug)]
pub enum FileResult {
    /// The file loaded and ran: one outcome per expectation, and the run
    /// against a baseline when `--baseline` asked for one (one more test
    /// case).
    Ran(Vec<Outcome>, Option<Comparison>),
    /// The file did not load, or its outputs could not be written: the
    /// report lines.
    Invalid(Vec<String>),
}

/// XML text with `&`, `<`, `>`, `"` and `'` escaped, and characters XML 1.0
/// cannot hold replaced.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The name of an expectation's test case.
pub fn case_name(o: &Outcome) -> String {
    format!("{} over {} (line {})", o.subject, o.window, o.line)
}

/// The JUnit XML document for the files `check` ran, in their order.
pub fn render(files: &[(String, FileResult)]) -> String {
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for (_, r) in files {
        match r {
            FileResult::Ran(o, b) => {
                tests += o.len() + usize::from(b.is_some());
                failures += o.iter().filter(|o| !o.ok).count();
                failures += usize::from(b.as_ref().is_some_and(|b| !b.ok()));
            }
            FileResult::Invalid(_) => {
                tests += 1;
                errors += 1;
            }
        }
    }
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"vpcsim check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    for (file, r) in files {
        let f = esc(file);
        match r {
            FileResult::Ran(outcomes, baseline) => {
                let failed = outcomes.iter().filter(|o| !o.ok).count()
                    + usize::from(baseline.as_ref().is_some_and(|b| !b.ok()));
                let _ = writeln!(
                    x,
                    "  <testsuite name=\"{f}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">",
                    outcomes.len() + usize::from(baseline.is_some())
                );
                for o in outcomes {
                    let name = esc(&case_name(o));
                    if o.ok {
                        let _ = writeln!(x, "    <testcase name=\"{name}\" classname=\"{f}\"/>");
                    } else {
                        let _ = writeln!(x, "    <testcase name=\"{name}\" classname=\"{f}\">");
                        // The first bound that fails, else the first line.
                        let bound = o.bounds.iter().find(|b| !b.ok).map(|b| b.line());
                        let message = bound
                            .as_deref()
                            .or(o.details.first().map(String::as_str))
                            .unwrap_or("failed");
                        let _ = writeln!(
                            x,
                            "      <failure type=\"expectation\" message=\"{}\">{}</failure>",
                            esc(message),
                            esc(&o.details.join("\n"))
                        );
                        x.push_str("    </testcase>\n");
                    }
                }
                if let Some(b) = baseline {
                    baseline_case(&mut x, &f, b);
                }
                x.push_str("  </testsuite>\n");
            }
            FileResult::Invalid(lines) => {
                let _ = writeln!(
                    x,
                    "  <testsuite name=\"{f}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">"
                );
                let _ = writeln!(
                    x,
                    "    <testcase name=\"the file is valid\" classname=\"{f}\">"
                );
                let message = lines.first().map_or("invalid", String::as_str);
                let _ = writeln!(
                    x,
                    "      <error type=\"invalid\" message=\"{}\">{}</error>",
                    esc(message),
                    esc(&lines.join("\n"))
                );
                x.push_str("    </testcase>\n  </testsuite>\n");
            }
        }
    }
    x.push_str("</testsuites>\n");
    x
}

/// The test case of a run against a baseline: failed when a number
/// regressed, changed or is gone beyond the tolerance.
fn baseline_case(x: &mut String, f: &str, b: &Comparison) {
    let name = esc(&format!(
        "numbers within {}% of baseline `{}`",
        b.tolerance_text(),
        b.name
    ));
    if b.ok() {
        let _ = writeln!(x, "    <testcase name=\"{name}\" classname=\"{f}\"/>");
        return;
    }
    let _ = writeln!(x, "    <testcase name=\"{name}\" classname=\"{f}\">");
    let lines: Vec<String> = b
        .failing()
        .map(|m| format!("{}: {}", m.verdict.name(), m.text()))
        .collect();
    let _ = writeln!(
        x,
        "      <failure type=\"baseline\" message=\"{}\">{}</failure>",
        esc(&b.summary()),
        esc(&lines.join("\n"))
    );
    x.push_str("    </testcase>\n");
}

/// GitHub Actions annotations for the numbers of a file that regressed,
/// changed or are gone against a baseline.
pub fn github_baseline(file: &str, b: &Comparison) -> Vec<String> {
    b.failing()
        .map(|m| {
            format!(
                "::error file={},title={}::{}",
                gh_prop(file),
                gh_prop(&format!("{} against baseline {}", m.verdict.name(), b.name)),
                gh_data(&m.text())
            )
        })
        .collect()
}

/// A GitHub Actions workflow command's data: `%`, CR and LF escaped.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A GitHub Actions workflow command's property value: also `:` and `,`.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions annotations (`::error file=...,line=...::...`) for the
/// failed expectations of a file.
pub fn github_failures(file: &str, outcomes: &[Outcome]) -> Vec<String> {
    outcomes
        .iter()
        .filter(|o| !o.ok)
        .map(|o| {
            format!(
                "::error file={},line={},title={}::{}",
                gh_prop(file),
                o.line,
                gh_prop(&format!("expectation failed: {}", o.subject)),
                gh_data(&o.details.join("\n"))
            )
        })
        .collect()
}

/// GitHub Actions annotations for the report lines of a file that does
/// not load (`FILE:LINE:COLUMN: error: MESSAGE`); other lines are kept as
/// one annotation on the file.
pub fn github_report(file: &str, lines: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for l in lines {
        let rest = l.strip_prefix(file).and_then(|r| r.strip_prefix(':'));
        let parsed = rest.and_then(|r| {
            let mut it = r.splitn(3, ':');
            let line: usize = it.next()?.trim().parse().ok()?;
            let col: usize = it.next()?.trim().parse().ok()?;
            let msg = it.next()?.trim();
            let (kind, msg) = msg.split_once(':')?;
            Some((line, col, kind.trim().to_string(), msg.trim().to_string()))
        });
        match parsed {
            Some((line, col, kind, msg)) => {
                let level = if kind == "warning" {
                    "warning"
                } else {
                    "error"
                };
                out.push(format!(
                    "::{level} file={},line={line},col={col}::{}",
                    gh_prop(file),
                    gh_data(&msg)
                ));
            }
            None => out.push(format!("::error file={}::{}", gh_prop(file), gh_data(l))),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(ok: bool) -> Outcome {
        Outcome {
            line: 12,
            traffic: "web<&>".to_string(),
            subject: "traffic `web<&>`".to_string(),
            window: "[0s, 30s]".to_string(),
            ok,
            details: vec![
                "delivered: expected 100%, actual 50.0%".to_string(),
                "top drops: nacl_ingress_denied at acl-web (3)".to_string(),
            ],
            bounds: vec![],
        }
    }

    #[test]
    fn junit_counts_escapes_and_nests() {
        let x = render(&[
            (
                "a.toml".to_string(),
                FileResult::Ran(vec![outcome(true), outcome(false)], None),
            ),
            (
                "b.toml".to_string(),
                FileResult::Invalid(vec!["b.toml:3:1: error: no `id`".to_string()]),
            ),
        ]);
        assert!(x.contains(
            "<testsuites name=\"vpcsim check\" tests=\"3\" failures=\"1\" errors=\"1\">"
        ));
        assert!(x.contains("tests=\"2\" failures=\"1\" errors=\"0\""));
        assert!(x.contains("traffic `web&lt;&amp;&gt;` over [0s, 30s] (line 12)"));
        assert!(x.contains(
            "<failure type=\"expectation\" message=\"delivered: expected 100%, actual 50.0%\">"
        ));
        assert!(x.contains("<error type=\"invalid\" message=\"b.toml:3:1: error: no `id`\">"));
        assert_eq!(x.matches("<testcase ").count(), 3);
        assert_eq!(x.matches("<testsuite ").count(), 2);
        assert_eq!(x.matches("</testsuite>").count(), 2);
    }

    #[test]
    fn github_annotations_name_file_and_line() {
        let a = github_failures("dir/a,b.toml", &[outcome(true), outcome(false)]);
        assert_eq!(a.len(), 1);
        assert!(a[0].starts_with("::error file=dir/a%2Cb.toml,line=12,title=expectation failed%3A traffic `web<&>`::delivered: expected 100%25"));
        assert!(a[0].contains("%0Atop drops"));
        let r = github_report(
            "x.toml",
            &[
                "x.toml:4:9: error: unknown key `vpcs`".to_string(),
                "x.toml:7:1: warning: the subnet has no route".to_string(),
            ],
        );
        assert_eq!(r[0], "::error file=x.toml,line=4,col=9::unknown key `vpcs`");
        assert_eq!(
            r[1],
            "::warning file=x.toml,line=7,col=1::the subnet has no route"
        );
    }
}
