#!/usr/bin/env bash
# `npm run setup`: everything a fresh machine needs before `npm start` or
# `npm test`: Debian packages (some are build dependencies of native npm
# modules, so they must come before `npm ci`), then `npm ci`.
# A second run skips `npm ci` when package-lock.json has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh
stamp=node_modules/.nongbao-setup
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "dependencies up to date (package-lock.json unchanged)" >&2
  exit 0
fi
npm ci
echo "$want" > "$stamp"
