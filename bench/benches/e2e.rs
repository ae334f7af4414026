//! End to end: `scenarios/two-vpc-load.toml` (two peered VPCs of similar
//! load) run to its end with one and with two threads. One element is one
//! packet-hop, so criterion's throughput is packet-hops per second;
//! parallel efficiency is (time on 1 thread / time on 2) / 2. Figures are
//! in `docs/performance.md`.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vpcsim_bench::e2e::{TWO_VPC_LOAD, design, run_count};

fn bench_e2e(c: &mut Criterion) {
    let d = Arc::new(design(TWO_VPC_LOAD));
    let counts = run_count(&d, 1);
    eprintln!("two-vpc-load: {counts:?}");
    let mut g = c.benchmark_group("e2e");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(counts.packet_hops));
    for threads in [1, 2] {
        g.bench_function(format!("two-vpc-load/threads={threads}"), |b| {
            b.iter(|| {
                let c = run_count(&d, threads);
                assert_eq!(c.packet_hops, counts.packet_hops);
                c
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_e2e);
criterion_main!(benches);
