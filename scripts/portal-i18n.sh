#!/usr/bin/env bash
# Portal translations: extract every _("…") from portal/ (templates and Python) into
# messages.pot, then merge it into the English catalogue. Translate the new (empty) entries
# in portal/locale/en/LC_MESSAGES/messages.po and commit it. No compile step is needed:
# portal/i18n.py compiles the .po in memory at start-up (`--compile` writes a .mo anyway).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=.venv/bin/pybabel
POT=$(mktemp --suffix=.pot)
trap 'rm -f "$POT"' EXIT
# portal/ and backoffice/ share one catalogue (the back office renders through the portal's i18n).
$PYBABEL extract -F portal/babel.cfg -k N_ --no-location --sort-output --omit-header -o "$POT" portal backoffice
if [ -f portal/locale/en/LC_MESSAGES/messages.po ]; then
  $PYBABEL update -i "$POT" -d portal/locale -l en --no-fuzzy-matching --ignore-obsolete --omit-header
else
  $PYBABEL init -i "$POT" -d portal/locale -l en
fi
if [ "${1:-}" = "--compile" ]; then
  $PYBABEL compile -d portal/locale -l en
fi
# Report what still needs translating.
.venv/bin/python - <<'PY'
from babel.messages.pofile import read_po
with open("portal/locale/en/LC_MESSAGES/messages.po", "rb") as fh:
    cat = read_po(fh)
todo = [m.id for m in cat if m.id and not m.string]
print(f"{len(cat)} messages, {len(todo)} untranslated")
for t in todo:
    print("  ", t)
PY
