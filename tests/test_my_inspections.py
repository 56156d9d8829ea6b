"""Issue 14 item 6 over real HTTP: the enterprise's own record (its results with that day's scan
records and the officers' credential numbers, its unclaimed scan records) and 事后评价 — within
30 days counted as the Civil Code counts them, once, only its own (404 for another's) — the
region's supervisors read them, the public sees department aggregates with small counts withheld."""

from __future__ import annotations

import datetime as dt

import pytest

from db.tables import AuditLog, Evaluation
from demo.departments import load_regions_and_departments
from domain.errors import ValidationFailed
from domain.evaluation import check_evaluation, evaluable_until, parse_ref
from tests.helpers import sign_in
from tests.repair_helpers import DEPT, World, at

D = dt.date


def test_the_window_is_30_days_and_moves_past_rest_days() -> None:
    assert evaluable_until(D(2026, 10, 26)) == D(2026, 11, 25)  # a Wednesday: as counted
    # 30 days after 2026-09-01 is 10-01, National Day: the last day moves to the first working day.
    assert evaluable_until(D(2026, 9, 1)) == D(2026, 10, 8)
    assert evaluable_until(D(2026, 10, 24)) == D(2026, 11, 23)  # a Sunday moves to Monday


def test_evaluation_fields_are_checked_together() -> None:
    with pytest.raises(ValidationFailed) as e:
        check_evaluation({"rating": 7, "issues": ["unscanned", "rude"], "comment": "x" * 1001})
    assert {f.field for f in e.value.errors} == {"rating", "issues", "comment"}
    ok = check_evaluation({"rating": "4", "issues": ["unscanned", "unscanned"], "comment": " 好 "})
    assert (ok.rating, ok.issues, ok.comment) == (4, ("unscanned",), "好")
    with pytest.raises(ValidationFailed):
        check_evaluation({"rating": 3, "comment": "bad\x07bell"})


def test_inspection_ids() -> None:
    assert parse_ref("result-12").key == "result-12"
    for bad in ("12", "plan-1", "result-x", "scan-", "result-" + "9" * 13):
        with pytest.raises(Exception) as e:
            parse_ref(bad)
        assert getattr(e.value, "status", None) == 404


async def scan(client, w: World, uscc: str, when: dt.datetime, task: str = "") -> None:
    r = await client.post(
        "/api/v1/admin/scan-records",
        json={
            "uscc": uscc,
            "officer_credentials": ["37150001", "37150002"],
            "scanned_at": when.isoformat(),
            "task_number": task,
        },
        headers=w.h["x"],
    )
    assert r.status_code == 201, r.text


async def test_the_enterprise_sees_its_inspections_with_scans_and_credentials(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 5), "T-SCANNED")  # inspected 10-26
    bare = await w.publish(client, w.a, D(2026, 11, 6), "T-BARE")  # inspected 10-27, never scanned
    await w.publish(client, w.b, D(2026, 11, 5), "T-OTHER")
    await scan(client, w, w.a, at(D(2026, 10, 26), 9))
    await scan(client, w, w.a, at(D(2026, 11, 20), 14))  # a visit with no result yet
    r = await client.get("/api/v1/my/inspections", headers=w.h["a"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["evaluation_days"] == 30 and "unscanned" in body["issues"]
    items = {i["id"]: i for i in body["items"]}
    assert set(items) == {f"result-{rid}", f"result-{bare}", next(k for k in items if k.startswith("scan-"))}
    scanned = items[f"result-{rid}"]
    assert scanned["scanned"] is True and scanned["scans"][0]["officer_credentials"] == ["37150001", "37150002"]
    assert scanned["evaluable_until"] == "2026-11-25" and scanned["can_evaluate"] is True
    assert items[f"result-{bare}"]["scanned"] is False and items[f"result-{bare}"]["scans"] == []
    visit = next(i for i in body["items"] if i["kind"] == "scan")
    assert visit["inspected_on"] == "2026-11-20" and visit["result_id"] is None
    # Newest first; another enterprise's result is not there; credentials never on public pages.
    assert [i["inspected_on"] for i in body["items"]] == sorted(
        (i["inspected_on"] for i in body["items"]), reverse=True
    )
    public = (await client.get(f"/api/v1/results/{rid}")).text
    assert "37150001" not in public
    assert (await client.get("/api/v1/my/inspections")).status_code == 401
    assert (await client.get("/api/v1/my/inspections", headers=w.h["x"])).status_code == 403


async def test_an_enterprise_evaluates_its_own_inspection_once(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 5), "T-EVAL")
    url = f"/api/v1/my/inspections/result-{rid}/evaluation"
    bad = await client.post(url, json={"rating": 0, "issues": ["rude"]}, headers=w.h["a"])
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"rating", "issues"}
    assert await Evaluation.count() == 0
    r = await client.post(
        url,
        json={"rating": 2, "issues": ["unscanned", "fewer_than_two_officers"], "comment": "只来了一人，未扫码"},
        headers=w.h["a"],
    )
    assert r.status_code == 201, r.text
    assert r.json()["issues"] == ["unscanned", "fewer_than_two_officers"]
    again = await client.post(url, json={"rating": 5}, headers=w.h["a"])
    assert again.status_code == 409
    assert await Evaluation.count() == 1
    assert await AuditLog.count().where(AuditLog.action == "evaluate") == 1
    mine = (await client.get("/api/v1/my/inspections", headers=w.h["a"])).json()["items"][0]
    assert mine["evaluation"]["rating"] == 2 and mine["can_evaluate"] is False

    # Another enterprise, an officer, an unknown id: 404 / 403, nothing stored.
    assert (await client.post(url, json={"rating": 5}, headers=w.h["b"])).status_code == 404
    assert (
        await client.post("/api/v1/my/inspections/result-999999/evaluation", json={"rating": 5}, headers=w.h["a"])
    ).status_code == 404
    assert (
        await client.post("/api/v1/my/inspections/plan-1/evaluation", json={"rating": 5}, headers=w.h["a"])
    ).status_code == 404
    assert (await client.post(url, json={"rating": 5}, headers=w.h["x"])).status_code == 403
    assert await Evaluation.count() == 1


async def test_past_the_window_the_evaluation_is_refused_naming_the_last_day(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 5), "T-LATE")  # inspected 10-26: until 11-25
    clock["now"] = at(D(2026, 11, 26))
    r = await client.post(f"/api/v1/my/inspections/result-{rid}/evaluation", json={"rating": 4}, headers=w.h["a"])
    assert r.status_code == 422 and "2026-11-25" in r.text
    assert await Evaluation.count() == 0


async def test_a_scan_record_without_a_result_is_evaluated_as_a_visit(client, clock) -> None:
    w = await World().setup(client)
    await scan(client, w, w.a, at(D(2026, 11, 20), 15))
    visit = next(
        i for i in (await client.get("/api/v1/my/inspections", headers=w.h["a"])).json()["items"] if i["kind"] == "scan"
    )
    r = await client.post(f"/api/v1/my/inspections/{visit['id']}/evaluation", json={"rating": 5}, headers=w.h["a"])
    assert r.status_code == 201, r.text
    assert (
        await client.post(f"/api/v1/my/inspections/{visit['id']}/evaluation", json={"rating": 5}, headers=w.h["b"])
    ).status_code == 404


async def test_supervisors_read_their_regions_evaluations_and_the_public_the_aggregates(client, clock) -> None:
    await load_regions_and_departments()  # the department's region decides whose supervisors read it
    w = await World().setup(client)
    for i in range(3):
        rid = await w.publish(client, w.a, D(2026, 11, 5 + i), f"T-AGG-{i}")
        issues = ["unscanned"] if i == 0 else []
        r = await client.post(
            f"/api/v1/my/inspections/result-{rid}/evaluation",
            json={"rating": 3 + i, "issues": issues},
            headers=w.h["a"],
        )
        assert r.status_code == 201, r.text
    sup = await sign_in(client, "sup-ev", "supervisor", region_code="371500")
    far = await sign_in(client, "sup-far", "supervisor", region_code="140000")
    mine = (await client.get("/api/v1/admin/evaluations", headers=sup)).json()
    assert len(mine["items"]) == 3 and mine["items"][0]["department"] == DEPT
    assert (await client.get("/api/v1/admin/evaluations", headers=far)).json()["items"] == []
    assert (await client.get("/api/v1/admin/evaluations", headers=w.h["x"])).status_code == 403

    stats = (await client.get("/api/v1/stats/evaluations", params={"year": 2026})).json()
    (dept,) = [s for s in stats["items"] if s["department"] == DEPT]
    assert dept["count"] == 3 and dept["average_rating"] == 4.0 and dept["issue_shares"]["unscanned"] == 0.333
    assert "uscc" not in str(stats)
    assert (await client.get("/api/v1/stats/evaluations", params={"year": 1900})).status_code == 422


async def test_fewer_than_three_evaluations_are_withheld(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 5), "T-ONE")
    await client.post(f"/api/v1/my/inspections/result-{rid}/evaluation", json={"rating": 1}, headers=w.h["a"])
    stats = (await client.get("/api/v1/stats/evaluations", params={"year": 2026})).json()
    (dept,) = stats["items"]
    assert dept["suppressed"] is True and dept["count"] is None and dept["average_rating"] is None


# -- the portal page -------------------------------------------------------------------------


async def test_the_portal_page_lists_and_takes_an_evaluation(client, clock) -> None:
    from tests.test_repair_portal import portal_sign_in

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 5), "T-PORTAL")
    await scan(client, w, w.a, at(D(2026, 10, 26), 9))
    r = await client.get("/my/inspections")
    assert r.status_code == 303 and r.headers["location"] == "/repair/inspections"
    assert (await client.get("/repair/inspections")).status_code == 303  # not signed in: to the sign-in
    await portal_sign_in(client, "ent-a")
    page = await client.get("/repair/inspections")
    assert page.status_code == 200 and "T-PORTAL" in page.text and "37150001" in page.text
    assert page.headers["cache-control"] == "no-store"
    url = f"/repair/inspections/result-{rid}/evaluation"
    bad = await client.post(url, data={"issues": "unscanned", "comment": "未扫码"})
    assert bad.status_code == 422 and "请评分" in bad.text
    assert 'value="unscanned" checked' in bad.text and "未扫码</textarea>" in bad.text  # what was chosen is kept
    assert await Evaluation.count() == 0
    good = await client.post(url, data={"rating": "2", "issues": ["unscanned", "no_credentials"], "comment": "未扫码"})
    assert good.status_code == 303
    after = await client.get(good.headers["location"])
    assert "评价已提交" in after.text and "已评价" in after.text
    row = await Evaluation.select().first()
    assert (row["rating"], row["issues"]) == (2, "unscanned,no_credentials")
    twice = await client.post(url, data={"rating": "2"})
    assert twice.status_code == 409 and await Evaluation.count() == 1
    other = await client.post(f"/repair/inspections/result-{rid + 1000}/evaluation", data={"rating": "2"})
    assert other.status_code == 404
    # A cross-site post is refused by the portal's form guard.
    evil = await client.post(url, data={"rating": "5"}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403


async def test_supervisors_read_the_evaluations_in_the_back_office(client, clock) -> None:
    from tests.backoffice_helpers import admin_login

    await load_regions_and_departments()
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 5), "T-BO")
    await client.post(
        f"/api/v1/my/inspections/result-{rid}/evaluation",
        json={"rating": 1, "issues": ["no_credentials"], "comment": "未出示证件"},
        headers=w.h["a"],
    )
    from db.users import create_user
    from tests.helpers import PASSWORD

    await create_user("sup-bo", PASSWORD, "supervisor", region_code="371500")
    await create_user("sup-bo-far", PASSWORD, "supervisor", region_code="140000")
    await admin_login(client, "sup-bo")
    page = await client.get("/admin/evaluations")
    assert page.status_code == 200
    assert "未出示执法证件" in page.text and "未出示证件" in page.text and 'href="/admin/evaluations"' in page.text
    client.cookies.clear()
    await admin_login(client, "sup-bo-far")
    assert "未出示证件" not in (await client.get("/admin/evaluations")).text
    client.cookies.clear()
    await admin_login(client, "officer-x")
    assert (await client.get("/admin/evaluations")).status_code == 403
