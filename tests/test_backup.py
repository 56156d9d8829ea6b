"""Issue 13 item 14: `gongshi backup DIR` then `gongshi restore DIR` into a fresh database (the
engine the suite runs on) gives back every row of every table and every file, checked against the
backup's manifest; a damaged backup or a database that holds records is refused and left alone."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from ops.backup import counts
from tests.repair_helpers import World

ROOT = Path(__file__).resolve().parent.parent
D = dt.date


def gongshi(*args: str, settings, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "FILES_DIR": settings.files_dir,
        "SEARCH_PATH": settings.search_path,
        **(extra or {}),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def fresh(settings, tmp_path):
    """Settings for an empty database of the suite's engine, and its own FILES_DIR."""
    target = dataclasses.replace(
        settings, files_dir=str(tmp_path / "restored-files"), search_path=str(tmp_path / "restored-search.sqlite")
    )
    if not settings.is_postgres:
        yield dataclasses.replace(target, database_url=f"sqlite:///{tmp_path / 'restored.sqlite'}")
        return
    import asyncpg

    from db.engine import postgres_config

    name = f"test_restore_{secrets.token_hex(4)}"
    admin = {**postgres_config(settings.database_url), "database": "postgres"}

    async def sql(statement: str) -> None:
        con = await asyncpg.connect(**admin)
        try:
            await con.execute(statement)
        finally:
            await con.close()

    asyncio.run(sql(f'CREATE DATABASE "{name}"'))
    base = settings.database_url.rsplit("/", 1)[0]
    try:
        yield dataclasses.replace(target, database_url=f"{base}/{name}")
    finally:
        asyncio.run(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def some_records(client, settings) -> None:
    w = await World().setup(client)
    for i in range(3):
        await w.publish(client, w.a, D(2025, 3, 3 + i), f"BK-{i}")
    evidence = Path(settings.files_dir) / "evidence" / "bk"
    evidence.mkdir(parents=True, exist_ok=True)
    (evidence / "整改报告.pdf").write_bytes(b"%PDF-1.4 backup test " + secrets.token_bytes(2000))


async def test_backup_and_restore_into_a_fresh_database(client, settings, tmp_path, fresh) -> None:
    await some_records(client, settings)
    before = await asyncio.to_thread(counts, settings)
    assert before["inspection_result"] == 3 and before["portal_user"] > 0
    folder = tmp_path / "backup-1"
    p = await asyncio.to_thread(gongshi, "backup", str(folder), settings=settings)
    assert p.returncode == 0, p.stderr
    assert "backed up" in p.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"] == before
    assert "files/evidence/bk/整改报告.pdf" in manifest["files"]

    p = await asyncio.to_thread(
        gongshi,
        "restore",
        str(folder),
        settings=fresh,
    )
    assert p.returncode == 0, p.stderr
    assert "the counts match the backup" in p.stdout and "indexed" in p.stdout
    assert await asyncio.to_thread(counts, fresh) == before
    restored = Path(fresh.files_dir) / "evidence" / "bk" / "整改报告.pdf"
    assert restored.read_bytes() == (Path(settings.files_dir) / "evidence" / "bk" / "整改报告.pdf").read_bytes()

    # Restoring again over the now full database is refused without --force …
    again = await asyncio.to_thread(gongshi, "restore", str(folder), settings=fresh)
    assert again.returncode == 1 and "already holds records" in again.stderr
    # … and with it replaces the database's content by the backup's.
    forced = await asyncio.to_thread(gongshi, "restore", str(folder), "--force", "--no-reindex", settings=fresh)
    assert forced.returncode == 0, forced.stderr
    assert await asyncio.to_thread(counts, fresh) == before


async def test_a_damaged_backup_is_refused_and_nothing_is_touched(client, settings, tmp_path, fresh) -> None:
    await some_records(client, settings)
    folder = tmp_path / "backup-2"
    assert (await asyncio.to_thread(gongshi, "backup", str(folder), settings=settings)).returncode == 0
    pdf = folder / "files" / "evidence" / "bk" / "整改报告.pdf"
    data = bytearray(pdf.read_bytes())
    data[100] ^= 0xFF
    pdf.write_bytes(bytes(data))
    p = await asyncio.to_thread(gongshi, "restore", str(folder), settings=fresh)
    assert p.returncode == 1
    assert "damaged" in p.stderr and "整改报告.pdf: checksum differs" in p.stderr
    assert not Path(fresh.files_dir).exists()  # nothing copied
    if not fresh.is_postgres:
        assert not Path(fresh.sqlite_path).exists()


async def test_backup_refuses_a_folder_that_is_not_empty(client, settings, tmp_path) -> None:
    folder = tmp_path / "used"
    folder.mkdir()
    (folder / "something").write_text("x")
    p = await asyncio.to_thread(gongshi, "backup", str(folder), settings=settings)
    assert p.returncode == 1 and "not empty" in p.stderr
