#!/usr/bin/env bash
# Builds binaries of the workspace with profile-guided optimisation (PGO),
# trained on the shipped scenarios:
#
#   1. an instrumented `vpcsim` binary runs every scenario under scenarios/
#      with `run --json`, on one thread and on two, and leaves a profile of
#      which branches and calls the engine took;
#   2. the binaries asked for are built again with that profile, which
#      guides LLVM's inlining, block layout and branch order;
#   3. the optimised `vpcsim` runs every scenario again, and its reports
#      must be byte for byte those of the instrumented build: the profile
#      changes how the code is laid out, never what it computes.
#
# The training set is the scenarios, never a benchmark's own workload, so a
# benchmark of a PGO build measures code trained on other designs.
#
#   bench/scripts/pgo.sh                                # vpcsim, bench profile
#   bench/scripts/pgo.sh -p vpcsim-bench --bin echo     # and the echo workload
#   PGO_PROFILE=dist bench/scripts/pgo.sh               # another cargo profile
#
# The binaries land in $CARGO_TARGET_DIR/pgo/use/<profile dir>/ (the last
# line printed). It needs rustc's own llvm-profdata (rustup's llvm-tools
# component, added when missing), and builds `vpcsim` and the binaries
# asked for twice more, with all their dependencies, with flags of their
# own, in target directories of their own: several minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${CARGO_TARGET_DIR:-target}"
case "$target" in
  /*) ;;
  *) target="$PWD/$target" ;;
esac
profile="${PGO_PROFILE:-bench}"
case "$profile" in
  dev | test) profile_dir=debug ;;
  release | bench) profile_dir=release ;;
  *) profile_dir="$profile" ;;
esac

sysroot="$(rustc --print sysroot)"
host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$sysroot/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  rustup component add llvm-tools >&2
fi

dir="$target/pgo"
raw="$dir/raw"
rm -rf "$raw" "$dir/reports"
mkdir -p "$raw" "$dir/reports/gen" "$dir/reports/use"

echo "pgo: instrumented build ($profile profile)" >&2
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-generate=$raw" CARGO_TARGET_DIR="$dir/gen" \
  cargo build --profile "$profile" -p vpcsim --bin vpcsim >&2

# Every scenario, on one thread and on two: `run --json -` prints the whole
# report, which holds no wall-clock time.
scenarios=(scenarios/*.toml)
train() {
  local bin="$1" out="$2"
  for f in "${scenarios[@]}"; do
    local name
    name="$(basename "$f" .toml)"
    for threads in 1 2; do
      if ! "$bin" run "$f" --quiet --threads "$threads" --json - \
        >"$out/$name-$threads.json" 2>"$out/$name-$threads.err"; then
        echo "pgo: $bin run $f --threads $threads failed:" >&2
        cat "$out/$name-$threads.err" >&2
        exit 1
      fi
    done
  done
}
echo "pgo: training on ${#scenarios[@]} scenarios" >&2
train "$dir/gen/$profile_dir/vpcsim" "$dir/reports/gen"
"$profdata" merge -o "$dir/vpcsim.profdata" "$raw"

echo "pgo: optimised build" >&2
RUSTFLAGS="${RUSTFLAGS:-} -Cprofile-use=$dir/vpcsim.profdata" CARGO_TARGET_DIR="$dir/use" \
  cargo build --profile "$profile" -p vpcsim --bin vpcsim "$@" >&2

train "$dir/use/$profile_dir/vpcsim" "$dir/reports/use"
if ! diff -r -q "$dir/reports/gen" "$dir/reports/use" >&2; then
  echo "pgo: the optimised build's reports differ from the instrumented build's" >&2
  exit 1
fi
echo "pgo: ${#scenarios[@]} scenarios' reports identical in both builds, on 1 and 2 threads" >&2
echo "$dir/use/$profile_dir"
