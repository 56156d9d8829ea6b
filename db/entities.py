"""Queries over market entities (经营主体) for the public profile page and API.

Read-only here: entities are created when results are published (db.results.insert_results)
or by the importer. What may be shown (masking, public-only) is decided by the caller.
"""

from __future__ import annotations

from db.results import ResultFilter, count_results, list_results
from db.tables import Entity, Honour


async def get_entity(uscc: str) -> dict | None:
    """The entity row for a normalised USCC, or None."""
    return await Entity.select().where(Entity.uscc == uscc).first()


async def public_results(uscc: str, limit: int = 100) -> list[dict]:
    """The entity's public results, newest first (at most `limit`)."""
    return await list_results(ResultFilter(uscc=uscc), None, limit)


async def count_public_results(uscc: str) -> int:
    return await count_results(ResultFilter(uscc=uscc)) or 0


async def public_honours(uscc: str, limit: int = 100) -> list[dict]:
    """The entity's public honours, newest first (at most `limit`)."""
    return await (
        Honour.select()
        .where((Honour.uscc == uscc) & (Honour.disclosure == "public"))
        .order_by(Honour.id, ascending=False)
        .limit(limit)
    )
