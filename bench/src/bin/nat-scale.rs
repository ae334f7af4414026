//! New TCP connections through one NAT gateway at scale: prints what the
//! run did, its wall time and the peak resident set.
//!
//! `cargo run --release -p vpcsim-bench --bin nat-scale -- [RATE [SECONDS [THREADS [CLIENTS]]]]`
//! (default 100000 new connections a second, 2 s, 1 thread, 10 clients).

use vpcsim::units::Nanos;
use vpcsim_bench::memory::peak_rss_bytes;
use vpcsim_bench::nat_scale::run_scale;

fn main() {
    // Small pages, as the `vpcsim` binary asks for.
    vpcsim::cli::pages::small_pages();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: f64| -> f64 {
        args.get(i)
            .map(|a| a.parse().expect("numbers: RATE SECONDS THREADS CLIENTS"))
            .unwrap_or(default)
    };
    let rate = arg(0, 100_000.0) as u64;
    let seconds = arg(1, 2.0);
    let threads = arg(2, 1.0) as usize;
    let clients = arg(3, 10.0) as usize;
    let duration = Nanos((seconds * 1e9).round() as u64);
    let (s, wall) = run_scale(clients, rate, duration, duration, threads);
    println!(
        "rate={rate}/s seconds={seconds} threads={threads} clients={clients} opened={} completed={} failed={} events={} packet_hops={} wall={:.3}s peak_rss={:.1}MiB",
        s.opened,
        s.completed,
        s.failed,
        s.events,
        s.packet_hops,
        wall.as_secs_f64(),
        peak_rss_bytes() as f64 / (1024.0 * 1024.0)
    );
}
