"""GET /api/v1/results and /api/v1/results/{id}."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, Parameter

from api.deps import settings_of
from api.params import Params
from api.schemas import ResultOut, ResultPage
from api.serialize import result_out
from db import results as q
from db.snapshot import read_snapshot
from domain.disclosure import ensure_servable
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.limits import INT_MAX
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size

COUNT_CAP = 1_000
MAX_IDS = 100
MAX_ID = INT_MAX  # the engines' integer range (larger ids cannot exist)


def batch_ids(raw: str) -> list[int]:
    """`1,2,3` → [1, 2, 3], duplicates dropped, order kept; 422 naming `ids` otherwise."""
    parts = [x.strip() for x in raw.split(",") if x.strip()]
    if not parts or not all(x.isdigit() for x in parts):
        raise ValidationFailed("Bad ids.", [FieldError("ids", "应为逗号分隔的编号 (comma-separated ids, e.g. 1,2,3)")])
    if len(parts) > MAX_IDS:
        raise ValidationFailed("Too many ids.", [FieldError("ids", f"最多 {MAX_IDS} 个 (at most {MAX_IDS} ids)")])
    values = [int(x) for x in parts]
    if any(v < 1 or v > MAX_ID for v in values):
        raise ValidationFailed("Bad ids.", [FieldError("ids", f"编号应在 1 到 {MAX_ID} 之间 (ids are 1 to {MAX_ID})")])
    return list(dict.fromkeys(values))


class ResultsController(Controller):
    path = "/api/v1/results"
    tags = ["results"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Inspection results")
    async def list_results(
        self,
        request: Request,
        uscc: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        category: FromQuery[str | None] = None,
        negative: FromQuery[bool | None] = None,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
        ids: str | None = Parameter(
            default=None,
            description="batch read: up to 100 comma-separated ids (alone); the public ones come back in "
            "that order, the others are left out (a mirror follows /api/v1/changes and reads a page of them at once)",
        ),
    ) -> ResultPage:
        if ids is not None:
            if any(x is not None for x in (uscc, department, region, year, category, negative, page_size, cursor)):
                raise ValidationFailed(
                    "ids is a batch read on its own.", [FieldError("ids", "不能与其他筛选条件同用 (use ids alone)")]
                )
            wanted = batch_ids(ids)
            async with read_snapshot():
                found = await q.public_results_by_ids(wanted)
                names = await q.department_names([c for r in found.values() for c in r["department_codes"].split(",")])
            base = settings_of(request).base_url
            items = [result_out(found[i], names, base) for i in wanted if i in found]
            return ResultPage(items=items, next_cursor=None, total=len(items))
        p = Params()
        f = q.ResultFilter(
            uscc=p.uscc(uscc),
            department=department or None,
            region_range=p.region(region),
            year=p.year(year),
            category=p.category(category),
            negative=negative,
        )
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        p.done()
        after = key["id"] if key else None
        # One connection and one consistent snapshot for the page's queries (db/snapshot.py).
        async with read_snapshot():
            rows = await q.list_results(f, after, size + 1)
            rows, next_cursor = split_page(rows, size)
            names = await q.department_names([c for r in rows for c in r["department_codes"].split(",")])
            # `total` only where it is cheap and exact (API.md): first pages, up to COUNT_CAP.
            total = await q.count_results(f, cap=COUNT_CAP) if (f.uscc or cursor is None) else None
        base = settings_of(request).base_url
        items = [result_out(r, names, base) for r in rows]
        return ResultPage(
            items=items,
            next_cursor=next_cursor,
            total=total,
        )

    @get("/{result_id:int}", summary="One inspection result")
    async def get_result(self, request: Request, result_id: FromPath[int]) -> ResultOut:
        async with read_snapshot():
            row = await q.get_result(result_id)
            names = await q.department_names(row["department_codes"].split(",")) if row else {}
        if row is None:
            raise NotFound(f"没有编号为 {result_id} 的检查结果 (no result {result_id})")
        ensure_servable("检查结果", result_id, row["disclosure"], row["withdrawn_reason"])
        return result_out(row, names, settings_of(request).base_url)
