"""Publishing and reading results over HTTP, on whichever engine DATABASE_URL names."""

from __future__ import annotations

from db.tables import AuditLog, ChangeLog, Entity, Honour, Outbox, Result
from tests.helpers import make_uscc, result_payload, sign_in
from tests.records_helpers import honour_payload

DEPT = "371500-scjg"


async def counts() -> tuple[int, ...]:
    return (await Result.count(), await AuditLog.count(), await ChangeLog.count(), await Outbox.count())


async def test_publish_then_read(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=1)
    r = await client.post(
        "/api/v1/admin/results", json=result_payload(u, categories=["X05", "N01"], follow_up="责令改正"), headers=h
    )
    assert r.status_code == 201, r.text
    rid = r.json()["ids"][0]
    got = (await client.get(f"/api/v1/results/{rid}")).json()
    assert got["uscc"] == u and got["negative"] is True
    assert [c["code"] for c in got["categories"]] == ["X05", "N01"]
    assert got["url"].endswith(f"/results/{rid}")
    page = (await client.get("/api/v1/results", params={"uscc": u.lower()})).json()
    assert [i["id"] for i in page["items"]] == [rid] and page["total"] == 1
    assert await counts() == (1, 1, 1, 1)


async def test_keyset_pagination_walks_every_record_once(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    items = [result_payload(make_uscc(seed=i), task=f"T-{i}") for i in range(45)]
    assert (await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"page_size": 20, "department": DEPT, "year": 2025}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/results", params=params)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 45
    assert seen == sorted(seen, reverse=True)


async def test_bad_queries_are_422_with_field_errors(client) -> None:
    for params, field in [
        ({"uscc": "91440300708461136X"}, "uscc"),
        ({"category": "Q99"}, "category"),
        ({"page_size": 1000000}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"region": "37"}, "region"),
    ]:
        r = await client.get("/api/v1/results", params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in r.json()["errors"]]


async def test_bad_writes_leave_the_database_as_it_was(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=7)
    assert (await client.post("/api/v1/admin/results", json=result_payload(u), headers=h)).status_code == 201
    before = await counts()

    cases = [
        (result_payload("91440300708461136X"), 422, "uscc"),
        (result_payload(make_uscc(seed=8), categories=["Q99"]), 422, "categories"),
        (result_payload(u), 409, "task_number"),  # same task number for the same entity
        (result_payload(make_uscc(seed=9), dept="140000-scjg"), 403, "departments"),
        ({"task_number": "x"}, 422, None),
    ]
    for body, status, field in cases:
        r = await client.post("/api/v1/admin/results", json=body, headers=h)
        assert r.status_code == status, (body, r.text)
        if field:
            assert field in [e["field"] for e in r.json().get("errors", [])], r.text
    # A bulk batch with one bad row stores nothing, and so does one row too many.
    good = [result_payload(make_uscc(seed=100 + i), task=f"B-{i}") for i in range(5)]
    bad = [*good, result_payload("123")]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": bad}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items[5].uscc"
    big = [result_payload(make_uscc(seed=1), task=f"X-{i}") for i in range(10_001)]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": big}, headers=h)
    assert r.status_code == 422 and "10000" in r.text
    assert await counts() == before


async def test_writes_need_an_officer_token(client) -> None:
    r = await client.post("/api/v1/admin/results", json=result_payload(make_uscc(seed=1)))
    assert r.status_code == 401
    h = await sign_in(client, "ent", "enterprise", uscc=make_uscc(seed=2))
    r = await client.post("/api/v1/admin/results", json=result_payload(make_uscc(seed=1)), headers=h)
    assert r.status_code == 403


async def test_unknown_and_withdrawn_results(client) -> None:
    assert (await client.get("/api/v1/results/999999")).status_code == 404
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    rid = (await client.post("/api/v1/admin/results", json=result_payload(make_uscc(seed=3)), headers=h)).json()["ids"][
        0
    ]
    await Result.update({Result.disclosure: "withdrawn", Result.withdrawn_reason: "repaired"}).where(Result.id == rid)
    r = await client.get(f"/api/v1/results/{rid}")
    assert r.status_code == 410 and r.json()["reason"] == "repaired"
    assert (await client.get("/api/v1/results")).json()["items"] == []


async def test_rate_limit_headers_and_429(settings, app, clean_db) -> None:
    import dataclasses

    import httpx

    from app import create_app
    from db.engine import bind_tables

    small = dataclasses.replace(settings, rate_limit_anonymous=3, rate_limit_api_key=5, api_keys=("k-news",))
    limited = create_app(small)
    bind_tables(app.state.engine)  # keep the session's engine (and its pool) for the other tests
    transport = httpx.ASGITransport(app=limited, client=("10.1.2.3", 1234))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as c:
        codes = [(await c.get("/api/v1/results")).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        r = await c.get("/api/v1/results")
        assert r.headers["RateLimit-Remaining"] == "0" and int(r.headers["Retry-After"]) >= 1
        assert r.headers["content-type"].startswith("application/problem+json")
        ok = await c.get("/api/v1/results", headers={"X-API-Key": "k-news"})
        assert ok.status_code == 200 and ok.headers["RateLimit-Limit"] == "5"


async def test_individual_business_name_is_published_masked(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(kind="2", seed=11)
    body = result_payload(u, entity_name="聊城市东昌府区王建国百货店", entity_kind="individual", operator_name="王建国")
    rid = (await client.post("/api/v1/admin/results", json=body, headers=h)).json()["ids"][0]
    got = (await client.get(f"/api/v1/results/{rid}")).json()
    assert got["entity_name"] == "聊城市东昌府区王**百货店"
    assert "王建国" not in (await client.get("/api/v1/results", params={"uscc": u})).text


async def test_masking_consults_the_entity_register(client) -> None:
    """One mechanism for the API and the importer: a result or honour that does not name the
    operator is still masked when the register knows the entity as an individual business."""
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(kind="2", seed=12)
    name = "聊城市东昌府区李秀英理发店"
    # First publication registers the entity, operator included (kept in full, never shown).
    first = result_payload(u, task="T-1", entity_name=name, entity_kind="individual", operator_name="李秀英")
    assert (await client.post("/api/v1/admin/results", json=first, headers=h)).status_code == 201
    ent = await Entity.select().where(Entity.uscc == u).first()
    assert (ent["name"], ent["kind"], ent["operator_name"]) == (name, "individual", "李秀英")
    # Later publications name no operator (and even give another kind): the register decides.
    later = result_payload(u, task="T-2", entity_name=name, entity_kind="enterprise")
    rid = (await client.post("/api/v1/admin/results", json=later, headers=h)).json()["ids"][0]
    assert (await client.get(f"/api/v1/results/{rid}")).json()["entity_name"] == "聊城市东昌府区李**理发店"
    r = await client.post("/api/v1/admin/honours", json=honour_payload(u, entity_name=name), headers=h)
    assert r.status_code == 201, r.text
    assert (await Honour.select(Honour.entity_name).first())["entity_name"] == "聊城市东昌府区李**理发店"
    for path in ("/api/v1/results", "/api/v1/honours"):
        assert "李秀英" not in (await client.get(path, params={"uscc": u})).text
