"""The background jobs of a deployment — the search outbox worker, the daily withdrawal of
expired results (WITHDRAW_SCHEDULE), the daily sweep of abandoned uploads — run by exactly one
process however many there are (issue 13 item 10): the one holding ops.leader.Leadership.

Every web worker (JOBS=1, the default) and every `gongshi worker` contends; the others retry
every `RETRY_SECONDS`, so when the leader stops or dies another takes over within that time.
Each daily run and each leadership is written to `job_run` (who ran what, when, and how it ended),
which is also how an operator — or a test — sees that a job ran once."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

from db.tables import JobRun
from ops import metrics
from ops.leader import Leadership
from settings import Settings

log = logging.getLogger("gongshi.jobs")
RETRY_SECONDS = 5.0


@contextlib.asynccontextmanager
async def recorded(job: str) -> AsyncIterator[None]:
    """A `job_run` row for one run of `job`: started, then finished with ok or the error."""
    rows = await JobRun.insert(
        JobRun(job=job, pid=os.getpid(), host=socket.gethostname()[:100], started_at=dt.datetime.now(dt.UTC))
    ).returning(JobRun.id)
    run_id = rows[0]["id"]
    try:
        yield
    except BaseException as e:
        ok, detail = False, f"{type(e).__name__}: {e}"[:500]
        if isinstance(e, asyncio.CancelledError):
            detail = "stopped"
        await _finish(run_id, ok, detail)
        raise
    await _finish(run_id, True, "")
    metrics.job_succeeded(job)


async def _finish(run_id: int, ok: bool, detail: str) -> None:
    with contextlib.suppress(Exception):  # the database may be what failed
        await JobRun.update({JobRun.finished_at: dt.datetime.now(dt.UTC), JobRun.ok: ok, JobRun.detail: detail}).where(
            JobRun.id == run_id
        )


class JobRunner:
    """Contends for the lead; while it leads, runs the jobs the settings enable."""

    def __init__(self, settings: Settings, search_index: Any, state: Any) -> None:
        self.settings = settings
        self.search_index = search_index
        self.state = state  # the app's state: outbox_worker, withdraw_task, sweep_uploads_task
        self.leadership = Leadership(settings)
        self._contend: asyncio.Task[None] | None = None
        self._lead_run: Any = None

    async def start(self) -> None:
        """Lead now if the lock is free (the jobs start before the app serves), else keep trying."""
        if not await self._try_lead():
            self._contend = asyncio.create_task(self._keep_trying(), name="jobs-contend")

    async def _keep_trying(self) -> None:
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                if await self._try_lead():
                    return
            except Exception:  # the database is down: try again later
                log.exception("jobs: could not contend for the lead")

    async def _try_lead(self) -> bool:
        if not await self.leadership.try_acquire():
            return False
        log.info("jobs: process %d leads the background jobs", os.getpid())
        self._lead_run = recorded("leader")
        await self._lead_run.__aenter__()
        s = self.settings
        if s.outbox_worker:  # keeps the search index in step with published records
            from search.outbox import OutboxWorker

            self.state.outbox_worker = OutboxWorker(self.search_index)
            self.state.outbox_worker.start()
        if s.withdraw_schedule:  # credit repair: daily automatic stop of publicity
            from commands.repair import daily

            self.state.withdraw_task = asyncio.create_task(daily(s.withdraw_at))
        # Temporary upload folders left behind by a process killed mid-upload: swept in the
        # background now and then every day.
        from commands.uploads import daily as sweep_uploads_daily

        self.state.sweep_uploads_task = asyncio.create_task(sweep_uploads_daily(s.files_dir))
        return True

    async def stop(self) -> None:
        if self._contend is not None:
            self._contend.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._contend
        worker = getattr(self.state, "outbox_worker", None)
        if worker is not None:
            await worker.stop()
        for name in ("withdraw_task", "sweep_uploads_task"):
            task = getattr(self.state, name, None)
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._lead_run is not None:
            run, self._lead_run = self._lead_run, None
            await run.__aexit__(None, None, None)
        await self.leadership.release()
