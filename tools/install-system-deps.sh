#!/usr/bin/env bash
# Installs what the tests need from Debian, when it is missing. Idempotent; needs root (CI runs as root).
set -euo pipefail
need=()
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
# the TAP bridge (tools/tap-bridge.py) runs under the system python3 inside a network namespace
[ -x /usr/bin/python3 ] || need+=(python3)
# the real DHCP and DNS server of the services tests (the binary only: no system service is started)
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
# npm start on the TAP paths prints `ip netns exec … curl` and `… nc`; its test runs curl there
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v nc >/dev/null 2>&1 || need+=(netcat-openbsd)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "install-system-deps: missing ${need[*]} and not root" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
