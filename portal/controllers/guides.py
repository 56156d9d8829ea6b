"""Guides (一业一册): /guides (by industry) and /guides/{id} with versions and downloads.
Downloads are served by the API (GET /api/v1/guides/{id}/download?format=pdf|html)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from db import guides as q
from db.snapshot import read_snapshot
from domain.disclosure import ensure_servable
from domain.errors import NotFound
from portal.render import page, url_with

LIMIT = 500  # guides are one per industry: a few hundred at most, shown on one page


class GuidePagesController(Controller):
    path = "/guides"

    @get("/", name="portal:guides")
    async def guides(self, request: Request, industry: FromQuery[str | None] = None) -> Template:
        async with read_snapshot():
            rows = await q.list_guides(industry or None, None, LIMIT)
            rows.sort(key=lambda g: (g["industry_code"], g["id"]))
            industries: dict[str, dict] = {}
            for g in rows:
                industries.setdefault(
                    g["industry_code"], {"code": g["industry_code"], "name": g["industry_name"], "guides": []}
                )
                industries[g["industry_code"]]["guides"].append(g)
            return page(
                request,
                "guides.html",
                api_url=url_with("/api/v1/guides", {"industry": industry}),
                nav="guides",
                industries=list(industries.values()),
                industry=industry or "",
            )

    @get("/{guide_id:int}", name="portal:guide")
    async def guide(self, request: Request, guide_id: FromPath[int]) -> Template:
        async with read_snapshot():
            row = await q.get_guide(guide_id)
            if row is None:
                raise NotFound(f"没有编号为 {guide_id} 的指南 (no guide {guide_id})")
            ensure_servable("指南", guide_id, row["disclosure"], "")
            versions = await q.list_versions(guide_id)
            files = await q.version_files([v["id"] for v in versions])
            current = next(
                (v for v in versions if v["version"] == row["current_version"]), versions[-1] if versions else None
            )
            if current is None:
                raise NotFound(f"指南 {guide_id} 尚无已发布的版本 (guide {guide_id} has no published version)")
            return page(
                request,
                "guide.html",
                api_url=f"/api/v1/guides/{guide_id}",
                nav="guides",
                guide=row,
                current=current,
                versions=list(reversed(versions)),
                files=files,
            )
