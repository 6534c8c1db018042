#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, type-checks, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-built.sh
# Debian packages some suites run for real: Chromium for the portal's browser tests
# (test/e2e/portal-browser.test.ts; nothing downloads a browser of its own), redis-server for the
# distributed rate limits (test/e2e/gateway-redis.test.ts), Prometheus to scrape /metrics
# (test/e2e/gateway-prometheus.test.ts).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v prometheus >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "gitgate: installing Debian packages for the tests: ${missing[*]}..." >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
fi
echo "gitgate: type-checking (tsc --noEmit)..." >&2
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p web/portal/tsconfig.json
npx vitest run "$@"
