#!/usr/bin/env python3
"""Draws docs/images/s3-paths.svg from the three sweeps of docs/sweeps.md.

Usage: plot-s3-paths.py NAT.csv GATEWAY.csv INTERFACE.csv > s3-paths.svg

Each CSV is the output of `vpcsim sweep` over `traffic.app-to-s3.rate`; the
figures of a rate are averaged over its seeds. Standard library only: the
picture is plain SVG, two panels side by side (cost per month, and the
latency percentiles of a request), the rate on a logarithmic axis.
"""

import csv
import math
import sys
from collections import defaultdict

PATHS = [
    ("NAT gateway", "#d13212"),
    ("gateway endpoint", "#3f8624"),
    ("interface endpoint", "#8c4fff"),
]
RATE = "traffic.app-to-s3.rate"


def read(path):
    """rate -> (cost, p50 ms, p99 ms), averaged over seeds."""
    acc = defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rate = float(row[RATE].split("/")[0])
            acc[rate].append(
                (
                    float(row["cost_per_month_usd"]),
                    float(row["app-to-s3.latency_p50_us"]) / 1000.0,
                    float(row["app-to-s3.latency_p99_us"]) / 1000.0,
                )
            )
    return {
        r: tuple(sum(v[i] for v in vs) / len(vs) for i in range(3))
        for r, vs in sorted(acc.items())
    }


def nice_max(v):
    if v <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if m * e >= v:
            return m * e
    return 10 * e


def panel(out, x0, title, ylabel, series, ymax, rates):
    w, h, left, top = 400, 260, 60, 40
    lo, hi = math.log10(min(rates)), math.log10(max(rates))

    def px(r):
        return x0 + left + (math.log10(r) - lo) / (hi - lo) * w

    def py(v):
        return top + h - v / ymax * h

    out.append(f'<text x="{x0 + left + w / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>')
    out.append(f'<rect x="{x0 + left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
    for i in range(6):
        v = ymax * i / 5
        y = py(v)
        out.append(f'<line x1="{x0 + left}" x2="{x0 + left + w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{x0 + left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{v:g}</text>')
    for r in rates:
        x = px(r)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + h}" y2="{top + h + 4}" stroke="#999"/>')
        out.append(f'<text x="{x:.1f}" y="{top + h + 17}" text-anchor="middle" font-size="11">{r:g}</text>')
    out.append(f'<text x="{x0 + left + w / 2}" y="{top + h + 34}" text-anchor="middle" font-size="12">requests per second (log scale)</text>')
    out.append(f'<text transform="translate({x0 + 16},{top + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">{ylabel}</text>')
    for points, color, dash in series:
        d = " ".join(f"{px(r):.1f},{py(v):.1f}" for r, v in points)
        out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for r, v in points:
            out.append(f'<circle cx="{px(r):.1f}" cy="{py(v):.1f}" r="2.5" fill="{color}"/>')


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    data = [read(p) for p in sys.argv[1:]]
    rates = sorted({r for d in data for r in d})
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="380" font-family="Helvetica, Arial, sans-serif">',
           '<rect width="1000" height="380" fill="white"/>']
    cost = [([(r, d[r][0]) for r in sorted(d)], c, "") for d, (_, c) in zip(data, PATHS)]
    ymax = nice_max(max(v for s, _, _ in cost for _, v in s))
    panel(out, 0, "Cost per month (USD)", "USD per month", cost, ymax, rates)
    lat = []
    for d, (_, c) in zip(data, PATHS):
        lat.append(([(r, d[r][1]) for r in sorted(d)], c, ""))
        lat.append(([(r, d[r][2]) for r in sorted(d)], c, ' stroke-dasharray="5,3"'))
    ymax = nice_max(max(v for s, _, _ in lat for _, v in s))
    panel(out, 500, "Request latency (ms): p50 solid, p99 dashed", "milliseconds", lat, ymax, rates)
    for i, (name, color) in enumerate(PATHS):
        x = 120 + i * 260
        out.append(f'<line x1="{x}" x2="{x + 24}" y1="366" y2="366" stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{x + 30}" y="370" font-size="12">{name}</text>')
    out.append("</svg>")
    print("\n".join(out))


main()
