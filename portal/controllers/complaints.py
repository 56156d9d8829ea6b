"""Complaint pages: /complaints/new (form and confirmation) and /complaints/track.

The form posts multipart/form-data to the same use case as POST /api/v1/complaints
(api.complaints.file_from_request), so limits, rate limits and the all-or-nothing storage are
the same. The lookup code is shown once, on the confirmation page, which is never cached; the
tracking page takes it by POST so it stays out of addresses, history and server logs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from api.complaints import file_from_request, track_complaint
from api.deps import settings_of
from db import complaints as q
from db.lookups import region_names
from domain.complaints import ACCEPTED, IMAGE_TYPES, SHANGHAI, VIDEO_TYPES
from domain.errors import DomainError
from domain.regions import full_name, region_prefix
from portal.labels import N_
from portal.render import page

# Status labels come from domain.complaints; marked here so the catalogue extracts them.
STATUS_MSGIDS = (N_("已受理"), N_("核查中"), N_("属实"), N_("不属实"), N_("已转办"), N_("已办结"))
BY_LABELS = {"system": N_("系统"), "supervisor": N_("司法行政监督"), "department": N_("被投诉部门")}
ACCEPT_ATTR = ",".join([*IMAGE_TYPES, *VIDEO_TYPES])
NO_STORE = {"Cache-Control": "no-store"}


def _errors(e: DomainError) -> dict[str, str]:
    out: dict[str, str] = {}
    for fe in e.errors:
        key = "attachments" if fe.field.startswith("attachments") else fe.field
        out.setdefault(key, fe.message)
    return out


def _local(when: dt.datetime | None) -> str:
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if when else ""


class ComplaintPagesController(Controller):
    path = "/complaints"

    async def _form(self, request: Request, form: dict, error: DomainError | None = None) -> Template:
        s = settings_of(request)
        rows = await q.departments()
        names = await region_names([d["region_code"] for d in rows.values()])
        # Grouped by the department's region, named in full (聊城市冠县), for the form's select.
        groups: dict[str, list[dict]] = {}
        for d in sorted(rows.values(), key=lambda d: (d["region_code"], d["code"])):
            label = full_name(d["region_code"], names)
            groups.setdefault(label, []).append({**d, "prefix": region_prefix(d["region_code"])})
        depts = list(groups.items())
        now_local = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
        t = page(
            request,
            "complaints/new.html",
            api_url="/api/v1/complaints",
            nav="services",
            status_code=error.status if error else 200,
            form=form,
            departments=depts,
            errors=_errors(error) if error else {},
            detail=error.detail if error else "",
            now_local=now_local,
            accept=ACCEPT_ATTR,
            accepted=ACCEPTED,
            max_photo_mb=s.max_attachment_bytes // (1024 * 1024),
            max_video_mb=s.max_video_bytes // (1024 * 1024),
            max_files=s.complaint_max_attachments,
            max_age_days=s.complaint_max_age_days,
        )
        t.headers.update(NO_STORE)
        return t

    @get("/new", name="portal:complaint_new")
    async def new(self, request: Request) -> Template:
        return await self._form(request, {})

    @post(
        "/new",
        name="portal:complaint_file",
        request_max_body_size=None,
        status_code=200,
        opt={"streams_body": True},  # api/uploads.py reads and checks it (api/input_guard.py)
    )
    async def file(self, request: Request) -> Template:
        keep: dict = {}
        try:
            filed = await file_from_request(request, settings_of(request), keep)
        except DomainError as e:
            if isinstance(keep.get("officers"), list):
                keep["officers"] = "、".join(x for x in keep["officers"] if x)
            return await self._form(request, keep, e)
        t = page(request, "complaints/filed.html", api_url="/api/v1/complaints", nav="services", filed=filed)
        t.headers.update(NO_STORE)
        return t

    @get("/track", name="portal:complaint_track")
    async def track_form(self, request: Request, number: FromQuery[str | None] = None) -> Template:
        return page(
            request,
            "complaints/track.html",
            api_url="/api/v1/complaints",
            nav="services",
            number=number or "",
            result=None,
            error=None,
        )

    @post("/track", name="portal:complaint_track_post", status_code=200)
    async def track(
        self, request: Request, data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Template:
        number = (data.get("number") or "").strip()
        try:
            result = await track_complaint(request, number, data.get("lookup_code") or "")
        except DomainError as e:
            t = page(
                request,
                "complaints/track.html",
                api_url="/api/v1/complaints",
                nav="services",
                status_code=e.status,
                number=number,
                result=None,
                error=e,
            )
        else:
            t = page(
                request,
                "complaints/track.html",
                api_url="/api/v1/complaints",
                nav="services",
                number=result.number,
                result=result,
                error=None,
                local=_local,
                by_labels=BY_LABELS,
            )
        t.headers.update(NO_STORE)
        return t
