#!/usr/bin/env bash
# Restore benchmark (see scripts/bench-restore.ts): vya-backupdb restore of a >= 1 GiB dump vs
# `gunzip -c dump.sql.gz | psql --single-transaction` and `gunzip -c dump.sql.gz | mariadb`,
# same run, same data; median wall-time ratio.
# Usage: bash scripts/bench-restore.sh [postgres] [mariadb]   (env: BENCH_DIR BENCH_MIB BENCH_REPS)
set -euo pipefail
cd "$(dirname "$0")/.."
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
export BENCH_CLI="$PWD/node_modules/.cache/vya-bench-restore/cli.js"
npx tsup --silent --out-dir node_modules/.cache/vya-bench-restore
exec npx tsx scripts/bench-restore.ts "$@"
