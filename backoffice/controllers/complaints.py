"""Complaints in the back office: /admin/complaints (the supervisor's region, or the complaints
naming the officer's department; filter by status and overdue; keyset pages) and
/admin/complaints/{number}: the complaint (contact masked for the department), the cross-check
summary and the scan records, the attachments in the page, the public notes, and — for the
supervisor — the allowed moves as buttons, each with its required public note (a referral names
the receiving department); the named department adds a response note.

Everything goes through domain.complaint_flow (handler_list, load, move, respond) and
domain.complaints.access_of, as /api/v1/admin/complaints does. A complaint outside the reader's
region or department answers 404, as an unknown number does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import File, Redirect, Template

from api.complaints import now
from api.deps import settings_of
from backoffice.render import admin_page
from backoffice.render import local_time as _local
from backoffice.session import PREFIX, require_staff
from db import complaints as q
from domain import complaint_flow as flow
from domain import complaints as rules
from domain.auth import Principal
from domain.errors import DomainError, Forbidden, NotFound
from domain.inbox import countdown
from portal.labels import N_
from portal.render import url_with

BASE = f"{PREFIX}/complaints"
INLINE_IMAGES = {"image/jpeg", "image/png", "image/webp"}
MOVE_LABELS = {
    rules.UNDER_REVIEW: N_("开始核查"),
    rules.SUBSTANTIATED: N_("认定属实"),
    rules.NOT_SUBSTANTIATED: N_("认定不属实"),
    rules.REFERRED: N_("转办"),
    rules.CLOSED: N_("办结"),
}
OUTCOME_LABELS = {
    "scan_found": N_("有扫码记录"),
    "checkin_only": N_("仅有定位打卡记录"),
    "no_record": N_("无扫码或打卡记录"),
}


def _today() -> dt.date:
    return now().astimezone(rules.SHANGHAI).date()


async def _visible(p: Principal, number: str) -> tuple[dict[str, Any], str]:
    c = await flow.load(q, number)
    try:
        return c, rules.access_of(p, c)
    except Forbidden:
        raise NotFound(f"没有编号为 {c['number']} 的投诉 (no complaint {c['number']})") from None


class ComplaintPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:complaints")
    async def list_(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        status: FromQuery[str | None] = None,
        overdue: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        today = _today()
        rows, next_cursor = await flow.handler_list(
            q, staff, status or None, overdue == "yes" or None, None, cursor, today
        )
        names = await q.department_names([r["department_code"] for r in rows])
        items = [
            {
                "c": c,
                "overdue": rules.is_overdue(c["status"], c["respond_by"], today),
                "days_left": countdown(c["respond_by"], today) if c["status"] in rules.OPEN else None,
            }
            for c in rows
        ]
        params = {"status": status or "", "overdue": overdue or ""}
        return admin_page(
            request,
            "admin/complaint_list.html",
            staff,
            section="complaints",
            items=items,
            names=names,
            statuses=list(rules.STATUSES),
            status_labels=rules.STATUS_LABELS,
            status=status or "",
            overdue=overdue or "",
            next_url=url_with(BASE, params, cursor=next_cursor) if next_cursor else "",
            first_url=url_with(BASE, params) if cursor else "",
            local=_local,
        )

    async def _detail(
        self,
        request: Request,
        staff: Principal,
        number: str,
        *,
        error: DomainError | None = None,
        form_key: str = "",
        form: dict[str, str] | None = None,
        done: str = "",
    ) -> Template:
        c, access = await _visible(staff, number)
        today = _today()
        name, phone = rules.contact_view(access, c["contact_name"], c["contact_phone"])
        codes = [c["department_code"], *([c["referred_to"]] if c["referred_to"] else [])]
        names = await q.department_names(codes)
        errors: dict[str, str] = {}
        if error is not None:
            for fe in error.errors:
                errors.setdefault(fe.field, fe.message)
        departments = await q.departments() if access == "handler" else {}
        return admin_page(
            request,
            "admin/complaint_detail.html",
            staff,
            section="complaints",
            crumbs=[(BASE, "投诉处理")],
            status_code=200 if error is None else error.status,
            c=c,
            access=access,
            contact_name=name,
            contact_phone=phone,
            names=names,
            cross=c["crosscheck"] or {},
            outcome_labels=OUTCOME_LABELS,
            events=await q.events(c["id"]),
            files=await q.attachments(c["id"]),
            inline_images=INLINE_IMAGES,
            moves=list(rules.TRANSITIONS[c["status"]]) if access == "handler" else [],
            move_labels=MOVE_LABELS,
            referred=rules.REFERRED,
            departments=sorted(
                ((code, d) for code, d in departments.items() if code != c["department_code"]), key=lambda x: x[0]
            ),
            status_labels=rules.STATUS_LABELS,
            overdue=rules.is_overdue(c["status"], c["respond_by"], today),
            days_left=countdown(c["respond_by"], today) if c["status"] in rules.OPEN else None,
            can_note=c["status"] != rules.CLOSED,
            error=error,
            errors=errors,
            form_key=form_key,
            form=form or {},
            done=done,
            local=_local,
        )

    @get("/{number:str}", name="admin:complaint")
    async def detail(
        self, request: Request, staff: NamedDependency[Principal], number: FromPath[str], done: FromQuery[str] = ""
    ) -> Template:
        return await self._detail(request, staff, number, done=done if done in (*rules.STATUSES, "note") else "")

    @post("/{number:str}/move", name="admin:complaint_move", status_code=200)
    async def move(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        c, _access = await _visible(staff, number)
        to = data.get("to", "")
        try:
            await flow.move(q, staff, c["number"], to, data.get("note", ""), data.get("referred_to") or None)
        except DomainError as e:
            if e.status == 404:
                raise
            return await self._detail(request, staff, c["number"], error=e, form_key=to, form=data)
        return Redirect(f"{BASE}/{c['number']}?done={to}", status_code=303)

    @post("/{number:str}/note", name="admin:complaint_note", status_code=200)
    async def note(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        c, _access = await _visible(staff, number)
        try:
            await flow.respond(q, staff, c["number"], data.get("note", ""))
        except DomainError as e:
            if e.status == 404:
                raise
            return await self._detail(request, staff, c["number"], error=e, form_key="note", form=data)
        return Redirect(f"{BASE}/{c['number']}?done=note", status_code=303)

    @get("/{number:str}/files/{file_id:int}", name="admin:complaint_file")
    async def file(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        file_id: FromPath[int],
        download: FromQuery[bool] = False,
    ) -> File:
        c, _access = await _visible(staff, number)
        for a in await q.attachments(c["id"]):
            if a["id"] == file_id:
                inline = not download and (a["content_type"] in INLINE_IMAGES or a["content_type"].startswith("video/"))
                return File(
                    path=Path(settings_of(request).files_dir) / a["path"],
                    filename=a["filename"],
                    media_type=a["content_type"],
                    content_disposition_type="inline" if inline else "attachment",
                    headers={
                        "Cache-Control": "private, no-store",
                        "X-Content-Type-Options": "nosniff",
                        "X-Frame-Options": "SAMEORIGIN",
                        "Content-Security-Policy": "frame-ancestors 'self'",
                    },
                )
        raise NotFound(f"该投诉没有附件 {file_id} (no such attachment)")
