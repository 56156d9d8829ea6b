"""Read snapshots: all the reads behind one page on one connection, in one transaction.

Piccolo's SQLite engine opens a new connection (and a new aiosqlite thread) for every query
outside a transaction, about 2-3 ms each; a page needing four queries spends most of its time
there. `read_snapshot()` runs a page's reads in one deferred transaction on a connection kept
from an earlier page: the queries see one consistent snapshot (WAL mode), never block writers,
and cost well under a millisecond each. On PostgreSQL it is an ordinary transaction holding one
pool connection for the page. Only for read-only handlers: writes use db.tx.write_transaction().
"""

from __future__ import annotations

import asyncio

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, dict_factory

from db.tx import engine

IDLE_MAX = 8  # connections kept per event loop (one per concurrent page is plenty)
_idle: dict[tuple[int, int], list[aiosqlite.Connection]] = {}


async def _open(db: SQLiteEngine) -> aiosqlite.Connection:
    conn = aiosqlite.connect(**db.connection_kwargs)
    # Kept connections outlive requests; a daemon worker thread lets the process exit without an
    # explicit close (a read-only connection needs no orderly shutdown).
    thread = getattr(conn, "_thread", None)
    if thread is not None:
        thread.daemon = True
    conn = await conn
    conn.poolable = thread is not None  # type: ignore[attr-defined]  # otherwise closed after the page, as Piccolo does
    conn.row_factory = dict_factory  # type: ignore[assignment]  # as Piccolo's own connections
    await conn.execute("PRAGMA foreign_keys = 1")
    return conn


class _PooledReadTransaction(SQLiteTransaction):
    """A deferred transaction whose connection comes from, and goes back to, the idle list."""

    def _key(self) -> tuple[int, int]:
        return (id(self.engine), id(asyncio.get_running_loop()))

    async def get_connection(self):
        idle = _idle.get(self._key())
        if idle:
            return idle.pop()
        return await _open(self.engine)

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            # Reads only: ending the transaction either way releases the snapshot.
            await self.connection.execute("ROLLBACK")
        except Exception:
            await self.connection.close()
        else:
            idle = _idle.setdefault(self._key(), [])
            if getattr(self.connection, "poolable", False) and len(idle) < IDLE_MAX:
                idle.append(self.connection)
            else:
                await self.connection.close()
        finally:
            self.engine.current_transaction.reset(self.context)
        return exception is None


async def close_idle(db: SQLiteEngine) -> None:
    """Close the connections kept for `db` on this event loop (when the app shuts down)."""
    for conn in _idle.pop((id(db), id(asyncio.get_running_loop())), []):
        await conn.close()


def read_snapshot():
    db = engine()
    if isinstance(db, SQLiteEngine):
        return _PooledReadTransaction(db)
    return db.transaction()
