"""The search use case, shared by `GET /api/v1/search` and the portal's search page.

    page = await search(index, SearchQuery(q="药品", type="document", page_size=20))

`search(index, query, base_url="")` → `SearchPage`:
* validates the parameters (every problem is a `ValidationFailed` naming its field: `type`,
  `region`, `year`, `category`, `page_size`, `cursor`); an empty or all-punctuation `q` with no
  filter is not an error, it just finds nothing;
* a `q` that is a valid USCC (统一社会信用代码, any case or width) is an exact lookup: that
  entity's records, newest first (`SearchPage.uscc` is set); otherwise a full-text search;
* drops every hit whose record is not public in the database right now, so a withdrawn record is
  never returned even if the index is stale, and queues its removal (`search.heal`);
* shapes facets as `{facet: [FacetValue(value, count, label)]}` for type, year, region,
  department and category (labels in Chinese where known);
* raises `Unavailable` (503, `retry_after` seconds) when the search backend is down, unless
  `SEARCH_FALLBACK=embedded` lets the embedded copy answer (`SearchPage.backend` then says
  `embedded-fallback`; see `search.fallback.answer`). Its detail is `UNAVAILABLE_DETAIL` and
  nothing more: the backend's own error (host, port, client exception) names infrastructure, so
  it goes to the server log (`gongshi.search`, warning), never into a public answer.

Items carry `snippet`: HTML-escaped text with `<mark>` around matches — safe to insert as HTML.
At most `MAX_REACHABLE_HITS` hits can be paged through; bulk data comes from the list endpoints.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from db.tables import Department, Region
from domain import categories
from domain import uscc as uscc_rules
from domain.errors import Collector, Unavailable, ValidationFailed
from domain.pagination import encode_cursor
from domain.pagination import page_size as check_page_size
from domain.regions import full_name, region_prefix, validate_region
from ops import metrics
from search.documents import TYPE_LABELS
from search.fallback import answer
from search.heal import requeue_stale
from search.index import (
    FACETS,
    MAX_REACHABLE_HITS,
    TYPES,
    IndexHit,
    IndexPage,
    IndexQuery,
    SearchIndex,
    SearchUnavailable,
)
from search.source import negative_results, public_ids
from search.text import query_phrases, snippet

log = logging.getLogger("gongshi.search")

RETRY_AFTER_SECONDS = 30
# What the public is told while the search backend is down: no host, port or client error.
UNAVAILABLE_DETAIL = "搜索服务暂时不可用，请稍后重试 (search is temporarily unavailable; please try again shortly)"
MAX_FACET_VALUES = 30
_REFILLS = 5  # extra index pages fetched when withdrawn hits were dropped from a page


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    type: str | None = None
    region: str | None = None
    department: str | None = None
    year: int | None = None
    category: str | None = None
    page_size: int | None = None
    cursor: str | None = None


@dataclass
class SearchItem:
    type: str
    id: str
    title: str
    snippet: str  # escaped HTML with <mark>
    url: str
    published_on: dt.date | None
    negative: bool | None = None  # results only: a negative finding (发现问题), for a visible mark


@dataclass
class FacetValue:
    value: str
    count: int
    label: str = ""


@dataclass
class SearchPage:
    items: list[SearchItem]
    next_cursor: str | None
    total: int | None
    total_exact: bool = True
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    facets_exact: bool = True
    uscc: str | None = None  # set when the query was a USCC and was looked up exactly
    # Which index answered: `embedded`, `meilisearch`, or `embedded-fallback` when Meilisearch was
    # unreachable and SEARCH_FALLBACK=embedded let the embedded copy answer (it may differ in rank).
    backend: str = ""

    @property
    def fallback(self) -> bool:
        return self.backend.endswith("-fallback")


@dataclass
class _Fetched:
    page: IndexPage
    items: list[IndexHit]
    more: bool
    exact_uscc: str | None
    dropped: list[str]  # keys of hits whose records are not public: the index is stale there


def _cursor_error() -> ValidationFailed:
    c = Collector()
    c.add("cursor", "无效的翻页游标 (malformed cursor: pass next_cursor from the previous page unchanged)")
    return ValidationFailed("The cursor is not one this API issued.", c.errors)


def _decode_cursor(raw: str) -> tuple[dict[str, Any], int, bool]:
    """(after, served, issued by the fallback)."""
    try:
        key = json.loads(base64.urlsafe_b64decode((raw + "=" * (-len(raw) % 4)).encode()).decode())
        after, served, fell_back = key["a"], key["n"], key.get("b", 0)
        ok = (
            isinstance(after, dict)
            and isinstance(served, int)
            and 0 <= served < MAX_REACHABLE_HITS
            and fell_back in (0, 1)
            and all(isinstance(k, str) and len(k) <= 2 and type(v) in (int, float) for k, v in after.items())
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise _cursor_error()
    return after, served, bool(fell_back)


def _validate(query: SearchQuery) -> tuple[IndexQuery, int, bool]:
    c = Collector()
    if query.type is not None and query.type not in TYPES:
        c.add("type", f"未知的类型 '{query.type}' (type must be one of {', '.join(TYPES)})")
    region = None
    if query.region:
        try:
            region = region_prefix(validate_region(query.region))
        except ValidationFailed as e:
            c.errors.extend(e.errors)
    if query.year is not None and not (2000 <= query.year <= 2100):
        c.add("year", f"年份超出范围 (year must be 2000-2100, got {query.year})")
    category = None
    if query.category:
        try:
            category = categories.lookup(query.category).code
        except KeyError as e:
            c.add("category", e.args[0])
    size = 20
    try:
        size = check_page_size(query.page_size)
    except ValidationFailed as e:
        c.errors.extend(e.errors)
    after, served, fell_back = None, 0, False
    if query.cursor:
        try:
            after, served, fell_back = _decode_cursor(query.cursor)
        except ValidationFailed as e:
            c.errors.extend(e.errors)
    c.raise_if_any("请求参数无效 (invalid query parameters)")
    size = max(1, min(size, MAX_REACHABLE_HITS - served))
    iq = IndexQuery(
        text=query.q or "",
        types=(query.type,) if query.type else (),
        region=region,
        department=(query.department or "").strip() or None,
        year=query.year,
        category=category,
        limit=size,
        after=after,
    )
    return iq, served, fell_back


async def _public(hits: list[IndexHit]) -> set[str]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for h in hits:
        by_type[h.type].append(h.id)
    keep: set[str] = set()
    for t, ids in by_type.items():
        keep |= {f"{t}-{i}" for i in await public_ids(t, ids)}
    return keep


_NAMES: dict[str, tuple[float, dict[str, str]]] = {}
NAMES_TTL_SECONDS = 300.0


async def _names(table: type[Department] | type[Region]) -> dict[str, str]:
    """Department and region names change rarely: read each table at most every few minutes
    instead of on every search (a per-process cache; a stale label is harmless)."""
    key = table._meta.tablename
    hit = _NAMES.get(key)
    if hit is not None and time.monotonic() - hit[0] < NAMES_TTL_SECONDS:
        return hit[1]
    rows = await table.select(table.code, table.name)
    names = {r["code"]: r["name"] for r in rows}
    _NAMES[key] = (time.monotonic(), names)
    return names


async def _labels(facets: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {k: {} for k in FACETS}
    labels["type"] = dict(TYPE_LABELS)
    labels["category"] = {c.code: c.label for c in categories.CATALOGUE}
    if facets.get("department"):
        labels["department"] = await _names(Department)
    if facets.get("region"):
        names = await _names(Region)
        labels["region"] = {code: full_name(code, names) for code in facets["region"]}
    return labels


async def _fetch(index: SearchIndex, iq: IndexQuery, exact_uscc: str | None) -> _Fetched:
    page = await index.search(iq)
    if exact_uscc and page.total == 0 and iq.after is None:
        # Nothing filed under that code: search it as text instead (it may be quoted somewhere).
        exact_uscc = None
        iq = IndexQuery(**{**iq.__dict__, "uscc": None})
        page = await index.search(iq)
    hits = page.hits
    keep = await _public(hits)
    items = [h for h in hits if h.key in keep]
    dropped = [h.key for h in hits if h.key not in keep]
    more = page.more
    refills = 0
    # Withdrawn records dropped from the page: read on so the page is still full.
    while len(items) < iq.limit and more and hits and refills < _REFILLS:
        refills += 1
        nxt = await index.search(IndexQuery(**{**iq.__dict__, "after": hits[-1].cursor, "facets": False}))
        hits, more = nxt.hits, nxt.more
        keep = await _public(hits)
        items += [h for h in hits if h.key in keep]
        dropped += [h.key for h in hits if h.key not in keep]
    return _Fetched(page, items, more, exact_uscc, dropped)


async def search(index: SearchIndex, query: SearchQuery, base_url: str = "") -> SearchPage:
    iq, served, fallback_cursor = _validate(query)
    exact_uscc: str | None = None
    text = (query.q or "").strip()
    if text and uscc_rules.is_valid(text):
        exact_uscc = uscc_rules.validate(text)
        iq = IndexQuery(**{**iq.__dict__, "uscc": exact_uscc})
    try:
        got, backend = await answer(
            index, lambda ix: _fetch(ix, iq, exact_uscc), from_fallback=fallback_cursor, continuing=iq.after is not None
        )
    except SearchUnavailable as e:
        log.warning("search unavailable, answering 503: %s", e)  # operators need the detail; the public does not
        metrics.SEARCH_ERRORS.inc()
        raise Unavailable(UNAVAILABLE_DETAIL, retry_after=RETRY_AFTER_SECONDS) from e
    fell_back = backend != index.backend
    page, items, more, exact_uscc = got.page, got.items, got.more, got.exact_uscc
    if got.dropped:  # the index is stale: queue the removals (never fails or delays this search)
        requeue_stale(got.dropped)
    if len(items) > iq.limit:
        more = True
        items = items[: iq.limit]
    served += len(items)
    next_cursor = None
    if more and items and served < MAX_REACHABLE_HITS:
        next_cursor = encode_cursor({"a": items[-1].cursor, "n": served, **({"b": 1} if fell_back else {})})

    phrases = query_phrases(text) if not exact_uscc else []
    labels = await _labels(page.facets)
    facets = {
        k: [FacetValue(v, n, labels[k].get(v, "")) for v, n in list(page.facets.get(k, {}).items())[:MAX_FACET_VALUES]]
        for k in FACETS
    }
    negative = await negative_results([h.id for h in items if h.type == "result"])
    return SearchPage(
        items=[
            SearchItem(
                type=h.type,
                id=h.id,
                title=h.title,
                snippet=snippet(h.title, h.body, phrases),
                url=f"{base_url}{h.url_path}",
                published_on=h.published_on,
                negative=(h.id in negative) if h.type == "result" else None,
            )
            for h in items
        ],
        next_cursor=next_cursor,
        total=page.total,
        total_exact=page.total_exact,
        facets=facets,
        facets_exact=page.facets_exact,
        uscc=exact_uscc,
        backend=backend,
    )
