#!/usr/bin/env bash
# Start-up benchmark: the single executable against `node dist/cli.js`. Usage: scripts/bench-startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
# Private copies: a test run rebuilding dist/ or dist-bin/ must not swap them mid-measurement.
work="$PWD/node_modules/.cache/vya-bench-startup"
rm -rf "$work" && mkdir -p "$work"
bash scripts/build-binary.sh --if-stale
cp dist-bin/vya-backupdb "$work/vya-backupdb"
npx tsup --silent --out-dir "$work/dist"
npx tsx scripts/bench-startup.ts "$work/vya-backupdb" "$work/dist/cli.js" "${1:-21}"
