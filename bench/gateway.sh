#!/usr/bin/env bash
# `npm run bench:gateway`: gitgate against the upstream alone, nginx and a minimal undici proxy
# (see bench/gateway.ts for the environment it reads: DUR, SCALE=0, CONTENDERS, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node dist/bench/gateway.js "$@"
