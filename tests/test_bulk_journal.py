"""The bulk path's SQLite journal switch: a load with the database to itself writes through a
rollback journal and leaves the file in WAL mode; with another connection open it stays in WAL.
Runs on its own SQLite file whatever DATABASE_URL says (the switch exists only for SQLite)."""

from __future__ import annotations

import sqlite3

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from db.bulk import bulk_session


def _wal_file(tmp_path) -> str:
    path = str(tmp_path / "j.sqlite")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    con.close()
    return path


async def _load(path: str, rows: int, fail: bool = False) -> str:
    """Insert rows in a bulk session; returns the journal mode seen inside it."""
    async with bulk_session(SQLiteEngine(path=path)) as s:
        await s.insert("t", ("id", "v"), [(i, f"v{i}") for i in range(1, rows + 1)])
        mode = s.con.execute("PRAGMA journal_mode").fetchone()[0]  # type: ignore[attr-defined]
        if fail:
            raise RuntimeError("the load fails")
    return mode


async def test_a_lone_load_uses_a_rollback_journal_and_leaves_wal(tmp_path) -> None:
    path = _wal_file(tmp_path)
    assert await _load(path, 1000) == "delete"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1000


async def test_with_another_connection_open_the_load_stays_in_wal(tmp_path) -> None:
    path = _wal_file(tmp_path)
    reader = sqlite3.connect(path)
    reader.execute("SELECT COUNT(*) FROM t").fetchone()
    assert await _load(path, 10) == "wal"
    assert reader.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 10
    reader.close()


async def test_a_failed_lone_load_stores_nothing_and_leaves_wal(tmp_path) -> None:
    path = _wal_file(tmp_path)
    with pytest.raises(RuntimeError):
        await _load(path, 500, fail=True)
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 0
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_fixed_values_are_written_as_statement_constants(tmp_path) -> None:
    path = str(tmp_path / "f.sqlite")
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, note TEXT, n INTEGER, flag BOOLEAN, gone TEXT)")
    con.close()
    async with bulk_session(SQLiteEngine(path=path)) as s:
        await s.insert(
            "t",
            ("id", "v"),
            [(1, "a"), (2, "b")],
            fixed=(("note", "it's; DROP TABLE t --"), ("n", 7), ("flag", True), ("gone", None)),
        )
        with pytest.raises(TypeError):  # only plain values become SQL text
            await s.insert("t", ("id",), [(3,)], fixed=(("n", 1.5),))
    con = sqlite3.connect(path)
    assert con.execute("SELECT * FROM t ORDER BY id").fetchall() == [
        (1, "a", "it's; DROP TABLE t --", 7, 1, None),
        (2, "b", "it's; DROP TABLE t --", 7, 1, None),
    ]
