"""Sharing repair decisions (修复结果共享): what the portal tells the authoritative platforms.

A stop of publicity decided or reached here must reach the province's credit platform,
国家企业信用信息公示系统 and 信用中国 (DOMAIN.md "Periods, deadlines and the repair procedure",
Sharing). The portal keeps an outbound row for every approved repair and every automatic stop
(主动停止公示: the maximum period reached, or the linked penalty no longer public); they take them
from GET /api/v1/exchange/repairs (role `exchange`). A correction or a revocation is not a repair
and is told through the public change feed instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from domain.repair import local_date

# withdrawal reason (domain.disclosure) → the decision as the exchange names it
DECISIONS = {
    "repaired": "repaired",  # 准予信用修复, on the enterprise's application
    "expired": "expired",  # 最长公示期届满，主动停止公示
    "penalty_withdrawn": "penalty_withdrawn",  # 关联行政处罚停止公示，随之主动停止公示
}
DECISION_LABELS = {
    "repaired": "准予信用修复，停止公示",
    "expired": "公示期满，主动停止公示",
    "penalty_withdrawn": "关联行政处罚停止公示，主动停止公示",
}


def shared(reason: str) -> bool:
    """Whether a withdrawal with this reason is told to the authoritative platforms."""
    return reason in DECISIONS


def legal_basis(reason: str, ref: str = "", penalty_decision_number: str = "") -> str:
    """The basis the receiving platform records with the stop, in words (Chinese, English in brackets)."""
    if reason == "repaired":
        return (
            f"信用修复申请 {ref} 经发布部门审查准予修复（谁公示、谁修复；参照《市场监督管理信用修复管理办法》"
            f"（国市监信规〔2021〕3号））"
            f" (repair application {ref} approved by the publishing department)"
        )
    if reason == "expired":
        return (
            "检查结果公示已满最长公示期，主动停止公示（期间按《民法典》第二百零一条至第二百零三条计算；"
            "期限见 /api/v1/repair-rules）"
            " (the maximum publicity period has run: publicity stopped by itself)"
        )
    if reason == "penalty_withdrawn":
        return (
            f"关联的行政处罚决定 {penalty_decision_number} 已停止公示，检查结果随之主动停止公示"
            f" (the linked penalty decision {penalty_decision_number} is no longer public)"
        )
    raise ValueError(f"withdrawals for {reason!r} are not shared")


def exchange_row(reason: str, result: dict[str, Any], at: dt.datetime, ref: str = "") -> dict[str, Any]:
    """The outbound row for one result that stopped being public (`result`: its stored row). It takes
    effect on the day of the withdrawal, Beijing time."""
    effective_on = local_date(at)
    return {
        "at": at,
        "uscc": result["uscc"],
        "entity_name": result["entity_name"],
        "result_id": result["id"],
        "task_number": result["task_number"],
        "department_code": result["department_code"],
        "decision": DECISIONS[reason],
        "effective_on": effective_on,
        "application_number": ref if reason == "repaired" else "",
        "legal_basis": legal_basis(reason, ref, result.get("penalty_decision_number") or ""),
    }
