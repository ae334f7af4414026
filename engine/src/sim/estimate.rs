//! What a run will cost, estimated before it starts from the traffic's
//! rates, sizes and times and the outputs asked for, so that a scenario
//! that would run for days or fill a disk is flagged first.
//!
//! The figures are an upper bound, rough (within a small factor for the
//! shipped scenarios): each traffic item is taken to succeed, TCP segments
//! carry 1448 bytes, each packet costs about [`EVENTS_PER_PACKET`] events.
//! A bulk traffic is one transfer, of at most what one flow can carry at
//! [`FLOW_BYTES_PER_SEC`] in the time the run leaves it.

use crate::model::Design;
use crate::scenario::raw::Pattern;

/// Events handled per packet sent, on average (hops, timers, replies).
pub const EVENTS_PER_PACKET: f64 = 5.0;

/// Above this many events, a run is said to take long (about a quarter of
/// an hour on one core at 1-2 million events per second).
pub const WARN_EVENTS: f64 = 1e9;

/// Above this many bytes of output files, a run is flagged.
pub const WARN_OUTPUT_BYTES: f64 = 10e9;

/// Above this many bytes of pcap files (1 GiB), a run that captures every
/// byte of every packet says how to trim them.
pub const WARN_PCAP_BYTES: f64 = 1_073_741_824.0;

/// The most one TCP flow carries in a second, for the bound on a bulk
/// transfer: 10 Gbps, the most AWS gives one flow (BW-3's 5 Gbps out of a
/// cluster placement group, 10 Gbps within one).
pub const FLOW_BYTES_PER_SEC: f64 = 1.25e9;

/// Events handled per second of wall time, for the estimates of time.
pub const EVENTS_PER_SEC: f64 = 1.5e6;

/// Which outputs a run writes, for the estimate of their size.
#[derive(Clone, Copy, Debug, Default)]
pub struct Writes {
    pub pcap: bool,
    pub flow_logs: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Traffic items started (requests, pings, datagrams, transfers).
    pub items: f64,
    pub packets: f64,
    pub events: f64,
    /// Bytes of the output files asked for.
    pub output_bytes: f64,
}

fn segments(bytes: u64, per: u64) -> f64 {
    bytes.div_ceil(per).max(1) as f64
}

/// Estimates a run of `d` writing `w`.
pub fn estimate(d: &Design, w: Writes) -> Estimate {
    let mut e = Estimate::default();
    let end = d.duration.0 as f64 / 1e9;
    for t in &d.traffic {
        let start = t.start.0 as f64 / 1e9;
        let stop = (t.stop.0 as f64 / 1e9).min(end);
        let items = if t.pattern == Pattern::Bulk {
            // A bulk traffic starts one transfer.
            if start <= stop { 1.0 } else { 0.0 }
        } else {
            (t.rate.effective_per_sec() * (stop - start).max(0.0)).max(0.0)
        };
        let (packets, bytes) = match t.pattern {
            Pattern::Ping => (2.0, 2.0 * 84.0),
            Pattern::Requests => {
                let p = 7.0 + 2.0 * (segments(t.request, 1448) + segments(t.response, 1448));
                (p, (t.request + t.response) as f64 + 40.0 * p)
            }
            Pattern::Udp => {
                let p = segments(t.size, 1472) + segments(t.response, 1472);
                (p, (t.size + t.response) as f64 + 28.0 * p)
            }
            Pattern::Bulk => {
                let carried = (end - start).max(0.0) * FLOW_BYTES_PER_SEC;
                let size = (t.size as f64).min(carried).max(0.0) as u64;
                let p = 7.0 + 2.0 * segments(size, 1448);
                (p, size as f64 + 40.0 * p)
            }
        };
        e.items += items;
        e.packets += items * packets;
        if w.pcap {
            // Each packet is in the files of its two ENIs at least, with a
            // 16-byte record header.
            e.output_bytes += items * 2.0 * (bytes + 16.0 * packets);
        }
        if w.flow_logs {
            // A record of about 100 bytes per flow and direction at each
            // of its two ENIs.
            e.output_bytes += items * 4.0 * 100.0;
        }
    }
    e.events = e.packets * EVENTS_PER_PACKET;
    e
}

impl Estimate {
    /// Warnings for a run above the thresholds, in plain words.
    pub fn warnings(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.events > WARN_EVENTS {
            v.push(format!(
                "the run may handle up to about {} events ({} packets), up to about {} of wall time; --max-events stops it sooner",
                si(self.events),
                si(self.packets),
                wall(self.events / EVENTS_PER_SEC)
            ));
        }
        if self.output_bytes > WARN_OUTPUT_BYTES {
            v.push(format!(
                "the output files will take about {}B; --max-output-bytes stops the run sooner",
                si(self.output_bytes)
            ));
        }
        v
    }
}

/// A number with an SI prefix: 1.2G.
pub fn si(x: f64) -> String {
    let units = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];
    let mut x = x;
    let mut i = 0;
    while x >= 1000.0 && i + 1 < units.len() {
        x /= 1000.0;
        i += 1;
    }
    if x >= 1000.0 {
        return format!("{x:.1e}{}", units[i]);
    }
    format!("{x:.1}{}", units[i])
}

/// Seconds of wall time in the largest fitting unit.
pub fn wall(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 7200.0 {
        format!("{:.0} minutes", secs / 60.0)
    } else if secs < 172_800.0 {
        format!("{:.0} hours", secs / 3600.0)
    } else if secs < 3.156e9 {
        format!("{:.0} days", secs / 86400.0)
    } else {
        format!("{} years", si(secs / 3.156e7))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_traffic_is_one_transfer_of_what_the_run_can_carry() {
        let text = "[scenario]\nname = \"x\"\nduration = \"30s\"\n\
            [[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/24\"]\n\
            [[subnet]]\nid = \"s\"\nvpc = \"v\"\ncidr = \"10.0.0.0/25\"\naz = \"us-east-1a\"\n\
            [[security_group]]\nid = \"sg\"\nvpc = \"v\"\n\
            ingress = [ { protocol = \"tcp\", ports = \"443\", cidr = \"10.0.0.0/24\" } ]\n\
            egress = [ { protocol = \"all\", ports = \"all\", cidr = \"0.0.0.0/0\" } ]\n\
            [[instance]]\nid = \"a\"\nsubnet = \"s\"\nsecurity_groups = [\"sg\"]\n\
            [[instance]]\nid = \"b\"\nsubnet = \"s\"\nsecurity_groups = [\"sg\"]\n\
            listen = [ { protocol = \"tcp\", port = 443 } ]\n\
            [[traffic]]\nid = \"p\"\nfrom = \"a\"\nto = \"b\"\npattern = \"bulk\"\nport = 443\nsize = \"50GB\"\n";
        let d = crate::model::load_str("bulk.toml", text)
            .expect("loads")
            .design;
        let e = estimate(&d, Writes::default());
        assert_eq!(e.items, 1.0);
        // 30 s at 10 Gbps: 37.5 GB, not 30 transfers of 50 GB.
        let segs = (37.5e9_f64 / 1448.0).ceil();
        assert_eq!(e.packets, 7.0 + 2.0 * segs);
        assert!(e.warnings().is_empty(), "{:?}", e.warnings());
    }

    #[test]
    fn runaway_rates_are_flagged() {
        let text = "[scenario]\nname = \"x\"\nduration = \"1h\"\n\
            [[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/24\"]\n\
            [[subnet]]\nid = \"s\"\nvpc = \"v\"\ncidr = \"10.0.0.0/25\"\naz = \"us-east-1a\"\n\
            [[instance]]\nid = \"a\"\nsubnet = \"s\"\n\
            [[instance]]\nid = \"b\"\nsubnet = \"s\"\n\
            [[traffic]]\nid = \"p\"\nfrom = \"a\"\nto = \"b\"\npattern = \"ping\"\nrate = \"1000000/s\"\n";
        let d = crate::model::load_str("x.toml", text)
            .expect("valid")
            .design;
        let e = estimate(
            &d,
            Writes {
                pcap: true,
                flow_logs: false,
            },
        );
        assert_eq!(e.items, 3.6e9);
        let w = e.warnings();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("events"), "{w:?}");
        let small = estimate(&d, Writes::default());
        assert!(small.output_bytes == 0.0);
    }
}
