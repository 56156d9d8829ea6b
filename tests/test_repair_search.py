"""A repaired result never comes back through search: not from a stale index (the outbox not
yet drained), not after the outbox is drained, not after `gongshi reindex`."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from search.index import IndexQuery
from search.outbox import drain
from tests.repair_helpers import World

ROOT = Path(__file__).resolve().parent.parent
NAME = "聊城市丰华食品有限公司"


async def in_index(app, rid: int) -> bool:
    page = await app.state.search_index.search(IndexQuery(text="丰华食品", types=("result",), limit=100))
    return str(rid) in [h.id for h in page.hits]


async def in_search(client, rid: int) -> bool:
    r = await client.get("/api/v1/search", params={"q": "丰华食品", "type": "result", "page_size": 100})
    assert r.status_code == 200, r.text
    return rid in [int(i["id"]) for i in r.json()["items"]]


async def test_repaired_result_never_reappears_in_search(client, clock, app, settings) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, dt.date(2026, 1, 1), "T-1")
    keep = await w.publish(client, w.a, dt.date(2026, 1, 1), "T-2")
    await drain(app.state.search_index)
    assert await in_search(client, rid) and await in_search(client, keep)

    number = (await w.apply(client, rid)).json()["number"]
    await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    r = await client.post(
        f"/api/v1/admin/repair-applications/{number}/approve", json={"reason": "ok"}, headers=w.h["x"]
    )
    assert r.status_code == 200
    # Stale index: the outbox has not been drained, the document is still in the index...
    assert await in_index(app, rid)
    # ...but search checks the database's disclosure state before answering.
    assert not await in_search(client, rid) and await in_search(client, keep)

    report = await drain(app.state.search_index)
    assert report.failed == 0 and report.applied >= 1
    assert not await in_index(app, rid) and not await in_search(client, rid)

    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SEARCH_BACKEND": "embedded",
        "SEARCH_PATH": settings.search_path,
    }
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "reindex"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    await drain(app.state.search_index)
    assert not await in_index(app, rid) and not await in_search(client, rid)
    assert await in_index(app, keep) and await in_search(client, keep)
