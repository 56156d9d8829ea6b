"""The plan form's items editor without JavaScript: rows of named inputs (items-<i>-<key>), a
hidden row count, spare blank rows and an "add rows" button that re-renders what was typed.

Only presentation lives here: form strings become the raw dict domain.plans validates (a
number that does not parse is passed on as typed, so the rule — not this module — names it),
and the rule's field names (items[j].months) are mapped back to the row the officer typed in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from domain.plans import MAX_ITEMS, RISK_CLASSES, fill_codes

BLANK_ROWS = 2  # spare rows under the items; "add rows" adds ADD_ROWS more
ADD_ROWS = 3
MAX_ROWS = MAX_ITEMS + 20
ITEM_TEXT = ("code", "field", "matters", "scope", "departments", "level", "months", "ratio_percent", "method")
RATIO_KEYS = tuple(f"ratio_{k}" for k in RISK_CLASSES)
_SPLIT = re.compile(r"[、,，;；\n]+")


def split_names(text: str) -> list[str]:
    """'a、b，c' or one a line → ['a', 'b', 'c']."""
    return [p.strip() for p in _SPLIT.split(text or "") if p.strip()]


def _number(text: str) -> Any:
    text = (text or "").strip().rstrip("%％")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text  # domain.plans says what is wrong with it


def blank_row() -> dict[str, str]:
    return {k: "" for k in (*ITEM_TEXT, *RATIO_KEYS, "joint", "remove")} | {"level": "市"}


def row_of(item: dict[str, Any]) -> dict[str, str]:
    """A stored item as the form shows it."""
    pct = item.get("ratio_percent")
    by_class = item.get("ratio_by_class") or {}
    return (
        blank_row()
        | {
            "code": str(item.get("code") or ""),
            "field": item.get("field", ""),
            "matters": "\n".join(item.get("matters") or []),
            "scope": item.get("scope", ""),
            "departments": "、".join(item.get("departments") or []),
            "level": item.get("level") or "市",
            "months": "、".join(str(m) for m in item.get("months") or []),
            "ratio_percent": "" if pct is None else f"{pct:g}",
            "method": item.get("method", ""),
            "joint": "1" if item.get("joint") else "",
        }
        | {f"ratio_{k}": f"{v:g}" for k, v in by_class.items() if k in RISK_CLASSES}
    )


def rows_of_form(data: dict[str, Any]) -> list[dict[str, str]]:
    """The rows as typed (every row, blank or marked for removal, in order)."""
    try:
        count = max(0, min(int(str(data.get("rows") or 0)), MAX_ROWS))
    except ValueError:
        count = 0
    keys = (*ITEM_TEXT, *RATIO_KEYS, "joint", "remove")
    return [{k: str(data.get(f"items-{i}-{k}") or "") for k in keys} for i in range(count)]


def _is_blank(row: dict[str, str]) -> bool:
    typed = ("field", "matters", "scope", "departments", "months", "ratio_percent", "method", *RATIO_KEYS)
    return not any(row[k].strip() for k in typed) and not row["joint"]


def items_of_rows(rows: list[dict[str, str]], taken: list[str]) -> tuple[list[dict[str, Any]], list[int]]:
    """The raw items (blank rows and rows marked 删除 left out) and, for each, the row it came
    from. New rows get codes after every code in `taken` (the base revision's)."""
    items: list[dict[str, Any]] = []
    origin: list[int] = []
    for i, row in enumerate(rows):
        if row["remove"] or _is_blank(row):
            continue
        months = [_number(m) for m in split_names(row["months"])]
        items.append(
            {
                "code": row["code"].strip(),
                "field": row["field"],
                "matters": [m.strip() for m in row["matters"].splitlines() if m.strip()],
                "scope": row["scope"],
                "departments": split_names(row["departments"]),
                "level": row["level"] or None,
                "months": months,
                "ratio_percent": _number(row["ratio_percent"]),
                "ratio_by_class": {k: _number(row[f"ratio_{k}"]) for k in RISK_CLASSES if row[f"ratio_{k}"].strip()},
                "method": row["method"],
                "joint": bool(row["joint"]),
            }
        )
        origin.append(i)
    return fill_codes(items, taken), origin


_ITEM_FIELD = re.compile(r"^items\[(\d+)\](?:\.(\w+))?$")


def field_key(field: str, origin: list[int]) -> str:
    """A rule's field name → the form's: items[j].months → items-<row>-months (row the officer
    typed item j in); items[j] → items-<row>; anything else as it is."""
    m = _ITEM_FIELD.match(field)
    if not m:
        return field
    j = int(m.group(1))
    row = origin[j] if j < len(origin) else j
    key = m.group(2)
    if key == "ratio_by_class":
        key = "ratio_A"
    return f"items-{row}-{key}" if key else f"items-{row}"


def plan_raw(data: dict[str, Any], rows: list[dict[str, str]], taken: list[str]) -> tuple[dict[str, Any], list[int]]:
    """The whole form → the raw plan/revision dict domain.plans validates, and the row origins."""
    items, origin = items_of_rows(rows, taken)
    year_text = str(data.get("year") or "").strip()
    published = str(data.get("published_on") or "").strip()
    published_on: Any = None
    if published:
        try:
            published_on = dt.date.fromisoformat(published)
        except ValueError:
            published_on = published  # the rule says 'a date'
    raw = {
        "year": int(year_text) if year_text.isdigit() else (year_text or None),
        "title": str(data.get("title") or ""),
        "participating": split_names(str(data.get("participating") or "")),
        "body": str(data.get("body") or "").replace("\r\n", "\n"),  # a textarea posts CRLF
        "published_on": published_on,
        "reason": str(data.get("reason") or ""),
        "items": items,
    }
    return raw, origin


def with_blank_rows(rows: list[dict[str, str]], n: int = BLANK_ROWS) -> list[dict[str, str]]:
    spare = min(n, max(0, MAX_ROWS - len(rows)))
    return [*rows, *(blank_row() for _ in range(spare))]
