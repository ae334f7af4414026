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
    /// Then while as many mappings went into a NAT gateway's table.
    pub nat: u64,
    /// Peak resident set over the whole fill (tables double as they grow,
    /// and for a moment hold both copies).
    pub peak: u64,
    pub start: u64,
}

/// Fills a tracking table and a NAT table with `n` connections each and
/// measures the resident set after each. Returns the tables too, so that
/// they live until the caller has read the figures.
pub fn fill(n: u32) -> (Growth, Conntrack, NatTable) {
    let start = rss_bytes();
    let ct = conntrack_filled(n);
    let after_ct = rss_bytes();
    let mut nat = NatTable::new();
    // In chunks, so that the packets themselves take no memory to speak of.
    let chunk = 65_536;
    let mut i = 0;
    while i < n {
        let k = chunk.min(n - i);
        nat_new_sessions(&mut nat, &nat_syns(i, k), Nanos::ZERO);
        i += k;
    }
    let after_nat = rss_bytes();
    let g = Growth {
        connections: n,
        conntrack: after_ct.saturating_sub(start),
        nat: after_nat.saturating_sub(after_ct),
        peak: peak_rss_bytes(),
        start,
    };
    (g, ct, nat)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_measures_growth() {
        let (g, ct, nat) = fill(20_000);
        assert_eq!(ct.len(), 20_000);
        assert_eq!(nat.len(), 20_000);
        if cfg!(target_os = "linux") {
            assert!(g.start > 0 && g.peak >= g.start);
        }
    }
}
