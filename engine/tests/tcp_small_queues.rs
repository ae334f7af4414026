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
    // Every byte, no drop, no retransmission (checked by the helper).
    clean_completion_ms("s3-upload-rtt-2ms.toml");
}

#[test]
fn tsq_a_50_mib_upload_over_20_ms_is_limited_by_the_window_not_by_drops() {
    // The 3 MiB window per 20 ms round trip: about 17 round trips of data
    // after slow start, half a second in all (docs/traffic.md).
    let ms = clean_completion_ms("s3-upload-rtt-20ms.toml");
    assert!((400.0..620.0).contains(&ms), "completed in {ms} ms");
}

/// The 2 ms upload scenario with `instance_type` set on the uploader and
/// `flows` uploads of 50 MiB at once; the completion time of the slowest
/// in milliseconds.
fn uploads_ms(instance_type: &str, flows: usize) -> f64 {
    upload_times_ms(instance_type, flows)
        .into_iter()
        .fold(0.0, f64::max)
}

/// [`uploads_ms`]'s uploads: the completion time of each in
/// milliseconds, every byte delivered and none dropped.
fn upload_times_ms(instance_type: &str, flows: usize) -> Vec<f64> {
    let path = format!(
        "{}/../scenarios/s3-upload-rtt-2ms.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("the scenario is shipped");
    let mut text = text.replace(
        "security_groups = [\"sg-uploader\"]",
        &format!("security_groups = [\"sg-uploader\"]\ninstance_type = \"{instance_type}\""),
    );
    let start = text.find("[[traffic]]").expect("a traffic");
    let traffic = text[start..]
        .split("[[expect]]")
        .next()
        .expect("the traffic")
        .to_string();
    text.truncate(start);
    for i in 0..flows {
        text.push_str(&traffic.replace("id = \"upload\"", &format!("id = \"upload-{i}\"")));
    }
    let loaded = load_str(&path, &text).expect("the scenario loads");
    assert!(
        loaded.report.entries.is_empty(),
        "{:?}",
        loaded.report.entries
    );
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    out.metrics
        .traffic
        .iter()
        .map(|m| {
            assert_eq!((m.started, m.delivered), (1, 1), "{:?}", m.failures);
            assert_eq!(m.bytes_delivered, 50 << 20);
            assert!(m.drops.is_empty(), "no drop: {:?}", m.drops);
            m.completion().max() as f64 / 1000.0
        })
        .collect()
}

#[test]
fn bw_3_a_single_flow_is_held_to_5_gbps() {
    // 50 MiB at 5 Gbit/s is 83.9 ms of sending, though the ENI sends at
    // 10 Gbit/s: slow start's ramp and the handshake add a little.
    let ms = clean_completion_ms("s3-upload-rtt-2ms.toml");
    assert!((83.9..100.0).contains(&ms), "completed in {ms} ms");
}

#[test]
fn bw_1_the_instance_type_sets_the_interface_bandwidth() {
    // Two flows of 5 Gbit/s each: an m5.large's 10 Gbit/s carries both
    // at their flow limit; a t3.micro's 5 Gbit/s shares out half each.
    let m5 = uploads_ms("m5.large", 2);
    let t3 = uploads_ms("t3.micro", 2);
    assert!((83.9..110.0).contains(&m5), "m5.large: {m5} ms");
    assert!((167.8..200.0).contains(&t3), "t3.micro: {t3} ms");
    // One flow on the t3.micro: its interface and its flow both at
    // 5 Gbit/s, close to one flow on the 10 Gbit/s interface.
    let one = uploads_ms("t3.micro", 1);
    assert!((83.9..110.0).contains(&one), "t3.micro, one flow: {one} ms");
}

#[test]
fn bw_1_an_instance_type_outside_the_table_warns_and_runs_at_10_gbps() {
    let path = format!(
        "{}/../scenarios/s3-upload-rtt-2ms.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("the scenario is shipped");
    let text = text.replace(
        "security_groups = [\"sg-uploader\"]",
        "security_groups = [\"sg-uploader\"]\ninstance_type = \"m5.larg\"",
    );
    let loaded = load_str(&path, &text).expect("a warning, not an error");
    let msgs: Vec<&str> = loaded.report.entries.iter().map(|e| e.3.as_str()).collect();
    assert_eq!(msgs.len(), 1, "{msgs:?}");
    assert!(msgs[0].contains("`m5.larg`"), "{}", msgs[0]);
    assert!(msgs[0].contains("did you mean `m5.large`?"), "{}", msgs[0]);
    assert!(msgs[0].contains("BW-1"), "{}", msgs[0]);
}

/// What an instance sends out of the Region (BW-4) and a NAT gateway's
/// scaling (NAT-8), in this binary rather than one of their own.
#[path = "parts/instance_bandwidth.rs"]
mod instance_bandwidth;

/// Instance `b`, a web server in a public subnet, asked for more than its
/// 10 Gbit/s interface can send: `rate` requests a second from an
/// internet host, 32 KiB each, for 120 ms.
fn overloaded_server(rate: &str) -> sim::parallel::Outcome {
    let traffic = format!(
        "[[traffic]]\nid = \"shoppers\"\nfrom = \"web\"\nto = \"b\"\nport = 443\nrate = \"{rate}\"\nresponse = \"32KiB\"\n"
    );
    let text = instance_bandwidth::DESIGN
        .replace("duration = \"10s\"", "duration = \"120ms\"")
        .replace("TYPE_A", "")
        .replace("TRAFFIC", &traffic);
    let loaded = load_str("overloaded.toml", &text).expect("the scenario loads");
    let opts = RunOptions {
        interval: Some(vpcsim::units::Nanos::from_millis(10)),
        ..RunOptions::default()
    };
    sim::run(Arc::new(loaded.design), &opts)
}

#[test]
fn tsq_thousands_of_senders_stopped_on_one_eni_take_turns_and_keep_it_busy() {
    // 65,535 requests a second of 32 KiB are 17 Gbit/s for a 10 Gbit/s
    // interface: the server's connections pile up, thousands of them
    // stopped by TCP Small Queues on its one ENI at once.
    let out = overloaded_server("65535/s");
    let m = &out.metrics;
    let t = &m.traffic[0];
    let igw = m
        .series
        .gateways
        .values()
        .next()
        .expect("the internet gateway's series");
    println!(
        "{} started, {} delivered; {} events, {} packet hops; bytes per 10 ms: {:?}",
        t.started,
        t.delivered,
        m.events,
        m.packet_hops,
        igw.iter().map(|c| c.bytes).collect::<Vec<_>>()
    );
    assert!(t.started > 7_000, "{} started", t.started);
    assert!(
        t.started - t.delivered > 3_000,
        "thousands are still sending: {} delivered of {}",
        t.delivered,
        t.started
    );
    assert!(t.drops.is_empty(), "no drop: {:?}", t.drops);
    // Once they pile up, the interface sends all the time: 10 ms at
    // 10 Gbit/s is 12.5 MB, most of it the responses through the gateway.
    assert_eq!(igw.len(), 12, "12 windows of 10 ms");
    for (i, c) in igw.iter().enumerate().skip(1) {
        assert!(
            c.bytes > 12_000_000,
            "{} bytes through the gateway in window {i}",
            c.bytes
        );
    }
    // The stopped connections wake in turn as the interface drains, each
    // when it has room, rather than each polling it: an event or so per
    // packet, not a hundred.
    let per_hop = m.events as f64 / m.packet_hops as f64;
    assert!(
        per_hop < 1.5,
        "{} events for {} packet hops",
        m.events,
        m.packet_hops
    );
}

#[test]
fn tsq_a_sender_woken_by_an_ack_waits_behind_those_stopped_first() {
    // Instance `a`, an m5.large (10 Gbit/s; 5 Gbit/s of it to the
    // internet, BW-4), serves downloads to the internet and pulls from `b`
    // in its own subnet, far more of both than it can send. Senders that
    // ACKs wake (in-Region, a 1 ms round trip) must not keep the interface
    // to themselves while the downloads wait stopped: served in turn, the
    // downloads fill most of their share of the internet.
    let traffic = "[[traffic]]\nid = \"downloads\"\nfrom = \"web\"\nto = \"a\"\nport = 443\nrate = \"20000/s\"\nresponse = \"64KiB\"\n\n[[traffic]]\nid = \"pulls\"\nfrom = \"b\"\nto = \"a\"\nport = 443\nrate = \"5000/s\"\nresponse = \"256KiB\"\n";
    let text = instance_bandwidth::DESIGN
        .replace("duration = \"10s\"", "duration = \"300ms\"")
        .replace(
            "TYPE_A",
            "instance_type = \"m5.large\"\nlisten = [ { protocol = \"tcp\", port = 443 } ]",
        )
        .replace("TRAFFIC", traffic);
    let loaded = load_str("shared.toml", &text).expect("the scenario loads");
    let opts = RunOptions {
        interval: Some(vpcsim::units::Nanos::from_millis(50)),
        ..RunOptions::default()
    };
    let out = sim::run(Arc::new(loaded.design), &opts);
    let m = &out.metrics;
    let igw = m
        .series
        .gateways
        .values()
        .next()
        .expect("the gateway's series");
    let bytes: Vec<u64> = igw.iter().map(|c| c.bytes).collect();
    let pulls = &m.traffic[1];
    println!(
        "gateway bytes per 50 ms {bytes:?}; downloads {} of {}, pulls {} of {}",
        m.traffic[0].delivered, m.traffic[0].started, pulls.delivered, pulls.started
    );
    // 5 Gbit/s is 31.25 MB per 50 ms; at least 70 % of it once loaded.
    for (i, b) in bytes.iter().enumerate().skip(1) {
        assert!(*b > 21_900_000, "{b} bytes to the internet in window {i}");
    }
    // The pulls still get their turns on the interface.
    assert!(pulls.delivered > 100, "{} pulls delivered", pulls.delivered);
    for t in &m.traffic {
        assert!(t.drops.is_empty(), "no drop: {:?}", t.drops);
    }
}

#[test]
fn tsq_six_uploads_stopped_on_one_eni_take_turns_and_finish_together() {
    // An m5.large's 10 Gbit/s interface, six 50 MiB uploads at once, each
    // allowed 5 Gbit/s alone (BW-3): the interface binds, and served in
    // turn the six move on together and finish together, in about the
    // 252 ms that 300 MiB take at 10 Gbit/s. A sender that kept sending
    // on its own ACKs out of turn would finish early, the others late.
    let ms = upload_times_ms("m5.large", 6);
    let first = ms.iter().copied().fold(f64::MAX, f64::min);
    let last = ms.iter().copied().fold(0.0, f64::max);
    assert!((252.0..300.0).contains(&last), "{ms:?}");
    assert!(first > 0.95 * last, "one went first: {ms:?}");
}
