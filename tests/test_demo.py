"""`gongshi demo`: realistic, valid, deterministic, and refuses to overwrite data."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest

from db.tables import Entity, Honour, Outbox, PenaltyDecision, Result, ResultDepartment, ScanRecord, User
from demo import generate as G
from demo.load import PASSWORDS, DemoPresent, load_demo
from domain import uscc
from domain.entities import kind_from_uscc

N = 1500


@pytest.fixture
async def demo(client, settings):
    return await load_demo(Result._meta.db, settings, N, 400, seed=7, progress=False, out=io.StringIO())


async def test_valid_usccs_kinds_and_regions(demo) -> None:
    entities = await Entity.select()
    assert len(entities) == 400
    names = G.regions()
    for e in entities:
        assert uscc.validate(e["uscc"]) == e["uscc"]
        assert kind_from_uscc(e["uscc"]) == e["kind"]
        assert e["uscc"][2:8] == e["region_code"] and e["region_code"] in names
        assert e["risk_class"] in "ABCD" and e["industry_code"][0].isalpha()
    assert {e["kind"] for e in entities} >= {"enterprise", "individual"}
    assert all(e["operator_name"] for e in entities if e["kind"] == "individual")
    for r in await Result.select(Result.uscc):
        assert uscc.is_valid(r["uscc"])


async def test_results_are_realistic(demo) -> None:
    rows = await Result.select()
    assert len(rows) == N == demo.results
    share = sum(r["negative"] for r in rows) / N
    assert 0.10 <= share <= 0.20, share
    this_year = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year
    assert {r["year"] for r in rows} == set(range(this_year - 3, this_year + 1))
    assert any(r["joint"] for r in rows) and any(not r["joint"] for r in rows)
    assert any("," in r["category_codes"] for r in rows)
    negatives = [r for r in rows if r["negative"]]
    assert all(r["follow_up"] for r in negatives)
    numbers = {r["penalty_decision_number"] for r in negatives if r["penalty_decision_number"]}
    assert numbers and numbers == {p["number"] for p in await PenaltyDecision.select()}
    assert await ResultDepartment.count() == sum(len(r["department_codes"].split(",")) for r in rows)
    today = dt.date.today() + dt.timedelta(days=1)
    assert all(r["inspected_on"] <= r["published_on"] <= today for r in rows)
    # ids grow with the publication date; every result is queued for the search index.
    assert [r["published_on"] for r in sorted(rows, key=lambda r: r["id"])] == sorted(r["published_on"] for r in rows)
    assert await Outbox.count() == N + demo.honours


async def test_honours_scans_and_accounts(demo, client) -> None:
    kinds = {h["kind"] for h in await Honour.select(Honour.kind)}
    assert kinds >= {"credit", "whitelist"}
    scans = await ScanRecord.select()
    assert scans and all(len(s["officer_credentials"]) >= 2 for s in scans)
    assert {s["method"] for s in scans} == {"scan", "checkin"}
    roles = {u["role"] for u in await User.select(User.role)}
    assert roles == {"officer", "enterprise", "supervisor", "admin"}
    for username, role in (
        ("officer-371500-scjg", "officer"),
        ("demo-enterprise", "enterprise"),
        ("demo-supervisor", "supervisor"),
        ("demo-admin", "admin"),
    ):
        r = await client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[role]})
        assert r.status_code == 200, (username, r.text)


async def test_individual_operator_names_are_masked_in_the_api(demo, client) -> None:
    people = {e["uscc"]: e for e in await Entity.select() if e["kind"] == "individual"}
    row = await Result.select().where(Result.uscc.is_in(list(people))).first()
    assert row is not None
    got = (await client.get(f"/api/v1/results/{row['id']}")).json()
    operator = people[row["uscc"]]["operator_name"]
    assert operator not in got["entity_name"]
    assert operator[0] + "*" * (len(operator) - 1) in got["entity_name"]
    page = (await client.get("/api/v1/results", params={"uscc": row["uscc"]})).json()
    assert all(operator not in i["entity_name"] for i in page["items"])


async def test_refuses_when_data_is_present_and_reset_regenerates(demo, settings) -> None:
    before = (await Result.count(), await Entity.count(), await User.count())
    with pytest.raises(DemoPresent, match="--reset"):
        await load_demo(Result._meta.db, settings, 50, 50, seed=1, progress=False)
    assert (await Result.count(), await Entity.count(), await User.count()) == before
    again = await load_demo(Result._meta.db, settings, 60, 50, seed=1, reset=True, progress=False, out=io.StringIO())
    assert again.results == await Result.count() == 60 and await Entity.count() == 50


def test_generation_is_deterministic() -> None:
    def make(seed: int) -> list[tuple]:
        rng = random.Random(seed)
        world = G.make_entities(rng, 300)
        out = []
        for batch in G.make_results(rng, world, 500, dt.date(2026, 11, 25)):
            out += [(r["task_number"], r["uscc"], tuple(r["categories"])) for r in batch.results]
        return out

    assert make(3) == make(3)
    assert make(3) != make(4)


@pytest.mark.parametrize("n_results", [60, 800, 3000])
async def test_the_demo_enterprise_can_try_repair_and_objection_today(client, settings, n_results: int) -> None:
    """Whatever the size and whatever today's date: one negative result eligible for repair today,
    one not yet eligible (with its earliest date, in the future), and a public result it can
    dispute — checked through the API the enterprise itself uses."""
    await load_demo(Result._meta.db, settings, n_results, None, seed=7, reset=True, progress=False, out=io.StringIO())
    r = await client.post(
        "/api/v1/auth/token", json={"username": "demo-enterprise", "password": PASSWORDS["enterprise"]}
    )
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    me = (await User.select(User.uscc).where(User.username == "demo-enterprise").first())["uscc"]
    own = (await client.get("/api/v1/results", params={"uscc": me, "page_size": 100})).json()["items"]
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    eligible, later = [], []
    for item in own:
        if not item["negative"]:
            continue
        e = (await client.get(f"/api/v1/results/{item['id']}/repair-eligibility", headers=h)).json()
        if e["eligible"]:
            eligible.append(item["id"])
        elif e["earliest_on"] and dt.date.fromisoformat(e["earliest_on"]) > today:
            later.append(e["earliest_on"])
    assert eligible, own
    assert later, own
    neutral = next(i for i in own if not i["negative"])
    filed = await client.post(
        "/api/v1/objections", headers=h, json={"result_id": neutral["id"], "reason": "检查日期记录有误"}
    )
    assert filed.status_code == 201, filed.text


async def test_the_demo_enterprise_has_an_inspection_to_evaluate_today(client, settings) -> None:
    """事后评价 can be tried on any day: one of its inspections is within the 30 days."""
    await load_demo(Result._meta.db, settings, 300, None, seed=7, reset=True, progress=False, out=io.StringIO())
    r = await client.post(
        "/api/v1/auth/token", json={"username": "demo-enterprise", "password": PASSWORDS["enterprise"]}
    )
    h = {"Authorization": f"Bearer {r.json()['access_token']}"}
    items = (await client.get("/api/v1/my/inspections", headers=h)).json()["items"]
    open_ = [i for i in items if i["can_evaluate"]]
    assert open_, items
    done = await client.post(f"/api/v1/my/inspections/{open_[0]['id']}/evaluation", headers=h, json={"rating": 4})
    assert done.status_code == 201, done.text
