//! Longest-prefix-match lookup rate: our `Lpm`, a naive linear scan, and the
//! `prefix-trie` crate, on a VPC-sized and an internet-sized table.
//!
//! Each iteration performs `n` lookups over a pre-generated address array, so
//! criterion's element throughput is lookups per second.
//!
//! The figures below were taken before DIR-24-8 and the branch-free trie
//! walk, when `inet1m/lpm` was the 16-bit-root trie; docs/performance.md
//! ("LPM layouts") has what is measured since.
//!
//! Medians of two runs (`--warm-up-time 1 --measurement-time 3`, 2-core
//! x86-64 AMD EPYC, another build sharing the machine; the 1M-prefix cases
//! are memory-bound and swing by ~30% between runs):
//!
//! | case                     | lookups/s       |
//! |--------------------------|-----------------|
//! | vpc50/lpm                | 233-242 M       |
//! | vpc50/lpm_lookup_addr    | 228-242 M       |
//! | vpc50/naive              | 41 M            |
//! | vpc50/prefix_trie        | 40 M            |
//! | inet1m/lpm (16-bit root) | 55-74 M         |
//! | inet1m/lpm_root8         | 50-55 M         |
//! | inet1m/lpm_lookup_addr   | 68 M            |
//! | inet1m/prefix_trie       | 4-11 M          |
//! | inet1m/naive (16 addrs)  | 1.9-2.2 k       |

use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ipnet::Ipv4Net;
use prefix_trie::PrefixMap;
use vpcsim::lpm::{BATCH, Layout, Lpm};
use vpcsim_bench::{
    Naive, addresses, internet_table, lpm_lookups, lpm_lookups_addr, lpm_lookups_batch,
    naive_lookups, sum_lookups, vpc_table,
};

/// Lookups per iteration. 65,536 addresses (256 KiB) per pass: large enough
/// that the 1M-prefix table's working set exceeds L2.
const N: usize = 1 << 16;

/// Lookups per iteration of the naive scan over the 1M-prefix table: one
/// lookup reads the whole 16 MB table (~ms), so it runs on a 16-address
/// sample with 10 samples only.
const N_NAIVE_1M: usize = 16;

fn prefix_trie(table: &[(Ipv4Net, u32)]) -> PrefixMap<Ipv4Net, u32> {
    let mut m = PrefixMap::new();
    for &(p, v) in table {
        m.insert(p, v);
    }
    m
}

fn prefix_trie_lookups(m: &PrefixMap<Ipv4Net, u32>, addrs: &[u32]) -> u64 {
    sum_lookups(addrs, |a| {
        m.get_lpm(&Ipv4Net::from(Ipv4Addr::from(a)))
            .map(|(_, &v)| v)
    })
}

fn report(name: &str, t: &Lpm<u32>, built_in: std::time::Duration) {
    eprintln!(
        "{name}: {} prefixes, {:?}, {} nodes, {:.1} MiB, built in {:.1?}",
        t.len(),
        t.layout(),
        t.node_count(),
        t.heap_bytes() as f64 / (1024.0 * 1024.0),
        built_in
    );
}

fn bench_lpm(c: &mut Criterion) {
    let mut g = c.benchmark_group("lpm");

    // VPC route table: 50 routes, 90% of addresses inside a route more
    // specific than the default.
    let vpc = vpc_table();
    let addrs = addresses(&vpc, N, 900, 1);
    let start = Instant::now();
    let lpm = Lpm::from_prefixes(vpc.iter().copied());
    report("vpc50", &lpm, start.elapsed());
    let mut lpm_dir = lpm.clone();
    lpm_dir.set_layout(Some(Layout::Dir24));
    report("vpc50 (DIR-24-8)", &lpm_dir, start.elapsed());
    let mut lpm_trie8 = lpm.clone();
    lpm_trie8.set_layout(Some(Layout::Trie8));
    report("vpc50 (trie, 8-bit root)", &lpm_trie8, start.elapsed());
    let naive = Naive::from_prefixes(&vpc);
    let pt = prefix_trie(&vpc);
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("vpc50/lpm", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm), black_box(&addrs)))
    });
    g.bench_function("vpc50/lpm_lookup_addr", |b| {
        b.iter(|| lpm_lookups_addr(black_box(&lpm), black_box(&addrs)))
    });
    g.bench_function("vpc50/lpm_trie8", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm_trie8), black_box(&addrs)))
    });
    g.bench_function(format!("vpc50/lpm_batch{BATCH}"), |b| {
        b.iter(|| lpm_lookups_batch(black_box(&lpm), black_box(&addrs)))
    });
    g.bench_function("vpc50/lpm_dir24", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm_dir), black_box(&addrs)))
    });
    g.bench_function("vpc50/naive", |b| {
        b.iter(|| naive_lookups(black_box(&naive), black_box(&addrs)))
    });
    g.bench_function("vpc50/prefix_trie", |b| {
        b.iter(|| prefix_trie_lookups(black_box(&pt), black_box(&addrs)))
    });
    drop((lpm, lpm_dir, lpm_trie8, naive, pt));

    // Internet-sized table: 1M prefixes, 90% of addresses inside a prefix.
    let inet = internet_table(1_000_000, 42);
    let addrs = addresses(&inet, N, 900, 2);
    let start = Instant::now();
    let lpm = Lpm::from_prefixes(inet.iter().copied());
    report("inet1m", &lpm, start.elapsed());
    let mut lpm16 = lpm.clone();
    let start = Instant::now();
    lpm16.set_layout(Some(Layout::Trie16));
    report("inet1m (trie, 16-bit root)", &lpm16, start.elapsed());
    let mut lpm8 = lpm.clone();
    let start = Instant::now();
    lpm8.set_layout(Some(Layout::Trie8));
    report("inet1m (trie, 8-bit root)", &lpm8, start.elapsed());
    let mut lpm_dir16 = lpm.clone();
    let start = Instant::now();
    lpm_dir16.set_layout(Some(Layout::Dir16));
    report("inet1m (DIR-16-8-8)", &lpm_dir16, start.elapsed());
    let pt = prefix_trie(&inet);
    g.bench_function("inet1m/lpm", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm), black_box(&addrs)))
    });
    g.bench_function(format!("inet1m/lpm_batch{BATCH}"), |b| {
        b.iter(|| lpm_lookups_batch(black_box(&lpm), black_box(&addrs)))
    });
    g.bench_function("inet1m/lpm_dir16", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm_dir16), black_box(&addrs)))
    });
    g.bench_function("inet1m/lpm_trie16", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm16), black_box(&addrs)))
    });
    g.bench_function("inet1m/lpm_root8", |b| {
        b.iter(|| lpm_lookups(black_box(&lpm8), black_box(&addrs)))
    });
    g.bench_function("inet1m/lpm_lookup_addr", |b| {
        b.iter(|| lpm_lookups_addr(black_box(&lpm), black_box(&addrs)))
    });
    g.bench_function("inet1m/prefix_trie", |b| {
        b.iter(|| prefix_trie_lookups(black_box(&pt), black_box(&addrs)))
    });
    drop((lpm, lpm16, lpm8, lpm_dir16, pt));
    let naive = Naive::from_prefixes(&inet);
    let sample = &addrs[..N_NAIVE_1M];
    g.throughput(Throughput::Elements(N_NAIVE_1M as u64));
    g.sample_size(10);
    g.bench_function("inet1m/naive_16_lookups", |b| {
        b.iter(|| naive_lookups(black_box(&naive), black_box(sample)))
    });
    g.finish();
}

criterion_group!(benches, bench_lpm);
criterion_main!(benches);
