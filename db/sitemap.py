"""Public record ids for the sitemap, in id blocks (a sitemap file holds at most 50,000 URLs)."""

from __future__ import annotations

from typing import Any

from db.tables import Document, Guide, Honour, Plan, Result

TABLES: dict[str, Any] = {"results": Result, "plans": Plan, "guides": Guide, "honours": Honour, "documents": Document}


async def max_id(kind: str) -> int:
    table = TABLES[kind]
    row = await table.select(table.id).order_by(table.id, ascending=False).limit(1).first()
    return int(row["id"]) if row else 0


async def public_ids(kind: str, lo: int, hi: int) -> list[int]:
    """Ids in [lo, hi] of the records that are public now (withdrawn ones never appear)."""
    table = TABLES[kind]
    rows = await (
        table.select(table.id)
        .where((table.id >= lo) & (table.id <= hi) & (table.disclosure == "public"))
        .order_by(table.id)
    )
    return [int(r["id"]) for r in rows]
