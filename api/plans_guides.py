"""GET /api/v1/plans, /api/v1/guides and guide file downloads (public, no account)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import File

from api.deps import settings_of
from api.params import Params
from api.record_schemas import GuideOut, GuidePage, PlanOut, PlanPage
from api.record_serialize import guide_out, plan_out
from db import guides as gq
from db import plans as pq
from db.results import department_names
from domain.disclosure import ensure_servable
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.guides import FORMATS, download_filename
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size

PAGE_SIZE = Parameter(default=None, description="1-100, default 20")
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


class PlansController(Controller):
    path = "/api/v1/plans"
    tags = ["plans"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Annual spot-check plans (年度抽查计划) with items and revisions")
    async def list_plans(
        self,
        request: Request,
        year: FromQuery[int | None] = None,
        department: FromQuery[str | None] = None,
        page_size: int | None = PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> PlanPage:
        p = Params()
        f = pq.PlanFilter(year=p.year(year), department=department or None)
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        p.done()
        rows = await pq.list_plans(f, key["id"] if key else None, size + 1)
        rows, next_cursor = split_page(rows, size)
        revs = await pq.revisions_for([r["id"] for r in rows])
        names = await department_names([r["department_code"] for r in rows])
        base = settings_of(request).base_url
        return PlanPage(
            items=[plan_out(r, revs[r["id"]], names, base) for r in rows if revs[r["id"]]],
            next_cursor=next_cursor,
            total=await pq.count_plans(f),
        )

    @get("/{plan_id:int}", summary="One annual plan with its items and every published revision")
    async def get_plan(self, request: Request, plan_id: FromPath[int]) -> PlanOut:
        plan = await pq.get_plan(plan_id)
        if plan is None:
            raise NotFound(f"没有编号为 {plan_id} 的抽查计划 (no plan {plan_id})")
        ensure_servable("抽查计划", plan_id, plan["disclosure"], "")
        revs = await pq.list_revisions(plan_id)
        names = await department_names([plan["department_code"]])
        return plan_out(plan, revs, names, settings_of(request).base_url)


async def _servable_guide(guide_id: int) -> dict:
    guide = await gq.get_guide(guide_id)
    if guide is None:
        raise NotFound(f"没有编号为 {guide_id} 的合规指南 (no guide {guide_id})")
    ensure_servable("合规指南", guide_id, guide["disclosure"], "")
    return guide


class GuidesController(Controller):
    path = "/api/v1/guides"
    tags = ["guides"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Compliance guides (一业一册), one per industry")
    async def list_guides(
        self,
        request: Request,
        industry: str | None = Parameter(
            default=None, description="GB/T 4754 code (prefix, e.g. H62) or the industry name"
        ),
        page_size: int | None = PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> GuidePage:
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        industry = (industry or "").strip() or None
        rows = await gq.list_guides(industry, key["id"] if key else None, size + 1)
        rows, next_cursor = split_page(rows, size)
        versions = await gq.versions_for([r["id"] for r in rows])
        files = await gq.version_files([v["id"] for vs in versions.values() for v in vs])
        base = settings_of(request).base_url
        return GuidePage(
            items=[guide_out(r, versions[r["id"]], files, base) for r in rows if versions[r["id"]]],
            next_cursor=next_cursor,
            total=await gq.count_guides(industry),
        )

    @get("/{guide_id:int}", summary="One compliance guide: current version, downloads and version history")
    async def get_guide(self, request: Request, guide_id: FromPath[int]) -> GuideOut:
        guide = await _servable_guide(guide_id)
        versions = await gq.list_versions(guide_id)
        if not versions:
            raise NotFound(f"合规指南 {guide_id} 没有已发布的版本 (guide {guide_id} has no version)")
        files = await gq.version_files([v["id"] for v in versions])
        return guide_out(guide, versions, files, settings_of(request).base_url)

    @get(
        "/{guide_id:int}/download",
        summary="Download a guide as PDF or HTML (current version unless `version`)",
        media_type="application/octet-stream",
        # `gongshi render-guides` re-renders files without a public change: the change log is no
        # validator for the bytes here.
        opt={"conditional": False},
    )
    async def download(
        self,
        request: Request,
        guide_id: FromPath[int],
        format: str = Parameter(default="pdf", description="pdf or html"),
        version: FromQuery[str | None] = None,
    ) -> File:
        fmt = format.strip().lower()
        if fmt not in FORMATS:
            raise ValidationFailed(
                "Unknown download format.",
                [FieldError("format", f"格式应为 pdf 或 html (format must be pdf or html, got {format!r})")],
            )
        guide = await _servable_guide(guide_id)
        v = await gq.get_version(guide_id, version or guide["current_version"])
        if v is None:
            raise NotFound(f"合规指南 {guide_id} 没有版本 {version} (guide {guide_id} has no version {version!r})")
        row = await gq.get_file(v["id"], fmt)
        path = Path(settings_of(request).files_dir) / row["path"] if row else None
        if row is None or path is None or not path.is_file():
            raise NotFound(f"该版本没有 {fmt} 文件 (version {v['version']} has no {fmt} file)")
        name = download_filename(guide["industry_name"], v["title"], v["version"], fmt)
        ascii_name = f"guide-{guide_id}-{v['version']}.{fmt}"
        return File(
            path=path,
            media_type=MEDIA[fmt],
            headers={
                # RFC 6266/5987: an ASCII fallback plus the real (Chinese) name, UTF-8 percent-encoded.
                "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}",
                "ETag": f'"{row["sha256"]}"',
                "Cache-Control": "public, max-age=3600",
            },
        )
