#!/usr/bin/env bash
# The main job (npm start): the two-router lab, lab/main.ts. It needs a kernel with IPVS: it runs
# here when this kernel has IPVS, otherwise inside the IPVS VM (test/vm/run, QEMU; a few minutes
# under emulation).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "lab: needs root (network namespaces, IPVS)" >&2
  exit 1
fi
if modprobe -q ip_vs 2>/dev/null && [ -e /proc/net/ip_vs ]; then
  exec node dist/lab/main.js
fi
echo "lab: this kernel has no IPVS; running the lab inside the IPVS VM (test/vm/run)" >&2
LVS_VM_MEM=${LVS_VM_MEM:-2048} LVS_VM_TIMEOUT=${LVS_VM_TIMEOUT:-900} exec test/vm/run 'node dist/lab/main.js'
