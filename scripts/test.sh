#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine with Node 20: install, build, test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
npm run typecheck
npx vitest run
