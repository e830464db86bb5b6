#!/usr/bin/env bash
# Compression benchmark (scripts/bench-compression.ts, issue 15): every ratio the issue's targets
# name, in one run, at each size given (MiB of plain dump and of files tree), printed as a table.
#   npm run bench -- compression 100 1100      Env: BENCH_REPS (3), BENCH_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
export BENCH_CLI="$PWD/node_modules/.cache/vya-bench-compression/cli.js"
npx tsup --silent --out-dir node_modules/.cache/vya-bench-compression
exec npx tsx scripts/bench-compression.ts "$@"
