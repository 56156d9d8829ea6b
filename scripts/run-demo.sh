#!/usr/bin/env bash
# Command 1: a fresh machine to the portal and API at http://127.0.0.1:8000 with demo data
# on the embedded defaults (SQLite + embedded search). Re-running keeps the existing data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# Guide PDFs embed a CJK font (render/guides.py looks for Debian's fonts-wqy-zenhei or fonts-noto-cjk).
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] && [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
   && [ -z "${PDF_FONT:-}" ] && command -v apt-get >/dev/null; then
  echo "Installing fonts-wqy-zenhei (Chinese font for the guide PDFs) …"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-wqy-zenhei >/dev/null \
    || echo "warning: could not install fonts-wqy-zenhei; guides will be published without PDF files" >&2
fi
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/gongshi.sqlite}"
.venv/bin/gongshi migrate
if [ ! -f var/.demo-loaded ]; then
  .venv/bin/gongshi demo --results "${DEMO_RESULTS:-20000}" && touch var/.demo-loaded
fi
exec .venv/bin/gongshi serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --no-migrate
