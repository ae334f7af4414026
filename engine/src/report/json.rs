//! The full report as JSON, schema version [`SCHEMA_VERSION`]
//! (`docs/report-schema.md`, `docs/report.schema.json`).
//!
//! Objects are written with sorted keys and arrays in a fixed order (design
//! order, or sorted maps), so the same file and seed give the same bytes.
//! Times are integer microseconds; money is US dollars.

use hdrhistogram::Histogram;
use serde_json::{Value, json};

use super::check::Outcome;
use super::cost::{Estimate, PRICES_AS_OF, Transfer, price_keys};
use crate::dataplane::{Network, Place};
use crate::model::*;
use crate::scenario::raw::Pattern;
use crate::sim::metrics::{Counter, Metrics};
use crate::sim::parallel::Outcome as Run;
use crate::units::Nanos;

pub const SCHEMA_VERSION: u32 = 1;

fn place(net: &Network, p: Place) -> (String, &'static str) {
    net.place_name(p)
}

fn latency(h: &Histogram<u64>) -> Value {
    if h.is_empty() {
        return Value::Null;
    }
    json!({
        "count": h.len(),
        "p50": h.value_at_quantile(0.5),
        "p90": h.value_at_quantile(0.9),
        "p99": h.value_at_quantile(0.99),
        "max": h.max(),
    })
}

pub fn protocol_name(p: u8) -> String {
    match p {
        1 => "icmp".to_string(),
        6 => "tcp".to_string(),
        17 => "udp".to_string(),
        n => n.to_string(),
    }
}

pub fn pattern_name(p: Pattern) -> &'static str {
    match p {
        Pattern::Requests => "requests",
        Pattern::Ping => "ping",
        Pattern::Udp => "udp",
        Pattern::Bulk => "bulk",
    }
}

pub fn source_name(d: &Design, s: Source) -> &str {
    match s {
        Source::Instance(i) => &d.instances[i.idx()].name,
        Source::Lambda(l) => &d.lambdas[l.idx()].name,
        Source::External(h) => &d.external_hosts[h.idx()].name,
        Source::Onprem(h) => &d.onprem_hosts[h.idx()].name,
    }
}

pub fn dest_name(d: &Design, t: &DestSpec) -> String {
    match t {
        DestSpec::Component(c) => d.name_of(*c).to_string(),
        DestSpec::Instance(i, form) => crate::model::dns::name(d, *i, *form),
        DestSpec::Ip(ip) => ip.to_string(),
        DestSpec::Service(s) => s.clone(),
    }
}

fn drops<'a>(
    net: &Network,
    it: impl Iterator<Item = (&'a (DropReason, Place), &'a u64)>,
) -> Vec<Value> {
    it.map(|((r, p), n)| {
        let (name, kind) = place(net, *p);
        json!({"reason": r.name(), "place": name, "place_kind": kind, "count": n})
    })
    .collect()
}

fn share(delivered: u64, failed: u64) -> Value {
    let decided = delivered + failed;
    if decided == 0 {
        Value::Null
    } else {
        json!(delivered as f64 / decided as f64)
    }
}

/// The gateways and endpoints of a design, in design order, with counters.
pub fn gateway_components(d: &Design) -> Vec<Component> {
    let mut v: Vec<Component> = (0..d.igws.len())
        .map(|i| Component::Igw(IgwId::from_idx(i)))
        .collect();
    v.extend((0..d.nats.len()).map(|i| Component::Nat(NatId::from_idx(i))));
    v.extend((0..d.endpoints.len()).map(|i| Component::Endpoint(EndpointId::from_idx(i))));
    v.extend((0..d.peerings.len()).map(|i| Component::Peering(PeeringId::from_idx(i))));
    v.extend((0..d.vgws.len()).map(|i| Component::Vgw(VgwId::from_idx(i))));
    v.extend((0..d.tgws.len()).map(|i| Component::Tgw(TgwId::from_idx(i))));
    v
}

/// A gateway's kind as the report names it: endpoints by their kind.
pub fn gateway_kind(d: &Design, c: Component) -> &'static str {
    match c {
        Component::Endpoint(e) => match d.endpoints[e.idx()].kind {
            EndpointKind::Gateway { .. } => "gateway_endpoint",
            EndpointKind::Interface { .. } => "interface_endpoint",
        },
        other => other.kind().name(),
    }
}

/// The report of a run; `outcomes` when it was run by `check`.
pub fn report(
    sim: &Run,
    transfer: &Transfer,
    cost: &Estimate,
    outcomes: Option<&[Outcome]>,
) -> Value {
    let net = &sim.net;
    let d = &*net.design;
    let m: &Metrics = &sim.metrics;
    let traffic: Vec<Value> = d
        .traffic
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let tm = &m.traffic[i];
            let failures: Vec<Value> = tm
                .failures
                .iter()
                .map(|((cause, p), n)| {
                    let (name, kind) = p.map_or((Value::Null, Value::Null), |p| {
                        let (a, b) = place(net, p);
                        (json!(a), json!(b))
                    });
                    json!({"cause": cause.name(), "place": name, "place_kind": kind, "count": n})
                })
                .collect();
            let mut v = json!({
                "id": t.name,
                "from": source_name(d, t.from),
                "to": dest_name(d, &t.to),
                "protocol": protocol_name(t.protocol),
                "port": t.port,
                "pattern": pattern_name(t.pattern),
                "started": tm.started,
                "delivered": tm.delivered,
                "failed": tm.failed,
                "unfinished": tm.unfinished,
                "delivered_share": share(tm.delivered, tm.failed),
                "retransmissions": tm.retransmissions,
                "bytes_delivered": tm.bytes_delivered,
                "corrupt_bytes": tm.corrupt_bytes,
                "failures": failures,
                "drops": drops(net, tm.drops.iter()),
                "latency_us": {
                    "setup": latency(&tm.setup()),
                    "completion": latency(&tm.completion()),
                },
            });
            // A Lambda function's invocations and cold starts (LAM-7, LAM-8).
            if matches!(t.from, Source::Lambda(_)) {
                v["lambda"] = json!({
                    "invocations": tm.invocations,
                    "cold_starts": tm.cold_starts,
                    "cold_start_share": share(tm.cold_starts, tm.invocations - tm.cold_starts),
                });
            }
            v
        })
        .collect();
    let expectations: Vec<Value> = d
        .expects
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let st = &m.expects[i];
            let result = outcomes.and_then(|o| o.get(i)).map_or(Value::Null, |o| {
                let bounds: Vec<Value> = o
                    .bounds
                    .iter()
                    .map(|b| {
                        json!({
                            "measure": b.measure.key(),
                            "expected": b.expected,
                            "actual": b.actual,
                            "actual_text": b.actual_text,
                            "ok": b.ok,
                        })
                    })
                    .collect();
                json!({"ok": o.ok, "details": o.details, "bounds": bounds})
            });
            let mut v = json!({
                "line": e.line,
                "traffic": e.traffic.map(|t| d.traffic[t.idx()].name.clone()),
                "window_us": e.window.map(|(a, b)| json!([a.0 / 1000, b.0 / 1000])),
                "started": st.started,
                "delivered": st.delivered,
                "failed": st.failed,
                "unfinished": st.unfinished,
                "delivered_share": share(st.delivered, st.failed),
                "path_packets": st.path_packets,
                "via_missed": st.via_missed,
                "not_via_crossed": st.not_via_crossed,
                "drops": st.drops,
                "drop_mismatch": st.drop_mismatch,
                "drops_by_place": drops(net, st.drops_seen.iter()),
                "result": result,
            });
            if let (Some(c), Some(obj)) = (e.component, v.as_object_mut()) {
                obj.insert("component".into(), json!(d.name_of(c)));
            }
            v
        })
        .collect();
    let components: Vec<Value> = gateway_components(d)
        .into_iter()
        .map(|c| {
            let k: Counter = m
                .components
                .get(&Place::Component(c))
                .copied()
                .unwrap_or_default();
            let nat = match c {
                Component::Nat(n) => {
                    let at = |v: &Vec<u64>| v.get(n.idx()).copied().unwrap_or(0);
                    json!({
                        "peak_connections": at(&m.nat_peak),
                        "connections_created": at(&m.nat_created),
                        "ports_in_use": at(&m.nat_live),
                        "busiest_destination_ports": at(&m.nat_ports),
                    })
                }
                _ => Value::Null,
            };
            let kind = gateway_kind(d, c);
            json!({
                "id": d.name_of(c),
                "kind": kind,
                "packets": k.packets,
                "bytes": k.bytes,
                "nat": nat,
            })
        })
        .collect();
    let interfaces: Vec<Value> = d
        .enis
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let c = transfer.enis.get(i).copied().unwrap_or_default();
            let owner = match e.owner {
                EniOwner::Instance(_) => "instance",
                EniOwner::Endpoint(_) => "interface_endpoint",
                EniOwner::Lambda(_) => "lambda",
                EniOwner::Nat(_) => "nat_gateway",
                EniOwner::TgwAttachment(_) => "transit_gateway_attachment",
            };
            json!({
                "id": e.name,
                "label": e.label,
                "owner_kind": owner,
                "owner": d.name_of(d.eni_workload(crate::model::EniId::from_idx(i))),
                "vpc": d.vpcs[e.vpc.idx()].name,
                "subnet": d.subnets[e.subnet.idx()].name,
                "ip": e.ip.to_string(),
                "packets_out": c.packets_out,
                "bytes_out": c.bytes_out,
                "packets_in": c.packets_in,
                "bytes_in": c.bytes_in,
            })
        })
        .collect();
    let prices: serde_json::Map<String, Value> = price_keys(&cost.prices)
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let items: Vec<Value> = cost
        .items
        .iter()
        .map(|i| {
            json!({
                "component": i.component,
                "vpc": i.vpc,
                "kind": i.kind,
                "item": i.item,
                "quantity": i.quantity,
                "unit": i.unit,
                "unit_usd": i.unit_usd,
                "usd": i.usd,
            })
        })
        .collect();
    let mut v = json!({
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "vpcsim", "version": env!("CARGO_PKG_VERSION")},
        "scenario": {
            "name": d.name,
            "description": d.description,
            "region": d.region,
            "account_id": d.account_id,
        },
        "seed": sim.seed,
        "duration_us": d.duration.0 / 1000,
        "epoch_unix": super::EPOCH_UNIX_SECS,
        "engine": {
            "events": m.events,
            "packet_hops": m.packet_hops,
            "packets_sent": m.packets_sent,
        },
        "traffic": traffic,
        "expectations": expectations,
        "components": components,
        "interfaces": interfaces,
        "drops": drops(net, m.drops.iter()),
        "series": series(net, m),
        "cost": {
            "currency": "USD",
            "prices_as_of": PRICES_AS_OF,
            "prices": prices,
            "overridden": cost.overridden,
            "hours": cost.hours,
            "items": items,
            "total_usd": cost.total_usd,
            "by_vpc": cost
                .by_vpc
                .iter()
                .map(|(v, u, m)| json!({"vpc": v, "usd": u, "monthly_usd": m}))
                .collect::<Vec<_>>(),
            "monthly_usd": cost.monthly_usd,
        },
    });
    if let Some(why) = &m.cut_short {
        // Only when the run stopped early, so that complete runs' reports
        // keep their form.
        v["engine"]["cut_short"] = json!({"reason": why, "at_us": m.end.0 / 1000});
    }
    v.sort_all_objects();
    v
}

/// The report as text: pretty, keys sorted, one trailing newline; a
/// negative zero is written as `0.0`.
pub fn to_text(v: &Value) -> String {
    let mut s = if has_negative_zero(v) {
        let mut v = v.clone();
        positive_zeros(&mut v);
        serde_json::to_string_pretty(&v)
    } else {
        serde_json::to_string_pretty(v)
    }
    .expect("a Value always serializes");
    s.push('\n');
    s
}

fn is_negative_zero(n: &serde_json::Number) -> bool {
    n.as_f64().is_some_and(|x| x == 0.0 && x.is_sign_negative())
}

fn has_negative_zero(v: &Value) -> bool {
    match v {
        Value::Number(n) => is_negative_zero(n),
        Value::Array(a) => a.iter().any(has_negative_zero),
        Value::Object(o) => o.values().any(has_negative_zero),
        _ => false,
    }
}

fn positive_zeros(v: &mut Value) {
    match v {
        Value::Number(n) if is_negative_zero(n) => *v = json!(0.0),
        Value::Array(a) => a.iter_mut().for_each(positive_zeros),
        Value::Object(o) => o.values_mut().for_each(positive_zeros),
        _ => {}
    }
}

/// What a timeline event does, and what it names: (`delete`, `nat-a`).
pub fn event_words(d: &Design, a: &Action) -> (&'static str, String) {
    let rt = |r: RouteTableId| d.name_of(Component::RouteTable(r)).to_string();
    let tgw_rt = |r: TgwRouteTableId| d.name_of(Component::TgwRouteTable(r)).to_string();
    match a {
        Action::Delete(c) => ("delete", d.name_of(*c).to_string()),
        Action::AddRoute(r, route) => ("add_route", format!("{} {}", rt(*r), dest(d, &route.dest))),
        Action::DeleteRoute(r, dst) => ("delete_route", format!("{} {}", rt(*r), dest(d, dst))),
        Action::AddTgwRoute(r, route) => (
            "add_route",
            format!("{} {}", tgw_rt(*r), dest(d, &route.dest)),
        ),
        Action::DeleteTgwRoute(r, dst) => {
            ("delete_route", format!("{} {}", tgw_rt(*r), dest(d, dst)))
        }
        Action::Set(changes) => {
            let names: Vec<String> = changes
                .iter()
                .map(|c| match c {
                    SetChange::SgIngress(s, _) | SetChange::SgEgress(s, _) => {
                        d.name_of(Component::Sg(*s)).to_string()
                    }
                    SetChange::NaclIngress(n, _) | SetChange::NaclEgress(n, _) => {
                        d.name_of(Component::Nacl(*n)).to_string()
                    }
                    SetChange::EniSecurityGroups(e, _) => e
                        .iter()
                        .map(|e| d.name_of(Component::Eni(*e)))
                        .collect::<Vec<_>>()
                        .join(","),
                    SetChange::SourceDestCheck(e, _) => d.name_of(Component::Eni(*e)).to_string(),
                    SetChange::SubnetRouteTable(s, _) | SetChange::SubnetNacl(s, _) => {
                        d.name_of(Component::Subnet(*s)).to_string()
                    }
                    SetChange::Routes(r, _) => rt(*r),
                    SetChange::EndpointRouteTables(e, _) => {
                        d.name_of(Component::Endpoint(*e)).to_string()
                    }
                    SetChange::Propagation(v, _) => d.name_of(Component::Vgw(*v)).to_string(),
                    SetChange::TgwAssociations(r, _)
                    | SetChange::TgwPropagations(r, _)
                    | SetChange::TgwRoutes(r, _) => {
                        d.name_of(Component::TgwRouteTable(*r)).to_string()
                    }
                    SetChange::ApplianceMode(a, _) => {
                        d.name_of(Component::TgwAttachment(*a)).to_string()
                    }
                    SetChange::VpnTunnels(n, _) => d.name_of(Component::OnpremNet(*n)).to_string(),
                })
                .collect();
            let mut names = names;
            names.dedup();
            ("set", names.join(" "))
        }
    }
}

fn dest(d: &Design, r: &RouteDest) -> String {
    match r {
        RouteDest::Cidr(c) => c.to_string(),
        RouteDest::PrefixList(p) => d.name_of(Component::PrefixList(*p)).to_string(),
    }
}

/// The report's `series`: the measures of the run per interval of virtual
/// time (`docs/report-schema.md`).
pub fn series(net: &Network, m: &Metrics) -> Value {
    let d = &*net.design;
    let s = &m.series;
    let n = s.buckets;
    let traffic: Vec<Value> = d
        .traffic
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let f = s.flows(i);
            let lat = s.latency(i);
            let col = |g: &dyn Fn(&crate::sim::series::Flows) -> u64| -> Vec<u64> {
                (0..n).map(|b| f.get(b).map_or(0, g)).collect()
            };
            let q = |p: f64| -> Vec<Value> {
                (0..n)
                    .map(|b| match lat.get(b) {
                        Some(Some(h)) if !h.is_empty() => json!(h.quantile(p)),
                        _ => Value::Null,
                    })
                    .collect()
            };
            json!({
                "id": t.name,
                "started": col(&|x| x.started),
                "delivered": col(&|x| x.delivered),
                "failed": col(&|x| x.failed),
                "bytes_delivered": col(&|x| x.bytes_delivered),
                "latency_p50_us": q(0.5),
                "latency_p99_us": q(0.99),
            })
        })
        .collect();
    let drops: Vec<Value> = s
        .drops
        .iter()
        .map(|((r, p), v)| {
            let (name, kind) = place(net, *p);
            json!({"reason": r.name(), "place": name, "place_kind": kind, "count": v})
        })
        .collect();
    let gateways: Vec<Value> = gateway_components(d)
        .into_iter()
        .map(|c| {
            let v = s.gateways.get(&Place::Component(c));
            let col = |g: &dyn Fn(&Counter) -> u64| -> Vec<u64> {
                (0..n)
                    .map(|b| v.and_then(|v| v.get(b)).map_or(0, g))
                    .collect()
            };
            json!({
                "id": d.name_of(c),
                "kind": gateway_kind(d, c),
                "packets": col(&|x| x.packets),
                "bytes": col(&|x| x.bytes),
            })
        })
        .collect();
    let nat: Vec<Value> = d
        .nats
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let v = s.nat.get(i).map(Vec::as_slice).unwrap_or(&[]);
            json!({
                "id": g.name,
                "ports_in_use": (0..n).map(|b| v.get(b).map_or(0, |x| x.ports_in_use)).collect::<Vec<_>>(),
                "connections_created": (0..n).map(|b| v.get(b).map_or(0, |x| x.created)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let queues: Vec<Value> = s
        .queues()
        .filter(|(e, _)| (*e as usize) < d.enis.len())
        .map(|(e, v)| {
            let eni = EniId::from_idx(e as usize);
            json!({
                "eni": d.enis[eni.idx()].name,
                "owner": d.name_of(d.eni_workload(eni)),
                "peak_depth": v,
            })
        })
        .collect();
    let mut events: Vec<(Nanos, usize)> = d
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.at, i))
        .collect();
    events.sort();
    let events: Vec<Value> = events
        .into_iter()
        .map(|(at, i)| {
            let (action, subject) = event_words(d, &d.events[i].action);
            json!({"at_us": at.0 / 1000, "action": action, "subject": subject})
        })
        .collect();
    json!({
        "interval_us": s.interval.0 / 1000,
        "buckets": n,
        "traffic": traffic,
        "drops": drops,
        "gateways": gateways,
        "nat": nat,
        "queues": queues,
        "events": events,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_negative_zero_is_written() {
        let v = serde_json::json!({"usd": -0.0, "items": [{"usd": -0.0}, 1.5, -2.0]});
        let t = super::to_text(&v);
        assert!(!t.contains("-0"), "{t}");
        assert!(t.contains("\"usd\": 0.0") && t.contains("-2.0"), "{t}");
    }
}
