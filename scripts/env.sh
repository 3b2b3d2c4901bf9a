# Shared by the scripts: where builds and tools live, outside the clone so that repeat
# runs (and CI on the same machine) reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradewind/target}"
TRADEWIND_TOOLS="${TRADEWIND_TOOLS:-$HOME/.cache/tradewind/tools}"
TRADEWIND_NODE="${TRADEWIND_NODE:-$HOME/.cache/tradewind/node}"
export PATH="$TRADEWIND_NODE/node_modules/.bin:$TRADEWIND_TOOLS/bin:$HOME/.cargo/bin:$PATH"
export TRADEWIND_SITE_DIR="${TRADEWIND_SITE_DIR:-$CARGO_TARGET_DIR/site}"
# The exact wasm-bindgen the app crate pins; the CLI must match it.
WASM_BINDGEN_VERSION=0.2.130
