//! DNS-1..DNS-4: what an instance's id and its DNS names stand for, from
//! where the traffic starts.
//!
//! One design: VPC `a` (web 10.0.1.5 with public IP 54.1.2.3, db 10.0.1.6
//! without one), `b` peered with `a`, `c` with no path to `a`, `d` attached
//! with `a` to a transit gateway, an on-premises network behind `a`'s VPN
//! gateway, a host on the internet and a Lambda function outside any VPC.

use std::net::Ipv4Addr;

use vpcsim::dataplane::resolve;
use vpcsim::explain::{self, Query};
use vpcsim::model::dns::{DnsError, NameForm};
use vpcsim::model::{Design, DestSpec, load_str};

const WEB_PRIVATE: &str = "ip-10-0-1-5.ec2.internal";
const WEB_PUBLIC: &str = "ec2-54-1-2-3.compute-1.amazonaws.com";

/// The design, with extra keys for VPC `a`, VPC `b` and the peering.
fn design(a: &str, b: &str, pcx: &str) -> String {
    format!(
        r#"
[scenario]
name = "dns"
duration = "2s"

[[vpc]]
id = "a"
cidrs = ["10.0.0.0/16"]
{a}

[[vpc]]
id = "b"
cidrs = ["10.1.0.0/16"]
{b}

[[vpc]]
id = "c"
cidrs = ["10.2.0.0/16"]

[[vpc]]
id = "d"
cidrs = ["10.3.0.0/16"]

[[subnet]]
id = "a-1"
vpc = "a"
cidr = "10.0.1.0/24"
az = "us-east-1a"
route_table = "rt-a"

[[subnet]]
id = "b-1"
vpc = "b"
cidr = "10.1.1.0/24"
az = "us-east-1a"
route_table = "rt-b"

[[subnet]]
id = "c-1"
vpc = "c"
cidr = "10.2.1.0/24"
az = "us-east-1a"

[[subnet]]
id = "d-1"
vpc = "d"
cidr = "10.3.1.0/24"
az = "us-east-1a"
route_table = "rt-d"

[[internet_gateway]]
id = "igw-a"
vpc = "a"

[[vpc_peering]]
id = "pcx-ab"
requester = "a"
accepter = "b"
{pcx}

[[transit_gateway]]
id = "tgw"

[[transit_gateway_attachment]]
id = "att-a"
transit_gateway = "tgw"
vpc = "a"
subnets = ["a-1"]

[[transit_gateway_attachment]]
id = "att-d"
transit_gateway = "tgw"
vpc = "d"
subnets = ["d-1"]

[[route_table]]
id = "rt-a"
vpc = "a"
routes = [
  {{ destination = "0.0.0.0/0", target = "igw-a" }},
  {{ destination = "10.1.0.0/16", target = "pcx-ab" }},
  {{ destination = "10.3.0.0/16", target = "tgw" }},
]

[[route_table]]
id = "rt-b"
vpc = "b"
routes = [ {{ destination = "10.0.0.0/16", target = "pcx-ab" }} ]

[[route_table]]
id = "rt-d"
vpc = "d"
routes = [ {{ destination = "10.0.0.0/16", target = "tgw" }} ]

[[vpn_gateway]]
id = "vgw-a"
vpc = "a"
propagate_to = ["rt-a"]

[[onprem_network]]
id = "office"
cidrs = ["192.168.0.0/16"]
via = "vgw-a"

[[onprem_host]]
id = "desk"
network = "office"
ip = "192.168.1.10"

[[external_host]]
id = "laptop"
ip = "198.51.100.7"

[[lambda]]
id = "fn-out"

[[security_group]]
id = "sg-a"
vpc = "a"
ingress = [ {{ protocol = "tcp", ports = "80", cidr = "0.0.0.0/0" }} ]

[[security_group]]
id = "sg-b"
vpc = "b"

[[security_group]]
id = "sg-c"
vpc = "c"

[[security_group]]
id = "sg-d"
vpc = "d"

[[instance]]
id = "web"
subnet = "a-1"
private_ip = "10.0.1.5"
public_ip = "54.1.2.3"
security_groups = ["sg-a"]
listen = [ {{ protocol = "tcp", port = 80 }} ]

[[instance]]
id = "db"
subnet = "a-1"
private_ip = "10.0.1.6"
security_groups = ["sg-a"]
listen = [ {{ protocol = "tcp", port = 80 }} ]

[[instance]]
id = "cb"
subnet = "b-1"
private_ip = "10.1.1.10"
security_groups = ["sg-b"]

[[instance]]
id = "cc"
subnet = "c-1"
security_groups = ["sg-c"]

[[instance]]
id = "cd"
subnet = "d-1"
security_groups = ["sg-d"]
"#
    )
}

fn traffic(from: &str, to: &str) -> String {
    format!(
        "\n[[traffic]]\nid = \"t\"\nfrom = \"{from}\"\nto = \"{to}\"\nport = 80\nrate = \"1/s\"\n"
    )
}

fn load(text: &str) -> Design {
    match load_str("dns.toml", text) {
        Ok(l) => l.design,
        Err(r) => panic!("does not load:\n{r}"),
    }
}

/// The address traffic `from` -> `to` is sent to, and how `to` was read.
fn resolved_in(base: &str, from: &str, to: &str) -> (Ipv4Addr, DestSpec) {
    let d = load(&format!("{base}{}", traffic(from, to)));
    let t = &d.traffic[0];
    let ip = resolve::destination(&d, t.from, &t.to).expect("an address");
    (ip, t.to.clone())
}

fn resolved(from: &str, to: &str) -> Ipv4Addr {
    resolved_in(&design("", "", ""), from, to).0
}

/// The loader's report for a file that must not load, and the line of its
/// traffic's `to`.
fn refused_in(base: &str, from: &str, to: &str) -> (String, usize) {
    let text = format!("{base}{}", traffic(from, to));
    let line = text
        .lines()
        .position(|l| l == format!("to = \"{to}\""))
        .expect("the to line")
        + 1;
    match load_str("dns.toml", &text) {
        Ok(_) => panic!("{from} -> {to} loaded"),
        Err(r) => (r.to_string(), line),
    }
}

/// The error about `to`, located at its value (line, column 6).
fn refused(from: &str, to: &str) -> String {
    let (report, line) = refused_in(&design("", "", ""), from, to);
    let at = format!("dns.toml:{line}:6: error:");
    assert!(report.contains(&at), "expected an error at {at}:\n{report}");
    report
}

const WEB: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 5);
const WEB_PUB: Ipv4Addr = Ipv4Addr::new(54, 1, 2, 3);

#[test]
fn dns_1_id_from_the_same_vpc_is_the_private_address() {
    assert_eq!(resolved("db", "web"), WEB);
}

#[test]
fn dns_1_id_from_a_peered_vpc_is_the_private_address() {
    assert_eq!(resolved("cb", "web"), WEB);
}

#[test]
fn dns_1_id_over_a_transit_gateway_is_the_private_address() {
    assert_eq!(resolved("cd", "web"), WEB);
}

#[test]
fn dns_1_id_from_on_premises_behind_the_vpn_is_the_private_address() {
    assert_eq!(resolved("desk", "web"), WEB);
}

#[test]
fn dns_1_id_from_the_internet_is_the_public_address() {
    assert_eq!(resolved("laptop", "web"), WEB_PUB);
}

#[test]
fn dns_1_id_from_a_lambda_function_outside_a_vpc_is_the_public_address() {
    assert_eq!(resolved("fn-out", "web"), WEB_PUB);
}

#[test]
fn dns_1_id_from_a_vpc_with_no_private_path_is_the_public_address() {
    assert_eq!(resolved("cc", "web"), WEB_PUB);
}

#[test]
fn dns_1_id_with_no_private_path_and_no_public_ip_is_a_located_error() {
    let r = refused("cc", "db");
    assert!(r.contains("no public IP"), "{r}");
    assert!(r.contains("no private path"), "{r}");
    assert!(r.contains("public_ip"), "{r}");
    let r = refused("laptop", "db");
    assert!(r.contains("no public IP"), "{r}");
    let r = refused("fn-out", "db");
    assert!(r.contains("a Lambda function outside a VPC"), "{r}");
}

#[test]
fn dns_3_private_name_from_the_same_vpc_is_the_private_address() {
    let (ip, spec) = resolved_in(&design("", "", ""), "db", WEB_PRIVATE);
    assert_eq!(ip, WEB);
    let web = match spec {
        DestSpec::Instance(i, NameForm::PrivateDns) => i,
        other => panic!("read as {other:?}"),
    };
    let d = load(&design("", "", ""));
    assert_eq!(d.instances[web.idx()].name, "web");
}

#[test]
fn dns_3_private_name_from_a_peered_vpc_is_the_private_address() {
    assert_eq!(resolved("cb", WEB_PRIVATE), WEB);
    // Names are case-insensitive.
    assert_eq!(resolved("cb", "IP-10-0-1-5.EC2.Internal"), WEB);
}

#[test]
fn dns_3_private_name_without_a_private_path_resolves_with_a_warning() {
    let text = format!("{}{}", design("", "", ""), traffic("cc", WEB_PRIVATE));
    let l = load_str("dns.toml", &text).expect("loads");
    let t = &l.design.traffic[0];
    assert_eq!(resolve::destination(&l.design, t.from, &t.to), Some(WEB));
    let w = l.report.to_string();
    assert!(w.contains("warning") && w.contains("no private way"), "{w}");
}

#[test]
fn dns_3_private_name_from_the_internet_or_on_premises_is_a_located_error() {
    for from in ["laptop", "desk", "fn-out"] {
        let r = refused(from, WEB_PRIVATE);
        assert!(r.contains("resolves only inside AWS"), "{r}");
    }
}

#[test]
fn dns_3_private_name_in_another_region_has_its_form_and_does_not_resolve_across() {
    let base = design("", "", "peer_region = \"eu-west-1\"");
    let name = "ip-10-1-1-10.eu-west-1.compute.internal";
    // From within its own VPC it resolves.
    let text = format!(
        "{base}{}\n[[instance]]\nid = \"cb2\"\nsubnet = \"b-1\"\nsecurity_groups = [\"sg-b\"]\n",
        traffic("cb2", name)
    );
    let d = load(&text);
    let t = &d.traffic[0];
    assert_eq!(
        resolve::destination(&d, t.from, &t.to),
        Some(Ipv4Addr::new(10, 1, 1, 10))
    );
    // From VPC `a`, in us-east-1, it does not.
    let (r, line) = refused_in(&base, "web", name);
    assert!(r.contains(&format!("dns.toml:{line}:6: error:")), "{r}");
    assert!(r.contains("within their Region"), "{r}");
}

#[test]
fn dns_4_public_name_from_inside_its_vpc_is_the_private_address() {
    let (ip, spec) = resolved_in(&design("", "", ""), "db", WEB_PUBLIC);
    assert_eq!(ip, WEB);
    assert!(matches!(spec, DestSpec::Instance(_, NameForm::PublicDns)));
}

#[test]
fn dns_4_public_name_from_a_peered_vpc_without_dns_resolution_is_the_public_address() {
    assert_eq!(resolved("cb", WEB_PUBLIC), WEB_PUB);
    // The accepter's option concerns the accepter's instances only.
    let base = design("", "", "accepter_dns_resolution = true");
    assert_eq!(resolved_in(&base, "cb", WEB_PUBLIC).0, WEB_PUB);
}

#[test]
fn dns_4_public_name_from_a_peered_vpc_with_dns_resolution_is_the_private_address() {
    let base = design("", "", "allow_dns_resolution = true");
    assert_eq!(resolved_in(&base, "cb", WEB_PUBLIC).0, WEB);
    // `web` is in the requester VPC: the requester's option decides.
    let base = design("", "", "requester_dns_resolution = true");
    assert_eq!(resolved_in(&base, "cb", WEB_PUBLIC).0, WEB);
    // AWS: both VPCs need DNS hostnames and DNS support.
    let base = design(
        "",
        "enable_dns_hostnames = false",
        "allow_dns_resolution = true",
    );
    assert_eq!(resolved_in(&base, "cb", WEB_PUBLIC).0, WEB_PUB);
}

#[test]
fn dns_4_public_name_over_a_transit_gateway_with_dns_support_is_the_private_address() {
    assert_eq!(resolved("cd", WEB_PUBLIC), WEB);
}

#[test]
fn dns_4_public_name_from_outside_is_the_public_address() {
    for from in ["laptop", "desk", "fn-out", "cc"] {
        assert_eq!(resolved(from, WEB_PUBLIC), WEB_PUB, "from {from}");
    }
}

#[test]
fn dns_2_without_dns_hostnames_there_is_no_public_name_and_no_private_resolution() {
    let base = design("enable_dns_hostnames = false", "", "");
    let (r, line) = refused_in(&base, "laptop", WEB_PUBLIC);
    assert!(r.contains(&format!("dns.toml:{line}:6: error:")), "{r}");
    assert!(r.contains("enable_dns_hostnames = false"), "{r}");
    let (r, _) = refused_in(&base, "db", WEB_PRIVATE);
    assert!(r.contains("enable_dns_hostnames = false"), "{r}");
    // Ids do not depend on DNS.
    assert_eq!(resolved_in(&base, "laptop", "web").0, WEB_PUB);
    // Hostnames need DNS support: AWS refuses them without.
    let base = design(
        "enable_dns_support = false\nenable_dns_hostnames = true",
        "",
        "",
    );
    let text = format!("{base}{}", traffic("db", "web"));
    let r = load_str("dns.toml", &text)
        .expect_err("refused")
        .to_string();
    assert!(r.contains("needs `enable_dns_support = true`"), "{r}");
}

#[test]
fn dns_4_unknown_names_are_located_errors_with_a_suggestion() {
    let r = refused("db", "ip-10-0-1-9.ec2.internal");
    assert!(r.contains("not the DNS name of an instance"), "{r}");
    assert!(r.contains("did you mean `ip-10-0-1-"), "{r}");
    // `db` has no public IP, so no public name.
    let r = refused("laptop", "ec2-54-1-2-4.compute-1.amazonaws.com");
    assert!(
        r.contains("did you mean `ec2-54-1-2-3.compute-1.amazonaws.com` (instance `web`)"),
        "{r}"
    );
}

fn explain_to(from: &str, to: &str) -> Result<explain::Explanation, explain::ExplainError> {
    let d = load(&design("", "", "allow_dns_resolution = true"));
    let q = Query {
        from: from.to_string(),
        to: to.to_string(),
        protocol: 6,
        port: Some(80),
        icmp_type: None,
        icmp_code: None,
        at: vpcsim::units::Nanos::ZERO,
        enter: None,
    };
    explain::explain(d, &q)
}

#[test]
fn dns_3_explain_takes_dns_names() {
    let e = explain_to("db", WEB_PRIVATE).expect("explained");
    assert_eq!(e.verdict, explain::Verdict::Delivered);
    assert!(e.hops.iter().all(|h| h.dst.starts_with("10.0.1.5")));
    let e = explain_to("cb", WEB_PUBLIC).expect("explained");
    assert!(e.hops[0].dst.starts_with("10.0.1.5"), "{:?}", e.hops[0].dst);
    let e = explain_to("laptop", WEB_PUBLIC).expect("explained");
    assert!(e.hops[0].dst.starts_with("54.1.2.3"), "{:?}", e.hops[0].dst);
    let err = explain_to("laptop", WEB_PRIVATE).map(|_| ()).unwrap_err();
    assert!(
        matches!(
            &err,
            explain::ExplainError::ToUnresolved {
                to,
                why: DnsError::PrivateOutsideAws { .. },
            } if to == WEB_PRIVATE
        ),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("resolves only inside AWS"), "{err}");
    let err = explain_to("laptop", "db").map(|_| ()).unwrap_err();
    assert!(
        matches!(
            &err,
            explain::ExplainError::ToUnresolved {
                why: DnsError::NoPath { instance, .. },
                ..
            } if instance == "db"
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("no public IP"), "{err}");
    let err = explain_to("db", "ip-10-0-9-9.ec2.internal")
        .map(|_| ())
        .unwrap_err();
    assert!(
        matches!(
            err,
            explain::ExplainError::ToName(DnsError::NotAName { .. })
        ),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("not the DNS name of an instance"), "{err}");
}

/// An interface endpoint's private DNS needs a VPC with both DNS attributes
/// on (IFE-2, DNS-2): AWS refuses it otherwise; without it the name is the
/// service's public address.
#[test]
fn ife_2_private_dns_of_an_endpoint_needs_the_vpcs_dns_attributes() {
    let text = |hostnames: bool| {
        format!(
            r#"
[scenario]
name = "endpoint dns"
duration = "1s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]
enable_dns_hostnames = {hostnames}

[[subnet]]
id = "s"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ {{ protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" }} ]

[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "v"
service = "sqs"
subnets = ["s"]
security_groups = ["sg"]
private_dns = {hostnames}
listen = [ {{ protocol = "tcp", port = 443 }} ]

[[aws_service]]
id = "sqs-front"
service = "sqs"
ips = ["52.94.0.10"]

[[instance]]
id = "app"
subnet = "s"
security_groups = ["sg"]
{}"#,
            traffic("app", "sqs").replace("port = 80", "port = 443")
        )
    };
    let at = |hostnames| {
        let d = load(&text(hostnames));
        let t = &d.traffic[0];
        resolve::destination(&d, t.from, &t.to).expect("an address")
    };
    let inside: ipnet::Ipv4Net = "10.0.1.0/24".parse().expect("cidr");
    assert!(inside.contains(&at(true)), "{}", at(true));
    assert_eq!(at(false), Ipv4Addr::new(52, 94, 0, 10));
    let refused = text(false).replace("private_dns = false", "private_dns = true");
    let report = match load_str("dns.toml", &refused) {
        Ok(_) => panic!("private DNS without DNS hostnames loaded"),
        Err(r) => r.to_string(),
    };
    assert!(report.contains("(IFE-2)"), "{report}");
}

/// A service name resolves from the source as its VPC's DNS would: through
/// a private-DNS interface endpoint of that VPC with both DNS attributes on
/// (IFE-2), else through the service's address ranges (OPEN-2), which need
/// no `[[aws_service]]`; a name that resolves neither way is an error at
/// the traffic's `to`.
#[test]
fn open_2_ife_2_a_service_name_resolves_from_the_sources_vpc_or_is_an_error() {
    let text = |hostnames: bool, to: &str| {
        format!(
            r#"
[scenario]
name = "service names"
duration = "1s"

[[vpc]]
id = "v"
cidrs = ["10.0.0.0/16"]
enable_dns_hostnames = {hostnames}

[[vpc]]
id = "w"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "s"
vpc = "v"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[subnet]]
id = "t"
vpc = "w"
cidr = "10.1.1.0/24"
az = "us-east-1a"

[[security_group]]
id = "sg"
vpc = "v"
ingress = [ {{ protocol = "tcp", ports = "443", cidr = "10.0.0.0/16" }} ]

[[vpc_endpoint]]
id = "vpce-sqs"
type = "interface"
vpc = "v"
service = "sqs"
subnets = ["s"]
security_groups = ["sg"]
private_dns = {hostnames}

[[instance]]
id = "app"
subnet = "s"
security_groups = ["sg"]

[[instance]]
id = "other"
subnet = "t"
{}"#,
            to
        )
    };
    // The endpoint's VPC, DNS attributes on: the endpoint's address.
    let d = load(&text(true, &traffic("app", "sqs")));
    let t = &d.traffic[0];
    let ip = resolve::destination(&d, t.from, &t.to).expect("an address");
    let inside: ipnet::Ipv4Net = "10.0.1.0/24".parse().expect("cidr");
    assert!(inside.contains(&ip), "{ip}");
    // No private DNS in the source's VPC and no front door or ranges for
    // the service: the name resolves to nothing, which is an error at `to`.
    for (hostnames, from) in [(false, "app"), (true, "other")] {
        let body = text(hostnames, &traffic(from, "sqs"));
        let line = body
            .lines()
            .position(|l| l == "to = \"sqs\"")
            .expect("the to line")
            + 1;
        let report = match load_str("dns.toml", &body) {
            Ok(_) => panic!("{from} -> sqs loaded (hostnames {hostnames})"),
            Err(r) => r.to_string(),
        };
        let at = format!("dns.toml:{line}:6: error:");
        assert!(report.contains(&at), "expected an error at {at}:\n{report}");
        assert!(report.contains("`sqs`"), "{report}");
    }
    // S3 has built-in ranges in us-east-1: no [[aws_service]] needed.
    let d = load(&text(true, &traffic("other", "s3")));
    let t = &d.traffic[0];
    let ip = resolve::destination(&d, t.from, &t.to).expect("an address");
    let ranges = vpcsim::model::builtin::service_ranges(&d);
    let s3 = ranges
        .iter()
        .find(|s| s.service == "s3")
        .expect("s3 ranges");
    assert!(s3.cidrs.iter().any(|c| c.contains(&ip)), "{ip}");
}
