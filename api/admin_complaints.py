"""Handling complaints: the supervisor's and the department's list, state moves and notes.

GET  /api/v1/admin/complaints                      list (overdue flag, cross-check, contact)
GET  /api/v1/admin/complaints/{number}             one complaint with notes and attachments
POST /api/v1/admin/complaints/{number}/transitions {to, note, referred_to?}  supervisor only
POST /api/v1/admin/complaints/{number}/notes       {note}  supervisor or the named department
GET  /api/v1/admin/complaints/{number}/attachments/{id}    the file
Who sees and does what is decided in domain.complaints (access_of, check_move, check_response).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import File

from api.complaints import now
from api.deps import principal_of, settings_of
from db import complaints as q
from domain import complaint_flow
from domain import complaints as rules_
from domain.complaints import SHANGHAI, STATUS_LABELS
from domain.errors import NotFound


class EventOut(msgspec.Struct):
    at: dt.datetime
    status: str
    status_label: str
    note: str
    actor: str
    actor_role: str


class AttachmentOut(msgspec.Struct):
    id: int
    filename: str
    content_type: str
    bytes: int
    sha256: str
    url: str


class HandlerComplaint(msgspec.Struct):
    number: str
    status: str
    status_label: str
    access: str  # handler (may decide, sees contact) / department (may respond, contact masked)
    uscc: str
    enterprise_name: str
    contact_name: str
    contact_phone: str
    visited_at: dt.datetime
    place: str
    department_code: str
    department: str
    region_code: str
    officers: str
    scanned: str
    description: str
    filed_at: dt.datetime
    respond_by: dt.date
    overdue: bool
    closed_at: dt.datetime | None
    referred_to: str | None
    crosscheck: dict
    allowed_moves: list[str]
    events: list[EventOut] | None = None
    attachments: list[AttachmentOut] | None = None


class HandlerPage(msgspec.Struct):
    items: list[HandlerComplaint]
    next_cursor: str | None


class MoveIn(msgspec.Struct):
    # Defaults so the domain names every missing field itself.
    to: str = ""
    note: str = ""
    referred_to: str | None = None


class NoteIn(msgspec.Struct):
    note: str = ""


def _out(p, c: dict, names: dict[str, str], today: dt.date) -> HandlerComplaint:
    access = rules_.access_of(p, c)
    name, phone = rules_.contact_view(access, c["contact_name"], c["contact_phone"])
    crosscheck = c["crosscheck"] or {}
    return HandlerComplaint(
        number=c["number"],
        status=c["status"],
        status_label=STATUS_LABELS[c["status"]],
        access=access,
        uscc=c["uscc"],
        enterprise_name=c["enterprise_name"],
        contact_name=name,
        contact_phone=phone,
        visited_at=c["visited_at"],
        place=c["place"],
        department_code=c["department_code"],
        department=names.get(c["department_code"], c["department_code"]),
        region_code=c["region_code"],
        officers=c["officers"],
        scanned=c["scanned"],
        description=c["description"],
        filed_at=c["filed_at"],
        respond_by=c["respond_by"],
        overdue=rules_.is_overdue(c["status"], c["respond_by"], today),
        closed_at=c["closed_at"],
        referred_to=c["referred_to"] or None,
        crosscheck=crosscheck,
        allowed_moves=list(rules_.TRANSITIONS[c["status"]]) if access == "handler" else [],
    )


def _today() -> dt.date:
    return now().astimezone(SHANGHAI).date()


async def _load(number: str) -> dict:
    return await complaint_flow.load(q, number)


class AdminComplaintsController(Controller):
    path = "/api/v1/admin/complaints"
    tags = ["admin", "complaints"]

    @get("/", summary="Complaints for the signed-in supervisor (its region) or department")
    async def list_(
        self,
        request: Request,
        status: FromQuery[str | None] = None,
        overdue: FromQuery[bool | None] = None,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> HandlerPage:
        p = principal_of(request)
        today = _today()
        rows, next_cursor = await complaint_flow.handler_list(q, p, status, overdue, page_size, cursor, today)
        names = await q.department_names([r["department_code"] for r in rows])
        return HandlerPage(items=[_out(p, r, names, today) for r in rows], next_cursor=next_cursor)

    @get("/{number:str}", summary="One complaint with its notes and attachments")
    async def detail(self, request: Request, number: FromPath[str]) -> HandlerComplaint:
        return await _detail(request, await _load(number))

    @post("/{number:str}/transitions", summary="Move a complaint to its next state with a public note", status_code=200)
    async def transition(self, request: Request, number: FromPath[str], data: JSONBody[MoveIn]) -> HandlerComplaint:
        c = await complaint_flow.move(q, principal_of(request), number, data.to, data.note, data.referred_to)
        return await _detail(request, c)

    @post("/{number:str}/notes", summary="Add a public note (the named department's response)", status_code=201)
    async def note(self, request: Request, number: FromPath[str], data: JSONBody[NoteIn]) -> HandlerComplaint:
        c = await complaint_flow.respond(q, principal_of(request), number, data.note)
        return await _detail(request, c)

    @get("/{number:str}/attachments/{attachment_id:int}", summary="An attachment of a complaint")
    async def attachment(self, request: Request, number: FromPath[str], attachment_id: FromPath[int]) -> File:
        p = principal_of(request)
        c = await _load(number)
        rules_.access_of(p, c)
        for a in await q.attachments(c["id"]):
            if a["id"] == attachment_id:
                return File(
                    path=Path(settings_of(request).files_dir) / a["path"],
                    filename=a["filename"],
                    media_type=a["content_type"],
                )
        raise NotFound(f"该投诉没有附件 {attachment_id} (no such attachment)")


async def _detail(request: Request, c: dict) -> HandlerComplaint:
    p = principal_of(request)
    out = _out(p, c, await q.department_names([c["department_code"]]), _today())
    evs = await q.events(c["id"])
    out.events = [
        EventOut(
            at=e["at"],
            status=e["status"],
            status_label=STATUS_LABELS.get(e["status"], e["status"]),
            note=e["note"],
            actor=e["actor"],
            actor_role=e["actor_role"],
        )
        for e in evs
    ]
    base = settings_of(request).base_url
    out.attachments = [
        AttachmentOut(
            id=a["id"],
            filename=a["filename"],
            content_type=a["content_type"],
            bytes=a["bytes"],
            sha256=a["sha256"],
            url=f"{base}/api/v1/admin/complaints/{c['number']}/attachments/{a['id']}",
        )
        for a in await q.attachments(c["id"])
    ]
    return out
