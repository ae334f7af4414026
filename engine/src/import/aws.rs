//! The JSON that the AWS CLI prints, as far as the import reads it.
//!
//! Field names are the API's (PascalCase); everything an account may leave out
//! is optional, and fields the import does not use are not declared (serde
//! skips them). Addresses and CIDRs are parsed while reading, so that a bad
//! one is reported with its JSON path like any other malformed value.

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Deserialize;
use serde::de::{self, Deserializer, Unexpected};

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
    #[serde(default)]
    pub outside_ip_address: Option<String>,
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
    #[serde(default)]
    pub peering_options: Option<PeeringOptions>,
}

/// A side's options: `AllowDnsResolutionFromRemoteVpc`, whether this VPC
/// resolves its instances' public DNS names to private addresses when
/// queried from the peer VPC (DNS-4).
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct PeeringOptions {
    #[serde(default)]
    pub allow_dns_resolution_from_remote_vpc: Option<bool>,
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
    pub instance_type: Option<String>,
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

// -- transit gateways -------------------------------------------------------------

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
