#!/usr/bin/env bash
# Type-checks every package (strict). Each package has its own tsconfig that
# extends tsconfig.base.json; the UI has DOM and JSX on top.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for project in tsconfig.json protocol drivers server terminal kiosk-ui console tests; do
  if ! npx tsc -p "$project" --noEmit; then
    echo "typecheck failed: $project" >&2
    status=1
  fi
done
exit $status
