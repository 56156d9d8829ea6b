#!/usr/bin/env bash
# Lint and types, as CI runs them: ruff's rules, ruff's formatting, mypy (strict for domain/ and
# search/, checked everywhere else; configuration in pyproject.toml). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh dev
echo "== ruff check"
.venv/bin/ruff check .
echo "== ruff format --check"
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
