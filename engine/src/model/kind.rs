//! What kind of thing a [`Component`](super::Component) is: named as the
//! format spells its table (`nat_gateway`), and in words ("NAT gateway").

/// The kind of a component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Vpc,
    Subnet,
    RouteTable,
    Igw,
    Nat,
    PrefixList,
    Endpoint,
    Sg,
    Nacl,
    Peering,
    Vgw,
    OnpremNet,
    Instance,
    Lambda,
    ExternalHost,
    AwsService,
    OnpremHost,
    Eni,
    Tgw,
    TgwAttachment,
    TgwRouteTable,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 21] = [
        Kind::Vpc,
        Kind::Subnet,
        Kind::RouteTable,
        Kind::Igw,
        Kind::Nat,
        Kind::PrefixList,
        Kind::Endpoint,
        Kind::Sg,
        Kind::Nacl,
        Kind::Peering,
        Kind::Vgw,
        Kind::OnpremNet,
        Kind::Instance,
        Kind::Lambda,
        Kind::ExternalHost,
        Kind::AwsService,
        Kind::OnpremHost,
        Kind::Eni,
        Kind::Tgw,
        Kind::TgwAttachment,
        Kind::TgwRouteTable,
    ];

    /// The kind as the format spells its table: `nat_gateway`, `instance`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Vpc => "vpc",
            Kind::Subnet => "subnet",
            Kind::RouteTable => "route_table",
            Kind::Igw => "internet_gateway",
            Kind::Nat => "nat_gateway",
            Kind::PrefixList => "prefix_list",
            Kind::Endpoint => "vpc_endpoint",
            Kind::Sg => "security_group",
            Kind::Nacl => "network_acl",
            Kind::Peering => "vpc_peering",
            Kind::Vgw => "vpn_gateway",
            Kind::OnpremNet => "onprem_network",
            Kind::Instance => "instance",
            Kind::Lambda => "lambda",
            Kind::ExternalHost => "external_host",
            Kind::AwsService => "aws_service",
            Kind::OnpremHost => "onprem_host",
            Kind::Eni => "eni",
            Kind::Tgw => "transit_gateway",
            Kind::TgwAttachment => "transit_gateway_attachment",
            Kind::TgwRouteTable => "transit_gateway_route_table",
        }
    }

    /// The kind whose table the format spells `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind in words: "NAT gateway".
    pub fn words(self) -> &'static str {
        match self {
            Kind::Vpc => "VPC",
            Kind::Subnet => "subnet",
            Kind::RouteTable => "route table",
            Kind::Igw => "internet gateway",
            Kind::Nat => "NAT gateway",
            Kind::PrefixList => "prefix list",
            Kind::Endpoint => "VPC endpoint",
            Kind::Sg => "security group",
            Kind::Nacl => "network ACL",
            Kind::Peering => "VPC peering connection",
            Kind::Vgw => "VPN gateway",
            Kind::OnpremNet => "on-premises network",
            Kind::Instance => "instance",
            Kind::Lambda => "Lambda function",
            Kind::ExternalHost => "external host",
            Kind::AwsService => "AWS service",
            Kind::OnpremHost => "on-premises host",
            Kind::Eni => "network interface",
            Kind::Tgw => "transit gateway",
            Kind::TgwAttachment => "transit gateway attachment",
            Kind::TgwRouteTable => "transit gateway route table",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_found_by_its_name() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
        }
        assert_eq!(Kind::from_name("traffic"), None);
    }

    #[test]
    fn every_table_a_timeline_sets_is_a_kind() {
        for (table, _) in crate::scenario::raw::SETTABLE {
            assert!(Kind::from_name(table).is_some(), "{table}");
        }
    }
}
