"""Credit repair over HTTP on the real database: eligibility, applications, decisions,
authorisation, races, objections, rules and figures."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from db.tables import (
    Attachment,
    AuditLog,
    ChangeLog,
    Objection,
    Outbox,
    RepairApplication,
    RepairEvent,
    RepairRule,
    Result,
)
from domain.workdays import add_working_days
from tests.repair_helpers import DEPT, EXE, MATERIALS, NOW, PNG, World, at, b64

D = dt.date


async def repair_counts() -> tuple[int, ...]:
    return (
        await RepairApplication.count(),
        await RepairEvent.count(),
        await Attachment.count(),
        await AuditLog.count(),
        await ChangeLog.count(),
        await Outbox.count(),
    )


def files_on_disk(files_dir) -> list[Path]:
    root = Path(files_dir) / "repair"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "check_field,published,boundary",
    [
        # 民法典 201-203: the minimum ends on the corresponding day; one may apply the next day.
        ("general", D(2026, 5, 25), D(2026, 11, 26)),  # minimum 6 months
        ("food", D(2025, 11, 25), D(2026, 11, 26)),  # minimum 12 months for food
        ("drug", D(2025, 11, 25), D(2026, 11, 26)),
    ],
)
async def test_eligibility_day_before_on_after_min_period(client, clock, check_field, published, boundary) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, published, "T-1", check_field=check_field)
    seen = []
    for day in (boundary - dt.timedelta(days=1), boundary, boundary + dt.timedelta(days=1)):
        clock["now"] = at(day)
        r = await client.get(f"/api/v1/results/{rid}/repair-eligibility", headers=w.h["a"])
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["earliest_on"] == boundary.isoformat()
        seen.append(body["eligible"])
    assert seen == [False, True, True]


async def test_eligibility_day_before_on_after_max_period(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2023, 11, 25), "T-1")
    seen = []
    # 36 months from 2023-11-25: public through 2026-11-25, stopped on 2026-11-26.
    for day in (D(2026, 11, 25), D(2026, 11, 26), D(2026, 11, 27)):
        clock["now"] = at(day)
        body = (await client.get(f"/api/v1/results/{rid}/repair-eligibility", headers=w.h["a"])).json()
        seen.append((body["eligible"], [x["code"] for x in body["reasons"]], body["expires_on"]))
    assert seen == [(True, [], "2026-11-26"), (False, ["expired"], "2026-11-26"), (False, ["expired"], "2026-11-26")]


async def test_apply_then_approve_stops_publicity_everywhere(client, clock, files_dir) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 10), "T-1")
    keep = await w.publish(client, w.a, D(2026, 1, 10), "T-2")
    old_files = set(files_on_disk(files_dir))
    r = await w.apply(client, rid)
    assert r.status_code == 201, r.text
    created = r.json()
    number = created["number"]
    assert created["status"] == "submitted"
    # Only the acceptance clock runs until the department accepts (自受理之日起 for the decision).
    assert created["decide_by"] is None
    assert created["accept_by"] == "2026-11-30"
    assert len(set(files_on_disk(files_dir)) - old_files) == 1

    for action, reason in (("accept", ""), ("approve", "整改到位，准予修复")):
        clock["now"] += dt.timedelta(days=1)
        r = await client.post(
            f"/api/v1/admin/repair-applications/{number}/{action}", json={"reason": reason}, headers=w.h["x"]
        )
        assert r.status_code == 200, r.text

    # The applicant sees a dated timeline, without officer names; the officer sees who applied.
    mine = (await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["a"])).json()
    assert [e["status"] for e in mine["timeline"]] == ["submitted", "accepted", "approved"]
    # Accepted on 2026-11-26: 15 working days from acceptance, the day itself not counted.
    assert mine["decide_by"] == add_working_days(D(2026, 11, 26), 15).isoformat() == "2026-12-17"
    assert mine["timeline"][2]["at"].startswith("2026-11-27") and mine["decision_reason"] == "整改到位，准予修复"
    # Exact instants survive the round trip through the database (no time-zone shift on any engine).
    assert [dt.datetime.fromisoformat(e["at"]) for e in mine["timeline"]] == [
        NOW,
        NOW + dt.timedelta(days=1),
        NOW + dt.timedelta(days=2),
    ]
    assert dt.datetime.fromisoformat(mine["submitted_at"]) == NOW
    assert mine["applicant"] is None and mine["attachments"][0]["content_type"] == "application/pdf"
    theirs = (await client.get(f"/api/v1/admin/repair-applications/{number}", headers=w.h["x"])).json()
    assert theirs["applicant"] == "ent-a"

    # Gone from the API: 410 with the reason category, absent from lists; the other result stays.
    r = await client.get(f"/api/v1/results/{rid}")
    assert r.status_code == 410 and r.json()["reason"] == "repaired"
    assert "整改到位" not in r.text  # the category, not the details
    listed = (await client.get("/api/v1/results", params={"uscc": w.a})).json()
    assert [i["id"] for i in listed["items"]] == [keep] and listed["total"] == 1
    # Change log and search outbox, written with the decision.
    assert await ChangeLog.count().where((ChangeLog.object_id == str(rid)) & (ChangeLog.action == "withdrawn")) == 1
    assert await Outbox.count().where((Outbox.object_id == str(rid)) & (Outbox.op == "delete")) == 1
    audit = await AuditLog.select().where(AuditLog.action.is_in(["repair_approve", "withdraw_repaired"]))
    assert {a["action"] for a in audit} == {"repair_approve", "withdraw_repaired"}
    assert all(a["actor"] == "officer-x" and "整改到位" in a["reason"] for a in audit)
    # Officers still see the record, with who withdrew it and why.
    r = await client.get(f"/api/v1/admin/results/{rid}", headers=w.h["x"])
    assert r.status_code == 200 and r.json()["disclosure"] == "withdrawn"
    assert r.json()["withdrawn_by"] == "officer-x" and r.json()["withdrawn_reason"] == "repaired"
    assert (await client.get(f"/api/v1/admin/results/{rid}", headers=w.h["a"])).status_code == 403
    # A withdrawn result cannot be repaired again.
    r = await client.get(f"/api/v1/results/{rid}/repair-eligibility", headers=w.h["a"])
    assert [x["code"] for x in r.json()["reasons"]] == ["not_public"]


async def test_not_eligible_and_bad_input_store_nothing(client, clock, files_dir) -> None:
    w = await World().setup(client)
    young = await w.publish(client, w.a, D(2026, 10, 1), "T-1")
    good = await w.publish(client, w.a, D(2026, 1, 1), "T-2")
    neutral = await w.publish(client, w.a, D(2026, 1, 1), "T-3", categories=["N01"])
    before = await repair_counts()
    old_files = set(files_on_disk(files_dir))

    r = await w.apply(client, young)
    assert r.status_code == 422 and r.json()["earliest_on"] == "2027-04-02", r.text
    assert r.json()["reasons"] == ["min_period"]
    r = await w.apply(client, neutral)
    assert r.status_code == 422 and r.json()["earliest_on"] is None
    cases = [
        ({"commitment_accepted": False}, "commitment_accepted"),
        ({"reason": "  "}, "reason"),
        ({"attachments": [{"filename": "整改.pdf", "content_base64": b64(EXE)}]}, "attachments[0]"),
        (
            {
                "attachments": [
                    {"filename": "a.png", "content_base64": b64(PNG)},
                    {"filename": "b.pdf", "content_base64": b64(b"%PDF" + b"x" * (11 * 1024 * 1024))},
                ]
            },
            "attachments[1]",
        ),
        ({"attachments": [{"filename": "a.png", "content_base64": "@@not base64@@"}]}, "attachments[0].content_base64"),
        ({"commitment_accepted": "yes"}, "commitment_accepted"),
    ]
    for kw, field in cases:
        r = await w.apply(client, good, **kw)  # type: ignore[arg-type]
        assert r.status_code == 422, (kw.keys(), r.text)  # type: ignore[attr-defined]
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in r.json()["errors"]], r.text
    assert (
        await client.post(
            "/api/v1/repair-applications",
            json={"result_id": 999999, "reason": "x", "commitment_accepted": True},
            headers=w.h["a"],
        )
    ).status_code == 404
    assert await repair_counts() == before
    assert set(files_on_disk(files_dir)) == old_files

    assert (await w.apply(client, good)).status_code == 201
    r = await w.apply(client, good)
    assert r.status_code == 409 and "result_id" in [e["field"] for e in r.json()["errors"]]
    assert await RepairApplication.count() == 1


async def test_authorisation_matrix(client, clock) -> None:
    w = await World().setup(client)
    ra = await w.publish(client, w.a, D(2026, 1, 1), "T-A")
    rb = await w.publish(client, w.b, D(2026, 1, 1), "T-B")
    # Enterprise A cannot read or apply for B's results.
    assert (await client.get(f"/api/v1/results/{rb}/repair-eligibility", headers=w.h["a"])).status_code == 403
    assert (await w.apply(client, rb, who="a")).status_code == 403
    assert (
        await client.post("/api/v1/objections", json={"result_id": rb, "reason": "wrong"}, headers=w.h["a"])
    ).status_code == 403
    # Only enterprises apply; anonymous callers must sign in.
    assert (await w.apply(client, ra, who="x")).status_code == 403
    assert (await client.get(f"/api/v1/results/{ra}/repair-eligibility")).status_code == 401
    number = (await w.apply(client, ra)).json()["number"]
    # B cannot read A's application; officer Y cannot read or decide department X's.
    assert (await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["b"])).status_code == 403
    assert (await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["y"])).status_code == 403
    for action in ("accept", "approve", "reject"):
        r = await client.post(
            f"/api/v1/admin/repair-applications/{number}/{action}", json={"reason": "x"}, headers=w.h["y"]
        )
        assert r.status_code == 403, r.text
    # Enterprises cannot decide, even their own.
    assert (
        await client.post(f"/api/v1/admin/repair-applications/{number}/approve", json={}, headers=w.h["a"])
    ).status_code == 403
    assert (await client.get("/api/v1/admin/repair-applications", headers=w.h["y"])).json()["items"] == []
    assert (await client.get("/api/v1/repair-applications", headers=w.h["b"])).json()["items"] == []
    assert await Result.count().where(Result.disclosure == "public") == 2
    assert (await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["a"])).json()["status"] == "submitted"
    # Not decided before it is accepted (409 naming the status); rejection needs a reason; then the
    # enterprise may apply again.
    r = await client.post(f"/api/v1/admin/repair-applications/{number}/reject", json={"reason": "x"}, headers=w.h["x"])
    assert r.status_code == 409 and r.json()["current_status"] == "submitted", r.text
    r = await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/admin/repair-applications/{number}/reject", json={"reason": ""}, headers=w.h["x"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = await client.post(
        f"/api/v1/admin/repair-applications/{number}/reject", json={"reason": "材料不全"}, headers=w.h["x"]
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert (
        await client.post(f"/api/v1/admin/repair-applications/{number}/approve", json={}, headers=w.h["x"])
    ).status_code == 409
    assert (await w.apply(client, ra)).status_code == 201


async def test_two_concurrent_applications_exactly_one_wins(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    results = await asyncio.gather(*[w.apply(client, rid) for _ in range(4)])
    assert sorted(r.status_code for r in results) == [201, 409, 409, 409], [r.text for r in results]
    assert await RepairApplication.count() == 1 and await Attachment.count() == len(MATERIALS)


async def test_two_concurrent_approvals_exactly_one_wins(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    url = f"/api/v1/admin/repair-applications/{number}"
    assert (await client.post(f"{url}/accept", json={}, headers=w.h["x"])).status_code == 200
    results = await asyncio.gather(
        client.post(f"{url}/approve", json={"reason": "ok"}, headers=w.h["x"]),
        client.post(f"{url}/approve", json={"reason": "ok too"}, headers=w.h["x2"]),
        client.post(f"{url}/reject", json={"reason": "no"}, headers=w.h["x2"]),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409, 409], [r.text for r in results]
    app = await RepairApplication.select().first()
    assert app["pending_result_id"] is None
    assert await RepairEvent.count().where(RepairEvent.status.is_in(["approved", "rejected"])) == 1
    withdrawn = await ChangeLog.count().where(ChangeLog.action == "withdrawn")
    assert withdrawn == (1 if app["status"] == "approved" else 0)
    assert await AuditLog.count().where(AuditLog.action.is_in(["repair_approve", "repair_reject"])) == 1


async def test_officer_list_flags_overdue(client, clock) -> None:
    w = await World().setup(client)
    r1 = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    r2 = await w.publish(client, w.a, D(2026, 1, 1), "T-2")
    n1 = (await w.apply(client, r1)).json()["number"]
    n2 = (await w.apply(client, r2)).json()["number"]
    await client.post(f"/api/v1/admin/repair-applications/{n2}/accept", json={}, headers=w.h["x"])
    clock["now"] = at(D(2026, 12, 1))  # past accept_by (Nov 30), before decide_by (Dec 16)
    items = {
        i["number"]: i
        for i in (await client.get("/api/v1/admin/repair-applications", headers=w.h["x"])).json()["items"]
    }
    assert items[n1]["overdue"] == ["accept_overdue"] and items[n2]["overdue"] == []
    clock["now"] = at(D(2026, 12, 17))
    page = (
        await client.get(
            "/api/v1/admin/repair-applications", params={"overdue": True, "status": "accepted"}, headers=w.h["x"]
        )
    ).json()
    assert [(i["number"], i["overdue"]) for i in page["items"]] == [(n2, ["decide_overdue"])]
    r = await client.get("/api/v1/admin/repair-applications", params={"status": "lost"}, headers=w.h["x"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


async def test_multipart_evidence_upload(client, clock, files_dir) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    old_files = set(files_on_disk(files_dir))
    url = f"/api/v1/repair-applications/{number}/attachments"
    r = await client.post(url, files=[("files", ("照片.jpg", PNG, "image/jpeg"))], headers=w.h["a"])
    assert r.status_code == 201, r.text
    added = r.json()["attachments"][len(MATERIALS) :]
    assert [(a["filename"], a["content_type"], a["kind"]) for a in added] == [("照片.jpg", "image/png", "other")]
    # The kind by field name, or by a `kind` field for the `files` part; an unknown kind is refused.
    r = await client.post(url, files=[("files_correction", ("现场.png", PNG, "image/png"))], headers=w.h["a"])
    assert (
        r.json()["attachments"][-1]["kind"] == "correction" and r.json()["attachments"][-1]["kind_label"] == "整改材料"
    )
    r = await client.post(
        url, data={"kind": "commitment"}, files=[("files", ("诺.png", PNG, "image/png"))], headers=w.h["a"]
    )
    assert r.json()["attachments"][-1]["kind"] == "commitment"
    r = await client.post(url, files=[("files_bogus", ("x.png", PNG, "image/png"))], headers=w.h["a"])
    assert r.status_code == 422 and "bogus" in r.json()["errors"][0]["message"], r.text
    before = await repair_counts()
    r = await client.post(
        url,
        files=[("files", ("ok.png", PNG, "image/png")), ("files", ("report.pdf", EXE, "application/pdf"))],
        headers=w.h["a"],
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "files[1]"
    assert (await client.post(url, files=[("files", ("a.png", PNG, "image/png"))], headers=w.h["b"])).status_code == 403
    # Files are stored under their content hash: the three PNG uploads share one file.
    assert await repair_counts() == before and len(set(files_on_disk(files_dir)) - old_files) == 1


async def test_objection_confirmed_then_corrected_as_new_revision(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 1), "T-1", categories=["X07"])
    r = await client.post(
        "/api/v1/objections", json={"result_id": rid, "reason": "抽检样品不是本企业的"}, headers=w.h["a"]
    )
    assert r.status_code == 201, r.text
    obj = r.json()
    assert obj["status"] == "submitted" and obj["verify_by"] == "2026-12-02"
    assert (
        await client.post("/api/v1/objections", json={"result_id": rid, "reason": "again"}, headers=w.h["a"])
    ).status_code == 409
    number = obj["number"]
    base = f"/api/v1/admin/objections/{number}"
    assert (await client.post(f"{base}/confirm", json={}, headers=w.h["y"])).status_code == 403
    clock["now"] = at(D(2026, 11, 27))  # Friday
    r = await client.post(f"{base}/confirm", json={"note": "核实属实"}, headers=w.h["x"])
    assert r.status_code == 200 and r.json()["correct_by"] == "2026-12-04", r.text
    r = await client.post(f"{base}/correct", json={"note": "更正为合格", "categories": ["X77"]}, headers=w.h["x"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "categories"
    r = await client.post(f"{base}/correct", json={"note": "更正为合格", "categories": ["N02"]}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    new_id = r.json()["corrected_result_id"]
    assert r.json()["status"] == "corrected"
    old = await client.get(f"/api/v1/results/{rid}")
    assert old.status_code == 410 and old.json()["reason"] == "corrected"
    new = (await client.get(f"/api/v1/results/{new_id}")).json()
    assert new["negative"] is False and [c["code"] for c in new["categories"]] == ["N02"]
    assert new["task_number"] == "T-1"
    row = await Result.select().where(Result.id == new_id).first()
    assert (row["revision"], row["revision_of"]) == (2, rid)
    assert [i["id"] for i in (await client.get("/api/v1/results", params={"uscc": w.a})).json()["items"]] == [new_id]
    log = await ChangeLog.select(ChangeLog.object_id, ChangeLog.action).where(ChangeLog.action != "published")
    assert log == [{"object_id": str(rid), "action": "withdrawn"}]
    assert await Outbox.count().where((Outbox.object_id == str(new_id)) & (Outbox.op == "upsert")) == 1
    assert await Outbox.count().where((Outbox.object_id == str(rid)) & (Outbox.op == "delete")) == 1
    assert (await client.post(f"{base}/reject", json={"note": "late"}, headers=w.h["x"])).status_code == 409
    assert await Objection.count().where(Objection.pending_result_id.is_not_null()) == 0


async def test_objection_rejected_needs_a_note(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 1), "T-1")
    number = (
        await client.post("/api/v1/objections", json={"result_id": rid, "reason": "不服"}, headers=w.h["a"])
    ).json()["number"]
    r = await client.post(f"/api/v1/admin/objections/{number}/reject", json={}, headers=w.h["x"])
    assert r.status_code == 422
    r = await client.post(f"/api/v1/admin/objections/{number}/reject", json={"note": "检查记录无误"}, headers=w.h["x"])
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 200
    clock["now"] = at(D(2026, 12, 10))
    items = (await client.get("/api/v1/admin/objections", headers=w.h["x"])).json()["items"]
    assert items[0]["overdue"] == []


async def test_admin_adds_a_jurisdiction_profile(client, clock) -> None:
    w = await World().setup(client)
    admin = await _admin(client)
    rid = await w.publish(client, w.a, D(2026, 7, 1), "T-1")
    assert (await client.get(f"/api/v1/results/{rid}/repair-eligibility", headers=w.h["a"])).json()["eligible"] is False
    profile = {
        "jurisdiction": "371500",
        "source": "聊城市信用修复实施细则 (demo)",
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
    assert (await client.post("/api/v1/admin/repair-rules", json=profile, headers=w.h["x"])).status_code == 403
    before = await RepairRule.count()
    bad = {**profile, "rules": [{**profile["rules"][0], "min_months": 30}]}  # type: ignore[dict-item]
    r = await client.post("/api/v1/admin/repair-rules", json=bad, headers=admin)
    assert r.status_code == 422 and "rules[0].min_months" in [e["field"] for e in r.json()["errors"]]
    assert await RepairRule.count() == before
    r = await client.post("/api/v1/admin/repair-rules", json=profile, headers=admin)
    assert r.status_code == 201, r.text
    assert (await client.post("/api/v1/admin/repair-rules", json=profile, headers=admin)).status_code == 409
    body = (await client.get(f"/api/v1/results/{rid}/repair-eligibility", headers=w.h["a"])).json()
    assert body["eligible"] is True and body["min_months"] == 3 and body["rule_jurisdiction"] == "371500"
    r = await w.apply(client, rid)
    assert r.json()["accept_by"] == add_working_days(NOW.date(), 2).isoformat() and r.json()["decide_by"] is None
    r = await client.post(f"/api/v1/admin/repair-applications/{r.json()['number']}/accept", json={}, headers=w.h["x"])
    assert r.json()["decide_by"] == add_working_days(NOW.date(), 10).isoformat()
    assert await AuditLog.count().where(AuditLog.action == "repair_rules_add") == 1


async def _admin(client) -> dict[str, str]:
    from tests.helpers import sign_in

    return await sign_in(client, "admin-1", "admin", department_code="370000-scjg")


async def test_public_figures_by_department_without_records(client, clock) -> None:
    w = await World().setup(client)
    ids = [await w.publish(client, w.a, D(2026, 1, 1), f"T-{i}") for i in range(3)]
    numbers = [(await w.apply(client, i)).json()["number"] for i in ids]
    for n in numbers[:2]:
        await client.post(f"/api/v1/admin/repair-applications/{n}/accept", json={}, headers=w.h["x"])
    clock["now"] = at(D(2026, 12, 2))  # 5 working days after Nov 25
    await client.post(f"/api/v1/admin/repair-applications/{numbers[0]}/approve", json={}, headers=w.h["x"])
    clock["now"] = at(D(2026, 12, 4))  # 7 working days
    await client.post(
        f"/api/v1/admin/repair-applications/{numbers[1]}/reject", json={"reason": "不符合"}, headers=w.h["x"]
    )
    r = await client.get("/api/v1/stats/repair")
    assert r.status_code == 200
    body = r.json()
    assert (body["applications"], body["approvals"], body["rejections"], body["pending"]) == (3, 1, 1, 1)
    dept = body["by_department"][0]
    assert dept["department_code"] == DEPT and dept["median_working_days_to_decide"] == 6.0
    for secret in [*numbers, w.a, "ent-a", "不符合"]:
        assert secret not in r.text
    assert (await client.get("/api/v1/stats/repair", params={"year": 2025})).json()["applications"] == 0


async def test_the_unique_index_settles_a_race_the_pre_check_missed(client, clock, files_dir) -> None:
    """Both writers passed the 'no pending application' check; the database still lets one win."""
    from db import repair as repo
    from domain.auth import Principal
    from domain.errors import Conflict as ConflictError
    from domain.evidence import check_files

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    actor = Principal(username="ent-a", role="enterprise", uscc=w.a)
    evidence, _ = check_files([("a.png", PNG)], 10_000)
    row = {
        "result_id": rid,
        "pending_result_id": rid,
        "uscc": w.a,
        "applicant": "ent-a",
        "department_code": DEPT,
        "reason": "r",
        "commitment_accepted": True,
        "status": "submitted",
        "submitted_at": NOW,
        "accept_by": D(2026, 11, 30),
        "decide_by": D(2026, 12, 16),
    }
    old_files = set(files_on_disk(files_dir))
    outcomes = await asyncio.gather(
        *[
            repo.insert_application({**row, "number": f"XFTEST{i}"}, evidence, actor, str(files_dir), NOW)
            for i in range(3)
        ],
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Conflict", "NoneType"], outcomes
    assert all(isinstance(o, ConflictError) for o in outcomes if o is not None)
    assert await RepairApplication.count() == 1 and await Attachment.count() == 1
    assert await RepairEvent.count() == 1
    # The losers' files were removed with their rolled-back rows.
    assert len(set(files_on_disk(files_dir)) - old_files) == 1


async def test_deadline_past_the_known_calendar_is_accepted_with_a_provisional_deadline(client, clock) -> None:
    from domain.workdays import covered_years

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    last = covered_years()[1]
    clock["now"] = at(D(last, 12, 30))  # 3 working days from here run into an unpublished year
    before = await repair_counts()
    r = await w.apply(client, rid)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["accept_by"].startswith(str(last + 1)) and body["deadline_provisional"] is True
    assert await repair_counts() != before
