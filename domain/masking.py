"""Masking of personal data before anything is published."""

from __future__ import annotations


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
