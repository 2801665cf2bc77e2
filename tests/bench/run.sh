#!/usr/bin/env bash
# The benchmark: installs what is missing, builds the release panel and the
# reference server, then measures (see tests/bench/bench.mjs and scale.mjs).
# Figures go to bench-results/: results.{md,json}, scale.{md,json} and
# scale-h2.{md,json} (the million through deploy/nginx.conf).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/install
bash .ci/build
node tests/bench/bench.mjs
node tests/bench/scale.mjs
SCALE_VIA=h2 SCALE_SIZES=1000000 node tests/bench/scale.mjs
