"""A stale index heals itself: when a search drops hits whose records are no longer public, make
sure the outbox holds work for each of them, so the worker removes them from the index.

`requeue_stale(keys)` is called by the search use case only when it dropped something. It never
makes the search wait or fail: the outbox write runs in a background task, in a fresh context (not
inside the request's read snapshot), and a failure is logged; the next search that meets the same
stale hit tries again. A record that already has a pending outbox row gets no new one: the worker
reads each record's state when it applies a row, whatever the row's op, so that row removes it.
`settled()` waits for the tasks in flight (tests, shutdown).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Iterable

from db.changes import now
from db.tables import Outbox
from db.tx import write_transaction
from search.index import split_key

log = logging.getLogger("gongshi.search")

_in_flight: set[str] = set()
_tasks: set[asyncio.Task[None]] = set()


def requeue_stale(keys: Iterable[str]) -> None:
    fresh = sorted(set(keys) - _in_flight)
    if not fresh:
        return
    _in_flight.update(fresh)
    task = asyncio.create_task(_requeue(fresh), name="search-heal", context=contextvars.Context())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def settled() -> None:
    while _tasks:
        await asyncio.gather(*list(_tasks), return_exceptions=True)


async def _requeue(keys: list[str]) -> None:
    try:
        await enqueue_deletes(keys)
    except Exception as e:
        log.warning("search: could not queue removal of %d stale hits (%s); a later search retries", len(keys), e)
    finally:
        _in_flight.difference_update(keys)


async def enqueue_deletes(keys: list[str]) -> int:
    """One 'delete' outbox row per key with no pending row; returns how many were written."""
    pairs = {split_key(k) for k in keys}
    ids = sorted({i for _, i in pairs})
    async with write_transaction():
        pending = await Outbox.select(Outbox.object_type, Outbox.object_id).where(
            Outbox.done_at.is_null() & Outbox.object_id.is_in(ids)
        )
        missing = sorted(pairs - {(r["object_type"], r["object_id"]) for r in pending})
        if missing:
            at = now()
            await Outbox.insert(
                *[
                    Outbox(created_at=at, object_type=t, object_id=i, op="delete", next_attempt_at=at)
                    for t, i in missing
                ]
            )
    if missing:
        log.info("search: queued removal of %d stale hits: %s", len(missing), ", ".join(f"{t}-{i}" for t, i in missing))
    return len(missing)
