"""Errors raised before any route matched answer in the caller's language: HTML or problem+json."""

from __future__ import annotations


async def test_unknown_addresses(client) -> None:
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-Hans">' in page.text
    for path in ("/api/v1/no-such-thing", "/feeds/none.atom"):
        r = await client.get(path)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json"), path
        assert r.json()["status"] == 404


async def test_wrong_method_on_the_api_is_a_problem(client) -> None:
    r = await client.delete("/api/v1/results")
    assert r.status_code == 405 and r.headers["content-type"].startswith("application/problem+json")
