//! Finding and reading the describe outputs of one folder: which file names
//! hold which output, and the region the folder is for.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::ImportError;
use super::aws::*;
use super::json::{self, JsonError};

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
    ("TransitGateways", "describe-transit-gateways"),
    (
        "TransitGatewayAttachments",
        "describe-transit-gateway-attachments",
    ),
    (
        "TransitGatewayVpcAttachments",
        "describe-transit-gateway-vpc-attachments",
    ),
    (
        "TransitGatewayRouteTables",
        "describe-transit-gateway-route-tables",
    ),
    (
        "TransitGatewayPropagations",
        "get-transit-gateway-route-table-propagations",
    ),
    (
        "TransitGatewayStaticRoutes",
        "search-transit-gateway-routes",
    ),
    (
        "TransitGatewayPeeringAttachments",
        "describe-transit-gateway-peering-attachments",
    ),
];

/// Files of resources that vpcsim cannot represent: their resources are listed
/// by id. (file key, CLI command, top-level key, id field, what it is).
pub const UNSUPPORTED: &[(&str, &str, &str, &str, &str)] = &[
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
    pub transit_gateways: Option<TransitGatewaysFile>,
    pub tgw_attachments: Option<TgwAttachmentsFile>,
    pub tgw_vpc_attachments: Option<TgwVpcAttachmentsFile>,
    pub tgw_route_tables: Option<TgwRouteTablesFile>,
    pub tgw_propagations: Option<TgwPropagationsFile>,
    pub tgw_static_routes: Option<TgwStaticRoutesFile>,
    pub tgw_peerings: Option<TgwPeeringAttachmentsFile>,
    /// (what it is, id) of resources in files of unsupported kinds.
    pub unsupported: Vec<(String, String)>,
    /// Files that were not read (unknown names).
    pub ignored: Vec<String>,
    /// How many files were read.
    pub files_read: usize,
    /// The ids its files define, each with the owner account they state.
    pub owned: Vec<(String, Option<String>)>,
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

/// What a path is when it is not a regular file (symbolic links followed).
fn not_a_file(path: &Path) -> Option<&'static str> {
    match std::fs::metadata(path) {
        Err(_) if path.symlink_metadata().is_ok() => Some("a symbolic link to nothing"),
        Err(_) => Some("unreadable"),
        Ok(m) if m.is_file() => None,
        Ok(m) if m.is_dir() => Some("a directory"),
        Ok(m) => {
            use std::os::unix::fs::FileTypeExt;
            let t = m.file_type();
            Some(if t.is_fifo() {
                "a named pipe (FIFO)"
            } else if t.is_socket() {
                "a socket"
            } else if t.is_char_device() || t.is_block_device() {
                "a device"
            } else {
                "not a regular file"
            })
        }
    }
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

/// Ids renamed in one account's files: every string value equal to a key
/// becomes its value.
pub type Renames = BTreeMap<String, String>;

fn rename_in(v: &mut serde_json::Value, renames: &Renames) {
    match v {
        serde_json::Value::String(s) => {
            if let Some(n) = renames.get(s.as_str()) {
                *s = n.clone();
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| rename_in(x, renames)),
        serde_json::Value::Object(m) => m.values_mut().for_each(|x| rename_in(x, renames)),
        _ => {}
    }
}

fn load<T: DeserializeOwned>(
    path: &Path,
    shown: &str,
    renames: &Renames,
) -> Result<T, ImportError> {
    let text = read_text(path, shown)?;
    let typed = json::parse(shown, &text).map_err(ImportError::Json)?;
    if renames.is_empty() {
        return Ok(typed);
    }
    // Checked as written above; renamed as a tree.
    let mut v: serde_json::Value = json::parse(shown, &text).map_err(ImportError::Json)?;
    rename_in(&mut v, renames);
    serde_json::from_value(v).map_err(|e| {
        ImportError::Json(JsonError {
            file: shown.to_string(),
            path: "$".into(),
            message: e.to_string(),
            line: 1,
            column: 1,
        })
    })
}

/// Where the ids a file defines lie, for telling apart the resources of
/// several accounts: (file key, list key, id key). An item's `OwnerId`
/// names its account; resources that two accounts see alike (transit
/// gateway attachments and route tables, peering connections, AWS prefix
/// lists) are not listed.
const OWNED: &[(&str, &str, &str)] = &[
    ("Vpcs", "Vpcs", "VpcId"),
    ("Subnets", "Subnets", "SubnetId"),
    ("RouteTables", "RouteTables", "RouteTableId"),
    ("SecurityGroups", "SecurityGroups", "GroupId"),
    ("NetworkAcls", "NetworkAcls", "NetworkAclId"),
    ("InternetGateways", "InternetGateways", "InternetGatewayId"),
    ("NatGateways", "NatGateways", "NatGatewayId"),
    ("VpcEndpoints", "VpcEndpoints", "VpcEndpointId"),
    (
        "NetworkInterfaces",
        "NetworkInterfaces",
        "NetworkInterfaceId",
    ),
    ("VpnGateways", "VpnGateways", "VpnGatewayId"),
    ("VpnConnections", "VpnConnections", "VpnConnectionId"),
    ("CustomerGateways", "CustomerGateways", "CustomerGatewayId"),
    ("ManagedPrefixLists", "PrefixLists", "PrefixListId"),
    ("Functions", "Functions", "FunctionName"),
    ("TransitGateways", "TransitGateways", "TransitGatewayId"),
];

/// The ids a file defines, each with the `OwnerId` it states.
fn owned_ids(key: &str, v: &serde_json::Value, out: &mut Vec<(String, Option<String>)>) {
    let owner = |x: &serde_json::Value| {
        x.get("OwnerId")
            .and_then(|o| o.as_str())
            .map(str::to_string)
    };
    if key == "Reservations" {
        for r in v
            .get("Reservations")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            for i in r
                .get("Instances")
                .and_then(|i| i.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(id) = i.get("InstanceId").and_then(|x| x.as_str()) {
                    out.push((id.to_string(), owner(r)));
                }
            }
        }
        return;
    }
    let Some(&(_, list, id_key)) = OWNED.iter().find(|(k, ..)| *k == key) else {
        return;
    };
    for x in v.get(list).and_then(|l| l.as_array()).into_iter().flatten() {
        if let Some(id) = x.get(id_key).and_then(|i| i.as_str()) {
            out.push((id.to_string(), owner(x)));
        }
    }
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
    pub fn read(
        dir: &Path,
        label: &str,
        region: Option<String>,
        renames: &Renames,
    ) -> Result<Folder, ImportError> {
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
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        // A `.json` name that is not a file to read is reported, never
        // skipped: a snapshot with it is not what was collected.
        for name in &names {
            if let Some(what) = not_a_file(&dir.join(name)) {
                return Err(ImportError::Io {
                    path: format!("{label}{name}"),
                    message: format!("{what}, not a file of describe output"),
                });
            }
        }
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
                let v: serde_json::Value = load(&dir.join(name), &shown, renames)?;
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
                let e: PrefixListEntriesFile = load(&dir.join(name), &shown, renames)?;
                f.prefix_list_entries.insert(id.to_string(), e.entries);
                f.files_read += 1;
            } else if QUIET.contains(&stem) {
                // Syntax is still checked: a broken file is a broken snapshot.
                let _: serde_json::Value = load(&dir.join(name), &shown, renames)?;
                f.files_read += 1;
            } else {
                f.ignored.push(shown);
            }
        }
        for (key, name) in &chosen {
            let p = dir.join(name);
            let shown = format!("{label}{name}");
            if OWNED.iter().any(|(k, ..)| k == key) || *key == "Reservations" {
                let v: serde_json::Value = load(&p, &shown, renames)?;
                owned_ids(key, &v, &mut f.owned);
            }
            match *key {
                "Vpcs" => f.vpcs = Some(load(&p, &shown, renames)?),
                "Subnets" => f.subnets = Some(load(&p, &shown, renames)?),
                "RouteTables" => f.route_tables = Some(load(&p, &shown, renames)?),
                "SecurityGroups" => f.security_groups = Some(load(&p, &shown, renames)?),
                "NetworkAcls" => f.network_acls = Some(load(&p, &shown, renames)?),
                "InternetGateways" => f.internet_gateways = Some(load(&p, &shown, renames)?),
                "NatGateways" => f.nat_gateways = Some(load(&p, &shown, renames)?),
                "VpcEndpoints" => f.vpc_endpoints = Some(load(&p, &shown, renames)?),
                "NetworkInterfaces" => f.network_interfaces = Some(load(&p, &shown, renames)?),
                "Reservations" => f.reservations = Some(load(&p, &shown, renames)?),
                "VpcPeeringConnections" => f.peerings = Some(load(&p, &shown, renames)?),
                "VpnGateways" => f.vpn_gateways = Some(load(&p, &shown, renames)?),
                "VpnConnections" => f.vpn_connections = Some(load(&p, &shown, renames)?),
                "CustomerGateways" => f.customer_gateways = Some(load(&p, &shown, renames)?),
                "PrefixLists" => f.prefix_lists = Some(load(&p, &shown, renames)?),
                "ManagedPrefixLists" => f.managed_prefix_lists = Some(load(&p, &shown, renames)?),
                "Addresses" => f.addresses = Some(load(&p, &shown, renames)?),
                "Functions" => f.functions = Some(load(&p, &shown, renames)?),
                "AvailabilityZones" => f.zones = Some(load(&p, &shown, renames)?),
                "TransitGateways" => f.transit_gateways = Some(load(&p, &shown, renames)?),
                "TransitGatewayAttachments" => f.tgw_attachments = Some(load(&p, &shown, renames)?),
                "TransitGatewayVpcAttachments" => {
                    f.tgw_vpc_attachments = Some(load(&p, &shown, renames)?)
                }
                "TransitGatewayRouteTables" => {
                    f.tgw_route_tables = Some(load(&p, &shown, renames)?)
                }
                "TransitGatewayPropagations" => {
                    f.tgw_propagations = Some(load(&p, &shown, renames)?)
                }
                "TransitGatewayStaticRoutes" => {
                    f.tgw_static_routes = Some(load(&p, &shown, renames)?)
                }
                "TransitGatewayPeeringAttachments" => {
                    f.tgw_peerings = Some(load(&p, &shown, renames)?)
                }
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
