"""GET /api/v1/search: full-text search over results, plans, guides, honours and documents."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.params import FromQuery, Parameter

from api.deps import settings_of
from search.service import SearchQuery, search


class SearchItemOut(msgspec.Struct):
    type: str
    id: int | str
    title: str
    snippet: str  # HTML-escaped, <mark> around matches
    url: str
    published_on: dt.date | None
    negative: bool | None = None  # results: true when a category is negative (发现问题); other types: null


class FacetOut(msgspec.Struct):
    value: str
    count: int
    label: str = ""


class SearchPageOut(msgspec.Struct):
    items: list[SearchItemOut]
    next_cursor: str | None
    facets: dict[str, list[FacetOut]]
    # Exact when `total_exact`; for very broad queries an estimate from a sample of the matches
    # (then `facets_exact` is false too: facet counts are estimates on the same sample).
    total: int | None = None
    total_exact: bool = True
    facets_exact: bool = True
    # Set when q was a valid USCC and the entity's records were looked up exactly.
    uscc: str | None = None
    # True when Meilisearch was unreachable and the embedded copy answered (SEARCH_FALLBACK=embedded):
    # the same records, though ranking may differ and the copy may lag by seconds. Header
    # `X-Search-Backend` names the index that answered on every response.
    fallback: bool = False


class SearchController(Controller):
    path = "/api/v1/search"
    tags = ["search"]
    opt = {"exclude_from_auth": True, "problems": (503,)}  # 503: the search backend is unreachable

    @get(
        "/",
        summary="Full-text search (Chinese-aware)",
        response_headers=[
            ResponseHeader(
                name="X-Search-Backend",
                documentation_only=True,
                description="the index that answered: embedded, meilisearch, or embedded-fallback (Meilisearch unreachable)",
            )
        ],
    )
    async def search(
        self,
        request: Request,
        q: str = Parameter(default="", description="text; a USCC is looked up exactly", max_length=2000),
        type: str | None = Parameter(default=None, description="result, plan, guide, honour or document"),
        region: str | None = Parameter(default=None, description="GB/T 2260 code; covers regions under it"),
        department: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        category: str | None = Parameter(default=None, description="result category code or label"),
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> Response[SearchPageOut]:
        page = await search(
            request.app.state.search_index,
            SearchQuery(
                q=q,
                type=type,
                region=region,
                department=department,
                year=year,
                category=category,
                page_size=page_size,
                cursor=cursor,
            ),
            base_url=settings_of(request).base_url,
        )
        return Response(
            SearchPageOut(
                items=[
                    SearchItemOut(
                        type=i.type,
                        id=int(i.id) if i.id.isdigit() else i.id,
                        title=i.title,
                        snippet=i.snippet,
                        url=i.url,
                        published_on=i.published_on,
                        negative=i.negative,
                    )
                    for i in page.items
                ],
                next_cursor=page.next_cursor,
                facets={k: [FacetOut(v.value, v.count, v.label) for v in vs] for k, vs in page.facets.items()},
                total=page.total,
                total_exact=page.total_exact,
                facets_exact=page.facets_exact,
                uscc=page.uscc,
                fallback=page.fallback,
            ),
            headers={"X-Search-Backend": page.backend},
        )
