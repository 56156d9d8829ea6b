"""db.stats: figures recomputed inline while cheap; once slow, the previous figures are served at
once and one background task brings them up to date."""

from __future__ import annotations

import asyncio

from db import stats
from tests.helpers import make_uscc, result_payload
from tests.portal_helpers import officer_headers


async def test_slow_figures_are_served_stale_then_refreshed(client, monkeypatch) -> None:
    h = await officer_headers(client)
    r = await client.post("/api/v1/admin/results", headers=h, json=result_payload(make_uscc(seed=1), task="A-1"))
    assert r.status_code == 201
    first = await stats.statistics()
    assert first.total_checks == 1  # cheap: computed inline, current
    monkeypatch.setattr(stats, "SLOW_SECONDS", -1.0)  # from now on every recomputation counts as slow
    monkeypatch.setattr(stats, "INLINE_ROWS", 0)  # and the table as large (a small one is always recomputed)
    await client.post(
        "/api/v1/admin/results", headers=h, json=result_payload(make_uscc(seed=2), task="A-2", categories=["X07"])
    )
    stale = await stats.statistics()
    assert stale.total_checks == 1  # the previous figures, at once
    await stats._tasks[id(asyncio.get_running_loop())]  # the one background refresh
    fresh = await stats.statistics()
    assert fresh.total_checks == 2 and fresh.total_entities_with_problems == 1
    assert (await client.get("/api/v1/statistics")).json()["checks"] == 2


async def test_a_small_table_is_recomputed_inline_however_slow_the_last_run(client, monkeypatch) -> None:
    """On a busy machine a small table's recomputation can take past SLOW_SECONDS; figures must not
    then go stale (the stale-while-refreshing path is for large tables)."""
    h = await officer_headers(client)
    await client.post("/api/v1/admin/results", headers=h, json=result_payload(make_uscc(seed=3), task="B-1"))
    assert (await stats.statistics()).total_checks == 1
    monkeypatch.setattr(stats, "SLOW_SECONDS", -1.0)
    await client.post("/api/v1/admin/results", headers=h, json=result_payload(make_uscc(seed=4), task="B-2"))
    assert (await stats.statistics()).total_checks == 2
