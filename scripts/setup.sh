#!/usr/bin/env bash
# Installs what the build and tests need, from the package registries only, and only what
# is missing: safe to run again. Flags: --browser (the test run: Chromium + fonts for e2e,
# the PostgreSQL client for the backup tests, aiosmtpd for the email tests, localstripe for
# the card tests), --bench (wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

want_browser=0
want_bench=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --bench) want_bench=1 ;;
    *) echo "setup.sh: unknown flag $arg" >&2; exit 2 ;;
  esac
done

if ! command -v cargo >/dev/null; then
  echo "setup.sh: cargo not found; install stable Rust (rustup) first" >&2
  exit 1
fi
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "setup: adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: its lock file wants a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --root "$TRADEWIND_TOOLS"
fi

apt_install() {
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

missing_apt=()
command -v brotli >/dev/null || missing_apt+=(brotli)
if [ "$want_browser" = 1 ]; then
  # The full test run: the backup tests on PostgreSQL call pg_dump and pg_restore.
  command -v pg_dump >/dev/null || missing_apt+=(postgresql-client)
  [ -x /usr/bin/chromium ] || missing_apt+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing_apt+=(fonts-noto-cjk)
  python3 -m pip --version >/dev/null 2>&1 || missing_apt+=(python3-pip)
fi
if [ "$want_bench" = 1 ]; then
  command -v wrk >/dev/null || missing_apt+=(wrk)
fi
if [ ${#missing_apt[@]} -gt 0 ]; then
  echo "setup: apt-get install ${missing_apt[*]}"
  apt_install "${missing_apt[@]}"
fi

# The test peers, from PyPI, beside the clone, not in the system's Python: the SMTP server
# the email tests send to (aiosmtpd) and the Stripe stand-in the card tests pay against
# (localstripe, run by scripts/stripe-peer.py).
pip_install() {
  echo "setup: pip install $1"
  # --target never touches the system's packages; Debian's pip still asks for the flag.
  python3 -m pip install --quiet --disable-pip-version-check --target "$TRADEWIND_PYTHON" "$1" \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages \
      --target "$TRADEWIND_PYTHON" "$1"
}
if [ "$want_browser" = 1 ]; then
  PYTHONPATH="$TRADEWIND_PYTHON" python3 -c 'import aiosmtpd' 2>/dev/null || pip_install 'aiosmtpd==1.4.6'
  PYTHONPATH="$TRADEWIND_PYTHON" python3 -c 'import localstripe' 2>/dev/null || pip_install 'localstripe==1.15.10'
fi

# Node packages: wasm-opt (binaryen 132; Debian's 108 writes wasm that crashes),
# playwright-core for the browser tests, and Prism, which mocks PayPal's API from PayPal's
# OpenAPI files for the payment tests (scripts/paypal-peer.mjs). Pinned in scripts/package.json.
mkdir -p "$TRADEWIND_NODE"
if ! cmp -s scripts/package.json "$TRADEWIND_NODE/package.json" || [ ! -x "$TRADEWIND_NODE/node_modules/.bin/wasm-opt" ] \
  || [ ! -x "$TRADEWIND_NODE/node_modules/.bin/prism" ]; then
  echo "setup: npm install (binaryen, playwright-core, prism-cli)"
  cp scripts/package.json "$TRADEWIND_NODE/package.json"
  (cd "$TRADEWIND_NODE" && npm install --no-audit --no-fund --loglevel=error)
fi
