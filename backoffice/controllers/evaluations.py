"""/admin/evaluations: the 事后评价 of inspections in the supervisor's region, newest first
(keyset pages) — the same query as GET /api/v1/admin/evaluations (db.evaluations), for the
司法行政 supervisors the evaluations go to (domain.evaluation)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template

from backoffice.render import admin_page, local_time
from backoffice.session import PREFIX, require_staff
from db import evaluations as repo
from db.results import department_names
from domain import evaluation as rules
from domain.auth import Principal, require_role
from domain.pagination import decode_cursor, split_page
from portal.render import url_with

BASE = f"{PREFIX}/evaluations"
PAGE = 30


class EvaluationPagesController(Controller):
    path = BASE
    dependencies = {"staff": Provide(require_staff)}

    @get("/", name="admin:evaluations")
    async def list_(
        self, request: Request, staff: NamedDependency[Principal], cursor: FromQuery[str | None] = None
    ) -> Template:
        require_role(staff, "supervisor")
        key = decode_cursor(cursor)
        rows, next_cursor = split_page(
            await repo.region_evaluations(staff.region_code, int(key["id"]) if key else None, PAGE + 1), PAGE
        )
        return admin_page(
            request,
            "admin/evaluation_list.html",
            staff,
            section="evaluations",
            rows=rows,
            names=await department_names(sorted({r["department_code"] for r in rows})),
            issues=rules.ISSUES,
            ratings=rules.RATINGS,
            local=local_time,
            next_url=url_with(BASE, {}, cursor=next_cursor) if next_cursor else "",
            first_url=BASE if cursor else "",
        )
