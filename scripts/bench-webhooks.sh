#!/usr/bin/env bash
# Stripe webhooks while checkout traffic runs: 50 clients place orders as fast as they go
# (scripts/bench-orders.mjs) while CONCURRENCY senders deliver signed events for SECONDS
# (scripts/bench-webhooks.mjs); prints both. Then the webhooks alone, for comparison. Not a
# test: it prints figures. SQLite, then PostgreSQL (127.0.0.1:5432) when it is there.
# Last, paid transitions: card orders paid by `payment_intent.succeeded` events.
#   scripts/bench-webhooks.sh [CONCURRENCY] [SECONDS] [CARD_ORDERS]     defaults: 8 15 2000
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
senders="${1:-8}"
seconds="${2:-15}"
card_orders="${3:-2000}"
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

# SQL on the bench's database: SQLite through Python's sqlite3, or PostgreSQL through psql.
sql() {
  if [ -n "${DATABASE_URL:-}" ]; then
    psql -qAt -F $'\t' "$DATABASE_URL" -c "$1"
  else
    python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for row in c.execute(sys.argv[2]):
    print("\t".join(map(str, row)))
c.commit()' "$TRADEWIND_DATA_DIR/tradewind.db" "$1"
  fi
}

# Paid transitions: CARD_ORDERS card orders placed through checkout, their PaymentIntents
# written as the card form's first try would (the store never calls Stripe here: its API
# base answers nothing), then paid by signed `payment_intent.succeeded` events.
paid() {
  local variant
  variant=$("$bin" stock show "$sku" | awk 'NR==1 {print $1}')
  bench_serve 3401 --metrics-listen off --stripe-secret-key sk_test_bench \
    --stripe-publishable-key pk_test_bench --stripe-api-base http://127.0.0.1:9/
  BENCH_PAYMENT=card node scripts/bench-orders.mjs http://127.0.0.1:3401 50 "$card_orders" "$variant" >/dev/null
  sql "UPDATE payment SET provider = 'stripe', provider_ref = 'pi_bench_' || order_id WHERE method = 'card' AND provider_ref IS NULL" >/dev/null
  sql "SELECT provider_ref, amount_minor, lower(currency) FROM payment WHERE method = 'card' AND status = 'pending'" |
    python3 -c 'import json, sys; print(json.dumps([[r[0], int(r[1]), r[2]] for r in (l.rstrip("\n").split("\t") for l in sys.stdin) if r[0]]))' \
    >"$work/intents.json"
  echo "paying $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$work/intents.json") card orders by webhook:"
  node scripts/bench-webhooks.mjs http://127.0.0.1:3401 "$secret" "$senders" 600 "$work/intents.json"
  echo "orders paid: $(sql "SELECT count(*) FROM shop_order WHERE status = 'paid'")"
}

echo "== SQLite"
run
paid

if bench_postgres; then
  echo "== PostgreSQL"
  run
  paid
fi
