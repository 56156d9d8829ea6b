"""撤回: the publishing department withdraws a result it published (domain.publishing.revoke_step /
revoke_result), through POST /api/v1/admin/results/{id}/revoke and the back office's form with its
confirmation step: the reason is required, another department gets 404, a result no longer public
409, and the withdrawal reaches everywhere (public API 410 with reason `revoked`, the pending repair
application closed as moot, audit log, change feed)."""

from __future__ import annotations

import datetime as dt

import pytest

from db.tables import AuditLog, ChangeLog, RepairApplication, Result
from domain.auth import Principal
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.publishing import REVOKE_REASON_MAX, revoke_step
from tests.backoffice_helpers import admin_login, admin_post
from tests.repair_helpers import DEPT, OTHER_DEPT, World, at

D = dt.date
OFFICER = Principal("o", "officer", DEPT)
PUBLIC = {"department_code": DEPT, "disclosure": "public", "withdrawn_reason": ""}


@pytest.mark.parametrize(
    ("actor", "row", "reason", "error"),
    [
        (OFFICER, PUBLIC, "任务单号录入错误", None),
        (OFFICER, PUBLIC, "  任务单号录入错误  ", None),
        (OFFICER, PUBLIC, "", ValidationFailed),
        (OFFICER, PUBLIC, "   ", ValidationFailed),
        (OFFICER, PUBLIC, "x" * REVOKE_REASON_MAX, None),
        (OFFICER, PUBLIC, "x" * (REVOKE_REASON_MAX + 1), ValidationFailed),
        (OFFICER, PUBLIC, "错误\x00", ValidationFailed),
        (Principal("y", "officer", OTHER_DEPT), PUBLIC, "理由", NotFound),
        (OFFICER, None, "理由", NotFound),
        (OFFICER, {**PUBLIC, "disclosure": "withdrawn", "withdrawn_reason": "repaired"}, "理由", Conflict),
    ],
)
def test_revoke_step(actor, row, reason, error) -> None:
    if error is None:
        assert revoke_step(actor, row, 1, reason) == reason.strip()
    else:
        with pytest.raises(error):
            revoke_step(actor, row, 1, reason)


def test_only_staff_may_revoke() -> None:
    from domain.errors import Forbidden

    with pytest.raises(Forbidden):
        revoke_step(Principal("e", "enterprise", "", uscc="x"), PUBLIC, 1, "理由")


async def test_revoke_over_the_api_withdraws_everywhere_and_closes_the_pending_application(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2025, 1, 6), "T-REV")
    clock["now"] = at(D(2026, 11, 25))
    applied = await w.apply(client, rid)
    assert applied.status_code == 201, applied.text
    url = f"/api/v1/admin/results/{rid}/revoke"
    r = await client.post(url, json={"reason": ""}, headers=w.h["x"])
    assert r.status_code == 422 and "reason" in r.text
    r = await client.post(url, json={"reason": "理由"}, headers=w.h["y"])
    assert r.status_code == 404
    r = await client.post(url, json={"reason": "理由"}, headers=w.h["a"])
    assert r.status_code == 403
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 200  # nothing changed yet
    r = await client.post(url, json={"reason": "检查对象登记错误，撤回"}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["disclosure"] == "withdrawn" and body["withdrawn_reason"] == "revoked"
    assert body["withdrawn_note"] == "检查对象登记错误，撤回"
    gone = await client.get(f"/api/v1/results/{rid}")
    assert gone.status_code == 410 and "revoked" in gone.text
    app = await RepairApplication.select().where(RepairApplication.number == applied.json()["number"]).first()
    assert app["status"] == "moot" and "撤回" in app["decision_reason"]
    assert await AuditLog.count().where(AuditLog.action == "withdraw_revoked", AuditLog.object_id == str(rid)) == 1
    assert await ChangeLog.count().where(ChangeLog.object_id == str(rid), ChangeLog.action == "withdrawn") == 1
    again = await client.post(url, json={"reason": "再次"}, headers=w.h["x"])
    assert again.status_code == 409


async def test_revoke_in_the_back_office_asks_for_confirmation_first(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2025, 1, 6), "T-REV-BO")
    await admin_login(client, "officer-x")
    listing = await client.get("/admin/results", params={"find": "T-REV-BO"})
    assert listing.status_code == 200 and f'href="/admin/results/{rid}"' in listing.text
    assert "T-REV-BO" not in (await client.get("/admin/results", params={"find": "NOPE"})).text
    page = f"/admin/results/{rid}"
    r = await admin_post(client, f"{page}/revoke", {"reason": ""}, page)
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text and "请填写撤回理由" in r.text
    r = await admin_post(client, f"{page}/revoke", {"reason": "录入错误"}, page)
    assert r.status_code == 200 and "请确认：撤回该检查结果" in r.text
    assert (await Result.select(Result.disclosure).where(Result.id == rid).first())["disclosure"] == "public"
    r = await admin_post(client, f"{page}/revoke", {"reason": "录入错误", "confirm": "1"}, page)
    assert r.status_code == 303 and r.headers["location"] == f"{page}?done=revoke"
    done = await client.get(r.headers["location"])
    assert "已撤回" in done.text and f'href="/api/v1/results/{rid}"' in done.text
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 410
    twice = await admin_post(client, f"{page}/revoke", {"reason": "录入错误", "confirm": "1"}, page)
    assert twice.status_code == 409 and "未能撤回：结果状态已变化" in twice.text  # nothing done twice
    row = await Result.select().where(Result.id == rid).first()
    assert row["withdrawn_reason"] == "revoked" and row["withdrawn_by"] == "officer-x"


async def test_another_department_gets_404_in_the_back_office(client) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2025, 1, 6), "T-REV-Y")
    await admin_login(client, "officer-y")
    assert (await client.get(f"/admin/results/{rid}")).status_code == 404
    assert "T-REV-Y" not in (await client.get("/admin/results")).text
