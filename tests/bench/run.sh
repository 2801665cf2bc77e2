#!/usr/bin/env bash
# The benchmark: installs what is missing, builds the release panel and the
# reference server, then measures (see tests/bench/bench.mjs). Figures go to
# bench-results/results.md and results.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash .ci/install
bash .ci/build
node tests/bench/bench.mjs
