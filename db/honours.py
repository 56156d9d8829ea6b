"""Queries over honour records (荣誉信息): awards, 守合同重信用, “无事不扰” whitelist entries …"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from db import changes
from db.register import register_of
from db.tables import Honour
from db.tx import write_transaction

CHUNK = 400  # rows per INSERT: under SQLite's bound-parameter limit


@dataclass
class HonourFilter:
    uscc: str | None = None
    year: int | None = None
    kind: str | None = None
    public_only: bool = True


def _conditions(f: HonourFilter) -> list[Any]:
    conds: list[Any] = []
    if f.public_only:
        conds.append(Honour.disclosure == "public")
    if f.uscc:
        conds.append(Honour.uscc == f.uscc)
    if f.year is not None:
        conds.append(Honour.year == f.year)
    if f.kind:
        conds.append(Honour.kind == f.kind)
    return conds


async def list_honours(f: HonourFilter, after_id: int | None, limit: int) -> list[dict]:
    """Honour rows, newest id first."""
    q = Honour.select().order_by(Honour.id, ascending=False).limit(limit)
    for c in _conditions(f):
        q = q.where(c)
    if after_id is not None:
        q = q.where(Honour.id < after_id)
    return await q


async def count_honours(f: HonourFilter) -> int:
    q = Honour.count()
    for c in _conditions(f):
        q = q.where(c)
    return await q


async def get_honour(honour_id: int) -> dict | None:
    """The honour row (any disclosure state), or None."""
    return await Honour.select().where(Honour.id == honour_id).first()


async def insert_honours(honours: list[dict[str, Any]], actor: Any, mask: Callable[..., Any]) -> list[int]:
    """Publish honours all-or-nothing, audited and change-logged. Keys of each dict: uscc,
    entity_name, honour, kind, awarded_by, awarded_on, valid_until, source_document,
    department_code, region_code. `mask` is the masking rule (domain.masking.mask_by_register),
    run inside the transaction on the register as it is then."""
    now = changes.now()
    ids: list[int] = []
    async with write_transaction():
        drafts = [SimpleNamespace(**h) for h in honours]
        mask(drafts, await register_of(sorted({d.uscc for d in drafts})))
        honours = [vars(d) for d in drafts]
        for i in range(0, len(honours), CHUNK):
            rows = await Honour.insert(
                *[
                    Honour(**h, year=h["awarded_on"].year, disclosure="public", created_at=now)
                    for h in honours[i : i + CHUNK]
                ]
            ).returning(Honour.id)
            chunk_ids = [r["id"] for r in rows]
            ids.extend(chunk_ids)
            await changes.audit_many(actor, "publish", "honour", chunk_ids)
            await changes.public_change("honour", chunk_ids, "published")
    return ids
