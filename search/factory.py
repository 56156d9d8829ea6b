"""Pick the search backend from settings (`SEARCH_BACKEND`, `SEARCH_FALLBACK`)."""

from __future__ import annotations

from search.index import SearchIndex
from settings import Settings


def make_index(settings: Settings) -> SearchIndex:
    from search.embedded import EmbeddedIndex

    if settings.search_backend == "meilisearch":
        from search.meili import MeiliIndex

        meili = MeiliIndex(settings.meili_url, settings.meili_master_key, settings.meili_index_prefix)
        if settings.search_fallback == "embedded":
            from search.fallback import FallbackIndex

            return FallbackIndex(meili, EmbeddedIndex(settings.search_path))
        return meili
    return EmbeddedIndex(settings.search_path)
