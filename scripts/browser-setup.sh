#!/usr/bin/env bash
# Debian's Chromium and CJK fonts for the report's browser test. Playwright's own browser
# download cannot reach its server here, so the test drives this one via executable_path.
# Prints the browser's path. Installs only what is missing; needs root (or sudo) to install.
set -euo pipefail

find_chromium() {
  command -v chromium 2>/dev/null || command -v chromium-browser 2>/dev/null || true
}

have_cjk_fonts() {
  dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed" ||
    fc-list :lang=zh 2>/dev/null | grep -q .
}

missing=()
[ -n "$(find_chromium)" ] || missing+=(chromium)
have_cjk_fonts || missing+=(fonts-noto-cjk)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "browser-setup: need ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "browser-setup: installing ${missing[*]} from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2
fi

path="$(find_chromium)"
if [ -z "$path" ]; then
  echo "browser-setup: chromium did not install" >&2
  exit 1
fi
echo "$path"
