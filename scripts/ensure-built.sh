#!/usr/bin/env bash
# Makes a fresh checkout runnable: installs npm packages when missing or stale, then builds.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "gitgate: installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
if [ ! -f dist/.built ] || [ -n "$(find src bench package.json tsconfig.json tsconfig.build.json -newer dist/.built -print -quit 2>/dev/null)" ]; then
  echo "gitgate: building (tsc)..." >&2
  rm -rf dist
  npx tsc -p tsconfig.build.json
  touch dist/.built
fi
