#!/usr/bin/env bash
# Command 2: run the whole test suite. Installs what it needs (venv, packages, Chromium and a
# CJK font for the browser tests). DATABASE_URL picks the engine (SQLite when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/pdftotext ] || need+=(poppler-utils)  # PDFs read back as a reader's tools see them
command -v redis-server >/dev/null || need+=(redis-server)  # the store workers share (tests/test_redis_shared.py)
# (a file test, not `fc-list | grep -q`: under pipefail grep's early exit fails the pipe)
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
  || need+=(fonts-wqy-zenhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing ${need[*]} (browser and PDF tests) …"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
# axe-core for the accessibility checks in the browser tests (npm, pinned by package-lock.json).
if [ ! -f tests/browser/axe/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null; then
    echo "Installing nodejs and npm (axe-core for the accessibility tests) …"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  (cd tests/browser/axe && npm ci --no-audit --no-fund --silent)
fi
# A Redis for the shared-store tests (REDIS_TEST_URL, default redis://127.0.0.1:6379/15): the
# machine's own when one answers, else a throwaway one that keeps nothing on disk.
if [ -z "${REDIS_TEST_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
if [ $code -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit $code
