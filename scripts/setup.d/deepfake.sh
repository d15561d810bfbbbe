#!/usr/bin/env bash
# Deepfake track: the offline Python base image for submission containers (debootstrap +
# docker import, about a minute once; skipped when the image exists). Needs root and dockerd.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if ! docker info >/dev/null 2>&1; then
  echo "[deepfake] Docker Engine not reachable; skipping the base image (tests build it lazily)" >&2
  exit 0
fi
bash "$ROOT/submission_kit/deepfake/build_base_image.sh"
