#!/usr/bin/env bash
# The compose smoke run with every role in its image: builds the api and (multi-GB) worker
# images offline, then runs tests/deploy/compose_smoke.py with the compose `worker` service
# scoring the face baseline. Prints each stage's seconds and the image sizes (MB) as JSON.
# Too heavy for every CI run (the suite runs the same stages with a worker from the venv:
# tests/deploy/test_compose_smoke.py). GPU=1 also builds the gpu-worker image (not started).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
[ "${SKIP_SETUP:-0}" = 1 ] || bash scripts/setup.sh
if [ "${GPU:-0}" = 1 ]; then
  t0=$SECONDS
  NO_DOTENV=1 bash docker/build_local.sh api gpu-worker
  echo "[smoke-full] images built in $((SECONDS - t0)) s" >&2
  exec .venv/bin/python tests/deploy/compose_smoke.py --worker image --no-build
fi
exec .venv/bin/python tests/deploy/compose_smoke.py --worker image
