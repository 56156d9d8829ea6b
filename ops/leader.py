"""One leader per deployment for the background jobs (issue 13 item 10), however many web
workers or `gongshi worker` processes run: the process that holds the lock runs the jobs; the
others try again every few seconds, so when the leader dies another takes over.

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own,
  held for the process's life; the server drops it when the process or its connection dies.
- SQLite: an exclusive `flock` on `<database file>.jobs.lock`; the kernel drops it with the
  process. (SQLite serves one host, so one lock file is enough.)"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from db.engine import postgres_config
from settings import Settings

# pg_advisory_lock's key: one number for "the gongshi background jobs" in this database.
ADVISORY_KEY = 0x67_6F6E_6773_6869  # "gongshi"


class Leadership:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pg: Any = None
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._pg is not None or self._fd is not None

    async def try_acquire(self) -> bool:
        if self.held:
            return True
        if self.settings.is_postgres:
            import asyncpg

            conn = await asyncpg.connect(**postgres_config(self.settings.database_url))
            got = await conn.fetchval("SELECT pg_try_advisory_lock($1)", ADVISORY_KEY)
            if got:
                self._pg = conn
            else:
                await conn.close()
            return bool(got)
        path = Path(self.settings.sqlite_path + ".jobs.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def release(self) -> None:
        if self._pg is not None:
            conn, self._pg = self._pg, None
            try:
                await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_KEY)
            finally:
                await conn.close()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
