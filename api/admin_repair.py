"""Officers: decide their department's repair applications and objections; admins add a
jurisdiction's rule profile; officers still read withdrawn results."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter

from api.deps import principal_of, settings_of
from api.repair import ApplicationOut, application_out, now_of
from api.schemas import ResultOut
from api.serialize import result_out
from db import repair as repo
from db.results import department_names, get_result
from domain import repair as rules
from domain import repair_flow as flow
from domain.auth import require_role
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size


class DecisionIn(msgspec.Struct):
    reason: str = ""


class NoteIn(msgspec.Struct):
    note: str = ""


class CorrectionIn(msgspec.Struct):
    note: str
    categories: list[str] | None = None
    follow_up: str | None = None
    penalty_decision_number: str | None = None
    entity_name: str | None = None
    check_field: str | None = None
    inspected_on: dt.date | None = None


class AdminApplicationPage(msgspec.Struct):
    items: list[ApplicationOut]
    next_cursor: str | None


class ObjectionOut(msgspec.Struct):
    number: str
    result_id: int
    uscc: str
    applicant: str
    department_code: str
    reason: str
    status: str
    submitted_at: dt.datetime
    verify_by: dt.date
    confirmed_at: dt.datetime | None
    correct_by: dt.date | None
    decided_at: dt.datetime | None
    decision_note: str
    corrected_result_id: int | None
    overdue: list[str]


class ObjectionPage(msgspec.Struct):
    items: list[ObjectionOut]
    next_cursor: str | None


class RuleIn(msgspec.Struct):
    check_field: str
    min_months: int
    max_months: int
    accept_days: int
    decide_days: int
    objection_days: int
    # Material kinds required; "identity|authorisation" means either. Default: the national list.
    required_materials: list[str] | None = None


class ProfileIn(msgspec.Struct):
    jurisdiction: str
    source: str
    rules: list[RuleIn]


class RuleOut(msgspec.Struct):
    jurisdiction: str
    check_field: str
    min_months: int
    max_months: int
    accept_days: int
    decide_days: int
    objection_days: int
    source: str
    created_by: str
    required_materials: list[str] = []


class RuleList(msgspec.Struct):
    items: list[RuleOut]


class AdminResultOut(msgspec.Struct):
    result: ResultOut
    disclosure: str
    withdrawn_reason: str
    withdrawn_at: dt.datetime | None
    withdrawn_by: str
    withdrawn_note: str
    revision: int
    revision_of: int | None


def objection_out(o: dict, today: dt.date) -> ObjectionOut:
    return ObjectionOut(
        number=o["number"],
        result_id=o["result_id"],
        uscc=o["uscc"],
        applicant=o["applicant"],
        department_code=o["department_code"],
        reason=o["reason"],
        status=o["status"],
        submitted_at=o["submitted_at"],
        verify_by=o["verify_by"],
        confirmed_at=o["confirmed_at"],
        correct_by=o["correct_by"],
        decided_at=o["decided_at"],
        decision_note=o["decision_note"],
        corrected_result_id=o["corrected_result_id"],
        overdue=rules.objection_overdue(o["status"], o["verify_by"], o["correct_by"], today),
    )


def _statuses(status: str | None, allowed: set[str]) -> list[str] | None:
    if not status:
        return None
    out = [s.strip() for s in status.split(",") if s.strip()]
    bad = [s for s in out if s not in allowed]
    if bad:
        raise ValidationFailed("unknown status", [FieldError("status", f"one of {', '.join(sorted(allowed))}")])
    return out


class AdminRepairController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]

    @get("/repair-applications", summary="The officer's department's applications, with overdue flags")
    async def list_applications(
        self,
        request: Request,
        status: FromQuery[str | None] = None,
        overdue: FromQuery[bool | None] = None,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> AdminApplicationPage:
        today = flow.local_date(now_of(request))
        rows, next_cursor = await flow.department_applications(
            repo, principal_of(request), flow.application_statuses(status), overdue, page_size, cursor, today
        )
        return AdminApplicationPage(
            items=[await application_out(a, today, True) for a in rows], next_cursor=next_cursor
        )

    @get("/repair-applications/{number:str}", summary="One application (deciding department only)")
    async def one_application(self, request: Request, number: FromPath[str]) -> ApplicationOut:
        p = principal_of(request)
        require_role(p, "officer", "admin")
        app = await flow.application_for(repo, p, number)
        return await application_out(app, flow.local_date(now_of(request)), True)

    @post(
        "/repair-applications/{number:str}/{action:str}",
        status_code=200,
        summary="The repair procedure's steps: accept (受理), decline (不予受理), request-materials (一次性告知补正), "
        "and once accepted approve (准予修复) or reject (不予修复); decline, request-materials and reject need a "
        "reason (request-materials: every missing or defective item). Approval stops publicity. A step not open "
        "from the current status is a 409 naming it.",
    )
    async def decide(
        self,
        request: Request,
        number: FromPath[str],
        action: FromPath[Literal["accept", "decline", "request-materials", "approve", "reject"]],
        data: JSONBody[DecisionIn],
    ) -> ApplicationOut:
        now = now_of(request)
        app = await flow.decide(repo, principal_of(request), number, action, data.reason, now)
        return await application_out(app, flow.local_date(now), True)

    @get("/objections", summary="The officer's department's objections, with overdue flags")
    async def list_objections(
        self,
        request: Request,
        status: FromQuery[str | None] = None,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> ObjectionPage:
        p = principal_of(request)
        require_role(p, "officer", "admin")
        statuses = _statuses(status, set(rules.OBJECTION_STATUSES))
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        today = flow.local_date(now_of(request))
        rows = await repo.list_objections(p.department_code, statuses, key["id"] if key else None, size + 1)
        rows, next_cursor = split_page(rows, size)
        return ObjectionPage(items=[objection_out(o, today) for o in rows], next_cursor=next_cursor)

    @post(
        "/objections/{number:str}/correct",
        status_code=200,
        summary="Write the corrected revision: published (and the wrong one withdrawn) if the result is still "
        "public, stored with the same withdrawal if its publicity has already stopped",
    )
    async def correct(self, request: Request, number: FromPath[str], data: JSONBody[CorrectionIn]) -> ObjectionOut:
        now = now_of(request)
        raw = msgspec.structs.asdict(data)
        note = raw.pop("note")
        obj = await flow.correct_objection(repo, principal_of(request), number, raw, note, now)
        return objection_out(obj, flow.local_date(now))

    @post(
        "/objections/{number:str}/{action:str}",
        status_code=200,
        summary="confirm (correct within the objection period) or reject (with a note)",
    )
    async def decide_objection(
        self,
        request: Request,
        number: FromPath[str],
        action: FromPath[Literal["confirm", "reject"]],
        data: JSONBody[NoteIn],
    ) -> ObjectionOut:
        now = now_of(request)
        obj = await flow.decide_objection(repo, principal_of(request), number, action, data.note, now)
        return objection_out(obj, flow.local_date(now))

    @get("/repair-rules", summary="The repair rule table")
    async def list_rules(self, request: Request) -> RuleList:
        require_role(principal_of(request), "officer", "admin", "supervisor")
        return RuleList(
            items=[
                RuleOut(
                    **{k: r[k] for k in RuleOut.__struct_fields__ if k != "required_materials"},
                    required_materials=list(rules.parse_required_materials(r["required_materials"])),
                )
                for r in await repo.list_rules()
            ]
        )

    @post("/repair-rules", status_code=201, summary="Add a jurisdiction's own rule profile (admins)")
    async def add_rules(self, request: Request, data: JSONBody[ProfileIn]) -> RuleList:
        p = principal_of(request)
        profile = await flow.add_rule_profile(
            repo, p, data.jurisdiction, data.source, [msgspec.structs.asdict(r) for r in data.rules], now_of(request)
        )
        return RuleList(
            items=[
                RuleOut(
                    created_by=p.username,
                    **{k: v for k, v in r.__dict__.items() if k != "required_materials"},
                    required_materials=list(r.required_materials),
                )
                for r in profile
            ]
        )

    @get("/results/{result_id:int}", summary="Any result, withdrawn ones included, with its withdrawal record")
    async def result(self, request: Request, result_id: FromPath[int]) -> AdminResultOut:
        require_role(principal_of(request), "officer", "admin", "supervisor")
        row = await get_result(result_id)
        if row is None:
            raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
        names = await department_names(row["department_codes"].split(","))
        return AdminResultOut(
            result=result_out(row, names, settings_of(request).base_url),
            disclosure=row["disclosure"],
            withdrawn_reason=row["withdrawn_reason"],
            withdrawn_at=row["withdrawn_at"],
            withdrawn_by=row["withdrawn_by"],
            withdrawn_note=row["withdrawn_note"],
            revision=row["revision"],
            revision_of=row["revision_of"],
        )
