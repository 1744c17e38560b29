#!/usr/bin/env bash
# The browser tier drives Debian's Chromium, with a CJK font so that the Japanese page (and its
# screenshot) renders: installs what is missing (as root, like the docker tier).
set -euo pipefail
path=${CHROMIUM_PATH:-/usr/bin/chromium}
missing=()
[ -x "$path" ] || missing+=(chromium)
fc-list 2> /dev/null | grep -i 'cjk' > /dev/null || missing+=(fonts-noto-cjk)
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "missing: ${missing[*]}: run 'sudo apt-get install -y ${missing[*]}' (or set CHROMIUM_PATH)" >&2
  [ -x "$path" ] && exit 0
  exit 1
fi
echo "[browser tier] installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
