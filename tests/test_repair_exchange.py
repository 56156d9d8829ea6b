"""The exchange outbox (修复结果共享): every approval and every automatic stop writes a row in the
withdrawal's transaction; role `exchange` reads them as JSON and CSV, keyset paged by `since`."""

from __future__ import annotations

import csv
import datetime as dt
import io

from db.tables import PenaltyDecision, RepairExchange
from tests.helpers import sign_in
from tests.repair_helpers import DEPT, World, at
from tests.test_repair_withdrawal import gongshi

D = dt.date


async def test_approval_and_automatic_stops_reach_the_exchange(client, clock, settings) -> None:
    w = await World().setup(client)
    ex = await sign_in(client, "platform-sd", "exchange")
    repaired = await w.publish(client, w.a, D(2026, 1, 10), "T-REP")
    expiring = await w.publish(client, w.a, D(2023, 11, 24), "T-EXP")  # public through 2026-11-24
    corrected_later = await w.publish(client, w.a, D(2026, 1, 10), "T-KEEP")
    number = (await w.apply(client, repaired)).json()["number"]
    assert (await client.get("/api/v1/exchange/repairs", headers=ex)).json()["items"] == []
    await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    assert await RepairExchange.count() == 0  # accepting stops nothing
    clock["now"] = at(D(2026, 11, 26))
    r = await client.post(
        f"/api/v1/admin/repair-applications/{number}/approve", json={"reason": "整改到位"}, headers=w.h["x"]
    )
    assert r.status_code == 200, r.text
    assert gongshi(settings, "withdraw-expired", "--today", "2026-11-25").strip().startswith("withdrawn: expired=1")
    assert gongshi(settings, "withdraw-expired", "--today", "2026-11-25").strip().startswith("withdrawn: expired=0")

    body = (await client.get("/api/v1/exchange/repairs", headers=ex)).json()
    items = body["items"]
    assert [(i["result_id"], i["decision"]) for i in items] == [(repaired, "repaired"), (expiring, "expired")]
    first = items[0]
    assert first["uscc"] == w.a and first["task_number"] == "T-REP" and first["department_code"] == DEPT
    assert first["application_number"] == number and first["effective_on"] == "2026-11-26"
    assert number in first["legal_basis"] and first["decision_label"] == "准予信用修复，停止公示"
    assert items[1]["application_number"] == "" and "最长公示期" in items[1]["legal_basis"]
    assert body["next_since"] is None and body["last_id"] == items[1]["id"]
    assert corrected_later not in [i["result_id"] for i in items]

    # Keyset pages: one at a time, then nothing after the last.
    one = (await client.get("/api/v1/exchange/repairs", params={"page_size": 1}, headers=ex)).json()
    assert [i["result_id"] for i in one["items"]] == [repaired] and one["next_since"] == items[0]["id"]
    two = (await client.get("/api/v1/exchange/repairs", params={"since": one["next_since"]}, headers=ex)).json()
    assert [i["result_id"] for i in two["items"]] == [expiring]
    rest = (await client.get("/api/v1/exchange/repairs", params={"since": body["last_id"]}, headers=ex)).json()
    assert rest["items"] == [] and rest["last_id"] == body["last_id"]
    # `since` as a time: the rows written from then on.
    later = (await client.get("/api/v1/exchange/repairs", params={"since": "2099-01-01"}, headers=ex)).json()
    assert later["items"] == []
    bad = await client.get("/api/v1/exchange/repairs", params={"since": "yesterday"}, headers=ex)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"

    # CSV: the same rows, UTF-8 with BOM, read back with the csv module.
    r = await client.get("/api/v1/exchange/repairs.csv", headers=ex)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [(int(x["result_id"]), x["decision"]) for x in rows] == [(repaired, "repaired"), (expiring, "expired")]


async def test_a_linked_penalty_stop_is_shared_with_its_number(client, clock) -> None:
    from commands.repair import run_once

    w = await World().setup(client)
    ex = await sign_in(client, "platform-sd", "exchange")
    pn = "聊市监罚〔2026〕12号"
    rid = await w.publish(client, w.a, D(2026, 1, 1), "T-PEN", penalty=pn)
    await PenaltyDecision.insert(
        PenaltyDecision(number=pn, department_code=DEPT, decided_on=D(2025, 12, 20), disclosure="withdrawn")
    )
    assert await run_once(at(D(2026, 11, 26))) == {"expired": 0, "penalty_withdrawn": 1}
    (item,) = (await client.get("/api/v1/exchange/repairs", headers=ex)).json()["items"]
    assert item["result_id"] == rid and item["decision"] == "penalty_withdrawn" and pn in item["legal_basis"]


async def test_only_the_exchange_role_reads_it(client, clock) -> None:
    w = await World().setup(client)
    supervisor = await sign_in(client, "sup-1", "supervisor", region_code="371500")
    for h in (w.h["a"], w.h["x"], supervisor):
        for path in ("/api/v1/exchange/repairs", "/api/v1/exchange/repairs.csv"):
            assert (await client.get(path, headers=h)).status_code == 403
    assert (await client.get("/api/v1/exchange/repairs")).status_code == 401


async def test_create_user_accepts_the_exchange_role(client, settings) -> None:
    out = gongshi(settings, "create-user", "platform-js", "--role", "exchange", "--password", "a-long-test-password-1")
    assert "created exchange platform-js" in out
    r = await client.post("/api/v1/auth/token", json={"username": "platform-js", "password": "a-long-test-password-1"})
    assert r.status_code == 200, r.text
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await client.get("/api/v1/exchange/repairs", headers=h)).status_code == 200
