"""Opaque keyset cursors and page sizes."""

from __future__ import annotations

import base64
import json
from typing import Any

from domain.errors import FieldError, ValidationFailed
from domain.limits import in_range

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(value: int | None) -> int:
    if value is None:
        return DEFAULT_PAGE_SIZE
    if value < 1 or value > MAX_PAGE_SIZE:
        raise ValidationFailed(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}",
            [
                FieldError(
                    "page_size", f"每页条数应在1到{MAX_PAGE_SIZE}之间 (must be 1 to {MAX_PAGE_SIZE}, got {value})"
                )
            ],
        )
    return value


def encode_cursor(key: dict[str, Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str | None, fields: tuple[str, ...] = ("id",), int_fields: tuple[str, ...] = ("id",)
) -> dict[str, Any] | None:
    """Decode a cursor made by encode_cursor; anything else is a 422 naming `cursor`."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(key, dict) or set(key) != set(fields):
            raise ValueError("wrong keys")
        for f in fields:
            if not isinstance(key[f], (int, str)) or isinstance(key[f], bool):
                raise ValueError("wrong type")
            if f in int_fields and not isinstance(key[f], int):
                raise ValueError("wrong type")
            if f in int_fields and not in_range(key[f]):
                raise ValueError("out of range")  # no id is past it (domain/limits.py)
    except (ValueError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationFailed(
            "The cursor is not one this API issued.",
            [
                FieldError(
                    "cursor", "无效的翻页游标 (malformed cursor: pass next_cursor from the previous page unchanged)"
                )
            ],
        ) from None
    return key


def split_page(rows: list[dict[str, Any]], size: int, key: str = "id") -> tuple[list[dict[str, Any]], str | None]:
    """Rows fetched with LIMIT size + 1: the page itself, and the cursor after its last row
    (None on the last page). One extra row is how a keyset page knows another follows."""
    page = rows[:size]
    after = encode_cursor({key: page[-1][key]}) if len(rows) > size and page else None
    return page, after
