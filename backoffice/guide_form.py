"""The guide form's sections editor without scripts (as backoffice.plan_form's items editor):
rows sections-<i>-heading / sections-<i>-body, a hidden row count, spare blank rows and an
"add rows" button that re-renders what was typed. Presentation only: form strings become the
raw dict domain.guides validates, and its field names map back to the row typed in."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from domain.guides import MAX_SECTIONS

BLANK_ROWS = 2
ADD_ROWS = 3
MAX_ROWS = MAX_SECTIONS + 20
TEXT_FIELDS = ("industry_code", "industry_name", "version", "title", "effective_on", "summary", "change_note")


def blank_row() -> dict[str, str]:
    return {"heading": "", "body": ""}


def rows_of_form(data: dict[str, Any]) -> list[dict[str, str]]:
    try:
        count = max(0, min(int(str(data.get("rows") or 0)), MAX_ROWS))
    except ValueError:
        count = 0
    return [
        {k: str(data.get(f"sections-{i}-{k}") or "").replace("\r\n", "\n") for k in ("heading", "body")}
        for i in range(count)
    ]


def with_blank_rows(rows: list[dict[str, str]], n: int = BLANK_ROWS) -> list[dict[str, str]]:
    spare = min(n, max(0, MAX_ROWS - len(rows)))
    return [*rows, *(blank_row() for _ in range(spare))]


def guide_raw(data: dict[str, Any], rows: list[dict[str, str]]) -> tuple[dict[str, Any], list[int]]:
    """The form → the raw guide/version dict, and for each section the row it came from."""
    sections, origin = [], []
    for i, row in enumerate(rows):
        if row["heading"].strip() or row["body"].strip():
            sections.append({"heading": row["heading"], "body": row["body"]})
            origin.append(i)
    raw: dict[str, Any] = {k: str(data.get(k) or "").replace("\r\n", "\n") for k in TEXT_FIELDS}
    effective = raw["effective_on"].strip()
    with contextlib.suppress(ValueError):  # else left as typed: the rule says 'a date'
        raw["effective_on"] = dt.date.fromisoformat(effective) if effective else None
    raw["sections"] = sections
    return raw, origin


_SECTION_FIELD = re.compile(r"^sections\[(\d+)\](?:\.(\w+))?$")


def field_key(field: str, origin: list[int]) -> str:
    """sections[j].body → sections-<row>-body; anything else as it is."""
    m = _SECTION_FIELD.match(field)
    if not m:
        return field
    j = int(m.group(1))
    row = origin[j] if j < len(origin) else j
    return f"sections-{row}-{m.group(2)}" if m.group(2) else f"sections-{row}"


def rows_of_sections(sections: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{"heading": s.get("heading", ""), "body": s.get("body", "")} for s in sections]
