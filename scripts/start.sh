#!/usr/bin/env bash
# The README's first command: today's most complete user path on the bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-built.sh
echo "\$ gitgate lint --path examples/airlines" >&2
exec ./bin/gitgate lint --path examples/airlines "$@"
