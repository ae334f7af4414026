//! What a run shows: metrics, the summary, expectations checked.

pub mod check;
pub mod metrics;
pub mod summary;
