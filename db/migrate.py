"""Run the Piccolo migrations against DATABASE_URL (the only way the schema changes)."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def migrate(settings: Settings, quiet: bool = False) -> None:
    """Run in a child process: Piccolo finds its engine through piccolo_conf at import time,
    so a fresh interpreter guarantees it uses exactly this DATABASE_URL."""
    if not settings.is_postgres:
        path = Path(settings.sqlite_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers go on while one writer writes; it is a property of the file.
        con = sqlite3.connect(path)
        con.execute("PRAGMA journal_mode=WAL")
        con.close()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PICCOLO_CONF": "piccolo_conf",
        "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "piccolo.main", "migrations", "forwards", "gongshi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or "failed" in proc.stdout.lower():
        raise RuntimeError(f"migrations failed:\n{proc.stdout}\n{proc.stderr}")
    if not quiet:
        print(summary(proc.stdout))


def summary(piccolo_output: str) -> str:
    """Piccolo's report in a line or two: how many migrations ran, and what the data migrations
    said (their counts), without the emoji and the 'already complete' count it prints even for a
    new database."""
    ran = re.findall(r"^\s*- (\S+) \[forwards\]\.\.\.(.*?)ok!", piccolo_output, flags=re.M | re.S)
    if not ran:
        return "数据库已是最新 (the database is up to date)"
    notes = []
    for _id, said in ran:
        said = said.replace("Automatic transaction disabled", "").strip()
        if said:
            notes.append(f"  {said}")
    return "\n".join([f"已应用 {len(ran)} 个数据库迁移 (applied {len(ran)} migrations)", *notes])
