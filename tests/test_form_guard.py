"""Every portal form post goes through one guard (portal/form_guard.py, issue 13 item 7): a foreign
Origin is refused with a 403 page and nothing is stored; with no Origin the form token is required.
The clients here have no browser-Origin hook: each request says exactly what it sends."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest

from db.tables import Complaint, User
from tests.complaint_fixtures import add_departments, body, client_ip, jpg
from tests.helpers import PASSWORD, make_uscc

EVIL = "https://evil.example"
TEMPLATES = Path(__file__).resolve().parent.parent / "portal" / "templates"


@pytest.fixture
async def raw(app, clean_db, files_dir: Path):
    await app.state.limiter.store.delete_all()
    shutil.rmtree(files_dir / "tmp", ignore_errors=True)
    transport = httpx.ASGITransport(app=app, client=client_ip())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        await add_departments()
        yield c


def form(uscc: str) -> dict:
    b = dict(body(uscc))
    b["visited_at"] = b["visited_at"][:16]
    b["officers"] = "李明"
    return b


def token_of(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def file_complaint(c: httpx.AsyncClient, headers: dict, extra: dict | None = None) -> httpx.Response:
    return await c.post(
        "/complaints/new",
        data={**(extra or {}), **form(make_uscc())},
        files=[("attachments", ("现场.jpg", jpg(), "image/jpeg"))],
        headers=headers,
    )


async def test_a_complaint_posted_from_another_site_is_refused_and_not_stored(raw) -> None:
    r = await file_complaint(raw, {"Origin": EVIL})
    assert r.status_code == 403
    assert "text/html" in r.headers["content-type"] and "跨站提交被拒绝" in r.text
    assert await Complaint.count() == 0
    # `null` (a sandboxed or privacy-stripped origin) is not this site either.
    assert (await file_complaint(raw, {"Origin": "null"})).status_code == 403
    # Without Origin, a browser's Sec-Fetch-Site still says where the post came from.
    assert (await file_complaint(raw, {"Sec-Fetch-Site": "cross-site"})).status_code == 403
    assert await Complaint.count() == 0


async def test_every_portal_form_post_refuses_a_foreign_origin(raw) -> None:
    posts = [
        ("/complaints/track", {"number": "TS-1", "lookup_code": "x"}),
        ("/repair/sign-in", {"username": "someone", "password": PASSWORD}),
        ("/repair/sign-out", {}),
        ("/repair/apply/1", {"reason": "x"}),
        ("/repair/objections/new/1", {"reason": "x"}),
    ]
    for path, data in posts:
        r = await raw.post(path, data=data, headers={"Origin": EVIL})
        assert r.status_code == 403 and "跨站提交被拒绝" in r.text, (path, r.status_code)


async def test_this_sites_origin_passes_without_a_token(raw) -> None:
    for origin in ("http://testserver.local", "http://testserver.local:80"):
        r = await file_complaint(raw, {"Origin": origin})
        assert r.status_code == 200, r.text
    assert await Complaint.count() == 2


async def test_without_origin_the_form_token_is_required(raw) -> None:
    r = await file_complaint(raw, {})
    assert r.status_code == 403 and "安全令牌" in r.text
    page = await raw.get("/complaints/new")
    token = token_of(page.text)
    assert raw.cookies.get("gongshi_csrf") == token
    assert page.headers["cache-control"] == "no-store"
    # A token that is not the cookie's is refused, as is the cookie without a field.
    assert (await file_complaint(raw, {}, {"_csrf_token": "0" * 128})).status_code == 403
    assert (await file_complaint(raw, {})).status_code == 403
    assert await Complaint.count() == 0
    # The streamed multipart filing still arrives whole after the guard read its first field.
    r = await file_complaint(raw, {}, {"_csrf_token": token})
    assert r.status_code == 200, r.text
    assert await Complaint.count() == 1
    # URL-encoded forms too, and the header for scripts.
    t = await raw.post("/complaints/track", data={"_csrf_token": token, "number": "TS-1", "lookup_code": "x"})
    assert t.status_code == 422 and "安全令牌" not in t.text  # the handler's own answer to a bad number
    h = await raw.post("/complaints/track", data={"number": "TS-1", "lookup_code": "x"}, headers={"X-CSRFToken": token})
    assert h.status_code == 422


async def test_a_forged_token_signed_with_another_key_is_refused(raw) -> None:
    from portal.form_guard import mint

    forged = mint(b"another key")
    raw.cookies.set("gongshi_csrf", forged, domain="testserver.local")
    r = await raw.post("/complaints/track", data={"_csrf_token": forged, "number": "TS-1", "lookup_code": "x"})
    assert r.status_code == 403


async def test_pages_without_forms_set_no_token_cookie(raw) -> None:
    for path in ("/", "/plans", "/open-data"):
        r = await raw.get(path)
        assert r.status_code == 200 and "gongshi_csrf" not in r.headers.get("set-cookie", ""), path
    await raw.get("/complaints/track")
    first = raw.cookies.get("gongshi_csrf")
    assert first
    r = await raw.get("/repair")
    assert "gongshi_csrf" not in r.headers.get("set-cookie", "") and token_of(r.text) == first


async def test_portal_sign_in_without_origin_needs_the_token(raw) -> None:
    await User.delete(force=True)
    from db.users import create_user

    await create_user("ent-g", PASSWORD, "enterprise", uscc=make_uscc())
    r = await raw.post("/repair/sign-in", data={"username": "ent-g", "password": PASSWORD})
    assert r.status_code == 403
    token = token_of((await raw.get("/repair")).text)
    r = await raw.post("/repair/sign-in", data={"username": "ent-g", "password": PASSWORD, "_csrf_token": token})
    assert r.status_code == 303


async def test_back_office_refuses_a_foreign_origin_even_with_its_token(raw) -> None:
    page = await raw.get("/admin/login")
    token = token_of(page.text)
    data = {"username": "x", "password": "y", "_csrf_token": token}
    r = await raw.post("/admin/login", data=data, headers={"Origin": EVIL})
    assert r.status_code == 403 and "跨站提交被拒绝" in r.text
    # Its own CSRF still applies to same-site posts: without the token, refused.
    r = await raw.post(
        "/admin/login", data={"username": "x", "password": "y"}, headers={"Origin": "http://testserver.local"}
    )
    assert r.status_code == 403
    r = await raw.post("/admin/login", data=data, headers={"Origin": "http://testserver.local"})
    assert r.status_code == 401


def test_every_portal_post_form_carries_the_token_first() -> None:
    found = 0
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<form[^>]*>", text):
            if 'method="post"' not in m.group(0).lower():
                continue
            found += 1
            after = text[m.end() :].lstrip()
            assert after.startswith('<input type="hidden" name="_csrf_token" value="{{ form_token() }}">'), path
    assert found >= 6
