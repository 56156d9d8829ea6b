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
    await client.post(
        "/api/v1/admin/results", headers=h, json=result_payload(make_uscc(seed=2), task="A-2", categories=["X07"])
    )
    stale = await stats.statistics()
    assert stale.total_checks == 1  # the previous figures, at once
    await stats._tasks[id(asyncio.get_running_loop())]  # the one background refresh
    fresh = await stats.statistics()
    assert fresh.total_checks == 2 and fresh.total_entities_with_problems == 1
    assert (await client.get("/api/v1/statistics")).json()["checks"] == 2
