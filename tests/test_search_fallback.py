"""SEARCH_FALLBACK=embedded: Meilisearch unreachable (a closed port, no mock) → the embedded copy
answers and says so; the outbox keeps both indexes and never marks a row done for Meilisearch
while Meilisearch is down. Without the setting: 503 with Retry-After."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import re

import pytest

from commands.search import reindex
from db.tables import Outbox
from search.factory import make_index
from search.fallback import FallbackIndex
from search.index import IndexQuery, SearchUnavailable
from search.meili import MeiliIndex
from search.outbox import drain
from settings import Settings
from tests.helpers import make_uscc, result_payload, sign_in
from tests.search_helpers import reset_index, withdraw_result

DEPT = "371500-scjg"
CLOSED = "http://127.0.0.1:9"  # nothing listens on the discard port


@pytest.fixture
async def embedded(app, client):
    await reset_index(app.state.search_index)
    return app.state.search_index


def meili_settings(settings: Settings, fallback: str) -> Settings:
    return dataclasses.replace(settings, search_backend="meilisearch", meili_url=CLOSED, search_fallback=fallback)


@pytest.fixture
async def serving(app, embedded):
    """Install an index built from settings in the app for one test, then put the embedded one back."""
    made = []

    def install(s: Settings):
        made.append(make_index(s))
        app.state.search_index = made[-1]
        return made[-1]

    yield install
    app.state.search_index = embedded
    for ix in made:
        await ix.close()


async def publish(client, h, name: str, seed: int) -> int:
    r = await client.post(
        "/api/v1/admin/results",
        json=result_payload(make_uscc(seed=seed), task=f"T-{seed}", entity_name=name),
        headers=h,
    )
    assert r.status_code == 201, r.text
    return r.json()["ids"][0]


async def outbox_row(rid: int) -> dict:
    rows = await Outbox.select().where((Outbox.object_type == "result") & (Outbox.object_id == str(rid)))
    assert len(rows) == 1, rows
    return rows[0]


def test_setting_is_read_and_checked() -> None:
    assert Settings.from_env({}).search_fallback == ""
    assert Settings.from_env({"SEARCH_FALLBACK": "embedded"}).search_fallback == "embedded"
    assert Settings.from_env({"SEARCH_FALLBACK": "off"}).search_fallback == ""
    with pytest.raises(ValueError, match="SEARCH_FALLBACK"):
        Settings.from_env({"SEARCH_FALLBACK": "elastic"})


async def test_embedded_backend_names_itself(client, embedded) -> None:
    r = await client.get("/api/v1/search", params={"q": "丰华"})
    assert r.status_code == 200 and r.headers["x-search-backend"] == "embedded" and r.json()["fallback"] is False


async def test_meili_down_fallback_answers_and_outbox_stays_pending(settings, client, serving) -> None:
    index = serving(meili_settings(settings, "embedded"))
    assert isinstance(index, FallbackIndex) and isinstance(index.primary, MeiliIndex)
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市备用索引有限公司", 11)  # publishing never waits for search

    report = await drain(index)
    assert report.applied == 0 and report.failed == 1 and report.fallback_applied == 1
    assert "meilisearch" in report.last_error and "unreachable" in report.last_error.lower()
    row = await outbox_row(rid)
    assert row["done_at"] is None and row["fallback_done_at"] is not None and row["attempts"] == 1
    assert row["next_attempt_at"] > dt.datetime.now(dt.UTC)

    r = await client.get("/api/v1/search", params={"q": "备用索引"})
    assert r.status_code == 200, r.text
    assert r.headers["x-search-backend"] == "embedded-fallback" and r.json()["fallback"] is True
    assert [i["id"] for i in r.json()["items"]] == [rid]

    # The retry asks Meilisearch again (still down) but does not write the embedded copy again.
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    report = await drain(index, now=later)
    assert report.failed == 1 and report.fallback_applied == 0 and report.applied == 0
    row = await outbox_row(rid)
    assert row["done_at"] is None and row["attempts"] == 2

    # Withdrawn while Meilisearch is down: the embedded copy drops it at once.
    await withdraw_result(rid)
    assert (await drain(index)).fallback_applied == 1
    assert (await index.fallback.search(IndexQuery(text="备用索引"))).hits == []


async def test_without_fallback_503_and_publish_still_works(settings, client, serving) -> None:
    index = serving(meili_settings(settings, ""))
    assert isinstance(index, MeiliIndex)
    r = await client.get("/api/v1/search", params={"q": "丰华"})
    assert r.status_code == 503, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert int(r.headers["retry-after"]) > 0
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市无备用有限公司", 12)
    assert (await drain(index)).failed == 1
    row = await outbox_row(rid)
    assert row["done_at"] is None and row["fallback_done_at"] is None and row["attempts"] == 1


async def test_fallback_catches_up_past_the_failed_batch(settings, client, serving) -> None:
    index = serving(meili_settings(settings, "embedded"))
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    items = [
        result_payload(make_uscc(seed=300 + i), task=f"C-{i}", entity_name=f"聊城市追赶{i}号商店") for i in range(5)
    ]
    assert (await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)).status_code == 201
    report = await drain(index, batch=2)
    # Meilisearch was asked once (2 rows, now backing off); the embedded copy took all five.
    assert report.failed == 2 and report.fallback_applied == 5 and report.applied == 0
    rows = await Outbox.select().order_by(Outbox.id)
    assert [r["attempts"] for r in rows] == [1, 1, 0, 0, 0]
    assert all(r["done_at"] is None and r["fallback_done_at"] is not None for r in rows)
    r = await client.get("/api/v1/search", params={"q": "追赶"})
    assert r.json()["total"] == 5 and r.headers["x-search-backend"] == "embedded-fallback"


async def test_fallback_cursor_walk_stays_on_the_fallback(settings, client, serving) -> None:
    index = serving(meili_settings(settings, "embedded"))
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    items = [
        result_payload(make_uscc(seed=400 + i), task=f"W-{i}", entity_name=f"聊城市翻页{i}号食品厂") for i in range(25)
    ]
    assert (await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)).status_code == 201
    await drain(index)
    seen, cursor, first_cursor = [], None, None
    while True:
        r = await client.get(
            "/api/v1/search", params={"q": "翻页", "page_size": 10, **({"cursor": cursor} if cursor else {})}
        )
        assert r.status_code == 200 and r.headers["x-search-backend"] == "embedded-fallback", r.text
        seen += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        first_cursor = first_cursor or cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 25
    # A cursor Meilisearch issued cannot continue on the embedded copy (another order): 503, not
    # a page that repeats or skips hits.
    key = json.loads(base64.urlsafe_b64decode(first_cursor + "=" * (-len(first_cursor) % 4)))
    del key["b"]
    meili_cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    r = await client.get("/api/v1/search", params={"q": "翻页", "cursor": meili_cursor})
    assert r.status_code == 503 and int(r.headers["retry-after"]) > 0, r.text


async def test_reindex_rebuilds_the_embedded_copy_even_when_meili_is_down(settings, client, serving, embedded) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市重建备用有限公司", 13)
    gone = await publish(client, h, "聊城市重建撤回备用有限公司", 14)
    await withdraw_result(gone)
    # The operators' command keeps the technical detail (only public answers drop it).
    with pytest.raises(SearchUnavailable, match=r"127\.0\.0\.1"):
        await reindex(meili_settings(settings, "embedded"), quiet=True)
    assert [x.id for x in (await embedded.search(IndexQuery(text="重建"))).hits] == [str(rid)]
    # Meilisearch did not take the rebuild, so nothing was settled: every row is still pending.
    assert all(r["done_at"] is None for r in await Outbox.select())


# The portal's search page runs the same use case (portal/controllers/search.py).
FALLBACK_NOTICE_ZH = "全文检索服务暂时不可用，以下结果来自备用索引，可能未包含最新发布的内容。"
FALLBACK_NOTICE_EN = "The search service is temporarily unavailable; these results come from the backup index"


async def test_search_page_says_when_the_fallback_answers(settings, client, serving) -> None:
    index = serving(meili_settings(settings, "embedded"))
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = await publish(client, h, "聊城市备用页面有限公司", 15)
    await drain(index)

    r = await client.get("/search", params={"q": "备用页面"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), r.text
    assert r.headers["x-search-backend"] == "embedded-fallback"
    assert FALLBACK_NOTICE_ZH in r.text and 'class="search-notice" role="status"' in r.text
    assert f"/results/{rid}" in r.text  # the embedded copy's hit is listed under the notice
    en = await client.get("/search", params={"q": "备用页面", "lang": "en"})
    assert en.status_code == 200 and FALLBACK_NOTICE_EN in en.text and FALLBACK_NOTICE_ZH not in en.text
    # A filter that matches nothing still comes from the fallback, and still says so.
    none = await client.get("/search", params={"q": "备用页面", "year": 2001})
    assert none.status_code == 200 and FALLBACK_NOTICE_ZH in none.text
    assert none.headers["x-search-backend"] == "embedded-fallback"
    # Nothing asked, nothing searched: the empty page needs no search service and shows no notice.
    empty = await client.get("/search")
    assert empty.status_code == 200 and FALLBACK_NOTICE_ZH not in empty.text
    assert "x-search-backend" not in empty.headers


async def test_search_page_without_fallback_is_the_unavailable_page(settings, client, serving) -> None:
    serving(meili_settings(settings, ""))
    r = await client.get("/search", params={"q": "丰华"})
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html"), r.text
    assert "搜索服务暂时不可用，请稍后重试" in r.text and FALLBACK_NOTICE_ZH not in r.text
    assert (await client.get("/search")).status_code == 200


async def test_search_page_names_the_embedded_index_without_notice(client, embedded) -> None:
    r = await client.get("/search", params={"q": "丰华"})
    assert r.status_code == 200 and r.headers["x-search-backend"] == "embedded"
    assert FALLBACK_NOTICE_ZH not in r.text and "search-notice" not in r.text


# Without the fallback, a public answer says only that search is unavailable: the client's
# exception text (host, port, HTTPConnectionPool, Connection refused, Errno) goes to the server
# log for operators, never to the public.
UNAVAILABLE_API = "搜索服务暂时不可用，请稍后重试 (search is temporarily unavailable; please try again shortly)"
UNAVAILABLE_ZH = "搜索服务暂时不可用，请稍后重试。"
UNAVAILABLE_EN = "Search is temporarily unavailable; please try again shortly."
LEAKS = ("127.0.0.1", "port", "HTTPConnectionPool", "Connection refused", "Errno", "Meilisearch", "unreachable")


def assert_no_leak(text: str) -> None:
    found = [s for s in LEAKS if s.lower() in text.lower()]
    assert not found, (found, text)


def assert_page_no_leak(html: str) -> None:
    """The page's main part is free of every marker; the whole page (whose layout says "viewport"
    and "portal.css") of every other marker and of "port" as a word."""
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert_no_leak(main)
    found = [m for m in LEAKS if m != "port" and m.lower() in html.lower()]
    assert not found and not re.search(r"\bport\b", html, re.I), (found, html)


def logged_detail(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == "gongshi.search" and r.levelname == "WARNING")


async def test_api_503_says_only_that_search_is_unavailable(settings, client, serving, caplog) -> None:
    serving(meili_settings(settings, ""))
    caplog.set_level("WARNING", logger="gongshi.search")
    for params in ({"q": "丰华"}, {"q": "丰华", "type": "result", "year": 2024}, {"q": "91370000MA3C5XXXXX"}):
        r = await client.get("/api/v1/search", params=params)
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) > 0
        body = r.json()
        assert body["status"] == 503 and body["detail"] == UNAVAILABLE_API and body["retry_after"] > 0
        assert_no_leak(r.text)
    # The operators' copy: the server log has what the client said about the closed port.
    log = logged_detail(caplog)
    assert "127.0.0.1" in log and ("Connection refused" in log or "Errno" in log), log


async def test_search_page_503_says_only_that_search_is_unavailable(settings, client, serving, caplog) -> None:
    serving(meili_settings(settings, ""))
    caplog.set_level("WARNING", logger="gongshi.search")
    r = await client.get("/search", params={"q": "丰华"})
    assert r.status_code == 503 and r.headers["content-type"].startswith("text/html"), r.text
    assert int(r.headers["retry-after"]) > 0
    assert UNAVAILABLE_ZH in r.text and "服务暂时不可用 (503)" in r.text
    assert_page_no_leak(r.text)
    en = await client.get("/search", params={"q": "丰华", "lang": "en"})
    assert en.status_code == 503 and int(en.headers["retry-after"]) > 0
    assert UNAVAILABLE_EN in en.text and "Service temporarily unavailable" in en.text
    assert UNAVAILABLE_ZH not in en.text
    assert_page_no_leak(en.text)
    assert "127.0.0.1" in logged_detail(caplog)
