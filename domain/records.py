"""Honours, policy documents and scan records: validating what an officer publishes.

Each validator returns the plain dict the db layer stores, or collects field errors (with
`items[i].` prefixes in bulk requests) so one response lists every problem.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from domain import uscc
from domain.errors import Collector, FieldError, ValidationFailed

HONOUR_KINDS = {
    "award": "奖项荣誉 (e.g. 省长质量奖)",
    "credit": "信用荣誉 (e.g. 守合同重信用)",
    "whitelist": "“无事不扰”白名单",
    "bank_whitelist": "银行白名单",
    "other": "其他",
}
# 扫码入企: an officer scans the entity's licence code, or checks in by location where it cannot
# (DOMAIN.md, "Entities and their fields": a scan record's method 扫码 / 定位打卡; 扫码入企、逢进必扫).
SCAN_METHOD_LABELS = {"scan": "扫码", "checkin": "定位打卡"}
SCAN_METHODS = tuple(SCAN_METHOD_LABELS)
MAX_BULK = 10_000
_REGION = re.compile(r"^\d{6}$")


def _date(raw: Any) -> dt.date | None:
    return raw if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime) else None


def _text(raw: dict[str, Any], key: str) -> str:
    return str(raw.get(key) or "").strip()


def validate_honour(
    raw: dict[str, Any], department: str, region_code: str, c: Collector, prefix: str = ""
) -> dict[str, Any]:
    code = ""
    try:
        code = uscc.validate(str(raw.get("uscc") or ""))
    except uscc.InvalidUSCC as e:
        c.add(prefix + "uscc", str(e))
    for key, label in (("entity_name", "经营主体名称"), ("honour", "荣誉名称"), ("awarded_by", "授予机关")):
        if not _text(raw, key):
            c.add(prefix + key, f"{label}不能为空 ({key} is required)")
    kind = raw.get("kind") or "other"
    if kind not in HONOUR_KINDS:
        c.add(prefix + "kind", f"未知的荣誉类型 {kind!r} (one of {', '.join(HONOUR_KINDS)})")
    awarded = _date(raw.get("awarded_on"))
    if awarded is None:
        c.add(prefix + "awarded_on", "授予日期格式应为 YYYY-MM-DD (a date)")
    valid_until = raw.get("valid_until")
    if valid_until is not None and (_date(valid_until) is None or (awarded and valid_until < awarded)):
        c.add(prefix + "valid_until", "有效期至应为不早于授予日期的日期 (a date on or after awarded_on)")
    return {
        "uscc": code,
        "entity_name": _text(raw, "entity_name"),
        "honour": _text(raw, "honour"),
        "kind": kind,
        "awarded_by": _text(raw, "awarded_by"),
        "awarded_on": awarded,
        "valid_until": valid_until,
        "source_document": _text(raw, "source_document")[:300],
        "department_code": department,
        "region_code": _text(raw, "region_code") or (uscc.region_of(code) if code else region_code),
    }


def validate_document(raw: dict[str, Any], department: str, today: dt.date) -> dict[str, Any]:
    """A policy document. Some carry only a year: then issued_on is null and issued_year set."""
    c = Collector()
    for key, label, limit in (("title", "标题", 300), ("issuer", "发文机关", 200), ("body", "正文", 2_000_000)):
        v = _text(raw, key)
        if not v:
            c.add(key, f"{label}不能为空 ({key} is required)")
        elif len(v) > limit:
            c.add(key, f"{label}过长 (at most {limit} characters)")
    issued_on = raw.get("issued_on")
    if issued_on is not None and _date(issued_on) is None:
        c.add("issued_on", "发文日期格式应为 YYYY-MM-DD (a date, or null when only the year is known)")
        issued_on = None
    year = raw.get("issued_year")
    if issued_on is not None:
        if year is not None and year != issued_on.year:
            c.add("issued_year", "发文年份与发文日期不一致 (issued_year differs from issued_on)")
        year = issued_on.year
    elif not isinstance(year, int) or isinstance(year, bool) or not (1949 <= year <= today.year + 1):
        c.add("issued_year", "没有发文日期时需要发文年份 (issued_year is required when issued_on is null)")
    region = _text(raw, "region_code")
    if not _REGION.match(region):
        c.add("region_code", "行政区划代码应为6位数字 (a 6-digit GB/T 2260 code)")
    doc_number = _text(raw, "doc_number") or None
    c.raise_if_any("政策文件有无效字段，未发布 (the document has invalid fields; nothing was published)")
    return {
        "title": _text(raw, "title"),
        "issuer": _text(raw, "issuer"),
        "doc_number": doc_number,
        "issued_on": issued_on,
        "issued_year": year,
        "region_code": region,
        "region_name": _text(raw, "region_name"),
        "body": str(raw.get("body")).strip(),
        "source": _text(raw, "source")[:300],
        "department_code": department,
        "published_on": _date(raw.get("published_on")) or today,
    }


def validate_scan(
    raw: dict[str, Any], department: str, now: dt.datetime, c: Collector, prefix: str = ""
) -> dict[str, Any]:
    code = ""
    try:
        code = uscc.validate(str(raw.get("uscc") or ""))
    except uscc.InvalidUSCC as e:
        c.add(prefix + "uscc", str(e))
    creds_raw = raw.get("officer_credentials")
    creds = [str(x).strip() for x in creds_raw if str(x).strip()] if isinstance(creds_raw, list) else []
    if len(set(creds)) < 2:
        c.add(
            prefix + "officer_credentials",
            "至少两名执法人员的执法证号 (at least two different officers' credential numbers)",
        )
    at = raw.get("scanned_at")
    if not isinstance(at, dt.datetime) or at.tzinfo is None:
        c.add(prefix + "scanned_at", "时间应为带时区的 ISO 8601 时间 (an ISO 8601 time with offset)")
    elif at > now + dt.timedelta(minutes=5):
        c.add(prefix + "scanned_at", "扫码时间不能在未来 (the time is in the future)")
    method = raw.get("method") or "scan"
    if method not in SCAN_METHODS:
        c.add(prefix + "method", f"方式应为 scan（扫码）或 checkin（定位打卡） (got {method!r})")
    return {
        "uscc": code,
        "department_code": department,
        "officer_credentials": creds,
        "scanned_at": at,
        "method": method,
        "task_number": _text(raw, "task_number")[:64],
        "location": _text(raw, "location")[:200],
    }


def check_bulk_size(n: int) -> None:
    if n == 0:
        raise ValidationFailed("没有要发布的记录 (nothing to publish)", [FieldError("items", "empty")])
    if n > MAX_BULK:
        raise ValidationFailed(
            f"一次最多 {MAX_BULK} 条 (at most {MAX_BULK} per request, got {n})",
            [FieldError("items", f"at most {MAX_BULK} items")],
        )
