#!/usr/bin/env bash
# Instructions per packet of the hop loops (bench/src/bin/hopcount.rs),
# counted by callgrind, which the machine's load does not move: the count
# of 110 rounds less that of 10 rounds, over the 25,600 packets between.
# With two more binaries, the same for the rules and flows benchmarks'
# loops (bench/src/bin/loopcount.rs): 12 rounds less 2, per probe or
# packet of the 4,096. Build the binaries from each commit to compare
# (`cargo build --profile bench -p vpcsim-bench --bin hopcount --bin
# loopcount`, as the benchmarks are built, or `--release`) and give them:
#   bench/scripts/paired-count.sh BEFORE_HOP AFTER_HOP [BEFORE_LOOPS AFTER_LOOPS]
set -euo pipefail
count() { # BIN ARGS...
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
row() { # NAME DETAIL BEFORE AFTER
  printf '%-9s %7s %10s %10s %+7.1f%%\n' "$1" "$2" "$3" "$4" \
    "$(echo "scale=3; ($4 - $3) * 100 / $3" | bc)"
}
printf '%-9s %7s %10s %10s %8s\n' loop payload before after change
for which in subnet new_flow lambda; do
  payloads="0 1460"
  [ "$which" = new_flow ] && payloads=0
  for payload in $payloads; do
    per=()
    for bin in "$1" "$2"; do
      a=$(count "$bin" "$which" 10 "$payload")
      z=$(count "$bin" "$which" 110 "$payload")
      per+=($(( (z - a) / 25600 )))
    done
    row "$which" "$payload" "${per[0]}" "${per[1]}"
  done
done
[ $# -ge 4 ] || exit 0
for which in nacl_in nacl_out sg_in sg_out ct_hit ct_track nat_out nat_reply nat_new; do
  per=()
  for bin in "$3" "$4"; do
    a=$(count "$bin" "$which" 2)
    z=$(count "$bin" "$which" 12)
    per+=($(( (z - a) / 40960 )))
  done
  row "$which" - "${per[0]}" "${per[1]}"
done
