"""Regions by their full names, not a mix of codes and bare county names: on result and entity
pages (beside the code) and as search facet labels."""

from __future__ import annotations

from db.tables import Region
from search.outbox import drain
from tests.helpers import make_uscc, result_payload, sign_in
from tests.search_helpers import reset_index

REGIONS = [("370000", "山东省", None), ("371500", "聊城市", "370000"), ("371525", "冠县", "371500")]


async def test_result_entity_and_facets_name_regions_in_full(app, client) -> None:
    from search import service

    await Region.insert(*[Region(code=c, name=n, parent_code=p) for c, n, p in REGIONS])
    service._NAMES.clear()  # names are cached a few minutes per process; this test adds regions
    await reset_index(app.state.search_index)
    h = await sign_in(client, "region-officer", "officer", department_code="371500-scjg")
    uscc = make_uscc(seed=77)
    body = result_payload(uscc, entity_name="冠县清泉饮品有限公司", region_code="371525")
    r = await client.post("/api/v1/admin/results", json=body, headers=h)
    assert r.status_code == 201, r.text
    rid = r.json()["ids"][0]
    page = (await client.get(f"/results/{rid}")).text
    assert "聊城市冠县" in page and "371525" in page
    await drain(app.state.search_index)
    found = (await client.get("/api/v1/search", params={"q": "清泉饮品"})).json()
    labels = {f["value"]: f["label"] for f in found["facets"]["region"]}
    assert labels == {"371525": "聊城市冠县"}
    entity = (await client.get(f"/entities/{uscc}")).text
    assert "聊城市冠县" in entity
