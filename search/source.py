"""Rows for the search index, read straight from the tables: public records by key, every public
record in publication order, and which of a list of hits are still public (shaped by `search.documents`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from db.tables import (
    Department,
    Document,
    Guide,
    GuideVersion,
    Honour,
    Matter,
    MatterVersion,
    Plan,
    PlanRevision,
    Result,
)
from search import documents as m
from search.index import SearchDoc

CHUNK = 400
PUBLIC = "public"
# What `documents.result_doc` reads: a reindex reads every result, and converting the columns
# it does not need (timestamps above all) took about half of the query time.
RESULT_COLUMNS = (
    Result.id,
    Result.task_number,
    Result.uscc,
    Result.entity_name,
    Result.region_code,
    Result.department_code,
    Result.department_codes,
    Result.inspected_on,
    Result.year,
    Result.inspection_type,
    Result.category_codes,
    Result.follow_up,
    Result.penalty_decision_number,
    Result.published_on,
)


async def department_names() -> dict[str, str]:
    rows = await Department.select(Department.code, Department.name)
    return {r["code"]: r["name"] for r in rows}


async def negative_results(ids: list[str]) -> set[str]:
    """Which of these result ids are negative (发现问题), to mark them in a page of hits."""
    nums = _ints(ids)
    if not nums:
        return set()
    rows = await Result.select(Result.id).where(Result.id.is_in(nums) & (Result.negative == True))  # noqa: E712
    return {str(r["id"]) for r in rows}


def _ints(ids: list[str]) -> list[int]:
    out = []
    for i in ids:
        with contextlib.suppress(ValueError):
            out.append(int(i))
    return out


async def _plans(rows: list[dict[str, Any]], names: dict[str, str]) -> list[SearchDoc]:
    if not rows:
        return []
    revs = await PlanRevision.select().where(PlanRevision.plan_id.is_in([r["id"] for r in rows]))
    by = {(r["plan_id"], r["number"]): r for r in revs}
    latest: dict[int, dict[str, Any]] = {}
    for r in revs:
        if r["plan_id"] not in latest or r["number"] > latest[r["plan_id"]]["number"]:
            latest[r["plan_id"]] = r
    out = []
    for p in rows:
        rev = by.get((p["id"], p["current_revision"])) or latest.get(p["id"])
        if rev is not None:
            out.append(m.plan_doc(p, rev, names))
    return out


async def _guides(rows: list[dict[str, Any]], names: dict[str, str]) -> list[SearchDoc]:
    if not rows:
        return []
    vers = await GuideVersion.select().where(GuideVersion.guide_id.is_in([r["id"] for r in rows]))
    by = {(v["guide_id"], v["version"]): v for v in vers}
    latest: dict[int, dict[str, Any]] = {}
    for v in vers:
        if v["guide_id"] not in latest or v["id"] > latest[v["guide_id"]]["id"]:
            latest[v["guide_id"]] = v
    out = []
    for g in rows:
        ver = by.get((g["id"], g["current_version"])) or latest.get(g["id"])
        if ver is not None:
            out.append(m.guide_doc(g, ver, names))
    return out


async def _matters(rows: list[dict[str, Any]], names: dict[str, str]) -> list[SearchDoc]:
    if not rows:
        return []
    vers = await MatterVersion.select().where(MatterVersion.matter_id.is_in([r["id"] for r in rows]))
    by = {(v["matter_id"], v["number"]): v for v in vers}
    out = []
    for r in rows:
        v = by.get((r["id"], r["current_version"]))
        if v is not None:
            out.append(m.matter_doc(r, v, names))
    return out


async def load_docs(object_type: str, ids: list[str], names: dict[str, str] | None = None) -> list[SearchDoc]:
    """Search documents for those of `ids` that are public now (the rest should leave the index)."""
    nums = _ints(ids)
    if not nums:
        return []
    names = names if names is not None else await department_names()
    out: list[SearchDoc] = []
    for i in range(0, len(nums), CHUNK):
        chunk = nums[i : i + CHUNK]
        if object_type == "result":
            rows = await Result.select(*RESULT_COLUMNS).where(Result.id.is_in(chunk) & (Result.disclosure == PUBLIC))
            out += [m.result_doc(r, names) for r in rows]
        elif object_type == "plan":
            out += await _plans(await Plan.select().where(Plan.id.is_in(chunk) & (Plan.disclosure == PUBLIC)), names)
        elif object_type == "guide":
            out += await _guides(
                await Guide.select().where(Guide.id.is_in(chunk) & (Guide.disclosure == PUBLIC)), names
            )
        elif object_type == "honour":
            rows = await Honour.select().where(Honour.id.is_in(chunk) & (Honour.disclosure == PUBLIC))
            out += [m.honour_doc(r) for r in rows]
        elif object_type == "document":
            rows = await Document.select().where(Document.id.is_in(chunk) & (Document.disclosure == PUBLIC))
            out += [m.document_doc(r) for r in rows]
        elif object_type == "matter":
            rows = await Matter.select().where(Matter.id.is_in(chunk) & (Matter.disclosure == PUBLIC))
            out += await _matters(rows, names)
    return out


_TABLES: dict[str, Any] = {
    "result": Result,
    "plan": Plan,
    "guide": Guide,
    "honour": Honour,
    "document": Document,
    "matter": Matter,
}


async def public_ids(object_type: str, ids: list[str]) -> set[str]:
    """Which of these records are public right now (the disclosure check on search hits)."""
    table = _TABLES.get(object_type)
    nums = _ints(ids)
    if table is None or not nums:
        return set()
    rows = await table.select(table.id).where(table.id.is_in(nums) & (table.disclosure == PUBLIC))
    return {str(r["id"]) for r in rows}


async def _small_docs(names: dict[str, str]) -> list[SearchDoc]:
    docs: list[SearchDoc] = []
    docs += await _plans(await Plan.select().where(Plan.disclosure == PUBLIC), names)
    docs += await _guides(await Guide.select().where(Guide.disclosure == PUBLIC), names)
    docs += [m.honour_doc(r) for r in await Honour.select().where(Honour.disclosure == PUBLIC)]
    docs += [m.document_doc(r) for r in await Document.select().where(Document.disclosure == PUBLIC)]
    docs += await _matters(await Matter.select().where(Matter.disclosure == PUBLIC), names)
    return docs


def _sort_key(d: SearchDoc) -> tuple[dt.date, int]:
    return (d.published_on or dt.date.min, int(d.id) if d.id.isdigit() else 0)


async def all_public_docs(batch_size: int = 5000) -> AsyncIterator[list[SearchDoc]]:
    """Every public record as search documents, in publication order (the rebuild order).

    Results stream by keyset on the primary key (ids are given as results are published; a
    keyset on the date would sort a million rows per batch); the few plans, guides, honours
    and documents are merged in by date.
    """
    names = await department_names()
    small = sorted(await _small_docs(names), key=_sort_key)
    si = 0
    after = 0
    while True:
        rows = await (
            Result.select(*RESULT_COLUMNS)
            .where((Result.id > after) & (Result.disclosure == PUBLIC))
            .order_by(Result.id)
            .limit(batch_size)
        )
        if not rows:
            break
        batch = [m.result_doc(r, names) for r in rows]
        last_day = m.as_date(rows[-1]["published_on"]) or dt.date.min
        mixed: list[SearchDoc] = []
        while si < len(small) and (small[si].published_on or dt.date.min) <= last_day:
            mixed.append(small[si])
            si += 1
        yield mixed + batch if mixed else batch
        after = rows[-1]["id"]
        if len(rows) < batch_size:
            break
    if si < len(small):
        yield small[si:]
