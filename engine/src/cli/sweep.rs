//! `vpcsim sweep`: a scenario run over the Cartesian product of settings
//! and seeds, one row per point and seed; `vpcsim sweep merge` joins the
//! outputs of shards; `vpcsim sweep summary` sums rows up over the seeds
//! (`docs/sweeps.md`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::exit;
use crate::report::sweep::{self, Format, Shard, Sweep};
use crate::report::sweep_summary;

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
    /// Items run at once, each on one thread, 1 or more (default: all
    /// cores); the rows are the same for every N.
    #[arg(long, value_name = "N", value_parser = super::args::parse_threads)]
    pub threads: Option<usize>,
    /// Run only shard I of N (0 <= I < N): the items k with k mod N = I.
    /// Join the outputs with `vpcsim sweep merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Also write the summary over the seeds of each point (mean, standard
    /// deviation, min, max, 95 % confidence interval of every numeric column)
    /// to this file: `.csv`, or `.jsonl` for JSON lines. Not with --shard
    /// (merge the shards, then `vpcsim sweep summary`).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// No progress lines or notes on standard error.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum SweepCommand {
    /// Join the outputs of every shard of one sweep into the output of the
    /// whole sweep (byte for byte what one run without --shard writes).
    #[command(
        after_help = "Example: `vpcsim sweep merge shard-*.csv -o rows.csv`\n\n\
Exit status: 0 merged; 2 the parts are not every shard of one sweep, or cannot be read or \
written."
    )]
    Merge {
        /// The output of each shard (`vpcsim sweep ... --shard I/N -o ...`).
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Write the merged rows here (default standard output).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
    /// Sum up the CSV rows of a sweep (whole or merged) over the seeds of
    /// each point: per point and numeric column, n, mean, standard
    /// deviation, min, max and the 95 % confidence interval of the mean
    /// (Student's t).
    #[command(
        after_help = "Example: `vpcsim sweep summary rows.csv -o summary.csv`\n\n\
Exit status: 0 summed up; 2 the rows cannot be read (or are one shard's) or the output cannot \
be written."
    )]
    Summary {
        /// The rows, as `vpcsim sweep ... -o rows.csv` (or `sweep merge`)
        /// wrote them.
        rows: PathBuf,
        /// Where the summary goes (default standard output): `.csv`, or
        /// `.jsonl` for JSON lines.
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// `csv` or `jsonl` (default: by the extension of -o, else csv).
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: Option<String>,
        /// Draw these columns' means with their 95 % intervals as error
        /// bars over the points (repeatable), as SVG into --svg.
        #[arg(long, value_name = "COLUMN", requires = "svg")]
        plot: Vec<String>,
        /// The SVG file of --plot.
        #[arg(long, value_name = "FILE", requires = "plot")]
        svg: Option<PathBuf>,
        /// The chart's title (default: the rows' file name).
        #[arg(long, requires = "plot")]
        title: Option<String>,
        /// The name of the chart's y axis (default: the first column's).
        #[arg(long, requires = "plot")]
        unit: Option<String>,
        /// Multiply the drawn values by this (0.001: microseconds as
        /// milliseconds); the summary itself is not scaled.
        #[arg(long, default_value_t = 1.0, requires = "plot")]
        scale: f64,
    },
}

fn format_of(given: Option<&str>, output: Option<&Path>) -> Format {
    match (given, output) {
        (Some("jsonl"), _) => Format::JsonLines,
        (Some(_), _) => Format::Csv,
        (None, Some(p)) => Format::of_path(p),
        (None, None) => Format::Csv,
    }
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
    match &a.merge {
        Some(SweepCommand::Merge { parts, output }) => {
            return merge_cmd(parts, output.as_deref());
        }
        Some(SweepCommand::Summary {
            rows,
            output,
            format,
            plot,
            svg,
            title,
            unit,
            scale,
        }) => {
            return summary_cmd(
                rows,
                output.as_deref(),
                format_of(format.as_deref(), output.as_deref()),
                plot,
                svg.as_deref(),
                title.as_deref(),
                unit.as_deref(),
                *scale,
            );
        }
        None => {}
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
        Err(e) => return fail(e.to_string()),
    };
    let format = format_of(a.format.as_deref(), a.output.as_deref());
    if a.summary.is_some() && shard != Shard::WHOLE {
        return fail(
            "--summary sums up a whole sweep, not one shard: merge the shards with `vpcsim sweep merge`, then run `vpcsim sweep summary` on the result".to_string(),
        );
    }
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
    // Every output can be written, and none is a file of the scenario,
    // before anything runs.
    let inputs = crate::scenario::include::files(file);
    for (opt, path) in [("-o", &a.output), ("--summary", &a.summary)] {
        if let Some(p) = path {
            if let Err(e) = crate::report::outputs::check_file(opt, p, &inputs) {
                return fail(e.to_string());
            }
        }
    }
    // Each point is loaded and checked before anything runs.
    let mut loaded = Vec::with_capacity(sweep.points());
    for p in 0..sweep.points() {
        match sweep.load(p) {
            Ok(l) => loaded.push(l),
            Err(e) => return fail(e.to_string()),
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
            Err(e) => return fail(e.to_string()),
        },
        None => vec![loaded.first().map_or(0, |l| l.design.seed)],
    };
    if let Err(e) = sweep.check() {
        return fail(e.to_string());
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
        Err(e) => return fail(e.to_string()),
    };
    let text = sweep::render(&sweep, &rows, format, shard);
    // The summary is of the CSV form, whatever the rows' format.
    let summary = match &a.summary {
        Some(p) => {
            let csv = sweep::render(&sweep, &rows, Format::Csv, Shard::WHOLE);
            match sweep_summary::summarize(&sweep.file, &csv) {
                Ok(s) => Some((p, sweep_summary::render(&s, Format::of_path(p)))),
                Err(e) => return fail(e.to_string()),
            }
        }
        None => None,
    };
    let mut code = write(a.output.as_deref(), &text);
    if let (exit::OK, Some((p, s))) = (code, &summary) {
        code = write(Some(p), s);
    }
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

#[allow(clippy::too_many_arguments)]
fn summary_cmd(
    rows: &Path,
    output: Option<&Path>,
    format: Format,
    plot: &[String],
    svg: Option<&Path>,
    title: Option<&str>,
    unit: Option<&str>,
    scale: f64,
) -> u8 {
    let fail = |e: String| {
        errln!("vpcsim sweep summary: {e}");
        exit::INVALID
    };
    let text = match std::fs::read_to_string(rows) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: {e}", rows.display())),
    };
    let name = rows.display().to_string();
    let summary = match sweep_summary::summarize(&name, &text) {
        Ok(s) => s,
        Err(e) => return fail(e.to_string()),
    };
    if !scale.is_finite() || scale == 0.0 {
        return fail(format!(
            "--scale {scale}: give a finite factor other than 0 (`--scale 0.001`)"
        ));
    }
    if let Some(svg) = svg {
        let title = title.map_or_else(|| name.clone(), str::to_string);
        let unit = unit.unwrap_or(plot.first().map_or("", String::as_str));
        let drawn = match sweep_summary::plot(&summary, plot, &title, unit, scale) {
            Ok(s) => s,
            Err(e) => return fail(e.to_string()),
        };
        if let Err(e) = crate::report::outfile::write_whole(svg, drawn.as_bytes()) {
            return fail(format!("{}: {e}", svg.display()));
        }
    }
    write(output, &sweep_summary::render(&summary, format))
}
