"""Annual caps on inspections (年度频次上限, issue 14 item 4; rules in domain.caps).

GET /api/v1/inspection-limits                     the published table (public)
GET /api/v1/stats/over-cap?year=                  enterprises over a cap by department (public;
                                                  cells under 3 withheld)
GET /api/v1/admin/oversight/over-cap?year=&region= the supervisor's list of enterprises over a cap
                                                  in their region (role supervisor)
"""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery, Parameter

from api.deps import principal_of
from api.record_schemas import FieldYearOut, YearOut
from db import caps as cq
from db.results import department_names
from domain import caps as rules
from domain.entities import kind_label
from domain.errors import FieldError, ValidationFailed
from domain.masking import is_individual, public_entity_name
from domain.regions import region_range
from domain.results import shanghai_today


class CapOut(msgspec.Struct):
    field: str
    field_label: str
    risk_class: str
    risk_class_label: str
    cap_per_year: int
    source: str


class CapList(msgspec.Struct):
    basis: str  # the seed paragraph the table answers
    items: list[CapOut]


class DepartmentRef(msgspec.Struct):
    code: str
    name: str


class OverCapOut(msgspec.Struct):
    uscc: str
    name: str
    kind_label: str
    region_code: str
    risk_class: str
    year: int
    field: str
    field_label: str
    count: int
    cap: int
    departments: list[DepartmentRef]


class OverCapList(msgspec.Struct):
    year: int
    region_code: str
    items: list[OverCapOut]


class OverCapStatOut(msgspec.Struct):
    department_code: str
    department: str
    year: int
    enterprises: int | None  # null: fewer than min_count, withheld
    suppressed: bool


class OverCapStats(msgspec.Struct):
    year: int
    min_count: int
    items: list[OverCapStatOut]


def caps_out(caps: list[rules.Cap]) -> CapList:
    return CapList(
        basis=rules.SEED_BASIS,
        items=[
            CapOut(
                field=c.check_field,
                field_label=rules.field_label(c.check_field),
                risk_class=c.risk_class,
                risk_class_label=rules.RISK_CLASS_LABELS.get(c.risk_class, c.risk_class),
                cap_per_year=c.per_year,
                source=c.source,
            )
            for c in caps
        ],
    )


async def inspections_by_year(uscc: str, risk_class: str) -> list[YearOut]:
    """The entity profile's `inspections_by_year` (API and portal page alike)."""
    entries = rules.by_year(rules.inspections(await cq.entity_rows(uscc)), await cq.cap_table(), risk_class)
    return [
        YearOut(
            year=e.year,
            count=e.count,
            cap=e.cap,
            over_cap=e.over_cap,
            field=e.check_field,
            field_label=rules.field_label(e.check_field),
            total=e.total,
            fields=[
                FieldYearOut(f.check_field, rules.field_label(f.check_field), f.count, f.cap, f.over_cap)
                for f in e.fields
            ],
        )
        for e in entries
    ]


def parse_year(year: int | None) -> int:
    y = shanghai_today().year if year is None else year
    if not rules.YEAR_MIN <= y <= rules.YEAR_MAX:
        raise ValidationFailed(
            "年份超出范围 (year out of range)",
            [FieldError("year", f"年份应在 {rules.YEAR_MIN}-{rules.YEAR_MAX} 之间 (2000-2100, got {y})")],
        )
    return y


async def over_cap_items(year: int, region: str | None) -> list[rules.OverCap]:
    """Every enterprise over a cap that year (in `region` and the regions under it, when given)."""
    groups = await cq.over_cap_groups(year, region_range(region) if region else None)
    if not groups:
        return []
    wanted = set(groups)
    usccs = sorted({u for u, _ in groups})
    ents = await cq.entities(usccs)
    rows = [r for r in await cq.year_rows(usccs, year) if (r.uscc, r.check_field) in wanted]
    return rules.over_cap(rules.inspections(rows), {u: e["risk_class"] for u, e in ents.items()}, await cq.cap_table())


async def over_cap_stats(y: int) -> OverCapStats:
    """The public figure (API and portal page alike): enterprises over a cap by department."""
    rows = rules.aggregate(await over_cap_items(y, None))
    names = await department_names([r.department_code for r in rows])
    return OverCapStats(
        year=y,
        min_count=rules.MIN_COUNT,
        items=[
            OverCapStatOut(
                department_code=r.department_code,
                department=names.get(r.department_code, r.department_code),
                year=r.year,
                enterprises=r.enterprises,
                suppressed=r.suppressed,
            )
            for r in rows
        ],
    )


class InspectionLimitsController(Controller):
    path = "/api/v1/inspection-limits"
    tags = ["lists"]
    opt = {"exclude_from_auth": True}

    @get("/", summary="Annual caps on inspections of one enterprise, per check field and credit-risk class")
    async def list_caps(self) -> CapList:
        return caps_out(await cq.list_caps())


class OverCapStatsController(Controller):
    path = "/api/v1/stats/over-cap"
    tags = ["statistics"]
    opt = {"exclude_from_auth": True}

    @get("/", summary="Enterprises inspected over a cap, by department, for a year; counts under 3 are withheld")
    async def stats(self, year: int | None = Parameter(default=None, description="default: this year")) -> OverCapStats:
        return await over_cap_stats(parse_year(year))


class OversightController(Controller):
    path = "/api/v1/admin/oversight"
    tags = ["oversight"]

    @get("/over-cap", summary="Enterprises inspected over a cap in the supervisor's region (role supervisor)")
    async def over_cap(
        self,
        request: Request,
        year: int | None = Parameter(default=None, description="default: this year"),
        region: FromQuery[str | None] = None,
    ) -> OverCapList:
        code = rules.oversight_region(principal_of(request), region)
        y = parse_year(year)
        items = await over_cap_items(y, code)
        ents = await cq.entities([o.uscc for o in items])
        names = await department_names([d for o in items for d in o.departments])
        out = []
        for o in items:
            e = ents.get(o.uscc, {})
            kind = e.get("kind", "other")
            operator = e.get("operator_name", "") if is_individual(kind, o.uscc) else ""
            out.append(
                OverCapOut(
                    uscc=o.uscc,
                    name=public_entity_name(e.get("name", ""), kind, operator, o.uscc),
                    kind_label=kind_label(kind),
                    region_code=e.get("region_code", ""),
                    risk_class=e.get("risk_class", ""),
                    year=o.year,
                    field=o.check_field,
                    field_label=rules.field_label(o.check_field),
                    count=o.count,
                    cap=o.cap,
                    departments=[DepartmentRef(d, names.get(d, d)) for d in o.departments],
                )
            )
        return OverCapList(year=y, region_code=code, items=out)
