//! VPCs and their CIDR blocks, subnets, route tables, internet and NAT
//! gateways, VPC endpoints and prefix lists (routes and associations in
//! `routes.rs`, peering and VPN in `connections.rs`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::super::NoteKind::{Approximated, Skipped, Unknown, Unsupported};
use super::super::out;
use super::resolve::Pick;
use super::{Conv, cidr, region_of_az};

/// Every resource type the import reads (others are noted as unsupported).
pub const KNOWN: &[&str] = &[
    "aws_vpc",
    "aws_default_vpc",
    "aws_vpc_ipv4_cidr_block_association",
    "aws_subnet",
    "aws_default_subnet",
    "aws_route_table",
    "aws_default_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_internet_gateway",
    "aws_internet_gateway_attachment",
    "aws_nat_gateway",
    "aws_eip",
    "aws_eip_association",
    "aws_security_group",
    "aws_default_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_network_acl",
    "aws_default_network_acl",
    "aws_network_acl_rule",
    "aws_network_acl_association",
    "aws_vpc_endpoint",
    "aws_vpc_endpoint_route_table_association",
    "aws_vpc_endpoint_subnet_association",
    "aws_vpc_endpoint_security_group_association",
    "aws_vpc_peering_connection",
    "aws_vpc_peering_connection_accepter",
    "aws_vpc_peering_connection_options",
    "aws_vpn_gateway",
    "aws_vpn_gateway_attachment",
    "aws_vpn_gateway_route_propagation",
    "aws_customer_gateway",
    "aws_vpn_connection",
    "aws_vpn_connection_route",
    "aws_instance",
    "aws_network_interface",
    "aws_network_interface_attachment",
    "aws_network_interface_sg_attachment",
    "aws_lambda_function",
    "aws_ec2_managed_prefix_list",
    "aws_ec2_managed_prefix_list_entry",
];

pub(super) const VPC: &[&str] = &["aws_vpc", "aws_default_vpc"];
pub(super) const SUBNET: &[&str] = &["aws_subnet", "aws_default_subnet"];
pub(super) const TABLE: &[&str] = &[
    "aws_route_table",
    "aws_default_route_table",
    "aws_vpc",
    "aws_default_vpc",
];

/// The fields of a route that name its target, and what each may name.
pub(super) const TARGETS: &[(&str, &[&str])] = &[
    (
        "gateway_id",
        &[
            "aws_internet_gateway",
            "aws_vpn_gateway",
            "aws_vpc_endpoint",
        ],
    ),
    ("nat_gateway_id", &["aws_nat_gateway"]),
    (
        "vpc_peering_connection_id",
        &[
            "aws_vpc_peering_connection",
            "aws_vpc_peering_connection_accepter",
        ],
    ),
    ("network_interface_id", &["aws_network_interface"]),
    ("instance_id", &["aws_instance"]),
    ("vpc_endpoint_id", &["aws_vpc_endpoint"]),
    ("transit_gateway_id", &["aws_ec2_transit_gateway"]),
    ("egress_only_gateway_id", &[]),
    ("carrier_gateway_id", &[]),
    ("local_gateway_id", &[]),
    ("core_network_arn", &[]),
];

pub(super) fn obj(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

impl<'a> Conv<'a> {
    pub(super) fn vpcs(&mut self) {
        for i in self.of(VPC) {
            let x = self.inst(i);
            let c = match (x.str("cidr_block").and_then(cidr), x.rtype.as_str()) {
                (Some(c), _) => c,
                (None, "aws_default_vpc") => {
                    self.note(
                        Approximated,
                        i,
                        "the default VPC's CIDR is not in the plan; 172.31.0.0/16, AWS's default, is assumed",
                    );
                    "172.31.0.0/16".parse().expect("literal")
                }
                (None, _) => {
                    self.note(
                        Unknown,
                        i,
                        "its CIDR is unknown until apply (an IPAM pool?); left out",
                    );
                    continue;
                }
            };
            if let Some(text) = out::Scenario::vpc_cidr_problem(c) {
                self.note(Unsupported, i, format!("{text}; the VPC is left out"));
                continue;
            }
            let head = self.head(i);
            let id = self.ids[i].clone();
            self.out.vpcs.insert(
                id,
                out::Vpc {
                    head,
                    cidrs: vec![c],
                },
            );
            self.made.insert(i);
        }
        for i in self.of(&["aws_vpc_ipv4_cidr_block_association"]) {
            let Some(v) = self.vpc_of(i, "vpc_id") else {
                self.note(Unknown, i, "its VPC is not in the design; left out");
                continue;
            };
            let Some(c) = self.inst(i).str("cidr_block").and_then(cidr) else {
                self.note(Unknown, i, "its CIDR is unknown until apply; left out");
                continue;
            };
            if let Some(text) = out::Scenario::vpc_cidr_problem(c) {
                self.note(Unsupported, i, text);
                continue;
            }
            if let Some(vpc) = self.out.vpcs.get_mut(&v) {
                vpc.cidrs.push(c);
                self.made.insert(i);
            }
        }
    }

    pub(super) fn prefix_lists(&mut self) {
        for i in self.of(&["aws_ec2_managed_prefix_list"]) {
            let x = self.inst(i);
            if x.str("address_family") == Some("IPv6") {
                self.note(Unsupported, i, "an IPv6 prefix list; left out");
                continue;
            }
            let mut cidrs = Vec::new();
            for e in x
                .values
                .get("entry")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(c) = e.get("cidr").and_then(Value::as_str).and_then(cidr) {
                    cidrs.push(c);
                }
            }
            let head = self.head(i);
            let list_name = x.str("name").map(str::to_string);
            self.out.prefix_lists.insert(
                self.ids[i].clone(),
                out::PrefixList {
                    head,
                    list_name,
                    cidrs,
                },
            );
            self.made.insert(i);
        }
        for i in self.of(&["aws_ec2_managed_prefix_list_entry"]) {
            let p = self
                .world
                .one(i, "prefix_list_id", &["aws_ec2_managed_prefix_list"]);
            let id = p.and_then(|p| self.sid(&p));
            let c = self.inst(i).str("cidr").and_then(cidr);
            match (id, c) {
                (Some(id), Some(c)) => {
                    if let Some(l) = self.out.prefix_lists.get_mut(&id) {
                        l.cidrs.push(c);
                        self.made.insert(i);
                    }
                }
                _ => self.note(Unknown, i, "its list or CIDR is not known; left out"),
            }
        }
        // A list with no entries cannot be written.
        let empty: Vec<String> = self
            .out
            .prefix_lists
            .iter()
            .filter(|(_, l)| l.cidrs.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for k in empty {
            self.out.prefix_lists.remove(&k);
            if let Some(i) = self.ids.iter().position(|x| *x == k) {
                self.made.remove(&i);
                self.note(Unknown, i, "a prefix list with no known entries; left out");
            }
        }
    }

    pub(super) fn subnets(&mut self) {
        for i in self.of(SUBNET) {
            let Some(vpc) = self.vpc_of(i, "vpc_id") else {
                self.note(Unknown, i, "its VPC is not in the design; left out");
                continue;
            };
            let x = self.inst(i);
            let Some(c) = x.str("cidr_block").and_then(cidr) else {
                self.note(Unknown, i, "its CIDR is unknown until apply; left out");
                continue;
            };
            if let Some(text) = self.out.subnet_problem(&vpc, c) {
                self.note(Unsupported, i, text);
                continue;
            }
            let az = match x.str("availability_zone") {
                Some(az) => {
                    let region = &self.regions[i];
                    if region_of_az(az).is_some_and(|r| r != *region) {
                        self.note(
                            Approximated,
                            i,
                            format!("its zone {az} is not in region {region}"),
                        );
                    }
                    az.to_string()
                }
                None => {
                    let az = format!("{}a", self.regions[i]);
                    self.note(
                        Approximated,
                        i,
                        format!("its availability zone is unknown until apply; {az} is assumed"),
                    );
                    az
                }
            };
            let head = self.head(i);
            self.out.subnets.insert(
                self.ids[i].clone(),
                out::Subnet {
                    head,
                    vpc,
                    cidr: c,
                    az,
                    route_table: None,
                    network_acl: None,
                },
            );
            self.made.insert(i);
        }
    }

    pub(super) fn route_tables(&mut self) {
        for i in self.of(&["aws_route_table", "aws_default_route_table"]) {
            let default = self.inst(i).rtype == "aws_default_route_table";
            let vpc = if default {
                self.world
                    .one(i, "default_route_table_id", VPC)
                    .and_then(|p| {
                        self.sid(&Pick {
                            inst: p.inst,
                            attr: None,
                        })
                    })
            } else {
                self.vpc_of(i, "vpc_id")
            };
            let Some(vpc) = vpc else {
                self.note(Unknown, i, "its VPC is not in the design; left out");
                continue;
            };
            if default {
                self.ids[i] = format!("{vpc}/main-rt");
            }
            let head = self.head(i);
            self.out.route_tables.insert(
                self.ids[i].clone(),
                out::RouteTable {
                    head,
                    vpc,
                    main: default,
                    routes: Vec::new(),
                },
            );
            self.made.insert(i);
        }
    }

    pub(super) fn gateways(&mut self) {
        for i in self.of(&["aws_internet_gateway"]) {
            let vpc = if self.inst(i).str("vpc_id").is_some()
                || self.world.config.expr(self.inst(i), "vpc_id").is_some()
            {
                self.vpc_of(i, "vpc_id")
            } else {
                None
            };
            let head = self.head(i);
            self.out.igws.insert(
                self.ids[i].clone(),
                out::Attached {
                    head,
                    vpc: vpc.unwrap_or_default(),
                },
            );
            self.made.insert(i);
        }
        for i in self.of(&["aws_internet_gateway_attachment"]) {
            let g = self
                .world
                .one(i, "internet_gateway_id", &["aws_internet_gateway"])
                .and_then(|p| self.sid(&p));
            let v = self.vpc_of(i, "vpc_id");
            match (g, v) {
                (Some(g), Some(v)) => {
                    if let Some(x) = self.out.igws.get_mut(&g) {
                        x.vpc = v;
                        self.made.insert(i);
                    }
                }
                _ => self.note(Unknown, i, "its gateway or VPC is not in the design"),
            }
        }
        let detached: Vec<String> = self
            .out
            .igws
            .iter()
            .filter(|(_, g)| g.vpc.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for k in detached {
            self.out.igws.remove(&k);
            if let Some(i) = self.ids.iter().position(|x| *x == k) {
                self.made.remove(&i);
                self.note(Skipped, i, "attached to no VPC of the design; left out");
            }
        }
        // VPN gateways, with their attachments.
        for i in self.of(&["aws_vpn_gateway"]) {
            let vpc = if self.inst(i).str("vpc_id").is_some()
                || self.world.config.expr(self.inst(i), "vpc_id").is_some()
            {
                self.vpc_of(i, "vpc_id")
            } else {
                None
            };
            let head = self.head(i);
            self.out.vgws.insert(
                self.ids[i].clone(),
                out::Vgw {
                    head,
                    vpc: vpc.unwrap_or_default(),
                    propagate_to: Vec::new(),
                },
            );
            self.made.insert(i);
        }
        for i in self.of(&["aws_vpn_gateway_attachment"]) {
            let g = self
                .world
                .one(i, "vpn_gateway_id", &["aws_vpn_gateway"])
                .and_then(|p| self.sid(&p));
            let v = self.vpc_of(i, "vpc_id");
            match (g, v) {
                (Some(g), Some(v)) => {
                    if let Some(x) = self.out.vgws.get_mut(&g) {
                        x.vpc = v;
                        self.made.insert(i);
                    }
                }
                _ => self.note(Unknown, i, "its gateway or VPC is not in the design"),
            }
        }
        let detached: Vec<String> = self
            .out
            .vgws
            .iter()
            .filter(|(_, g)| g.vpc.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for k in detached {
            self.out.vgws.remove(&k);
            if let Some(i) = self.ids.iter().position(|x| *x == k) {
                self.made.remove(&i);
                self.note(Skipped, i, "attached to no VPC of the design; left out");
            }
        }
    }

    pub(super) fn nats(&mut self) {
        let nats = self.of(&["aws_nat_gateway"]);
        // The Elastic IPs that gateways name are theirs before one is
        // matched by the heuristic to a gateway that names none.
        let mut named = BTreeSet::new();
        for &i in &nats {
            let before = self.world.notes.len();
            if let Some(e) = self.world.one(i, "allocation_id", &["aws_eip"]) {
                named.insert(e.inst);
            }
            // The conversion below notes what it cannot follow.
            self.world.notes.truncate(before);
        }
        for i in nats {
            let Some(subnet) = self
                .world
                .one(i, "subnet_id", SUBNET)
                .and_then(|p| self.sid(&p))
            else {
                self.note(Unknown, i, "its subnet is not in the design; left out");
                continue;
            };
            let x = self.inst(i);
            let public = x.str("connectivity_type") != Some("private");
            let private_ip = x.str("private_ip").and_then(|s| s.parse().ok());
            let mut public_ip = None;
            if public {
                public_ip = x.str("public_ip").and_then(|s| s.parse().ok());
                if let Some(ip) = public_ip {
                    // Its Elastic IP is imported as its address.
                    let before = self.world.notes.len();
                    if let Some(e) = self.world.one(i, "allocation_id", &["aws_eip"]) {
                        self.eips.entry(e.inst).or_insert(ip);
                        self.made.insert(e.inst);
                    }
                    self.world.notes.truncate(before);
                } else {
                    let before = self.world.notes.len();
                    let mut eip = self.world.one(i, "allocation_id", &["aws_eip"]);
                    // In a state every value is known: no `allocation_id`
                    // is none, not one the plan leaves to apply.
                    if eip.is_none() && self.doc.kind == super::plan::Kind::Plan {
                        eip = self.eip_by_index(i, &named);
                        if eip.is_some() {
                            // The heuristic's note says what could not be
                            // followed.
                            self.drop_unknown_since(before, i);
                        }
                    }
                    if let Some(e) = eip {
                        public_ip = self
                            .inst(e.inst)
                            .str("public_ip")
                            .and_then(|s| s.parse().ok());
                        if public_ip.is_none() {
                            public_ip = Some(self.eip_address(e.inst));
                        }
                    }
                }
                if public_ip.is_none() {
                    if self.doc.kind == super::plan::Kind::State {
                        self.note(
                            Skipped,
                            i,
                            "a public NAT gateway whose state gives no Elastic IP (`allocation_id` and `public_ip` are null, as for a NAT gateway that failed); left out",
                        );
                        continue;
                    }
                    public_ip = Some(self.public_ip(i, "its Elastic IP"));
                }
            }
            // Two NAT gateways never share an address (ADDR-5).
            let shared = self.out.nats.iter().find(|(_, n)| {
                (public_ip.is_some() && n.public_ip == public_ip)
                    || (private_ip.is_some() && n.private_ip == private_ip)
            });
            if let Some((other, _)) = shared {
                let text = format!(
                    "its address is NAT gateway {other}'s too, and two NAT gateways never share one (ADDR-5); left out"
                );
                self.note(Unsupported, i, text);
                continue;
            }
            let head = self.head(i);
            self.out.nats.insert(
                self.ids[i].clone(),
                out::Nat {
                    head,
                    subnet,
                    public,
                    public_ip,
                    private_ip,
                },
            );
            self.made.insert(i);
        }
    }

    /// The Elastic IP of a NAT gateway whose `allocation_id` cannot be
    /// followed (a `local` list of them, as modules write): the Elastic IP
    /// of its module with its index, or the only one there, of those no
    /// gateway or instance holds (`named`: those gateways name). A
    /// heuristic.
    fn eip_by_index(&mut self, i: usize, named: &BTreeSet<usize>) -> Option<Pick> {
        let x = self.inst(i);
        let eips: Vec<usize> = self
            .of(&["aws_eip"])
            .into_iter()
            .filter(|&e| {
                self.inst(e).module == x.module
                    && !self.eips.contains_key(&e)
                    && !named.contains(&e)
            })
            .collect();
        let same: Vec<usize> = eips
            .iter()
            .copied()
            .filter(|&e| x.index.is_some() && self.inst(e).index == x.index)
            .collect();
        let e = match (same.as_slice(), eips.as_slice()) {
            ([one], _) | ([], [one]) => *one,
            _ => return None,
        };
        let text = format!(
            "`allocation_id` could not be followed; taken to be {}, the Elastic IP of its module with its index (a heuristic)",
            self.inst(e).address
        );
        self.note(Approximated, i, text);
        Some(Pick {
            inst: e,
            attr: None,
        })
    }

    pub(super) fn endpoints(&mut self) {
        for i in self.of(&["aws_vpc_endpoint"]) {
            let Some(vpc) = self.vpc_of(i, "vpc_id") else {
                self.note(Unknown, i, "its VPC is not in the design; left out");
                continue;
            };
            let x = self.inst(i);
            let Some(service_name) = x.str("service_name") else {
                self.note(Unknown, i, "its service is unknown until apply; left out");
                continue;
            };
            let region = self.regions[i].clone();
            let prefix = format!("com.amazonaws.{region}.");
            let Some(service) = service_name.strip_prefix(&prefix).map(str::to_string) else {
                self.note(
                    Unsupported,
                    i,
                    format!("service {service_name} is not an AWS service of {region}; left out"),
                );
                continue;
            };
            let kind = match x.str("vpc_endpoint_type").unwrap_or("Gateway") {
                "Gateway" => {
                    let list = format!("com.amazonaws.{region}.{service}");
                    let declared = self
                        .out
                        .prefix_lists
                        .values()
                        .any(|p| p.list_name.as_deref() == Some(list.as_str()));
                    if region != "us-east-1" && !declared {
                        self.note(
                            Unknown,
                            i,
                            format!("a gateway endpoint needs the prefix list {list}, which the plan does not give; left out"),
                        );
                        continue;
                    }
                    let tables = self.world.all(i, "route_table_ids", TABLE);
                    let route_tables = tables.iter().filter_map(|p| self.sid(p)).collect();
                    out::EndpointKind::Gateway { route_tables }
                }
                "Interface" => {
                    let subnets = self.world.all(i, "subnet_ids", SUBNET);
                    let subnets = subnets.iter().filter_map(|p| self.sid(p)).collect();
                    let sgs = self.world.all(i, "security_group_ids", super::security::SG);
                    let security_groups = sgs.iter().filter_map(|p| self.sid(p)).collect();
                    out::EndpointKind::Interface {
                        subnets,
                        security_groups,
                        private_dns: self.inst(i).bool("private_dns_enabled").unwrap_or(false),
                        private_dns_only_inbound: self
                            .inst(i)
                            .values
                            .get("dns_options")
                            .and_then(Value::as_array)
                            .and_then(|b| b.first())
                            .and_then(|o| o.get("private_dns_only_for_inbound_resolver_endpoint"))
                            .and_then(Value::as_bool),
                        // AWS picks the ENIs' addresses at apply time; a plan
                        // has none, so vpcsim allocates them.
                        private_ips: Vec::new(),
                    }
                }
                other => {
                    self.note(Unsupported, i, format!("a {other} endpoint; left out"));
                    continue;
                }
            };
            let head = self.head(i);
            self.out.endpoints.insert(
                self.ids[i].clone(),
                out::Endpoint {
                    head,
                    vpc,
                    service,
                    kind,
                },
            );
            self.made.insert(i);
        }
        for (t, attr, want) in [
            (
                "aws_vpc_endpoint_route_table_association",
                "route_table_id",
                TABLE,
            ),
            ("aws_vpc_endpoint_subnet_association", "subnet_id", SUBNET),
            (
                "aws_vpc_endpoint_security_group_association",
                "security_group_id",
                super::security::SG,
            ),
        ] {
            for i in self.of(&[t]) {
                let e = self
                    .world
                    .one(i, "vpc_endpoint_id", &["aws_vpc_endpoint"])
                    .and_then(|p| self.sid(&p));
                let o = self.world.one(i, attr, want).and_then(|p| self.sid(&p));
                let (Some(e), Some(o)) = (e, o) else {
                    self.note(
                        Unknown,
                        i,
                        "its endpoint or its other end is not in the design",
                    );
                    continue;
                };
                let Some(ep) = self.out.endpoints.get_mut(&e) else {
                    continue;
                };
                let list = match (&mut ep.kind, attr) {
                    (out::EndpointKind::Gateway { route_tables }, "route_table_id") => route_tables,
                    (out::EndpointKind::Interface { subnets, .. }, "subnet_id") => subnets,
                    (
                        out::EndpointKind::Interface {
                            security_groups, ..
                        },
                        "security_group_id",
                    ) => security_groups,
                    _ => {
                        self.note(Unsupported, i, "does not apply to this kind of endpoint");
                        continue;
                    }
                };
                if !list.contains(&o) {
                    list.push(o);
                }
                list.sort();
                self.made.insert(i);
            }
        }
        // IFE-1: one subnet per AZ; AWS refuses a second, so a plan that
        // gives one keeps the first by id.
        let mut second: Vec<(String, String, String, String)> = Vec::new();
        for (k, e) in self.out.endpoints.iter_mut() {
            let out::EndpointKind::Interface { subnets, .. } = &mut e.kind else {
                continue;
            };
            let az_of = |s: &String| self.out.subnets.get(s).map(|x| x.az.clone());
            let mut first: BTreeMap<String, String> = BTreeMap::new();
            for s in subnets.iter() {
                if let Some(az) = az_of(s) {
                    let f = first.entry(az).or_insert_with(|| s.clone());
                    if s < f {
                        *f = s.clone();
                    }
                }
            }
            subnets.retain(|s| match az_of(s) {
                Some(az) if first[&az] != *s => {
                    second.push((k.clone(), s.clone(), first[&az].clone(), az));
                    false
                }
                _ => true,
            });
        }
        for (k, s, first, az) in second {
            if let Some(i) = self.ids.iter().position(|x| *x == k) {
                self.note(
                    Unsupported,
                    i,
                    format!("subnet {s} left out of the interface endpoint: {first} is in {az} too, and an interface endpoint takes one subnet per Availability Zone (IFE-1)"),
                );
            }
        }
        let empty: Vec<String> = self
            .out
            .endpoints
            .iter()
            .filter(|(_, e)| matches!(&e.kind, out::EndpointKind::Interface { subnets, .. } if subnets.is_empty()))
            .map(|(k, _)| k.clone())
            .collect();
        for k in empty {
            self.out.endpoints.remove(&k);
            if let Some(i) = self.ids.iter().position(|x| *x == k) {
                self.made.remove(&i);
                self.note(
                    Unknown,
                    i,
                    "an interface endpoint in no subnet of the design; left out",
                );
            }
        }
    }
}
