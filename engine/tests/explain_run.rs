//! `explain` and `run` give one answer (OPEN-3): for every traffic of every
//! shipped scenario, `explain` of that traffic's first flow, at the time it
//! starts, gives the outcome `run` gives that flow.
//!
//! The flow is run alone: the scenario with only that traffic, stopped just
//! after its first item starts, so that no other traffic's load (queues, NAT
//! ports, a function's concurrency) can change it; `explain` does not model
//! load. The timeline stays, and both see the design as it is at the flow's
//! start.
//!
//! `explain` follows one small packet, so a flow whose handshake passes and
//! whose large segments then meet a link too small for them (`run` says
//! `packet_too_big`, MTU-4) is explained as delivered; that one answer is
//! the packet's size, not a disagreement.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use vpcsim::explain::{self, Query};
use vpcsim::model::{self, Design, DestSpec, Source};
use vpcsim::scenario::raw::Pattern;
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;
use vpcsim::units::Nanos;

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

fn source_name(d: &Design, s: Source) -> String {
    match s {
        Source::Instance(i) => d.instances[i.idx()].name.clone(),
        Source::Lambda(l) => d.lambdas[l.idx()].name.clone(),
        Source::External(h) => d.external_hosts[h.idx()].name.clone(),
        Source::Onprem(h) => d.onprem_hosts[h.idx()].name.clone(),
    }
}

fn dest_name(d: &Design, to: &DestSpec) -> String {
    match to {
        DestSpec::Component(c) => d.name_of(*c).to_string(),
        DestSpec::Instance(i, form) => model::dns::name(d, *i, *form),
        DestSpec::Ip(ip) => ip.to_string(),
        DestSpec::Service(s) => s.clone(),
    }
}

/// The outcome of a traffic's first item, run alone: `None` when delivered,
/// else the reason of its failure.
fn run_first(d: &Design, t: usize) -> Result<Option<String>, String> {
    let mut one = d.clone();
    let mut tr = one.traffic[t].clone();
    tr.stop = tr.start.saturating_add(Nanos(1));
    one.traffic = vec![tr];
    one.expects.clear();
    let out = sim::run(Arc::new(one), &RunOptions::default());
    let m = &out.metrics.traffic[0];
    if m.delivered == 1 {
        return Ok(None);
    }
    match m.failures.keys().next() {
        Some((Cause::Drop(r), _)) => Ok(Some(r.name().to_string())),
        Some((c, _)) => Ok(Some(c.name().to_string())),
        None => Err(format!(
            "undecided (started {}, unfinished {})",
            m.started, m.unfinished
        )),
    }
}

#[test]
fn open_3_explain_gives_the_outcome_run_gives() {
    let mut disagree = Vec::new();
    let mut compared = 0;
    for file in scenarios() {
        let loaded = model::load_file(&file).expect("a shipped scenario loads");
        let d = loaded.design;
        for (t, tr) in d.traffic.iter().enumerate() {
            let protocol = match tr.pattern {
                Pattern::Ping => 1,
                Pattern::Udp => 17,
                Pattern::Requests | Pattern::Bulk => 6,
            };
            let q = Query {
                from: source_name(&d, tr.from),
                to: dest_name(&d, &tr.to),
                protocol,
                port: (protocol != 1).then_some(tr.port),
                icmp_type: None,
                icmp_code: None,
                at: tr.start,
                enter: None,
            };
            let e = match explain::explain(d.clone(), &q) {
                Ok(e) => e,
                Err(err) => {
                    disagree.push(format!("{}: `{}`: explain: {err}", file.display(), tr.name));
                    continue;
                }
            };
            let explained = (e.verdict != explain::Verdict::Delivered)
                .then(|| e.reason.unwrap_or("?").to_string());
            let ran = run_first(&d, t);
            compared += 1;
            let size_only = explained.is_none()
                && ran
                    .as_ref()
                    .is_ok_and(|r| r.as_deref() == Some("packet_too_big"));
            if ran.as_ref() != Ok(&explained) && !size_only {
                disagree.push(format!(
                    "{}: `{}`: explain says {:?} (at {:?}), run says {:?}",
                    file.display(),
                    tr.name,
                    explained,
                    e.drop_at,
                    ran
                ));
            }
        }
    }
    assert!(compared > 40, "only {compared} flows compared");
    assert!(
        disagree.is_empty(),
        "{} of {compared} flows disagree:\n{}",
        disagree.len(),
        disagree.join("\n")
    );
}
