#!/usr/bin/env bash
# The echo workload side by side in ns-3 and in vpcsim, one thread each:
# N pairs of hosts, each client sending a small echo request every 10 us and
# its server answering, for N = 1, 10, 100 (or the N given as arguments).
# ns-3: 64-byte UDP echo over one point-to-point link per pair (echo.py).
# vpcsim: N instance pairs across two subnets with security groups and
# network ACLs, `ping` at 100,000/s each (src/bin/echo.rs).
#
# Prints, per N: N=<n> ns3_pps=<x> vpcsim_pps=<y> ratio=<y/x>, where pps is
# packets delivered per wall-second, then vpcsim_pgo_pps=<z> ratio_pgo=<z/x>
# for the same binary built with profile-guided optimisation, trained on
# the shipped scenarios (bench/scripts/pgo.sh), in the same round: each N
# runs ns-3 once, then each vpcsim build ECHO_RUNS times in turn (the
# builds' order alternating), and each build's median counts. A run of
# vpcsim takes about 0.1 s, and the first after ns-3's process often runs
# up to twice as long as the next: one run alone would charge that to
# the build that runs first (the plain one), and the median leaves it
# out.
#
# The first run creates a Python virtual environment and installs
# ns3==3.44.post0 into it, which builds cppyy and may take many minutes;
# importing ns-3 then takes about a minute per N (its headers are parsed at
# run time). Not run by CI. Environment:
#   NS3_VENV     where the virtual environment lives
#                (default: $CARGO_TARGET_DIR or target, then /ns3-venv)
#   ECHO_PACKETS packets each simulator should deliver per N (default
#                200000): virtual time is ECHO_PACKETS / (N * 200,000/s)
#   ECHO_RUNS    runs of each vpcsim build per N (default 3)
#   PGO          0 to leave out the PGO build (default 1; it builds vpcsim
#                and the echo binary twice more, several minutes)
set -euo pipefail
cd "$(dirname "$0")/../../.."

target="${CARGO_TARGET_DIR:-target}"
venv="${NS3_VENV:-$target/ns3-venv}"
packets="${ECHO_PACKETS:-200000}"
runs="${ECHO_RUNS:-3}"
[ "$runs" -ge 1 ] 2>/dev/null || { echo "ECHO_RUNS must be a whole number, 1 or more" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 100)

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('ns') is None)"; then
  echo "installing ns3==3.44.post0 into $venv (this builds cppyy; it may take many minutes)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet ns3==3.44.post0
fi

# Both builds with the bench profile (fat LTO, one codegen unit), as every
# benchmark of the workspace is built.
cargo build --profile bench -p vpcsim-bench --bin echo >&2
echo_bin="$target/release/echo"
pgo_bin=""
if [ "${PGO:-1}" != 0 ]; then
  pgo_bin="$(PGO_PROFILE=bench bench/scripts/pgo.sh -p vpcsim-bench --bin echo)/echo"
fi

for n in "${sizes[@]}"; do
  seconds=$("$venv/bin/python" -c "print($packets / ($n * 200000))")
  ns3_out=$("$venv/bin/python" bench/peers/ns3/echo.py "$n" "$seconds" 2>/dev/null | grep '^ns3 ')
  sim_out=""
  pgo_out=""
  for ((r = 0; r < runs; r++)); do
    # The builds alternate which runs first.
    if [ -n "$pgo_bin" ] && [ $((r % 2)) = 1 ]; then
      pgo_out+="$("$pgo_bin" "$n" "$seconds");"
      sim_out+="$("$echo_bin" "$n" "$seconds");"
    else
      sim_out+="$("$echo_bin" "$n" "$seconds");"
      [ -z "$pgo_bin" ] || pgo_out+="$("$pgo_bin" "$n" "$seconds");"
    fi
  done
  echo "# $ns3_out" >&2
  sim_shown="${sim_out%;}"
  pgo_shown="${pgo_out%;}"
  echo "# ${sim_shown//;/ | }" >&2
  [ -z "$pgo_out" ] || echo "# pgo: ${pgo_shown//;/ | }" >&2
  "$venv/bin/python" - "$ns3_out" "$sim_out" "$n" "$pgo_out" <<'PY'
import statistics, sys
def pps(line):
    f = dict(kv.split("=") for kv in line.split()[1:])
    return int(f["delivered"]) / float(f["wall"])
def median_pps(lines):
    return statistics.median(pps(l) for l in lines.split(";") if l.strip())
ns3, sim = pps(sys.argv[1]), median_pps(sys.argv[2])
line = f"N={sys.argv[3]} ns3_pps={ns3:.0f} vpcsim_pps={sim:.0f} ratio={sim / ns3:.2f}"
if sys.argv[4]:
    pgo = median_pps(sys.argv[4])
    line += f" vpcsim_pgo_pps={pgo:.0f} ratio_pgo={pgo / ns3:.2f}"
print(line)
PY
done
