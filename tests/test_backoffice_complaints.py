"""Complaints in the back office over real HTTP: the supervisor's region list, a complaint's page
with the cross-check and its moves as buttons (a public note each, seen by the complainant on
the tracking API), referral, field errors with nothing stored, the named department's masked view
and response note, and 404 for another region or department."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from db.tables import ComplaintEvent
from db.users import create_user
from tests.backoffice_helpers import admin_login, admin_post
from tests.complaint_fixtures import DEPT, OTHER_DEPT, PHONE, add_departments, add_scan, body, client_ip, visit_time
from tests.helpers import BROWSER, PASSWORD, make_uscc


@pytest.fixture
async def client(app, clean_db):
    transport = httpx.ASGITransport(app=app, client=client_ip())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local", event_hooks=BROWSER) as c:
        await add_departments()
        await create_user("sf-lc", PASSWORD, "supervisor", region_code="371500")
        await create_user("sf-sx", PASSWORD, "supervisor", region_code="140000")
        await create_user("off-scjg", PASSWORD, "officer", department_code=DEPT)
        await create_user("off-sthj", PASSWORD, "officer", department_code=OTHER_DEPT)
        yield c


async def file(client) -> dict:
    u = make_uscc(seed=5)
    visit = visit_time(3)
    await add_scan(u, visit - dt.timedelta(minutes=20))
    r = await client.post("/api/v1/complaints", json=body(u, visited_at=visit.isoformat()))
    assert r.status_code == 201, r.text
    return r.json()


async def move(client, number: str, **form: str) -> httpx.Response:
    return await admin_post(client, f"/admin/complaints/{number}/move", form, f"/admin/complaints/{number}")


async def test_supervisor_moves_a_complaint_to_substantiated_with_public_notes(client) -> None:
    filed = await file(client)
    number = filed["number"]
    await admin_login(client, "sf-lc")
    inbox = await client.get("/admin/")
    assert number in inbox.text.split('id="q-complaints"', 1)[1]
    lst = await client.get("/admin/complaints")
    assert number in lst.text
    page = await client.get(f"/admin/complaints/{number}")
    assert page.status_code == 200
    assert PHONE in page.text  # the handler sees the contact in full
    assert "有扫码记录" in page.text  # the cross-check summary
    assert '<button type="submit">开始核查</button>' in page.text
    assert '<button type="submit">认定属实</button>' not in page.text  # not open yet

    r = await move(client, number, to="under_review", note="已调取执法记录仪视频")
    assert r.status_code == 303
    r = await move(client, number, to="substantiated", note="经核查，执法人员未扫码入企，已责令整改")
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "已变更为：属实" in page.text
    t = await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": filed["lookup_code"]})
    assert t.status_code == 200
    assert "经核查，执法人员未扫码入企，已责令整改" in t.text and t.json()["status"] == "substantiated"


async def test_a_move_without_its_note_is_refused_next_to_the_field(client) -> None:
    number = (await file(client))["number"]
    await admin_login(client, "sf-lc")
    events = await ComplaintEvent.count()
    r = await move(client, number, to="under_review", note="   ")
    assert r.status_code == 422
    assert 'id="f-under_review-note-error"' in r.text and 'aria-invalid="true"' in r.text
    assert await ComplaintEvent.count() == events
    await move(client, number, to="under_review", note="核查中")
    r = await move(client, number, to="referred", note="转交生态环境局办理")
    assert r.status_code == 422 and 'id="f-referred-referred_to-error"' in r.text
    r = await move(client, number, to="referred", note="转交生态环境局办理", referred_to=OTHER_DEPT)
    assert r.status_code == 303
    # A repeated (stale) form: the complaint has moved on, nothing changes twice.
    events = await ComplaintEvent.count()
    r = await move(client, number, to="referred", note="转交生态环境局办理", referred_to=OTHER_DEPT)
    assert r.status_code == 409
    assert await ComplaintEvent.count() == events


async def test_named_department_sees_it_masked_and_adds_a_note_others_get_404(client) -> None:
    number = (await file(client))["number"]
    await admin_login(client, "off-scjg")
    page = await client.get(f"/admin/complaints/{number}")
    assert page.status_code == 200
    assert PHONE not in page.text and "已脱敏" in page.text
    assert "开始核查" not in page.text  # the department may respond, not decide
    r = await admin_post(
        client, f"/admin/complaints/{number}/note", {"note": "本局已核实情况"}, f"/admin/complaints/{number}"
    )
    assert r.status_code == 303
    forced = await move(client, number, to="under_review", note="x")
    assert forced.status_code == 403
    for who in ("off-sthj", "sf-sx"):
        client.cookies.clear()
        await admin_login(client, who)
        assert (await client.get(f"/admin/complaints/{number}")).status_code == 404
        assert number not in (await client.get("/admin/complaints")).text
