#!/usr/bin/env bash
# Build the images of docker-compose.yml on a machine that cannot pull images: a debootstrap
# base, PostgreSQL and Redis on top of it, and the role images from a local wheelhouse (so the
# image builds need no package index).
#
#   docker/build_local.sh [ROLE...]     ROLE: api, worker, gpu-worker (default: api worker)
#
# api: docker/api.Dockerfile (api, migrate; small). worker: docker/worker.Dockerfile (worker,
# beat; a few GB: CUDA torch). gpu-worker: docker/gpu-worker.Dockerfile (the worker image plus
# onnxruntime-gpu; builds the worker image first). Prints each build's seconds and each
# image's size. Writes .env so that a plain `docker compose up` (or Debian's `docker-compose
# up`) uses these images, unless NO_DOTENV=1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROLES=("$@")
[ ${#ROLES[@]} -gt 0 ] || ROLES=(api worker)
for r in "${ROLES[@]}"; do
  case "$r" in api|worker|gpu-worker) ;; *) echo "unknown role '$r': use api, worker or gpu-worker" >&2; exit 2;; esac
done
[[ " ${ROLES[*]} " == *" gpu-worker "* && " ${ROLES[*]} " != *" worker "* ]] && ROLES=(worker "${ROLES[@]}")
PIP="${PIP:-.venv/bin/pip}"
BASE=aisc/base:bookworm
timed() { local t0=$SECONDS; "$@"; echo "[build] $* : $((SECONDS - t0)) s" >&2; }
size() { docker image inspect -f '{{.Size}}' "$1" | awk -v n="$1" '{printf "[build] %s: %d MB\n", n, $1/1e6}' >&2; }

timed bash docker/debootstrap_image.sh "$BASE" python3,python3-venv,ca-certificates
timed docker build -q -f docker/postgres.Dockerfile --build-arg BASE_IMAGE="$BASE" -t aisc/postgres:15 . >/dev/null
timed docker build -q -f docker/redis.Dockerfile --build-arg BASE_IMAGE="$BASE" -t aisc/redis:7 . >/dev/null

# wheelhouse DIR REQUIREMENTS...: the wheels for these requirements, pinned by requirements.lock.
wheelhouse() {
  local dir="$1"; shift
  echo "[build] filling $dir from the configured package index" >&2
  for req in "$@"; do "$PIP" download -q -d "$dir" -c requirements.lock $req; done
  # The image's Python (Debian's 3.11.2) needs what markers skip on this one.
  "$PIP" download -q -d "$dir" -c requirements.lock "async-timeout>=4.0.3"
  # Build wheels from any sdists here, so the image build needs no build back-end.
  for sdist in "$dir"/*.tar.gz; do
    [ -e "$sdist" ] || continue
    "$PIP" wheel -q --no-deps -w "$dir" "$sdist" && rm -f "$sdist"
  done
}
for role in "${ROLES[@]}"; do
  case "$role" in
    api)
      timed wheelhouse docker/wheelhouse/api "-r requirements-api.txt"
      timed docker build -q -f docker/api.Dockerfile --build-arg BASE_IMAGE="$BASE" -t aisc/api:latest . >/dev/null
      size aisc/api:latest ;;
    worker)
      timed wheelhouse docker/wheelhouse/worker "-r requirements-worker.txt" "--no-deps facenet-pytorch"
      timed docker build -q -f docker/worker.Dockerfile --build-arg BASE_IMAGE="$BASE" -t aisc/worker:latest . >/dev/null
      size aisc/worker:latest ;;
    gpu-worker)
      timed "$PIP" download -q -d docker/wheelhouse/gpu --no-deps "onnxruntime-gpu==1.31.1"
      timed docker build -q -f docker/gpu-worker.Dockerfile --build-arg WORKER_IMAGE=aisc/worker:latest \
        -t aisc/gpu-worker:latest . >/dev/null
      size aisc/gpu-worker:latest ;;
  esac
done
if [ "${NO_DOTENV:-0}" != 1 ]; then
  cat > .env <<ENV
BASE_IMAGE=$BASE
POSTGRES_IMAGE=aisc/postgres:15
REDIS_IMAGE=aisc/redis:7
AISC_DATA_DIR=${AISC_DATA_DIR:-$ROOT/var/compose}
ENV
  mkdir -p "${AISC_DATA_DIR:-$ROOT/var/compose}"
fi
COMPOSE="docker compose"; $COMPOSE version >/dev/null 2>&1 || COMPOSE=docker-compose
echo "[build] done: $COMPOSE up -d" >&2
