#!/usr/bin/env bash
# Database benchmark (see scripts/bench-db.ts): vya-backupdb backup vs `pg_dump | gzip -6` and
# `mariadb-dump | gzip -6` on a >= 1 GiB and a ~100 MiB dump; wall-time ratio and peak RSS.
# Usage: bash scripts/bench-db.sh [postgres] [mariadb]   (env: BENCH_DIR BENCH_BIG_MIB BENCH_SMALL_MIB BENCH_REPS)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get install -y -qq --no-install-recommends time >/dev/null
  else
    echo "/usr/bin/time is missing (Debian package: time); run as root or install it" >&2
    exit 1
  fi
fi
# A private build: test runs rebuild dist/ and would swap the binary mid-measurement.
export BENCH_CLI="$PWD/node_modules/.cache/vya-bench/cli.js"
npx tsup --silent --out-dir node_modules/.cache/vya-bench
exec npx tsx scripts/bench-db.ts "$@"
