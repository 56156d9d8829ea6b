"""GET /api/v1/search over HTTP, the outbox that feeds the index, and a search backend that is down."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from commands.search import reindex
from db.tables import Outbox, Result
from search.index import IndexQuery
from search.meili import MeiliIndex
from search.outbox import OutboxWorker, drain
from tests.helpers import make_uscc, result_payload, sign_in
from tests.search_helpers import add_document, reset_index, withdraw_result

DEPT = "371500-scjg"


@pytest.fixture
async def index(app, client):
    await reset_index(app.state.search_index)
    return app.state.search_index


async def publish(client, h, name: str, seed: int, **kw) -> int:
    r = await client.post(
        "/api/v1/admin/results",
        json=result_payload(make_uscc(seed=seed), task=f"T-{seed}", entity_name=name, **kw),
        headers=h,
    )
    assert r.status_code == 201, r.text
    return r.json()["ids"][0]


async def find(client, q: str, **params) -> dict:
    r = await client.get("/api/v1/search", params={"q": q, **params})
    assert r.status_code == 200, r.text
    return r.json()


async def test_search_item_shape_and_facets(client, index) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市丰华食品有限公司", 1, categories=["X06"])
    await publish(client, h, "聊城市丰华商贸有限公司", 2)
    assert (await drain(index)).applied == 2
    page = await find(client, "丰华食品")
    assert [i["id"] for i in page["items"]] == [rid]
    item = page["items"][0]
    assert set(item) == {"type", "id", "title", "snippet", "url", "published_on", "negative"}
    assert item["type"] == "result" and item["title"] == "聊城市丰华食品有限公司"
    assert item["url"] == f"http://testserver.local/results/{rid}"
    assert item["published_on"] == dt.date.today().isoformat() or item["published_on"]
    assert set(page["facets"]) == {"type", "year", "region", "department", "category"}
    page = await find(client, "丰华")
    assert page["total"] == 2 and page["total_exact"] is True
    assert page["facets"]["type"] == [{"value": "result", "count": 2, "label": "检查结果"}]
    assert {"value": "X06", "count": 1, "label": "发现问题待后续处理"} in page["facets"]["category"]
    assert page["facets"]["year"] == [{"value": "2025", "count": 2, "label": ""}]
    assert [f["value"] for f in page["facets"]["department"]] == [DEPT]
    # filters narrow the hits
    assert (await find(client, "丰华", category="X06"))["total"] == 1
    assert (await find(client, "丰华", type="plan"))["items"] == []
    assert (await find(client, "丰华", region="371500"))["total"] == 2
    assert (await find(client, "丰华", year=2024))["total"] == 0


async def test_snippet_escapes_stored_html(client, index) -> None:
    await add_document("<b>通知</b>", "<script>alert(1)</script> 双随机抽查 &amp;")
    await drain(index)
    item = (await find(client, "双随机"))["items"][0]
    assert item["snippet"] == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>双随机</mark>抽查 &amp;amp;"
    assert item["title"] == "<b>通知</b>"  # plain text in JSON; the portal escapes it


async def test_publish_then_withdraw(client, index) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市撤回商贸有限公司", 3)
    assert (await find(client, "撤回商贸"))["items"] == []  # not drained yet
    await drain(index)
    assert [i["id"] for i in (await find(client, "撤回商贸"))["items"]] == [rid]
    await withdraw_result(rid)
    # The index still holds it (stale), but the database says withdrawn: never served.
    assert len((await index.search(IndexQuery(text="撤回商贸"))).hits) == 1
    assert (await find(client, "撤回商贸"))["items"] == []
    assert (await drain(index)).applied == 1
    assert (await index.search(IndexQuery(text="撤回商贸"))).hits == []


async def test_cursor_walks_every_hit_once(client, index) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    items = [
        result_payload(make_uscc(seed=100 + i), task=f"T-{i}", entity_name=f"聊城市第{i}食品厂") for i in range(45)
    ]
    assert (await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)).status_code == 201
    await drain(index)
    seen, cursor = [], None
    while True:
        params = {"page_size": 20, **({"cursor": cursor} if cursor else {})}
        page = await find(client, "食品", **params)
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 45


async def test_bad_parameters_are_422_naming_the_field(client, index) -> None:
    for params, field in [
        ({"type": "person"}, "type"),
        ({"region": "37"}, "region"),
        ({"year": 1800}, "year"),
        ({"category": "Q99"}, "category"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJhIjoxfQ"}, "cursor"),
        ({"year": "abc"}, "year"),
        ({"q": "丰" * 2001}, "q"),
    ]:
        r = await client.get("/api/v1/search", params={"q": "丰华", **params})  # type: ignore[dict-item]
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in r.json()["errors"]], (params, r.text)


async def test_hostile_queries_answer_200(client, index) -> None:
    for q in ["", " ", '"', "NEAR(a b", "a OR b", "*", "-x", "丰" * 2000, "\x00", "%", "'; DROP TABLE x; --"]:
        r = await client.get("/api/v1/search", params={"q": q})
        assert r.status_code == 200, (q, r.text)


async def test_backend_down_503_and_nothing_lost(app, client, index) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    app.state.search_index = MeiliIndex("http://127.0.0.1:9")  # nothing listens there
    try:
        r = await client.get("/api/v1/search", params={"q": "丰华"})
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) > 0 and r.json()["retry_after"] > 0
        assert "127.0.0.1" not in r.text and "Connection refused" not in r.text  # the log has it, not the client
        # Publishing still works; the outbox keeps the work and backs off.
        rid = await publish(client, h, "聊城市断线测试有限公司", 4)
        report = await drain(app.state.search_index)
        assert report.applied == 0 and report.failed == 1 and "unreachable" in report.last_error.lower()
        row = (await Outbox.select().where(Outbox.object_id == str(rid)))[0]
        assert row["attempts"] == 1 and row["done_at"] is None and row["last_error"]
        assert row["next_attempt_at"] > dt.datetime.now(dt.UTC)
        assert (await drain(app.state.search_index)).failed == 0  # not due yet: backoff
    finally:
        app.state.search_index = index
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    assert (await drain(index, now=later)).applied == 1
    assert [i["id"] for i in (await find(client, "断线测试"))["items"]] == [rid]


async def test_worker_drains_in_process(client, index) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    worker = OutboxWorker(index, interval=0.05)
    worker.start()
    try:
        rid = await publish(client, h, "聊城市后台同步有限公司", 5)
        for _ in range(100):
            if (await find(client, "后台同步"))["items"]:
                break
            await asyncio.sleep(0.05)
        assert [i["id"] for i in (await find(client, "后台同步"))["items"]] == [rid]
    finally:
        await worker.stop()


async def test_reindex_rebuilds_from_the_database(settings, client, index) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市重建索引有限公司", 6)
    gone = await publish(client, h, "聊城市重建撤回有限公司", 7)
    await withdraw_result(gone)
    assert await reindex(settings, quiet=True) == 1
    # The app's index object sees the new file.
    assert [h.id for h in (await index.search(IndexQuery(text="重建"))).hits] == [str(rid)]
    assert await Result.count() == 2


async def test_openapi_lists_search(client) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    params = {p["name"] for p in spec["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert {"q", "type", "region", "department", "year", "category", "page_size", "cursor"} <= params
