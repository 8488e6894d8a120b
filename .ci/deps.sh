#!/usr/bin/env bash
# deps.sh: make sure the system packages bdt builds and tests against are
# present. cgo needs gcc, pkg-config and libxml2's headers; the tests use
# xmllint (libxml2-utils) as the baseline of libxml2's own validation, and
# the summary page's browser test (bdt/report/browsertest) needs Chromium
# (/usr/bin/chromium) and axe-core, which goes from npm into a cache folder
# once, at a pinned version:
#
#   BDT_TOOLS   cache folder (default: $HOME/.cache/bdt-tools); axe-core goes
#               to $BDT_TOOLS/axe/node_modules/axe-core/axe.min.js
#
# With --bench it also makes sure of what only the bench (.ci/bench.sh) uses:
# the sqlite3 shell, which runs the floor's SQL (.ci/floor.sh).
set -euo pipefail
axe_version=4.14.1
tools="${BDT_TOOLS:-${HOME}/.cache/bdt-tools}"

missing=()
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libxml-2.0 2>/dev/null || missing+=(libxml2-dev)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${1:-}" = --bench ]; then
  command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "deps: missing ${missing[*]}; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

axe="$tools/axe"
stamp="$axe/axe-core.version"
if [[ -f "$axe/node_modules/axe-core/axe.min.js" && -f "$stamp" && "$(cat "$stamp")" == "$axe_version" ]]; then
  exit 0
fi
echo "deps: installing axe-core $axe_version into $axe" >&2
mkdir -p "$axe"
npm install --silent --no-audit --no-fund --prefix "$axe" "axe-core@$axe_version" >&2
echo "$axe_version" >"$stamp"
