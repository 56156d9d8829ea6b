"""Queries for the annual caps (年度频次上限): the published table and the result rows the count
needs. No rules here: what counts and what is over a cap is decided in domain.caps."""

from __future__ import annotations

from typing import Any

from db.tables import Entity, InspectionCap, Result
from domain.caps import Cap, InspectionRow
from domain.results import CHECK_FIELDS

_ROW = (
    Result.uscc,
    Result.task_number,
    Result.inspected_on,
    Result.check_field,
    Result.joint,
    Result.department_codes,
    Result.withdrawn_reason,
)


def _field_order(f: str) -> int:
    return CHECK_FIELDS.index(f) if f in CHECK_FIELDS else len(CHECK_FIELDS)


async def list_caps() -> list[Cap]:
    """Every published cap, in the order of the check fields, then risk class."""
    rows = await InspectionCap.select(
        InspectionCap.check_field, InspectionCap.risk_class, InspectionCap.per_year, InspectionCap.source
    )
    caps = [Cap(r["check_field"], r["risk_class"], r["per_year"], r["source"]) for r in rows]
    return sorted(caps, key=lambda c: (_field_order(c.check_field), c.check_field, c.risk_class))


async def cap_table() -> dict[tuple[str, str], Cap]:
    return {(c.check_field, c.risk_class): c for c in await list_caps()}


def _rows(raw: list[dict[str, Any]]) -> list[InspectionRow]:
    return [InspectionRow(**r) for r in raw]


async def entity_rows(uscc: str) -> list[InspectionRow]:
    """Every result of one entity, whatever its disclosure (domain.caps.counted decides); walks the
    index result_uscc_id (uscc, id)."""
    return _rows(await Result.select(*_ROW).where(Result.uscc == uscc))


async def over_cap_groups(year: int, region_range: tuple[str, str] | None) -> list[tuple[str, str]]:
    """(uscc, check_field) pairs with more results that year than the cap for the field and the
    entity's risk class: only they can be over a cap, since folding joint checks only lowers a
    count (domain.caps.inspections decides the real count). Grouped first (the year's rows via
    result_year_id), then joined to the entity and the cap table."""
    conds = ["year = {}"]
    args: list[Any] = [year]
    if region_range:
        conds.append("region_code >= {} AND region_code < {}")
        args.extend(region_range)
    rows = await Result.raw(
        "SELECT g.uscc, g.check_field FROM (SELECT uscc, check_field, COUNT(*) AS n FROM inspection_result "
        f"WHERE {' AND '.join(conds)} GROUP BY uscc, check_field) g "
        "JOIN entity e ON e.uscc = g.uscc "
        "JOIN inspection_cap k ON k.check_field = g.check_field AND k.risk_class = e.risk_class "
        "WHERE g.n > k.per_year",
        *args,
    )
    return sorted((r["uscc"], r["check_field"]) for r in rows)


async def year_rows(usccs: list[str], year: int) -> list[InspectionRow]:
    out: list[InspectionRow] = []
    for i in range(0, len(usccs), 500):
        chunk = usccs[i : i + 500]
        out.extend(_rows(await Result.select(*_ROW).where(Result.uscc.is_in(chunk) & (Result.year == year))))
    return out


async def entities(usccs: list[str]) -> dict[str, dict[str, Any]]:
    """uscc → {name, kind, region_code, risk_class, operator_name}."""
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(usccs), 500):
        chunk = usccs[i : i + 500]
        rows = await Entity.select(
            Entity.uscc, Entity.name, Entity.kind, Entity.region_code, Entity.risk_class, Entity.operator_name
        ).where(Entity.uscc.is_in(chunk))
        out.update({r["uscc"]: r for r in rows})
    return out
