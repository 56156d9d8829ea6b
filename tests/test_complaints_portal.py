"""Complaint pages: the filing form, the confirmation with number and lookup code, tracking."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest

from db.tables import Complaint
from tests.complaint_fixtures import PHONE, add_departments, body, client_ip, jpg, snapshot, stray_files
from tests.helpers import BROWSER, make_uscc, sign_in


@pytest.fixture
async def client(app, clean_db, files_dir: Path):
    await app.state.limiter.store.delete_all()
    for d in ("complaints", "tmp"):
        shutil.rmtree(files_dir / d, ignore_errors=True)
    transport = httpx.ASGITransport(app=app, client=client_ip())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local", event_hooks=BROWSER) as c:
        await add_departments()
        yield c


def form_fields(b: dict) -> dict:
    b = dict(b)
    b["visited_at"] = b["visited_at"][:16]  # what a datetime-local input sends
    b["officers"] = "李明"
    return b


async def file_via_form(client, uscc: str | None = None) -> tuple[str, str, httpx.Response]:
    r = await client.post(
        "/complaints/new",
        data=form_fields(body(uscc or make_uscc())),
        files=[("attachments", ("现场.jpg", jpg(), "image/jpeg"))],
    )
    assert r.status_code == 200, r.text
    number = re.search(r'id="complaint-number">([^<]+)<', r.text).group(1)
    code = re.search(r'id="lookup-code">([^<]+)<', r.text).group(1)
    return number, code, r


async def test_form_renders_in_both_languages(client) -> None:
    r = await client.get("/complaints/new")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert '<html lang="zh-Hans">' in r.text and "投诉未扫码入企" in r.text
    assert 'enctype="multipart/form-data"' in r.text and 'name="attachments"' in r.text
    assert "聊城市市场监督管理局" in r.text and 'value="371500-scjg"' in r.text
    en = await client.get("/complaints/new", params={"lang": "en"})
    assert (
        "Complain about an unscanned entry" in en.text
        and "Inspecting department" in en.text
        and "Contact phone" in en.text
    )
    services = await client.get("/services")
    assert 'href="/complaints/new"' in services.text and 'href="/complaints/track"' in services.text


async def test_file_then_track_through_the_pages(client) -> None:
    number, code, r = await file_via_form(client)
    assert r.headers["cache-control"] == "no-store"
    assert f"/complaints/track?number={number}" in r.text
    c = await Complaint.select().where(Complaint.number == number).first()
    assert c["contact_phone"] == "+86" + PHONE
    api = await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": code})
    assert api.status_code == 200 and api.json()["attachments"] == 1

    sup = await sign_in(client, "sf", "supervisor", region_code="371500")
    note = '<script>alert("x")</script>已受理，正在核查。'
    await client.post(
        f"/api/v1/admin/complaints/{number}/transitions", json={"to": "under_review", "note": note}, headers=sup
    )
    prefilled = await client.get("/complaints/track", params={"number": number})
    assert f'value="{number}"' in prefilled.text
    t = await client.post("/complaints/track", data={"number": number, "lookup_code": code})
    assert t.status_code == 200, t.text
    assert "核查中" in t.text and "&lt;script&gt;" in t.text and "<script>alert" not in t.text
    assert PHONE not in t.text and "王建国" not in t.text
    assert t.headers["cache-control"] == "no-store"
    wrong = await client.post("/complaints/track", data={"number": number, "lookup_code": "AAAABBBBCCCCDDDD"})
    assert wrong.status_code == 404 and "没有找到该投诉" in wrong.text and "核查中" not in wrong.text


async def test_a_bad_form_comes_back_with_messages_and_values_and_stores_nothing(client, files_dir: Path) -> None:
    b = form_fields({**body(make_uscc()), "contact_phone": "8241234", "uscc": "91440300708461136X", "description": ""})
    r = await client.post("/complaints/new", data=b, files=[("attachments", ("a.jpg", jpg(), "image/jpeg"))])
    assert r.status_code == 422
    assert 'id="e-contact_phone"' in r.text and "区号" in r.text
    assert 'id="e-uscc"' in r.text and 'id="e-description"' in r.text
    assert 'value="聊城市丰华食品有限公司"' in r.text and 'value="8241234"' in r.text
    assert 'aria-invalid="true"' in r.text
    assert await snapshot() == (0, 0, 0, 0) and stray_files(files_dir) == []
