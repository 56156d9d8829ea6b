"""年度频次上限 over HTTP: the published table, the entity profile's inspections_by_year, the
supervisor's over-cap list (region-scoped) and the public aggregate, on whichever engine
DATABASE_URL names."""

from __future__ import annotations

import itertools

from db.tables import Department, Entity, InspectionCap
from domain import caps
from tests.helpers import make_uscc, result_payload, sign_in

DEPT, OTHER, THIRD = "371500-scjg", "371500-sthj", "371500-yjgl"


async def add_departments() -> None:
    await Department.insert(
        Department(code=DEPT, name="聊城市市场监督管理局", short_name="市场监管局", region_code="371500"),
        Department(code=OTHER, name="聊城市生态环境局", short_name="生态环境局", region_code="371500"),
        Department(code=THIRD, name="聊城市应急管理局", short_name="应急管理局", region_code="371500"),
    )


_officers = itertools.count()


async def publish(client, dept: str, items: list[dict]) -> None:
    h = await sign_in(client, f"officer-{next(_officers)}", "officer", department_code=dept)
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text


async def over_cap_enterprise(client) -> str:
    """A class-A enterprise inspected in 2025 (general field, cap 1): one joint check by two
    departments and one more by a third — two inspections, one over the cap."""
    u = make_uscc(seed=401)
    await add_departments()
    await publish(client, DEPT, [result_payload(u, task="J-1", departments=[DEPT, OTHER], inspected_on="2025-03-02")])
    await publish(client, THIRD, [result_payload(u, task="Y-1", dept=THIRD, inspected_on="2025-09-09")])
    await publish(client, DEPT, [result_payload(u, task="S-2024", inspected_on="2024-12-31")])
    await Entity.update({Entity.risk_class: "A"}).where(Entity.uscc == u)
    return u


async def test_the_published_table_lists_every_field_and_class_with_its_source(client) -> None:
    r = await client.get("/api/v1/inspection-limits")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["basis"] == caps.SEED_BASIS
    assert len(body["items"]) == len(caps.DEMO_CAPS) == await InspectionCap.count()
    first = body["items"][0]
    assert set(first) == {"field", "field_label", "risk_class", "risk_class_label", "cap_per_year", "source"}
    got = {(i["field"], i["risk_class"]): i["cap_per_year"] for i in body["items"]}
    assert got == caps.DEMO_CAPS
    food_a = next(i for i in body["items"] if (i["field"], i["risk_class"]) == ("food", "A"))
    assert food_a["field_label"] == "食品" and food_a["risk_class_label"].startswith("A类")
    assert all(i["source"] == caps.DEMO_SOURCE for i in body["items"])
    assert [i["field"] for i in body["items"][:4]] == ["general"] * 4  # the check fields' order


async def test_the_entity_profile_counts_a_joint_check_once_per_year(client) -> None:
    u = await over_cap_enterprise(client)
    body = (await client.get(f"/api/v1/entities/{u}")).json()
    assert body["results_total"] == 3 and len(body["honours"]) == 0  # existing fields stay
    years = [(y["year"], y["count"], y["cap"], y["over_cap"], y["total"]) for y in body["inspections_by_year"]]
    assert years == [(2025, 2, 1, True, 2), (2024, 1, 1, False, 1)]
    y2025 = body["inspections_by_year"][0]
    assert y2025["field"] == "general" and y2025["fields"] == [
        {"field": "general", "field_label": "一般领域", "count": 2, "cap": 1, "over_cap": True}
    ]
    # Class B: cap 2, not over.
    await Entity.update({Entity.risk_class: "B"}).where(Entity.uscc == u)
    body = (await client.get(f"/api/v1/entities/{u}")).json()
    assert [(y["count"], y["cap"], y["over_cap"]) for y in body["inspections_by_year"]] == [
        (2, 2, False),
        (1, 2, False),
    ]


async def test_an_entity_never_inspected_has_an_empty_list(client) -> None:
    u = make_uscc(seed=402)
    await Entity.insert(
        Entity(uscc=u, name="聊城市无检查有限公司", kind="enterprise", region_code="371500", risk_class="A")
    )
    body = (await client.get(f"/api/v1/entities/{u}")).json()
    assert body["inspections_by_year"] == [] and body["results"] == []


async def test_the_supervisor_sees_the_over_cap_enterprise_in_their_region(client) -> None:
    u = await over_cap_enterprise(client)
    h = await sign_in(client, "sup-lc", "supervisor", region_code="371500")
    r = await client.get("/api/v1/admin/oversight/over-cap", params={"year": 2025}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["year"] == 2025 and body["region_code"] == "371500"
    [item] = body["items"]
    assert (item["uscc"], item["count"], item["cap"], item["field"], item["risk_class"]) == (u, 2, 1, "general", "A")
    assert [d["code"] for d in item["departments"]] == [DEPT, OTHER, THIRD]
    assert item["departments"][0]["name"] == "聊城市市场监督管理局"
    # 2024: one inspection, not over.
    r = await client.get("/api/v1/admin/oversight/over-cap", params={"year": 2024}, headers=h)
    assert r.json()["items"] == []
    # A county supervisor elsewhere in the province sees nothing of it.
    h2 = await sign_in(client, "sup-hz", "supervisor", region_code="371700")
    r = await client.get("/api/v1/admin/oversight/over-cap", params={"year": 2025}, headers=h2)
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["region_code"] == "371700"


async def test_oversight_scoping_and_bad_input(client) -> None:
    await over_cap_enterprise(client)
    h = await sign_in(client, "sup-lc", "supervisor", region_code="371500")
    url = "/api/v1/admin/oversight/over-cap"
    assert (await client.get(url, params={"year": 2025, "region": "140000"}, headers=h)).status_code == 403
    assert (await client.get(url, params={"year": 2025, "region": "370000"}, headers=h)).status_code == 403
    assert (await client.get(url, params={"year": 2025, "region": "371502"}, headers=h)).json()["items"] == []
    for params, field in [
        ({"year": "abc"}, "year"),
        ({"year": 1999}, "year"),
        ({"year": 99999999999}, "year"),
        ({"region": "37"}, "region"),
    ]:
        r = await client.get(url, params=params, headers=h)
        assert r.status_code == 422, (params, r.text)
        assert field in r.text
    officer = await sign_in(client, "officer-x", "officer", department_code=DEPT)
    assert (await client.get(url, params={"year": 2025}, headers=officer)).status_code == 403
    assert (await client.get(url, params={"year": 2025})).status_code == 401


async def test_the_public_aggregate_withholds_small_counts(client) -> None:
    await add_departments()
    usccs = [make_uscc(seed=500 + i) for i in range(4)]
    for i, u in enumerate(usccs):
        await publish(client, DEPT, [result_payload(u, task=f"A-{i}", inspected_on="2025-04-01")])
        await publish(client, DEPT, [result_payload(u, task=f"B-{i}", inspected_on="2025-05-01")])
    # One of them was also inspected (over the cap) by the environment bureau.
    await publish(client, OTHER, [result_payload(usccs[0], task="E-0", dept=OTHER, inspected_on="2025-06-01")])
    await Entity.update({Entity.risk_class: "A"}).where(Entity.uscc.is_in(usccs))
    r = await client.get("/api/v1/stats/over-cap", params={"year": 2025})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["min_count"] == 3
    cells = {i["department_code"]: (i["enterprises"], i["suppressed"]) for i in body["items"]}
    assert cells == {DEPT: (4, False), OTHER: (None, True)}
    assert "usccs" not in r.text and usccs[0] not in r.text
    assert (await client.get("/api/v1/stats/over-cap", params={"year": "x"})).status_code == 422
    assert (await client.get("/api/v1/stats/over-cap", params={"year": 2101})).status_code == 422
    assert (await client.get("/api/v1/stats/over-cap", params={"year": 2024})).json()["items"] == []
