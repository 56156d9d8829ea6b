"""Objections (异议) in the back office: /admin/objections (the department's, by status) and
/admin/objections/{number}: the result as published, the enterprise's reason and evidence, and
the department's steps — 异议属实 (confirm), 异议不成立 (reject, a note required), and 更正: the
correction form pre-filled with the record as published, previewed as a field-by-field diff
(domain.repair_flow.corrected_values, the same check the use case makes) before it is published
with correct_objection. Another department's objection answers 404, as an unknown number does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import File, Redirect, Template

from api.deps import settings_of
from api.repair import now_of
from backoffice.render import admin_page
from backoffice.render import local_time as _local
from backoffice.session import PREFIX, require_staff
from db import repair as repo
from db.entities import get_entity
from db.results import get_result
from domain import categories
from domain import repair as rules
from domain import repair_flow as flow
from domain.auth import Principal, require_role
from domain.errors import Collector, DomainError, Forbidden, NotFound
from domain.inbox import countdown, objection_deadline
from domain.pagination import decode_cursor, split_page
from domain.results import CHECK_FIELDS
from portal.labels import N_
from portal.render import url_with

BASE = f"{PREFIX}/objections"
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
FIELD_LABELS = {
    "categories": N_("结果类别"),
    "entity_name": N_("经营主体名称"),
    "follow_up": N_("后续处理"),
    "penalty_decision_number": N_("行政处罚决定书文号"),
    "check_field": N_("检查领域"),
    "inspected_on": N_("检查日期"),
    "note": N_("更正说明"),
    "negative": N_("是否失信（负面）"),
}
COLUMN_FIELDS = {"category_codes": "categories", "year": "inspected_on"}


async def _visible(p: Principal, number: str) -> dict[str, Any]:
    require_role(p, "officer", "admin")
    try:
        return await flow.objection_for(repo, p, number)
    except Forbidden:
        raise NotFound(f"没有编号为 {number} 的异议 (no objection {number})") from None


def _correction_raw(data: dict[str, Any]) -> dict[str, Any]:
    """The correction form as the use case takes it (every field sent; unchanged ones drop out
    in corrected_values). A malformed date is a 422 naming inspected_on."""
    cats = data.get("categories") or []
    if isinstance(cats, str):
        cats = [cats]
    raw: dict[str, Any] = {
        "categories": [str(c) for c in cats],
        "entity_name": str(data.get("entity_name", "")),
        "follow_up": str(data.get("follow_up", "")),
        "penalty_decision_number": str(data.get("penalty_decision_number", "")),
        "check_field": str(data.get("check_field", "")),
    }
    day = str(data.get("inspected_on", "")).strip()
    c = Collector()
    try:
        raw["inspected_on"] = dt.date.fromisoformat(day)
    except ValueError:
        c.add("inspected_on", "日期格式应为 YYYY-MM-DD (a date like 2026-06-12)")
    c.raise_if_any()
    return raw


def _shown(column: str, value: Any) -> str:
    if column == "category_codes":
        return "、".join(categories.BY_CODE[c].label for c in str(value).split(",") if c in categories.BY_CODE)
    if column == "negative":
        return "失信（负面）" if value else "非失信"
    return str(value if value is not None else "")


class ObjectionPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:objections")
    async def list_(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        status: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        require_role(staff, "officer", "admin")
        if status and status not in rules.OBJECTION_STATUSES:
            raise NotFound(f"未知状态 {status!r} (unknown status)")
        key = decode_cursor(cursor)
        rows = await repo.list_objections(
            staff.department_code, [status] if status else None, key["id"] if key else None, 21
        )
        rows, next_cursor = split_page(rows, 20)
        today = flow.local_date(now_of(request))
        items = []
        for o in rows:
            deadline = objection_deadline(o)
            items.append(
                {
                    "o": o,
                    "deadline": deadline,
                    "days_left": countdown(deadline, today),
                    "overdue": bool(rules.objection_overdue(o["status"], o["verify_by"], o["correct_by"], today)),
                }
            )
        params = {"status": status or ""}
        return admin_page(
            request,
            "admin/objection_list.html",
            staff,
            section="objections",
            items=items,
            statuses=sorted(rules.OBJECTION_STATUSES),
            status_labels=rules.OBJECTION_STATUS_LABELS,
            status=status or "",
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
        form: dict[str, Any] | None = None,
        preview: list[dict[str, str]] | None = None,
        done: str = "",
    ) -> Template:
        o = await _visible(staff, number)
        today = flow.local_date(now_of(request))
        r = await get_result(o["result_id"])
        errors: dict[str, str] = {}
        if error is not None:
            for fe in error.errors:
                errors.setdefault(fe.field, fe.message)
        deadline = objection_deadline(o)
        actions = [a for a, (allowed, _) in rules.OBJECTION_ACTIONS.items() if o["status"] in allowed]
        correction = dict(form or {}) if form_key == "correct" else {}
        if r is not None and not correction:
            correction = {
                "categories": [c for c in r["category_codes"].split(",") if c],
                "entity_name": r["entity_name"],
                "follow_up": r["follow_up"],
                "penalty_decision_number": r["penalty_decision_number"],
                "check_field": r["check_field"],
                "inspected_on": r["inspected_on"].isoformat(),
                "note": "",
            }
        if isinstance(correction.get("categories"), str):
            correction["categories"] = [correction["categories"]]
        return admin_page(
            request,
            "admin/objection_detail.html",
            staff,
            section="objections",
            crumbs=[(BASE, "异议")],
            status_code=200 if error is None else error.status,
            o=o,
            r=r,
            cats=categories.parse_codes([c for c in r["category_codes"].split(",") if c]) if r else [],
            catalogue=categories.CATALOGUE,
            check_fields=CHECK_FIELDS,
            files=await repo.attachments_of("objection", o["id"]),
            inline_types=INLINE_TYPES,
            deadline=deadline,
            days_left=countdown(deadline, today),
            overdue=bool(rules.objection_overdue(o["status"], o["verify_by"], o["correct_by"], today)),
            actions=actions,
            status_labels=rules.OBJECTION_STATUS_LABELS,
            field_labels=FIELD_LABELS,
            error=error,
            errors=errors,
            form_key=form_key,
            form=form or {},
            correction=correction,
            preview=preview,
            done=done,
            local=_local,
        )

    @get("/{number:str}", name="admin:objection")
    async def detail(
        self, request: Request, staff: NamedDependency[Principal], number: FromPath[str], done: FromQuery[str] = ""
    ) -> Template:
        return await self._detail(request, staff, number, done=done if done in rules.OBJECTION_ACTIONS else "")

    @post("/{number:str}/decide", name="admin:objection_decide", status_code=200)
    async def decide(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        await _visible(staff, number)
        action = str(data.get("action", ""))
        try:
            await flow.decide_objection(repo, staff, number, action, str(data.get("note", "")), now_of(request))
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._detail(request, staff, number, error=e, form_key=action, form=data)
        return Redirect(f"{BASE}/{number}?done={action}", status_code=303)

    @post("/{number:str}/correct", name="admin:objection_correct", status_code=200)
    async def correct(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        o = await _visible(staff, number)
        note = str(data.get("note", ""))
        try:
            raw = _correction_raw(data)
            if data.get("confirm") != "1":
                old = await get_result(o["result_id"])
                if old is None:  # results are never deleted
                    raise NotFound(f"没有编号为 {o['result_id']} 的检查结果 (no result)")
                _note, changed = flow.correction_step(o["status"], old, raw, note, await get_entity(old["uscc"]))
                preview = [
                    {
                        "field": COLUMN_FIELDS.get(col, col),
                        "before": _shown(col, old[col]),
                        "after": _shown(col, val),
                    }
                    for col, val in changed.items()
                    if col != "year"
                ]
                return await self._detail(request, staff, number, form_key="correct", form=data, preview=preview)
            await flow.correct_objection(repo, staff, number, raw, note, now_of(request))
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._detail(request, staff, number, error=e, form_key="correct", form=data)
        return Redirect(f"{BASE}/{number}?done=correct", status_code=303)

    @get("/{number:str}/files/{file_id:int}", name="admin:objection_file")
    async def file(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        file_id: FromPath[int],
        download: FromQuery[bool] = False,
    ) -> File:
        o = await _visible(staff, number)
        for f in await repo.attachments_of("objection", o["id"]):
            if f["id"] == file_id:
                inline = not download and f["content_type"] in INLINE_TYPES
                return File(
                    path=Path(settings_of(request).files_dir) / f["path"],
                    filename=f["filename"],
                    media_type=f["content_type"],
                    content_disposition_type="inline" if inline else "attachment",
                    headers={
                        "Cache-Control": "private, no-store",
                        "X-Content-Type-Options": "nosniff",
                        "X-Frame-Options": "SAMEORIGIN",
                        "Content-Security-Policy": "frame-ancestors 'self'",
                    },
                )
        raise NotFound(f"该异议没有材料 {file_id} (no such file)")
