/// Packets are built on one LP's thread and often end on another's; mimalloc
/// frees them there without a lock and keeps per-thread heaps, which the
/// system allocator does not (figures in docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vpcsim::cli::main()
}
