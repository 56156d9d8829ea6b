"""Reading the audit log (审计日志): what an administrator may ask of it, checked before any query.

The log itself is append-only (db.tables.AuditLog, written by db.changes.audit inside each write's
transaction); this module only turns a search form's text into a query, with every bad field
named at once (422), and names the actions for the page.

Dates are calendar days in Beijing time (the day a department works by, as every period in
domain/periods.py is): "from" includes the whole first day, "to" the whole last day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.complaints import STATUS_LABELS as COMPLAINT_STATUS
from domain.disclosure import WITHDRAWAL_REASONS
from domain.errors import Collector
from domain.repair import ACTION_LABELS as REPAIR_STEPS
from domain.repair import SHANGHAI

ACTOR_MAX = 100  # db.tables.AuditLog.actor is Varchar(100)
ACTION_MAX = 40  # AuditLog.action
OBJECT_ID_MAX = 64  # AuditLog.object_id

# object_type → label (the records' own names on the portal)
OBJECT_LABELS = {
    "result": "检查结果",
    "honour": "荣誉信息",
    "document": "政策文件",
    "plan": "抽查计划",
    "guide": "一业一册",
    "matter": "抽查事项",
    "scan_record": "扫码记录",
    "repair_application": "信用修复申请",
    "objection": "异议",
    "complaint": "投诉",
    "repair_rule": "信用修复规则",
    "account": "账号",
}

# The fixed action codes (db/*.py). Codes built from a state or reason (repair_accept,
# withdraw_expired, complaint_substantiated …) are named by action_label from their parts.
ACTION_LABELS = {
    "publish": "发布",
    "revise": "修订",
    "withdraw": "撤销",
    "record": "记录",
    "add_files": "补充文件",
    "revoke": "撤回",
    "repair_apply": "提交修复申请",
    "repair_add_files": "补充修复材料",
    "repair_moot": "修复申请终止（结果已停止公示）",
    "repair_rules_add": "新增修复规则",
    "objection_file": "提出异议",
    "objection_correct": "更正记录",
    "complaint_note": "添加投诉说明",
    "account_create": "账号创建",
    "account_deactivate": "账号停用",
    "account_reactivate": "账号启用",
    "account_password_reset": "密码重置",
}


def _zh(label: str) -> str:
    return label.partition(" (")[0]


def action_label(code: str) -> str:
    """The action's name. Codes composed from a step, a state or a reason (repair_approve,
    objection_confirm, complaint_substantiated, withdraw_expired) take the procedure's own word
    for that part, from the tables that define it."""
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    kind, _, part = code.partition("_")
    if kind == "repair" and part.replace("_", "-") in REPAIR_STEPS:
        return f"信用修复：{REPAIR_STEPS[part.replace('_', '-')]}"
    if kind == "objection" and part in ("confirm", "reject"):
        return "异议核实：" + ("属实" if part == "confirm" else "不成立")
    if kind == "complaint" and part in COMPLAINT_STATUS:
        return f"投诉：{COMPLAINT_STATUS[part]}"
    if kind == "withdraw" and part in WITHDRAWAL_REASONS:
        return f"停止公示：{_zh(WITHDRAWAL_REASONS[part])}"
    return code


@dataclass(frozen=True)
class AuditQuery:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.datetime | None = None  # inclusive, UTC-aware
    until: dt.datetime | None = None  # exclusive, UTC-aware

    def is_for_one_record(self) -> bool:
        return bool(self.object_type and self.object_id)


def _day(raw: str, name: str, c: Collector) -> dt.date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        c.add(name, f"日期格式应为 YYYY-MM-DD (a date as YYYY-MM-DD, got {raw[:20]!r})")
        return None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), SHANGHAI).astimezone(dt.UTC)


def parse_query(
    actor: str = "", action: str = "", object_type: str = "", object_id: str = "", since: str = "", until: str = ""
) -> AuditQuery:
    """The search form's fields as a query; ValidationFailed naming each bad field."""
    c = Collector()
    actor, action, object_type, object_id = actor.strip(), action.strip(), object_type.strip(), object_id.strip()
    for name, value, limit in (("actor", actor, ACTOR_MAX), ("action", action, ACTION_MAX)):
        if len(value) > limit:
            c.add(name, f"最多 {limit} 个字符 (at most {limit} characters)")
    if object_type and object_type not in OBJECT_LABELS:
        c.add("object_type", f"没有这种记录类型 (no record type {object_type[:30]!r})")
    if len(object_id) > OBJECT_ID_MAX:
        c.add("object_id", f"最多 {OBJECT_ID_MAX} 个字符 (at most {OBJECT_ID_MAX} characters)")
    if object_id and not object_type:
        c.add("object_type", "按记录编号查找时请选择记录类型 (choose the record type to look a record up by its id)")
    first, last = _day(since, "since", c), _day(until, "until", c)
    if first and last and first > last:
        c.add("until", "结束日期早于开始日期 (the end date is before the start date)")
    c.raise_if_any("查询条件有误 (the search has invalid fields)")
    return AuditQuery(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=_start_of(first) if first else None,
        until=_start_of(last + dt.timedelta(days=1)) if last else None,
    )
