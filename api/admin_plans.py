"""Officers publish annual plans and plan revisions: POST /api/v1/admin/plans[/{id}/revisions].

A published plan is never edited in place: a revision with a reason becomes revision N+1,
with a human-readable list of what changed (domain.plans.diff_revisions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from api.admin_results import shanghai_today
from api.deps import principal_of, settings_of
from db import plans as pq
from domain.auth import acting_department
from domain.plan_flow import publish_plan, region_of, revise_plan

__all__ = ["AdminPlansController", "acting_department", "region_of_department"]


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
    return region_of(code, await pq.department_region(code))


class AdminPlansController(Controller):
    path = "/api/v1/admin/plans"
    tags = ["admin"]

    @post("/", summary="Publish an annual plan (revision 1)", status_code=201)
    async def publish(self, request: Request, data: JSONBody[PlanIn]) -> PlanPublished:
        plan_id = await publish_plan(pq, principal_of(request), msgspec.structs.asdict(data), shanghai_today())
        return PlanPublished(id=plan_id, revision=1, url=f"{settings_of(request).base_url}/plans/{plan_id}")

    @post("/{plan_id:int}/revisions", summary="Publish revision N+1 of a plan, with a reason", status_code=201)
    async def revise(self, request: Request, plan_id: FromPath[int], data: JSONBody[RevisionIn]) -> PlanPublished:
        raw = msgspec.structs.asdict(data)
        number, revision = await revise_plan(pq, principal_of(request), plan_id, raw, shanghai_today())
        return PlanPublished(
            id=plan_id,
            revision=number,
            url=f"{settings_of(request).base_url}/plans/{plan_id}",
            changes=revision["changes"],
        )
