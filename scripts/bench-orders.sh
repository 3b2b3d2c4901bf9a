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

bench_scratch
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

if bench_postgres; then
  echo "== PostgreSQL"
  "$bin" seed >/dev/null
  "$bin" stock set "$sku" "$((orders * 2))" >/dev/null
  variant=$("$bin" stock show "$sku" | awk 'NR==1 {print $1}')
  run --metrics-listen off
fi
