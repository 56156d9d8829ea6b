"""Inspection results: validating what an officer publishes."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from domain import categories, uscc
from domain.entities import KINDS, kind_from_uscc
from domain.errors import FieldError
from domain.workdays import CalendarNotCovered, add_working_days

INSPECTION_TYPES = ("抽查", "检查")
CHECK_FIELDS = (
    "general",
    "food",
    "drug",
    "special_equipment",
    "product_quality",
    "environment",
    "work_safety",
    "fire",
    "health",
    "other",
)
# What the public reads for each field (the repair-rule list, the rule that applies).
CHECK_FIELD_LABELS = {
    "general": "一般领域",
    "food": "食品",
    "drug": "药品",
    "special_equipment": "特种设备",
    "product_quality": "产品质量",
    "environment": "生态环境",
    "work_safety": "安全生产",
    "fire": "消防",
    "health": "卫生健康",
    "other": "其他",
}
MAX_BULK = 10_000

# Latest allowed inspection date (tomorrow, for clocks a day apart). It only ever moves forward,
# so a cached value is never too late: dates at or before it pass without asking the clock
# (a million rows asked it a million times); a later date re-reads the clock before failing.
_latest_ok = dt.date.min


def _in_future(day: dt.date) -> bool:
    global _latest_ok
    if day <= _latest_ok:
        return False
    _latest_ok = dt.date.today() + dt.timedelta(days=1)
    return day > _latest_ok


SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# 《企业信息公示暂行条例》第六条: the information an administration forms in its work, spot-check
# results among it, is published 自产生之日起20个工作日内 (within 20 working days); DOMAIN.md "The
# regime in one paragraph". A later publication is accepted (the record must still be public)
# but flagged `published_late` and counted in the statistics.
PUBLISH_WITHIN_WORKING_DAYS = 20


def published_late(inspected_on: dt.date, published_on: dt.date) -> bool:
    """Whether a result was published after the regime's deadline: more than 20 working days after
    the inspection, the day of the inspection not counted (domain.workdays)."""
    if (published_on - inspected_on).days <= PUBLISH_WITHIN_WORKING_DAYS:
        return False  # 20 working days never end sooner than 20 calendar days
    return published_on > publish_deadline(inspected_on)


@functools.lru_cache(maxsize=8192)
def publish_deadline(inspected_on: dt.date) -> dt.date:
    """The last day to publish a result of an inspection on `inspected_on` (cached: an import of a
    million rows has a few thousand inspection days)."""
    try:
        return add_working_days(inspected_on, PUBLISH_WITHIN_WORKING_DAYS)
    except CalendarNotCovered:  # before the calendar's first year: Monday to Friday
        day, left = inspected_on, PUBLISH_WITHIN_WORKING_DAYS
        while left:
            day += dt.timedelta(days=1)
            left -= day.weekday() < 5
        return day


def shanghai_today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


@dataclass
class ResultDraft:
    task_number: str
    uscc: str
    entity_name: str
    entity_kind: str
    region_code: str
    department_codes: list[str]
    inspected_on: dt.date
    inspection_type: str
    category_codes: list[str]
    negative: bool
    check_field: str = "general"
    follow_up: str = ""
    penalty_decision_number: str = ""
    joint: bool = False
    published_on: dt.date | None = None
    published_late: bool = False  # domain.results.published_late
    # An individual business's operator as the publisher gave it: never published; it masks the
    # name (domain.masking.mask_by_register) and is kept in the entity register.
    operator_name: str = ""


def validate_result(
    raw: dict[str, Any], prefix: str = "", today: dt.date | None = None
) -> tuple[ResultDraft | None, list[FieldError]]:
    """Check one result as submitted (plain dict of already-typed values).

    `published_on` defaults to `today` (Asia/Shanghai when not given); it may not lie after today
    nor before the inspection, and one more than 20 working days after the inspection is accepted
    but flagged `published_late`. Returns the draft or the list of field errors, each naming the
    field (with `prefix` such as `items[3].` for bulk requests)."""
    errs: list[FieldError] = []

    def bad(name: str, msg: str) -> None:
        errs.append(FieldError(prefix + name, msg))

    task = str(raw.get("task_number") or "").strip()
    if not task:
        bad("task_number", "任务单号不能为空 (task_number is required)")
    elif len(task) > 64:
        bad("task_number", "任务单号过长 (at most 64 characters)")
    code = ""
    try:
        code = uscc.validate(str(raw.get("uscc") or ""))
    except uscc.InvalidUSCC as e:
        bad("uscc", str(e))
    name = str(raw.get("entity_name") or "").strip()
    if not name:
        bad("entity_name", "经营主体名称不能为空 (entity_name is required)")
    kind = raw.get("entity_kind") or ("" if not code else None)
    if kind is None:
        kind = kind_from_uscc(code)
    if kind and kind not in KINDS:
        bad("entity_kind", f"未知的主体类型 {kind!r} (one of {', '.join(KINDS)})")
    region = str(raw.get("region_code") or (uscc.region_of(code) if code else "")).strip()
    if not (len(region) == 6 and region.isdigit()):
        bad("region_code", "行政区划代码应为6位数字 (a 6-digit GB/T 2260 code)")
    depts = [d.strip() for d in raw.get("departments") or [] if str(d).strip()]
    if not depts:
        bad("departments", "至少需要一个检查部门 (at least one department; the first is the publisher)")
    inspected = raw.get("inspected_on")
    if not isinstance(inspected, dt.date):
        bad("inspected_on", "检查日期格式应为 YYYY-MM-DD (a date YYYY-MM-DD)")
    elif _in_future(inspected):
        bad("inspected_on", "检查日期不能在未来 (the inspection date is in the future)")
    itype = raw.get("inspection_type") or "抽查"
    if itype not in INSPECTION_TYPES:
        bad("inspection_type", f"检查类型应为 抽查 或 检查 (got {itype!r})")
    cats: list[categories.Category] = []
    raw_cats = raw.get("categories") or []
    if not raw_cats:
        bad("categories", "至少需要一个结果类别 (at least one result category)")
    else:
        try:
            cats = categories.parse_codes([str(c) for c in raw_cats])
        except KeyError as e:
            bad("categories", e.args[0])
    check_field = raw.get("check_field") or "general"
    if check_field not in CHECK_FIELDS:
        bad("check_field", f"未知的抽查领域 {check_field!r} (one of {', '.join(CHECK_FIELDS)})")
    operator = str(raw.get("operator_name") or "").strip()
    if len(operator) > 50:
        bad("operator_name", "经营者姓名过长 (at most 50 characters)")
    published = raw.get("published_on")
    local_today = today or shanghai_today()
    if published is None:
        published = local_today
    if not isinstance(published, dt.date) or isinstance(published, dt.datetime):
        bad("published_on", "公示日期格式应为 YYYY-MM-DD (a date YYYY-MM-DD)")
    elif published > local_today:
        bad(
            "published_on",
            f"公示日期不能晚于今天 {local_today.isoformat()}（北京时间） "
            f"(published_on {published.isoformat()} is after today, {local_today.isoformat()} in Asia/Shanghai)",
        )
    elif (
        isinstance(inspected, dt.date)
        and not any(e.field == prefix + "inspected_on" for e in errs)
        and published < inspected
    ):
        bad(
            "published_on",
            f"公示日期 {published.isoformat()} 早于检查日期 {inspected.isoformat()} "
            f"(published_on is before inspected_on)",
        )
    if errs:
        return None, errs
    codes = [c.code for c in cats]
    return (
        ResultDraft(
            task_number=task,
            uscc=code,
            entity_name=name,
            entity_kind=kind or "other",
            region_code=region,
            department_codes=depts,
            inspected_on=inspected,  # type: ignore[arg-type]
            inspection_type=itype,
            category_codes=codes,
            negative=categories.is_negative(codes),
            check_field=check_field,
            follow_up=str(raw.get("follow_up") or "").strip(),
            penalty_decision_number=str(raw.get("penalty_decision_number") or "").strip(),
            joint=len(depts) > 1,
            published_on=published,
            published_late=published_late(inspected, published),  # type: ignore[arg-type]
            operator_name=operator,
        ),
        [],
    )
