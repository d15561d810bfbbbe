#!/usr/bin/env bash
# Build the offline Python base image for deepfake submissions (no registry pull needed):
#   debootstrap a minimal Debian bookworm with python3, numpy and Pillow, then `docker import` it.
# Usage: build_base_image.sh [IMAGE_NAME]   (default aisc/deepfake-base:bookworm)
# Env:   DEBIAN_MIRROR (default: the first deb.debian.org-style URI apt uses, else deb.debian.org)
#        FORCE=1 rebuilds even when the image exists.
# Needs root (debootstrap) and a running Docker Engine. Takes about a minute.
set -euo pipefail
NAME="${1:-aisc/deepfake-base:bookworm}"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$NAME" >/dev/null 2>&1; then
  echo "[base-image] $NAME exists (FORCE=1 rebuilds)" >&2
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
MIRROR="${DEBIAN_MIRROR:-}"
if [ -z "$MIRROR" ]; then
  MIRROR="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
            | head -1 | awk '{print $2}' || true)"
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi
ROOTFS="$(mktemp -d "${TMPDIR:-/tmp}/aisc-base.XXXXXX")"
trap 'rm -rf "$ROOTFS"' EXIT
echo "[base-image] debootstrap bookworm from $MIRROR into $ROOTFS" >&2
debootstrap --variant=minbase --include=python3,python3-numpy,python3-pil \
  bookworm "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 || { tail -n 30 "$ROOTFS.log" >&2; exit 1; }
rm -f "$ROOTFS.log"
# Trim what a container never needs (apt caches, docs, locales).
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/usr/share/doc "$ROOTFS"/usr/share/man "$ROOTFS"/usr/share/locale
tar -C "$ROOTFS" -c . | docker import \
  -c 'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LANG=C.UTF-8' \
  -c 'USER 65534:65534' -c 'WORKDIR /' -c 'CMD ["python3"]' - "$NAME" >/dev/null
echo "[base-image] built $NAME" >&2
