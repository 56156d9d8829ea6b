"""Queries over inspection results. Filters are built from the caller's choices; no rules here."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from db import changes
from db.register import register_of
from db.tables import Department, Entity, Result, ResultCategory, ResultDepartment
from db.tx import write_transaction
from domain.errors import Conflict, FieldError
from domain.results import ResultDraft

CHUNK = 400  # rows per INSERT: stays under SQLite's bound-parameter limit


@dataclass
class ResultFilter:
    uscc: str | None = None
    department: str | None = None
    region_range: tuple[str, str] | None = None
    year: int | None = None
    category: str | None = None
    negative: bool | None = None
    public_only: bool = True


def _where(f: ResultFilter, alias: str = "r") -> tuple[list[str], list[Any]]:
    conds: list[str] = []
    args: list[Any] = []
    if f.public_only:
        conds.append(f"{alias}.disclosure = 'public'")
    if f.uscc:
        conds.append(f"{alias}.uscc = {{}}")
        args.append(f.uscc)
    if f.region_range:
        conds.append(f"{alias}.region_code >= {{}} AND {alias}.region_code < {{}}")
        args.extend(f.region_range)
    if f.year is not None:
        conds.append(f"{alias}.year = {{}}")
        args.append(f.year)
    if f.negative is not None:
        conds.append(f"{alias}.negative = {{}}")
        args.append(f.negative)
    return conds, args


def _from(f: ResultFilter) -> tuple[str, str, list[str], list[Any]]:
    """Pick the driving table so the most selective index walks in id order."""
    joins = ""
    key = "r.id"
    conds: list[str] = []
    args: list[Any] = []
    if f.department:
        joins += " JOIN result_department d ON d.result_id = r.id"
        conds.append("d.department_code = {}")
        args.append(f.department)
        if f.year is not None:
            conds.append("d.year = {}")
            args.append(f.year)
        key = "d.result_id"
    if f.category:
        joins += " JOIN result_category c ON c.result_id = r.id"
        conds.append("c.code = {}")
        args.append(f.category)
        if f.year is not None and not f.department:
            conds.append("c.year = {}")
            args.append(f.year)
        if not f.department:
            key = "c.result_id"
    return joins, key, conds, args


async def list_results(f: ResultFilter, after_id: int | None, limit: int) -> list[dict]:
    joins, key, jconds, jargs = _from(f)
    conds, args = _where(f)
    conds = jconds + conds
    args = jargs + args
    if after_id is not None:
        conds.append(f"{key} < {{}}")
        args.append(after_id)
    where = " AND ".join(conds) or "1=1"
    sql = f"SELECT r.* FROM inspection_result r{joins} WHERE {where} ORDER BY {key} DESC LIMIT {int(limit)}"
    return await Result.raw(sql, *args)


async def results_at_offset(f: ResultFilter, offset: int, limit: int, ascending: bool = False) -> list[dict]:
    """A page by position (CKAN's datastore_search `offset`), in id order; the API's own lists
    use keyset pages (list_results), which stay fast at any depth."""
    joins, key, jconds, jargs = _from(f)
    conds, args = _where(f)
    where = " AND ".join(jconds + conds) or "1=1"
    order = "ASC" if ascending else "DESC"
    sql = (
        f"SELECT r.* FROM inspection_result r{joins} WHERE {where} "
        f"ORDER BY {key} {order} LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return await Result.raw(sql, *(jargs + args))


async def public_results_by_ids(ids: list[int]) -> dict[int, dict]:
    """The public results among `ids`, by id (a search hit withdrawn since is left out)."""
    if not ids:
        return {}
    rows = await Result.select().where(Result.id.is_in(ids) & (Result.disclosure == "public"))
    return {r["id"]: r for r in rows}


async def count_results(f: ResultFilter, cap: int | None = None) -> int | None:
    """Exact count; with `cap`, None once there are more than `cap` (counting a quarter of a
    million rows costs hundreds of milliseconds, counting up to the cap a few)."""
    joins, _key, jconds, jargs = _from(f)
    conds, args = _where(f)
    where = " AND ".join(jconds + conds) or "1=1"
    if cap is None:
        sql = f"SELECT COUNT(*) AS n FROM inspection_result r{joins} WHERE {where}"
    else:
        sql = (
            f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM inspection_result r{joins} WHERE {where} LIMIT {int(cap) + 1}) t"
        )
    rows = await Result.raw(sql, *(jargs + args))
    n = int(rows[0]["n"])
    return None if cap is not None and n > cap else n


async def get_result(result_id: int) -> dict | None:
    return await Result.select().where(Result.id == result_id).first()


# Department names change rarely and every result response needs them: a query saved per
# request (a new connection each on SQLite). Per process, refreshed after NAMES_TTL seconds.
NAMES_TTL = 30.0
_names: dict[str, tuple[float, str]] = {}


async def department_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    now = time.monotonic()
    out: dict[str, str] = {}
    missing: set[str] = set()
    for c in set(codes):
        hit = _names.get(c)
        if hit and now - hit[0] < NAMES_TTL:
            out[c] = hit[1]
        else:
            missing.add(c)
    if missing:
        rows = await Department.select(Department.code, Department.name).where(Department.code.is_in(list(missing)))
        for r in rows:
            _names[r["code"]] = (now, r["name"])
            out[r["code"]] = r["name"]
    return out


async def existing_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which (task_number, uscc) pairs are already published."""
    found: list[tuple[str, str]] = []
    tasks = sorted({t for t, _ in pairs})
    wanted = set(pairs)
    for i in range(0, len(tasks), CHUNK):
        rows = await Result.select(Result.task_number, Result.uscc).where(
            Result.task_number.is_in(tasks[i : i + CHUNK])
        )
        found.extend((r["task_number"], r["uscc"]) for r in rows if (r["task_number"], r["uscc"]) in wanted)
    return found


MaskRule = Callable[[list[ResultDraft], dict[str, tuple[str, str]]], dict[str, tuple[ResultDraft, str]]]


async def insert_results(drafts: list[ResultDraft], actor: Any, today: dt.date, mask: MaskRule) -> list[int]:
    """All-or-nothing: results, their category and department rows, audit, change log, outbox.

    `mask` is the masking rule (domain.masking.mask_by_register): it runs here, inside the
    transaction, on the register as it is at that moment, and names the entities to register."""
    now = changes.now()
    async with write_transaction():
        dupes = await existing_pairs([(d.task_number, d.uscc) for d in drafts])
        if dupes:
            t, u = dupes[0]
            raise Conflict(
                f"任务单号 {t} 下已发布过 {u} 的结果 (a result for task {t} and entity {u} is already published)",
                [
                    FieldError(
                        "task_number", f"该任务单号下已发布过此主体的结果 (duplicate task_number {t} for uscc {u})"
                    )
                ],
            )
        unknown = mask(drafts, await register_of(sorted({d.uscc for d in drafts})))
        ids: list[int] = []
        for i in range(0, len(drafts), CHUNK):
            chunk = drafts[i : i + CHUNK]
            rows = await Result.insert(
                *[
                    Result(
                        task_number=d.task_number,
                        uscc=d.uscc,
                        entity_name=d.entity_name,
                        entity_kind=d.entity_kind,
                        region_code=d.region_code,
                        department_code=d.department_codes[0],
                        department_codes=",".join(d.department_codes),
                        inspected_on=d.inspected_on,
                        year=d.inspected_on.year,
                        inspection_type=d.inspection_type,
                        category_codes=",".join(d.category_codes),
                        negative=d.negative,
                        check_field=d.check_field,
                        joint=d.joint,
                        follow_up=d.follow_up,
                        penalty_decision_number=d.penalty_decision_number,
                        published_on=d.published_on or today,
                        published_late=d.published_late,
                        created_at=now,
                        updated_at=now,
                    )
                    for d in chunk
                ]
            ).returning(Result.id)
            chunk_ids = [r["id"] for r in rows]
            ids.extend(chunk_ids)
            cats = [
                ResultCategory(result_id=rid, code=c, year=d.inspected_on.year)
                for rid, d in zip(chunk_ids, chunk, strict=False)
                for c in d.category_codes
            ]
            deps = [
                ResultDepartment(result_id=rid, department_code=c, year=d.inspected_on.year)
                for rid, d in zip(chunk_ids, chunk, strict=False)
                for c in d.department_codes
            ]
            for j in range(0, len(cats), CHUNK):
                await ResultCategory.insert(*cats[j : j + CHUNK])
            for j in range(0, len(deps), CHUNK):
                await ResultDepartment.insert(*deps[j : j + CHUNK])
        items = [
            Entity(
                uscc=d.uscc,
                name=full,
                kind=d.entity_kind,
                region_code=d.region_code,
                operator_name=d.operator_name,
                updated_at=now,
            )
            for d, full in unknown.values()
        ]
        for i in range(0, len(items), CHUNK):
            await Entity.insert(*items[i : i + CHUNK])
        for i in range(0, len(ids), CHUNK):
            await changes.audit_many(actor, "publish", "result", ids[i : i + CHUNK])
            await changes.public_change("result", ids[i : i + CHUNK], "published")
    return ids


ADMIN_COLUMNS = (
    "r.id, r.task_number, r.uscc, r.entity_name, r.inspected_on, r.published_on, r.category_codes, "
    "r.negative, r.disclosure, r.withdrawn_reason, r.withdrawn_at, r.revision"
)


async def department_results(
    department_code: str, find: str | None, before_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """The results a department published (lead department), public or not, newest first, keyset
    by id; `find` is a task number or USCC (exact). Through result_department_dr (department,
    result_id) so a department's page reads only its own index range on 1,000,000 results."""
    conds = ["d.department_code = {}", "r.department_code = {}"]
    args: list[Any] = [department_code, department_code]
    if before_id is not None:
        conds.append("d.result_id < {}")
        args.append(before_id)
    if find:
        conds.append("(r.task_number = {} OR r.uscc = {})")
        args += [find, find]
    sql = (
        f"SELECT {ADMIN_COLUMNS} FROM result_department d JOIN inspection_result r ON r.id = d.result_id "
        f"WHERE {' AND '.join(conds)} ORDER BY d.result_id DESC LIMIT {int(limit)}"
    )
    return list(await Result.raw(sql, *args))
