//! The commands the README and `docs/` show, with their output, are run and
//! compared, so that the documents cannot drift from what vpcsim prints.
//!
//! In a ```console block each `$ vpcsim ...` line is a command and the lines
//! up to the next `$ ` line are what it prints; `| tail -N` and `| head -N`
//! keep the last or first N lines, and a trailing `2>&1` shows standard
//! error after standard output. A command shown without output, with
//! another redirection or pipe, or reading a file that an earlier command
//! of the document would have written, is left out. Commands run from the
//! repository's root; what they print must be the block's text exactly,
//! once the repository's absolute path, where it appears, is written `.`.
//!
//! `UPDATE_DOCS=1 cargo test --release --workspace --test docs_commands`
//! rewrites the output under each replayed command with what it prints
//! now (`docs/testing.md`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// Which lines of the output a `| head -N` or `| tail -N` keeps.
#[derive(Clone, Copy, Debug)]
enum Keep {
    All,
    Head(usize),
    Tail(usize),
}

/// A replayable command of a document.
struct Block {
    file: String,
    /// The line of the `$ ` command, counted from 1.
    line: usize,
    /// The arguments after `vpcsim`.
    args: Vec<String>,
    keep: Keep,
    /// Whether standard error is shown after standard output (`2>&1`).
    stderr: bool,
    /// The output shown, each line ending in a newline.
    expected: String,
    /// The lines of the output shown, counted from 0: `[from, to)`.
    from: usize,
    to: usize,
}

fn blocks(file: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(file).expect("readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() != "```console" {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && lines[end].trim() != "```" {
            end += 1;
        }
        let body = &lines[start..end.min(lines.len())];
        i = end + 1;
        // Each `$ ` line starts a command; its output runs to the next one.
        let mut k = 0;
        while k < body.len() {
            let at = start + k;
            let Some(cmd) = body[k].strip_prefix("$ ") else {
                k += 1;
                continue;
            };
            let mut next = k + 1;
            while next < body.len() && !body[next].starts_with("$ ") {
                next += 1;
            }
            let shown = &body[k + 1..next];
            let (from, to) = (start + k + 1, start + next);
            k = next;
            let Some(cmd) = cmd.strip_prefix("vpcsim ") else {
                continue;
            };
            let (cmd, stderr) = match cmd.trim_end().strip_suffix(" 2>&1") {
                Some(c) => (c, true),
                None => (cmd, false),
            };
            let piped = |word: &str| {
                cmd.split_once(word)
                    .and_then(|(c, n)| n.trim().parse::<usize>().ok().map(|n| (c, n)))
            };
            let (cmd, keep) = if let Some((c, n)) = piped(" | tail -") {
                (c, Keep::Tail(n))
            } else if let Some((c, n)) = piped(" | head -") {
                (c, Keep::Head(n))
            } else {
                (cmd, Keep::All)
            };
            // Another pipe or a redirection, or a command shown without
            // what it prints, is left out.
            if cmd.contains(['|', '>', '<']) || shown.is_empty() {
                continue;
            }
            let args: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
            // A file an earlier command of the document wrote is not here.
            if args
                .get(1)
                .is_some_and(|f| f.ends_with(".toml") && !root().join(f).exists())
            {
                continue;
            }
            let mut expected = shown.join("\n");
            expected.push('\n');
            out.push(Block {
                file: file.display().to_string(),
                line: at + 1,
                args,
                keep,
                stderr,
                expected,
                from,
                to,
            });
        }
    }
    out
}

/// What the command of `b` prints now, kept and normalised as the
/// document shows it.
fn replay(b: &Block) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .current_dir(root())
        .args(&b.args)
        .output()
        .expect("vpcsim runs");
    let mut got = String::from_utf8_lossy(&out.stdout).into_owned();
    if b.stderr {
        got.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    let lines: Vec<&str> = got.lines().collect();
    let kept = match b.keep {
        Keep::All => &lines[..],
        Keep::Head(n) => &lines[..n.min(lines.len())],
        Keep::Tail(n) => &lines[lines.len().saturating_sub(n)..],
    };
    let mut got = kept.join("\n");
    got.push('\n');
    // Where the repository lies is not part of the output.
    let here = root().display().to_string();
    got.replace(&format!("{here}/"), "").replace(&here, ".")
}

/// The commands of a document's blocks, replayed; with `UPDATE_DOCS=1` the
/// document is rewritten with what they print. Returns (replayed, what
/// differs).
fn replay_file(path: &Path, update: bool) -> (usize, Vec<String>) {
    let mut replayed = 0;
    let mut stale = Vec::new();
    let mut rewrites: Vec<(usize, usize, String)> = Vec::new();
    for b in blocks(path) {
        // The shared snapshots lie beside the repository only where it
        // has them.
        if b.args.iter().any(|a| a.starts_with("../shared")) && !root().join("../shared").is_dir() {
            continue;
        }
        let got = replay(&b);
        replayed += 1;
        if got == b.expected {
            continue;
        }
        let first = b
            .expected
            .lines()
            .zip(got.lines())
            .position(|(a, g)| a != g)
            .unwrap_or(b.expected.lines().count().min(got.lines().count()));
        stale.push(format!(
            "{}:{}: `vpcsim {}` prints otherwise, from output line {}:\n  shown: {}\n  now:   {}",
            b.file,
            b.line,
            b.args.join(" "),
            first + 1,
            b.expected.lines().nth(first).unwrap_or("<end>"),
            got.lines().nth(first).unwrap_or("<end>")
        ));
        rewrites.push((b.from, b.to, got));
    }
    if update && !rewrites.is_empty() {
        let text = std::fs::read_to_string(path).expect("readable");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for (from, to, got) in rewrites.into_iter().rev() {
            lines.splice(from..to, got.lines().map(str::to_string));
        }
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(path, text).expect("the document is written");
        eprintln!("{}: rewritten", path.display());
    }
    (replayed, stale)
}

#[test]
fn the_documents_commands_print_what_the_documents_show() {
    let update = std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1");
    let started = std::time::Instant::now();
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut replayed = 0;
    let mut stale = Vec::new();
    let mut by_file = Vec::new();
    for f in &files {
        let (n, s) = replay_file(f, update);
        replayed += n;
        if n > 0 {
            by_file.push(format!(
                "{} {n}",
                f.strip_prefix(root()).unwrap_or(f).display()
            ));
        }
        stale.extend(s);
    }
    eprintln!(
        "{replayed} documented commands replayed in {:.1}s ({})",
        started.elapsed().as_secs_f64(),
        by_file.join(", ")
    );
    // The README and each document that shows commands with their output.
    for f in [
        "README.md",
        "docs/outputs.md",
        "docs/import.md",
        "docs/scenario-format.md",
    ] {
        assert!(
            by_file.iter().any(|b| b.starts_with(&format!("{f} "))),
            "no command of {f} replayed: {by_file:?}"
        );
    }
    assert!(replayed >= 10, "only {replayed} commands replayed");
    if update {
        return;
    }
    assert!(
        stale.is_empty(),
        "{} of {replayed} documented commands print otherwise (UPDATE_DOCS=1 rewrites them):\n{}",
        stale.len(),
        stale.join("\n")
    );
}
