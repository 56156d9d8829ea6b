"""A pending repair application whose result stops being public another way is closed as `moot`
in the withdrawal's own transaction: the rule without a database, then every withdrawal path on
the real database (the `withdraw-expired` command, the in-process daily run, a linked penalty
withdrawn, an objection's correction, a department's revocation), what the enterprise and the
figures see, failures half-way, the race with a new application, and the migration that closes
the applications older code left pending."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json

import pytest

from db import repair as repo
from db.tables import AuditLog, ChangeLog, Objection, Outbox, PenaltyDecision, RepairApplication, RepairEvent, Result
from db.tx import write_transaction
from domain import repair as rules
from domain import repair_flow as flow
from domain.auth import Principal
from domain.errors import Conflict
from domain.evidence import check_files
from tests.helpers import migration_runner
from tests.repair_helpers import DEPT, NOW, PDF, World, at, run_scheduled_app_until
from tests.test_repair_withdrawal import gongshi

D = dt.date
UTC = dt.UTC
mig = importlib.import_module("migrations.gongshi_2026_11_25t17_00_00_000000")


# -- the rule, without a database ---------------------------------------------------------------


def app_row(i: int, result_id: int, status: str) -> dict:
    return {"id": i, "number": f"XF{i}", "result_id": result_id, "status": status}


def test_only_pending_applications_of_withdrawn_results_become_moot() -> None:
    w = rules.Withdrawal(7, "expired", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC))
    apps = [
        app_row(1, 7, "submitted"),
        app_row(2, 7, "accepted"),
        app_row(3, 7, "approved"),
        app_row(4, 7, "rejected"),
        app_row(5, 7, "moot"),
        app_row(6, 8, "submitted"),
    ]
    out = rules.applications_made_moot([w], apps)
    assert [(m.application_id, m.number, m.result_id, m.cause) for m in out] == [
        (1, "XF1", 7, "expired"),
        (2, "XF2", 7, "expired"),
    ]
    assert all(m.reason == rules.moot_reason(w) for m in out)
    assert rules.applications_made_moot([], apps) == []


def test_the_approval_that_withdraws_the_result_is_not_made_moot() -> None:
    w = rules.Withdrawal(7, "repaired", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC), ref="XF1")
    apps = [app_row(1, 7, "accepted"), app_row(2, 7, "submitted")]
    assert [m.number for m in rules.applications_made_moot([w], apps)] == ["XF2"]
    assert "XF1" in rules.moot_reason(w)


@pytest.mark.parametrize(
    "w, must",
    [
        (
            rules.Withdrawal(1, "expired", dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),
            ["最长公示期", "2026-11-27", "statutory maximum"],
        ),  # 01:00 in Shanghai: the local date counts
        (
            rules.Withdrawal(
                1,
                "penalty_withdrawn",
                dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
                penalty_decision_number="聊市监罚〔2026〕12号",
            ),
            ["聊市监罚〔2026〕12号", "行政处罚决定", "2026-11-27"],
        ),
        (
            rules.Withdrawal(
                1,
                "corrected",
                dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
                ref="YY1",
                replaced_by=9,
                replaced_revision=2,
                replacement_negative=True,
            ),
            ["异议 YY1", "第 2 版", "结果编号 9", "revision 2, result 9", "可对其重新申请"],
        ),
        (
            rules.Withdrawal(
                1,
                "corrected",
                dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
                ref="YY1",
                replaced_by=9,
                replaced_revision=2,
                replacement_negative=False,
            ),
            ["异议 YY1", "第 2 版", "不是失信结果，无需修复"],
        ),
        (rules.Withdrawal(1, "revoked", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC)), ["发布部门", "撤回", "withdrew"]),
        (rules.Withdrawal(1, "something-new", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC)), ["停止公示", "2026-11-27"]),
    ],
)
def test_the_reason_names_what_happened_and_when(w: rules.Withdrawal, must: list[str]) -> None:
    text = rules.moot_reason(w)
    for part in must:
        assert part in text, (part, text)
    assert "予以终止" in text and "closed" in text


@pytest.mark.parametrize(
    "w",
    [
        rules.Withdrawal(1, "expired", dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC)),
        rules.Withdrawal(
            1,
            "penalty_withdrawn",
            dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
            penalty_decision_number="聊市监罚〔2026〕12号",
        ),
        rules.Withdrawal(
            1,
            "corrected",
            dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
            ref="YY1",
            replaced_by=9,
            replaced_revision=2,
            replacement_negative=True,
        ),
        rules.Withdrawal(
            1,
            "corrected",
            dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC),
            ref="YY1",
            replaced_by=9,
            replaced_revision=2,
            replacement_negative=False,
        ),
        rules.Withdrawal(1, "revoked", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC)),
        rules.Withdrawal(1, "repaired", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC), ref="XF1"),
        rules.Withdrawal(1, "", dt.datetime(2026, 11, 27, 4, 0, tzinfo=UTC)),
    ],
)
def test_the_migration_s_frozen_reason_agrees_with_the_domain(w: rules.Withdrawal) -> None:
    day = rules.local_date(w.at).isoformat()
    assert mig.moot_reason(
        w.reason,
        day,
        ref=w.ref,
        penalty_decision_number=w.penalty_decision_number,
        replaced_by=w.replaced_by,
        replaced_revision=w.replaced_revision,
        replacement_negative=w.replacement_negative,
    ) == rules.moot_reason(w)


def test_moot_is_neither_pending_nor_overdue_nor_decided_in_the_figures() -> None:
    assert rules.application_overdue("moot", D(2026, 11, 1), D(2026, 11, 2), D(2027, 1, 1)) == []
    sub = dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    rows = [
        {"department_code": "d", "status": "approved", "submitted_at": sub, "decided_at": sub + dt.timedelta(days=7)},
        {"department_code": "d", "status": "moot", "submitted_at": sub, "decided_at": sub + dt.timedelta(days=1)},
        {"department_code": "d", "status": "accepted", "submitted_at": sub, "decided_at": None},
    ]
    (f,) = flow.figures(rows)
    assert (f.applications, f.approvals, f.rejections, f.pending, f.moot) == (3, 1, 0, 1, 1)
    assert f.median_working_days_to_decide == 5.0  # the moot one is not a decision


# -- on the database: helpers ----------------------------------------------------------------------


async def application(number: str) -> dict:
    return await RepairApplication.select().where(RepairApplication.number == number).first()  # type: ignore[return-value]


async def result_row(rid: int) -> dict:
    return await Result.select().where(Result.id == rid).first()  # type: ignore[return-value]


async def moot_audit(number: str) -> list[dict]:
    return await AuditLog.select().where((AuditLog.action == "repair_moot") & (AuditLog.object_id == number))


async def assert_moot(client, w: World, number: str, rid: int, actor: str, *parts: str) -> dict:
    """Closed in the withdrawal's transaction (same instant), with a reason, an event and an audit
    row; the enterprise sees it in the API's detail and list."""
    a = await application(number)
    r = await result_row(rid)
    assert r["disclosure"] == "withdrawn"
    assert a["status"] == "moot" and a["pending_result_id"] is None
    assert a["decided_at"] == r["withdrawn_at"] and a["decided_by"] == actor
    for part in parts:
        assert part in a["decision_reason"], (part, a["decision_reason"])
    events = await RepairEvent.select().where(RepairEvent.application_id == a["id"]).order_by(RepairEvent.id)
    assert events[-1]["status"] == "moot" and events[-1]["note"] == a["decision_reason"]
    assert events[-1]["at"] == a["decided_at"]
    (audit,) = await moot_audit(number)
    assert audit["actor"] == actor and audit["reason"] == a["decision_reason"]
    detail = audit["detail"] if isinstance(audit["detail"], dict) else json.loads(audit["detail"])
    assert detail == {"result_id": rid, "status": "moot", "withdrawn_reason": r["withdrawn_reason"]}

    mine = await client.get(f"/api/v1/repair-applications/{number}", headers=w.h["a"])
    assert mine.status_code == 200
    body = mine.json()
    assert body["status"] == "moot" and body["decision_reason"] == a["decision_reason"]
    assert body["overdue"] == [] and body["decided_at"] is not None
    assert body["timeline"][-1]["status"] == "moot"
    listed = (await client.get("/api/v1/repair-applications", headers=w.h["a"])).json()["items"]
    assert {i["number"]: i["status"] for i in listed}[number] == "moot"
    return a


async def figures(client) -> dict:
    body = (await client.get("/api/v1/stats/repair")).json()
    return {k: body[k] for k in ("applications", "approvals", "rejections", "pending", "moot")}


# -- every withdrawal path --------------------------------------------------------------------------


async def test_expired_by_the_command_closes_the_pending_application_only(client, clock, settings) -> None:
    w = await World().setup(client)
    # The 36-month maximum of a result published 2023-11-26 runs through 2026-11-26: it stops on 2026-11-27.
    rid = await w.publish(client, w.a, D(2023, 11, 26), "T-exp")
    stays = await w.publish(client, w.a, D(2026, 1, 1), "T-stays")
    first = (await w.apply(client, rid)).json()["number"]
    await client.post(f"/api/v1/admin/repair-applications/{first}/accept", json={}, headers=w.h["x"])
    r = await client.post(
        f"/api/v1/admin/repair-applications/{first}/reject", json={"reason": "材料不全"}, headers=w.h["x"]
    )
    assert r.status_code == 200
    number = (await w.apply(client, rid)).json()["number"]
    await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    other = (await w.apply(client, stays)).json()["number"]
    assert await figures(client) == {"applications": 3, "approvals": 0, "rejections": 1, "pending": 2, "moot": 0}
    rejected_before = await application(first)

    assert (
        gongshi(settings, "withdraw-expired", "--today", "2026-11-27").strip()
        == "withdrawn: expired=1 penalty_withdrawn=0"
    )

    await assert_moot(client, w, number, rid, "system:withdraw-expired", "最长公示期", "2026-11-27")
    assert await application(first) == rejected_before  # decided: untouched
    assert (await application(other))["status"] == "submitted"  # its result is still public
    assert await figures(client) == {"applications": 3, "approvals": 0, "rejections": 1, "pending": 1, "moot": 1}

    # The department's queue: not pending, never overdue, findable as moot; no decision possible.
    clock["now"] = at(D(2026, 12, 31))  # past every deadline
    overdue = (
        await client.get("/api/v1/admin/repair-applications", params={"overdue": True}, headers=w.h["x"])
    ).json()["items"]
    assert [i["number"] for i in overdue] == [other]
    pending = (
        await client.get("/api/v1/admin/repair-applications", params={"status": "submitted,accepted"}, headers=w.h["x"])
    ).json()["items"]
    assert [i["number"] for i in pending] == [other]
    moot = (await client.get("/api/v1/admin/repair-applications", params={"status": "moot"}, headers=w.h["x"])).json()[
        "items"
    ]
    assert [(i["number"], i["overdue"]) for i in moot] == [(number, [])]
    r = await client.post(f"/api/v1/admin/repair-applications/{number}/approve", json={}, headers=w.h["x"])
    assert r.status_code == 409 and r.json().get("current_status") == "moot", r.text
    r = await client.post(
        f"/api/v1/repair-applications/{number}/attachments",
        files=[("files", ("a.pdf", PDF, "application/pdf"))],
        headers=w.h["a"],
    )
    assert r.status_code == 409

    # A second run changes nothing.
    before = (await AuditLog.count(), await RepairEvent.count())
    assert (
        gongshi(settings, "withdraw-expired", "--today", "2026-11-28").strip()
        == "withdrawn: expired=0 penalty_withdrawn=0"
    )
    assert (await AuditLog.count(), await RepairEvent.count()) == before


async def test_the_portal_shows_the_enterprise_why_it_was_closed(client, clock, settings) -> None:
    from tests.test_repair_portal import portal_sign_in

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2023, 11, 26), "T-exp")
    number = (await w.apply(client, rid)).json()["number"]
    assert gongshi(settings, "withdraw-expired", "--today", "2026-11-27").strip().endswith("penalty_withdrawn=0")
    reason = (await application(number))["decision_reason"]
    await portal_sign_in(client, "ent-a")
    home = (await client.get("/repair")).text
    assert number in home and "已终止（结果已停止公示）" in home and "最长公示期" in home
    page = (await client.get(f"/repair/applications/{number}")).text
    assert "已终止（结果已停止公示）" in page and "终止理由" in page and "决定理由" not in page
    assert reason.split(" (")[0] in page and "已超期" not in page
    en = (await client.get(f"/repair/applications/{number}", params={"lang": "en"})).text
    assert "Closed (the result is no longer public)" in en and "Why it was closed" in en


async def test_the_daily_in_process_run_closes_it_too(client, clock, settings, app) -> None:
    w = await World().setup(client)
    # Far enough back that it has expired whatever today's real date is; the application is
    # written straight through the repository (the API would refuse an expired result).
    rid = await w.publish(client, w.a, D(2020, 1, 1), "T-1")
    actor = Principal(username="ent-a", role="enterprise", uscc=w.a)
    number = "XFDAILY0001"
    await repo.insert_application(
        {
            "number": number,
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
        },
        [],
        actor,
        settings.files_dir,
        NOW,
    )

    async def moot() -> bool:
        return (await application(number))["status"] == "moot"

    await run_scheduled_app_until(settings, app, moot)
    await assert_moot(client, w, number, rid, "system:withdraw-expired", "最长公示期")


async def test_linked_penalty_withdrawn(client, clock) -> None:
    from commands.repair import run_once

    w = await World().setup(client)
    pn = "聊市监罚〔2026〕12号"
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-pen", penalty=pn)
    number = (await w.apply(client, rid)).json()["number"]
    await PenaltyDecision.insert(
        PenaltyDecision(
            number=pn, department_code=DEPT, decided_on=D(2025, 12, 20), disclosure="withdrawn", withdrawn_at=NOW
        )
    )
    assert await run_once(at(D(2026, 11, 26))) == {"expired": 0, "penalty_withdrawn": 1}
    await assert_moot(client, w, number, rid, "system:withdraw-expired", pn, "2026-11-26")
    assert await figures(client) == {"applications": 1, "approvals": 0, "rejections": 0, "pending": 0, "moot": 1}


@pytest.mark.parametrize("categories, still_negative", [(["N02"], False), (["X07"], True)])
async def test_corrected_by_an_objection(client, clock, categories, still_negative) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-obj")
    number = (await w.apply(client, rid)).json()["number"]
    obj = (
        await client.post(
            "/api/v1/objections", json={"result_id": rid, "reason": "抽检样品不是本企业的"}, headers=w.h["a"]
        )
    ).json()["number"]
    clock["now"] = at(D(2026, 11, 27))
    r = await client.post(
        f"/api/v1/admin/objections/{obj}/correct", json={"note": "核实更正", "categories": categories}, headers=w.h["x"]
    )
    assert r.status_code == 200, r.text
    new_id = r.json()["corrected_result_id"]
    a = await assert_moot(
        client, w, number, rid, "officer-x", f"异议 {obj}", "第 2 版", f"结果编号 {new_id}", "2026-11-27"
    )
    assert ("可对其重新申请" in a["decision_reason"]) is still_negative
    assert ("无需修复" in a["decision_reason"]) is not still_negative
    assert await figures(client) == {"applications": 1, "approvals": 0, "rejections": 0, "pending": 0, "moot": 1}
    # The corrected revision can be applied for when it is still negative (same publication date).
    r = await w.apply(client, new_id)
    assert r.status_code == (201 if still_negative else 422), r.text


async def test_revoked_by_the_department(client, clock) -> None:
    """No endpoint revokes a result yet; every withdrawal goes through db.repair._withdraw, so a
    future one (reason `revoked`) closes applications the same way."""
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-rev")
    number = (await w.apply(client, rid)).json()["number"]
    officer = Principal(username="officer-x", role="officer", department_code=DEPT)
    assert await repo.withdraw_results([rid], "revoked", officer, "录入错误，撤回", at(D(2026, 11, 26))) == [rid]
    a = await assert_moot(client, w, number, rid, "officer-x", "发布部门", "撤回", "2026-11-26")
    assert "录入错误" not in a["decision_reason"]  # the department's internal note is not told


async def test_approval_closes_its_own_application_as_approved_not_moot(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    r = await client.post(
        f"/api/v1/admin/repair-applications/{number}/approve", json={"reason": "ok"}, headers=w.h["x"]
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert await moot_audit(number) == []
    assert await figures(client) == {"applications": 1, "approvals": 1, "rejections": 0, "pending": 0, "moot": 0}


# -- failures half-way leave both unchanged ----------------------------------------------------------


@pytest.fixture
def fail_moot_audit(monkeypatch):
    """The last write of the closing step fails (after the result's and the application's updates)."""
    from db import changes

    real = changes.audit

    async def audit(actor, action, *a, **kw):
        if action == "repair_moot":
            raise RuntimeError("disk full")
        return await real(actor, action, *a, **kw)

    monkeypatch.setattr(changes, "audit", audit)


async def snapshot(rid: int, number: str) -> tuple:
    return (
        await result_row(rid),
        await application(number),
        await RepairEvent.count(),
        await AuditLog.count(),
        await ChangeLog.count(),
        await Outbox.count(),
        await Result.count(),
    )


async def test_a_failed_expiry_run_leaves_result_and_application_unchanged(client, clock, fail_moot_audit) -> None:
    from commands.repair import run_once

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2023, 11, 26), "T-exp")
    number = (await w.apply(client, rid)).json()["number"]
    before = await snapshot(rid, number)
    with pytest.raises(RuntimeError, match="disk full"):
        await run_once(at(D(2026, 11, 27)))
    assert await snapshot(rid, number) == before
    assert before[0]["disclosure"] == "public" and before[1]["status"] == "submitted"


async def test_a_failed_correction_leaves_result_objection_and_application_unchanged(
    client, clock, fail_moot_audit
) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-obj")
    number = (await w.apply(client, rid)).json()["number"]
    obj = (
        await client.post("/api/v1/objections", json={"result_id": rid, "reason": "wrong"}, headers=w.h["a"])
    ).json()["number"]
    before = (await snapshot(rid, number), await Objection.select().where(Objection.number == obj).first())
    officer = Principal(username="officer-x", role="officer", department_code=DEPT)
    with pytest.raises(RuntimeError, match="disk full"):
        await flow.correct_objection(repo, officer, obj, {"categories": ["N02"]}, "更正", at(D(2026, 11, 27)))
    assert (await snapshot(rid, number), await Objection.select().where(Objection.number == obj).first()) == before


# -- the race with a new application ------------------------------------------------------------------


def _row(rid: int, uscc: str, number: str) -> dict:
    return {
        "number": number,
        "result_id": rid,
        "pending_result_id": rid,
        "uscc": uscc,
        "applicant": "ent-a",
        "department_code": DEPT,
        "reason": "r",
        "commitment_accepted": True,
        "status": "submitted",
        "submitted_at": NOW,
        "accept_by": D(2026, 11, 30),
        "decide_by": D(2026, 12, 16),
    }


async def test_an_application_racing_a_withdrawal_is_refused_or_closed(client, clock, settings) -> None:
    """The use case saw the result public; the withdrawal commits before (or while) the row is
    written. Either the insert is refused (409, nothing stored) or it lands first and is closed."""
    w = await World().setup(client)
    actor = Principal(username="ent-a", role="enterprise", uscc=w.a)
    evidence, _ = check_files([("a.pdf", PDF)], 10_000)

    # Committed before: refused.
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    await repo.withdraw_results([rid], "expired", flow.SYSTEM, "公示期满", NOW)
    before = (await RepairApplication.count(), await AuditLog.count())
    with pytest.raises(Conflict) as e:
        await repo.insert_application(_row(rid, w.a, "XFRACE0001"), evidence, actor, settings.files_dir, NOW)
    assert e.value.extra.get("reasons") == ["not_public"]
    assert (await RepairApplication.count(), await AuditLog.count()) == before

    # While the withdrawal's transaction is open: the insert waits for it, then is refused.
    rid2 = await w.publish(client, w.a, D(2026, 1, 1), "T-2")
    withdrawing = asyncio.Event()

    async def withdraw() -> None:
        async with write_transaction():
            await repo._withdraw([rid2], "expired", flow.SYSTEM, "公示期满", NOW)
            withdrawing.set()
            await asyncio.sleep(0.3)

    async def apply() -> BaseException | None:
        await withdrawing.wait()
        try:
            await repo.insert_application(_row(rid2, w.a, "XFRACE0002"), evidence, actor, settings.files_dir, NOW)
        except Conflict as exc:
            return exc
        return None

    _, outcome = await asyncio.gather(withdraw(), apply())
    assert isinstance(outcome, Conflict), outcome
    assert not await RepairApplication.exists().where(RepairApplication.number == "XFRACE0002")

    # Written first: the withdrawal finds it and closes it.
    rid3 = await w.publish(client, w.a, D(2026, 1, 1), "T-3")
    await repo.insert_application(_row(rid3, w.a, "XFRACE0003"), evidence, actor, settings.files_dir, NOW)
    await repo.withdraw_results([rid3], "expired", flow.SYSTEM, "公示期满", NOW)
    assert (await application("XFRACE0003"))["status"] == "moot"


# -- the migration for applications older code left pending -------------------------------------------


@pytest.fixture
def run_migration(app, clean_db, monkeypatch):
    return migration_runner(mig, monkeypatch)


async def _stuck_state(client, w: World) -> dict:
    """What older code left: results withdrawn under pending applications, written straight into
    the tables (the code now would have closed them)."""
    ids = {
        k: await w.publish(client, w.a, D(2026, 1, 1), f"T-{k}", penalty="聊市监罚〔2026〕9号" if k == "pen" else "")
        for k in ("exp", "pen", "cor", "public", "decided")
    }
    numbers = {k: (await w.apply(client, rid)).json()["number"] for k, rid in ids.items()}
    await client.post(f"/api/v1/admin/repair-applications/{numbers['decided']}/accept", json={}, headers=w.h["x"])
    await client.post(
        f"/api/v1/admin/repair-applications/{numbers['decided']}/reject", json={"reason": "不符合"}, headers=w.h["x"]
    )
    when = at(D(2026, 11, 26), hour=1)
    for k, reason in (("exp", "expired"), ("pen", "penalty_withdrawn"), ("cor", "corrected"), ("decided", "expired")):
        await Result.update(
            {
                Result.disclosure: "withdrawn",
                Result.withdrawn_reason: reason,
                Result.withdrawn_at: when,
                Result.withdrawn_by: "old-code",
            }
        ).where(Result.id == ids[k])
    old = await result_row(ids["cor"])
    fresh = {k: v for k, v in old.items() if k != "id"}
    fresh.update(
        {
            "revision": 2,
            "revision_of": old["id"],
            "disclosure": "public",
            "withdrawn_reason": "",
            "withdrawn_at": None,
            "withdrawn_by": "",
            "category_codes": "N02",
            "negative": False,
        }
    )
    new_id = (await Result.insert(Result(**fresh)).returning(Result.id))[0]["id"]
    await Objection.insert(
        Objection(
            number="YYOLD0001",
            result_id=old["id"],
            pending_result_id=None,
            uscc=w.a,
            applicant="ent-a",
            department_code=DEPT,
            reason="r",
            status="corrected",
            submitted_at=NOW,
            verify_by=D(2026, 12, 2),
            corrected_result_id=new_id,
        )
    )
    return {"ids": ids, "numbers": numbers, "new_id": new_id}


async def test_migration_closes_what_older_code_left_pending(run_migration, client, clock) -> None:
    w = await World().setup(client)
    s = await _stuck_state(client, w)
    numbers = s["numbers"]
    decided_before = await application(numbers["decided"])
    assert await figures(client) == {"applications": 5, "approvals": 0, "rejections": 1, "pending": 4, "moot": 0}

    await run_migration()

    expect = {
        "exp": ["最长公示期", "2026-11-26"],
        "pen": ["聊市监罚〔2026〕9号"],
        "cor": ["异议 YYOLD0001", "第 2 版", f"结果编号 {s['new_id']}", "无需修复"],
    }
    for k, parts in expect.items():
        a = await application(numbers[k])
        assert a["status"] == "moot" and a["pending_result_id"] is None and a["decided_by"] == "system:moot-migration"
        for part in parts:
            assert part in a["decision_reason"], (k, part, a["decision_reason"])
        events = await RepairEvent.select().where(RepairEvent.application_id == a["id"]).order_by(RepairEvent.id)
        assert (events[-1]["status"], events[-1]["note"]) == ("moot", a["decision_reason"])
        (audit,) = await moot_audit(numbers[k])
        assert (audit["actor"], audit["actor_role"], audit["reason"]) == (
            "system:moot-migration",
            "system",
            a["decision_reason"],
        )
        mine = (await client.get(f"/api/v1/repair-applications/{numbers[k]}", headers=w.h["a"])).json()
        assert mine["status"] == "moot" and mine["overdue"] == []
    # The same words the code uses now.
    exp_reason = (await application(numbers["exp"]))["decision_reason"]
    assert exp_reason == rules.moot_reason(rules.Withdrawal(0, "expired", at(D(2026, 11, 26), hour=1)))
    assert (await application(numbers["public"]))["status"] == "submitted"
    assert await application(numbers["decided"]) == decided_before
    assert await figures(client) == {"applications": 5, "approvals": 0, "rejections": 1, "pending": 1, "moot": 3}

    before = (await AuditLog.count(), await RepairEvent.count(), await ChangeLog.count(), await Outbox.count())
    await run_migration()
    assert (await AuditLog.count(), await RepairEvent.count(), await ChangeLog.count(), await Outbox.count()) == before


async def test_migration_on_an_empty_database(run_migration) -> None:
    await run_migration()
    assert await AuditLog.count() == 0 and await RepairEvent.count() == 0
