"""Masking of personal data before anything is published."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from domain.entities import kind_from_uscc

# The entity register as masking needs it: uscc → (kind, operator name).
Register = Mapping[str, tuple[str, str]]


def mask_person_name(name: str) -> str:
    """张三 → 张*, 欧阳明华 → 欧***: keep the first character only (张** style)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


# A bare personal name: two to four Han characters (U+4E00 to U+9FFF, the CJK Unified
# Ideographs block), nothing else. A 个体工商户 may trade without a
# registered name (the 个体工商户名称登记管理办法 makes a name optional), so a register entry can be
# just the operator's name: personal information (《个人信息保护法》第四条) that DOMAIN.md
# "Privacy" publishes only masked.
BARE_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")

# Words that make a short name a trade name rather than a person's (the 行业 and 组织形式 parts
# of a 个体工商户 name — 行政区划 + 字号 + 行业 + 组织形式, such as 店、馆、部、行、中心、坊 — as the
# 个体工商户名称登记管理办法 composes it, and region words). Kept to characters and words that do
# not occur in ordinary given names: where in doubt the name is masked (hiding a trade name costs
# little, the USCC still identifies the business; publishing a person's name cannot be undone).
BUSINESS_WORDS: tuple[str, ...] = (
    "店",
    "铺",
    "馆",
    "厂",
    "坊",
    "部",
    "社",
    "摊",
    "档",
    "吧",
    "站",
    "所",
    "室",
    "厅",
    "场",
    "号",
    "记",
    "行",
    "中心",
    "超市",
    "商",
    "贸",
    "食品",
    "餐",
    "饭",
    "面",
    "酒",
    "茶",
    "烟",
    "百货",
    "五金",
    "服装",
    "建材",
    "小吃",
    "水果",
    "蔬菜",
    "维修",
    "修理",
    "理发",
    "美容",
    "美发",
    "粮油",
    "批发",
    "零售",
    "经营",
    "经销",
    "销售",
    "服务",
    "农资",
    "养殖",
    "种植",
    "加工",
    "诊",
    "药",
    "烧烤",
    "家电",
    "电器",
    "手机",
    "通讯",
    "汽修",
    "洗",
    "宾",
    "旅",
    "市",
    "县",
    "区",
    "镇",
    "乡",
)


def is_individual(kind: str, uscc: str = "") -> bool:
    """An individual business (个体工商户): the register says so, or the USCC's second position
    is 2 (GB 32100-2015, 登记管理部门代码 9 工商 with 机构类别代码 2 个体工商户)."""
    return kind == "individual" or (len(uscc) >= 2 and kind_from_uscc(uscc) == "individual")


def is_bare_personal_name(name: str) -> bool:
    """2–4 Han characters and no business word: 王建国 and 欧阳明华 yes; 王记, 张三百货 and
    东昌府区 no."""
    name = name.strip()
    return bool(BARE_NAME.fullmatch(name)) and not any(w in name for w in BUSINESS_WORDS)


def public_entity_name(name: str, kind: str, operator_name: str = "", uscc: str = "") -> str:
    """The name of an entity as published. An individual business registered under its
    operator's name shows that name masked (张** style, DOMAIN.md "Privacy"). When the register
    knows no operator, a name that is itself a bare personal name (is_bare_personal_name) is
    masked all but its first character: it is the operator's name."""
    if not is_individual(kind, uscc):
        return name
    if operator_name:
        return name.replace(operator_name, mask_person_name(operator_name)) if operator_name in name else name
    return mask_person_name(name) if is_bare_personal_name(name) else name


def mask_by_register(drafts: Iterable[Any], register: Register) -> dict[str, tuple[Any, str]]:
    """The one masking rule for everything published about an entity (results over the API, the
    importer, the demo; honours too): the register's kind and operator decide, and a record that
    names its own operator (`operator_name` on the draft) adds it. Masks `entity_name` in place.

    Returns, for each uscc the register does not know, its first draft and the entity's full
    name: the caller registers those entities (the register keeps full names and masks them
    whenever it shows them)."""
    unknown: dict[str, tuple[Any, str]] = {}
    for d in drafts:
        own = getattr(d, "operator_name", "")
        known = register.get(d.uscc)
        if known is None:
            kind, operator = getattr(d, "entity_kind", ""), ""
            if d.uscc not in unknown:
                unknown[d.uscc] = (d, d.entity_name)
        else:
            kind, operator = known
        d.entity_name = public_entity_name(d.entity_name, kind, own or operator, d.uscc)
    return unknown
