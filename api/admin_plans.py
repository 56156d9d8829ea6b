"""Officers publish annual plans and plan revisions: POST /api/v1/admin/plans[/{id}/revisions].

A published plan is never edited in place: a revision with a reason becomes revision N+1,
with a human-readable list of what changed (domain.plans.diff_revisions)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from api.admin_results import shanghai_today
from api.deps import principal_of, settings_of
from db import plans as pq
from domain.auth import acting_department, require_department  # acting_department: other handlers import it from here
from domain.disclosure import ensure_servable
from domain.errors import Conflict, NotFound
from domain.plans import validate_plan, validate_revision


class PlanIn(msgspec.Struct):
    year: int
    title: str
    items: list[dict[str, Any]]
    participating: list[str] = []
    body: str = ""
    published_on: dt.date | None = None
    department: str | None = None  # defaults to the officer's own; another department → 403


class RevisionIn(msgspec.Struct):
    reason: str = ""
    title: str | None = None
    participating: list[str] | None = None
    body: str | None = None
    items: list[dict[str, Any]] | None = None


class PlanPublished(msgspec.Struct):
    id: int
    revision: int
    url: str
    changes: list[str] = []


async def region_of_department(code: str) -> str:
    region = await pq.department_region(code)
    if region:
        return region
    m = re.match(r"^(\d{6})-", code)  # codes are '<GB/T 2260>-<slug>'
    return m.group(1) if m else ""


class AdminPlansController(Controller):
    path = "/api/v1/admin/plans"
    tags = ["admin"]

    @post("/", summary="Publish an annual plan (revision 1)", status_code=201)
    async def publish(self, request: Request, data: JSONBody[PlanIn]) -> PlanPublished:
        actor = principal_of(request)
        dept = acting_department(actor, data.department)
        plan = validate_plan(msgspec.structs.asdict(data), dept, await region_of_department(dept), shanghai_today())
        plan_id = await pq.insert_plan(plan, actor)
        return PlanPublished(id=plan_id, revision=1, url=f"{settings_of(request).base_url}/plans/{plan_id}")

    @post("/{plan_id:int}/revisions", summary="Publish revision N+1 of a plan, with a reason", status_code=201)
    async def revise(self, request: Request, plan_id: FromPath[int], data: JSONBody[RevisionIn]) -> PlanPublished:
        actor = principal_of(request)
        plan = await pq.get_plan(plan_id)
        if plan is None:
            raise NotFound(f"没有编号为 {plan_id} 的抽查计划 (no plan {plan_id})")
        require_department(actor, plan["department_code"])
        ensure_servable("抽查计划", plan_id, plan["disclosure"], "")
        current = await pq.get_revision(plan_id, plan["current_revision"])
        assert current is not None  # revision 1 is written with the plan
        revision = validate_revision(msgspec.structs.asdict(data), current, shanghai_today())
        number = await pq.insert_revision(plan_id, plan["current_revision"], revision, actor)
        if not number:
            raise Conflict("计划已被同时调整，请刷新后重试 (the plan was revised meanwhile; reload and retry)")
        return PlanPublished(
            id=plan_id,
            revision=number,
            url=f"{settings_of(request).base_url}/plans/{plan_id}",
            changes=revision["changes"],
        )
