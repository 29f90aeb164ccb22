#!/usr/bin/env bash
# The Debian packages the tests drive for real, installed when missing so that `npm test` sets up
# a fresh machine by itself: Chromium for the GraphiQL browser test (TOOLCHAIN.md item 12) and
# redis-server for the fleet tests (item 15). Never a browser download of playwright's own: this
# network reaches only Debian's and npm's registries.
set -euo pipefail
missing=()
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
[ -x "${REDIS_SERVER_PATH:-/usr/bin/redis-server}" ] || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing Debian's ${missing[*]} for the tests..."
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
# The package's own service is not wanted: each test run starts its own server on a free port.
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
  ($sudo service redis-server stop || true) >/dev/null 2>&1
fi
