#!/usr/bin/env bash
# The scale-out tests run a real redis-server (Debian's package; never a mock). .ci/run installs it when
# missing; needs root (as on CI and the development machines). Bounded in time. The tests start
# and stop their own servers on loopback ports (test/support/redis.ts); nothing is left running.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then exit 0; fi
SUDO=
if [ "$(id -u)" != "0" ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "redis-server is missing and this user cannot apt-get install it: install Debian's redis-server package" >&2
    exit 1
  fi
  SUDO="sudo -n"
fi
echo "Installing Debian's redis-server for the scale-out tests…"
export DEBIAN_FRONTEND=noninteractive
timeout 600 $SUDO apt-get update -qq
# As root, policy-rc.d keeps the package from starting a system-wide server (the tests start their own).
if [ -z "$SUDO" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
timeout 900 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
command -v redis-server
