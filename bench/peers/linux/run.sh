#!/usr/bin/env bash
# Linux itself on the path of scenarios/s3-upload-rtt-{2,20}ms.toml: one TCP
# upload of 50 MiB from one network namespace (the instance) to another (S3)
# over a path of a fixed round trip, paced at AWS's 5 Gbit/s for a single
# flow (BW-3), timed by curl against a small HTTP server (sink.py). The
# kernel here has no netem, so the delayed path is delayline.py: two TUN
# devices and a process that forwards each packet after half the round trip.
# The uploader's device has the instance's MTU, 9001; S3's has 1500, the MTU
# of an AWS service's public address (MTU-1, MTU-2), so TCP sends segments of
# S3's MSS (MTU-5), as in vpcsim.
#
# TCP keeps Linux's defaults as docs/traffic.md states them, set in each
# namespace: tcp_rmem 4096 131072 6291456, tcp_wmem 4096 16384 4194304,
# CUBIC (by the route's congctl, since a namespace other than the first may
# not make a restricted algorithm its default), SACK and timestamps on; the
# route metrics cache is off, so that every upload starts as a first one.
# The delay line runs at real-time priority (chrt -f) and the endpoints just
# below it, so that other processes on the machine do not delay the line's
# releases; the report says how late releases came.
#
# Cases, in order (CASES to choose; RUNS uploads each, default 5):
#   capacity-tcp  no delay and no pacing: the most the line and the two TCP
#                 stacks carry (Gbit/s), to show whether the line limits
#   capacity-pps  no delay and no pacing: small UDP packets, the most the
#                 line forwards per second when nothing is aggregated
#   rtt-2ms       1 ms each way, 5 Gbit/s
#   rtt-20ms      10 ms each way, 5 Gbit/s
#   rtt-2ms-blocking, rtt-20ms-blocking
#                 the same with put.py (Python's http.client, blocking
#                 sendall) in place of curl (poll, then write): how much the
#                 writer's use of the send buffer sets the data in flight
# One line per case on standard output (median and range of curl's
# time_total over the runs, ping through the line, the load average, what
# the delay line saw); each upload's phases on standard error. With VPCSIM
# pointing at a built vpcsim binary (default target/release/vpcsim), each
# round trip's line also gives vpcsim's time for the same upload, the
# difference, and when vpcsim's sender had sent 1 MB, 10 MB, 25 MB and
# 50 MiB (pcap_marks.py), beside the line's record of Linux's. Needs root, ip, python3, curl and ping (installed with apt-get
# when missing). Leaves the delay line's JSON reports in OUT (default: a new
# directory under /tmp); removes its namespaces on any exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../../.."

runs="${RUNS:-5}"
cases="${CASES:-capacity-tcp capacity-pps rtt-2ms rtt-20ms rtt-2ms-blocking rtt-20ms-blocking}"
vpcsim="${VPCSIM:-target/release/vpcsim}"
out="${OUT:-$(mktemp -d /tmp/vpcsim-linux-peer.XXXXXX)}"
mkdir -p "$out"
nsa=vpcsim-peer-a
nsb=vpcsim-peer-b
addr_a=10.77.0.1
addr_b=10.77.0.2
payload="$out/upload-50MiB"

for case in $cases; do
  case "$case" in
    capacity-tcp | capacity-pps | rtt-2ms | rtt-20ms | rtt-2ms-blocking | rtt-20ms-blocking) ;;
    *)
      echo "unknown case $case (capacity-tcp, capacity-pps, rtt-2ms, rtt-20ms, rtt-2ms-blocking, rtt-20ms-blocking)" >&2
      exit 2
      ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "run.sh needs root (network namespaces, TUN devices)" >&2
  exit 2
fi
if ! command -v curl >/dev/null 2>&1 || ! command -v ping >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq curl iputils-ping >/dev/null
fi

line_pid=""
sink_pid=""
stop_pid() {
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
teardown() {
  stop_pid "$sink_pid"
  sink_pid=""
  stop_pid "$line_pid"
  line_pid=""
  ip netns del "$nsa" 2>/dev/null || true
  ip netns del "$nsb" 2>/dev/null || true
}
trap 'teardown; rm -f "$payload"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rt_line=()
rt_app=()
if chrt -f 1 true 2>/dev/null; then
  rt_line=(chrt -f 20)
  rt_app=(chrt -f 10)
else
  echo "chrt -f is not allowed here: the line runs at normal priority" >&2
fi

wait_ready() {
  for _ in $(seq 100); do
    grep -q '^ready' "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "no 'ready' in $1:" >&2
  cat "$1" >&2
  return 1
}

# setup CASE ONE_WAY_MS RATE_GBIT
setup() {
  teardown
  ip netns add "$nsa"
  ip netns add "$nsb"
  for ns in "$nsa" "$nsb"; do
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw \
      net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
      net.ipv4.tcp_rmem="4096 131072 6291456" \
      net.ipv4.tcp_wmem="4096 16384 4194304" \
      net.ipv4.tcp_sack=1 net.ipv4.tcp_timestamps=1 net.ipv4.tcp_window_scaling=1 \
      net.ipv4.tcp_no_metrics_save=1
  done
  "${rt_line[@]}" python3 "$here/delayline.py" --ns-a "$nsa" --ns-b "$nsb" \
    --addr-a "$addr_a" --addr-b "$addr_b" --mtu-a 9001 --mtu-b 1500 \
    --delay-ms "$2" --rate-gbit "$3" --report "$out/$1.line.json" \
    >"$out/$1.line.out" 2>&1 &
  line_pid=$!
  wait_ready "$out/$1.line.out"
  ip -n "$nsa" route replace "$addr_b/32" dev "dla$line_pid" src "$addr_a" congctl cubic
  ip -n "$nsb" route replace "$addr_a/32" dev "dlb$line_pid" src "$addr_b" congctl cubic
}

start_sink() {
  ip netns exec "$nsb" "${rt_app[@]}" python3 "$here/sink.py" "$addr_b" 8080 \
    >"$out/$1.sink.out" 2>&1 &
  sink_pid=$!
  wait_ready "$out/$1.sink.out"
}

# uploads CASE CLIENT: RUNS uploads with curl or put.py, one line each in
# $out/CASE.times
uploads() {
  : >"$out/$1.times"
  for _ in $(seq "$runs"); do
    ip -n "$nsa" tcp_metrics flush all 2>/dev/null || true
    sleep 0.3
    if [ "$2" = curl ]; then
      t=$(ip netns exec "$nsa" "${rt_app[@]}" curl -sS -o /dev/null -H 'Expect:' \
        -T "$payload" "http://$addr_b:8080/upload" \
        -w '%{time_connect} %{time_total} %{size_upload}')
    else
      t=$(ip netns exec "$nsa" "${rt_app[@]}" python3 "$here/put.py" "$addr_b" 8080 "$payload")
    fi
    read -r load1 _ </proc/loadavg
    echo "$t $load1" >>"$out/$1.times"
    echo "  $1: curl time_connect time_total bytes load1: $t $load1" >&2
  done
}

# vpcsim_upload SCENARIO: vpcsim's completion time for the scenario's upload and
# the same milestones as the line's, from its capture at the uploader
vpcsim_upload() {
  [ -x "$vpcsim" ] || return 0
  "$vpcsim" run --quiet "scenarios/$1.toml" --pcap "$out/$1.pcap" --pcap-only uploader |
    awk '$1 == "upload" { print $7 }'
  python3 "$here/pcap_marks.py" "$out/$1.pcap/uploader.pcap" 10.0.1.4
  rm -r "$out/$1.pcap"
}

head -c $((50 << 20)) /dev/zero >"$payload"

setup settings 0 0
printf 'settings kernel=%s' "$(uname -r)"
for key in tcp_rmem tcp_wmem tcp_sack tcp_timestamps tcp_limit_output_bytes tcp_adv_win_scale; do
  printf ' %s=%s' "$key" "$(ip netns exec "$nsa" sysctl -n "net.ipv4.$key" | tr '\t' ',')"
done
printf ' default_congestion=%s route_congestion=cubic' \
  "$(ip netns exec "$nsa" sysctl -n net.ipv4.tcp_congestion_control)"
for key in hystart hystart_detect hystart_low_window beta bic_scale; do
  [ -r "/sys/module/tcp_cubic/parameters/$key" ] &&
    printf ' cubic_%s=%s' "$key" "$(cat "/sys/module/tcp_cubic/parameters/$key")"
done
printf ' mtu_a=%s mtu_b=%s priority=%s\n' \
  "$(ip netns exec "$nsa" cat "/sys/class/net/dla$line_pid/mtu")" \
  "$(ip netns exec "$nsb" cat "/sys/class/net/dlb$line_pid/mtu")" \
  "${rt_line[*]:-normal}"
teardown

for case in $cases; do
  case "$case" in
    capacity-tcp)
      setup "$case" 0 0
      start_sink "$case"
      ip netns exec "$nsa" ping -c 50 -i 0.02 -q "$addr_b" >"$out/$case.ping"
      uploads "$case" curl
      teardown
      python3 "$here/summarize.py" "$case" "$out/$case.times" "$out/$case.ping" "$out/$case.line.json"
      ;;
    capacity-pps)
      setup "$case" 0 0
      sent=$(ip netns exec "$nsa" "${rt_app[@]}" python3 "$here/udpflood.py" "$addr_b" 9 2)
      tun_drops=$(ip netns exec "$nsa" cat "/sys/class/net/dla$line_pid/statistics/tx_dropped")
      read -r load1 _ </proc/loadavg
      teardown
      python3 - "$out/$case.line.json" "$sent" "$tun_drops" "$load1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["a_to_b"]
pps = r["buffers"] / r["active_s"] if r["active_s"] else 0
print(f"capacity-pps sent={sys.argv[2]} forwarded={r['buffers']} in {r['active_s']} s "
      f"forwarded_pps={pps:.0f} dropped_before_line={sys.argv[3]} "
      f"line_late_us_p99/max={r['late_us']['p99']}/{r['late_us']['max']} load1={sys.argv[4]}")
EOF
      ;;
    rtt-2ms | rtt-20ms | rtt-2ms-blocking | rtt-20ms-blocking)
      rtt="${case%-blocking}"
      one_way=1
      [ "$rtt" = rtt-20ms ] && one_way=10
      client=curl
      [ "$rtt" = "$case" ] || client=put.py
      setup "$case" "$one_way" 5
      start_sink "$case"
      ip netns exec "$nsa" ping -c 50 -i 0.02 -q "$addr_b" >"$out/$case.ping"
      uploads "$case" "$client"
      teardown
      python3 "$here/summarize.py" "$case" "$out/$case.times" "$out/$case.ping" \
        "$out/$case.line.json" $(vpcsim_upload "s3-upload-$rtt")
      ;;
  esac
done
echo "reports in $out" >&2
