//! The commands the README and `docs/` show, with their output, are run and
//! compared, so that the documents cannot drift from what vpcsim prints.
//!
//! A ```console block is replayed when its first line is one `$ vpcsim ...`
//! command whose output follows it; `| tail -N` keeps the last N lines. A
//! block with several commands, another redirection or pipe, or a file that
//! the command would need to have written first, is left out. Commands run
//! from the repository's root; what they print on standard output must be
//! the block's text exactly.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// (file, line, command arguments after `vpcsim`, lines to keep from the
/// end, expected output) of each replayable block.
type Block = (String, usize, Vec<String>, Option<usize>, String);

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
            k = next;
            let Some(cmd) = cmd.strip_prefix("vpcsim ") else {
                continue;
            };
            let (cmd, tail) = match cmd.split_once(" | tail -") {
                Some((c, n)) => match n.trim().parse::<usize>() {
                    Ok(n) => (c, Some(n)),
                    Err(_) => continue,
                },
                None => (cmd, None),
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
            out.push((file.display().to_string(), at, args, tail, expected));
        }
    }
    out
}

#[test]
fn the_documents_commands_print_what_the_documents_show() {
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
    for f in &files {
        for (file, line, args, tail, expected) in blocks(f) {
            // The shared snapshots lie beside the repository only where it
            // has them.
            if args.iter().any(|a| a.starts_with("../shared")) && !root().join("../shared").is_dir()
            {
                continue;
            }
            let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
                .current_dir(root())
                .args(&args)
                .output()
                .expect("vpcsim runs");
            let mut got = String::from_utf8_lossy(&out.stdout).into_owned();
            if let Some(n) = tail {
                let lines: Vec<&str> = got.lines().collect();
                got = lines[lines.len().saturating_sub(n)..].join("\n");
                got.push('\n');
            }
            replayed += 1;
            if got != expected {
                let first = expected
                    .lines()
                    .zip(got.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(expected.lines().count().min(got.lines().count()));
                stale.push(format!(
                    "{file}:{line}: `vpcsim {}` prints otherwise, from output line {}:\n  shown: {}\n  now:   {}",
                    args.join(" "),
                    first + 1,
                    expected.lines().nth(first).unwrap_or("<end>"),
                    got.lines().nth(first).unwrap_or("<end>")
                ));
            }
        }
    }
    eprintln!("{replayed} documented commands replayed");
    assert!(replayed >= 5, "only {replayed} commands replayed");
    assert!(
        stale.is_empty(),
        "{} of {replayed} documented commands print otherwise:\n{}",
        stale.len(),
        stale.join("\n")
    );
}
