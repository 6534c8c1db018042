#!/usr/bin/env bash
# Rewrites the golden files from the current output: the lint reporters' (test/golden/reporters/)
# and the impact reports' of `gitgate diff` (test/golden/impact/).
# Review the result with `git diff test/golden` before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_GOLDEN=1 npx vitest run src/analyzer/reporters src/analyzer/impact/reporters.test.ts "$@"
