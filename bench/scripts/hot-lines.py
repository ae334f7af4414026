#!/usr/bin/env python3
"""The code a run keeps executing, measured against the instruction cache.

Reads a callgrind profile made with per-instruction counts and prints, for
each threshold, how many 64-byte lines of code executed at least that many
instructions, their size, and the share of all instructions they executed;
with --by-function, the functions those lines belong to.

    valgrind --tool=callgrind --dump-instr=yes --compress-pos=no \\
        --compress-strings=no --callgrind-out-file=echo.cg \\
        target/release/echo 10 0.02
    python3 bench/scripts/hot-lines.py echo.cg [--by-function 20000]

A line counts the instructions executed at its addresses (a call's
inclusive cost, on the line after `calls=`, is not its own).
"""

import collections
import sys


def read(path):
    """Instructions executed per 64-byte line, and each line's function."""
    lines = collections.Counter()
    owner = {}
    fn = None
    skip = False
    with open(path) as f:
        for ln in f:
            if ln.startswith("fn="):
                fn = ln[3:].strip()
                skip = False
            elif ln.startswith("calls="):
                skip = True
            elif ln.startswith("0x"):
                if skip:
                    skip = False
                    continue
                fields = ln.split()
                line = int(fields[0], 16) >> 6
                lines[line] += int(fields[-1])
                owner.setdefault(line, fn)
            elif not ln.startswith(("cfi=", "cfn=", "cob=", "cfl=")):
                skip = False
    return lines, owner


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    lines, owner = read(args[0])
    total = sum(lines.values())
    print(f"{args[0]}: {total:,} instructions")
    for thr in (100_000, 20_000, 5_000, 1_000):
        hot = [n for n, c in lines.items() if c >= thr]
        share = 100 * sum(lines[n] for n in hot) / max(total, 1)
        print(f"  lines of >= {thr:>7,} instructions: {len(hot):5,}"
              f" ({len(hot) * 64 // 1024:4} KiB), {share:5.1f} % of all")
    if len(args) >= 3 and args[1] == "--by-function":
        thr = int(args[2])
        per = collections.Counter(owner[n] for n, c in lines.items() if c >= thr)
        print(f"  lines of >= {thr:,} instructions by function:")
        for name, n in per.most_common(25):
            print(f"    {n:4} {name[:110]}")


if __name__ == "__main__":
    main()
