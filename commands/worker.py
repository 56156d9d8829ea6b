"""`gongshi worker`: the background jobs without the web server — for a deployment whose web
processes run with JOBS=0. Several may run (on several hosts, with PostgreSQL): one leads, the
others wait to take over (ops.jobs). Stops on SIGTERM or Ctrl+C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import types

from settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("worker", help="run the background jobs (search outbox, daily withdrawal, upload sweep)")
    s.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings))


async def _run(settings: Settings) -> int:
    from db.engine import bind_tables, close_engine, make_engine, open_engine
    from ops.jobs import JobRunner
    from ops.logs import configure
    from search.factory import make_index

    configure(settings.log_format)
    engine = make_engine(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    index = make_index(settings)
    runner = JobRunner(settings, index, types.SimpleNamespace())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await runner.start()
        print("gongshi worker: running (the jobs start once this process leads)", file=sys.stderr)
        await stop.wait()
    finally:
        await runner.stop()
        await index.close()
        await close_engine(engine)
    return 0
