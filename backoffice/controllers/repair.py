"""Credit repair in the back office: /admin/repair-applications (filter by status and overdue,
keyset pages), /admin/repair-applications/{number} (the result as published, the applicant,
the eligibility facts, the timeline, the evidence inline and as downloads, the decision forms)
and its evidence files.

Every read and write goes through domain.repair_flow (department_applications, application_for,
decide) exactly as /api/v1/admin/repair-applications does. Another department's application
answers 404, as an unknown number does. Decisions that end the application (不予受理, 准予修复,
不予修复) take a confirmation step: the first POST shows what will happen, the second (with
confirm=1) does it; a repeated POST finds the application decided and says so (409), changing
nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import File, Redirect, Template

from api.deps import settings_of
from api.repair import letter_file, now_of
from backoffice.render import admin_page
from backoffice.render import local_time as _local
from backoffice.session import PREFIX, require_staff
from db import repair as repo
from db.results import get_result
from domain import categories
from domain import repair as rules
from domain import repair_flow as flow
from domain.auth import Principal, require_role
from domain.errors import DomainError, Forbidden, NotFound
from domain.inbox import application_deadline, countdown
from portal.controllers.repair import STATUS_LABELS

BASE = f"{PREFIX}/repair-applications"
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


async def _visible(p: Principal, number: str) -> dict[str, Any]:
    """flow.application_for, with another department's application answered as an unknown one."""
    require_role(p, "officer", "admin")
    try:
        return await flow.application_for(repo, p, number)
    except Forbidden:
        raise NotFound(f"没有编号为 {number} 的修复申请 (no application {number})") from None


def open_actions(status: str) -> list[str]:
    return [a for a, (allowed, _) in rules.APPLICATION_ACTIONS.items() if status in allowed]


class RepairPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:repair_list")
    async def list_(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        status: FromQuery[str | None] = None,
        overdue: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        today = flow.local_date(now_of(request))
        flag = {"yes": True, "no": False}.get(overdue or "")
        rows, next_cursor = await flow.department_applications(
            repo, staff, flow.application_statuses(status), flag, None, cursor, today
        )
        items = []
        for a in rows:
            deadline = application_deadline(a)
            items.append(
                {
                    "a": a,
                    "deadline": deadline,
                    "days_left": countdown(deadline, today),
                    "overdue": bool(rules.application_overdue(a["status"], a["accept_by"], a["decide_by"], today)),
                }
            )
        params = {"status": status or "", "overdue": overdue or ""}
        from portal.render import url_with

        return admin_page(
            request,
            "admin/repair_list.html",
            staff,
            section="repair",
            items=items,
            statuses=[s for s in STATUS_LABELS if s in rules.APPLICATION_STATUSES],
            status_labels=STATUS_LABELS,
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
        action: str = "",
        form: dict[str, str] | None = None,
        confirm: str = "",
        done: str = "",
    ) -> Template:
        a = await _visible(staff, number)
        today = flow.local_date(now_of(request))
        result = await get_result(a["result_id"])
        rule = await flow.rule_for(repo, result) if result else None
        files = await repo.attachments_of("repair", a["id"])
        deadline = application_deadline(a)
        cats = []
        if result:
            try:
                cats = categories.parse_codes([c for c in result["category_codes"].split(",") if c])
            except KeyError:
                cats = []
        errors: dict[str, str] = {}
        if error is not None:
            for fe in error.errors:
                errors.setdefault(fe.field, fe.message)
        status = 200 if error is None else error.status
        return admin_page(
            request,
            "admin/repair_detail.html",
            staff,
            section="repair",
            crumbs=[(BASE, "信用修复申请")],
            status_code=status,
            a=a,
            r=result,
            cats=cats,
            rule=rule,
            earliest_on=rules.earliest_repair_on(result["published_on"], rule) if result and rule else None,
            expires_on=rules.expires_on(result["published_on"], rule) if result and rule else None,
            events=await repo.application_events(a["id"]),
            letters=await repo.letters_of(a["id"]),
            files=files,
            inline_types=INLINE_TYPES,
            deadline=deadline,
            days_left=countdown(deadline, today),
            overdue=bool(rules.application_overdue(a["status"], a["accept_by"], a["decide_by"], today)),
            actions=open_actions(a["status"]),
            action_labels=rules.ACTION_LABELS,
            reason_required=rules.REASON_REQUIRED,
            final_actions=rules.FINAL_ACTIONS,
            status_labels=STATUS_LABELS,
            error=error,
            errors=errors,
            error_action=action,
            form=form or {},
            confirm=confirm,
            done=done,
            local=_local,
        )

    @get("/{number:str}", name="admin:repair_detail")
    async def detail(
        self, request: Request, staff: NamedDependency[Principal], number: FromPath[str], done: FromQuery[str] = ""
    ) -> Template:
        return await self._detail(request, staff, number, done=done if done in rules.APPLICATION_ACTIONS else "")

    @post("/{number:str}/decide", name="admin:repair_decide", status_code=200)
    async def decide(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        action = data.get("action", "")
        reason = data.get("reason", "")
        a = await _visible(staff, number)
        if action in rules.FINAL_ACTIONS and data.get("confirm") != "1":
            # The confirmation step: nothing changes yet. Checks the step is open and the reason
            # given first, so the confirmation never shows a decision that would then be refused.
            try:
                flow.decision_step(a["status"], action, reason)
            except DomainError as e:
                return await self._detail(request, staff, number, error=e, action=action, form=data)
            return await self._detail(request, staff, number, action=action, form=data, confirm=action)
        try:
            await flow.decide(repo, staff, number, action, reason, now_of(request))
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._detail(request, staff, number, error=e, action=action, form=data)
        return Redirect(f"{BASE}/{number}?done={action}", status_code=303)

    @get("/{number:str}/letters/{letter_number:str}", name="admin:repair_letter")
    async def letter(
        self, request: Request, staff: NamedDependency[Principal], number: FromPath[str], letter_number: FromPath[str]
    ) -> File:
        await _visible(staff, number)
        return await letter_file(request, await flow.application_letter(repo, staff, number, letter_number))

    @get("/{number:str}/files/{file_id:int}", name="admin:repair_file")
    async def file(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        number: FromPath[str],
        file_id: FromPath[int],
        download: FromQuery[bool] = False,
    ) -> File:
        a = await _visible(staff, number)
        for f in await repo.attachments_of("repair", a["id"]):
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
                        # Shown in this site's own pages only (the detail page embeds it).
                        "X-Frame-Options": "SAMEORIGIN",
                        "Content-Security-Policy": "frame-ancestors 'self'",
                    },
                )
        raise NotFound(f"该申请没有材料 {file_id} (no such file)")
