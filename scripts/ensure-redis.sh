#!/usr/bin/env bash
# The scale-out tests run a real redis-server (Debian's package; never a mock). Installs it when
# missing; needs root (as on CI and the development machines). Bounded in time. The tests start
# and stop their own servers on loopback ports (test/support/redis.ts); nothing is left running.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "redis-server is missing and this user cannot apt-get install it: install Debian's redis-server package" >&2
  exit 1
fi
echo "Installing Debian's redis-server for the scale-out tests…"
export DEBIAN_FRONTEND=noninteractive
timeout 600 apt-get update -qq
# policy-rc.d: the package must not start a system-wide server (the tests start their own).
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.isc-gw && chmod +x /usr/sbin/policy-rc.d.isc-gw
if [ ! -e /usr/sbin/policy-rc.d ]; then cp /usr/sbin/policy-rc.d.isc-gw /usr/sbin/policy-rc.d; trap 'rm -f /usr/sbin/policy-rc.d' EXIT; fi
rm -f /usr/sbin/policy-rc.d.isc-gw
timeout 900 apt-get install -y -qq --no-install-recommends redis-server >/dev/null
command -v redis-server
