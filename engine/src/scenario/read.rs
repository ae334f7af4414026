//! Reading the tables of a scenario file into the raw form: one function per
//! table of the format, and the readers of the values they share (rules,
//! routes, `set` attributes, delivery counts).

use ipnet::Ipv4Net;

use super::diag::Diags;
use super::raw::*;
use super::reader::{Fields, FromToml, Sp, Value};
use crate::units::{Nanos, PortRange, Protocol};

/// Reads one of a fixed set of words.
fn choice<T: Copy>(v: &Value<'_>, key: &str, options: &[(&str, T)], d: &mut Diags) -> Option<T> {
    let text = String::from_toml(v, key, d)?;
    if let Some((_, t)) = options.iter().find(|(name, _)| *name == text) {
        return Some(*t);
    }
    let names: Vec<_> = options.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    let mut msg = format!(
        "`{key}` must be one of {}, found \"{text}\"",
        names.join(", ")
    );
    if let Some(s) = super::diag::did_you_mean(&text, options.iter().map(|(n, _)| *n)) {
        msg.push_str(&format!("; did you mean \"{s}\"?"));
    }
    d.error(v.span(), msg);
    None
}

fn opt_choice<T: Copy>(
    f: &mut Fields<'_, '_>,
    key: &'static str,
    options: &[(&str, T)],
    d: &mut Diags,
) -> Option<Sp<T>> {
    f.read_with(key, d, |v, d| choice(v, key, options, d))
}

/// Reads a table-shaped value with `read`, then reports its unknown keys.
fn read_table<T>(
    v: &Value<'_>,
    kind: &'static str,
    d: &mut Diags,
    read: impl FnOnce(&mut Fields<'_, '_>, &mut Diags) -> T,
) -> Option<T> {
    let mut f = Fields::new(v, kind, d)?;
    let t = read(&mut f, d);
    f.finish(d);
    Some(t)
}

impl FromToml for Route {
    const EXPECTED: &'static str = "a route { destination = ..., target = ... }";
    fn from_toml(v: &Value<'_>, _key: &str, d: &mut Diags) -> Option<Self> {
        read_table(v, "route", d, |f, d| {
            let destination = f.req::<String>("destination", d);
            let target = f.req::<String>("target", d);
            let blackhole = opt_choice(f, "state", &[("active", false), ("blackhole", true)], d)
                .is_some_and(|s| s.v);
            Route {
                destination,
                target,
                blackhole,
            }
        })
    }
}

impl FromToml for TgwRoute {
    const EXPECTED: &'static str = "a route { destination = ..., attachment = ... } or { destination = ..., blackhole = true }";
    fn from_toml(v: &Value<'_>, _key: &str, d: &mut Diags) -> Option<Self> {
        read_table(v, "transit gateway route", d, |f, d| TgwRoute {
            destination: f.req("destination", d),
            attachment: f.opt("attachment", d),
            blackhole: f.opt("blackhole", d),
        })
    }
}

impl FromToml for SgRule {
    const EXPECTED: &'static str = "a rule { protocol = ..., ports = ..., cidr = ... }";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        // Only the peer key of the rule's direction is accepted; the other is
        // unknown, with the right one suggested.
        let (kind, group_key, other_key, other_dir) = if key == "egress" {
            (
                "outbound security group rule",
                "dest_group",
                "source_group",
                "inbound",
            )
        } else {
            (
                "inbound security group rule",
                "source_group",
                "dest_group",
                "outbound",
            )
        };
        read_table(v, kind, d, |f, d| {
            let protocol = f.req::<Protocol>("protocol", d);
            let ports = f.opt::<PortRange>("ports", d);
            let cidr = f.opt::<Ipv4Net>("cidr", d);
            let group = f.opt::<String>(group_key, d);
            let prefix_list = f.opt::<String>("prefix_list", d);
            let icmp_type = f.opt::<u8>("icmp_type", d);
            let icmp_code = f.opt::<u8>("icmp_code", d);
            let description = f.opt::<String>("description", d);
            if let Some(span) = f.key_span(other_key) {
                f.raw(other_key);
                d.error(
                    span,
                    format!(
                        "unknown key `{other_key}` in {}; did you mean `{group_key}`? (`{other_key}` is for {other_dir} rules)",
                        super::reader::article(kind)
                    ),
                );
            }
            // A misplaced `source_group`/`dest_group` counts as the peer the
            // author meant: it is reported above, not again as a missing peer.
            let keys = ["cidr", group_key, other_key, "prefix_list"];
            let given: Vec<String> = keys
                .iter()
                .filter(|k| f.has(k))
                .map(|k| format!("`{k}`"))
                .collect();
            let peer = match given.len() {
                1 => cidr
                    .map(|c| Sp::new(c.span, Peer::Cidr(c.v)))
                    .or_else(|| group.map(|g| Sp::new(g.span, Peer::Group(g.v))))
                    .or_else(|| prefix_list.map(|p| Sp::new(p.span, Peer::PrefixList(p.v)))),
                n => {
                    let named = match given.split_last() {
                        None => "none".to_string(),
                        Some((last, rest)) => {
                            format!("{n}: {} and {last}", rest.join(", "))
                        }
                    };
                    d.error(
                        f.span.clone(),
                        format!(
                            "a security group rule names exactly one peer (`cidr`, `{group_key}` or `prefix_list`); this one names {named}"
                        ),
                    );
                    None
                }
            };
            SgRule {
                protocol,
                ports,
                peer,
                icmp_type,
                icmp_code,
                description,
            }
        })
    }
}

impl FromToml for NaclRule {
    const EXPECTED: &'static str = "a rule { rule = ..., protocol = ..., action = ... }";
    fn from_toml(v: &Value<'_>, _key: &str, d: &mut Diags) -> Option<Self> {
        read_table(v, "network ACL rule", d, |f, d| NaclRule {
            rule: f.req::<u16>("rule", d),
            protocol: f.req::<Protocol>("protocol", d),
            ports: f.opt::<PortRange>("ports", d),
            cidr: f.req::<Ipv4Net>("cidr", d),
            allow: {
                if !f.has("action") {
                    f.req::<String>("action", d);
                    None
                } else {
                    opt_choice(f, "action", &[("allow", true), ("deny", false)], d)
                }
            },
            icmp_type: f.opt::<u8>("icmp_type", d),
            icmp_code: f.opt::<u8>("icmp_code", d),
        })
    }
}

impl FromToml for Listen {
    const EXPECTED: &'static str = "a listener { protocol = \"tcp\", port = 443 }";
    fn from_toml(v: &Value<'_>, _key: &str, d: &mut Diags) -> Option<Self> {
        read_table(v, "listener", d, |f, d| Listen {
            protocol: f.req::<Protocol>("protocol", d),
            port: f.opt::<u16>("port", d),
            any: false,
        })
    }
}

/// A `listen` key: an array of listeners, or `"any"` (every TCP and UDP
/// port), read as one listener that says so.
fn listeners(f: &mut Fields<'_, '_>, d: &mut Diags) -> Option<Sp<Vec<Sp<Listen>>>> {
    f.read_with("listen", d, |v, d| {
        if let Some(s) = v.get_ref().as_str() {
            if s == "any" {
                return Some(vec![Sp::new(
                    v.span(),
                    Listen {
                        protocol: None,
                        port: None,
                        any: true,
                    },
                )]);
            }
            d.error(
                v.span(),
                format!("`listen` is an array of listeners or \"any\", found \"{s}\""),
            );
            return None;
        }
        <Vec<Sp<Listen>>>::from_toml(v, "listen", d)
    })
}

fn read_route_change(f: &mut Fields<'_, '_>, d: &mut Diags, with_target: bool) -> RouteChange {
    RouteChange {
        route_table: f.req("route_table", d),
        destination: f.req("destination", d),
        target: if with_target {
            f.req("target", d)
        } else {
            None
        },
    }
}

/// A kind of resource in words: `network_acl` -> "network ACL".
fn human_kind(kind: &str) -> &str {
    match kind {
        "vpc" => "VPC",
        "internet_gateway" => "internet gateway",
        "nat_gateway" => "NAT gateway",
        "prefix_list" => "prefix list",
        "security_group" => "security group",
        "network_acl" => "network ACL",
        "route_table" => "route table",
        "vpc_endpoint" => "VPC endpoint",
        "vpc_peering" => "VPC peering connection",
        "vpn_gateway" => "VPN gateway",
        "transit_gateway_route_table" => "transit gateway route table",
        "transit_gateway_attachment" => "transit gateway attachment",
        "onprem_network" => "on-premises network",
        "lambda" => "Lambda function",
        "external_host" => "external host",
        "aws_service" => "AWS service",
        "onprem_host" => "on-premises host",
        other => other,
    }
}

fn read_set(
    v: &Value<'_>,
    kinds: &std::collections::BTreeMap<String, &'static str>,
    d: &mut Diags,
) -> Option<EventAction> {
    let mut f = Fields::new(v, "`set`", d)?;
    let resource: Option<Id> = f.req("resource", d);
    let Some(resource) = resource else {
        // Without a resource the attributes cannot be read; keep their keys
        // from being called unknown.
        f.abandon(d);
        return None;
    };
    let Some(kind) = kinds.get(&resource.v).copied() else {
        // Validation reports the dangling reference; the attributes, whose
        // meaning depends on the kind, are not read.
        f.abandon(d);
        return Some(EventAction::Set {
            resource,
            attrs: Vec::new(),
        });
    };
    let human = human_kind(kind);
    let Some((_, attrs)) = SETTABLE.iter().find(|(k, _)| *k == kind) else {
        let settable: Vec<String> = SETTABLE
            .iter()
            .map(|(k, _)| format!("{}s", human_kind(k)))
            .collect();
        let (last, rest) = settable.split_last().expect("SETTABLE is not empty");
        d.error(
            resource.span.clone(),
            format!(
                "`set` cannot change {} (`{}`); it changes {} and {last}",
                super::reader::article(human),
                resource.v,
                rest.join(", "),
            ),
        );
        return None;
    };
    let mut out = Vec::new();
    for attr in attrs.iter() {
        let Some(value) = f.raw(attr) else { continue };
        let span = value.span();
        let parsed = match (kind, *attr) {
            ("security_group", "ingress") => {
                <Vec<Sp<SgRule>>>::from_toml(value, "ingress", d).map(SetAttr::SgIngress)
            }
            ("security_group", "egress") => {
                <Vec<Sp<SgRule>>>::from_toml(value, "egress", d).map(SetAttr::SgEgress)
            }
            ("network_acl", "ingress") => {
                <Vec<Sp<NaclRule>>>::from_toml(value, "ingress", d).map(SetAttr::NaclIngress)
            }
            ("network_acl", "egress") => {
                <Vec<Sp<NaclRule>>>::from_toml(value, "egress", d).map(SetAttr::NaclEgress)
            }
            (_, "security_groups") => {
                <Vec<Id>>::from_toml(value, attr, d).map(SetAttr::SecurityGroups)
            }
            (_, "source_dest_check") => {
                bool::from_toml(value, attr, d).map(SetAttr::SourceDestCheck)
            }
            (_, "route_table") => String::from_toml(value, attr, d)
                .map(|s| SetAttr::RouteTable(Sp::new(span.clone(), s))),
            (_, "network_acl") => String::from_toml(value, attr, d)
                .map(|s| SetAttr::NetworkAcl(Sp::new(span.clone(), s))),
            ("transit_gateway_route_table", "routes") => {
                <Vec<Sp<TgwRoute>>>::from_toml(value, attr, d).map(SetAttr::TgwRoutes)
            }
            (_, "appliance_mode") => bool::from_toml(value, attr, d).map(SetAttr::ApplianceMode),
            (_, "tunnels") => <Vec<Sp<VpnTunnel>>>::from_toml(value, attr, d).map(SetAttr::Tunnels),
            (_, "associations") => {
                <Vec<Id>>::from_toml(value, attr, d).map(SetAttr::TgwAssociations)
            }
            (_, "propagations") => {
                <Vec<Id>>::from_toml(value, attr, d).map(SetAttr::TgwPropagations)
            }
            (_, "routes") => <Vec<Sp<Route>>>::from_toml(value, attr, d).map(SetAttr::Routes),
            (_, "route_tables") | (_, "propagate_to") => {
                <Vec<Id>>::from_toml(value, attr, d).map(SetAttr::PropagateTo)
            }
            _ => None,
        };
        if let Some(p) = parsed {
            out.push(Sp::new(span, p));
        }
    }
    let head = f.span.clone();
    // Other keys than `resource`, if none could be used, were reported (as
    // unknown or unreadable) by `finish`.
    let bare = f.key_count() == 1;
    f.kind = human;
    f.finish(d);
    if out.is_empty() {
        if bare {
            d.error(
                head,
                format!(
                    "`set` changes no attribute; {} takes: {}",
                    super::reader::article(human),
                    attrs.join(", ")
                ),
            );
        }
        return None;
    }
    Some(EventAction::Set {
        resource,
        attrs: out,
    })
}

/// Why an `expect`'s `delivered` could not be read; `text` is the value as
/// written.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DeliveredError {
    #[error("`{text}`: expected \"N%\", \">= N%\", \"<= N%\" or a count (\">= 10\", or 10)")]
    Malformed { text: String },
    #[error("`{text}`: a share lies between 0% and 100%")]
    ShareOutOfRange { text: String },
}

fn parse_delivered(text: &str) -> Result<Delivered, DeliveredError> {
    let t = text.trim();
    let (cmp, rest) = if let Some(r) = t.strip_prefix(">=") {
        (Cmp::AtLeast, r)
    } else if let Some(r) = t.strip_prefix("<=") {
        (Cmp::AtMost, r)
    } else {
        (Cmp::Eq, t)
    };
    let rest = rest.trim();
    let bad = || DeliveredError::Malformed {
        text: text.to_string(),
    };
    let amount = if let Some(p) = rest.strip_suffix('%') {
        let x: f64 = p.trim().parse().map_err(|_| bad())?;
        if !(0.0..=100.0).contains(&x) {
            return Err(DeliveredError::ShareOutOfRange {
                text: text.to_string(),
            });
        }
        Amount::Percent(x)
    } else {
        Amount::Count(rest.parse().map_err(|_| bad())?)
    };
    Ok(Delivered { cmp, amount })
}

impl FromToml for Delivered {
    const EXPECTED: &'static str = "\"N%\", \">= N%\", \"<= N%\" or a count";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        if matches!(v.get_ref(), toml::de::DeValue::Integer(_)) {
            return u64::from_toml(v, key, d).map(|n| Delivered {
                cmp: Cmp::Eq,
                amount: Amount::Count(n),
            });
        }
        let s = String::from_toml(v, key, d)?;
        match parse_delivered(&s) {
            Ok(x) => Some(x),
            Err(m) => {
                d.error(v.span(), format!("`{key}`: {m}"));
                None
            }
        }
    }
}

pub(super) fn read_head(v: &Value<'_>, d: &mut Diags) -> Option<ScenarioHead> {
    read_table(v, "the [scenario] table", d, |f, d| ScenarioHead {
        span: f.span.clone(),
        name: f.req("name", d),
        description: f.opt("description", d),
        seed: f.opt("seed", d),
        duration: f.req("duration", d),
        region: f.opt("region", d),
        account_id: f.opt("account_id", d),
        include: f.list("include", d),
    })
}

/// The `[scenario]` table of an included file: every key may be omitted,
/// and only `region` and `include` are used.
pub(super) fn read_included_head(v: &Value<'_>, d: &mut Diags) -> Option<ScenarioHead> {
    read_table(v, "the [scenario] table", d, |f, d| ScenarioHead {
        span: f.span.clone(),
        name: f.opt("name", d),
        description: f.opt("description", d),
        seed: f.opt("seed", d),
        duration: f.opt("duration", d),
        region: f.opt("region", d),
        account_id: f.opt("account_id", d),
        include: f.list("include", d),
    })
}

pub(super) fn read_pricing(v: &Value<'_>, d: &mut Diags) -> Option<Pricing> {
    read_table(v, "the [pricing] table", d, |f, d| Pricing {
        nat_gateway_hour: f.opt("nat_gateway_hour", d),
        nat_gateway_gb: f.opt("nat_gateway_gb", d),
        interface_endpoint_hour: f.opt("interface_endpoint_hour", d),
        interface_endpoint_gb: f.opt("interface_endpoint_gb", d),
        internet_out_gb: f.opt("internet_out_gb", d),
        cross_az_gb: f.opt("cross_az_gb", d),
        transit_gateway_attachment_hour: f.opt("transit_gateway_attachment_hour", d),
        transit_gateway_gb: f.opt("transit_gateway_gb", d),
        inter_region_gb: f.opt("inter_region_gb", d),
        regional_public_ip_gb: f.opt("regional_public_ip_gb", d),
        vpn_connection_hour: f.opt("vpn_connection_hour", d),
    })
}

pub(super) fn read_latency(v: &Value<'_>, d: &mut Diags) -> Option<LatencyDefaults> {
    read_table(v, "the [latency] table", d, |f, d| LatencyDefaults {
        same_az: f.opt("same_az", d),
        cross_az: f.opt("cross_az", d),
        internet: f.opt("internet", d),
        aws_service: f.opt("aws_service", d),
        vpn: f.opt("vpn", d),
        inter_region: f.opt("inter_region", d),
        internet_loss: f.opt("internet_loss", d),
        vpn_loss: f.opt("vpn_loss", d),
    })
}

/// Reads a resource table; the `id` is required, and without it the resource
/// is left out (nothing could refer to it anyway). Its other keys are read
/// all the same, so that their problems are reported and they are not taken
/// for unknown keys.
fn resource<T>(
    v: &Value<'_>,
    kind: &'static str,
    d: &mut Diags,
    read: impl FnOnce(Id, &mut Fields<'_, '_>, &mut Diags) -> T,
) -> Option<T> {
    let mut f = Fields::new(v, kind, d)?;
    let id: Option<Id> = f.req("id", d);
    let stand_in = || Sp::new(f.span.clone(), String::new());
    let t = read(id.clone().unwrap_or_else(stand_in), &mut f, d);
    if let Some(id) = &id {
        f.at = id.span.start;
    }
    f.finish(d);
    id.map(|_| t)
}

pub(super) fn read_vpc(v: &Value<'_>, d: &mut Diags) -> Option<Vpc> {
    resource(v, "VPC", d, |id, f, d| Vpc {
        id,
        cidrs: f.req("cidrs", d),
        enable_dns_support: f.opt("enable_dns_support", d),
        enable_dns_hostnames: f.opt("enable_dns_hostnames", d),
    })
}

pub(super) fn read_subnet(v: &Value<'_>, d: &mut Diags) -> Option<Subnet> {
    resource(v, "subnet", d, |id, f, d| Subnet {
        id,
        vpc: f.req("vpc", d),
        cidr: f.req("cidr", d),
        az: f.opt("az", d),
        route_table: f.opt("route_table", d),
        network_acl: f.opt("network_acl", d),
    })
}

pub(super) fn read_route_table(v: &Value<'_>, d: &mut Diags) -> Option<RouteTable> {
    resource(v, "route table", d, |id, f, d| RouteTable {
        id,
        vpc: f.req("vpc", d),
        main: f.opt("main", d),
        routes: f.list("routes", d),
    })
}

pub(super) fn read_igw(v: &Value<'_>, d: &mut Diags) -> Option<InternetGateway> {
    resource(v, "internet gateway", d, |id, f, d| InternetGateway {
        id,
        vpc: f.req("vpc", d),
    })
}

pub(super) fn read_nat(v: &Value<'_>, d: &mut Diags) -> Option<NatGateway> {
    resource(v, "NAT gateway", d, |id, f, d| {
        let subnet = f.req("subnet", d);
        let public = opt_choice(
            f,
            "connectivity",
            &[("public", true), ("private", false)],
            d,
        )
        .unwrap_or_else(|| Sp::new(id.span.clone(), true));
        NatGateway {
            id,
            subnet,
            public,
            public_ip: f.opt("public_ip", d),
            private_ip: f.opt("private_ip", d),
        }
    })
}

pub(super) fn read_prefix_list(v: &Value<'_>, d: &mut Diags) -> Option<PrefixList> {
    resource(v, "prefix list", d, |id, f, d| PrefixList {
        id,
        name: f.opt("name", d),
        cidrs: f.list("cidrs", d),
    })
}

pub(super) fn read_endpoint(v: &Value<'_>, d: &mut Diags) -> Option<VpcEndpoint> {
    resource(v, "VPC endpoint", d, |id, f, d| {
        let kind = if f.has("type") {
            opt_choice(
                f,
                "type",
                &[
                    ("gateway", EndpointType::Gateway),
                    ("interface", EndpointType::Interface),
                ],
                d,
            )
        } else {
            f.req::<String>("type", d);
            None
        };
        VpcEndpoint {
            id,
            kind,
            vpc: f.req("vpc", d),
            service: f.req("service", d),
            route_tables: f.list("route_tables", d),
            subnets: f.list("subnets", d),
            security_groups: f.list("security_groups", d),
            private_dns: f.opt("private_dns", d),
            private_dns_only_for_inbound_resolver_endpoint: f
                .opt("private_dns_only_for_inbound_resolver_endpoint", d),
            private_ips: f.list("private_ips", d),
            listen: listeners(f, d).map(|l| l.v).unwrap_or_default(),
        }
    })
}

pub(super) fn read_sg(v: &Value<'_>, d: &mut Diags) -> Option<SecurityGroup> {
    resource(v, "security group", d, |id, f, d| SecurityGroup {
        id,
        vpc: f.req("vpc", d),
        ingress: f.list("ingress", d),
        egress: f.opt::<Vec<Sp<SgRule>>>("egress", d).map(|e| e.v),
    })
}

pub(super) fn read_nacl(v: &Value<'_>, d: &mut Diags) -> Option<NetworkAcl> {
    resource(v, "network ACL", d, |id, f, d| NetworkAcl {
        id,
        vpc: f.req("vpc", d),
        default: f.opt("default", d),
        ingress: f.list("ingress", d),
        egress: f.list("egress", d),
    })
}

pub(super) fn read_peering(v: &Value<'_>, d: &mut Diags) -> Option<VpcPeering> {
    resource(v, "VPC peering", d, |id, f, d| VpcPeering {
        id,
        requester: f.req("requester", d),
        accepter: f.req("accepter", d),
        peer_region: f.opt("peer_region", d),
        allow_dns_resolution: f.opt("allow_dns_resolution", d),
        requester_dns_resolution: f.opt("requester_dns_resolution", d),
        accepter_dns_resolution: f.opt("accepter_dns_resolution", d),
    })
}

pub(super) fn read_vgw(v: &Value<'_>, d: &mut Diags) -> Option<VpnGateway> {
    resource(v, "VPN gateway", d, |id, f, d| VpnGateway {
        id,
        vpc: f.req("vpc", d),
        propagate_to: f.list("propagate_to", d),
    })
}

pub(super) fn read_onprem_network(v: &Value<'_>, d: &mut Diags) -> Option<OnpremNetwork> {
    resource(v, "on-premises network", d, |id, f, d| OnpremNetwork {
        id,
        cidrs: f.list("cidrs", d),
        via: f.req("via", d),
        latency: f.opt("latency", d),
        loss: f.opt("loss", d),
        customer_gateway: f.opt("customer_gateway", d),
        bgp: opt_choice(f, "routing", &[("static", false), ("bgp", true)], d),
        tunnels: f.list("tunnels", d),
    })
}

impl FromToml for LatencyValue {
    const EXPECTED: &'static str =
        "a duration like \"10ms\", or { min = \"8ms\", p50 = \"10ms\", p99 = \"20ms\" }";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        if !matches!(v.get_ref(), toml::de::DeValue::Table(_)) {
            return Nanos::from_toml(v, key, d).map(|n| LatencyValue {
                min: n,
                p50: n,
                p99: n,
            });
        }
        let parts = read_table(v, "latency", d, |f, d| {
            (
                f.req::<Nanos>("min", d),
                f.req::<Nanos>("p50", d),
                f.req::<Nanos>("p99", d),
            )
        })?;
        let (Some(min), Some(p50), Some(p99)) = parts else {
            return None;
        };
        let (min, p50, p99) = (min.v, p50.v, p99.v);
        if !(min < p50 && p50 < p99) {
            d.error(
                v.span(),
                format!(
                    "`{key}`: a latency distribution needs min < p50 < p99, found {min}, {p50}, {p99}; \
                     write one duration for a fixed delay"
                ),
            );
            return None;
        }
        Some(LatencyValue { min, p50, p99 })
    }
}

impl FromToml for Share {
    const EXPECTED: &'static str = "a percentage like \"0.1%\"";
    fn from_toml(v: &Value<'_>, key: &str, d: &mut Diags) -> Option<Self> {
        let s = String::from_toml(v, key, d)?;
        let x = s
            .trim()
            .strip_suffix('%')
            .and_then(|p| p.trim().parse::<f64>().ok());
        match x {
            Some(x) if (0.0..100.0).contains(&x) => Some(Share(x / 100.0)),
            Some(_) => {
                d.error(
                    v.span(),
                    format!("`{key}` must be at least 0% and below 100%, found \"{s}\""),
                );
                None
            }
            None => {
                d.error(
                    v.span(),
                    format!("`{key}` must be {}, found \"{s}\"", Self::EXPECTED),
                );
                None
            }
        }
    }
}

impl FromToml for VpnTunnel {
    const EXPECTED: &'static str = "a tunnel { outside_ip = \"52.1.2.3\", status = \"up\" }";
    fn from_toml(v: &Value<'_>, _key: &str, d: &mut Diags) -> Option<Self> {
        read_table(v, "tunnel", d, |f, d| VpnTunnel {
            outside_ip: f.req("outside_ip", d),
            up: opt_choice(f, "status", &[("up", true), ("down", false)], d),
        })
    }
}

pub(super) fn read_tgw(v: &Value<'_>, d: &mut Diags) -> Option<TransitGateway> {
    resource(v, "transit gateway", d, |id, f, d| TransitGateway {
        id,
        asn: f.opt("asn", d),
        default_association: f.opt("default_route_table_association", d),
        default_propagation: f.opt("default_route_table_propagation", d),
        association_table: f.opt("association_default_route_table", d),
        propagation_table: f.opt("propagation_default_route_table", d),
        dns_support: f.opt("dns_support", d),
        sg_referencing: f.opt("security_group_referencing", d),
        region: f.opt("region", d),
    })
}

pub(super) fn read_tgw_attachment(v: &Value<'_>, d: &mut Diags) -> Option<TgwAttachment> {
    resource(v, "transit gateway attachment", d, |id, f, d| {
        TgwAttachment {
            id,
            transit_gateway: f.req("transit_gateway", d),
            kind: opt_choice(
                f,
                "type",
                &[
                    ("vpc", TgwAttachmentType::Vpc),
                    ("vpn", TgwAttachmentType::Vpn),
                    ("peering", TgwAttachmentType::Peering),
                ],
                d,
            ),
            vpc: f.opt("vpc", d),
            subnets: f.list("subnets", d),
            appliance_mode: f.opt("appliance_mode", d),
            sg_referencing: f.opt("security_group_referencing", d),
            routing: opt_choice(
                f,
                "routing",
                &[("bgp", VpnRouting::Bgp), ("static", VpnRouting::Static)],
                d,
            ),
            peer: f.opt("peer", d),
        }
    })
}

pub(super) fn read_tgw_route_table(v: &Value<'_>, d: &mut Diags) -> Option<TgwRouteTable> {
    resource(v, "transit gateway route table", d, |id, f, d| {
        TgwRouteTable {
            id,
            transit_gateway: f.req("transit_gateway", d),
            associations: f.list("associations", d),
            propagations: f.list("propagations", d),
            routes: f.list("routes", d),
        }
    })
}

pub(super) fn read_instance(v: &Value<'_>, d: &mut Diags) -> Option<Instance> {
    resource(v, "instance", d, |id, f, d| Instance {
        id,
        subnet: f.req("subnet", d),
        private_ip: f.opt("private_ip", d),
        public_ip: f.opt("public_ip", d),
        security_groups: f.opt("security_groups", d),
        source_dest_check: f.opt("source_dest_check", d),
        stateful: opt_choice(f, "forward", &[("stateless", false), ("stateful", true)], d),
        eni: f.opt("eni", d),
        listen: listeners(f, d).map(|l| l.v).unwrap_or_default(),
        mtu: f.opt("mtu", d),
        instance_type: f.opt("instance_type", d),
    })
}

pub(super) fn read_lambda(v: &Value<'_>, d: &mut Diags) -> Option<Lambda> {
    resource(v, "Lambda function", d, |id, f, d| Lambda {
        id,
        subnets: f.list("subnets", d),
        security_groups: f.list("security_groups", d),
        concurrency: f.opt("concurrency", d),
        init_duration: f.opt("init_duration", d),
        timeout: f.opt("timeout", d),
    })
}

pub(super) fn read_external_host(v: &Value<'_>, d: &mut Diags) -> Option<ExternalHost> {
    resource(v, "external host", d, |id, f, d| ExternalHost {
        id,
        ip: f.req("ip", d),
        listen: listeners(f, d).map(|l| l.v).unwrap_or_default(),
        latency: f.opt("latency", d),
        loss: f.opt("loss", d),
    })
}

pub(super) fn read_aws_service(v: &Value<'_>, d: &mut Diags) -> Option<AwsService> {
    resource(v, "AWS service", d, |id, f, d| AwsService {
        id,
        service: f.req("service", d),
        region: f.opt("region", d),
        ips: f.list("ips", d),
        listen: listeners(f, d).map(|l| l.v),
    })
}

pub(super) fn read_onprem_host(v: &Value<'_>, d: &mut Diags) -> Option<OnpremHost> {
    resource(v, "on-premises host", d, |id, f, d| OnpremHost {
        id,
        network: f.req("network", d),
        ip: f.req("ip", d),
        listen: listeners(f, d).map(|l| l.v).unwrap_or_default(),
    })
}

pub(super) fn read_traffic(v: &Value<'_>, d: &mut Diags) -> Option<Traffic> {
    resource(v, "traffic generator", d, |id, f, d| Traffic {
        id,
        from: f.req("from", d),
        to: f.req("to", d),
        protocol: f.opt("protocol", d),
        port: f.opt("port", d),
        pattern: opt_choice(
            f,
            "pattern",
            &[
                ("requests", Pattern::Requests),
                ("ping", Pattern::Ping),
                ("udp", Pattern::Udp),
                ("bulk", Pattern::Bulk),
            ],
            d,
        ),
        rate: f.opt("rate", d),
        request: f.opt("request", d),
        response: f.opt("response", d),
        size: f.opt("size", d),
        hold: f.opt("hold", d),
        timeout: f.opt("timeout", d),
        start: f.opt("start", d),
        stop: f.opt("stop", d),
        arrivals: opt_choice(
            f,
            "arrivals",
            &[("poisson", Arrivals::Poisson), ("fixed", Arrivals::Fixed)],
            d,
        ),
        dns_ttl: f.opt("dns_ttl", d),
    })
}

pub(super) fn read_event(v: &Value<'_>, kinds: &Kinds, d: &mut Diags) -> Option<Event> {
    read_table(v, "event", d, |f, d| {
        let at = f.req("at", d);
        let mut actions = Vec::new();
        if let Some(x) = f.raw("delete") {
            if let Some(id) = String::from_toml(x, "delete", d) {
                actions.push(Sp::new(
                    x.span(),
                    EventAction::Delete(Sp::new(x.span(), id)),
                ));
            }
        }
        if let Some(x) = f.raw("add_route") {
            if let Some(c) = read_table(x, "`add_route`", d, |f, d| read_route_change(f, d, true)) {
                actions.push(Sp::new(x.span(), EventAction::AddRoute(c)));
            }
        }
        if let Some(x) = f.raw("delete_route") {
            if let Some(c) = read_table(x, "`delete_route`", d, |f, d| {
                read_route_change(f, d, false)
            }) {
                actions.push(Sp::new(x.span(), EventAction::DeleteRoute(c)));
            }
        }
        if let Some(x) = f.raw("set") {
            if let Some(a) = read_set(x, kinds, d) {
                actions.push(Sp::new(x.span(), a));
            }
        }
        let named = ["delete", "add_route", "delete_route", "set"]
            .iter()
            .filter(|k| f.has(k))
            .count();
        let action = match named {
            1 => actions.pop(),
            0 => {
                d.error(
                    f.span.clone(),
                    "an event needs one action: `delete`, `add_route`, `delete_route` or `set`",
                );
                None
            }
            _ => {
                d.error(
                    f.span.clone(),
                    "an event takes exactly one of `delete`, `add_route`, `delete_route`, `set`; write one [[event]] per change",
                );
                None
            }
        };
        Event {
            span: f.span.clone(),
            at,
            action,
        }
    })
}

pub(super) fn read_expect(v: &Value<'_>, d: &mut Diags) -> Option<Expect> {
    read_table(v, "expectation", d, |f, d| {
        let traffic = f.opt("traffic", d);
        let window = f.raw("window").and_then(|w| {
            let reported = d.items.len();
            let items = <Vec<Sp<Nanos>>>::from_toml(w, "window", d)?;
            if d.items.len() > reported {
                // An item was reported: the window is not checked further.
                return None;
            }
            match items.as_slice() {
                [a, b] if a.v < b.v => Some(Sp::new(w.span(), (a.v, b.v))),
                [_, _] => {
                    d.error(w.span(), "`window` must end after it starts");
                    None
                }
                _ => {
                    d.error(
                        w.span(),
                        "`window` must be [start, end], like [\"0s\", \"30s\"]",
                    );
                    None
                }
            }
        });
        Expect {
            span: f.span.clone(),
            traffic,
            window,
            delivered: f.opt("delivered", d),
            via: f.list("via", d),
            not_via: f.list("not_via", d),
            drop_reason: f.opt("drop_reason", d),
            drop_at: f.opt("drop_at", d),
            component: f.opt("component", d),
            bounds: super::bound::Measure::ALL
                .iter()
                .filter_map(|m| f.opt(m.key(), d))
                .collect(),
        }
    })
}
