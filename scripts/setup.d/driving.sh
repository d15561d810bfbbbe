#!/usr/bin/env bash
# Driving track assets: real photos from Debian's darknet package data (dog.jpg with a pickup
# truck, person.jpg with a standing person) for the demo scene generator. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="$ROOT/var/assets/darknet"
if [ -s "$DEST/dog.jpg" ] && [ -s "$DEST/person.jpg" ]; then
  exit 0
fi
mkdir -p "$DEST"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if ! apt-get download darknet >/dev/null 2>&1; then
  apt-get update -q >/dev/null
  apt-get download darknet >/dev/null
fi
dpkg-deb -x darknet_*.deb x
for f in dog.jpg person.jpg; do
  cp "x/usr/share/darknet/data/$f" "$DEST/$f"
done
echo "[setup.d/driving] darknet photos in $DEST" >&2
