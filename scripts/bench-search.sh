#!/usr/bin/env bash
# Search: index build time and query latency on a large catalog. Not a test: it prints figures.
#   scripts/bench-search.sh [PRODUCTS] [SECONDS]          defaults: 100000 20
# Seeds PRODUCTS synthetic products (text in all ten locales) into a scratch store, times
# `tradewind reindex`, then replays a query mix (single words, two words, typos, CJK, Arabic,
# Vietnamese, SKUs, facets, sorting) against /{locale}/search from 2 concurrent clients with
# wrk and prints p50/p95/p99 and queries/s: whole search pages (index, cards, HTML, gzip).
# Twice: as shoppers' repeats meet it (the results cache on, as in production), and with the
# cache off, so that every request runs the whole search.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
products="${1:-100000}"
seconds="${2:-20}"

bench_start "$products"
echo "== full index build"
/usr/bin/time -f "reindex: %e s wall, max RSS %M KB" "$bin" reindex
du -sh "$TRADEWIND_DATA_DIR/search" | awk '{print "index size: " $1}'

# The query mix: what shoppers in each market type, with a few filters and sorts.
cat > "$work/queries.txt" <<'Q'
/en/search?q=teapot
/en/search?q=mug
/en/search?q=lotus+mug
/en/search?q=teapto
/en/search?q=porcelian+bowl
/en/search?q=jade+green
/en/search?q=silk+scarf&sort=price-asc
/en/search?q=candle&collection=home
/en/search?q=mug&option=colour%3Djade+green
/en/search?q=tote&price=0-2500
/en/search?q=TW-LOTUS-MUG-JADE
/en/search?q=note
/zh-CN/search?q=%E8%8C%B6%E5%A3%B6
/zh-CN/search?q=%E9%A9%AC%E5%85%8B%E6%9D%AF
/ja/search?q=%E3%83%86%E3%82%A3%E3%83%BC%E3%83%9D%E3%83%83%E3%83%88
/ja/search?q=%E3%83%9E%E3%82%B0
/vi/search?q=am+tra
/vi/search?q=coc+su
/ar/search?q=%D8%A7%D8%A8%D8%B1%D9%8A%D9%82
/de/search?q=kanne
/de/search?q=Seidentuch&stock=1
/fr/search?q=theiere
/pt-BR/search?q=canecas
/es/search?q=tetera&sort=newest
/id/search?q=teko
Q
# Prints wrk's figures and the server's CPU time per request (user + system, from /proc),
# which varies less than wall time on a shared machine.
replay() {
  wrk -t2 -c2 -d3s -s scripts/wrk-rotate.lua http://127.0.0.1:3998 -- "$work/queries.txt" >/dev/null
  local before after out
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(wrk -t2 -c2 -d"${seconds}s" -s scripts/wrk-rotate.lua http://127.0.0.1:3998 -- "$work/queries.txt" | grep -E '^(requests|latency):')
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "$out"
  echo "$out" | awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
    '/^requests:/ {printf "server CPU: %.2f ms per request\n", t * 1000 / hz / $2}'
  bench_rss
}

queries=$(wc -l < "$work/queries.txt")
bench_serve 3998
echo "== search pages, results cache on (the default): 2 clients, ${seconds}s, $queries queries in rotation"
replay
bench_serve 3998 --search-cache 0
echo "== search pages, results cache off: every request searches; 2 clients, ${seconds}s"
replay
