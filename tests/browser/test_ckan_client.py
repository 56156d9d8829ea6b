"""Issue 16 item 2: the CKAN-compatible Action API through the real `ckanapi.RemoteCKAN` client
(POST with a JSON body, as ckanapi sends by default, and GET) against the uvicorn server process."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import ckanapi
import httpx
import pytest

from db.repair import withdraw_results
from domain.datasets import DATASETS
from domain.repair_flow import SYSTEM
from tests.helpers import make_uscc, result_payload, sign_in

DEPT = "371500-scjg"


async def publish(http: httpx.AsyncClient) -> list[int]:
    h = await sign_in(http, "officer1", "officer", department_code=DEPT)
    items = [
        result_payload(make_uscc(seed=1), task="T-1", entity_name="聊城市鲁西食品有限公司", categories=["X05"]),
        result_payload(make_uscc(seed=2), task="T-2", entity_name="聊城市东昌燃气有限公司", categories=["N01"]),
        result_payload(make_uscc(seed=3), task="T-3", entity_name="聊城市运河食品有限公司", categories=["X05"]),
    ]
    r = await http.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["ids"]


async def until_searchable(http: httpx.AsyncClient, q: str, n: int) -> None:
    for _ in range(200):
        if len((await http.get("/api/v1/search", params={"q": q, "type": "result"})).json()["items"]) == n:
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"the server's index never showed {n} results for {q!r}")


async def test_ckanapi_reads_the_catalogue_and_the_datastore(http, server) -> None:
    ids = await publish(http)
    ckan = ckanapi.RemoteCKAN(server.url, user_agent="gongshi-tests/1.0")
    ckan_get = ckanapi.RemoteCKAN(server.url, user_agent="gongshi-tests/1.0", get_only=True)

    assert ckan.action.package_list() == [d.name for d in DATASETS]
    assert ckan_get.action.package_list() == [d.name for d in DATASETS]
    pkg = ckan.action.package_show(id="results")
    assert pkg["name"] == "results" and pkg["organization"]["name"] == "gongshi"
    assert pkg["license_id"] == "CC-BY-4.0" and pkg["license_url"].startswith("https://creativecommons.org/")
    assert [r["id"] for r in pkg["resources"]] == ["results", "results-jsonl", "results-api"]
    assert pkg["resources"][0]["datastore_active"] is True
    assert pkg["resources"][0]["url"] == f"{server.url}/api/v1/exports/results.csv"

    found = ckan.action.package_search(q="检查结果")
    assert "results" in [p["name"] for p in found["results"]] and found["count"] == len(found["results"])
    tagged = ckan.action.package_search(fq="tags:信用修复")
    assert [p["name"] for p in tagged["results"]] == ["repair-figures"]
    assert ckan.action.package_search(fq="organization:gongshi", rows=2, start=1)["count"] == len(DATASETS)
    assert len(ckan.action.package_search(fq="organization:gongshi", rows=2, start=1)["results"]) == 2
    assert ckan.action.organization_list() == ["gongshi"]
    org = ckan.action.organization_show(id="gongshi")
    assert org["package_count"] == len(DATASETS)
    assert ckan.action.resource_show(id="results-jsonl")["format"] == "JSONL"

    # The datastore: every public result, typed, paged by offset, newest first.
    page = ckan.action.datastore_search(resource_id="results", limit=2)
    assert page["total"] == 3 and [r["id"] for r in page["records"]] == sorted(ids, reverse=True)[:2]
    assert {f["id"] for f in page["fields"]} >= {"_id", "id", "uscc", "entity_name", "negative", "check_field"}
    first = page["records"][0]
    api = (await http.get(f"/api/v1/results/{first['id']}")).json()
    assert (first["uscc"], first["entity_name"], first["negative"], first["published_on"]) == (
        api["uscc"],
        api["entity_name"],
        api["negative"],
        api["published_on"],
    )
    rest = ckan.action.datastore_search(resource_id="results", limit=2, offset=2)
    assert [r["id"] for r in rest["records"]] == [min(ids)]
    asc = ckan.action.datastore_search(resource_id="results", sort="id asc", fields="id,uscc")
    assert [r["id"] for r in asc["records"]] == sorted(ids) and set(asc["records"][0]) == {"_id", "id", "uscc"}
    negative = ckan.action.datastore_search(resource_id="results", filters={"negative": True})
    assert negative["total"] == 2 and all(r["negative"] for r in negative["records"])
    by_uscc = ckan_get.action.datastore_search(resource_id="results", filters=json.dumps({"uscc": make_uscc(seed=2)}))
    assert [r["task_number"] for r in by_uscc["records"]] == ["T-2"]

    # q goes through the search index (Chinese words), as /api/v1/search does.
    await until_searchable(http, "食品", 2)
    food = ckan.action.datastore_search(resource_id="results", q="食品")
    assert sorted(r["task_number"] for r in food["records"]) == ["T-1", "T-3"] and food["total"] == 2

    # A withdrawn result is gone from the datastore, its total and its search.
    assert await withdraw_results([ids[0]], "expired", SYSTEM, "公示期满", dt.datetime.now(dt.UTC)) == [ids[0]]
    after = ckan.action.datastore_search(resource_id="results")
    assert ids[0] not in [r["id"] for r in after["records"]] and after["total"] == 2
    food = ckan.action.datastore_search(resource_id="results", q="食品")
    assert [r["task_number"] for r in food["records"]] == ["T-3"]


async def test_ckan_errors_come_in_ckan_shape(http, server) -> None:
    ckan = ckanapi.RemoteCKAN(server.url, user_agent="gongshi-tests/1.0")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id="plans")  # not in the datastore: download it
    with pytest.raises(ckanapi.ValidationError) as e:
        ckan.action.datastore_search(resource_id="results", filters={"colour": "red"})
    assert "filters" in e.value.error_dict
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id="results", limit=-1)
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(fq="maintainer:someone")
    r = await http.post("/api/3/action/no_such_action", json={})
    assert r.status_code == 400 and r.json()["success"] is False
    r = await http.post("/api/action/package_show", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["__type"] == "Bad request"
    r = await http.get("/api/3/action/package_show", params={"id": "results"})
    assert r.status_code == 200 and r.json()["success"] is True and r.json()["help"].endswith("name=package_show")
    assert r.headers["access-control-allow-origin"] == "*"
