"""Issue 11 item 8: an individual business with no operator known whose name is a bare personal name
is masked all but its first character — the rule (domain.masking), publishing over the API, the
pages, and the migration that masks the names stored before (on a real database)."""

from __future__ import annotations

import importlib

import pytest

from db.tables import AuditLog, Entity, Honour, Result
from domain.masking import BARE_NAME, BUSINESS_WORDS, is_bare_personal_name, public_entity_name
from search.outbox import drain
from tests.helpers import make_uscc, migration_runner, result_payload, sign_in
from tests.records_helpers import honour_payload
from tests.test_remask_migration import add_entity, add_honour, add_result, counts

mig = importlib.import_module("migrations.gongshi_2026_12_07t19_00_00_000000")
earlier = importlib.import_module("migrations.gongshi_2026_11_25t16_30_00_000000")

DEPT = "371500-scjg"
IND = make_uscc(kind="2", seed=201)  # 92…: an individual business by its USCC
ENT = make_uscc(kind="1", seed=202)  # 91…: an enterprise

# (name, kind, operator, uscc, published as)
CASES = [
    ("王建国", "individual", "", "", "王**"),
    ("欧阳明华", "individual", "", "", "欧***"),  # four characters: the upper bound
    ("张三", "individual", "", "", "张*"),  # two: the lower bound
    ("李", "individual", "", "", "李"),  # one character: not a name to mask
    ("欧阳明华丽", "individual", "", "", "欧阳明华丽"),  # five: over the bound
    (" 王建国 ", "individual", "", "", "王**"),  # surrounding spaces
    ("王记", "individual", "", "", "王记"),  # a business word
    ("张三百货", "individual", "", "", "张三百货"),
    ("刘氏面馆", "individual", "", "", "刘氏面馆"),
    ("东昌府区", "individual", "", "", "东昌府区"),  # a region, not a person
    ("Li Ming", "individual", "", "", "Li Ming"),  # not Han characters
    ("王**", "individual", "", "", "王**"),  # masked already
    ("王建国", "", "", IND, "王**"),  # kind unknown: the USCC's second position is 2
    ("王建国", "enterprise", "", IND, "王**"),  # the USCC wins over a wrong kind
    ("王建国", "enterprise", "", ENT, "王建国"),  # an enterprise is not masked
    ("王建国", "cooperative", "", "", "王建国"),
    ("王建国", "individual", "王建国", "", "王**"),  # operator known: the operator rule
    ("王建国", "individual", "李秀英", "", "王建国"),  # operator known and not in the name: as before
    ("聊城市王建国百货店", "individual", "", "", "聊城市王建国百货店"),  # nothing to go on
]


@pytest.mark.parametrize("name, kind, operator, uscc, published", CASES)
def test_rule(name: str, kind: str, operator: str, uscc: str, published: str) -> None:
    assert public_entity_name(name, kind, operator, uscc) == published


@pytest.mark.parametrize("name, kind, operator, uscc, published", CASES)
def test_frozen_formula_agrees_with_domain(name: str, kind: str, operator: str, uscc: str, published: str) -> None:
    if operator:
        return  # the migration handles only entities with no operator known
    if kind == "individual" or uscc.startswith("92"):
        assert mig.masked_bare_name(name) == published
        assert mig.masked_bare_name(mig.masked_bare_name(name)) == mig.masked_bare_name(name)


def test_bare_name_bounds() -> None:
    assert [is_bare_personal_name("王" * n) for n in range(1, 6)] == [False, True, True, True, False]
    assert mig.BUSINESS_WORDS == BUSINESS_WORDS and mig.BARE_NAME.pattern == BARE_NAME.pattern


# -- publishing and reading -------------------------------------------------------------------


async def test_published_bare_name_is_masked_everywhere(client, app) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(kind="2", seed=211)
    body = result_payload(u, entity_name="王建国")  # no kind, no operator: the USCC says individual
    r = await client.post("/api/v1/admin/results", json=body, headers=h)
    assert r.status_code == 201, r.text
    rid = r.json()["ids"][0]
    stored = await Result.select(Result.entity_name).where(Result.id == rid).first()
    assert stored["entity_name"] == "王**"
    # The register keeps the full name (the department's record), never shown.
    assert (await Entity.select(Entity.name).where(Entity.uscc == u).first())["name"] == "王建国"
    r = await client.post("/api/v1/admin/honours", json=honour_payload(u, entity_name="王建国"), headers=h)
    assert r.status_code == 201, r.text
    await drain(app.state.search_index)
    for path in (
        f"/api/v1/results/{rid}",
        f"/api/v1/entities/{u}",
        f"/results/{rid}",
        f"/entities/{u}",
        f"/api/v1/honours?uscc={u}",
        f"/api/v1/results?uscc={u}",
    ):
        got = await client.get(path)
        assert got.status_code == 200, (path, got.status_code)
        assert "王建国" not in got.text and "王**" in got.text, path
    assert (await client.get(f"/api/v1/entities/{u}")).json()["name"] == "王**"
    assert (await client.get("/api/v1/search", params={"q": "王建国"})).json()["items"] == []


async def test_trade_name_is_not_masked(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(kind="2", seed=212)
    r = await client.post("/api/v1/admin/results", json=result_payload(u, entity_name="王记面馆"), headers=h)
    assert (await client.get(f"/api/v1/results/{r.json()['ids'][0]}")).json()["entity_name"] == "王记面馆"


# -- the migration ----------------------------------------------------------------------------


@pytest.fixture
def run_migration(app, clean_db, monkeypatch):
    return migration_runner(mig, monkeypatch)


async def test_migration_masks_stored_bare_names(run_migration, client, monkeypatch) -> None:
    monkeypatch.setattr(mig, "BATCH", 2)  # windows of two ids: every window boundary is crossed
    monkeypatch.setattr(earlier, "LOG_CHUNK", 2)
    bare, known, ent = make_uscc(kind="2", seed=221), make_uscc(kind="2", seed=222), make_uscc(kind="1", seed=223)
    unregistered = make_uscc(kind="2", seed=224)
    await add_entity(bare, "王建国", "individual")
    await add_entity(known, "李秀英", "individual", "赵六")  # an operator is known: its rule, not this one
    await add_entity(ent, "张三", "enterprise")
    r_bare = await add_result(bare, "王建国", "individual", "T-1")
    r_withdrawn = await add_result(bare, "王建国", "individual", "T-2", disclosure="withdrawn")
    r_trade = await add_result(bare, "王记面馆", "individual", "T-3")
    r_known = await add_result(known, "李秀英", "individual", "T-4")
    r_ent = await add_result(ent, "张三", "enterprise", "T-5")
    r_unreg = await add_result(unregistered, "欧阳明华", "individual", "T-6")  # no register entry: its USCC
    r_masked = await add_result(bare, "王**", "individual", "T-7")
    h_bare = await add_honour(bare, "王建国")
    before = await counts()

    await run_migration()

    names = {r["id"]: r["entity_name"] for r in await Result.select(Result.id, Result.entity_name)}
    assert names == {
        r_bare: "王**",
        r_withdrawn: "王**",
        r_trade: "王记面馆",
        r_known: "李秀英",
        r_ent: "张三",
        r_unreg: "欧***",
        r_masked: "王**",
    }
    assert (await Honour.select(Honour.entity_name).where(Honour.id == h_bare).first())["entity_name"] == "王**"
    audits = await AuditLog.select().where(AuditLog.reason == mig.REASON)
    assert sorted((a["object_type"], a["object_id"]) for a in audits) == sorted(
        [("result", str(r_bare)), ("result", str(r_withdrawn)), ("result", str(r_unreg)), ("honour", str(h_bare))]
    )
    assert all("王建国" not in str(a) for a in audits)
    # Audited four rows; announced (change log, outbox) the three public ones, not the withdrawn one.
    assert await counts() == (before[0] + 4, before[1] + 3, before[2] + 3)
    feed = (await client.get("/api/v1/changes", params={"since": "0"})).json()["items"]
    updated = {(c["type"], c["id"]) for c in feed if c["action"] == "updated"}
    assert updated == {("result", r_bare), ("result", r_unreg), ("honour", h_bare)}

    # Idempotent: a second run changes and logs nothing.
    logged = await counts()
    await run_migration()
    assert await counts() == logged
    assert {r["id"]: r["entity_name"] for r in await Result.select(Result.id, Result.entity_name)} == names


async def test_migration_on_empty_database(run_migration) -> None:
    await run_migration()
    assert await counts() == (0, 0, 0)


def test_a_corrected_name_is_masked_too() -> None:
    """An objection's correction may rename the entity: the new name is published masked by the
    same rule (the register's operator when it knows one, else the bare-name rule)."""
    import datetime as dt

    from domain.repair_flow import corrected_values

    old = {"uscc": IND, "entity_kind": "individual", "entity_name": "王记面馆", "published_on": dt.date(2026, 11, 2)}
    assert corrected_values(old, {"entity_name": "王建国"}) == {"entity_name": "王**"}
    operator = {"kind": "individual", "operator_name": "王建国"}
    assert corrected_values(old, {"entity_name": "聊城市王建国百货店"}, operator) == {"entity_name": "聊城市王**百货店"}
    company = {**old, "uscc": ENT, "entity_kind": "enterprise"}
    assert corrected_values(company, {"entity_name": "王建国"}, {"kind": "enterprise", "operator_name": ""}) == {
        "entity_name": "王建国"
    }
