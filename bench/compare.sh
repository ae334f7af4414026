#!/usr/bin/env bash
# Before merging: runs every benchmark of vpcsim-bench and compares each
# benchmark's median (criterion's estimates.json under
# target/criterion/<benchmark>/new) with the saved baseline `main`
# (.../main). Exits 1 when any benchmark is more than 10% slower
# (THRESHOLD=<percent> to change), 2 when there is no `main` baseline to
# compare with. Not run by CI: timings need a quiet machine.
#
# criterion keeps the run's own results in new/; saving a baseline named
# `new` would copy those files onto themselves and leave them empty
# (criterion 0.7), so the run is saved as the baseline `candidate` (to look
# at later with `--baseline candidate`) and the comparison reads new/.
#
# Save the baseline on main first, then run this on the branch:
#   git switch main   && cargo bench -p vpcsim-bench -- --save-baseline main
#   git switch branch && bench/compare.sh
#
# Arguments are passed to the benchmarks (a filter, --measurement-time 3).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
threshold="${THRESHOLD:-10}"

cargo bench -p vpcsim-bench -- --save-baseline candidate "$@"
cargo build --release -p vpcsim-bench --bin compare
"$target/release/compare" "$target/criterion" main new "$threshold"
