"""A pending objection whose result stops being public another way (the maximum period — the
`withdraw-expired` command or the daily in-process run —, a linked penalty withdrawn, a repair
application approved, the department's revocation) stays pending, listed and decidable: the record
is kept and a confirmed error must still be corrected. Its correction puts the kept record right
without publishing it again. Only a result already replaced by another objection's correction
leaves nothing to decide: a second objection can no longer be filed on it (the insert re-checks
inside its transaction), a correction refuses it, and a migration closes as moot the ones older
code let through. The rules without a database first, then every path on the real database."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json

import pytest

from db import repair as repo
from db.tables import AuditLog, ChangeLog, Objection, Outbox, PenaltyDecision, RepairApplication, Result
from db.tx import write_transaction
from domain import repair as rules
from domain import repair_flow as flow
from domain.auth import Principal
from domain.errors import Conflict
from domain.evidence import check_files
from tests.helpers import migration_runner
from tests.repair_helpers import DEPT, NOW, PDF, World, at, run_scheduled_app_until
from tests.test_repair_withdrawal import gongshi, public_view

D = dt.date
UTC = dt.UTC
mig = importlib.import_module("migrations.gongshi_2026_11_25t17_30_00_000000")
OFFICER = Principal(username="officer-x", role="officer", department_code=DEPT)


# -- the rules, without a database ------------------------------------------------------------------


def test_only_a_result_replaced_by_a_correction_makes_an_objection_moot() -> None:
    assert rules.objection_made_moot("corrected") is True
    for reason in ("expired", "penalty_withdrawn", "repaired", "revoked", ""):
        assert rules.objection_made_moot(reason) is False, reason
    assert "moot" in rules.OBJECTION_STATUSES and rules.OBJECTION_MOOT_FROM == rules.OBJECTION_PENDING
    assert rules.objection_overdue("moot", D(2026, 11, 1), D(2026, 11, 2), D(2027, 1, 1)) == []


def _row(disclosure: str, reason: str = "") -> dict:
    when = dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC) if reason else None
    return {
        "disclosure": disclosure,
        "withdrawn_reason": reason,
        "withdrawn_at": when,
        "withdrawn_by": "system:withdraw-expired" if reason else "",
        "withdrawn_note": "公示期满" if reason else "",
    }


def test_a_correction_publishes_only_what_is_still_public() -> None:
    assert rules.corrected_revision_disclosure(_row("public")) == _row("public")
    for reason in ("expired", "penalty_withdrawn", "repaired", "revoked"):
        # The kept record is put right; its withdrawal (reason, instant, actor, note) carries over.
        assert rules.corrected_revision_disclosure(_row("withdrawn", reason)) == _row("withdrawn", reason)
    with pytest.raises(Conflict) as e:
        rules.corrected_revision_disclosure(_row("withdrawn", "corrected"))
    assert e.value.extra["reasons"] == ["superseded"]


def test_the_moot_reason_names_the_correction_and_the_new_revision() -> None:
    w = rules.Withdrawal(
        1, "corrected", dt.datetime(2026, 11, 26, 17, 0, tzinfo=UTC), ref="YY1", replaced_by=9, replaced_revision=2
    )
    text = rules.objection_moot_reason(w)
    for part in (
        "异议 YY1",
        "2026-11-27",
        "第 2 版",
        "结果编号 9",
        "本异议",
        "予以终止",
        "可对其提出异议",
        "revision 2, result 9",
        "closed",
    ):
        assert part in text, (part, text)
    # The migration's frozen copy says the same.
    assert mig.objection_moot_reason("YY1", "2026-11-27", 9, 2) == text


# -- on the database: helpers -------------------------------------------------------------------------


async def objection(number: str) -> dict:
    return await Objection.select().where(Objection.number == number).first()  # type: ignore[return-value]


async def result_row(rid: int) -> dict:
    return await Result.select().where(Result.id == rid).first()  # type: ignore[return-value]


async def file_objection(client, w: World, rid: int) -> str:
    r = await client.post(
        "/api/v1/objections", json={"result_id": rid, "reason": "抽检样品不是本企业的"}, headers=w.h["a"]
    )
    assert r.status_code == 201, r.text
    return r.json()["number"]


async def listed(client, w: World, status: str) -> dict[str, list[str]]:
    items = (await client.get("/api/v1/admin/objections", params={"status": status}, headers=w.h["x"])).json()
    return {i["number"]: i["overdue"] for i in items["items"]}


def detail_of(row: dict) -> dict:
    return row["detail"] if isinstance(row["detail"], dict) else json.loads(row["detail"])


async def assert_still_pending(client, w: World, number: str, rid: int, status: str) -> None:
    """The result is gone from public view; the objection waits for its decision, in the queue."""
    assert (await result_row(rid))["disclosure"] == "withdrawn"
    o = await objection(number)
    assert (o["status"], o["pending_result_id"], o["decided_at"]) == (status, rid, None)
    assert number in await listed(client, w, "submitted,confirmed")


async def assert_corrected_not_published(
    client, w: World, number: str, rid: int, reason: str, categories: list[str]
) -> int:
    """The correction writes revision 2 of the kept record, withdrawn like the wrong one, and
    publishes nothing: no page, list, export, feed or change-feed entry, no search upsert."""
    old_before = await result_row(rid)
    changes_before, outbox_before = await ChangeLog.count(), await Outbox.count()
    r = await client.post(
        f"/api/v1/admin/objections/{number}/correct",
        json={"note": "核实更正", "categories": categories},
        headers=w.h["x"],
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "corrected"
    new_id = r.json()["corrected_result_id"]
    new = await result_row(new_id)
    assert (new["revision"], new["revision_of"], new["category_codes"]) == (2, rid, ",".join(categories))
    assert new["published_on"] == old_before["published_on"]
    assert new["disclosure"] == "withdrawn", new
    for k in ("withdrawn_reason", "withdrawn_at", "withdrawn_by", "withdrawn_note"):
        assert new[k] == old_before[k], k
    assert new["withdrawn_reason"] == reason
    assert await result_row(rid) == old_before  # the wrong row keeps its own withdrawal record

    v = await public_view(client, w.a, new_id)
    assert v == {
        "portal": 410,
        "in_portal_entity": False,
        "in_exports": False,
        "in_feed": False,
        "status": 410,
        "reason": reason,
        "in_list": False,
        "in_department_list": False,
        "in_entity": False,
        "actions": [],
    }, v
    assert (await ChangeLog.count(), await Outbox.count()) == (changes_before, outbox_before)
    officer_view = (await client.get(f"/api/v1/admin/results/{new_id}", headers=w.h["x"])).json()
    assert (officer_view["disclosure"], officer_view["withdrawn_reason"], officer_view["revision_of"]) == (
        "withdrawn",
        reason,
        rid,
    )

    o = await objection(number)
    assert (o["status"], o["pending_result_id"], o["corrected_result_id"]) == ("corrected", None, new_id)
    (audit,) = await AuditLog.select().where((AuditLog.action == "objection_correct") & (AuditLog.object_id == number))
    assert detail_of(audit) == {"old_result_id": rid, "new_result_id": new_id, "published": False}
    assert number not in await listed(client, w, "submitted,confirmed")
    return new_id


# -- every way a result stops being public while an objection is pending -------------------------------


async def test_expired_by_the_command_objection_stays_pending_and_is_corrected_unpublished(
    client, clock, settings
) -> None:
    w = await World().setup(client)
    # The 36-month maximum of a result published 2023-11-26 runs through 2026-11-26: it stops on 2026-11-27.
    rid = await w.publish(client, w.a, D(2023, 11, 26), "T-exp")
    number = await file_objection(client, w, rid)
    r = await client.post(f"/api/v1/admin/objections/{number}/confirm", json={"note": "核实属实"}, headers=w.h["x"])
    assert r.status_code == 200 and r.json()["correct_by"] == "2026-12-02", r.text

    assert (
        gongshi(settings, "withdraw-expired", "--today", "2026-11-27").strip()
        == "withdrawn: expired=1 penalty_withdrawn=0"
    )
    await assert_still_pending(client, w, number, rid, "confirmed")
    clock["now"] = at(D(2026, 12, 3))  # the correction is late: the queue says so
    assert (await listed(client, w, "confirmed"))[number] == ["correct_overdue"]

    await assert_corrected_not_published(client, w, number, rid, "expired", ["N02"])
    # Still expired: the next run has nothing to do.
    assert (
        gongshi(settings, "withdraw-expired", "--today", "2026-12-03").strip()
        == "withdrawn: expired=0 penalty_withdrawn=0"
    )


async def test_the_daily_in_process_run_leaves_it_pending_and_decidable(client, clock, settings, app) -> None:
    w = await World().setup(client)
    # Far enough back that it has expired whatever today's real date is.
    rid = await w.publish(client, w.a, D(2020, 1, 1), "T-1")
    number = await file_objection(client, w, rid)

    async def withdrawn() -> bool:
        return (await result_row(rid))["disclosure"] == "withdrawn"

    await run_scheduled_app_until(settings, app, withdrawn)
    await assert_still_pending(client, w, number, rid, "submitted")
    r = await client.post(f"/api/v1/admin/objections/{number}/reject", json={"note": "检查记录无误"}, headers=w.h["x"])
    assert r.status_code == 200 and r.json()["status"] == "rejected", r.text
    o = await objection(number)
    assert o["pending_result_id"] is None and o["decided_by"] == "officer-x"


async def test_linked_penalty_withdrawn(client, clock) -> None:
    from commands.repair import run_once

    w = await World().setup(client)
    pn = "聊市监罚〔2026〕12号"
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-pen", penalty=pn)
    number = await file_objection(client, w, rid)
    await PenaltyDecision.insert(
        PenaltyDecision(
            number=pn, department_code=DEPT, decided_on=D(2025, 12, 20), disclosure="withdrawn", withdrawn_at=NOW
        )
    )
    assert await run_once(at(D(2026, 11, 26))) == {"expired": 0, "penalty_withdrawn": 1}
    await assert_still_pending(client, w, number, rid, "submitted")
    await assert_corrected_not_published(client, w, number, rid, "penalty_withdrawn", ["X07"])


async def test_repair_approved_the_correction_does_not_publish_the_repaired_result_again(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-rep")
    application = (await w.apply(client, rid)).json()["number"]
    number = await file_objection(client, w, rid)
    await client.post(f"/api/v1/admin/repair-applications/{application}/accept", json={}, headers=w.h["x"])
    r = await client.post(
        f"/api/v1/admin/repair-applications/{application}/approve", json={"reason": "整改到位"}, headers=w.h["x"]
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    await assert_still_pending(client, w, number, rid, "submitted")
    r = await client.post(f"/api/v1/admin/objections/{number}/confirm", json={}, headers=w.h["x"])
    assert r.status_code == 200 and r.json()["status"] == "confirmed"

    new_id = await assert_corrected_not_published(client, w, number, rid, "repaired", ["X07"])
    # Still negative, but its publicity stopped with the repair: nothing to apply for again.
    e = (await client.get(f"/api/v1/results/{new_id}/repair-eligibility", headers=w.h["a"])).json()
    assert e["eligible"] is False and "not_public" in [x["code"] for x in e["reasons"]]
    assert (await w.apply(client, new_id)).status_code == 422
    app_row = await RepairApplication.select().where(RepairApplication.number == application).first()
    assert app_row["status"] == "approved"


async def test_revoked_by_the_department(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-rev")
    number = await file_objection(client, w, rid)  # verify_by 2026-12-02
    assert await repo.withdraw_results([rid], "revoked", OFFICER, "录入错误，撤回", at(D(2026, 11, 26))) == [rid]
    await assert_still_pending(client, w, number, rid, "submitted")
    clock["now"] = at(D(2026, 12, 3))
    assert (await listed(client, w, "submitted"))[number] == ["verify_overdue"]
    await assert_corrected_not_published(client, w, number, rid, "revoked", ["N02"])


async def test_a_correction_of_a_still_public_result_is_published(client, clock) -> None:
    """The other branch, for contrast: unchanged behaviour, and the audit says it was published."""
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-pub")
    number = await file_objection(client, w, rid)
    r = await client.post(
        f"/api/v1/admin/objections/{number}/correct", json={"note": "更正", "categories": ["N02"]}, headers=w.h["x"]
    )
    assert r.status_code == 200, r.text
    new_id = r.json()["corrected_result_id"]
    assert (await client.get(f"/api/v1/results/{new_id}")).status_code == 200
    assert (await client.get(f"/api/v1/results/{rid}")).json()["reason"] == "corrected"
    (audit,) = await AuditLog.select().where(AuditLog.action == "objection_correct")
    assert detail_of(audit)["published"] is True


# -- races: a correction against a withdrawal, a filing against a correction ----------------------------


async def test_a_correction_racing_a_withdrawal_does_not_publish(client, clock) -> None:
    """The use case read the result as public; the withdrawal commits before (or while) the
    correction's transaction. The correction re-reads the row inside its transaction."""
    w = await World().setup(client)
    # Committed before: the repository gets the stale row the use case read.
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    number = await file_objection(client, w, rid)
    stale = await result_row(rid)
    await repo.withdraw_results([rid], "expired", flow.SYSTEM, "公示期满", at(D(2026, 11, 26)))
    obj = await objection(number)
    allowed, _ = rules.OBJECTION_ACTIONS["correct"]
    new_id = await repo.correct_objection(
        obj,
        allowed,
        stale,
        {"category_codes": "N02", "negative": False},
        OFFICER,
        "更正",
        at(D(2026, 11, 27)),
        D(2026, 12, 4),
    )
    new = await result_row(new_id)  # type: ignore[arg-type]
    assert (new["disclosure"], new["withdrawn_reason"]) == ("withdrawn", "expired")
    assert (await client.get(f"/api/v1/results/{new_id}")).status_code == 410

    # While the withdrawal's transaction is open: the correction waits for it, then sees it.
    rid2 = await w.publish(client, w.a, D(2026, 1, 1), "T-2")
    number2 = await file_objection(client, w, rid2)
    withdrawing = asyncio.Event()

    async def withdraw() -> None:
        async with write_transaction():
            await repo._withdraw([rid2], "revoked", OFFICER, "撤回", at(D(2026, 11, 26)))
            withdrawing.set()
            await asyncio.sleep(0.3)

    async def correct() -> dict:
        await withdrawing.wait()
        return await flow.correct_objection(
            repo, OFFICER, number2, {"categories": ["N02"]}, "更正", at(D(2026, 11, 27))
        )

    _, out = await asyncio.gather(withdraw(), correct())
    new2 = await result_row(out["corrected_result_id"])
    assert (new2["disclosure"], new2["withdrawn_reason"]) == ("withdrawn", "revoked")
    assert not await ChangeLog.exists().where(ChangeLog.object_id == str(new2["id"]))


def _objection_row(rid: int, uscc: str, number: str) -> dict:
    return {
        "number": number,
        "result_id": rid,
        "pending_result_id": rid,
        "uscc": uscc,
        "applicant": "ent-a",
        "department_code": DEPT,
        "reason": "r",
        "status": "submitted",
        "submitted_at": NOW,
        "verify_by": D(2026, 12, 2),
    }


async def test_an_objection_filed_after_a_correction_is_refused(client, clock, settings) -> None:
    """Another objection's correction replaced the result after the use case read it as public:
    the insert is refused (409, nothing stored) instead of leaving an objection pending for ever
    on the superseded row."""
    w = await World().setup(client)
    actor = Principal(username="ent-a", role="enterprise", uscc=w.a)
    evidence, _ = check_files([("a.pdf", PDF)], 10_000)

    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    first = await file_objection(client, w, rid)
    r = await client.post(
        f"/api/v1/admin/objections/{first}/correct", json={"note": "更正", "categories": ["X07"]}, headers=w.h["x"]
    )
    assert r.status_code == 200
    before = (await Objection.count(), await AuditLog.count())
    with pytest.raises(Conflict) as e:
        await repo.insert_objection(_objection_row(rid, w.a, "YYRACE0001"), evidence, actor, settings.files_dir, NOW)
    assert e.value.extra.get("reasons") == ["not_public"]
    assert (await Objection.count(), await AuditLog.count()) == before
    # Through the API the use case already refuses it (the result is no longer public).
    r = await client.post("/api/v1/objections", json={"result_id": rid, "reason": "again"}, headers=w.h["a"])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "result_id"

    # While the correction's withdrawal is open: the insert waits for it, then is refused.
    rid2 = await w.publish(client, w.a, D(2026, 1, 1), "T-2")
    withdrawing = asyncio.Event()

    async def withdraw() -> None:
        async with write_transaction():
            await repo._withdraw([rid2], "corrected", OFFICER, "更正", NOW)
            withdrawing.set()
            await asyncio.sleep(0.3)

    async def file() -> BaseException | None:
        await withdrawing.wait()
        try:
            await repo.insert_objection(
                _objection_row(rid2, w.a, "YYRACE0002"), evidence, actor, settings.files_dir, NOW
            )
        except Conflict as exc:
            return exc
        return None

    _, outcome = await asyncio.gather(withdraw(), file())
    assert isinstance(outcome, Conflict), outcome
    assert not await Objection.exists().where(Objection.number == "YYRACE0002")


# -- objections older code left pending on a superseded result: refused, then closed -------------------


@pytest.fixture
def run_migration(app, clean_db, monkeypatch):
    return migration_runner(mig, monkeypatch)


async def test_migration_closes_objections_left_on_a_superseded_result(run_migration, client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-sup")
    first = await file_objection(client, w, rid)
    clock["now"] = at(D(2026, 11, 26))
    r = await client.post(
        f"/api/v1/admin/objections/{first}/correct", json={"note": "更正", "categories": ["X07"]}, headers=w.h["x"]
    )
    new_id = r.json()["corrected_result_id"]
    # What older code's race left: a second objection pending on the superseded row.
    await Objection.insert(Objection(**_objection_row(rid, w.a, "YYOLD0001")))
    # Pending on results withdrawn another way, and on a public one: they still need a decision.
    exp = await w.publish(client, w.a, D(2026, 1, 1), "T-exp")
    waits = await file_objection(client, w, exp)
    await repo.withdraw_results([exp], "expired", flow.SYSTEM, "公示期满", at(D(2026, 11, 26)))
    public = await file_objection(client, w, await w.publish(client, w.a, D(2026, 1, 1), "T-pub"))
    untouched = {n: await objection(n) for n in (first, waits, public)}

    # Before the migration, a correction refuses to fork the revision history.
    clock["now"] = at(D(2026, 11, 27))
    results_before, audit_before = await Result.count(), await AuditLog.count()
    r = await client.post(
        "/api/v1/admin/objections/YYOLD0001/correct", json={"note": "更正", "categories": ["N02"]}, headers=w.h["x"]
    )
    assert r.status_code == 409 and r.json()["reasons"] == ["superseded"], r.text
    assert (await Result.count(), await AuditLog.count()) == (results_before, audit_before)
    assert (await objection("YYOLD0001"))["status"] == "submitted"

    await run_migration()

    o = await objection("YYOLD0001")
    assert (o["status"], o["pending_result_id"], o["decided_by"]) == ("moot", None, "system:moot-migration")
    assert o["decided_at"] is not None
    assert o["decision_note"] == rules.objection_moot_reason(
        rules.Withdrawal(rid, "corrected", at(D(2026, 11, 26)), ref=first, replaced_by=new_id, replaced_revision=2)
    )
    (audit,) = await AuditLog.select().where(
        (AuditLog.action == "objection_moot") & (AuditLog.object_id == "YYOLD0001")
    )
    assert (audit["actor"], audit["actor_role"], audit["reason"]) == (
        "system:moot-migration",
        "system",
        o["decision_note"],
    )
    assert detail_of(audit)["withdrawn_reason"] == "corrected" and detail_of(audit)["replaced_by"] == new_id
    assert {n: await objection(n) for n in untouched} == untouched
    assert await listed(client, w, "moot") == {"YYOLD0001": []}
    r = await client.post("/api/v1/admin/objections/YYOLD0001/confirm", json={}, headers=w.h["x"])
    assert r.status_code == 409 and r.json().get("current_status") == "moot"

    before = (await AuditLog.count(), await ChangeLog.count(), await Outbox.count(), await Objection.count())
    await run_migration()
    assert (await AuditLog.count(), await ChangeLog.count(), await Outbox.count(), await Objection.count()) == before


async def test_migration_on_an_empty_database(run_migration) -> None:
    await run_migration()
    assert await AuditLog.count() == 0
