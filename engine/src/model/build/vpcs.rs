//! VPCs, prefix lists and subnets: the address space of the design.

use super::*;

impl Builder<'_> {
    pub(super) fn vpcs(&mut self) {
        let raw = self.raw;
        for v in &raw.vpcs {
            let owner = format!("VPC `{}`", shown_id(&v.id.v));
            let mut cidrs: Vec<Ipv4Net> = Vec::new();
            match &v.cidrs {
                // Empty because its items were unreadable: reported.
                Some(list) if list.v.is_empty() && !self.unreadable(&v.id.span, "cidrs") => {
                    self.err(
                        &list.span,
                        format!("{owner} needs at least one CIDR in `cidrs`"),
                    );
                }
                Some(list) => {
                    for c in &list.v {
                        if !(16..=28).contains(&c.v.prefix_len()) {
                            self.err(
                                &c.span,
                                format!(
                                    "{owner}: CIDR `{}` is a /{}; a VPC CIDR is /16 to /28 (ADDR-1)",
                                    c.v,
                                    c.v.prefix_len()
                                ),
                            );
                            continue;
                        }
                        if let Some(why) = refused_vpc_range(c.v) {
                            let msg = format!(
                                "{owner}: CIDR `{}` is in {why}, which AWS does not assign to a VPC (ADDR-7); use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16), 100.64.0.0/10, or a public range you own",
                                c.v
                            );
                            self.err(&c.span, msg);
                            continue;
                        }
                        // The primary CIDR is the first of the list; when it
                        // was refused (reported), its secondaries are not
                        // judged against it.
                        let primary = list.v.first().filter(|p| cidrs.first() == Some(&p.v));
                        if let Some(p) = primary.filter(|p| p.v != c.v) {
                            if let Some(why) = refused_secondary(p.v, c.v) {
                                let msg = format!(
                                    "{owner}: secondary CIDR `{}` cannot be added to a VPC whose primary CIDR is `{}`: {why} (ADDR-7)",
                                    c.v, p.v
                                );
                                self.err(&c.span, msg);
                                continue;
                            }
                        }
                        if let Some(o) = cidrs.iter().find(|o| o.contains(&c.v) || c.v.contains(*o))
                        {
                            let msg =
                                format!("{owner}: CIDR `{}` overlaps `{o}` of the same VPC", c.v);
                            self.err(&c.span, msg);
                            continue;
                        }
                        cidrs.push(c.v);
                    }
                    if list.v.len() > 5 {
                        self.warn(
                            &list.span,
                            format!(
                                "{owner} has {} CIDRs; AWS allows 5 per VPC by default (ADDR-1)",
                                list.v.len()
                            ),
                        );
                    }
                }
                None => {}
            }
            let dns_support = v.enable_dns_support.as_ref().is_none_or(|b| b.v);
            let dns_hostnames = v.enable_dns_hostnames.as_ref().is_none_or(|b| b.v);
            if let (Some(h), false) = (&v.enable_dns_hostnames, dns_support) {
                if h.v {
                    self.err(
                        &h.span,
                        format!("{owner}: `enable_dns_hostnames = true` needs `enable_dns_support = true`; AWS enables DNS hostnames only in a VPC with DNS support (DNS-2)"),
                    );
                }
            }
            self.design.vpcs.push(Vpc {
                name: v.id.v.clone(),
                cidrs,
                main_route_table: None,
                default_nacl: None,
                default_sg: None,
                igw: None,
                vgw: None,
                subnets: vec![],
                dns_support,
                dns_hostnames,
                region: self.region.clone(),
            });
        }
        // VPCs of one file may overlap (they are separate networks) unless
        // they are peered; that is checked with the peerings.
    }

    pub(super) fn prefix_lists(&mut self) {
        let raw = self.raw;
        for p in &raw.prefix_lists {
            if p.cidrs.is_empty() && !self.unreadable(&p.id.span, "cidrs") {
                self.warn(&p.id.span, format!("prefix list `{}` has no CIDRs", p.id.v));
            }
            self.design.prefix_lists.push(PrefixList {
                name: p.id.v.clone(),
                list_name: p
                    .name
                    .as_ref()
                    .map_or_else(|| p.id.v.clone(), |n| n.v.clone()),
                cidrs: p.cidrs.iter().map(|c| c.v).collect(),
            });
        }
    }

    pub(super) fn subnets(&mut self) {
        let raw = self.raw;
        // The subnets of each VPC that overlap no other, by (VPC, first
        // address) -> (last address, subnet). They are disjoint, so the one
        // that starts last before a new subnet ends is the only one that can
        // overlap it: one lookup per subnet, even in a file of thousands.
        let mut placed: BTreeMap<(VpcId, u32), (u32, SubnetId)> = BTreeMap::new();
        for s in &raw.subnets {
            let owner = format!("subnet `{}`", shown_id(&s.id.v));
            let vpc = self.vpc_ref(&owner, &s.vpc);
            // Without one (reported), the subnet's VPC is a stand-in.
            self.unsettled |= vpc.is_none();
            let mut cidr = Ipv4Net::default();
            if let Some(c) = &s.cidr {
                cidr = c.v;
                if !(16..=28).contains(&c.v.prefix_len()) {
                    self.err(
                        &c.span,
                        format!(
                            "{owner}: CIDR `{}` is a /{}; a subnet is /16 to /28 (ADDR-2)",
                            c.v,
                            c.v.prefix_len()
                        ),
                    );
                } else if let Some(vpc) = vpc {
                    let vpc_data = &self.design.vpcs[vpc.idx()];
                    if !vpc_data.cidrs.is_empty()
                        && !vpc_data.cidrs.iter().any(|v| v.contains(&c.v))
                    {
                        let list: Vec<String> =
                            vpc_data.cidrs.iter().map(|c| c.to_string()).collect();
                        let msg = format!(
                            "{owner}: CIDR `{}` is outside every CIDR of VPC `{}` ({})",
                            c.v,
                            vpc_data.name,
                            list.join(", ")
                        );
                        self.err(&c.span, msg);
                    } else {
                        let (first, last) = (u32::from(c.v.network()), u32::from(c.v.broadcast()));
                        let before = placed.range((vpc, 0)..=(vpc, last)).next_back();
                        match before {
                            Some((_, (end, other))) if *end >= first => {
                                let other = &self.subnets[other.idx()];
                                let msg = format!(
                                    "{owner}: CIDR `{}` overlaps subnet `{}` ({}) (ADDR-2)",
                                    c.v, other.name, other.cidr
                                );
                                self.err(&c.span, msg);
                            }
                            _ => {
                                let id = SubnetId::from_idx(self.subnets.len());
                                placed.insert((vpc, first), (last, id));
                            }
                        }
                    }
                }
            }
            let id = SubnetId::from_idx(self.subnets.len());
            if let (Some(vpc), Some(_)) = (vpc, &s.cidr) {
                self.design.vpcs[vpc.idx()].subnets.push(id);
            }
            let az =
                s.az.as_ref()
                    .map_or_else(|| format!("{}a", self.region), |a| a.v.clone());
            self.subnets.push(SubnetDraft {
                name: s.id.v.clone(),
                vpc: vpc.unwrap_or(VpcId(0)),
                cidr,
                az,
                zone: AzId(0),
                route_table: None,
                nacl: None,
                enis: vec![],
            });
        }
    }

    /// Each subnet's zone against the Region of its own VPC, once the
    /// transit gateways and peerings have placed VPCs of other Regions
    /// (TGW-10, ADDR-6): a zone of another Region is a mistake the file
    /// makes, warned about; a subnet given no zone is in its VPC's Region.
    pub(super) fn subnet_zones(&mut self) {
        let raw = self.raw;
        for (i, s) in raw.subnets.iter().enumerate() {
            let Some(sub) = self.subnets.get(i) else {
                continue;
            };
            let Some(vpc) = self.design.vpcs.get(sub.vpc.idx()) else {
                continue;
            };
            let region = vpc.region.clone();
            // A file of another region was reported: its zones are not
            // checked against the scenario's.
            let wrong_file = self
                .sources
                .wrong_region
                .contains(&self.sources.file_of(s.id.span.start));
            match &s.az {
                Some(_) if wrong_file => {}
                Some(a) if !zone_in_region(&a.v, &region) => {
                    let whose = if region == self.region {
                        format!("the scenario's region `{region}`")
                    } else {
                        format!("region `{region}` of its VPC `{}`", vpc.name)
                    };
                    let msg = format!(
                        "subnet `{}`: availability zone `{}` is not in {whose}",
                        s.id.v, a.v
                    );
                    self.warn(&a.span, msg);
                }
                Some(a) => {
                    if let Some(last) = missing_zone(&a.v, &region) {
                        let msg = format!(
                            "subnet `{}`: availability zone `{}` does not exist in region `{region}`, whose zones are `{region}a` to `{region}{last}` (ADDR-6)",
                            s.id.v, a.v
                        );
                        self.warn(&a.span, msg);
                    }
                }
                None => self.subnets[i].az = format!("{region}a"),
            }
        }
        let mut names: Vec<String> = self.subnets.iter().map(|s| s.az.clone()).collect();
        names.sort_unstable();
        names.dedup();
        for s in &mut self.subnets {
            let i = names.binary_search(&s.az).unwrap_or(0);
            s.zone = AzId::from_idx(i);
        }
    }

    /// The subnets into the design, once each has its route table (RT-1)
    /// and network ACL (NACL-3). Only a subnet whose `vpc` did not resolve
    /// (reported) can lack one; it gets the first table or ACL as a stand-in
    /// and the design is not returned (`unsettled`).
    pub(super) fn settle_subnets(&mut self) {
        for d in std::mem::take(&mut self.subnets) {
            let (route_table, nacl) = match (d.route_table, d.nacl) {
                (Some(rt), Some(n)) => (rt, n),
                (rt, n) => {
                    self.unsettled = true;
                    (rt.unwrap_or(RouteTableId(0)), n.unwrap_or(NaclId(0)))
                }
            };
            self.design.subnets.push(Subnet {
                name: d.name,
                vpc: d.vpc,
                cidr: d.cidr,
                az: d.az,
                zone: d.zone,
                route_table,
                nacl,
                enis: d.enis,
            });
        }
    }
}

/// A subnet while the design is built: its route table and network ACL are
/// known only once the tables and ACLs of every VPC exist.
#[derive(Clone, Debug)]
pub(super) struct SubnetDraft {
    pub name: String,
    pub vpc: VpcId,
    pub cidr: Ipv4Net,
    pub az: String,
    pub zone: AzId,
    pub route_table: Option<RouteTableId>,
    pub nacl: Option<NaclId>,
    pub enis: Vec<EniId>,
}

/// The last zone letter of the Regions whose Availability Zones vpcsim
/// knows (an account sees some of them, under letters of its own).
const ZONE_LETTERS: &[(&str, char)] = &[
    ("af-south-1", 'c'),
    ("ap-east-1", 'c'),
    ("ap-northeast-1", 'd'),
    ("ap-northeast-2", 'd'),
    ("ap-northeast-3", 'c'),
    ("ap-south-1", 'c'),
    ("ap-southeast-1", 'c'),
    ("ap-southeast-2", 'c'),
    ("ca-central-1", 'd'),
    ("eu-central-1", 'c'),
    ("eu-north-1", 'c'),
    ("eu-south-1", 'c'),
    ("eu-west-1", 'c'),
    ("eu-west-2", 'c'),
    ("eu-west-3", 'c'),
    ("me-south-1", 'c'),
    ("sa-east-1", 'c'),
    ("us-east-1", 'f'),
    ("us-east-2", 'c'),
    ("us-west-1", 'c'),
    ("us-west-2", 'd'),
];

/// The last zone letter of `region` when `zone` is a zone of it by name
/// (the Region's code and one letter) that does not exist there; `None`
/// for a zone that exists, a Local Zone, or a Region vpcsim has no list
/// for (ADDR-6).
fn missing_zone(zone: &str, region: &str) -> Option<char> {
    let rest = zone.strip_prefix(region)?;
    let mut letters = rest.chars();
    let (Some(letter), None) = (letters.next(), letters.next()) else {
        return None;
    };
    let &(_, last) = ZONE_LETTERS.iter().find(|(r, _)| *r == region)?;
    (letter.is_ascii_lowercase() && letter > last).then_some(last)
}

/// Whether `zone` is an availability zone of `region`: the Region's code
/// and one more part (`us-east-1a`, or a Local Zone's `us-east-1-bos-1a`).
fn zone_in_region(zone: &str, region: &str) -> bool {
    zone.strip_prefix(region).is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_lowercase()) || rest.starts_with('-')
    })
}

/// A block that AWS assigns to no VPC, as primary or secondary (ADDR-7):
/// link-local, which AWS's table of association restrictions names, and
/// the blocks that are neither private (RFC 1918), nor shared (RFC 6598),
/// nor publicly routable: "this network", loopback, multicast and the
/// reserved 240.0.0.0/4 (RFC 6890).
fn refused_vpc_range(c: Ipv4Net) -> Option<&'static str> {
    let blocks: [(&str, &str); 5] = [
        ("169.254.0.0/16", "169.254.0.0/16 (link-local)"),
        ("0.0.0.0/8", "0.0.0.0/8 (\"this network\")"),
        ("127.0.0.0/8", "127.0.0.0/8 (loopback)"),
        ("224.0.0.0/4", "224.0.0.0/4 (multicast)"),
        ("240.0.0.0/4", "240.0.0.0/4 (reserved)"),
    ];
    blocks.into_iter().find_map(|(b, why)| {
        let b: Ipv4Net = b.parse().expect("literal");
        (b.contains(&c) || c.contains(&b)).then_some(why)
    })
}

/// The three private ranges of RFC 1918.
const RFC_1918: [&str; 3] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/// The RFC 1918 range that holds `c`, if any.
fn rfc_1918(c: Ipv4Net) -> Option<&'static str> {
    RFC_1918.into_iter().find(|r| {
        let r: Ipv4Net = r.parse().expect("literal");
        r.contains(&c)
    })
}

fn within(c: Ipv4Net, block: &str) -> bool {
    let b: Ipv4Net = block.parse().expect("literal");
    b.contains(&c)
}

/// Why AWS refuses secondary CIDR `c` next to primary CIDR `primary`, by its
/// table of IPv4 CIDR block association restrictions (ADDR-7).
fn refused_secondary(primary: Ipv4Net, c: Ipv4Net) -> Option<String> {
    if within(c, "198.19.0.0/16") {
        return Some(
            "AWS restricts secondary CIDRs from 198.19.0.0/16 next to every primary range".into(),
        );
    }
    let Some(range) = rfc_1918(c) else {
        // Publicly routable, or 100.64.0.0/10: permitted next to any primary.
        return None;
    };
    match rfc_1918(primary) {
        Some(p) if p == range => {
            if p == "172.16.0.0/12" && within(c, "172.31.0.0/16") {
                Some("AWS restricts secondary CIDRs from 172.31.0.0/16 next to a primary CIDR in 172.16.0.0/12".into())
            } else {
                None
            }
        }
        Some(p) => Some(format!(
            "next to a primary CIDR in {p}, AWS permits secondary CIDRs from that range, 100.64.0.0/10 or public ranges, not from the other RFC 1918 range {range}"
        )),
        None => Some(format!(
            "next to a primary CIDR outside the RFC 1918 ranges, AWS permits only public ranges or 100.64.0.0/10 as secondaries, not {range}"
        )),
    }
}
