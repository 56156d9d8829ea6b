"""Masking of personal data before anything is published."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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


def public_entity_name(name: str, kind: str, operator_name: str = "") -> str:
    """An individual business registered under its operator's name shows the name masked."""
    if kind == "individual" and operator_name and operator_name in name:
        return name.replace(operator_name, mask_person_name(operator_name))
    return name


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
        d.entity_name = public_entity_name(d.entity_name, kind, own or operator)
    return unknown
