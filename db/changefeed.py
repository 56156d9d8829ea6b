"""The numbered change log behind /api/v1/changes and the Atom feed of new publications."""

from __future__ import annotations

import datetime as dt

from db.tables import ChangeLog


async def list_changes(since: dt.datetime | None, after_seq: int | None, limit: int) -> list[dict]:
    """Changes in `seq` order (oldest first), from `since` (inclusive) and after `after_seq`."""
    q = ChangeLog.select().order_by(ChangeLog.seq).limit(limit)
    if since is not None:
        q = q.where(ChangeLog.at >= since)
    if after_seq is not None:
        q = q.where(ChangeLog.seq > after_seq)
    return await q


async def latest_seq() -> int | None:
    row = await ChangeLog.select(ChangeLog.seq).order_by(ChangeLog.seq, ascending=False).first()
    return row["seq"] if row else None


async def recent_publications(limit: int, types: tuple[str, ...] | None = None) -> list[dict]:
    """The newest `published` change rows (newest first); the caller drops what is no longer public."""
    q = (
        ChangeLog.select()
        .where(ChangeLog.action == "published")
        .order_by(ChangeLog.seq, ascending=False)
        .limit(limit)
    )
    if types:
        q = q.where(ChangeLog.object_type.is_in(list(types)))
    return await q


async def withdrawn_ids(object_type: str, ids: list[str]) -> set[str]:
    """Of `ids`, those with a later `withdrawn` change: feeds skip them even before the caller
    re-checks the record's disclosure state."""
    if not ids:
        return set()
    rows = await ChangeLog.select(ChangeLog.object_id).where(
        (ChangeLog.object_type == object_type) & (ChangeLog.action == "withdrawn") & ChangeLog.object_id.is_in(ids)
    )
    return {r["object_id"] for r in rows}
