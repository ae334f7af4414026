//! What a run shows: metrics, the summary, the JSON report.

pub mod metrics;
pub mod summary;
