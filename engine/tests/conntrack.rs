//! Security group connection tracking, as AWS's "Security group connection
//! tracking" page describes it, with its own example: a web server whose
//! inbound rule allows TCP 80 from 0.0.0.0/0 and whose outbound rule allows
//! everything. Its flows are untracked (SG-4): removing the inbound rule in
//! the middle of a download stops the download (SG-5), and the flow is never
//! tracked part-way through (SG-4b). The same download from a client the
//! rule names by its /32 is tracked and carries on.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use vpcsim::dataplane::{Host, Loc, Network, Step};
use vpcsim::model::{Component, DropReason, load_str};
use vpcsim::packet::build;
use vpcsim::sim::{self, RunOptions};
use vpcsim::traffic::Cause;
use vpcsim::units::Nanos;

const WEB: &str = r#"
[scenario]
name = "a download while the inbound rule goes"
duration = "40s"

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
id = "pub"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt"

[[security_group]]
id = "web"
vpc = "v"
ingress = [ { protocol = "PROTO", ports = "80", cidr = "SOURCE" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[instance]]
id = "server"
subnet = "pub"
security_groups = ["web"]
public_ip = "54.1.2.3"
listen = [ { protocol = "tcp", port = 80 }, { protocol = "udp", port = 80 } ]

[[external_host]]
id = "client"
ip = "198.51.100.7"

[[traffic]]
id = "download"
from = "client"
to = "server"
port = 80
rate = "1/s"
arrivals = "fixed"
stop = "1s"
request = "200B"
response = "50MiB"
timeout = "35s"

[[event]]
at = "200ms"
set = { resource = "web", ingress = [] }
"#;

fn design(proto: &str, source: &str) -> vpcsim::model::Design {
    let text = WEB.replace("PROTO", proto).replace("SOURCE", source);
    load_str("web.toml", &text)
        .expect("the design loads")
        .design
}

fn download(source: &str) -> vpcsim::sim::parallel::Outcome {
    sim::run(Arc::new(design("tcp", source)), &RunOptions::default())
}

#[test]
fn sg_4_sg_5_an_untracked_download_stops_when_its_rule_goes() {
    let out = download("0.0.0.0/0");
    let m = &out.metrics.traffic[0];
    assert_eq!((m.started, m.delivered), (1, 0), "{:?}", m.failures);
    assert!(
        m.failures
            .keys()
            .any(|(c, _)| *c == Cause::Drop(DropReason::SgIngressDenied)),
        "the client's packets meet the rule's absence: {:?}",
        m.failures
    );
}

#[test]
fn sg_5_a_tracked_download_carries_on_when_its_rule_goes() {
    // The same rule naming the client's /32 is tracked (SG-4's example:
    // a rule that does not open every address).
    let out = download("198.51.100.7/32");
    let m = &out.metrics.traffic[0];
    assert_eq!((m.started, m.delivered), (1, 1), "{:?}", m.failures);
}

fn server(net: &Network) -> (Host, Ipv4Addr) {
    let d = &net.design;
    let Some(Component::Instance(i)) = d.lookup("server") else {
        panic!("the design has an instance `server`")
    };
    (Host::Instance(i), d.enis[d.instances[i.idx()].eni.idx()].ip)
}

const CLIENT: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 7);
const PUBLIC: Ipv4Addr = Ipv4Addr::new(54, 1, 2, 3);

fn udp_in(now: Nanos, net: &mut Network) -> Step {
    let mut buf = build::udp(
        SocketAddrV4::new(CLIENT, 40000),
        SocketAddrV4::new(PUBLIC, 80),
        &[1u8; 32],
        64,
        1,
    )
    .to_vec();
    let Some(Component::ExternalHost(x)) = net.design.lookup("client") else {
        panic!("the design has an external host `client`")
    };
    net.walk(&mut buf, Loc::HostOut(Host::External(x)), now).end
}

fn udp_out(now: Nanos, net: &mut Network) -> Step {
    let (host, ip) = server(net);
    let mut buf = build::udp(
        SocketAddrV4::new(ip, 80),
        SocketAddrV4::new(CLIENT, 40000),
        &[2u8; 32],
        64,
        2,
    )
    .to_vec();
    net.walk(&mut buf, Loc::HostOut(host), now).end
}

#[test]
fn sg_4b_an_untracked_udp_flow_is_not_tracked_after_its_rule_goes() {
    let d = Arc::new(design("udp", "0.0.0.0/0"));
    let mut net = Network::new(d.clone());
    let s = Nanos::from_secs;
    // Untracked both ways while the rule is there.
    assert!(matches!(udp_in(s(1), &mut net), Step::Deliver(_)));
    assert!(matches!(udp_out(s(2), &mut net), Step::Deliver(_)));
    net.apply(&d.events[0].action);
    // The client's datagrams now meet no rule.
    assert!(matches!(udp_in(s(6), &mut net), Step::Drop(_)));
    // The server's own datagram leaves (all-open outbound), but it does not
    // start tracking the flow: the client's next datagram is still refused.
    assert!(matches!(udp_out(s(7), &mut net), Step::Deliver(_)));
    assert!(
        matches!(udp_in(s(8), &mut net), Step::Drop(_)),
        "an untracked flow is never tracked part-way through"
    );
    // Several datagrams each way make the flow a stream: it is remembered
    // for 180 s of idleness (SG-6), still untracked at 150 s.
    assert!(matches!(udp_out(s(150), &mut net), Step::Deliver(_)));
    assert!(matches!(udp_in(s(151), &mut net), Step::Drop(_)));
    // Once it has been idle past that, a datagram from the server opens a
    // new flow, which is tracked: the outbound rule does not leave it
    // untracked now that nothing is open inbound.
    assert!(matches!(udp_out(s(151 + 181), &mut net), Step::Deliver(_)));
    assert!(matches!(udp_in(s(151 + 182), &mut net), Step::Deliver(_)));
}

#[test]
fn sg_4_without_the_marker_a_tracked_udp_flow_admits_replies() {
    // The /32 rule makes the flow tracked from its first datagram (SG-3):
    // removing the rule leaves the flow's replies admitted.
    let d = Arc::new(design("udp", "198.51.100.7/32"));
    let mut net = Network::new(d.clone());
    let s = Nanos::from_secs;
    assert!(matches!(udp_in(s(1), &mut net), Step::Deliver(_)));
    net.apply(&d.events[0].action);
    assert!(matches!(udp_in(s(6), &mut net), Step::Deliver(_)));
}

/// A client whose own group is open both ways (so its flows would be
/// untracked, SG-4) downloads 2 GiB, seconds at its bandwidth; at 1 s its
/// outbound rule goes.
const AUTO: &str = r#"
[scenario]
name = "automatically tracked connections"
duration = "40s"

[latency]
same_az = "20ms"
aws_service = "20ms"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"
routes = []

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt"

[[vpc_endpoint]]
id = "vpce"
type = "gateway"
vpc = "v"
service = "SERVICE"
route_tables = ["rt"]

[[security_group]]
id = "open"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "all", cidr = "0.0.0.0/0" } ]
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[security_group]]
id = "srv"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" } ]

[[instance]]
id = "server"
subnet = "a"
security_groups = ["srv"]
listen = [ { protocol = "tcp", port = 443 } ]

CLIENT

[[traffic]]
id = "download"
from = "client"
to = "TO"
port = 443
rate = "1/s"
arrivals = "fixed"
stop = "1s"
request = "200B"
response = "2GiB"
timeout = "38s"

[[event]]
at = "1s"
set = { resource = "open", egress = [] }
"#;

const INSTANCE: &str = r#"[[instance]]
id = "client"
subnet = "a"
security_groups = ["open"]"#;

// The function's own timeout (LAM-10) is set beyond the download, so that
// only tracking decides whether it finishes.
const LAMBDA: &str = r#"[[lambda]]
id = "client"
subnets = ["a"]
security_groups = ["open"]
timeout = "60s""#;

fn auto(client: &str, to: &str, service: &str) -> (u64, u64) {
    let text = AUTO
        .replace("CLIENT", client)
        .replace("TO", to)
        .replace("SERVICE", service);
    let loaded = load_str("auto.toml", &text).expect("the design loads");
    let out = sim::run(Arc::new(loaded.design), &RunOptions::default());
    let m = &out.metrics.traffic[0];
    (m.started, m.delivered)
}

#[test]
fn sg_4_an_instance_download_in_an_open_group_stops_when_the_rule_goes() {
    // The control: the same download from an instance is untracked, so the
    // outbound rule's removal cuts it.
    assert_eq!(auto(INSTANCE, "server", "s3"), (1, 0));
}

#[test]
fn sg_4a_a_lambda_hyperplane_eni_tracks_every_flow() {
    assert_eq!(auto(LAMBDA, "server", "s3"), (1, 1));
}

#[test]
fn sg_4a_a_dynamodb_gateway_endpoint_flow_is_tracked_an_s3_one_is_not() {
    // Addresses of the services' built-in ranges in us-east-1.
    assert_eq!(auto(INSTANCE, "52.94.0.10", "dynamodb"), (1, 1));
    assert_eq!(auto(INSTANCE, "52.216.1.10", "s3"), (1, 0));
}
