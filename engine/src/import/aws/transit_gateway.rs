//! Transit gateways: `describe-transit-gateways`, their attachments, VPC and
//! peering attachments, route tables, propagations and static routes.

use serde::Deserialize;

use super::Tag;

/// `describe-transit-gateways`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGatewaysFile {
    pub transit_gateways: Vec<TransitGateway>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TransitGateway {
    pub transit_gateway_id: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub options: Option<TgwOptions>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A transit gateway's options; switches are `"enable"` or `"disable"`.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TgwOptions {
    #[serde(default)]
    pub amazon_side_asn: Option<i64>,
    #[serde(default)]
    pub default_route_table_association: Option<String>,
    #[serde(default)]
    pub association_default_route_table_id: Option<String>,
    #[serde(default)]
    pub default_route_table_propagation: Option<String>,
    #[serde(default)]
    pub propagation_default_route_table_id: Option<String>,
    #[serde(default)]
    pub dns_support: Option<String>,
    #[serde(default)]
    pub security_group_referencing_support: Option<String>,
}

/// `"enable"` as a switch: `None` when absent.
pub fn enabled(v: &Option<String>) -> Option<bool> {
    v.as_deref().map(|s| s.eq_ignore_ascii_case("enable"))
}

/// `describe-transit-gateway-attachments`: attachments of every type, with
/// the route table each is associated with.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TgwAttachmentsFile {
    pub transit_gateway_attachments: Vec<TgwAttachment>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwAttachment {
    pub transit_gateway_attachment_id: String,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_owner_id: Option<String>,
    #[serde(default)]
    pub resource_owner_id: Option<String>,
    #[serde(default)]
    pub resource_type: Option<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub association: Option<TgwAssociation>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwAssociation {
    #[serde(default)]
    pub transit_gateway_route_table_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

/// `describe-transit-gateway-vpc-attachments`: the subnets and options of
/// VPC attachments.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TgwVpcAttachmentsFile {
    pub transit_gateway_vpc_attachments: Vec<TgwVpcAttachment>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwVpcAttachment {
    pub transit_gateway_attachment_id: String,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub vpc_owner_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub options: Option<TgwVpcOptions>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TgwVpcOptions {
    #[serde(default)]
    pub appliance_mode_support: Option<String>,
    #[serde(default)]
    pub security_group_referencing_support: Option<String>,
}

/// `describe-transit-gateway-peering-attachments`: peering attachments
/// between two transit gateways (TGW-10), one description for both sides.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TgwPeeringAttachmentsFile {
    pub transit_gateway_peering_attachments: Vec<TgwPeeringAttachment>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwPeeringAttachment {
    pub transit_gateway_attachment_id: String,
    /// The accepter side's own attachment id, where AWS gives one.
    #[serde(default)]
    pub accepter_transit_gateway_attachment_id: Option<String>,
    #[serde(default)]
    pub requester_tgw_info: Option<PeeringTgwInfo>,
    #[serde(default)]
    pub accepter_tgw_info: Option<PeeringTgwInfo>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub status: Option<PeeringAttachmentStatus>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// One side of a transit gateway peering.
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringTgwInfo {
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringAttachmentStatus {
    #[serde(default)]
    pub message: Option<String>,
}

/// `describe-transit-gateway-route-tables`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TgwRouteTablesFile {
    pub transit_gateway_route_tables: Vec<TgwRouteTable>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwRouteTable {
    pub transit_gateway_route_table_id: String,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub default_association_route_table: Option<bool>,
    #[serde(default)]
    pub default_propagation_route_table: Option<bool>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `get-transit-gateway-route-table-propagations`, one call per route
/// table, gathered with the table's id (as `collect.sh` writes it).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TgwPropagationsFile {
    pub transit_gateway_propagations: Vec<TgwTablePropagations>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwTablePropagations {
    pub transit_gateway_route_table_id: String,
    #[serde(default)]
    pub transit_gateway_route_table_propagations: Vec<TgwPropagation>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwPropagation {
    pub transit_gateway_attachment_id: String,
    #[serde(default)]
    pub state: Option<String>,
}

/// `search-transit-gateway-routes --filters Name=type,Values=static`, one
/// call per route table, gathered with the table's id.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct TgwStaticRoutesFile {
    pub transit_gateway_static_routes: Vec<TgwTableRoutes>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwTableRoutes {
    pub transit_gateway_route_table_id: String,
    #[serde(default)]
    pub routes: Vec<TgwRoute>,
    #[serde(default)]
    pub additional_routes_available: Option<bool>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwRoute {
    /// IPv4 or IPv6: an IPv6 route is noted, not an error.
    #[serde(default)]
    pub destination_cidr_block: Option<String>,
    #[serde(default)]
    pub prefix_list_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_attachments: Vec<TgwRouteAttachment>,
    #[serde(rename = "Type", default)]
    pub route_type: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct TgwRouteAttachment {
    #[serde(default)]
    pub transit_gateway_attachment_id: Option<String>,
}
