use super::*;

/// A VPC over two AZs with an instance, a NAT gateway and an internet
/// gateway, peered with a VPC in one AZ, and a Lambda function over both
/// AZs of a third VPC.
const TEXT: &str = r#"
[scenario]
name = "x"
duration = "1s"

[[vpc]]
id = "a"
cidrs = ["10.0.0.0/16"]

[[subnet]]
id = "a1"
vpc = "a"
cidr = "10.0.1.0/24"
az = "us-east-1a"

[[subnet]]
id = "a2"
vpc = "a"
cidr = "10.0.2.0/24"
az = "us-east-1b"

[[internet_gateway]]
id = "igw"
vpc = "a"

[[nat_gateway]]
id = "nat"
subnet = "a1"
public_ip = "3.0.0.2"

[[instance]]
id = "web"
subnet = "a1"
public_ip = "3.0.0.1"

[[instance]]
id = "app"
subnet = "a2"

[[vpc]]
id = "b"
cidrs = ["10.1.0.0/16"]

[[subnet]]
id = "b1"
vpc = "b"
cidr = "10.1.1.0/24"
az = "us-east-1b"

[[instance]]
id = "db"
subnet = "b1"

[[vpc_peering]]
id = "pcx"
requester = "a"
accepter = "b"

[[vpc]]
id = "c"
cidrs = ["10.2.0.0/16"]

[[subnet]]
id = "c1"
vpc = "c"
cidr = "10.2.1.0/24"
az = "us-east-1a"

[[subnet]]
id = "c2"
vpc = "c"
cidr = "10.2.2.0/24"
az = "us-east-1b"

[[security_group]]
id = "sg-fn"
vpc = "c"

[[lambda]]
id = "fn"
subnets = ["c1", "c2"]
security_groups = ["sg-fn"]
"#;

fn design() -> Design {
    match crate::model::load_str("x.toml", TEXT) {
        Ok(l) => l.design,
        Err(r) => panic!("the test design does not load: {r:?}"),
    }
}

fn ipv4_to(dst: [u8; 4]) -> Vec<u8> {
    let mut b = vec![0u8; 20];
    b[0] = 0x45;
    b[16..20].copy_from_slice(&dst);
    b
}

fn instance_eni(d: &Design, name: &str) -> EniId {
    let i = d
        .instances
        .iter()
        .position(|i| i.name == name)
        .unwrap_or_else(|| panic!("no instance {name}"));
    d.instances[i].eni
}

#[test]
fn one_lp_per_vpc_and_az_and_one_outside() {
    let d = design();
    let p = Partition::new(&d);
    // a/1a, a/1b, b/1b, c/1a+1b (its Lambda function joins them), outside.
    assert_eq!(p.count, 5);
    assert_eq!(p.outside, 4);
    let names: Vec<String> = (0..p.count).map(|lp| p.name(&d, lp)).collect();
    assert_eq!(
        names,
        [
            "a/us-east-1a",
            "a/us-east-1b",
            "b/us-east-1b",
            "c/us-east-1a+us-east-1b",
            "outside"
        ]
    );
    let (web, app) = (instance_eni(&d, "web"), instance_eni(&d, "app"));
    assert_eq!(p.of_eni(&d, web), 0);
    assert_eq!(p.of_eni(&d, app), 1);
    // The NAT gateway's port table stays with its subnet's AZ.
    assert_eq!(p.of_nat(NatId(0)), 0);
    assert_eq!(p.of_loc(&d, Loc::NatOut(NatId(0)), &[]), Some(0));
    // Every Hyperplane ENI of the function runs with it.
    for e in &d.lambdas[0].enis {
        assert_eq!(p.of_eni(&d, *e), 3);
    }
    assert_eq!(p.of_source(&d, Source::Lambda(LambdaId(0))), 3);
}

#[test]
fn lookahead_is_the_cross_az_minimum_once_a_vpc_spans_azs() {
    let d = design();
    let p = Partition::new(&d);
    assert_eq!(p.lookahead, d.latency.cross_az.min);
    // One VPC in one AZ: only the region's edge separates LPs.
    let one = "[scenario]\nname = \"x\"\nduration = \"1s\"\n\
        [[vpc]]\nid = \"v\"\ncidrs = [\"10.0.0.0/24\"]\n\
        [[subnet]]\nid = \"s\"\nvpc = \"v\"\ncidr = \"10.0.0.0/25\"\naz = \"us-east-1a\"\n\
        [[subnet]]\nid = \"t\"\nvpc = \"v\"\ncidr = \"10.0.0.128/25\"\naz = \"us-east-1a\"\n";
    let d1 = crate::model::load_str("x.toml", one).expect("valid").design;
    let p1 = Partition::new(&d1);
    assert_eq!(p1.count, 2);
    assert_eq!(p1.lookahead, d1.latency.edge().min);
}

#[test]
fn regional_gateways_run_in_the_lp_of_the_eni_the_packet_enters() {
    let d = design();
    let p = Partition::new(&d);
    let igw = IgwId(0);
    // Outbound: where the packet is.
    let out = Loc::Igw {
        igw,
        outbound: true,
    };
    assert_eq!(p.of_loc(&d, out, &ipv4_to([1, 2, 3, 4])), None);
    // Inbound to the web instance's public address: its AZ's LP.
    let web = &d.enis[instance_eni(&d, "web").idx()];
    let public = web.public_ip.expect("web has a public IP").octets();
    let inbound = Loc::Igw {
        igw,
        outbound: false,
    };
    assert_eq!(p.of_loc(&d, inbound, &ipv4_to(public)), Some(0));
    // Over the peering into VPC a, to the instance of AZ 1b.
    let app = d.enis[instance_eni(&d, "app").idx()].ip.octets();
    let into_a = Loc::Peering {
        peering: PeeringId(0),
        into: VpcId(0),
    };
    assert_eq!(p.of_loc(&d, into_a, &ipv4_to(app)), Some(1));
    // An address no ENI has: the subnet that holds it; outside every
    // subnet, the VPC's first LP.
    assert_eq!(p.of_loc(&d, into_a, &ipv4_to([10, 0, 2, 200])), Some(1));
    assert_eq!(p.of_loc(&d, into_a, &ipv4_to([10, 0, 9, 9])), Some(0));
    // A VPC of one LP needs no address.
    let into_b = Loc::Peering {
        peering: PeeringId(0),
        into: VpcId(1),
    };
    assert_eq!(p.of_loc(&d, into_b, &[]), Some(2));
    assert_eq!(p.of_loc(&d, Loc::Internet, &[]), Some(p.outside));
}
