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


# Names GB/T 2260 uses for grouping levels that are not places of their own (直辖市's "市辖区").
_GROUPING = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


def full_name(code: str, names: dict[str, str]) -> str:
    """The name a reader recognises: a county with its city (聊城市冠县), a city or a province by
    its own name; the code itself when the register does not know it."""
    own = names.get(code, "")
    if not own:
        return code
    if code.endswith("00"):
        return own
    city = names.get(code[:4] + "00", "")
    if city and city not in _GROUPING:
        return city + own
    province = names.get(code[:2] + "0000", "")
    return province + own if province else own
