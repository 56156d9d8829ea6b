"""Honours: /honours (by year and kind) and /honours/{id}."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from api.params import Params
from db import honours as q
from db.snapshot import read_snapshot
from domain.disclosure import ensure_servable
from domain.errors import NotFound
from domain.pagination import decode_cursor, encode_cursor
from portal.labels import HONOUR_KINDS
from portal.render import page, url_with

PAGE = 20


class HonourPagesController(Controller):
    path = "/honours"

    @get("/", name="portal:honours")
    async def honours(
        self,
        request: Request,
        year: FromQuery[int | None] = None,
        kind: FromQuery[str | None] = None,
        uscc: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        async with read_snapshot():
            p = Params()
            if kind and kind not in HONOUR_KINDS:
                p.c.add("kind", f"未知的荣誉类型 {kind!r} (one of {', '.join(HONOUR_KINDS)})")
            f = q.HonourFilter(uscc=p.uscc(uscc), year=p.year(year), kind=kind or None)
            key = decode_cursor(cursor)
            p.done()
            rows = await q.list_honours(f, key["id"] if key else None, PAGE + 1)
            more = len(rows) > PAGE
            rows = rows[:PAGE]
            params = {"year": year, "kind": kind, "uscc": uscc}
            return page(
                request,
                "honours.html",
                api_url=url_with("/api/v1/honours", params),
                nav="honours",
                honours=rows,
                total=await q.count_honours(f),
                year=year,
                kind=kind or "",
                kinds=HONOUR_KINDS,
                next_url=url_with("/honours", params, cursor=encode_cursor({"id": rows[-1]["id"]})) if more else None,
                first_url=url_with("/honours", params) if cursor else None,
            )

    @get("/{honour_id:int}", name="portal:honour")
    async def honour(self, request: Request, honour_id: FromPath[int]) -> Template:
        async with read_snapshot():
            row = await q.get_honour(honour_id)
            if row is None:
                raise NotFound(f"没有编号为 {honour_id} 的荣誉信息 (no honour {honour_id})")
            ensure_servable("荣誉信息", honour_id, row["disclosure"], "")
            return page(request, "honour.html", api_url=f"/api/v1/honours/{honour_id}", nav="honours", h=row)
