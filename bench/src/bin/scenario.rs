//! Writes a generated scenario to standard output, for `vpcsim run`:
//! `ring N SECONDS` (a ring of N peered VPCs of equal load) or
//! `azs K SECONDS` (one VPC over K AZs, mostly AZ-local load) or
//! `echo N SECONDS` (the echo workload of the ns-3 comparison, N pairs);
//! see `vpcsim_bench::e2e`.
//!
//! `cargo run --release -p vpcsim-bench --bin scenario -- ring 4 2 > ring4.toml`

use vpcsim::units::Nanos;
use vpcsim_bench::e2e::{azs_scenario, echo_scenario, ring_scenario};

const USAGE: &str =
    "usage: scenario ring N SECONDS | scenario azs K SECONDS | scenario echo N SECONDS";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(kind), Some(n), Some(seconds)) = (
        args.first(),
        args.get(1).and_then(|a| a.parse::<usize>().ok()),
        args.get(2).and_then(|a| a.parse::<f64>().ok()),
    ) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let duration = Nanos((seconds * 1e9).round() as u64);
    let text = match kind.as_str() {
        "ring" if (1..=200).contains(&n) => ring_scenario(n, duration),
        "azs" if (1..=6).contains(&n) => azs_scenario(n, duration),
        "echo" if (1..=800).contains(&n) => echo_scenario(n, duration),
        _ => {
            eprintln!("{USAGE} (ring N from 1 to 200, K from 1 to 6, echo N from 1 to 800)");
            std::process::exit(2);
        }
    };
    print!("{text}");
}
