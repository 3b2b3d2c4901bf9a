# Shared by the scripts: where builds and tools live, outside the clone so that repeat
# runs (and CI on the same machine) reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tradewind/target}"
TRADEWIND_TOOLS="${TRADEWIND_TOOLS:-$HOME/.cache/tradewind/tools}"
TRADEWIND_NODE="${TRADEWIND_NODE:-$HOME/.cache/tradewind/node}"
# Python packages for the tests (aiosmtpd, the SMTP server order email is tested against).
export TRADEWIND_PYTHON="${TRADEWIND_PYTHON:-$HOME/.cache/tradewind/python}"
export PATH="$TRADEWIND_NODE/node_modules/.bin:$TRADEWIND_TOOLS/bin:$HOME/.cargo/bin:$PATH"
export TRADEWIND_SITE_DIR="${TRADEWIND_SITE_DIR:-$CARGO_TARGET_DIR/site}"
# The exact wasm-bindgen the app crate pins; the CLI must match it.
WASM_BINDGEN_VERSION=0.2.130

# For the benchmark scripts: the tools, the browser bundle and the release binary.
bench_build() {
  scripts/setup.sh --bench
  [ -f "$TRADEWIND_SITE_DIR/pkg/current" ] || scripts/build-site.sh
  cargo build --release -p tradewind-server --features embed-site
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

# For the benchmark scripts: a data dir seeded with PRODUCTS synthetic products in TRADEWIND_DATA_DIR.
# Seeding 100,000 products takes a minute or more, so the seeded store is kept in
# ~/.cache/tradewind/bench, keyed by the code that shapes it (migrations, seed, entities),
# and each run works on a fresh copy of it.
bench_store() {
  local products="$1" bin="$2" key cache
  key=$(git ls-files -s migrations domain/src/seed domain/src/entity | sha1sum | cut -c1-12)
  cache="$HOME/.cache/tradewind/bench/$key-$products"
  if [ ! -f "$cache/tradewind.db" ]; then
    rm -rf "$HOME/.cache/tradewind/bench"
    echo "== seeding $products products (kept in $cache for later runs)"
    TRADEWIND_DATA_DIR="$cache.tmp" /usr/bin/time -f "seed: %e s, max RSS %M KB" \
      "$bin" seed --products "$products" | tail -n 1
    rm -rf "$cache.tmp/search"
    mv "$cache.tmp" "$cache"
  else
    echo "== reusing $products seeded products from $cache"
  fi
  ls -l "$cache/tradewind.db" | awk '{printf "database: %.0f MB\n", $5/1048576}'
  cp -r "$cache" "$TRADEWIND_DATA_DIR"
}

# For the benchmark scripts: builds, then makes a scratch dir ($work, removed at exit with the
# server); sets $bin and TRADEWIND_DATA_DIR (an empty data dir in $work).
bench_scratch() {
  bench_build
  bin="$CARGO_TARGET_DIR/release/tradewind"
  work="$(mktemp -d)"
  trap '[ -z "${pid:-}" ] || kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
  export TRADEWIND_DATA_DIR="$work/data"
}

# bench_scratch, with the data dir holding a store seeded with PRODUCTS products.
bench_start() {
  bench_scratch
  bench_store "$1" "$bin"
}

# (Re)starts the release server on 127.0.0.1:PORT with any further flags; sets $pid.
bench_serve() {
  local port="$1"
  shift
  if [ -n "${pid:-}" ]; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  "$bin" serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" "$@" >"$work/serve.log" 2>&1 &
  pid=$!
  wait_healthy "http://127.0.0.1:$port"
}

# For the benchmark scripts: when PostgreSQL answers on 127.0.0.1:5432, a scratch database
# (dropped at exit, with the server and $work) as DATABASE_URL; fails when it is not there.
bench_postgres() {
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || return 1
  db="tradewind_bench_$$"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" >/dev/null
  trap 'kill "${pid:-}" 2>/dev/null; psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
}

bench_rss() {
  echo "server RSS: $(ps -o rss= -p "$pid" | awk '{printf "%.0f MB", $1/1024}')"
}
