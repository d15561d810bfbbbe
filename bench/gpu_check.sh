#!/usr/bin/env bash
# The prepared GPU check (issue 13, item 7): the three scoring paths that can use a GPU and one
# face and one driving reference method, on the CPU and on CUDA, with agreement and speed-ups.
# Aims to finish in under 8 minutes on a machine with one GPU; figures go to
# var/gpu-check/gpu_check.json. Needs the project's Python environment (.venv from
# scripts/setup.sh, or the gpu-worker image: `docker compose run --rm gpu-worker bench/gpu_check.sh`).
# Extra arguments go to bench/gpu_check.py (e.g. --devices cpu,cuda:1 --stages face,driving).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
missing=$("$PY" - <<'PYEOF'
import importlib.util
need = ["torch", "numpy", "cv2", "PIL", "skimage", "ultralytics", "onnxruntime", "pydantic", "yaml",
        "dlib", "ai_edge_litert", "insightface", "facenet_pytorch"]
print(" ".join(m for m in need if importlib.util.find_spec(m) is None))
PYEOF
)
if [ -n "$missing" ]; then
  echo "[gpu-check] this Python ($PY) lacks: $missing" >&2
  echo "[gpu-check] run it where the project's environment is installed: scripts/setup.sh (.venv), or inside the gpu-worker image" >&2
  exit 2
fi
exec timeout --signal=INT 470 "$PY" bench/gpu_check.py "$@"
