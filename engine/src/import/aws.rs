//! The JSON that the AWS CLI prints, as far as the import reads it, and the
//! folder of files it comes in.
//!
//! Field names are the API's (PascalCase); everything an account may leave out
//! is optional, and fields the import does not use are not declared (serde
//! skips them). Addresses and CIDRs are parsed while reading, so that a bad
//! one is reported with its JSON path like any other malformed value.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;

use ipnet::Ipv4Net;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Unexpected};

use super::ImportError;
use super::json::{self, JsonError};

/// Parses a string in the visitor itself, so that serde_json places the error
/// at the value (a check after deserializing would be placed at the end of
/// the enclosing object).
struct Parsed<T> {
    expected: &'static str,
    parse: fn(&str) -> Option<T>,
}

impl<T> de::Visitor<'_> for Parsed<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.expected)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        (self.parse)(s.trim()).ok_or_else(|| E::invalid_value(Unexpected::Str(s), &self))
    }
}

/// An IPv4 CIDR; host bits are accepted here (and cleared on output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr(pub Ipv4Net);

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Parsed {
            expected: "a string: an IPv4 CIDR like \"10.0.0.0/16\"",
            parse: |s| s.parse().ok().map(Cidr),
        })
    }
}

/// An IPv4 address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ip(pub Ipv4Addr);

impl<'de> Deserialize<'de> for Ip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(Parsed {
            expected: "a string: an IPv4 address like \"10.0.1.5\"",
            parse: |s| s.parse().ok().map(Ip),
        })
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// The `Name` tag, if any.
pub fn name_tag(tags: &[Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key == "Name" && !t.value.trim().is_empty())
        .map(|t| t.value.clone())
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct StateObj {
    pub state: String,
}

// -- describe-vpcs ------------------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct VpcsFile {
    pub vpcs: Vec<Vpc>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    pub vpc_id: String,
    #[serde(default)]
    pub cidr_block: Option<Cidr>,
    #[serde(default)]
    pub cidr_block_association_set: Vec<CidrAssoc>,
    #[serde(default)]
    pub ipv6_cidr_block_association_set: Vec<Ipv6Assoc>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct CidrAssoc {
    pub cidr_block: Cidr,
    #[serde(default)]
    pub cidr_block_state: Option<StateObj>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Assoc {
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub ipv6_cidr_block_state: Option<StateObj>,
}

impl Ipv6Assoc {
    pub fn associated(&self) -> bool {
        self.ipv6_cidr_block_state
            .as_ref()
            .is_none_or(|s| s.state == "associated" || s.state == "associating")
    }
}

// -- describe-subnets ---------------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetsFile {
    pub subnets: Vec<Subnet>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    #[serde(default)]
    pub cidr_block: Option<Cidr>,
    pub availability_zone: String,
    #[serde(default)]
    pub ipv6_cidr_block_association_set: Vec<Ipv6Assoc>,
    #[serde(default)]
    pub outpost_arn: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

// -- describe-route-tables ----------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTablesFile {
    pub route_tables: Vec<RouteTable>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub route_table_id: String,
    pub vpc_id: String,
    #[serde(default)]
    pub associations: Vec<RtAssoc>,
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default)]
    pub propagating_vgws: Vec<PropagatingVgw>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct RtAssoc {
    #[serde(default)]
    pub main: bool,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub gateway_id: Option<String>,
    #[serde(default)]
    pub association_state: Option<StateObj>,
}

impl RtAssoc {
    pub fn live(&self) -> bool {
        self.association_state
            .as_ref()
            .is_none_or(|s| s.state == "associated" || s.state == "associating")
    }
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    #[serde(default)]
    pub destination_cidr_block: Option<Cidr>,
    #[serde(default)]
    pub destination_ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub destination_prefix_list_id: Option<String>,
    #[serde(default)]
    pub gateway_id: Option<String>,
    #[serde(default)]
    pub nat_gateway_id: Option<String>,
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
    #[serde(default)]
    pub vpc_peering_connection_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub egress_only_internet_gateway_id: Option<String>,
    #[serde(default)]
    pub local_gateway_id: Option<String>,
    #[serde(default)]
    pub carrier_gateway_id: Option<String>,
    #[serde(default)]
    pub core_network_arn: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PropagatingVgw {
    pub gateway_id: String,
}

// -- describe-security-groups -------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroupsFile {
    pub security_groups: Vec<SecurityGroup>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub group_id: String,
    #[serde(default)]
    pub group_name: Option<String>,
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub ip_permissions: Vec<IpPermission>,
    #[serde(default)]
    pub ip_permissions_egress: Vec<IpPermission>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    pub ip_protocol: String,
    #[serde(default)]
    pub from_port: Option<i64>,
    #[serde(default)]
    pub to_port: Option<i64>,
    #[serde(default)]
    pub ip_ranges: Vec<IpRange>,
    #[serde(default)]
    pub ipv6_ranges: Vec<Ipv6Range>,
    #[serde(default)]
    pub prefix_list_ids: Vec<PrefixListRef>,
    #[serde(default)]
    pub user_id_group_pairs: Vec<GroupPair>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    pub cidr_ip: Cidr,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    pub cidr_ipv6: String,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListRef {
    pub prefix_list_id: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct GroupPair {
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub group_name: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

// -- describe-network-acls ----------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAclsFile {
    pub network_acls: Vec<NetworkAcl>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAcl {
    pub network_acl_id: String,
    pub vpc_id: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub entries: Vec<AclEntry>,
    #[serde(default)]
    pub associations: Vec<AclAssoc>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct AclEntry {
    pub rule_number: i64,
    pub protocol: String,
    pub rule_action: String,
    pub egress: bool,
    #[serde(default)]
    pub cidr_block: Option<Cidr>,
    #[serde(default)]
    pub ipv6_cidr_block: Option<String>,
    #[serde(default)]
    pub icmp_type_code: Option<IcmpTypeCode>,
    #[serde(default)]
    pub port_range: Option<PortRange>,
}

#[derive(Deserialize, Debug, Clone)]
pub struct IcmpTypeCode {
    #[serde(rename = "Type", default)]
    pub icmp_type: Option<i64>,
    #[serde(rename = "Code", default)]
    pub code: Option<i64>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PortRange {
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct AclAssoc {
    pub subnet_id: String,
}

// -- gateways -------------------------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGatewaysFile {
    pub internet_gateways: Vec<InternetGateway>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGateway {
    pub internet_gateway_id: String,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Attachment {
    pub vpc_id: String,
    #[serde(default)]
    pub state: Option<String>,
}

impl Attachment {
    pub fn attached(&self) -> bool {
        self.state
            .as_deref()
            .is_none_or(|s| s == "available" || s == "attached" || s == "attaching")
    }
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct NatGatewaysFile {
    pub nat_gateways: Vec<NatGateway>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct NatGateway {
    pub nat_gateway_id: String,
    pub subnet_id: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub connectivity_type: Option<String>,
    #[serde(default)]
    pub nat_gateway_addresses: Vec<NatAddress>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct NatAddress {
    #[serde(default)]
    pub allocation_id: Option<String>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
    #[serde(default)]
    pub private_ip: Option<Ip>,
    #[serde(default)]
    pub public_ip: Option<Ip>,
    #[serde(default)]
    pub is_primary: Option<bool>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct VpnGatewaysFile {
    pub vpn_gateways: Vec<VpnGateway>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpnGateway {
    pub vpn_gateway_id: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub vpc_attachments: Vec<Attachment>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct VpnConnectionsFile {
    pub vpn_connections: Vec<VpnConnection>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpnConnection {
    pub vpn_connection_id: String,
    #[serde(default)]
    pub vpn_gateway_id: Option<String>,
    #[serde(default)]
    pub transit_gateway_id: Option<String>,
    #[serde(default)]
    pub customer_gateway_id: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub options: Option<VpnOptions>,
    #[serde(default)]
    pub routes: Vec<VpnRoute>,
    #[serde(default)]
    pub vgw_telemetry: Vec<VgwTelemetry>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpnOptions {
    #[serde(default)]
    pub static_routes_only: Option<bool>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpnRoute {
    #[serde(default)]
    pub destination_cidr_block: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VgwTelemetry {
    #[serde(default)]
    pub status: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerGatewaysFile {
    pub customer_gateways: Vec<CustomerGateway>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct CustomerGateway {
    pub customer_gateway_id: String,
    #[serde(default)]
    pub ip_address: Option<String>,
}

// -- endpoints, peering -----------------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpointsFile {
    pub vpc_endpoints: Vec<VpcEndpoint>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: String,
    pub vpc_endpoint_type: String,
    pub vpc_id: String,
    pub service_name: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub route_table_ids: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub groups: Vec<GroupRef>,
    #[serde(default)]
    pub private_dns_enabled: Option<bool>,
    #[serde(default)]
    pub network_interface_ids: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct GroupRef {
    pub group_id: String,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct VpcPeeringConnectionsFile {
    pub vpc_peering_connections: Vec<VpcPeeringConnection>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpcPeeringConnection {
    pub vpc_peering_connection_id: String,
    #[serde(default)]
    pub accepter_vpc_info: Option<PeeringVpcInfo>,
    #[serde(default)]
    pub requester_vpc_info: Option<PeeringVpcInfo>,
    #[serde(default)]
    pub status: Option<PeeringStatus>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringVpcInfo {
    #[serde(default)]
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringStatus {
    pub code: String,
}

// -- ENIs and instances ---------------------------------------------------------

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterfacesFile {
    pub network_interfaces: Vec<NetworkInterface>,
}

/// An ENI, as `describe-network-interfaces` prints it, and as the
/// `NetworkInterfaces` of an instance in `describe-instances`.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkInterface {
    pub network_interface_id: String,
    #[serde(default)]
    pub interface_type: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub private_ip_address: Option<Ip>,
    #[serde(default)]
    pub private_ip_addresses: Vec<EniPrivateIp>,
    #[serde(default)]
    pub ipv6_addresses: Vec<serde_json::Value>,
    #[serde(default)]
    pub association: Option<EniAssociation>,
    #[serde(default)]
    pub attachment: Option<EniAttachment>,
    #[serde(default)]
    pub groups: Vec<GroupRef>,
    #[serde(default)]
    pub source_dest_check: Option<bool>,
}

impl NetworkInterface {
    pub fn device_index(&self) -> Option<i64> {
        self.attachment.as_ref().and_then(|a| a.device_index)
    }
    pub fn instance_id(&self) -> Option<&str> {
        self.attachment
            .as_ref()
            .and_then(|a| a.instance_id.as_deref())
    }
    pub fn public_ip(&self) -> Option<Ipv4Addr> {
        self.association
            .as_ref()
            .and_then(|a| a.public_ip)
            .map(|i| i.0)
    }
    /// Private addresses beyond the primary one.
    pub fn secondary_ips(&self) -> Vec<Ipv4Addr> {
        self.private_ip_addresses
            .iter()
            .filter(|p| p.primary != Some(true))
            .map(|p| p.private_ip_address.0)
            .filter(|ip| Some(*ip) != self.private_ip_address.map(|p| p.0))
            .collect()
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct EniPrivateIp {
    pub private_ip_address: Ip,
    #[serde(default)]
    pub primary: Option<bool>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct EniAssociation {
    #[serde(default)]
    pub public_ip: Option<Ip>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct EniAttachment {
    #[serde(default)]
    pub instance_id: Option<String>,
    #[serde(default)]
    pub device_index: Option<i64>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ReservationsFile {
    pub reservations: Vec<Reservation>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Reservation {
    #[serde(default)]
    pub instances: Vec<Instance>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    pub instance_id: String,
    #[serde(default)]
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub private_ip_address: Option<Ip>,
    #[serde(default)]
    pub public_ip_address: Option<Ip>,
    #[serde(default)]
    pub security_groups: Vec<GroupRef>,
    #[serde(default)]
    pub source_dest_check: Option<bool>,
    #[serde(default)]
    pub state: Option<InstanceState>,
    #[serde(default)]
    pub network_interfaces: Vec<NetworkInterface>,
    #[serde(default)]
    pub placement: Option<Placement>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceState {
    pub name: String,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Placement {
    #[serde(default)]
    pub availability_zone: Option<String>,
}

// -- prefix lists, addresses, Lambda, zones ------------------------------------

/// `describe-prefix-lists`: the AWS-managed service lists with their CIDRs.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListsFile {
    pub prefix_lists: Vec<PrefixList>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixList {
    pub prefix_list_id: String,
    #[serde(default)]
    pub prefix_list_name: Option<String>,
    #[serde(default)]
    pub cidrs: Vec<String>,
}

/// `describe-managed-prefix-lists`: lists without their entries.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPrefixListsFile {
    pub prefix_lists: Vec<ManagedPrefixList>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPrefixList {
    pub prefix_list_id: String,
    #[serde(default)]
    pub prefix_list_name: Option<String>,
    #[serde(default)]
    pub address_family: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
}

/// `get-managed-prefix-list-entries --prefix-list-id pl-...`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListEntriesFile {
    pub entries: Vec<PrefixListEntry>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListEntry {
    pub cidr: String,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct AddressesFile {
    pub addresses: Vec<Address>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Address {
    #[serde(default)]
    pub public_ip: Option<Ip>,
    #[serde(default)]
    pub allocation_id: Option<String>,
    #[serde(default)]
    pub network_interface_id: Option<String>,
}

/// `aws lambda list-functions`.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct FunctionsFile {
    pub functions: Vec<Function>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct Function {
    pub function_name: String,
    #[serde(default)]
    pub vpc_config: Option<VpcConfig>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct VpcConfig {
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct AvailabilityZonesFile {
    pub availability_zones: Vec<AvailabilityZone>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct AvailabilityZone {
    #[serde(default)]
    pub region_name: Option<String>,
}

// -- files ------------------------------------------------------------------------

/// What a file holds: the name of the API's top-level key (`Vpcs.json`) and
/// the CLI command (`describe-vpcs.json`), both accepted.
const READ: &[(&str, &str)] = &[
    ("Vpcs", "describe-vpcs"),
    ("Subnets", "describe-subnets"),
    ("RouteTables", "describe-route-tables"),
    ("SecurityGroups", "describe-security-groups"),
    ("NetworkAcls", "describe-network-acls"),
    ("InternetGateways", "describe-internet-gateways"),
    ("NatGateways", "describe-nat-gateways"),
    ("VpcEndpoints", "describe-vpc-endpoints"),
    ("NetworkInterfaces", "describe-network-interfaces"),
    ("Reservations", "describe-instances"),
    ("VpcPeeringConnections", "describe-vpc-peering-connections"),
    ("VpnGateways", "describe-vpn-gateways"),
    ("VpnConnections", "describe-vpn-connections"),
    ("CustomerGateways", "describe-customer-gateways"),
    ("PrefixLists", "describe-prefix-lists"),
    ("ManagedPrefixLists", "describe-managed-prefix-lists"),
    ("Addresses", "describe-addresses"),
    ("Functions", "list-functions"),
    ("AvailabilityZones", "describe-availability-zones"),
];

/// Files of resources that vpcsim cannot represent: their resources are listed
/// by id. (file key, CLI command, top-level key, id field, what it is).
pub const UNSUPPORTED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "TransitGateways",
        "describe-transit-gateways",
        "TransitGateways",
        "TransitGatewayId",
        "transit gateway",
    ),
    (
        "TransitGatewayAttachments",
        "describe-transit-gateway-attachments",
        "TransitGatewayAttachments",
        "TransitGatewayAttachmentId",
        "transit gateway attachment",
    ),
    (
        "TransitGatewayVpcAttachments",
        "describe-transit-gateway-vpc-attachments",
        "TransitGatewayVpcAttachments",
        "TransitGatewayAttachmentId",
        "transit gateway VPC attachment",
    ),
    (
        "TransitGatewayRouteTables",
        "describe-transit-gateway-route-tables",
        "TransitGatewayRouteTables",
        "TransitGatewayRouteTableId",
        "transit gateway route table",
    ),
    (
        "TransitGatewayPeeringAttachments",
        "describe-transit-gateway-peering-attachments",
        "TransitGatewayPeeringAttachments",
        "TransitGatewayAttachmentId",
        "transit gateway peering attachment",
    ),
    (
        "TransitGatewayStaticRoutes",
        "search-transit-gateway-routes",
        "TransitGatewayStaticRoutes",
        "DestinationCidrBlock",
        "transit gateway route",
    ),
    (
        "TransitGatewayPropagations",
        "get-transit-gateway-route-table-propagations",
        "TransitGatewayPropagations",
        "TransitGatewayAttachmentId",
        "transit gateway route propagation",
    ),
    (
        "EgressOnlyInternetGateways",
        "describe-egress-only-internet-gateways",
        "EgressOnlyInternetGateways",
        "EgressOnlyInternetGatewayId",
        "egress-only internet gateway (IPv6)",
    ),
    (
        "CarrierGateways",
        "describe-carrier-gateways",
        "CarrierGateways",
        "CarrierGatewayId",
        "carrier gateway",
    ),
    (
        "LocalGateways",
        "describe-local-gateways",
        "LocalGateways",
        "LocalGatewayId",
        "local gateway",
    ),
    (
        "LoadBalancers",
        "describe-load-balancers",
        "LoadBalancers",
        "LoadBalancerName",
        "load balancer",
    ),
    (
        "TargetGroups",
        "describe-target-groups",
        "TargetGroups",
        "TargetGroupName",
        "load balancer target group",
    ),
    (
        "Firewalls",
        "list-firewalls",
        "Firewalls",
        "FirewallName",
        "network firewall",
    ),
    (
        "RdsInstances",
        "describe-db-instances",
        "DBInstances",
        "DBInstanceIdentifier",
        "RDS database instance",
    ),
    (
        "ElasticsearchDomains",
        "describe-elasticsearch-domains",
        "DomainStatusList",
        "DomainId",
        "Elasticsearch domain",
    ),
    (
        "DirectConnectGateways",
        "describe-direct-connect-gateways",
        "directConnectGateways",
        "directConnectGatewayId",
        "Direct Connect gateway",
    ),
    (
        "ClientVpnEndpoints",
        "describe-client-vpn-endpoints",
        "ClientVpnEndpoints",
        "ClientVpnEndpointId",
        "Client VPN endpoint",
    ),
];

/// Read without importing anything from them.
const QUIET: &[&str] = &[
    "VpcEndpointServices",
    "describe-vpc-endpoint-services",
    "LoadBalancerAttributes",
    "LoadBalancerListeners",
    "LoadBalancerTargetHealth",
    "DhcpOptions",
    "describe-dhcp-options",
    "FlowLogs",
    "describe-flow-logs",
];

/// The prefix of entries files: `PrefixListEntries-pl-0123.json`.
pub const ENTRIES_PREFIXES: &[&str] = &["PrefixListEntries-", "get-managed-prefix-list-entries-"];

/// Everything read from one folder (one region).
#[derive(Debug, Default)]
pub struct Folder {
    /// The region the folder is named after, if it is.
    pub region: Option<String>,
    pub vpcs: Option<VpcsFile>,
    pub subnets: Option<SubnetsFile>,
    pub route_tables: Option<RouteTablesFile>,
    pub security_groups: Option<SecurityGroupsFile>,
    pub network_acls: Option<NetworkAclsFile>,
    pub internet_gateways: Option<InternetGatewaysFile>,
    pub nat_gateways: Option<NatGatewaysFile>,
    pub vpc_endpoints: Option<VpcEndpointsFile>,
    pub network_interfaces: Option<NetworkInterfacesFile>,
    pub reservations: Option<ReservationsFile>,
    pub peerings: Option<VpcPeeringConnectionsFile>,
    pub vpn_gateways: Option<VpnGatewaysFile>,
    pub vpn_connections: Option<VpnConnectionsFile>,
    pub customer_gateways: Option<CustomerGatewaysFile>,
    pub prefix_lists: Option<PrefixListsFile>,
    pub managed_prefix_lists: Option<ManagedPrefixListsFile>,
    /// Entries of managed prefix lists, by list id.
    pub prefix_list_entries: BTreeMap<String, Vec<PrefixListEntry>>,
    pub addresses: Option<AddressesFile>,
    pub functions: Option<FunctionsFile>,
    pub zones: Option<AvailabilityZonesFile>,
    /// (what it is, id) of resources in files of unsupported kinds.
    pub unsupported: Vec<(String, String)>,
    /// Files that were not read (unknown names).
    pub ignored: Vec<String>,
    /// How many files were read.
    pub files_read: usize,
}

/// Whether a folder name is an AWS region name (`us-east-1`, `us-gov-west-1`).
pub fn is_region_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

fn read_text(path: &Path, shown: &str) -> Result<String, ImportError> {
    let bytes =
        crate::scenario::read_bounded(path, crate::scenario::MAX_FILE_BYTES).map_err(|e| {
            ImportError::Io {
                path: shown.to_string(),
                message: e.to_string(),
            }
        })?;
    String::from_utf8(bytes).map_err(|e| {
        ImportError::Json(JsonError {
            file: shown.to_string(),
            path: "$".into(),
            message: format!(
                "the file is not UTF-8 text (byte {} is invalid)",
                e.utf8_error().valid_up_to()
            ),
            line: 1,
            column: 1,
        })
    })
}

fn load<T: DeserializeOwned>(path: &Path, shown: &str) -> Result<T, ImportError> {
    let text = read_text(path, shown)?;
    json::parse(shown, &text).map_err(ImportError::Json)
}

/// Lists the ids in a file of an unsupported kind; a file of another shape is
/// only counted.
fn unsupported_ids(
    value: &serde_json::Value,
    list_key: &str,
    id_key: &str,
    what: &str,
    out: &mut Vec<(String, String)>,
) {
    let Some(items) = value.get(list_key).and_then(|v| v.as_array()) else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let id = item
            .get(id_key)
            .and_then(|v| v.as_str())
            .map_or_else(|| format!("{list_key}[{i}]"), str::to_string);
        out.push((what.to_string(), id));
    }
}

impl Folder {
    /// Reads every known file of `dir`; `label` is how files are named in
    /// messages (`us-east-1/Vpcs.json`).
    pub fn read(dir: &Path, label: &str, region: Option<String>) -> Result<Folder, ImportError> {
        let mut f = Folder {
            region,
            ..Folder::default()
        };
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| ImportError::Io {
                path: dir.display().to_string(),
                message: e.to_string(),
            })?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        // Which file holds each kind.
        let mut chosen: BTreeMap<&str, String> = BTreeMap::new();
        for name in &names {
            let stem = name.trim_end_matches(".json");
            let shown = format!("{label}{name}");
            if let Some((key, _)) = READ.iter().find(|(k, c)| *k == stem || *c == stem) {
                if let Some(prev) = chosen.get(key) {
                    return Err(ImportError::Ambiguous {
                        first: format!("{label}{prev}"),
                        second: shown,
                    });
                }
                chosen.insert(key, name.clone());
            } else if let Some(&(_, _, list_key, id_key, what)) = UNSUPPORTED
                .iter()
                .find(|(k, c, ..)| *k == stem || *c == stem)
            {
                let v: serde_json::Value = load(&dir.join(name), &shown)?;
                unsupported_ids(&v, list_key, id_key, what, &mut f.unsupported);
                if list_key == "LoadBalancers" {
                    // Classic load balancers have their own key.
                    unsupported_ids(
                        &v,
                        "LoadBalancerDescriptions",
                        "LoadBalancerName",
                        "classic load balancer",
                        &mut f.unsupported,
                    );
                }
                f.files_read += 1;
            } else if let Some(id) = ENTRIES_PREFIXES.iter().find_map(|p| stem.strip_prefix(p)) {
                let e: PrefixListEntriesFile = load(&dir.join(name), &shown)?;
                f.prefix_list_entries.insert(id.to_string(), e.entries);
                f.files_read += 1;
            } else if QUIET.contains(&stem) {
                // Syntax is still checked: a broken file is a broken snapshot.
                let _: serde_json::Value = load(&dir.join(name), &shown)?;
                f.files_read += 1;
            } else {
                f.ignored.push(shown);
            }
        }
        for (key, name) in &chosen {
            let p = dir.join(name);
            let shown = format!("{label}{name}");
            match *key {
                "Vpcs" => f.vpcs = Some(load(&p, &shown)?),
                "Subnets" => f.subnets = Some(load(&p, &shown)?),
                "RouteTables" => f.route_tables = Some(load(&p, &shown)?),
                "SecurityGroups" => f.security_groups = Some(load(&p, &shown)?),
                "NetworkAcls" => f.network_acls = Some(load(&p, &shown)?),
                "InternetGateways" => f.internet_gateways = Some(load(&p, &shown)?),
                "NatGateways" => f.nat_gateways = Some(load(&p, &shown)?),
                "VpcEndpoints" => f.vpc_endpoints = Some(load(&p, &shown)?),
                "NetworkInterfaces" => f.network_interfaces = Some(load(&p, &shown)?),
                "Reservations" => f.reservations = Some(load(&p, &shown)?),
                "VpcPeeringConnections" => f.peerings = Some(load(&p, &shown)?),
                "VpnGateways" => f.vpn_gateways = Some(load(&p, &shown)?),
                "VpnConnections" => f.vpn_connections = Some(load(&p, &shown)?),
                "CustomerGateways" => f.customer_gateways = Some(load(&p, &shown)?),
                "PrefixLists" => f.prefix_lists = Some(load(&p, &shown)?),
                "ManagedPrefixLists" => f.managed_prefix_lists = Some(load(&p, &shown)?),
                "Addresses" => f.addresses = Some(load(&p, &shown)?),
                "Functions" => f.functions = Some(load(&p, &shown)?),
                "AvailabilityZones" => f.zones = Some(load(&p, &shown)?),
                _ => unreachable!("every READ key is handled"),
            }
            f.files_read += 1;
        }
        Ok(f)
    }

    /// The region the files speak of: the folder's name, else the zones of
    /// the subnets and instances, else the zone list.
    pub fn infer_region(&self) -> Option<String> {
        if let Some(r) = &self.region {
            return Some(r.clone());
        }
        let mut zones: Vec<&str> = Vec::new();
        if let Some(s) = &self.subnets {
            zones.extend(s.subnets.iter().map(|s| s.availability_zone.as_str()));
        }
        if let Some(r) = &self.reservations {
            for i in r.reservations.iter().flat_map(|r| &r.instances) {
                if let Some(z) = i
                    .placement
                    .as_ref()
                    .and_then(|p| p.availability_zone.as_deref())
                {
                    zones.push(z);
                }
            }
        }
        if let Some(r) = zones.iter().find_map(|z| region_of_zone(z)) {
            return Some(r);
        }
        self.zones.as_ref().and_then(|z| {
            z.availability_zones
                .iter()
                .find_map(|a| a.region_name.clone())
        })
    }
}

/// `us-east-2a` -> `us-east-2`; `us-west-2-lax-1a` -> `us-west-2`.
pub fn region_of_zone(zone: &str) -> Option<String> {
    let mut parts = Vec::new();
    for p in zone.split('-') {
        if p.starts_with(|c: char| c.is_ascii_digit()) {
            let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            parts.push(digits);
            let r = parts.join("-");
            return is_region_name(&r).then_some(r);
        }
        parts.push(p.to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_from_zones_and_names() {
        assert_eq!(region_of_zone("us-east-2a").as_deref(), Some("us-east-2"));
        assert_eq!(
            region_of_zone("us-gov-west-1b").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(
            region_of_zone("us-west-2-lax-1a").as_deref(),
            Some("us-west-2")
        );
        assert_eq!(region_of_zone("nowhere"), None);
        assert!(is_region_name("eu-west-1"));
        assert!(is_region_name("ap-northeast-2"));
        assert!(!is_region_name("aws_configs"));
        assert!(!is_region_name("test-nat-gateway"));
    }

    #[test]
    fn bad_addresses_are_placed_at_their_value() {
        let text = r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.300/24", "Tags": []}]}"#;
        let e = json::parse::<VpcsFile>("Vpcs.json", text).unwrap_err();
        assert_eq!(e.path, "$.Vpcs[0].CidrBlock");
        assert!(e.message.contains("expected a string: an IPv4 CIDR"), "{e}");
        let text =
            r#"{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "PrivateIpAddress": 10}]}"#;
        let e = json::parse::<NetworkInterfacesFile>("NetworkInterfaces.json", text).unwrap_err();
        assert_eq!(e.path, "$.NetworkInterfaces[0].PrivateIpAddress");
        assert!(e.message.contains("expected a string"), "{e}");
        let ok = r#"{"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": " 10.0.0.0/16"}]}"#;
        let v = json::parse::<VpcsFile>("Vpcs.json", ok).expect("valid");
        assert_eq!(
            v.vpcs[0].cidr_block,
            Some(Cidr("10.0.0.0/16".parse().unwrap()))
        );
    }
}
