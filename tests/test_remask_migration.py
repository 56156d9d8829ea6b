"""The migration that re-masks operator names stored in full before the masking change
(migrations/gongshi_2026_11_25t16_30_00_000000.py), on a real database: the state older code left
is written straight into the tables, then the migration's forwards() is run as Piccolo runs it."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest

from db.changes import now, public_change
from db.tables import AuditLog, ChangeLog, Entity, Honour, Outbox, Result
from db.tx import write_transaction
from domain.masking import mask_person_name, public_entity_name
from search.outbox import drain
from tests.helpers import make_uscc, migration_runner
from tests.search_helpers import reset_index

mig = importlib.import_module("migrations.gongshi_2026_11_25t16_30_00_000000")

DEPT = "371500-scjg"

# (name, kind, operator): the frozen formula must give what domain.masking gives.
CASES = [
    ("聊城市东昌府区王建国百货店", "individual", "王建国"),
    ("张三小吃", "individual", "张三"),
    ("欧阳明华五金店", "individual", "欧阳明华"),
    ("莘县李四李四烟酒店", "individual", "李四"),  # every occurrence
    ("张记小吃", "individual", "张"),  # a one-character operator, first masking
    ("聊城市王五超市", "individual", "赵六"),  # operator not in the name
    ("聊城市王五超市", "individual", ""),  # no operator
    ("张三餐饮管理有限公司", "enterprise", "张三"),  # not an individual business
    ("张三餐饮合作社", "cooperative", "张三"),
    ("张三修车铺", "", "张三"),
    ("东昌府区 张三修车铺", "individual", " 张三"),  # surrounding spaces in the register
    ("冠县Li Ming便利店", "individual", "Li Ming"),
    ("临清市王**百货店", "individual", "王建国"),  # already masked
    ("", "individual", "张三"),
]


@pytest.mark.parametrize("name, kind, operator", CASES)
def test_frozen_formula_agrees_with_domain(name: str, kind: str, operator: str) -> None:
    assert mig.public_entity_name(name, kind, operator) == public_entity_name(name, kind, operator)
    assert mig.remasked_name(name, kind, operator) == public_entity_name(name, kind, operator)
    assert mig.mask_person_name(operator) == mask_person_name(operator)


@pytest.mark.parametrize(
    "name, kind, operator", [*CASES, ("张*记小吃", "individual", "张"), ("张记张*记", "individual", "张")]
)
def test_remasking_is_idempotent(name: str, kind: str, operator: str) -> None:
    once = mig.remasked_name(name, kind, operator)
    assert mig.remasked_name(once, kind, operator) == once
    if kind == "individual" and operator.strip():
        assert operator not in once.replace(mig.mask_person_name(operator), "")


def test_one_character_operator_already_masked_is_left_alone() -> None:
    # public_entity_name would mask 张* again (张**记); the migration must not.
    assert mig.remasked_name("张*记小吃", "individual", "张") == "张*记小吃"
    assert mig.remasked_name("张记张*记", "individual", "张") == "张*记张*记"


# -- on the database ---------------------------------------------------------------------------


@pytest.fixture
def run_migration(app, clean_db, monkeypatch):
    return migration_runner(mig, monkeypatch)


async def add_entity(uscc: str, name: str, kind: str, operator: str = "") -> None:
    await Entity.insert(
        Entity(uscc=uscc, name=name, kind=kind, region_code="371502", operator_name=operator, updated_at=now())
    )


async def add_result(uscc: str, name: str, kind: str, task: str, disclosure: str = "public") -> int:
    at = now() - dt.timedelta(days=30)
    on = dt.date(2025, 6, 12)
    async with write_transaction():
        rows = await Result.insert(
            Result(
                task_number=task,
                uscc=uscc,
                entity_name=name,
                entity_kind=kind,
                region_code="371502",
                department_code=DEPT,
                department_codes=DEPT,
                inspected_on=on,
                year=on.year,
                inspection_type="抽查",
                category_codes="N01",
                negative=False,
                published_on=on,
                created_at=at,
                updated_at=at,
            )
        ).returning(Result.id)
        rid = rows[0]["id"]
        await public_change("result", [rid], "published")
        if disclosure != "public":
            await Result.update(
                {Result.disclosure: disclosure, Result.withdrawn_reason: "revoked", Result.withdrawn_at: at}
            ).where(Result.id == rid)
            await public_change("result", [rid], "withdrawn")
    return rid


async def add_honour(uscc: str, name: str) -> int:
    async with write_transaction():
        rows = await Honour.insert(
            Honour(
                uscc=uscc,
                entity_name=name,
                honour="守合同重信用",
                kind="credit",
                awarded_by="聊城市市场监督管理局",
                awarded_on=dt.date(2025, 5, 20),
                year=2025,
                department_code=DEPT,
                region_code="371502",
                created_at=now(),
            )
        ).returning(Honour.id)
        await public_change("honour", [rows[0]["id"]], "published")
    return rows[0]["id"]


async def counts() -> tuple[int, int, int]:
    return await AuditLog.count(), await ChangeLog.count(), await Outbox.count()


async def test_empty_database_nothing_happens(run_migration) -> None:
    await run_migration()
    assert await counts() == (0, 0, 0)


async def test_stored_full_names_are_masked_and_announced(run_migration, client, app) -> None:
    ind, other, ent = make_uscc(kind="2", seed=101), make_uscc(kind="2", seed=102), make_uscc(kind="1", seed=103)
    await add_entity(ind, "聊城市东昌府区王建国百货店", "individual", "王建国")
    await add_entity(other, "聊城市东昌府区红星理发店", "individual", "李秀英")  # operator not in the name
    await add_entity(ent, "张三餐饮管理有限公司", "enterprise", "张三")  # a person's name, not masked
    full = "聊城市东昌府区王建国百货店"
    r_public = await add_result(ind, full, "enterprise", "T-1")  # older code: no operator_name sent
    r_withdrawn = await add_result(ind, full, "individual", "T-2", disclosure="withdrawn")
    r_masked = await add_result(ind, "聊城市东昌府区王**百货店", "individual", "T-3")  # masked already
    r_other = await add_result(other, "聊城市东昌府区红星理发店", "individual", "T-4")
    r_ent = await add_result(ent, "张三餐饮管理有限公司", "enterprise", "T-5")
    h_ind = await add_honour(ind, full)
    h_ent = await add_honour(ent, "张三餐饮管理有限公司")
    h_other = await add_honour(other, "聊城市东昌府区红星理发店")
    before = await counts()
    seq_before = (await ChangeLog.select(ChangeLog.seq).order_by(ChangeLog.seq, ascending=False).first())["seq"]
    outbox_before = (await Outbox.select(Outbox.id).order_by(Outbox.id, ascending=False).first())["id"]
    stamps = {r["id"]: r["updated_at"] for r in await Result.select(Result.id, Result.updated_at)}

    await run_migration()

    masked = "聊城市东昌府区王**百货店"
    names = {r["id"]: r["entity_name"] for r in await Result.select(Result.id, Result.entity_name)}
    assert names == {
        r_public: masked,
        r_withdrawn: masked,
        r_masked: masked,
        r_other: "聊城市东昌府区红星理发店",
        r_ent: "张三餐饮管理有限公司",
    }
    honours = {r["id"]: r["entity_name"] for r in await Honour.select(Honour.id, Honour.entity_name)}
    assert honours == {h_ind: masked, h_ent: "张三餐饮管理有限公司", h_other: "聊城市东昌府区红星理发店"}
    assert not await Result.exists().where(Result.entity_name.like("%王建国%"))
    assert not await Honour.exists().where(Honour.entity_name.like("%王建国%"))
    # The changed result's updated_at moved; the others' did not.
    after = {r["id"]: r["updated_at"] for r in await Result.select(Result.id, Result.updated_at)}
    assert after[r_public] > stamps[r_public] and after[r_withdrawn] > stamps[r_withdrawn]
    assert all(after[i] == stamps[i] for i in (r_masked, r_other, r_ent))
    # Published state unchanged.
    assert (await Result.select(Result.disclosure).where(Result.id == r_withdrawn).first())["disclosure"] == "withdrawn"

    # Announced: change log `updated` and outbox `upsert` for the changed public rows only.
    new_changes = (
        await ChangeLog.select(ChangeLog.object_type, ChangeLog.object_id, ChangeLog.action)
        .where(ChangeLog.seq > seq_before)
        .order_by(ChangeLog.seq)
    )
    assert sorted((c["object_type"], c["object_id"], c["action"]) for c in new_changes) == [
        ("honour", str(h_ind), "updated"),
        ("result", str(r_public), "updated"),
    ]
    new_outbox = await Outbox.select(
        Outbox.object_type, Outbox.object_id, Outbox.op, Outbox.attempts, Outbox.last_error, Outbox.done_at
    ).where(Outbox.id > outbox_before)
    assert all(o["done_at"] is None for o in new_outbox)
    assert sorted((o["object_type"], o["object_id"], o["op"], o["attempts"], o["last_error"]) for o in new_outbox) == [
        ("honour", str(h_ind), "upsert", 0, ""),
        ("result", str(r_public), "upsert", 0, ""),
    ]
    # Audited: every changed row, the withdrawn one too (its stored name changed), never the old name.
    audits = await AuditLog.select().where(AuditLog.action == "remask")
    assert sorted((a["object_type"], a["object_id"]) for a in audits) == [
        ("honour", str(h_ind)),
        ("result", str(r_public)),
        ("result", str(r_withdrawn)),
    ]
    for a in audits:
        assert (a["actor"], a["actor_role"], a["reason"]) == (
            "system:remask-migration",
            "system",
            "re-masked operator name (privacy)",
        )
        detail = a["detail"] if isinstance(a["detail"], dict) else json.loads(a["detail"])
        assert detail == {"field": "entity_name", "migration": mig.ID}
        assert "王建国" not in str(a)
    assert await counts() == (before[0] + 3, before[1] + 2, before[2] + 2)

    # The public side: the change feed, the API and the search index after the outbox ran.
    feed = (await client.get("/api/v1/changes", params={"since": str(seq_before)})).json()["items"]
    assert sorted((c["type"], c["id"], c["action"]) for c in feed) == [
        ("honour", h_ind, "updated"),
        ("result", r_public, "updated"),
    ]
    for path in ("/api/v1/results", "/api/v1/honours"):
        text = (await client.get(path, params={"uscc": ind})).text
        assert "王建国" not in text and masked in text
    index = app.state.search_index
    await reset_index(index)
    await Outbox.update({Outbox.done_at: None}, force=True)  # the index was empty: apply every row
    await drain(index)
    hits = (await client.get("/api/v1/search", params={"q": "王建国"})).json()["items"]
    assert hits == []
    hits = (await client.get("/api/v1/search", params={"q": "东昌府区王"})).json()["items"]
    assert {(h["type"], h["id"]) for h in hits} >= {("result", r_public), ("honour", h_ind)}

    # A second run changes nothing and logs nothing.
    names_after = await Result.select(Result.id, Result.entity_name, Result.updated_at).order_by(Result.id)
    honours_after = await Honour.select(Honour.id, Honour.entity_name).order_by(Honour.id)
    logged = await counts()
    await run_migration()
    assert await Result.select(Result.id, Result.entity_name, Result.updated_at).order_by(Result.id) == names_after
    assert await Honour.select(Honour.id, Honour.entity_name).order_by(Honour.id) == honours_after
    assert await counts() == logged


async def test_batches_cover_every_row(run_migration, monkeypatch) -> None:
    """Windows of 2 ids (and log/update chunks of 2 rows) over results and honours of four
    operators, some masked already, one a one-character operator: every unmasked row is masked and
    logged exactly once, the masked ones are left alone, and a second run does nothing."""
    monkeypatch.setattr(mig, "BATCH", 2)
    monkeypatch.setattr(mig, "LOG_CHUNK", 2)
    people = [
        ("王建国", "聊城市王建国百货店"),
        ("李秀英", "莘县李秀英理发店"),
        ("张", "张记小吃"),
        ("欧阳明华", "冠县欧阳明华五金店"),
    ]
    expected_results: dict[int, str] = {}
    expected_honours: dict[int, str] = {}
    changed = 0
    for n, (op, name) in enumerate(people):
        u = make_uscc(kind="2", seed=200 + n)
        await add_entity(u, name, "individual", op)
        masked = public_entity_name(name, "individual", op)
        expected_results[await add_result(u, name, "individual", f"B-{n}")] = masked
        expected_honours[await add_honour(u, name)] = masked
        changed += 2
        if n % 2:  # a row masked already, in between
            expected_results[await add_result(u, masked, "individual", f"M-{n}")] = masked
    before = await counts()
    await run_migration()
    assert {r["id"]: r["entity_name"] for r in await Result.select(Result.id, Result.entity_name)} == expected_results
    assert {r["id"]: r["entity_name"] for r in await Honour.select(Honour.id, Honour.entity_name)} == expected_honours
    assert await counts() == (before[0] + changed, before[1] + changed, before[2] + changed)
    audited = [
        (a["object_type"], a["object_id"])
        for a in await AuditLog.select(AuditLog.object_type, AuditLog.object_id).where(AuditLog.action == "remask")
    ]
    assert len(audited) == len(set(audited)) == changed
    await run_migration()
    assert await counts() == (before[0] + changed, before[1] + changed, before[2] + changed)
    assert {r["id"]: r["entity_name"] for r in await Result.select(Result.id, Result.entity_name)} == expected_results
