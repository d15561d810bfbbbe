#!/usr/bin/env bash
# The demo competition end to end, offline: set-up, demo bundles for every track that has a
# demo, the competition YAML, teams with tokens, the API and a real Celery worker, the
# baseline submissions over REST, scores with progress, the leaderboards and their URLs.
#
#   scripts/demo.sh [--quick]
#
# Runs on Postgres/Redis when AISC_DATABASE_URL / AISC_BROKER_URL are set, otherwise on the
# embedded default (SQLite database and SQLite-backed broker under var/).
# AISC_PORT (default 8000); AISC_DEMO_KEEP=1 keeps the server running until Ctrl-C;
# AISC_DEMO_TRACKS=face,driving limits the tracks; AISC_SKIP_SETUP=1 skips scripts/setup.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
QUICK=""
[ "${1:-}" = "--quick" ] && QUICK="--quick"
[ "${AISC_SKIP_SETUP:-0}" = 1 ] || bash scripts/setup.sh
PY=.venv/bin/python
DEMO_DIR="${AISC_DEMO_DIR:-$ROOT/var/demo${QUICK:+-quick}}"  # quick and full never share a folder
PORT="${AISC_PORT:-8000}"
URL="http://127.0.0.1:$PORT"
export AISC_PUBLIC_URL="$URL"
mkdir -p "$DEMO_DIR/logs"
say() { printf '[demo] %s\n' "$*"; }

say "building demo bundles and baselines (reused when already built)"
$PY -m authoring.demo_competition --out "$DEMO_DIR" $QUICK ${AISC_DEMO_TRACKS:+--tracks "$AISC_DEMO_TRACKS"} >/dev/null
describe() { if [ -n "${!1:-}" ]; then echo "$2 from $1 (${!1%%:*}://...)"; else echo "$2 embedded (SQLite under var/)"; fi; }
say "$(describe AISC_DATABASE_URL database); $(describe AISC_BROKER_URL broker)"
$PY -m core.manage init-db
$PY -m core.manage load-competition "$DEMO_DIR/competition.yaml"
ADMIN_TOKEN="$($PY -m core.manage create-admin --label demo)"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM
$PY -m api.serve --host 127.0.0.1 --port "$PORT" >"$DEMO_DIR/logs/api.log" 2>&1 &  # one process per core (AISC_API_WORKERS)
PIDS+=($!)
.venv/bin/celery -A workers.celery_app worker -Q cpu,gpu,control -c 1 -B \
  -s "$DEMO_DIR/beat-schedule" -n "demo@%h" --loglevel INFO >"$DEMO_DIR/logs/worker.log" 2>&1 &
PIDS+=($!)
healthy() { $PY -c "import urllib.request as u; u.urlopen('$URL/healthz', timeout=2)" >/dev/null 2>&1; }
for _ in $(seq 150); do healthy && break; sleep 0.2; done
healthy || { say "the API did not start; see $DEMO_DIR/logs/api.log"; exit 1; }
say "API at $URL (logs in $DEMO_DIR/logs)"

set +e
AISC_ADMIN_TOKEN="$ADMIN_TOKEN" $PY -m client.demo_submit --demo-dir "$DEMO_DIR" --url "$URL"
rc=$?
set -e
say "leaderboards: $URL/"
if [ "${AISC_DEMO_KEEP:-0}" = 1 ]; then
  say "serving until Ctrl-C"
  wait
fi
exit "$rc"
