"""Liveness and readiness (issue 13 item 12), JSON, never cached, outside the rate limit.

- GET /healthz: the process answers (200 `{"status": "ok"}`); it asks nothing else, so a slow
  database never gets a healthy process restarted.
- GET /readyz: the database answers, every migration of this release has run, the search backend
  answers, and the search outbox lags by less than READY_OUTBOX_LAG_SECONDS; 200 when all hold,
  else 503 with each check's result (domain.readiness)."""

from __future__ import annotations

import asyncio

from litestar import Controller, Request, get
from litestar.response import Response

from db import health as db_health
from domain.readiness import Check, Readiness, migrations_check, outbox_check
from search.outbox import oldest_pending_age, pending_count

NO_STORE = {"Cache-Control": "no-store"}
CHECK_TIMEOUT = 3.0  # seconds each check may take before it counts as failed


async def _timed(name: str, coro) -> Check:
    try:
        return await asyncio.wait_for(coro, CHECK_TIMEOUT)
    except TimeoutError:
        return Check(name, False, f"no answer within {CHECK_TIMEOUT:.0f} s")
    except Exception as e:
        return Check(name, False, f"{type(e).__name__}: {e}"[:300])


async def _database() -> Check:
    await db_health.ping()
    return Check("database", True, "answers")


async def _migrations() -> Check:
    return migrations_check(db_health.expected_migrations(), await db_health.applied_migrations())


async def _search(request: Request) -> Check:
    n = await request.app.state.search_index.count()
    return Check("search", True, f"{request.app.state.settings.search_backend}: {n} documents")


async def _outbox(request: Request) -> Check:
    return outbox_check(
        await oldest_pending_age(), await pending_count(), request.app.state.settings.ready_outbox_lag_seconds
    )


class HealthController(Controller):
    include_in_schema = False
    opt = {"exclude_from_auth": True}  # probes and scrapers carry no token

    @get("/healthz", name="ops:healthz", cache=False)
    async def healthz(self) -> Response[dict]:
        return Response({"status": "ok"}, headers=NO_STORE)

    @get("/readyz", name="ops:readyz", cache=False)
    async def readyz(self, request: Request) -> Response[dict]:
        checks = []
        for name, coro in (
            ("database", _database()),
            ("migrations", _migrations()),
            ("search", _search(request)),
            ("search_outbox", _outbox(request)),
        ):
            checks.append(await _timed(name, coro))
        r = Readiness(checks)
        return Response(r.as_json(), status_code=200 if r.ready else 503, headers=NO_STORE)
