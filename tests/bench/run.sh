#!/usr/bin/env bash
# The benchmark: installs what is missing, builds the release panel and the
# reference server, then measures (see tests/bench/bench.mjs and scale.mjs).
# Figures go to bench-results/: results.{md,json}, scale.{md,json},
# scale-h2.{md,json} and scale-h2-50ms.{md,json} (the million through
# deploy/nginx.conf, at once and 50 ms an answer) and
# scale-h2-50ms-verify.{md,json} (100,000 so, then 1,000 verified revokes
# beside the browser's plain fetch of 1,000 logouts, and of 1,000 logouts
# each followed by its lookup by ID; a verifying read of a filtered list
# costs the server a scan of every session, as the real server's regex
# does, so a million makes the server the bound).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/install
bash .ci/build
node tests/bench/bench.mjs
SCALE_EVERYWHERE=300000 node tests/bench/scale.mjs
SCALE_VIA=h2 SCALE_SIZES=1000000 node tests/bench/scale.mjs
SCALE_VIA=h2 SCALE_LATENCY_MS=50 SCALE_SIZES=1000000 node tests/bench/scale.mjs
SCALE_VIA=h2 SCALE_LATENCY_MS=50 SCALE_VERIFY=1 SCALE_SIZES=100000 node tests/bench/scale.mjs
