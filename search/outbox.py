"""Drain `search_outbox` into the index, with retries and backoff.

Rows are written by `db.changes.public_change` in the same transaction as the change, so the
index can lag but never loses a change. The worker does not trust the row's op: it reads the
record's state now and makes the index agree (public → upsert, anything else → delete), so rows
may be applied twice, late or out of order without harm.

`drain(index)` empties what is due and returns a report: tests and `gongshi reindex` call it
directly; `OutboxWorker` runs it in a loop inside the web process.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass

from db.changes import now as utcnow
from db.tables import Outbox
from db.tx import write_transaction
from search.index import SearchIndex, doc_key
from search.source import department_names, load_docs

log = logging.getLogger("gongshi.search")

BATCH = 500
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 300.0
KEEP_DONE = dt.timedelta(days=7)


def backoff(attempts: int) -> dt.timedelta:
    """2 s, 4 s, 8 s … capped at 5 minutes."""
    return dt.timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS ** max(1, attempts)))


@dataclass
class DrainReport:
    applied: int = 0  # outbox rows applied
    failed: int = 0  # outbox rows that failed this time (retried later)
    last_error: str = ""


async def _apply(index: SearchIndex, rows: list[dict]) -> None:
    by_type: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_type[r["object_type"]].add(r["object_id"])
    names = await department_names()
    for object_type, ids in by_type.items():
        docs = await load_docs(object_type, sorted(ids), names)
        public = {d.id for d in docs}
        await index.upsert(docs)
        await index.delete([doc_key(object_type, i) for i in sorted(ids - public)])


async def drain_once(index: SearchIndex, batch: int = BATCH, now: dt.datetime | None = None) -> DrainReport:
    at = now or utcnow()
    rows = await (
        Outbox.select()
        .where(Outbox.done_at.is_null() & (Outbox.next_attempt_at <= at))
        .order_by(Outbox.id)
        .limit(batch)
    )
    if not rows:
        return DrainReport()
    ids = [r["id"] for r in rows]
    try:
        await _apply(index, rows)
    except Exception as e:  # the backend is down or refused: retry these rows later
        message = f"{type(e).__name__}: {e}"[:500]
        by_attempts: dict[int, list[int]] = defaultdict(list)
        for r in rows:
            by_attempts[r["attempts"] + 1].append(r["id"])
        async with write_transaction():
            for attempts, group in by_attempts.items():
                await Outbox.update({
                    Outbox.attempts: attempts,
                    Outbox.next_attempt_at: at + backoff(attempts),
                    Outbox.last_error: message,
                }).where(Outbox.id.is_in(group))
        log.warning("search outbox: %d rows failed, will retry: %s", len(rows), message)
        return DrainReport(failed=len(rows), last_error=message)
    async with write_transaction():
        await Outbox.update({Outbox.done_at: utcnow(), Outbox.last_error: ""}).where(Outbox.id.is_in(ids))
    return DrainReport(applied=len(rows))


async def drain(index: SearchIndex, batch: int = BATCH, now: dt.datetime | None = None) -> DrainReport:
    """Apply every due row; stops at the first failing batch (its rows wait for their backoff)."""
    total = DrainReport()
    while True:
        r = await drain_once(index, batch, now)
        total.applied += r.applied
        total.failed += r.failed
        if r.failed:
            total.last_error = r.last_error
            return total
        if r.applied < batch:
            return total


async def purge_done(older_than: dt.timedelta = KEEP_DONE) -> None:
    async with write_transaction():
        await Outbox.delete().where(Outbox.done_at.is_not_null() & (Outbox.done_at < utcnow() - older_than))


async def pending_count() -> int:
    return await Outbox.count().where(Outbox.done_at.is_null())


class OutboxWorker:
    """Runs `drain` every `interval` seconds in the web process's event loop."""

    def __init__(self, index: SearchIndex, interval: float = 1.0) -> None:
        self.index = index
        self.interval = interval
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="search-outbox")

    def poke(self) -> None:
        """Drain now instead of at the next tick (e.g. right after a publication)."""
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        ticks = 0
        while True:
            try:
                await drain(self.index)
                if ticks % 3600 == 0:
                    await purge_done()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database itself is busy or down: try again next tick
                log.exception("search outbox worker")
            ticks += 1
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
