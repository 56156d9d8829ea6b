"""Filing complaints: every bad input refused with the database and the disk unchanged, and
attachments stored all-or-nothing (too large, truncated, failing half-way, client gone)."""

from __future__ import annotations

import base64
import datetime as dt
import shutil
from pathlib import Path

import httpx
import pytest

import db.complaints
from db.tables import Attachment, Complaint
from tests.complaint_fixtures import (
    DEPT,
    SHANGHAI,
    add_departments,
    body,
    client_ip,
    jpg,
    mp4,
    png,
    snapshot,
    stray_files,
)
from tests.helpers import make_uscc, sign_in

URL = "/api/v1/complaints"


@pytest.fixture
async def client(app, clean_db, files_dir: Path):
    await app.state.limiter.store.delete_all()
    for d in ("complaints", "tmp"):
        shutil.rmtree(files_dir / d, ignore_errors=True)
    transport = httpx.ASGITransport(app=app, client=client_ip())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        await add_departments()
        yield c


def form(b: dict) -> dict:
    return {k: v for k, v in b.items()}


async def assert_nothing_stored(files_dir: Path) -> None:
    assert await snapshot() == (0, 0, 0, 0)
    assert stray_files(files_dir) == []


async def test_multipart_with_photo_and_video(client, files_dir: Path) -> None:
    files = [
        ("attachments", ("现场.jpg", jpg(), "image/jpeg")),
        ("attachments", ("clip.bin", mp4(), "application/octet-stream")),
    ]  # type from content, not name
    r = await client.post(URL, data=form(body(make_uscc())), files=files)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    rows = await Attachment.select().order_by(Attachment.id)
    assert [(a["filename"], a["content_type"], a["bytes"]) for a in rows] == [
        ("现场.jpg", "image/jpeg", len(jpg())),
        ("clip.bin", "video/mp4", len(mp4())),
    ]
    assert all(a["owner_type"] == "complaint" for a in rows)
    assert sorted(p.name for p in (files_dir / "complaints" / number).iterdir()) == sorted(
        Path(a["path"]).name for a in rows
    )
    assert not any((files_dir / "tmp").iterdir())
    c = await Complaint.select().first()
    assert c["officers"] == "李明、执法证 3715001"
    sup = await sign_in(client, "sf", "supervisor", region_code="371500")
    detail = (await client.get(f"/api/v1/admin/complaints/{number}", headers=sup)).json()
    assert [a["content_type"] for a in detail["attachments"]] == ["image/jpeg", "video/mp4"]
    got = await client.get(detail["attachments"][1]["url"].replace("http://testserver.local", ""), headers=sup)
    assert got.status_code == 200 and got.content == mp4()
    t = await client.get(f"{URL}/{number}", params={"lookup_code": r.json()["lookup_code"]})
    assert t.json()["attachments"] == 2


async def test_json_with_base64_attachment(client, files_dir: Path) -> None:
    b = body(make_uscc(), attachments=[{"filename": "a.png", "content_base64": base64.b64encode(png()).decode()}])
    r = await client.post(URL, json=b)
    assert r.status_code == 201, r.text
    [a] = await Attachment.select()
    assert a["content_type"] == "image/png" and (files_dir / a["path"]).read_bytes() == png()


async def test_a_form_without_files_and_naive_local_time(client) -> None:
    visit = (dt.datetime.now(SHANGHAI) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")  # datetime-local
    b = form(body(make_uscc(), visited_at=visit, officers="", scanned="unknown"))
    r = await client.post(URL, data=b, files=[("attachments", ("", b"", "application/octet-stream"))])
    assert r.status_code == 201, r.text
    c = await Complaint.select().first()
    assert c["visited_at"].astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") == visit
    assert await Attachment.count() == 0


BAD = [
    ({"uscc": "91440300708461136X"}, "uscc", "校验位"),
    ({"uscc": "9144030070846113"}, "uscc", "18"),
    ({"uscc": ""}, "uscc", "required"),
    ({"visited_at": (dt.datetime.now(SHANGHAI) + dt.timedelta(hours=2)).isoformat()}, "visited_at", "future"),
    ({"visited_at": (dt.datetime.now(SHANGHAI) - dt.timedelta(days=91)).isoformat()}, "visited_at", "90 days"),
    ({"visited_at": "yesterday"}, "visited_at", "ISO 8601"),
    ({"contact_phone": "12345678901"}, "contact_phone", "mobile"),
    ({"contact_phone": "8241234"}, "contact_phone", "area code"),
    ({"contact_phone": "+1 202 555 0100"}, "contact_phone", "mobile"),
    ({"contact_phone": "0000-1234567"}, "contact_phone", "area code"),
    ({"description": "   "}, "description", "required"),
    ({"description": "很" * 5001}, "description", "5000"),
    ({"department": "999999-none"}, "department", "unknown department"),
    ({"scanned": "maybe"}, "scanned", "yes, no, unknown"),
    ({"enterprise_name": ""}, "enterprise_name", "required"),
    ({"contact_name": ""}, "contact_name", "required"),
    ({"place": ""}, "place", "required"),
    ({"contact_phone": 13812345678}, "contact_phone", "Expected `str`"),
    (
        {
            "attachments": [
                {"filename": "a.jpg", "content_base64": base64.b64encode(b"MZ\x90\x00 not an image" * 20).decode()}
            ]
        },
        "attachments[0]",
        "content",
    ),
    (
        {"attachments": [{"filename": "a.jpg", "content_base64": "%%%not base64%%%"}]},
        "attachments[0].content_base64",
        "base64",
    ),
    (
        {
            "attachments": [
                {"filename": f"{i}.png", "content_base64": base64.b64encode(png()).decode()} for i in range(6)
            ]
        },
        "attachments",
        "at most 5",
    ),
]


@pytest.mark.parametrize("change,field,words", BAD, ids=[f"{f}:{w}" for _, f, w in BAD])
async def test_each_bad_input_is_a_422_and_stores_nothing(client, files_dir: Path, change, field, words) -> None:
    r = await client.post(URL, json={**body(make_uscc()), **change})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert field in errors, errors
    assert words in errors[field], errors
    await assert_nothing_stored(files_dir)


async def test_every_missing_field_is_named_at_once(client, files_dir: Path) -> None:
    r = await client.post(URL, json={})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {
        "uscc",
        "enterprise_name",
        "contact_name",
        "contact_phone",
        "visited_at",
        "place",
        "department",
        "description",
    }
    for raw in (b"{not json", b"[1,2]"):
        r = await client.post(URL, content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 422, r.text
    await assert_nothing_stored(files_dir)


async def test_a_disguised_file_in_a_form_is_refused(client, files_dir: Path) -> None:
    files = [
        ("attachments", ("ok.png", png(), "image/png")),
        ("attachments", ("photo.jpg", b"<html>not a photo</html>" * 30, "image/jpeg")),
    ]
    r = await client.post(URL, data=form(body(make_uscc())), files=files)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attachments[1]", r.text
    await assert_nothing_stored(files_dir)


async def test_second_file_too_large_leaves_nothing(client, settings, files_dir: Path) -> None:
    big = png(extra=settings.max_attachment_bytes)  # a photo one limit plus its header long
    files = [("attachments", ("a.jpg", jpg(), "image/jpeg")), ("attachments", ("b.png", big, "image/png"))]
    r = await client.post(URL, data=form(body(make_uscc())), files=files)
    assert r.status_code == 413, r.text
    assert r.json()["errors"][0]["field"] == "attachments[1]"
    await assert_nothing_stored(files_dir)


async def test_truncated_upload_leaves_nothing(client, files_dir: Path) -> None:
    req = httpx.Request(
        "POST",
        "http://testserver.local" + URL,
        data=form(body(make_uscc())),
        files=[
            ("attachments", ("a.jpg", jpg(), "image/jpeg")),
            ("attachments", ("b.mp4", mp4(extra=5000), "video/mp4")),
        ],
    )
    full = req.read()
    cut = full[: full.index(b"ftypmp42") + 2000]  # the second file stops half-way, no closing boundary
    r = await client.post(URL, content=cut, headers={"content-type": req.headers["content-type"]})
    assert r.status_code == 400, r.text
    await assert_nothing_stored(files_dir)


async def test_failure_after_the_first_file_is_moved_leaves_nothing(client, files_dir: Path, monkeypatch) -> None:
    real = db.complaints.move_file
    calls = []

    def failing_move(src: Path, dst: Path) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(db.complaints, "move_file", failing_move)
    files = [("attachments", ("a.jpg", jpg(), "image/jpeg")), ("attachments", ("b.mp4", mp4(), "video/mp4"))]
    r = await client.post(URL, data=form(body(make_uscc())), files=files)
    assert r.status_code == 500 and "Traceback" not in r.text
    assert len(calls) == 2 and not calls[0].exists()  # the first file had been moved into place
    await assert_nothing_stored(files_dir)


async def test_client_disconnecting_mid_upload_leaves_nothing(app, client, files_dir: Path) -> None:
    req = httpx.Request(
        "POST",
        "http://testserver.local" + URL,
        data=form(body(make_uscc())),
        files=[
            ("attachments", ("a.jpg", jpg(), "image/jpeg")),
            ("attachments", ("b.mp4", mp4(extra=50_000), "video/mp4")),
        ],
    )
    full = req.read()
    chunks = [full[:30_000], full[30_000:40_000]]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": URL,
        "raw_path": URL.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"content-type", req.headers["content-type"].encode())],
        "client": client_ip(),
        "server": ("testserver.local", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        if chunks:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": True}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    assert sent and sent[0]["status"] >= 400
    await assert_nothing_stored(files_dir)


async def test_a_complaint_is_cross_checked_against_scan_records(client) -> None:
    from tests.complaint_fixtures import add_scan, visit_time

    u = make_uscc()
    visit = visit_time(4)
    await add_scan(u, visit + dt.timedelta(minutes=10), method="scan", creds=["3715009"])
    r = await client.post(URL, json=body(u, visited_at=visit.isoformat()))
    assert r.status_code == 201
    c = await Complaint.select().first()
    check = c["crosscheck"]
    if isinstance(check, str):
        import json

        check = json.loads(check)
    assert check["outcome"] == "scan_found" and check["consistent_with_claim"] is False
    assert check["records"][0]["fewer_than_two_officers"] is True and "3715009" in check["summary"]
    r = await client.post(URL, json=body(make_uscc(), visited_at=visit.isoformat()))
    c = await Complaint.select().where(Complaint.number == r.json()["number"]).first()
    assert "no_record" in str(c["crosscheck"])
    assert DEPT in c["department_code"]
