"""Bulk open data: CSV and JSON Lines of public results, streamed from the database (never
from search) with keyset iteration, so a million rows never sit in memory."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Stream

from api.deps import settings_of
from api.params import Params
from api.schemas import ResultOut
from api.serialize import result_out
from db import results as q
from domain.datasets import license_of
from domain.spreadsheet import neutralise_row

CHUNK = 2000  # rows per query: one keyset page
CSV_COLUMNS = [
    "id",
    "task_number",
    "uscc",
    "entity_name",
    "entity_kind",
    "region_code",
    "departments",
    "department_codes",
    "inspected_on",
    "inspection_type",
    "categories",
    "category_labels",
    "negative",
    "follow_up",
    "penalty_decision_number",
    "published_on",
    "url",
    "check_field",
    "joint",
    "published_late",
]


async def public_results(f: q.ResultFilter, base_url: str) -> AsyncIterator[list[ResultOut]]:
    """Every public result matching `f`, newest first, a chunk at a time (same order as the API)."""
    after: int | None = None
    while True:
        rows = await q.list_results(f, after, CHUNK)
        if not rows:
            return
        names = await q.department_names([c for r in rows for c in r["department_codes"].split(",")])
        yield [result_out(r, names, base_url) for r in rows]
        if len(rows) < CHUNK:
            return
        after = rows[-1]["id"]


def csv_row(r: ResultOut) -> list[str]:
    """One CSV line, every cell neutralised against spreadsheet formulas (domain.spreadsheet)."""
    return neutralise_row(
        [
            str(r.id),
            r.task_number,
            r.uscc,
            r.entity_name,
            r.entity_kind,
            r.region_code,
            "；".join(r.departments),
            ",".join(r.department_codes),
            r.inspected_on.isoformat(),
            r.inspection_type,
            ",".join(c.code for c in r.categories),
            "；".join(c.label for c in r.categories),
            "true" if r.negative else "false",
            r.follow_up,
            r.penalty_decision_number or "",
            r.published_on.isoformat(),
            r.url,
            r.check_field,
            "true" if r.joint else "false",
            "true" if r.published_late else "false",
        ]
    )


def licence_link(request: Request) -> str:
    """Every export names its licence (RFC 8288 `license` relation; DATA_LICENSE)."""
    return f'<{license_of(settings_of(request).data_license).url}>; rel="license"'


def _filter(uscc, department, region, year, category, negative) -> q.ResultFilter:
    p = Params()
    f = q.ResultFilter(
        uscc=p.uscc(uscc),
        department=department or None,
        region_range=p.region(region),
        year=p.year(year),
        category=p.category(category),
        negative=negative,
    )
    p.done()  # 422 before the stream starts
    return f


class ExportsController(Controller):
    path = "/api/v1/exports"
    tags = ["exports"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get(
        "/results.csv",
        summary="All public results as CSV (UTF-8 with BOM), same filters as /results",
        media_type="text/csv; charset=utf-8",
    )
    async def results_csv(
        self,
        request: Request,
        uscc: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        category: FromQuery[str | None] = None,
        negative: FromQuery[bool | None] = None,
    ) -> Stream:
        f = _filter(uscc, department, region, year, category, negative)
        base = settings_of(request).base_url

        async def body() -> AsyncIterator[bytes]:
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\r\n")
            w.writerow(CSV_COLUMNS)
            # The BOM lets Excel open the UTF-8 file with the Chinese intact.
            yield ("\ufeff" + buf.getvalue()).encode("utf-8")
            async for chunk in public_results(f, base):
                buf.seek(0)
                buf.truncate()
                w.writerows(csv_row(r) for r in chunk)
                yield buf.getvalue().encode("utf-8")

        return Stream(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="results.csv"', "Link": licence_link(request)},
        )

    @get(
        "/results.jsonl",
        summary="All public results as JSON Lines, same fields and filters as /results",
        media_type="application/jsonl",
    )
    async def results_jsonl(
        self,
        request: Request,
        uscc: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        category: FromQuery[str | None] = None,
        negative: FromQuery[bool | None] = None,
    ) -> Stream:
        f = _filter(uscc, department, region, year, category, negative)
        base = settings_of(request).base_url
        enc = msgspec.json.Encoder()

        async def body() -> AsyncIterator[bytes]:
            async for chunk in public_results(f, base):
                yield b"".join(enc.encode(r) + b"\n" for r in chunk)

        return Stream(
            body(),
            media_type="application/jsonl; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="results.jsonl"', "Link": licence_link(request)},
        )
