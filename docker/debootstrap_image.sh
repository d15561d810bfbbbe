#!/usr/bin/env bash
# Build a Debian bookworm image with no registry pull: debootstrap a minimal root filesystem
# with the given packages, then `docker import` it.
# Usage: docker/debootstrap_image.sh IMAGE_NAME [comma,separated,packages]
# Env: DEBIAN_MIRROR (default: the mirror apt uses here, else deb.debian.org); FORCE=1 rebuilds;
#      IMAGE_USER sets the image's default user (e.g. 65534:65534), root when unset;
#      IMAGE_ENV adds environment variables ("K=V K2=V2").
# Needs root (debootstrap) and a running Docker Engine. About a minute.
set -euo pipefail
NAME="${1:?usage: debootstrap_image.sh IMAGE_NAME [packages]}"
PACKAGES="${2:-python3}"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$NAME" >/dev/null 2>&1; then
  echo "[image] $NAME exists (FORCE=1 rebuilds)" >&2
  exit 0
fi
command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
MIRROR="${DEBIAN_MIRROR:-}"
if [ -z "$MIRROR" ]; then
  MIRROR="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
            | head -1 | awk '{print $2}' || true)"
  MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi
ROOTFS="$(mktemp -d "${TMPDIR:-/tmp}/aisc-rootfs.XXXXXX")"
trap 'rm -rf "$ROOTFS" "$ROOTFS.log"' EXIT
echo "[image] debootstrap bookworm ($PACKAGES) from $MIRROR" >&2
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$MIRROR" >"$ROOTFS.log" 2>&1 \
  || { tail -n 30 "$ROOTFS.log" >&2; exit 1; }
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/usr/share/doc "$ROOTFS"/usr/share/man "$ROOTFS"/usr/share/locale
tar -C "$ROOTFS" -c . | docker import \
  -c 'ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 LANG=C.UTF-8' \
  ${IMAGE_USER:+-c "USER $IMAGE_USER"} ${IMAGE_ENV:+-c "ENV $IMAGE_ENV"} -c 'WORKDIR /' -c 'CMD ["python3"]' \
  - "$NAME" >/dev/null
echo "[image] built $NAME" >&2
