#!/usr/bin/env bash
# Sets up what is missing, builds the release binary and the browser bundle, and runs the
# store on embedded SQLite under ./data (seeded with the demo store on first start).
# Extra arguments go to `tradewind serve`, e.g. --listen 0.0.0.0:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

scripts/setup.sh
scripts/build-site.sh
cargo build --release -p tradewind-server --features embed-site
echo "Tradewind: http://127.0.0.1:3000 (Ctrl-C stops it)"
exec "$CARGO_TARGET_DIR/release/tradewind" serve "$@"
