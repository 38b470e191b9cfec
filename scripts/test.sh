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
# The server's suites a second time with the server database on PostgreSQL
# (issue 15 section 2), in the throwaway cluster the run starts and stops
# (tests/src/pg-global-setup.ts). Left out, as the first pass already ran
# them: the tests about SQLite itself (its ledger store and migrations, file
# modes, db.ts), the engine-contract suites that run both engines themselves
# (sql/, ledger/pg/), and the policy engine, which touches no database. Only
# for a whole run: a run given files runs those once.
results=(artifacts/vitest.json)
if [ "$#" -eq 0 ]; then
  echo "== vitest: server suites on PostgreSQL (NONGBAO_TEST_DB=postgres)" >&2
  NONGBAO_TEST_DB=postgres npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/vitest-postgres.json \
    --exclude 'server/src/ledger/**' --exclude 'server/src/sql/**' --exclude 'server/src/policy/**' \
    --exclude server/src/db.test.ts --exclude server/src/shared/private-files.test.ts \
    server/src || status=$?
  results+=(artifacts/vitest-postgres.json)
fi
# One plain closing line for CI: "N passed, N failed".
node -e '
  let passed = 0, failed = 0;
  for (const file of process.argv.slice(1)) {
    const r = JSON.parse(require("fs").readFileSync(file, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "${results[@]}" || true
exit $status
