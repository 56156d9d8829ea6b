"""Officers publish, revise and withdraw their department's matters (抽查事项清单):
POST /api/v1/admin/matters, /api/v1/admin/matters/{code}/versions, /api/v1/admin/matters/{code}/withdraw.

A published matter is never edited in place: a revision with a reason becomes version N+1 with the
list of what changed (domain.matters.validate_revision); every version stays public."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import FromPath, JSONBody

from api.admin_plans import acting_department, region_of_department
from api.deps import principal_of, settings_of
from api.matters import servable_matter
from db import matters as mq
from domain.auth import require_department
from domain.errors import Conflict, FieldError, ValidationFailed
from domain.matters import latest, validate_matter, validate_revision
from domain.results import shanghai_today


class MatterIn(msgspec.Struct):
    code: str
    name: str
    field: str
    legal_basis: list[dict[str, Any]]
    object_scope: str
    method: str
    valid_from: dt.date
    level: str = "市"
    valid_to: dt.date | None = None
    department: str | None = None  # defaults to the officer's own; another department → 403


class MatterRevisionIn(msgspec.Struct):
    reason: str = ""
    name: str | None = None
    field: str | None = None
    legal_basis: list[dict[str, Any]] | None = None
    object_scope: str | None = None
    method: str | None = None
    level: str | None = None
    valid_from: dt.date | None = None
    # Left out: the end date stays; null: the matter applies until revised again.
    valid_to: dt.date | msgspec.UnsetType | None = msgspec.UNSET


class WithdrawIn(msgspec.Struct):
    reason: str = ""


class MatterPublished(msgspec.Struct):
    id: int
    code: str
    version: int
    url: str
    changes: list[str] = []


class MatterWithdrawn(msgspec.Struct):
    code: str
    withdrawn: bool


class AdminMattersController(Controller):
    path = "/api/v1/admin/matters"
    tags = ["admin"]

    @post("/", summary="Publish a matter of the department's list (version 1)", status_code=201)
    async def publish(self, request: Request, data: JSONBody[MatterIn]) -> MatterPublished:
        actor = principal_of(request)
        dept = acting_department(actor, data.department)
        matter = validate_matter(msgspec.structs.asdict(data), dept, await region_of_department(dept), shanghai_today())
        if await mq.get_matter(matter["code"]) is not None:
            raise ValidationFailed(
                "事项编码已被使用，未发布 (the code is taken; nothing was published)",
                [
                    FieldError(
                        "code", f"编码 {matter['code']} 已存在；修订请用 /versions (code exists; revise it instead)"
                    )
                ],
            )
        matter_id = await mq.insert_matter(matter, actor)
        base = settings_of(request).base_url
        return MatterPublished(id=matter_id, code=matter["code"], version=1, url=f"{base}/matters/{matter['code']}")

    @post("/{code:str}/versions", summary="Publish version N+1 of a matter, with a reason", status_code=201)
    async def revise(self, request: Request, code: FromPath[str], data: JSONBody[MatterRevisionIn]) -> MatterPublished:
        actor = principal_of(request)
        m = await servable_matter(code)
        require_department(actor, m["department_code"])
        current = latest((await mq.versions_for([m["id"]]))[m["id"]])
        assert current is not None  # version 1 is written with the matter
        raw = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        version = validate_revision(raw, current, shanghai_today())
        number = await mq.insert_version(m["id"], m["current_version"], version, actor)
        if not number:
            raise Conflict("事项已被同时修订，请刷新后重试 (the matter was revised meanwhile; reload and retry)")
        base = settings_of(request).base_url
        return MatterPublished(
            id=m["id"], code=m["code"], version=number, url=f"{base}/matters/{m['code']}", changes=version["changes"]
        )

    @post(
        "/{code:str}/withdraw", summary="Withdraw a matter published by mistake (gone from every list)", status_code=200
    )
    async def withdraw(self, request: Request, code: FromPath[str], data: JSONBody[WithdrawIn]) -> MatterWithdrawn:
        actor = principal_of(request)
        m = await servable_matter(code)
        require_department(actor, m["department_code"])
        reason = data.reason.strip()
        if not reason:
            raise ValidationFailed(
                "撤回必须说明理由 (a withdrawal needs a reason)", [FieldError("reason", "不能为空 (required)")]
            )
        done = await mq.withdraw(m["id"], reason[:2000], actor, dt.datetime.now(dt.UTC))
        if not done:
            raise Conflict("事项已被撤回 (the matter was withdrawn meanwhile)")
        return MatterWithdrawn(code=m["code"], withdrawn=True)
