"""Issue 13 item 3: a `gongshi import` killed mid-way leaves nothing behind — its checking workers
die with it (PR_SET_PDEATHSIG), its database connection closes so no transaction stays open
holding locks (the next import runs, it does not hang), nothing of the file is stored — and a
SQLite database a killed load left in rollback-journal mode is back in WAL after the next load."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from db.tables import Result
from db.users import create_user
from demo.departments import load_regions_and_departments
from tests.helpers import PASSWORD, make_uscc

ROOT = Path(__file__).resolve().parent.parent
DEPT = "371500-scjg"
HEADER = "任务单号,统一社会信用代码,经营主体名称,检查部门,检查日期,检查结果\n"


def big_file(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for i in range(rows):
            fh.write(f"K-{i},{make_uscc(seed=50_000 + i)},聊城市中断测试{i}有限公司,{DEPT},2025-05-0{1 + i % 9},N01\n")
    return path


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (killed, not yet reaped by init) is gone for every purpose here.
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split(") ", 1)[1][0] != "Z"


async def test_a_killed_import_leaves_no_worker_no_open_transaction_and_nothing_stored(
    client, settings, tmp_path
) -> None:
    await load_regions_and_departments()
    await create_user("importer", PASSWORD, "officer", department_code=DEPT)
    env = {**os.environ, "DATABASE_URL": settings.database_url, "SEARCH_PATH": settings.search_path}
    status = tmp_path / "status.json"
    data = await asyncio.to_thread(big_file, tmp_path / "big.csv", 200_000)
    cmd = [sys.executable, str(ROOT / "cli.py"), "import", "results", str(data), "--as", "importer"]
    proc = subprocess.Popen(
        [*cmd, "--no-progress", "--workers", "2", "--status-file", str(status)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers: list[int] = []
        for _ in range(600):  # until rows are being checked by the workers
            await asyncio.sleep(0.1)
            workers = children(proc.pid)
            if status.exists():
                state = json.loads(status.read_text() or "{}")
                if state.get("rows_done", 0) > 0 and len(workers) >= 2:
                    break
        assert len(workers) >= 2, "the import never reached its checking workers"
        proc.kill()
        proc.wait()
        for _ in range(50):
            if not any(alive(w) for w in workers):
                break
            await asyncio.sleep(0.1)
        assert not [w for w in workers if alive(w)], "checking workers outlived the killed import"
    finally:
        if proc.poll() is None:
            proc.kill()
    assert await Result.count() == 0  # one transaction: nothing of the file stored

    # The next import neither waits for a lock of the dead one nor fails.
    small = tmp_path / "small.csv"
    small.write_text(
        HEADER + f"K-OK,{make_uscc(seed=1)},聊城市中断后有限公司,{DEPT},2025-05-02,N01\n", encoding="utf-8"
    )
    p = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(ROOT / "cli.py"), "import", "results", str(small), "--as", "importer", "--no-progress"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert await Result.count() == 1
    if settings.is_postgres:
        rows = await Result.raw(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%'"
        )
        assert rows[0]["n"] == 0


async def test_a_load_puts_back_the_wal_a_killed_load_left_in_rollback_journal(tmp_path) -> None:
    from db.bulk import bulk_session
    from db.engine import make_engine

    path = tmp_path / "left.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x INTEGER)")
    con.execute("PRAGMA journal_mode = DELETE")  # as a load killed between its two switches leaves it
    con.close()
    engine = make_engine(f"sqlite:///{path}")
    async with bulk_session(engine):
        pass
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        con.close()
