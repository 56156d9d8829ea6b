"""Reading the audit log: one keyset page of rows matching a domain.audit.AuditQuery, newest first."""

from __future__ import annotations

from typing import Any

from db.tables import AuditLog
from domain.audit import AuditQuery


async def search(q: AuditQuery, before_id: int | None, limit: int) -> list[dict[str, Any]]:
    query = AuditLog.select().order_by(AuditLog.id, ascending=False).limit(limit)
    if q.actor:
        query = query.where(AuditLog.actor == q.actor)
    if q.action:
        query = query.where(AuditLog.action == q.action)
    if q.object_type:
        query = query.where(AuditLog.object_type == q.object_type)
    if q.object_id:
        query = query.where(AuditLog.object_id == q.object_id)
    if q.since is not None:
        query = query.where(AuditLog.at >= q.since)
    if q.until is not None:
        query = query.where(AuditLog.at < q.until)
    if before_id is not None:
        query = query.where(AuditLog.id < before_id)
    return await query


async def actions() -> list[str]:
    """Every action code the log holds (for the search form's choice list)."""
    rows = await AuditLog.select(AuditLog.action).distinct().order_by(AuditLog.action)
    return [r["action"] for r in rows]
