#!/usr/bin/env bash
# The whole test run: type-check and build, lint, then every test this machine can run,
# with node's built-in runner (its summary lines close the output).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
npm run --silent build
npm run --silent lint
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no test files found under dist/test" >&2
  exit 1
fi
node --test --test-reporter=spec "${files[@]}"
