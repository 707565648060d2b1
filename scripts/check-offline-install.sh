#!/usr/bin/env bash
# CI's proof of the offline install (망분리): build the bundle (`make bundle`), then set up a fresh
# copy of the source from it with every registry out of reach, and check the result.
#   - pip: PIP_NO_INDEX=1, PIP_FIND_LINKS=<bundle>/wheels, no pip configuration file, and an index
#     URL that points nowhere; the copy's .venv is new, so every package comes from the bundle.
#   - npm: `npm ci --offline` with a cache holding only the bundle's packages.
#   Both also get a proxy that points nowhere: any download attempt fails.
# Then the copy's `pip check`, `manage.py check`, axe-core and oidc-provider must work. Takes about 1-3 minutes.
# Run after `make test` (or scripts/setup.sh --dev): the Debian packages are then in place.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

scripts/bundle.sh
BUNDLE="$(pwd)/dist/offline-bundle"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "==> a fresh copy of the source in $WORK/src"
mkdir "$WORK/src"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
  | xargs -0 cp --parents -t "$WORK/src"

echo "==> scripts/setup.sh --offline $BUNDLE --dev, registries out of reach"
NOWHERE=http://127.0.0.1:9
# PIP_COMPILE=0: the copy is thrown away after the checks, so pip does not compile every installed
# module to bytecode first (Python compiles what the checks import).
(
  cd "$WORK/src"
  env -u PIP_EXTRA_INDEX_URL \
    PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_FIND_LINKS="$BUNDLE/wheels" PIP_INDEX_URL="$NOWHERE/simple" \
    PIP_COMPILE=0 \
    PIP_PROXY="$NOWHERE" npm_config_proxy="$NOWHERE" npm_config_https_proxy="$NOWHERE" \
    scripts/setup.sh --offline "$BUNDLE" --dev
  .venv/bin/pip check
  DEBUG=true .venv/bin/python manage.py check
  test -f node_modules/axe-core/axe.min.js
  test -f node_modules/oidc-provider/package.json
  .venv/bin/pip freeze --all | sed 's/ @ .*//' | sort -f > "$WORK/installed.txt"
)
# Everything the lock names is installed, at the locked version.
grep -E '^[A-Za-z0-9_.-]+==' "$BUNDLE/requirements-dev.txt" | sed 's/ .*//' | sort -f > "$WORK/locked.txt"
python3 - "$WORK/locked.txt" "$WORK/installed.txt" <<'EOF'
import re, sys
norm = lambda line: re.sub(r"[-_.]+", "-", line.strip().lower())
locked = {norm(l) for l in open(sys.argv[1]) if l.strip()}
installed = {norm(l) for l in open(sys.argv[2]) if l.strip()}
missing = sorted(locked - installed)
if missing:
    sys.exit(f"!! not installed from the bundle: {', '.join(missing)}")
print(f"==> all {len(locked)} locked packages installed from the bundle")
EOF
echo "==> offline install checked in $((SECONDS - started)) s"
