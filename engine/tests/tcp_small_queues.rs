//! TCP Small Queues: a Linux sender keeps only a bounded amount of its data
//! in its own host's queues and sends on as they drain, so a bulk sender
//! never overflows its own interface. The shipped 50 MiB uploads to S3
//! (docs/traffic.md compares their completion times with Linux's) move
//! every byte without a drop or a retransmission, in the time the path
//! allows.

use std::sync::Arc;

use vpcsim::model::load_str;
use vpcsim::sim::{self, RunOptions};

/// The completion time in milliseconds of the one transfer, with no drop
/// anywhere and nothing sent twice.
fn clean_completion_ms(file: &str) -> f64 {
    let path = format!("{}/../scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the scenario is shipped");
    let design = load_str(&path, &text).expect("the scenario loads").design;
    let out = sim::run(Arc::new(design), &RunOptions::default());
    let m = &out.metrics.traffic[0];
    assert_eq!((m.started, m.delivered), (1, 1), "{file}: {:?}", m.failures);
    assert!(
        m.drops.is_empty(),
        "{file}: no packet dropped: {:?}",
        m.drops
    );
    assert_eq!(m.retransmissions, 0, "{file}");
    assert_eq!(m.bytes_delivered, 50 << 20, "{file}");
    m.completion().max() as f64 / 1000.0
}

#[test]
fn tsq_a_50_mib_upload_over_2_ms_never_overflows_its_own_eni() {
    // 50 MiB at the ENI's 10 Gbit/s is 42 ms of sending; with the
    // handshake and slow start's ramp, well under 100 ms.
    let ms = clean_completion_ms("s3-upload-rtt-2ms.toml");
    assert!((42.0..100.0).contains(&ms), "completed in {ms} ms");
}

#[test]
fn tsq_a_50_mib_upload_over_20_ms_is_limited_by_the_window_not_by_drops() {
    // The 3 MiB window per 20 ms round trip: about 17 round trips of data
    // after slow start, half a second in all (docs/traffic.md).
    let ms = clean_completion_ms("s3-upload-rtt-20ms.toml");
    assert!((400.0..620.0).contains(&ms), "completed in {ms} ms");
}
