#!/usr/bin/env bash
# Instructions per packet of the hop loops (bench/src/bin/hopcount.rs),
# counted by callgrind, which the machine's load does not move: the count
# of 110 rounds less that of 10 rounds, over the 25,600 packets between.
# Build `hopcount` from each commit to compare (release profile) and give
# the binaries:
#   bench/scripts/paired-count.sh BEFORE_BIN AFTER_BIN
set -euo pipefail
count() { # BIN WHICH ROUNDS PAYLOAD
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" "$2" "$3" "$4" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
printf '%-8s %7s %10s %10s %8s\n' path payload before after change
for which in subnet lambda; do
  for payload in 0 1460; do
    per=()
    for bin in "$1" "$2"; do
      a=$(count "$bin" "$which" 10 "$payload")
      z=$(count "$bin" "$which" 110 "$payload")
      per+=($(( (z - a) / 25600 )))
    done
    printf '%-8s %7s %10s %10s %+7.1f%%\n' "$which" "$payload" "${per[0]}" "${per[1]}" \
      "$(echo "scale=3; (${per[1]} - ${per[0]}) * 100 / ${per[0]}" | bc)"
  done
done
