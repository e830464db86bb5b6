#!/usr/bin/env bash
# npm run bench: every benchmark in turn, each against the shell pipeline it replaces, in the same run.
# Results go to stdout; docs/benchmarks.md holds the last recorded ones. Takes a while (≥ 1 GiB data sets).
# `npm run bench -- files|db|restore|s3|cleanup|encrypt|compression [MiB…]|wal|startup` runs one.
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-all}"
case "$which" in
  files) bash scripts/bench-files.sh 1024 ;;
  db) bash scripts/bench-db.sh ;;
  restore) bash scripts/bench-restore.sh ;;
  s3) bash scripts/bench-s3.sh 2048 ;;
  cleanup) bash scripts/bench-cleanup.sh ;;
  encrypt) bash scripts/bench-encrypt.sh ;;
  compression|zstd) shift; bash scripts/bench-compression.sh "$@" ;;
  wal) bash scripts/bench-wal.sh ;;
  startup) bash scripts/bench-startup.sh ;;
  all)
    bash scripts/bench-files.sh 100
    bash scripts/bench-files.sh 1024
    bash scripts/bench-db.sh
    bash scripts/bench-restore.sh
    bash scripts/bench-s3.sh 2048
    bash scripts/bench-cleanup.sh
    bash scripts/bench-encrypt.sh
    bash scripts/bench-compression.sh 100 1100
    bash scripts/bench-wal.sh
    bash scripts/bench-startup.sh
    ;;
  *) echo "usage: npm run bench [-- files|db|restore|s3|cleanup|encrypt|compression [MiB…]|wal|startup]" >&2; exit 2 ;;
esac
