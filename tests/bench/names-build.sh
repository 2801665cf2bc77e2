#!/usr/bin/env bash
# A copy of dist/ whose wasm keeps its function names, for the CPU profiles
# (tests/bench/profile-load.mjs, profile-everywhere.mjs): the release wasm
# that .ci/build made, bound again with --keep-debug and optimised as Trunk
# does but with -g. Its subresource-integrity attributes are dropped (the
# files differ from the ones they name). Writes /tmp/dist-names or $1.
#
#   bash .ci/build && bash tests/bench/names-build.sh
#   PROFILE_DIST=/tmp/dist-names node tests/bench/profile-load.mjs
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/dist-names}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --keep-debug --out-dir "$tmp" target/wasm32-unknown-unknown/release/sessiondeck.wasm
wasm-opt -Oz -g --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals "$tmp/sessiondeck_bg.wasm" -o "$tmp/opt.wasm"
rm -rf "$out"
cp -r dist "$out"
cp "$tmp/opt.wasm" "$out/$(basename dist/*.wasm)"
cp "$tmp/sessiondeck.js" "$out/$(basename dist/sessiondeck-*.js)"
sed -i -E 's/ integrity=[^ >]*//g' "$out/index.html"
echo "$out: $(du -sh "$out/"*.wasm | cut -f1) of wasm with names"
