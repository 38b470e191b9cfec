#!/usr/bin/env bash
# The whole test suite: system packages, strict type-check of every package,
# the kiosk UI and office console builds (the browser tests load them), then every vitest test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
echo "== typecheck" >&2
bash scripts/typecheck.sh
echo "== build kiosk UI and office console" >&2
npm run --silent build:ui
npm run --silent build:console
echo "== vitest" >&2
mkdir -p artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/vitest.json "$@" || status=$?
# One plain closing line for CI: "N passed, N failed".
node -e '
  const r = JSON.parse(require("fs").readFileSync("artifacts/vitest.json", "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' || true
exit $status
