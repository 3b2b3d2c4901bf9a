#!/usr/bin/env bash
# Checkout: places ORDERS orders from CLIENTS concurrent clients (each a whole guest journey:
# add to cart, checkout form, review, place order) and prints orders/min and the latency of
# "place order" (p50, p99). Twice per database: as fast as the clients go (the store's
# capacity; latency then includes queueing behind the other journeys), and with journeys
# started at a fixed RATE per minute (the latency a shopper sees at that load). Not a test:
# it prints figures. On SQLite, then on PostgreSQL (127.0.0.1:5432) when it is there.
#   scripts/bench-orders.sh [CLIENTS] [ORDERS] [RATE]          defaults: 50 1000 1000
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
clients="${1:-50}"
orders="${2:-1000}"
rate="${3:-1000}"

bench_build
bin="$CARGO_TARGET_DIR/release/tradewind"
work="$(mktemp -d)"
trap '[ -z "${pid:-}" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
export TRADEWIND_DATA_DIR="$work/data"
"$bin" seed >/dev/null
sku=TW-LOTUS-TEAPOT-JADE
# Enough units that the benchmark measures ordering, not selling out.
"$bin" stock set "$sku" "$((orders * 2))" >/dev/null
variant=$("$bin" stock show "$sku" | awk 'NR==1 {print $1}')

run() {
  bench_serve 3400 "$@"
  bench_rss
  node scripts/bench-orders.mjs http://127.0.0.1:3400 "$clients" "$orders" "$variant"
  node scripts/bench-orders.mjs http://127.0.0.1:3400 "$clients" "$((orders / 2))" "$variant" "$rate"
  bench_rss
}

echo "== SQLite"
run --metrics-listen off

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "== PostgreSQL"
  db="tradewind_bench_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" >/dev/null
  trap 'kill "${pid:-}" 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
  "$bin" seed >/dev/null
  "$bin" stock set "$sku" "$((orders * 2))" >/dev/null
  variant=$("$bin" stock show "$sku" | awk 'NR==1 {print $1}')
  run --metrics-listen off
fi
