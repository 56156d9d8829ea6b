"""Result categories: our codes, the official labels, and which are negative.

A result may carry several categories; it is negative if any category is negative.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    label_en: str
    kind: str  # neutral / negative / status

    @property
    def negative(self) -> bool:
        return self.kind == "negative"


CATALOGUE: tuple[Category, ...] = (
    Category("N01", "未发现问题", "No problem found", "neutral"),
    Category("N02", "合格", "Compliant", "neutral"),
    Category("N03", "正常", "Normal", "neutral"),
    Category("N04", "未发现开展本次抽查涉及的经营活动", "No business activity in scope found", "neutral"),
    Category("X01", "未按规定公示应当公示的信息", "Failed to disclose required information", "negative"),
    Category("X02", "公示信息隐瞒真实情况弄虚作假", "Disclosed information false or concealing facts", "negative"),
    Category("X03", "通过登记的住所（经营场所）无法联系", "Unreachable at registered address", "negative"),
    Category("X04", "不配合检查情节严重", "Seriously obstructed the inspection", "negative"),
    Category("X05", "发现问题已责令改正", "Problem found, ordered to correct", "negative"),
    Category("X06", "发现问题待后续处理", "Problem found, pending follow-up", "negative"),
    Category("X07", "不合格", "Non-compliant", "negative"),
    Category("X08", "其他违法情形", "Other violations", "negative"),
    Category("S01", "已关闭停业或正在组织清算", "Closed or in liquidation", "status"),
    Category("S02", "已注销", "Deregistered", "status"),
    Category("S03", "已被吊销", "Licence revoked", "status"),
    Category("S04", "已迁出", "Moved out", "status"),
)

BY_CODE: dict[str, Category] = {c.code: c for c in CATALOGUE}
BY_LABEL: dict[str, Category] = {c.label: c for c in CATALOGUE}


def lookup(code_or_label: str) -> Category:
    """Accepts our code (X05) or the official label (发现问题已责令改正)."""
    key = code_or_label.strip()
    cat = BY_CODE.get(key.upper()) or BY_LABEL.get(key)
    if cat is None:
        raise KeyError(f"未知的结果类别 '{key}' (unknown result category; use a code such as X05 or its label)")
    return cat


def parse_codes(values: Sequence[str]) -> list[Category]:
    """Resolve and de-duplicate, keeping order. Raises KeyError naming the unknown value."""
    return list(_parse_codes(tuple(values)))


@functools.lru_cache(maxsize=4096)  # few distinct lists across a million rows; errors not cached
def _parse_codes(values: tuple[str, ...]) -> tuple[Category, ...]:
    seen: dict[str, Category] = {}
    for v in values:
        c = lookup(v)
        seen.setdefault(c.code, c)
    return tuple(seen.values())


def is_negative(codes: list[str]) -> bool:
    return any(BY_CODE[c].negative for c in codes)
