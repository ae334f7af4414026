//! What runs in the VPCs and the lists they name: `describe-network-interfaces`,
//! `describe-instances`, `describe-prefix-lists`, `describe-managed-prefix-lists`,
//! `get-managed-prefix-list-entries`, `describe-addresses`, `list-functions`,
//! `describe-availability-zones`.

use std::net::Ipv4Addr;

use serde::Deserialize;

use super::{GroupRef, Ip, Tag};

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
    /// Private addresses beyond the primary one, each with the public
    /// address (an Elastic IP) associated with it, if any.
    pub fn secondary_ips(&self) -> Vec<(Ipv4Addr, Option<Ipv4Addr>)> {
        self.private_ip_addresses
            .iter()
            .filter(|p| p.primary != Some(true))
            .filter(|p| Some(p.private_ip_address.0) != self.private_ip_address.map(|x| x.0))
            .map(|p| {
                let public = p.association.as_ref().and_then(|a| a.public_ip);
                (p.private_ip_address.0, public.map(|x| x.0))
            })
            .collect()
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct EniPrivateIp {
    pub private_ip_address: Ip,
    #[serde(default)]
    pub primary: Option<bool>,
    /// The public address associated with this private address.
    #[serde(default)]
    pub association: Option<EniAssociation>,
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
