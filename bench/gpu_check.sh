#!/usr/bin/env bash
# The prepared GPU check (issue 13, item 7): the three scoring paths that can use a GPU and one
# face and one driving reference method and the face bundle builder's MTCNN, on the CPU and on CUDA,
# with agreement and speed-ups.
# Aims to finish in under 8 minutes on a machine with one GPU; figures go to
# var/gpu-check/gpu_check.json. Extra arguments go to bench/gpu_check.py
# (e.g. --devices cpu,cuda:1 --stages face,driving).
#
# Where it runs:
# - the project's environment (.venv from scripts/setup.sh, or the gpu-worker image:
#   `docker compose run --rm gpu-worker bench/gpu_check.sh`): everything is built on the spot;
# - a bare GPU machine (Python with CUDA torch, onnxruntime, OpenCV, scikit-image, no registry):
#   first, here, `bench/gpu_check.sh --pack` writes .gpucheck/ (wheels and prebuilt face inputs,
#   bench/gpu_pack.py); carry .gpucheck beside the tree and run `bench/gpu_check.sh` there. It
#   installs the wheels into /tmp/gpucheck-site (no index, no deps) and skips, with the reason,
#   the stages whose modules are still missing.
# PYTHON=... picks the interpreter (default .venv/bin/python, else python3).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
if [ "${1:-}" = "--pack" ]; then
  shift
  exec "$PY" bench/gpu_pack.py "$@"
fi
PACK=.gpucheck
SITE=/tmp/gpucheck-site
missing() { "$PY" bench/gpu_needs.py; }  # what some stage needs and this Python lacks
extra=()
lacks=$(missing)
if [ -n "$lacks" ]; then
  echo "[gpu-check] this Python ($PY) lacks: $lacks" >&2
  if ! compgen -G "$PACK/wheels/*.whl" >/dev/null; then
    echo "[gpu-check] no $PACK/wheels here: run \`bench/gpu_check.sh --pack\` where the project's environment is" \
         "installed and carry $PACK, or run inside that environment (scripts/setup.sh, the gpu-worker image)" >&2
    exit 2
  fi
  echo "[gpu-check] installing $PACK/wheels into $SITE (no index, no deps)" >&2
  rm -rf "$SITE"
  # py/: single modules cut from wheels too large to carry (bench/gpu_needs.py PACK_SLICES)
  export PYTHONPATH="$ROOT/$PACK/py${PYTHONPATH:+:$PYTHONPATH}"
  if "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$SITE" "$PACK"/wheels/*.whl; then
    export PYTHONPATH="$SITE:$PYTHONPATH"
  else
    echo "[gpu-check] the wheels did not install (packed for Python" \
         "$(sed -n 's/.*"python_version": "\([^"]*\)".*/\1/p' "$PACK/inputs.json"), this is $("$PY" -V 2>&1))" >&2
  fi
  extra=(--inputs "$PACK")
  lacks=$(missing)
  [ -z "$lacks" ] || echo "[gpu-check] still missing: $lacks (the stages that need them are skipped)" >&2
fi
# the wrapper's own seconds (the install) come off the 470 s limit and the 450 s budget
exec timeout --signal=INT $((470 - SECONDS)) "$PY" bench/gpu_check.py --budget-s $((450 - SECONDS)) \
  "${extra[@]}" "$@"
