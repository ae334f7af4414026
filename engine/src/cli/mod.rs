//! The `vpcsim` command line: argument parsing and the commands, each a thin
//! shell over the library.

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
    about = "Packet-level simulator of AWS VPC networking"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and print a summary.
    Run {
        file: PathBuf,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Run scenarios and check their [[expect]] blocks.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        opts: RunOpts,
    },
    /// Parse and validate scenario files; warn about designs that cannot work.
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Follow one packet and its reply hop by hop through the design at time 0.
    Explain {
        file: PathBuf,
        /// A workload id, or an address (outside every VPC: an internet host).
        #[arg(long)]
        from: String,
        /// An id, an address or an AWS service name.
        #[arg(long)]
        to: String,
        /// tcp, udp or icmp.
        #[arg(long, default_value = "tcp")]
        protocol: String,
        #[arg(long)]
        port: Option<u16>,
        /// Print one JSON object instead of the annotated trace.
        #[arg(long)]
        json: bool,
    },
    /// Print the design as a Graphviz DOT digraph.
    Graph { file: PathBuf },
    /// Turn AWS CLI describe output into a scenario.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportSource {
    /// `aws ec2 describe-*` JSON files in DIR (or in one folder per region).
    Aws {
        dir: PathBuf,
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
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
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate { files } => validate::validate(&files),
        Command::Run { file, opts } => run_cmd(&file, &opts),
        Command::Check { files, opts } => check_cmd(&files, &opts),
        Command::Explain {
            file,
            from,
            to,
            protocol,
            port,
            json,
        } => explain_cmd(&file, from, to, &protocol, port, json),
        Command::Import {
            source: ImportSource::Aws { dir, output },
        } => import_aws_cmd(&dir, output.as_deref()),
        other => {
            eprintln!("vpcsim: {other:?} is not available in this build");
            exit::INVALID
        }
    };
    ExitCode::from(code)
}

/// Writes the scenario to `output` (standard output without one) and lists
/// on standard error what was not imported.
fn import_aws_cmd(dir: &std::path::Path, output: Option<&std::path::Path>) -> u8 {
    let imported = match crate::import::import_aws(dir) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("vpcsim import: {e}");
            return exit::INVALID;
        }
    };
    for n in &imported.notes {
        eprintln!("vpcsim import: {n}");
    }
    for f in &imported.ignored_files {
        eprintln!("vpcsim import: not read: {f}");
    }
    match output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &imported.text) {
                eprintln!("vpcsim import: {}: {e}", path.display());
                return exit::INVALID;
            }
        }
        None => print!("{}", imported.text),
    }
    exit::OK
}

fn explain_cmd(
    file: &std::path::Path,
    from: String,
    to: String,
    protocol: &str,
    port: Option<u16>,
    json: bool,
) -> u8 {
    let Some(loaded) = validate::load(file) else {
        return exit::INVALID;
    };
    let protocol = match explain::protocol_number(protocol) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("vpcsim explain: {e}");
            return exit::INVALID;
        }
    };
    let q = explain::Query {
        from,
        to,
        protocol,
        port,
    };
    match explain::explain(loaded.design, &q) {
        Ok(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&e).expect("serializable")
                );
            } else {
                print!("{}", explain::render(&e));
            }
            if e.verdict == "delivered" {
                exit::OK
            } else {
                exit::FAILED
            }
        }
        Err(e) => {
            eprintln!("vpcsim explain: {e}");
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

fn simulate(design: crate::model::Design, opts: &RunOpts) -> crate::sim::parallel::Outcome {
    let run = crate::sim::RunOptions {
        seed: opts.seed,
        threads: threads(opts),
    };
    let mut progress = Progress::new(design.duration, opts.quiet);
    let out = crate::sim::parallel::run(
        std::sync::Arc::new(design),
        &run,
        &|_| Vec::new(),
        &mut |now, events| progress.update(now, events),
    );
    progress.done();
    out
}

/// A progress bar on standard error, for runs that last more than a second
/// of wall time and only on a terminal. It shows; it never changes results.
struct Progress {
    started: std::time::Instant,
    duration: crate::units::Nanos,
    quiet: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(duration: crate::units::Nanos, quiet: bool) -> Progress {
        Progress {
            started: std::time::Instant::now(),
            duration,
            quiet,
            bar: None,
        }
    }

    fn update(&mut self, now: crate::units::Nanos, events: u64) {
        use std::io::IsTerminal;
        if self.quiet || !std::io::stderr().is_terminal() {
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
                "{now} of {} virtual, {:.0} events/s",
                self.duration, rate
            ));
        }
    }

    fn done(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn run_cmd(file: &std::path::Path, opts: &RunOpts) -> u8 {
    let Some(loaded) = validate::load(file) else {
        return exit::INVALID;
    };
    let sim = simulate(loaded.design, opts);
    print!(
        "{}",
        crate::report::summary::render(&sim.net, &sim.metrics, sim.seed)
    );
    exit::OK
}

fn check_cmd(files: &[PathBuf], opts: &RunOpts) -> u8 {
    let mut code = exit::OK;
    for f in files {
        let Some(loaded) = validate::load(f) else {
            code = exit::INVALID;
            continue;
        };
        let sim = simulate(loaded.design, opts);
        let outcomes = crate::report::check::evaluate(&sim.net, &sim.metrics);
        let failed = outcomes.iter().filter(|o| !o.ok).count();
        for o in &outcomes {
            let status = if o.ok { "ok  " } else { "FAIL" };
            println!(
                "{status} {}:{} traffic `{}`",
                f.display(),
                o.line,
                o.traffic
            );
            if !o.ok {
                for d in &o.details {
                    println!("       {d}");
                }
            }
        }
        println!(
            "{}: {} of {} expectations hold",
            f.display(),
            outcomes.len() - failed,
            outcomes.len()
        );
        if failed > 0 && code == exit::OK {
            code = exit::FAILED;
        }
    }
    code
}
