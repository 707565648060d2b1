#!/usr/bin/env bash
# Set up everything the portal needs on a fresh Debian machine, idempotently.
#   scripts/setup.sh        runtime: system packages, .venv, Python packages, translations
#   scripts/setup.sh --dev  also test tools: Chromium, poppler, axe-core and oidc-provider (npm), nginx and openssl
#   scripts/setup.sh --bench  runtime plus wrk, the load generator of `make bench`
#   scripts/setup.sh --offline DIR [--dev]  (or OFFLINE_BUNDLE=DIR) install Python and npm packages from
#                           the bundle `make bundle` built (dist/offline-bundle), never from a registry
#   scripts/setup.sh --list-debs [--dev]  print the Debian packages this set-up needs, and stop
# Python packages come from the lock files (requirements.txt, requirements-dev.txt: `make lock`),
# each checked against its hash.
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
BENCH=0  # --bench: runtime set-up plus the load generator (wrk) for `make bench`
OFFLINE="${OFFLINE_BUNDLE:-}"
LIST_DEBS=0
while (( $# )); do
  case "$1" in
    --dev) DEV=1 ;;
    --bench) BENCH=1 ;;
    --offline) OFFLINE="${2:?--offline needs the bundle folder (dist/offline-bundle)}"; shift ;;
    --offline=*) OFFLINE="${1#--offline=}" ;;
    --list-debs) LIST_DEBS=1 ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ -n "$OFFLINE" ]]; then
  OFFLINE="$(cd "$OFFLINE" && pwd)" || { echo "!! no offline bundle at $OFFLINE" >&2; exit 1; }
  [[ -d "$OFFLINE/wheels" ]] || { echo "!! $OFFLINE is not an offline bundle (no wheels/ folder)" >&2; exit 1; }
fi
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# --- Debian packages: WeasyPrint's libraries, Korean fonts, gettext ---------
DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum gettext)
# nginx and openssl: `make prod-check` runs the production topology (TLS proxy) on this machine.
[[ $DEV == 1 ]] && DEBS+=(chromium poppler-utils nginx openssl)
[[ $BENCH == 1 ]] && DEBS+=(wrk)
# pg_dump and pg_restore for `manage.py backup` / `restore` (any postgresql-client-NN will do).
DEBS+=(postgresql-client)
if [[ $LIST_DEBS == 1 ]]; then
  printf '%s\n' "${DEBS[@]}"
  exit 0
fi
installed() {
  [[ $1 == postgresql-client ]] && command -v pg_dump >/dev/null && command -v pg_restore >/dev/null && return 0
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
missing=()
for pkg in "${DEBS[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  if [[ -z "$SUDO" ]] || command -v sudo >/dev/null; then
    echo "==> installing Debian packages: ${missing[*]}"
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
           $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "!! could not install Debian packages: ${missing[*]}" >&2
      [[ -n "$OFFLINE" ]] && echo "!! offline: install them from your Debian mirror (list: $OFFLINE/debian-packages.txt)" >&2
      exit 1
    fi
  else
    echo "!! missing Debian packages (install them as root): ${missing[*]}" >&2
  fi
fi

# --- Python virtual environment ---------------------------------------------
REQ=requirements.txt
[[ $DEV == 1 ]] && REQ=requirements-dev.txt
[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
STAMP=".venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-$DEV"
if [[ ! -f "$STAMP" ]]; then
  # The lock pins pip itself too: no unpinned upgrade first. --require-hashes: every file is checked.
  PIP_FROM=()
  [[ -n "$OFFLINE" ]] && PIP_FROM=(--no-index --find-links "$OFFLINE/wheels")
  echo "==> installing Python packages from $REQ (hashes required${OFFLINE:+, offline from $OFFLINE/wheels})"
  .venv/bin/pip install -q --require-hashes "${PIP_FROM[@]}" -r "$REQ"
  rm -f .venv/.installed-*
  touch "$STAMP"
fi

# --- Test assets from the npm registry (axe-core; oidc-provider, the SSO tests' identity provider) ---
if [[ $DEV == 1 && ( ! -f node_modules/axe-core/axe.min.js || ! -f node_modules/oidc-provider/package.json ) ]]; then
  echo "==> installing npm test assets${OFFLINE:+ (offline, from $OFFLINE/npm-cache)}"
  if [[ -n "$OFFLINE" ]]; then
    # npm writes into its cache: use a copy, the bundle may be read-only.
    NPM_CACHE="$(mktemp -d)"
    cp -r "$OFFLINE/npm-cache/." "$NPM_CACHE/"
    npm ci --offline --cache "$NPM_CACHE" --no-audit --no-fund --silent
    rm -rf "$NPM_CACHE"
  else
    npm ci --no-audit --no-fund --silent
  fi
fi

# --- Translations -------------------------------------------------------------------
DEBUG=true .venv/bin/python manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules
echo "==> set-up complete"
