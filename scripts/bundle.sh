#!/usr/bin/env bash
# `make bundle`: everything a server that reaches no package registry (망분리) needs to install
# the portal, in dist/offline-bundle/ and dist/offline-bundle.tar.gz (+ its .sha256):
#   wheels/               every package of the lock files (requirements-dev.txt: runtime + tests),
#                         for this platform, each checked against its hash while downloading
#   requirements.txt, requirements-dev.txt   the lock files themselves
#   npm-cache/            npm's cache with every package of package-lock.json (`npm ci --offline`)
#   npm-packages.txt      those packages: name@version and integrity
#   debian-packages.txt   the Debian packages scripts/setup.sh needs (from your Debian mirror)
#   README.txt            how to install from it
# Needs the registries once, on a machine with the same platform as the servers (Debian 12,
# x86_64, Python 3.11). Built under a temporary name and renamed when complete.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST="${BUNDLE_DIST:-dist}"
NAME=offline-bundle
OUT="$DIST/$NAME"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
[[ -x .venv/bin/python ]] && PYTHON=.venv/bin/python
command -v npm >/dev/null || { echo "!! bundle: npm is needed to fetch the npm packages" >&2; exit 1; }

mkdir -p "$DIST"
TMP="$(mktemp -d "$DIST/.$NAME.partial-XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
started=$SECONDS

echo "==> wheels of requirements-dev.txt (hashes required)"
cp requirements.txt requirements-dev.txt "$TMP/"
"$PYTHON" -m pip download -q --disable-pip-version-check --require-hashes --only-binary=:all: \
  -r requirements-dev.txt -d "$TMP/wheels"

echo "==> npm packages of package-lock.json"
node -e '
  const lock = require("./package-lock.json");
  for (const [path, p] of Object.entries(lock.packages || {})) {
    if (path.startsWith("node_modules/") && !p.link) {
      console.log(`${path.split("node_modules/").pop()}@${p.version} ${p.integrity || ""}`);
    }
  }' > "$TMP/npm-packages.txt"
if [[ -s "$TMP/npm-packages.txt" ]]; then
  # shellcheck disable=SC2046  # one spec per line, no spaces inside
  npm cache add $(cut -d' ' -f1 "$TMP/npm-packages.txt") --cache "$TMP/npm-cache" --no-audit --no-fund --silent
else
  mkdir -p "$TMP/npm-cache"
fi
rm -rf "$TMP/npm-cache/_logs" "$TMP/npm-cache/_update-notifier-last-checked"

echo "==> Debian packages scripts/setup.sh needs"
{
  echo "# Install these from your Debian 12 mirror before scripts/setup.sh --offline."
  echo "# Prerequisites: python3.11 python3.11-venv; for --dev also nodejs npm."
  echo "# Runtime (scripts/setup.sh):"
  scripts/setup.sh --list-debs
  echo "# Tests (scripts/setup.sh --dev) add:"
  comm -13 <(scripts/setup.sh --list-debs | sort) <(scripts/setup.sh --dev --list-debs | sort)
} > "$TMP/debian-packages.txt"

VERSION="$(git describe --tags --always --dirty 2>/dev/null || echo "requirements $(sha256sum requirements.txt | cut -c1-12)")"
PLATFORM="$("$PYTHON" -c 'import sys, sysconfig; print(sysconfig.get_platform(), "CPython", sys.version.split()[0])')"
cat > "$TMP/README.txt" <<EOF
Mega Project portal: offline installation bundle (망분리, servers without any package registry)
Built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $VERSION, for $PLATFORM.
$(find "$TMP/wheels" -name '*.whl' | wc -l) wheels, $(grep -c . "$TMP/npm-packages.txt" || true) npm package(s).

1. Install the Debian packages of debian-packages.txt from your Debian mirror (as root).
2. Put this folder on the server beside the portal's source (the same version: the lock
   files here must equal the source's requirements*.txt), then, in the source folder:
     scripts/setup.sh --offline /path/to/offline-bundle          # the portal
     scripts/setup.sh --offline /path/to/offline-bundle --dev    # also the test tools
   (or OFFLINE_BUNDLE=/path/to/offline-bundle make run / make test).
   By hand, the same steps are:
     python3.11 -m venv .venv
     .venv/bin/pip install --no-index --find-links /path/to/offline-bundle/wheels \\
         --require-hashes -r requirements.txt
     cp -r /path/to/offline-bundle/npm-cache /tmp/npm-cache && npm ci --offline --cache /tmp/npm-cache
pip installs only files whose SHA-256 is in the lock file and reaches no index (--no-index);
npm checks each package against the integrity in package-lock.json.
EOF

rm -rf "$OUT" "$OUT.tar.gz" "$OUT.tar.gz.sha256"
mv "$TMP" "$OUT"
chmod 755 "$OUT"
trap - EXIT
tar -C "$DIST" -czf "$OUT.tar.gz" "$NAME"
(cd "$DIST" && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
echo "==> $OUT ($(du -sh "$OUT" | cut -f1)) and $OUT.tar.gz in $((SECONDS - started)) s"
