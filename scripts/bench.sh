#!/usr/bin/env bash
# Product-page throughput and latency on a large catalog. Not a test: it prints figures.
#   scripts/bench.sh [PRODUCTS] [SECONDS] [CONNECTIONS]      defaults: 100000 20 32
# Seeds a scratch SQLite store with PRODUCTS synthetic products (10 locales each), starts the
# release binary on 127.0.0.1:3999, and runs wrk over 2,000 product URLs in all locales.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
products="${1:-100000}"
seconds="${2:-20}"
connections="${3:-32}"

bench_start "$products"

bench_serve 3999

# Product URLs from the sitemap: spread over the catalog and over all ten locales.
parts=$(curl -sf http://127.0.0.1:3999/sitemap.xml | grep -o 'products-[0-9]*\.xml' | sort -u)
for part in $parts; do curl -sf "http://127.0.0.1:3999/sitemaps/$part"; done \
  | grep -o '<loc>[^<]*</loc>' | sed 's#<loc>http://127.0.0.1:3999##; s#</loc>##' \
  | shuf -n 2000 --random-source=<(yes) > "$work/paths.txt"
echo "urls: $(wc -l < "$work/paths.txt") product pages, e.g. $(head -n1 "$work/paths.txt")"


# Warm up, then measure.
wrk -t2 -c8 -d3s -s scripts/wrk-rotate.lua http://127.0.0.1:3999 -- "$work/paths.txt" >/dev/null
echo "== wrk: 2 threads, $connections connections, ${seconds}s, product pages"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s scripts/wrk-rotate.lua http://127.0.0.1:3999 -- "$work/paths.txt" \
  | grep -E '^(requests|latency):|Requests/sec|Latency|50%|75%|90%|99%|requests in|Non-2xx|Socket errors'
bench_rss
