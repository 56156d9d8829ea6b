"""Pick the search backend from settings (`SEARCH_BACKEND`)."""

from __future__ import annotations

from search.index import SearchIndex
from settings import Settings


def make_index(settings: Settings) -> SearchIndex:
    if settings.search_backend == "meilisearch":
        from search.meili import MeiliIndex

        return MeiliIndex(settings.meili_url, settings.meili_master_key, settings.meili_index_prefix)
    from search.embedded import EmbeddedIndex

    return EmbeddedIndex(settings.search_path)
