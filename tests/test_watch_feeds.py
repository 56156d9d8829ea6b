"""Issue 16 item 4: feeds per type and per enterprise read with feedparser, the change feed by
type, the batch read, and a mirror built from them equal to the JSON Lines export."""

from __future__ import annotations

import datetime as dt
import json

import feedparser

from db.repair import withdraw_results
from domain.repair_flow import SYSTEM
from domain.watch import watch_entries
from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import honour_payload

DEPT = "371500-scjg"
T0 = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)


def result_row(i: int, **kw) -> dict:
    row = {
        "id": i,
        "entity_name": "聊城市鲁西食品有限公司",
        "task_number": f"T-{i}",
        "inspected_on": dt.date(2026, 10, 1),
        "published_on": dt.date(2026, 10, 10),
        "disclosure": "public",
        "withdrawn_reason": "",
        "withdrawn_at": None,
        "revision": 1,
        "created_at": T0 + dt.timedelta(days=i),
        "updated_at": T0 + dt.timedelta(days=i),
    }
    return {**row, **kw}


def test_watch_entries() -> None:
    stopped_at = T0 + dt.timedelta(days=30)
    rows = [
        result_row(1),
        result_row(2, disclosure="withdrawn", withdrawn_reason="repaired", withdrawn_at=stopped_at),
        result_row(3, revision=2),
        result_row(4, updated_at=T0 + dt.timedelta(days=20)),
    ]
    honours = [
        {
            "id": 7,
            "entity_name": "聊城市鲁西食品有限公司",
            "honour": "守合同重信用",
            "awarded_by": "聊城市市场监督管理局",
            "awarded_on": dt.date(2026, 5, 1),
            "disclosure": "public",
            "created_at": T0 + dt.timedelta(days=5),
        },
        {
            "id": 8,
            "entity_name": "x",
            "honour": "y",
            "awarded_by": "z",
            "awarded_on": dt.date(2026, 5, 1),
            "disclosure": "withdrawn",
            "created_at": T0,
        },
    ]
    entries = watch_entries(rows, honours, 10)
    assert [(e.id, e.kind) for e in entries] == [
        ("/results/2#withdrawn", "withdrawn"),  # newest: the stop
        ("/results/4", "published"),  # updated on day 20
        ("/honours/7", "honour"),
        ("/results/3", "corrected"),
        ("/results/1", "published"),
    ]
    stop = entries[0]
    assert stop.title == "[停止公示] 检查结果 2" and stop.summary == "该检查结果已停止公示：信用修复后停止公示。"
    assert "鲁西" not in stop.title + stop.summary and "T-2" not in stop.summary  # nothing of its content
    assert entries[3].title.startswith("[更正] ")
    assert len(watch_entries(rows, honours, 2)) == 2


async def publish(client, h, uscc: str, n: int, start: int = 0) -> list[int]:
    items = [result_payload(uscc, task=f"T-{start + i}", entity_name="聊城市鲁西食品有限公司") for i in range(n)]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["ids"]


async def test_feeds_by_type_and_the_change_feed_by_type(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=5)
    [rid] = await publish(client, h, u, 1)
    r = await client.post("/api/v1/admin/honours", json=honour_payload(u), headers=h)
    assert r.status_code == 201, r.text
    results = feedparser.parse((await client.get("/feeds/results.atom")).text)
    assert results.bozo == 0 and [e.link for e in results.entries] == [f"http://testserver.local/results/{rid}"]
    honours = feedparser.parse((await client.get("/feeds/honours.atom")).text)
    assert len(honours.entries) == 1 and honours.entries[0].link.startswith("http://testserver.local/honours/")
    both = feedparser.parse((await client.get("/feeds/publications.atom", params={"type": "result,honour"})).text)
    assert len(both.entries) == 2
    assert feedparser.parse((await client.get("/feeds/documents.atom")).text).entries == []
    r = await client.get("/feeds/publications.atom", params={"type": "bogus"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "type"
    assert (await client.get("/feeds/nothing.atom")).status_code == 404

    changes = (await client.get("/api/v1/changes", params={"type": "honour"})).json()["items"]
    assert [c["type"] for c in changes] == ["honour"]
    r = await client.get("/api/v1/changes", params={"type": "result,bogus"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "type"


async def test_watch_feed_of_an_enterprise(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u, other = make_uscc(seed=6), make_uscc(seed=7)
    ids = await publish(client, h, u, 2)
    await publish(client, h, other, 1, start=10)
    assert (await client.post("/api/v1/admin/honours", json=honour_payload(u), headers=h)).status_code == 201
    assert await withdraw_results([ids[0]], "expired", SYSTEM, "公示期满", dt.datetime.now(dt.UTC)) == [ids[0]]

    r = await client.get(f"/feeds/entities/{u.lower()}.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.text)
    assert (feed.bozo == 0 and feed.feed.title == f"聊城市丰华食品有限公司（{u}）的公示信息") or u in feed.feed.title
    links = {e.link for e in feed.entries}
    assert links == {
        f"http://testserver.local/results/{ids[0]}",
        f"http://testserver.local/results/{ids[1]}",
        *(e.link for e in feed.entries if "/honours/" in e.link),
    }
    assert len(feed.entries) == 3  # two results (one stopped) and the honour; nothing of the other enterprise
    [stop] = [e for e in feed.entries if e.id.endswith("#withdrawn")]
    assert stop.title == f"[停止公示] 检查结果 {ids[0]}" and "公示期满" in stop.summary
    assert "T-0" not in r.text.split(stop.id)[1].split("</entry>")[0]  # the stopped record's content is not there
    assert (await client.get("/feeds/entities/123.atom")).status_code == 422
    assert (await client.get(f"/feeds/entities/{make_uscc(seed=99)}.atom")).status_code == 404
    assert (await client.get(f"/feeds/entities/{u}")).status_code == 404


async def test_batch_read_and_a_mirror_equal_to_the_export(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    ids = await publish(client, h, make_uscc(seed=8), 5)
    assert await withdraw_results([ids[1]], "expired", SYSTEM, "公示期满", dt.datetime.now(dt.UTC)) == [ids[1]]
    got = (await client.get("/api/v1/results", params={"ids": f"{ids[3]},{ids[1]},{ids[0]},{ids[3]}"})).json()
    assert [i["id"] for i in got["items"]] == [ids[3], ids[0]] and got["next_cursor"] is None
    for bad in ("x", "1,,a", ",".join(str(i) for i in range(1, 102)), "0", "99999999999"):
        r = await client.get("/api/v1/results", params={"ids": bad})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ids", bad
    r = await client.get("/api/v1/results", params={"ids": "1", "year": 2025})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "ids"

    # A mirror: follow the change feed (results only), read what is public in batches.
    live: set[int] = set()
    cursor = None
    while True:
        params = {"type": "result", "page_size": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/api/v1/changes", params=params)).json()
        for c in page["items"]:
            (live.discard if c["action"] == "withdrawn" else live.add)(c["id"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    mirror = {}
    batch = sorted(live)
    for i in range(0, len(batch), 100):
        chunk = ",".join(str(x) for x in batch[i : i + 100])
        for item in (await client.get("/api/v1/results", params={"ids": chunk})).json()["items"]:
            mirror[item["id"]] = item
    export = [json.loads(line) for line in (await client.get("/api/v1/exports/results.jsonl")).text.splitlines()]
    assert mirror == {e["id"]: e for e in export} and len(mirror) == 4
