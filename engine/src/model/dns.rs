//! Names of instances and the addresses they stand for, seen from where
//! traffic starts.
//!
//! - DNS-1 An instance's id names its private address where the source has
//!   a private path to its VPC (the same VPC, a peering, the VPC's VPN
//!   gateway for an on-premises network, a transit gateway both VPCs are
//!   attached to, or two peered transit gateways (TGW-10)), its public address where it has none; with neither, the
//!   file is invalid. The paths come from the topology, computed once when
//!   the design is built ([`Reach`]).
//! - DNS-2 A VPC's `enableDnsSupport` and `enableDnsHostnames`: with either
//!   off, instances get no public DNS name and the Amazon DNS server does
//!   not resolve Amazon-provided private names; with support off it answers
//!   nothing.
//! - DNS-3 The private DNS name `ip-10-0-1-5.ec2.internal` (us-east-1),
//!   `ip-10-0-1-5.<region>.compute.internal` elsewhere, resolves to the
//!   private address from inside the VPC, and from other VPCs of the same
//!   Region when the address is RFC 1918; never from the internet.
//! - DNS-4 The public DNS name `ec2-54-1-2-3.compute-1.amazonaws.com`
//!   (us-east-1), `ec2-54-1-2-3.<region>.compute.amazonaws.com` elsewhere,
//!   exists for an instance with a public IP in a VPC with both attributes
//!   on. It resolves to the private address inside the instance's VPC, in a
//!   peered VPC whose peering allows it (the option of the instance's side,
//!   both VPCs with both attributes on), in a VPC attached to the same
//!   transit gateway with DNS support on; to the public address elsewhere,
//!   across a transit gateway peering too (TGW-10).

use std::net::Ipv4Addr;

use super::*;
use crate::scenario::diag::did_you_mean;

/// The name a destination was given by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NameForm {
    /// The id the file gives the instance.
    Id,
    /// `ip-10-0-1-5.ec2.internal` (DNS-3).
    PrivateDns,
    /// `ec2-54-1-2-3.compute-1.amazonaws.com` (DNS-4).
    PublicDns,
}

/// Where a name is looked up from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    Vpc(VpcId),
    Onprem(OnpremNetId),
    Internet,
    /// A Lambda function outside a VPC: it reaches only public addresses
    /// (LAM-4).
    LambdaOutside,
}

/// Where traffic from `src` looks names up from.
pub fn origin(d: &Design, src: Source) -> Origin {
    match src {
        Source::Instance(i) => Origin::Vpc(d.enis[d.instances[i.idx()].eni.idx()].vpc),
        Source::Lambda(l) => d.lambdas[l.idx()]
            .vpc
            .map_or(Origin::LambdaOutside, Origin::Vpc),
        Source::External(_) => Origin::Internet,
        Source::Onprem(h) => Origin::Onprem(d.onprem_hosts[h.idx()].network),
    }
}

/// Which networks reach which VPCs privately, and where public DNS names
/// resolve to private addresses: computed once from the topology when the
/// design is built (DNS-1, DNS-4).
#[derive(Clone, Debug, Default)]
pub struct Reach {
    vpcs: usize,
    /// `[from * vpcs + to]`: the same VPC, a peering, or a transit gateway
    /// both are attached to.
    vpc_private: Vec<bool>,
    /// `[network * vpcs + vpc]`: the VPC's VPN gateway has the on-premises
    /// network behind it.
    onprem_private: Vec<bool>,
    /// `[from * vpcs + to]`: a public DNS name of an instance of `to`
    /// resolves to its private address when queried from `from`.
    public_private: Vec<bool>,
}

impl Reach {
    pub fn compute(d: &Design) -> Reach {
        let n = d.vpcs.len();
        let mut r = Reach {
            vpcs: n,
            vpc_private: vec![false; n * n],
            onprem_private: vec![false; d.onprem_nets.len() * n],
            public_private: vec![false; n * n],
        };
        for v in 0..n {
            r.vpc_private[v * n + v] = true;
            r.public_private[v * n + v] = true;
        }
        let named = |v: VpcId| -> bool { v.idx() < n };
        let dns_on = |v: VpcId| d.vpcs[v.idx()].dns_support && d.vpcs[v.idx()].dns_hostnames;
        for p in &d.peerings {
            let (a, b) = (p.requester, p.accepter);
            if a == b || !named(a) || !named(b) {
                continue;
            }
            r.vpc_private[a.idx() * n + b.idx()] = true;
            r.vpc_private[b.idx() * n + a.idx()] = true;
            // AWS: both VPCs need DNS hostnames and DNS resolution on.
            if dns_on(a) && dns_on(b) {
                if p.requester_dns {
                    r.public_private[b.idx() * n + a.idx()] = true;
                }
                if p.accepter_dns {
                    r.public_private[a.idx() * n + b.idx()] = true;
                }
            }
        }
        for (t, g) in d.tgws.iter().enumerate() {
            let attached: Vec<VpcId> = d
                .tgw_attachments
                .iter()
                .filter(|a| a.tgw.idx() == t)
                .filter_map(|a| a.vpc())
                .filter(|v| named(*v))
                .collect();
            for &a in &attached {
                for &b in &attached {
                    r.vpc_private[a.idx() * n + b.idx()] = true;
                    if g.dns_support {
                        r.public_private[a.idx() * n + b.idx()] = true;
                    }
                }
            }
        }
        // TGW-10: across a transit gateway peering the path is private, but
        // public DNS names do not resolve to private addresses over it.
        let on_tgw = |t: TgwId| {
            d.tgw_attachments
                .iter()
                .filter(move |a| a.tgw == t)
                .filter_map(|a| a.vpc())
                .filter(|v| named(*v))
        };
        for a in &d.tgw_attachments {
            let Some(peer) = a.peer() else { continue };
            let Some(u) = d.tgw_attachments.get(peer.idx()).map(|x| x.tgw) else {
                continue;
            };
            for x in on_tgw(a.tgw) {
                for y in on_tgw(u) {
                    r.vpc_private[x.idx() * n + y.idx()] = true;
                }
            }
            for (i, net) in d.onprem_nets.iter().enumerate() {
                if let OnpremVia::TgwAttachment(att) = net.via {
                    if d.tgw_attachments.get(att.idx()).map(|x| x.tgw) == Some(a.tgw) {
                        for y in on_tgw(u) {
                            r.onprem_private[i * n + y.idx()] = true;
                        }
                    }
                }
            }
        }
        for (i, net) in d.onprem_nets.iter().enumerate() {
            match net.via {
                OnpremVia::Vgw(g) => {
                    if let Some(g) = d.vgws.get(g.idx()) {
                        if named(g.vpc) {
                            r.onprem_private[i * n + g.vpc.idx()] = true;
                        }
                    }
                }
                // Over a transit gateway's VPN attachment: every VPC
                // attached to the same transit gateway.
                OnpremVia::TgwAttachment(att) => {
                    let Some(tgw) = d.tgw_attachments.get(att.idx()).map(|a| a.tgw) else {
                        continue;
                    };
                    for v in d
                        .tgw_attachments
                        .iter()
                        .filter(|a| a.tgw == tgw)
                        .filter_map(|a| a.vpc())
                        .filter(|v| named(*v))
                    {
                        r.onprem_private[i * n + v.idx()] = true;
                    }
                }
            }
        }
        r
    }

    /// Whether `from` reaches VPC `to` without the internet (DNS-1).
    pub fn private_path(&self, from: Origin, to: VpcId) -> bool {
        let n = self.vpcs;
        match from {
            Origin::Vpc(v) => self.vpc_private.get(v.idx() * n + to.idx()) == Some(&true),
            Origin::Onprem(o) => self.onprem_private.get(o.idx() * n + to.idx()) == Some(&true),
            Origin::Internet | Origin::LambdaOutside => false,
        }
    }

    fn public_resolves_private(&self, from: VpcId, to: VpcId) -> bool {
        self.public_private.get(from.idx() * self.vpcs + to.idx()) == Some(&true)
    }
}

/// The VPC an instance is in.
pub fn vpc_of(d: &Design, i: InstanceId) -> VpcId {
    d.enis[d.instances[i.idx()].eni.idx()].vpc
}

fn dashed(ip: Ipv4Addr) -> String {
    let [a, b, c, e] = ip.octets();
    format!("{a}-{b}-{c}-{e}")
}

/// The instance's private DNS name in its Region's form (DNS-3).
pub fn private_name(d: &Design, i: InstanceId) -> String {
    let e = &d.enis[d.instances[i.idx()].eni.idx()];
    let region = &d.vpcs[e.vpc.idx()].region;
    if region == "us-east-1" {
        format!("ip-{}.ec2.internal", dashed(e.ip))
    } else {
        format!("ip-{}.{region}.compute.internal", dashed(e.ip))
    }
}

/// The name the instance's public IP would have (DNS-4), whether or not its
/// VPC gives it one.
fn public_form(d: &Design, i: InstanceId) -> Option<String> {
    let e = &d.enis[d.instances[i.idx()].eni.idx()];
    let region = &d.vpcs[e.vpc.idx()].region;
    e.public_ip.map(|ip| {
        if region == "us-east-1" {
            format!("ec2-{}.compute-1.amazonaws.com", dashed(ip))
        } else {
            format!("ec2-{}.{region}.compute.amazonaws.com", dashed(ip))
        }
    })
}

/// Whether the instance's VPC gives public DNS names (DNS-2).
fn names_public(d: &Design, i: InstanceId) -> bool {
    let v = &d.vpcs[vpc_of(d, i).idx()];
    v.dns_support && v.dns_hostnames
}

/// The instance's public DNS name, if it has one (DNS-2, DNS-4).
pub fn public_name(d: &Design, i: InstanceId) -> Option<String> {
    public_form(d, i).filter(|_| names_public(d, i))
}

/// The name a destination was written with.
pub fn name(d: &Design, i: InstanceId, form: NameForm) -> String {
    match form {
        NameForm::Id => d.instances[i.idx()].name.clone(),
        NameForm::PrivateDns => private_name(d, i),
        NameForm::PublicDns => public_form(d, i).unwrap_or_else(|| private_name(d, i)),
    }
}

/// Whether `text` is shaped like an instance's DNS name (it is then looked
/// up with [`lookup`], never taken as a service name).
pub fn looks_like_instance_name(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    (t.starts_with("ip-") && t.ends_with(".internal"))
        || (t.starts_with("ec2-") && t.ends_with(".amazonaws.com"))
}

/// Why a DNS name names no instance, or does not resolve from where it is
/// looked up (DNS-1..DNS-4); each names the instance, the VPCs and what to
/// write instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// `off` is the attribute that is off.
    #[error(
        "`{name}` is the public DNS name instance `{instance}` would have, but VPC `{vpc}` has `{off} = false`, and AWS gives public DNS names only when both `enable_dns_support` and `enable_dns_hostnames` are true (DNS-2); set both on the [[vpc]], or write the instance's id"
    )]
    PublicNameOff {
        name: String,
        instance: String,
        vpc: String,
        off: &'static str,
    },
    /// `hint` is `; did you mean ...?` when a name is near.
    #[error(
        "`{name}` is not the DNS name of an instance of this file (private names are `ip-<private address with dashes>.ec2.internal` in us-east-1 and `ip-...<region>.compute.internal` elsewhere; public names `ec2-<public address with dashes>.compute-1.amazonaws.com` and `ec2-....<region>.compute.amazonaws.com`){hint}"
    )]
    NotAName { name: String, hint: String },
    /// `from` is where the name is looked up from, in words.
    #[error(
        "instance `{instance}` has no public IP, and {from} has no private path to its VPC `{vpc}` (no peering, VPN gateway or transit gateway joins them), so its id names no address that works from there (DNS-1); give the instance a `public_ip`, or connect the networks and route between them"
    )]
    NoPath {
        instance: String,
        from: String,
        vpc: String,
    },
    #[error(
        "`{name}` is a private DNS name, which resolves only inside AWS, from a VPC, never from {from} (DNS-3); write the instance's id, or its public DNS name if it has one"
    )]
    PrivateOutsideAws { name: String, from: String },
    #[error(
        "VPC `{0}` has `enable_dns_support = false`, so the Amazon DNS server answers nothing there (DNS-2); set it to true, or write the instance's id or address"
    )]
    SupportOff(String),
    #[error(
        "VPC `{0}` has `enable_dns_hostnames = false`, and with it off the Amazon DNS server does not resolve Amazon-provided private DNS names (DNS-2); set it to true, or write the instance's id or address"
    )]
    HostnamesOff(String),
    #[error(
        "`{name}` is a private DNS name of Region {region}, and private names of other VPCs resolve only within their Region, not from VPC `{vpc}` in {vpc_region} (DNS-3); write the instance's id or address"
    )]
    OtherRegion {
        name: String,
        region: String,
        vpc: String,
        vpc_region: String,
    },
    #[error(
        "`{name}` names {ip}, outside RFC 1918's private ranges, and such private names of another VPC do not resolve from VPC `{vpc}` (DNS-3); write the instance's id or address"
    )]
    NotPrivate {
        name: String,
        ip: Ipv4Addr,
        vpc: String,
    },
    #[error(
        "instance `{0}` has no public IP, so it has no public DNS name (DNS-4); write its id or its private DNS name"
    )]
    NoPublicIp(String),
}

/// The instance a DNS name names, and the form it is in; an error saying
/// why when it names none. `near`: where it is looked up from, which picks
/// among instances of overlapping VPCs with the same private name.
pub fn lookup(
    d: &Design,
    text: &str,
    near: Option<Origin>,
) -> Result<(InstanceId, NameForm), DnsError> {
    let t = text.to_ascii_lowercase();
    let ids = (0..d.instances.len()).map(InstanceId::from_idx);
    let near_vpc = match near {
        Some(Origin::Vpc(v)) => Some(v),
        _ => None,
    };
    let private: Vec<InstanceId> = ids.clone().filter(|&i| private_name(d, i) == t).collect();
    if let Some(&first) = private.first() {
        let i = private
            .iter()
            .copied()
            .find(|&i| Some(vpc_of(d, i)) == near_vpc)
            .unwrap_or(first);
        return Ok((i, NameForm::PrivateDns));
    }
    if let Some(i) = ids
        .clone()
        .find(|&i| public_form(d, i).as_deref() == Some(t.as_str()))
    {
        if names_public(d, i) {
            return Ok((i, NameForm::PublicDns));
        }
        let v = &d.vpcs[vpc_of(d, i).idx()];
        let off = if v.dns_support {
            "enable_dns_hostnames"
        } else {
            "enable_dns_support"
        };
        return Err(DnsError::PublicNameOff {
            name: text.to_string(),
            instance: d.instances[i.idx()].name.clone(),
            vpc: v.name.clone(),
            off,
        });
    }
    let mut names: Vec<(String, InstanceId)> = Vec::new();
    for i in ids {
        names.push((private_name(d, i), i));
        if let Some(p) = public_name(d, i) {
            names.push((p, i));
        }
    }
    let mut hint = String::new();
    if let Some(s) = did_you_mean(&t, names.iter().map(|(n, _)| n.as_str())) {
        let owner = names.iter().find(|(n, _)| n == s).map(|(_, i)| *i);
        hint.push_str(&format!("; did you mean `{s}`"));
        if let Some(i) = owner {
            hint.push_str(&format!(" (instance `{}`)", d.instances[i.idx()].name));
        }
        hint.push('?');
    }
    Err(DnsError::NotAName {
        name: text.to_string(),
        hint,
    })
}

fn rfc1918(ip: Ipv4Addr) -> bool {
    ip.is_private()
}

/// `from` in words: "VPC `vpc-b`", "the internet".
pub fn describe(d: &Design, from: Origin) -> String {
    match from {
        // A design the loader refused part of may name a VPC it left out.
        Origin::Vpc(v) => match d.vpcs.get(v.idx()) {
            Some(vpc) => format!("VPC `{}`", vpc.name),
            None => "a VPC".into(),
        },
        Origin::Onprem(o) => match d.onprem_nets.get(o.idx()) {
            Some(net) => format!("on-premises network `{}`", net.name),
            None => "an on-premises network".into(),
        },
        Origin::Internet => "the internet".into(),
        Origin::LambdaOutside => "a Lambda function outside a VPC".into(),
    }
}

/// The address instance `i`, named in `form`, stands for from `from`; an
/// error saying why when the name does not resolve there (DNS-1..DNS-4).
pub fn address(
    d: &Design,
    from: Origin,
    i: InstanceId,
    form: NameForm,
) -> Result<Ipv4Addr, DnsError> {
    let inst = &d.instances[i.idx()];
    let e = &d.enis[inst.eni.idx()];
    let to = e.vpc;
    let to_name = &d.vpcs[to.idx()].name;
    let private_path = d.dns.private_path(from, to);
    let support_off = |v: VpcId| DnsError::SupportOff(d.vpcs[v.idx()].name.clone());
    match form {
        NameForm::Id => {
            if private_path {
                Ok(e.ip)
            } else if let Some(p) = e.public_ip {
                Ok(p)
            } else {
                Err(DnsError::NoPath {
                    instance: inst.name.clone(),
                    from: describe(d, from),
                    vpc: to_name.clone(),
                })
            }
        }
        NameForm::PrivateDns => {
            let Origin::Vpc(v) = from else {
                return Err(DnsError::PrivateOutsideAws {
                    name: private_name(d, i),
                    from: describe(d, from),
                });
            };
            let src = &d.vpcs[v.idx()];
            if !src.dns_support {
                return Err(support_off(v));
            }
            if !src.dns_hostnames {
                return Err(DnsError::HostnamesOff(src.name.clone()));
            }
            if v == to {
                return Ok(e.ip);
            }
            if src.region != d.vpcs[to.idx()].region {
                return Err(DnsError::OtherRegion {
                    name: private_name(d, i),
                    region: d.vpcs[to.idx()].region.clone(),
                    vpc: src.name.clone(),
                    vpc_region: src.region.clone(),
                });
            }
            if !rfc1918(e.ip) {
                return Err(DnsError::NotPrivate {
                    name: private_name(d, i),
                    ip: e.ip,
                    vpc: src.name.clone(),
                });
            }
            Ok(e.ip)
        }
        NameForm::PublicDns => {
            let Some(public) = e.public_ip else {
                return Err(DnsError::NoPublicIp(inst.name.clone()));
            };
            match from {
                Origin::Vpc(v) => {
                    if !d.vpcs[v.idx()].dns_support {
                        return Err(support_off(v));
                    }
                    if d.dns.public_resolves_private(v, to) {
                        Ok(e.ip)
                    } else {
                        Ok(public)
                    }
                }
                Origin::Onprem(_) | Origin::Internet | Origin::LambdaOutside => Ok(public),
            }
        }
    }
}

/// A name that resolves to a private address that `from` has no private
/// path to: AWS answers, but the packets cannot arrive (DNS-3).
pub fn resolves_out_of_reach(d: &Design, from: Origin, i: InstanceId, ip: Ipv4Addr) -> bool {
    let e = &d.enis[d.instances[i.idx()].eni.idx()];
    ip == e.ip && !d.dns.private_path(from, e.vpc)
}

/// The ENI a source's lookups leave from and the VPC whose resolver they
/// ask: an instance's, or a Lambda function's first Hyperplane ENI; none for
/// sources outside the VPCs, which use resolvers of their own.
pub fn lookup_eni(d: &Design, src: Source) -> Option<EniId> {
    match src {
        Source::Instance(i) => Some(d.instances[i.idx()].eni),
        Source::Lambda(l) => d.lambdas[l.idx()].enis.first().copied(),
        Source::External(_) | Source::Onprem(_) => None,
    }
}

/// The default TTL of the names traffic looks up, in seconds (DNS-5).
pub const DEFAULT_TTL: u32 = 60;

/// The SOA record the Resolver's negative answers carry (DNS-5): AWS
/// publishes none for the names the Resolver answers itself, so vpcsim
/// takes the SOA Route 53 writes for a new hosted zone (its name server and
/// mailbox, refresh 7,200 s, retry 900 s, expire 1,209,600 s, MINIMUM
/// 86,400 s, and a TTL of 900 s on the record). A cache keeps a negative
/// answer for the smaller of the record's TTL and MINIMUM (RFC 2308): 900 s.
pub const NEGATIVE_SOA: crate::packet::dns::Soa<'static> = crate::packet::dns::Soa {
    ttl: 900,
    mname: "ns-2048.awsdns-64.net",
    rname: "awsdns-hostmaster.amazon.com",
    serial: 1,
    refresh: 7200,
    retry: 900,
    expire: 1_209_600,
    minimum: 86_400,
};

/// The DNS name traffic from `src` looks up for `to` through its VPC's
/// resolver before it connects (DNS-5), or `None` when it names its
/// destination by an address or an id of the file, or starts outside the
/// VPCs. A service is asked for by its Regional name,
/// `<service>.<region>.amazonaws.com`, the name an interface endpoint's
/// private DNS answers for (IFE-2).
pub fn lookup_name(d: &Design, src: Source, to: &DestSpec) -> Option<String> {
    let eni = lookup_eni(d, src)?;
    match to {
        DestSpec::Instance(i, form @ (NameForm::PrivateDns | NameForm::PublicDns)) => {
            Some(name(d, *i, *form).to_ascii_lowercase())
        }
        DestSpec::Service(s) if s.contains('.') => Some(s.to_ascii_lowercase()),
        DestSpec::Service(s) => {
            let region = &d.vpcs[d.enis[eni.idx()].vpc.idx()].region;
            Some(format!("{s}.{region}.amazonaws.com"))
        }
        _ => None,
    }
}
