#!/usr/bin/env bash
# Build every image of docker-compose.yml on a machine that cannot pull images:
# a debootstrap base, PostgreSQL and Redis on top of it, and the app image from a local
# wheelhouse (so the image build needs no package index). Writes .env so that a plain
# `docker compose up` (or `docker-compose up`) uses these images.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BASE=aisc/base:bookworm
bash docker/debootstrap_image.sh "$BASE" python3,python3-venv,ca-certificates
docker build -q -f docker/postgres.Dockerfile --build-arg BASE_IMAGE="$BASE" -t aisc/postgres:15 . >/dev/null
docker build -q -f docker/redis.Dockerfile --build-arg BASE_IMAGE="$BASE" -t aisc/redis:7 . >/dev/null
echo "[build] filling docker/wheelhouse from the configured package index" >&2
PIP="${PIP:-.venv/bin/pip}"
"$PIP" download -q -d docker/wheelhouse -r requirements.txt
"$PIP" download -q -d docker/wheelhouse --no-deps facenet-pytorch
# The image's Python (Debian's 3.11.2) needs what markers skip on this one.
"$PIP" download -q -d docker/wheelhouse "async-timeout>=4.0.3"
# Build wheels from any sdists here, so the image build needs no build back-end.
for sdist in docker/wheelhouse/*.tar.gz; do
  [ -e "$sdist" ] || continue
  "$PIP" wheel -q --no-deps -w docker/wheelhouse "$sdist" && rm -f "$sdist"
done
cat > .env <<ENV
BASE_IMAGE=$BASE
POSTGRES_IMAGE=aisc/postgres:15
REDIS_IMAGE=aisc/redis:7
AISC_DATA_DIR=${AISC_DATA_DIR:-$ROOT/var/compose}
ENV
mkdir -p "${AISC_DATA_DIR:-$ROOT/var/compose}"
COMPOSE="docker compose"; $COMPOSE version >/dev/null 2>&1 || COMPOSE=docker-compose
$COMPOSE build
echo "[build] done: $COMPOSE up -d" >&2
