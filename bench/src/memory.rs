//! Memory of tracked connections: resident set growth while a connection
//! tracking table and a NAT gateway's table fill up, as
//! `src/bin/tracked-memory.rs` prints it.

use vpcsim::dataplane::conntrack::Conntrack;
use vpcsim::dataplane::nat_gateway::NatTable;
use vpcsim::units::Nanos;

use crate::flows::{conntrack_filled, nat_new_sessions, nat_syns};

/// The resident set of this process in bytes (Linux; 0 elsewhere).
pub fn rss_bytes() -> u64 {
    status_kib("VmRSS:") * 1024
}

/// The peak resident set of this process in bytes (Linux; 0 elsewhere).
pub fn peak_rss_bytes() -> u64 {
    status_kib("VmHWM:") * 1024
}

fn status_kib(key: &str) -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    s.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// What filling the tables cost.
#[derive(Clone, Copy, Debug)]
pub struct Growth {
    pub connections: u32,
    /// Resident set growth while `connections` entries went into a
    /// connection tracking table.
    pub conntrack: u64,
    /// Then while as many mappings went into NAT gateways' tables.
    pub nat: u64,
    /// How many NAT gateways' tables hold them ([`PER_GATEWAY`] each).
    pub gateways: usize,
    /// Peak resident set over the whole fill (tables double as they grow,
    /// and for a moment hold both copies).
    pub peak: u64,
    pub start: u64,
}

/// Connections one NAT gateway's table takes here: a gateway has 55,000
/// ports for each destination (NAT-5) and the flows go to
/// `NAT_DESTINATIONS` (64) of them, 3,520,000 at most; 2,500,000 leaves
/// room for the destinations' uneven shares. Beyond, the next gateway.
pub const PER_GATEWAY: u32 = 2_500_000;

/// Fills a tracking table with `n` connections and NAT gateways' tables
/// (as many as [`PER_GATEWAY`] needs) with as many mappings, and measures
/// the resident set after each. Returns the tables too, so that they live
/// until the caller has read the figures.
pub fn fill(n: u32) -> (Growth, Conntrack, Vec<NatTable>) {
    let start = rss_bytes();
    let ct = conntrack_filled(n);
    let after_ct = rss_bytes();
    let mut nats: Vec<NatTable> = Vec::new();
    // In chunks, so that the packets themselves take no memory to speak of.
    let chunk = 65_536;
    let mut i = 0;
    while i < n {
        let g = (i / PER_GATEWAY) as usize;
        if g == nats.len() {
            nats.push(NatTable::new());
        }
        let k = chunk.min(n - i).min(PER_GATEWAY * (g as u32 + 1) - i);
        nat_new_sessions(&mut nats[g], &nat_syns(i, k), Nanos::ZERO);
        i += k;
    }
    let after_nat = rss_bytes();
    let g = Growth {
        connections: n,
        conntrack: after_ct.saturating_sub(start),
        nat: after_nat.saturating_sub(after_ct),
        gateways: nats.len(),
        peak: peak_rss_bytes(),
        start,
    };
    (g, ct, nats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_measures_growth() {
        let (g, ct, nats) = fill(20_000);
        assert_eq!(ct.len(), 20_000);
        assert_eq!(nats.len(), 1);
        assert_eq!(nats[0].len(), 20_000);
        if cfg!(target_os = "linux") {
            assert!(g.start > 0 && g.peak >= g.start);
        }
    }
}
