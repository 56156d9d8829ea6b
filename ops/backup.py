"""Backups that restore (issue 13 item 14): `gongshi backup DIR` and `gongshi restore DIR`.

A backup folder holds
- `database.sqlite` (SQLite's online backup API: a consistent copy while the portal runs) or
  `database.dump` (`pg_dump --format=custom`, one consistent snapshot);
- `files/`: a copy of FILES_DIR (evidence, attachments, guide files, letters, imports);
- `manifest.json`: when, from which engine, the row count of every table and the SHA-256 and size
  of every file — so a restore refuses a damaged or altered backup before it touches anything,
  and checks afterwards that every table has the rows it had.
The search index is not backed up: it is rebuilt from the database after a restore (`reindex`)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.engine import postgres_config
from db.tables import ALL_TABLES
from settings import Settings

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


def file_entries(root: Path) -> dict[str, dict[str, Any]]:
    """Every file under `root` (but the manifest): relative path → size and SHA-256."""
    out: dict[str, dict[str, Any]] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != MANIFEST:
            out[p.relative_to(root).as_posix()] = {"size": p.stat().st_size, "sha256": sha256(p)}
    return out


def damaged(root: Path, manifest: dict[str, Any]) -> list[str]:
    """The files the manifest lists that are missing, of another size or another checksum, and
    files it does not list."""
    problems = []
    have = file_entries(root)
    for name, want in manifest["files"].items():
        got = have.get(name)
        if got is None:
            problems.append(f"{name}: missing")
        elif got != want:
            problems.append(f"{name}: checksum differs")
    problems += [f"{name}: not in the manifest" for name in sorted(set(have) - set(manifest["files"]))]
    return problems


TABLES = [t._meta.tablename for t in ALL_TABLES]


def _sqlite_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in TABLES}
    finally:
        con.close()


async def _pg_counts(url: str) -> dict[str, int]:
    import asyncpg

    con = await asyncpg.connect(**postgres_config(url))
    try:
        return {t: await con.fetchval(f'SELECT COUNT(*) FROM "{t}"') for t in TABLES}
    finally:
        await con.close()


def counts(settings: Settings) -> dict[str, int]:
    if settings.is_postgres:
        return asyncio.run(_pg_counts(settings.database_url))
    return _sqlite_counts(Path(settings.sqlite_path))


def _pg_env(url: str) -> tuple[dict[str, str], str]:
    c = postgres_config(url)
    env = {**os.environ, "PGHOST": c["host"], "PGPORT": str(c["port"]), "PGUSER": c["user"]}
    if c.get("password"):
        env["PGPASSWORD"] = c["password"]
    return env, c["database"]


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")


async def _pg_backup(url: str, dump: Path) -> dict[str, int]:
    """pg_dump of one exported snapshot, and the row counts read in that same snapshot, so the
    manifest describes exactly the dump even while the portal writes."""
    import asyncpg

    con = await asyncpg.connect(**postgres_config(url))
    try:
        async with con.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await con.fetchval("SELECT pg_export_snapshot()")
            table_counts = {t: await con.fetchval(f'SELECT COUNT(*) FROM "{t}"') for t in TABLES}
            env, db = _pg_env(url)
            proc = await asyncio.create_subprocess_exec(
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(dump),
                db,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _out, err = await proc.communicate()
            if proc.returncode != 0:
                raise BackupError(f"pg_dump failed ({proc.returncode}): {err.decode(errors='replace').strip()[-500:]}")
    finally:
        await con.close()
    return table_counts


@dataclass
class Summary:
    folder: Path
    rows: int
    files: int
    bytes: int


def backup(settings: Settings, folder: Path) -> Summary:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    if settings.is_postgres:
        table_counts = asyncio.run(_pg_backup(settings.database_url, folder / "database.dump"))
        engine = "postgresql"
    else:
        src = sqlite3.connect(settings.sqlite_path)
        dst = sqlite3.connect(folder / "database.sqlite")
        try:
            src.backup(dst)  # consistent even while the portal writes
        finally:
            dst.close()
            src.close()
        engine = "sqlite"
        table_counts = _sqlite_counts(folder / "database.sqlite")  # the copy's own counts
    files_dir = Path(settings.files_dir)
    if files_dir.is_dir():
        shutil.copytree(files_dir, folder / "files", symlinks=False)
    entries = file_entries(folder)
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "tables": table_counts,
        "files": entries,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Summary(folder, sum(table_counts.values()), len(entries), sum(e["size"] for e in entries.values()))


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}: not a gongshi backup")
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def restore(settings: Settings, folder: Path, force: bool = False) -> dict[str, int]:
    """Check the backup, then put its database and files in place; returns the restored counts.
    Refuses a database that holds records unless `force`."""
    manifest = read_manifest(folder)
    problems = damaged(folder, manifest)
    if problems:
        raise BackupError("the backup is damaged, nothing was restored: " + "; ".join(problems[:10]))
    want = "postgresql" if settings.is_postgres else "sqlite"
    if manifest["engine"] != want:
        raise BackupError(f"the backup is of a {manifest['engine']} database; DATABASE_URL is {want}")
    if not force:
        try:
            present = counts(settings)
        except Exception:
            present = {}
        busy = {t: n for t, n in present.items() if n and t in ("inspection_result", "entity", "portal_user")}
        if busy:
            raise BackupError(
                f"the database already holds records ({', '.join(f'{t}: {n}' for t, n in busy.items())}); "
                "restore into an empty one, or pass --force to replace it"
            )
    if settings.is_postgres:
        env, db = _pg_env(settings.database_url)
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                db,
                str(folder / "database.dump"),
            ],
            env,
        )
    else:
        target = Path(settings.sqlite_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        src = sqlite3.connect(folder / "database.sqlite")
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
    files_src, files_dst = folder / "files", Path(settings.files_dir)
    if files_src.is_dir():
        shutil.copytree(files_src, files_dst, dirs_exist_ok=True)
    restored = counts(settings)
    differ = {t: (n, restored.get(t)) for t, n in manifest["tables"].items() if restored.get(t) != n}
    if differ:
        raise BackupError(f"restored, but the counts differ from the backup's: {differ}")
    return restored
