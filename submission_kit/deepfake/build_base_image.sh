#!/usr/bin/env bash
# Build the offline Python base image for deepfake submissions (no registry pull needed):
# a minimal Debian bookworm with python3, numpy, Pillow and pip. Its default user is root, so a
# team's Dockerfile can `RUN pip install ...` (PIP_BREAK_SYSTEM_PACKAGES=1: Debian's Python is
# the image's only one); the kit's Dockerfile switches to nobody at the end, and the sandbox runs
# every submission as a non-root user whatever the image says.
# Usage: build_base_image.sh [IMAGE_NAME]   (default aisc/deepfake-base:bookworm-pip)
# Env:   DEBIAN_MIRROR, FORCE=1 (see docker/debootstrap_image.sh). Needs root and a running
#        Docker Engine. Takes about a minute.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE_ENV="PIP_BREAK_SYSTEM_PACKAGES=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1" \
  exec bash "$HERE/../../docker/debootstrap_image.sh" \
  "${1:-aisc/deepfake-base:bookworm-pip}" python3,python3-numpy,python3-pil,python3-pip
