#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, type-checks, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-built.sh
# The portal's browser tests drive Debian's Chromium (test/e2e/portal-browser.test.ts); nothing
# downloads a browser of its own.
if [ ! -x /usr/bin/chromium ]; then
  echo "gitgate: installing Debian's chromium for the browser tests..." >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi
echo "gitgate: type-checking (tsc --noEmit)..." >&2
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p web/portal/tsconfig.json
npx vitest run "$@"
