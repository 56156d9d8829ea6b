"""Read snapshots: all the reads behind one page on one connection, in one transaction.

Piccolo's SQLite engine opens a new connection for every query outside a transaction (about
2-3 ms each); a page needing four queries spends most of its time there. Inside a deferred
transaction the queries share one connection (well under 1 ms each) and, in WAL mode, see one
consistent snapshot without blocking writers. On PostgreSQL it holds one pool connection for
the page. Only for read-only handlers: writes use db.tx.write_transaction().
"""

from __future__ import annotations

from db.tx import engine


def read_snapshot():
    return engine().transaction()
