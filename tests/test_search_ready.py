"""Issue 13 item 13: the first search is complete. `gongshi demo` builds the whole index before it
returns (so the portal's first search finds the demo's records), and while the index lags the
database the search page says so instead of letting missing hits look like absence."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from db.tables import Outbox
from search.embedded import EmbeddedIndex
from search.outbox import oldest_pending_age, pending_count
from search.source import all_public_docs
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOTICE = "索引更新中，部分结果可能尚未显示。"


async def test_demo_builds_the_search_index_before_it_returns(client, settings, tmp_path) -> None:
    index_path = tmp_path / "demo-search.sqlite"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SEARCH_PATH": str(index_path),
        "FILES_DIR": str(tmp_path / "files"),
    }
    p = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "demo", "--results", "300", "--entities", "120"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert p.returncode == 0, p.stderr[-2000:]
    assert "indexed" in p.stdout and "documents into the embedded index" in p.stdout
    assert await pending_count() == 0  # nothing left for the server's worker to catch up
    expected = 0
    async for batch in all_public_docs(5000):
        expected += len(batch)
    assert expected > 300  # the demo's results and its other records
    index = EmbeddedIndex(str(index_path))
    try:
        assert await index.count() == expected  # every public record is in the index already
    finally:
        await index.close()


async def test_oldest_pending_age_reads_the_oldest_waiting_row(client) -> None:
    now = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)
    assert await oldest_pending_age(now) == 0.0
    for age, done in ((30, None), (90, now), (5, None)):
        at = now - dt.timedelta(seconds=age)
        await Outbox.insert(
            Outbox(created_at=at, object_type="result", object_id="1", op="upsert", next_attempt_at=at, done_at=done)
        )
    assert await oldest_pending_age(now) == 30.0  # the done row, though older, does not count


async def test_search_page_says_the_index_is_updating_while_it_lags(client, app) -> None:
    r = await client.get("/search", params={"q": "食品"})
    assert r.status_code == 200 and NOTICE not in r.text
    old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    await Outbox.insert(Outbox(created_at=old, object_type="result", object_id="999", op="upsert", next_attempt_at=old))
    r = await client.get("/search", params={"q": "食品"})
    assert NOTICE in r.text
    assert NOTICE not in (await client.get("/search")).text  # no search asked: nothing to qualify
    s: Settings = app.state.settings
    app.state.settings = dataclasses.replace(s, search_lag_notice_seconds=0)  # 0 turns it off
    try:
        assert NOTICE not in (await client.get("/search", params={"q": "食品"})).text
    finally:
        app.state.settings = s
    app.state.settings = dataclasses.replace(s, search_lag_notice_seconds=600)  # not that old yet
    try:
        assert NOTICE not in (await client.get("/search", params={"q": "食品"})).text
    finally:
        app.state.settings = s


def test_the_setting_is_read_from_the_environment() -> None:
    assert Settings.from_env({"SEARCH_LAG_NOTICE_SECONDS": "30"}).search_lag_notice_seconds == 30
    assert Settings().search_lag_notice_seconds == 10
