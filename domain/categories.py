"""Result categories: our codes, the official labels, and which are negative.

A result may carry several categories; it is negative if any category is negative.

Where the labels come from (each as written there, punctuation included):
- N01 and X01–X04: 《企业公示信息抽查暂行办法》（原国家工商行政管理总局令第67号，2014）, the results of
  a check of an enterprise's publicly disclosed information, as 国家企业信用信息公示系统 shows them
  (X02 with its 、: 公示信息隐瞒真实情况、弄虚作假; X03 with full-width brackets).
- N04, X05, X06 and S01–S04: the further results 国家企业信用信息公示系统 publishes for 双随机 spot
  checks of other matters (DOMAIN.md, "Result categories").
- N02 合格 / X07 不合格: product and field checks that end in a conformity verdict (e.g. 产品质量监督
  抽查); N03 正常 and X08 其他违法情形: the catch-alls the regime's seeds use (DOMAIN.md).
Input is matched leniently (`lookup`): half-width brackets for full-width ones, and the label without
its 、, as older imports and spreadsheets write them.
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
    Category("X02", "公示信息隐瞒真实情况、弄虚作假", "Disclosed information false or concealing facts", "negative"),
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


def label_key(label: str) -> str:
    """A label as compared on input: brackets full-width, 、 and spaces dropped."""
    return label.strip().replace("(", "（").replace(")", "）").replace("、", "").replace(" ", "").replace("\u3000", "")


BY_CODE: dict[str, Category] = {c.code: c for c in CATALOGUE}
BY_LABEL: dict[str, Category] = {c.label: c for c in CATALOGUE}
BY_LABEL_KEY: dict[str, Category] = {label_key(c.label): c for c in CATALOGUE}


def lookup(code_or_label: str) -> Category:
    """Accepts our code (X05) or the official label (发现问题已责令改正), with half-width brackets
    or without the 、 of 公示信息隐瞒真实情况、弄虚作假."""
    key = code_or_label.strip()
    cat = BY_CODE.get(key.upper()) or BY_LABEL.get(key) or BY_LABEL_KEY.get(label_key(key))
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
