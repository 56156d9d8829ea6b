"""HTTP conventions of the open data (issue 16 item 5): CORS for GET/HEAD on the open-data paths
only, ETag/Last-Modified with 304 on records, lists, feeds and exports, HEAD wherever GET is,
`Link: rel="next"` on lists, brotli and gzip compression."""

from __future__ import annotations

import brotli
import httpx

from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import DEPT

ORIGIN = "https://newsroom.example"


async def publish(client, n: int = 3, seed: int = 0) -> list[int]:
    h = await sign_in(client, f"officer{seed}", "officer", department_code=DEPT)
    items = [result_payload(make_uscc(seed=seed * 100 + i), task=f"HC-{seed}-{i}") for i in range(n)]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["ids"]


async def test_cors_preflight_allows_get_and_head_from_any_origin_without_credentials(client) -> None:
    for path in ("/api/v1/results", "/feeds/publications.atom", "/api/v1/exports/results.csv", "/api/3/action/x"):
        r = await client.options(
            path,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-api-key, if-none-match",
            },
        )
        assert r.status_code == 204, (path, r.text)
        assert r.headers["access-control-allow-origin"] == "*"
        assert r.headers["access-control-allow-methods"] == "GET, HEAD"
        assert {"x-api-key", "if-none-match"} <= set(r.headers["access-control-allow-headers"].split(", "))
        assert "access-control-allow-credentials" not in r.headers
    # Writing and signing in stay same-origin: a preflight for POST or for a bearer token is refused.
    for method, headers in (("POST", ""), ("GET", "authorization")):
        r = await client.options(
            "/api/v1/complaints",
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": headers,
            },
        )
        assert r.status_code == 403 and "access-control-allow-origin" not in r.headers
        assert r.headers["content-type"] == "application/problem+json"


async def test_cors_headers_on_open_data_answers_only(client) -> None:
    rid = (await publish(client, 1))[0]
    for path in (
        f"/api/v1/results/{rid}",
        "/api/v1/results/999999",
        "/feeds/publications.atom",
        "/schema/openapi.json",
    ):
        r = await client.get(path, headers={"Origin": ORIGIN})
        assert r.headers["access-control-allow-origin"] == "*", path
        assert "ETag" in r.headers["access-control-expose-headers"]
        assert "access-control-allow-credentials" not in r.headers
    assert (await client.get("/api/v1/results/999999", headers={"Origin": ORIGIN})).status_code == 404
    # The portal's pages and forms are not opened to other origins.
    r = await client.get("/", headers={"Origin": ORIGIN})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    r = await client.post("/api/v1/complaints", json={}, headers={"Origin": ORIGIN})
    assert "access-control-allow-origin" not in r.headers
    r = await client.options("/complaints/new", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers


async def test_etag_and_last_modified_give_304_until_the_data_changes(client) -> None:
    rid = (await publish(client, 3))[0]
    paths = [
        "/api/v1/results",
        "/api/v1/results?page_size=2",
        f"/api/v1/results/{rid}",
        "/api/v1/changes",
        "/feeds/publications.atom",
        "/api/v1/exports/results.csv",
        "/api/v1/exports/results.jsonl?negative=false",
    ]
    first = {}
    for path in paths:
        r = await client.get(path)
        assert r.status_code == 200, path
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        assert etag.startswith('W/"') and modified.endswith(" GMT")
        first[path] = etag
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", path
        assert again.headers["etag"] == etag
        assert (await client.get(path, headers={"If-None-Match": f'"other", {etag}'})).status_code == 304
        assert (await client.get(path, headers={"If-Modified-Since": modified})).status_code == 304
        assert (await client.get(path, headers={"If-None-Match": '"stale"'})).status_code == 200
        assert (
            await client.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT"})
        ).status_code == 200
    assert len(set(first.values())) == len(paths)  # one validator per representation
    await publish(client, 1, seed=1)  # a public change: every validator moves on
    for path in paths:
        r = await client.get(path, headers={"If-None-Match": first[path]})
        assert r.status_code == 200 and r.headers["etag"] != first[path], path
    # Answers for one caller only carry no shared validators.
    h = await sign_in(client, "officer9", "officer", department_code=DEPT)
    r = await client.get("/api/v1/admin/scan-records", headers=h)
    assert r.status_code == 200 and "etag" not in r.headers


async def test_head_wherever_get_is(client) -> None:
    rid = (await publish(client, 2))[0]
    for path in (
        f"/api/v1/results/{rid}",
        "/api/v1/results",
        "/api/v1/exports/results.csv",
        "/feeds/publications.atom",
        "/",
    ):
        get = await client.get(path)
        head = await client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers.get("etag") == get.headers.get("etag")
    assert (await client.head("/api/v1/results/999999")).status_code == 404
    assert (await client.head("/api/v1/complaints")).status_code == 405  # POST only


async def test_lists_link_to_their_next_page(client) -> None:
    ids = await publish(client, 5)
    seen, pages = [], 0
    url: str | None = "/api/v1/results?page_size=2&negative=false"
    while url:
        r = await client.get(url)
        seen += [i["id"] for i in r.json()["items"]]
        pages += 1
        link = r.headers.get("link")
        assert (link is None) == (r.json()["next_cursor"] is None)
        url = None
        if link:
            target, rel = link.split(";")
            assert rel.strip() == 'rel="next"' and "negative=false" in target and "page_size=2" in target
            url = target.strip("<> ").removeprefix("http://testserver.local")
    assert pages == 3 and sorted(seen) == sorted(ids)


async def test_brotli_and_gzip_compression(client) -> None:
    await publish(client, 20)
    plain = await client.get("/api/v1/results?page_size=20", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    for enc in ("br", "gzip"):
        r = await client.get("/api/v1/results?page_size=20", headers={"Accept-Encoding": enc})
        assert r.headers["content-encoding"] == enc and r.json() == plain.json()
    # The bytes on the wire really are brotli (the client above decodes transparently).
    async with client.stream("GET", "/api/v1/exports/results.csv", headers={"Accept-Encoding": "br"}) as s:
        raw = b"".join([c async for c in s.aiter_raw()])
    assert s.headers["content-encoding"] == "br"
    assert brotli.decompress(raw).decode("utf-8-sig").startswith("id,task_number")
    assert len(raw) < len(brotli.decompress(raw))
    assert isinstance(client, httpx.AsyncClient)
