"""The open-data catalogue in the formats harvesters read, all from domain.datasets:
/catalog.jsonld (DCAT-AP 3, JSON-LD), /data.json (DCAT-US 1.1) and /datapackage.json (Frictionless
Data Package: the tabular exports with their table schemas). Public, no account; CORS open
(api/http_conventions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, get

from api.deps import settings_of
from db.changefeed import latest_change_at
from domain.datasets import DATASETS, Dataset, License, Resource, license_of

JSONLD_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
IANA = "https://www.iana.org/assignments/media-types/"
CATALOG_TITLE = ("“双随机、一公开”公示门户开放数据", "Open data of the spot-check publicity portal")
CATALOG_DESCRIPTION = (
    "抽查计划、检查结果、一业一册合规指引、荣誉信息、政策文件及信用修复和投诉统计的开放数据。",
    "Spot-check plans, inspection results, compliance guides, honours, policy documents and the "
    "credit-repair and complaint figures, as open data.",
)
FRICTIONLESS_TYPES = {"integer": "integer", "boolean": "boolean", "date": "date", "number": "number"}


def landing_page(base: str, d: Dataset) -> str:
    return f"{base}/open-data#dataset-{d.name}"


def resource_url(base: str, r: Resource) -> str:
    return f"{base}{r.path}"


def modified(d: Dataset, latest: dict[str, dt.datetime], now: dt.datetime) -> dt.datetime:
    """The newest change of the dataset's records; figures are computed on request (now)."""
    return latest.get(d.object_type, now) if d.object_type else now


def _lang(zh: str, en: str) -> list[dict[str, str]]:
    return [{"@value": zh, "@language": "zh"}, {"@value": en, "@language": "en"}]


def dcat_ap(base: str, publisher: str, lic: License, latest: dict[str, dt.datetime], now: dt.datetime) -> dict:
    agent = {"@id": f"{base}/#publisher", "@type": "foaf:Agent", "foaf:name": publisher}
    licence = {"@id": lic.url, "@type": "dct:LicenseDocument", "dct:title": lic.title}
    datasets = []
    for d in DATASETS:
        datasets.append(
            {
                "@id": f"{base}/catalog.jsonld#{d.name}",
                "@type": "dcat:Dataset",
                "dct:identifier": d.name,
                "dct:title": _lang(d.title, d.title_en),
                "dct:description": [{"@value": d.description, "@language": "zh"}],
                "dcat:keyword": [{"@value": k, "@language": "zh"} for k in d.keywords],
                "dct:publisher": {"@id": agent["@id"]},
                "dct:modified": {"@value": modified(d, latest, now).isoformat(), "@type": "xsd:dateTime"},
                "dcat:landingPage": {"@id": landing_page(base, d)},
                "dcat:distribution": [
                    {
                        "@id": f"{base}/catalog.jsonld#{r.id}",
                        "@type": "dcat:Distribution",
                        "dct:identifier": r.id,
                        "dct:title": [{"@value": r.name, "@language": "zh"}],
                        "dct:description": [{"@value": r.description, "@language": "en"}],
                        "dcat:accessURL": {"@id": resource_url(base, r)},
                        **({"dcat:downloadURL": {"@id": resource_url(base, r)}} if r.format != "JSON" else {}),
                        "dct:format": r.format,
                        "dcat:mediaType": {"@id": IANA + r.media_type},
                        "dct:license": {"@id": lic.url},
                    }
                    for r in d.resources
                ],
            }
        )
    return {
        "@context": JSONLD_CONTEXT,
        "@id": f"{base}/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _lang(*CATALOG_TITLE),
        "dct:description": _lang(*CATALOG_DESCRIPTION),
        "dct:publisher": agent,
        "dct:license": licence,
        "foaf:homepage": {"@id": f"{base}/"},
        "dct:modified": {"@value": max([*latest.values(), now]).isoformat(), "@type": "xsd:dateTime"},
        "dcat:dataset": datasets,
    }


def dcat_us(base: str, publisher: str, lic: License, latest: dict[str, dt.datetime], now: dt.datetime) -> dict:
    return {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": f"{base}/data.json",
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [
            {
                "@type": "dcat:Dataset",
                "identifier": f"{base}/catalog.jsonld#{d.name}",
                "title": d.title,
                "description": d.description,
                "keyword": list(d.keywords),
                "modified": modified(d, latest, now).isoformat(),
                "publisher": {"@type": "org:Organization", "name": publisher},
                "contactPoint": {"@type": "vcard:Contact", "fn": publisher},
                "accessLevel": "public",
                "license": lic.url,
                "landingPage": landing_page(base, d),
                "language": ["zh"],
                "distribution": [
                    {
                        "@type": "dcat:Distribution",
                        "title": r.name,
                        "description": r.description,
                        "format": r.format,
                        "mediaType": r.media_type,
                        ("accessURL" if r.format == "JSON" else "downloadURL"): resource_url(base, r),
                    }
                    for r in d.resources
                ],
            }
            for d in DATASETS
        ],
    }


def data_package(base: str, publisher: str, lic: License) -> dict:
    """The tabular exports (CSV) as Frictionless resources with their table schemas."""
    resources: list[dict[str, Any]] = []
    for d in DATASETS:
        for r in d.resources:
            if r.format != "CSV" or not d.fields:
                continue
            resources.append(
                {
                    "name": r.id,
                    "title": r.name,
                    "description": d.description,
                    "path": resource_url(base, r),
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8-sig",  # the BOM Excel needs
                    "licenses": [{"name": lic.id, "path": lic.url, "title": lic.title}],
                    "schema": {
                        "fields": [
                            {"name": f.name, "type": FRICTIONLESS_TYPES.get(f.type, "string"), "title": f.title}
                            for f in d.fields
                        ],
                        "primaryKey": ["id"],
                    },
                }
            )
    return {
        "profile": "data-package",
        "name": "gongshi-open-data",
        "title": CATALOG_TITLE[0],
        "description": CATALOG_DESCRIPTION[1],
        "homepage": f"{base}/open-data",
        "licenses": [{"name": lic.id, "path": lic.url, "title": lic.title}],
        "contributors": [{"title": publisher, "role": "publisher"}],
        "resources": resources,
    }


class CatalogController(Controller):
    path = "/"
    tags = ["open data"]
    opt = {"exclude_from_auth": True}

    @get("/catalog.jsonld", summary="The open-data catalogue as DCAT-AP 3 (JSON-LD)", media_type="application/ld+json")
    async def catalog(self, request: Request) -> dict:
        s = settings_of(request)
        now = dt.datetime.now(dt.UTC)
        return dcat_ap(s.base_url, s.publisher, license_of(s.data_license), await latest_change_at(), now)

    @get("/data.json", summary="The open-data catalogue as DCAT-US 1.1 (Project Open Data)")
    async def data_json(self, request: Request) -> dict:
        s = settings_of(request)
        now = dt.datetime.now(dt.UTC)
        return dcat_us(s.base_url, s.publisher, license_of(s.data_license), await latest_change_at(), now)

    @get("/datapackage.json", summary="The tabular exports as a Frictionless Data Package with table schemas")
    async def datapackage(self, request: Request) -> dict:
        s = settings_of(request)
        return data_package(s.base_url, s.publisher, license_of(s.data_license))
