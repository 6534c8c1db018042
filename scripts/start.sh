#!/usr/bin/env bash
# The README's first command: today's most complete user path on the bundled example: lint it,
# serve it through the gateway with demo backends, a demo consumer and a key.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-built.sh
exec ./bin/gitgate demo "$@"
