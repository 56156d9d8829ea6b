"""Drain `search_outbox` into the index, with retries and backoff.

Rows are written by `db.changes.public_change` in the same transaction as the change, so the
index can lag but never loses a change. The worker does not trust the row's op: it reads the
record's state now and makes the index agree (public → upsert, anything else → delete), so rows
may be applied twice, late or out of order without harm.

With `SEARCH_FALLBACK=embedded` the index is a `search.fallback.FallbackIndex` and every row goes
to both Meilisearch and the embedded copy. `done_at` is set only when both took it; the embedded
copy's own success is `fallback_done_at`, so while Meilisearch is down its rows stay pending (with
backoff) while the embedded copy stays current and is not written again for rows it took.

`drain(index)` empties what is due and returns a report: tests and `gongshi reindex` call it
directly; `OutboxWorker` runs it in a loop inside the web process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from db.changes import now as utcnow
from db.tables import Outbox
from db.tx import write_transaction
from ops import metrics
from search.fallback import parts
from search.index import SearchDoc, SearchIndex, doc_key
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
    applied: int = 0  # outbox rows applied to every configured index
    failed: int = 0  # outbox rows that failed this time (retried later)
    last_error: str = ""
    fallback_applied: int = 0  # rows the embedded fallback took (SEARCH_FALLBACK=embedded)


async def _load(rows: list[dict[str, Any]]) -> tuple[list[SearchDoc], list[str]]:
    """The documents to upsert (public now) and the keys to delete (anything else)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_type[r["object_type"]].add(r["object_id"])
    names = await department_names()
    docs: list[SearchDoc] = []
    gone: list[str] = []
    for object_type, ids in by_type.items():
        found = await load_docs(object_type, sorted(ids), names)
        docs += found
        gone += [doc_key(object_type, i) for i in sorted(ids - {d.id for d in found})]
    return docs, gone


async def _write(index: SearchIndex, work: tuple[list[SearchDoc], list[str]], rows: list[dict[str, Any]]) -> None:
    keys = {doc_key(r["object_type"], r["object_id"]) for r in rows}
    docs, gone = work
    await index.upsert([d for d in docs if d.key in keys])
    await index.delete([k for k in gone if k in keys])


def _error(index: SearchIndex, e: Exception) -> str:
    return f"{index.backend}: {type(e).__name__}: {e}"


async def _due(at: dt.datetime, batch: int, fallback_only: bool = False) -> list[dict[str, Any]]:
    where = Outbox.done_at.is_null() & (Outbox.next_attempt_at <= at)
    if fallback_only:
        where &= Outbox.fallback_done_at.is_null()
    return await Outbox.select().where(where).order_by(Outbox.id).limit(batch)


async def drain_once(index: SearchIndex, batch: int = BATCH, now: dt.datetime | None = None) -> DrainReport:
    """One batch of due rows into every configured index. A row is done only when each index
    took it; with a fallback, the embedded copy's success is kept apart (`fallback_done_at`)."""
    at = now or utcnow()
    rows = await _due(at, batch)
    if not rows:
        return DrainReport()
    primary, fallback = parts(index)
    errors: list[str] = []
    fell: list[int] = []  # rows the fallback took just now
    try:
        work = await _load(rows)
    except Exception as e:  # the database read failed: nothing was tried
        work, errors = None, [f"reading records: {type(e).__name__}: {e}"]
    if work is not None and fallback is not None:
        todo = [r for r in rows if r["fallback_done_at"] is None]
        try:
            await _write(fallback, work, todo)
            fell = [r["id"] for r in todo]
        except Exception as e:
            errors.append(_error(fallback, e))
    if work is not None:
        try:
            await _write(primary, work, rows)
        except Exception as e:  # the backend is down or refused: retry these rows later
            errors.append(_error(primary, e))
    ids = [r["id"] for r in rows]
    async with write_transaction():
        if fell:
            await Outbox.update({Outbox.fallback_done_at: utcnow()}).where(Outbox.id.is_in(fell))
        if not errors:
            await Outbox.update({Outbox.done_at: utcnow(), Outbox.last_error: ""}).where(Outbox.id.is_in(ids))
            return DrainReport(applied=len(rows), fallback_applied=len(fell))
        message = "; ".join(errors)[:500]
        by_attempts: dict[int, list[int]] = defaultdict(list)
        for r in rows:
            by_attempts[r["attempts"] + 1].append(r["id"])
        for attempts, group in by_attempts.items():
            await Outbox.update(
                {
                    Outbox.attempts: attempts,
                    Outbox.next_attempt_at: at + backoff(attempts),
                    Outbox.last_error: message,
                }
            ).where(Outbox.id.is_in(group))
    log.warning("search outbox: %d rows failed, will retry: %s", len(rows), message)
    return DrainReport(failed=len(rows), last_error=message, fallback_applied=len(fell))


async def catch_up_fallback(index: SearchIndex, batch: int = BATCH, now: dt.datetime | None = None) -> int:
    """While the primary is down, bring the embedded fallback up to date with every due row
    without asking the primary again (those rows stay pending for it, attempts unchanged)."""
    _primary, fallback = parts(index)
    n = 0
    while fallback is not None:
        rows = await _due(now or utcnow(), batch, fallback_only=True)
        if not rows:
            break
        await _write(fallback, await _load(rows), rows)
        async with write_transaction():
            await Outbox.update({Outbox.fallback_done_at: utcnow()}).where(Outbox.id.is_in([r["id"] for r in rows]))
        n += len(rows)
    return n


async def drain(index: SearchIndex, batch: int = BATCH, now: dt.datetime | None = None) -> DrainReport:
    """Apply every due row; stops asking the backend at the first failing batch (its rows wait for
    their backoff), though an embedded fallback is still brought up to date."""
    total = DrainReport()
    while True:
        r = await drain_once(index, batch, now)
        total.applied += r.applied
        total.failed += r.failed
        total.fallback_applied += r.fallback_applied
        if r.failed:
            total.last_error = r.last_error
            try:
                total.fallback_applied += await catch_up_fallback(index, batch, now)
            except Exception as e:
                log.warning("search outbox: the embedded fallback failed too: %s", e)
            return total
        if r.applied < batch:
            return total


async def purge_done(older_than: dt.timedelta = KEEP_DONE) -> None:
    async with write_transaction():
        await Outbox.delete().where(Outbox.done_at.is_not_null() & (Outbox.done_at < utcnow() - older_than))


async def oldest_pending_age(now: dt.datetime | None = None) -> float:
    """Seconds since the oldest row still waiting to be applied was written (0 when none waits)."""
    row = await Outbox.select(Outbox.created_at).where(Outbox.done_at.is_null()).order_by(Outbox.created_at).first()
    if row is None:
        return 0.0
    age: float = ((now or utcnow()) - row["created_at"]).total_seconds()
    return max(0.0, age)


async def pending_count() -> int:
    n: int = await Outbox.count().where(Outbox.done_at.is_null())
    return n


class OutboxWorker:
    """Runs `drain` every `interval` seconds in the web process's event loop."""

    def __init__(self, index: SearchIndex, interval: float = 1.0) -> None:
        self.index = index
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
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
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        ticks = 0
        while True:
            try:
                await drain(self.index)
                metrics.job_succeeded("search_outbox")
                if ticks % 3600 == 0:
                    await purge_done()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database itself is busy or down: try again next tick
                log.exception("search outbox worker")
            ticks += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()
