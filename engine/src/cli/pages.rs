//! The memory pages a run's process takes from the kernel.
//!
//! The allocator (mimalloc) asks Linux for transparent huge pages on the
//! memory it maps. The kernel then fills the first touch of each 2 MiB
//! region with a whole huge page, zeroed before the process goes on. A
//! run touches most of its heap soon after mapping it, and on a virtual
//! machine whose host backs guest memory only when it is first used, one
//! such fault took about 3.6 ms where 512 small ones took 1.2 ms: up to a
//! quarter of a whole run's wall time went to them, and from 1 % to 30 %
//! of a two-thread run's CPU samples, run to run (figures in
//! docs/performance.md, "Small pages for whole runs").
//!
//! So a run's process asks for small pages only, as mimalloc's own
//! `allow_thp = 0` option does. Lookups in very large tables (a million
//! prefixes or tracked connections) ran slower with small pages; setting
//! `MIMALLOC_ALLOW_THP` in the environment (to `1` to allow them) leaves
//! the choice to the allocator and the kernel; `MIMALLOC_ALLOW_THP=0`
//! also spares the two huge pages the allocator faults in before `main`.

/// The environment variable that hands the choice back to mimalloc.
pub const ALLOW_THP: &str = "MIMALLOC_ALLOW_THP";

/// Asks the kernel for no transparent huge pages in this process from
/// now on (the flag is the process's, and its children inherit it),
/// unless [`ALLOW_THP`] is set. Pages already faulted in stay as they
/// are. Returns whether this call disabled them.
pub fn small_pages() -> bool {
    if std::env::var_os(ALLOW_THP).is_some() {
        return false;
    }
    disable_thp()
}

#[cfg(target_os = "linux")]
fn disable_thp() -> bool {
    rustix::thread::disable_transparent_huge_pages(true).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn disable_thp() -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use rustix::thread::{disable_transparent_huge_pages, transparent_huge_pages_are_disabled};

    const NAME: &str =
        "cli::pages::tests::a_run_asks_for_small_pages_unless_the_allocator_is_told_otherwise";

    /// The flag is the process's and its children inherit it, so each
    /// check runs in a child of its own that starts with huge pages
    /// allowed: the test binary's other tests keep the default.
    #[test]
    fn a_run_asks_for_small_pages_unless_the_allocator_is_told_otherwise() {
        if std::env::var_os("VPCSIM_PAGES_CHILD").is_some() {
            disable_transparent_huge_pages(false).expect("the flag can be cleared");
            let told = std::env::var_os(super::ALLOW_THP).is_some();
            assert_eq!(super::small_pages(), !told);
            assert_eq!(transparent_huge_pages_are_disabled().ok(), Some(!told));
            return;
        }
        let me = std::env::current_exe().expect("the test binary");
        for allow in [None, Some("1")] {
            let mut cmd = std::process::Command::new(&me);
            cmd.args(["--exact", NAME, "--test-threads=1"])
                .env("VPCSIM_PAGES_CHILD", "1")
                .env_remove(super::ALLOW_THP);
            if let Some(v) = allow {
                cmd.env(super::ALLOW_THP, v);
            }
            let out = cmd.output().expect("the child runs");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "child with {}={allow:?}: {stdout}{}",
                super::ALLOW_THP,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
