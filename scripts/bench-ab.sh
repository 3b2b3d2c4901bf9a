#!/usr/bin/env bash
# A/B of product pages between two release binaries, alternated, each on its own seeded
# store (their schemas may differ): req/s, latency and server CPU per page. This VM's speed
# varies from run to run, so compare the alternated pairs, and CPU per page above all.
#   OLD=path/to/old/tradewind NEW=path/to/new/tradewind scripts/bench-ab.sh
#   N (products, 10000), SECS (10), CONN (32), ROUNDS (2) as environment variables.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
N=${N:-10000}; SECS=${SECS:-10}; CONN=${CONN:-32}; ROUNDS=${ROUNDS:-2}
OLD=${OLD:?OLD=path of the old release binary}
NEW=${NEW:-$CARGO_TARGET_DIR/release/tradewind}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
declare -A bin=([old]="$OLD" [new]="$NEW")
for v in old new; do
  mkdir -p "$work/$v"
  echo "$v: $(TRADEWIND_DATA_DIR="$work/$v" "${bin[$v]}" seed --products "$N" | tail -1)"
done
run() {
  local v=$1 port=$2
  TRADEWIND_DATA_DIR="$work/$v" "${bin[$v]}" serve --listen 127.0.0.1:$port \
    --public-url http://127.0.0.1:$port --no-seed >"$work/$v.log" 2>&1 &
  local pid=$!
  for _ in $(seq 240); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.5; done
  parts=$(curl -sf http://127.0.0.1:$port/sitemap.xml | grep -o 'products-[0-9]*\.xml' | sort -u)
  for part in $parts; do curl -sf "http://127.0.0.1:$port/sitemaps/$part"; done \
    | grep -o '<loc>[^<]*</loc>' | sed "s#<loc>http://127.0.0.1:$port##; s#</loc>##" \
    | shuf -n 2000 --random-source=<(yes) > "$work/paths-$v.txt"
  wrk -t2 -c8 -d3s -s scripts/wrk-rotate.lua http://127.0.0.1:$port -- "$work/paths-$v.txt" >/dev/null
  local t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  out=$(wrk -t2 -c$CONN -d${SECS}s --latency -s scripts/wrk-rotate.lua http://127.0.0.1:$port -- "$work/paths-$v.txt")
  local t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  local reqs=$(echo "$out" | grep -o '^requests: [0-9]*' | awk '{print $2}')
  local cpu=$(awk -v a=$t0 -v b=$t1 -v r=$reqs -v hz=$(getconf CLK_TCK) 'BEGIN{printf "%.2f", (b-a)/hz*1000/r}')
  echo "$v: $(echo "$out" | grep -E '^requests:' ) | $(echo "$out" | grep -E '^latency:' ) | cpu/page ${cpu} ms | rss $(ps -o rss= -p $pid | awk '{printf "%.0f MB", $1/1024}')"
  kill $pid; wait $pid 2>/dev/null || true
}
for _ in $(seq "$ROUNDS"); do run old 3901; run new 3902; done
