"""`gongshi demo --results N`: realistic, deterministic demo data (see demo/load.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "demo",
        help="generate demo data (refuses if the database holds data, unless --reset)",
        description="Generate realistic demo data: entities, results over 2023-2026 (~15% negative), "
        "honours, scan records, demo accounts, and the seed-based plans, guides and documents.",
    )
    s.add_argument("--results", type=int, default=20000, help="number of inspection results (default 20000)")
    s.add_argument("--entities", type=int, help="number of market entities (default 30%% of --results, at least 200)")
    s.add_argument("--seed", type=int, default=2026, help="random seed: the same seed gives the same data")
    s.add_argument("--reset", action="store_true", help="DELETE every record in the database first")
    s.add_argument("--no-progress", dest="progress", action="store_false")
    s.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.results < 1 or (args.entities is not None and args.entities < 10):
        print("error: --results must be at least 1 and --entities at least 10", file=sys.stderr)
        return 2
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from db.engine import bind_tables, close_engine, make_engine, open_engine
    from demo.load import DemoPresent, load_demo, load_records_if_present, print_summary

    engine = make_engine(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        try:
            summary = await load_demo(
                engine, settings, args.results, args.entities, args.seed, args.reset, args.progress
            )
        except DemoPresent as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        await load_records_if_present(settings, sys.stdout)
        # The whole index is built here, before the portal opens, so its first search is complete
        # (issue 13 item 13); the server's outbox worker then has nothing left to catch up.
        from commands.search import index_pending, reindex
        from search.index import SearchUnavailable

        try:
            await reindex(settings)
            # The rebuild leaves its last minute's outbox rows queued (their transactions might have
            # committed after it read them); nothing else writes now, so they are applied here.
            await index_pending(settings, sys.stdout)
        except SearchUnavailable as e:
            print(
                f"warning: the search index was not built ({e}); the server builds it from the outbox", file=sys.stderr
            )
    finally:
        await close_engine(engine)
    print_summary(summary, sys.stdout)
    return 0
