"""Objections in the back office over real HTTP: confirm, reject with its required note, and the
correction pre-filled with the record as published, previewed as a diff (nothing stored) and then
published (the old result 410, the corrected one public); 404 for another department."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.tables import Objection, Result
from tests.backoffice_helpers import admin_login, admin_post
from tests.repair_helpers import World, at

D = dt.date


async def objection(client, clock) -> tuple[World, int, str]:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 1), "T-1", categories=["X07"])
    clock["now"] = at(D(2026, 11, 25))
    r = await client.post(
        "/api/v1/objections", json={"result_id": rid, "reason": "抽检样品不是本企业的"}, headers=w.h["a"]
    )
    assert r.status_code == 201, r.text
    return w, rid, r.json()["number"]


async def status_of(number: str) -> str:
    return (await Objection.select(Objection.status).where(Objection.number == number).first())["status"]


async def test_reject_needs_a_note_then_is_done(client, clock) -> None:
    _w, _rid, number = await objection(client, clock)
    await admin_login(client, "officer-x")
    page = f"/admin/objections/{number}"
    r = await admin_post(client, f"{page}/decide", {"action": "reject", "note": ""}, page)
    assert r.status_code == 422 and 'id="f-reject-note-error"' in r.text
    assert await status_of(number) == "submitted"
    r = await admin_post(client, f"{page}/decide", {"action": "reject", "note": "检查记录无误"}, page)
    assert r.status_code == 303 and await status_of(number) == "rejected"


async def test_correction_is_prefilled_previewed_as_a_diff_then_published(client, clock) -> None:
    _w, rid, number = await objection(client, clock)
    await admin_login(client, "officer-x")
    page = f"/admin/objections/{number}"
    html = (await client.get(page)).text
    assert 'id="f-cat-X07" name="categories" value="X07" checked' in html  # the record as published
    assert 'value="聊城市丰华食品有限公司"' in html
    form: dict[str, Any] = {
        "categories": ["N01"],
        "entity_name": "聊城市丰华食品有限公司",
        "follow_up": "",
        "penalty_decision_number": "",
        "check_field": "general",
        "inspected_on": "2026-10-22",
        "note": "样品归属核实有误，更正为未发现问题",
    }
    r = await admin_post(client, f"{page}/correct", form, page)
    assert r.status_code == 200 and "请核对更正内容" in r.text
    assert "<del>不合格</del>" in r.text and "<ins>未发现问题</ins>" in r.text
    assert await status_of(number) == "submitted"
    assert await Result.count() == 1
    bad = await admin_post(client, f"{page}/correct", {**form, "inspected_on": "22/10/2026"}, page)
    assert bad.status_code == 422 and 'id="f-correct-inspected_on-error"' in bad.text
    r = await admin_post(client, f"{page}/correct", {**form, "confirm": "1"}, page)
    assert r.status_code == 303, r.text
    assert await status_of(number) == "corrected"
    assert (await client.get(f"/api/v1/results/{rid}")).status_code == 410
    new = await Result.select().where(Result.revision_of == rid).first()
    assert new is not None and new["category_codes"] == "N01"


async def test_another_department_gets_404(client, clock) -> None:
    _w, _rid, number = await objection(client, clock)
    await admin_login(client, "officer-y")
    assert (await client.get(f"/admin/objections/{number}")).status_code == 404
    assert number not in (await client.get("/admin/objections")).text
