"""The Meilisearch backend, through the official `meilisearch` client.

Meilisearch segments Chinese with jieba and matches whole words or prefixes, so a query for 处理
would miss 待处理. Each document therefore also carries `grams`: the same bigram token stream as
the embedded backend (`search.text`), and queries are sent as those tokens in phrases, so both
backends find the same records. Exact title/name/number matches rank first through a filter on
`exact_keys`; typo tolerance is off for USCCs, numbers and the token fields.

The client is synchronous: every call runs in a worker thread. Every failure (unreachable,
timeout, an API error, a failed task) becomes `SearchUnavailable` with Meilisearch's message —
for the log and the operators' commands; public answers never quote it (`search.service`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import AsyncIterable, Callable, Sequence
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchCommunicationError, MeilisearchError, MeilisearchTimeoutError

from search.index import (
    FACETS,
    MAX_REACHABLE_HITS,
    IndexHit,
    IndexPage,
    IndexQuery,
    SearchDoc,
    SearchUnavailable,
    split_key,
)
from search.text import analyse, exact_key, query_phrases

BODY_CHARS = 20000  # snippets only need the start of very long documents
TASK_TIMEOUT_MS = 120_000
_FACET_ATTR = {
    "type": "type",
    "year": "year",
    "region": "region",
    "department": "departments",
    "category": "categories",
}

INDEX_SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["grams"],
    "displayedAttributes": ["key", "type", "id", "title", "body", "url", "published_on"],
    "filterableAttributes": [
        "type",
        "year",
        "region",
        "regions",
        "departments",
        "categories",
        "uscc",
        "exact_keys",
        "key",
    ],
    "sortableAttributes": ["pub_ts", "rid"],
    # Relevance first, then recency (the `sort` rule with pub_ts:desc at query time).
    "rankingRules": ["words", "typo", "proximity", "attribute", "exactness", "sort"],
    "localizedAttributes": [{"attributePatterns": ["title", "body", "grams"], "locales": ["cmn"]}],
    "typoTolerance": {
        "enabled": True,
        "disableOnNumbers": True,
        "disableOnAttributes": ["grams", "uscc", "exact_keys"],
    },
    "pagination": {"maxTotalHits": MAX_REACHABLE_HITS},
    "faceting": {"maxValuesPerFacet": 100},
}


def meili_document(doc: SearchDoc) -> dict[str, Any]:
    extra = [x for x in doc.exact if x != doc.title]
    grams = " ".join(analyse(t)[0] for t in (doc.title, doc.body, *extra, doc.uscc) if t)
    region = doc.region_code
    return {
        "key": doc.key,
        "type": doc.type,
        "id": doc.id,
        "title": doc.title,
        "body": doc.body[:BODY_CHARS],
        "url": doc.url_path,
        "published_on": doc.published_on.isoformat() if doc.published_on else None,
        "pub_ts": doc.published_on.toordinal() if doc.published_on else 0,
        "year": doc.year,
        "region": region,
        "regions": sorted({region[:2], region[:4], region}) if region else [],
        "departments": list(doc.departments),
        "categories": list(doc.categories),
        "uscc": doc.uscc,
        "exact_keys": sorted({k for k in (exact_key(x) for x in (doc.title, *doc.exact)) if k}),
        "grams": grams,
    }


def _quote(value: Any) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def filter_expression(q: IndexQuery) -> list[str]:
    parts: list[str] = []
    if q.types:
        parts.append("type IN [" + ", ".join(_quote(t) for t in q.types) + "]")
    if q.year:
        parts.append(f"year = {int(q.year)}")
    if q.region:
        parts.append(f"regions = {_quote(q.region)}")
    if q.department:
        parts.append(f"departments = {_quote(q.department)}")
    if q.category:
        parts.append(f"categories = {_quote(q.category)}")
    if q.uscc:
        parts.append(f"uscc = {_quote(q.uscc)}")
    return parts


def meili_query(text: str) -> str:
    """Bigram tokens in phrases; a one-character last piece is left unquoted (prefix search)."""
    out = []
    for p in query_phrases(text):
        toks = list(p.tokens)
        last = toks.pop() if p.prefix else None
        if toks:
            out.append('"' + " ".join(toks) + '"')
        if last:
            out.append(last)
    return " ".join(out)


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _hit(h: dict[str, Any], cursor: dict[str, Any]) -> IndexHit:
    return IndexHit(
        type=h["type"],
        id=h["id"],
        title=h["title"],
        body=h.get("body", ""),
        url_path=h["url"],
        published_on=_date(h.get("published_on")),
        cursor=cursor,
    )


class MeiliIndex:
    backend = "meilisearch"

    def __init__(self, url: str, api_key: str = "", prefix: str = "gongshi") -> None:
        if not url:
            raise ValueError("MEILI_URL is required when SEARCH_BACKEND=meilisearch")
        self.client = meilisearch.Client(url, api_key or None, timeout=10)
        self.uid = f"{prefix}_search"
        self._ready = False

    async def _call(self, fn: Callable[[], Any]) -> Any:
        try:
            return await asyncio.to_thread(fn)
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as e:
            raise SearchUnavailable(f"Meilisearch unreachable: {e}") from e
        except MeilisearchError as e:
            raise SearchUnavailable(f"Meilisearch: {e}") from e
        except OSError as e:
            raise SearchUnavailable(f"Meilisearch unreachable: {e}") from e

    def _wait(self, task: Any) -> None:
        done = self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        if done.status != "succeeded":
            raise SearchUnavailable(f"Meilisearch task {task.task_uid} {done.status}: {done.error}")

    def _add_documents(self, uid: str, body: list[dict[str, Any]]) -> None:
        self._wait(self.client.index(uid).add_documents(body, primary_key="key"))

    def _setup(self, uid: str) -> None:
        try:
            self.client.get_index(uid)
        except MeilisearchError:
            self._wait(self.client.create_index(uid, {"primaryKey": "key"}))
        self._wait(self.client.index(uid).update_settings(INDEX_SETTINGS))

    async def _ensure(self) -> None:
        if not self._ready:
            await self._call(lambda: self._setup(self.uid))
            self._ready = True

    async def upsert(self, docs: Sequence[SearchDoc]) -> None:
        if not docs:
            return
        await self._ensure()
        body = [meili_document(d) for d in docs]
        await self._call(lambda: self._wait(self.client.index(self.uid).add_documents(body, primary_key="key")))

    async def delete(self, keys: Sequence[str]) -> None:
        if not keys:
            return
        await self._ensure()
        await self._call(lambda: self._wait(self.client.index(self.uid).delete_documents(list(keys))))

    async def count(self) -> int:
        await self._ensure()
        stats = await self._call(lambda: self.client.index(self.uid).get_stats())
        return int(stats.number_of_documents)

    async def close(self) -> None:
        return None

    async def rebuild(self, batches: AsyncIterable[list[SearchDoc]]) -> int:
        """Fill a fresh index, then swap it with the live one (searches never see it half-built)."""
        tmp = self.uid + "_rebuild"
        await self._call(lambda: self._wait(self.client.delete_index(tmp)))
        await self._call(lambda: self._setup(tmp))
        await self._ensure()
        n = 0
        async for batch in batches:
            body = [meili_document(d) for d in batch]
            n += len(body)
            await self._call(functools.partial(self._add_documents, tmp, body))
        await self._call(lambda: self._wait(self.client.swap_indexes([{"indexes": [self.uid, tmp]}])))
        await self._call(lambda: self._wait(self.client.delete_index(tmp)))
        return n

    async def search(self, q: IndexQuery) -> IndexPage:
        await self._ensure()
        filters = filter_expression(q)
        text = "" if q.uscc else meili_query(q.text)
        if not text and not filters:
            return IndexPage(hits=[], more=False, total=0, facets={k: {} for k in FACETS})
        offset = int((q.after or {}).get("o", 0))
        index = self.client.index(self.uid)
        key = "" if q.uscc or not text else exact_key(q.text)

        def run() -> tuple[list[dict[str, Any]], dict[str, Any]]:
            exact: list[dict[str, Any]] = []
            if key:
                exact = index.search(
                    text,
                    {
                        "filter": [*filters, f"exact_keys = {_quote(key)}"],
                        "limit": 200,
                        "sort": ["pub_ts:desc"],
                        "matchingStrategy": "all",
                    },
                )["hits"]
            rest_filter = list(filters)
            if exact:
                rest_filter.append("NOT key IN [" + ", ".join(_quote(h["key"]) for h in exact) + "]")
            skip = max(0, offset - len(exact))
            params: dict[str, Any] = {
                "filter": rest_filter,
                "offset": skip,
                "limit": q.limit + 1,
                "matchingStrategy": "all",
                "sort": ["pub_ts:desc"],
                "attributesToRetrieve": INDEX_SETTINGS["displayedAttributes"],
            }
            if q.facets:
                params["facets"] = [_FACET_ATTR[f] for f in FACETS]
            res = index.search(text, params)
            return exact[offset:] + res["hits"], res | {"exact_count": len(exact)}

        hits, res = await self._call(run)
        page_hits = [_hit(h, {"o": offset + i + 1}) for i, h in enumerate(hits[: q.limit])]
        dist = res.get("facetDistribution") or {}
        facets = (
            {
                f: dict(
                    sorted(
                        ((str(v), int(n)) for v, n in (dist.get(_FACET_ATTR[f]) or {}).items()), key=lambda kv: -kv[1]
                    )
                )
                for f in FACETS
            }
            if q.facets
            else {}
        )
        total = int(res.get("estimatedTotalHits", 0)) + res["exact_count"]
        return IndexPage(
            hits=page_hits, more=len(hits) > q.limit, total=total, facets=facets, facets_exact=True, total_exact=False
        )


__all__ = ["MeiliIndex", "filter_expression", "meili_document", "meili_query", "split_key"]
