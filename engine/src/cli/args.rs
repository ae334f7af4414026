//! The command line as clap reads it: every command, argument and option,
//! with the words `--help`, the manual page and the completions show.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::sweep;

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
        // A value that starts with `-` (`-5s`) is read, so that the
        // command says why it is refused rather than taking it for an option.
        #[arg(long, default_value = "0s", allow_hyphen_values = true)]
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
    /// Worker threads, 1 or more (default: all cores); output is the same
    /// for every N.
    #[arg(long, value_name = "N", value_parser = parse_threads)]
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
    /// After the run, say on standard error how it was split and spread:
    /// its logical processes (each a VPC's AZ, or the outside) and their
    /// events, the windows and messages between LPs, which thread ran
    /// which LP, and why every LP stayed on one thread when they did.
    #[arg(long, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Stop the run cleanly once it has handled N events (N is 1 or more;
    /// the run stops at the end of the stretch of windows that reaches N,
    /// so it may handle more); the report says it was cut short, and the
    /// files are whole.
    #[arg(long, value_name = "N", value_parser = parse_at_least_one)]
    pub max_events: Option<u64>,
    /// Stop the run cleanly once the flow log and pcap files hold N bytes
    /// (N is 1 or more; as for --max-events, the run may go past N).
    #[arg(long, value_name = "N", value_parser = parse_at_least_one)]
    pub max_output_bytes: Option<u64>,
    /// The interval of the report's time series, in virtual time (`1s`,
    /// `100ms`). Default: the finest of 1s, 10s, 1min, 10min, 1h, 1d and 7d
    /// that makes at most 100,000 intervals over the run (1s for runs up to
    /// 100,000s).
    #[arg(long, value_name = "DURATION")]
    pub interval: Option<String>,
    /// Write the time series as CSV files into DIR (one per series).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Write the report as one self-contained HTML page with plots.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// `--threads N`: 1 or more; leave it out for every core.
pub fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("a run needs 1 thread or more; leave --threads out to use every core".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a number of threads (like 4)")),
    }
}

/// A limit of `--max-events` or `--max-output-bytes`: 1 or more (a limit of
/// 0 would stop a run before it starts; leave the option out for none).
pub fn parse_at_least_one(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(0) => Err("the limit is 1 or more; leave the option out for no limit".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number (like 1000000)")),
    }
}
