"""`gongshi withdraw-expired`, and the same job as a daily in-process schedule.

Results past their maximum publicity period, and results whose linked penalty decision is no
longer public, stop being public (主动停止公示); a repair application pending for one of them is
closed as moot in the same transaction (db.repair._withdraw). The job is idempotent: its updates
only touch rows that are still public, so a second run, or a second web worker running it at the
same time, changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging

from ops.jobs import recorded
from settings import Settings

log = logging.getLogger("gongshi.repair")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


async def run_once(now: dt.datetime | None = None) -> dict[str, int]:
    from db import repair as repo
    from domain.repair_flow import withdraw_expired

    return await withdraw_expired(repo, now or dt.datetime.now(dt.UTC))


def seconds_until(at: str, now: dt.datetime) -> float:
    """Seconds from `now` to the next HH:MM in Asia/Shanghai."""
    hh, mm = (int(x) for x in at.split(":"))
    local = now.astimezone(SHANGHAI)
    nxt = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if nxt <= local:
        nxt += dt.timedelta(days=1)
    return (nxt - local).total_seconds()


async def daily(at: str, clock=None) -> None:
    """Run once at start-up (a restart must not skip a day), then every day at `at`."""
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    while True:
        try:
            async with recorded("withdraw_expired"):
                counts = await run_once(clock())
            log.info("withdraw-expired: %s", counts)
        except asyncio.CancelledError:
            raise
        except Exception:  # a failed run is retried at the next slot, never kills the app
            log.exception("withdraw-expired failed")
        await asyncio.sleep(seconds_until(at, clock()))


def cmd_withdraw_expired(settings: Settings, args: argparse.Namespace) -> int:
    from db.engine import bind_tables, close_engine, make_engine, open_engine

    now = None
    if args.today:
        now = dt.datetime.combine(args.today, dt.time(12, 0), tzinfo=SHANGHAI)

    async def main() -> dict[str, int]:
        engine = make_engine(settings.database_url)
        bind_tables(engine)
        await open_engine(engine)
        try:
            return await run_once(now)
        finally:
            await close_engine(engine)

    counts = asyncio.run(main())
    print(f"withdrawn: expired={counts['expired']} penalty_withdrawn={counts['penalty_withdrawn']}")
    return 0


def register(sub) -> None:
    s = sub.add_parser(
        "withdraw-expired", help="stop publicity of results past their maximum period or whose penalty was withdrawn"
    )
    s.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today in Asia/Shanghai)")
    s.set_defaults(func=cmd_withdraw_expired)
