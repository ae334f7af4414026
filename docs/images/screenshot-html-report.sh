#!/usr/bin/env bash
# Redraws docs/images/html-report.png: the HTML report of a shipped
# scenario (`vpcsim check --html`) as headless Chromium shows it, the top of
# the page (topology, traffic, expectations, cost) and its first charts.
#
#   docs/images/screenshot-html-report.sh [SCENARIO]
#
# Needs a built vpcsim (target/release/vpcsim, or $VPCSIM), Chromium
# (/usr/bin/chromium, or $CHROMIUM) and Graphviz's `dot` for the topology.
# With ImageMagick's `convert` on PATH the picture is reduced to 64 colours,
# which keeps it small; without, it is written as Chromium took it.
set -euo pipefail
cd "$(dirname "$0")/../.."
scenario=${1:-scenarios/nat-deleted-midrun.toml}
vpcsim=${VPCSIM:-${CARGO_TARGET_DIR:-target}/release/vpcsim}
chromium=${CHROMIUM:-/usr/bin/chromium}
out=docs/images/html-report.png
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# `check` exits 1 when an expectation fails; the page is written either way.
"$vpcsim" check "$scenario" --quiet --html "$tmp/report.html" >/dev/null || [ $? -eq 1 ]
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --no-first-run --disable-background-networking --disable-component-update \
  --user-data-dir="$tmp/profile" --window-size=1240,2780 \
  --force-device-scale-factor=0.6 \
  --screenshot="$tmp/report.png" "file://$tmp/report.html" 2>/dev/null
if convert -version 2>/dev/null | grep -q ImageMagick; then
  convert "$tmp/report.png" -colors 64 -strip "PNG8:$out"
else
  cp "$tmp/report.png" "$out"
fi
echo "wrote $out ($(wc -c <"$out") bytes) from $scenario"
