# Shared by the scripts: where builds and tools live, outside the clone so that repeat
# runs (and CI on the same machine) reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradewind/target}"
TRADEWIND_TOOLS="${TRADEWIND_TOOLS:-$HOME/.cache/tradewind/tools}"
TRADEWIND_NODE="${TRADEWIND_NODE:-$HOME/.cache/tradewind/node}"
export PATH="$TRADEWIND_NODE/node_modules/.bin:$TRADEWIND_TOOLS/bin:$HOME/.cargo/bin:$PATH"
export TRADEWIND_SITE_DIR="${TRADEWIND_SITE_DIR:-$CARGO_TARGET_DIR/site}"
# The exact wasm-bindgen the app crate pins; the CLI must match it.
WASM_BINDGEN_VERSION=0.2.130

# For the benchmark scripts: the tools, the browser bundle and the release binary.
bench_build() {
  scripts/setup.sh --bench
  [ -f "$TRADEWIND_SITE_DIR/pkg/current" ] || scripts/build-site.sh
  cargo build --release -p tradewind-server
}

# Waits until a store answers /healthz (two minutes at most).
wait_healthy() {
  for _ in $(seq 240); do
    curl -sf "$1/healthz" >/dev/null && return 0
    sleep 0.5
  done
  echo "no answer from $1" >&2
  return 1
}
