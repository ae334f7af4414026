//! The commands the README and `docs/` show, with their output, are run and
//! compared, so that the documents cannot drift from what vpcsim prints.
//!
//! In a ```console block each `$ ` line is a command and the lines up to
//! the next `$ ` line are what it prints; `| tail -N` and `| head -N` keep
//! the last or first N lines, and a trailing `2>&1` shows standard error
//! after standard output.
//!
//! A block of single `vpcsim` commands runs each from the repository's
//! root (`$ cargo run --release -- ARGS`, the README's way of running
//! it from a clone, is `vpcsim ARGS`); a command shown without output, with another redirection or pipe,
//! or reading a file that an earlier block of the document would have
//! written, is left out. What it prints must be the block's text exactly,
//! once the repository's absolute path, where it appears, is written `.`.
//!
//! A block that is a workflow (a step that is not `vpcsim`, or one that
//! writes a file: `-o`, `>`) is replayed in order, each step with `sh` in a
//! directory of its own whose entries are links to the repository's (and
//! `../shared` beside it), so that what one step writes the next one reads
//! and the repository is left as it was. Each step shown with output is
//! compared as a single command is; a step shown without output is run for
//! what it writes. `echo $?` shows the exit code of the step before it.
//! A file the workflow needs is declared just before the block:
//! `<!-- replay-file: PATH -->` above a fenced block makes its text the file
//! PATH, and `<!-- replay-stand-in: PATH = REPO_PATH -->` copies a file of
//! the repository to PATH in place of what a skipped step would write.
//! Steps that cannot run here are skipped, each with a line saying so:
//! `terraform` (it needs its AWS provider from a registry, which these
//! machines cannot reach), and `tshark` where it is not installed.
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

/// One `$ ` line of a console block and what is shown under it.
struct Cmd {
    /// The line of the `$ `, counted from 1.
    line: usize,
    /// The command, after `$ `.
    text: String,
    /// The lines shown under it, each ending in a newline; empty when
    /// nothing is shown.
    shown: String,
    /// The lines of the output shown, counted from 0: `[from, to)`.
    from: usize,
    to: usize,
}

/// A ```console block, with the files declared for it.
struct Console {
    cmds: Vec<Cmd>,
    /// `<!-- replay-file: PATH -->` blocks above it: (path, text).
    files: Vec<(String, String)>,
    /// `<!-- replay-stand-in: PATH = REPO_PATH -->` above it.
    stand_ins: Vec<(String, String)>,
}

impl Console {
    /// Whether the block is a workflow: a step that is not `vpcsim`, or
    /// one that writes a file.
    fn workflow(&self) -> bool {
        self.cmds.len() > 1
            && self.cmds.iter().any(|c| {
                let words: Vec<&str> = c.text.split_whitespace().collect();
                words.first() != Some(&"vpcsim")
                    || words.contains(&"-o")
                    || c.text.replace("2>&1", "").contains('>')
            })
    }
}

fn consoles(file: &Path) -> Vec<Console> {
    let text = std::fs::read_to_string(file).expect("readable");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut files = Vec::new();
    let mut stand_ins = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim();
        if let Some(d) = l
            .strip_prefix("<!-- replay-file:")
            .and_then(|d| d.strip_suffix("-->"))
        {
            // The next fenced block is the file's text.
            let open = (i + 1..lines.len()).find(|&k| lines[k].trim_start().starts_with("```"));
            if let Some(open) = open {
                let close = (open + 1..lines.len())
                    .find(|&k| lines[k].trim() == "```")
                    .unwrap_or(lines.len());
                let mut body = lines[open + 1..close].join("\n");
                body.push('\n');
                files.push((d.trim().to_string(), body));
                i = close + 1;
                continue;
            }
        }
        if let Some(d) = l
            .strip_prefix("<!-- replay-stand-in:")
            .and_then(|d| d.strip_suffix("-->"))
        {
            if let Some((to, from)) = d.split_once('=') {
                stand_ins.push((to.trim().to_string(), from.trim().to_string()));
            }
            i += 1;
            continue;
        }
        if l != "```console" {
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
        let mut cmds = Vec::new();
        let mut k = 0;
        while k < body.len() {
            let Some(cmd) = body[k].strip_prefix("$ ") else {
                k += 1;
                continue;
            };
            let mut next = k + 1;
            while next < body.len() && !body[next].starts_with("$ ") {
                next += 1;
            }
            let shown = &body[k + 1..next];
            let mut text = shown.join("\n");
            if !shown.is_empty() {
                text.push('\n');
            }
            cmds.push(Cmd {
                line: start + k + 1,
                text: cmd.to_string(),
                shown: text,
                from: start + k + 1,
                to: start + next,
            });
            k = next;
        }
        out.push(Console {
            cmds,
            files: std::mem::take(&mut files),
            stand_ins: std::mem::take(&mut stand_ins),
        });
    }
    out
}

/// How the README runs vpcsim from a clone: the same as `vpcsim `.
const CARGO_RUN: &str = "cargo run --release -- ";

/// The single `vpcsim` commands of a document's plain blocks.
fn blocks(file: &Path, all: &[Console]) -> Vec<Block> {
    let mut out = Vec::new();
    for c in all.iter().filter(|c| !c.workflow()) {
        for x in &c.cmds {
            let Some(cmd) = x
                .text
                .strip_prefix("vpcsim ")
                .or_else(|| x.text.strip_prefix(CARGO_RUN))
            else {
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
            if cmd.contains(['|', '>', '<']) || x.shown.is_empty() {
                continue;
            }
            let args: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
            // A file an earlier block of the document wrote is not here.
            if args
                .get(1)
                .is_some_and(|f| f.ends_with(".toml") && !root().join(f).exists())
            {
                continue;
            }
            out.push(Block {
                file: file.display().to_string(),
                line: x.line,
                args,
                keep,
                stderr,
                expected: x.shown.clone(),
                from: x.from,
                to: x.to,
            });
        }
    }
    out
}

/// Whether a program answers on this machine.
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// A directory for one workflow: `work/repo` holds a link to each entry of
/// the repository, `work/shared` to `../shared`, `work/bin/vpcsim` to the
/// binary under test. Removed when dropped.
struct Workdir {
    base: PathBuf,
}

impl Workdir {
    fn new(n: usize) -> Workdir {
        let base = std::env::temp_dir().join(format!("vpcsim-docs-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        std::fs::create_dir_all(base.join("repo")).expect("a work directory");
        std::fs::create_dir_all(base.join("bin")).expect("a work directory");
        for e in std::fs::read_dir(root()).expect("the repository") {
            let e = e.expect("an entry");
            link(&e.path(), &base.join("repo").join(e.file_name()));
        }
        let shared = root().join("../shared");
        if shared.is_dir() {
            link(&shared, &base.join("shared"));
        }
        link(
            Path::new(env!("CARGO_BIN_EXE_vpcsim")),
            &base.join("bin/vpcsim"),
        );
        Workdir { base }
    }

    fn repo(&self) -> PathBuf {
        self.base.join("repo")
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        // Links are removed, never followed.
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

#[cfg(unix)]
fn link(from: &Path, to: &Path) {
    std::os::unix::fs::symlink(from, to).expect("a link");
}

#[cfg(not(unix))]
fn link(from: &Path, to: &Path) {
    if from.is_dir() {
        let _ = std::fs::create_dir_all(to);
    } else {
        std::fs::copy(from, to).expect("a copy");
    }
}

/// Replays a workflow block in order. Returns (replayed, what differs,
/// rewrites `(from, to, text)`).
fn replay_workflow(
    file: &Path,
    n: usize,
    c: &Console,
) -> (usize, Vec<String>, Vec<(usize, usize, String)>) {
    let shown = file
        .strip_prefix(root())
        .unwrap_or(file)
        .display()
        .to_string();
    let (mut replayed, mut stale, mut rewrites) = (0, Vec::new(), Vec::new());
    if c.cmds.iter().any(|x| x.text.contains("../shared")) && !root().join("../shared").is_dir() {
        eprintln!(
            "{shown}:{}: workflow skipped: ../shared is not beside the repository",
            c.cmds[0].line
        );
        return (0, stale, rewrites);
    }
    let w = Workdir::new(n);
    let dir = w.repo();
    for (path, text) in &c.files {
        let to = dir.join(path);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).expect("the file's folder");
        }
        std::fs::write(&to, text).expect("the file is written");
    }
    for (path, from) in &c.stand_ins {
        let to = dir.join(path);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).expect("the file's folder");
        }
        std::fs::copy(root().join(from), &to)
            .unwrap_or_else(|e| panic!("{shown}: stand-in {from}: {e}"));
    }
    let path = format!(
        "{}:{}",
        w.base.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut last = 0;
    for x in &c.cmds {
        let program = x.text.split_whitespace().next().unwrap_or("");
        let skip = match program {
            "terraform" => Some(
                "Terraform needs its AWS provider from a registry, which the tests do not reach",
            ),
            "tshark" if !installed("tshark") => Some("tshark is not installed"),
            _ => None,
        };
        if let Some(why) = skip {
            eprintln!("{shown}:{}: `{}` skipped: {why}", x.line, x.text);
            continue;
        }
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("(exit {last}); {}", x.text))
            .current_dir(&dir)
            .env("PATH", &path)
            .output()
            .expect("sh runs");
        last = out.status.code().unwrap_or(1);
        if x.shown.is_empty() {
            continue;
        }
        replayed += 1;
        let mut got = String::from_utf8_lossy(&out.stdout).into_owned();
        for (at, short) in [(dir.clone(), "."), (root(), ".")] {
            let at = at.display().to_string();
            got = got.replace(&format!("{at}/"), "").replace(&at, short);
        }
        if got == x.shown {
            continue;
        }
        let first = x
            .shown
            .lines()
            .zip(got.lines())
            .position(|(a, g)| a != g)
            .unwrap_or(x.shown.lines().count().min(got.lines().count()));
        stale.push(format!(
            "{shown}:{}: `{}` (a step of a workflow) prints otherwise, from output line {}:\n  shown: {}\n  now:   {}\n  stderr: {}",
            x.line,
            x.text,
            first + 1,
            x.shown.lines().nth(first).unwrap_or("<end>"),
            got.lines().nth(first).unwrap_or("<end>"),
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
        rewrites.push((x.from, x.to, got));
    }
    (replayed, stale, rewrites)
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
    let all = consoles(path);
    for (n, c) in all.iter().enumerate().filter(|(_, c)| c.workflow()) {
        let (r, s, w) = replay_workflow(path, n, c);
        replayed += r;
        stale.extend(s);
        rewrites.extend(w);
    }
    for b in blocks(path, &all) {
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
        rewrites.sort_by_key(|r| r.0);
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
