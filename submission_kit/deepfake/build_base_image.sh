#!/usr/bin/env bash
# Build the offline Python base image for deepfake submissions (no registry pull needed):
# a minimal Debian bookworm with python3, numpy and Pillow, running as nobody.
# Usage: build_base_image.sh [IMAGE_NAME]   (default aisc/deepfake-base:bookworm)
# Env:   DEBIAN_MIRROR, FORCE=1 (see docker/debootstrap_image.sh). Needs root and a running
#        Docker Engine. Takes about a minute.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
IMAGE_USER=65534:65534 exec bash "$HERE/../../docker/debootstrap_image.sh" \
  "${1:-aisc/deepfake-base:bookworm}" python3,python3-numpy,python3-pil
