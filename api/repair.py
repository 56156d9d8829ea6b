"""Enterprises: repair eligibility, applications (with evidence), their timeline, objections and
following them; and the public repair figures. Thin: parse, call one use case in
domain/repair_flow.py, shape."""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, Parameter
from litestar.response import File

from api.deps import principal_of, settings_of
from api.params import Params
from db import repair as repo
from db.lookups import region_names
from domain import repair_flow as flow
from domain.errors import Collector
from domain.evidence import FileIn
from domain.letters import Letter
from domain.regions import full_name
from domain.repair import (
    ACTION_LABELS,
    APPLICATION_STATUS_LABELS,
    MATERIAL_KINDS,
    OBJECTION_STATUS_LABELS,
    application_overdue,
    objection_deadline_provisional,
    objection_overdue,
)
from domain.results import CHECK_FIELD_LABELS
from domain.workdays import is_provisional
from render.letters import letter_pdf


def now_of(request: Request) -> dt.datetime:
    """The clock: `app.state.clock` when a test pins it, else the real time; always in UTC, the
    form every engine stores timestamps in (a sqlite3 adapter registered elsewhere must not matter)."""
    clock = getattr(request.app.state, "clock", None)
    return (clock() if clock else dt.datetime.now(dt.UTC)).astimezone(dt.UTC)


class LetterOut(msgspec.Struct):
    number: str
    kind: str  # acceptance / non_acceptance / correction_notice / approval / refusal (domain.letters)
    title: str
    action: str
    action_label: str
    issued_on: dt.date
    url: str  # the PDF


class LetterList(msgspec.Struct):
    application_number: str
    items: list[LetterOut]


def letter_out(row: dict[str, Any], app_number: str, base: str) -> LetterOut:
    content = row["content"]
    number = row["number"]
    return LetterOut(
        number=number,
        kind=row["kind"],
        title=content["title"],
        action=row["action"],
        action_label=ACTION_LABELS.get(row["action"], row["action"]),
        issued_on=dt.date.fromisoformat(content["issued_on"]),
        url=f"{base}/api/v1/repair-applications/{app_number}/letters/{number}",
    )


async def letter_file(request: Request, row: dict[str, Any]) -> File:
    """The letter's PDF as a download: private (only the applicant and the department reach it)."""
    s = settings_of(request)
    path = await asyncio.to_thread(letter_pdf, s.files_dir, row["number"], Letter.from_json(row["content"]), s.pdf_font)
    return File(
        path=path,
        media_type="application/pdf",
        filename=f"{row['number']}.pdf",
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


class ReasonOut(msgspec.Struct):
    code: str
    message: str


class EligibilityOut(msgspec.Struct):
    result_id: int
    eligible: bool
    earliest_on: dt.date | None
    reasons: list[ReasonOut]
    expires_on: dt.date | None
    min_months: int
    max_months: int
    rule_jurisdiction: str
    rule_source: str


class AttachmentIn(msgspec.Struct):
    filename: str
    content_base64: str
    # application / commitment / correction / identity / authorisation / other (domain.repair.MATERIAL_KINDS)
    kind: str = "other"


class ApplicationIn(msgspec.Struct):
    result_id: int
    reason: str
    commitment_accepted: bool
    attachments: list[AttachmentIn] = []
    applicant_contact: str = ""


class ApplicationCreated(msgspec.Struct):
    number: str
    status: str
    accept_by: dt.date | None
    # The decision deadline runs from acceptance (自受理之日起): null until the application is accepted.
    decide_by: dt.date | None
    url: str
    # True when the deadline runs past the official holiday calendar the portal has installed:
    # it was counted Monday to Friday there and may move once that year's arrangement is known.
    deadline_provisional: bool = False


class TimelineItem(msgspec.Struct):
    at: dt.datetime
    status: str
    note: str


class AttachmentOut(msgspec.Struct):
    filename: str
    content_type: str
    bytes: int
    sha256: str
    kind: str = "other"
    kind_label: str = ""


class ApplicationOut(msgspec.Struct):
    number: str
    result_id: int
    uscc: str
    department_code: str
    status: str
    reason: str
    commitment_accepted: bool
    submitted_at: dt.datetime
    # accept_by is null while the department awaits materials (the clock stops), decide_by until
    # the application is accepted (it runs from acceptance).
    accept_by: dt.date | None
    decide_by: dt.date | None
    decided_at: dt.datetime | None
    decision_reason: str
    overdue: list[str]
    timeline: list[TimelineItem]
    attachments: list[AttachmentOut]
    applicant: str | None = None  # officers of the deciding department only
    applicant_contact: str | None = None
    status_label: str = ""  # Chinese, e.g. 已受理，待决定
    commitment_text: str = ""  # the 守信承诺 as the enterprise accepted it


class ApplicationList(msgspec.Struct):
    items: list[ApplicationOut]
    next_cursor: str | None


class ObjectionIn(msgspec.Struct):
    result_id: int
    reason: str
    attachments: list[AttachmentIn] = []


class ObjectionCreated(msgspec.Struct):
    number: str
    status: str
    verify_by: dt.date


class EnterpriseObjectionOut(msgspec.Struct):
    """An objection as its enterprise follows it. Field names are the admin list's (`verify_by`,
    `correct_by`, `decision_note`, `corrected_result_id`); officer usernames are never shown."""

    number: str
    result_id: int
    uscc: str
    department_code: str
    reason: str
    status: str
    status_label: str  # Chinese, e.g. 异议属实，待更正
    submitted_at: dt.datetime
    verify_by: dt.date
    confirmed_at: dt.datetime | None
    correct_by: dt.date | None  # set on confirmation: the objection period in working days
    decided_at: dt.datetime | None
    decision_note: str  # the department's note: why confirmed, corrected or rejected; why moot
    corrected_result_id: int | None  # the corrected revision's result id, once corrected
    overdue: list[str]
    deadline_provisional: bool
    attachments: list[AttachmentOut]
    applicant: str | None = None  # officers of the deciding department only


class ObjectionList(msgspec.Struct):
    items: list[EnterpriseObjectionOut]
    next_cursor: str | None


class DepartmentFiguresOut(msgspec.Struct):
    department_code: str
    department_name: str
    applications: int
    approvals: int
    rejections: int
    pending: int
    # Closed without a decision: the result stopped being public another way (status `moot`).
    moot: int
    median_working_days_to_decide: float | None
    declined: int = 0  # 不予受理


class RepairFiguresOut(msgspec.Struct):
    year: int | None
    applications: int
    approvals: int
    rejections: int
    pending: int
    moot: int
    by_department: list[DepartmentFiguresOut]
    declined: int = 0  # 不予受理


async def files_by_kind(data: dict[str, Any]) -> list[FileIn]:
    """A multipart body's files with their kinds: part `files` takes the form field `kind` (default
    `other`), part `files_<kind>` that kind. Empty file inputs (no name, no bytes) are skipped."""
    given = data.get("kind")
    default_kind: str = given if isinstance(given, str) and given else "other"
    out: list[FileIn] = []
    for key, value in data.items():
        if key != "files" and not key.startswith("files_"):
            continue
        kind = default_kind if key == "files" else key.removeprefix("files_")
        uploads = value if isinstance(value, list) else [value]
        for u in uploads:
            if isinstance(u, UploadFile) and u.filename:
                out.append((u.filename, await u.read(), kind))
    return out


def decode_attachments(items: list[AttachmentIn]) -> list[FileIn]:
    c = Collector()
    out: list[FileIn] = []
    for i, a in enumerate(items):
        try:
            out.append((a.filename, base64.b64decode(a.content_base64, validate=True), a.kind))
        except (binascii.Error, ValueError):
            c.add(f"attachments[{i}].content_base64", "不是有效的 base64 (not valid base64)")
    c.raise_if_any()
    return out


async def application_out(app: dict, today: dt.date, officer: bool) -> ApplicationOut:
    events = await repo.application_events(app["id"])
    files = await repo.attachments_of("repair", app["id"])
    return ApplicationOut(
        number=app["number"],
        result_id=app["result_id"],
        uscc=app["uscc"],
        department_code=app["department_code"],
        status=app["status"],
        status_label=APPLICATION_STATUS_LABELS.get(app["status"], app["status"]),
        reason=app["reason"],
        commitment_accepted=bool(app["commitment_accepted"]),
        commitment_text=app.get("commitment_text") or "",
        submitted_at=app["submitted_at"],
        accept_by=app["accept_by"],
        decide_by=app["decide_by"],
        decided_at=app["decided_at"],
        decision_reason=app["decision_reason"],
        overdue=application_overdue(app["status"], app["accept_by"], app["decide_by"], today),
        # Officer usernames are not shown to the applicant: the department decides, not a person.
        timeline=[TimelineItem(at=e["at"], status=e["status"], note=e["note"]) for e in events],
        attachments=[
            AttachmentOut(
                filename=f["filename"],
                content_type=f["content_type"],
                bytes=f["bytes"],
                sha256=f["sha256"],
                kind=f.get("kind") or "other",
                kind_label=MATERIAL_KINDS.get(f.get("kind") or "other", ""),
            )
            for f in files
        ],
        applicant=app["applicant"] if officer else None,
        applicant_contact=app["applicant_contact"] if officer else None,
    )


async def enterprise_objection_out(o: dict, today: dt.date, officer: bool) -> EnterpriseObjectionOut:
    files = await repo.attachments_of("objection", o["id"])
    return EnterpriseObjectionOut(
        number=o["number"],
        result_id=o["result_id"],
        uscc=o["uscc"],
        department_code=o["department_code"],
        reason=o["reason"],
        status=o["status"],
        status_label=OBJECTION_STATUS_LABELS.get(o["status"], o["status"]),
        submitted_at=o["submitted_at"],
        verify_by=o["verify_by"],
        confirmed_at=o["confirmed_at"],
        correct_by=o["correct_by"],
        decided_at=o["decided_at"],
        decision_note=o["decision_note"],
        corrected_result_id=o["corrected_result_id"],
        overdue=objection_overdue(o["status"], o["verify_by"], o["correct_by"], today),
        deadline_provisional=objection_deadline_provisional(o["verify_by"], o["correct_by"]),
        attachments=[
            AttachmentOut(
                filename=f["filename"],
                content_type=f["content_type"],
                bytes=f["bytes"],
                sha256=f["sha256"],
                kind=f.get("kind") or "other",
                kind_label=MATERIAL_KINDS.get(f.get("kind") or "other", ""),
            )
            for f in files
        ],
        applicant=o["applicant"] if officer else None,
    )


class RepairController(Controller):
    path = "/api/v1"
    tags = ["repair"]

    @get(
        "/results/{result_id:int}/repair-eligibility",
        summary="May the signed-in enterprise apply to repair this result?",
    )
    async def eligibility(self, request: Request, result_id: FromPath[int]) -> EligibilityOut:
        today = flow.local_date(now_of(request))
        _row, rule, e = await flow.check_eligibility(repo, principal_of(request), result_id, today)
        return EligibilityOut(
            result_id=result_id,
            eligible=e.eligible,
            earliest_on=e.earliest_on,
            reasons=[ReasonOut(r.code, r.message) for r in e.reasons],
            expires_on=e.expires_on,
            min_months=rule.min_months,
            max_months=rule.max_months,
            rule_jurisdiction=rule.jurisdiction,
            rule_source=rule.source,
        )

    @post("/repair-applications", summary="Apply to stop the publicity of a negative result", status_code=201)
    async def create(self, request: Request, data: JSONBody[ApplicationIn]) -> ApplicationCreated:
        s = settings_of(request)
        files = decode_attachments(data.attachments)
        out = await flow.apply(
            repo,
            principal_of(request),
            data.result_id,
            data.reason,
            data.commitment_accepted,
            files,
            now_of(request),
            s.files_dir,
            s.max_attachment_bytes,
            contact=data.applicant_contact,
        )
        return ApplicationCreated(
            url=f"{s.base_url}/repair/applications/{out['number']}",
            deadline_provisional=is_provisional(out["accept_by"]),
            **out,
        )

    @get("/repair-applications", summary="The signed-in enterprise's own applications, newest first")
    async def mine(
        self,
        request: Request,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> ApplicationList:
        rows, next_cursor = await flow.own_applications(repo, principal_of(request), page_size, cursor)
        today = flow.local_date(now_of(request))
        return ApplicationList(items=[await application_out(a, today, False) for a in rows], next_cursor=next_cursor)

    @get("/repair-applications/{number:str}", summary="An application's status and dated timeline")
    async def one(self, request: Request, number: FromPath[str]) -> ApplicationOut:
        p = principal_of(request)
        app = await flow.application_for(repo, p, number)
        return await application_out(app, flow.local_date(now_of(request)), p.role != "enterprise")

    @get(
        "/repair-applications/{number:str}/letters",
        summary="The application's decision letters (决定书/通知书), one per step of the procedure; "
        "only the applicant and the deciding department see them",
    )
    async def letters(self, request: Request, number: FromPath[str]) -> LetterList:
        app, rows = await flow.application_letters(repo, principal_of(request), number)
        base = settings_of(request).base_url
        return LetterList(application_number=app["number"], items=[letter_out(r, app["number"], base) for r in rows])

    @get(
        "/repair-applications/{number:str}/letters/{letter_number:str}",
        summary="One decision letter as PDF (the CJK font embedded)",
        media_type="application/pdf",
        opt={"conditional": False},
    )
    async def letter(self, request: Request, number: FromPath[str], letter_number: FromPath[str]) -> File:
        row = await flow.application_letter(repo, principal_of(request), number, letter_number)
        return await letter_file(request, row)

    @post(
        "/repair-applications/{number:str}/attachments",
        status_code=201,
        summary="Add materials (multipart: PDF, JPG or PNG files in `files` with their `kind`, or in "
        "`files_<kind>` such as files_commitment); while materials are awaited they restart the acceptance clock",
    )
    async def add_files(
        self,
        request: Request,
        number: FromPath[str],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ApplicationOut:
        s = settings_of(request)
        files = await files_by_kind(data)
        now = now_of(request)
        p = principal_of(request)
        await flow.add_files(repo, p, number, files, now, s.files_dir, s.max_attachment_bytes)
        app_row = await repo.get_application(number)
        assert app_row is not None  # add_files found it
        return await application_out(app_row, flow.local_date(now), False)

    @post("/objections", summary="Dispute a result as wrong (异议)", status_code=201)
    async def objection(self, request: Request, data: JSONBody[ObjectionIn]) -> ObjectionCreated:
        s = settings_of(request)
        files = decode_attachments(data.attachments)
        out = await flow.file_objection(
            repo,
            principal_of(request),
            data.result_id,
            data.reason,
            files,
            now_of(request),
            s.files_dir,
            s.max_attachment_bytes,
        )
        return ObjectionCreated(**out)

    @get("/objections", summary="The signed-in enterprise's own objections, newest first")
    async def my_objections(
        self,
        request: Request,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> ObjectionList:
        rows, next_cursor = await flow.own_objections(repo, principal_of(request), page_size, cursor)
        today = flow.local_date(now_of(request))
        return ObjectionList(
            items=[await enterprise_objection_out(o, today, False) for o in rows], next_cursor=next_cursor
        )

    @get(
        "/objections/{number:str}",
        summary="An objection's status, dates, deadlines and the department's decision (the objecting "
        "enterprise and the deciding department only)",
    )
    async def one_objection(self, request: Request, number: FromPath[str]) -> EnterpriseObjectionOut:
        p = principal_of(request)
        obj = await flow.objection_for(repo, p, number)
        return await enterprise_objection_out(obj, flow.local_date(now_of(request)), p.role != "enterprise")


class PublicRuleOut(msgspec.Struct):
    check_field: str  # a check field, or '*' for every field without a rule of its own
    check_field_label: str
    min_months: int
    max_months: int
    accept_days: int
    decide_days: int
    objection_days: int


class RuleProfileOut(msgspec.Struct):
    jurisdiction: str  # a GB/T 2260 region code, or '*' for the national default
    jurisdiction_name: str
    source: str
    rules: list[PublicRuleOut]


class RuleProfileList(msgspec.Struct):
    items: list[RuleProfileOut]
    # How the rule for a result is chosen, in words (谁公示、谁修复).
    lookup: str = (
        "按发布该结果的部门所在地区及其上级地区查找，先县、后市、再省，最后全国默认；同一地区内先按抽查领域，"
        "再按通用规则 (by the publishing department's region and its parents: county, city, province, then the "
        "national default; within each, the rule for the check field before the general one)"
    )


async def rule_profiles_out() -> RuleProfileList:
    """The public rule list; the portal's /repair/rules renders the same."""
    profiles = await flow.public_profiles(repo)
    names = await region_names([p.jurisdiction for p in profiles if p.jurisdiction != "*"])
    return RuleProfileList(
        items=[
            RuleProfileOut(
                jurisdiction=p.jurisdiction,
                jurisdiction_name="全国" if p.jurisdiction == "*" else full_name(p.jurisdiction, names),
                source=p.source,
                rules=[
                    PublicRuleOut(
                        check_field=r.check_field,
                        check_field_label="其他领域（通用）"
                        if r.check_field == "*"
                        else CHECK_FIELD_LABELS[r.check_field],
                        min_months=r.min_months,
                        max_months=r.max_months,
                        accept_days=r.accept_days,
                        decide_days=r.decide_days,
                        objection_days=r.objection_days,
                    )
                    for r in p.rules
                ],
            )
            for p in profiles
        ]
    )


class RepairRulesController(Controller):
    path = "/api/v1/repair-rules"
    tags = ["repair"]
    opt = {"exclude_from_auth": True}

    @get(
        "/",
        summary="Every repair-rule profile with its source (public): periods in months, deadlines in working days",
    )
    async def list_profiles(self) -> RuleProfileList:
        return await rule_profiles_out()


class RepairStatsController(Controller):
    path = "/api/v1/stats/repair"
    tags = ["figures"]
    opt = {"exclude_from_auth": True}

    @get(
        "/",
        summary="Repair applications, approvals, rejections, pending, moot and median working days to decide, "
        "by department",
    )
    async def figures(self, year: FromQuery[int | None] = None) -> RepairFiguresOut:
        p = Params()
        year = p.year(year)  # 2000-2100, as every other figure's year
        p.done()
        figs = flow.figures(await repo.application_rows(year))
        names = await repo.department_names([f.department_code for f in figs])
        return RepairFiguresOut(
            year=year,
            applications=sum(f.applications for f in figs),
            approvals=sum(f.approvals for f in figs),
            rejections=sum(f.rejections for f in figs),
            pending=sum(f.pending for f in figs),
            moot=sum(f.moot for f in figs),
            declined=sum(f.declined for f in figs),
            by_department=[
                DepartmentFiguresOut(department_name=names.get(f.department_code, f.department_code), **f.__dict__)
                for f in figs
            ],
        )
