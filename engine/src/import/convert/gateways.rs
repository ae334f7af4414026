//! Internet gateways and NAT gateways.

use super::*;

impl Cx<'_> {
    pub(super) fn internet_gateways(&mut self) {
        let mut vpc_has: BTreeMap<String, String> = BTreeMap::new();
        for (&id, g) in &self.input.igws {
            let attached: Vec<&aws::Attachment> =
                g.attachments.iter().filter(|a| a.attached()).collect();
            let Some(a) = attached.first() else {
                self.notes
                    .add(Skipped, id, "internet gateway not attached to a VPC");
                continue;
            };
            if !self.scenario.vpcs.contains_key(&a.vpc_id) {
                self.notes.left_out_with(
                    &a.vpc_id,
                    "VPC",
                    in_files(&self.input, "VPC", &a.vpc_id),
                    format!("internet gateway {id}"),
                );
                continue;
            }
            if let Some(first) = vpc_has.get(&a.vpc_id) {
                let text = format!(
                    "internet gateway left out: {} already has {first}, and a VPC has at most one (IGW-1)",
                    a.vpc_id
                );
                self.notes.add(Unsupported, id, text);
                continue;
            }
            vpc_has.insert(a.vpc_id.clone(), id.to_string());
            self.scenario.igws.insert(
                id.to_string(),
                out::Attached {
                    head: head(&g.tags),
                    vpc: a.vpc_id.clone(),
                },
            );
        }
        // An active route to a gateway not in the files: AWS routes only to
        // the gateway attached to the table's VPC, so that is where it is.
        for (rt, vpc, r) in self.routes() {
            let Some((gid, TargetKind::Igw)) = route_target(r) else {
                continue;
            };
            if !route_active(r) || self.input.igws.contains_key(gid.as_str()) {
                continue;
            }
            if self.scenario.igws.contains_key(&gid) {
                continue;
            }
            if vpc_has.contains_key(vpc) {
                continue;
            }
            vpc_has.insert(vpc.to_string(), gid.clone());
            self.scenario.igws.insert(
                gid.clone(),
                out::Attached {
                    head: Head::default(),
                    vpc: vpc.to_string(),
                },
            );
            self.notes.add(
                Approximated,
                &gid,
                format!("internet gateway not in the files, imported from the active route of {rt} (attached to {vpc})"),
            );
        }
    }

    pub(super) fn nat_gateways(&mut self) {
        for (&id, n) in &self.input.nats {
            let nat_enis: Vec<String> = n
                .nat_gateway_addresses
                .iter()
                .filter_map(|a| a.network_interface_id.clone())
                .collect();
            self.accounted_enis.extend(nat_enis);
            let state = n.state.as_deref().unwrap_or("available");
            if !matches!(state, "available" | "pending") {
                self.notes
                    .add(Skipped, id, format!("NAT gateway in state {state}"));
                continue;
            }
            if !self.scenario.subnets.contains_key(&n.subnet_id) {
                self.notes.left_out_with(
                    &n.subnet_id,
                    "subnet",
                    in_files(&self.input, "subnet", &n.subnet_id),
                    format!("NAT gateway {id}"),
                );
                continue;
            }
            let public = n.connectivity_type.as_deref() != Some("private");
            let vpc = self.scenario.subnets[&n.subnet_id].vpc.clone();
            if public && !self.scenario.igws.values().any(|g| g.vpc == vpc) {
                // AWS creates a public NAT gateway only in a VPC with an
                // internet gateway, and refuses to detach one while the
                // NAT gateway's address is mapped (NAT-1): the files
                // contradict each other.
                self.notes.add(
                    Unsupported,
                    id,
                    format!("public NAT gateway, but no internet gateway is attached to {vpc} in the files (NAT-1); left out"),
                );
                continue;
            }
            let primary = n
                .nat_gateway_addresses
                .iter()
                .find(|a| a.is_primary == Some(true))
                .or_else(|| n.nat_gateway_addresses.first());
            if n.nat_gateway_addresses.len() > 1 {
                self.notes.add(
                    Approximated,
                    id,
                    format!(
                        "{} addresses; vpcsim gives a NAT gateway one (the primary)",
                        n.nat_gateway_addresses.len()
                    ),
                );
            }
            let private_ip = primary.and_then(|a| a.private_ip).map(|x| x.0);
            let mut public_ip = None;
            if public {
                public_ip = primary.and_then(|a| a.public_ip).map(|x| x.0).or_else(|| {
                    primary.and_then(|a| {
                        self.elastic_ip(
                            a.allocation_id.as_deref(),
                            a.network_interface_id.as_deref(),
                        )
                    })
                });
                if public_ip.is_none() {
                    self.notes.add(
                        Unknown,
                        id,
                        "public NAT gateway whose Elastic IP is not in the files; left out",
                    );
                    continue;
                }
            }
            let cidr = self.scenario.subnets.get(&n.subnet_id).map(|s| s.cidr);
            let (private_ip, public_ip) = nat_addresses(
                &mut self.notes,
                id,
                &n.subnet_id,
                cidr,
                private_ip,
                public_ip,
            );
            // Two NAT gateways never share an address (ADDR-5): the files
            // repeat one; the first in the files is kept.
            let taken = |ip: Option<Ipv4Addr>| {
                ip.and_then(|ip| {
                    self.scenario
                        .nats
                        .iter()
                        .find(|(_, x)| x.private_ip == Some(ip) || x.public_ip == Some(ip))
                        .map(|(k, _)| (ip, k.clone()))
                })
            };
            if let Some((ip, other)) = taken(private_ip).or_else(|| taken(public_ip)) {
                self.notes.add(
                    Unsupported,
                    id,
                    format!("NAT gateway left out: its address {ip} is NAT gateway {other}'s too (ADDR-5)"),
                );
                continue;
            }
            self.scenario.nats.insert(
                id.to_string(),
                out::Nat {
                    head: head(&n.tags),
                    subnet: n.subnet_id.clone(),
                    public,
                    public_ip,
                    private_ip,
                },
            );
        }
        // NAT gateways that only their ENI speaks of.
        let enis: Vec<&aws::NetworkInterface> = self.input.enis.values().copied().collect();
        for e in enis {
            if e.interface_type.as_deref() != Some("nat_gateway") {
                continue;
            }
            let Some(nid) = e
                .description
                .as_deref()
                .and_then(|d| d.split_whitespace().find(|w| w.starts_with("nat-")))
            else {
                continue;
            };
            if self.input.nats.contains_key(nid) {
                continue;
            }
            self.accounted_enis.insert(e.network_interface_id.clone());
            let Some(subnet) = e
                .subnet_id
                .clone()
                .filter(|s| self.scenario.subnets.contains_key(s))
            else {
                continue;
            };
            let public_ip = e
                .public_ip()
                .or_else(|| self.elastic_ip(None, Some(&e.network_interface_id)));
            let private_ip = e.private_ip_address.map(|x| x.0);
            let vpc = self.scenario.subnets[&subnet].vpc.clone();
            let clash = self.scenario.nats.iter().find(|(_, x)| {
                (private_ip.is_some() && x.private_ip == private_ip)
                    || (public_ip.is_some() && x.public_ip == public_ip)
            });
            if let Some((other, _)) = clash {
                let text = format!(
                    "NAT gateway named by network interface {} left out: its address is NAT gateway {other}'s too (ADDR-5)",
                    e.network_interface_id
                );
                self.notes.add(Unsupported, nid, text);
                continue;
            }
            if public_ip.is_some() && !self.scenario.igws.values().any(|g| g.vpc == vpc) {
                let text = format!(
                    "public NAT gateway named by network interface {}, but no internet gateway is attached to {vpc} in the files (NAT-1); left out",
                    e.network_interface_id
                );
                self.notes.add(Unsupported, nid, text);
                continue;
            }
            self.scenario.nats.insert(
                nid.to_string(),
                out::Nat {
                    head: Head::default(),
                    subnet,
                    public: public_ip.is_some(),
                    public_ip,
                    private_ip,
                },
            );
            self.notes.add(
                Approximated,
                nid,
                format!(
                    "NAT gateway not in describe-nat-gateways output, imported from its network interface {} ({})",
                    e.network_interface_id,
                    if public_ip.is_some() { "public" } else { "private: no Elastic IP" }
                ),
            );
        }
    }
}

/// A NAT gateway's private address must be a usable address of its
/// subnet (not one of the five AWS reserves, ADDR-3). Files whose
/// private and public addresses are the wrong way round are imported
/// the right way round; a private address that cannot be the
/// gateway's is left for vpcsim to assign. Both are noted.
fn nat_addresses(
    notes: &mut Notes,
    id: &str,
    subnet: &str,
    cidr: Option<Ipv4Net>,
    private_ip: Option<Ipv4Addr>,
    public_ip: Option<Ipv4Addr>,
) -> (Option<Ipv4Addr>, Option<Ipv4Addr>) {
    let Some(cidr) = cidr else {
        return (private_ip, public_ip);
    };
    let usable = |ip: Ipv4Addr| {
        let (a, net, last) = (
            u32::from(ip),
            u32::from(cidr.network()),
            u32::from(cidr.broadcast()),
        );
        cidr.contains(&ip) && a - net > 3 && a != last
    };
    match private_ip {
        Some(p) if !usable(p) => match public_ip {
            Some(q) if usable(q) => {
                notes.add(
                    Approximated,
                    id,
                    format!(
                        "private address {p} and public address {q} are the wrong way round in the files (the private address is in subnet {subnet}, {cidr}); imported with private address {q} and public address {p}"
                    ),
                );
                (Some(q), Some(p))
            }
            _ => {
                notes.add(
                    Approximated,
                    id,
                    format!(
                        "private address {p} is not a usable address of subnet {subnet} ({cidr}); left out, vpcsim assigns one"
                    ),
                );
                (None, public_ip)
            }
        },
        _ => (private_ip, public_ip),
    }
}
