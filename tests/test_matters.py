"""The matters list (抽查事项清单), the inspecting bodies and the departments register: the list-in-force
rule as a table test without a server, then publishing, revising and withdrawing over HTTP on the
real database (SQLite or PostgreSQL), with 422s naming the bad field and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from db.tables import AuditLog, ChangeLog, Department, Matter, MatterVersion, Outbox
from domain import matters as rules
from domain.errors import ValidationFailed
from tests.helpers import sign_in

DEPT = "371500-scjg"
OTHER = "371500-sthj"


def v(number: int, start: str, end: str | None = None) -> dict:
    return {
        "number": number,
        "valid_from": dt.date.fromisoformat(start),
        "valid_to": dt.date.fromisoformat(end) if end else None,
    }


D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("versions", "on", "expected"),
    [
        # One version, 2025-01-01 to 2025-12-31: on the list on both end days, off it the day around.
        ([v(1, "2025-01-01", "2025-12-31")], "2024-12-31", None),
        ([v(1, "2025-01-01", "2025-12-31")], "2025-01-01", 1),
        ([v(1, "2025-01-01", "2025-12-31")], "2025-12-31", 1),
        ([v(1, "2025-01-01", "2025-12-31")], "2026-01-01", None),
        # Open-ended.
        ([v(1, "2025-01-01")], "2030-06-30", 1),
        # A revision taking effect later: the earlier version applies until the day before.
        ([v(1, "2025-01-01"), v(2, "2025-07-01")], "2025-06-30", 1),
        ([v(1, "2025-01-01"), v(2, "2025-07-01")], "2025-07-01", 2),
        # A revision that ends the matter supersedes the open-ended version after its end too.
        ([v(1, "2025-01-01"), v(2, "2025-01-01", "2025-09-30")], "2025-09-30", 2),
        ([v(1, "2025-01-01"), v(2, "2025-01-01", "2025-09-30")], "2025-10-01", None),
        # A correction from the start replaces version 1 entirely.
        ([v(1, "2025-03-01"), v(2, "2025-03-01")], "2025-03-01", 2),
        ([], "2025-03-01", None),
    ],
)
def test_the_version_in_force_on_a_day(versions: list[dict], on: str, expected: int | None) -> None:
    got = rules.version_in_force(versions, D(on))
    assert (got["number"] if got else None) == expected


def matter_payload(**kw) -> dict:
    body = {
        "code": "LC-SCJG-001",
        "name": "食品销售者经营条件检查",
        "field": "food",
        "legal_basis": [{"law": "《中华人民共和国食品安全法》", "article": "第一百一十条"}],
        "object_scope": "食品销售企业",
        "method": "现场检查",
        "level": "市",
        "valid_from": "2025-01-01",
    }
    body.update(kw)
    return body


def test_validation_names_every_bad_field_and_a_revision_must_change_something() -> None:
    raw = {
        "code": "有空格 的编码",
        "name": "",
        "field": "天气",
        "legal_basis": [{"law": "《食品安全法》"}],
        "object_scope": "",
        "method": "飞行",
        "level": "乡",
        "valid_from": D("2025-02-01"),
        "valid_to": D("2025-01-01"),
    }
    with pytest.raises(ValidationFailed) as e:
        rules.validate_matter(raw, DEPT, "371500", D("2025-01-01"))
    fields = {x.field for x in e.value.errors}
    assert fields == {
        "code",
        "name",
        "field",
        "legal_basis[0].article",
        "object_scope",
        "method",
        "level",
        "valid_to",
    }
    ok = rules.validate_matter({**matter_payload(), "valid_from": D("2025-01-01")}, DEPT, "371500", D("2025-01-01"))
    assert ok["field"] == "food" and ok["method"] == "on_site"  # labels are read as codes
    with pytest.raises(ValidationFailed) as e:
        rules.validate_revision({"reason": "无变化"}, ok, D("2025-02-01"))
    assert "changes nothing" in e.value.detail
    with pytest.raises(ValidationFailed) as e:
        rules.validate_revision({"method": "书面核查"}, ok, D("2025-02-01"))
    assert [x.field for x in e.value.errors] == ["reason"]
    rev = rules.validate_revision({"method": "书面核查", "reason": "改为书面核查"}, ok, D("2025-02-01"))
    assert rev["changes"] == ["检查方式：现场检查 → 书面核查"] and rev["valid_from"] == D("2025-01-01")


async def _departments() -> None:
    await Department.insert(
        Department(
            code=DEPT,
            name="聊城市市场监督管理局",
            short_name="市场监管局",
            region_code="371500",
            parent_code="370000-scjg",
            legal_status="administrative_organ",
        ),
        Department(code=OTHER, name="聊城市生态环境局", short_name="生态环境局", region_code="371500", legal_status=""),
        Department(
            code="370000-scjg",
            name="山东省市场监督管理局",
            short_name="市场监管局",
            region_code="370000",
            legal_status="administrative_organ",
        ),
    )


async def _counts() -> tuple[int, ...]:
    return tuple([await t.count() for t in (Matter, MatterVersion, AuditLog, ChangeLog, Outbox)])


async def test_publish_list_revise_and_read_versions(client) -> None:
    await _departments()
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    r = await client.post("/api/v1/admin/matters", json=matter_payload(valid_to="2025-12-31"), headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["url"] == "http://testserver.local/matters/LC-SCJG-001"
    r = await client.post(
        "/api/v1/admin/matters",
        json=matter_payload(
            code="LC-SCJG-002",
            name="企业公示信息抽查",
            field="general",
            method="document_review",
            valid_from="2024-01-01",
        ),
        headers=h,
    )
    assert r.status_code == 201, r.text

    page = (await client.get("/api/v1/matters")).json()
    assert [m["code"] for m in page["items"]] == ["LC-SCJG-001", "LC-SCJG-002"] and page["total"] == 2
    first = page["items"][0]
    assert first["department"] == "聊城市市场监督管理局" and first["field_label"] == "食品"
    assert first["legal_basis"] == [{"law": "《中华人民共和国食品安全法》", "article": "第一百一十条"}]
    assert first["method"] == "on_site" and first["method_label"] == "现场检查"
    assert first["valid_from"] == "2025-01-01" and first["valid_to"] == "2025-12-31"
    assert [x["number"] for x in first["versions"]] == [1]

    async def codes(**params) -> list[str]:
        got = await client.get("/api/v1/matters", params=params)
        assert got.status_code == 200, got.text
        return [m["code"] for m in got.json()["items"]]

    assert await codes(on="2025-12-31") == ["LC-SCJG-001", "LC-SCJG-002"]
    assert await codes(on="2026-01-01") == ["LC-SCJG-002"]
    assert await codes(on="2024-12-31") == ["LC-SCJG-002"]
    assert await codes(on="2023-12-31") == []
    assert await codes(field="food") == ["LC-SCJG-001"] == await codes(field="食品")
    assert await codes(department=OTHER) == []
    assert await codes(q="公示信息") == ["LC-SCJG-002"]
    assert await codes(q="食品安全法") == ["LC-SCJG-001", "LC-SCJG-002"]
    assert await codes(page_size=1) == ["LC-SCJG-001"]
    nxt = (await client.get("/api/v1/matters", params={"page_size": 1})).json()["next_cursor"]
    assert await codes(page_size=1, cursor=nxt) == ["LC-SCJG-002"]

    # A revision from 2025-07-01: version 1 still applies before that day, version 2 from it.
    r = await client.post(
        "/api/v1/admin/matters/LC-SCJG-001/versions",
        json={"reason": "按新修订的实施细则改为书面核查", "method": "书面核查", "valid_from": "2025-07-01"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2 and "检查方式：现场检查 → 书面核查" in r.json()["changes"]
    one = (await client.get("/api/v1/matters/LC-SCJG-001")).json()
    assert one["version"] == 2 and one["current_version"] == 2 and one["valid_to"] == "2025-12-31"  # kept
    assert [(x["number"], x["reason"]) for x in one["versions"]] == [(1, ""), (2, "按新修订的实施细则改为书面核查")]
    assert (await client.get("/api/v1/matters/LC-SCJG-001", params={"on": "2025-06-30"})).json()["method"] == "on_site"
    assert (await client.get("/api/v1/matters/LC-SCJG-001", params={"on": "2025-07-01"})).json()["version"] == 2
    assert (await client.get("/api/v1/matters/LC-SCJG-001", params={"on": "2026-01-01"})).status_code == 404
    # valid_to: null clears the end date.
    r = await client.post(
        "/api/v1/admin/matters/LC-SCJG-001/versions", json={"reason": "长期有效", "valid_to": None}, headers=h
    )
    assert r.status_code == 201 and r.json()["changes"] == ["截止日期：2025-12-31 → 长期"], r.text
    assert await codes(on="2030-01-01") == ["LC-SCJG-001", "LC-SCJG-002"]

    feed = (await client.get("/api/v1/changes", params={"type": "matter"})).json()["items"]
    assert [c["action"] for c in feed] == ["published", "published", "updated", "updated"]
    audits = await AuditLog.select(AuditLog.action).where(AuditLog.object_type == "matter").order_by(AuditLog.id)
    assert [a["action"] for a in audits] == ["publish", "publish", "revise", "revise"]


async def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(client) -> None:
    await _departments()
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    assert (await client.post("/api/v1/admin/matters", json=matter_payload(), headers=h)).status_code == 201
    before = await _counts()
    cases = [
        (matter_payload(code="LC-SCJG-001"), "code"),  # taken
        (matter_payload(code="x/y"), "code"),
        (matter_payload(code="B-1", legal_basis=[]), "legal_basis"),
        (matter_payload(code="B-1", legal_basis=[{"law": "", "article": "第一条"}]), "legal_basis[0].law"),
        (matter_payload(code="B-1", method="随便看看"), "method"),
        (matter_payload(code="B-1", field="天气"), "field"),
        (matter_payload(code="B-1", valid_to="2024-01-01"), "valid_to"),
        (matter_payload(code="B-1", level="乡"), "level"),
    ]
    for body, field in cases:
        r = await client.post("/api/v1/admin/matters", json=body, headers=h)
        assert r.status_code == 422, (field, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (field, r.text)
    r = await client.post("/api/v1/admin/matters", json=matter_payload(code="B-1", valid_from="2025-13-01"), headers=h)
    assert r.status_code in (400, 422) and r.status_code != 500, r.text
    r = await client.post("/api/v1/admin/matters/LC-SCJG-001/versions", json={"method": "书面核查"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", r.text
    r = await client.post("/api/v1/admin/matters/LC-SCJG-001/versions", json={"reason": "同上"}, headers=h)
    assert r.status_code == 422, r.text
    for params, field in [({"on": "2025-02-30"}, "on"), ({"field": "weather"}, "field"), ({"cursor": "zzz"}, "cursor")]:
        r = await client.get("/api/v1/matters", params=params)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text
    r = await client.get("/api/v1/inspecting-bodies", params={"on": "tomorrow"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "on", r.text
    assert (await client.get("/api/v1/matters/NO-SUCH")).status_code == 404
    assert (await client.get("/api/v1/matters/%E4%B8%8D%20ok")).status_code == 404
    # Another department's officer may not publish for it nor revise its matters.
    h2 = await sign_in(client, "officer2", "officer", department_code=OTHER)
    r = await client.post("/api/v1/admin/matters", json=matter_payload(code="B-2", department=DEPT), headers=h2)
    assert r.status_code == 403, r.text
    r = await client.post(
        "/api/v1/admin/matters/LC-SCJG-001/versions", json={"reason": "越权", "name": "别的"}, headers=h2
    )
    assert r.status_code == 403, r.text
    r = await client.post("/api/v1/admin/matters", json=matter_payload(code="B-3"))
    assert r.status_code == 401, r.text
    assert await _counts() == before


async def test_withdrawn_matter_is_gone_everywhere(client, app) -> None:
    from search.outbox import drain
    from tests.search_helpers import reset_index

    index = app.state.search_index
    await reset_index(index)
    await _departments()
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    await client.post("/api/v1/admin/matters", json=matter_payload(name="燃气经营企业安全检查"), headers=h)
    await drain(index)
    r = await client.get("/api/v1/search", params={"q": "燃气经营", "type": "matter"})
    assert r.status_code == 200, r.text
    assert [(x["type"], x["url"]) for x in r.json()["items"]] == [
        ("matter", "http://testserver.local/matters/LC-SCJG-001")
    ]
    r = await client.post("/api/v1/admin/matters/LC-SCJG-001/withdraw", json={"reason": ""}, headers=h)
    assert r.status_code == 422, r.text
    r = await client.post("/api/v1/admin/matters/LC-SCJG-001/withdraw", json={"reason": "误发布"}, headers=h)
    assert r.status_code == 200, r.text
    # Not served even before the index has caught up (the disclosure check on hits) …
    assert (await client.get("/api/v1/search", params={"q": "燃气经营"})).json()["items"] == []
    await drain(index)
    assert (await client.get("/api/v1/search", params={"q": "燃气经营"})).json()["items"] == []
    assert (await client.get("/api/v1/matters/LC-SCJG-001")).status_code == 410
    assert (await client.get("/matters/LC-SCJG-001")).status_code == 410
    assert (await client.get("/api/v1/matters")).json()["items"] == []
    bodies = (await client.get("/api/v1/inspecting-bodies", params={"on": "2025-06-01"})).json()["items"]
    assert all(b["matters"] == [] for b in bodies)
    last = (await client.get("/api/v1/changes", params={"type": "matter"})).json()["items"][-1]
    assert last["action"] == "withdrawn"
    ops = await Outbox.select(Outbox.op).where(Outbox.object_type == "matter").order_by(Outbox.id)
    # The withdrawal queued the delete; the search that met the stale hit may queue one more (search.heal).
    assert ops[0]["op"] == "upsert" and len(ops) >= 2 and {o["op"] for o in ops[1:]} == {"delete"}


async def test_departments_and_inspecting_bodies(client) -> None:
    await _departments()
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    await client.post("/api/v1/admin/matters", json=matter_payload(), headers=h)
    await client.post(
        "/api/v1/admin/matters", json=matter_payload(code="LC-SCJG-009", valid_from="2099-01-01"), headers=h
    )
    deps = (await client.get("/api/v1/departments")).json()
    assert deps["total"] == 3
    lc = next(d for d in deps["items"] if d["code"] == DEPT)
    assert lc == {
        "code": DEPT,
        "name": "聊城市市场监督管理局",
        "short_name": "市场监管局",
        "region_code": "371500",
        "parent_code": "370000-scjg",
    }
    assert next(d for d in deps["items"] if d["code"] == "370000-scjg")["parent_code"] is None
    bodies = (await client.get("/api/v1/inspecting-bodies", params={"on": "2025-06-01"})).json()
    # Only bodies with a confirmed legal status; the ecology bureau has none in this register.
    assert [b["code"] for b in bodies["items"]] == ["370000-scjg", DEPT]
    lcb = bodies["items"][1]
    assert lcb["legal_status"] == "administrative_organ" and lcb["legal_status_label"] == "法定行政机关"
    assert [m["code"] for m in lcb["matters"]] == ["LC-SCJG-001"]  # not the one from 2099
    assert lcb["matters"][0]["url"] == "http://testserver.local/matters/LC-SCJG-001"


async def test_portal_pages_and_their_bad_input(client) -> None:
    await _departments()
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    await client.post("/api/v1/admin/matters", json=matter_payload(), headers=h)
    await client.post(
        "/api/v1/admin/matters/LC-SCJG-001/versions", json={"reason": "改为书面核查", "method": "书面核查"}, headers=h
    )
    r = await client.get("/matters", params={"field": "food"})
    assert r.status_code == 200 and "食品销售者经营条件检查" in r.text and 'href="/matters/LC-SCJG-001"' in r.text
    assert "食品销售者" not in (await client.get("/matters", params={"q": "不存在的事项"})).text
    r = await client.get("/matters/LC-SCJG-001")
    assert r.status_code == 200 and "改为书面核查" in r.text and "《中华人民共和国食品安全法》第一百一十条" in r.text
    assert "检查方式：现场检查 → 书面核查" in r.text
    r = await client.get("/inspecting-bodies", params={"on": "2025-06-01"})
    assert r.status_code == 200 and "聊城市市场监督管理局" in r.text and "/matters/LC-SCJG-001" in r.text
    assert (await client.get("/matters", params={"on": "x"})).status_code == 422
    assert (await client.get("/matters/NOPE")).status_code == 404
    en = await client.get("/matters/LC-SCJG-001", params={"lang": "en"})
    assert en.status_code == 200 and "Revision history" in en.text, en.text[:500]
