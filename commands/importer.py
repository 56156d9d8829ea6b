"""`gongshi import KIND FILE --as USERNAME`: bulk import of entities, results, honours, scan records."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from importer.jobs import RunStatus
from settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    from importer.run import KINDS

    s = sub.add_parser(
        "import",
        help="import a CSV or XLSX file (all rows or none)",
        description="Validate every row of FILE, print a report, and store all rows in one transaction "
        "only if every row is valid. Exit code 0 = stored, 1 = file rejected (nothing "
        "stored), 2 = usage error.",
    )
    s.add_argument("kind", choices=KINDS)
    s.add_argument("file", type=Path)
    s.add_argument(
        "--as",
        dest="actor",
        required=True,
        metavar="USERNAME",
        help="the officer account the import is done as (audit log; results, honours and "
        "scan records are published under this officer's department)",
    )
    s.add_argument("--encoding", default="utf-8", help="CSV encoding: utf-8 (default, BOM optional) or gb18030")
    s.add_argument("--max-problems", type=int, default=50, help="problems printed (default 50)")
    s.add_argument("--report", type=Path, help="write every problem to this CSV file")
    s.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")
    s.add_argument(
        "--check-only",
        action="store_true",
        help="run every check an import makes (duplicates in the database included), report, and store "
        "nothing; exit code 0 = every row valid",
    )
    s.add_argument(
        "--status-file",
        type=Path,
        metavar="PATH",
        help="keep a JSON file of the run's state, progress and outcome (the back office's import page)",
    )
    s.add_argument(
        "--no-index",
        dest="index",
        action="store_false",
        help="leave the search index to the server's outbox worker instead of updating it before "
        "exiting (the records are then found by search only once the server has applied them)",
    )
    s.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes checking rows while this one writes (default: one per CPU for a "
        "large file; 1 = check in this process)",
    )
    s.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    status = RunStatus(args.status_file) if args.status_file else None
    try:
        code = await _import(settings, args, status)
    except BaseException as e:
        if status is not None:
            status.finish("failed", message=f"{type(e).__name__}: {e}")
        raise
    return code


async def _import(settings: Settings, args: argparse.Namespace, status: RunStatus | None) -> int:
    from db.engine import bind_tables, close_engine, make_engine, open_engine
    from db.lookups import department_index, user_by_name
    from domain.auth import Principal
    from importer.run import print_report, run_import, write_report_csv

    engine = make_engine(settings.database_url)
    bind_tables(engine)
    await open_engine(engine)
    try:
        user = await user_by_name(args.actor)
        if user is None or not user["active"]:
            return _usage(status, f"no active account {args.actor!r} (create one with `gongshi create-user`)")
        if user["role"] not in ("officer", "admin"):
            return _usage(status, f"{args.actor!r} is a {user['role']} account; imports are done by officers")
        actor = Principal(username=user["username"], role=user["role"], department_code=user["department_code"])
        try:
            outcome = await run_import(
                engine,
                args.kind,
                args.file,
                actor,
                await department_index(),
                encoding=args.encoding,
                progress=args.progress,
                workers=args.workers,
                check_only=args.check_only,
                on_progress=status.progress if status is not None else None,
            )
        except Exception as e:  # e.g. a concurrent writer inserted the same key: the transaction rolled back
            message = f"the database refused the import, nothing was stored ({type(e).__name__}: {e})"
            if status is not None:
                status.finish("failed", message=message)
            print(f"error: {message}", file=sys.stderr)
            return 1
        print_report(outcome, sys.stdout if outcome.ok else sys.stderr, args.max_problems)
        if outcome.stored and args.index:
            # Before "done": the import page says done once its records are found by search.
            if status is not None:
                status.progress("indexing", outcome.stored, outcome.stored)
            from commands.search import index_pending

            await index_pending(settings, sys.stdout)
    finally:
        await close_engine(engine)
    if args.report and outcome.problems:
        write_report_csv(outcome, args.report)
        print(f"full report: {args.report}", file=sys.stderr)
    if status is not None:
        status.finish(
            "done" if outcome.ok else "rejected",
            rows=outcome.rows,
            valid=outcome.valid,
            stored=outcome.stored,
            problems=len(outcome.problems),
            seconds=round(outcome.seconds, 2),
        )
    return 0 if outcome.ok else 1


def _usage(status: RunStatus | None, message: str) -> int:
    if status is not None:
        status.finish("failed", message=message)
    print(f"error: {message}", file=sys.stderr)
    return 2
