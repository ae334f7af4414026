#!/usr/bin/env bash
# Instructions per data segment of the TCP endpoint (bench/src/bin/tcpcount.rs),
# counted by callgrind, which the machine's load does not move: the count of
# 11,000 rounds less that of 1,000 rounds, over the 20,000 segments between
# (each with its share of the ACKs). Build `tcpcount` from each commit to
# compare (release profile) and give the binaries:
#   bench/scripts/tcp-count.sh BEFORE_BIN AFTER_BIN
set -euo pipefail
count() { # BIN ROUNDS
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" "$2" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
per=()
for bin in "$1" "$2"; do
  a=$(count "$bin" 1000)
  z=$(count "$bin" 11000)
  per+=($(( (z - a) / 20000 )))
done
printf 'instructions per segment: before %s, after %s, %+.1f%%\n' "${per[0]}" "${per[1]}" \
  "$(echo "scale=3; (${per[1]} - ${per[0]}) * 100 / ${per[0]}" | bc)"
