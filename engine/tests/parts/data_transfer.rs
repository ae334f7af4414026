//! Data transfer between Regions, between AZs and over public addresses: what
//! the cost estimate charges and to whom (DT-1..DT-3), the latency between
//! Regions (LAT-4) and of a fixed internet path (LAT-2), the flow log's
//! traffic path across Regions (FL-4), and the service behind an interface
//! endpoint (IFE-8). Tests are named after the rule of `docs/aws-rules.md`
//! they check.

use std::sync::Arc;

use vpcsim::explain;
use vpcsim::model::{self, Design};
use vpcsim::report::cost::{self, Estimate, GB, Item, Meter};
use vpcsim::sim::{self, RunOptions};

fn load(text: &str) -> Design {
    match model::load_str("t.toml", text) {
        Ok(l) => l.design,
        Err(r) => panic!("the test design does not load:\n{r}\n--- text ---\n{text}"),
    }
}

/// Runs `d` with the cost meter attached, as `vpcsim run` does.
fn run_cost(d: &Arc<Design>) -> (Estimate, sim::parallel::Outcome) {
    let shared = Meter::shared(d);
    let (dd, sh) = (Arc::clone(d), Arc::clone(&shared));
    let recorders = move |_: u32| -> Vec<Box<dyn sim::Recorder>> {
        vec![Box::new(Meter::with_shared(
            Arc::clone(&dd),
            Arc::clone(&sh),
        ))]
    };
    let out = sim::parallel::run(
        Arc::clone(d),
        &RunOptions::default(),
        &recorders,
        &mut |_, _| true,
    );
    let t = shared.lock().expect("meter").clone();
    (cost::estimate(d, &out.metrics, &t), out)
}

fn item(e: &Estimate, component: &str, what: &str) -> Option<Item> {
    e.items
        .iter()
        .find(|i| i.component == component && i.item == what)
        .cloned()
}

/// Equal up to the estimate's rounding (to 1e-9 of a GB or a dollar).
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 2e-9
}

/// A private instance `app` behind `nat-a`, and a web server `web` with the
/// public IP 3.35.0.20, in one VPC; `extra` is appended.
fn hairpin(extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "hairpin"
duration = "10s"

[latency]
same_az = "50us"
aws_service = "1ms"

[[vpc]]
id = "vpc-main"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "vpc-main"
cidr = "10.0.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[subnet]]
id = "private-a"
vpc = "vpc-main"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-private"

[[route_table]]
id = "rt-public"
vpc = "vpc-main"
routes = [ {{ destination = "0.0.0.0/0", target = "igw-main" }} ]

[[route_table]]
id = "rt-private"
vpc = "vpc-main"
routes = [ {{ destination = "0.0.0.0/0", target = "nat-a" }} ]

[[internet_gateway]]
id = "igw-main"
vpc = "vpc-main"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"
private_ip = "10.0.0.5"

[[security_group]]
id = "sg-all"
vpc = "vpc-main"
ingress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]
egress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]

[[instance]]
id = "app"
subnet = "private-a"
security_groups = ["sg-all"]

[[instance]]
id = "web"
subnet = "public-a"
public_ip = "3.35.0.20"
security_groups = ["sg-all"]
listen = [ {{ protocol = "udp", port = 8125 }} ]
{extra}"#
    )
}

/// DT-1: an instance sending to the public IP of another instance of the
/// same Region (here through a NAT gateway) is charged $0.01/GB out of the
/// NAT gateway's Elastic IP and $0.01/GB into the web server's public IP,
/// not as data out to the internet.
#[test]
fn dt_1_public_ip_traffic_within_the_region_is_charged_each_way_not_as_internet_out() {
    let d = Arc::new(load(&hairpin(
        r#"
[[traffic]]
id = "udp-to-web-public"
from = "app"
to = "3.35.0.20"
pattern = "udp"
port = 8125
rate = "10/s"
size = 1000
arrivals = "fixed"
"#,
    )));
    let (e, out) = run_cost(&d);
    let sent = out.metrics.traffic[0].started;
    assert!(sent >= 99, "{sent}");
    let internet = item(&e, "igw-main", "internet_out").expect("the internet line");
    assert_eq!(internet.quantity, 0.0, "{:#?}", e.items);
    let public = item(&e, "igw-main", "regional_public_ip")
        .unwrap_or_else(|| panic!("no public IP line: {:#?}", e.items));
    // Each 1,028-byte datagram leaves by the gateway (out) and comes back
    // in by it to the web server (in).
    let bytes = 2.0 * sent as f64 * 1028.0;
    assert!(
        close(public.quantity, bytes / GB),
        "{public:?} against {bytes} B"
    );
    assert_eq!(public.unit_usd, 0.01);
    assert_eq!(public.vpc, "vpc-main");
    assert!(close(public.usd, public.quantity * 0.01), "{public:?}");
    // The price key overrides it.
    let text = hairpin("").replace(
        "[scenario]\n",
        "[pricing]\nregional_public_ip_gb = 0.02\n\n[scenario]\n",
    );
    assert_eq!(load(&text).pricing.regional_public_ip_gb, 0.02);
}

/// VPC `vpc-a` (us-east-1a) and `vpc-c` (`c_az`, in `c_region` when given,
/// over `peer_region`), peered; `a1` sends UDP datagrams to `c1`. `latency`
/// is the `[latency]` table's body.
fn peered(c_region: Option<&str>, c_az: &str, latency: &str) -> String {
    let peer_region = c_region.map_or(String::new(), |r| format!("peer_region = \"{r}\"\n"));
    format!(
        r#"
[scenario]
name = "peered"
duration = "10s"

[latency]
{latency}

[[vpc]]
id = "vpc-a"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "vpc-c"
cidrs = ["10.3.0.0/16"]

[[subnet]]
id = "a-s"
vpc = "vpc-a"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-a"

[[subnet]]
id = "c-s"
vpc = "vpc-c"
cidr = "10.3.1.0/24"
az = "{c_az}"
route_table = "rt-c"

[[route_table]]
id = "rt-a"
vpc = "vpc-a"
routes = [ {{ destination = "10.3.0.0/16", target = "pcx" }} ]

[[route_table]]
id = "rt-c"
vpc = "vpc-c"
routes = [ {{ destination = "10.1.0.0/16", target = "pcx" }} ]

[[vpc_peering]]
id = "pcx"
requester = "vpc-a"
accepter = "vpc-c"
{peer_region}
[[security_group]]
id = "sg-a"
vpc = "vpc-a"
egress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]

[[security_group]]
id = "sg-c"
vpc = "vpc-c"
ingress = [ {{ protocol = "all", ports = "all", cidr = "10.1.0.0/16" }} ]
egress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]

[[instance]]
id = "a1"
subnet = "a-s"
security_groups = ["sg-a"]

[[instance]]
id = "c1"
subnet = "c-s"
security_groups = ["sg-c"]
listen = [ {{ protocol = "udp", port = 8125 }}, {{ protocol = "tcp", port = 443 }} ]

[[traffic]]
id = "a-to-c"
from = "a1"
to = "c1"
pattern = "udp"
port = 8125
rate = "10/s"
size = 1000
arrivals = "fixed"
"#
    )
}

/// DT-2: over a VPC peering between Regions the sending VPC pays
/// inter-Region transfer out, at `inter_region_gb`; the receiving side pays
/// nothing, and no cross-AZ data is charged.
#[test]
fn dt_2_inter_region_peering_is_charged_to_the_sender_as_inter_region_transfer() {
    let d = Arc::new(load(&peered(Some("eu-west-1"), "eu-west-1a", "")));
    let (e, out) = run_cost(&d);
    let sent = out.metrics.traffic[0].started as f64;
    let x = item(&e, "vpc-a", "inter_region")
        .unwrap_or_else(|| panic!("no inter-Region line: {:#?}", e.items));
    assert!(close(x.quantity, sent * 1028.0 / GB), "{x:?}");
    assert_eq!(x.unit_usd, 0.02);
    assert_eq!(x.vpc, "vpc-a");
    assert!(
        item(&e, "vpc-c", "inter_region").is_none(),
        "{:#?}",
        e.items
    );
    assert!(
        !e.items.iter().any(|i| i.item == "cross_az"),
        "{:#?}",
        e.items
    );
}

/// DT-3: data between AZs over a peering within a Region is charged out of
/// the sender's AZ to the sending VPC and into the receiver's to the
/// receiving VPC: one-way datagrams from vpc-a to vpc-c are one leg each.
#[test]
fn dt_3_cross_az_peering_legs_are_charged_to_each_side() {
    let d = Arc::new(load(&peered(None, "us-east-1b", "")));
    let (e, out) = run_cost(&d);
    let gb = out.metrics.traffic[0].started as f64 * 1028.0 / GB;
    for vpc in ["vpc-a", "vpc-c"] {
        let x = item(&e, vpc, "cross_az")
            .unwrap_or_else(|| panic!("no cross-AZ line of {vpc}: {:#?}", e.items));
        assert!(close(x.quantity, gb), "{vpc}: {x:?} against {gb} GB");
        assert!(close(x.usd, gb * 0.01), "{x:?}");
    }
}

fn one_way_us(d: Design, from: &str, to: &str, protocol: &str, port: u16) -> u64 {
    let q = explain::Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: explain::protocol_number(protocol).expect("protocol"),
        port: Some(port),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    explain::explain(d, &q).expect("explain").forward.latency_us
}

/// LAT-4: a peering between Regions takes the latency between Regions
/// (40 ms one way at the median by default), `[latency] inter_region`
/// overrides it, and a peering within the Region keeps the cross-AZ one.
#[test]
fn lat_4_inter_region_peering_takes_the_inter_region_latency() {
    let far = load(&peered(
        Some("eu-west-1"),
        "eu-west-1a",
        "same_az = \"50us\"",
    ));
    assert_eq!(one_way_us(far, "a1", "c1", "udp", 8125), 40_000);
    let set = load(&peered(
        Some("eu-west-1"),
        "eu-west-1a",
        "inter_region = \"25ms\"",
    ));
    assert_eq!(one_way_us(set, "a1", "c1", "udp", 8125), 25_000);
    let near = load(&peered(None, "us-east-1b", "cross_az = \"400us\""));
    assert_eq!(one_way_us(near, "a1", "c1", "udp", 8125), 400);
}

/// A public instance `web` sending to an internet host; `latency` is the
/// `[latency]` table's body.
fn to_internet(latency: &str) -> String {
    format!(
        r#"
[scenario]
name = "fixed-internet"
duration = "5s"

[latency]
{latency}

[[vpc]]
id = "vpc-main"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "vpc-main"
cidr = "10.0.0.0/24"
az = "us-east-1a"
route_table = "rt-public"

[[route_table]]
id = "rt-public"
vpc = "vpc-main"
routes = [ {{ destination = "0.0.0.0/0", target = "igw-main" }} ]

[[internet_gateway]]
id = "igw-main"
vpc = "vpc-main"

[[security_group]]
id = "sg-web"
vpc = "vpc-main"
egress = [ {{ protocol = "all", ports = "all", cidr = "0.0.0.0/0" }} ]

[[instance]]
id = "web"
subnet = "public-a"
public_ip = "3.35.0.20"
security_groups = ["sg-web"]

[[external_host]]
id = "collector"
ip = "198.51.100.7"
listen = [ {{ protocol = "udp", port = 8125 }} ]

[[traffic]]
id = "udp-fixed"
from = "web"
to = "collector"
pattern = "udp"
port = 8125
rate = "100/s"
size = 100
arrivals = "fixed"
"#
    )
}

/// LAT-2: a single `internet` value is a fixed delay end to end: with
/// `aws_service` (the edge, part of the internet path) left at its default,
/// every datagram takes the same time; a written edge distribution with a
/// fixed `internet` is warned about.
#[test]
fn lat_2_a_fixed_internet_latency_is_fixed_end_to_end() {
    let d = Arc::new(load(&to_internet("internet = \"15ms\"")));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let h = out.metrics.traffic[0].completion();
    assert!(h.len() > 400, "{}", h.len());
    let (p50, p99) = (h.value_at_quantile(0.5), h.value_at_quantile(0.99));
    assert!(
        p50 == p99 && p99 == h.max(),
        "p50 {p50} p99 {p99} max {}",
        h.max()
    );
    assert!((15_000..15_100).contains(&h.max()), "{}", h.max());
    let l = model::load_str(
        "t.toml",
        &to_internet("internet = \"15ms\"\naws_service = { min = \"800us\", p50 = \"1ms\", p99 = \"2500us\" }"),
    )
    .expect("loads");
    assert!(
        l.report.to_string().contains("`internet` is a fixed delay"),
        "{}",
        l.report
    );
}

/// FL-4: a packet leaving an ENI for a VPC peering between Regions is
/// logged with traffic-path 5; within a Region, 4.
#[test]
fn fl_4_traffic_path_is_5_over_an_inter_region_peering() {
    let dir = std::env::temp_dir().join(format!("vpcsim-dt-fl4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    for (name, region, az, want) in [
        ("far.toml", Some("eu-west-1"), "eu-west-1a", "5"),
        ("near.toml", None, "us-east-1b", "4"),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, peered(region, az, "")).expect("written");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpcsim"))
            .args(["run", path.to_str().unwrap(), "--quiet", "--threads", "1"])
            .args(["--flow-logs", "-"])
            .args([
                "--flow-log-format",
                "${interface-id} ${flow-direction} ${traffic-path}",
            ])
            .output()
            .expect("vpcsim runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let egress: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("a1 ") && l.contains(" egress "))
            .collect();
        assert!(!egress.is_empty(), "{text}");
        assert!(
            egress.iter().all(|l| l.ends_with(&format!(" {want}"))),
            "{name}: {egress:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// IFE-8: the service behind an interface endpoint answers from beyond
/// the endpoint's ENI, as far as the Region's AWS services
/// (`[latency] aws_service`) each way, as behind a gateway endpoint.
#[test]
fn ife_8_the_service_behind_an_interface_endpoint_takes_the_service_latency() {
    let text = r#"
[scenario]
name = "ife-latency"
duration = "2s"

[latency]
same_az = "50us"
aws_service = "10ms"

[[vpc]]
id = "vpc-a"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a-s"
vpc = "vpc-a"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg-a"
vpc = "vpc-a"
ingress = [ { protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "vpc-a"
service = "sqs"
subnets = ["a-s"]
security_groups = ["sg-a"]
private_dns = true

[[instance]]
id = "app"
subnet = "a-s"
security_groups = ["sg-a"]

[[traffic]]
id = "to-sqs"
from = "app"
to = "vpce-sqs"
port = 443
rate = "5/s"
request = "400B"
response = "400B"
arrivals = "fixed"
"#;
    assert_eq!(
        one_way_us(load(text), "app", "vpce-sqs", "tcp", 443),
        10_050
    );
    let d = Arc::new(load(text));
    let out = sim::run(Arc::clone(&d), &RunOptions::default());
    let t = &out.metrics.traffic[0];
    assert!(t.delivered > 0, "{t:?}");
    // Connection set-up and the request's answer: two round trips, each
    // 2 x (50 us + 10 ms) at least.
    let p50 = t.completion().value_at_quantile(0.5);
    assert!(p50 >= 40_000, "p50 {p50} us");
}
