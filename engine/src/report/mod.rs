//! What a run shows: the terminal summary, expectations checked,
//! and the files a run can write: the JSON report, VPC Flow Logs, pcap
//! captures, the cost estimate and the design as a Graphviz graph.
//!
//! Every output is deterministic (same file and seed, same bytes) and is
//! written whole or not at all ([`outfile`]). Virtual time 0 is
//! [`EPOCH_UNIX_SECS`] wherever a wall-clock time is written.

pub mod baseline;
pub mod check;
pub mod cost;
pub mod flowlog;
pub mod gather;
pub mod graph;
pub mod html;
pub mod json;
pub mod junit;
pub mod outfile;
pub mod outputs;
pub mod pcap;
pub mod series_csv;
pub mod summary;
pub mod sweep;
pub mod sweep_summary;

use std::collections::BTreeMap;

use crate::model::*;
use crate::units::Nanos;

/// Virtual time 0 as a Unix time: 2024-01-01T00:00:00Z. Flow log `start`
/// and `end` and pcap timestamps count from it.
pub const EPOCH_UNIX_SECS: u64 = 1_704_067_200;

/// When each component deleted by the timeline stops existing.
pub fn deleted_at(d: &Design) -> BTreeMap<Component, Nanos> {
    let mut out = BTreeMap::new();
    for e in &d.events {
        if let Action::Delete(c) = e.action {
            out.entry(c).or_insert(e.at);
        }
    }
    out
}

/// When each ENI stops existing (its own deletion or its owner's).
pub fn eni_deleted_at(d: &Design) -> Vec<Option<Nanos>> {
    let mut out = vec![None; d.enis.len()];
    let mut set = |e: EniId, at: Nanos| {
        let slot: &mut Option<Nanos> = &mut out[e.idx()];
        if slot.is_none_or(|t| at < t) {
            *slot = Some(at);
        }
    };
    for (c, at) in deleted_at(d) {
        match c {
            Component::Eni(e) => set(e, at),
            Component::Nat(n) => set(d.nats[n.idx()].eni, at),
            Component::Instance(i) => set(d.instances[i.idx()].eni, at),
            Component::Endpoint(x) => {
                if let EndpointKind::Interface { enis, .. } = &d.endpoints[x.idx()].kind {
                    for e in enis {
                        set(*e, at);
                    }
                }
            }
            Component::TgwAttachment(a) => {
                for e in d.tgw_attachments[a.idx()].enis() {
                    set(*e, at);
                }
            }
            _ => {}
        }
    }
    out
}
