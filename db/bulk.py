"""A fast path for writing many rows in ONE transaction (import, demo data).

Piccolo's `Table.insert` builds a statement per chunk and re-reads every row; at a million
rows that is minutes. Here one connection does plain `executemany` (SQLite, through the
`sqlite3` module on the same file, with `BEGIN IMMEDIATE` so no other writer interleaves)
or `COPY` (PostgreSQL, through asyncpg from the Piccolo engine's pool). Everything written
in one `bulk_session()` commits together or not at all.

No business rules here: callers decide what rows to write; this module only writes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, convert_date_in, convert_datetime_in

CHUNK = 20_000  # rows handed to the driver at once: bounded memory, few round trips
DEFER_INDEXES_AT = 100_000  # rows in one load from which rebuilding indexes beats updating them

# Dates and times are written by the adapters piccolo.engine.sqlite registers with the sqlite3
# module when imported (above), so bulk rows have exactly the stored form of Piccolo's own
# inserts (timestamps converted to UTC). Never register other adapters: they are process-wide.


T = TypeVar("T")


def _run_to_end(coro: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends (the SQLite session's methods are coroutines only
    to share an interface with asyncpg's; they call sqlite3 directly) without an event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("a SQLite bulk write waited for an event loop")


def _literal(value: Any) -> str:
    """A constant as SQL text (SQLite): only plain values, strings quoted with '' doubled."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"not a plain SQL constant: {value!r}")


class BulkSession:
    """One connection inside one open transaction."""

    # Told about long steps that report no rows (rebuilding indexes), for a progress line.
    on_phase: Callable[[str], Any] | None = None

    async def fetch(self, sql: str, *args: Any) -> list[tuple]:
        raise NotImplementedError

    def stamp(self, at: Any) -> Any:
        """A timestamp as the driver should receive it. Rows of one load share a few timestamps;
        converting each once (instead of the sqlite3 adapter running per cell, 6 per result)
        saves seconds per million rows."""
        return at

    def day(self, d: Any) -> Any:
        """A date as the driver should receive it (see `stamp`)."""
        return d

    async def reserve_ids(self, table: str, n: int, pk: str = "id") -> list[int]:
        """Ids for `n` rows about to be inserted, so child rows can point at them."""
        raise NotImplementedError

    async def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple], fixed: Sequence[tuple[str, Any]] = ()
    ) -> None:
        """`fixed`: (column, value) pairs the same for every row (str, int, bool or None)."""
        raise NotImplementedError

    async def existing(
        self, table: str, columns: Sequence[str], keys: Sequence[tuple], types: Sequence[str] | None = None
    ) -> set[int]:
        """Positions in `keys` (values of `columns`) of the keys already present in `table`.
        `types` are the PostgreSQL types of the columns (default text)."""
        raise NotImplementedError

    async def lookup(self, table: str, key: str, values: Sequence[str], out: Sequence[str]) -> list[tuple]:
        """Rows (key, *out) of `table` whose text column `key` is one of `values`."""
        raise NotImplementedError

    async def execute(self, sql: str, *args: Any) -> None:
        """A statement with `{}` placeholders (one per argument)."""
        await self.fetch(sql, *args)

    @contextlib.asynccontextmanager
    async def indexes_deferred(
        self, tables: Sequence[str], rows: int, indexes: Sequence[str], keep_if_rows: Sequence[str] = ()
    ) -> AsyncIterator[None]:
        """For a large load: drop the named `indexes` of `tables` and build them again at the end
        (sorting once beats a million inserts at random places), except those in `keep_if_rows`
        while the table has earlier rows (checks against them need the index). SQLite only; DDL
        is transactional there, so a failure restores them, and a rebuilt unique index still
        rejects duplicates."""
        yield

    async def insert_split(
        self, table: str, columns: tuple[str, str, str], source: str, list_column: str, ids: Sequence[int]
    ) -> None:
        """One `table` row (id, item, year) per item of the comma-separated `list_column` of each
        `source` row in `ids`: the join rows of a result's categories or departments, written by
        the database from the row just inserted instead of a million Python tuples."""
        raise NotImplementedError

    async def insert_per_row(
        self,
        table: str,
        columns: Sequence[str],
        values: Sequence[tuple[Any, str]],
        source: str,
        key_column: str,
        ids: Sequence[int],
    ) -> None:
        """INSERT INTO table (columns) one row per `source` row in `ids`: the constants `values`
        ((value, PostgreSQL type) pairs, in `columns` order) followed by the source row's
        `key_column` as text (the last of `columns`). Audit, change-log and outbox rows of a load."""
        raise NotImplementedError

    def in_background(self, work: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        """Start `work()` (a coroutine using this session) so that the caller can go on with
        other things, not with this session, until it awaits the result. PostgreSQL: just the
        coroutine. SQLite: run in a thread, where SQLite's C code works without the GIL while
        this thread runs Python."""
        return asyncio.ensure_future(work())

    async def insert_chunked(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[tuple],
        progress: Any = None,
        fixed: Sequence[tuple[str, Any]] = (),
    ) -> None:
        for i in range(0, len(rows), CHUNK):
            part = rows[i : i + CHUNK]
            await self.insert(table, columns, part, fixed)
            if progress is not None:
                progress(len(part))


class SQLiteBulk(BulkSession):
    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    async def fetch(self, sql: str, *args: Any) -> list[tuple]:
        return self.con.execute(sql.replace("{}", "?"), args).fetchall()

    def in_background(self, work: Callable[[], Awaitable[T]]) -> Awaitable[T]:
        coro = work()
        assert isinstance(coro, Coroutine)  # the session's methods are coroutines
        return asyncio.ensure_future(asyncio.to_thread(_run_to_end, coro))

    def stamp(self, at: Any) -> Any:
        return convert_datetime_in(at)  # exactly the form Piccolo's adapter stores

    def day(self, d: Any) -> Any:
        return convert_date_in(d)  # called directly: cheaper than the adapter lookup per cell

    async def execute(self, sql: str, *args: Any) -> None:
        self.con.execute(sql.replace("{}", "?"), args)

    @contextlib.asynccontextmanager
    async def indexes_deferred(
        self, tables: Sequence[str], rows: int, indexes: Sequence[str], keep_if_rows: Sequence[str] = ()
    ) -> AsyncIterator[None]:
        existing = self.con.execute(f'SELECT COUNT(*) FROM "{tables[0]}"').fetchone()[0]
        if rows < DEFER_INDEXES_AT or rows < existing:
            yield
            return
        names = [n for n in indexes if not (existing and n in keep_if_rows)]
        marks = ", ".join("?" for _ in tables)
        found = dict(
            self.con.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
                list(tables),
            ).fetchall()
        )
        dropped = [(name, found[name]) for name in names if name in found]
        for name, _sql in dropped:
            self.con.execute(f'DROP INDEX "{name}"')
        yield
        if self.on_phase:
            self.on_phase(f"rebuilding {len(dropped)} indexes")
        for _name, sql in dropped:
            self.con.execute(sql)

    @staticmethod
    def _id_range(ids: Sequence[int]) -> tuple[int, int]:
        # Ids of one load are consecutive: reserve_ids hands them out under BEGIN IMMEDIATE.
        lo, hi = ids[0], ids[-1]
        if hi - lo + 1 != len(ids):
            raise ValueError("bulk ids must be consecutive")
        return lo, hi

    async def insert_split(
        self, table: str, columns: tuple[str, str, str], source: str, list_column: str, ids: Sequence[int]
    ) -> None:
        if not ids:
            return
        a, b, c = columns
        # '["x","y"]' from 'x,y': codes are letters, digits and '-' (validated), never quotes.
        self.con.execute(
            f'INSERT INTO "{table}" ("{a}", "{b}", "{c}") SELECT r.id, j.value, r.year FROM "{source}" r, '
            f"""json_each('["' || replace(r."{list_column}", ',', '","') || '"]') j """
            f"WHERE r.id BETWEEN ? AND ? AND j.value <> ''",
            self._id_range(ids),
        )

    async def insert_per_row(
        self,
        table: str,
        columns: Sequence[str],
        values: Sequence[tuple[Any, str]],
        source: str,
        key_column: str,
        ids: Sequence[int],
    ) -> None:
        if not ids:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in values)
        self.con.execute(
            f'INSERT INTO "{table}" ({cols}) SELECT {marks}, CAST(r."{key_column}" AS TEXT) FROM "{source}" r '
            f"WHERE r.id BETWEEN ? AND ? ORDER BY r.id",
            (*(v for v, _t in values), *self._id_range(ids)),
        )

    async def reserve_ids(self, table: str, n: int, pk: str = "id") -> list[int]:
        # Safe because BEGIN IMMEDIATE holds the write lock until commit.
        top = self.con.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"').fetchone()[0]
        return list(range(top + 1, top + 1 + n))

    async def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple], fixed: Sequence[tuple[str, Any]] = ()
    ) -> None:
        # Values the same in every row go into the statement once: binding them per row was a
        # quarter of the binding work of a result row.
        cols = ", ".join(f'"{c}"' for c in (*columns, *(c for c, _v in fixed)))
        marks = ", ".join(["?"] * len(columns) + [_literal(v) for _c, v in fixed])
        self.con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)

    async def existing(
        self, table: str, columns: Sequence[str], keys: Sequence[tuple], types: Sequence[str] | None = None
    ) -> set[int]:
        n = len(columns)
        defs = ", ".join(f"k{i}" for i in range(n))
        self.con.execute(f"CREATE TEMP TABLE _bulk_keys (pos INTEGER PRIMARY KEY, {defs})")
        try:
            self.con.executemany(
                f"INSERT INTO _bulk_keys VALUES (?, {', '.join('?' for _ in columns)})",
                ((i, *k) for i, k in enumerate(keys)),
            )
            on = " AND ".join(f't."{c}" = k.k{i}' for i, c in enumerate(columns))
            # CROSS JOIN keeps the keys as the outer loop: SQLite may otherwise walk the whole table.
            rows = self.con.execute(
                f'SELECT DISTINCT k.pos FROM _bulk_keys k CROSS JOIN "{table}" t ON {on}'
            ).fetchall()
        finally:
            self.con.execute("DROP TABLE _bulk_keys")
        return {r[0] for r in rows}

    async def lookup(self, table: str, key: str, values: Sequence[str], out: Sequence[str]) -> list[tuple]:
        self.con.execute("CREATE TEMP TABLE _bulk_vals (v TEXT PRIMARY KEY)")
        try:
            self.con.executemany("INSERT OR IGNORE INTO _bulk_vals VALUES (?)", ((v,) for v in values))
            cols = ", ".join(f't."{c}"' for c in (key, *out))
            return self.con.execute(
                f'SELECT {cols} FROM _bulk_vals k CROSS JOIN "{table}" t ON t."{key}" = k.v'
            ).fetchall()
        finally:
            self.con.execute("DROP TABLE _bulk_vals")


class PostgresBulk(BulkSession):
    def __init__(self, con: Any) -> None:
        self.con = con

    @staticmethod
    def _sql(sql: str) -> str:
        parts = sql.split("{}")
        return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))

    async def fetch(self, sql: str, *args: Any) -> list[tuple]:
        return [tuple(r) for r in await self.con.fetch(self._sql(sql), *args)]

    async def execute(self, sql: str, *args: Any) -> None:
        await self.con.execute(self._sql(sql), *args)

    async def insert_split(
        self, table: str, columns: tuple[str, str, str], source: str, list_column: str, ids: Sequence[int]
    ) -> None:
        if not ids:
            return
        a, b, c = columns
        # = ANY(ids), not a range: other sessions draw from the same sequence meanwhile.
        await self.con.execute(
            f'INSERT INTO "{table}" ("{a}", "{b}", "{c}") SELECT r.id, x, r.year FROM "{source}" r, '
            f"unnest(string_to_array(r.\"{list_column}\", ',')) AS x WHERE r.id = ANY($1::int[]) AND x <> ''",
            list(ids),
        )

    async def insert_per_row(
        self,
        table: str,
        columns: Sequence[str],
        values: Sequence[tuple[Any, str]],
        source: str,
        key_column: str,
        ids: Sequence[int],
    ) -> None:
        if not ids:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join(f"${i + 1}::{t}" for i, (_v, t) in enumerate(values))
        n = len(values) + 1
        await self.con.execute(
            f'INSERT INTO "{table}" ({cols}) SELECT {marks}, r."{key_column}"::text FROM "{source}" r '
            f"WHERE r.id = ANY(${n}::int[]) ORDER BY r.id",
            *(v for v, _t in values),
            list(ids),
        )

    @contextlib.asynccontextmanager
    async def indexes_deferred(
        self, tables: Sequence[str], rows: int, indexes: Sequence[str], keep_if_rows: Sequence[str] = ()
    ) -> AsyncIterator[None]:
        """PostgreSQL keeps its indexes (COPY is fast enough) but needs fresh statistics after a
        large load: without them the planner walked a quarter of a million rows for a page of 20."""
        yield
        if rows >= DEFER_INDEXES_AT:
            for t in tables:
                await self.con.execute(f'ANALYZE "{t}"')

    async def reserve_ids(self, table: str, n: int, pk: str = "id") -> list[int]:
        rows = await self.con.fetch(
            "SELECT nextval(pg_get_serial_sequence($1, $2)) FROM generate_series(1, $3)", table, pk, n
        )
        return [r[0] for r in rows]

    async def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple], fixed: Sequence[tuple[str, Any]] = ()
    ) -> None:
        if fixed:  # COPY has no constant columns: each record carries them
            extra = tuple(v for _c, v in fixed)
            columns, rows = (*columns, *(c for c, _v in fixed)), [(*r, *extra) for r in rows]
        await self.con.copy_records_to_table(table, records=rows, columns=list(columns))

    async def existing(
        self, table: str, columns: Sequence[str], keys: Sequence[tuple], types: Sequence[str] | None = None
    ) -> set[int]:
        if not keys:
            return set()
        types = types or ["text"] * len(columns)
        arrays = [[k[i] for k in keys] for i in range(len(columns))]
        unnest = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
        names = ", ".join(f"k{i}" for i in range(len(columns)))
        on = " AND ".join(f't."{c}" = k.k{i}' for i, c in enumerate(columns))
        rows = await self.con.fetch(
            f'SELECT DISTINCT k.pos FROM unnest({unnest}) WITH ORDINALITY AS k({names}, pos) JOIN "{table}" t ON {on}',
            *arrays,
        )
        return {r[0] - 1 for r in rows}

    async def lookup(self, table: str, key: str, values: Sequence[str], out: Sequence[str]) -> list[tuple]:
        cols = ", ".join(f't."{c}"' for c in (key, *out))
        rows = await self.con.fetch(
            f'SELECT {cols} FROM "{table}" t WHERE t."{key}" = ANY($1::text[])', list(set(values))
        )
        return [tuple(r) for r in rows]


@contextlib.asynccontextmanager
async def bulk_session(engine: Engine) -> AsyncIterator[BulkSession]:
    """Commit when the block ends normally; roll back everything if it raises."""
    if isinstance(engine, SQLiteEngine):
        # Used by one thread at a time: a writer thread (in_background) while the caller waits.
        con = sqlite3.connect(
            engine.connection_kwargs["database"],
            isolation_level=None,
            timeout=engine.connection_kwargs.get("timeout", 30),
            check_same_thread=False,
        )
        journal_switched = _rollback_journal_if_alone(con)
        try:
            # 1 GiB (allocated only as used): a million-row load's pages stay in memory until
            # COMMIT writes each once, instead of spilling and being written again.
            con.execute("PRAGMA cache_size = -1048576")
            con.execute("PRAGMA temp_store = MEMORY")
            con.execute("PRAGMA threads = 2")  # CREATE INDEX sorts with a helper thread
            con.execute("BEGIN IMMEDIATE")
            try:
                yield SQLiteBulk(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        finally:
            if journal_switched:
                _back_to_wal(con)
            con.close()
    elif isinstance(engine, PostgresEngine):
        pool = engine.pool
        con = await (pool.acquire() if pool else engine.get_new_connection())
        try:
            async with con.transaction():
                yield PostgresBulk(con)
        finally:
            await (pool.release(con) if pool else con.close())
    else:  # pragma: no cover - only the two engines exist
        raise TypeError(f"no bulk path for {type(engine).__name__}")


def _rollback_journal_if_alone(con: sqlite3.Connection) -> bool:
    """When no other connection has the database open, write this load through a rollback
    journal instead of the WAL. In WAL mode every new page is written twice (into the WAL at
    COMMIT, then into the database by the checkpoint: 10 of the 40 seconds of a 1,000,000-row
    import); with a rollback journal, pages appended to the file need no journal entry and are
    written once. Still one atomic transaction (a crash rolls back through the journal).
    Switching needs exclusive access, so with the portal running this does nothing."""
    mode = con.execute("PRAGMA journal_mode").fetchone()[0].lower()
    if mode == "delete":
        # An earlier load was killed before it switched back (the portal's databases are WAL:
        # `gongshi migrate`): this one finishes in DELETE mode and restores WAL at its end.
        return True
    if mode != "wal":
        return False
    con.execute("PRAGMA busy_timeout = 0")  # anyone else here: stay in WAL, do not wait
    try:
        switched = con.execute("PRAGMA journal_mode = DELETE").fetchone()[0].lower() == "delete"
    except sqlite3.OperationalError:  # database is locked: another connection is open
        switched = False
    con.execute("PRAGMA busy_timeout = 30000")
    return switched


def _back_to_wal(con: sqlite3.Connection) -> None:
    # Readers that connected meanwhile can block the switch for a moment; if they still do,
    # the database stays in rollback-journal mode until the next `gongshi migrate`/`serve`
    # (which sets WAL): correct either way, only slower for concurrent readers.
    try:
        con.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as e:
        import logging

        logging.getLogger(__name__).warning("database left in rollback-journal mode after a bulk load: %s", e)
