"""An enterprise's own repair applications page like every other list: newest first, `page_size`
1-100 (default 20) and an opaque keyset cursor, in the API and on the portal."""

from __future__ import annotations

import datetime as dt

from tests.repair_helpers import World
from tests.test_repair_portal import portal_sign_in

D = dt.date


async def apply_for(client, w: World, n: int, who: str = "a", batch: str = "") -> list[str]:
    numbers = []
    for i in range(n):
        rid = await w.publish(client, w.a if who == "a" else w.b, D(2026, 1, 2), f"T-{who}{batch}-{i}")
        r = await w.apply(client, rid, who=who)
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    return numbers


async def test_api_pages_walk_every_application_once_newest_first(client, clock) -> None:
    w = await World().setup(client)
    filed = await apply_for(client, w, 4)
    await apply_for(client, w, 1, who="b")  # another enterprise's: never listed for a
    filed += await apply_for(client, w, 3, batch="later")
    seen, sizes, cursor = [], [], None
    while True:
        params = {"page_size": 3, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/v1/repair-applications", params=params, headers=w.h["a"])).json()
        seen += [i["number"] for i in body["items"]]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == filed[::-1] and sizes == [3, 3, 1]
    everything = (await client.get("/api/v1/repair-applications", headers=w.h["a"])).json()
    assert [i["number"] for i in everything["items"]] == filed[::-1] and everything["next_cursor"] is None
    for params, field in (
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ):
        r = await client.get("/api/v1/repair-applications", params=params, headers=w.h["a"])
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json", r.text
        assert [e["field"] for e in r.json()["errors"]] == [field]


async def test_the_portal_pages_through_more_than_twenty_applications(client, clock) -> None:
    w = await World().setup(client)
    filed = await apply_for(client, w, 21)
    await portal_sign_in(client, "ent-a")
    home = await client.get("/repair")
    shown = [n for n in filed if f'href="/repair/applications/{n}"' in home.text]
    assert shown == filed[1:] and "更早的申请" in home.text
    start = home.text.index("/repair?applications_cursor=")
    link = home.text[start : home.text.index('"', start)].replace("&amp;", "&")
    older = await client.get(link)
    assert older.status_code == 200
    assert [n for n in filed if f'href="/repair/applications/{n}"' in older.text] == filed[:1]
    assert "更早的申请" not in older.text and "最新的申请" in older.text
