//! Connection tracking at 1,000,000 live entries, and NAT translation.
//!
//! Conntrack: `hit` of replies of random established flows (a lookup that
//! refreshes the entry), and `track` of new flows into the full table (each
//! batch of new flows is expired again outside the timed part, so the table
//! stays at 1M + one batch). NAT: an established mapping's outbound
//! translation (`NatTable::outbound` + `packet::set_source`, IPv4 and TCP
//! checksums updated incrementally) and the reply's (`inbound` +
//! `set_destination`) with 100,000 live mappings; and new sessions (a SYN
//! for a new 5-tuple: port allocation and two inserts), likewise expired
//! outside the timed part. Each translation copies the packet's 40 bytes
//! into a reused buffer first. Figures are in `docs/performance.md`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vpcsim::dataplane::conntrack::Conntrack;
use vpcsim::units::Nanos;
use vpcsim_bench::flows::{
    conntrack_filled, ct_expire, ct_hits, ct_tracks, fresh_flows, nat_expire, nat_inbound,
    nat_new_sessions, nat_outbound, nat_setup, nat_syns, sample_replies,
};

const LIVE: u32 = 1_000_000;
const N: usize = 4_096;

fn bench_conntrack(c: &mut Criterion) {
    let mut ct = conntrack_filled(LIVE);
    eprintln!(
        "conntrack: {} entries, {} bytes per entry",
        ct.len(),
        Conntrack::ENTRY_BYTES
    );
    let replies = sample_replies(LIVE, N, 5);
    let mut g = c.benchmark_group("conntrack");
    g.throughput(Throughput::Elements(N as u64));
    let now = Nanos::from_secs(1);
    g.bench_function("1M/hit", |b| {
        b.iter(|| ct_hits(black_box(&mut ct), black_box(&replies), now))
    });
    let mut next = LIVE;
    let mut t = Nanos::from_secs(2);
    g.bench_function("1M/track_new", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let fresh = fresh_flows(next, N as u32);
                next += N as u32;
                let start = Instant::now();
                ct_tracks(black_box(&mut ct), black_box(&fresh), t);
                timed += start.elapsed();
                ct_expire(&mut ct, &fresh, t);
                t = t.saturating_add(Nanos::from_secs(62));
            }
            timed
        })
    });
    g.finish();
}

fn bench_nat(c: &mut Criterion) {
    const MAPPINGS: u32 = 100_000;
    let mut s = nat_setup(MAPPINGS, N, 6);
    let mut buf = [0u8; 40];
    let now = Nanos::from_secs(1);
    let mut g = c.benchmark_group("nat");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("established/outbound", |b| {
        b.iter(|| nat_outbound(black_box(&mut s.table), black_box(&s.out), &mut buf, now))
    });
    g.bench_function("established/reply", |b| {
        b.iter(|| nat_inbound(black_box(&mut s.table), black_box(&s.back), &mut buf, now))
    });
    let mut next = MAPPINGS;
    let mut t = Nanos::from_secs(2);
    g.bench_function("new_session", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let syns = nat_syns(next, N as u32);
                next += N as u32;
                let start = Instant::now();
                black_box(nat_new_sessions(black_box(&mut s.table), &syns, t));
                timed += start.elapsed();
                nat_expire(&mut s.table, &syns, t);
                t = t.saturating_add(Nanos::from_secs(400));
            }
            timed
        })
    });
    g.finish();
}

criterion_group!(benches, bench_conntrack, bench_nat);
criterion_main!(benches);
