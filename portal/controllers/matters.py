"""The lists of what may be inspected and by whom: /matters (by department and field, searchable),
/matters/{code} with every version, and /inspecting-bodies. Same use cases as api/matters.py."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from api.matters import inspecting_bodies, parse_day, parse_field, servable_matter
from db import matters as mq
from db.results import department_names
from db.snapshot import read_snapshot
from domain import matters as rules
from domain.errors import Collector
from domain.pagination import decode_cursor, encode_cursor
from domain.results import CHECK_FIELD_LABELS, shanghai_today
from portal.labels import N_
from portal.render import page, url_with

PAGE = 50
# domain.matters.METHODS and LEGAL_STATUSES, listed so the catalogue extraction sees them.
MSGIDS = (
    N_("现场检查"),
    N_("书面核查"),
    N_("网络监测"),
    N_("非现场"),
    N_("法定行政机关"),
    N_("法律法规授权的组织"),
    N_("依法受委托的组织"),
)


class MatterPagesController(Controller):
    path = "/"

    @get("/matters", name="portal:matters")
    async def matters(
        self,
        request: Request,
        department: FromQuery[str | None] = None,
        field: FromQuery[str | None] = None,
        on: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        async with read_snapshot():
            c = Collector()
            day = parse_day(on, "on", c)
            fld = parse_field(field, c)
            c.raise_if_any("请求参数无效 (invalid query parameters)")
            key = decode_cursor(cursor, fields=("code",), int_fields=())
            rows, more, total = await rules.matters_page(
                mq, department or None, fld, day, q or "", str(key["code"]) if key else None, PAGE
            )
            departments = await mq.list_departments()
            names = {d["code"]: d["name"] for d in departments}
            names.update(await department_names([m["department_code"] for m, _, _ in rows]))
            params = {"department": department, "field": field, "on": on, "q": q}
            next_url = (
                url_with("/matters", params, cursor=encode_cursor({"code": rows[-1][0]["code"]})) if more else None
            )
            today = shanghai_today()
            return page(
                request,
                "matters.html",
                api_url=url_with("/api/v1/matters", params),
                nav="matters",
                rows=[{"m": m, "v": v, "in_force": rules.version_in_force(vs, today) is not None} for m, v, vs in rows],
                names=names,
                departments=departments,
                fields=CHECK_FIELD_LABELS,
                methods=rules.METHODS,
                department=department or "",
                field=fld or "",
                on=on or "",
                q=q or "",
                total=total,
                next_url=next_url,
                first_url=url_with("/matters", params) if cursor else None,
            )

    @get("/matters/{code:str}", name="portal:matter")
    async def matter(self, request: Request, code: FromPath[str]) -> Template:
        async with read_snapshot():
            m = await servable_matter(code)
            versions = (await mq.versions_for([m["id"]]))[m["id"]]
            today = shanghai_today()
            current = rules.latest(versions)
            names = await department_names([m["department_code"]])
            return page(
                request,
                "matter.html",
                api_url=f"/api/v1/matters/{m['code']}",
                nav="matters",
                matter=m,
                v=current,
                in_force=rules.version_in_force(versions, today),
                versions=list(reversed(versions)),
                department=names.get(m["department_code"], m["department_code"]),
                fields=CHECK_FIELD_LABELS,
                methods=rules.METHODS,
                basis_text=rules.basis_text,
            )

    @get("/inspecting-bodies", name="portal:inspecting_bodies")
    async def bodies(self, request: Request, on: FromQuery[str | None] = None) -> Template:
        async with read_snapshot():
            c = Collector()
            day = parse_day(on, "on", c) or shanghai_today()
            c.raise_if_any("请求参数无效 (invalid query parameters)")
            return page(
                request,
                "inspecting_bodies.html",
                api_url=url_with("/api/v1/inspecting-bodies", {"on": on}),
                nav="matters",
                bodies=await inspecting_bodies(day),
                on=day,
                statuses=rules.LEGAL_STATUSES,
                fields=CHECK_FIELD_LABELS,
                methods=rules.METHODS,
            )
