"""A CKAN-compatible Action API (the part harvesters and `ckanapi` use) at /api/3/action/ and
/api/action/: package_list, package_show, package_search, organization_list, organization_show,
resource_show, datastore_search, status_show — CKAN's envelope `{help, success, result}` and its
error shape (`{success: false, error: {__type, message | field: [messages]}}`, 404 Not Found Error,
409 Validation Error, 400 for an unknown action), GET with query parameters or POST with a JSON
body as ckanapi sends. Datasets and resources come from domain.datasets; datastore_search reads
the public results only (never a withdrawn record), by filters or by the search index for `q`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Request, Response, Router, route
from litestar.params import FromPath

from api.deps import settings_of
from api.exports import csv_row
from api.params import Params
from api.serialize import result_out
from db import results as q
from db.changefeed import latest_change_at
from domain.datasets import BY_NAME, DATASETS, RESOURCES, RESULT_FIELDS, Dataset, License, license_of, matches
from domain.errors import DomainError
from search.service import SearchQuery, search

ORG = "gongshi"  # the one organisation: the portal's publisher (DATA_PUBLISHER)
MAX_ROWS = 1000  # package_search rows
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000  # datastore_search
MAX_Q_DEPTH = 1000  # datastore_search with q: offset + limit through the search index
CKAN_TYPES = {"integer": "int", "boolean": "bool", "date": "date", "number": "numeric"}
# datastore_search filters on results → the list's own filters (db.results.ResultFilter)
RESULT_FILTERS = ("uscc", "department_codes", "region_code", "year", "categories", "negative")


class CkanError(Exception):
    def __init__(self, status: int, kind: str, message: str = "", fields: dict[str, list[str]] | None = None):
        self.status, self.kind, self.message, self.fields = status, kind, message, fields or {}


def not_found(message: str) -> CkanError:
    return CkanError(404, "Not Found Error", message)


def invalid(field: str, message: str) -> CkanError:
    return CkanError(409, "Validation Error", fields={field: [message]})


# -- shapes ------------------------------------------------------------------------------------


def organization(publisher: str, package_count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ORG,
        "name": ORG,
        "title": publisher,
        "display_name": publisher,
        "description": "“双随机、一公开”公示门户的开放数据发布者",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource(base: str, d: Dataset, position: int) -> dict[str, Any]:
    r = d.resources[position]
    return {
        "id": r.id,
        "package_id": d.name,
        "name": r.name,
        "description": r.description,
        "format": r.format,
        "mimetype": r.media_type,
        "url": f"{base}{r.path}",
        "datastore_active": r.datastore,
        "state": "active",
        "position": position,
    }


def package(base: str, d: Dataset, publisher: str, lic: License, modified: dt.datetime) -> dict[str, Any]:
    stamp = modified.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return {
        "id": d.name,
        "name": d.name,
        "title": d.title,
        "notes": d.description,
        "type": "dataset",
        "state": "active",
        "private": False,
        "license_id": lic.id,
        "license_title": lic.title,
        "license_url": lic.url,
        "owner_org": ORG,
        "organization": organization(publisher),
        "url": f"{base}/open-data#dataset-{d.name}",
        "metadata_modified": stamp,
        "tags": [{"name": k, "display_name": k, "state": "active"} for k in d.keywords],
        "num_tags": len(d.keywords),
        "resources": [resource(base, d, i) for i in range(len(d.resources))],
        "num_resources": len(d.resources),
        "extras": [{"key": "title_en", "value": d.title_en}],
    }


# -- parameters --------------------------------------------------------------------------------


def _int(params: dict[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise invalid(name, f"Invalid integer: {raw!r}") from None
    if not low <= value <= high:
        raise invalid(name, f"Must be between {low} and {high}")
    return value


def _dataset(params: dict[str, Any]) -> Dataset:
    name = str(params.get("id") or params.get("name") or "")
    if not name:
        raise invalid("id", "Missing value")
    if name not in BY_NAME:
        raise not_found(f"Dataset not found: {name}")
    return BY_NAME[name]


def _fq(fq: str) -> list[tuple[str, str]]:
    """`organization:gongshi tags:信用 res_format:CSV name:results` (terms ANDed, values optionally
    quoted); other fields are a validation error naming them."""
    terms: list[tuple[str, str]] = []
    for term in fq.replace("+", " ").split():
        if term.upper() == "AND":
            continue
        key, sep, value = term.partition(":")
        if not sep or key not in ("organization", "owner_org", "tags", "res_format", "name"):
            raise invalid("fq", f"Unsupported filter {term!r}: use organization, tags, res_format or name")
        terms.append((key, value.strip('"')))
    return terms


def _fq_match(d: Dataset, terms: list[tuple[str, str]]) -> bool:
    for key, value in terms:
        if key in ("organization", "owner_org") and value != ORG:
            return False
        if key == "tags" and value not in d.keywords:
            return False
        if key == "res_format" and value.upper() not in {r.format for r in d.resources}:
            return False
        if key == "name" and value != d.name:
            return False
    return True


# -- actions -----------------------------------------------------------------------------------


async def _modified() -> dict[str, dt.datetime]:
    latest = await latest_change_at()
    now = dt.datetime.now(dt.UTC)
    return {d.name: (latest.get(d.object_type, now) if d.object_type else now) for d in DATASETS}


async def package_list(request: Request, params: dict[str, Any]) -> Any:
    names = [d.name for d in DATASETS]
    offset = _int(params, "offset", 0, 0, 10**6)
    limit = _int(params, "limit", len(names), 0, 10**6)
    return names[offset : offset + limit]


async def package_show(request: Request, params: dict[str, Any]) -> Any:
    s = settings_of(request)
    d = _dataset(params)
    return package(s.base_url, d, s.publisher, license_of(s.data_license), (await _modified())[d.name])


async def package_search(request: Request, params: dict[str, Any]) -> Any:
    s = settings_of(request)
    text = str(params.get("q") or "").strip()
    if text in ("*:*", "*"):
        text = ""
    terms = _fq(str(params.get("fq") or ""))
    rows = _int(params, "rows", 10, 0, MAX_ROWS)
    start = _int(params, "start", 0, 0, 10**6)
    found = [d for d in DATASETS if matches(d, text) and _fq_match(d, terms)]
    modified = await _modified()
    lic = license_of(s.data_license)
    return {
        "count": len(found),
        "sort": "score desc, metadata_modified desc",
        "results": [package(s.base_url, d, s.publisher, lic, modified[d.name]) for d in found[start : start + rows]],
        "facets": {},
        "search_facets": {},
    }


async def organization_list(request: Request, params: dict[str, Any]) -> Any:
    all_fields = str(params.get("all_fields", "false")).lower() in ("true", "1")
    return [organization(settings_of(request).publisher, len(DATASETS))] if all_fields else [ORG]


async def organization_show(request: Request, params: dict[str, Any]) -> Any:
    name = str(params.get("id") or "")
    if name != ORG:
        raise not_found(f"Organization not found: {name}")
    s = settings_of(request)
    out = organization(s.publisher, len(DATASETS))
    if str(params.get("include_datasets", "false")).lower() in ("true", "1"):
        modified = await _modified()
        lic = license_of(s.data_license)
        out["packages"] = [package(s.base_url, d, s.publisher, lic, modified[d.name]) for d in DATASETS]
    return out


async def resource_show(request: Request, params: dict[str, Any]) -> Any:
    rid = str(params.get("id") or "")
    if not rid:
        raise invalid("id", "Missing value")
    if rid not in RESOURCES:
        raise not_found(f"Resource not found: {rid}")
    d, r = RESOURCES[rid]
    return resource(settings_of(request).base_url, d, d.resources.index(r))


def _filters(raw: Any) -> dict[str, Any]:
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise invalid("filters", "Not a JSON object") from None
    if not isinstance(raw, dict):
        raise invalid("filters", "Not a JSON object")
    unknown = sorted(set(raw) - set(RESULT_FILTERS))
    if unknown:
        raise invalid("filters", f"Unknown fields {', '.join(unknown)}; filterable: {', '.join(RESULT_FILTERS)}")
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in raw.items()}


def _result_filter(f: dict[str, Any]) -> q.ResultFilter:
    p = Params()
    negative = f.get("negative")
    if isinstance(negative, str):
        negative = {"true": True, "false": False}.get(negative.lower(), negative)
    if negative is not None and not isinstance(negative, bool):
        raise invalid("filters", "negative must be true or false")
    try:
        year = int(f["year"]) if f.get("year") not in (None, "") else None
    except (TypeError, ValueError):
        raise invalid("filters", f"year must be an integer, got {f.get('year')!r}") from None
    out = q.ResultFilter(
        uscc=p.uscc(str(f["uscc"])) if f.get("uscc") else None,
        department=str(f["department_codes"]) if f.get("department_codes") else None,
        region_range=p.region(str(f["region_code"])) if f.get("region_code") else None,
        year=p.year(year),
        category=p.category(str(f["categories"])) if f.get("categories") else None,
        negative=negative,
    )
    p.done()
    return out


def _fields(raw: Any) -> list[str]:
    names = [f.name for f in RESULT_FIELDS]
    if raw in (None, "", []):
        return names
    wanted = [x.strip() for x in (raw.split(",") if isinstance(raw, str) else raw) if str(x).strip()]
    unknown = [w for w in wanted if w not in names and w != "_id"]
    if unknown:
        raise invalid("fields", f"Unknown fields: {', '.join(unknown)}")
    return [w for w in wanted if w != "_id"]


def _sort(raw: Any) -> bool:
    """Ascending? Results sort by id (`_id` or `id`, asc or desc; newest first by default)."""
    text = str(raw or "").strip().lower()
    if not text:
        return False
    field, _, direction = text.partition(" ")
    if field not in ("id", "_id") or direction.strip() not in ("", "asc", "desc"):
        raise invalid("sort", "Results sort by id: 'id asc' or 'id desc'")
    return direction.strip() != "desc" if direction.strip() else True


def _record(row: dict[str, Any], names: dict[str, str], base: str, fields: list[str]) -> dict[str, Any]:
    out = result_out(row, names, base)
    cells = dict(zip([f.name for f in RESULT_FIELDS], csv_row(out), strict=True))
    typed: dict[str, Any] = {"_id": out.id}
    for f in RESULT_FIELDS:
        if f.name not in fields:
            continue
        if f.type == "integer":
            typed[f.name] = int(cells[f.name])
        elif f.type == "boolean":
            typed[f.name] = cells[f.name] == "true"
        else:
            typed[f.name] = cells[f.name]
    return typed


async def datastore_search(request: Request, params: dict[str, Any]) -> Any:
    rid = str(params.get("resource_id") or params.get("id") or "")
    if not rid:
        raise invalid("resource_id", "Missing value")
    if rid not in RESOURCES:
        raise not_found(f'Resource "{rid}" was not found.')
    _d, res = RESOURCES[rid]
    if not res.datastore:
        raise not_found(f'Resource "{rid}" is not in the DataStore; download it from its url.')
    limit = _int(params, "limit", DEFAULT_LIMIT, 0, MAX_LIMIT)
    offset = _int(params, "offset", 0, 0, 10**7)
    fields = _fields(params.get("fields"))
    ascending = _sort(params.get("sort"))
    filters = _filters(params.get("filters"))
    include_total = str(params.get("include_total", "true")).lower() not in ("false", "0")
    text = str(params.get("q") or "").strip()
    s = settings_of(request)
    base = s.base_url
    estimated = False
    try:
        f = _result_filter(filters)
        if text:
            rows, total, estimated = await _by_text(request, text, f, filters, offset, limit)
        else:
            rows = await q.results_at_offset(f, offset, limit, ascending)
            total = await q.count_results(f) if include_total else None
    except DomainError as e:
        raise invalid("filters", str(e)) from None
    names = await q.department_names([c for r in rows for c in r["department_codes"].split(",")])
    link = f"/api/3/action/datastore_search?resource_id={rid}"
    out: dict[str, Any] = {
        "resource_id": rid,
        "fields": [{"id": "_id", "type": "int"}]
        + [
            {"id": x.name, "type": CKAN_TYPES.get(x.type, "text"), "info": {"label": x.title}}
            for x in RESULT_FIELDS
            if x.name in fields
        ],
        "records": [_record(r, names, base, fields) for r in rows],
        "limit": limit,
        "offset": offset,
        "_links": {"start": link, "next": f"{link}&offset={offset + limit}"},
    }
    if text:
        out["q"] = text
    if filters:
        out["filters"] = filters
    if include_total:
        out["total"] = total
        out["total_was_estimated"] = estimated
    return out


async def _by_text(
    request: Request, text: str, f: q.ResultFilter, filters: dict[str, Any], offset: int, limit: int
) -> tuple[list[dict], int | None, bool]:
    """`q` through the search index (Chinese words, as /api/v1/search), results only: walk its
    pages up to offset + limit (at most MAX_Q_DEPTH), then read the rows (public ones only)."""
    if f.uscc or f.negative is not None:
        raise invalid("q", "q combines with the filters region_code, department_codes, year and categories only")
    if offset + limit > MAX_Q_DEPTH:
        raise invalid("offset", f"With q, offset + limit may be at most {MAX_Q_DEPTH}; filter instead, or export")
    index = request.app.state.search_index
    query = SearchQuery(
        q=text,
        type="result",
        region=str(filters["region_code"]) if filters.get("region_code") else None,
        department=f.department,
        year=f.year,
        category=f.category,
        page_size=100,
    )
    ids: list[int] = []
    total: int | None = None
    exact = True
    while True:
        page = await search(index, query)
        if total is None:
            total, exact = page.total, page.total_exact
        ids += [int(item.id) for item in page.items]
        if len(ids) >= offset + limit or not page.next_cursor:
            break
        query = SearchQuery(**{**query.__dict__, "cursor": page.next_cursor})
    wanted = ids[offset : offset + limit]
    found = await q.public_results_by_ids(wanted)
    return [found[i] for i in wanted if i in found], total, not exact


async def status_show(request: Request, params: dict[str, Any]) -> Any:
    return {
        "site_title": "“双随机、一公开”公示门户",
        "site_url": settings_of(request).base_url,
        "ckan_version": "2.10.0",
        "extensions": ["datastore"],
        "locale_default": "zh_Hans_CN",
    }


ACTIONS = {
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
    "status_show": status_show,
}


def _envelope(request: Request, action: str, body: dict[str, Any], status: int) -> Response:
    help_url = f"{settings_of(request).base_url}/api/3/action/help_show?name={action}"
    return Response({"help": help_url, **body}, status_code=status, media_type="application/json")


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params.items())
    if request.method == "POST":
        raw = await request.body()
        if raw.strip():
            try:
                data = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise CkanError(400, "Bad request", "Request body is not valid JSON") from None
            if not isinstance(data, dict):
                raise CkanError(400, "Bad request", "Request body must be a JSON object")
            params.update(data)
    return params


@route(
    "/{action:str}",
    http_method=["GET", "POST"],
    summary="CKAN Action API (package_*, organization_*, resource_show, datastore_search, status_show)",
    opt={"exclude_from_auth": True, "conditional": False},
)
async def action(request: Request, action: FromPath[str]) -> Response:
    handler = ACTIONS.get(action)
    if handler is None:
        return _envelope(
            request,
            action,
            {"success": False, "error": {"__type": "Bad request", "message": f"Action name not known: {action}"}},
            400,
        )
    try:
        result = await handler(request, await _params(request))
    except CkanError as e:
        error: dict[str, Any] = {"__type": e.kind}
        if e.message:
            error["message"] = e.message
        error.update(e.fields)
        return _envelope(request, action, {"success": False, "error": error}, e.status)
    return _envelope(request, action, {"success": True, "result": result}, 200)


def ckan_routers() -> list[Router]:
    """The same actions at CKAN's versioned path and at the one ckanapi calls. Not in the OpenAPI
    document: CKAN's own API documentation describes them (docs/open-data.md says which)."""
    return [
        Router(path=prefix, route_handlers=[action], tags=["CKAN"], include_in_schema=False)
        for prefix in ("/api/3/action", "/api/action")
    ]
