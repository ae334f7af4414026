"""The medians of two builds' criterion runs side by side (see
paired-bench.sh): OUT/{before,after}-ROUND/<group>/<bench>/new/estimates.json.
Usage: paired-table.py OUT ROUNDS"""
import glob
import json
import os
import statistics
import sys

out, rounds = sys.argv[1], int(sys.argv[2])


def medians(d):
    m = {}
    for f in glob.glob(f"{d}/**/new/estimates.json", recursive=True):
        name = os.path.relpath(os.path.dirname(os.path.dirname(f)), d)
        with open(f) as fh:
            m[name] = json.load(fh)["median"]["point_estimate"]
    return m


before = [medians(f"{out}/before-{r}") for r in range(1, rounds + 1)]
after = [medians(f"{out}/after-{r}") for r in range(1, rounds + 1)]
both = sorted(set.intersection(*[set(x) for x in before + after]))
print("| benchmark | before (ns, per round) | after (ns, per round) | after/before per round | median change |")
print("|---|---|---|---|---|")
for n in both:
    b = [x[n] for x in before]
    a = [x[n] for x in after]
    ratios = [ai / bi for ai, bi in zip(a, b)]
    print(
        f"| `{n}` | {' / '.join(f'{v:,.1f}' for v in b)} | "
        f"{' / '.join(f'{v:,.1f}' for v in a)} | "
        f"{' / '.join(f'{r:.3f}' for r in ratios)} | "
        f"{(statistics.median(ratios) - 1) * 100:+.1f} % |"
    )
only = sorted(set.union(set(), *[set(x) for x in after]) - set(both))
if only:
    print("\nonly after:", ", ".join(only))
