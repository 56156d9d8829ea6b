"""Build the Piccolo engine from settings and bind every table to it.

Piccolo normally finds its engine through `piccolo_conf.py` at import time; the app
instead binds tables explicitly so that tests can build their own settings.
"""

from __future__ import annotations

from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from db.snapshot import close_idle
from db.tables import ALL_TABLES


def postgres_config(url: str) -> dict:
    u = urlparse(url)
    return {
        "host": u.hostname or "127.0.0.1",
        "port": u.port or 5432,
        "user": unquote(u.username or "postgres"),
        "password": unquote(u.password or ""),
        "database": (u.path or "/postgres").lstrip("/") or "postgres",
    }


def make_engine(database_url: str) -> Engine:
    if database_url.startswith(("postgres://", "postgresql://")):
        return PostgresEngine(config=postgres_config(database_url))
    prefix = "sqlite:///"
    if not database_url.startswith(prefix):
        raise ValueError(f"DATABASE_URL must start with {prefix} or postgresql://, got {database_url!r}")
    # timeout: wait for a writer instead of failing with 'database is locked'.
    return SQLiteEngine(path=database_url[len(prefix) :], timeout=30)


def bind_tables(engine: Engine) -> None:
    for table in ALL_TABLES:
        table._meta._db = engine


async def open_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, SQLiteEngine):
        await close_idle(engine)  # connections kept for read snapshots
