#!/usr/bin/env bash
# Every criterion benchmark of two builds, run in turn: the benchmark
# binaries of BEFORE and AFTER (each a target directory built with
# `cargo bench -p vpcsim-bench --no-run` at its commit), benchmark file by
# benchmark file, ROUNDS rounds (default 2) with the order swapped each
# round, each side's results under its own CRITERION_HOME. Then prints a
# Markdown table of the medians of every benchmark both sides have, the
# ratio per round and the median change (bench/scripts/paired-table.py).
# Not run by CI: timings need a quiet machine.
#   bench/scripts/paired-bench.sh BEFORE_TARGET AFTER_TARGET OUT [ROUNDS]
# BENCHES="hop conntrack" runs only those benchmark files, and FILTER=REGEX
# only the benchmarks whose names match (criterion's filter), for more
# rounds of the ones a first run left unsettled.
set -euo pipefail
before=$1 after=$2 out=$3 rounds=${4:-2}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
# The newest binary of benchmark file NAME in target directory DIR.
bench_bin() {
  find "$2/release/deps" -maxdepth 1 -type f -executable -name "$1-*" -printf '%T@ %p\n' |
    sort -n | tail -1 | cut -d' ' -f2
}
names=${BENCHES:-$(find "$(dirname "$here")/benches" -name '*.rs' -printf '%f\n' | sed 's/\.rs$//' | sort)}
for r in $(seq 1 "$rounds"); do
  for name in $names; do
    b=$(bench_bin "$name" "$before"); a=$(bench_bin "$name" "$after")
    [ -n "$b" ] && [ -n "$a" ] || { echo "# $name: not in both builds" >&2; continue; }
    if [ $((r % 2)) = 1 ]; then order="before after"; else order="after before"; fi
    for side in $order; do
      if [ "$side" = before ]; then bin=$b; else bin=$a; fi
      echo "# round $r $name $side, load $(cut -d' ' -f1 /proc/loadavg)" >&2
      CRITERION_HOME="$out/$side-$r" "$bin" --bench --warm-up-time 1 --measurement-time 3 \
        ${FILTER:+"$FILTER"} > "$out/$side-$r-$name.log" 2>&1
    done
  done
done
python3 "$here/paired-table.py" "$out" "$rounds"
