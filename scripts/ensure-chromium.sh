#!/usr/bin/env bash
# The GraphiQL browser test drives Debian's Chromium (TOOLCHAIN.md item 12); install it when it
# is missing, so `npm test` sets up a fresh machine by itself. Never a browser download of
# playwright's own: this network reaches only Debian's and npm's registries.
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Debian's chromium for the browser test..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
