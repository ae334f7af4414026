//! SG-2 and PCX-3: a rule that references a security group admits packets
//! sent by an ENI carrying that group, identified as that ENI, not by a bare
//! address, and only when the ENI sent the packet itself: AWS's peering
//! guide describes one VPC peered with two VPCs of the same CIDR, where a
//! host of the second with a member's address is not a member; and a
//! reference does not admit traffic routed through a middlebox.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use vpcsim::dataplane::{Host, Loc, Network, Step};
use vpcsim::model::{Component, DropReason, load_str};
use vpcsim::packet::{build, tcp_flags};
use vpcsim::units::Nanos;

/// VPC `a` (10.0.0.0/16) is peered with `b` and with `c`, which have the
/// same CIDR (10.1.0.0/16) and a client each at 10.1.1.10. The database in
/// `a` admits port 5432 from `b`'s group `sg-b` only.
const OVERLAP: &str = r#"
[scenario]
name = "one VPC peered with two VPCs of the same CIDR"
duration = "1s"

[[vpc]]
id = "a"
cidrs = ["10.0.0.0/16"]

[[vpc]]
id = "b"
cidrs = ["10.1.0.0/16"]

[[vpc]]
id = "c"
cidrs = ["10.1.0.0/16"]

[[vpc_peering]]
id = "pcx-ab"
requester = "a"
accepter = "b"

[[vpc_peering]]
id = "pcx-ac"
requester = "a"
accepter = "c"

[[route_table]]
id = "rt-a"
vpc = "a"
routes = [ { destination = "10.1.0.0/16", target = "pcx-ab" } ]

[[route_table]]
id = "rt-b"
vpc = "b"
routes = [ { destination = "10.0.0.0/16", target = "pcx-ab" } ]

[[route_table]]
id = "rt-c"
vpc = "c"
routes = [ { destination = "10.0.0.0/16", target = "pcx-ac" } ]

[[subnet]]
id = "sa"
vpc = "a"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-a"

[[subnet]]
id = "sb"
vpc = "b"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-b"

[[subnet]]
id = "sc"
vpc = "c"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-c"

[[security_group]]
id = "sg-b"
vpc = "b"

[[security_group]]
id = "sg-c"
vpc = "c"

[[security_group]]
id = "sg-db"
vpc = "a"
ingress = [ { protocol = "tcp", ports = "5432", source_group = "sg-b" } ]

[[instance]]
id = "db"
subnet = "sa"
private_ip = "10.0.1.5"
security_groups = ["sg-db"]
listen = [ { protocol = "tcp", port = 5432 } ]

[[instance]]
id = "client-b"
subnet = "sb"
private_ip = "10.1.1.10"
security_groups = ["sg-b"]

[[instance]]
id = "client-c"
subnet = "sc"
private_ip = "10.1.1.10"
security_groups = ["sg-c"]
"#;

fn syn_from(net: &mut Network, client: &str, dst: Ipv4Addr, port: u16) -> Step {
    let Some(Component::Instance(i)) = net.design.lookup(client) else {
        panic!("the design has an instance `{client}`")
    };
    let d = &net.design;
    let src = d.enis[d.instances[i.idx()].eni.idx()].ip;
    let mut buf = build::tcp(
        &build::TcpSpec {
            src: SocketAddrV4::new(src, 40000),
            dst: SocketAddrV4::new(dst, port),
            seq: 1,
            ack: 0,
            flags: tcp_flags::SYN,
            window: 65535,
        },
        &[],
        64,
        1,
    )
    .to_vec();
    net.walk(&mut buf, Loc::HostOut(Host::Instance(i)), Nanos::ZERO)
        .end
}

fn network(text: &str) -> Network {
    let loaded = load_str("refs.toml", text).expect("the design loads");
    Network::new(Arc::new(loaded.design))
}

#[test]
fn sg_2_pcx_3_a_member_of_the_referenced_group_across_a_peering_is_admitted() {
    let mut net = network(OVERLAP);
    let end = syn_from(&mut net, "client-b", Ipv4Addr::new(10, 0, 1, 5), 5432);
    assert!(matches!(end, Step::Deliver(Host::Instance(_))), "{end:?}");
}

#[test]
fn sg_2_a_host_of_another_vpc_with_a_members_address_is_not_a_member() {
    let mut net = network(OVERLAP);
    let end = syn_from(&mut net, "client-c", Ipv4Addr::new(10, 0, 1, 5), 5432);
    match end {
        Step::Drop(d) => assert_eq!(d.reason, DropReason::SgIngressDenied),
        other => panic!("client-c's packet must meet no rule, got {other:?}"),
    }
}

/// A client and a database in two subnets; the route between them goes
/// through a firewall instance (source/destination check off) in a third.
/// The database admits the client's group by reference.
const MIDDLEBOX: &str = r#"
[scenario]
name = "a group reference and a middlebox"
duration = "1s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt-app"
vpc = "v"
routes = [ { destination = "10.0.2.0/24", target = "fw" } ]

[[route_table]]
id = "rt-db"
vpc = "v"
routes = [ { destination = "10.0.1.0/24", target = "fw" } ]

[[subnet]]
id = "app"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-app"

[[subnet]]
id = "data"
vpc = "v"
cidr = "10.0.2.0/24"
az = "us-east-1a"
route_table = "rt-db"

[[subnet]]
id = "inspect"
vpc = "v"
cidr = "10.0.3.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg-app"
vpc = "v"

[[security_group]]
id = "sg-fw"
vpc = "v"
ingress = [ { protocol = "all", cidr = "10.0.0.0/16" } ]

[[security_group]]
id = "sg-db"
vpc = "v"
ingress = [ { protocol = "tcp", ports = "5432", PEER } ]

[[instance]]
id = "client"
subnet = "app"
security_groups = ["sg-app"]

[[instance]]
id = "firewall"
subnet = "inspect"
eni = "fw"
security_groups = ["sg-fw"]
source_dest_check = false

[[instance]]
id = "db"
subnet = "data"
private_ip = "10.0.2.5"
security_groups = ["sg-db"]
listen = [ { protocol = "tcp", port = 5432 } ]
"#;

#[test]
fn sg_2_a_group_reference_does_not_admit_traffic_through_a_middlebox() {
    let mut net = network(&MIDDLEBOX.replace("PEER", r#"source_group = "sg-app""#));
    let end = syn_from(&mut net, "client", Ipv4Addr::new(10, 0, 2, 5), 5432);
    match end {
        Step::Drop(d) => assert_eq!(d.reason, DropReason::SgIngressDenied),
        other => panic!("the reference must not admit a forwarded packet, got {other:?}"),
    }
}

#[test]
fn sg_2_the_clients_subnet_cidr_admits_traffic_through_a_middlebox() {
    // What AWS says to write instead: the other instance's address or
    // subnet CIDR.
    let mut net = network(&MIDDLEBOX.replace("PEER", r#"cidr = "10.0.1.0/24""#));
    let end = syn_from(&mut net, "client", Ipv4Addr::new(10, 0, 2, 5), 5432);
    assert!(matches!(end, Step::Deliver(Host::Instance(_))), "{end:?}");
}
