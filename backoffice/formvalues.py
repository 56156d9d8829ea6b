"""Turning a posted HTML form into the typed values a use case takes (what msgspec does for the
API's JSON). Nothing here judges a value: a text that is not a date stays text, so the rule
(domain/) names the field and says what is wrong, in the same words the API gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from domain.results import SHANGHAI

_LIST_SEP = re.compile(r"[\s,;，；、]+")


def text(data: Mapping[str, Any], name: str) -> str:
    """One field's text ("" when absent; the last value when a field came twice)."""
    v = data.get(name)
    if isinstance(v, list):
        v = v[-1] if v else ""
    return str(v or "").strip()


def many(data: Mapping[str, Any], name: str) -> list[str]:
    """Every value of a repeated field (checkboxes, a multiple select)."""
    v = data.get(name)
    values = v if isinstance(v, list) else [v] if v else []
    return [str(x).strip() for x in values if str(x or "").strip()]


def split(value: str) -> list[str]:
    """A list typed into one field: separated by spaces, new lines, commas, semicolons or 、."""
    return [v for v in _LIST_SEP.split(value) if v]


def date_or_text(value: str) -> dt.date | str | None:
    """YYYY-MM-DD as a date, "" as None, anything else as it was typed."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return value


def int_or_text(value: str) -> int | str | None:
    if not value:
        return None
    return int(value) if re.fullmatch(r"\d{1,6}", value) else value


def beijing_time_or_text(value: str) -> dt.datetime | str | None:
    """A datetime-local value (YYYY-MM-DDTHH:MM, what the officer reads on the clock in Beijing)
    as an aware datetime in UTC+8; one with an offset keeps it; anything else as typed."""
    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    return at if at.tzinfo else at.replace(tzinfo=SHANGHAI)


def form_dict(data: Mapping[str, Any]) -> dict[str, str]:
    """The posted values as they are shown again in a re-rendered form (lists joined by lines)."""
    return {k: "\n".join(v) if isinstance(v, list) else str(v) for k, v in data.items() if not k.startswith("_")}
