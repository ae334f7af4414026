//! The report's time series as CSV files (`--csv DIR`, docs/outputs.md):
//! one file per family, one row per bucket and subject, the values those
//! of the JSON report's `series` (they are written from it).
//!
//! Each file is written whole ([`outfile::write_whole`]). `time_s` is the
//! start of the bucket in seconds of virtual time, as a decimal.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::outfile;

/// The files, their columns after `time_s`, and how a row reads from the
/// series: (file, array of `series`, subject columns, value columns).
pub const FILES: [(&str, &str, &[&str], &[&str]); 5] = [
    (
        "traffic.csv",
        "traffic",
        &["id"],
        &[
            "started",
            "delivered",
            "failed",
            "bytes_delivered",
            "latency_p50_us",
            "latency_p99_us",
        ],
    ),
    (
        "drops.csv",
        "drops",
        &["reason", "place", "place_kind"],
        &["count"],
    ),
    (
        "gateways.csv",
        "gateways",
        &["id", "kind"],
        &["packets", "bytes"],
    ),
    (
        "nat.csv",
        "nat",
        &["id"],
        &["ports_in_use", "connections_created"],
    ),
    ("queues.csv", "queues", &["eni", "owner"], &["peak_depth"]),
];

/// The names of the files [`write`] writes, in order.
pub fn file_names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|f| f.0).chain(["events.csv"])
}

/// Microseconds as seconds: `0`, `1.5`, `0.000001`.
pub fn seconds(us: u64) -> String {
    let (s, frac) = (us / 1_000_000, us % 1_000_000);
    if frac == 0 {
        return s.to_string();
    }
    let f = format!("{frac:06}");
    format!("{s}.{}", f.trim_end_matches('0'))
}

/// A field, quoted when it holds a comma, a quote or a line break.
fn field(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The files of `series` (the JSON report's), by name, in order.
pub fn render(series: &Value) -> Vec<(&'static str, String)> {
    let n = series["buckets"].as_u64().unwrap_or(0) as usize;
    let interval = series["interval_us"].as_u64().unwrap_or(0);
    let mut out = Vec::new();
    for (file, key, subject, values) in FILES {
        let mut text = String::from("time_s");
        for c in subject.iter().chain(values.iter()) {
            text.push(',');
            text.push_str(c);
        }
        text.push('\n');
        let rows = series[key].as_array().map(Vec::as_slice).unwrap_or(&[]);
        for b in 0..n {
            let t = seconds(interval * b as u64);
            for r in rows {
                text.push_str(&t);
                for c in subject.iter() {
                    text.push(',');
                    text.push_str(&field(&r[*c]));
                }
                for c in values.iter() {
                    text.push(',');
                    text.push_str(&field(&r[*c][b]));
                }
                text.push('\n');
            }
        }
        out.push((file, text));
    }
    let mut text = String::from("time_s,action,subject\n");
    for e in series["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        text.push_str(&seconds(e["at_us"].as_u64().unwrap_or(0)));
        text.push(',');
        text.push_str(&field(&e["action"]));
        text.push(',');
        text.push_str(&field(&e["subject"]));
        text.push('\n');
    }
    out.push(("events.csv", text));
    out
}

/// Why the series could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    #[error("--csv {}: {source}", .dir.display())]
    Directory {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    File(#[from] outfile::FileError),
}

/// Writes the files of `series` into `dir` (made if missing), each whole;
/// returns their paths.
pub fn write(dir: &Path, series: &Value) -> Result<Vec<PathBuf>, CsvError> {
    std::fs::create_dir_all(dir).map_err(|source| CsvError::Directory {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut paths = Vec::new();
    for (name, text) in render(series) {
        let p = dir.join(name);
        if let Err(source) = outfile::write_whole(&p, text.as_bytes()) {
            return Err(outfile::FileError { path: p, source }.into());
        }
        paths.push(p);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seconds_are_exact_decimals() {
        assert_eq!(seconds(0), "0");
        assert_eq!(seconds(1_500_000), "1.5");
        assert_eq!(seconds(250_000), "0.25");
        assert_eq!(seconds(1), "0.000001");
    }

    #[test]
    fn one_row_per_bucket_and_subject_with_fields_quoted() {
        let s = json!({
            "buckets": 2, "interval_us": 500_000,
            "traffic": [{"id": "a", "started": [1, 2], "delivered": [1, 1], "failed": [0, 1],
                "bytes_delivered": [10, 20], "latency_p50_us": [5, null], "latency_p99_us": [7, null]}],
            "drops": [], "gateways": [], "nat": [], "queues": [],
            "events": [{"at_us": 750_000, "action": "set", "subject": "sg-a,sg-b"}],
        });
        let files = render(&s);
        assert_eq!(
            files[0].1,
            "time_s,id,started,delivered,failed,bytes_delivered,latency_p50_us,latency_p99_us\n\
             0,a,1,1,0,10,5,7\n0.5,a,2,1,1,20,,\n"
        );
        assert_eq!(
            files[5].1,
            "time_s,action,subject\n0.75,set,\"sg-a,sg-b\"\n"
        );
    }
}
