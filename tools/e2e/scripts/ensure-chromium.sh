#!/usr/bin/env bash
# The browser tier drives Debian's Chromium: installs it when missing (as root, like the docker tier).
set -euo pipefail
path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$path" ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing at $path: run 'sudo apt-get install -y chromium' (or set CHROMIUM_PATH)" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
