#!/usr/bin/env bash
# The whole test run: type-check and build, lint, every host test (unit, real sockets), then the
# suites that need a kernel with IPVS inside one VM boot (test/vm/run). A VM suite that cannot run
# fails the run; set LVS_SKIP_VM=1 to leave them out on purpose (it is said loudly).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-tools.sh
rm -rf dist
npm run --silent build
npm run --silent lint

mapfile -t host < <(find dist/test -name '*.test.js' -not -path 'dist/test/vm/*' | sort)
mapfile -t vm < <(find dist/test/vm -name '*.test.js' 2>/dev/null | sort)
if [ "${#host[@]}" -eq 0 ]; then
  echo "no test files found under dist/test" >&2
  exit 1
fi

echo "== host suites (${#host[@]} files)"
node --test --test-reporter=spec "${host[@]}"

if [ "${#vm[@]}" -gt 0 ]; then
  if [ "${LVS_SKIP_VM:-0}" = "1" ]; then
    echo "!! LVS_SKIP_VM=1: the ${#vm[@]} IPVS VM suites were NOT run" >&2
  else
    echo "== IPVS VM suites (${#vm[@]} files, one VM boot)"
    # The two-router lab suite runs a dozen node processes at once: give the VM room and time.
    LVS_VM_MEM=${LVS_VM_MEM:-2048} LVS_VM_TIMEOUT=${LVS_VM_TIMEOUT:-3000} test/vm/run "node --test --test-reporter=spec ${vm[*]}"
  fi
fi
