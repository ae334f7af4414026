//! Benchmark bodies live here so tests can smoke-run them.
