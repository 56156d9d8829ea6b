"""Aggregates behind the statistics page, the home page's key figures and /api/v1/statistics.

Public results only. The aggregates scan the results table (about 6 s at a million results on
SQLite), so the compiled figures are kept per process together with the change-log position
they were computed at (`_version`); every publication or withdrawal moves it on.

- While a recomputation is cheap (under SLOW_SECONDS last time, i.e. small databases and the
  tests) it happens inline: the figures are never staler than the last change.
- Once it is slow, a caller gets the previous figures at once and one background task brings
  them up to date (stale-while-revalidate): figures lag a publication by one recomputation
  instead of every visitor after it waiting seconds.
- `wait=False` (the home page) does not wait on a cold start of a large database: it gets None
  until the first background computation is done.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
import time

from db.results import department_names
from db.tables import ChangeLog, Result
from domain.statistics import Statistics, compile_statistics

log = logging.getLogger("gongshi")
SLOW_SECONDS = 0.5
INLINE_ROWS = 200_000  # below this many results a cold start computes inline even with wait=False


@dataclasses.dataclass
class _Cached:
    version: tuple
    stats: Statistics
    took: float


_cache: dict[str, _Cached] = {}
_locks: dict[int, asyncio.Lock] = {}
_tasks: dict[int, asyncio.Task] = {}


async def _version() -> tuple:
    """(seq, at) of the newest change-log row: moves on with every public change (the
    timestamp guards against a seq reused after the table was emptied, as tests do)."""
    row = await ChangeLog.select(ChangeLog.seq, ChangeLog.at).order_by(ChangeLog.seq, ascending=False).first()
    return (row["seq"], str(row["at"])) if row else (None, None)


async def _aggregate() -> Statistics:
    per_year = await Result.raw(
        "SELECT year, COUNT(*) AS checks, COUNT(DISTINCT uscc) AS entities, "
        "SUM(CASE WHEN joint THEN 1 ELSE 0 END) AS joint, "
        "SUM(CASE WHEN published_late THEN 1 ELSE 0 END) AS late "
        "FROM inspection_result WHERE disclosure = 'public' GROUP BY year"
    )
    problems = await Result.raw(
        "SELECT year, COUNT(DISTINCT uscc) AS n FROM inspection_result "
        "WHERE disclosure = 'public' AND negative = {} GROUP BY year",
        True,
    )
    totals = await Result.raw(
        "SELECT COUNT(*) AS checks, COUNT(DISTINCT uscc) AS entities, "
        "SUM(CASE WHEN joint THEN 1 ELSE 0 END) AS joint, "
        "SUM(CASE WHEN published_late THEN 1 ELSE 0 END) AS late FROM inspection_result WHERE disclosure = 'public'"
    )
    with_problems = await Result.raw(
        "SELECT COUNT(DISTINCT uscc) AS n FROM inspection_result WHERE disclosure = 'public' AND negative = {}", True
    )
    dept_year = await Result.raw(
        "SELECT d.department_code, d.year, COUNT(*) AS n FROM result_department d "
        "JOIN inspection_result r ON r.id = d.result_id WHERE r.disclosure = 'public' "
        "GROUP BY d.department_code, d.year"
    )
    names = await department_names([r["department_code"] for r in dept_year])
    t = dict(totals[0]) if totals else {}
    t["entities_with_problems"] = with_problems[0]["n"] if with_problems else 0
    return compile_statistics(
        per_year,
        {int(r["year"]): int(r["n"]) for r in problems},
        dept_year,
        names,
        t,
        top_departments=0,
    )


async def _recompute(version: tuple) -> Statistics:
    started = time.perf_counter()
    stats = await _aggregate()
    stats = dataclasses.replace(stats, as_of_seq=version[0])
    current = _cache.get("all")
    if current is None or current.version != version:
        _cache["all"] = _Cached(version, stats, time.perf_counter() - started)
    return stats


async def _background(version: tuple) -> None:
    try:
        await _recompute(version)
    except Exception:  # the next caller tries again; the old figures stay meanwhile
        log.exception("recomputing statistics failed")


def _start_background(version: tuple) -> None:
    loop_id = id(asyncio.get_running_loop())
    task = _tasks.get(loop_id)
    if task is not None and not task.done():
        return
    # A fresh context: the caller's read snapshot (a contextvar) must not follow the task.
    _tasks[loop_id] = asyncio.get_running_loop().create_task(_background(version), context=contextvars.Context())


async def _small() -> bool:
    rows = await Result.raw("SELECT MAX(id) AS n FROM inspection_result")
    return int(rows[0]["n"] or 0) < INLINE_ROWS


def _top(stats: Statistics, top_departments: int) -> Statistics:
    if not top_departments:
        return stats
    return dataclasses.replace(stats, departments=stats.departments[:top_departments])


async def statistics(top_departments: int = 12, wait: bool = True) -> Statistics | None:
    """The figures, with the `top_departments` busiest departments (0: all of them)."""
    version = await _version()
    hit = _cache.get("all")
    if hit is not None and hit.version == version:
        return _top(hit.stats, top_departments)
    if hit is None and not wait:
        wait = await _small()
    # Stale figures while a slow recomputation runs are for large tables only: a small one is
    # recomputed inline (a slow last run there means a busy machine, not a big table).
    if (hit is not None and hit.took > SLOW_SECONDS and not await _small()) or (hit is None and not wait):
        _start_background(version)
        return _top(hit.stats, top_departments) if hit is not None else None
    # One inline recomputation at a time (per event loop); concurrent callers wait and reuse it.
    lock = _locks.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())
    async with lock:
        hit = _cache.get("all")
        if hit is not None and hit.version == version:
            return _top(hit.stats, top_departments)
        return _top(await _recompute(version), top_departments)
