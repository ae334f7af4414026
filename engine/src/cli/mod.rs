//! The `vpcsim` command line: argument parsing and the commands, each a thin
//! shell over the library.

/// `print!` and its kin, through [`out`]: no panic on a closed pipe or a
/// full device.
macro_rules! out {
    ($($t:tt)*) => { $crate::cli::out::out(&format!($($t)*)) };
}
macro_rules! outln {
    ($($t:tt)*) => {{ let mut s = format!($($t)*); s.push('\n'); $crate::cli::out::out(&s) }};
}
macro_rules! err {
    ($($t:tt)*) => { $crate::cli::out::err(&format!($($t)*)) };
}
macro_rules! errln {
    ($($t:tt)*) => {{ let mut s = format!($($t)*); s.push('\n'); $crate::cli::out::err(&s) }};
}

mod args;
pub mod out;
pub mod pages;
mod sweep;
mod validate;

use crate::explain;

pub use args::{CheckOpts, Cli, Command, ImportSource, RunOpts};

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Exit codes shared by the commands (see the format document).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const INVALID: u8 = 2;
}

pub fn main() -> ExitCode {
    pages::small_pages();
    let cli = Cli::parse();
    if matches!(
        cli.command,
        Command::Run { .. } | Command::Check { .. } | Command::Import { .. } | Command::Sweep(_)
    ) {
        out::end_on_signals();
    }
    let code = match cli.command {
        Command::Validate { files } => validate::validate(&files),
        Command::Run { file, opts } => run_cmd(&file, &opts),
        Command::Check { files, opts, ci } => check_cmd(&files, &opts, &ci),
        Command::Explain {
            file,
            from,
            to,
            protocol,
            port,
            icmp_type,
            icmp_code,
            at,
            enter,
            json,
        } => explain_cmd(
            &file,
            ExplainArgs {
                from,
                to,
                protocol,
                port,
                icmp_type,
                icmp_code,
                at,
                enter,
            },
            json,
        ),
        Command::Import {
            source:
                ImportSource::Aws {
                    dir,
                    output,
                    tunnels_as_reported,
                    onprem,
                },
        } => {
            let options = crate::import::AwsOptions {
                tunnels_as_reported,
                onprem,
            };
            // The snapshot's files, which -o must not name.
            let inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|r| r.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            import_cmd(
                &inputs,
                || crate::import::import_aws_with(&dir, &options),
                output.as_deref(),
            )
        }
        Command::Import {
            source:
                ImportSource::Terraform {
                    plan,
                    output,
                    region,
                },
        } => import_cmd(
            std::slice::from_ref(&plan),
            || crate::import::import_terraform(&plan, region.as_deref()),
            output.as_deref(),
        ),
        Command::Graph { file } => graph_cmd(&file),
        Command::Sweep(args) => sweep::sweep_cmd(&args),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "vpcsim", &mut buf);
            outln!("{}", String::from_utf8_lossy(&buf).trim_end());
            exit::OK
        }
        Command::Man => {
            use clap::CommandFactory as _;
            let mut buf = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut buf) {
                Ok(()) => {
                    outln!("{}", String::from_utf8_lossy(&buf).trim_end());
                    exit::OK
                }
                Err(e) => {
                    errln!("vpcsim man: {e}");
                    exit::INVALID
                }
            }
        }
    };
    out::flush();
    ExitCode::from(code)
}

/// Writes the scenario to `output` (standard output without one) and lists
/// on standard error what was not imported; `output` may not name one of
/// `inputs`, the files imported from.
fn import_cmd(
    inputs: &[PathBuf],
    import: impl FnOnce() -> Result<crate::import::Imported, crate::import::ImportError>,
    output: Option<&std::path::Path>,
) -> u8 {
    if let Some(path) = output {
        if let Some(i) = inputs
            .iter()
            .find(|i| crate::report::outfile::same_file(path, i))
        {
            errln!(
                "vpcsim import: -o {}: is {}, a file imported from; writing there would destroy it: give another path",
                path.display(),
                i.display()
            );
            return exit::INVALID;
        }
    }
    let imported = match import() {
        Ok(i) => i,
        Err(e) => {
            errln!("vpcsim import: {e}");
            return exit::INVALID;
        }
    };
    for n in &imported.notes {
        errln!("vpcsim import: {n}");
    }
    for f in &imported.ignored_files {
        errln!("vpcsim import: not read: {f}");
    }
    match output {
        Some(path) => {
            if let Err(e) = crate::report::outfile::write_whole(path, imported.text.as_bytes()) {
                errln!("vpcsim import: {}: {e}", path.display());
                return exit::INVALID;
            }
        }
        None => out!("{}", imported.text),
    }
    exit::OK
}

/// The question `explain` is asked, as the command line gives it.
struct ExplainArgs {
    from: String,
    to: String,
    protocol: String,
    port: Option<u16>,
    icmp_type: Option<u8>,
    icmp_code: Option<u8>,
    at: String,
    enter: Option<String>,
}

fn explain_cmd(file: &std::path::Path, a: ExplainArgs, json: bool) -> u8 {
    let Some(loaded) = validate::load(file) else {
        return exit::INVALID;
    };
    let protocol = match explain::protocol_number(&a.protocol) {
        Ok(p) => p,
        Err(e) => {
            errln!("vpcsim explain: {e}");
            return exit::INVALID;
        }
    };
    let at = match crate::units::parse_duration(&a.at) {
        Ok(t) => t,
        Err(crate::units::UnitError::Negative { .. }) => {
            eprintln!(
                "vpcsim explain: --at `{}`: a time cannot be negative: it counts from the start of the run, 0s (like `--at 30s`)",
                a.at
            );
            return exit::INVALID;
        }
        Err(e) => {
            eprintln!("vpcsim explain: --at `{}`: {e}", a.at);
            return exit::INVALID;
        }
    };
    // As an event past the end is an error of the file, so is a question
    // about a time the run never reaches.
    let end = loaded.design.duration;
    if at > end && end > crate::units::Nanos::ZERO {
        errln!(
            "vpcsim explain: --at `{}`: {at} is after the end of the run ({end}); give a time from 0s to {end}",
            a.at
        );
        return exit::INVALID;
    }
    let q = explain::Query {
        from: a.from,
        to: a.to,
        protocol,
        port: a.port,
        icmp_type: a.icmp_type,
        icmp_code: a.icmp_code,
        at,
        enter: a.enter,
    };
    match explain::explain(loaded.design, &q) {
        Ok(e) => {
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&e).expect("serializable")
                );
            } else {
                out!("{}", explain::render(&e));
            }
            if e.verdict == explain::Verdict::Delivered {
                exit::OK
            } else {
                exit::FAILED
            }
        }
        Err(e) => {
            errln!("vpcsim explain: {e}");
            exit::INVALID
        }
    }
}

/// The number of worker threads: `--threads`, else every core.
pub fn threads(opts: &RunOpts) -> usize {
    opts.threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Seconds of wall time between progress lines when standard error is not
/// a terminal: with `--progress`, and without it once a run has lasted
/// [`QUIET_FOR`] seconds.
const LINE_EVERY: f64 = 10.0;
const QUIET_FOR: f64 = 30.0;

/// Progress on standard error: a bar for runs that last more than a second
/// of wall time on a terminal; elsewhere a line now and then for long runs
/// (or with `--progress`). It also stops the run at the limits of
/// `--max-events` and `--max-output-bytes`. It never changes results
/// otherwise.
struct Progress {
    started: std::time::Instant,
    duration: crate::units::Nanos,
    quiet: bool,
    /// Whether standard error is a terminal, asked once: `update` runs
    /// after every window, and the question is a system call.
    terminal: bool,
    lines: bool,
    last_line: f64,
    max_events: Option<u64>,
    max_output_bytes: Option<u64>,
    /// Why the run was stopped early.
    cut: Option<String>,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(duration: crate::units::Nanos, opts: &RunOpts) -> Progress {
        Progress {
            started: std::time::Instant::now(),
            duration,
            quiet: opts.quiet,
            terminal: {
                use std::io::IsTerminal;
                std::io::stderr().is_terminal()
            },
            lines: opts.progress,
            last_line: 0.0,
            max_events: opts.max_events,
            max_output_bytes: opts.max_output_bytes,
            cut: None,
            bar: None,
        }
    }

    /// Whether the run goes on.
    fn update(&mut self, now: crate::units::Nanos, events: u64) -> bool {
        // The limit is looked at between stretches of windows, so a run
        // may have gone past it.
        let past = |n: u64, max: u64| if n > max { "past" } else { "at" };
        if let Some(max) = self.max_events.filter(|m| events >= *m) {
            self.cut = Some(format!(
                "{events} events, {} the limit of --max-events {max}",
                past(events, max)
            ));
            return false;
        }
        let bytes = crate::report::outfile::bytes_pushed();
        if let Some(max) = self.max_output_bytes.filter(|m| bytes >= *m) {
            self.cut = Some(format!(
                "{bytes} bytes of output, {} the limit of --max-output-bytes {max}",
                past(bytes, max)
            ));
            return false;
        }
        self.show(now, events);
        true
    }

    fn show(&mut self, now: crate::units::Nanos, events: u64) {
        if self.quiet {
            return;
        }
        if !self.terminal {
            let secs = self.started.elapsed().as_secs_f64();
            let due = if self.lines {
                self.last_line + LINE_EVERY
            } else {
                (self.last_line + LINE_EVERY).max(QUIET_FOR)
            };
            if secs >= due {
                self.last_line = secs;
                let done = now.as_secs_f64() / self.duration.as_secs_f64().max(1e-9);
                let left = if done > 0.0 {
                    crate::sim::estimate::wall(secs * (1.0 - done) / done)
                } else {
                    "unknown".into()
                };
                errln!(
                    "vpcsim: {:.1}% of {} of virtual time, {events} events, {:.0} events/s, about {left} left",
                    done * 100.0,
                    self.duration,
                    events as f64 / secs.max(1e-9)
                );
            }
            return;
        }
        let elapsed = self.started.elapsed();
        if self.bar.is_none() && elapsed.as_secs_f64() >= 1.0 {
            let bar = indicatif::ProgressBar::new(self.duration.0 / 1_000_000);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(now.0 / 1_000_000);
            let rate = events as f64 / elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{:.2}s of {} virtual time, {:.0} events/s",
                now.as_secs_f64(),
                self.duration,
                rate
            ));
        }
    }

    fn done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The outputs asked for on the command line; `cost`: the summary shows the
/// cost estimate. Their files are checked against the scenario's own
/// ([`crate::report::outputs::Options::inputs`]) by the caller.
fn outputs(opts: &RunOpts, cost: bool) -> crate::report::outputs::Options {
    crate::report::outputs::Options {
        json: opts.json.clone(),
        flow_logs: opts.flow_logs.clone(),
        flow_log_interval: opts.flow_log_interval.clone(),
        flow_log_format: opts.flow_log_format.clone(),
        pcap: opts.pcap.clone(),
        csv: opts.csv.clone(),
        html: opts.html.clone(),
        capture: crate::report::pcap::Capture {
            snaplen: opts.pcap_snaplen,
            only: opts.pcap_only.clone(),
        },
        cost,
        inputs: Vec::new(),
    }
}

/// Runs a design over its logical processes with the recorders its options
/// ask for; `inputs`: the files the design was read from, which no output
/// may name.
fn simulate(
    design: crate::model::Design,
    inputs: Vec<PathBuf>,
    opts: &RunOpts,
    cost: bool,
) -> Result<
    (
        crate::sim::parallel::Outcome,
        crate::report::outputs::Attached,
    ),
    String,
> {
    let design = std::sync::Arc::new(design);
    let interval = match &opts.interval {
        Some(text) => interval(text, design.duration)?,
        None => crate::sim::series::default_interval(design.duration),
    };
    let (attached, recorders) = crate::report::outputs::attach(
        &design,
        &crate::report::outputs::Options {
            inputs,
            ..outputs(opts, cost)
        },
    )
    .map_err(|e| e.to_string())?;
    let run = crate::sim::RunOptions {
        seed: opts.seed,
        threads: threads(opts),
        interval: Some(interval),
    };
    let o = outputs(opts, cost);
    let est = crate::sim::estimate::estimate(
        &design,
        crate::sim::estimate::Writes {
            pcap: o.pcap.is_some(),
            flow_logs: o.flow_logs.is_some(),
        },
    );
    for w in est.warnings() {
        errln!("vpcsim: warning: {w}");
    }
    if o.pcap.is_some() && o.capture == crate::report::pcap::Capture::default() {
        let pcap = crate::sim::estimate::estimate(
            &design,
            crate::sim::estimate::Writes {
                pcap: true,
                flow_logs: false,
            },
        );
        if pcap.output_bytes > crate::sim::estimate::WARN_PCAP_BYTES {
            errln!(
                "vpcsim: warning: the pcap files will take about {}B; --pcap-snaplen N keeps N bytes of each packet, --pcap-only ID,... only some ENIs and gateways",
                crate::sim::estimate::si(pcap.output_bytes)
            );
        }
    }
    let mut progress = Progress::new(design.duration, opts);
    let mut out = crate::sim::parallel::run(
        design,
        &run,
        &|lp| recorders.for_lp(lp),
        &mut |now, events| progress.update(now, events),
    );
    progress.done();
    out.metrics.cut_short = progress.cut.take();
    if opts.verbose {
        err!(
            "{}",
            out.plan
                .describe(&out.net.design, &out.part, out.windows, out.messages)
        );
    }
    Ok((out, attached))
}

/// The `--interval` of the time series, checked against the design's
/// duration. A `String` error on purpose: this is the command line's own
/// check, and the error is the line it prints, not a library error.
fn interval(text: &str, duration: crate::units::Nanos) -> Result<crate::units::Nanos, String> {
    use crate::sim::series::{MAX_BUCKETS, Series};
    let i = crate::units::parse_duration(text).map_err(|e| format!("--interval {text}: {e}"))?;
    if i.0 < 1_000 || i.0 % 1_000 != 0 {
        return Err(format!(
            "--interval {text}: the interval is a whole number of microseconds, at least 1us (for example 1s or 100ms)"
        ));
    }
    let n = Series::count(duration, i);
    if n > MAX_BUCKETS {
        let least = crate::units::Nanos(duration.0.div_ceil(MAX_BUCKETS));
        return Err(format!(
            "--interval {text}: makes {n} buckets over the run's {duration}; at most {MAX_BUCKETS} (an interval of {least} or more)"
        ));
    }
    Ok(i)
}

/// Writes the run's files; notes on standard error unless `--quiet`;
/// `cmd` names the command in an error.
fn finish_outputs(
    cmd: &str,
    sim: &crate::sim::parallel::Outcome,
    attached: &crate::report::outputs::Attached,
    outcomes: Option<&[crate::report::check::Outcome]>,
    quiet: bool,
) -> bool {
    match attached.finish(sim, outcomes) {
        Ok(w) => {
            if !quiet {
                for n in w.notes {
                    errln!("wrote {n}");
                }
            }
            true
        }
        Err(e) => {
            if crate::report::outfile::stdout_closed() {
                out::end(out::CLOSED_PIPE);
            }
            errln!("vpcsim {cmd}: {e}");
            false
        }
    }
}

fn run_cmd(file: &std::path::Path, opts: &RunOpts) -> u8 {
    use std::io::IsTerminal as _;
    let Some(loaded) = validate::load(file) else {
        return exit::INVALID;
    };
    let inputs = crate::scenario::include::files(file);
    let (sim, attached) = match simulate(loaded.design, inputs, opts, true) {
        Ok(x) => x,
        Err(e) => {
            errln!("vpcsim run: {e}");
            return exit::INVALID;
        }
    };
    let cost = attached.estimate(&sim);
    // With the JSON report on standard output, the summary goes to stderr.
    let to_stdout = !outputs(opts, true).json_to_stdout();
    let color = std::env::var_os("NO_COLOR").is_none()
        && if to_stdout {
            std::io::stdout().is_terminal()
        } else {
            std::io::stderr().is_terminal()
        };
    let text =
        crate::report::summary::render(&sim.net, &sim.metrics, sim.seed, cost.as_ref(), color);
    if to_stdout {
        out!("{text}");
    } else if !opts.quiet {
        err!("{text}");
    }
    if !finish_outputs("run", &sim, &attached, None, opts.quiet) {
        return exit::INVALID;
    }
    exit::OK
}

fn graph_cmd(file: &std::path::Path) -> u8 {
    let Some(loaded) = validate::load(file) else {
        return exit::INVALID;
    };
    out!("{}", crate::report::graph::render(&loaded.design));
    exit::OK
}

fn check_cmd(files: &[PathBuf], opts: &RunOpts, ci: &CheckOpts) -> u8 {
    use crate::report::junit::{self, FileResult};
    let out = outputs(opts, false);
    let several = files.len() > 1;
    if several
        && (out.flow_logs.is_some()
            || out.pcap.is_some()
            || out.csv.is_some()
            || out.html.is_some())
    {
        errln!("vpcsim check: --flow-logs, --pcap, --csv and --html take one scenario file");
        return exit::INVALID;
    }
    // Several files write one JSON array, after the last run; a run
    // against a baseline writes its report here too, with the comparison.
    let json_array = (several || ci.baseline.is_some())
        .then(|| out.json.clone())
        .flatten();
    // Every baseline asked for is read before anything runs.
    let mut baselines = Vec::new();
    if let Some(b) = &ci.baseline {
        let mut missing = false;
        for f in files {
            match crate::report::baseline::load(&ci.baseline_dir, b, &f.display().to_string()) {
                Ok(x) => baselines.push(Some(x)),
                Err(e) => {
                    errln!("vpcsim check: {e}");
                    missing = true;
                }
            }
        }
        if missing {
            return exit::INVALID;
        }
    } else {
        baselines.resize(files.len(), None);
    }
    // The files written after the last run are checked before the first:
    // each can be written, and none is a file a scenario is read from.
    for (opt, path) in [("--json", &json_array), ("--junit", &ci.junit)] {
        let Some(path) = path else { continue };
        let checked = files.iter().try_for_each(|f| {
            let inputs = crate::scenario::include::files(f);
            crate::report::outputs::not_an_input(opt, path, &inputs)
        });
        if let Err(e) = checked.and_then(|()| crate::report::outputs::check_file(opt, path, &[])) {
            errln!("vpcsim check: {e}");
            return exit::INVALID;
        }
    }
    if let (Some(j), Some(x)) = (&out.json, &ci.junit) {
        if j != std::path::Path::new("-") && crate::report::outfile::same_file(j, x) {
            errln!(
                "vpcsim check: --json {} and --junit {} name the same file",
                j.display(),
                x.display()
            );
            return exit::INVALID;
        }
    }
    let numbers_wanted = ci.baseline.is_some() || ci.save_baseline.is_some();
    let mut off_baseline = 0usize;
    let mut run_opts = opts.clone();
    if json_array.is_some() {
        run_opts.json = None;
    }
    // With the JSON report on standard output, the verdicts go to stderr.
    let say = |line: String| {
        if out.json_to_stdout() {
            errln!("{line}");
        } else {
            outln!("{line}");
        }
    };
    let github = ci.format == "github";
    let mut code = exit::OK;
    let mut results: Vec<(String, FileResult)> = Vec::new();
    let mut reports = Vec::new();
    let (mut held, mut failed_total, mut bad_files) = (0usize, 0usize, 0usize);
    for (f, old) in files.iter().zip(&baselines) {
        let name = f.display().to_string();
        let loaded = match crate::model::load_file(f) {
            Ok(l) => {
                validate::print_report(&l.report);
                l
            }
            Err(r) => {
                validate::print_report(&r);
                let lines: Vec<String> = r.to_string().lines().map(str::to_string).collect();
                if github {
                    for a in junit::github_report(&name, &lines) {
                        outln!("{a}");
                    }
                }
                results.push((name, FileResult::Invalid(lines)));
                bad_files += 1;
                code = exit::INVALID;
                continue;
            }
        };
        let no_expectations = loaded.design.expects.is_empty();
        // A cost bound needs the cost meter.
        let wants_cost = json_array.is_some()
            || numbers_wanted
            || loaded.design.expects.iter().any(|e| {
                e.bounds
                    .iter()
                    .any(|b| b.measure == crate::scenario::bound::Measure::CostPerMonth)
            });
        let inputs = crate::scenario::include::files(f);
        let (sim, attached) = match simulate(loaded.design, inputs, &run_opts, wants_cost) {
            Ok(x) => x,
            Err(e) => {
                errln!("vpcsim check: {e}");
                results.push((name, FileResult::Invalid(vec![e])));
                bad_files += 1;
                code = exit::INVALID;
                continue;
            }
        };
        let cost = attached.estimate(&sim);
        let outcomes = crate::report::check::evaluate(&sim.net, &sim.metrics, cost.as_ref());
        let failed = outcomes.iter().filter(|o| !o.ok).count();
        for o in &outcomes {
            let status = if o.ok { "ok  " } else { "FAIL" };
            say(format!("{status} {name}:{} {}", o.line, o.subject));
            if !o.ok {
                for d in &o.details {
                    say(format!("       {d}"));
                }
            } else {
                // Expected against measured, for every bound.
                for b in &o.bounds {
                    say(format!("       {}", b.line()));
                }
            }
        }
        if github {
            for a in junit::github_failures(&name, &outcomes) {
                say(a);
            }
        }
        say(format!(
            "{name}: {} of {} expectations hold",
            outcomes.len() - failed,
            outcomes.len()
        ));
        let numbers = numbers_wanted
            .then(|| crate::report::baseline::measure(&name, &sim, cost.as_ref(), &outcomes));
        let comparison = match (&ci.baseline, old, &numbers) {
            (Some(b), Some(old), Some(new)) => {
                Some(crate::report::baseline::compare(old, new, b, ci.tolerance))
            }
            _ => None,
        };
        if let Some(c) = &comparison {
            for m in &c.moved {
                let tag = match m.verdict {
                    crate::report::baseline::Verdict::Regressed => "REGRESSED",
                    crate::report::baseline::Verdict::Changed => "CHANGED  ",
                    crate::report::baseline::Verdict::Improved => "improved ",
                    crate::report::baseline::Verdict::Gone => "GONE     ",
                };
                say(format!("{tag} {name}: {}", m.text()));
            }
            say(format!("{name}: {}", c.summary()));
            if github {
                for a in junit::github_baseline(&name, c) {
                    say(a);
                }
            }
            if !c.ok() {
                off_baseline += 1;
            }
        }
        if let (Some(b), Some(new)) = (&ci.save_baseline, &numbers) {
            match crate::report::baseline::save(&ci.baseline_dir, b, new) {
                Ok(p) => {
                    if !opts.quiet {
                        errln!("wrote baseline `{b}` of {name} to {}", p.display());
                    }
                }
                Err(e) => {
                    errln!("vpcsim check: baseline `{b}`: {e}");
                    code = exit::INVALID;
                }
            }
        }
        held += outcomes.len() - failed;
        failed_total += failed;
        if no_expectations {
            let what = if ci.require_expectations {
                "error"
            } else {
                "warning"
            };
            errln!("{name}: {what}: no [[expect]] block: nothing is checked");
            if github {
                say(format!(
                    "::{what} file={name}::no [[expect]] block: nothing is checked"
                ));
            }
            if ci.require_expectations {
                failed_total += 1;
                if code == exit::OK {
                    code = exit::FAILED;
                }
            }
        }
        if let (Some(transfer), Some(est)) = (
            json_array.as_ref().and_then(|_| attached.transfer()),
            cost.as_ref(),
        ) {
            let mut r = crate::report::json::report(&sim, &transfer, est, Some(&outcomes));
            if let (Some(c), Some(obj)) = (&comparison, r.as_object_mut()) {
                obj.insert("baseline".into(), c.to_json());
            }
            r.sort_all_objects();
            reports.push(r);
        }
        if !finish_outputs("check", &sim, &attached, Some(&outcomes), opts.quiet) {
            code = exit::INVALID;
            bad_files += 1;
            results.push((
                name,
                FileResult::Invalid(vec!["its outputs could not be written".to_string()]),
            ));
            continue;
        }
        let off = comparison.as_ref().is_some_and(|c| !c.ok());
        if (failed > 0 || off) && code == exit::OK {
            code = exit::FAILED;
        }
        results.push((name, FileResult::Ran(outcomes, comparison)));
    }
    if several {
        let off = ci.baseline.as_ref().map_or(String::new(), |b| {
            format!(
                "; {off_baseline} of {} files off baseline `{b}`",
                files.len()
            )
        });
        say(format!(
            "{} files ({} invalid): {held} expectations hold, {failed_total} fail{off}",
            files.len(),
            bad_files
        ));
    }
    if let Some(path) = json_array
        .as_ref()
        .filter(|_| several || !reports.is_empty())
    {
        let v = if several {
            serde_json::Value::Array(reports)
        } else {
            reports.pop().unwrap_or(serde_json::Value::Null)
        };
        let text = crate::report::json::to_text(&v);
        if let Err(e) = crate::report::outfile::write_whole(path, text.as_bytes()) {
            errln!("vpcsim check: {}: {e}", path.display());
            return exit::INVALID;
        }
    }
    if let Some(path) = &ci.junit {
        let xml = junit::render(&results);
        if let Err(e) = crate::report::outfile::write_whole(path, xml.as_bytes()) {
            errln!("vpcsim check: {}: {e}", path.display());
            return exit::INVALID;
        }
    }
    code
}
