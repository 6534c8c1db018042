#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, type-checks, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-built.sh
echo "gitgate: type-checking (tsc --noEmit)..." >&2
npx tsc --noEmit -p tsconfig.json
npx vitest run "$@"
