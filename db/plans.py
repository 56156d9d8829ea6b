"""Queries over annual spot-check plans (年度抽查计划) and their immutable revisions.

A plan row holds what lists filter on (year, lead department, region, disclosure); the
content (title, participating departments, body, items) lives in revisions, numbered from 1.
`current_revision` points at the revision in force. Nothing here decides who may write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db import changes
from db.tables import Plan, PlanRevision
from db.tx import write_transaction


@dataclass
class PlanFilter:
    year: int | None = None
    department: str | None = None  # lead department code
    public_only: bool = True


def _conditions(f: PlanFilter) -> list[Any]:
    conds: list[Any] = []
    if f.public_only:
        conds.append(Plan.disclosure == "public")
    if f.year is not None:
        conds.append(Plan.year == f.year)
    if f.department:
        conds.append(Plan.department_code == f.department)
    return conds


async def list_plans(f: PlanFilter, after_id: int | None, limit: int) -> list[dict]:
    """Plan rows, newest id first, each with its current revision's `title`, `participating`
    and `revised_on` merged in."""
    q = Plan.select().order_by(Plan.id, ascending=False).limit(limit)
    for c in _conditions(f):
        q = q.where(c)
    if after_id is not None:
        q = q.where(Plan.id < after_id)
    plans = await q
    if not plans:
        return plans
    revs = await (
        PlanRevision.select(
            PlanRevision.plan_id,
            PlanRevision.number,
            PlanRevision.title,
            PlanRevision.participating,
            PlanRevision.revised_on,
        )
        .where(PlanRevision.plan_id.is_in([p["id"] for p in plans]))
        .output(load_json=True)
    )
    current = {(r["plan_id"], r["number"]): r for r in revs}
    for p in plans:
        r = current.get((p["id"], p["current_revision"]), {})
        p["title"] = r.get("title", "")
        p["participating"] = r.get("participating", [])
        p["revised_on"] = r.get("revised_on")
    return plans


async def count_plans(f: PlanFilter) -> int:
    q = Plan.count()
    for c in _conditions(f):
        q = q.where(c)
    return await q


async def get_plan(plan_id: int) -> dict | None:
    """The plan row (any disclosure state), or None."""
    return await Plan.select().where(Plan.id == plan_id).first()


async def list_revisions(plan_id: int) -> list[dict]:
    """Every revision of a plan, oldest (number 1, the original publication) first."""
    return await (
        PlanRevision.select()
        .where(PlanRevision.plan_id == plan_id)
        .order_by(PlanRevision.number)
        .output(load_json=True)
    )


async def get_revision(plan_id: int, number: int) -> dict | None:
    return await (
        PlanRevision.select()
        .where((PlanRevision.plan_id == plan_id) & (PlanRevision.number == number))
        .output(load_json=True)
        .first()
    )


async def insert_plan(plan: dict[str, Any], actor: Any) -> int:
    """Publish a plan and its revision 1, with audit, change log and outbox rows, all at once.

    `plan` keys: year, department_code, region_code, published_on, title, participating,
    body, items."""
    async with write_transaction():
        rows = await Plan.insert(
            Plan(
                year=plan["year"],
                department_code=plan["department_code"],
                region_code=plan["region_code"],
                current_revision=1,
                published_on=plan["published_on"],
                disclosure="public",
            )
        ).returning(Plan.id)
        plan_id = rows[0]["id"]
        await PlanRevision.insert(
            PlanRevision(
                plan_id=plan_id,
                number=1,
                title=plan["title"],
                participating=plan["participating"],
                body=plan["body"],
                items=plan["items"],
                revised_on=plan["published_on"],
                reason="",
                changes=[],
                created_by=actor.username,
            )
        )
        await changes.audit(actor, "publish", "plan", plan_id, detail={"revision": 1})
        await changes.public_change("plan", [plan_id], "published")
    return plan_id


async def insert_revision(plan_id: int, expected_current: int, revision: dict[str, Any], actor: Any) -> int:
    """Publish revision `expected_current + 1` of a plan. The plan row is bumped first with a
    guard on its current number, which takes the row lock on PostgreSQL and makes a concurrent
    reviser fail cleanly (no row updated) instead of writing a second revision N+1.

    `revision` keys: title, participating, body, items, revised_on, reason, changes.
    Returns the new revision number, or 0 if the plan moved on meanwhile (caller: 409)."""
    number = expected_current + 1
    async with write_transaction():
        bumped = await (
            Plan.update({Plan.current_revision: number})
            .where((Plan.id == plan_id) & (Plan.current_revision == expected_current))
            .returning(Plan.id)
        )
        if not bumped:
            return 0
        await PlanRevision.insert(
            PlanRevision(
                plan_id=plan_id,
                number=number,
                title=revision["title"],
                participating=revision["participating"],
                body=revision["body"],
                items=revision["items"],
                revised_on=revision["revised_on"],
                reason=revision["reason"],
                changes=revision["changes"],
                created_by=actor.username,
            )
        )
        await changes.audit(
            actor,
            "revise",
            "plan",
            plan_id,
            reason=revision["reason"],
            detail={"revision": number, "changes": revision["changes"]},
        )
        await changes.public_change("plan", [plan_id], "updated")
    return number


async def revisions_for(plan_ids: list[int]) -> dict[int, list[dict]]:
    """plan id → its revisions, oldest first (for a page of plans in one query)."""
    if not plan_ids:
        return {}
    rows = await (
        PlanRevision.select()
        .where(PlanRevision.plan_id.is_in(plan_ids))
        .order_by(PlanRevision.number)
        .output(load_json=True)
    )
    out: dict[int, list[dict]] = {p: [] for p in plan_ids}
    for r in rows:
        out[r["plan_id"]].append(r)
    return out


async def department_region(code: str) -> str | None:
    """The region code of a department in the register, or None if it is not registered."""
    from db.tables import Department

    row = await Department.select(Department.region_code).where(Department.code == code).first()
    return row["region_code"] if row else None
