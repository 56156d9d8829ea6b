#!/usr/bin/env bash
# Command 1: a fresh machine to the portal and API at http://127.0.0.1:8000 with demo data
# on the embedded defaults (SQLite + embedded search). Re-running keeps the existing data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/gongshi.sqlite}"
.venv/bin/gongshi migrate
if [ ! -f var/.demo-loaded ]; then
  .venv/bin/gongshi demo --results "${DEMO_RESULTS:-20000}" && touch var/.demo-loaded
fi
exec .venv/bin/gongshi serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --no-migrate
