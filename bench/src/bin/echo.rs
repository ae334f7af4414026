//! The echo workload of the ns-3 comparison in vpcsim, on one thread: N
//! client instances each pinging a server in another subnet 100,000 times a
//! second. Prints the packets delivered (requests at servers plus replies at
//! clients) and the wall time of the run.
//!
//! `cargo run --release -p vpcsim-bench --bin echo -- N SECONDS`

use vpcsim::units::Nanos;
use vpcsim_bench::e2e::echo_run;

fn main() {
    // Small pages, as the `vpcsim` binary asks for.
    vpcsim::cli::pages::small_pages();
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: echo N SECONDS");
    let seconds: f64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .expect("usage: echo N SECONDS");
    let duration = Nanos((seconds * 1e9).round() as u64);
    let (delivered, wall) = echo_run(n, duration);
    println!(
        "vpcsim n={n} seconds={seconds} delivered={delivered} wall={:.3}",
        wall.as_secs_f64()
    );
}
