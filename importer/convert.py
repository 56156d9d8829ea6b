"""Cell values (text from CSV, typed values from XLSX) to the typed values the domain validators take."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any

from domain.import_rows import entity_kind

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_SPLIT = re.compile(r"\s*[;；,，、|]\s*")
_SEPARATOR = re.compile(r"[;；,，、|]")
_DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
_DT_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H:%M:%S")


class BadCell(ValueError):
    pass


def text(v: Any) -> str:
    if v.__class__ is str:  # CSV cells: the fast path
        return v.strip()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip() if v is not None else ""


def code_text(v: Any, what: str) -> str:
    """Codes (USCC) must be text: Excel keeps only 15 significant digits of a number."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        raise BadCell(
            f"{what}在表格中被存成了数字，可能已丢失精度；请把该列设为文本格式 "
            f"({what} is stored as a number and may have lost digits; format the column as text)"
        )
    return text(v)


def split(v: Any) -> tuple[str, ...]:
    return _split_text(text(v))


# Lists (departments, categories) and dates repeat across a file's rows: a million rows hold
# a few hundred distinct values. Cached per process; the values are immutable.
@functools.lru_cache(maxsize=4096)
def _split_text(s: str) -> tuple[str, ...]:
    if not s:
        return ()
    if _SEPARATOR.search(s) is None:
        return (s,)
    return tuple(p for p in _SPLIT.split(s) if p)


def date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return _date_text(text(v))


@functools.lru_cache(maxsize=8192)  # a raised BadCell is not cached
def _date_text(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise BadCell(f"无法识别的日期 {s!r}，应为 YYYY-MM-DD (not a date; use YYYY-MM-DD)")


def timestamp(v: Any) -> dt.datetime | None:
    """Without an offset the time is Beijing time (UTC+8)."""
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        out = v
    else:
        s = text(v)
        try:
            out = dt.datetime.fromisoformat(s)
        except ValueError:
            for fmt in _DT_FORMATS:
                try:
                    out = dt.datetime.strptime(s, fmt)
                    break
                except ValueError:
                    continue
            else:
                raise BadCell(f"无法识别的时间 {s!r}，应为 YYYY-MM-DD HH:MM (not a date and time)") from None
    return out if out.tzinfo else out.replace(tzinfo=SHANGHAI)


def result_raw(c: dict[str, Any], departments: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Returns the raw dict for domain.results.validate_result and conversion problems
    as (column key, message). `departments` maps codes and full names to codes."""
    errs: list[tuple[str, str]] = []
    raw: dict[str, Any] = {
        "task_number": text(c.get("task_number")),
        "entity_name": text(c.get("entity_name")),
        "entity_kind": None,
        "region_code": text(c.get("region_code")) or None,
        "inspection_type": text(c.get("inspection_type")) or "抽查",
        "categories": split(c.get("categories")),
        "check_field": text(c.get("check_field")) or "general",
        "follow_up": text(c.get("follow_up")),
        "penalty_decision_number": text(c.get("penalty_decision_number")),
        "operator_name": text(c.get("operator_name")),
    }
    try:
        raw["uscc"] = code_text(c.get("uscc"), "统一社会信用代码")
    except BadCell as e:
        errs.append(("uscc", str(e)))
    kind = text(c.get("entity_kind"))
    if kind:
        raw["entity_kind"] = entity_kind(kind) or kind  # unknown labels are reported by the validator
    depts = []
    for d in split(c.get("departments")):
        code = departments.get(d)
        if code is None:
            errs.append(("departments", f"未知的部门 {d!r} (unknown department: use its code or full name)"))
        depts.append(code or d)
    raw["departments"] = depts
    for key in ("inspected_on", "published_on"):
        try:
            raw[key] = date(c.get(key))
        except BadCell as e:
            errs.append((key, str(e)))
            raw[key] = None  # the validator's own message for this column is dropped
    return raw, errs


def entity_raw(c: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    errs: list[tuple[str, str]] = []
    raw = {
        k: text(c.get(k))
        for k in ("name", "kind", "region_code", "industry_code", "risk_class", "status", "operator_name")
    }
    try:
        raw["uscc"] = code_text(c.get("uscc"), "统一社会信用代码")
    except BadCell as e:
        errs.append(("uscc", str(e)))
    return raw, errs


def honour_raw(c: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    errs: list[tuple[str, str]] = []
    raw: dict[str, Any] = {
        k: text(c.get(k)) for k in ("entity_name", "honour", "kind", "awarded_by", "source_document", "region_code")
    }
    try:
        raw["uscc"] = code_text(c.get("uscc"), "统一社会信用代码")
    except BadCell as e:
        errs.append(("uscc", str(e)))
    for key in ("awarded_on", "valid_until"):
        try:
            raw[key] = date(c.get(key))
        except BadCell as e:
            errs.append((key, str(e)))
            raw[key] = None
    return raw, errs


def scan_raw(c: dict[str, Any], departments: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    errs: list[tuple[str, str]] = []
    raw: dict[str, Any] = {
        "officer_credentials": list(split(c.get("officer_credentials"))),
        "method": text(c.get("method")),
        "task_number": text(c.get("task_number")),
        "location": text(c.get("location")),
    }
    try:
        raw["uscc"] = code_text(c.get("uscc"), "统一社会信用代码")
    except BadCell as e:
        errs.append(("uscc", str(e)))
    d = text(c.get("department"))
    raw["department"] = departments.get(d, d)
    if d and d not in departments:
        errs.append(("department", f"未知的部门 {d!r} (unknown department: use its code or full name)"))
    try:
        raw["scanned_at"] = timestamp(c.get("scanned_at"))
    except BadCell as e:
        errs.append(("scanned_at", str(e)))
        raw["scanned_at"] = None
    return raw, errs
