//! From the AWS shapes to the scenario: what each describe field becomes, and
//! what is left out and why.
//!
//! The order of the steps follows the references: VPCs and prefix lists
//! first, then what lives in them, then route tables, whose targets must all
//! be known. A resource is imported only when everything it needs is (its VPC,
//! its subnet); anything left out is noted by id, and the references to it are
//! dropped (rules) or kept as blackholes (routes).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::aws::{self, name_tag};
use super::files::{self, Folder};
use super::out::{self, Head, Peer, Scenario};
use super::{Note, NoteKind};
use crate::model::builtin;
use crate::units::{PortRange, Protocol};

mod endpoints;
mod gateways;
mod input;
mod instances;
mod lambda;
mod nacls;
mod notes;
mod peering;
mod routes;
mod security_groups;
mod summary;
mod transit_gateway;
mod vpcs;
mod vpn;

use input::{Input, in_files};
use notes::Notes;

use NoteKind::{Approximated, Skipped, Unknown, Unsupported};

/// The conversion under way: the input, the scenario being built, and the
/// notes on what is left out.
struct Cx<'a> {
    input: Input<'a>,
    options: &'a super::AwsOptions,
    scenario: Scenario,
    notes: Notes,
    /// ENI id -> instance id, for the instances imported.
    eni_owner: BTreeMap<String, String>,
    /// ENIs that the design accounts for (imported, or noted with their owner).
    accounted_enis: BTreeSet<String>,
    /// Managed prefix lists known to exist but without their entries.
    lists_without_entries: BTreeSet<String>,
}

/// Service name -> the short name vpcsim uses: `com.amazonaws.us-east-1.s3`
/// -> `s3`, `com.amazonaws.vpce.us-east-1.vpce-svc-0abc` -> `vpce-svc-0abc`.
pub fn service_short(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    if let Some(i) = parts.iter().position(|p| files::is_region_name(p)) {
        if i + 1 < parts.len() {
            return parts[i + 1..].join(".");
        }
    }
    name.to_string()
}

/// A value of an AWS rule that the format cannot express: the rule is left
/// out, with a note that names the value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
enum Unrepresentable {
    #[error("port range {lo}-{hi}")]
    PortRange { lo: i64, hi: i64 },
    #[error("ICMPv6 (IPv6)")]
    Icmpv6,
    #[error("protocol `{0}`")]
    Protocol(String),
}

/// An API port range (`-1` or none for all) as the format's.
fn aws_ports(from: Option<i64>, to: Option<i64>) -> Result<PortRange, Unrepresentable> {
    let (lo, hi) = match (from, to) {
        (None, None) | (Some(-1), _) | (_, Some(-1)) => return Ok(PortRange::ALL),
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) | (None, Some(a)) => (a, a),
    };
    match (u16::try_from(lo), u16::try_from(hi)) {
        (Ok(lo), Ok(hi)) if lo <= hi => Ok(PortRange { lo, hi }),
        _ => Err(Unrepresentable::PortRange { lo, hi }),
    }
}

/// An API protocol (`-1`, `tcp`, `6`, `50`); `Err` for IPv6 ICMP and what is
/// not a protocol.
fn aws_protocol(p: &str) -> Result<Protocol, Unrepresentable> {
    match p.trim().to_ascii_lowercase().as_str() {
        "-1" | "all" => Ok(Protocol::All),
        "tcp" => Ok(Protocol::TCP),
        "udp" => Ok(Protocol::UDP),
        "icmp" => Ok(Protocol::ICMP),
        "icmpv6" | "58" => Err(Unrepresentable::Icmpv6),
        other => match other.parse::<u8>() {
            Ok(n) => Ok(Protocol::Number(n)),
            Err(_) => Err(Unrepresentable::Protocol(p.to_string())),
        },
    }
}

fn icmp_value(v: Option<i64>) -> Option<u8> {
    v.and_then(|n| u8::try_from(n).ok())
}

fn trunc(c: aws::Cidr) -> Ipv4Net {
    c.0.trunc()
}

/// A CIDR with its host bits cleared; when it had some, a note on `id`
/// names `what` and both forms.
fn trunc_noted(notes: &mut Notes, id: &str, what: &str, c: aws::Cidr) -> Ipv4Net {
    let t = c.0.trunc();
    if t != c.0 {
        notes.add(
            Approximated,
            id,
            format!("{what} {} has host bits set; written as {t}", c.0),
        );
    }
    t
}

fn head(tags: &[aws::Tag]) -> Head {
    Head {
        name: name_tag(tags),
        comments: vec![],
    }
}

fn any() -> Ipv4Net {
    "0.0.0.0/0".parse().expect("literal")
}

/// What a route sends to, by the field that names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetKind {
    Local,
    Igw,
    Vgw,
    Endpoint,
    Nat,
    InstanceOrEni,
    Peering,
    Tgw,
    Unsupported(&'static str),
}

fn route_target(r: &aws::Route) -> Option<(String, TargetKind)> {
    use TargetKind::*;
    if let Some(g) = &r.gateway_id {
        let k = if g == "local" {
            Local
        } else if g.starts_with("igw-") {
            Igw
        } else if g.starts_with("vgw-") {
            Vgw
        } else if g.starts_with("vpce-") {
            Endpoint
        } else {
            Unsupported("gateway")
        };
        return Some((g.clone(), k));
    }
    let fields: [(&Option<String>, TargetKind); 8] = [
        (&r.nat_gateway_id, Nat),
        (&r.network_interface_id, InstanceOrEni),
        (&r.instance_id, InstanceOrEni),
        (&r.vpc_peering_connection_id, Peering),
        (&r.transit_gateway_id, Tgw),
        (
            &r.egress_only_internet_gateway_id,
            Unsupported("egress-only internet gateway (IPv6)"),
        ),
        (&r.local_gateway_id, Unsupported("local gateway")),
        (&r.carrier_gateway_id, Unsupported("carrier gateway")),
    ];
    for (f, k) in fields {
        if let Some(id) = f {
            return Some((id.clone(), k));
        }
    }
    r.core_network_arn
        .as_ref()
        .map(|a| (a.clone(), Unsupported("Cloud WAN core network")))
}

fn route_active(r: &aws::Route) -> bool {
    r.state.as_deref() != Some("blackhole")
}

fn propagated(r: &aws::Route) -> bool {
    r.origin.as_deref() == Some("EnableVgwRoutePropagation")
}

pub fn convert(
    name: &str,
    folders: &[Folder],
    options: &super::AwsOptions,
) -> Result<(Scenario, Vec<Note>), super::ImportError> {
    let mut cx = Cx {
        input: Input::gather(folders),
        options,
        scenario: Scenario {
            name: name.to_string(),
            ..Scenario::default()
        },
        notes: Notes::default(),
        eni_owner: BTreeMap::new(),
        accounted_enis: BTreeSet::new(),
        lists_without_entries: BTreeSet::new(),
    };
    cx.region(folders);
    for (list, n) in cx.input.nameless.clone() {
        cx.notes.add(
            NoteKind::Unsupported,
            list,
            format!("{n} entries with an empty id left out (nothing can name them)"),
        );
    }
    cx.vpcs();
    cx.prefix_lists();
    cx.subnets();
    cx.peerings();
    cx.security_groups();
    cx.nacls();
    cx.internet_gateways();
    cx.vpn_gateways();
    cx.instances();
    cx.nat_gateways();
    for (id, ip, holder) in cx.scenario.unshare_public_ips() {
        cx.notes
            .add(Approximated, &id, Scenario::unshared_note(ip, &holder));
    }
    cx.endpoints();
    cx.transit_gateways();
    cx.route_tables();
    cx.associations();
    cx.onprem_networks()?;
    cx.lambdas();
    cx.leftover_enis();
    cx.blackholes_naming_other_kinds();
    cx.unsupported_files();
    cx.describe();
    let notes = cx.notes.into_vec();
    Ok((cx.scenario, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert_eq!(service_short("com.amazonaws.us-east-1.s3"), "s3");
        assert_eq!(service_short("com.amazonaws.eu-west-1.ecr.dkr"), "ecr.dkr");
        assert_eq!(
            service_short("com.amazonaws.vpce.us-east-1.vpce-svc-0abc"),
            "vpce-svc-0abc"
        );
        assert_eq!(service_short("custom"), "custom");
    }

    #[test]
    fn ports_and_protocols() {
        let ports = |a, b| aws_ports(a, b).map(|p| p.to_string());
        assert_eq!(ports(Some(22), Some(22)).unwrap(), "22");
        assert_eq!(ports(Some(0), Some(65535)).unwrap(), "all");
        assert_eq!(ports(None, None).unwrap(), "all");
        assert_eq!(ports(Some(-1), Some(-1)).unwrap(), "all");
        assert_eq!(ports(Some(1024), Some(65535)).unwrap(), "1024-65535");
        assert!(ports(Some(5), Some(1)).is_err());
        assert!(ports(Some(1), Some(70000)).is_err());
        let protocol = |p| aws_protocol(p).map(|p| p.to_string());
        assert_eq!(protocol("-1").unwrap(), "all");
        assert_eq!(protocol("6").unwrap(), "tcp");
        assert_eq!(protocol("TCP").unwrap(), "tcp");
        assert_eq!(protocol("50").unwrap(), "50");
        assert_eq!(aws_protocol("58").unwrap_err().to_string(), "ICMPv6 (IPv6)");
        assert!(protocol("bogus").is_err());
    }
}
