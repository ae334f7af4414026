//! The terminal summary of a run: a table of traffic, a table of gateways
//! and endpoints, the drops, and the cost estimate, within 100 columns.
//! Colour (ANSI) only when asked for, which the command line does on a
//! terminal.

use std::fmt::Write as _;

use crate::dataplane::{Network, Place};
use crate::model::{Component, EndpointKind, Source};
use crate::report::cost::{Estimate, PRICES_AS_OF, dollars, per_month};
use crate::report::json::gateway_components;
use crate::sim::metrics::Metrics;

/// The widest a name column gets; longer names are cut with `~`.
const NAME_MAX: usize = 24;
/// The same, in the cost table, which has more columns.
const COST_NAME_MAX: usize = 20;

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn red(&self, t: &str) -> String {
        self.paint("31", t)
    }
    fn green(&self, t: &str) -> String {
        self.paint("32", t)
    }
    fn yellow(&self, t: &str) -> String {
        self.paint("33", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
}

/// Pads after painting, so escape codes do not upset the columns.
fn left(text: &str, w: usize) -> String {
    format!("{text:<w$}")
}

fn right(text: &str, w: usize) -> String {
    format!("{text:>w$}")
}

fn cut(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(max - 1).collect();
        s.push('~');
        s
    }
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

/// Bytes in binary units: `980 B`, `11.3 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = n as f64;
    let mut u = 0;
    while x >= 1024.0 && u < UNITS.len() - 1 {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

/// The summary; `cost` when estimated, `color` for ANSI colours.
pub fn render(
    net: &Network,
    m: &Metrics,
    seed: u64,
    cost: Option<&Estimate>,
    color: bool,
) -> String {
    let st = Style { on: color };
    let d = &*net.design;
    let mut s = String::new();
    let _ = writeln!(s, "{}", st.bold(&d.name));
    let _ = writeln!(
        s,
        "{}",
        st.dim(&format!(
            "seed {seed}, {} of virtual time, {} events, {} packet hops",
            d.duration, m.events, m.packet_hops
        ))
    );
    if let Some(why) = &m.cut_short {
        let _ = writeln!(
            s,
            "{}",
            st.bold(&format!("cut short at {} of virtual time: {why}", m.end))
        );
    }
    traffic_table(&mut s, &st, net, m);
    gateway_table(&mut s, &st, net, m);
    if !m.drops.is_empty() {
        let _ = writeln!(s, "\n{}", st.bold("drops"));
        for ((r, p), n) in &m.drops {
            let (name, kind) = net.place_name(*p);
            let _ = writeln!(
                s,
                "  {}  {} at {name} ({kind})",
                right(&n.to_string(), 9),
                st.red(&left(r.name(), 24))
            );
        }
    }
    if let Some(c) = cost {
        cost_table(&mut s, &st, d, c);
    }
    s
}

fn traffic_table(s: &mut String, st: &Style, net: &Network, m: &Metrics) {
    let d = &*net.design;
    if d.traffic.is_empty() {
        return;
    }
    let w = d
        .traffic
        .iter()
        .map(|t| t.name.chars().count().min(NAME_MAX))
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(s);
    let head = format!(
        "{}  {:>8}  {:>9}  {:>7}  {:>7}  {:>6}  {:>8}  {:>8}  {:>5}",
        left("traffic", w),
        "started",
        "delivered",
        "share",
        "failed",
        "unfin",
        "p50 ms",
        "p99 ms",
        "retx"
    );
    let _ = writeln!(s, "{}", st.bold(&head));
    for (i, t) in d.traffic.iter().enumerate() {
        let tm = &m.traffic[i];
        let decided = tm.delivered + tm.failed;
        let share = if decided == 0 {
            st.dim(&right("-", 7))
        } else {
            let pct = tm.delivered as f64 * 100.0 / decided as f64;
            let text = right(&format!("{pct:.1}%"), 7);
            if tm.failed == 0 {
                st.green(&text)
            } else if tm.delivered == 0 {
                st.red(&text)
            } else {
                st.yellow(&text)
            }
        };
        let failed = right(&tm.failed.to_string(), 7);
        let failed = if tm.failed > 0 {
            st.red(&failed)
        } else {
            failed
        };
        let completion = tm.completion();
        let (p50, p99) = if completion.is_empty() {
            ("-".to_string(), "-".to_string())
        } else {
            (
                ms(completion.value_at_quantile(0.5)),
                ms(completion.value_at_quantile(0.99)),
            )
        };
        let _ = writeln!(
            s,
            "{}  {:>8}  {:>9}  {share}  {failed}  {:>6}  {:>8}  {:>8}  {:>5}",
            left(&cut(&t.name, NAME_MAX), w),
            tm.started,
            tm.delivered,
            tm.unfinished,
            p50,
            p99,
            tm.retransmissions
        );
        for ((cause, place), n) in &tm.failures {
            let at = place.map_or(String::new(), |p| {
                let (name, kind) = net.place_name(p);
                format!(" at {name} ({kind})")
            });
            let _ = writeln!(
                s,
                "{}  {} {}{at}",
                left("", w),
                st.red(&format!("failed {n}:")),
                cause.name()
            );
        }
        // A Lambda function's invocations and how many started cold (LAM-7).
        if matches!(t.from, Source::Lambda(_)) && tm.invocations > 0 {
            let pct = tm.cold_starts as f64 * 100.0 / tm.invocations as f64;
            let _ = writeln!(
                s,
                "{}  {} invocations, {} cold starts ({pct:.1}%)",
                left("", w),
                tm.invocations,
                tm.cold_starts
            );
        }
    }
}

fn gateway_table(s: &mut String, st: &Style, net: &Network, m: &Metrics) {
    let d = &*net.design;
    let comps = gateway_components(d);
    if comps.is_empty() {
        return;
    }
    let w = comps
        .iter()
        .map(|c| d.name_of(*c).chars().count().min(NAME_MAX))
        .max()
        .unwrap_or(9)
        .max(16);
    let _ = writeln!(s);
    // A NAT gateway's mappings at the end of the run, each holding a port,
    // over every destination; and of those the most towards one
    // destination (`max/dest`), the count that the limit of 55,000 applies
    // to (NAT-5).
    let head = format!(
        "{}  {:<18}  {:>10}  {:>10}  {:>10}  {:>8}  {:>8}",
        left("gateway/endpoint", w),
        "kind",
        "packets",
        "bytes",
        "peak conns",
        "mappings",
        "max/dest"
    );
    let _ = writeln!(s, "{}", st.bold(&head));
    for c in comps {
        let k = m
            .components
            .get(&Place::Component(c))
            .copied()
            .unwrap_or_default();
        let kind = match c {
            Component::Endpoint(e) => match d.endpoints[e.idx()].kind {
                EndpointKind::Gateway { .. } => "gateway_endpoint",
                EndpointKind::Interface { .. } => "interface_endpoint",
            },
            other => other.kind().name(),
        };
        let (peak, mappings, busiest) = match c {
            Component::Nat(n) => {
                let at = |v: &Vec<u64>| v.get(n.idx()).copied().unwrap_or(0).to_string();
                (at(&m.nat_peak), at(&m.nat_live), at(&m.nat_ports))
            }
            _ => ("-".to_string(), "-".to_string(), "-".to_string()),
        };
        let _ = writeln!(
            s,
            "{}  {kind:<18}  {:>10}  {:>10}  {peak:>10}  {mappings:>8}  {busiest:>8}",
            left(&cut(d.name_of(c), NAME_MAX), w),
            k.packets,
            bytes(k.bytes),
        );
    }
}

fn cost_table(s: &mut String, st: &Style, d: &crate::model::Design, c: &Estimate) {
    let _ = writeln!(s);
    let mut title = format!("cost estimate (us-east-1 prices as of {PRICES_AS_OF}");
    if !c.overridden.is_empty() {
        let _ = write!(title, "; [pricing] sets {}", c.overridden.join(", "));
    }
    title.push(')');
    let _ = writeln!(s, "{}", st.bold(&title));
    let w = c
        .items
        .iter()
        .map(|i| i.component.chars().count().min(COST_NAME_MAX))
        .max()
        .unwrap_or(9)
        .max(9);
    for i in &c.items {
        let what = match (i.kind, i.item) {
            ("nat_gateway", "hours") => "NAT gateway hours",
            ("nat_gateway", _) => "NAT data processed",
            ("interface_endpoint", "az_hours") => "endpoint AZ-hours",
            ("interface_endpoint", _) => "endpoint data processed",
            ("gateway_endpoint", _) => "gateway endpoint data",
            ("internet_gateway", "regional_public_ip") => "public IP data in Region",
            ("internet_gateway", _) => "data out to internet",
            ("vpc", "inter_region") | ("transit_gateway_attachment", "inter_region") => {
                "data to other Regions"
            }
            ("vpc", _) => "cross-AZ data, out/in",
            ("transit_gateway_attachment", "hours") => "TGW attachment hours",
            ("transit_gateway_attachment", _) => "TGW data processed",
            ("vpn_connection", "hours") => "VPN connection hours",
            ("vpn_connection", _) => "data out over VPN",
            _ => i.item,
        };
        let price = if i.unit_usd == 0.0 {
            "free".to_string()
        } else {
            format!("${}/{}", i.unit_usd, i.unit)
        };
        let _ = writeln!(
            s,
            "  {}  {what:<24}  {:>10} {:<7}  {price:>14}  {:>11}",
            left(&cut(&i.component, COST_NAME_MAX), w),
            format!("{:.6}", i.quantity),
            i.unit,
            dollars(i.usd)
        );
    }
    if c.by_vpc.len() > 1 {
        for (vpc, usd, month) in &c.by_vpc {
            let _ = writeln!(
                s,
                "  {}  {:>11} for the run, {:>10} per month",
                left(&cut(vpc, COST_NAME_MAX), w),
                dollars(*usd),
                per_month(*month)
            );
        }
    }
    let _ = writeln!(
        s,
        "  {} for {} of virtual time; {} per 730-hour month at this rate",
        st.bold(&format!("total {}", dollars(c.total_usd))),
        d.duration,
        per_month(c.monthly_usd)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_units() {
        assert_eq!(bytes(980), "980 B");
        assert_eq!(bytes(11_327_752), "10.8 MiB");
    }

    #[test]
    fn long_names_are_cut() {
        assert_eq!(cut("abcdef", 4), "abc~");
        assert_eq!(cut("abc", 4), "abc");
    }
}
