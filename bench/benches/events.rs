//! The event core alone: hold-model throughput (look at the earliest
//! event's time, take it, schedule one more) with 100,000 pending events
//! (and, for small runs, 500) in the steady state of the engine's mix of delays (a quarter at the current
//! time, most 50 us .. 15 ms, one in ten a timer of 200 ms .. 10 s): the
//! engine's queue (a timing wheel) against the binary heap it replaced. One
//! element is one event handled (a pop and a push). Figures are in
//! `docs/performance.md`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vpcsim::sim::queue::Queue;
use vpcsim_bench::events::{EventQueue, HeapQueue, delays, hold, steady};

const N: usize = 16_384;

fn run<Q: EventQueue<u32>>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    q: Q,
    pending: usize,
) {
    let d = delays(1 << 16, 9);
    let (mut q, mut i) = steady(q, pending, &d);
    assert_eq!(q.len(), pending);
    c.bench_function(name, |b| {
        b.iter(|| {
            let (acc, next) = hold(black_box(&mut q), &d, i, N);
            i = next;
            acc
        })
    });
}

fn bench_events(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    g.throughput(Throughput::Elements(N as u64));
    run(
        &mut g,
        "hold_100k/engine_wheel",
        Queue::<u32>::new(),
        100_000,
    );
    run(
        &mut g,
        "hold_100k/binary_heap",
        HeapQueue::<u32>::new(),
        100_000,
    );
    // A small run's queue: a few hundred events in flight.
    run(&mut g, "hold_500/engine_wheel", Queue::<u32>::new(), 500);
    run(&mut g, "hold_500/binary_heap", HeapQueue::<u32>::new(), 500);
    g.finish();
}

criterion_group!(benches, bench_events);
criterion_main!(benches);
