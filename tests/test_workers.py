"""Issue 13 item 10: `gongshi serve --workers 2` on the test database (SQLite: a file lock;
PostgreSQL: an advisory lock). Each background job runs once across the two processes — one
leader, one start-up withdrawal run, one start-up upload sweep — both workers serve; when the
leader is killed the other process takes the lead, and `gongshi worker` waits while a leader
holds it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from db.tables import JobRun
from ops.jobs import RETRY_SECONDS

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(settings, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "SEARCH_PATH": str(tmp_path / "search.sqlite"),
        "FILES_DIR": str(tmp_path / "files"),
        "DEMO_MODE": "1",
        "JOBS": "1",
        "OUTBOX_WORKER": "1",
        "WITHDRAW_SCHEDULE": "1",
    }


async def _runs(job: str) -> list[dict]:
    return await JobRun.select().where(JobRun.job == job).order_by(JobRun.id)


async def _wait_for(predicate, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not await predicate():
        assert loop.time() < end, "timed out"
        await asyncio.sleep(0.2)


async def test_two_workers_run_each_job_once_and_the_other_takes_over(client, settings, tmp_path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "serve", "--workers", "2", "--port", str(port), "--no-migrate"],
        env=_env(settings, tmp_path),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "server.log").open("w"),  # a file, never a pipe nobody reads: it would fill and block
        start_new_session=True,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

            async def serving() -> bool:
                try:
                    return (await http.get("/healthz")).status_code == 200
                except httpx.TransportError:
                    return False

            await _wait_for(serving)

            async def both_started() -> bool:
                return len(await _runs("sweep_uploads")) >= 1 and len(await _runs("withdraw_expired")) >= 1

            await _wait_for(both_started)
            await asyncio.sleep(2 * RETRY_SECONDS)  # the other worker has contended at least once meanwhile
            leaders = await _runs("leader")
            assert len(leaders) == 1, leaders
            leader_pid = leaders[0]["pid"]
            for job in ("sweep_uploads", "withdraw_expired"):
                runs = await _runs(job)
                assert [r["pid"] for r in runs] == [leader_pid], (job, runs)  # once, by the leader
            # Both processes answer requests (the non-leader serves; it only runs no jobs).
            rs = [await http.get("/api/v1/results") for _ in range(20)]
            assert {r.status_code for r in rs} == {200}

            # The leader dies: the other process leads within RETRY_SECONDS and runs the jobs.
            os.kill(leader_pid, signal.SIGKILL)

            async def new_leader() -> bool:
                return len(await _runs("leader")) == 2

            await _wait_for(new_leader, timeout=RETRY_SECONDS * 6)
            second = (await _runs("leader"))[1]
            assert second["pid"] != leader_pid
            await _wait_for(lambda: _ran_by("withdraw_expired", second["pid"]))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    # The leader of the end handed the lead back: its row is finished.
    last = (await _runs("leader"))[-1]
    assert last["finished_at"] is not None


async def _ran_by(job: str, pid: int) -> bool:
    return any(r["pid"] == pid for r in await _runs(job))


async def test_a_worker_waits_while_another_process_leads(client, settings, tmp_path, app) -> None:
    import dataclasses

    from app import create_app
    from db.engine import bind_tables

    leading = create_app(dataclasses.replace(settings, jobs=True, files_dir=str(tmp_path / "files")))
    for hook in leading.on_startup:
        await hook(leading)  # type: ignore[call-arg]
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "cli.py"), "worker"],
        env=_env(settings, tmp_path),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),  # a file, never a pipe nobody reads: it would fill and block
    )
    try:
        await asyncio.sleep(RETRY_SECONDS + 2)
        assert worker.poll() is None  # running, waiting its turn
        leaders = await _runs("leader")
        assert len(leaders) == 1 and leaders[0]["pid"] == os.getpid()
    finally:
        for hook in leading.on_shutdown:
            await hook(leading)  # type: ignore[call-arg]
        bind_tables(app.state.engine)  # give the tables back to the session app's engine
    # Now free: the waiting worker takes the lead and runs the daily jobs.
    await _wait_for(lambda: _leads(worker.pid), timeout=RETRY_SECONDS * 6)
    worker.send_signal(signal.SIGTERM)
    try:
        code = worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        raise AssertionError(
            "gongshi worker did not stop on SIGTERM:\n" + (tmp_path / "worker.log").read_text()[-3000:]
        ) from None
    assert code == 0, (tmp_path / "worker.log").read_text()[-3000:]
    assert (await _runs("leader"))[-1]["finished_at"] is not None


async def _leads(pid: int) -> bool:
    return any(r["pid"] == pid for r in await _runs("leader"))
