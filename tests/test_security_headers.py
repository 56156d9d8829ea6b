"""Security headers on every kind of response (issue 13, item 4), and no template or page the
app serves carries an inline script, inline style or event-handler attribute that the
Content-Security-Policy would block."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import httpx

from tests.portal_helpers import seed
from tests.test_portal_pages import pages_of

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _check(r: httpx.Response, where: str) -> None:
    for name, value in EXPECTED.items():
        assert r.headers.get(name) == value, (where, name, r.headers.get(name))
    csp = r.headers.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert directives.get("script-src") == ["'self'"], (where, csp)
    assert directives.get("style-src") == ["'self'"], (where, csp)
    assert directives.get("object-src") == ["'none'"], (where, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in r.headers.get("permissions-policy", ""), where
    assert "strict-transport-security" not in r.headers, where  # BASE_URL is http here


async def test_every_kind_of_response_carries_the_headers(client) -> None:
    s = await seed(client)
    urls = [
        *pages_of(s),
        "/api/v1/results",
        f"/api/v1/results/{s.result_ids[0]}",
        "/api/v1/results/999999",  # problem+json 404 from a handler
        "/no-such-page",  # 404 no route produced
        "/api/v1/no-such-thing",
        "/static/portal.css",
        "/schema",
        "/schema/openapi.json",
        "/schema/assets/swagger-init.js",
        "/feeds/publications.atom",
        "/complaints/new",
    ]
    for url in urls:
        r = await client.get(url)
        assert r.status_code < 500, (url, r.status_code)
        _check(r, url)
    r = await client.delete("/plans")  # 405
    _check(r, "DELETE /plans")


async def test_hsts_only_when_the_base_url_is_https(app, settings) -> None:
    from app import create_app
    from db.engine import bind_tables

    for base, hsts_seconds, expected in (
        ("https://gongshi.example.gov.cn", 31536000, "max-age=31536000; includeSubDomains"),
        ("https://gongshi.example.gov.cn", 0, None),
        ("http://gongshi.example.gov.cn", 31536000, None),
    ):
        other = create_app(dataclasses.replace(settings, base_url=base, hsts_seconds=hsts_seconds))
        bind_tables(app.state.engine)  # keep the session's engine for the other tests
        transport = httpx.ASGITransport(app=other)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            for url in ("/open-data", "/api/v1/no-such-thing"):
                r = await c.get(url)
                assert r.headers.get("strict-transport-security") == expected, (base, hsts_seconds, url)


def test_hsts_seconds_is_read_from_the_environment() -> None:
    from settings import Settings

    assert Settings.from_env({"HSTS_SECONDS": "600"}).hsts_seconds == 600
    assert Settings.from_env({}).hsts_seconds == 31536000


INLINE = [
    (re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style[\s>]", re.I), "inline <style>"),
    (re.compile(r"""\sstyle\s*=\s*["']""", re.I), "style= attribute"),
    (re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I), "event-handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def _inline(text: str) -> list[str]:
    return [label for pattern, label in INLINE if pattern.search(text)]


def test_no_template_has_inline_script_or_style() -> None:
    """The templates of served pages (render/templates/guide.html is a downloaded file, served
    as an attachment, so its own <style> stays)."""
    found = []
    served = [p for pkg in ("portal", "backoffice") for p in (ROOT / pkg).glob("templates/**/*.html")]
    assert len(served) > 20
    for path in sorted(served):
        for label in _inline(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}: {label}")
    assert found == []


def test_the_inline_check_sees_each_kind() -> None:
    assert _inline('<span style="color: red">') == ["style= attribute"]
    assert _inline("<script>alert(1)</script>") == ["inline <script>"]
    assert _inline('<script src="/static/a.js" defer></script>') == []
    assert _inline('<img src=x onerror="alert(1)">') == ["event-handler attribute"]


async def test_the_api_docs_page_has_no_inline_script(client) -> None:
    for url in ("/schema", "/schema/swagger"):
        r = await client.get(url)
        assert r.status_code == 200
        assert _inline(r.text) == [], url
