"""Issue 16 item 1: the catalogue and the licence, read as a harvester's tools read them — rdflib
parses the DCAT-AP JSON-LD, the DCAT-US data.json carries its required fields, and frictionless
validates the data package against the CSV the portal really exports."""

from __future__ import annotations

import datetime as dt
import json

import frictionless
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF

from db.repair import withdraw_results
from domain.datasets import DATASETS, license_of
from domain.repair_flow import SYSTEM
from settings import Settings
from tests.helpers import make_uscc, result_payload, sign_in

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DEPT = "371500-scjg"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


async def publish(client, n: int) -> list[int]:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    items = [
        result_payload(make_uscc(seed=i), task=f"T-{i}", entity_name=f"聊城市第{i}食品有限公司", categories=["X05"])
        for i in range(n)
    ]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["ids"]


async def test_dcat_ap_catalogue_parses_and_has_the_mandatory_properties(client) -> None:
    await publish(client, 2)
    r = await client.get("/catalog.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert r.headers["access-control-allow-origin"] == "*"
    g = Graph().parse(data=r.text, format="json-ld")
    catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    cat = catalogs[0]
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset, DCTERMS.license):
        assert g.value(cat, prop) is not None, prop
    assert g.value(cat, DCTERMS.license) == URIRef(CC_BY)
    assert g.value(g.value(cat, DCTERMS.publisher), FOAF.name) is not None
    datasets = list(g.objects(cat, DCAT.dataset))
    assert {str(g.value(d, DCTERMS.identifier)) for d in datasets} == {d.name for d in DATASETS}
    for d in datasets:
        assert g.value(d, DCTERMS.title) is not None and g.value(d, DCTERMS.description) is not None
        dists = list(g.objects(d, DCAT.distribution))
        assert dists, d
        for dist in dists:
            assert str(g.value(dist, DCAT.accessURL)).startswith("http://testserver.local/api/v1/")
            assert g.value(dist, DCTERMS.license) == URIRef(CC_BY)
    # Chinese and English titles, tagged.
    titles = {(str(t), getattr(t, "language", None)) for t in g.objects(cat, DCTERMS.title)}
    assert {lang for _t, lang in titles} == {"zh", "en"}


async def test_data_json_is_dcat_us(client) -> None:
    body = (await client.get("/data.json")).json()
    assert body["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    assert len(body["dataset"]) == len(DATASETS)
    for d in body["dataset"]:
        for key in (
            "title",
            "description",
            "keyword",
            "modified",
            "publisher",
            "contactPoint",
            "identifier",
            "accessLevel",
            "license",
            "distribution",
        ):
            assert d[key], (d["title"], key)
        assert d["license"] == CC_BY and d["accessLevel"] == "public"
        for dist in d["distribution"]:
            assert dist.get("downloadURL") or dist.get("accessURL")


async def test_data_package_validates_against_the_real_export(client, tmp_path) -> None:
    ids = await publish(client, 3)
    # A withdrawn result (stopped as the daily automatic stop does) is in no export.
    assert await withdraw_results([ids[0]], "expired", SYSTEM, "公示期满", dt.datetime.now(dt.UTC)) == [ids[0]]
    package = (await client.get("/datapackage.json")).json()
    assert package["licenses"][0]["path"] == CC_BY
    [res] = [x for x in package["resources"] if x["name"] == "results"]
    csv = await client.get("/api/v1/exports/results.csv")
    assert csv.headers["link"] == f'<{CC_BY}>; rel="license"'
    local = tmp_path / "results.csv"
    local.write_bytes(csv.content)
    res["path"] = "results.csv"  # beside the descriptor (frictionless refuses absolute paths as unsafe)
    (tmp_path / "datapackage.json").write_text(json.dumps({**package, "resources": [res]}), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    table = frictionless.Package(str(tmp_path / "datapackage.json")).get_resource("results")
    rows = table.read_rows()  # type: ignore[attr-defined]
    assert sorted(row["id"] for row in rows) == sorted(ids[1:])
    assert {row["negative"] for row in rows} == {True} and all(row["check_field"] for row in rows)


def test_licence_setting() -> None:
    assert license_of("").url == CC_BY
    assert license_of("CC0-1.0").id == "CC0-1.0"
    own = license_of("山东省公共数据开放许可|https://data.sd.gov.cn/licence")
    assert (own.id, own.title, own.url) == ("other", "山东省公共数据开放许可", "https://data.sd.gov.cn/licence")
    with pytest.raises(ValueError, match=r"DATA_LICENSE must be one of CC-BY-4\.0"):
        license_of("GPL")
    with pytest.raises(ValueError, match="DATA_LICENSE"):
        Settings.from_env({"DATA_LICENSE": "whatever"})


async def test_every_page_names_the_licence(client) -> None:
    for path in ("/", "/open-data", "/search?q=食品"):
        html = (await client.get(path)).text
        assert f'<a href="{CC_BY}" rel="license">Creative Commons Attribution 4.0 (CC BY 4.0)</a>' in html, path
