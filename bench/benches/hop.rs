//! Whole hops through the data plane, per packet.
//!
//! `subnet/*`: one complete hop between two subnets of a VPC loaded from
//! scenario text (`Network::step` at the sending ENI: parse, tracking or
//! egress security groups, route, NACL out; then at the receiving ENI:
//! parse, NACL in, tracking or ingress security groups). `established`
//! sends packets of 256 open connections (tracking hits on both sides);
//! `new_flow` sends SYNs whose tracking entries have expired, so both sides
//! evaluate their security groups and track the flow again. `lambda_nat/*`:
//! the whole path from a Lambda function to an internet host through a NAT
//! gateway and an internet gateway (6 steps), with `Network::walk` (which
//! collects the hops in a vector) and with a plain step loop. Every packet
//! is copied into a reused buffer first. Figures are in
//! `docs/performance.md`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vpcsim::units::Nanos;
use vpcsim_bench::hop::{
    lambda_path, lambda_steps, lambda_walks, subnet_hop, subnet_hops, subnet_new_flow_hops,
    subnet_new_flows,
};

const FLOWS: u16 = 256;

fn bench_hop(c: &mut Criterion) {
    let mut g = c.benchmark_group("hop");
    g.throughput(Throughput::Elements(u64::from(FLOWS)));
    let mut buf = [0u8; 128];

    let mut s = subnet_hop(FLOWS);
    let now = Nanos::from_secs(1);
    g.bench_function("subnet/established", |b| {
        b.iter(|| subnet_hops(black_box(&mut s), &mut buf, now))
    });
    let fresh = subnet_new_flows(&s, FLOWS);
    let mut t = Nanos::from_secs(2);
    g.bench_function("subnet/new_flow", |b| {
        b.iter(|| {
            // Past the 60 s of the previous round's SYNs.
            t = t.saturating_add(Nanos::from_secs(61));
            subnet_new_flow_hops(black_box(&mut s), &fresh, &mut buf, t)
        })
    });

    let mut p = lambda_path(FLOWS);
    g.bench_function("lambda_nat/walk", |b| {
        b.iter(|| lambda_walks(black_box(&mut p), &mut buf, now))
    });
    g.bench_function("lambda_nat/steps", |b| {
        b.iter(|| lambda_steps(black_box(&mut p), &mut buf, now))
    });
    g.finish();
}

criterion_group!(benches, bench_hop);
criterion_main!(benches);
