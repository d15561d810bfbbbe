#!/usr/bin/env bash
# The test command: set up everything the tests need, then run the whole suite.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/face -x).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
set +e
.venv/bin/python -m pytest -ra "${@:-tests}"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "no test was collected: failing on purpose" >&2
  exit 1
fi
exit "$rc"
