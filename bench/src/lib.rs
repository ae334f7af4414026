//! Benchmark bodies live here so tests can smoke-run them.
//!
//! Longest-prefix match (this file): table generators (a VPC route table, an
//! internet-sized table), address generators, a naive linear-scan reference
//! and the loops the `lpm` criterion target times. The other hot operations
//! have a module each: [`rules`] (security groups and NACLs), [`flows`]
//! (connection tracking and NAT), [`hop`] (whole hops through the data
//! plane), [`events`] (the event queue) and [`e2e`] (whole runs).

/// The same allocator as the `vpcsim` binary, so that benchmarks measure
/// what a run does. Whole runs (the `e2e` target, `echo`, `nat-scale`,
/// `tracked-memory`) also ask for small pages as the binary does
/// (`vpcsim::cli::pages`); the loops of single structures keep the
/// allocator's and the kernel's defaults.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod e2e;
pub mod events;
pub mod flows;
pub mod hop;
pub mod memory;
pub mod nat_scale;
pub mod rules;

use std::collections::HashSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use vpcsim::lpm::Lpm;

/// splitmix64: a tiny, fixed-seed PRNG so generated tables are reproducible.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift.
    pub fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }
}

fn net(s: &str) -> Ipv4Net {
    s.parse().expect("valid prefix literal")
}

/// A VPC-sized route table of 50 routes, values are route ids `0..50`.
///
/// The default route, the VPC's own CIDRs, peering / VPN / transit gateway
/// routes (/16 and /24), and 40 ranges as a gateway endpoint's prefix lists
/// for S3 and DynamoDB expand to (/15 to /24).
pub fn vpc_table() -> Vec<(Ipv4Net, u32)> {
    const ROUTES: [&str; 50] = [
        // default, local, secondary CIDR
        "0.0.0.0/0",
        "10.0.0.0/16",
        "100.64.0.0/16",
        // peering, VPN, transit gateway
        "10.1.0.0/16",
        "10.2.0.0/16",
        "10.20.0.0/16",
        "172.16.0.0/16",
        "172.31.0.0/16",
        "192.168.0.0/16",
        "10.3.5.0/24",
        "192.168.10.0/24",
        // S3 prefix list
        "3.5.0.0/19",
        "16.182.0.0/16",
        "16.15.176.0/20",
        "18.34.0.0/19",
        "18.34.232.0/21",
        "52.216.0.0/15",
        "54.231.0.0/16",
        "52.92.16.0/20",
        "52.92.0.0/20",
        "52.217.0.0/16",
        "3.5.16.0/21",
        "18.34.64.0/20",
        "52.218.0.0/17",
        "52.219.0.0/20",
        "52.219.16.0/22",
        "52.219.24.0/21",
        "52.95.128.0/21",
        "108.175.48.0/22",
        "3.5.48.0/22",
        "3.5.76.0/22",
        // DynamoDB prefix list
        "3.218.180.0/22",
        "3.218.184.0/22",
        "52.94.0.0/22",
        "52.94.4.0/24",
        "52.94.8.0/24",
        "52.94.24.0/23",
        "52.94.28.0/23",
        "52.119.224.0/20",
        "52.119.240.0/21",
        "35.71.64.0/22",
        "35.71.72.0/22",
        "18.213.156.0/22",
        "52.94.248.0/22",
        "52.94.252.0/23",
        "52.94.254.0/23",
        "54.239.0.0/19",
        "52.82.187.0/24",
        "3.248.244.0/24",
        "13.248.64.0/24",
    ];
    ROUTES.iter().zip(0..).map(|(s, i)| (net(s), i)).collect()
}

/// Relative frequency, in units of 1/100,000, of each prefix length in the
/// internet table: /24 ~59%, /22-/23 ~20.5%, /16-/21 18%, /8-/15 ~1.5%,
/// longer than /24 1%.
pub const INTERNET_LENGTH_WEIGHTS: [(u8, u32); 25] = [
    (8, 5),
    (9, 10),
    (10, 30),
    (11, 60),
    (12, 150),
    (13, 250),
    (14, 400),
    (15, 550),
    (16, 1_300),
    (17, 1_200),
    (18, 2_100),
    (19, 3_300),
    (20, 4_800),
    (21, 5_300),
    (22, 11_000),
    (23, 9_500),
    (24, 59_045),
    (25, 300),
    (26, 250),
    (27, 150),
    (28, 100),
    (29, 100),
    (30, 50),
    (31, 0),
    (32, 50),
];

fn random_length(rng: &mut SplitMix64) -> u8 {
    let total: u32 = INTERNET_LENGTH_WEIGHTS.iter().map(|w| w.1).sum();
    let mut x = rng.below(total);
    for &(len, w) in &INTERNET_LENGTH_WEIGHTS {
        if x < w {
            return len;
        }
        x -= w;
    }
    24
}

/// A random unicast address: first octet 1..=223 without 10 and 127.
fn random_unicast(rng: &mut SplitMix64) -> u32 {
    loop {
        let a = rng.next_u32();
        let first = a >> 24;
        if (1..=223).contains(&first) && first != 10 && first != 127 {
            return a;
        }
    }
}

/// `n` distinct prefixes with an internet-like length distribution
/// ([`INTERNET_LENGTH_WEIGHTS`]), values `0..n`, in generation order.
///
/// Addresses are uniform over the unicast space, so unlike a real table the
/// prefixes do not cluster: a pessimistic case for memory and caches.
pub fn internet_table(n: usize, seed: u64) -> Vec<(Ipv4Net, u32)> {
    let mut rng = SplitMix64::new(seed);
    let mut seen = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let len = random_length(&mut rng);
        let addr = random_unicast(&mut rng);
        let p = Ipv4Net::new(Ipv4Addr::from(addr), len)
            .expect("length <= 32")
            .trunc();
        if seen.insert(p) {
            let v = u32::try_from(out.len()).expect("fewer than 2^32 prefixes");
            out.push((p, v));
        }
    }
    out
}

/// `n` addresses (as `u32`): a fraction `hit_permille / 1000` drawn inside
/// random prefixes of `table` other than the default route, the rest uniform
/// over the whole address space.
pub fn addresses(table: &[(Ipv4Net, u32)], n: usize, hit_permille: u32, seed: u64) -> Vec<u32> {
    let targets: Vec<Ipv4Net> = table
        .iter()
        .map(|&(p, _)| p)
        .filter(|p| p.prefix_len() > 0)
        .collect();
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            if targets.is_empty() || rng.below(1000) >= hit_permille {
                return rng.next_u32();
            }
            let len = u32::try_from(targets.len()).expect("table fits u32");
            let p = targets[rng.below(len) as usize];
            let host_mask = u32::from(p.hostmask());
            u32::from(p.network()) | (rng.next_u32() & host_mask)
        })
        .collect()
}

/// The reference: a linear scan over every prefix.
#[derive(Clone, Debug, Default)]
pub struct Naive {
    /// (network, netmask, length, value)
    routes: Vec<(u32, u32, u8, u32)>,
}

impl Naive {
    pub fn from_prefixes(items: &[(Ipv4Net, u32)]) -> Self {
        Naive {
            routes: items
                .iter()
                .map(|&(p, v)| {
                    let p = p.trunc();
                    (
                        u32::from(p.network()),
                        u32::from(p.netmask()),
                        p.prefix_len(),
                        v,
                    )
                })
                .collect(),
        }
    }

    /// Value of the longest matching prefix (the last one among equals).
    pub fn lookup_u32(&self, addr: u32) -> Option<u32> {
        let mut best: Option<(u8, u32)> = None;
        for &(net, mask, len, v) in &self.routes {
            if addr & mask == net && best.is_none_or(|(l, _)| len >= l) {
                best = Some((len, v));
            }
        }
        best.map(|b| b.1)
    }
}

/// Performs one lookup per address and folds the results into a checksum
/// (so the optimizer cannot drop them): `sum(value + 1)`, misses count 0.
#[inline]
pub fn sum_lookups(addrs: &[u32], lookup: impl Fn(u32) -> Option<u32>) -> u64 {
    addrs
        .iter()
        .map(|&a| lookup(a).map_or(0, |v| u64::from(v) + 1))
        .sum()
}

/// The timed body for [`Lpm`].
pub fn lpm_lookups(t: &Lpm<u32>, addrs: &[u32]) -> u64 {
    sum_lookups(addrs, |a| t.lookup_u32(a))
}

/// The timed body for [`Lpm::lookup`] (also builds the matched prefix).
pub fn lpm_lookups_addr(t: &Lpm<u32>, addrs: &[u32]) -> u64 {
    sum_lookups(addrs, |a| t.lookup(Ipv4Addr::from(a)).map(|(_, v)| v))
}

/// The timed body for [`Lpm::lookup_batch`]: the same checksum as
/// [`lpm_lookups`], the addresses looked up 256 at a time.
pub fn lpm_lookups_batch(t: &Lpm<u32>, addrs: &[u32]) -> u64 {
    let mut out = [None; 256];
    let mut sum = 0;
    for chunk in addrs.chunks(out.len()) {
        let out = &mut out[..chunk.len()];
        t.lookup_batch(chunk, out);
        sum += out
            .iter()
            .map(|v| v.map_or(0, |v| u64::from(v) + 1))
            .sum::<u64>();
    }
    sum
}

/// The timed body for the naive scan.
pub fn naive_lookups(t: &Naive, addrs: &[u32]) -> u64 {
    sum_lookups(addrs, |a| t.lookup_u32(a))
}

/// Histogram of prefix lengths, index = length.
pub fn length_histogram(table: &[(Ipv4Net, u32)]) -> [usize; 33] {
    let mut h = [0; 33];
    for (p, _) in table {
        h[usize::from(p.prefix_len())] += 1;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpc_table_is_valid() {
        let t = vpc_table();
        assert_eq!(t.len(), 50);
        let distinct: HashSet<_> = t.iter().map(|p| p.0).collect();
        assert_eq!(distinct.len(), 50, "duplicate route");
        for (p, _) in &t {
            assert_eq!(*p, p.trunc(), "{p} has host bits");
        }
    }

    #[test]
    fn lpm_agrees_with_naive_on_vpc_table() {
        let table = vpc_table();
        let addrs = addresses(&table, 5_000, 900, 1);
        let lpm = Lpm::from_prefixes(table.iter().copied());
        let naive = Naive::from_prefixes(&table);
        for &a in &addrs {
            assert_eq!(
                lpm.lookup_u32(a),
                naive.lookup_u32(a),
                "{}",
                Ipv4Addr::from(a)
            );
        }
        // Most addresses hit a route more specific than the default.
        let specific = addrs
            .iter()
            .filter(|&&a| lpm.lookup_u32(a).is_some_and(|v| v != 0))
            .count();
        assert!(specific > 4_000, "{specific}");
        assert_eq!(lpm_lookups(&lpm, &addrs), naive_lookups(&naive, &addrs));
        assert_eq!(
            lpm_lookups_addr(&lpm, &addrs),
            naive_lookups(&naive, &addrs)
        );
    }

    #[test]
    fn lpm_agrees_with_naive_on_internet_table() {
        // Above the DIR-16-8-8 threshold, small enough for the naive scan.
        let table = internet_table(20_000, 7);
        assert_eq!(table.len(), 20_000);
        let addrs = addresses(&table, 2_000, 900, 2);
        let lpm = Lpm::from_prefixes(table.iter().copied());
        assert_eq!(lpm.len(), 20_000);
        assert_eq!(lpm.layout(), vpcsim::lpm::Layout::Dir16);
        let naive = Naive::from_prefixes(&table);
        for &a in &addrs {
            assert_eq!(
                lpm.lookup_u32(a),
                naive.lookup_u32(a),
                "{}",
                Ipv4Addr::from(a)
            );
        }
        assert_eq!(lpm_lookups(&lpm, &addrs), naive_lookups(&naive, &addrs));
        assert_eq!(
            lpm_lookups_batch(&lpm, &addrs),
            naive_lookups(&naive, &addrs)
        );
    }

    #[test]
    fn internet_length_distribution() {
        let table = internet_table(100_000, 3);
        let h = length_histogram(&table);
        let pct = |r: std::ops::RangeInclusive<usize>| {
            h[r].iter().sum::<usize>() as f64 * 100.0 / table.len() as f64
        };
        assert!((55.0..=60.0).contains(&pct(24..=24)), "{}", pct(24..=24));
        assert!((19.0..=22.0).contains(&pct(22..=23)));
        assert!((16.5..=19.5).contains(&pct(16..=21)));
        assert!((1.0..=2.0).contains(&pct(8..=15)));
        assert!(pct(25..=32) < 2.0);
        assert!(h[..8].iter().all(|&c| c == 0));
    }

    #[test]
    fn generators_are_deterministic() {
        assert_eq!(internet_table(1_000, 5), internet_table(1_000, 5));
        let t = vpc_table();
        assert_eq!(addresses(&t, 100, 900, 9), addresses(&t, 100, 900, 9));
    }
}
