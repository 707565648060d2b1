#!/usr/bin/env bash
# Set up everything the portal needs on a fresh Debian machine, idempotently.
#   scripts/setup.sh        runtime: system packages, .venv, Python packages, translations
#   scripts/setup.sh --dev  also test tools: Chromium, poppler, axe-core (npm), nginx and openssl
#   scripts/setup.sh --bench  runtime plus wrk, the load generator of `make bench`
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[[ "${1:-}" == "--dev" ]] && DEV=1
BENCH=0  # --bench: runtime set-up plus the load generator (wrk) for `make bench`
[[ "${1:-}" == "--bench" ]] && BENCH=1
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

# --- Debian packages: WeasyPrint's libraries, Korean fonts, gettext ---------
DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-nanum gettext)
# nginx and openssl: `make prod-check` runs the production topology (TLS proxy) on this machine.
[[ $DEV == 1 ]] && DEBS+=(chromium poppler-utils nginx openssl)
[[ $BENCH == 1 ]] && DEBS+=(wrk)
missing=()
for pkg in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  if [[ -z "$SUDO" ]] || command -v sudo >/dev/null; then
    echo "==> installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
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
  echo "==> installing Python packages from $REQ"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -r "$REQ"
  rm -f .venv/.installed-*
  touch "$STAMP"
fi

# --- Test assets from the npm registry (axe-core) -------------------------------
if [[ $DEV == 1 && ! -f node_modules/axe-core/axe.min.js ]]; then
  echo "==> installing npm test assets"
  npm ci --no-audit --no-fund --silent
fi

# --- Translations -------------------------------------------------------------------
DEBUG=true .venv/bin/python manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules
echo "==> set-up complete"
