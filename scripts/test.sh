#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine with Node 20: install, build, test.
# The product is the single executable (dist-bin/vya-backupdb, Node 24 inside): the whole suite runs
# against it (VYA_BACKUPDB_BIN). The developer route, bin/vya-backupdb → dist/cli.js on the machine's
# own node, gets a smoke set after it (running everything twice would double the ~6 min).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-test-env.sh
npm run typecheck
npm run build:binary
bash scripts/build-deb.sh --if-stale
SMOKE=(tests/integration/quickstart.test.ts tests/integration/cli-help.test.ts tests/integration/exit-codes.test.ts tests/integration/config-cli.test.ts tests/integration/postgres-roundtrip.test.ts)
results="$(mktemp)"
smoke="$(mktemp)"
status=0
VYA_BACKUPDB_BIN=dist-bin/vya-backupdb npx vitest run --reporter=default --reporter=json --outputFile.json="$results" || status=$?
echo "smoke set on $(node --version) through bin/vya-backupdb (dist/cli.js):"
npx vitest run --reporter=default --reporter=json --outputFile.json="$smoke" "${SMOKE[@]}" || status=$?
# One plain closing line that any CI reader understands.
node -e 'const fs = require("fs");
  const runs = [["binary", process.argv[1]], ["node dist/cli.js smoke", process.argv[2]]].map(([label, file]) => {
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    return { label, passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests }; });
  const sum = (key) => runs.reduce((n, r) => n + r[key], 0);
  const parts = runs.map((r) => `${r.label}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`).join("; ");
  console.log(`tests: ${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped (${parts})`);' "$results" "$smoke" || true
rm -f "$results" "$smoke"
exit "$status"
