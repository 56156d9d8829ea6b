"""The search contract: what every backend stores, is asked and answers.

Backends (`search.embedded.EmbeddedIndex`, `search.meili.MeiliIndex`) implement `SearchIndex`;
`search.factory.make_index(settings)` picks one. The use case on top (USCC lookup, disclosure
check, facet labels) is `search.service.search`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

TYPES = ("result", "plan", "guide", "honour", "document", "matter")
FACETS = ("type", "year", "region", "department", "category")

# Search is for finding, not for bulk reading (bulk data comes from the database): only this
# many hits can be paged through for one query, like Meilisearch's own cap.
MAX_REACHABLE_HITS = 1000


class SearchUnavailable(Exception):
    """The search backend cannot be reached or answered with an error; retry later."""


@dataclass(frozen=True)
class SearchDoc:
    """One searchable record, built by `search.documents` from database rows."""

    type: str  # one of TYPES
    id: str
    title: str
    body: str  # text searched and quoted in snippets
    url_path: str  # the portal page, e.g. /results/12
    published_on: dt.date | None
    year: int | None
    region_code: str = ""
    departments: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    uscc: str = ""
    # Names and numbers that, typed exactly, rank the record first (titles, entity names,
    # document numbers, task numbers). Also searched as text.
    exact: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return doc_key(self.type, self.id)


def doc_key(type_: str, id_: object) -> str:
    # Letters, digits, '-' only: Meilisearch's rule for document ids.
    return f"{type_}-{id_}"


def split_key(key: str) -> tuple[str, str]:
    t, _, i = key.partition("-")
    return t, i


@dataclass(frozen=True)
class IndexQuery:
    text: str = ""  # as the user typed it; backends fold and tokenize it themselves
    uscc: str | None = None  # exact lookup: records of this entity only
    types: tuple[str, ...] = ()
    region: str | None = None  # a region code prefix: '37', '3715' or '371500'
    department: str | None = None
    year: int | None = None
    category: str | None = None
    limit: int = 20
    after: dict[str, Any] | None = None  # a hit's `cursor`, to continue after it
    facets: bool = True


@dataclass
class IndexHit:
    type: str
    id: str
    title: str
    body: str
    url_path: str
    published_on: dt.date | None
    cursor: dict[str, Any]  # opaque to callers: pass back as IndexQuery.after

    @property
    def key(self) -> str:
        return doc_key(self.type, self.id)


@dataclass
class IndexPage:
    hits: list[IndexHit]
    more: bool  # whether hits follow the last one
    total: int | None = None
    # facet -> value -> count; `facets_exact` is False when counted over the newest hits only.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    facets_exact: bool = True
    total_exact: bool = True


class SearchIndex(Protocol):
    backend: str

    async def upsert(self, docs: Sequence[SearchDoc]) -> None:
        """Add or replace documents (by key). Raises SearchUnavailable."""

    async def delete(self, keys: Sequence[str]) -> None:
        """Remove documents by key; unknown keys are ignored. Raises SearchUnavailable."""

    async def search(self, query: IndexQuery) -> IndexPage:
        """Ranked hits: exact title/name/number matches first, then relevance, then recency."""

    async def rebuild(self, batches: AsyncIterable[list[SearchDoc]]) -> int:
        """Replace the whole index with these documents (oldest first); returns the count."""

    async def count(self) -> int:
        """Documents in the index. Raises SearchUnavailable."""

    async def close(self) -> None:
        """Release connections."""
