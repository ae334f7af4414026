//! Security-group and network-ACL evaluation rates.
//!
//! Security groups: an ENI with 5 groups of 60 rules each way (half CIDR
//! peers, a quarter group references, a quarter prefix lists); 90% of the
//! probes are allowed by a rule somewhere in those 300, 10% by none. NACLs:
//! 20 numbered rules each way, probes hitting all of them and the final `*`.
//! Each iteration evaluates every probe of a pre-generated set, so
//! criterion's element throughput is evaluations per second. Figures are in
//! `docs/performance.md`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vpcsim::dataplane::security_group::Direction;
use vpcsim_bench::rules::{nacl_evaluations, nacl_setup, sg_evaluations, sg_setup};

const N: usize = 4_096;

fn bench_sg(c: &mut Criterion) {
    let s = sg_setup(N, 11);
    let mut g = c.benchmark_group("sg_evaluate");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("5x60/ingress", |b| {
        b.iter(|| sg_evaluations(black_box(&s), Direction::Ingress))
    });
    g.bench_function("5x60/egress", |b| {
        b.iter(|| sg_evaluations(black_box(&s), Direction::Egress))
    });
    g.finish();
}

fn bench_nacl(c: &mut Criterion) {
    let s = nacl_setup(N, 12);
    let mut g = c.benchmark_group("nacl_evaluate");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("20/ingress", |b| {
        b.iter(|| nacl_evaluations(black_box(&s.ingress), black_box(&s.ingress_probes)))
    });
    g.bench_function("20/egress", |b| {
        b.iter(|| nacl_evaluations(black_box(&s.egress), black_box(&s.egress_probes)))
    });
    g.finish();
}

criterion_group!(benches, bench_sg, bench_nacl);
criterion_main!(benches);
