#!/usr/bin/env bash
# Stripe webhooks while checkout traffic runs: 50 clients place orders as fast as they go
# (scripts/bench-orders.mjs) while CONCURRENCY senders deliver signed events for SECONDS
# (scripts/bench-webhooks.mjs); prints both. Then the webhooks alone, for comparison. Not a
# test: it prints figures. SQLite, then PostgreSQL (127.0.0.1:5432) when it is there.
#   scripts/bench-webhooks.sh [CONCURRENCY] [SECONDS]          defaults: 8 15
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
senders="${1:-8}"
seconds="${2:-15}"
secret=whsec_bench
export TRADEWIND_STRIPE_WEBHOOK_SECRET="$secret"

bench_scratch
sku=TW-LOTUS-TEAPOT-JADE

run() {
  "$bin" seed >/dev/null
  "$bin" stock set "$sku" 100000 >/dev/null
  local variant
  variant=$("$bin" stock show "$sku" | awk 'NR==1 {print $1}')
  bench_serve 3401 --metrics-listen off
  node scripts/bench-orders.mjs http://127.0.0.1:3401 50 100000 "$variant" >/dev/null &
  local orders=$!
  node scripts/bench-webhooks.mjs http://127.0.0.1:3401 "$secret" "$senders" "$seconds"
  kill "$orders" 2>/dev/null || true
  wait "$orders" 2>/dev/null || true
  # Orders are numbered TW-10001, TW-10002…: the newest says how many were placed.
  local placed
  placed=$("$bin" order list --limit 1 | awk -F'\t' 'NR==1 {sub("TW-", "", $1); print $1 - 10000}')
  echo "meanwhile 50 checkout clients placed ${placed:-0} orders ($(( ${placed:-0} * 60 / seconds ))/min)"
  echo "the webhooks alone:"
  node scripts/bench-webhooks.mjs http://127.0.0.1:3401 "$secret" "$senders" "$seconds"
}

echo "== SQLite"
run

if bench_postgres; then
  echo "== PostgreSQL"
  run
fi
