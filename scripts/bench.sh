#!/usr/bin/env bash
# npm run bench: every benchmark script in turn. Results go to stdout; copy them into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bench-db.sh "$@"
