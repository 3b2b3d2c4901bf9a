#!/usr/bin/env bash
# Runs every test: domain unit tests, the router on SQLite and on PostgreSQL, the locale
# check, then the shopper's journey in headless Chromium with and without JavaScript.
# Installs whatever is missing first (scripts/setup.sh --browser).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

scripts/setup.sh --browser

# The suite runs on PostgreSQL too (127.0.0.1:5432, trust auth); start it if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "test: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

echo "== cargo test (SQLite and PostgreSQL)"
TRADEWIND_REQUIRE_POSTGRES=1 cargo test --workspace

echo "== browser bundle and server for the journeys (the bundle built into the binary)"
scripts/build-site.sh
cargo build -p tradewind-server --features embed-site

echo "== Chromium journeys (JavaScript on and off)"
TRADEWIND_NODE="$TRADEWIND_NODE" TRADEWIND_BIN="$CARGO_TARGET_DIR/debug/tradewind" \
  node --test tests/e2e/
