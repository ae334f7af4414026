//! Prints the memory that tracked connections take: bytes per connection
//! tracking entry and per NAT mapping, in the tables' layout and as resident
//! set growth, for 1,000,000 connections (or the count given), through as
//! many NAT gateways as their ports need.
//!
//! `cargo run --release -p vpcsim-bench --bin tracked-memory [-- N]`

use vpcsim::dataplane::conntrack::Conntrack;
use vpcsim_bench::memory::fill;

fn main() {
    // Small pages, as the `vpcsim` binary asks for.
    vpcsim::cli::pages::small_pages();
    let n: u32 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("a connection count"))
        .unwrap_or(1_000_000);
    let (g, ct, nats) = fill(n);
    let per = |b: u64| b as f64 / f64::from(n);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!("connections={n}");
    println!("conntrack_entry_bytes={}", Conntrack::ENTRY_BYTES);
    println!(
        "conntrack_rss_growth={:.1}MiB per_entry={:.1}B",
        mib(g.conntrack),
        per(g.conntrack)
    );
    println!(
        "nat_rss_growth={:.1}MiB per_mapping={:.1}B gateways={}",
        mib(g.nat),
        per(g.nat),
        g.gateways
    );
    let both = g.conntrack + g.nat;
    println!(
        "together={:.1}MiB per_connection={:.1}B peak_rss={:.1}MiB start_rss={:.1}MiB fits_1GiB={} fits_4GiB={}",
        mib(both),
        per(both),
        mib(g.peak),
        mib(g.start),
        g.peak < 1 << 30,
        g.peak < 4 << 30
    );
    let mapped: usize = nats.iter().map(|t| t.len()).sum();
    assert_eq!((ct.len(), mapped), (n as usize, n as usize));
}
