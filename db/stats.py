"""Aggregates behind the statistics page, the home page's key figures and /api/v1/statistics.

Public results only. The aggregates scan the results table (a second or so at a million rows),
so the compiled figures are kept per process and recomputed only when the change log has moved
on (`latest_seq`): every publication or withdrawal bumps it, so the figures are never stale for
longer than one request and several workers each hold a correct copy.
"""

from __future__ import annotations

import asyncio

from db.results import department_names
from db.tables import ChangeLog, Result
from domain.statistics import Statistics, compile_statistics

_cache: dict[int, tuple[tuple, Statistics]] = {}
_locks: dict[int, asyncio.Lock] = {}


async def _version() -> tuple:
    """(seq, at) of the newest change-log row: moves on with every public change (the
    timestamp guards against a seq reused after the table was emptied, as tests do)."""
    row = await ChangeLog.select(ChangeLog.seq, ChangeLog.at).order_by(ChangeLog.seq, ascending=False).first()
    return (row["seq"], str(row["at"])) if row else (None, None)


async def _aggregate(top_departments: int) -> Statistics:
    per_year = await Result.raw(
        "SELECT year, COUNT(*) AS checks, COUNT(DISTINCT uscc) AS entities, "
        "SUM(CASE WHEN joint THEN 1 ELSE 0 END) AS joint "
        "FROM inspection_result WHERE disclosure = 'public' GROUP BY year"
    )
    problems = await Result.raw(
        "SELECT year, COUNT(DISTINCT uscc) AS n FROM inspection_result "
        "WHERE disclosure = 'public' AND negative = {} GROUP BY year", True
    )
    totals = await Result.raw(
        "SELECT COUNT(*) AS checks, COUNT(DISTINCT uscc) AS entities, "
        "SUM(CASE WHEN joint THEN 1 ELSE 0 END) AS joint FROM inspection_result WHERE disclosure = 'public'"
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
        per_year, {int(r["year"]): int(r["n"]) for r in problems}, dept_year, names, t,
        top_departments=top_departments,
    )


async def statistics(top_departments: int = 12) -> Statistics:
    version = await _version()
    hit = _cache.get(top_departments)
    if hit is not None and hit[0] == version:
        return hit[1]
    # One recomputation at a time (per event loop); concurrent callers wait and reuse it.
    lock = _locks.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())
    async with lock:
        hit = _cache.get(top_departments)
        if hit is not None and hit[0] == version:
            return hit[1]
        stats = await _aggregate(top_departments)
        stats = Statistics(**{**stats.__dict__, "as_of_seq": version[0]})
        _cache[top_departments] = (version, stats)
        return stats
