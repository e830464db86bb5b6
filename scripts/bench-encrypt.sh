#!/usr/bin/env bash
# Encryption benchmark (see scripts/bench-encrypt.ts): a >= 1 GiB PostgreSQL backup with and
# without encryption.age; wall-time ratio and peak RSS.   (env: BENCH_DIR BENCH_BIG_MIB BENCH_REPS)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then
  echo "/usr/bin/time is missing (Debian package: time)" >&2
  exit 1
fi
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
export BENCH_CLI="$PWD/node_modules/.cache/vya-bench-enc/cli.js"
npx tsup --silent --out-dir node_modules/.cache/vya-bench-enc
exec npx tsx scripts/bench-encrypt.ts "$@"
