"""Withdrawn results stay withdrawn: everywhere the API serves them, after the automatic stop
(`gongshi withdraw-expired`, twice), after a restart, and through the in-process schedule."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from db.engine import bind_tables
from db.tables import AuditLog, ChangeLog, Outbox, PenaltyDecision, Result
from tests.repair_helpers import DEPT, World

D = dt.date
ROOT = Path(__file__).resolve().parent.parent


def gongshi(settings, *args: str) -> str:
    """Run the real command in its own process against the test database."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "FILES_DIR": settings.files_dir}
    proc = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


async def public_view(client, uscc: str, rid: int) -> dict:
    """Everything the public API says about one result."""
    detail = await client.get(f"/api/v1/results/{rid}")
    listed = (await client.get("/api/v1/results", params={"uscc": uscc})).json()
    by_dept = (await client.get("/api/v1/results", params={"department": DEPT, "page_size": 100})).json()
    entity = (await client.get(f"/api/v1/entities/{uscc}")).json()
    changes = (await client.get("/api/v1/changes", params={"page_size": 100})).json()
    jsonl = (await client.get("/api/v1/exports/results.jsonl", params={"uscc": uscc})).text
    csv = (await client.get("/api/v1/exports/results.csv", params={"uscc": uscc})).text
    exported = {json.loads(line)["id"] for line in jsonl.splitlines() if line.strip()}
    exported_csv = {line.split(",")[0].lstrip("\ufeff") for line in csv.splitlines()[1:]}
    feed = (await client.get("/feeds/publications.atom")).text
    portal_page = await client.get(f"/results/{rid}")
    portal_entity = (await client.get(f"/entities/{uscc}")).text
    return {
        "portal": portal_page.status_code,
        "in_portal_entity": f'href="/results/{rid}"' in portal_entity,
        "in_exports": rid in exported or str(rid) in exported_csv,
        "in_feed": f"/results/{rid}<" in feed or f'/results/{rid}"' in feed,
        "status": detail.status_code,
        "reason": detail.json().get("reason"),
        "in_list": rid in [i["id"] for i in listed["items"]],
        "in_department_list": rid in [i["id"] for i in by_dept["items"]],
        "in_entity": rid in [i["id"] for i in entity.get("results", [])],
        "actions": [c["action"] for c in changes["items"] if c["type"] == "result" and str(c["id"]) == str(rid)],
    }


async def seed_expiry(client, w: World) -> dict[str, int]:
    ids = {
        # Published 2023-11-24: the 36-month maximum runs through 2026-11-24 and publicity stops on
        # 2026-11-25 (today, pinned); published 2023-11-25: today is its last public day.
        "expired": await w.publish(client, w.a, D(2023, 11, 24), "T-old"),
        "last_day": await w.publish(client, w.a, D(2023, 11, 25), "T-last"),
        "penalty": await w.publish(client, w.a, D(2026, 6, 1), "T-pen", penalty="聊市监罚〔2026〕12号"),
        "penalty_public": await w.publish(client, w.a, D(2026, 6, 1), "T-pen2", penalty="聊市监罚〔2026〕13号"),
    }
    now = dt.datetime.now(dt.UTC)
    await PenaltyDecision.insert(
        PenaltyDecision(
            number="聊市监罚〔2026〕12号",
            department_code=DEPT,
            decided_on=D(2026, 5, 20),
            disclosure="withdrawn",
            withdrawn_at=now,
        ),
        PenaltyDecision(number="聊市监罚〔2026〕13号", department_code=DEPT, decided_on=D(2026, 5, 20)),
    )
    return ids


async def test_withdraw_expired_command_is_idempotent(client, clock, settings) -> None:
    w = await World().setup(client)
    ids = await seed_expiry(client, w)
    out = gongshi(settings, "withdraw-expired", "--today", "2026-11-25")
    assert out.strip() == "withdrawn: expired=1 penalty_withdrawn=1"
    for key in ("expired", "penalty"):
        v = await public_view(client, w.a, ids[key])
        assert v == {
            "portal": 410,
            "in_portal_entity": False,
            "in_exports": False,
            "in_feed": False,
            "status": 410,
            "reason": "expired" if key == "expired" else "penalty_withdrawn",
            "in_list": False,
            "in_department_list": False,
            "in_entity": False,
            "actions": ["published", "withdrawn"],
        }, (key, v)
    for key in ("last_day", "penalty_public"):
        v = await public_view(client, w.a, ids[key])
        assert v["status"] == 200 and v["in_list"] and v["in_entity"] and v["actions"] == ["published"], (key, v)
        assert v["portal"] == 200 and v["in_portal_entity"] and v["in_exports"] and v["in_feed"], (key, v)
    assert await Outbox.count().where(Outbox.op == "delete") == 2
    audit = await AuditLog.select().where(AuditLog.action.is_in(["withdraw_expired", "withdraw_penalty_withdrawn"]))
    assert sorted(a["object_id"] for a in audit) == sorted([str(ids["expired"]), str(ids["penalty"])])
    assert all(a["actor"] == "system:withdraw-expired" and a["reason"] for a in audit)

    before = (await ChangeLog.count(), await Outbox.count(), await AuditLog.count())
    assert (
        gongshi(settings, "withdraw-expired", "--today", "2026-11-25").strip()
        == "withdrawn: expired=0 penalty_withdrawn=0"
    )
    assert (await ChangeLog.count(), await Outbox.count(), await AuditLog.count()) == before
    # The next day the last-day result goes too.
    assert (
        gongshi(settings, "withdraw-expired", "--today", "2026-11-26").strip()
        == "withdrawn: expired=1 penalty_withdrawn=0"
    )


async def test_withdrawn_result_stays_withdrawn_after_a_restart(client, clock, settings, app) -> None:
    from app import create_app

    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    number = (await w.apply(client, rid)).json()["number"]
    await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    r = await client.post(
        f"/api/v1/admin/repair-applications/{number}/approve", json={"reason": "ok"}, headers=w.h["x"]
    )
    assert r.status_code == 200
    fresh = create_app(settings)  # a new process would do exactly this
    for hook in fresh.on_startup:
        await hook(fresh)  # type: ignore[call-arg]
    try:
        transport = httpx.ASGITransport(app=fresh, client=("127.0.0.1", 50001))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c2:
            v = await public_view(c2, w.a, rid)
            assert v["status"] == 410 and not v["in_list"] and not v["in_entity"]
            assert v["portal"] == 410 and not v["in_portal_entity"] and not v["in_exports"] and not v["in_feed"]
            assert v["actions"] == ["published", "withdrawn"]
            officer = await c2.get(f"/api/v1/admin/results/{rid}", headers=w.h["x"])
            assert officer.status_code == 200 and officer.json()["disclosure"] == "withdrawn"
    finally:
        for hook in fresh.on_shutdown:
            await hook(fresh)  # type: ignore[call-arg]
        bind_tables(app.state.engine)  # give the tables back to the session app's engine


async def test_daily_schedule_runs_in_process_and_stops_on_shutdown(client, clock, settings, app) -> None:
    from app import create_app

    w = await World().setup(client)
    # Far enough back that it has expired whatever today's real date is.
    rid = await w.publish(client, w.a, D(2020, 1, 1), "T-1")
    scheduled = create_app(dataclasses.replace(settings, withdraw_schedule=True, jobs=True))
    for hook in scheduled.on_startup:
        await hook(scheduled)  # type: ignore[call-arg]
    try:
        task = scheduled.state.withdraw_task
        for _ in range(200):  # the first run happens at start-up
            row = await Result.select(Result.disclosure).where(Result.id == rid).first()
            if row["disclosure"] == "withdrawn":
                break
            await asyncio.sleep(0.05)
        assert row["disclosure"] == "withdrawn"
        assert not task.done()  # now sleeping until the next daily slot
    finally:
        for hook in scheduled.on_shutdown:
            await hook(scheduled)  # type: ignore[call-arg]
        bind_tables(app.state.engine)
    assert task.cancelled()
    assert (await client.get(f"/api/v1/results/{rid}")).json()["reason"] == "expired"


def test_seconds_until_next_slot() -> None:
    from commands.repair import seconds_until

    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert seconds_until("01:00", dt.datetime(2026, 11, 25, 0, 30, tzinfo=shanghai)) == 1800
    assert seconds_until("01:00", dt.datetime(2026, 11, 25, 1, 0, tzinfo=shanghai)) == 86400
    # 17:00 UTC is 01:00 in Shanghai.
    assert seconds_until("01:00", dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)) == 3600
