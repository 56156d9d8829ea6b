"""Audit log, change log and search outbox rows, written inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.tables import AuditLog, ChangeLog, Outbox


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def audit(
    actor: Any, action: str, object_type: str, object_id: Any, reason: str = "", detail: dict | None = None
) -> None:
    await AuditLog.insert(
        AuditLog(
            at=now(),
            actor=actor.username,
            actor_role=actor.role,
            department_code=actor.department_code,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            reason=reason,
            detail=detail or {},
        )
    )


async def audit_many(actor: Any, action: str, object_type: str, object_ids: list[Any], reason: str = "") -> None:
    at = now()
    await AuditLog.insert(
        *[
            AuditLog(
                at=at,
                actor=actor.username,
                actor_role=actor.role,
                department_code=actor.department_code,
                action=action,
                object_type=object_type,
                object_id=str(i),
                reason=reason,
                detail={},
            )
            for i in object_ids
        ]
    )


async def public_change(object_type: str, object_ids: list[Any], action: str) -> None:
    """A change to what the public sees: numbered in the change log, queued for the index."""
    if not object_ids:
        return
    at = now()
    op = "delete" if action == "withdrawn" else "upsert"
    await ChangeLog.insert(
        *[ChangeLog(at=at, object_type=object_type, object_id=str(i), action=action) for i in object_ids]
    )
    await Outbox.insert(
        *[
            Outbox(created_at=at, object_type=object_type, object_id=str(i), op=op, next_attempt_at=at)
            for i in object_ids
        ]
    )
