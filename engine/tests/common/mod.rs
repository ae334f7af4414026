//! Generators shared by the invariant tests: small random designs written as
//! scenario text (so that they go through the loader like a user's file), a
//! seeded random source for them, and loading helpers.
//!
//! A generated design is a pure function of its seed and options: a failing
//! case prints the text, which can be saved as a scenario and replayed.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::sync::Arc;

use vpcsim::model::{self, Design};

/// SplitMix64: small, seeded, the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Loads scenario text, failing with the loader's report and the text.
pub fn load(text: &str) -> Design {
    match model::load_str("generated.toml", text) {
        Ok(l) => l.design,
        Err(report) => panic!("a generated design does not load:\n{report}\n--- text ---\n{text}"),
    }
}

pub fn load_arc(text: &str) -> Arc<Design> {
    Arc::new(load(text))
}

/// What a generated single-VPC design must contain.
#[derive(Clone, Copy, Debug, Default)]
pub struct WalkOpts {
    /// An internet gateway, and a public NAT gateway in the first subnet.
    pub nat_igw: bool,
    /// At least two instances with source/destination check off, in
    /// different subnets, with routes between them that may loop.
    pub middleboxes: bool,
}

pub const EXTERNAL: [&str; 2] = ["198.51.100.10", "93.184.216.34"];
pub const NAT_PRIVATE: &str = "10.0.0.5";
pub const NAT_PUBLIC: &str = "3.35.0.10";

fn port_range(r: &mut Rng) -> String {
    match r.below(6) {
        0 => "all".into(),
        1 => "1024-65535".into(),
        2 => "0-1023".into(),
        3 => {
            let lo = r.below(1000);
            format!("{lo}-{}", lo + r.below(60000))
        }
        _ => r.pick(&[22u16, 53, 80, 443, 5432]).to_string(),
    }
}

/// `protocol = ..., ports = ...` (and ICMP type and code) of a rule.
fn proto_part(r: &mut Rng) -> String {
    match r.below(8) {
        0..=2 => format!("protocol = \"tcp\", ports = \"{}\"", port_range(r)),
        3..=4 => format!("protocol = \"udp\", ports = \"{}\"", port_range(r)),
        5 => {
            let mut s = "protocol = \"icmp\"".to_string();
            if r.chance(50) {
                let t = *r.pick(&[0u8, 3, 8, 11]);
                let _ = write!(s, ", icmp_type = {t}");
                if r.chance(40) {
                    let _ = write!(s, ", icmp_code = {}", r.below(5));
                }
            }
            s
        }
        6 if r.chance(20) => "protocol = \"47\"".into(),
        _ => "protocol = \"all\", ports = \"all\"".into(),
    }
}

struct Inst {
    id: String,
    subnet: usize,
    ip: String,
    public: Option<String>,
    groups: Vec<usize>,
    sdc: bool,
}

/// A random design of one VPC (10.0.0.0/16) with 2 to 4 subnets, random
/// security groups and NACLs, a few instances (some of them middleboxes),
/// maybe an internet gateway and a NAT gateway, two internet hosts, and a
/// few timeline `set` events on groups and instances (applied by hand).
pub fn walk_design(seed: u64, opts: WalkOpts) -> String {
    let mut r = Rng::new(seed);
    let mut s = String::new();
    let n_subnets = r.range(2, 4) as usize;
    let igw = opts.nat_igw || r.chance(75);
    let nat = igw && (opts.nat_igw || r.chance(70));
    let n_groups = r.range(1, 3) as usize;
    let n_acls = r.range(0, 2) as usize;
    let n_inst = r.range(2, 5) as usize;
    let _ = writeln!(
        s,
        "[scenario]\nname = \"generated {seed}\"\nseed = {}\nduration = \"10s\"\n",
        seed % 1000
    );
    s.push_str("[[vpc]]\nid = \"vpc-a\"\ncidrs = [\"10.0.0.0/16\"]\n\n");
    if igw {
        s.push_str("[[internet_gateway]]\nid = \"igw\"\nvpc = \"vpc-a\"\n\n");
    }
    let _ = writeln!(
        s,
        "[[prefix_list]]\nid = \"pl-0\"\nname = \"partners\"\ncidrs = [{}]\n",
        [
            "\"198.51.100.0/24\"",
            "\"10.0.1.0/24\"",
            "\"93.184.216.0/24\""
        ]
        .iter()
        .filter(|_| r.chance(60))
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
    );

    // Instances first: routes and rules name them.
    let mut insts: Vec<Inst> = Vec::new();
    for k in 0..n_inst {
        let subnet = if opts.middleboxes && k < 2 {
            k % n_subnets
        } else {
            r.below(n_subnets as u64) as usize
        };
        let mut groups: Vec<usize> = (0..n_groups).filter(|_| r.chance(50)).collect();
        if groups.is_empty() {
            groups.push(r.below(n_groups as u64) as usize);
        }
        insts.push(Inst {
            id: format!("i{k}"),
            subnet,
            ip: format!("10.0.{subnet}.{}", 10 + k),
            public: (r.chance(50)).then(|| format!("3.35.1.{}", 10 + k)),
            groups,
            sdc: !((opts.middleboxes && k < 2) || r.chance(25)),
        });
    }
    let cidr_peers = |r: &mut Rng, insts: &[Inst]| -> String {
        let i = r.pick(insts);
        let sub = r.below(n_subnets as u64);
        let choices = [
            "0.0.0.0/0".to_string(),
            "10.0.0.0/16".to_string(),
            format!("10.0.{sub}.0/24"),
            format!("{}/32", i.ip),
            "198.51.100.0/24".to_string(),
            "93.184.216.34/32".to_string(),
            "3.35.0.0/16".to_string(),
        ];
        r.pick(&choices).clone()
    };
    let sg_rule = |r: &mut Rng, insts: &[Inst], egress: bool| -> String {
        let proto = proto_part(r);
        let peer = match r.below(6) {
            0 => format!(
                "{} = \"sg-{}\"",
                if egress { "dest_group" } else { "source_group" },
                r.below(n_groups as u64)
            ),
            1 => "prefix_list = \"pl-0\"".to_string(),
            _ => format!("cidr = \"{}\"", cidr_peers(r, insts)),
        };
        format!("{{ {proto}, {peer} }}")
    };
    let sg_rules = |r: &mut Rng, insts: &[Inst], egress: bool| -> String {
        let mut rules: Vec<String> = (0..r.below(5)).map(|_| sg_rule(r, insts, egress)).collect();
        if egress && r.chance(60) {
            rules.push("{ protocol = \"all\", ports = \"all\", cidr = \"0.0.0.0/0\" }".into());
        }
        format!("[{}]", rules.join(", "))
    };
    for g in 0..n_groups {
        let ingress = sg_rules(&mut r, &insts, false);
        let egress = sg_rules(&mut r, &insts, true);
        let _ = writeln!(
            s,
            "[[security_group]]\nid = \"sg-{g}\"\nvpc = \"vpc-a\"\ningress = {ingress}\negress = {egress}\n"
        );
    }
    let nacl_rules = |r: &mut Rng, insts: &[Inst]| -> String {
        let mut numbers: Vec<u64> = (0..r.below(5)).map(|_| r.range(1, 32766)).collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers.retain(|n| *n != 32000);
        let mut rules: Vec<String> = numbers
            .iter()
            .map(|n| {
                format!(
                    "{{ rule = {n}, {}, cidr = \"{}\", action = \"{}\" }}",
                    proto_part(r),
                    cidr_peers(r, insts),
                    if r.chance(60) { "allow" } else { "deny" }
                )
            })
            .collect();
        if r.chance(70) {
            rules.push(
                "{ rule = 32000, protocol = \"all\", cidr = \"0.0.0.0/0\", action = \"allow\" }"
                    .into(),
            );
        }
        format!("[{}]", rules.join(", "))
    };
    for a in 0..n_acls {
        let ingress = nacl_rules(&mut r, &insts);
        let egress = nacl_rules(&mut r, &insts);
        let _ = writeln!(
            s,
            "[[network_acl]]\nid = \"acl-{a}\"\nvpc = \"vpc-a\"\ningress = {ingress}\negress = {egress}\n"
        );
    }
    for sub in 0..n_subnets {
        let _ = writeln!(
            s,
            "[[subnet]]\nid = \"s{sub}\"\nvpc = \"vpc-a\"\ncidr = \"10.0.{sub}.0/24\"\naz = \"us-east-1{}\"\nroute_table = \"rt-{sub}\"",
            if sub % 2 == 0 { 'a' } else { 'b' }
        );
        if n_acls > 0 && r.chance(60) {
            let _ = writeln!(s, "network_acl = \"acl-{}\"", r.below(n_acls as u64));
        }
        s.push('\n');
    }
    if nat {
        let _ = writeln!(
            s,
            "[[nat_gateway]]\nid = \"nat\"\nsubnet = \"s0\"\npublic_ip = \"{NAT_PUBLIC}\"\nprivate_ip = \"{NAT_PRIVATE}\"\n"
        );
    }
    let middleboxes: Vec<&Inst> = insts.iter().filter(|i| !i.sdc).collect();
    for sub in 0..n_subnets {
        let mut routes: Vec<String> = Vec::new();
        let mut default_targets: Vec<String> = Vec::new();
        if igw && (sub == 0 || r.chance(30)) {
            default_targets.push("igw".into());
        }
        if nat && sub != 0 {
            default_targets.push("nat".into());
        }
        if nat && sub == 0 && r.chance(10) {
            // NAT gateway routing into itself: TTL ends the loop.
            default_targets.push("nat".into());
        }
        for m in &middleboxes {
            if opts.middleboxes || r.chance(50) {
                default_targets.push(m.id.clone());
            }
        }
        if r.chance(30) {
            default_targets.push(r.pick(&insts).id.clone());
        }
        if !default_targets.is_empty() && (opts.middleboxes || r.chance(85)) {
            // The NAT gateway's subnet is mostly a public one.
            let t = if sub == 0 && igw && r.chance(70) {
                "igw".to_string()
            } else {
                r.pick(&default_targets).clone()
            };
            routes.push(format!(
                "{{ destination = \"0.0.0.0/0\", target = \"{t}\" }}"
            ));
        }
        if r.chance(30) {
            let mut t: Vec<String> = insts.iter().map(|i| i.id.clone()).collect();
            if igw {
                t.push("igw".into());
            }
            if nat {
                t.push("nat".into());
            }
            let t = r.pick(&t).clone();
            routes.push(format!(
                "{{ destination = \"198.51.100.0/24\", target = \"{t}\" }}"
            ));
        }
        // A route for another subnet's CIDR through a middlebox (RT-2).
        if !middleboxes.is_empty() && r.chance(if opts.middleboxes { 60 } else { 25 }) {
            let other = (sub + 1 + r.below(n_subnets as u64 - 1) as usize) % n_subnets;
            let m = r.pick(&middleboxes);
            routes.push(format!(
                "{{ destination = \"10.0.{other}.0/24\", target = \"{}\" }}",
                m.id
            ));
        }
        if r.chance(10) {
            routes.push(
                "{ destination = \"172.16.0.0/12\", target = \"pcx-gone\", state = \"blackhole\" }"
                    .into(),
            );
        }
        let _ = writeln!(
            s,
            "[[route_table]]\nid = \"rt-{sub}\"\nvpc = \"vpc-a\"\nroutes = [{}]\n",
            routes.join(", ")
        );
    }
    for i in &insts {
        let groups: Vec<String> = i.groups.iter().map(|g| format!("\"sg-{g}\"")).collect();
        let _ = writeln!(
            s,
            "[[instance]]\nid = \"{}\"\nsubnet = \"s{}\"\nprivate_ip = \"{}\"\nsecurity_groups = [{}]\nsource_dest_check = {}",
            i.id,
            i.subnet,
            i.ip,
            groups.join(", "),
            i.sdc
        );
        if let Some(p) = &i.public {
            let _ = writeln!(s, "public_ip = \"{p}\"");
        }
        let listen: Vec<&str> = [
            "{ protocol = \"tcp\", port = 22 }",
            "{ protocol = \"tcp\", port = 80 }",
            "{ protocol = \"tcp\", port = 443 }",
            "{ protocol = \"tcp\", port = 5432 }",
            "{ protocol = \"udp\", port = 53 }",
        ]
        .into_iter()
        .filter(|_| r.chance(60))
        .collect();
        let _ = writeln!(s, "listen = [{}]\n", listen.join(", "));
    }
    let _ = writeln!(
        s,
        "[[external_host]]\nid = \"ext-0\"\nip = \"{}\"\nlisten = [{{ protocol = \"tcp\", port = 443 }}, {{ protocol = \"tcp\", port = 80 }}, {{ protocol = \"udp\", port = 53 }}]\n",
        EXTERNAL[0]
    );
    let _ = writeln!(
        s,
        "[[external_host]]\nid = \"ext-1\"\nip = \"{}\"\nlisten = [{{ protocol = \"tcp\", port = 443 }}]\n",
        EXTERNAL[1]
    );
    // Timeline changes to groups and instances, applied by the tests.
    for e in 0..r.below(3) {
        let at = format!("{}s", e + 1);
        if r.chance(70) {
            let g = r.below(n_groups as u64);
            let egress = r.chance(40);
            let rules = sg_rules(&mut r, &insts, egress);
            let _ = writeln!(
                s,
                "[[event]]\nat = \"{at}\"\nset = {{ resource = \"sg-{g}\", {} = {rules} }}\n",
                if egress { "egress" } else { "ingress" }
            );
        } else {
            let i = r.pick(&insts);
            let g = r.below(n_groups as u64);
            let _ = writeln!(
                s,
                "[[event]]\nat = \"{at}\"\nset = {{ resource = \"{}\", security_groups = [\"sg-{g}\"] }}\n",
                i.id
            );
        }
    }
    s
}

/// A random design with traffic, for whole runs: two peered VPCs, an
/// internet host, a NAT gateway maybe, 2 to 5 flow generators at low rates
/// over a few seconds, expectations and maybe timeline events, so that
/// several logical processes exchange packets.
pub fn traffic_design(seed: u64) -> String {
    let mut r = Rng::new(seed);
    let mut s = String::new();
    let secs = r.range(2, 4);
    let _ = writeln!(
        s,
        "[scenario]\nname = \"generated traffic {seed}\"\ndescription = \"two peered VPCs and the internet\"\nseed = {}\nduration = \"{secs}s\"\n",
        r.below(1 << 40)
    );
    if r.chance(30) {
        let _ = writeln!(
            s,
            "[latency]\nsame_az = \"{}us\"\ninternet = \"{}ms\"\n",
            r.range(20, 200),
            r.range(5, 30)
        );
    }
    if r.chance(20) {
        s.push_str("[pricing]\nnat_gateway_gb = 0.05\ncross_az_gb = 0.02\n\n");
    }
    let nat = r.chance(70);
    let igw_b = r.chance(50);
    s.push_str(
        "[[vpc]]\nid = \"vpc-a\"\ncidrs = [\"10.1.0.0/16\"]\n\n[[vpc]]\nid = \"vpc-b\"\ncidrs = [\"10.2.0.0/16\"]\n\n",
    );
    s.push_str("[[internet_gateway]]\nid = \"igw-a\"\nvpc = \"vpc-a\"\n\n");
    if igw_b {
        s.push_str("[[internet_gateway]]\nid = \"igw-b\"\nvpc = \"vpc-b\"\n\n");
    }
    s.push_str("[[vpc_peering]]\nid = \"pcx-ab\"\nrequester = \"vpc-a\"\naccepter = \"vpc-b\"\n\n");
    s.push_str("[[subnet]]\nid = \"a-pub\"\nvpc = \"vpc-a\"\ncidr = \"10.1.0.0/24\"\naz = \"us-east-1a\"\nroute_table = \"rt-a-pub\"\n\n");
    s.push_str("[[subnet]]\nid = \"a-priv\"\nvpc = \"vpc-a\"\ncidr = \"10.1.1.0/24\"\naz = \"us-east-1b\"\nroute_table = \"rt-a-priv\"\n\n");
    s.push_str("[[subnet]]\nid = \"b-0\"\nvpc = \"vpc-b\"\ncidr = \"10.2.1.0/24\"\naz = \"us-east-1a\"\nroute_table = \"rt-b\"\n");
    if r.chance(30) {
        s.push_str("network_acl = \"acl-b\"\n");
    }
    s.push('\n');
    s.push_str("[[network_acl]]\nid = \"acl-b\"\nvpc = \"vpc-b\"\n");
    let _ = writeln!(
        s,
        "ingress = [{{ rule = 100, protocol = \"tcp\", ports = \"22\", cidr = \"0.0.0.0/0\", action = \"deny\" }}, {{ rule = {}, protocol = \"all\", cidr = \"0.0.0.0/0\", action = \"allow\" }}]",
        r.range(101, 200)
    );
    s.push_str("egress = [{ rule = 100, protocol = \"all\", cidr = \"0.0.0.0/0\", action = \"allow\" }]\n\n");
    if nat {
        s.push_str(
            "[[nat_gateway]]\nid = \"nat-a\"\nsubnet = \"a-pub\"\npublic_ip = \"3.35.0.10\"\n\n",
        );
    }
    s.push_str("[[route_table]]\nid = \"rt-a-pub\"\nvpc = \"vpc-a\"\nroutes = [{ destination = \"0.0.0.0/0\", target = \"igw-a\" }, { destination = \"10.2.0.0/16\", target = \"pcx-ab\" }]\n\n");
    let _ = writeln!(
        s,
        "[[route_table]]\nid = \"rt-a-priv\"\nvpc = \"vpc-a\"\nroutes = [{}{{ destination = \"10.2.0.0/16\", target = \"pcx-ab\" }}]\n",
        if nat {
            "{ destination = \"0.0.0.0/0\", target = \"nat-a\" }, "
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "[[route_table]]\nid = \"rt-b\"\nvpc = \"vpc-b\"\nroutes = [{}{{ destination = \"10.1.0.0/16\", target = \"pcx-ab\" }}]\n",
        if igw_b {
            "{ destination = \"0.0.0.0/0\", target = \"igw-b\" }, "
        } else {
            ""
        }
    );
    let ingress_choices = [
        "{ protocol = \"tcp\", ports = \"443\", cidr = \"0.0.0.0/0\" }",
        "{ protocol = \"tcp\", ports = \"80\", cidr = \"10.0.0.0/8\" }",
        "{ protocol = \"tcp\", ports = \"5432\", cidr = \"10.1.0.0/16\" }",
        "{ protocol = \"udp\", ports = \"53\", cidr = \"0.0.0.0/0\" }",
        "{ protocol = \"icmp\", cidr = \"0.0.0.0/0\" }",
        "{ protocol = \"icmp\", icmp_type = 8, cidr = \"10.0.0.0/8\" }",
        "{ protocol = \"all\", ports = \"all\", cidr = \"198.51.100.0/24\" }",
    ];
    for (g, vpc) in [("sg-a", "vpc-a"), ("sg-b", "vpc-b")] {
        let ingress: Vec<&str> = ingress_choices
            .iter()
            .filter(|_| r.chance(55))
            .copied()
            .collect();
        let egress = if r.chance(85) {
            "[{ protocol = \"all\", ports = \"all\", cidr = \"0.0.0.0/0\" }]"
        } else {
            "[{ protocol = \"tcp\", ports = \"443\", cidr = \"0.0.0.0/0\" }, { protocol = \"udp\", ports = \"53\", cidr = \"0.0.0.0/0\" }]"
        };
        let _ = writeln!(
            s,
            "[[security_group]]\nid = \"{g}\"\nvpc = \"{vpc}\"\ningress = [{}]\negress = {egress}\n",
            ingress.join(", ")
        );
    }
    let listen = "listen = [{ protocol = \"tcp\", port = 443 }, { protocol = \"tcp\", port = 80 }, { protocol = \"tcp\", port = 5432 }, { protocol = \"udp\", port = 53 }]";
    let _ = writeln!(
        s,
        "[[instance]]\nid = \"web-a\"\nsubnet = \"a-pub\"\npublic_ip = \"3.35.1.10\"\nsecurity_groups = [\"sg-a\"]\n{listen}\n"
    );
    let _ = writeln!(
        s,
        "[[instance]]\nid = \"app-a\"\nsubnet = \"a-priv\"\nsecurity_groups = [\"sg-a\"]\n{listen}\n"
    );
    let _ = writeln!(
        s,
        "[[instance]]\nid = \"db-b\"\nsubnet = \"b-0\"\nsecurity_groups = [\"sg-b\"]\n{listen}\n"
    );
    let _ = writeln!(
        s,
        "[[external_host]]\nid = \"ext\"\nip = \"198.51.100.10\"\n{listen}\n"
    );
    // Flows: (from, to) pairs that the format accepts.
    let pairs = [
        ("app-a", "ext"),
        ("app-a", "db-b"),
        ("web-a", "ext"),
        ("web-a", "db-b"),
        ("db-b", "app-a"),
        ("db-b", "ext"),
        ("ext", "web-a"),
        ("app-a", "web-a"),
    ];
    let n = r.range(2, 5);
    let mut ids = Vec::new();
    for k in 0..n {
        let (from, to) = *r.pick(&pairs);
        let id = format!("t{k}");
        let _ = write!(
            s,
            "[[traffic]]\nid = \"{id}\"\nfrom = \"{from}\"\nto = \"{to}\"\n"
        );
        match r.below(5) {
            0 => {
                let _ = writeln!(s, "pattern = \"ping\"\nrate = \"{}/s\"", r.range(1, 10));
            }
            1 => {
                let _ = writeln!(
                    s,
                    "pattern = \"udp\"\nprotocol = \"udp\"\nport = 53\nrate = \"{}/s\"\nsize = {}",
                    r.range(1, 20),
                    r.range(20, 1200)
                );
            }
            2 => {
                let _ = writeln!(
                    s,
                    "pattern = \"bulk\"\nport = {}\nsize = \"{}KiB\"",
                    r.pick(&[443u16, 80, 5432]),
                    r.range(4, 64)
                );
            }
            _ => {
                let _ = writeln!(
                    s,
                    "pattern = \"requests\"\nport = {}\nrate = \"{}.5/s\"\nrequest = \"{}B\"\nresponse = \"{}KiB\"",
                    r.pick(&[443u16, 80, 5432, 22]),
                    r.range(1, 15),
                    r.range(40, 900),
                    r.range(1, 16)
                );
                if r.chance(30) {
                    let _ = writeln!(s, "hold = \"{}ms\"", r.range(10, 900));
                }
            }
        }
        if r.chance(50) {
            let _ = writeln!(s, "arrivals = \"fixed\"");
        }
        if r.chance(40) {
            let _ = writeln!(s, "timeout = \"{}ms\"", r.range(300, 3000));
        }
        let _ = writeln!(s, "start = \"{}ms\"\n", r.below(800));
        ids.push(id);
    }
    if r.chance(40) {
        let at = r.range(500, secs * 1000 - 200);
        if nat && r.chance(50) {
            let _ = writeln!(s, "[[event]]\nat = \"{at}ms\"\ndelete = \"nat-a\"\n");
        } else {
            let _ = writeln!(
                s,
                "[[event]]\nat = \"{at}ms\"\nset = {{ resource = \"sg-b\", ingress = [{{ protocol = \"all\", ports = \"all\", cidr = \"10.0.0.0/8\" }}] }}\n"
            );
        }
    }
    for id in &ids {
        if r.chance(60) {
            let _ = writeln!(
                s,
                "[[expect]]\ntraffic = \"{id}\"\ndelivered = \"{}\"",
                r.pick(&[">= 50%", "100%", "0%", "<= 10%", ">= 1"])
            );
            if r.chance(40) {
                let _ = writeln!(s, "window = [\"0s\", \"{}ms\"]", r.range(500, secs * 1000));
            }
            if r.chance(30) {
                let _ = writeln!(s, "not_via = [\"igw-a\"]");
            }
            if r.chance(30) {
                let _ = writeln!(s, "drop_reason = \"sg_ingress_denied\"");
            }
            s.push('\n');
        }
    }
    s
}

/// Whether a rule's protocol, ports and ICMP type/code cover a packet, read
/// from the rules' definitions (SG-2, NACL-2, NACL-6): `all` covers every
/// protocol on every port; a TCP or UDP rule covers its destination ports;
/// an ICMP rule its type and code (`None`: any); another protocol number
/// covers that protocol.
pub fn covers(
    proto: vpcsim::units::Protocol,
    ports: vpcsim::units::PortRange,
    icmp: vpcsim::model::IcmpMatch,
    v: &vpcsim::packet::FlowView,
) -> bool {
    use vpcsim::units::Protocol;
    match proto {
        Protocol::All => true,
        Protocol::Number(n) if n != v.proto => false,
        Protocol::Number(6 | 17) => ports.lo <= v.dst_port && v.dst_port <= ports.hi,
        Protocol::Number(1) => {
            icmp.icmp_type.is_none_or(|t| t == v.icmp_type)
                && icmp.code.is_none_or(|c| c == v.icmp_code)
        }
        Protocol::Number(_) => true,
    }
}
