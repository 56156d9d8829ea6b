#!/usr/bin/env bash
# Command 1: a fresh machine to the portal and API at http://127.0.0.1:8000 with demo data
# on the embedded defaults (SQLite + embedded search). Re-running keeps the existing data.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
export BASE_URL="${BASE_URL:-http://$HOST:$PORT}"  # every record's `url` points at this server
# Demo mode: the server may start with the public default JWT_SECRET (refused otherwise).
export DEMO_MODE="${DEMO_MODE:-1}"
# The footer's site identifiers, with demo values that say so (a deployment sets its own).
export SITE_SPONSOR="${SITE_SPONSOR:-聊城市人民政府办公室（演示）}"
export SITE_OPERATOR="${SITE_OPERATOR:-聊城市市场监督管理局（演示）}"
export SITE_ID="${SITE_ID:-0000000000（演示）}"
export SITE_ICP="${SITE_ICP:-鲁ICP备00000000号（演示）}"
export SITE_PSB="${SITE_PSB:-鲁公网安备 00000000000000号（演示）}"
export SITE_CONTACT="${SITE_CONTACT:-0635-0000000（演示）}"
scripts/bootstrap.sh
# Guide PDFs embed a CJK font (render/guides.py looks for Debian's fonts-wqy-zenhei or fonts-noto-cjk).
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] && [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] \
   && [ -z "${PDF_FONT:-}" ] && command -v apt-get >/dev/null; then
  echo "Installing fonts-wqy-zenhei (Chinese font for the guide PDFs) …"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  # Wait (up to 5 minutes) for another package manager holding the lock instead of giving up.
  apt_wait=(-o DPkg::Lock::Timeout=300)
  $SUDO apt-get "${apt_wait[@]}" update -qq \
    && DEBIAN_FRONTEND=noninteractive $SUDO apt-get "${apt_wait[@]}" install -y -qq fonts-wqy-zenhei >/dev/null \
    || echo "warning: could not install fonts-wqy-zenhei; guides are published without PDF files (run again once a font is installed)" >&2
fi
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/gongshi.sqlite}"
.venv/bin/gongshi migrate
if [ ! -f var/.demo-loaded ]; then
  .venv/bin/gongshi demo --results "${DEMO_RESULTS:-20000}" && touch var/.demo-loaded
fi
# A font installed since the last run brings the PDFs the demo had to leave out.
.venv/bin/gongshi render-guides
port_open() { .venv/bin/python -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 0.5)" "$HOST" "$PORT" 2>/dev/null; }
if port_open; then
  echo "端口 $PORT 已被占用，请用 PORT=其他端口 再运行 (port $PORT on $HOST is already in use: run with PORT=another port)" >&2
  exit 1
fi
.venv/bin/gongshi serve --host "$HOST" --port "$PORT" --no-migrate &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' INT TERM
for _ in $(seq 1 600); do
  if ! kill -0 "$server" 2>/dev/null; then wait "$server"; exit $?; fi
  if port_open; then
    echo "门户已启动：http://$HOST:$PORT/ (the portal is up; Ctrl+C stops it)"
    break
  fi
  sleep 0.2
done
wait "$server"
