//! `vpcsim sweep`: a scenario run over the Cartesian product of settings
//! and seeds, one row per point and seed; `vpcsim sweep merge` joins the
//! outputs of shards (`docs/sweeps.md`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::exit;
use crate::report::sweep::{self, Format, Shard, Sweep};

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub merge: Option<SweepCommand>,
    /// The scenario file.
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    /// A key and its values: KIND.ID.KEY=V1,V2,... (`traffic.web.rate=10/s,100/s`,
    /// `nat_gateway.nat-a.idle_timeout=60s,350s`) or TABLE.KEY=... (`latency.same_az=100us,1ms`).
    /// Repeatable: the sweep runs every combination.
    #[arg(long = "set", value_name = "ADDRESS=V1,V2")]
    pub set: Vec<String>,
    /// Seeds: A..B (both included) or a list 1,2,3 (default: the scenario's seed).
    #[arg(long)]
    pub seeds: Option<String>,
    /// Where the rows go (default standard output): `.csv`, or `.jsonl` for
    /// JSON lines.
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    /// `csv` or `jsonl` (default: by the extension of -o, else csv).
    #[arg(long, value_parser = ["csv", "jsonl"])]
    pub format: Option<String>,
    /// Items run at once, each on one thread (default: all cores); the rows
    /// are the same for every N.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only shard I of N (0 <= I < N): the items k with k mod N = I.
    /// Join the outputs with `vpcsim sweep merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// No progress lines or notes on standard error.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum SweepCommand {
    /// Join the outputs of every shard of one sweep into the output of the
    /// whole sweep (byte for byte what one run without --shard writes).
    Merge {
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

fn write(output: Option<&Path>, text: &str) -> u8 {
    match output {
        Some(p) => match crate::report::outfile::write_whole(p, text.as_bytes()) {
            Ok(()) => exit::OK,
            Err(e) => {
                errln!("vpcsim sweep: {}: {e}", p.display());
                exit::INVALID
            }
        },
        None => {
            out!("{text}");
            exit::OK
        }
    }
}

pub fn sweep_cmd(a: &SweepArgs) -> u8 {
    if let Some(SweepCommand::Merge { parts, output }) = &a.merge {
        return merge_cmd(parts, output.as_deref());
    }
    let Some(file) = &a.file else {
        errln!("vpcsim sweep: a scenario file is needed");
        return exit::INVALID;
    };
    let fail = |e: String| {
        errln!("vpcsim sweep: {e}");
        exit::INVALID
    };
    let mut settings = Vec::new();
    for s in &a.set {
        match crate::scenario::set::parse_setting(s) {
            Ok(s) => settings.push(s),
            Err(e) => return fail(format!("--set {e}")),
        }
    }
    let shard = match a.shard.as_deref().map(Shard::parse).transpose() {
        Ok(s) => s.unwrap_or(Shard::WHOLE),
        Err(e) => return fail(e),
    };
    let format = match (a.format.as_deref(), &a.output) {
        (Some("jsonl"), _) => Format::JsonLines,
        (Some(_), _) => Format::Csv,
        (None, Some(p)) => Format::of_path(p),
        (None, None) => Format::Csv,
    };
    let bytes = match crate::scenario::read_bounded(file, crate::scenario::MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) => return fail(format!("{}: cannot read the file: {e}", file.display())),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        // The loader says where.
        super::validate::load(file);
        return exit::INVALID;
    };
    let mut sweep = Sweep {
        file: file.display().to_string(),
        text,
        settings,
        seeds: Vec::new(),
    };
    if let Some(out) = &a.output {
        if out.is_dir() {
            return fail(format!("-o {}: it is a directory", out.display()));
        }
    }
    // Each point is loaded and checked before anything runs.
    let mut loaded = Vec::with_capacity(sweep.points());
    for p in 0..sweep.points() {
        match sweep.load(p) {
            Ok(l) => loaded.push(l),
            Err(e) => return fail(e),
        }
    }
    if !a.quiet {
        if let Some(first) = loaded.first() {
            for w in &first.warnings {
                errln!("{w}");
            }
        }
    }
    sweep.seeds = match &a.seeds {
        Some(s) => match sweep::parse_seeds(s) {
            Ok(v) => v,
            Err(e) => return fail(e),
        },
        None => vec![loaded.first().map_or(0, |l| l.design.seed)],
    };
    if let Err(e) = sweep.check() {
        return fail(e);
    }
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let started = std::time::Instant::now();
    let quiet = a.quiet;
    let last = std::sync::Mutex::new(0.0f64);
    let progress = |done: usize, of: usize| {
        if quiet {
            return;
        }
        let secs = started.elapsed().as_secs_f64();
        if let Ok(mut l) = last.lock() {
            if done == of || secs - *l >= 10.0 {
                *l = secs;
                errln!("vpcsim sweep: {done} of {of} items run, {secs:.1}s");
            }
        }
    };
    let rows = match sweep::run_shard(&sweep, &loaded, shard, threads, &progress) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let text = sweep::render(&sweep, &rows, format, shard);
    let code = write(a.output.as_deref(), &text);
    if code == exit::OK && !quiet {
        if let Some(p) = &a.output {
            errln!(
                "wrote {} rows ({} points x {} seeds{}) to {}",
                rows.len(),
                sweep.points(),
                sweep.seeds.len(),
                if shard == Shard::WHOLE {
                    String::new()
                } else {
                    format!(", shard {}/{}", shard.index, shard.count)
                },
                p.display()
            );
        }
    }
    code
}

fn merge_cmd(parts: &[PathBuf], output: Option<&Path>) -> u8 {
    let mut texts = Vec::with_capacity(parts.len());
    for p in parts {
        match std::fs::read_to_string(p) {
            Ok(t) => texts.push((p.display().to_string(), t)),
            Err(e) => {
                errln!("vpcsim sweep merge: {}: {e}", p.display());
                return exit::INVALID;
            }
        }
    }
    match sweep::merge(&texts) {
        Ok(text) => write(output, &text),
        Err(e) => {
            errln!("vpcsim sweep merge: {e}");
            exit::INVALID
        }
    }
}
