//! What an instance's type lets it send out of the Region (BW-4), and a
//! NAT gateway's capacity as it scales (NAT-8), measured on whole runs:
//! bulk transfers at once, each a TCP flow held to 5 Gbit/s (BW-3).

use std::sync::Arc;

use vpcsim::dataplane::Place;
use vpcsim::model::{Component, DropReason, NatId, load_str};
use vpcsim::sim::{self, RunOptions};
use vpcsim::units::Nanos;

/// A VPC with an internet gateway; `a` and `b` in one public subnet, `web`
/// on the internet. `TYPE_A` and `TRAFFIC` are filled in.
pub(super) const DESIGN: &str = r#"
[scenario]
name = "instance bandwidth"
seed = 7
duration = "10s"
region = "us-east-1"

[latency]
same_az = "500us"
internet = "1ms"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[subnet]]
id = "public"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt"

[[security_group]]
id = "open"
vpc = "v"
ingress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "a"
subnet = "public"
public_ip = "203.0.113.10"
security_groups = ["open"]
TYPE_A

[[instance]]
id = "b"
subnet = "public"
public_ip = "203.0.113.11"
security_groups = ["open"]
listen = [ { protocol = "tcp", port = 443 } ]

[[external_host]]
id = "web"
ip = "198.51.100.7"
listen = [ { protocol = "tcp", port = 443 } ]

TRAFFIC
"#;

/// What `flows` uploads of 50 MiB at once from `a` (of type `type_a`) to
/// `to` did: the completion time of the slowest in milliseconds, the
/// packets dropped anywhere and the segments sent again.
struct Uploads {
    ms: f64,
    drops: u64,
    retransmissions: u64,
}

fn uploads(type_a: Option<&str>, to: &str, flows: usize) -> Uploads {
    let mut traffic = String::new();
    for i in 0..flows {
        traffic.push_str(&format!(
            "[[traffic]]\nid = \"t{i}\"\nfrom = \"a\"\nto = \"{to}\"\nprotocol = \"tcp\"\nport = 443\npattern = \"bulk\"\nsize = \"50MiB\"\n\n"
        ));
    }
    let text = DESIGN
        .replace(
            "TYPE_A",
            &type_a.map_or(String::new(), |t| format!("instance_type = \"{t}\"")),
        )
        .replace("TRAFFIC", &traffic);
    let loaded = load_str("bandwidth.toml", &text).expect("the design loads");
    assert!(
        loaded.report.entries.is_empty(),
        "{:?}",
        loaded.report.entries
    );
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let mut u = Uploads {
        ms: 0.0,
        drops: 0,
        retransmissions: 0,
    };
    for m in &out.metrics.traffic {
        assert_eq!((m.started, m.delivered), (1, 1), "{:?}", m.failures);
        assert_eq!(m.bytes_delivered, 50 << 20);
        u.ms = u.ms.max(m.completion().max() as f64 / 1000.0);
        u.drops += m.drops.values().sum::<u64>();
        u.retransmissions += m.retransmissions;
    }
    println!(
        "{type_a:?}, {flows} flows to {to}: {:.1} ms, {} drops, {} sent again",
        u.ms, u.drops, u.retransmissions
    );
    u
}

/// 50 MiB to the internet in 1,460-byte segments, 1,500 bytes each on
/// the wire: 86.2 ms at 5 Gbit/s.
const FIVE_GBPS_MS: f64 = 86.2;

#[test]
fn bw_4_two_flows_from_an_m5_large_to_the_internet_share_5_gbps_without_drops() {
    // An m5.large (10 Gbit/s burst, 2 vCPUs): two flows of 5 Gbit/s each
    // to the internet share its 5 Gbit/s towards the internet gateway,
    // held back at the sender as TCP Small Queues sees the share: no
    // packet is dropped and none sent again.
    let u = uploads(Some("m5.large"), "web", 2);
    assert!(
        (2.0 * FIVE_GBPS_MS..2.3 * FIVE_GBPS_MS).contains(&u.ms),
        "to the internet: {} ms",
        u.ms
    );
    assert_eq!((u.drops, u.retransmissions), (0, 0));
}

#[test]
fn bw_4_traffic_within_the_vpc_is_not_held_to_the_internet_share() {
    // The same two flows to a neighbour: each keeps its 5 Gbit/s on the
    // m5.large's 10 Gbit/s (jumbo frames, 84 ms of data each).
    let u = uploads(Some("m5.large"), "b", 2);
    assert!((83.9..110.0).contains(&u.ms), "within the VPC: {} ms", u.ms);
    assert_eq!((u.drops, u.retransmissions), (0, 0));
    // An instance without a type keeps the interface's 10 Gbit/s to the
    // internet too: it has no vCPU count to judge by.
    let u = uploads(None, "web", 2);
    assert!(
        (FIVE_GBPS_MS..1.3 * FIVE_GBPS_MS).contains(&u.ms),
        "no type: {} ms",
        u.ms
    );
}

#[test]
fn bw_4_an_instance_of_32_vcpus_or_more_sends_half_its_bandwidth_to_the_internet() {
    // An m5.16xlarge (20 Gbit/s, 64 vCPUs) has 10 Gbit/s towards the
    // internet: four flows of 5 Gbit/s share it, half the rate each.
    let big = uploads(Some("m5.16xlarge"), "web", 4);
    assert!(
        (4.0 * FIVE_GBPS_MS / 2.0..1.2 * 4.0 * FIVE_GBPS_MS / 2.0).contains(&big.ms),
        "m5.16xlarge: {} ms",
        big.ms
    );
    assert_eq!((big.drops, big.retransmissions), (0, 0));
    // An m5.4xlarge (10 Gbit/s burst, 16 vCPUs): 5 Gbit/s for the four.
    let small = uploads(Some("m5.4xlarge"), "web", 4);
    assert!(
        (4.0 * FIVE_GBPS_MS..1.2 * 4.0 * FIVE_GBPS_MS).contains(&small.ms),
        "m5.4xlarge: {} ms",
        small.ms
    );
    assert_eq!((small.drops, small.retransmissions), (0, 0));
}

/// Two VPCs peered, `PEER_REGION` filled in (empty: one Region): `east`
/// (an m5.large with an 8,500-byte interface, the MTU of an inter-Region
/// peering, so that no segment needs path MTU discovery) uploads to
/// `west`.
const PEERED: &str = r#"
[scenario]
name = "bandwidth over a peering"
seed = 7
duration = "10s"
region = "us-east-1"

[[vpc]]
id = "vpc-east"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-west"
cidrs = ["10.2.0.0/16"]

[[vpc_peering]]
id = "pcx"
requester = "vpc-east"
accepter = "vpc-west"
PEER_REGION

[[route_table]]
id = "rt-east"
vpc = "vpc-east"
routes = [ { destination = "10.2.0.0/16", target = "pcx" } ]

[[route_table]]
id = "rt-west"
vpc = "vpc-west"
routes = [ { destination = "10.1.0.0/16", target = "pcx" } ]

[[subnet]]
id = "east-app"
vpc = "vpc-east"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-east"

[[subnet]]
id = "west-app"
vpc = "vpc-west"
cidr = "10.2.1.0/24"
az = "WEST_AZ"
route_table = "rt-west"

[[security_group]]
id = "sg-east"
vpc = "vpc-east"
ingress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[security_group]]
id = "sg-west"
vpc = "vpc-west"
ingress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "east"
subnet = "east-app"
security_groups = ["sg-east"]
instance_type = "m5.large"
mtu = 8500

[[instance]]
id = "west"
subnet = "west-app"
security_groups = ["sg-west"]
listen = [ { protocol = "tcp", port = 443 } ]

[[traffic]]
id = "t0"
from = "east"
to = "west"
protocol = "tcp"
port = 443
pattern = "bulk"
size = "50MiB"

[[traffic]]
id = "t1"
from = "east"
to = "west"
protocol = "tcp"
port = 443
pattern = "bulk"
size = "50MiB"
"#;

/// The two uploads over the peering: the slowest's completion time in
/// milliseconds, and the drops and segments sent again of both.
fn peered_ms(peer_region: Option<&str>) -> (f64, u64, u64) {
    let text = PEERED
        .replace(
            "PEER_REGION",
            &peer_region.map_or(String::new(), |r| format!("peer_region = \"{r}\"")),
        )
        .replace(
            "WEST_AZ",
            &peer_region.map_or("us-east-1b".to_string(), |r| format!("{r}b")),
        );
    // The Regions as near as two AZs (the cross-AZ default), so that the
    // time is the bandwidth's, not the distance's (LAT-4).
    let text = format!(
        "{text}\n[latency]\ninter_region = {{ min = \"300us\", p50 = \"400us\", p99 = \"900us\" }}\n"
    );
    let loaded = load_str("peered.toml", &text).expect("the design loads");
    assert!(
        loaded.report.entries.is_empty(),
        "{:?}",
        loaded.report.entries
    );
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let (mut ms, mut drops, mut retx) = (0.0f64, 0, 0);
    for m in &out.metrics.traffic {
        assert_eq!((m.started, m.delivered), (1, 1), "{:?}", m.failures);
        ms = ms.max(m.completion().max() as f64 / 1000.0);
        drops += m.drops.values().sum::<u64>();
        retx += m.retransmissions;
    }
    println!("peering to {peer_region:?}: {ms:.1} ms, {drops} drops, {retx} sent again");
    (ms, drops, retx)
}

#[test]
fn bw_4_an_inter_region_peering_takes_the_share_a_peering_within_the_region_does_not() {
    // 50 MiB in 8,460-byte segments is 84.2 ms at 5 Gbit/s. To another
    // Region the m5.large's two flows share 5 Gbit/s; within the Region
    // each has its own 5 Gbit/s on the 10 Gbit/s interface.
    let (other, drops, retx) = peered_ms(Some("eu-west-1"));
    assert!(
        (2.0 * 84.2..2.3 * 84.2).contains(&other),
        "to another Region: {other} ms"
    );
    assert_eq!((drops, retx), (0, 0));
    let (same, drops, retx) = peered_ms(None);
    assert!(
        (84.2..1.3 * 84.2).contains(&same),
        "within the Region: {same} ms"
    );
    assert_eq!((drops, retx), (0, 0));
}

/// An instance in a private subnet sends 1,400-byte datagrams to `web`
/// through a public NAT gateway, evenly, at 612,500 a second: 1,428-byte
/// packets, 7.0 Gbit/s.
const BEHIND_NAT: &str = r#"
[scenario]
name = "nat gateway scaling"
seed = 7
duration = "1200ms"
region = "us-east-1"

[latency]
same_az = "50us"
internet = "1ms"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[route_table]]
id = "rt-public"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[route_table]]
id = "rt-private"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "nat" } ]

[[subnet]]
id = "public"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private"
vpc = "v"
cidr = "10.0.2.0/24"
az = "us-east-1a"
route_table = "rt-private"

[[nat_gateway]]
id = "nat"
subnet = "public"
public_ip = "3.35.0.10"

[[security_group]]
id = "open"
vpc = "v"
ingress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "a"
subnet = "private"
security_groups = ["open"]

[[external_host]]
id = "web"
ip = "198.51.100.7"
listen = [ { protocol = "udp", port = 9000 } ]

[[traffic]]
id = "stream"
from = "a"
to = "web"
protocol = "udp"
port = 9000
pattern = "udp"
size = "1400B"
rate = "612500/s"
arrivals = "fixed"
"#;

#[test]
fn nat_8_a_fresh_nat_gateway_carries_5_gbps_until_sustained_load_scales_it() {
    // 7 Gbit/s offered to a NAT gateway that starts at 5 Gbit/s: for the
    // first second it carries 5 and drops the rest; that second was more
    // than 80 % busy, so it doubles to 10 and carries all 7.
    let loaded = load_str("nat.toml", BEHIND_NAT).expect("the design loads");
    assert!(
        loaded.report.entries.is_empty(),
        "{:?}",
        loaded.report.entries
    );
    let out = sim::run(
        Arc::new(loaded.design),
        &RunOptions {
            interval: Some(Nanos::from_millis(200)),
            ..RunOptions::default()
        },
    );
    let nat = Place::Component(Component::Nat(NatId::from_idx(0)));
    let series = &out.metrics.series;
    let bytes: Vec<u64> = series.gateways[&nat].iter().map(|c| c.bytes).collect();
    let dropped: Vec<u64> = series
        .drops
        .get(&(DropReason::QueueOverflow, nat))
        .cloned()
        .unwrap_or_default();
    assert_eq!(bytes.len(), 6, "{bytes:?}");
    // 5 Gbit/s for 200 ms: 125 MB; 7 Gbit/s: 175 MB.
    let five = 125_000_000u64;
    let queue = 1024 * 1428;
    for b in 0..5 {
        assert!(
            (five - queue..=five + queue).contains(&bytes[b]),
            "the first second carries 5 Gbit/s: bucket {b}: {bytes:?}"
        );
        // 2/7 of the 122,500 datagrams of 200 ms are dropped.
        assert!(
            (33_000..36_000).contains(&dropped[b]),
            "bucket {b}: {dropped:?}"
        );
    }
    // Scaled to 10 Gbit/s: the whole 7 Gbit/s, 122,500 datagrams of
    // 1,428 bytes, and a drop only while the packets queued at the old
    // rate leave (fewer than a queue of 1,024).
    assert!(
        bytes[5] > 122_000 * 1428,
        "after a second of sustained load: {bytes:?}"
    );
    assert!(dropped.get(5).copied().unwrap_or(0) < 1024, "{dropped:?}");
    let m = &out.metrics.traffic[0];
    println!(
        "nat_8: bytes per 200 ms {bytes:?}, dropped {dropped:?}, datagrams {} delivered of {}",
        m.delivered, m.started
    );
}
