//! The files of `run` and `check`: recorders attached before a run, files
//! finished after it.
//!
//! The cost meter is always attached (the summary shows the cost); flow logs
//! and pcap captures only when asked for. Options are checked before the
//! run starts, so a bad `--flow-log-format` costs no simulation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::check::Outcome;
use super::cost::{self, Estimate, Transfer};
use super::{flowlog, json, outfile, pcap};
use crate::model::Design;
use crate::sim::Sim;

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
}

impl Options {
    /// Whether the JSON report goes to standard output.
    pub fn json_to_stdout(&self) -> bool {
        self.json.as_deref() == Some(Path::new("-"))
    }
}

/// The recorders of one run, attached to its [`Sim`].
pub struct Attached {
    meter: cost::Shared,
    flow: Option<flowlog::Status>,
    pcap: Option<pcap::Status>,
    json: Option<PathBuf>,
}

/// Attaches the meter and the asked-for recorders to `sim`.
pub fn attach(sim: &mut Sim, o: &Options) -> Result<Attached, String> {
    let d: Arc<Design> = Arc::clone(&sim.design);
    let (meter, shared) = cost::Meter::new(Arc::clone(&d));
    sim.recorders.push(Box::new(meter));
    let mut flow = None;
    if let Some(path) = &o.flow_logs {
        let interval = flowlog::parse_interval(&o.flow_log_interval)?;
        let fields = match &o.flow_log_format {
            Some(f) => flowlog::parse_format(f)?,
            None => flowlog::default_fields(),
        };
        let (r, status) = flowlog::FlowLogs::create(Arc::clone(&d), path, interval, fields)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        sim.recorders.push(Box::new(r));
        flow = Some(status);
    } else if let Some(f) = &o.flow_log_format {
        // Checked all the same, so a mistake is not silently ignored.
        flowlog::parse_format(f)?;
    }
    let mut capture = None;
    if let Some(dir) = &o.pcap {
        let (r, status) = pcap::Pcap::create(Arc::clone(&d), dir)?;
        sim.recorders.push(Box::new(r));
        capture = Some(status);
    }
    if let Some(p) = &o.json {
        if p != Path::new("-") {
            // Fail before the run if the directory cannot take the file.
            let s = outfile::Spool::create(p).map_err(|e| format!("{}: {e}", p.display()))?;
            drop(s);
        }
    }
    Ok(Attached {
        meter: shared,
        flow,
        pcap: capture,
        json: o.json.clone(),
    })
}

/// What the run's files hold, for a line on standard error.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub notes: Vec<String>,
}

impl Attached {
    /// What the meter measured (complete once the run is over).
    pub fn transfer(&self) -> Transfer {
        self.meter.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// The cost estimate of the finished run.
    pub fn estimate(&self, sim: &Sim) -> Estimate {
        cost::estimate(&sim.design, &sim.metrics, &self.transfer())
    }

    /// Checks the recorders' files and writes the JSON report.
    pub fn finish(&self, sim: &Sim, outcomes: Option<&[Outcome]>) -> Result<Written, String> {
        let mut w = Written::default();
        if let Some(s) = &self.flow {
            match s.lock().ok().and_then(|mut x| x.take()) {
                Some(Ok(f)) => w.notes.push(format!(
                    "{} flow log records in {}",
                    f.records,
                    f.path.display()
                )),
                Some(Err(e)) => return Err(e),
                None => return Err("the flow logs were not finished".to_string()),
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
                Some(Err(e)) => return Err(e),
                None => return Err("the pcap files were not finished".to_string()),
            }
        }
        if let Some(path) = &self.json {
            let transfer = self.transfer();
            let est = cost::estimate(&sim.design, &sim.metrics, &transfer);
            let text = json::to_text(&json::report(sim, &transfer, &est, outcomes));
            if path == Path::new("-") {
                use std::io::Write as _;
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())
                    .and_then(|_| out.flush())
                    .map_err(|e| format!("standard output: {e}"))?;
            } else {
                outfile::write_whole(path, text.as_bytes())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                w.notes.push(format!("JSON report in {}", path.display()));
            }
        }
        Ok(w)
    }
}
