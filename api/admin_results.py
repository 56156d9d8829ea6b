"""Officers publish results: POST /api/v1/admin/results and /api/v1/admin/results/bulk; the
publishing department withdraws one: POST /api/v1/admin/results/{id}/revoke (撤回)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from api.deps import principal_of
from api.repair import now_of
from api.schemas import PublishedIds
from db import repair as repo
from db.results import insert_results
from domain.publishing import publish_results, revoke_result
from domain.results import (
    MAX_BULK,
    shanghai_today,  # the one Beijing-time today; other admin handlers import it from here
)


class ResultIn(msgspec.Struct):
    task_number: str
    uscc: str
    entity_name: str
    departments: list[str]
    inspected_on: dt.date
    categories: list[str]
    entity_kind: str | None = None
    region_code: str | None = None
    inspection_type: str = "抽查"
    check_field: str = "general"
    follow_up: str = ""
    penalty_decision_number: str = ""
    published_on: dt.date | None = None
    # An individual business's operator: never published, used to mask the name (张** style).
    operator_name: str = ""


class BulkIn(msgspec.Struct):
    # One more than the limit is allowed through parsing so the use case can name the problem.
    items: Annotated[list[ResultIn], msgspec.Meta(max_length=MAX_BULK + 1)]


class RevokeIn(msgspec.Struct):
    reason: str


class Revoked(msgspec.Struct):
    id: int
    disclosure: str  # "withdrawn"
    withdrawn_reason: str  # "revoked"
    withdrawn_at: dt.datetime
    withdrawn_note: str


class AdminResultsController(Controller):
    path = "/api/v1/admin/results"
    tags = ["admin"]

    @post("/", summary="Publish one inspection result", status_code=201)
    async def publish_one(self, request: Request, data: JSONBody[ResultIn]) -> PublishedIds:
        ids = await publish_results(
            principal_of(request), [msgspec.structs.asdict(data)], insert_results, shanghai_today()
        )
        return PublishedIds(ids=ids, count=len(ids))

    @post(
        "/bulk",
        summary="Publish up to 10,000 results, all or nothing",
        status_code=201,
        request_max_body_size=64 * 1024 * 1024,
    )
    async def publish_bulk(self, request: Request, data: JSONBody[BulkIn]) -> PublishedIds:
        raws = [msgspec.structs.asdict(i) for i in data.items]
        ids = await publish_results(principal_of(request), raws, insert_results, shanghai_today(), bulk=True)
        return PublishedIds(ids=ids, count=len(ids))

    @post(
        "/{result_id:int}/revoke",
        summary="Withdraw a result your department published (撤回, reason required)",
        description="The result stops being public everywhere at once (the public API answers 410 with "
        "reason `revoked`); pending repair applications for it are closed as moot. 404 for another "
        "department's result, 409 for one no longer public, 422 without a reason.",
        status_code=200,
    )
    async def revoke(self, request: Request, result_id: FromPath[int], data: JSONBody[RevokeIn]) -> Revoked:
        row = await revoke_result(repo, principal_of(request), result_id, data.reason, now_of(request))
        return Revoked(
            id=row["id"],
            disclosure=row["disclosure"],
            withdrawn_reason=row["withdrawn_reason"],
            withdrawn_at=row["withdrawn_at"],
            withdrawn_note=row["withdrawn_note"],
        )
