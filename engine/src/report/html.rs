//! `--html FILE`: the report as one self-contained HTML page
//! (docs/outputs.md): the topology drawing, the traffic table, the
//! expectations with their results (`check`), the cost, the drops, and
//! plots of the time series, each with the timeline's events marked.
//!
//! Everything is inline: CSS, and SVG drawn with `plotters` (charts) and
//! Graphviz or a drawing of our own (the topology); no script, no font or
//! file from elsewhere. The page is built from the JSON report, so it
//! shows the same numbers. In each chart's SVG the data are the only
//! `<polyline>` elements (legends are HTML, events are `<line>`), which is
//! what `engine/tests/series.rs` looks for in a headless browser.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use plotters::prelude::*;
use serde_json::Value;

use crate::model::Design;

/// Text for HTML: `&`, `<`, `>` and quotes escaped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A JSON value as a table cell.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => "–".to_string(),
        Value::String(s) => esc(s),
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => format!("{f:.4}"),
            _ => n.to_string(),
        },
        other => esc(&other.to_string()),
    }
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1b1f24;max-width:1200px}\
h1{font-size:1.6em;margin-bottom:0}h2{font-size:1.25em;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}\
table{border-collapse:collapse;font-size:0.9em;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}\
th{background:#f6f8fa}td.l,th.l{text-align:left}.ok{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}\
.chart{margin:12px 0 24px}.legend{font-size:0.85em}.legend span{display:inline-block;margin-right:14px}\
.sw{display:inline-block;width:18px;height:4px;vertical-align:middle;margin-right:4px}\
.topology svg{max-width:100%;height:auto}.muted{color:#57606a}";

/// The page of a run: `report` is its JSON report, `d` its design.
pub fn render(d: &Design, report: &Value) -> String {
    let mut h = String::new();
    let name = report["scenario"]["name"].as_str().unwrap_or("");
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>vpcsim: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(name)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(name));
    let _ = writeln!(
        h,
        "<p class=\"muted\">{} · seed {} · {} s of virtual time · vpcsim {}</p>",
        esc(report["scenario"]["description"].as_str().unwrap_or("")),
        report["seed"],
        crate::report::series_csv::seconds(report["duration_us"].as_u64().unwrap_or(0)),
        esc(report["generator"]["version"].as_str().unwrap_or(""))
    );
    h.push_str("<h2>Topology</h2>\n<div class=\"topology\">\n");
    h.push_str(&topology(d));
    h.push_str("</div>\n");
    traffic_table(&mut h, report);
    expectations(&mut h, report);
    cost(&mut h, report);
    drops_table(&mut h, report);
    charts(&mut h, report);
    h.push_str("</body>\n</html>\n");
    h
}

fn traffic_table(h: &mut String, r: &Value) {
    h.push_str("<h2>Traffic</h2>\n<table>\n<tr><th class=\"l\">traffic</th><th class=\"l\">from</th><th class=\"l\">to</th><th>protocol</th><th>started</th><th>delivered</th><th>failed</th><th>unfinished</th><th>delivered share</th><th>p50 µs</th><th>p99 µs</th><th>bytes delivered</th></tr>\n");
    for t in r["traffic"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let c = &t["latency_us"]["completion"];
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            cell(&t["id"]),
            cell(&t["from"]),
            cell(&t["to"]),
            cell(&t["protocol"]),
            cell(&t["port"]),
            cell(&t["started"]),
            cell(&t["delivered"]),
            cell(&t["failed"]),
            cell(&t["unfinished"]),
            cell(&t["delivered_share"]),
            cell(&c["p50"]),
            cell(&c["p99"]),
            cell(&t["bytes_delivered"]),
        );
    }
    h.push_str("</table>\n");
}

fn expectations(h: &mut String, r: &Value) {
    h.push_str("<h2>Expectations</h2>\n");
    let ex = r["expectations"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if ex.is_empty() {
        h.push_str("<p class=\"muted\">The design states no <code>[[expect]]</code>.</p>\n");
        return;
    }
    h.push_str("<table>\n<tr><th>line</th><th class=\"l\">traffic</th><th>started</th><th>delivered</th><th>failed</th><th class=\"l\">result</th><th class=\"l\">details</th></tr>\n");
    for e in ex {
        let res = &e["result"];
        let verdict = match res["ok"].as_bool() {
            Some(true) => "<span class=\"ok\">pass</span>",
            Some(false) => "<span class=\"fail\">FAIL</span>",
            None => "<span class=\"muted\">not checked (vpcsim check checks it)</span>",
        };
        let mut details: Vec<String> = res["details"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(|d| esc(d.as_str().unwrap_or("")))
            .collect();
        for b in res["bounds"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            details.push(format!(
                "{} {} (measured {})",
                esc(b["measure"].as_str().unwrap_or("")),
                esc(b["expected"].as_str().unwrap_or("")),
                esc(b["actual_text"].as_str().unwrap_or(""))
            ));
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{verdict}</td><td class=\"l\">{}</td></tr>",
            cell(&e["line"]),
            cell(&e["traffic"]),
            cell(&e["started"]),
            cell(&e["delivered"]),
            cell(&e["failed"]),
            details.join("<br>")
        );
    }
    h.push_str("</table>\n");
}

fn cost(h: &mut String, r: &Value) {
    let c = &r["cost"];
    let _ = writeln!(
        h,
        "<h2>Cost</h2>\n<p>{} USD for the run ({} h); {} USD a month at this rate (prices as of {}).</p>",
        cell(&c["total_usd"]),
        cell(&c["hours"]),
        cell(&c["monthly_usd"]),
        cell(&c["prices_as_of"])
    );
    h.push_str("<table>\n<tr><th class=\"l\">component</th><th class=\"l\">item</th><th>quantity</th><th class=\"l\">unit</th><th>USD</th></tr>\n");
    for i in c["items"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td class=\"l\">{}</td><td>{}</td></tr>",
            cell(&i["component"]),
            cell(&i["item"]),
            cell(&i["quantity"]),
            cell(&i["unit"]),
            cell(&i["usd"])
        );
    }
    h.push_str("</table>\n");
}

fn drops_table(h: &mut String, r: &Value) {
    h.push_str("<h2>Drops</h2>\n");
    let drops = r["drops"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if drops.is_empty() {
        h.push_str("<p class=\"muted\">No packet was dropped.</p>\n");
        return;
    }
    h.push_str("<table>\n<tr><th class=\"l\">reason</th><th class=\"l\">place</th><th class=\"l\">kind</th><th>packets</th></tr>\n");
    for d in drops {
        let _ = writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td></tr>",
            cell(&d["reason"]),
            cell(&d["place"]),
            cell(&d["place_kind"]),
            cell(&d["count"])
        );
    }
    h.push_str("</table>\n");
}

/// One line of a chart: its name and a value per bucket (`None`: a gap).
struct Line {
    name: String,
    values: Vec<Option<f64>>,
}

fn column(v: &Value, scale: f64) -> Vec<Option<f64>> {
    v.as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
        .iter()
        .map(|x| x.as_f64().map(|f| f * scale))
        .collect()
}

fn charts(h: &mut String, r: &Value) {
    let s = &r["series"];
    let interval = s["interval_us"].as_u64().unwrap_or(1_000_000).max(1) as f64 / 1e6;
    let per_s = 1.0 / interval;
    let arr = |k: &str| s[k].as_array().map(Vec::as_slice).unwrap_or(&[]);
    let events: Vec<(f64, String)> = arr("events")
        .iter()
        .map(|e| {
            (
                e["at_us"].as_f64().unwrap_or(0.0) / 1e6,
                format!(
                    "{} {}",
                    e["action"].as_str().unwrap_or(""),
                    e["subject"].as_str().unwrap_or("")
                ),
            )
        })
        .collect();
    let _ = writeln!(
        h,
        "<h2>Over time</h2>\n<p class=\"muted\">One point per interval of {} s, at its start; dashed lines mark the timeline's events.</p>",
        crate::report::series_csv::seconds(s["interval_us"].as_u64().unwrap_or(0))
    );
    let mut flows: Vec<Line> = Vec::new();
    for t in arr("traffic") {
        let id = t["id"].as_str().unwrap_or("");
        flows.push(Line {
            name: format!("{id} delivered"),
            values: column(&t["delivered"], per_s),
        });
    }
    for d in arr("drops") {
        flows.push(Line {
            name: format!(
                "dropped: {} at {}",
                d["reason"].as_str().unwrap_or(""),
                d["place"].as_str().unwrap_or("")
            ),
            values: column(&d["count"], per_s),
        });
    }
    chart(
        h,
        "flows",
        "Delivered flows and dropped packets per second",
        "per second",
        interval,
        &flows,
        &events,
    );
    let mut latency: Vec<Line> = Vec::new();
    for t in arr("traffic") {
        let id = t["id"].as_str().unwrap_or("");
        for (k, q) in [("latency_p50_us", "p50"), ("latency_p99_us", "p99")] {
            latency.push(Line {
                name: format!("{id} {q}"),
                values: column(&t[k], 1e-3),
            });
        }
    }
    chart(
        h,
        "latency",
        "Completion latency percentiles",
        "milliseconds",
        interval,
        &latency,
        &events,
    );
    let nat: Vec<Line> = arr("nat")
        .iter()
        .map(|n| Line {
            name: format!("{} ports in use", n["id"].as_str().unwrap_or("")),
            values: column(&n["ports_in_use"], 1.0),
        })
        .collect();
    if nat.is_empty() {
        h.push_str(
            "<p class=\"muted\">No NAT gateway in the design: no chart of ports in use.</p>\n",
        );
    } else {
        chart(
            h,
            "nat",
            "NAT gateway ports in use",
            "mappings",
            interval,
            &nat,
            &events,
        );
    }
    let gw: Vec<Line> = arr("gateways")
        .iter()
        .filter(|g| {
            column(&g["bytes"], 1.0)
                .iter()
                .any(|v| v.unwrap_or(0.0) > 0.0)
        })
        .map(|g| Line {
            name: format!(
                "{} ({})",
                g["id"].as_str().unwrap_or(""),
                g["kind"].as_str().unwrap_or("")
            ),
            values: column(&g["bytes"], 8.0 * per_s / 1e6),
        })
        .collect();
    if gw.is_empty() {
        h.push_str(
            "<p class=\"muted\">No packet crossed a gateway or endpoint: no chart of throughput.</p>\n",
        );
    } else {
        chart(
            h,
            "gateways",
            "Gateway and endpoint throughput (both directions)",
            "Mbit/s",
            interval,
            &gw,
            &events,
        );
    }
}

const W: u32 = 1100;
const H: u32 = 320;

/// A line chart as inline SVG, with an HTML legend.
fn chart(
    h: &mut String,
    id: &str,
    title: &str,
    unit: &str,
    interval: f64,
    lines: &[Line],
    events: &[(f64, String)],
) {
    let buckets = lines.iter().map(|l| l.values.len()).max().unwrap_or(0);
    let xmax = (buckets as f64 * interval).max(interval);
    let ymax = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten())
        .fold(0.0f64, |a, b| a.max(*b));
    let ymax = if ymax > 0.0 { ymax * 1.1 } else { 1.0 };
    let mut svg = String::new();
    let mut marks = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut c = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..xmax, 0f64..ymax)?;
        c.configure_mesh()
            .x_desc("virtual time (s)")
            .y_desc(unit)
            .light_line_style(WHITE.mix(0.0))
            .draw()?;
        for (i, l) in lines.iter().enumerate() {
            let color = Palette99::pick(i).stroke_width(2);
            // A gap (nothing measured) breaks the line.
            let mut run: Vec<(f64, f64)> = Vec::new();
            for (b, v) in l.values.iter().enumerate() {
                match v {
                    Some(v) => run.push((b as f64 * interval, *v)),
                    None if !run.is_empty() => {
                        c.draw_series(LineSeries::new(std::mem::take(&mut run), color))?;
                    }
                    None => {}
                }
            }
            if !run.is_empty() {
                c.draw_series(LineSeries::new(run, color))?;
            }
        }
        for (t, label) in events {
            let (x, y0) = c.backend_coord(&(*t, 0.0));
            let (_, y1) = c.backend_coord(&(*t, ymax));
            let _ = write!(
                marks,
                "<line class=\"event\" x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" stroke=\"#6e7781\" stroke-width=\"1.5\" stroke-dasharray=\"6,4\"><title>{}</title></line><text x=\"{}\" y=\"{}\" font-size=\"12\" font-family=\"sans-serif\" fill=\"#57606a\">{}</text>",
                esc(label),
                x + 4,
                y1 + 12,
                esc(label)
            );
        }
        root.present()?;
        Ok(())
    })();
    let _ = writeln!(h, "<div class=\"chart\" data-chart=\"{}\">", esc(id));
    if let Err(e) = drawn {
        let _ = writeln!(
            h,
            "<p class=\"fail\">The chart could not be drawn: {}</p></div>",
            esc(&e.to_string())
        );
        return;
    }
    if let Some(at) = svg.rfind("</svg>") {
        svg.insert_str(at, &marks);
    }
    h.push_str(&svg);
    h.push_str("\n<div class=\"legend\">");
    for (i, l) in lines.iter().enumerate() {
        let RGBAColor(r, g, b, _) = Palette99::pick(i).to_rgba();
        let _ = write!(
            h,
            "<span><i class=\"sw\" style=\"background:rgb({r},{g},{b})\"></i>{}</span>",
            esc(&l.name)
        );
    }
    h.push_str("</div>\n</div>\n");
}

/// The design's drawing as SVG: `vpcsim graph`'s, laid out by Graphviz
/// when `dot` is installed, else [`fallback`]'s plain drawing of the
/// design's VPCs, subnets, gateways and what they hold.
pub fn topology(d: &Design) -> String {
    let dot = crate::report::graph::render(d);
    if let Some(svg) = graphviz(&dot) {
        return svg;
    }
    fallback(d)
}

fn graphviz(dot: &str) -> Option<String> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let text = dot.to_string();
    let feed = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().ok()?;
    let _ = feed.join();
    if !out.status.success() {
        return None;
    }
    let s = String::from_utf8(out.stdout).ok()?;
    // The SVG element alone: no XML prolog or DOCTYPE inside HTML.
    let at = s.find("<svg")?;
    Some(s[at..].to_string())
}

/// The drawing when Graphviz is not installed: each VPC a box of its
/// subnets, each subnet a box of its workloads (NAT gateways among them);
/// the VPC's gateways (`graph::edge_gateways`) as boxes stacked on its right
/// border, half inside and half outside; transit gateways and the hosts
/// outside the VPCs listed below. No edges: routes and traffic are in the
/// tables. Each VPC is a `<g class="vpc" data-vpc=NAME>`, each gateway a
/// `<g class="gateway" data-node=ID data-vpc=NAME>`, each subnet a
/// `<g class="subnet" data-vpc=NAME>`.
pub fn fallback(d: &Design) -> String {
    use crate::model::{EniOwner, VpcId};
    /// Width of a subnet's box, and of a gateway's.
    const SUB_W: u32 = 200;
    const GW_W: u32 = 150;
    const GW_H: u32 = 36;
    /// Width of a VPC's box: its subnets, then room for the inner half of
    /// its gateways.
    const COL: u32 = 8 + SUB_W + 16 + GW_W / 2;
    const STRIDE: u32 = COL + GW_W / 2 + 30;
    let mut body = String::new();
    let mut height = 0u32;
    for (v, vpc) in d.vpcs.iter().enumerate() {
        let x = 10 + v as u32 * STRIDE;
        let top = 10u32;
        let mut y = top + 28;
        let mut inner = String::new();
        for (s, sub) in d.subnets.iter().enumerate() {
            if sub.vpc.idx() != v {
                continue;
            }
            let held: Vec<String> = d
                .enis
                .iter()
                .filter(|e| e.subnet.idx() == s)
                .filter_map(|e| match e.owner {
                    EniOwner::Instance(i) => Some(d.instances[i.idx()].name.clone()),
                    EniOwner::Nat(n) => Some(format!("NAT {}", d.nats[n.idx()].name)),
                    // Drawn as the attachment, on the edge.
                    EniOwner::TgwAttachment(_) => None,
                    _ => Some(e.name.clone()),
                })
                .collect();
            let hgt = 24 + 16 * held.len() as u32;
            let _ = write!(
                inner,
                "<g class=\"subnet\" data-vpc=\"{}\"><rect x=\"{}\" y=\"{y}\" width=\"{SUB_W}\" height=\"{hgt}\" fill=\"#ddf4ff\" stroke=\"#54aeff\"/><text x=\"{}\" y=\"{}\">subnet {} {}</text>",
                esc(&vpc.name),
                x + 8,
                x + 14,
                y + 16,
                esc(&sub.name),
                esc(&sub.cidr.to_string())
            );
            for (k, w) in held.iter().enumerate() {
                let _ = write!(
                    inner,
                    "<text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
                    x + 24,
                    y + 34 + 16 * k as u32,
                    esc(w)
                );
            }
            inner.push_str("</g>");
            y += hgt + 8;
        }
        // The gateways, on the right border.
        let mut gy = top + 28;
        for (id, label, _, fill) in crate::report::graph::edge_gateways(d, VpcId::from_idx(v)) {
            let mut lines = label.lines();
            let name = lines.next().unwrap_or("");
            let kind = lines.next().unwrap_or("");
            let _ = write!(
                inner,
                "<g class=\"gateway\" data-node=\"{}\" data-vpc=\"{}\"><rect x=\"{}\" y=\"{gy}\" width=\"{GW_W}\" height=\"{GW_H}\" rx=\"4\" fill=\"{fill}\" stroke=\"#8c4fff\" stroke-width=\"1.5\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#57606a\">{}</text></g>",
                esc(&id),
                esc(&vpc.name),
                x + COL - GW_W / 2,
                x + COL - GW_W / 2 + 6,
                gy + 15,
                esc(name),
                x + COL - GW_W / 2 + 6,
                gy + 30,
                esc(kind)
            );
            gy += GW_H + 8;
        }
        let bottom = y.max(gy) + 8;
        // The VPC's box first, so that its gateways are drawn over its
        // border.
        let _ = write!(
            body,
            "<g class=\"vpc\" data-vpc=\"{}\"><rect x=\"{x}\" y=\"{top}\" width=\"{COL}\" height=\"{}\" fill=\"none\" stroke=\"#8c4fff\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\" font-weight=\"bold\">VPC {} {}</text></g>{inner}",
            esc(&vpc.name),
            bottom - top,
            x + 8,
            top + 18,
            esc(&vpc.name),
            esc(&vpc
                .cidrs
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "))
        );
        height = height.max(bottom + 10);
    }
    // What lies outside every VPC, in a list below.
    let mut outside: Vec<String> = d
        .tgws
        .iter()
        .map(|t| format!("transit gateway {}", t.name))
        .collect();
    outside.extend(
        d.external_hosts
            .iter()
            .map(|h| format!("internet host {}", h.name)),
    );
    outside.extend(
        d.aws_services
            .iter()
            .map(|a| format!("AWS {} {}", a.service, a.name)),
    );
    outside.extend(
        d.onprem_hosts
            .iter()
            .map(|h| format!("on-premises host {}", h.name)),
    );
    let mut y = height + 10;
    for o in &outside {
        let _ = write!(
            body,
            "<text x=\"18\" y=\"{y}\" font-size=\"12\">{}</text>",
            esc(o)
        );
        y += 16;
    }
    height = y + 6;
    let width = 20 + d.vpcs.len().max(1) as u32 * STRIDE;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"13\">{body}</svg>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
