//! The flows anyone asks of an imported account, on the shared snapshots,
//! against AWS's rules: each snapshot is imported once with no hand edits,
//! and every row of its table is `explain`ed and compared with the verdict,
//! reason, place and gateways that the rules named in the row give.
//!
//! The tables were written from the snapshots' JSON (security groups,
//! network ACLs, route tables) read against `docs/aws-rules.md`, not from
//! vpcsim's output. Without `../../shared/aws-snapshots` the tests print a
//! note and pass.

use std::path::{Path, PathBuf};

use vpcsim::explain::{self, Query};
use vpcsim::import::{AwsOptions, import_aws_with};
use vpcsim::model::{Design, load_str};

fn snapshot(name: &str) -> Option<Design> {
    snapshot_with(name, &AwsOptions::default())
}

/// `import aws --onprem VPN=CIDR`: the prefixes of a BGP VPN that the files
/// do not hold.
fn onprem(vpn: &str, cidrs: &[&str]) -> AwsOptions {
    AwsOptions {
        onprem: vec![(
            vpn.to_string(),
            cidrs.iter().map(|c| c.parse().expect("a CIDR")).collect(),
        )],
        ..AwsOptions::default()
    }
}

fn snapshot_with(name: &str, options: &AwsOptions) -> Option<Design> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/aws-snapshots")
        .join(name);
    if !dir.is_dir() {
        eprintln!("note: {} not found; skipped", dir.display());
        return None;
    }
    let dir: PathBuf = dir;
    let imported = import_aws_with(&dir, options).unwrap_or_else(|e| panic!("{name}: {e}"));
    match load_str(name, &imported.text) {
        Ok(l) => Some(l.design),
        Err(r) => panic!("{name}: {}", r.lines().collect::<Vec<_>>().join("\n")),
    }
}

/// One row: from, to, protocol, port, expected outcome (`None`: delivered;
/// else reason and place), components crossed in order, the rules that
/// decide it.
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<u16>,
    Option<(&'a str, &'a str)>,
    &'a [&'a str],
    &'a str,
);

fn check_all(d: &Design, rows: &[Row<'_>]) {
    let mut wrong = Vec::new();
    for &(from, to, protocol, port, drop, path, rules) in rows {
        let q = Query {
            from: from.to_string(),
            to: to.to_string(),
            protocol: explain::protocol_number(protocol).expect("protocol"),
            port,
            icmp_type: None,
            icmp_code: None,
            at: vpcsim::units::Nanos::ZERO,
            enter: None,
        };
        let e = match explain::explain(d.clone(), &q) {
            Ok(e) => e,
            Err(err) => {
                wrong.push(format!("{from} -> {to} ({rules}): {err}"));
                continue;
            }
        };
        let got = match (e.verdict, e.reason) {
            (explain::Verdict::Delivered, _) => None,
            (_, r) => Some((
                r.unwrap_or("").to_string(),
                e.drop_at.clone().unwrap_or_default(),
            )),
        };
        let want = drop.map(|(r, p)| (r.to_string(), p.to_string()));
        let hops: Vec<&str> = e.hops.iter().map(|h| h.component.as_str()).collect();
        let mut rest = hops.iter();
        let crosses = path.iter().all(|w| rest.any(|h| h == w));
        if got != want || !crosses {
            wrong.push(format!(
                "{from} -> {to} {protocol} {port:?} ({rules}): expected {want:?} across {path:?}, got {got:?} across {hops:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

const NET: &str = "198.51.100.7"; // an internet host (OPEN-1)
const DNS: &str = "8.8.8.8";
/// An S3 address of the snapshot's region: com.amazonaws.us-east-1.s3 and
/// com.amazonaws.us-east-2.s3, both built in (OPEN-2).
const S3_USE1: &str = "52.216.8.1";
const S3_USE2: &str = "52.219.80.10";

/// One subnet, two instances, only the local route; each group allows TCP
/// 22 from anywhere and nothing else in, everything out.
#[test]
fn rt_3_sg_1_test_subnet_flows() {
    let Some(d) = snapshot("test-subnet") else {
        return;
    };
    let (a, b, rt) = (
        "i-08ef86e76fceabd8d",
        "i-07519d6ba3f9497e4",
        "rtb-07243bb4843d61c35",
    );
    let nr = Some(("no_route", rt));
    let rows: &[Row<'_>] = &[
        (
            a,
            DNS,
            "tcp",
            Some(443),
            nr,
            &[a, rt],
            "RT-3: only the local route",
        ),
        (b, DNS, "tcp", Some(443), nr, &[b, rt], "RT-3"),
        (a, S3_USE2, "tcp", Some(443), nr, &[a, rt], "RT-3"),
        (b, S3_USE2, "tcp", Some(443), nr, &[b, rt], "RT-3"),
        (
            a,
            b,
            "tcp",
            Some(22),
            None,
            &[a, b],
            "RT-2, SG-1, SG-3, NACL-1",
        ),
        (
            b,
            a,
            "tcp",
            Some(22),
            None,
            &[b, a],
            "RT-2, SG-1, SG-3, NACL-1",
        ),
        (
            a,
            b,
            "icmp",
            None,
            Some(("sg_ingress_denied", b)),
            &[a],
            "SG-1: no ICMP rule",
        ),
        (
            b,
            a,
            "icmp",
            None,
            Some(("sg_ingress_denied", a)),
            &[b],
            "SG-1",
        ),
        (
            NET,
            "10.10.1.228",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
    ];
    check_all(&d, rows);
}

/// One public subnet (0/0 to the internet gateway), one instance with a
/// public IP; its group allows TCP 22 in.
#[test]
fn igw_2_test_public_subnet_flows() {
    let Some(d) = snapshot("test-public-subnet") else {
        return;
    };
    let (i, rt, igw) = (
        "i-06669a407b2ef3ae5",
        "rtb-0489000c9e6c299e8",
        "igw-0a409e562d251f766",
    );
    let rows: &[Row<'_>] = &[
        (
            i,
            DNS,
            "tcp",
            Some(443),
            None,
            &[i, rt, igw],
            "IGW-2, OPEN-1",
        ),
        (
            i,
            S3_USE2,
            "tcp",
            Some(443),
            None,
            &[i, rt, igw],
            "IGW-2, OPEN-2",
        ),
        (
            NET,
            "18.216.80.133",
            "tcp",
            Some(22),
            None,
            &[igw, i],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "18.216.80.133",
            "icmp",
            None,
            Some(("sg_ingress_denied", i)),
            &[igw],
            "SG-1: no ICMP rule",
        ),
        (
            NET,
            "10.0.0.91",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
    ];
    check_all(&d, rows);
}

/// A public subnet with a NAT gateway and a jump host, a private subnet
/// routed to the NAT gateway, and a local-only subnet; one group for all
/// three instances (TCP 22 and ICMP echo in from anywhere).
#[test]
fn nat_3_test_nat_gateway_flows() {
    let Some(d) = snapshot("test-nat-gateway") else {
        return;
    };
    let (jump, private, local) = (
        "i-0b31b509174d7f5de",
        "i-0a128d26e59be60f3",
        "i-0a73a1a6021c03ddb",
    );
    let (rt_pub, rt_priv, rt_main) = (
        "rtb-0ddf14681733ed0b7",
        "rtb-02fe228b42de92a7c",
        "rtb-0e169c4a1e0b27b55",
    );
    let (igw, nat) = ("igw-071753b9c23d8a9b2", "nat-07ab4846da51f4612");
    const NAT_EIP: &str = "3.135.127.225";
    let nr = Some(("no_route", rt_main));
    let base: &[Row<'_>] = &[
        (
            jump,
            DNS,
            "tcp",
            Some(443),
            None,
            &[jump, rt_pub, igw],
            "IGW-2, OPEN-1",
        ),
        (
            jump,
            S3_USE2,
            "tcp",
            Some(443),
            None,
            &[jump, rt_pub, igw],
            "IGW-2, OPEN-2",
        ),
        (
            private,
            DNS,
            "tcp",
            Some(443),
            None,
            &[private, rt_priv, nat, igw],
            "NAT-3, IGW-2, OPEN-1",
        ),
        (
            private,
            S3_USE2,
            "tcp",
            Some(443),
            None,
            &[private, rt_priv, nat, igw],
            "NAT-3, IGW-2, OPEN-2",
        ),
        (
            local,
            DNS,
            "tcp",
            Some(443),
            nr,
            &[local, rt_main],
            "RT-3: local route only",
        ),
        (
            local,
            S3_USE2,
            "tcp",
            Some(443),
            nr,
            &[local, rt_main],
            "RT-3",
        ),
        (
            NET,
            "18.216.129.140",
            "tcp",
            Some(22),
            None,
            &[igw, jump],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "18.216.129.140",
            "icmp",
            None,
            None,
            &[igw, jump],
            "IGW-2, SG-1: ICMP echo allowed",
        ),
        (
            NET,
            "10.1.1.98",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
        // The NAT gateway's Elastic IP: the internet gateway carries the
        // packet to it, and the gateway answers nothing it did not start.
        (
            NET,
            NAT_EIP,
            "tcp",
            Some(22),
            Some(("port_unreachable", nat)),
            &[igw, nat],
            "IGW-2, NAT-3: unsolicited inbound",
        ),
        (
            NET,
            NAT_EIP,
            "icmp",
            None,
            Some(("port_unreachable", nat)),
            &[igw, nat],
            "IGW-2, NAT-3: unsolicited inbound",
        ),
    ];
    let mut rows: Vec<Row<'_>> = base.to_vec();
    // Every instance to every other: the group allows TCP 22 and ICMP echo
    // from anywhere; the public subnet's ACL allows every packet in and out
    // (its outbound rule 100 allows ICMP to 10.1.1.0/24, rule 200 the rest).
    let all = [jump, private, local];
    for a in all {
        for b in all {
            if a != b {
                rows.push((a, b, "tcp", Some(22), None, &[], "RT-2, SG-1, SG-3, NACL-2"));
                rows.push((a, b, "icmp", None, None, &[], "RT-2, SG-1, SG-3, NACL-2"));
            }
        }
    }
    check_all(&d, &rows);
}

/// Three VPCs: A peers with B and with C, which share the same CIDR; each
/// group allows TCP 22 in. B and C cannot name each other by instance id
/// (no private path, no public IP: DNS-1), so their rows give addresses. B's table keeps 0/0 to a deleted internet
/// gateway (blackhole).
#[test]
fn pcx_1_test_vpc_peering_flows() {
    let Some(d) = snapshot("test-vpc-peering") else {
        return;
    };
    let (a, b, c) = (
        "i-06ba034d88c84ef07",
        "i-0b14080af811fda3d",
        "i-04a292ff83b3aa833",
    );
    let (rt_a, rt_b, rt_c) = (
        "rtb-0891861fffaea6d52",
        "rtb-017c36290c9baf017",
        "rtb-0890ea815555d4457",
    );
    let (ab, ac) = ("pcx-0b89b559e3319d6cf", "pcx-0d5b836985ac8ca8c");
    let rows: &[Row<'_>] = &[
        (
            a,
            DNS,
            "tcp",
            Some(443),
            Some(("no_route", rt_a)),
            &[a, rt_a],
            "RT-3",
        ),
        (
            b,
            DNS,
            "tcp",
            Some(443),
            Some(("route_blackhole", rt_b)),
            &[b, rt_b],
            "RT-5",
        ),
        (
            c,
            DNS,
            "tcp",
            Some(443),
            Some(("no_route", rt_c)),
            &[c, rt_c],
            "RT-3",
        ),
        (
            a,
            S3_USE2,
            "tcp",
            Some(443),
            Some(("no_route", rt_a)),
            &[a, rt_a],
            "RT-3",
        ),
        (
            b,
            S3_USE2,
            "tcp",
            Some(443),
            Some(("route_blackhole", rt_b)),
            &[b, rt_b],
            "RT-5",
        ),
        (
            c,
            S3_USE2,
            "tcp",
            Some(443),
            Some(("no_route", rt_c)),
            &[c, rt_c],
            "RT-3",
        ),
        (
            a,
            b,
            "tcp",
            Some(22),
            None,
            &[a, rt_a, ab, b],
            "PCX-1, SG-1",
        ),
        (
            b,
            a,
            "tcp",
            Some(22),
            None,
            &[b, rt_b, ab, a],
            "PCX-1, SG-1",
        ),
        (
            a,
            c,
            "tcp",
            Some(22),
            None,
            &[a, rt_a, ac, c],
            "PCX-1, SG-1",
        ),
        (
            c,
            a,
            "tcp",
            Some(22),
            None,
            &[c, rt_c, ac, a],
            "PCX-1, SG-1",
        ),
        (
            a,
            b,
            "icmp",
            None,
            Some(("sg_ingress_denied", b)),
            &[ab],
            "PCX-1, SG-1: no ICMP rule",
        ),
        (
            b,
            a,
            "icmp",
            None,
            Some(("sg_ingress_denied", a)),
            &[ab],
            "PCX-1, SG-1",
        ),
        (
            a,
            c,
            "icmp",
            None,
            Some(("sg_ingress_denied", c)),
            &[ac],
            "PCX-1, SG-1",
        ),
        (
            c,
            a,
            "icmp",
            None,
            Some(("sg_ingress_denied", a)),
            &[ac],
            "PCX-1, SG-1",
        ),
        (
            b,
            "192.168.2.229",
            "tcp",
            Some(22),
            Some(("host_unreachable", rt_b)),
            &[b, rt_b],
            "RT-2, PCX-1: B and C share 192.168.0.0/16 and are not peered; the local route keeps the packet in the sender's VPC, where no interface has the address",
        ),
        (
            b,
            "192.168.2.229",
            "icmp",
            None,
            Some(("host_unreachable", rt_b)),
            &[b, rt_b],
            "RT-2, PCX-1: B and C share 192.168.0.0/16 and are not peered; the local route keeps the packet in the sender's VPC, where no interface has the address",
        ),
        (
            c,
            "192.168.1.106",
            "tcp",
            Some(22),
            Some(("host_unreachable", rt_c)),
            &[c, rt_c],
            "RT-2, PCX-1: B and C share 192.168.0.0/16 and are not peered; the local route keeps the packet in the sender's VPC, where no interface has the address",
        ),
        (
            c,
            "192.168.1.106",
            "icmp",
            None,
            Some(("host_unreachable", rt_c)),
            &[c, rt_c],
            "RT-2, PCX-1: B and C share 192.168.0.0/16 and are not peered; the local route keeps the packet in the sender's VPC, where no interface has the address",
        ),
        (
            NET,
            "10.10.10.157",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
    ];
    check_all(&d, rows);
}

/// An S3 gateway endpoint routed by prefix list in both subnets' tables; the
/// public subnet also routes 0/0 to the internet gateway. One group for both
/// instances: TCP 22 and 443, ICMP echo, UDP 33434-33534 in from anywhere.
#[test]
fn gwe_2_test_vpc_endpoint_gateway_flows() {
    let Some(d) = snapshot("test-vpc-endpoint-gateway") else {
        return;
    };
    let (p, q) = ("i-0464d440ca0ee9e34", "i-01c6c0647fdccc89e");
    let (rt_pub, rt_priv) = ("rtb-0efde4139784b75b0", "rtb-04f71fc2caa8d94cf");
    let (igw, vpce) = ("igw-0c8afe4471084ccba", "vpce-0b7357542bb7b83ec");
    let rows: &[Row<'_>] = &[
        (
            p,
            DNS,
            "tcp",
            Some(443),
            None,
            &[p, rt_pub, igw],
            "IGW-2, OPEN-1",
        ),
        (
            q,
            DNS,
            "tcp",
            Some(443),
            Some(("no_route", rt_priv)),
            &[q, rt_priv],
            "RT-3",
        ),
        (
            p,
            S3_USE1,
            "tcp",
            Some(443),
            None,
            &[p, rt_pub, vpce],
            "RT-3, GWE-2, OPEN-2",
        ),
        (
            q,
            S3_USE1,
            "tcp",
            Some(443),
            None,
            &[q, rt_priv, vpce],
            "GWE-2, OPEN-2",
        ),
        (p, q, "tcp", Some(22), None, &[p, q], "RT-2, SG-1"),
        (q, p, "tcp", Some(22), None, &[q, p], "RT-2, SG-1"),
        (p, q, "icmp", None, None, &[p, q], "RT-2, SG-1"),
        (q, p, "icmp", None, None, &[q, p], "RT-2, SG-1"),
        (
            NET,
            "18.206.223.222",
            "tcp",
            Some(22),
            None,
            &[igw, p],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "18.206.223.222",
            "icmp",
            None,
            None,
            &[igw, p],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "10.1.101.36",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
    ];
    check_all(&d, rows);
}

/// Both subnets on one table with 0/0 to the internet gateway; one instance
/// has a public IP. A CloudTrail interface endpoint at 10.1.101.97 whose
/// group allows TCP 443 (as the instances' group, which also allows 22 and
/// ICMP echo).
#[test]
fn ife_1_test_vpc_endpoint_interface_flows() {
    let Some(d) = snapshot("test-vpc-endpoint-interface") else {
        return;
    };
    let (r, s) = ("i-0eb6eb395a0d09117", "i-0a0fbd0cfa774970f");
    let (rt, igw, vpce) = (
        "rtb-07e4f0e11d543c220",
        "igw-051ef323d8b6da33a",
        "vpce-083c683a6be29b889",
    );
    let rows: &[Row<'_>] = &[
        (
            r,
            DNS,
            "tcp",
            Some(443),
            None,
            &[r, rt, igw],
            "IGW-2, OPEN-1",
        ),
        (
            s,
            DNS,
            "tcp",
            Some(443),
            Some(("no_public_ip", igw)),
            &[s, rt, igw],
            "IGW-3",
        ),
        (
            r,
            S3_USE1,
            "tcp",
            Some(443),
            None,
            &[r, rt, igw],
            "IGW-2, OPEN-2",
        ),
        (
            s,
            S3_USE1,
            "tcp",
            Some(443),
            Some(("no_public_ip", igw)),
            &[s, rt, igw],
            "IGW-3",
        ),
        (r, s, "tcp", Some(22), None, &[r, s], "RT-2, SG-1"),
        (s, r, "tcp", Some(22), None, &[s, r], "RT-2, SG-1"),
        (r, s, "icmp", None, None, &[r, s], "RT-2, SG-1"),
        (s, r, "icmp", None, None, &[s, r], "RT-2, SG-1"),
        (
            r,
            "10.1.101.97",
            "tcp",
            Some(443),
            None,
            &[r, vpce],
            "IFE-1, SG-1",
        ),
        (
            s,
            "10.1.101.97",
            "tcp",
            Some(443),
            None,
            &[s, vpce],
            "IFE-1, SG-1",
        ),
        (
            NET,
            "3.86.201.253",
            "tcp",
            Some(22),
            None,
            &[igw, r],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "3.86.201.253",
            "icmp",
            None,
            None,
            &[igw, r],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "10.1.101.63",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
    ];
    check_all(&d, rows);
}

/// A public subnet (0/0 to the internet gateway) and a private one on the
/// main table (0/0 to the VPN gateway, which propagates 19.168.0.0/16 of a
/// static VPN, imported with its tunnels up). Both groups allow TCP 22 in.
#[test]
fn vpn_2_test_public_private_subnet_flows() {
    let Some(d) = snapshot("test-public-private-subnet") else {
        return;
    };
    let (x, y) = ("i-094a9e5b545a4fde4", "i-099cf38911942421c");
    let (rt_pub, rt_main) = ("rtb-0d20fcae075afe460", "rtb-002f0eabf583bf991");
    let (igw, vgw, vpn) = (
        "igw-0eac198308206c358",
        "vgw-070087240d6fa2989",
        "vpn-05044757278685fd3",
    );
    let rows: &[Row<'_>] = &[
        (
            x,
            DNS,
            "tcp",
            Some(443),
            None,
            &[x, rt_pub, igw],
            "IGW-2, OPEN-1",
        ),
        (
            y,
            DNS,
            "tcp",
            Some(443),
            Some(("no_route", vgw)),
            &[y, rt_main, vgw],
            "RT-3, VPN-2",
        ),
        (
            x,
            S3_USE2,
            "tcp",
            Some(443),
            None,
            &[x, rt_pub, igw],
            "IGW-2, OPEN-2",
        ),
        (
            y,
            S3_USE2,
            "tcp",
            Some(443),
            Some(("no_route", vgw)),
            &[y, rt_main, vgw],
            "RT-3, VPN-2",
        ),
        (x, y, "tcp", Some(22), None, &[x, y], "RT-2, SG-1"),
        (y, x, "tcp", Some(22), None, &[y, x], "RT-2, SG-1"),
        (
            x,
            y,
            "icmp",
            None,
            Some(("sg_ingress_denied", y)),
            &[x],
            "SG-1: no ICMP rule",
        ),
        (
            y,
            x,
            "icmp",
            None,
            Some(("sg_ingress_denied", x)),
            &[y],
            "SG-1",
        ),
        (
            NET,
            "13.58.55.60",
            "tcp",
            Some(22),
            None,
            &[igw, x],
            "IGW-2, SG-1",
        ),
        (
            NET,
            "13.58.55.60",
            "icmp",
            None,
            Some(("sg_ingress_denied", x)),
            &[igw],
            "SG-1",
        ),
        (
            NET,
            "10.0.1.204",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
        (
            "19.168.0.5",
            y,
            "tcp",
            Some(22),
            None,
            &[vpn, vgw, y],
            "VPN-2, VPN-3, SG-1",
        ),
        (
            y,
            "19.168.0.5",
            "tcp",
            Some(22),
            None,
            &[y, rt_main, vgw, vpn],
            "VPN-1, VPN-3, OPEN-3",
        ),
    ];
    check_all(&d, rows);
}

/// One private subnet on the main table (0/0 to the VPN gateway) and a BGP
/// VPN whose prefixes the files lack, declared with `--onprem`; the group
/// allows TCP 22 in.
#[test]
fn vpn_1_test_vpn_gateway_flows() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/aws-snapshots/test-vpn-gateway");
    if !dir.is_dir() {
        eprintln!("note: {} not found; skipped", dir.display());
        return;
    }
    let vpn = "vpn-03701a53bba3c48b7";
    let options = vpcsim::import::AwsOptions {
        onprem: vec![(vpn.to_string(), vec!["192.168.0.0/16".parse().unwrap()])],
        ..Default::default()
    };
    let imported = vpcsim::import::import_aws_with(&dir, &options).expect("imports");
    let d = load_str("test-vpn-gateway", &imported.text)
        .expect("loads")
        .design;
    let (y, rt, vgw) = (
        "i-099cf38911942421c",
        "rtb-0d20fcae075afe460",
        "vgw-0c09bd7fadac961bf",
    );
    let rows: &[Row<'_>] = &[
        (
            y,
            DNS,
            "tcp",
            Some(443),
            Some(("no_route", vgw)),
            &[y, rt, vgw],
            "RT-3, VPN-2",
        ),
        (
            y,
            S3_USE2,
            "tcp",
            Some(443),
            Some(("no_route", vgw)),
            &[y, rt, vgw],
            "RT-3, VPN-2",
        ),
        (
            NET,
            "10.0.1.204",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
        (
            "192.168.7.7",
            y,
            "tcp",
            Some(22),
            None,
            &[vpn, vgw, y],
            "VPN-2, VPN-3, SG-1",
        ),
        (
            "192.168.7.7",
            y,
            "icmp",
            None,
            Some(("sg_ingress_denied", y)),
            &[vpn, vgw],
            "SG-1",
        ),
        (
            y,
            "192.168.7.7",
            "tcp",
            Some(22),
            None,
            &[y, rt, vgw, vpn],
            "RT-3, VPN-3, OPEN-3",
        ),
    ];
    check_all(&d, rows);
}

/// A transit gateway with two tables. The VPC with the one instance, the
/// Direct Connect gateway and a BGP VPN attach to `tgw-rtb-dx01`, associated
/// and propagating; the isolated VPC associates with and propagates into
/// `tgw-rtb-iso01` only. Both VPCs send 0/0 to the transit gateway; there is
/// no internet gateway. The VPN's prefixes are not in the files and are
/// declared with `--onprem`; the instance's group and ACL allow everything.
#[test]
fn tgw_3_test_direct_connect_gateway_flows() {
    let Some(d) = snapshot_with(
        "test-direct-connect-gateway",
        &onprem("vpn-dx-test", &["10.10.0.0/16"]),
    ) else {
        return;
    };
    let (i, rt, tgw, trt) = ("i-dx01", "rtb-dx01", "tgw-dx01", "tgw-rtb-dx01");
    let (att, vpn) = ("tgw-attach-vpn-dx-test", "vpn-dx-test");
    let office = "10.10.0.5";
    let nr = Some(("no_route", trt));
    let rows: &[Row<'_>] = &[
        (
            i,
            DNS,
            "tcp",
            Some(443),
            nr,
            &[i, rt, tgw, trt],
            "RT-3, TGW-3: the hub's table has no route to the internet",
        ),
        (
            i,
            S3_USE1,
            "tcp",
            Some(443),
            nr,
            &[i, rt, tgw, trt],
            "TGW-3: nor to S3",
        ),
        (
            i,
            "10.200.1.10",
            "tcp",
            Some(22),
            nr,
            &[i, rt, tgw, trt],
            "TGW-3: the isolated VPC propagates only into its own table",
        ),
        (
            i,
            office,
            "tcp",
            Some(22),
            None,
            &[i, rt, tgw, trt, att, vpn],
            "TGW-9, VPN-1: the VPN's prefix is propagated",
        ),
        (
            i,
            office,
            "icmp",
            None,
            None,
            &[i, rt, tgw, trt, att, vpn],
            "TGW-9",
        ),
        (
            office,
            i,
            "tcp",
            Some(22),
            None,
            &[att, tgw, trt, i],
            "TGW-9, TGW-3, SG-1",
        ),
        (
            office,
            i,
            "icmp",
            None,
            None,
            &[att, tgw, trt, i],
            "TGW-9, SG-1",
        ),
        (
            NET,
            "10.100.1.10",
            "tcp",
            Some(22),
            Some(("no_internet_route", "internet")),
            &[],
            "OPEN-1",
        ),
    ];
    check_all(&d, rows);
}
