"""db.snapshot.read_snapshot: pages share kept connections, yet each page sees the latest
committed data, and an error inside a page neither leaks a transaction nor a connection."""

from __future__ import annotations

import pytest

from db import snapshot
from db.snapshot import read_snapshot
from db.tables import Document
from db.tx import write_transaction
from tests.portal_helpers import officer_headers
from tests.records_helpers import document_payload


async def test_snapshot_sees_new_commits_and_survives_errors(client, engine_name) -> None:
    h = await officer_headers(client)
    r = await client.post("/api/v1/admin/documents", headers=h, json=document_payload())
    doc_id = r.json()["id"]
    async with read_snapshot():
        assert (await Document.select(Document.title).where(Document.id == doc_id).first())["title"]
    with pytest.raises(ZeroDivisionError):
        async with read_snapshot():
            await Document.count()
            _ = 1 / 0
    # A write after the pages above is visible to the next page (a fresh snapshot each time).
    async with write_transaction():
        await Document.update({Document.title: "改后的标题"}).where(Document.id == doc_id)
    async with read_snapshot():
        row = await Document.select(Document.title).where(Document.id == doc_id).first()
    assert row["title"] == "改后的标题"
    if engine_name == "sqlite":
        idle = [c for conns in snapshot._idle.values() for c in conns]
        assert 1 <= len(idle) <= snapshot.IDLE_MAX  # connections were kept, not leaked
        # Nothing is left open inside them: a writer gets the lock at once.
        async with write_transaction():
            await Document.update({Document.title: "再改"}).where(Document.id == doc_id)


async def test_kept_connections_close_with_the_engine(tmp_path) -> None:
    """The app's shut-down closes the connections kept for read snapshots (they were left to
    the garbage collector, which warned about each one at interpreter exit)."""
    from piccolo.engine.sqlite import SQLiteEngine

    from db.engine import close_engine

    db = SQLiteEngine(path=str(tmp_path / "kept.sqlite"))
    async with snapshot._PooledReadTransaction(db) as t:
        await t.connection.execute("SELECT 1")
    kept = [c for key, conns in snapshot._idle.items() if key[0] == id(db) for c in conns]
    assert len(kept) == 1
    await close_engine(db)
    assert not any(key[0] == id(db) for key in snapshot._idle)
    with pytest.raises(ValueError):  # aiosqlite: "no active connection"
        await kept[0].execute("SELECT 1")
