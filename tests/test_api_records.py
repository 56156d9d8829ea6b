"""Public reading of entities, plans, guides, honours, documents and the change feed over HTTP:
filters, keyset cursors, 410 for withdrawn records, 422 naming the bad parameter."""

from __future__ import annotations

from db import changes
from db.tables import Entity, Guide, Honour, Plan, Result
from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import DEPT, OTHER, document_payload, guide_payload, honour_payload, plan_payload


async def walk(client, url: str, params: dict, key: str = "id") -> list:
    seen, cursor = [], None
    while True:
        q = dict(params, **({"cursor": cursor} if cursor else {}))
        r = await client.get(url, params=q)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += [i[key] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return seen


async def withdraw(table, record_id: int, object_type: str) -> None:
    await table.update({table.disclosure: "withdrawn"}).where(table.id == record_id)
    await changes.public_change(object_type, [record_id], "withdrawn")


async def test_entity_profile_masks_operator_and_shows_only_public(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(kind="2", seed=5)
    r = await client.post(
        "/api/v1/admin/results", headers=h, json=result_payload(u, entity_name="聊城市东昌府区张三丰小吃店", task="T-1")
    )
    rid = r.json()["ids"][0]
    r2 = await client.post(
        "/api/v1/admin/results", headers=h, json=result_payload(u, entity_name="聊城市东昌府区张三丰小吃店", task="T-2")
    )
    await Result.update({Result.disclosure: "withdrawn"}).where(Result.id == r2.json()["ids"][0])
    await Entity.update({Entity.operator_name: "张三丰", Entity.kind: "individual"}).where(Entity.uscc == u)
    ids = (
        await client.post(
            "/api/v1/admin/honours/bulk",
            headers=h,
            json={
                "items": [
                    honour_payload(u, entity_name="聊城市东昌府区张三丰小吃店", honour="“名特优新”个体工商户"),
                    honour_payload(u, entity_name="聊城市东昌府区张三丰小吃店"),
                ]
            },
        )
    ).json()["ids"]
    await Honour.update({Honour.disclosure: "withdrawn"}).where(Honour.id == ids[1])
    got = await client.get(f"/api/v1/entities/{u.lower()}")
    assert got.status_code == 200, got.text
    e = got.json()
    assert e["uscc"] == u and e["kind"] == "individual" and e["url"] == f"http://testserver.local/entities/{u}"
    assert e["name"] == "聊城市东昌府区张**小吃店" and e["operator"] == "张**"
    assert [x["id"] for x in e["results"]] == [rid] and e["results_total"] == 1
    assert e["results"][0]["entity_name"] == "聊城市东昌府区张**小吃店"
    assert [x["id"] for x in e["honours"]] == [ids[0]] and e["honours"][0]["entity_name"].startswith(
        "聊城市东昌府区张**"
    )
    assert "张三丰" not in got.text


async def test_entity_bad_uscc_and_unknown(client) -> None:
    for bad, word in [("9144030070846113", "18"), ("91440300708461136X", "check"), ("9144030070846113IT", "character")]:
        r = await client.get(f"/api/v1/entities/{bad}")
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "uscc" and word in r.json()["errors"][0]["message"]
    r = await client.get(f"/api/v1/entities/{make_uscc(seed=77)}")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


async def test_plans_list_filter_cursor_and_410(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    h2 = await sign_in(client, "officer2", "officer", department_code=OTHER)
    ids = []
    for i in range(7):
        r = await client.post("/api/v1/admin/plans", json=plan_payload(year=2024 + i % 2, title=f"计划{i}"), headers=h)
        ids.append(r.json()["id"])
    shanxi = (await client.post("/api/v1/admin/plans", json=plan_payload(), headers=h2)).json()["id"]
    assert await walk(client, "/api/v1/plans", {"page_size": 2, "department": DEPT}) == sorted(ids, reverse=True)
    page = (await client.get("/api/v1/plans", params={"year": 2025, "department": DEPT})).json()
    assert page["total"] == 3 and all(p["year"] == 2025 for p in page["items"])
    p = page["items"][0]
    assert p["items"][0]["ratio_by_class"] == {"A": 3.0, "B": 4.0, "C": 5.0, "D": 6.0}
    assert p["revisions"][0]["number"] == 1 and p["url"] == f"http://testserver.local/plans/{p['id']}"
    await withdraw(Plan, shanxi, "plan")
    assert (await client.get(f"/api/v1/plans/{shanxi}")).status_code == 410
    assert shanxi not in [x["id"] for x in (await client.get("/api/v1/plans")).json()["items"]]
    assert (await client.get("/api/v1/plans/424242")).status_code == 404
    for params, field in [
        ({"year": 1800}, "year"),
        ({"page_size": 1000000}, "page_size"),
        ({"cursor": "abc"}, "cursor"),
        ({"year": "abc"}, "year"),
    ]:
        r = await client.get("/api/v1/plans", params=params)
        assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], r.text


async def test_guides_list_filter_download_errors_and_410(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    a = (await client.post("/api/v1/admin/guides", json=guide_payload(), headers=h)).json()["id"]
    b = (
        await client.post(
            "/api/v1/admin/guides",
            headers=h,
            json=guide_payload(industry_code="F5251", industry_name="药品零售", title="药品零售企业合规指引"),
        )
    ).json()["id"]
    assert [g["id"] for g in (await client.get("/api/v1/guides", params={"industry": "F52"})).json()["items"]] == [b]
    assert [g["id"] for g in (await client.get("/api/v1/guides", params={"industry": "餐饮服务"})).json()["items"]] == [
        a
    ]
    assert await walk(client, "/api/v1/guides", {"page_size": 1}) == [b, a]
    r = await client.get(f"/api/v1/guides/{a}/download", params={"format": "docx"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "format"
    assert (
        await client.get(f"/api/v1/guides/{a}/download", params={"format": "pdf", "version": "9"})
    ).status_code == 404
    await withdraw(Guide, b, "guide")
    assert (await client.get(f"/api/v1/guides/{b}")).status_code == 410
    assert (await client.get(f"/api/v1/guides/{b}/download")).status_code == 410
    assert [g["id"] for g in (await client.get("/api/v1/guides")).json()["items"]] == [a]


async def test_honours_filters_cursor_and_documents(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=9)
    items = [
        honour_payload(
            u if i < 4 else make_uscc(seed=400 + i),
            kind="award" if i % 2 else "credit",
            awarded_on=f"{2024 + i % 2}-05-01",
            valid_until=None,
        )
        for i in range(11)
    ]
    ids = (await client.post("/api/v1/admin/honours/bulk", json={"items": items}, headers=h)).json()["ids"]
    assert await walk(client, "/api/v1/honours", {"page_size": 3}) == sorted(ids, reverse=True)
    page = (await client.get("/api/v1/honours", params={"uscc": u, "kind": "award"})).json()
    assert page["total"] == 2 and all(x["uscc"] == u and x["kind"] == "award" for x in page["items"])
    assert (await client.get("/api/v1/honours", params={"year": 2025})).json()["total"] == 5
    one = (await client.get(f"/api/v1/honours/{ids[0]}")).json()
    assert one["url"] == f"http://testserver.local/honours/{ids[0]}" and one["honour"] == "守合同重信用企业"
    await withdraw(Honour, ids[0], "honour")
    assert (await client.get(f"/api/v1/honours/{ids[0]}")).status_code == 410
    for params, field in [({"uscc": "123"}, "uscc"), ({"kind": "medal"}, "kind"), ({"cursor": "e30"}, "cursor")]:
        r = await client.get("/api/v1/honours", params=params)
        assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], r.text

    d1 = (await client.post("/api/v1/admin/documents", json=document_payload(), headers=h)).json()["id"]
    d2 = (
        await client.post(
            "/api/v1/admin/documents",
            headers=h,
            json=document_payload(
                title="山西省2025年实施方案", issuer="山西省市场监督管理局", doc_number=None, region_code="140000"
            ),
        )
    ).json()["id"]
    page = (await client.get("/api/v1/documents", params={"region": "370000"})).json()
    assert [d["id"] for d in page["items"]] == [d1] and page["items"][0]["doc_number"] == "聊政办发〔2025〕3号"
    assert page["items"][0]["text"].startswith("为严格规范")
    doc = (await client.get(f"/api/v1/documents/{d2}")).json()
    assert doc["issued_on"] == "2025-04-30" and doc["url"] == f"http://testserver.local/documents/{d2}"
    assert await walk(client, "/api/v1/documents", {"page_size": 1}) == [d2, d1]
    await withdraw(__import__("db.tables", fromlist=["Document"]).Document, d2, "document")
    assert (await client.get(f"/api/v1/documents/{d2}")).status_code == 410


async def test_change_feed_in_order_with_tombstones(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    pid = (await client.post("/api/v1/admin/plans", json=plan_payload(), headers=h)).json()["id"]
    await client.post(f"/api/v1/admin/plans/{pid}/revisions", json={"reason": "调整", "title": "新标题"}, headers=h)
    hid = (await client.post("/api/v1/admin/honours", json=honour_payload(make_uscc(seed=1)), headers=h)).json()["ids"][
        0
    ]
    await withdraw(Honour, hid, "honour")
    page = (await client.get("/api/v1/changes")).json()
    got = [(c["type"], c["id"], c["action"]) for c in page["items"]]
    assert got == [
        ("plan", pid, "published"),
        ("plan", pid, "updated"),
        ("honour", hid, "published"),
        ("honour", hid, "withdrawn"),
    ]
    assert set(page["items"][-1]) == {"seq", "at", "type", "id", "action"}  # a tombstone carries no content
    seqs = [c["seq"] for c in page["items"]]
    assert seqs == sorted(seqs) and page["last_seq"] == seqs[-1]
    assert await walk(client, "/api/v1/changes", {"page_size": 1}, key="seq") == seqs
    after = (await client.get("/api/v1/changes", params={"since": seqs[1]})).json()
    assert [c["seq"] for c in after["items"]] == seqs[2:]
    at = page["items"][2]["at"]
    assert (
        next(c["seq"] for c in (await client.get("/api/v1/changes", params={"since": at})).json()["items"]) <= seqs[2]
    )
    assert (await client.get("/api/v1/changes", params={"since": "2999-01-01"})).json()["items"] == []
    for params, field in [
        ({"since": "yesterday"}, "since"),
        ({"cursor": "x"}, "cursor"),
        ({"page_size": 0}, "page_size"),
    ]:
        r = await client.get("/api/v1/changes", params=params)
        assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], r.text
