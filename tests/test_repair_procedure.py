"""The repair procedure's steps through the real API and database: 不予受理, 一次性告知补正 with the
acceptance clock stopped and restarted by the enterprise's files, 受理 starting the decision clock,
and the migration that recounts deadlines stored by older code."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from db.tables import AuditLog, RepairApplication, RepairEvent
from domain.workdays import add_working_days
from tests.helpers import migration_runner
from tests.repair_helpers import NOW, PDF, World, at

D = dt.date
mig = importlib.import_module("migrations.gongshi_2026_12_07t12_00_00_000000")


def url(number: str, action: str) -> str:
    return f"/api/v1/admin/repair-applications/{number}/{action}"


async def row(number: str) -> dict:
    return await RepairApplication.select().where(RepairApplication.number == number).first()  # type: ignore[return-value]


async def test_request_materials_stops_the_clock_and_the_files_restart_it(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    # The list of what is missing is required (一次性告知: every item at once).
    r = await client.post(url(number, "request-materials"), json={"reason": " "}, headers=w.h["x"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason", r.text
    assert (await row(number))["status"] == "submitted"
    clock["now"] = at(D(2026, 11, 26))
    items = "缺少守信承诺书；整改报告未盖章"
    r = await client.post(url(number, "request-materials"), json={"reason": items}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "awaiting_materials" and body["status_label"] == "待补正材料"
    assert body["accept_by"] is None and body["decide_by"] is None and body["overdue"] == []
    # Nothing can be accepted or decided while the materials are awaited.
    for action in ("accept", "approve", "reject", "request-materials"):
        r = await client.post(url(number, action), json={"reason": "x"}, headers=w.h["x"])
        assert r.status_code == 409 and r.json()["current_status"] == "awaiting_materials", (action, r.text)
    # Long after, still not overdue: the clock is stopped.
    clock["now"] = at(D(2026, 12, 20))
    mine = (await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["a"])).json()
    assert mine["overdue"] == [] and mine["timeline"][-1]["note"] == items
    # The enterprise supplies them: back to submitted, accept_by counted from that day (Mon Dec 21).
    clock["now"] = at(D(2026, 12, 21))
    r = await client.post(
        f"/api/v1/repair-applications/{number}/attachments",
        files=[("files", ("守信承诺书.pdf", PDF, "application/pdf"))],
        headers=w.h["a"],
    )
    assert r.status_code in (200, 201), r.text
    a = await row(number)
    assert a["status"] == "submitted" and a["accept_by"] == add_working_days(D(2026, 12, 21), 3) == D(2026, 12, 24)
    events = await RepairEvent.select().where(RepairEvent.application_id == a["id"]).order_by(RepairEvent.id)
    assert [e["status"] for e in events] == ["submitted", "awaiting_materials", "submitted"]
    # Accepted on Dec 22: the decision deadline is 15 working days from that day.
    clock["now"] = at(D(2026, 12, 22))
    r = await client.post(url(number, "accept"), json={}, headers=w.h["x"])
    assert r.status_code == 200 and r.json()["decide_by"] == add_working_days(D(2026, 12, 22), 15).isoformat()
    assert r.json()["status_label"] == "已受理，待决定"


async def test_decline_needs_a_reason_ends_the_application_and_allows_a_new_one(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    r = await client.post(url(number, "decline"), json={"reason": ""}, headers=w.h["x"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    # Another department may not decline it; an enterprise may not either.
    assert (await client.post(url(number, "decline"), json={"reason": "x"}, headers=w.h["y"])).status_code == 403
    assert (await client.post(url(number, "decline"), json={"reason": "x"}, headers=w.h["a"])).status_code == 403
    r = await client.post(url(number, "decline"), json={"reason": "申请人不是该企业"}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "declined" and r.json()["decision_reason"] == "申请人不是该企业"
    a = await row(number)
    assert a["pending_result_id"] is None and a["decided_by"] == "officer-x"
    assert await AuditLog.count().where(AuditLog.action == "repair_decline") == 1
    for action in ("accept", "approve", "decline"):
        r = await client.post(url(number, action), json={"reason": "x"}, headers=w.h["x"])
        assert r.status_code == 409 and r.json()["current_status"] == "declined"
    assert (await w.apply(client, rid)).status_code == 201  # it may apply again
    figures = (await client.get("/api/v1/stats/repair")).json()
    assert (figures["applications"], figures["declined"], figures["pending"]) == (2, 1, 1)


async def test_an_unknown_step_is_refused(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    r = await client.post(url(number, "withdraw"), json={"reason": "x"}, headers=w.h["x"])
    assert r.status_code in (400, 404, 422) and (await row(number))["status"] == "submitted"


@pytest.fixture
def run_migration(app, clean_db, monkeypatch):
    return migration_runner(mig, monkeypatch)


async def test_migration_recounts_deadlines_stored_from_submission(run_migration, client, clock) -> None:
    w = await World().setup(client)
    rid1 = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    rid2 = await w.publish(client, w.a, D(2026, 1, 10), "T-2")
    rid3 = await w.publish(client, w.a, D(2026, 1, 10), "T-3")
    waiting, accepted, decided = [(await w.apply(client, r)).json()["number"] for r in (rid1, rid2, rid3)]
    clock["now"] = at(D(2026, 11, 27))
    await client.post(url(accepted, "accept"), json={}, headers=w.h["x"])
    await client.post(url(decided, "accept"), json={}, headers=w.h["x"])
    await client.post(url(decided, "approve"), json={}, headers=w.h["x"])
    # What older code stored: decide_by = 15 working days from submission (Nov 25) on every row.
    old = add_working_days(NOW.date(), 15)
    await RepairApplication.update({RepairApplication.decide_by: old}).where(RepairApplication.id > 0)
    audits = await AuditLog.count()

    await run_migration()

    assert (await row(waiting))["decide_by"] is None
    assert (await row(accepted))["decide_by"] == add_working_days(D(2026, 11, 27), 15) != old
    assert (await row(decided))["decide_by"] == old  # decided: history stays as it was
    logged = await AuditLog.select().where(AuditLog.action == "repair_deadline_recount")
    assert [a["object_id"] for a in logged] == [accepted] and await AuditLog.count() == audits + 1
    # A second run changes nothing.
    await run_migration()
    assert await AuditLog.count() == audits + 1 and (await row(waiting))["decide_by"] is None


# -- which rule applies: the publishing department's (谁公示、谁修复) ----------------------------------


def test_rule_region_is_the_departments() -> None:
    from domain.repair import rule_region

    assert rule_region("jn-scjg", "370100") == "370100"  # the department list decides
    assert rule_region("371500-scjg", None) == "371500"  # not listed: the code's region prefix
    assert rule_region("scjg", None) == ""  # unknown: only the national default applies


async def test_the_publishing_departments_region_decides_not_the_enterprises(client, clock) -> None:
    from db.tables import Department, Result
    from tests.helpers import make_uscc, result_payload, sign_in

    admin = await sign_in(client, "admin-1", "admin", department_code="370000-scjg")
    # A Jinan department (its slug says nothing of its region) publishing about a Liaocheng enterprise.
    await Department.insert(
        Department(code="jn-scjg", name="济南市市场监督管理局", short_name="市场监管局", region_code="370100")
    )
    officer = await sign_in(client, "officer-jn", "officer", department_code="jn-scjg")
    uscc = make_uscc(region="371500", seed=7)
    ent = await sign_in(client, "ent-lc", "enterprise", uscc=uscc)
    body = result_payload(uscc, task="T-JN", dept="jn-scjg", categories=["X05"], published_on="2026-07-01")
    body["inspected_on"] = "2026-06-20"
    r = await client.post("/api/v1/admin/results", json=body, headers=officer)
    assert r.status_code == 201, r.text
    rid = r.json()["ids"][0]
    assert (await Result.select(Result.region_code).where(Result.id == rid).first())["region_code"] == "371500"

    def profile(j: str, months: int) -> dict:
        return {
            "jurisdiction": j,
            "source": f"{j} 信用修复规则 (test)",
            "rules": [
                {
                    "check_field": "*",
                    "min_months": months,
                    "max_months": 36,
                    "accept_days": 3,
                    "decide_days": 15,
                    "objection_days": 5,
                }
            ],
        }

    for j, months in (("371500", 12), ("370100", 3)):
        assert (
            await client.post("/api/v1/admin/repair-rules", json=profile(j, months), headers=admin)
        ).status_code == 201
    body = (await client.get(f"/api/v1/results/{rid}/repair-eligibility", headers=ent)).json()
    # Jinan's 3 months apply (published Jul 1 → apply from Oct 2), not Liaocheng's 12.
    assert body["rule_jurisdiction"] == "370100" and body["min_months"] == 3 and body["eligible"] is True, body
    assert body["earliest_on"] == "2026-10-02"


# -- the rule table, public and honest about its source --------------------------------------------


async def test_the_rule_list_is_public_and_names_its_source(client, clock) -> None:
    from domain.repair import DEFAULT_SOURCE
    from tests.helpers import sign_in

    r = await client.get("/api/v1/repair-rules")  # no account
    assert r.status_code == 200, r.text
    body = r.json()
    national = body["items"][0]
    assert national["jurisdiction"] == "*" and national["jurisdiction_name"] == "全国"
    assert national["source"] == DEFAULT_SOURCE and "类推适用" in national["source"]
    assert "抽查检查结果" in national["source"]  # says what the measures do not cover
    assert [x["check_field"] for x in national["rules"]] == ["*", "drug", "food", "special_equipment"]
    assert national["rules"][0]["min_months"] == 6 and national["rules"][2]["check_field_label"] == "食品"
    assert "publishing department" in body["lookup"] and "发布该结果的部门" in body["lookup"]
    admin = await sign_in(client, "admin-1", "admin", department_code="370000-scjg")
    profile = {
        "jurisdiction": "371500",
        "source": "聊城市信用修复实施细则 (test)",
        "rules": [
            {
                "check_field": "*",
                "min_months": 3,
                "max_months": 24,
                "accept_days": 2,
                "decide_days": 10,
                "objection_days": 5,
            }
        ],
    }
    assert (await client.post("/api/v1/admin/repair-rules", json=profile, headers=admin)).status_code == 201
    items = (await client.get("/api/v1/repair-rules")).json()["items"]
    assert [i["jurisdiction"] for i in items] == ["*", "371500"]
    assert items[1]["source"] == "聊城市信用修复实施细则 (test)" and items[1]["rules"][0]["min_months"] == 3
    page = await client.get("/repair/rules")
    assert page.status_code == 200 and "全国默认规则" in page.text and "类推适用" in page.text
    assert "聊城市信用修复实施细则" in page.text and "3 个月" in page.text
    assert "National default" not in page.text  # the Chinese page shows the Chinese half
    en = await client.get("/repair/rules?lang=en")
    assert "National default" in en.text and "by analogy" in en.text


mig_source = importlib.import_module("migrations.gongshi_2026_12_07t12_20_00_000000")


async def test_the_source_migration_rewords_only_the_seeded_default(app, clean_db, monkeypatch, client) -> None:
    from db.tables import RepairRule
    from domain.repair import DEFAULT_SOURCE

    assert mig_source.NEW == DEFAULT_SOURCE  # the frozen wording is the domain's
    await RepairRule.update({RepairRule.source: mig_source.OLD}).where(RepairRule.jurisdiction == "*")
    run = migration_runner(mig_source, monkeypatch)
    await run()
    assert {r["source"] for r in await RepairRule.select(RepairRule.source)} == {DEFAULT_SOURCE}
    await run()
    assert {r["source"] for r in await RepairRule.select(RepairRule.source)} == {DEFAULT_SOURCE}


# -- materials by kind -----------------------------------------------------------------------------------


def test_missing_materials_names_each_entry_alternatives_included() -> None:
    from domain import repair as r

    req = r.DEFAULT_REQUIRED_MATERIALS
    assert r.missing_materials(req, ["application", "commitment", "correction", "identity"]) == []
    assert r.missing_materials(req, ["application", "commitment", "correction", "authorisation"]) == []
    assert r.missing_materials(req, ["correction", "other"]) == ["application", "commitment", "identity|authorisation"]
    assert r.materials_label("identity|authorisation") == "身份证明或授权委托书"
    assert r.parse_required_materials("application,identity|authorisation,bogus") == (
        "application",
        "identity|authorisation",
    )
    rules, errs = r.validate_profile(
        "371500",
        "x",
        [
            {
                "check_field": "*",
                "min_months": 3,
                "max_months": 24,
                "accept_days": 2,
                "decide_days": 10,
                "objection_days": 5,
                "required_materials": ["application", "bogus|identity"],
            }
        ],
    )
    assert not rules and [e.field for e in errs] == ["rules[0].required_materials"]


async def test_an_application_missing_a_kind_is_refused_naming_it(client, clock, files_dir) -> None:
    from db.tables import Attachment
    from tests.repair_helpers import b64

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    before = (await RepairApplication.count(), await Attachment.count())
    only = [{"filename": "整改报告.pdf", "content_base64": b64(PDF), "kind": "correction"}]
    r = await w.apply(client, rid, attachments=only)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["missing_materials"] == ["application", "commitment", "identity|authorisation"]
    assert "信用修复申请书" in body["errors"][0]["message"] and "身份证明或授权委托书" in body["errors"][0]["message"]
    bad = [*only, {"filename": "x.pdf", "content_base64": b64(PDF), "kind": "selfie"}]
    r = await w.apply(client, rid, attachments=bad)
    assert r.status_code == 422 and "selfie" in r.text
    assert (await RepairApplication.count(), await Attachment.count()) == before
    # With every kind it goes through, and the commitment text is kept with it.
    r = await w.apply(client, rid)
    assert r.status_code == 201, r.text
    mine = (await client.get(f"/api/v1/repair-applications/{r.json()['number']}", headers=w.h["a"])).json()
    assert mine["commitment_text"].startswith("本企业郑重承诺")
    assert sorted(a["kind"] for a in mine["attachments"]) == ["application", "commitment", "correction", "identity"]


async def test_the_result_page_says_until_when_it_is_public_and_how_to_repair(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2025, 1, 15), "T-PAGE")
    page = (await client.get(f"/results/{rid}")).text
    # 民法典 201-203: 36 months from 2025-01-15 run through 2028-01-15; 6 months end 2025-07-15.
    assert "最长公示至 2028-01-15（36 个月），2028-01-16 起自动停止公示" in page
    assert "自 2025-07-16 起，该企业可以申请信用修复" in page
    assert 'href="/repair/objections/new/' + str(rid) + '"' in page and 'href="/repair/rules"' in page
    neutral = await w.publish(client, w.a, D(2025, 1, 15), "T-OK", categories=["N01"])
    page = (await client.get(f"/results/{neutral}")).text
    assert "2028-01-16 起自动停止公示" in page and "可以申请信用修复" not in page
    en = (await client.get(f"/results/{rid}?lang=en")).text
    assert "2028-01-16" in en and "自动停止公示" not in en
