//! The files of `run` and `check`: recorders attached before a run, files
//! finished after it.
//!
//! Each recorder is attached only when its output is asked for: the cost
//! meter when the summary shows the cost or a JSON report is written, flow
//! logs and pcap captures when asked for. A run with none pays nothing. Options are checked before the
//! run starts, so a bad `--flow-log-format` costs no simulation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::check::Outcome;
use super::cost::{self, Estimate, Transfer};
use super::{flowlog, html, json, outfile, pcap, series_csv};
use crate::model::Design;
use crate::sim::Recorder;
use crate::sim::parallel::Outcome as Run;
use crate::sim::partition::Partition;

/// Why the outputs of a run cannot be written: each names the option and
/// the path as given, and what is wrong there.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// `--json out/r.json: is a directory`.
    #[error("{option} {}: {source}", .path.display())]
    Target {
        option: &'static str,
        path: PathBuf,
        source: outfile::TargetError,
    },
    /// Two outputs name one file, or both standard output (`what`).
    #[error("{first} {} and {second} {} name {what}", .first_path.display(), .second_path.display())]
    Same {
        first: &'static str,
        first_path: PathBuf,
        second: &'static str,
        second_path: PathBuf,
        what: &'static str,
    },
    #[error("--pcap -: the captures are files in a directory, not a stream")]
    PcapStream,
    #[error("--pcap {}: is not a directory", .0.display())]
    PcapNotADirectory(PathBuf),
    #[error("{option} {} is also a capture file of --pcap {}", .path.display(), .dir.display())]
    CaptureFile {
        option: &'static str,
        path: PathBuf,
        dir: PathBuf,
    },
    /// An output that names a file the scenario is read from (`input`,
    /// `what` the file is); it would be overwritten.
    #[error("{option} {}: names {what}; the output would overwrite it: give another path", .path.display())]
    Input {
        option: &'static str,
        path: PathBuf,
        /// `the scenario file x.toml itself`, `design.toml, a file the
        /// scenario includes`.
        what: String,
    },
    #[error("--csv -: the series are files in a directory, not a stream")]
    CsvStream,
    #[error("--csv {}: is not a directory", .0.display())]
    CsvNotADirectory(PathBuf),
    /// A file of `--csv` that cannot be written (`traffic.csv` is a
    /// directory), or a directory that cannot be made or written in.
    #[error("--csv {}: {source}", .path.display())]
    CsvTarget {
        path: PathBuf,
        source: outfile::TargetError,
    },
    #[error(transparent)]
    FlowLogOption(#[from] flowlog::FlowLogOptionError),
    /// A file that cannot be created before the run (`--flow-logs`,
    /// `--html`, `--json`).
    #[error("{option} {}: {source}", .path.display())]
    Create {
        option: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    /// What the pcap recorder could not set up.
    #[error("--pcap {0}")]
    Pcap(pcap::PcapError),
    /// What the flow log recorder could not write.
    #[error(transparent)]
    FlowLogs(flowlog::FlowLogWriteError),
    /// A capture file that could not be written.
    #[error(transparent)]
    Captures(outfile::FileError),
    #[error(transparent)]
    Csv(#[from] series_csv::CsvError),
    /// `what` are files a recorder left unfinished.
    #[error("the {what} were not finished")]
    Unfinished { what: &'static str },
    #[error("the cost meter was not attached to the run")]
    NoMeter,
    #[error("{}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("standard output: {0}")]
    Stdout(std::io::Error),
}

/// What to write, as the command line gives it.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The JSON report; `-` for standard output.
    pub json: Option<PathBuf>,
    pub flow_logs: Option<PathBuf>,
    /// `60s` or `600s`.
    pub flow_log_interval: String,
    pub flow_log_format: Option<String>,
    pub pcap: Option<PathBuf>,
    /// How much of each packet, and which ENIs and gateways, to capture.
    pub capture: pcap::Capture,
    /// The time series as CSV files, into this directory.
    pub csv: Option<PathBuf>,
    /// The report as one self-contained HTML page.
    pub html: Option<PathBuf>,
    /// Whether the cost estimate is wanted (the summary of `run` shows it;
    /// the JSON report always holds it).
    pub cost: bool,
    /// The files the scenario is read from (the file, then those it
    /// includes): no output may name one.
    pub inputs: Vec<PathBuf>,
}

/// Checks before a run that the file `path` of `option` can be written
/// (`-`, standard output, can) and names none of `inputs`, the files the
/// scenarios are read from. A file is made and removed in its directory to
/// find out.
pub fn check_file(
    option: &'static str,
    path: &Path,
    inputs: &[PathBuf],
) -> Result<(), OutputError> {
    not_an_input(option, path, inputs)?;
    let t = outfile::target(path, true).map_err(|source| OutputError::Target {
        option,
        path: path.to_path_buf(),
        source,
    })?;
    if let outfile::Target::File(_) = t {
        let s = outfile::Spool::create(path).map_err(|source| OutputError::Create {
            option,
            path: path.to_path_buf(),
            source,
        })?;
        drop(s);
    }
    Ok(())
}

/// `Err` when `path`, an output of `option`, names one of the scenario's
/// files `inputs` (the scenario first, then the files it includes).
pub fn not_an_input(
    option: &'static str,
    path: &Path,
    inputs: &[PathBuf],
) -> Result<(), OutputError> {
    if path == Path::new("-") {
        return Ok(());
    }
    match inputs.iter().position(|i| outfile::same_file(path, i)) {
        None => Ok(()),
        Some(k) => Err(OutputError::Input {
            option,
            path: path.to_path_buf(),
            what: if k == 0 {
                format!("the scenario file {} itself", inputs[k].display())
            } else {
                format!("{}, a file the scenario includes", inputs[k].display())
            },
        }),
    }
}

impl Options {
    /// Whether the JSON report or the flow logs go to standard output (the
    /// summary and the verdicts then go to standard error).
    pub fn json_to_stdout(&self) -> bool {
        let dash = Some(Path::new("-"));
        self.json.as_deref() == dash || self.flow_logs.as_deref() == dash
    }

    /// Checks every output path before a run: what each is, that a file can
    /// be written there, and that no two outputs name the same file.
    pub fn check_paths(&self) -> Result<(), OutputError> {
        let mut files: Vec<(&'static str, &Path, Option<PathBuf>)> = Vec::new();
        for (opt, path) in [
            ("--json", &self.json),
            ("--flow-logs", &self.flow_logs),
            ("--html", &self.html),
        ] {
            let Some(path) = path else { continue };
            not_an_input(opt, path, &self.inputs)?;
            let t =
                outfile::target(path, opt != "--html").map_err(|source| OutputError::Target {
                    option: opt,
                    path: path.clone(),
                    source,
                })?;
            let same = match t {
                outfile::Target::Stdout => None,
                outfile::Target::Direct(p) | outfile::Target::File(p) => {
                    Some(outfile::same_path(&p))
                }
            };
            for (o, p, s) in &files {
                if *s == same {
                    let what = if same.is_none() {
                        "standard output"
                    } else {
                        "the same file"
                    };
                    return Err(OutputError::Same {
                        first: o,
                        first_path: p.to_path_buf(),
                        second: opt,
                        second_path: path.clone(),
                        what,
                    });
                }
            }
            files.push((opt, path, same));
        }
        if let Some(dir) = &self.pcap {
            if dir == Path::new("-") {
                return Err(OutputError::PcapStream);
            }
            if dir.exists() && !dir.is_dir() {
                return Err(OutputError::PcapNotADirectory(dir.clone()));
            }
            let d = outfile::same_path(dir);
            for (o, p, s) in &files {
                if s.as_ref() == Some(&d) {
                    return Err(OutputError::Same {
                        first: o,
                        first_path: p.to_path_buf(),
                        second: "--pcap",
                        second_path: dir.clone(),
                        what: "the same path",
                    });
                }
            }
        }
        if let Some(dir) = &self.csv {
            self.check_csv(dir)?;
        }
        Ok(())
    }

    /// The `--csv` directory: a directory, or one that can be made, and
    /// each of its files one that can be written, none of them a file of
    /// the scenario. A file is made and removed in the directory (or in the
    /// nearest one above it that exists) to find out that it can be
    /// written in, as for the other outputs; nothing is left.
    fn check_csv(&self, dir: &Path) -> Result<(), OutputError> {
        if dir == Path::new("-") {
            return Err(OutputError::CsvStream);
        }
        if dir.exists() && !dir.is_dir() {
            return Err(OutputError::CsvNotADirectory(dir.to_path_buf()));
        }
        let target_err =
            |path: PathBuf, source: outfile::TargetError| OutputError::CsvTarget { path, source };
        // The nearest directory that exists, and the path below it that
        // will be made there first: a directory missing, or the first file.
        let mut existing = dir.to_path_buf();
        let mut first = dir.join(series_csv::FILES[0].0);
        loop {
            match std::fs::metadata(&existing) {
                Ok(m) if m.is_dir() => break,
                Ok(_) => {
                    return Err(target_err(
                        dir.to_path_buf(),
                        outfile::TargetError::ParentNotADirectory(existing),
                    ));
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) => {}
                Err(source) => {
                    return Err(target_err(
                        dir.to_path_buf(),
                        outfile::TargetError::Parent {
                            dir: existing,
                            source,
                        },
                    ));
                }
            }
            first = existing.clone();
            match existing.parent() {
                Some(p) if !p.as_os_str().is_empty() => existing = p.to_path_buf(),
                _ => break,
            }
        }
        for name in series_csv::file_names() {
            let p = dir.join(name);
            not_an_input("--csv", &p, &self.inputs)?;
            if dir.is_dir() {
                outfile::target(&p, false).map_err(|source| target_err(p.clone(), source))?;
            }
        }
        let s = outfile::Spool::create(&first).map_err(|source| OutputError::Create {
            option: "--csv",
            path: dir.to_path_buf(),
            source,
        })?;
        drop(s);
        Ok(())
    }
}

/// The recorders of one run, once it is over.
pub struct Attached {
    meter: Option<cost::Shared>,
    flow: Option<flowlog::Status>,
    pcap: Option<pcap::Status>,
    json: Option<PathBuf>,
    csv: Option<PathBuf>,
    html: Option<PathBuf>,
}

/// What to attach to each LP of a run.
pub struct Recorders {
    d: Arc<Design>,
    part: Partition,
    meter: Option<cost::Shared>,
    flow: Option<flowlog::FlowLogFile>,
    pcap: Option<pcap::Captures>,
}

impl Recorders {
    /// The recorders of LP `lp`: its own cost meter (meters add up at the
    /// end), and its own recorder of each file; the files merge what the
    /// LPs record, a window at a time, in an order that does not depend on
    /// the thread that ran an LP.
    pub fn for_lp(&self, lp: u32) -> Vec<Box<dyn Recorder>> {
        let mut v: Vec<Box<dyn Recorder>> = Vec::new();
        if let Some(m) = &self.meter {
            v.push(Box::new(cost::Meter::with_shared(
                Arc::clone(&self.d),
                Arc::clone(m),
            )));
        }
        if let Some(f) = &self.flow {
            let (d, part) = (&*self.d, &self.part);
            v.push(Box::new(f.recorder(lp, |e| part.of_eni(d, e) == lp)));
        }
        if let Some(p) = &self.pcap {
            v.push(Box::new(p.recorder(lp)));
        }
        v
    }
}

/// Prepares the meter and the asked-for recorders of a run of `d`.
pub fn attach(d: &Arc<Design>, o: &Options) -> Result<(Attached, Recorders), OutputError> {
    o.check_paths()?;
    let meter = (o.cost || o.json.is_some() || o.html.is_some()).then(|| cost::Meter::shared(d));
    let part = Partition::new(d);
    let mut flow = None;
    let mut flow_file = None;
    if let Some(path) = &o.flow_logs {
        let interval = flowlog::parse_interval(&o.flow_log_interval)?;
        let fields = match &o.flow_log_format {
            Some(f) => flowlog::parse_format(f)?,
            None => flowlog::default_fields(),
        };
        let (r, status) =
            flowlog::FlowLogFile::create(Arc::clone(d), path, interval, fields, part.count)
                .map_err(|source| OutputError::Create {
                    option: "--flow-logs",
                    path: path.clone(),
                    source,
                })?;
        flow_file = Some(r);
        flow = Some(status);
    } else if let Some(f) = &o.flow_log_format {
        // Checked all the same, so a mistake is not silently ignored.
        flowlog::parse_format(f)?;
    }
    let mut capture = None;
    let mut captures = None;
    if let Some(dir) = &o.pcap {
        let (r, status) = pcap::Captures::create(Arc::clone(d), dir, part.count, &o.capture)
            .map_err(OutputError::Pcap)?;
        // A file output inside the directory must not be one of its captures.
        let d = outfile::same_path(dir);
        for (opt, path) in [("--json", &o.json), ("--flow-logs", &o.flow_logs)] {
            let Some(path) = path else { continue };
            let p = outfile::same_path(path);
            if let (Some(parent), Some(name)) = (p.parent(), p.file_name()) {
                if parent == d && r.file_names().any(|n| n == name.to_string_lossy()) {
                    return Err(OutputError::CaptureFile {
                        option: opt,
                        path: path.clone(),
                        dir: dir.clone(),
                    });
                }
            }
        }
        for name in r.file_names() {
            not_an_input("--pcap", &dir.join(name), &o.inputs)?;
        }
        captures = Some(r);
        capture = Some(status);
    }
    if let Some(p) = &o.html {
        let s = outfile::Spool::create(p).map_err(|source| OutputError::Create {
            option: "--html",
            path: p.clone(),
            source,
        })?;
        drop(s);
    }
    if let Some(p) = &o.json {
        if p != Path::new("-") {
            // Fail before the run if the directory cannot take the file.
            let s = outfile::Spool::create(p).map_err(|source| OutputError::Create {
                option: "--json",
                path: p.clone(),
                source,
            })?;
            drop(s);
        }
    }
    Ok((
        Attached {
            meter: meter.clone(),
            flow,
            pcap: capture,
            json: o.json.clone(),
            csv: o.csv.clone(),
            html: o.html.clone(),
        },
        Recorders {
            d: Arc::clone(d),
            part,
            meter,
            flow: flow_file,
            pcap: captures,
        },
    ))
}

/// What the run's files hold, for a line on standard error.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub notes: Vec<String>,
}

impl Attached {
    /// What the meter measured (complete once the run is over), when it
    /// was attached.
    pub fn transfer(&self) -> Option<Transfer> {
        let m = self.meter.as_ref()?;
        Some(m.lock().map(|t| t.clone()).unwrap_or_default())
    }

    /// The cost estimate of the finished run, when the meter was attached.
    pub fn estimate(&self, sim: &Run) -> Option<Estimate> {
        Some(cost::estimate(
            &sim.net.design,
            &sim.metrics,
            &self.transfer()?,
        ))
    }

    /// Checks the recorders' files and writes the JSON report.
    pub fn finish(&self, sim: &Run, outcomes: Option<&[Outcome]>) -> Result<Written, OutputError> {
        let mut w = Written::default();
        if let Some(s) = &self.flow {
            match s.lock().ok().and_then(|mut x| x.take()) {
                Some(Ok(f)) => w.notes.push(format!(
                    "{} flow log records in {}",
                    f.records,
                    f.path.display()
                )),
                Some(Err(e)) => return Err(OutputError::FlowLogs(e)),
                None => return Err(OutputError::Unfinished { what: "flow logs" }),
            }
        }
        if let Some(s) = &self.pcap {
            match s.lock().ok().and_then(|mut x| x.take()) {
                Some(Ok(p)) => {
                    let packets: u64 = p.files.iter().map(|f| f.1).sum();
                    w.notes.push(format!(
                        "{} pcap files ({packets} packets) in {}",
                        p.files.len(),
                        p.dir.display()
                    ));
                }
                Some(Err(e)) => return Err(OutputError::Captures(e)),
                None => return Err(OutputError::Unfinished { what: "pcap files" }),
            }
        }
        if let Some(dir) = &self.csv {
            let files = series_csv::write(dir, &json::series(&sim.net, &sim.metrics))?;
            w.notes.push(format!(
                "{} CSV files of time series in {}",
                files.len(),
                dir.display()
            ));
        }
        if self.json.is_none() && self.html.is_none() {
            return Ok(w);
        }
        let transfer = self.transfer().ok_or(OutputError::NoMeter)?;
        let est = cost::estimate(&sim.net.design, &sim.metrics, &transfer);
        let report = json::report(sim, &transfer, &est, outcomes);
        if let Some(path) = &self.html {
            let page = html::render(&sim.net.design, &report);
            outfile::write_whole(path, page.as_bytes()).map_err(|source| OutputError::Write {
                path: path.clone(),
                source,
            })?;
            w.notes.push(format!("HTML report in {}", path.display()));
        }
        if let Some(path) = &self.json {
            let text = json::to_text(&report);
            if path == Path::new("-") {
                outfile::write_whole(path, text.as_bytes()).map_err(OutputError::Stdout)?;
            } else {
                outfile::write_whole(path, text.as_bytes()).map_err(|source| {
                    OutputError::Write {
                        path: path.clone(),
                        source,
                    }
                })?;
                w.notes.push(format!("JSON report in {}", path.display()));
            }
        }
        Ok(w)
    }
}
