"""Credit repair in the back office over real HTTP: the department's list (status and overdue
filters, keyset pages), an application's page with its evidence inline and as a download, and
the decision forms calling domain.repair_flow.decide (confirmation step for final decisions,
reasons where required, 404 for another department, 409 for a repeated decision, CSRF)."""

from __future__ import annotations

import datetime as dt
import re

from db.tables import RepairApplication, RepairEvent
from tests.backoffice_helpers import admin_login, admin_post, csrf_of
from tests.repair_helpers import PDF, World, at

D = dt.date
NOW_DAY = D(2026, 11, 25)


async def world_with_application(client, clock) -> tuple[World, int, str]:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2025, 1, 6), "T-1")
    clock["now"] = at(NOW_DAY)
    r = await w.apply(client, rid)
    assert r.status_code == 201, r.text
    return w, rid, r.json()["number"]


async def decide(client, number: str, **form: str):
    return await admin_post(
        client, f"/admin/repair-applications/{number}/decide", form, f"/admin/repair-applications/{number}"
    )


async def status_of(number: str) -> str:
    row = await RepairApplication.select(RepairApplication.status).where(RepairApplication.number == number).first()
    return row["status"]


async def test_detail_shows_result_applicant_timeline_evidence_and_the_open_steps(client, clock) -> None:
    w, _rid, number = await world_with_application(client, clock)
    await admin_login(client, "officer-x")
    r = await client.get(f"/admin/repair-applications/{number}")
    assert r.status_code == 200
    html = r.text
    assert "聊城市丰华食品有限公司" in html and w.a in html and "ent-a" in html
    assert "已完成整改" in html  # the applicant's reason
    for label in ("受理", "不予受理", "一次性告知补正"):
        assert f'<button type="submit">{label}</button>' in html
    assert '<button type="submit">准予修复</button>' not in html  # only once accepted
    files = re.findall(rf'/admin/repair-applications/{number}/files/(\d+)"', html)
    assert files, html
    f = await client.get(f"/admin/repair-applications/{number}/files/{files[0]}")
    assert f.status_code == 200 and f.content == PDF
    assert f.headers["content-type"].startswith("application/pdf")
    assert f.headers["content-disposition"].startswith("inline")
    assert f.headers["x-content-type-options"] == "nosniff"
    d = await client.get(f"/admin/repair-applications/{number}/files/{files[0]}?download=true")
    assert d.headers["content-disposition"].startswith("attachment")
    assert '<iframe src="/admin/repair-applications/' in html


async def test_another_department_gets_404_for_page_file_and_decision(client, clock) -> None:
    _w, _rid, number = await world_with_application(client, clock)
    await admin_login(client, "officer-x")
    file_id = re.findall(r"/files/(\d+)", (await client.get(f"/admin/repair-applications/{number}")).text)[0]
    client.cookies.clear()
    await admin_login(client, "officer-y")
    assert (await client.get(f"/admin/repair-applications/{number}")).status_code == 404
    assert (await client.get(f"/admin/repair-applications/{number}/files/{file_id}")).status_code == 404
    assert (await client.get("/admin/repair-applications/XF-NOPE")).status_code == 404
    token = csrf_of((await client.get("/admin/")).text)
    r = await client.post(
        f"/admin/repair-applications/{number}/decide", data={"action": "accept", "_csrf_token": token}
    )
    assert r.status_code == 404
    assert await status_of(number) == "submitted"
    lst = await client.get("/admin/repair-applications")
    assert number not in lst.text


async def test_accept_then_approve_with_confirmation_stops_publicity(client, clock) -> None:
    _w, rid, number = await world_with_application(client, clock)
    await admin_login(client, "officer-x")
    r = await decide(client, number, action="accept")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/repair-applications/{number}?done=accept"
    assert await status_of(number) == "accepted"
    page = await client.get(r.headers["location"])
    assert "已办理：受理" in page.text and '<button type="submit">准予修复</button>' in page.text

    # 准予修复: the first POST only asks for confirmation.
    r = await decide(client, number, action="approve")
    assert r.status_code == 200 and "请确认：准予修复" in r.text and "确认准予修复" in r.text
    assert await status_of(number) == "accepted"
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 200
    r = await decide(client, number, action="approve", confirm="1")
    assert r.status_code == 303
    assert await status_of(number) == "approved"
    page = await client.get(r.headers["location"])
    assert "该检查结果已停止公示" in page.text and f'href="/api/v1/results/{rid}"' in page.text
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 410

    # The same decision again changes nothing and says why.
    events = await RepairEvent.count()
    r = await decide(client, number, action="approve", confirm="1")
    assert r.status_code == 409 and "未能办理" in r.text
    assert await RepairEvent.count() == events


async def test_reason_required_comes_back_next_to_its_field_with_nothing_stored(client, clock) -> None:
    _w, _rid, number = await world_with_application(client, clock)
    await admin_login(client, "officer-x")
    events = await RepairEvent.count()
    for action, confirm in (("decline", ""), ("decline", "1"), ("request-materials", "")):
        r = await decide(client, number, action=action, reason="  ", confirm=confirm)
        assert r.status_code == 422, (action, r.text[:300])
        assert f'id="f-{action}-reason-error"' in r.text
        assert 'aria-invalid="true"' in r.text
    assert await status_of(number) == "submitted"
    assert await RepairEvent.count() == events
    r = await decide(client, number, action="request-materials", reason="请补充整改报告原件和营业执照副本")
    assert r.status_code == 303
    assert await status_of(number) == "awaiting_materials"
    page = await client.get(f"/admin/repair-applications/{number}")
    assert "期限中止" in page.text and "请补充整改报告原件" in page.text


async def test_decision_without_csrf_token_is_refused(client, clock) -> None:
    _w, _rid, number = await world_with_application(client, clock)
    await admin_login(client, "officer-x")
    r = await client.post(f"/admin/repair-applications/{number}/decide", data={"action": "accept"})
    assert r.status_code == 403
    assert await status_of(number) == "submitted"


async def test_list_filters_and_pages(client, clock) -> None:
    w = await World().setup(client)
    numbers = []
    for i, day in enumerate((D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 24))):
        rid = await w.publish(client, w.a if i % 2 == 0 else w.b, D(2025, 1, 6), f"T-{i}")
        clock["now"] = at(day)
        numbers.append((await w.apply(client, rid, who="a" if i % 2 == 0 else "b")).json()["number"])
    clock["now"] = at(NOW_DAY)
    await admin_login(client, "officer-x")
    r = await client.get("/admin/repair-applications")
    assert [n for n in numbers if n in r.text] == numbers
    overdue = await client.get("/admin/repair-applications?overdue=yes")
    assert numbers[0] in overdue.text and numbers[1] in overdue.text and numbers[2] not in overdue.text
    fresh = await client.get("/admin/repair-applications?overdue=no")
    assert numbers[2] in fresh.text and numbers[0] not in fresh.text
    bad = await client.get("/admin/repair-applications?status=nonsense")
    assert bad.status_code == 422 and "status" in bad.text
    accepted = await client.get("/admin/repair-applications?status=accepted")
    assert all(n not in accepted.text for n in numbers)
