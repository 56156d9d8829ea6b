"""A stale index heals itself: a hit whose record is not public is never served, and its removal
is queued in the outbox (once) so the worker takes it out of the index."""

from __future__ import annotations

import pytest

from db.tables import Outbox, Result
from search.documents import result_doc
from search.heal import settled
from search.index import IndexQuery
from search.outbox import drain
from tests.search_helpers import add_result, reset_index, withdraw_result


@pytest.fixture
async def index(app, client):
    await reset_index(app.state.search_index)
    return app.state.search_index


async def stale_withdrawn_result(index, name: str) -> int:
    """A result withdrawn in the database, with no pending outbox row, that the index still holds."""
    rid = await add_result(name)
    await withdraw_result(rid)
    await drain(index)  # the outbox is empty of pending work and the index agrees
    assert await Outbox.count().where(Outbox.done_at.is_null()) == 0
    row = (await Result.select().where(Result.id == rid))[0]
    await index.upsert([result_doc(row, {})])  # written straight to the index: now it is stale
    assert [h.id for h in (await index.search(IndexQuery(text=name))).hits] == [str(rid)]
    return rid


async def test_stale_hit_dropped_and_removal_queued(client, index) -> None:
    rid = await stale_withdrawn_result(index, "聊城市陈旧索引有限公司")
    kept = await add_result("聊城市陈旧索引分店")
    await drain(index)

    r = await client.get("/api/v1/search", params={"q": "陈旧索引"})
    assert r.status_code == 200, r.text
    assert [i["id"] for i in r.json()["items"]] == [kept]
    await settled()
    pending = await Outbox.select().where(Outbox.done_at.is_null())
    assert [(p["object_type"], p["object_id"], p["op"]) for p in pending] == [("result", str(rid), "delete")]

    # Another search meets the same stale hit: a removal is already pending, none is added.
    assert (await client.get("/api/v1/search", params={"q": "陈旧索引"})).status_code == 200
    await settled()
    assert await Outbox.count().where(Outbox.done_at.is_null()) == 1

    assert (await drain(index)).applied == 1
    assert [h.id for h in (await index.search(IndexQuery(text="陈旧索引"))).hits] == [str(kept)]


async def test_nothing_dropped_nothing_queued(client, index) -> None:
    await add_result("聊城市新鲜索引有限公司")
    await drain(index)
    assert (await client.get("/api/v1/search", params={"q": "新鲜索引"})).json()["total"] == 1
    await settled()
    assert await Outbox.count().where(Outbox.done_at.is_null()) == 0


async def test_portal_search_heals_too(client, index) -> None:
    rid = await stale_withdrawn_result(index, "聊城市门户陈旧有限公司")
    r = await client.get("/search", params={"q": "门户陈旧"})
    assert r.status_code == 200 and f"/results/{rid}" not in r.text
    await settled()
    pending = await Outbox.select().where(Outbox.done_at.is_null())
    assert [(p["object_id"], p["op"]) for p in pending] == [(str(rid), "delete")]
