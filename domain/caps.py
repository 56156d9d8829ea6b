"""Annual caps on inspections of one enterprise (年度频次上限), and who went over them.

Sources (demo_data/seeds/liaocheng-2025-enterprise-inspection-rules.txt, 聊政办发〔2025〕3号):
- (十二) 建立分级分类精准监管制度: 行政执法机关 "公布对同一企业实施行政检查的年度频次上限"; for
  enterprises the standards rate 风险低 "主动减少检查次数", for 风险高 "适当增加检查比例和频次，但不得
  超出规定的年度频次上限". So a cap belongs to a field (the body's 领域) and depends on the risk class.
- (十九) 抓好涉企行政检查专项监督: "超上限或明显超过合理频次实施检查" is named among the problems the
  special supervision targets, next to 多头检查 and 未扫码检查 — hence the supervisors' over-cap list.
- Shandong 2025 (五) (shandong-2025-joint-meeting-work-points.txt): "部门之间能联合实施检查的事项要联合
  开展，不得多头检查" — a joint check is one visit, so it counts once however many departments took part.

No seed fixes a number. The figures in DEMO_CAPS are this portal's demo defaults, published with a
source that says so (DEMO_SOURCE); a jurisdiction replaces them with the caps it publishes.

An inspection here is a published result (抽查检查结果) of the enterprise, keyed by its task number
(任务单号): the revisions of one result share it, and a joint check (`joint`) is one result listing all
its departments. Two joint results of the same day and the same departments under different task
numbers are still one visit. A result the publishing department withdrew itself (`revoked`) is not
counted; results whose publicity stopped for another reason (repaired, expired, …) were inspections
all the same and are counted (only the count is shown, never their content).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.auth import Principal, require_role
from domain.entities import RISK_CLASSES
from domain.errors import Forbidden
from domain.regions import region_range, validate_region
from domain.results import CHECK_FIELD_LABELS, CHECK_FIELDS

# The four credit-risk classes entities carry (db.tables.Entity.risk_class; DOMAIN.md "Entities":
# credit-risk class A–D), from the lowest risk to the highest.
RISK_CLASS_LABELS = {
    "A": "A类（信用风险低）",
    "B": "B类（信用风险一般）",
    "C": "C类（信用风险较高）",
    "D": "D类（信用风险高）",
}

SEED_BASIS = "聊政办发〔2025〕3号 (十二)"
DEMO_SOURCE = (
    "演示值：聊政办发〔2025〕3号（十二）要求各领域公布对同一企业实施行政检查的年度频次上限，"
    "风险低的减少检查次数、风险高的适当增加但不得超出上限；该文件和其他种子文件均未规定具体次数，"
    "此处次数为本门户的演示默认值，不是任何机关公布的上限。 (Demo value: item 12 of the Liaocheng 2025 rules requires "
    "each field to publish the yearly cap on inspections of one enterprise, fewer for low risk, more for "
    "high risk but never over the cap; no seed document gives the numbers, so these are this portal's "
    "demo defaults, not caps any authority has published.)"
)
# Demo defaults, inspections per enterprise per year, by risk class A-D. Fields where a failure
# endangers life and health (food, drugs, special equipment, work safety, fire) get one more visit
# at each class; the rest share the general row. Never used as law: see DEMO_SOURCE.
_GENERAL = {"A": 1, "B": 2, "C": 3, "D": 4}
_SAFETY = {"A": 2, "B": 3, "C": 4, "D": 6}
_SAFETY_FIELDS = ("food", "drug", "special_equipment", "work_safety", "fire")
DEMO_CAPS: dict[tuple[str, str], int] = {
    (f, r): (_SAFETY if f in _SAFETY_FIELDS else _GENERAL)[r] for f in CHECK_FIELDS for r in RISK_CLASSES
}

# Public aggregates: cells with fewer enterprises than this are withheld (as the complaint
# statistics do, domain.complaint_checks.MIN_COUNT).
MIN_COUNT = 3
YEAR_MIN, YEAR_MAX = 2000, 2100  # the range every figure's `year` takes (api.params.Params.year)


@dataclass(frozen=True)
class Cap:
    check_field: str
    risk_class: str
    per_year: int
    source: str


@dataclass(frozen=True)
class InspectionRow:
    """What the count needs of one result."""

    uscc: str
    task_number: str
    inspected_on: dt.date
    check_field: str
    joint: bool
    department_codes: str  # comma-separated, lead first
    withdrawn_reason: str = ""


@dataclass(frozen=True)
class Inspection:
    """One visit: the results that are the same inspection, folded together."""

    uscc: str
    year: int
    check_field: str
    departments: tuple[str, ...]


@dataclass(frozen=True)
class FieldYear:
    check_field: str
    count: int
    cap: int | None  # None: no cap published for this field and class (or no risk class)
    over_cap: bool


@dataclass(frozen=True)
class YearEntry:
    """An enterprise's inspections in one year. `count`, `cap` and `over_cap` are those of the
    field whose cap binds (the field most over its cap, else the one with the least room left);
    `total` counts every inspection that year in all fields; `fields` has each field."""

    year: int
    count: int
    cap: int | None
    over_cap: bool
    check_field: str
    total: int
    fields: tuple[FieldYear, ...]


def counted(row: InspectionRow) -> bool:
    """A result the publishing department withdrew itself does not stand for an inspection."""
    return row.withdrawn_reason != "revoked"


def visit_key(row: InspectionRow) -> tuple[object, ...]:
    """Results with one key are one inspection: the same task number (revisions, one joint result);
    or, for joint checks, the same day and the same set of departments."""
    if row.joint:
        depts = frozenset(c for c in row.department_codes.split(",") if c)
        return ("joint", row.uscc, row.inspected_on, depts)
    return ("task", row.uscc, row.task_number)


def inspections(rows: Iterable[InspectionRow]) -> list[Inspection]:
    """The distinct inspections among result rows: a joint check once however many departments (and
    results) it has, a result's revisions once. The year is the inspection's (Beijing) date's year."""
    seen: dict[tuple[object, ...], Inspection] = {}
    tasks: dict[tuple[str, str], tuple[object, ...]] = {}
    for r in rows:
        if not counted(r):
            continue
        task = (r.uscc, r.task_number)
        key = tasks.get(task) or visit_key(r)  # a task number met before is the same visit
        tasks[task] = key
        if key in seen:
            continue
        depts = tuple(c for c in r.department_codes.split(",") if c)
        seen[key] = Inspection(r.uscc, r.inspected_on.year, r.check_field, depts)
    return list(seen.values())


def cap_for(caps: Mapping[tuple[str, str], Cap], check_field: str, risk_class: str) -> Cap | None:
    """The cap for a field and a risk class; None when none is published or the entity has no
    risk class (no rule fixes one for it, so none is made up)."""
    if risk_class not in RISK_CLASSES:
        return None
    return caps.get((check_field, risk_class))


def is_over(count: int, cap: int | None) -> bool:
    """Over the cap: more inspections than the cap allows (reaching it is allowed)."""
    return cap is not None and count > cap


def by_year(visits: Iterable[Inspection], caps: Mapping[tuple[str, str], Cap], risk_class: str) -> list[YearEntry]:
    """One enterprise's inspections per year (newest first), each field against its cap."""
    counts: dict[int, dict[str, int]] = {}
    for v in visits:
        per = counts.setdefault(v.year, {})
        per[v.check_field] = per.get(v.check_field, 0) + 1
    out = []
    for year in sorted(counts, reverse=True):
        fields = []
        for f in sorted(counts[year], key=_field_order):
            c = cap_for(caps, f, risk_class)
            n = counts[year][f]
            fields.append(FieldYear(f, n, c.per_year if c else None, is_over(n, c.per_year if c else None)))
        binding = max(fields, key=_tightness)
        out.append(
            YearEntry(
                year=year,
                count=binding.count,
                cap=binding.cap,
                over_cap=any(x.over_cap for x in fields),
                check_field=binding.check_field,
                total=sum(x.count for x in fields),
                fields=tuple(fields),
            )
        )
    return out


def _field_order(f: str) -> int:
    return CHECK_FIELDS.index(f) if f in CHECK_FIELDS else len(CHECK_FIELDS)


def _tightness(f: FieldYear) -> tuple[int, int, int]:
    """Most over the cap first, then least room left; uncapped fields after capped ones."""
    if f.cap is None:
        return (0, f.count, -_field_order(f.check_field))
    return (1, f.count - f.cap, -_field_order(f.check_field))


@dataclass(frozen=True)
class OverCap:
    uscc: str
    year: int
    check_field: str
    count: int
    cap: int
    departments: tuple[str, ...]  # every department that inspected it in that field that year


def over_cap(
    visits: Iterable[Inspection], risk_classes: Mapping[str, str], caps: Mapping[tuple[str, str], Cap]
) -> list[OverCap]:
    """Every (enterprise, year, field) with more inspections than its cap; `risk_classes`: uscc →
    class. Ordered by year, then most over the cap first, then USCC."""
    groups: dict[tuple[str, int, str], list[Inspection]] = {}
    for v in visits:
        groups.setdefault((v.uscc, v.year, v.check_field), []).append(v)
    out = []
    for (u, year, f), vs in groups.items():
        c = cap_for(caps, f, risk_classes.get(u, ""))
        if c is None or not is_over(len(vs), c.per_year):
            continue
        depts: list[str] = []
        for v in vs:
            depts.extend(d for d in v.departments if d not in depts)
        out.append(OverCap(u, year, f, len(vs), c.per_year, tuple(depts)))
    out.sort(key=lambda o: (o.year, -(o.count - o.cap), o.uscc, _field_order(o.check_field)))
    return out


@dataclass(frozen=True)
class AggregateRow:
    department_code: str
    year: int
    enterprises: int | None  # None: fewer than MIN_COUNT, withheld
    suppressed: bool


def aggregate(items: Iterable[OverCap]) -> list[AggregateRow]:
    """Enterprises over a cap by department and year: an enterprise counts once for each
    department that inspected it in a field where it went over; cells under MIN_COUNT withheld."""
    cells: dict[tuple[str, int], set[str]] = {}
    for o in items:
        for d in o.departments:
            cells.setdefault((d, o.year), set()).add(o.uscc)
    out = []
    for (d, y), ents in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        n = len(ents)
        out.append(AggregateRow(d, y, n if n >= MIN_COUNT else None, n < MIN_COUNT))
    return out


def field_label(f: str) -> str:
    return CHECK_FIELD_LABELS.get(f, f)


def oversight_region(p: Principal, requested: str | None) -> str:
    """The region a supervisor's over-cap list covers: their own, or a region inside it (a county
    of their city). Any other role, or a region outside theirs, is 403 (domain.auth.require_role)."""
    require_role(p, "supervisor")
    own = p.region_code
    if not own:
        raise Forbidden("该监督账号未设置监督地区 (this supervisor account has no region)")
    code = validate_region(requested) if requested else own
    lo, hi = region_range(own)
    if not lo <= code < hi:
        raise Forbidden(f"只能查看本地区 {own} 的情况 (a supervisor of {own} sees only that region, not {code})")
    return code
