#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded browser build). .ci/run installs it when
# missing; needs root (as on CI and the development machines). Bounded in time.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
SUDO=
if [ "$(id -u)" != "0" ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "chromium is missing and this user cannot apt-get install it: install Debian's chromium package" >&2
    exit 1
  fi
  SUDO="sudo -n"
fi
echo "Installing Debian's chromium for the browser test…"
export DEBIAN_FRONTEND=noninteractive
timeout 600 $SUDO apt-get update -qq
timeout 900 $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
