"""Complaints over HTTP: filing, cross-check, handling by role, tracking, statistics, rate limits.

Runs on whichever database DATABASE_URL names (SQLite by default, PostgreSQL in CI)."""

from __future__ import annotations

import datetime as dt
import json
import re

import httpx
import pytest

from db.tables import AuditLog, Complaint
from domain.workdays import add_working_days
from tests.complaint_fixtures import (
    DEPT,
    FAR_DEPT,
    OTHER_DEPT,
    PHONE,
    SHANGHAI,
    add_departments,
    add_scan,
    body,
    client_ip,
    snapshot,
    visit_time,
)
from tests.helpers import make_uscc, sign_in

ADMIN = "/api/v1/admin/complaints"


@pytest.fixture
async def client(app, clean_db):
    # Tracking numbers come from row ids, which SQLite reuses after the tables are emptied:
    # start each test with fresh rate-limit counters.
    await app.state.limiter.store.delete_all()
    transport = httpx.ASGITransport(app=app, client=client_ip())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        await add_departments()
        yield c


async def file(client, **kw) -> dict:
    r = await client.post("/api/v1/complaints", json=body(kw.pop("uscc", None) or make_uscc(), **kw))
    assert r.status_code == 201, r.text
    return r.json()


async def test_whole_lifecycle(client, settings) -> None:
    u = make_uscc(seed=11)
    visit = visit_time(3)
    await add_scan(u, visit - dt.timedelta(minutes=30), method="checkin", location="柳园路18号")
    await add_scan(u, visit - dt.timedelta(hours=5))  # outside the window: not counted
    await add_scan(u, visit, dept=OTHER_DEPT)  # another department: not counted
    r = await client.post("/api/v1/complaints", json=body(u.lower(), visited_at=visit.isoformat()))
    assert r.status_code == 201, r.text
    filed = r.json()
    number, code = filed["number"], filed["lookup_code"]
    assert re.fullmatch(r"TS-\d{4}-\d{6}-[0-9A-Z]", number)
    assert re.fullmatch(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", code)
    today = dt.datetime.now(SHANGHAI).date()
    assert filed["status"] == "received"
    assert filed["respond_by"] == add_working_days(today, settings.complaint_respond_days).isoformat()
    row = await Complaint.select().where(Complaint.number == number).first()
    assert code not in json.dumps(row, default=str) and row["lookup_code_hash"].startswith("sha256$")
    assert row["uscc"] == u and row["contact_phone"] == "+86" + PHONE

    # Tracking without an account: status and public notes, no personal data.
    t = await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": code.lower().replace("-", "")})
    assert t.status_code == 200, t.text
    assert t.json()["status"] == "received" and len(t.json()["events"]) == 1
    assert PHONE not in t.text and "王建国" not in t.text and u not in t.text and "3715001" not in t.text

    sup = await sign_in(client, "sf-liaocheng", "supervisor", region_code="371500")
    off = await sign_in(client, "scjg-officer", "officer", department_code=DEPT)

    # The supervisor's list: full contact, cross-check finding, overdue flag.
    page = (await client.get(ADMIN, headers=sup)).json()
    [item] = page["items"]
    assert item["contact_phone"] == "+86" + PHONE and item["contact_name"] == "王建国"
    assert item["access"] == "handler" and item["overdue"] is False
    assert item["crosscheck"]["outcome"] == "checkin_only"
    assert [rec["minutes_from_visit"] for rec in item["crosscheck"]["records"]] == [-30]
    assert item["allowed_moves"] == ["under_review"]
    # The department complained about: contact masked, cannot decide, may respond.
    mine = (await client.get(ADMIN, headers=off)).json()["items"][0]
    assert mine["contact_phone"] == "+86*******5678" and mine["contact_name"] == "王**"
    assert mine["access"] == "department" and mine["allowed_moves"] == []

    async def move(to: str, note: str, headers=sup, **kw) -> httpx.Response:
        return await client.post(f"{ADMIN}/{number}/transitions", json={"to": to, "note": note, **kw}, headers=headers)

    assert (await move("under_review", "已转交核查", headers=off)).status_code == 403
    assert (await move("substantiated", "跳过核查")).status_code == 409  # received → substantiated: not a move
    r = await move("under_review", "已受理，正在调取执法记录仪视频。")
    assert r.status_code == 200 and r.json()["status"] == "under_review", r.text
    n = await client.post(
        f"{ADMIN}/{number}/notes", json={"note": "当日为定位打卡，执法人员未扫码，已批评教育。"}, headers=off
    )
    assert n.status_code == 201, n.text
    assert (await move("substantiated", "经核实，执法人员未按规定扫码入企，投诉属实。")).status_code == 200
    assert (await move("closed", "已责令整改并通报，办结。")).status_code == 200
    assert (await move("under_review", "重开")).status_code == 409
    assert (await client.post(f"{ADMIN}/{number}/notes", json={"note": "x"}, headers=off)).status_code == 409

    t = (await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": code})).json()
    assert t["status"] == "closed" and t["closed_at"]
    assert [(e["status"], e["by"]) for e in t["events"]] == [
        ("received", "system"),
        ("under_review", "supervisor"),
        ("under_review", "department"),
        ("substantiated", "supervisor"),
        ("closed", "supervisor"),
    ]
    assert t["events"][2]["note"].startswith("当日为定位打卡")
    assert all(dt.datetime.fromisoformat(e["at"]).tzinfo for e in t["events"])
    assert "scjg-officer" not in json.dumps(t) and "sf-liaocheng" not in json.dumps(t)
    actions = [a["action"] for a in await AuditLog.select(AuditLog.action).order_by(AuditLog.id)]
    assert actions == ["complaint_under_review", "complaint_note", "complaint_substantiated", "complaint_closed"]


async def test_wrong_code_is_the_same_404_as_an_unknown_number(client) -> None:
    filed = await file(client)
    number = filed["number"]
    wrong = await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": "AAAA-BBBB-CCCC-DDDD"})
    from domain.complaints import tracking_number

    unknown = await client.get(
        f"/api/v1/complaints/{tracking_number(2026, 987654)}", params={"lookup_code": filed["lookup_code"]}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    # A typo in the number itself is caught by the check character (422), which reveals nothing.
    typo = number[:-1] + ("A" if number[-1] != "A" else "B")
    r = await client.get(f"/api/v1/complaints/{typo}", params={"lookup_code": filed["lookup_code"]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "number"
    r = await client.get(f"/api/v1/complaints/{number}")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lookup_code"


async def test_brute_force_lookups_hit_the_rate_limit(client, settings) -> None:
    filed = await file(client)
    number, limit = filed["number"], settings.complaint_lookup_limit
    statuses = []
    # 2×limit+1 guesses: even if a window boundary falls inside the loop, one window sees > limit.
    for i in range(2 * limit + 1):
        r = await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": f"WRONG{i:04d}"})
        statuses.append(r.status_code)
    assert set(statuses) == {404, 429}, statuses
    assert statuses.index(429) <= limit
    blocked = await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": filed["lookup_code"]})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert blocked.headers["content-type"].startswith("application/problem+json")


async def test_guesses_from_many_addresses_are_limited_per_number(app, client, settings) -> None:
    filed = await file(client)
    statuses = []
    for _ in range(2 * settings.complaint_lookup_limit + 1):
        transport = httpx.ASGITransport(app=app, client=client_ip())
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
            r = await other.get(f"/api/v1/complaints/{filed['number']}", params={"lookup_code": "NOPE"})
            statuses.append(r.status_code)
    assert 429 in statuses and set(statuses) <= {404, 429}


async def test_filing_is_rate_limited_per_uscc_and_per_client(app, client, settings) -> None:
    u = make_uscc(seed=99)
    codes = []
    for _ in range(2 * settings.complaint_file_limit_uscc + 1):
        transport = httpx.ASGITransport(app=app, client=client_ip())
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as other:
            codes.append((await other.post("/api/v1/complaints", json=body(u))).status_code)
    assert 429 in codes and set(codes) == {201, 429}
    assert await Complaint.count().where(Complaint.uscc == u) == codes.count(201)
    before = await Complaint.count()
    codes = [
        (await client.post("/api/v1/complaints", json=body(make_uscc()))).status_code
        for _ in range(2 * settings.complaint_file_limit_client + 1)
    ]
    assert 429 in codes and set(codes) == {201, 429}
    assert await Complaint.count() == before + codes.count(201)


async def test_role_checks(client) -> None:
    filed = await file(client)
    number = filed["number"]
    detail = f"{ADMIN}/{number}"
    assert (await client.get(ADMIN)).status_code == 401
    ent = await sign_in(client, "ent", "enterprise", uscc=make_uscc(seed=5))
    other_dept = await sign_in(client, "sthj", "officer", department_code=OTHER_DEPT)
    far_sup = await sign_in(client, "sf-shanxi", "supervisor", region_code="140000")
    prov_sup = await sign_in(client, "sf-shandong", "supervisor", region_code="370000")
    county_sup = await sign_in(client, "sf-juancheng", "supervisor", region_code="371726")
    admin = await sign_in(client, "admin", "admin", department_code=FAR_DEPT)
    off = await sign_in(client, "scjg", "officer", department_code=DEPT)
    for h in (ent, other_dept, far_sup, county_sup, admin):
        assert (await client.get(detail, headers=h)).status_code == 403
        r = await client.post(f"{detail}/transitions", json={"to": "under_review", "note": "n"}, headers=h)
        assert r.status_code == 403, r.text
        assert (await client.post(f"{detail}/notes", json={"note": "n"}, headers=h)).status_code == 403
    assert (await client.get(ADMIN, headers=ent)).status_code == 403
    assert (await client.get(ADMIN, headers=far_sup)).json()["items"] == []
    assert (await client.get(ADMIN, headers=other_dept)).json()["items"] == []
    # The provincial supervisor oversees the city below it.
    assert (await client.get(detail, headers=prov_sup)).json()["access"] == "handler"
    r = await client.post(f"{detail}/transitions", json={"to": "under_review", "note": "受理"}, headers=prov_sup)
    assert r.status_code == 200
    # A referral brings the receiving department in (it may respond), but it still cannot decide.
    r = await client.post(
        f"{detail}/transitions",
        json={"to": "referred", "note": "转生态环境局", "referred_to": OTHER_DEPT},
        headers=prov_sup,
    )
    assert r.status_code == 200 and r.json()["referred_to"] == OTHER_DEPT
    assert (await client.get(detail, headers=other_dept)).json()["access"] == "department"
    assert (await client.post(f"{detail}/notes", json={"note": "已接收"}, headers=other_dept)).status_code == 201
    r = await client.post(f"{detail}/transitions", json={"to": "closed", "note": "办结"}, headers=other_dept)
    assert r.status_code == 403
    assert (
        await client.post(f"{detail}/transitions", json={"to": "closed", "note": "办结"}, headers=off)
    ).status_code == 403
    t = (await client.get(f"/api/v1/complaints/{number}", params={"lookup_code": filed["lookup_code"]})).json()
    assert t["status"] == "referred" and t["referred_to"] == "聊城市生态环境局"


async def test_bad_moves_are_refused_and_change_nothing(client) -> None:
    number = (await file(client))["number"]
    sup = await sign_in(client, "sf", "supervisor", region_code="371500")
    await client.post(f"{ADMIN}/{number}/transitions", json={"to": "under_review", "note": "受理"}, headers=sup)
    before = await snapshot()
    cases = [
        ({"to": "substantiated", "note": "  "}, 422, "note"),
        ({"to": "flying", "note": "x"}, 422, "to"),
        ({"to": "referred", "note": "x"}, 422, "referred_to"),
        ({"to": "referred", "note": "x", "referred_to": DEPT}, 422, "referred_to"),
        ({"to": "referred", "note": "x", "referred_to": "999999-none"}, 422, "referred_to"),
        ({"to": "closed", "note": "x"}, 409, "to"),
        ({"to": "substantiated", "note": "x" * 2001}, 422, "note"),
        ({"note": "x"}, 422, "to"),
    ]
    for payload, status, field in cases:
        r = await client.post(f"{ADMIN}/{number}/transitions", json=payload, headers=sup)
        assert r.status_code == status, (payload, r.text)
        assert field in [e["field"] for e in r.json().get("errors", [])], (payload, r.text)
    assert await snapshot() == before


async def test_overdue_flag_and_filter(client) -> None:
    old = await file(client)
    fresh = await file(client)
    await Complaint.update({Complaint.respond_by: dt.date(2020, 1, 2)}).where(Complaint.number == old["number"])
    sup = await sign_in(client, "sf", "supervisor", region_code="371500")
    items = (await client.get(ADMIN, headers=sup)).json()["items"]
    assert {i["number"]: i["overdue"] for i in items} == {old["number"]: True, fresh["number"]: False}
    only = (await client.get(ADMIN, params={"overdue": "true"}, headers=sup)).json()["items"]
    assert [i["number"] for i in only] == [old["number"]]
    t = (await client.get(f"/api/v1/complaints/{old['number']}", params={"lookup_code": old["lookup_code"]})).json()
    assert t["overdue"] is True


async def test_statistics_suppress_small_counts_and_show_no_personal_data(client) -> None:
    sup = await sign_in(client, "sf", "supervisor", region_code="371500")
    numbers = [(await file(client))["number"] for _ in range(4)]
    await file(client, department=OTHER_DEPT)  # one complaint: suppressed
    for no, outcome in zip(numbers[:3], ["substantiated", "substantiated", "not_substantiated"], strict=False):
        for to in ("under_review", outcome, "closed"):
            r = await client.post(f"{ADMIN}/{no}/transitions", json={"to": to, "note": to}, headers=sup)
            assert r.status_code == 200, r.text
    r = await client.get("/api/v1/stats/complaints")
    assert r.status_code == 200, r.text
    month = dt.datetime.now(SHANGHAI).strftime("%Y-%m")
    items = {i["department_code"]: i for i in r.json()["items"]}
    assert items[DEPT] == {
        "department_code": DEPT,
        "department": "聊城市市场监督管理局",
        "month": month,
        "received": 4,
        "substantiated_share": 0.667,
        "median_days_to_close": 0.0,
        "overdue": 0,
        "suppressed": False,
    }
    assert items[OTHER_DEPT]["suppressed"] is True and items[OTHER_DEPT]["received"] is None
    for secret in (PHONE, "王建国", "丰华", "3715001", "sf"):
        assert secret not in r.text
    r = await client.get("/api/v1/stats/complaints", params={"year": 1999})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "year"
    assert (await client.get("/api/v1/stats/complaints", params={"department": OTHER_DEPT})).json()["items"][0][
        "suppressed"
    ] is True


async def test_openapi_describes_the_complaint_endpoints(client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    post = paths["/api/v1/complaints"]["post"]
    assert set(post["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "/api/v1/complaints/{number}" in paths and "/api/v1/stats/complaints" in paths
