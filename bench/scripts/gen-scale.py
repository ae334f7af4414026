#!/usr/bin/env python3
"""Prints a scenario of many small VPCs, for measuring memory per VPC and
per traffic generator.

    gen-scale.py VPCS TRAFFIC_PER_VPC [DURATION] > scale.toml

Each VPC has one subnet, two instances in the default security group and
TRAFFIC_PER_VPC pings between them at 1/s.
"""
import sys

vpcs = int(sys.argv[1])
per_vpc = int(sys.argv[2])
duration = sys.argv[3] if len(sys.argv) > 3 else "10s"
out = [
    "[scenario]",
    f'name = "{vpcs} VPCs, {per_vpc} traffic each"',
    "seed = 1",
    f'duration = "{duration}"',
    'region = "us-east-1"',
    "",
]
for i in range(vpcs):
    net = f"10.{i // 256}.{i % 256}"
    out += [
        "[[vpc]]",
        f'id = "v{i}"',
        f'cidrs = ["{net}.0/24"]',
        "",
        "[[subnet]]",
        f'id = "s{i}"',
        f'vpc = "v{i}"',
        f'cidr = "{net}.0/25"',
        'az = "us-east-1a"',
        "",
        "[[instance]]",
        f'id = "a{i}"',
        f'subnet = "s{i}"',
        "",
        "[[instance]]",
        f'id = "b{i}"',
        f'subnet = "s{i}"',
        "",
    ]
    for t in range(per_vpc):
        out += [
            "[[traffic]]",
            f'id = "p{i}-{t}"',
            f'from = "a{i}"',
            f'to = "b{i}"',
            'pattern = "ping"',
            'rate = "1/s"',
            "",
        ]
print("\n".join(out))
