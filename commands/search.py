"""`gongshi reindex`: rebuild the search index from the database (with SEARCH_FALLBACK=embedded, the
embedded copy too, from the same pass); `gongshi search-outbox`: drain it once."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
from typing import TextIO

from settings import Settings

# Outbox rows younger than this at the start of a rebuild are applied again afterwards: their
# transaction may have committed after the rebuild read that record.
REQUEUE_MARGIN = dt.timedelta(minutes=1)


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("reindex", help="rebuild the search index from the database (SEARCH_BACKEND)")
    s.add_argument("--batch", type=int, default=5000, help="documents per batch (default 5000)")
    s.set_defaults(func=run_reindex)
    s = sub.add_parser("search-outbox", help="apply pending search outbox rows now and report")
    s.set_defaults(func=run_drain)


async def reindex(settings: Settings, batch: int = 5000, quiet: bool = False) -> int:
    """Rebuild, then settle the outbox: older rows are in the new index, recent ones re-run."""
    from db.changes import now
    from db.tables import Outbox
    from db.tx import write_transaction
    from search.factory import make_index
    from search.source import all_public_docs

    index = make_index(settings)
    started = now()
    t = time.perf_counter()
    try:
        n = await index.rebuild(all_public_docs(batch))
    finally:
        await index.close()
    elapsed = time.perf_counter() - t
    cut = started - REQUEUE_MARGIN
    async with write_transaction():
        await Outbox.update({Outbox.done_at: now()}).where(Outbox.done_at.is_null() & (Outbox.created_at < cut))
        await Outbox.update(
            {Outbox.done_at: None, Outbox.fallback_done_at: None, Outbox.next_attempt_at: now(), Outbox.attempts: 0}
        ).where(Outbox.created_at >= cut)
    if not quiet:
        also = (
            " (and the embedded fallback)" if settings.search_fallback and settings.search_backend != "embedded" else ""
        )
        print(
            f"indexed {n} documents into the {settings.search_backend} index{also} in {elapsed:.1f} s"
            f" ({n / elapsed if elapsed else 0:,.0f} documents/s)"
        )
    return n


async def index_pending(settings: Settings, out: TextIO) -> bool:
    """Apply the search outbox now, in this command, so that the records it just stored are found
    by the very first search (issue 13 item 13) instead of once the server's outbox worker gets to
    them. Returns False when the backend refused (the rows stay queued for the server's worker)."""
    from search.factory import make_index
    from search.outbox import drain, pending_count

    t = time.perf_counter()
    index = make_index(settings)
    try:
        report = await drain(index)
    finally:
        await index.close()
    elapsed = time.perf_counter() - t
    left = await pending_count()
    if report.failed:
        print(
            f"warning: the search index refused {report.failed} updates ({report.last_error}); the server "
            f"applies them when it runs ({left} pending)",
            file=out,
        )
        return False
    print(f"search index: {report.applied} updates applied in {elapsed:.1f} s ({left} pending)", file=out)
    return True


async def _with_db(settings: Settings, fn):
    from db.engine import bind_tables, close_engine, make_engine, open_engine

    engine = make_engine(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        return await fn()
    finally:
        await close_engine(engine)


def run_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from search.index import SearchUnavailable

    try:
        asyncio.run(_with_db(settings, lambda: reindex(settings, args.batch)))
    except SearchUnavailable as e:
        print(f"error: {e}")
        return 1
    return 0


def run_drain(settings: Settings, args: argparse.Namespace) -> int:
    from search.factory import make_index
    from search.outbox import drain, pending_count

    async def go() -> int:
        index = make_index(settings)
        try:
            report = await drain(index)
        finally:
            await index.close()
        left = await pending_count()
        print(
            f"applied {report.applied}, failed {report.failed}, pending {left}"
            + (f", embedded fallback took {report.fallback_applied}" if report.fallback_applied else "")
            + (f" (last error: {report.last_error})" if report.last_error else "")
        )
        return 1 if report.failed else 0

    return asyncio.run(_with_db(settings, go))
