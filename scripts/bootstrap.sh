#!/usr/bin/env bash
# Create .venv and install the project (with dev extras when asked). Idempotent and quick
# when nothing changed: it reinstalls only when pyproject.toml is newer than the stamp.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
py="${PYTHON:-python3}"
if ! "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Python 3.11 or newer is needed (found: $("$py" --version 2>&1))" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  if [ ! -f .venv/.installed ] && [ ! -f .venv/.installed-dev ]; then
    echo "Installing Python packages into .venv (the first time takes one to three minutes) …"
  else
    echo "Updating the Python packages in .venv (pyproject.toml changed) …"
  fi
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
