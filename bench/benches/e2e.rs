//! End to end: `scenarios/two-vpc-load.toml` (two peered VPCs of similar
//! load), a generated ring of four peered VPCs and a generated VPC over two
//! AZs, each run to its end with one and with two threads. One element is one
//! packet-hop, so criterion's throughput is packet-hops per second;
//! parallel efficiency is (time on 1 thread / time on 2) / 2. The same
//! design run as one logical process, without windows or messages, shows
//! what that machinery costs one thread. A web server asked for more than
//! its interface can send, its connections waiting their turns to send,
//! runs on one thread. The echo workload of the comparison with ns-3 runs
//! on one thread, counted in delivered packets. Figures are in
//! `docs/performance.md`.

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vpcsim::units::Nanos;
use vpcsim_bench::e2e::{
    TWO_VPC_LOAD, azs_scenario, design, echo_run, echo_scenario, load_generated,
    overloaded_scenario, ring_scenario, run_count, run_whole,
};

fn bench_e2e(c: &mut Criterion) {
    // Whole runs, in a process with small pages as the `vpcsim` binary's.
    vpcsim::cli::pages::small_pages();
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
    // The same design as one LP, without windows or messages: what the
    // machinery of parallel runs costs one thread.
    let whole = run_whole(&d);
    eprintln!("two-vpc-load as one LP: {whole:?}");
    g.throughput(Throughput::Elements(whole.packet_hops));
    g.bench_function("two-vpc-load/one-lp", |b| b.iter(|| run_whole(&d)));
    // Generated: a ring of four equal peered VPCs (an LP each), and one
    // VPC over two AZs (an LP each) with mostly AZ-local load.
    for (name, text) in [
        ("ring-4", ring_scenario(4, Nanos::from_millis(1000))),
        ("azs-2", azs_scenario(2, Nanos::from_millis(1000))),
    ] {
        let d = load_generated(name, &text);
        let counts = run_count(&d, 1);
        eprintln!("{name}: {counts:?}");
        g.throughput(Throughput::Elements(counts.packet_hops));
        for threads in [1, 2] {
            g.bench_function(format!("{name}/threads={threads}"), |b| {
                b.iter(|| {
                    let c = run_count(&d, threads);
                    assert_eq!(c.packet_hops, counts.packet_hops);
                    c
                })
            });
        }
    }
    // Thousands of connections stopped by TCP Small Queues on one
    // interface, sending in turn as it drains.
    let d = load_generated(
        "overloaded",
        &overloaded_scenario(65_535, Nanos::from_millis(120)),
    );
    let counts = run_count(&d, 1);
    eprintln!("overloaded: {counts:?}");
    g.throughput(Throughput::Elements(counts.packet_hops));
    g.bench_function("overloaded/threads=1", |b| {
        b.iter(|| {
            let c = run_count(&d, 1);
            assert_eq!(c.packet_hops, counts.packet_hops);
            c
        })
    });
    // The echo workload of the comparison with ns-3 (`bench/peers/ns3`):
    // ten instance pairs pinging across two subnets for 0.2 s. One element
    // is one delivered packet, a request at its server or a reply at its
    // client, as the comparison counts them.
    let duration = Nanos::from_millis(200);
    let (delivered, _) = echo_run(10, duration);
    let d = load_generated("echo", &echo_scenario(10, duration));
    let counts = run_count(&d, 1);
    eprintln!("echo, N = 10: {delivered} packets delivered, {counts:?}");
    g.throughput(Throughput::Elements(delivered));
    g.bench_function("echo/n=10", |b| {
        b.iter(|| {
            let c = run_count(&d, 1);
            assert_eq!(c.packet_hops, counts.packet_hops);
            c
        })
    });
    g.finish();
}

criterion_group!(benches, bench_e2e);
criterion_main!(benches);
