#!/usr/bin/env bash
# Builds the browser bundle (the islands) into $TRADEWIND_SITE_DIR/pkg: an optimized wasm
# and its JS glue, named by content hash and precompressed, plus pkg/current naming them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

cargo build -p tradewind-app --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --profile wasm-release
raw="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm-release/tradewind_app.wasm"
out="$CARGO_TARGET_DIR/wasm-bindgen"
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name tradewind "$raw"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/tradewind_bg.wasm" -o "$out/tradewind_bg.opt.wasm"
mv "$out/tradewind_bg.opt.wasm" "$out/tradewind_bg.wasm"

hash=$(cat "$out/tradewind.js" "$out/tradewind_bg.wasm" | sha256sum | cut -c1-16)
name="tradewind-$hash"
pkg="$TRADEWIND_SITE_DIR/pkg"
mkdir -p "$pkg"
cp "$out/tradewind.js" "$pkg/$name.js"
cp "$out/tradewind_bg.wasm" "$pkg/${name}_bg.wasm"
for f in "$pkg/$name.js" "$pkg/${name}_bg.wasm"; do
  gzip -9 -k -f "$f"
  if command -v brotli >/dev/null; then brotli -q 11 -f -k "$f"; fi
done
echo "$name" > "$pkg/current"
# What a release binary embeds (cargo's --features embed-site): the current bundle only.
embed="$TRADEWIND_SITE_DIR/embed"
rm -rf "$embed" && mkdir -p "$embed"
cp "$pkg/$name".js* "$pkg/${name}_bg"* "$pkg/current" "$embed/"
# Older bundles stay a while for pages already open in browsers; prune all but the last 3.
ls -t "$pkg"/tradewind-*.js 2>/dev/null | tail -n +4 | while read -r old; do
  rm -f "${old%.js}"*
done
printf 'site: %s/%s  wasm %s B (gzip %s B), js %s B\n' "$pkg" "$name" \
  "$(stat -c %s "$pkg/${name}_bg.wasm")" "$(stat -c %s "$pkg/${name}_bg.wasm.gz")" "$(stat -c %s "$pkg/$name.js")"
