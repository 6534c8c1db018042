#!/usr/bin/env bash
# Makes a fresh checkout runnable: installs npm packages when missing or stale, then builds (the
# CLI with tsc, the portal UI with Vite), each only when its sources changed.
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
# The portal UI (web/portal, Vite): index.html is written by each build, so it dates the build.
if [ ! -f web/portal/dist/index.html ] || [ -n "$(find web/portal/src web/portal/index.html web/portal/vite.config.ts package-lock.json -newer web/portal/dist/index.html -print -quit 2>/dev/null)" ]; then
  echo "gitgate: building the portal UI (vite)..." >&2
  npx vite build --config web/portal/vite.config.ts --logLevel warn >&2
fi
