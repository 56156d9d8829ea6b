"""What is public. A withdrawn record is never served, wherever it is asked for."""

from __future__ import annotations

from typing import Any

from domain.errors import Gone

PUBLIC = "public"
WITHDRAWN = "withdrawn"

# Reason categories that may be told to the public (never the details).
WITHDRAWAL_REASONS: dict[str, str] = {
    "repaired": "信用修复后停止公示 (publicity stopped after credit repair)",
    "expired": "公示期满停止公示 (maximum publicity period reached)",
    "penalty_withdrawn": "关联处罚信息已停止公示 (the linked penalty is no longer public)",
    "corrected": "经异议核实更正 (corrected after an objection)",
    "revoked": "发布机关撤回 (withdrawn by the publishing department)",
}


def is_public(disclosure: str) -> bool:
    return disclosure == PUBLIC


def ensure_servable(kind: str, record_id: Any, disclosure: str, reason: str) -> None:
    """Raise Gone for a record whose publicity has stopped."""
    if not is_public(disclosure):
        label = WITHDRAWAL_REASONS.get(reason, "已停止公示 (no longer public)")
        zh, _, en = label.partition(" (")
        raise Gone(
            f"该{kind}已停止公示：{zh} (record {record_id} is no longer public: {en.removesuffix(')')})",
            reason=reason or "withdrawn",
        )


def withdrawal_fields(reason: str, actor: str, note: str, at: Any) -> dict[str, Any]:
    if reason not in WITHDRAWAL_REASONS:
        raise ValueError(f"unknown withdrawal reason {reason!r}")
    return {
        "disclosure": WITHDRAWN,
        "withdrawn_reason": reason,
        "withdrawn_by": actor,
        "withdrawn_note": note,
        "withdrawn_at": at,
    }
