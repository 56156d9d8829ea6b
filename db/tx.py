"""Write transactions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from db.tables import Result


def engine() -> Engine[Any]:
    return Result._meta.db


def write_transaction() -> Any:
    """SQLite: BEGIN IMMEDIATE takes the write lock up front, so two writers queue
    instead of one failing half-way; PostgreSQL: an ordinary transaction."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()
