use vpcsim::sim::queue::Queue;
use vpcsim_bench::events::{delays, hold, steady};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let pending: usize = a[1].parse().unwrap();
    let n: usize = a[2].parse().unwrap();
    let d = delays(4096, 7);
    let (mut q, i) = steady(Queue::<u32>::new(), pending, &d);
    let (acc, _) = hold(&mut q, &d, i, n);
    println!("{acc}");
}
