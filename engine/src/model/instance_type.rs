//! Network performance of EC2 instance types: the bandwidth an instance's
//! interface sends at (BW-1), and what it may send, all flows together,
//! through an internet gateway or to another Region (BW-4).
//!
//! Figures are AWS's "Network specifications" tables of the instance types
//! guide (general purpose, compute optimized and memory optimized
//! families): the baseline bandwidth and, for sizes documented as "up to"
//! a figure, that figure as the burst bandwidth. An instance with a burst
//! bandwidth sends at it while it has network I/O credits and at its
//! baseline once they are spent (BW-2).

use crate::units::Nanos;

/// How long an instance documented as "up to" a bandwidth can send at it
/// from full credits: AWS says "typically from 5 to 60 minutes, depending
/// on the instance size"; vpcsim takes the shortest, 5 minutes.
pub const BURST_TIME: Nanos = Nanos::from_secs(300);

/// The bandwidth of a single flow (5-tuple) of an instance outside a
/// cluster placement group (BW-3).
pub const FLOW_BPS: u64 = 5_000_000_000;

/// What an instance with fewer than 32 vCPUs sends through an internet
/// gateway or to another Region, all flows together; with 32 or more,
/// half its bandwidth or this, whichever is larger (BW-4).
pub const INTERNET_BPS: u64 = 5_000_000_000;

/// An instance type's network performance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkPerformance {
    /// Bits per second it can sustain.
    pub baseline_bps: u64,
    /// Bits per second it sends at while it has credits; equal to the
    /// baseline for sizes without a burst.
    pub burst_bps: u64,
    /// The credits, in bits, that let it send at its burst bandwidth for
    /// [`BURST_TIME`] from full while earning at its baseline; 0 without
    /// a burst (BW-2).
    pub burst_bits: u64,
    /// Its virtual CPUs.
    pub vcpus: u32,
    /// What it sends through an internet gateway or to another Region,
    /// all flows together (BW-4).
    pub internet_bps: u64,
}

const G: f64 = 1e9;

/// (size, baseline Gbps, burst Gbps; 0 for none)
type Size = (&'static str, f64, f64);

const T3: &[Size] = &[
    ("nano", 0.032, 5.0),
    ("micro", 0.064, 5.0),
    ("small", 0.128, 5.0),
    ("medium", 0.256, 5.0),
    ("large", 0.512, 5.0),
    ("xlarge", 1.024, 5.0),
    ("2xlarge", 2.048, 5.0),
];

const M5: &[Size] = &[
    ("large", 0.75, 10.0),
    ("xlarge", 1.25, 10.0),
    ("2xlarge", 2.5, 10.0),
    ("4xlarge", 5.0, 10.0),
    ("8xlarge", 10.0, 0.0),
    ("12xlarge", 12.0, 0.0),
    ("16xlarge", 20.0, 0.0),
    ("24xlarge", 25.0, 0.0),
    ("metal", 25.0, 0.0),
];

const C5: &[Size] = &[
    ("large", 0.75, 10.0),
    ("xlarge", 1.25, 10.0),
    ("2xlarge", 2.5, 10.0),
    ("4xlarge", 5.0, 10.0),
    ("9xlarge", 12.0, 0.0),
    ("12xlarge", 12.0, 0.0),
    ("18xlarge", 25.0, 0.0),
    ("24xlarge", 25.0, 0.0),
    ("metal", 25.0, 0.0),
];

const C5N: &[Size] = &[
    ("large", 3.0, 25.0),
    ("xlarge", 5.0, 25.0),
    ("2xlarge", 10.0, 25.0),
    ("4xlarge", 15.0, 25.0),
    ("9xlarge", 50.0, 0.0),
    ("18xlarge", 100.0, 0.0),
    ("metal", 100.0, 0.0),
];

/// m6i, c6i and r6i share their network figures.
const SIXTH: &[Size] = &[
    ("large", 0.781, 12.5),
    ("xlarge", 1.562, 12.5),
    ("2xlarge", 3.125, 12.5),
    ("4xlarge", 6.25, 12.5),
    ("8xlarge", 12.5, 0.0),
    ("12xlarge", 18.75, 0.0),
    ("16xlarge", 25.0, 0.0),
    ("24xlarge", 37.5, 0.0),
    ("32xlarge", 50.0, 0.0),
    ("metal", 50.0, 0.0),
];

const M7G: &[Size] = &[
    ("medium", 0.52, 12.5),
    ("large", 0.937, 12.5),
    ("xlarge", 1.876, 12.5),
    ("2xlarge", 3.75, 15.0),
    ("4xlarge", 7.5, 15.0),
    ("8xlarge", 15.0, 0.0),
    ("12xlarge", 22.5, 0.0),
    ("16xlarge", 30.0, 0.0),
    ("metal", 30.0, 0.0),
];

/// The families vpcsim knows, by name.
pub const FAMILIES: &[(&str, &[Size])] = &[
    ("t3", T3),
    ("m5", M5),
    ("m6i", SIXTH),
    ("m7g", M7G),
    ("c5", C5),
    ("c5n", C5N),
    ("c6i", SIXTH),
    ("r6i", SIXTH),
];

/// The network performance of `name` (`"m5.large"`), if the table has it.
pub fn lookup(name: &str) -> Option<NetworkPerformance> {
    let (family, size) = name.split_once('.')?;
    let (_, sizes) = FAMILIES.iter().find(|(f, _)| *f == family)?;
    let &(_, base, burst) = sizes.iter().find(|(s, ..)| *s == size)?;
    let baseline_bps = (base * G).round() as u64;
    let burst_bps = if burst > 0.0 {
        (burst * G).round() as u64
    } else {
        baseline_bps
    };
    let over = burst_bps - baseline_bps;
    let vcpus = vcpus(family, size)?;
    let internet_bps = if vcpus >= 32 {
        (baseline_bps / 2).max(INTERNET_BPS)
    } else {
        INTERNET_BPS
    };
    Some(NetworkPerformance {
        baseline_bps,
        burst_bps,
        burst_bits: (u128::from(over) * u128::from(BURST_TIME.0) / 1_000_000_000) as u64,
        vcpus,
        internet_bps,
    })
}

/// The virtual CPUs of a size of the families above (the "Instance
/// specifications" tables of the instance types guide): `Nxlarge` has 4N,
/// `xlarge` 4, `large` 2, t3's smaller sizes 2, m7g.medium 1, and `metal`
/// its family's largest count (m5 and c5 96, c5n 72, m7g 64, the sixth
/// generation 128).
fn vcpus(family: &str, size: &str) -> Option<u32> {
    Some(match size {
        "nano" | "micro" | "small" | "large" => 2,
        "medium" if family == "t3" => 2,
        "medium" => 1,
        "xlarge" => 4,
        "metal" => match family {
            "m5" | "c5" => 96,
            "c5n" => 72,
            "m7g" => 64,
            _ => 128,
        },
        s => 4 * s.strip_suffix("xlarge")?.parse::<u32>().ok()?,
    })
}

/// Every type the table has, `family.size`, for suggestions.
pub fn names() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|(f, sizes)| sizes.iter().map(move |(s, ..)| format!("{f}.{s}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bw_1_the_table_gives_baseline_and_burst() {
        let m5 = lookup("m5.large").unwrap();
        assert_eq!(m5.baseline_bps, 750_000_000);
        assert_eq!(m5.burst_bps, 10_000_000_000);
        let big = lookup("c6i.32xlarge").unwrap();
        assert_eq!(
            (big.baseline_bps, big.burst_bps),
            (50_000_000_000, 50_000_000_000)
        );
        assert_eq!(lookup("r6i.xlarge"), lookup("m6i.xlarge"));
        assert_eq!(lookup("m5.huge"), None);
        assert_eq!(lookup("x9.large"), None);
        assert_eq!(lookup("m5large"), None);
        assert!(names().contains(&"c5n.18xlarge".to_string()));
    }

    #[test]
    fn bw_4_internet_bandwidth_by_vcpus() {
        // Fewer than 32 vCPUs: 5 Gbps whatever the burst.
        let m5 = lookup("m5.4xlarge").unwrap();
        assert_eq!((m5.vcpus, m5.internet_bps), (16, 5_000_000_000));
        assert_eq!(lookup("t3.micro").unwrap().internet_bps, 5_000_000_000);
        assert_eq!(lookup("m5.large").unwrap().vcpus, 2);
        // 32 or more: half the bandwidth, at least 5 Gbps.
        let c6i = lookup("c6i.32xlarge").unwrap();
        assert_eq!((c6i.vcpus, c6i.internet_bps), (128, 25_000_000_000));
        let m5 = lookup("m5.8xlarge").unwrap();
        assert_eq!((m5.vcpus, m5.internet_bps), (32, 5_000_000_000));
        let c5n = lookup("c5n.9xlarge").unwrap();
        assert_eq!((c5n.vcpus, c5n.internet_bps), (36, 25_000_000_000));
        assert_eq!(lookup("c5n.metal").unwrap().vcpus, 72);
        assert_eq!(lookup("m7g.medium").unwrap().vcpus, 1);
        assert_eq!(lookup("t3.medium").unwrap().vcpus, 2);
        assert_eq!(lookup("c5.9xlarge").unwrap().vcpus, 36);
        // Every size of the table has its vCPUs.
        for n in names() {
            assert!(lookup(&n).is_some(), "{n}");
        }
    }

    #[test]
    fn bw_2_credits_last_five_minutes_at_the_burst() {
        let m5 = lookup("m5.large").unwrap();
        // 9.25 Gbps over the baseline for 300 s.
        assert_eq!(m5.burst_bits, 9_250_000_000 * 300);
        assert_eq!(lookup("m5.24xlarge").unwrap().burst_bits, 0);
    }
}
