//! VPCs and their CIDR blocks, subnets, route tables and routes, internet
//! and NAT gateways, VPC endpoints, peering, VPN and prefix lists.

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

const VPC: &[&str] = &["aws_vpc", "aws_default_vpc"];
pub(super) const SUBNET: &[&str] = &["aws_subnet", "aws_default_subnet"];
const TABLE: &[&str] = &[
    "aws_route_table",
    "aws_default_route_table",
    "aws_vpc",
    "aws_default_vpc",
];

/// The fields of a route that name its target, and what each may name.
const TARGETS: &[(&str, &[&str])] = &[
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

fn obj(v: &Value) -> Map<String, Value> {
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
        for i in self.of(&["aws_nat_gateway"]) {
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
                if public_ip.is_none() {
                    let before = self.world.notes.len();
                    let mut eip = self.world.one(i, "allocation_id", &["aws_eip"]);
                    if eip.is_none() {
                        eip = self.eip_by_index(i);
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
                    public_ip = Some(self.public_ip(i, "its Elastic IP"));
                }
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
    /// of its module with its index, or the only one there. A heuristic.
    fn eip_by_index(&mut self, i: usize) -> Option<Pick> {
        let x = self.inst(i);
        let eips: Vec<usize> = self
            .of(&["aws_eip"])
            .into_iter()
            .filter(|&e| self.inst(e).module == x.module && !self.eips.contains_key(&e))
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

    pub(super) fn peerings(&mut self) {
        let accepters = self.of(&["aws_vpc_peering_connection_accepter"]);
        let mut accepted = std::collections::BTreeSet::new();
        // Peerings whose accepter does not accept, by the accepter.
        let mut declined: std::collections::BTreeMap<usize, usize> = Default::default();
        for a in &accepters {
            if let Some(p) = self.world.one(
                *a,
                "vpc_peering_connection_id",
                &["aws_vpc_peering_connection"],
            ) {
                // The accepter accepts with `auto_accept = true`; in a
                // state, its `accept_status` says whether it did.
                let x = self.inst(*a);
                let accepts = match x.str("accept_status") {
                    Some(s) => s == "active",
                    None => x.bool("auto_accept") == Some(true),
                };
                if accepts {
                    accepted.insert(p.inst);
                    self.made.insert(*a);
                } else {
                    declined.entry(p.inst).or_insert(*a);
                }
            }
        }
        for i in self.of(&["aws_vpc_peering_connection"]) {
            let x = self.inst(i);
            let own = self.regions[i].clone();
            let far = x
                .str("peer_region")
                .map_or_else(|| own.clone(), str::to_string);
            // Across Regions the file writes the requester in the
            // scenario's region and the accepter in `peer_region`.
            let swapped = own != self.region && far == self.region;
            let peer_region = if own != far {
                if own != self.region && far != self.region {
                    self.note(
                        Unsupported,
                        i,
                        format!("a peering between regions {own} and {far}, neither the scenario's ({}); left out", self.region),
                    );
                    continue;
                }
                Some(if swapped { own.clone() } else { far.clone() })
            } else {
                None
            };
            let requester = self.vpc_of(i, "vpc_id");
            let accepter = self.world.one(i, "peer_vpc_id", VPC).and_then(|p| {
                self.sid(&Pick {
                    inst: p.inst,
                    attr: None,
                })
            });
            let (requester, accepter) = if swapped {
                self.note(
                    Approximated,
                    i,
                    format!("requested from {own} to a VPC of {far}, the scenario's region: written with the VPCs swapped (the requester in the scenario's region, the accepter in peer_region {own}); traffic crosses it the same both ways"),
                );
                (accepter, requester)
            } else {
                (requester, accepter)
            };
            let (Some(requester), Some(accepter)) = (requester, accepter) else {
                self.note(Unknown, i, "one of its VPCs is not in the design; left out");
                continue;
            };
            // A state knows whether it was accepted (by an accepter here or
            // by the other account); a plan, by `auto_accept` or an
            // accepter that accepts.
            match self.inst(i).str("accept_status") {
                Some("active") => {}
                Some(status) => {
                    let status = status.to_string();
                    self.note(
                        Skipped,
                        i,
                        format!("its accept_status is {status}, not active: it carries nothing; left out"),
                    );
                    continue;
                }
                None => {
                    let auto = self.inst(i).bool("auto_accept").unwrap_or(false);
                    if !auto && !accepted.contains(&i) {
                        let text = match declined.get(&i) {
                            Some(&a) => format!(
                                "its accepter {} leaves auto_accept false: it stays pending acceptance; left out",
                                self.addr(a)
                            ),
                            None => "neither auto_accept nor an accepter in the plan: it stays pending; left out".to_string(),
                        };
                        self.note(Skipped, i, text);
                        continue;
                    }
                }
            }
            let head = self.head(i);
            let x = self.inst(i);
            let (mut requester_dns, mut accepter_dns) =
                (side_dns(x, "requester"), side_dns(x, "accepter"));
            if swapped {
                std::mem::swap(&mut requester_dns, &mut accepter_dns);
            }
            self.out.peerings.insert(
                self.ids[i].clone(),
                out::Peering {
                    head,
                    requester,
                    accepter,
                    peer_region,
                    requester_dns: requester_dns.unwrap_or(false),
                    accepter_dns: accepter_dns.unwrap_or(false),
                },
            );
            self.made.insert(i);
        }
        // Accepters name their peering: routes to either are to the peering.
        for a in accepters {
            if let Some(p) = self.world.one(
                a,
                "vpc_peering_connection_id",
                &["aws_vpc_peering_connection"],
            ) {
                if self.made.contains(&p.inst) {
                    self.ids[a] = self.ids[p.inst].clone();
                }
            }
        }
        // The options of a peering made elsewhere in the plan (DNS-4).
        for i in self.of(&["aws_vpc_peering_connection_options"]) {
            let p = self.world.one(
                i,
                "vpc_peering_connection_id",
                &[
                    "aws_vpc_peering_connection",
                    "aws_vpc_peering_connection_accepter",
                ],
            );
            let made = p.as_ref().filter(|p| self.made.contains(&p.inst));
            let Some(p) = made else {
                self.note(
                    Unknown,
                    i,
                    "its peering connection is not in the design; left out",
                );
                continue;
            };
            let id = self.ids[p.inst].clone();
            let x = self.inst(i);
            let (r, a) = (side_dns(x, "requester"), side_dns(x, "accepter"));
            if let Some(out) = self.out.peerings.get_mut(&id) {
                if let Some(r) = r {
                    out.requester_dns = r;
                }
                if let Some(a) = a {
                    out.accepter_dns = a;
                }
                self.made.insert(i);
            }
        }
    }

    pub(super) fn vpn(&mut self) {
        for i in self.of(&["aws_vpn_gateway_route_propagation"]) {
            let g = self
                .world
                .one(i, "vpn_gateway_id", &["aws_vpn_gateway"])
                .and_then(|p| self.sid(&p));
            let t = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p));
            match (g, t) {
                (Some(g), Some(t)) if self.out.vgws.contains_key(&g) => {
                    let v = self.out.vgws.get_mut(&g).expect("checked");
                    if !v.propagate_to.contains(&t) {
                        v.propagate_to.push(t);
                        v.propagate_to.sort();
                    }
                    self.made.insert(i);
                }
                _ => self.note(
                    Unknown,
                    i,
                    "its gateway or route table is not in the design",
                ),
            }
        }
        for i in self.of(&["aws_route_table", "aws_default_route_table"]) {
            if !self.made.contains(&i) {
                continue;
            }
            let gs = self.world.all(i, "propagating_vgws", &["aws_vpn_gateway"]);
            for g in gs {
                if let Some(g) = self.sid(&g) {
                    let t = self.ids[i].clone();
                    if let Some(v) = self.out.vgws.get_mut(&g) {
                        if !v.propagate_to.contains(&t) {
                            v.propagate_to.push(t);
                            v.propagate_to.sort();
                        }
                    }
                }
            }
        }
        for i in self.of(&["aws_customer_gateway"]) {
            // Read through the connections that use it.
            self.made.insert(i);
        }
        let routes = self.of(&["aws_vpn_connection_route"]);
        for i in self.of(&["aws_vpn_connection"]) {
            let x = self.inst(i);
            if x.str("transit_gateway_id").is_some()
                || self.world.config.expr(x, "transit_gateway_id").is_some()
            {
                continue; // a VPN attachment, with the transit gateways
            }
            let Some(via) = self
                .world
                .one(i, "vpn_gateway_id", &["aws_vpn_gateway"])
                .and_then(|p| self.sid(&p))
                .filter(|g| self.out.vgws.contains_key(g))
            else {
                self.note(Unknown, i, "its VPN gateway is not in the design; left out");
                continue;
            };
            let mut cidrs = Vec::new();
            if let Some(c) = self.inst(i).str("local_ipv4_network_cidr").and_then(cidr) {
                if c.prefix_len() > 0 {
                    cidrs.push(c);
                }
            }
            for &r in &routes {
                let conn = self
                    .world
                    .one(r, "vpn_connection_id", &["aws_vpn_connection"]);
                if conn.is_some_and(|p| p.inst == i) {
                    if let Some(c) = self.inst(r).str("destination_cidr_block").and_then(cidr) {
                        cidrs.push(c);
                        self.made.insert(r);
                    }
                }
            }
            cidrs.sort();
            cidrs.dedup();
            if cidrs.is_empty() {
                self.note(
                    Unknown,
                    i,
                    "the on-premises prefixes are not in the plan (BGP, or no static routes); left out",
                );
                continue;
            }
            let head = self.head(i);
            self.out.onprem.insert(
                self.ids[i].clone(),
                out::Onprem {
                    head,
                    cidrs,
                    via,
                    ..out::Onprem::default()
                },
            );
            self.made.insert(i);
        }
        for r in routes {
            if !self.made.contains(&r) {
                self.note(
                    Unknown,
                    r,
                    "its connection or CIDR is not in the design; left out",
                );
            }
        }
    }

    /// The target of a route given as an object of fields (`route` blocks
    /// and `aws_route`): the scenario id, or why there is none.
    fn route_target(
        &mut self,
        i: usize,
        fields: &Map<String, Value>,
        unknown: &Map<String, Value>,
        block: Option<&'a Value>,
        top_level: bool,
    ) -> Result<Option<String>, String> {
        for (field, want) in TARGETS {
            let known = fields
                .get(*field)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            let is_unknown = unknown.get(*field) == Some(&Value::Bool(true));
            let expr = if top_level {
                self.world.config.expr(self.inst(i), field)
            } else {
                block.and_then(|b| b.get(*field))
            };
            let configured = expr.is_some_and(|e| !super::config::references(e).is_empty());
            if known.is_none() && !is_unknown && !configured {
                continue;
            }
            if known == Some("local") {
                return Ok(None);
            }
            if want.is_empty() {
                return Err(format!("`{field}`: vpcsim cannot represent this target"));
            }
            let k = known.map(|s| Value::String(s.to_string()));
            let picks = self.world.names(i, field, want, false, expr, k.as_ref());
            return match picks
                .first()
                .and_then(|p| self.sid(p).map(|s| (p.clone(), s)))
            {
                Some((p, s)) => {
                    // A route to an instance goes to its network interface.
                    if self.inst(p.inst).rtype == "aws_network_interface" {
                        match self.eni_owner.get(&p.inst) {
                            Some(o) => Ok(Some(o.clone())),
                            None => Err(format!(
                                "`{field}`: a network interface of no instance of the design"
                            )),
                        }
                    } else {
                        Ok(Some(s))
                    }
                }
                None if self.inst(i).rtype != "aws_route"
                    && fields.get(*field).is_none()
                    && !is_unknown
                    && !configured =>
                {
                    continue;
                }
                None => Err(format!("`{field}` names nothing in the design")),
            };
        }
        Err("a route without a target".into())
    }

    /// Adds a route to a table, keeping one per destination.
    fn add_route(
        &mut self,
        table: &str,
        dest: String,
        target: Result<Option<String>, String>,
        i: usize,
    ) {
        // A route to a transit gateway needs the VPC attached to it: AWS
        // refuses the route otherwise (TGW-2).
        let target = match target {
            Ok(Some(t)) if self.out.tgws.contains_key(&t) => {
                let vpc = self.out.route_tables.get(table).map(|r| r.vpc.clone());
                let attached = self
                    .out
                    .tgw_attachments
                    .values()
                    .any(|a| a.tgw == t && a.vpn.is_none() && Some(&a.vpc) == vpc.as_ref());
                if attached {
                    Ok(Some(t))
                } else {
                    Err(format!(
                        "`transit_gateway_id`: {} is not attached to {t} in the design, and AWS refuses a route to a transit gateway the VPC is not attached to",
                        vpc.unwrap_or_default()
                    ))
                }
            }
            other => other,
        };
        let (target, blackhole) = match target {
            Ok(None) => return, // local
            Ok(Some(t)) => (t, false),
            Err(why) => {
                let kind = if why.contains("cannot represent") {
                    Unsupported
                } else {
                    Unknown
                };
                self.note(
                    kind,
                    i,
                    format!("route to {dest}: {why}; kept as a blackhole"),
                );
                (format!("unresolved:{}", self.inst(i).address), true)
            }
        };
        let Some(t) = self.out.route_tables.get_mut(table) else {
            return;
        };
        if t.routes.iter().any(|r| r.destination == dest) {
            self.note(
                Approximated,
                i,
                format!("a second route to {dest} in {table}; the first is kept"),
            );
            return;
        }
        t.routes.push(out::Route {
            destination: dest,
            target,
            blackhole,
        });
    }

    /// The destination of a route: a CIDR or a prefix list id.
    fn route_dest(
        &mut self,
        i: usize,
        fields: &Map<String, Value>,
        top_level: bool,
    ) -> Option<String> {
        let (cidr_key, pl_key, v6_key) = if top_level {
            (
                "destination_cidr_block",
                "destination_prefix_list_id",
                "destination_ipv6_cidr_block",
            )
        } else {
            (
                "cidr_block",
                "destination_prefix_list_id",
                "ipv6_cidr_block",
            )
        };
        if let Some(c) = fields.get(cidr_key).and_then(Value::as_str).and_then(cidr) {
            return Some(c.to_string());
        }
        if fields
            .get(v6_key)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
        {
            self.note(Unsupported, i, "an IPv6 route; left out");
            return None;
        }
        let known = fields.get(pl_key).cloned();
        let picks = if top_level
            || known
                .as_ref()
                .is_some_and(|v| v.as_str().is_some_and(|s| !s.is_empty()))
        {
            self.world.names(
                i,
                pl_key,
                &["aws_ec2_managed_prefix_list"],
                false,
                None,
                known.as_ref(),
            )
        } else {
            Vec::new()
        };
        if let Some(id) = picks.first().and_then(|p| self.sid(p)) {
            return Some(id);
        }
        self.note(
            Unknown,
            i,
            "a route whose destination is not known; left out",
        );
        None
    }

    pub(super) fn routes(&mut self) {
        // Inline routes.
        for i in self.of(&["aws_route_table", "aws_default_route_table"]) {
            if !self.made.contains(&i) {
                continue;
            }
            let table = self.ids[i].clone();
            let x = self.inst(i);
            let routes: Vec<Value> = x
                .values
                .get("route")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let unknowns: Vec<Value> = x
                .unknown
                .get("route")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let blocks: Vec<&'a Value> = self
                .world
                .config
                .expr(x, "route")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            for (n, r) in routes.iter().enumerate() {
                let fields = obj(r);
                let unknown = unknowns.get(n).map(obj).unwrap_or_default();
                let Some(dest) = self.route_dest(i, &fields, false) else {
                    continue;
                };
                // The configuration block of this route: the one with its
                // destination, or the one at its place.
                let block = blocks
                    .iter()
                    .copied()
                    .find(|b| {
                        b.pointer("/cidr_block/constant_value")
                            .and_then(Value::as_str)
                            == fields.get("cidr_block").and_then(Value::as_str)
                    })
                    .or_else(|| blocks.get(n).copied());
                let target = self.route_target(i, &fields, &unknown, block, false);
                self.add_route(&table, dest, target, i);
            }
        }
        for i in self.of(&["aws_route"]) {
            let Some(table) = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p))
                .filter(|t| self.out.route_tables.contains_key(t) || t.ends_with("/main-rt"))
            else {
                self.note(Unknown, i, "its route table is not in the design; left out");
                continue;
            };
            if !self.out.route_tables.contains_key(&table) {
                // The implicit main table of a VPC, named through the VPC.
                let vpc = table.trim_end_matches("/main-rt").to_string();
                let head = self.head(i);
                self.out.route_tables.insert(
                    table.clone(),
                    out::RouteTable {
                        head: out::Head {
                            name: None,
                            comments: vec![format!(
                                "The main route table of {vpc}; routes from {}",
                                head.comments.join(" ")
                            )],
                        },
                        vpc,
                        main: true,
                        routes: Vec::new(),
                    },
                );
            }
            let x = self.inst(i);
            let fields = x.values.clone();
            let unknown = obj(&x.unknown);
            let Some(dest) = self.route_dest(i, &fields, true) else {
                continue;
            };
            let target = self.route_target(i, &fields, &unknown, None, true);
            self.add_route(&table, dest, target, i);
            self.made.insert(i);
        }
    }

    pub(super) fn associations(&mut self) {
        for i in self.of(&["aws_route_table_association"]) {
            let x = self.inst(i);
            if x.str("gateway_id").is_some() || self.world.config.expr(x, "gateway_id").is_some() {
                self.note(
                    Unsupported,
                    i,
                    "an edge association (gateway route table); left out",
                );
                continue;
            }
            let s = self
                .world
                .one(i, "subnet_id", SUBNET)
                .and_then(|p| self.sid(&p));
            let t = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p));
            match (s, t) {
                (Some(s), Some(t)) if self.out.subnets.contains_key(&s) => {
                    self.out.subnets.get_mut(&s).expect("checked").route_table = Some(t);
                    self.made.insert(i);
                }
                _ => self.note(
                    Unknown,
                    i,
                    "its subnet or route table is not in the design; left out",
                ),
            }
        }
        for i in self.of(&["aws_main_route_table_association"]) {
            let t = self
                .world
                .one(i, "route_table_id", TABLE)
                .and_then(|p| self.sid(&p));
            let Some(t) = t.filter(|t| self.out.route_tables.contains_key(t)) else {
                self.note(Unknown, i, "its route table is not in the design; left out");
                continue;
            };
            let vpc = self.out.route_tables[&t].vpc.clone();
            // One main table per VPC: the association replaces the first.
            for (k, rt) in self.out.route_tables.iter_mut() {
                if rt.vpc == vpc {
                    rt.main = *k == t;
                }
            }
            self.made.insert(i);
        }
    }
}

/// A peering side's block (`requester`, `accepter`):
/// `allow_remote_vpc_dns_resolution`, whether that side's VPC resolves its
/// instances' public DNS names to private addresses for the peer (DNS-4).
fn side_dns(x: &super::plan::Inst, block: &str) -> Option<bool> {
    let v = x.values.get(block)?;
    let o = v.as_array().and_then(|a| a.first()).unwrap_or(v);
    o.get("allow_remote_vpc_dns_resolution")?.as_bool()
}
