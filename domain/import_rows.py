"""Validation of entity, honour and scan-record rows (import files, demo data).

Plain functions over already-typed values, like `domain.results.validate_result`: each returns
`(draft, [])` or `(None, [FieldError…])` with messages in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain import uscc as uscc_rules
from domain.entities import KINDS, RISK_CLASSES, kind_from_uscc
from domain.errors import FieldError

STATUSES = ("存续", "在业", "开业", "停业", "注销", "吊销", "迁出", "清算")
# GB/T 4754-2017: a section letter (A-T), optionally followed by a 2-4 digit division/group/class.
_INDUSTRY = re.compile(r"^[A-T](\d{2,4})?$")
_REGION = re.compile(r"^\d{6}$")

HONOUR_KINDS: dict[str, str] = {
    "award": "荣誉奖项",
    "credit": "守信激励",
    "whitelist": "无事不扰白名单",
    "bank_whitelist": "银行白名单",
    "other": "其他",
}
SCAN_METHODS: dict[str, str] = {"scan": "扫码", "checkin": "定位打卡"}
MIN_OFFICERS = 2  # 两人以上执法人员


def _by_code_or_label(value: str, table: dict[str, str]) -> str | None:
    v = value.strip()
    if v in table:
        return v
    for code, label in table.items():
        if v == label:
            return code
    return None


KIND_LABELS = {k: v[0] for k, v in KINDS.items()}


def entity_kind(value: str) -> str | None:
    """'enterprise' or '企业' → 'enterprise'; None when unknown."""
    return _by_code_or_label(value, KIND_LABELS)


@dataclass
class EntityDraft:
    uscc: str
    name: str
    kind: str
    region_code: str
    industry_code: str = ""
    risk_class: str = ""
    status: str = "存续"
    operator_name: str = ""


@dataclass
class HonourDraft:
    uscc: str
    entity_name: str
    honour: str
    kind: str
    awarded_by: str
    awarded_on: dt.date
    valid_until: dt.date | None = None
    source_document: str = ""
    region_code: str = ""


@dataclass
class ScanDraft:
    uscc: str
    department_code: str
    officer_credentials: tuple[str, ...]
    scanned_at: dt.datetime
    method: str
    task_number: str = ""
    location: str = ""


def _uscc(raw: dict[str, Any], bad: Callable[[str, str], None]) -> str:
    try:
        return uscc_rules.validate(str(raw.get("uscc") or ""))
    except uscc_rules.InvalidUSCC as e:
        bad("uscc", str(e))
        return ""


def _text(raw: dict[str, Any], name: str, limit: int) -> str:
    return str(raw.get(name) or "").strip()[: limit + 1]


def validate_entity(raw: dict[str, Any]) -> tuple[EntityDraft | None, list[FieldError]]:
    errs: list[FieldError] = []

    def bad(f: str, m: str) -> None:
        errs.append(FieldError(f, m))

    code = _uscc(raw, bad)
    name = _text(raw, "name", 200)
    if not name:
        bad("name", "经营主体名称不能为空 (name is required)")
    elif len(name) > 200:
        bad("name", "名称过长 (at most 200 characters)")
    kind_raw = str(raw.get("kind") or "").strip()
    kind = entity_kind(kind_raw) if kind_raw else (kind_from_uscc(code) if code else "other")
    if kind is None:
        bad("kind", f"未知的主体类型 {kind_raw!r} (one of {', '.join(KINDS)} or 企业/个体工商户/农民专业合作社/其他)")
    region = str(raw.get("region_code") or (uscc_rules.region_of(code) if code else "")).strip()
    if (code or raw.get("region_code")) and not _REGION.match(region):  # else: the USCC error says it
        bad("region_code", "行政区划代码应为6位数字 (a 6-digit GB/T 2260 code)")
    industry = str(raw.get("industry_code") or "").strip().upper()
    if industry and not _INDUSTRY.match(industry):
        bad("industry_code", f"行业代码应符合 GB/T 4754，如 F5221 (a GB/T 4754 code such as F5221, got {industry!r})")
    risk = str(raw.get("risk_class") or "").strip().upper()
    if risk and risk not in RISK_CLASSES:
        bad("risk_class", f"信用风险分类应为 A、B、C 或 D (A-D, got {risk!r})")
    status = str(raw.get("status") or "存续").strip()
    if status not in STATUSES:
        bad("status", f"未知的登记状态 {status!r} (one of {'、'.join(STATUSES)})")
    operator = _text(raw, "operator_name", 50)
    if len(operator) > 50:
        bad("operator_name", "经营者姓名过长 (at most 50 characters)")
    if errs:
        return None, errs
    return EntityDraft(code, name, kind or "other", region, industry, risk, status, operator), []


def validate_honour(raw: dict[str, Any], today: dt.date) -> tuple[HonourDraft | None, list[FieldError]]:
    errs: list[FieldError] = []

    def bad(f: str, m: str) -> None:
        errs.append(FieldError(f, m))

    code = _uscc(raw, bad)
    name = _text(raw, "entity_name", 200)
    if not name:
        bad("entity_name", "经营主体名称不能为空 (entity_name is required)")
    honour = _text(raw, "honour", 200)
    if not honour:
        bad("honour", "荣誉名称不能为空 (honour is required)")
    elif len(honour) > 200:
        bad("honour", "荣誉名称过长 (at most 200 characters)")
    kind_raw = str(raw.get("kind") or "other").strip()
    kind = _by_code_or_label(kind_raw, HONOUR_KINDS)
    if kind is None:
        bad("kind", f"未知的荣誉类型 {kind_raw!r} (one of {', '.join(HONOUR_KINDS)} or their labels)")
    by = _text(raw, "awarded_by", 200)
    if not by:
        bad("awarded_by", "授予机关不能为空 (awarded_by is required)")
    on = raw.get("awarded_on")
    if not isinstance(on, dt.date):
        bad("awarded_on", "授予日期格式应为 YYYY-MM-DD (a date YYYY-MM-DD)")
    elif on > today:
        bad("awarded_on", "授予日期不能在未来 (the award date is in the future)")
    until = raw.get("valid_until")
    if until is not None and not isinstance(until, dt.date):
        bad("valid_until", "有效期格式应为 YYYY-MM-DD (a date YYYY-MM-DD)")
    elif isinstance(until, dt.date) and isinstance(on, dt.date) and until < on:
        bad("valid_until", "有效期不能早于授予日期 (valid_until is before awarded_on)")
    region = str(raw.get("region_code") or (uscc_rules.region_of(code) if code else "")).strip()
    if region and not _REGION.match(region):
        bad("region_code", "行政区划代码应为6位数字 (a 6-digit GB/T 2260 code)")
    if errs:
        return None, errs
    assert isinstance(on, dt.date)  # checked above
    return (
        HonourDraft(
            code,
            name,
            honour,
            kind or "other",
            by,
            on,
            until,
            _text(raw, "source_document", 300)[:300],
            region,
        ),
        [],
    )


def validate_scan(raw: dict[str, Any], now: dt.datetime) -> tuple[ScanDraft | None, list[FieldError]]:
    errs: list[FieldError] = []

    def bad(f: str, m: str) -> None:
        errs.append(FieldError(f, m))

    code = _uscc(raw, bad)
    dept = str(raw.get("department") or "").strip()
    if not dept:
        bad("department", "检查部门不能为空 (department is required)")
    creds = tuple(dict.fromkeys(str(c).strip() for c in raw.get("officer_credentials") or [] if str(c).strip()))
    if len(creds) < MIN_OFFICERS:
        bad(
            "officer_credentials",
            f"至少需要{MIN_OFFICERS}名执法人员的执法证号 (at least {MIN_OFFICERS} different officer credential numbers)",
        )
    at = raw.get("scanned_at")
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        bad("scanned_at", "扫码时间格式应为 YYYY-MM-DD HH:MM (a date and time)")
    elif at > now + dt.timedelta(minutes=5):
        bad("scanned_at", "扫码时间不能在未来 (the scan time is in the future)")
    method_raw = str(raw.get("method") or "").strip()
    method = _by_code_or_label(method_raw, SCAN_METHODS)
    if method is None:
        bad("method", f"方式应为 扫码 或 定位打卡 (scan or checkin, got {method_raw!r})")
    task = _text(raw, "task_number", 64)
    if len(task) > 64:
        bad("task_number", "任务单号过长 (at most 64 characters)")
    if errs:
        return None, errs
    # Stored in UTC so the same moment always has the same stored form (duplicate checks).
    at = at.astimezone(dt.UTC)  # type: ignore[union-attr]
    return ScanDraft(code, dept, creds, at, method or "scan", task, _text(raw, "location", 200)[:200]), []


def publisher_error(first_department: str, actor_department: str, field: str = "departments") -> FieldError | None:
    """A department publishes only under its own name (the first department is the publisher)."""
    if first_department != actor_department:
        return FieldError(
            field,
            f"只能以本部门 {actor_department} 的名义发布 "
            f"(the publishing department must be your own, {actor_department}; got {first_department})",
        )
    return None
