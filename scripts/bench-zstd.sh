#!/usr/bin/env bash
# Compression benchmark (scripts/bench-zstd.ts): zstd and parallel deflate against pg_dump > /dev/null,
# pg_dump | gzip -6, pg_dump | zstd -3 and zstd -dc | psql, one run. Env: BENCH_ZSTD_MIB BENCH_REPS BENCH_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time; }
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
export BENCH_CLI="$PWD/node_modules/.cache/vya-bench-zstd/cli.js"
npx tsup --silent --out-dir node_modules/.cache/vya-bench-zstd
exec npx tsx scripts/bench-zstd.ts "$@"
