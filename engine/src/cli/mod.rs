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

pub mod out;
mod sweep;
mod validate;

use crate::explain;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Exit codes shared by the commands (see the format document).
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const INVALID: u8 = 2;
}

#[derive(Parser, Debug)]
#[command(
    name = "vpcsim",
    version,
    about = "Packet-level simulator of AWS VPC networking",
    after_help = "Exit status: 0 success (check: every expectation holds; explain: delivered); \
1 check: some expectation fails, explain: dropped; 2 invalid input, or an output that cannot \
be written; 128+N interrupted by signal N (141: the output pipe was closed)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and print a summary.
    #[command(
        after_help = "Example: `vpcsim run scenarios/lambda-private-nat.toml --json report.json --pcap pcap/`\n\n\
Exit status: 0 the run completed (whatever it delivered; `check` judges expectations); \
2 the file is invalid or an output cannot be written; 128+N interrupted by signal N."
    )]
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Run scenarios and check their [[expect]] blocks.
    #[command(
        after_help = "Example: `vpcsim check scenarios/*.toml --junit junit.xml --format github`\n\n\
Exit status: 0 every expectation of every file holds; 1 some expectation fails, a number \
regressed beyond the baseline's tolerance, or a file has no [[expect]] under \
--require-expectations; 2 some file is invalid, a baseline is missing, or an output cannot be \
written; 128+N interrupted by signal N."
    )]
    Check {
        /// The scenario files (TOML); each is run and checked on its own.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        opts: RunOpts,
        #[command(flatten)]
        ci: CheckOpts,
    },
    /// Parse and validate scenario files; warn about designs that cannot work.
    #[command(after_help = "Example: `vpcsim validate scenarios/*.toml`\n\n\
Exit status: 0 every file is valid (warnings included); 2 some file is invalid (each problem \
as file:line:column).")]
    Validate {
        /// The scenario files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Follow one packet and the destination's answer hop by hop through the
    /// design, as `run` would carry them.
    #[command(
        after_help = "Example: `vpcsim explain scenarios/lambda-private-nat.toml --from fetcher --to api-example --port 443`\n\n\
Exit status: 0 the packet and its answer are delivered; 1 one of them is dropped (the trace \
says where and by which rule); 2 the file, an id or an option is invalid."
    )]
    Explain {
        /// The scenario file (TOML).
        file: PathBuf,
        /// A workload id, or an address (in a declared on-premises network:
        /// a host there; elsewhere outside every VPC: an internet host).
        #[arg(long)]
        from: String,
        /// An id, an address (any public address is a host on the internet;
        /// an address in an AWS service's ranges is that service) or an AWS
        /// service name (s3, dynamodb, ...).
        #[arg(long)]
        to: String,
        /// tcp, udp, icmp, or an IP protocol number (47, 50, ...).
        #[arg(long, default_value = "tcp")]
        protocol: String,
        /// Destination port, for tcp and udp.
        #[arg(long)]
        port: Option<u16>,
        /// ICMP type of the probe (default 8, echo request).
        #[arg(long = "icmp-type")]
        icmp_type: Option<u8>,
        /// ICMP code of the probe (default 0).
        #[arg(long = "icmp-code")]
        icmp_code: Option<u8>,
        /// Take the design as it is at this virtual time: the timeline's
        /// events up to it applied (default 0s).
        #[arg(long, default_value = "0s")]
        at: String,
        /// Where a packet from outside every VPC enters: an internet
        /// gateway, a VPN gateway, a peering connection, or a transit
        /// gateway's VPN or peering attachment, by id (by default the way
        /// the outside network routes it).
        #[arg(long)]
        enter: Option<String>,
        /// Print one JSON object instead of the annotated trace.
        #[arg(long)]
        json: bool,
    },
    /// Print the design as a Graphviz DOT digraph.
    #[command(
        after_help = "Example: `vpcsim graph scenarios/tgw-shared-services.toml | dot -Tsvg -o design.svg`\n\n\
Exit status: 0 printed; 2 the file is invalid."
    )]
    Graph {
        /// The scenario file (TOML).
        file: PathBuf,
    },
    /// Run a scenario at every combination of some keys' values and seeds:
    /// one row per point and seed (CSV or JSON lines).
    ///
    /// Example: `vpcsim sweep s.toml --set 'traffic.web.rate=10/s,100/s' --seeds 1..5 -o rows.csv`
    #[command(
        after_help = "Exit status: 0 every point ran and the rows are written; 2 the file, \
a --set address or value, the seeds or the shard are invalid, or an output cannot be written."
    )]
    Sweep(sweep::SweepArgs),
    /// Turn AWS CLI describe output, or a Terraform plan or state, into a scenario.
    #[command(
        after_help = "Example: `vpcsim import aws snapshot/ -o design.toml`\n\n\
Exit status: 0 imported; 2 the input cannot be read."
    )]
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// Example: `vpcsim completions bash > ~/.local/share/bash-completion/completions/vpcsim`
    #[command(after_help = "Exit status: 0.")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for `man -l -` or a man directory.
    ///
    /// Example: `vpcsim man | man -l -`
    #[command(after_help = "Exit status: 0.")]
    Man,
}

#[derive(Subcommand, Debug)]
pub enum ImportSource {
    /// `aws ec2 describe-*` JSON files in DIR (or in one folder per region).
    #[command(
        after_help = "Example: `vpcsim import aws snapshot/ -o design.toml` (scenarios/aws/collect.sh \
collects the files)\n\n\
Exit status: 0 imported (what was left out or approximated is listed on standard error); 2 \
the files cannot be read or the output cannot be written."
    )]
    Aws {
        /// The folder of describe-* JSON files, or of one folder per region
        /// (or accounts/<account-id>/<region>/).
        dir: PathBuf,
        /// Write the scenario here (default standard output).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Import VPN tunnels reported DOWN as down: a VPN whose every tunnel
        /// is DOWN then carries nothing (by default it carries traffic).
        #[arg(long)]
        tunnels_as_reported: bool,
        /// On-premises prefixes behind a VPN connection whose files do not
        /// give them (a BGP VPN): `--onprem vpn-0123=192.168.0.0/16,10.9.0.0/16`.
        /// Repeatable.
        #[arg(long, value_name = "VPN_ID=CIDR[,CIDR]", value_parser = crate::import::parse_onprem)]
        onprem: Vec<(String, Vec<ipnet::Ipv4Net>)>,
    },
    /// The JSON of `terraform show -json` for a saved plan or a state.
    ///
    /// Example: `terraform plan -out tfplan && terraform show -json tfplan > plan.json &&
    /// vpcsim import terraform plan.json -o design.toml`. Exit status: 0 imported (what
    /// was left out or approximated is listed on standard error); 2 the input cannot be
    /// read as a plan or state.
    Terraform {
        /// The JSON of `terraform show -json` (a plan or a state).
        plan: PathBuf,
        /// Write the scenario here (default standard output).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// The region whose resources are imported (default: the region of the
        /// default `aws` provider configuration).
        #[arg(long)]
        region: Option<String>,
    },
}

/// How `check` reports to a CI system.
#[derive(Args, Debug, Clone)]
pub struct CheckOpts {
    /// Also write the results as JUnit XML: one testsuite per file, one
    /// testcase per expectation.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// `text`, or `github` to add GitHub Actions annotations
    /// (`::error file=...,line=...::`) for failed expectations and invalid
    /// files.
    #[arg(long, default_value = "text", value_parser = ["text", "github"])]
    pub format: String,
    /// Count a file with no `[[expect]]` as failed (it is a warning without
    /// this).
    #[arg(long = "require-expectations")]
    pub require_expectations: bool,
    /// Save the measured numbers of every file (each traffic's, gateway's
    /// and expectation's, and the cost) as baseline NAME.
    #[arg(long = "save-baseline", value_name = "NAME", value_parser = crate::report::baseline::parse_name)]
    pub save_baseline: Option<String>,
    /// Compare every file's numbers with baseline NAME: a number worse
    /// beyond the tolerance, a count that changed beyond it, or one no
    /// longer measured fails the check (exit 1); a missing baseline is
    /// exit 2.
    #[arg(long = "baseline", value_name = "NAME", value_parser = crate::report::baseline::parse_name)]
    pub baseline: Option<String>,
    /// Where baselines are kept: DIR/NAME/<scenario path>.json.
    #[arg(long = "baseline-dir", value_name = "DIR", default_value = crate::report::baseline::DEFAULT_DIR)]
    pub baseline_dir: PathBuf,
    /// How far a number may move from the baseline before it counts, in
    /// percent of the baseline's value (runs are deterministic, so 0%
    /// catches every change).
    #[arg(long, value_name = "PERCENT", default_value = "0%", requires = "baseline",
          value_parser = crate::report::baseline::parse_tolerance)]
    pub tolerance: f64,
}

#[derive(Args, Debug, Clone)]
pub struct RunOpts {
    /// Worker threads (default: all cores); output is the same for every N.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write the full report as JSON (`-` for standard output).
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write VPC Flow Logs records.
    #[arg(long = "flow-logs")]
    pub flow_logs: Option<PathBuf>,
    /// Flow log aggregation interval: 60s or 600s.
    #[arg(long = "flow-log-interval", default_value = "600s")]
    pub flow_log_interval: String,
    /// Flow log record format, in AWS's `${field}` syntax.
    #[arg(long = "flow-log-format")]
    pub flow_log_format: Option<String>,
    /// Write one pcap file per ENI and gateway into DIR.
    #[arg(long)]
    pub pcap: Option<PathBuf>,
    /// Keep at most N bytes of each captured packet (default 65535: all).
    #[arg(long = "pcap-snaplen", default_value_t = crate::report::pcap::SNAPLEN)]
    pub pcap_snaplen: u32,
    /// Capture only these ENIs and gateways: ids, comma-separated (an
    /// ENI's label, as its file is named, or a gateway's id).
    #[arg(long = "pcap-only", value_delimiter = ',')]
    pub pcap_only: Option<Vec<String>>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar, no notes on standard error.
    #[arg(long)]
    pub quiet: bool,
    /// Progress lines on standard error even when it is not a terminal.
    #[arg(long, conflicts_with = "quiet")]
    pub progress: bool,
    /// Stop the run cleanly once it has handled N events; the report says
    /// it was cut short, and the files are whole.
    #[arg(long, value_name = "N")]
    pub max_events: Option<u64>,
    /// Stop the run cleanly once the flow log and pcap files hold N bytes.
    #[arg(long, value_name = "N")]
    pub max_output_bytes: Option<u64>,
    /// The interval of the report's time series, in virtual time (`1s`,
    /// `100ms`).
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub interval: String,
    /// Write the time series as CSV files into DIR (one per series).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Write the report as one self-contained HTML page with plots.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

pub fn main() -> ExitCode {
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
            import_cmd(
                crate::import::import_aws_with(&dir, &options),
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
            crate::import::import_terraform(&plan, region.as_deref()),
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
/// on standard error what was not imported.
fn import_cmd(
    imported: Result<crate::import::Imported, crate::import::ImportError>,
    output: Option<&std::path::Path>,
) -> u8 {
    let imported = match imported {
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
        Err(e) => {
            eprintln!("vpcsim explain: --at `{}`: {e}", a.at);
            return exit::INVALID;
        }
    };
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
        if let Some(max) = self.max_events.filter(|m| events >= *m) {
            self.cut = Some(format!("{events} events, the limit of --max-events {max}"));
            return false;
        }
        let bytes = crate::report::outfile::bytes_pushed();
        if let Some(max) = self.max_output_bytes.filter(|m| bytes >= *m) {
            self.cut = Some(format!(
                "{bytes} bytes of output, the limit of --max-output-bytes {max}"
            ));
            return false;
        }
        self.show(now, events);
        true
    }

    fn show(&mut self, now: crate::units::Nanos, events: u64) {
        use std::io::IsTerminal;
        if self.quiet {
            return;
        }
        if !std::io::stderr().is_terminal() {
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
/// cost estimate.
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
    }
}

/// Runs a design over its logical processes with the recorders its options
/// ask for.
fn simulate(
    design: crate::model::Design,
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
    let interval = interval(&opts.interval, design.duration)?;
    let (attached, recorders) =
        crate::report::outputs::attach(&design, &outputs(opts, cost)).map_err(|e| e.to_string())?;
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

/// Writes the run's files; notes on standard error unless `--quiet`.
fn finish_outputs(
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
            errln!("vpcsim: {e}");
            false
        }
    }
}

fn run_cmd(file: &std::path::Path, opts: &RunOpts) -> u8 {
    use std::io::IsTerminal as _;
    let Some(loaded) = validate::load(file) else {
        return exit::INVALID;
    };
    let (sim, attached) = match simulate(loaded.design, opts, true) {
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
    if !finish_outputs(&sim, &attached, None, opts.quiet) {
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
        let (sim, attached) = match simulate(loaded.design, &run_opts, wants_cost) {
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
        if !finish_outputs(&sim, &attached, Some(&outcomes), opts.quiet) {
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
