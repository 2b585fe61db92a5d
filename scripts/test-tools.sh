#!/usr/bin/env bash
# Installs the programs the tests use as oracles or plumbing, when missing (Debian packages):
# iproute2 (ip netns, veth), tcpdump (frame captures), nftables (packet loss for the heartbeat
# tests: this kernel has no netem). The IPVS VM harness installs its own.
set -euo pipefail
missing=()
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v tcpdump >/dev/null 2>&1 || missing+=(tcpdump)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test-tools: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
  exit 1
fi
echo "test-tools: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get update -q >/dev/null 2>&1
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}
