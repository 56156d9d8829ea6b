"""Search page: /search, built on search.service.search (the same use case as /api/v1/search).

Facet links add a filter, chips remove one, pagination follows the service's opaque cursor.
Snippets come from the service already HTML-escaped with <mark> around matches; search.html
prints exactly that field with |safe (the one documented exception, see templates/README.md).
When Meilisearch is unreachable and SEARCH_FALLBACK=embedded lets the embedded copy answer, the
page says so above the results and, like the API, names the index in `X-Search-Backend`;
without the fallback the page is a 503 error page with `Retry-After` that says only that search
is temporarily unavailable, in the page's language (the backend's error is in the server log).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery, Parameter
from litestar.response import Response, Template

from db.snapshot import read_snapshot
from domain.categories import BY_CODE
from domain.errors import Unavailable
from portal.errors import unavailable_page
from portal.i18n import lang_of, tr
from portal.render import page, url_with
from search.outbox import oldest_pending_age
from search.service import SearchQuery, search

FILTERS = ("type", "year", "region", "department", "category")


class SearchPagesController(Controller):
    path = "/search"

    @get("/", name="portal:search")
    async def search_page(
        self,
        request: Request,
        q: str = Parameter(default="", max_length=200),
        type: FromQuery[str | None] = None,
        region: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        category: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template | Response[Any]:
        params: dict[str, Any] = {
            "q": q.strip(),
            "type": type,
            "region": region,
            "department": department,
            "year": year,
            "category": category,
        }
        active = {k: v for k, v in params.items() if k in FILTERS and v not in (None, "")}
        result = None
        if params["q"] or active:
            try:
                async with read_snapshot():  # the disclosure re-check and facet labels: one connection
                    result = await search(
                        request.app.state.search_index,
                        SearchQuery(
                            q=params["q"],
                            type=type,
                            region=region,
                            department=department,
                            year=year,
                            category=category,
                            page_size=20,
                            cursor=cursor,
                        ),
                    )
            except Unavailable as e:
                return unavailable_page(request, e, tr(request, "搜索服务暂时不可用，请稍后重试。"))
        english = lang_of(request).code == "en"
        facets: list[dict[str, Any]] = []
        if result is not None:
            for name in FILTERS:
                values = [
                    {
                        "value": v.value,
                        "count": v.count,
                        "label": _facet_label(name, v.value, v.label, english),
                        "url": url_with("/search", params, **{name: v.value}),
                        "current": str(active.get(name)) == v.value,
                    }
                    for v in result.facets.get(name, [])
                ]
                if name == "year":  # years read in year order, newest first, not by count
                    values.sort(key=lambda v: str(v["value"]), reverse=True)
                if values:
                    facets.append({"name": name, "values": values})
        labels = {str(f["name"]): {v["value"]: v["label"] for v in f["values"]} for f in facets}
        chips = [
            {
                "name": k,
                "value": v,
                "label": labels.get(k, {}).get(str(v)) or _facet_label(k, str(v), "", english),
                "url": url_with("/search", params, **{k: None}),
            }
            for k, v in active.items()
        ]
        s = request.app.state.settings
        # While the index is behind the database (a large import being applied, a server just
        # started on fresh data), say so instead of letting missing hits look like absence.
        lagging = bool(result is not None and s.search_lag_notice_seconds) and (
            await oldest_pending_age() > s.search_lag_notice_seconds
        )
        t = page(
            request,
            "search.html",
            index_lagging=lagging,
            api_url=url_with("/api/v1/search", {**params, "cursor": cursor}),
            nav="search",
            q=params["q"],
            result=result,
            facets=facets,
            chips=chips,
            next_url=url_with("/search", params, cursor=result.next_cursor) if result and result.next_cursor else None,
            first_url=url_with("/search", params) if cursor else None,
        )
        if result is not None:  # as /api/v1/search does: embedded, meilisearch or embedded-fallback
            t.headers["X-Search-Backend"] = result.backend
        return t


def _facet_label(name: str, value: str, label: str, english: bool) -> str:
    if name == "category" and value in BY_CODE:
        return BY_CODE[value].label_en if english else BY_CODE[value].label
    return label or value
