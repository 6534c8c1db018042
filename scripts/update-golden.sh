#!/usr/bin/env bash
# Rewrites the reporters' golden files from the current output (test/golden/reporters/).
# Review the result with `git diff test/golden` before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_GOLDEN=1 npx vitest run src/analyzer/reporters "$@"
