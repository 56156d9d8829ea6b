"""Scan records (扫码入企). Not public: officers of the recording department read them, and the
complaint cross-check uses them; credential numbers never leave through a public path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db import changes
from db.tables import ScanRecord
from db.tx import write_transaction

CHUNK = 400


async def insert_scans(scans: list[dict[str, Any]], actor: Any) -> list[int]:
    """Store scan records all-or-nothing, audited (no change log: they are not public).
    Keys: uscc, department_code, officer_credentials, scanned_at, method, task_number, location."""
    ids: list[int] = []
    async with write_transaction():
        for i in range(0, len(scans), CHUNK):
            rows = await ScanRecord.insert(*[ScanRecord(**s) for s in scans[i : i + CHUNK]]).returning(ScanRecord.id)
            chunk_ids = [r["id"] for r in rows]
            ids.extend(chunk_ids)
            await changes.audit_many(actor, "record", "scan_record", chunk_ids)
    return ids


async def get_scan(scan_id: int) -> dict | None:
    """One scan record (for its department's officers only: the caller checks), or None."""
    return await ScanRecord.select().where(ScanRecord.id == scan_id).output(load_json=True).first()


async def list_scans(department_code: str, uscc: str | None, after_id: int | None, limit: int) -> list[dict]:
    """One department's scan records, newest id first, optionally for one entity."""
    q = (
        ScanRecord.select()
        .where(ScanRecord.department_code == department_code)
        .order_by(ScanRecord.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    if uscc:
        q = q.where(ScanRecord.uscc == uscc)
    if after_id is not None:
        q = q.where(ScanRecord.id < after_id)
    return await q


async def scans_near(uscc: str, department_code: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Scan records of one entity by one department within [start, end] (complaint cross-check)."""
    return await (
        ScanRecord.select()
        .where(
            (ScanRecord.uscc == uscc)
            & (ScanRecord.department_code == department_code)
            & (ScanRecord.scanned_at >= start)
            & (ScanRecord.scanned_at <= end)
        )
        .order_by(ScanRecord.scanned_at)
        .output(load_json=True)
    )
