//! The input: every folder's resources by id, gathered once.

use super::*;

/// All folders' resources by id (the first description of an id wins).
#[derive(Default)]
pub(super) struct Input<'a> {
    /// Entries whose id is empty, by the list they are in: no file can
    /// name them, so they are left out (and noted).
    pub(super) nameless: BTreeMap<&'static str, usize>,
    pub(super) vpcs: BTreeMap<&'a str, &'a aws::Vpc>,
    pub(super) subnets: BTreeMap<&'a str, &'a aws::Subnet>,
    pub(super) route_tables: BTreeMap<&'a str, &'a aws::RouteTable>,
    pub(super) sgs: BTreeMap<&'a str, &'a aws::SecurityGroup>,
    pub(super) nacls: BTreeMap<&'a str, &'a aws::NetworkAcl>,
    pub(super) igws: BTreeMap<&'a str, &'a aws::InternetGateway>,
    pub(super) nats: BTreeMap<&'a str, &'a aws::NatGateway>,
    pub(super) endpoints: BTreeMap<&'a str, &'a aws::VpcEndpoint>,
    pub(super) enis: BTreeMap<&'a str, &'a aws::NetworkInterface>,
    pub(super) instances: BTreeMap<&'a str, &'a aws::Instance>,
    pub(super) peerings: BTreeMap<&'a str, &'a aws::VpcPeeringConnection>,
    pub(super) vgws: BTreeMap<&'a str, &'a aws::VpnGateway>,
    pub(super) vpns: BTreeMap<&'a str, &'a aws::VpnConnection>,
    pub(super) cgws: BTreeMap<&'a str, &'a aws::CustomerGateway>,
    pub(super) prefix_lists: BTreeMap<&'a str, &'a aws::PrefixList>,
    pub(super) managed_lists: BTreeMap<&'a str, &'a aws::ManagedPrefixList>,
    pub(super) entries: BTreeMap<&'a str, &'a [aws::PrefixListEntry]>,
    pub(super) addresses: Vec<&'a aws::Address>,
    pub(super) functions: BTreeMap<&'a str, &'a aws::Function>,
    pub(super) has_functions_file: bool,
    pub(super) unsupported: Vec<(&'a str, &'a str)>,
    pub(super) tgws: BTreeMap<&'a str, &'a aws::TransitGateway>,
    pub(super) tgw_attachments: BTreeMap<&'a str, &'a aws::TgwAttachment>,
    pub(super) tgw_vpc_attachments: BTreeMap<&'a str, &'a aws::TgwVpcAttachment>,
    pub(super) tgw_route_tables: BTreeMap<&'a str, &'a aws::TgwRouteTable>,
    /// Route table -> its propagations, when the propagations file is given.
    pub(super) tgw_propagations: BTreeMap<&'a str, &'a aws::TgwTablePropagations>,
    pub(super) tgw_static_routes: BTreeMap<&'a str, &'a aws::TgwTableRoutes>,
    /// Every account's view of every attachment, in file order: each side
    /// of a peering sees it with its own transit gateway and association.
    pub(super) tgw_attachment_views: Vec<&'a aws::TgwAttachment>,
    pub(super) tgw_peerings: BTreeMap<&'a str, &'a aws::TgwPeeringAttachment>,
    pub(super) has_tgw_peerings_file: bool,
    pub(super) has_tgw_attachments_file: bool,
    pub(super) has_tgw_vpc_attachments_file: bool,
    pub(super) has_tgw_propagations_file: bool,
    pub(super) has_tgw_static_routes_file: bool,
}

/// Whether a VPC, subnet or VPN gateway is described in the files.
pub(super) fn in_files(x: &Input<'_>, what: &str, id: &str) -> bool {
    match what {
        "VPC" => x.vpcs.contains_key(id),
        "subnet" => x.subnets.contains_key(id),
        "VPN gateway" => x.vgws.contains_key(id),
        _ => false,
    }
}

impl<'a> Input<'a> {
    pub(super) fn gather(folders: &'a [Folder]) -> Self {
        let mut x = Input::default();
        macro_rules! each {
            ($f:expr, $field:ident, $list:ident, $id:ident, $map:ident) => {
                if let Some(file) = &$f.$field {
                    for r in &file.$list {
                        if r.$id.trim().is_empty() {
                            *x.nameless.entry(stringify!($list)).or_default() += 1;
                            continue;
                        }
                        x.$map.entry(r.$id.as_str()).or_insert(r);
                    }
                }
            };
        }
        for f in folders {
            each!(f, vpcs, vpcs, vpc_id, vpcs);
            each!(f, subnets, subnets, subnet_id, subnets);
            each!(f, route_tables, route_tables, route_table_id, route_tables);
            each!(f, security_groups, security_groups, group_id, sgs);
            each!(f, network_acls, network_acls, network_acl_id, nacls);
            each!(
                f,
                internet_gateways,
                internet_gateways,
                internet_gateway_id,
                igws
            );
            each!(f, nat_gateways, nat_gateways, nat_gateway_id, nats);
            each!(f, vpc_endpoints, vpc_endpoints, vpc_endpoint_id, endpoints);
            each!(
                f,
                network_interfaces,
                network_interfaces,
                network_interface_id,
                enis
            );
            each!(
                f,
                peerings,
                vpc_peering_connections,
                vpc_peering_connection_id,
                peerings
            );
            each!(f, vpn_gateways, vpn_gateways, vpn_gateway_id, vgws);
            each!(f, vpn_connections, vpn_connections, vpn_connection_id, vpns);
            each!(
                f,
                customer_gateways,
                customer_gateways,
                customer_gateway_id,
                cgws
            );
            each!(f, prefix_lists, prefix_lists, prefix_list_id, prefix_lists);
            each!(
                f,
                managed_prefix_lists,
                prefix_lists,
                prefix_list_id,
                managed_lists
            );
            each!(f, functions, functions, function_name, functions);
            if let Some(r) = &f.reservations {
                for i in r.reservations.iter().flat_map(|r| &r.instances) {
                    if i.instance_id.trim().is_empty() {
                        *x.nameless.entry("instances").or_default() += 1;
                        continue;
                    }
                    x.instances.entry(i.instance_id.as_str()).or_insert(i);
                }
            }
            if let Some(a) = &f.addresses {
                x.addresses.extend(a.addresses.iter());
            }
            for (id, e) in &f.prefix_list_entries {
                x.entries.entry(id.as_str()).or_insert(e.as_slice());
            }
            each!(
                f,
                transit_gateways,
                transit_gateways,
                transit_gateway_id,
                tgws
            );
            // The owner's view of an attachment has its association; the
            // other account's does not.
            if let Some(file) = &f.tgw_attachments {
                for a in &file.transit_gateway_attachments {
                    x.tgw_attachment_views.push(a);
                    let e = x
                        .tgw_attachments
                        .entry(a.transit_gateway_attachment_id.as_str())
                        .or_insert(a);
                    if e.association.is_none() && a.association.is_some() {
                        *e = a;
                    }
                }
            }
            each!(
                f,
                tgw_vpc_attachments,
                transit_gateway_vpc_attachments,
                transit_gateway_attachment_id,
                tgw_vpc_attachments
            );
            each!(
                f,
                tgw_route_tables,
                transit_gateway_route_tables,
                transit_gateway_route_table_id,
                tgw_route_tables
            );
            each!(
                f,
                tgw_propagations,
                transit_gateway_propagations,
                transit_gateway_route_table_id,
                tgw_propagations
            );
            each!(
                f,
                tgw_static_routes,
                transit_gateway_static_routes,
                transit_gateway_route_table_id,
                tgw_static_routes
            );
            each!(
                f,
                tgw_peerings,
                transit_gateway_peering_attachments,
                transit_gateway_attachment_id,
                tgw_peerings
            );
            x.has_tgw_peerings_file |= f.tgw_peerings.is_some();
            x.has_tgw_attachments_file |= f.tgw_attachments.is_some();
            x.has_tgw_vpc_attachments_file |= f.tgw_vpc_attachments.is_some();
            x.has_tgw_propagations_file |= f.tgw_propagations.is_some();
            x.has_tgw_static_routes_file |= f.tgw_static_routes.is_some();
            x.has_functions_file |= f.functions.is_some();
            x.unsupported.extend(
                f.unsupported
                    .iter()
                    .map(|(w, id)| (w.as_str(), id.as_str())),
            );
        }
        x
    }
}
