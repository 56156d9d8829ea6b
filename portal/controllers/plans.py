"""Plans: /plans (by year and department) and /plans/{id} with the revision history."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from api.params import Params
from db import plans as q
from db.results import department_names
from db.snapshot import read_snapshot
from domain.disclosure import ensure_servable
from domain.errors import NotFound
from domain.pagination import decode_cursor, encode_cursor
from portal.diffview import revision_view
from portal.render import page, url_with

PAGE = 20


class PlanPagesController(Controller):
    path = "/plans"

    @get("/", name="portal:plans")
    async def plans(
        self,
        request: Request,
        year: FromQuery[int | None] = None,
        department: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        async with read_snapshot():
            p = Params()
            f = q.PlanFilter(year=p.year(year), department=department or None)
            key = decode_cursor(cursor)
            p.done()
            rows = await q.list_plans(f, key["id"] if key else None, PAGE + 1)
            more = len(rows) > PAGE
            rows = rows[:PAGE]
            names = await department_names([r["department_code"] for r in rows])
            params = {"year": year, "department": department}
            next_url = url_with("/plans", params, cursor=encode_cursor({"id": rows[-1]["id"]})) if more else None
            first_url = url_with("/plans", params) if cursor else None
            return page(
                request,
                "plans.html",
                api_url=url_with("/api/v1/plans", params),
                nav="plans",
                plans=rows,
                names=names,
                year=year,
                total=await q.count_plans(f),
                next_url=next_url,
                first_url=first_url,
            )

    @get("/{plan_id:int}", name="portal:plan")
    async def plan(self, request: Request, plan_id: FromPath[int]) -> Template:
        async with read_snapshot():
            row = await q.get_plan(plan_id)
            if row is None:
                raise NotFound(f"没有编号为 {plan_id} 的抽查计划 (no plan {plan_id})")
            ensure_servable("抽查计划", plan_id, row["disclosure"], "")
            revisions = await q.list_revisions(plan_id)
            current = next((r for r in revisions if r["number"] == row["current_revision"]), revisions[-1])
            history = [revision_view(prev, rev) for prev, rev in zip([None, *revisions[:-1]], revisions, strict=False)]
            names = await department_names([row["department_code"]])
            return page(
                request,
                "plan.html",
                api_url=f"/api/v1/plans/{plan_id}",
                nav="plans",
                plan=row,
                current=current,
                history=list(reversed(history)),
                lead=names.get(row["department_code"], row["department_code"]),
            )
