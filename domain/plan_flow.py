"""Use cases: an officer publishes an annual spot-check plan (revision 1) and publishes
revision N+1 with a reason. POST /api/v1/admin/plans[/{id}/revisions] and the back office's
/admin/plans forms both call these, with the same authorisation; storage arrives as `store`
(db.plans: department_region, insert_plan, get_plan, get_revision, insert_revision).

Annual plans are published (国发〔2019〕5号, 部门联合"双随机、一公开"监管: 年度抽查计划向社会公开);
a published plan is never edited in place: an adjustment is a new revision with a reason, and the
history stays public (/work/shared/DOMAIN.md, 'Annual plan')."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from domain.auth import Principal, acting_department, require_department
from domain.disclosure import ensure_servable
from domain.errors import Conflict, NotFound
from domain.plans import validate_plan, validate_revision


def region_of(code: str, registered: str | None) -> str:
    """The region of a department: the register's, else the GB/T 2260 code its code starts with
    (codes are '<GB/T 2260>-<slug>')."""
    if registered:
        return registered
    m = re.match(r"^(\d{6})-", code)
    return m.group(1) if m else ""


async def publish_plan(store: Any, actor: Principal, raw: dict[str, Any], today: dt.date) -> int:
    """Validate and publish a plan for the actor's department; returns the plan id."""
    dept = acting_department(actor, raw.get("department"))
    plan = validate_plan(raw, dept, region_of(dept, await store.department_region(dept)), today)
    return int(await store.insert_plan(plan, actor))


def stale_base(plan_id: int, base: int, current: int) -> Conflict:
    return Conflict(
        f"计划已调整为第 {current} 版，您的修改基于第 {base} 版，未发布；请查看现行版本后重新调整 "
        f"(plan {plan_id} is at revision {current}, your changes were based on revision {base}; nothing was published)"
    )


async def revision_step(
    store: Any, actor: Principal, plan_id: int, raw: dict[str, Any], today: dt.date, base: int | None = None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Everything revise_plan checks, storing nothing: (plan row, the revision the change is
    made to, the validated revision N+1 with its `changes`). The back office's preview step
    shows this. `base` is the revision the officer's form was based on: another revision
    published meanwhile is a 409 (optimistic concurrency); None means 'the current one'."""
    plan = await store.get_plan(plan_id)
    if plan is None:
        raise NotFound(f"没有编号为 {plan_id} 的抽查计划 (no plan {plan_id})")
    require_department(actor, plan["department_code"])
    ensure_servable("抽查计划", plan_id, plan["disclosure"], "")
    if base is not None and base != plan["current_revision"]:
        raise stale_base(plan_id, base, plan["current_revision"])
    current = await store.get_revision(plan_id, plan["current_revision"])
    assert current is not None  # revision 1 is written with the plan
    return plan, current, validate_revision(raw, current, today)


async def revise_plan(
    store: Any, actor: Principal, plan_id: int, raw: dict[str, Any], today: dt.date, base: int | None = None
) -> tuple[int, dict[str, Any]]:
    """Publish revision N+1; returns (its number, the revision as stored). A concurrent
    reviser who got there first makes this a 409, never a second revision N+1."""
    plan, _current, revision = await revision_step(store, actor, plan_id, raw, today, base)
    number = await store.insert_revision(plan_id, plan["current_revision"], revision, actor)
    if not number:
        raise Conflict("计划已被同时调整，请刷新后重试 (the plan was revised meanwhile; reload and retry)")
    return int(number), revision
