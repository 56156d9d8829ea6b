"""Filing and tracking complaints without an account, and the public statistics.

POST /api/v1/complaints takes JSON (attachments as base64) or multipart/form-data (files in
`attachments`), streams files to a temporary folder, and stores the complaint with its
attachments all-or-nothing. GET /api/v1/complaints/{number}?lookup_code= shows status and the
public notes; a wrong code is the same 404 as an unknown number. Nothing here shows contact
details, the USCC or officer credentials.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from functools import partial

import msgspec
from litestar import Controller, Request, get, post
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath, FromQuery, Parameter

from api.deps import settings_of
from api.input_guard import refused
from api.ratelimit import client_address
from api.uploads import new_tmp_dir, read_json, read_multipart
from db import complaints as q
from domain import complaints as rules_
from domain.complaint_checks import MIN_COUNT, complaint_stats
from domain.complaints import SHANGHAI, STATUS_LABELS, Rules
from domain.errors import DomainError, FieldError, ValidationFailed
from domain.text import control_errors, field_errors
from domain.workdays import add_working_days
from settings import Settings


class TooManyRequests(DomainError):
    status = 429
    title = "Too many requests"


class FiledOut(msgspec.Struct):
    number: str
    lookup_code: str
    status: str
    respond_by: dt.date
    url: str


class PublicEvent(msgspec.Struct):
    at: dt.datetime
    status: str
    status_label: str
    note: str
    by: str  # system / supervisor / department: a role, never a name


class TrackOut(msgspec.Struct):
    number: str
    status: str
    status_label: str
    department: str
    filed_at: dt.datetime
    respond_by: dt.date
    overdue: bool
    closed_at: dt.datetime | None
    referred_to: str | None
    attachments: int
    events: list[PublicEvent]


class StatOut(msgspec.Struct):
    department_code: str
    department: str
    month: str
    received: int | None
    substantiated_share: float | None
    median_days_to_close: float | None
    overdue: int | None
    suppressed: bool


class StatsOut(msgspec.Struct):
    year: int
    min_count: int
    items: list[StatOut]


def rules_of(s: Settings) -> Rules:
    return Rules(
        respond_days=s.complaint_respond_days,
        max_age_days=s.complaint_max_age_days,
        scan_window_minutes=s.complaint_scan_window_minutes,
        max_image_bytes=s.max_attachment_bytes,
        max_video_bytes=s.max_video_bytes,
        max_attachments=s.complaint_max_attachments,
    )


async def throttle(request: Request, key: str, limit: int, window: int, what: str) -> None:
    verdict = await request.app.state.limiter.hit(key, limit, window)
    if not verdict.allowed:
        raise TooManyRequests(
            f"{what}过于频繁，请 {verdict.reset} 秒后再试 (too many {what_en(what)}; retry in {verdict.reset} s)",
            retry_after=verdict.reset,
        )


def what_en(what: str) -> str:
    return {"投诉提交": "filings", "查询": "look-ups"}.get(what, "requests")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _FilingDoc(Operation):
    """OpenAPI: the body is read by hand (streamed), so describe both accepted forms here."""

    def __post_init__(self) -> None:
        fields = {
            n: Schema(type=OpenAPIType.STRING)
            for n in (
                "uscc",
                "enterprise_name",
                "contact_name",
                "contact_phone",
                "visited_at",
                "place",
                "department",
                "officers",
                "scanned",
                "description",
            )
        }
        required = [n for n in fields if n not in ("officers", "scanned")]
        json_schema = Schema(
            type=OpenAPIType.OBJECT,
            required=required,
            properties={
                **fields,
                "attachments": Schema(
                    type=OpenAPIType.ARRAY,
                    items=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["filename", "content_base64"],
                        properties={
                            "filename": Schema(type=OpenAPIType.STRING),
                            "content_base64": Schema(type=OpenAPIType.STRING),
                        },
                    ),
                ),
            },
        )
        form_schema = Schema(
            type=OpenAPIType.OBJECT,
            required=required,
            properties={
                **fields,
                "attachments": Schema(
                    type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                ),
            },
        )
        self.request_body = RequestBody(
            required=True,
            content={
                "application/json": OpenAPIMediaType(schema=json_schema),
                "multipart/form-data": OpenAPIMediaType(schema=form_schema),
            },
        )


class ComplaintsController(Controller):
    path = "/api/v1/complaints"
    tags = ["complaints"]
    opt = {"exclude_from_auth": True}

    @post(
        "/",
        summary="File a complaint about an unscanned entry (no account needed)",
        status_code=201,
        request_max_body_size=None,
        operation_class=_FilingDoc,
        opt={"streams_body": True},  # api/uploads.py reads and checks it (api/input_guard.py)
    )
    async def file(self, request: Request) -> FiledOut:
        s = settings_of(request)
        filed = await file_from_request(request, s)
        return FiledOut(
            number=filed.number,
            lookup_code=filed.lookup_code,
            status=filed.status,
            respond_by=filed.respond_by,
            url=f"{s.base_url}/complaints/track?number={filed.number}",
        )

    @get("/{number:str}", summary="Status and public notes of a complaint, with its lookup code")
    async def track(
        self,
        request: Request,
        number: FromPath[str],
        lookup_code: str | None = Parameter(default=None, description="the code given at filing"),
    ) -> TrackOut:
        return await track_complaint(request, number, lookup_code or "")


async def file_from_request(request: Request, s: Settings, keep: dict | None = None) -> rules_.Filed:
    """Shared by the API and the portal form; `keep` receives the fields read (to refill a form)."""
    r = rules_of(s)
    await throttle(
        request, f"complaint-file:ip:{client_address(request.scope)}", s.complaint_file_limit_client, 3600, "投诉提交"
    )
    tmp = new_tmp_dir(s.files_dir)
    try:
        if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            form, uploads = await read_multipart(request, tmp, r)
            raw: dict = {k: (v if k == "officers" else v[-1]) for k, v in form.items()}
        else:
            raw, uploads = await read_json(request, tmp, r)
        if keep is not None:
            keep.update(raw)
        errors = control_errors(raw) + field_errors(("attachments.filename", u.filename) for u in uploads)
        if errors:
            raise refused(errors)
        at = now()
        draft = rules_.validate_filing(raw, uploads, r, at, await q.departments())
        return await rules_.file_complaint(
            draft,
            r,
            at,
            throttle=lambda uscc: throttle(
                request, f"complaint-file:uscc:{uscc}", s.complaint_file_limit_uscc, 86400, "投诉提交"
            ),
            find_scans=q.find_scans,
            insert=partial(q.insert_complaint, files_dir=s.files_dir),
            add_working_days=add_working_days,
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def track_complaint(request: Request, number: str, lookup_code: str) -> TrackOut:
    s = settings_of(request)
    number = rules_.parse_tracking_number(number)
    if not lookup_code.strip():
        raise ValidationFailed(
            "需要查询码 (the lookup code is required)", [FieldError("lookup_code", "必填 (required)")]
        )
    # Every look-up counts, before the code is checked, so a blocked guesser learns nothing more.
    await throttle(
        request, f"complaint-lookup:ip:{client_address(request.scope)}", s.complaint_lookup_limit, 600, "查询"
    )
    await throttle(request, f"complaint-lookup:no:{number}", s.complaint_lookup_limit, 600, "查询")
    c = await q.get_complaint(number)
    if not rules_.code_matches(lookup_code, c["lookup_code_hash"] if c else None) or c is None:
        raise rules_.not_found(number)
    codes = [c["department_code"]] + ([c["referred_to"]] if c["referred_to"] else [])
    names = await q.department_names(codes)
    evs = await q.events(c["id"])
    today = now().astimezone(SHANGHAI).date()
    return TrackOut(
        number=c["number"],
        status=c["status"],
        status_label=STATUS_LABELS[c["status"]],
        department=names.get(c["department_code"], c["department_code"]),
        filed_at=c["filed_at"],
        respond_by=c["respond_by"],
        overdue=rules_.is_overdue(c["status"], c["respond_by"], today),
        closed_at=c["closed_at"],
        referred_to=names.get(c["referred_to"], c["referred_to"]) if c["referred_to"] else None,
        attachments=len(await q.attachments(c["id"])),
        events=[
            PublicEvent(
                at=e["at"],
                status=e["status"],
                status_label=STATUS_LABELS.get(e["status"], e["status"]),
                note=e["note"],
                by=e["actor_role"] or "system",
            )
            for e in evs
        ],
    )


class ComplaintStatsController(Controller):
    path = "/api/v1/stats/complaints"
    tags = ["statistics"]
    opt = {"exclude_from_auth": True}

    @get("/", summary="Complaints by department and month; counts under 3 are withheld")
    async def stats(
        self,
        year: int | None = Parameter(default=None, description="default: this year"),
        department: FromQuery[str | None] = None,
    ) -> StatsOut:
        today = now().astimezone(SHANGHAI).date()
        y = today.year if year is None else year
        if not 2000 <= y <= 2100:
            raise ValidationFailed("年份超出范围 (year out of range)", [FieldError("year", "2000-2100")])
        start = dt.datetime(y, 1, 1, tzinfo=SHANGHAI)
        end = dt.datetime(y + 1, 1, 1, tzinfo=SHANGHAI)
        rows, decisions = await q.stats_rows(start, end, department or None)
        stats = complaint_stats(rows, decisions, today)
        names = await q.department_names([r.department_code for r in stats])
        return StatsOut(
            year=y,
            min_count=MIN_COUNT,
            items=[
                StatOut(
                    department_code=r.department_code,
                    department=names.get(r.department_code, r.department_code),
                    month=r.month,
                    received=r.received,
                    substantiated_share=r.substantiated_share,
                    median_days_to_close=r.median_days_to_close,
                    overdue=r.overdue,
                    suppressed=r.suppressed,
                )
                for r in stats
            ],
        )
