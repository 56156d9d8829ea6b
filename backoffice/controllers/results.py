"""The department's published results in the back office: /admin/results (newest first, found
by task number or USCC, keyset pages) and /admin/results/{id} (the record as published and its
state), with 撤回 — the publishing department withdraws a result (reason required, a
confirmation step first, as the law's irreversible steps have) through
domain.publishing.revoke_result, the use case POST /api/v1/admin/results/{id}/revoke calls.
Another department's result answers 404, as an unknown id does."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template

from api.repair import now_of
from backoffice.render import admin_page
from backoffice.render import local_time as _local
from backoffice.session import PREFIX, require_staff
from db import repair as repo
from db.results import department_results, get_result
from domain import categories
from domain.auth import Principal, require_role
from domain.disclosure import WITHDRAWAL_REASONS
from domain.errors import DomainError, NotFound
from domain.pagination import decode_cursor, split_page
from domain.publishing import REVOKE_REASON_MAX, revoke_result, revoke_step
from portal.render import url_with

BASE = f"{PREFIX}/results"
PAGE = 20


def _labels(codes: str) -> str:
    return "、".join(categories.BY_CODE[c].label for c in (codes or "").split(",") if c in categories.BY_CODE)


def _withdrawal(reason: str) -> str:
    return WITHDRAWAL_REASONS.get(reason, reason)


class ResultPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:results")
    async def list_(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        find: FromQuery[str] = "",
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        require_role(staff, "officer", "admin")
        key = decode_cursor(cursor)
        find = find.strip()
        rows = await department_results(
            staff.department_code or "", find or None, int(key["id"]) if key else None, PAGE + 1
        )
        rows, next_cursor = split_page(rows, PAGE)
        params = {"find": find}
        return admin_page(
            request,
            "admin/result_list.html",
            staff,
            section="results",
            rows=rows,
            find=find,
            labels=_labels,
            withdrawal=_withdrawal,
            next_url=url_with(BASE, params, cursor=next_cursor) if next_cursor else "",
            first_url=url_with(BASE, params) if cursor else "",
        )

    async def _detail(
        self,
        request: Request,
        staff: Principal,
        result_id: int,
        *,
        status_code: int = 200,
        error: DomainError | None = None,
        reason: str = "",
        confirm: bool = False,
        done: bool = False,
    ) -> Template:
        require_role(staff, "officer", "admin")
        r = await get_result(result_id)
        if r is None or r["department_code"] != staff.department_code:
            raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
        return admin_page(
            request,
            "admin/result_detail.html",
            staff,
            section="results",
            crumbs=[(BASE, "已发布的检查结果")],
            status_code=status_code,
            r=r,
            cats=_labels(r["category_codes"]),
            withdrawal=_withdrawal(r["withdrawn_reason"]),
            local=_local,
            error=error,
            errors={f.field: f.message for f in getattr(error, "errors", [])} if error else {},
            reason=reason,
            confirm=confirm,
            done=done,
            reason_max=REVOKE_REASON_MAX,
        )

    @get("/{result_id:int}", name="admin:result_detail")
    async def detail(
        self, request: Request, staff: NamedDependency[Principal], result_id: FromPath[int], done: FromQuery[str] = ""
    ) -> Template:
        return await self._detail(request, staff, result_id, done=done == "revoke")

    @post("/{result_id:int}/revoke", name="admin:result_revoke", status_code=200)
    async def revoke(
        self,
        request: Request,
        staff: NamedDependency[Principal],
        result_id: FromPath[int],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        reason = data.get("reason", "")
        try:
            if data.get("confirm") != "1":
                # The confirmation step changes nothing; it is shown only for a withdrawal that
                # would then be made (the same checks the use case makes).
                revoke_step(staff, await get_result(result_id), result_id, reason)
                return await self._detail(request, staff, result_id, reason=reason, confirm=True)
            await revoke_result(repo, staff, result_id, reason, now_of(request))
        except DomainError as e:
            if e.status in (403, 404):
                raise
            code = 409 if e.status == 409 else 422
            return await self._detail(request, staff, result_id, status_code=code, error=e, reason=reason)
        return Redirect(f"{BASE}/{result_id}?done=revoke", status_code=303)
