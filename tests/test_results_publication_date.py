"""published_on is checked (not after today in Asia/Shanghai, not before the inspection) and a
result published more than 20 working days after its inspection is flagged published_late
(《企业信息公示暂行条例》第六条), in the API and in the statistics, and by the migration on stored rows."""

from __future__ import annotations

import datetime as dt
import importlib

from db.tables import Result
from domain.results import publish_deadline, published_late, shanghai_today, validate_result
from tests.helpers import make_uscc, migration_runner, result_payload, sign_in

D = dt.date
DAY = dt.timedelta(days=1)


def test_the_deadline_counts_working_days_across_national_day_2025() -> None:
    # Inspected Fri 2025-09-26: Sep 28 (make-up Sunday), 29, 30, Oct 9, 10, 11 (make-up Saturday),
    # 13-17, 20-24, 27-30 → the 20th working day is Thu Oct 30.
    assert publish_deadline(D(2025, 9, 26)) == D(2025, 10, 30)
    assert not published_late(D(2025, 9, 26), D(2025, 10, 29))
    assert not published_late(D(2025, 9, 26), D(2025, 10, 30))  # on the last day
    assert published_late(D(2025, 9, 26), D(2025, 10, 31))
    assert not published_late(D(2025, 9, 26), D(2025, 9, 26))  # the same day


def _raw(**kw) -> dict:
    base = result_payload(make_uscc(seed=3), categories=["X05"])
    base["inspected_on"] = D(2025, 9, 26)
    base.update(kw)
    return base


def test_published_on_is_checked() -> None:
    today = D(2025, 11, 1)
    draft, errs = validate_result(_raw(published_on=D(2025, 10, 31)), "", today)
    assert not errs and draft is not None and draft.published_late is True
    draft, errs = validate_result(_raw(published_on=D(2025, 10, 30)), "", today)
    assert not errs and draft is not None and draft.published_late is False
    draft, errs = validate_result(_raw(), "", today)  # not given: today
    assert draft is not None and draft.published_on == today and draft.published_late is True
    for bad, words in ((D(2025, 11, 2), "晚于今天"), (D(2025, 9, 25), "早于检查日期")):
        draft, errs = validate_result(_raw(published_on=bad), "items[0].", today)
        assert draft is None and [e.field for e in errs] == ["items[0].published_on"], errs
        assert words in errs[0].message
    # The day before, on and after today.
    assert not validate_result(_raw(published_on=today - DAY), "", today)[1]
    assert not validate_result(_raw(published_on=today), "", today)[1]
    assert validate_result(_raw(published_on=today + DAY), "", today)[1]


def test_today_is_beijing_time() -> None:
    assert shanghai_today() == dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


async def test_the_api_flags_late_results_and_counts_them(client) -> None:
    officer = await sign_in(client, "officer-x", "officer", department_code="371500-scjg")
    today = shanghai_today()
    inspected = today - dt.timedelta(days=60)
    late = result_payload(make_uscc(seed=11), task="T-LATE", categories=["X05"])
    late.update(inspected_on=inspected.isoformat(), published_on=today.isoformat())
    timely = result_payload(make_uscc(seed=12), task="T-OK", categories=["N01"])
    timely.update(inspected_on=inspected.isoformat(), published_on=(inspected + DAY).isoformat())
    r = await client.post("/api/v1/admin/results/bulk", json={"items": [late, timely]}, headers=officer)
    assert r.status_code in (200, 201), r.text
    ids = r.json()["ids"]
    flags = [(await client.get(f"/api/v1/results/{i}")).json()["published_late"] for i in ids]
    assert flags == [True, False]
    stats = (await client.get("/api/v1/statistics")).json()
    assert stats["published_late"] == 1 and sum(y["published_late"] for y in stats["years"]) == 1
    # Refused, with the field named, and nothing stored.
    before = await Result.count()
    future = {**timely, "task_number": "T-FUT", "published_on": (today + DAY).isoformat()}
    r = await client.post("/api/v1/admin/results", json=future, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "published_on", r.text
    early = {**timely, "task_number": "T-EARLY", "published_on": (inspected - DAY).isoformat()}
    r = await client.post("/api/v1/admin/results", json=early, headers=officer)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "published_on", r.text
    assert await Result.count() == before


mig = importlib.import_module("migrations.gongshi_2026_12_07t12_10_00_000000")


async def test_the_migration_flags_stored_rows(app, clean_db, monkeypatch, client) -> None:
    officer = await sign_in(client, "officer-x", "officer", department_code="371500-scjg")
    rows = []
    for seed, published in ((21, D(2025, 10, 30)), (22, D(2025, 10, 31))):
        body = result_payload(make_uscc(seed=seed), task=f"T-{seed}", categories=["X05"])
        body.update(inspected_on="2025-09-26", published_on=published.isoformat())
        rows.append((await client.post("/api/v1/admin/results", json=body, headers=officer)).json()["ids"][0])
    await Result.update({Result.published_late: False}).where(Result.id > 0)  # as older code stored them
    run = migration_runner(mig, monkeypatch)
    await run()
    got = {r["id"]: r["published_late"] for r in await Result.select(Result.id, Result.published_late)}
    assert [bool(got[i]) for i in rows] == [False, True]
    await run()  # a second run changes nothing
    got2 = {r["id"]: r["published_late"] for r in await Result.select(Result.id, Result.published_late)}
    assert got2 == got
