"""The enterprise's own inspections in the portal (/repair/inspections; /my/inspections leads
there): each result with that day's scan records and the officers' credential numbers, each
visit no result has been published for, and 事后评价 as a form per inspection — the same use cases
as GET /api/v1/my/inspections and POST /api/v1/my/inspections/{id}/evaluation (api/my.py,
domain.evaluation). Under /repair because that is where the enterprise's sign-in cookie goes."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from api.deps import settings_of
from api.my import own_inspections
from api.repair import now_of
from db import evaluations as repo
from domain import evaluation as rules
from domain.errors import DomainError
from domain.repair import SHANGHAI
from portal.controllers.repair import NO_STORE, signed_in
from portal.render import page

BASE = "/repair/inspections"


class MyInspectionsPagesController(Controller):
    path = BASE

    async def _page(
        self,
        request: Request,
        *,
        status_code: int = 200,
        error: DomainError | None = None,
        failed_id: str = "",
        form: dict[str, Any] | None = None,
        done: str = "",
    ) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        items = await own_inspections(p, now_of(request), settings_of(request).base_url)
        t = page(
            request,
            "repair/inspections.html",
            api_url="/api/v1/my/inspections",
            nav="services",
            status_code=status_code,
            who=p,
            items=items,
            issues=rules.ISSUES,
            ratings=rules.RATINGS,
            days=rules.EVALUATION_DAYS,
            error=error,
            errors={f.field: f.message for f in getattr(error, "errors", [])} if error else {},
            failed_id=failed_id,
            form=form or {},
            done=done,
            hhmm=lambda t: t.astimezone(SHANGHAI).strftime("%H:%M"),
        )
        t.headers.update(NO_STORE)
        return t

    @get("/", name="portal:my_inspections")
    async def list_(self, request: Request, done: FromQuery[str] = "") -> Any:
        return await self._page(request, done=done)

    @post("/{inspection_id:str}/evaluation", name="portal:my_inspection_evaluate", status_code=200)
    async def evaluate(self, request: Request, inspection_id: FromPath[str]) -> Any:
        p = await signed_in(request)
        if p is None:
            return Redirect("/repair", status_code=303)
        form = await request.form()
        raw = {
            "rating": form.get("rating"),
            "issues": form.getall("issues") if "issues" in form else [],
            "comment": form.get("comment", ""),
        }
        try:
            await rules.evaluate(repo, p, inspection_id, raw, now_of(request))
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await self._page(request, status_code=e.status, error=e, failed_id=inspection_id, form=raw)
        return Redirect(f"{BASE}?done={inspection_id}#i-{inspection_id}", status_code=303)


class MyInspectionsAliasController(Controller):
    path = "/my/inspections"

    @get("/", name="portal:my_inspections_alias")
    async def alias(self) -> Redirect:
        return Redirect(BASE, status_code=303)
