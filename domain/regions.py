"""GB/T 2260 region codes: a province or city code also covers the regions under it."""

from __future__ import annotations

import re

from domain.errors import FieldError, ValidationFailed

_CODE = re.compile(r"^\d{6}$")


def validate_region(code: str, field: str = "region") -> str:
    code = code.strip()
    if not _CODE.match(code):
        raise ValidationFailed(
            "Invalid region code.",
            [FieldError(field, f"行政区划代码应为6位数字 (a GB/T 2260 region code has 6 digits, got {code!r})")],
        )
    return code


def region_prefix(code: str) -> str:
    """370000 → '37', 371500 → '3715', 371726 → '371726'."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def region_range(code: str) -> tuple[str, str]:
    """Half-open string range [lo, hi) of codes under `code`, usable with an index."""
    p = region_prefix(code)
    hi = p[:-1] + chr(ord(p[-1]) + 1)
    return p, hi
