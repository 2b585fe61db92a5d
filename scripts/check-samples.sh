#!/usr/bin/env bash
# The main job until the two-router lab exists: check every sample configuration under etc/
# with `pulse --check`, and the piranha-compatible ones also with --strict-piranha (they
# must be accepted by an original piranha 0.8.6 as well). Exits non-zero if any check fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for cf in etc/*.cf etc/*.example; do
  echo "== pulse --check -c $cf"
  bin/pulse.js --check -c "$cf" || status=1
  case "$cf" in
    etc/sample-*.cf)
      echo "== pulse --check --strict-piranha -c $cf"
      bin/pulse.js --check --strict-piranha -c "$cf" || status=1
      ;;
  esac
done
if [ "$status" -eq 0 ]; then echo "all sample configurations are valid"; else echo "some sample configurations are NOT valid" >&2; fi
exit "$status"
