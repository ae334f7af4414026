//! Invalid scenario files, and files that load with warnings, each with
//! the exact report the loader gives for it: shared by the loader's tests
//! and the golden-output test.

#![allow(dead_code)]

pub struct Case {
    pub name: &'static str,
    pub text: &'static str,
    /// `line:col: severity: message`; the file name is prefixed when compared.
    pub expected: &'static [&'static str],
}

pub const INVALID: &[Case] = &[
    // -- the file as a whole ----------------------------------------------
    Case {
        name: "empty",
        text: "",
        expected: &[
            "1:1: error: the file has no [scenario] table (it needs at least `name` and `duration`)",
        ],
    },
    Case {
        name: "toml_syntax",
        text: r#"
[scenario]
name = "t"
duration = "10s
"#,
        expected: &["3:16: error: TOML syntax: invalid basic string, expected `\"`"],
    },
    Case {
        name: "scenario_not_a_table",
        text: r#"
[[scenario]]
name = "t"
duration = "10s"
"#,
        expected: &["1:1: error: [scenario] must be a table, found an array"],
    },
    Case {
        name: "resource_not_an_array",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[vpc]
id = "v"
cidrs = ["10.0.0.0/16"]
"#,
        expected: &["5:1: error: `vpc` must be an array of tables: write [[vpc]], not [vpc]"],
    },
    Case {
        name: "missing_required_keys",
        text: r#"
[scenario]
description = "no name, no duration"

[[vpc]]
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
"#,
        expected: &[
            "2:1: error: the [scenario] table is missing the required key `name`",
            "2:1: error: the [scenario] table is missing the required key `duration`",
            "5:1: error: a VPC is missing the required key `id`",
            "8:1: error: a subnet is missing the required key `vpc`",
            "8:1: error: a subnet is missing the required key `cidr`",
        ],
    },
    // -- unknown keys ----------------------------------------------------------
    Case {
        name: "unknown_key_top_level",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpcs]]
id = "v"
cidrs = ["10.0.0.0/16"]

[latencies]
same_az = "50us"

[[frobnicator]]
id = "f"
"#,
        expected: &[
            "5:3: error: unknown key `vpcs` in the scenario file; did you mean `vpc`?",
            "9:2: error: unknown key `latencies` in the scenario file; did you mean `latency`?",
            "12:3: error: unknown key `frobnicator` in the scenario file; expected one of: aws_service, event, expect, external_host, instance, internet_gateway, lambda, latency, nat_gateway, network_acl, onprem_host, onprem_network, prefix_list, pricing, route_table, scenario, security_group, subnet, traffic, transit_gateway, transit_gateway_attachment, transit_gateway_route_table, vpc, vpc_endpoint, vpc_peering, vpn_gateway",
        ],
    },
    Case {
        // The misspelling is the one error: the expectation naming a
        // traffic of the misspelt table is not reported again.
        name: "misspelt_traffic_is_one_error",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[trafic]]
id = "web"
from = "a"
to = "b"

[[expect]]
traffic = "web"
delivered = "100%"
"#,
        expected: &[
            "5:3: error: unknown key `trafic` in the scenario file; did you mean `traffic`?",
        ],
    },
    Case {
        name: "unknown_key_in_scenario",
        text: r#"
[scenario]
name = "t"
duraton = "10s"
regoin = "us-east-1"
"#,
        expected: &[
            "3:1: error: unknown key `duraton` in the [scenario] table; did you mean `duration`?",
            "4:1: error: unknown key `regoin` in the [scenario] table; did you mean `region`?",
        ],
    },
    Case {
        name: "unknown_key_in_resource",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidr = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"
route_tabel = "rt"
colour = "blue"
"#,
        expected: &[
            "7:1: error: unknown key `cidr` in a VPC; did you mean `cidrs`?",
            "13:1: error: unknown key `route_tabel` in a subnet; did you mean `route_table`?",
            "14:1: error: unknown key `colour` in a subnet; expected one of: az, cidr, id, network_acl, route_table, vpc",
        ],
    },
    Case {
        name: "unknown_key_in_route_and_rules",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destinaton = "0.0.0.0/0", target = "local" } ]

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "tcp", port = "22", cidr = "0.0.0.0/0" } ]
egress = [ { protocol = "all", source_group = "sg" } ]

[[network_acl]]
id = "acl"
vpc = "v"
ingress = [ { rule = 100, protocol = "all", cidr = "0.0.0.0/0", acton = "allow" } ]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[instance]]
id = "web"
subnet = "a"
listen = [ { protocl = "tcp", port = 80 } ]
"#,
        expected: &[
            "12:14: error: unknown key `destinaton` in a route; did you mean `destination`?",
            "17:33: error: unknown key `port` in an inbound security group rule; did you mean `ports`?",
            "18:32: error: unknown key `source_group` in an outbound security group rule; did you mean `dest_group`? (`source_group` is for inbound rules)",
            "23:65: error: unknown key `acton` in a network ACL rule; did you mean `action`?",
            "33:14: error: unknown key `protocl` in a listener; did you mean `protocol`?",
        ],
    },
    Case {
        name: "unknown_key_in_event_and_expect",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"

[[event]]
at = "1s"
delete_route = { route_tabel = "rt", destination = "0.0.0.0/0" }

[[event]]
at = "2s"
set = { resource = "rt", route = [] }

[[expect]]
trafic = "x"
delivered = "100%"
"#,
        expected: &[
            "15:18: error: unknown key `route_tabel` in `delete_route`; did you mean `route_table`?",
            "19:26: error: unknown key `route` in a route table; did you mean `routes`?",
            "21:1: error: expectation on line 21 is missing the required key `traffic`: `delivered` speak of a traffic; add `traffic = \"<id of a [[traffic]]>\"`",
            "22:1: error: unknown key `trafic` in an expectation; did you mean `traffic`?",
        ],
    },
    // -- ids and references ----------------------------------------------------
    Case {
        name: "duplicate_ids",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"

[[route_table]]
id = "v"
vpc = "v"

[[external_host]]
id = "h"
ip = "93.184.216.34"

[[traffic]]
id = "h"
from = "h"
to = "h"
protocol = "icmp"
pattern = "ping"
rate = "1/s"

[[traffic]]
id = "h"
from = "h"
to = "h"
pattern = "ping"
rate = "1/s"
"#,
        expected: &[
            "15:6: error: duplicate id `a`: already used by a subnet on line 10",
            "20:6: error: duplicate id `v`: already used by a VPC on line 6",
            "36:6: error: duplicate traffic id `h`: already used on line 28",
        ],
    },
    Case {
        name: "dangling_references",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "vpc-main"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "vpc-mian"
cidr = "10.0.0.0/24"

[[subnet]]
id = "b"
vpc = "vpc-main"
cidr = "10.0.1.0/24"
route_table = "rt-private"

[[route_table]]
id = "rt"
vpc = "vpc-main"
routes = [ { destination = "0.0.0.0/0", target = "nat-gone" } ]

[[instance]]
id = "web"
subnet = "b"
security_groups = ["sg-web"]
"#,
        expected: &[
            "11:7: error: subnet `a`: `vpc` names `vpc-mian`, which does not exist; did you mean `vpc-main`?",
            "18:15: error: subnet `b`: `route_table` names `rt-private`, which does not exist (expected a route table)",
            "23:50: error: route table `rt`: `target` names `nat-gone`, which does not exist (expected an internet gateway, a NAT gateway, a VPC endpoint, an instance, a network interface, a VPC peering connection, a VPN gateway or a transit gateway)",
            "28:20: error: instance `web`: `security_groups` names `sg-web`, which does not exist (expected a security group)",
        ],
    },
    Case {
        name: "references_of_the_wrong_kind",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "a"
cidr = "10.0.0.0/24"

[[security_group]]
id = "sg"
vpc = "v"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "sg" } ]

[[instance]]
id = "web"
subnet = "rt"
security_groups = ["v"]
"#,
        expected: &[
            "11:7: error: subnet `a`: `vpc` names `a`, which is a subnet; expected a VPC",
            "21:50: error: route table `rt`: `target` names `sg`, which is a security group; expected an internet gateway, a NAT gateway, a VPC endpoint, an instance, a network interface, a VPC peering connection, a VPN gateway or a transit gateway",
            "25:10: error: instance `web`: `subnet` names `rt`, which is a route table; expected a subnet",
            "26:20: error: instance `web`: `security_groups` names `v`, which is a VPC; expected a security group",
        ],
    },
    Case {
        name: "broken_vpc_reference_is_reported_once",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[subnet]]
id = "a"
vpc = "vpc-gone"
cidr = "10.0.0.0/24"
route_table = "rt"
network_acl = "acl"

[[route_table]]
id = "rt"
vpc = "vpc-gone"

[[network_acl]]
id = "acl"
vpc = "vpc-other"

[[instance]]
id = "web"
subnet = "a"

[[event]]
at = "1s"
add_route = { route_table = "rt", destination = "10.0.0.0/24", target = "web" }
"#,
        expected: &[
            "7:7: error: subnet `a`: `vpc` names `vpc-gone`, which does not exist (expected a VPC)",
            "14:7: error: route table `rt`: `vpc` names `vpc-gone`, which does not exist (expected a VPC)",
            "18:7: error: network ACL `acl`: `vpc` names `vpc-other`, which does not exist (expected a VPC)",
        ],
    },
    // -- addresses ---------------------------------------------------------------
    Case {
        name: "subnet_outside_vpc",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16", "10.1.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.1.0.0/24"

[[subnet]]
id = "b"
vpc = "v"
cidr = "10.2.0.0/24"

[[subnet]]
id = "c"
vpc = "v"
cidr = "10.0.0.0/15"
"#,
        expected: &[
            "17:8: error: subnet `b`: CIDR `10.2.0.0/24` is outside every CIDR of VPC `v` (10.0.0.0/16, 10.1.0.0/16)",
            "22:8: error: subnet `c`: CIDR `10.0.0.0/15` is a /15; a subnet is /16 to /28 (ADDR-2)",
        ],
    },
    Case {
        name: "overlapping_subnets",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[subnet]]
id = "b"
vpc = "v"
cidr = "10.0.0.128/25"

[[subnet]]
id = "c"
vpc = "v"
cidr = "10.0.0.0/23"
"#,
        expected: &[
            "17:8: error: subnet `b`: CIDR `10.0.0.128/25` overlaps subnet `a` (10.0.0.0/24) (ADDR-2)",
            "22:8: error: subnet `c`: CIDR `10.0.0.0/23` overlaps subnet `a` (10.0.0.0/24) (ADDR-2)",
        ],
    },
    Case {
        name: "vpc_cidr_size",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/8", "172.16.0.0/29", "192.168.0.0/16", "192.168.1.0/24"]
"#,
        expected: &[
            "7:10: error: VPC `v`: CIDR `10.0.0.0/8` is a /8; a VPC CIDR is /16 to /28 (ADDR-1)",
            "7:24: error: VPC `v`: CIDR `172.16.0.0/29` is a /29; a VPC CIDR is /16 to /28 (ADDR-1)",
            "7:59: error: VPC `v`: CIDR `192.168.1.0/24` overlaps `192.168.0.0/16` of the same VPC",
        ],
    },
    Case {
        name: "host_bits_set",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.1/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.7/24"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "0.0.0.1/0", target = "local" } ]
"#,
        expected: &[
            "7:10: error: `cidrs`: `10.0.0.1/16` has host bits set; did you mean `10.0.0.0/16`?",
            "12:8: error: `cidr`: `10.0.1.7/24` has host bits set; did you mean `10.0.1.0/24`?",
            "17:28: error: route table `rt`: `destination` `0.0.0.1/0` has host bits set; did you mean `0.0.0.0/0`?",
        ],
    },
    Case {
        name: "ipv6",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16", "2001:db8::/56"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "::/0", target = "local" } ]

[[instance]]
id = "web"
subnet = "a"
private_ip = "2001:db8::10"

[[external_host]]
id = "h"
ip = "2606:2800:220:1::1"

[[traffic]]
id = "t"
from = "web"
to = "2606:2800:220:1::1"
port = 443
rate = "1/s"
"#,
        expected: &[
            "7:25: error: `cidrs`: `2001:db8::/56`: IPv6 is not supported yet",
            "17:28: error: route table `rt`: `destination` `::/0`: IPv6 is not supported yet",
            "22:14: error: `private_ip`: `2001:db8::10`: IPv6 is not supported yet",
            "26:6: error: `ip`: `2606:2800:220:1::1`: IPv6 is not supported yet",
            "31:6: error: traffic `t`: `to` `2606:2800:220:1::1`: IPv6 is not supported yet",
        ],
    },
    Case {
        name: "private_ip_outside_subnet",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"

[[instance]]
id = "web"
subnet = "a"
private_ip = "10.0.2.10"

[[nat_gateway]]
id = "nat"
subnet = "a"
connectivity = "private"
private_ip = "192.168.0.5"
"#,
        expected: &[
            "17:14: error: instance `web`: private IP 10.0.2.10 is outside its subnet `a` (10.0.1.0/24)",
            "23:14: error: NAT gateway `nat`: private IP 192.168.0.5 is outside its subnet `a` (10.0.1.0/24)",
        ],
    },
    Case {
        name: "private_ip_reserved",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"

[[instance]]
id = "i0"
subnet = "a"
private_ip = "10.0.1.0"

[[instance]]
id = "i1"
subnet = "a"
private_ip = "10.0.1.1"

[[instance]]
id = "i2"
subnet = "a"
private_ip = "10.0.1.2"

[[instance]]
id = "i3"
subnet = "a"
private_ip = "10.0.1.3"

[[nat_gateway]]
id = "nat"
subnet = "a"
connectivity = "private"
private_ip = "10.0.1.255"

[[instance]]
id = "i4"
subnet = "a"
private_ip = "10.0.1.4"
"#,
        expected: &[
            "17:14: error: instance `i0`: private IP 10.0.1.0 is reserved in subnet `a` (its network address); AWS reserves the first four addresses and the last of every subnet (ADDR-3)",
            "22:14: error: instance `i1`: private IP 10.0.1.1 is reserved in subnet `a` (the VPC router's address); AWS reserves the first four addresses and the last of every subnet (ADDR-3)",
            "27:14: error: instance `i2`: private IP 10.0.1.2 is reserved in subnet `a` (the Amazon DNS server's address); AWS reserves the first four addresses and the last of every subnet (ADDR-3)",
            "32:14: error: instance `i3`: private IP 10.0.1.3 is reserved in subnet `a` (kept by AWS for future use); AWS reserves the first four addresses and the last of every subnet (ADDR-3)",
            "38:14: error: NAT gateway `nat`: private IP 10.0.1.255 is reserved in subnet `a` (its broadcast address); AWS reserves the first four addresses and the last of every subnet (ADDR-3)",
        ],
    },
    Case {
        name: "private_ip_twice",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"

[[instance]]
id = "web"
subnet = "a"
private_ip = "10.0.1.10"

[[instance]]
id = "db"
subnet = "a"
private_ip = "10.0.1.10"

[[nat_gateway]]
id = "nat"
subnet = "a"
connectivity = "private"
private_ip = "10.0.1.10"
"#,
        expected: &[
            "22:14: error: instance `db`: private IP 10.0.1.10 is already used by instance `web` (ADDR-5)",
            "28:14: error: NAT gateway `nat`: private IP 10.0.1.10 is already used by instance `web` (ADDR-5)",
        ],
    },
    Case {
        name: "subnet_too_small",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "tiny"
vpc = "v"
cidr = "10.0.0.0/28"

[[security_group]]
id = "sg"
vpc = "v"

[[vpc_endpoint]]
id = "sqs"
type = "interface"
vpc = "v"
service = "sqs"
subnets = ["tiny"]

[[lambda]]
id = "fn"
subnets = ["tiny"]
security_groups = ["sg"]

[[instance]]
id = "i1"
subnet = "tiny"
[[instance]]
id = "i2"
subnet = "tiny"
[[instance]]
id = "i3"
subnet = "tiny"
[[instance]]
id = "i4"
subnet = "tiny"
[[instance]]
id = "i5"
subnet = "tiny"
[[instance]]
id = "i6"
subnet = "tiny"
[[instance]]
id = "i7"
subnet = "tiny"
[[instance]]
id = "i8"
subnet = "tiny"
[[instance]]
id = "i9"
subnet = "tiny"
[[instance]]
id = "i10"
subnet = "tiny"
"#,
        expected: &[
            "10:6: error: subnet `tiny` (10.0.0.0/28) has 11 usable addresses but 12 network interfaces (workloads, NAT gateways, endpoint and Lambda ENIs) (ADDR-3)",
        ],
    },
    // -- route tables, NACLs, gateways ------------------------------------------
    Case {
        name: "two_main_route_tables",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt-a"
vpc = "v"
main = true

[[route_table]]
id = "rt-b"
vpc = "v"
main = true
"#,
        expected: &[
            "17:8: error: route table `rt-b`: VPC `v` already has a main route table, on line 12; exactly one per VPC (RT-1)",
        ],
    },
    Case {
        name: "nacl_rule_numbers",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[network_acl]]
id = "acl"
vpc = "v"
ingress = [
  { rule = 0, protocol = "all", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 32767, protocol = "all", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 100, protocol = "tcp", ports = "22", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 100, protocol = "tcp", ports = "80", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 32766, protocol = "all", cidr = "0.0.0.0/0", action = "deny" },
]
egress = [
  { rule = 100, protocol = "all", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 1, protocol = "all", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 1, protocol = "all", cidr = "0.0.0.0/0", action = "deny" },
]
"#,
        expected: &[
            "13:12: error: network ACL `acl`: rule number 0 is outside 1..32766 (NACL-2)",
            "14:12: error: network ACL `acl`: rule number 32767 is outside 1..32766 (NACL-2)",
            "16:12: error: network ACL `acl`: ingress rule number 100 is already used on line 15 (NACL-2)",
            "22:12: error: network ACL `acl`: egress rule number 1 is already used on line 21 (NACL-2)",
        ],
    },
    Case {
        name: "gateway_endpoint_service",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"

[[vpc_endpoint]]
id = "vpce-sqs"
type = "gateway"
vpc = "v"
service = "sqs"
route_tables = ["rt"]
"#,
        expected: &[
            "17:11: error: VPC endpoint `vpce-sqs`: a gateway endpoint serves only \"s3\" or \"dynamodb\", not \"sqs\" (GWE-1)",
        ],
    },
    Case {
        name: "public_nat_without_public_ip",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "rt"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"

[[nat_gateway]]
id = "nat-b"
subnet = "public-a"
connectivity = "public"
public_ip = 3
"#,
        expected: &[
            "25:6: error: NAT gateway `nat-a` is public and needs `public_ip` (its Elastic IP) (NAT-1)",
            "32:13: error: `public_ip` must be an IPv4 address like \"10.0.1.5\", found an integer",
        ],
    },
    Case {
        name: "prefix_list_missing",
        text: r#"
[scenario]
name = "t"
duration = "10s"
region = "eu-west-1"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"

[[vpc_endpoint]]
id = "vpce-s3"
type = "gateway"
vpc = "v"
service = "s3"
route_tables = ["rt"]
"#,
        expected: &[
            "18:11: error: VPC endpoint `vpce-s3`: no prefix list named `com.amazonaws.eu-west-1.s3`; declare a [[prefix_list]] with that `name` and the service's CIDRs in eu-west-1 (a gateway endpoint serves its own Region's service only, GWE-1; vpcsim ships the lists of us-east-1 and us-east-2)",
        ],
    },
    Case {
        name: "security_group_rule_peers",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[prefix_list]]
id = "pl"
cidrs = ["52.0.0.0/8"]

[[security_group]]
id = "sg"
vpc = "v"
ingress = [
  { protocol = "tcp", ports = "443" },
  { protocol = "tcp", ports = "443", cidr = "0.0.0.0/0", source_group = "sg" },
]
egress = [
  { protocol = "tcp", ports = "443", cidr = "0.0.0.0/0", dest_group = "sg", prefix_list = "pl" },
]
"#,
        expected: &[
            "17:3: error: a security group rule names exactly one peer (`cidr`, `source_group` or `prefix_list`); this one names none",
            "18:3: error: a security group rule names exactly one peer (`cidr`, `source_group` or `prefix_list`); this one names 2: `cidr` and `source_group`",
            "21:3: error: a security group rule names exactly one peer (`cidr`, `dest_group` or `prefix_list`); this one names 3: `cidr`, `dest_group` and `prefix_list`",
        ],
    },
    // -- expectations ------------------------------------------------------------
    Case {
        name: "expectations",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[instance]]
id = "web"
subnet = "a"

[[external_host]]
id = "api"
ip = "93.184.216.34"
listen = [ { protocol = "tcp", port = 443 } ]

[[traffic]]
id = "web-to-api"
from = "web"
to = "api"
port = 443
rate = "1/s"

[[expect]]
traffic = "web-to-apl"
delivered = "100%"

[[expect]]
traffic = "web-to-api"
via = ["nat-a"]
drop_reason = "no_rout"
drop_at = "v"

[[expect]]
traffic = "web-to-api"
drop_reason = "firewall"

[[expect]]
traffic = "web-to-api"
"#,
        expected: &[
            "31:11: error: expectation on line 30: `traffic` names `web-to-apl`, which is not a [[traffic]] of this file; did you mean `web-to-api`?",
            "36:8: error: expectation on line 34: `via` names `nat-a`, which does not exist (expected a route table, an internet gateway, a NAT gateway, a VPC endpoint, a VPC peering connection, a VPN gateway, a transit gateway, a transit gateway route table, a transit gateway attachment, an instance or a network interface)",
            "37:15: error: expectation on line 34: `drop_reason` `no_rout` is not a drop reason; did you mean `no_route`?",
            "38:11: error: expectation on line 34: `drop_at` names `v`, which is a VPC; expected a subnet, a route table, a network ACL, an internet gateway, a NAT gateway, a VPC endpoint, a VPC peering connection, a VPN gateway, a transit gateway, a transit gateway route table, a transit gateway attachment, an instance, a Lambda function, a network interface, an external host, an AWS service, an on-premises host or an on-premises network",
            "42:15: error: expectation on line 40: `drop_reason` `firewall` is not a drop reason",
            "44:1: error: expectation on line 44 states nothing: give `delivered`, `via`, `not_via`, `drop_reason`, `drop_at` or a bound (`p99`, `throughput`, `failures`, `nat_ports`, `bytes`, `cost_per_month`, ...)",
        ],
    },
    // -- the timeline ------------------------------------------------------------
    Case {
        name: "events",
        text: r#"
[scenario]
name = "t"
duration = "60s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"

[[external_host]]
id = "api"
ip = "93.184.216.34"

[[event]]
at = "10s"

[[event]]
at = "20s"
delete = "nat-a"
delete_route = { route_table = "rt", destination = "0.0.0.0/0" }

[[event]]
at = "30s"
set = { resource = "api", ip = "93.184.216.35" }

[[event]]
at = "40s"
set = { resource = "rt" }

[[event]]
at = "50s"
set = { resource = "sg-gone", ingress = [] }

[[event]]
at = "90s"
add_route = { route_table = "rt", destination = "0.0.0.0/0", target = "igw" }
"#,
        expected: &[
            "17:1: error: an event needs one action: `delete`, `add_route`, `delete_route` or `set`",
            "20:1: error: an event takes exactly one of `delete`, `add_route`, `delete_route`, `set`; write one [[event]] per change",
            "27:20: error: `set` cannot change an external host (`api`); it changes security groups, network ACLs, instances, subnets, route tables, VPC endpoints, VPN gateways, transit gateway route tables, transit gateway attachments and on-premises networks",
            "31:7: error: `set` changes no attribute; a route table takes: routes",
            "35:20: error: event `set`: `resource` names `sg-gone`, which does not exist (expected a security group, a network ACL, an instance, a subnet, a route table, a VPC endpoint, a VPN gateway, a transit gateway route table, a transit gateway attachment or an on-premises network)",
            "38:6: error: an event at 90s is after the end of the run (60s)",
            "39:71: error: event `add_route`: `target` names `igw`, which does not exist (expected an internet gateway, a NAT gateway, a VPC endpoint, an instance, a network interface, a VPC peering connection, a VPN gateway or a transit gateway)",
        ],
    },
    Case {
        name: "set_on_implicit_ids",
        text: r#"
[scenario]
name = "t"
duration = "60s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[event]]
at = "10s"
set = { resource = "v/default-acl", ingress = [ { rule = 0, protocol = "all", cidr = "0.0.0.0/0", action = "deny" } ] }

[[event]]
at = "20s"
set = { resource = "v/default-sg", egress = [ { protocol = "tcp", cidr = "0.0.0.0/0" } ] }

[[event]]
at = "30s"
set = { resource = "v/main-rt", routes = [ { destination = "0.0.0.0/0", target = "igw" } ] }
"#,
        expected: &[
            "11:58: error: event `set` on `v/default-acl`: rule number 0 is outside 1..32766 (NACL-2)",
            "15:60: error: a security group rule for protocol \"tcp\" needs `ports` (\"443\", \"1024-65535\" or \"all\")",
            "19:82: error: event `set` on `v/main-rt`: `target` names `igw`, which does not exist (expected an internet gateway, a NAT gateway, a VPC endpoint, an instance, a network interface, a VPC peering connection, a VPN gateway or a transit gateway)",
        ],
    },
    // -- value types -------------------------------------------------------------
    Case {
        name: "wrong_value_types",
        text: r#"
[scenario]
name = 5
duration = 10
seed = "7"

[[vpc]]
id = "v"
cidrs = "10.0.0.0/16"

[[subnet]]
id = "a"
vpc = ["v"]
cidr = "10.0.0.0/24"

[[route_table]]
id = "rt"
vpc = "v"
main = "yes"
routes = { destination = "0.0.0.0/0", target = "local" }

[[instance]]
id = "web"
subnet = "a"
source_dest_check = 0
listen = [ { protocol = "tcp", port = "80" }, { protocol = "tcp", port = 443.0 }, 22 ]

[[lambda]]
id = "fn"
concurrency = -1

[[traffic]]
id = "t"
from = "web"
to = "10.9.9.9"
port = 70000
rate = 20
start = 1979-05-27
"#,
        expected: &[
            "2:8: error: `name` must be a string, found an integer",
            "3:12: error: `duration` must be a duration with a unit, like \"250us\", \"3ms\", \"1.5s\", \"2m\" or \"1h\", found an integer",
            "4:8: error: `seed` must be a whole number from 0 to 18446744073709551615, found a string",
            "8:9: error: `cidrs` must be an array, found a string; each item is an IPv4 CIDR like \"10.0.0.0/16\"",
            "12:7: error: `vpc` must be a string, found an array",
            "18:8: error: `main` must be true or false, found a string",
            "19:10: error: `routes` must be an array, found a table; each item is a route { destination = ..., target = ... }",
            "24:21: error: `source_dest_check` must be true or false, found an integer",
            "25:39: error: `port` must be a whole number from 0 to 65535, found a string",
            "25:74: error: `port` must be a whole number from 0 to 65535, found a float",
            "25:83: error: a listener must be a table, found an integer",
            "29:15: error: `concurrency` must be a whole number from 0 to 4294967295",
            "35:8: error: `port` must be a whole number from 0 to 65535",
            "36:8: error: `rate` must be a rate like \"20/s\", \"0.5/s\" or \"100000/s\", found an integer",
            "37:9: error: `start` must be a duration with a unit, like \"250us\", \"3ms\", \"1.5s\", \"2m\" or \"1h\", found a date",
        ],
    },
    Case {
        name: "listener_port_by_protocol",
        text: r#"
[scenario]
name = "t"
duration = "1s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[security_group]]
id = "sg"
vpc = "v"

[[instance]]
id = "web"
subnet = "a"
security_groups = ["sg"]
listen = [ { protocol = "icmp", port = 5 }, { protocol = "udp" } ]
"#,
        expected: &[
            "22:40: error: an icmp listener has no port",
            "22:45: error: a udp listener needs a `port`",
        ],
    },
    Case {
        name: "window_with_a_bad_item",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"

[[security_group]]
id = "sg"
vpc = "v"

[[instance]]
id = "web"
subnet = "a"
security_groups = ["sg"]

[[traffic]]
id = "t"
from = "web"
to = "web"
port = 443
rate = "1/s"

[[expect]]
traffic = "t"
window = ["-1s", "5s"]
delivered = "100%"
"#,
        expected: &["32:11: error: `window`: `-1s`: a duration cannot be negative"],
    },
    // -- several problems at once ------------------------------------------------
    Case {
        name: "several_problems",
        text: r#"
[scenario]
name = "t"
duration = "0s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.1.0.0/24"
az = "us-east-1a"

[[instance]]
id = "web"
subnet = "a"
security_groups = ["sg-web"]
listen = [ { protocol = "tcp" } ]

[[subnet]]
id = "b"
vpc = "v"
cidr = "10.0.0.0/24"
netwrk_acl = "acl"

[[nat_gateway]]
id = "a"
subnet = "b"
"#,
        expected: &[
            "3:12: error: `duration` must be more than 0s",
            "12:8: error: subnet `a`: CIDR `10.1.0.0/24` is outside every CIDR of VPC `v` (10.0.0.0/16)",
            "18:20: error: instance `web`: `security_groups` names `sg-web`, which does not exist (expected a security group)",
            "19:12: error: a tcp listener needs a `port`",
            "25:1: error: unknown key `netwrk_acl` in a subnet; did you mean `network_acl`?",
            "28:6: error: duplicate id `a`: already used by a subnet on line 10",
            "28:6: error: NAT gateway `a` is public and needs `public_ip` (its Elastic IP) (NAT-1)",
            "28:6: error: NAT gateway `a` is public, but VPC `v` has no internet gateway attached, and AWS refuses to create a public NAT gateway there (NAT-1): attach an [[internet_gateway]] to the VPC, or make the NAT gateway private with `connectivity = \"private\"`",
        ],
    },
    Case {
        name: "nat_1_public_nat_gateway_without_igw_is_an_error",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "v"
cidr = "10.0.0.0/24"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"

[[nat_gateway]]
id = "nat-private"
subnet = "public-a"
connectivity = "private"
"#,
        expected: &[
            "15:6: error: NAT gateway `nat-a` is public, but VPC `v` has no internet gateway attached, and AWS refuses to create a public NAT gateway there (NAT-1): attach an [[internet_gateway]] to the VPC, or make the NAT gateway private with `connectivity = \"private\"`",
        ],
    },
    Case {
        name: "rt_2_local_route_replaced_by_an_internet_gateway",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "10.0.0.0/16", target = "igw" } ]
"#,
        expected: &[
            "16:28: error: route table `rt`: `10.0.0.0/16` is the VPC's own CIDR; the target of its local route can be replaced only by an instance, ENI or NAT gateway (RT-2)",
        ],
    },
    Case {
        name: "vpn_tunnels_not_as_aws_states_them",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[vpn_gateway]]
id = "vgw"
vpc = "v"

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw"
customer_gateway = "198.51.100.7"
routing = "ospf"
tunnels = [
  { outside_ip = "10.0.0.9", status = "down" },
  { outside_ip = "198.51.100.7", status = "sideways" },
  { outside_ip = "3.13.210.900" },
]
"#,
        expected: &[
            "18:11: error: `routing` must be one of \"static\", \"bgp\", found \"ospf\"",
            "20:18: error: on-premises network `office`: tunnel outside address 10.0.0.9 is not public; AWS gives a VPN gateway's tunnels public outside addresses (VPN-3)",
            "21:18: error: on-premises network `office`: tunnel outside address 198.51.100.7 is the customer gateway's own address; it is AWS's end of the tunnel (VPN-3)",
            "21:43: error: `status` must be one of \"up\", \"down\", found \"sideways\"",
            "22:3: error: on-premises network `office`: a Site-to-Site VPN connection has two tunnels, found 3 (VPN-3); remove the extra ones",
            "22:18: error: `outside_ip`: `3.13.210.900` is not an IPv4 address like \"10.0.1.5\"",
        ],
    },
    Case {
        name: "vpn_three_tunnels",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[vpn_gateway]]
id = "vgw"
vpc = "v"

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw"
tunnels = [
  { outside_ip = "3.13.210.90" },
  { outside_ip = "3.13.210.90", status = "up" },
  { outside_ip = "18.221.157.90", status = "down" },
]
"#,
        expected: &[
            "19:18: error: on-premises network `office`: two tunnels with outside address 3.13.210.90; each tunnel has its own (VPN-3)",
            "20:3: error: on-premises network `office`: a Site-to-Site VPN connection has two tunnels, found 3 (VPN-3); remove the extra ones",
        ],
    },
];

pub const LOADS: &[Case] = &[
    Case {
        name: "a_rate_faster_than_one_a_nanosecond_runs_at_one_a_nanosecond",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"

[[instance]]
id = "client"
subnet = "a"

[[instance]]
id = "server"
subnet = "a"

[[traffic]]
id = "flood"
from = "client"
to = "server"
pattern = "ping"
rate = "2500000000/s"
"#,
        expected: &[
            "27:8: warning: traffic `flood`: a rate of 2500000000/s is more than one a nanosecond, the finest step of virtual time; it runs at 1000000000/s",
        ],
    },
    Case {
        name: "a_key_the_pattern_does_not_use_is_named",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"

[[instance]]
id = "client"
subnet = "a"

[[instance]]
id = "server"
subnet = "a"

[[traffic]]
id = "big-ping"
from = "client"
to = "server"
pattern = "ping"
rate = "2/s"
size = 4000
request = 4000

[[traffic]]
id = "held-udp"
from = "client"
to = "server"
pattern = "udp"
port = 9000
rate = "2/s"
hold = "5s"

[[traffic]]
id = "sized-requests"
from = "client"
to = "server"
port = 443
rate = "2/s"
size = 4000
"#,
        expected: &[
            "28:8: warning: traffic `big-ping`: `size` has no effect on pattern \"ping\" (each ping is an echo of 56 data bytes, `ping`'s default); remove it",
            "29:11: warning: traffic `big-ping`: `request` has no effect on pattern \"ping\" (each ping is an echo of 56 data bytes, `ping`'s default); remove it",
            "38:8: warning: traffic `held-udp`: `hold` has no effect on pattern \"udp\"; remove it",
            "46:8: warning: traffic `sized-requests`: `size` has no effect on pattern \"requests\"; remove it",
        ],
    },
    Case {
        name: "igw_4_a_public_ip_without_a_default_route_to_the_igw_answers_only_what_is_routed",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[route_table]]
id = "rt-some"
vpc = "v"
routes = [ { destination = "198.51.100.0/24", target = "igw" } ]

[[route_table]]
id = "rt-none"
vpc = "v"

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt-some"

[[subnet]]
id = "b"
vpc = "v"
cidr = "10.0.2.0/24"
route_table = "rt-none"

[[instance]]
id = "partial"
subnet = "a"
public_ip = "54.1.1.1"

[[instance]]
id = "closed"
subnet = "b"
public_ip = "54.1.1.2"
"#,
        expected: &[
            "37:13: warning: instance `partial` has public IP 54.1.1.1, but its subnet's route table `rt-some` sends only 198.51.100.0/24 to an internet gateway (no 0.0.0.0/0 to one): the address answers those ranges and no other internet address (IGW-4)",
            "42:13: warning: instance `closed` has public IP 54.1.1.2, but its subnet's route table `rt-none` sends nothing to an internet gateway, so the address is unreachable (IGW-4)",
        ],
    },
    Case {
        name: "sg_11_ports_on_an_icmp_rule_are_ignored_with_a_warning",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "icmp", ports = "8", cidr = "0.0.0.0/0" } ]

[[network_acl]]
id = "acl"
vpc = "v"
ingress = [
  { rule = 100, protocol = "icmp", ports = "0-255", cidr = "0.0.0.0/0", action = "allow" },
  { rule = 110, protocol = "icmp", icmp_type = 8, icmp_code = 0, cidr = "0.0.0.0/0", action = "allow" },
]
egress = [ { rule = 100, protocol = "icmp", icmp_type = 0, cidr = "0.0.0.0/0", action = "allow" } ]
"#,
        expected: &[
            "12:42: warning: a security group rule for protocol \"icmp\" ignores `ports`; to match ICMP messages, write `icmp_type` (and `icmp_code`) instead",
            "18:44: warning: a network ACL rule for protocol \"icmp\" ignores `ports`; to match ICMP messages, write `icmp_type` (and `icmp_code`) instead",
        ],
    },
    Case {
        name: "rt_2_local_route_replaced_by_a_middlebox",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt"

[[route_table]]
id = "rt"
vpc = "v"
routes = [ { destination = "10.0.0.0/16", target = "fw" } ]

[[instance]]
id = "fw"
subnet = "a"
source_dest_check = false
"#,
        expected: &[],
    },
    Case {
        name: "public_nat_without_igw_route",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "v"
cidr = "10.0.0.0/24"

[[internet_gateway]]
id = "igw"
vpc = "v"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"
"#,
        expected: &[
            "19:6: warning: NAT gateway `nat-a` is public, but its subnet `public-a` has no 0.0.0.0/0 route to an internet gateway (route table `v/main-rt`): nothing it translates can reach the internet (NAT-1)",
        ],
    },
    Case {
        name: "nat_1_public_nat_whose_subnet_routes_back_to_it",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "rt-a"

[[internet_gateway]]
id = "igw"
vpc = "v"

[[nat_gateway]]
id = "nat-a"
subnet = "public-a"
public_ip = "3.35.0.10"

[[route_table]]
id = "rt-a"
vpc = "v"
routes = [{ destination = "0.0.0.0/0", target = "nat-a" }]
"#,
        expected: &[
            "20:6: warning: NAT gateway `nat-a` is public, but its subnet `public-a` has no 0.0.0.0/0 route to an internet gateway (route table `rt-a`: it sends 0.0.0.0/0 back to this NAT gateway, which translates each packet again until its TTL runs out): nothing it translates can reach the internet (NAT-1)",
        ],
    },
    Case {
        name: "nat_1_public_nat_behind_a_firewall_instance_is_not_warned",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[subnet]]
id = "nat-sub"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "rt-nat"

[[subnet]]
id = "fw-sub"
vpc = "v"
cidr = "10.0.1.0/24"
route_table = "rt-fw"

[[nat_gateway]]
id = "nat-a"
subnet = "nat-sub"
public_ip = "3.35.0.10"

[[instance]]
id = "fw"
subnet = "fw-sub"
source_dest_check = false

[[route_table]]
id = "rt-nat"
vpc = "v"
routes = [{ destination = "0.0.0.0/0", target = "fw" }]

[[route_table]]
id = "rt-fw"
vpc = "v"
routes = [{ destination = "0.0.0.0/0", target = "igw" }]
"#,
        expected: &[],
    },
    Case {
        name: "lambda_in_public_subnet",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "public-a"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "rt-public"

[[route_table]]
id = "rt-public"
vpc = "v"
routes = [ { destination = "0.0.0.0/0", target = "igw" } ]

[[internet_gateway]]
id = "igw"
vpc = "v"

[[security_group]]
id = "sg"
vpc = "v"
egress = [ { protocol = "all", ports = "all", cidr = "0.0.0.0/0" } ]

[[lambda]]
id = "fetcher"
subnets = ["public-a"]
security_groups = ["sg"]
"#,
        expected: &[
            "30:6: warning: Lambda function `fetcher` runs in subnet `public-a`, whose default route goes to an internet gateway; Lambda's ENIs never have a public IP, so the function has no internet access there: route 0.0.0.0/0 to a NAT gateway instead (LAM-3)",
        ],
    },
    Case {
        name: "subnet_just_big_enough",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "tiny"
vpc = "v"
cidr = "10.0.0.0/28"

[[instance]]
id = "first"
subnet = "tiny"
private_ip = "10.0.0.4"
[[instance]]
id = "last"
subnet = "tiny"
private_ip = "10.0.0.14"
[[instance]]
id = "i3"
subnet = "tiny"
[[instance]]
id = "i4"
subnet = "tiny"
[[instance]]
id = "i5"
subnet = "tiny"
[[instance]]
id = "i6"
subnet = "tiny"
[[instance]]
id = "i7"
subnet = "tiny"
[[instance]]
id = "i8"
subnet = "tiny"
[[instance]]
id = "i9"
subnet = "tiny"
[[instance]]
id = "i10"
subnet = "tiny"
[[instance]]
id = "i11"
subnet = "tiny"
"#,
        expected: &[],
    },
    Case {
        name: "same_nacl_number_both_directions",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[network_acl]]
id = "acl"
vpc = "v"
ingress = [ { rule = 100, protocol = "all", cidr = "0.0.0.0/0", action = "allow" } ]
egress = [ { rule = 100, protocol = "all", cidr = "0.0.0.0/0", action = "allow" } ]
"#,
        expected: &[],
    },
    Case {
        name: "declared_prefix_list_outside_us_east_1",
        text: r#"
[scenario]
name = "t"
duration = "10s"
region = "eu-west-1"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[route_table]]
id = "rt"
vpc = "v"

[[prefix_list]]
id = "pl-s3"
name = "com.amazonaws.eu-west-1.s3"
cidrs = ["52.218.0.0/17"]

[[vpc_endpoint]]
id = "vpce-s3"
type = "gateway"
vpc = "v"
service = "s3"
route_tables = ["rt"]
"#,
        expected: &[],
    },
    Case {
        name: "implicit_ids",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a"
vpc = "v"
cidr = "10.0.0.0/24"
route_table = "v/main-rt"
network_acl = "v/default-acl"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ { protocol = "all", source_group = "v/default-sg" } ]

[[instance]]
id = "web"
subnet = "a"
security_groups = ["v/default-sg", "sg"]

[[vpn_gateway]]
id = "vgw"
vpc = "v"

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw"

[[event]]
at = "1s"
set = { resource = "vgw", propagate_to = ["v/main-rt"] }
"#,
        expected: &[],
    },
    Case {
        name: "vpn_customer_gateway_private",
        text: r#"
[scenario]
name = "t"
duration = "10s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]

[[vpn_gateway]]
id = "vgw"
vpc = "v"

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw"
customer_gateway = "192.168.0.1"
routing = "bgp"
tunnels = [
  { outside_ip = "3.13.210.90", status = "up" },
  { outside_ip = "18.221.157.90", status = "down" },
]
"#,
        expected: &[
            "17:20: warning: on-premises network `office`: customer gateway 192.168.0.1 is not a public address; the VPN's tunnels cross the internet to it and cannot come up (VPN-3)",
        ],
    },
];
