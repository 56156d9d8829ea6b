"""Queries for 事后评价 (domain.evaluation): an enterprise's own inspections, its evaluations, the
region's evaluations for supervisors, and the rows behind the public aggregates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db import changes
from db.repair import is_unique_violation
from db.tables import Department, Evaluation, Result, ScanRecord
from db.tx import write_transaction
from domain.errors import Conflict

OWN_LIMIT = 500  # an enterprise's newest inspections shown (a real one has a handful a year)


async def own_results(uscc: str) -> list[dict[str, Any]]:
    return (
        await Result.select(
            Result.id,
            Result.task_number,
            Result.department_code,
            Result.department_codes,
            Result.inspected_on,
            Result.category_codes,
            Result.inspection_type,
            Result.joint,
        )
        .where((Result.uscc == uscc) & (Result.disclosure == "public"))
        .order_by(Result.inspected_on, ascending=False)
        .limit(OWN_LIMIT)
    )


async def own_scans(uscc: str) -> list[dict[str, Any]]:
    return (
        await ScanRecord.select()
        .where(ScanRecord.uscc == uscc)
        .order_by(ScanRecord.scanned_at, ascending=False)
        .limit(OWN_LIMIT)
    )


async def own_evaluations(uscc: str) -> list[dict[str, Any]]:
    return await Evaluation.select().where(Evaluation.uscc == uscc)


async def result_of(result_id: int) -> dict[str, Any] | None:
    return (
        await Result.select(Result.id, Result.uscc, Result.department_code, Result.inspected_on, Result.disclosure)
        .where(Result.id == result_id)
        .first()
    )


async def scan_of(scan_id: int) -> dict[str, Any] | None:
    return await ScanRecord.select().where(ScanRecord.id == scan_id).first()


async def evaluated(kind: str, ref: int) -> bool:
    return bool(
        await Evaluation.exists().where((Evaluation.inspection_kind == kind) & (Evaluation.inspection_ref == ref))
    )


async def region_of_department(code: str) -> str:
    row = await Department.select(Department.region_code).where(Department.code == code).first()
    return row["region_code"] if row else ""


async def insert(row: dict[str, Any], actor: Any) -> int:
    try:
        async with write_transaction():
            rows = await Evaluation.insert(Evaluation(**row)).returning(Evaluation.id)
            await changes.audit(
                actor,
                "evaluate",
                "inspection",
                f"{row['inspection_kind']}-{row['inspection_ref']}",
                detail={"rating": row["rating"], "issues": row["issues"]},
            )
    except Exception as e:
        if is_unique_violation(e):  # the same inspection evaluated twice at once
            raise Conflict("该检查已评价，不能重复评价 (this inspection has been evaluated already)") from None
        raise
    return int(rows[0]["id"])


async def region_evaluations(region_code: str, before_id: int | None, limit: int) -> list[dict[str, Any]]:
    """A supervisor's region and the counties below it (GB/T 2260 prefixes), newest first."""
    prefix = (
        region_code[:2]
        if region_code.endswith("0000")
        else region_code[:4]
        if region_code.endswith("00")
        else region_code
    )
    q = Evaluation.select().where(Evaluation.region_code.like(f"{prefix}%")).order_by(Evaluation.id, ascending=False)
    if before_id is not None:
        q = q.where(Evaluation.id < before_id)
    return await q.limit(limit)


async def rows_for_year(year: int) -> list[dict[str, Any]]:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return await Evaluation.select(Evaluation.department_code, Evaluation.rating, Evaluation.issues).where(
        (Evaluation.inspected_on >= first) & (Evaluation.inspected_on <= last)
    )
