"""Market entity kinds and labels."""

from __future__ import annotations

KINDS: dict[str, tuple[str, str]] = {
    "enterprise": ("企业", "Enterprise"),
    "individual": ("个体工商户", "Individual business"),
    "cooperative": ("农民专业合作社", "Farmers' cooperative"),
    "other": ("其他", "Other"),
}

# USCC position 2 (for registration authority 9, market regulation).
KIND_BY_USCC_CHAR = {"1": "enterprise", "2": "individual", "3": "cooperative"}

RISK_CLASSES = ("A", "B", "C", "D")


def kind_from_uscc(code: str) -> str:
    if code[0] == "9":
        return KIND_BY_USCC_CHAR.get(code[1], "other")
    return "other"


def kind_label(kind: str) -> str:
    return KINDS.get(kind, KINDS["other"])[0]
