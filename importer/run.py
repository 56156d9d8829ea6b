"""Import one file: read, check EVERY row, report; store all rows in one transaction or none.

Rows are checked in batches (in worker processes for a large file, importer.parallel) and each
batch is written as soon as it is checked, inside ONE database transaction: duplicates within
the file and against the database are found batch by batch in file order. The first problem
stops the writing but not the checking, so the report lists every problem in the file, and
the transaction is rolled back: a file with any bad row stores nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from db import bulk_write
from db.bulk import BulkSession, bulk_session
from domain.auth import Principal
from domain.import_rows import EntityDraft
from importer import columns
from importer.check import KEY_COLUMN, KEY_LABEL, Problem, RowChecker, natural_key
from importer.files import FileRejected, Table, open_table
from importer.parallel import BATCH_ROWS, checked_batches, default_workers
from importer.register import RegisterCache

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
KINDS = tuple(columns.KINDS)
__all__ = ["KINDS", "Outcome", "Problem", "print_report", "run_import", "write_report_csv"]


@dataclass
class Outcome:
    kind: str
    rows: int = 0
    stored: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    key_label: str = ""  # the file's own header for the key column
    finishing_seconds: float = 0.0  # after the last row: rebuilding indexes, committing
    check_only: bool = False  # every row checked and written, then rolled back on purpose
    valid: int = 0  # rows that passed every check (in a check-only run: what an import would store)

    @property
    def ok(self) -> bool:
        return not self.problems and (self.valid if self.check_only else self.stored) > 0


Progress = Callable[[str, int, "int | None"], None]
"""on_progress(phase, rows_done, rows_total_or_None): phase is "checking" or "committing"."""


class _Rejected(Exception):
    """Raised inside the write transaction so it rolls back."""


DB_KEYS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "entities": ("entity", ("uscc",), ("text",)),
    "results": ("inspection_result", ("task_number", "uscc"), ("text", "text")),
    "honours": ("honour", ("uscc", "honour", "awarded_on"), ("text", "text", "date")),
    "scan-records": ("scan_record", ("uscc", "department_code", "scanned_at"), ("text", "text", "timestamptz")),
}


def _open(
    kind: str, path: Path, encoding: str, actor: Principal, departments: dict[str, str], outcome: Outcome
) -> tuple[Table, RowChecker] | None:
    """The file and a checker for its columns, or None with the problems in `outcome`."""
    try:
        table = open_table(path, encoding)
    except FileRejected as e:
        outcome.problems.append(Problem(0, "", str(e)))
        return None
    mapping, header_problems = columns.resolve(kind, table.header)
    if header_problems:
        found = "、".join(h for h in table.header if h) or "(none)"
        outcome.problems += [Problem(1, "", p) for p in header_problems]
        outcome.problems.append(Problem(1, "", f"文件中的列 (columns found): {found}"))
        return None
    label = {k: (table.header[i] or k) for k, i in mapping.items()}
    outcome.key_label = label.get(KEY_COLUMN[kind], KEY_COLUMN[kind])
    today = dt.datetime.now(SHANGHAI).date()
    checker = RowChecker(kind, mapping, label, actor, departments, today, dt.datetime.now(dt.UTC))
    return table, checker


def _in_file_duplicates(
    kind: str, good: list[tuple[int, Any]], seen: dict[tuple, int], label: str
) -> tuple[list[Any], list[int], list[Problem]]:
    """(drafts, their row numbers, problems): a row whose key an earlier row had is a problem."""
    drafts: list[Any] = []
    rownums: list[int] = []
    problems: list[Problem] = []
    label = label or KEY_COLUMN[kind]
    for n, draft in good:
        key = natural_key(kind, draft)
        first = seen.setdefault(key, n)
        if first != n:
            problems.append(
                Problem(
                    n,
                    label,
                    f"与第 {first} 行重复：{KEY_LABEL[kind]} 相同 (duplicate of row {first}: same {KEY_LABEL[kind]})",
                )
            )
            continue
        drafts.append(draft)
        rownums.append(n)
    return drafts, rownums, problems


async def _db_duplicates(s: BulkSession, kind: str, drafts: list[Any], rownums: list[int], label: str) -> list[Problem]:
    table, cols, types = DB_KEYS[kind]
    found = await s.existing(table, cols, [natural_key(kind, d) for d in drafts], types)
    return [
        Problem(
            rownums[i],
            label,
            f"数据库中已有相同 {KEY_LABEL[kind]} 的记录 (already in the database: same {KEY_LABEL[kind]})",
        )
        for i in sorted(found)
    ]


@contextlib.asynccontextmanager
async def _writer(s: BulkSession, kind: str, actor: Principal, expected_rows: int):
    """Yields `write(drafts)` for one kind, all batches in the caller's transaction."""
    if kind == "results":
        today = dt.datetime.now(SHANGHAI).date()
        async with bulk_write.result_loader(s, actor, today, expected_rows) as add:
            yield add
        return
    write = {
        "entities": bulk_write.write_entities,
        "honours": bulk_write.write_honours,
        "scan-records": bulk_write.write_scans,
    }[kind]

    async def add_other(drafts: list[Any], progress: Any = None) -> list[int]:
        return await write(s, drafts, actor, progress)

    yield add_other


async def _load(
    engine: Any,
    table: Table,
    checker: RowChecker,
    actor: Principal,
    outcome: Outcome,
    *,
    workers: int,
    batch_rows: int,
    progress: bool,
    on_progress: Progress | None = None,
) -> None:
    kind = checker.kind
    bar = tqdm(
        total=table.size_hint,
        unit=" rows",
        desc="导入 importing",
        disable=not progress,
        file=sys.stderr,
        mininterval=0.5,
    )

    def phase(message: str) -> None:
        if progress:
            print(f"… {message}", file=sys.stderr, flush=True)

    seen: dict[tuple, int] = {}
    register = RegisterCache()
    masked = kind in ("results", "honours")  # names published, masked by the register
    registers = kind == "results"  # results naming unregistered entities register them
    finishing = 0.0
    try:
        async with bulk_session(engine) as s:
            s.on_phase = phase
            db_table = DB_KEYS[kind][0]
            had_rows = bool(await s.fetch(f'SELECT 1 FROM "{db_table}" LIMIT 1'))
            if masked:
                await register.preload(s, table.size_hint or 0)
            async with _writer(s, kind, actor, table.size_hint or 0) as write:

                async def store(
                    drafts: list[Any], rownums: list[int], new_entities: list[EntityDraft]
                ) -> tuple[list[Problem], int]:
                    """Check one batch against the database and, if it is clean, write it."""
                    found = await _db_duplicates(s, kind, drafts, rownums, outcome.key_label) if had_rows else []
                    if found or outcome.problems:
                        return found, 0
                    if new_entities:  # results naming entities not yet in the register add them
                        await bulk_write.write_entities(s, new_entities, actor)
                    await write(drafts)
                    return [], len(drafts)

                async def collect(storing: Any) -> None:
                    found, stored = await storing
                    outcome.problems += found
                    outcome.stored += stored

                # Batch k is stored in the background while batch k+1 is received, checked for
                # duplicates within the file and masked; nothing else touches the session then.
                storing: Any = None
                try:
                    async for batch in checked_batches(table, checker, workers, batch_rows):
                        outcome.rows += batch.rows
                        drafts, rownums, dupes = _in_file_duplicates(kind, batch.good, seen, outcome.key_label)
                        bar.update(batch.rows)
                        if on_progress is not None:
                            on_progress("checking", outcome.rows, table.size_hint)
                        new: list[EntityDraft] = []
                        missing = register.missing(drafts) if masked else []
                        if masked and not missing:
                            new = register.mask(drafts, registers)
                        if storing is not None:
                            await collect(storing)
                            storing = None
                        if missing:  # looked up now that the session is free
                            await register.fetch(s, missing)
                            new = register.mask(drafts, registers)
                        # In file order, whatever the batch size.
                        outcome.problems += sorted(batch.problems + dupes, key=lambda p: p.row)
                        if drafts:  # after the first problem only checked against the database
                            storing = s.in_background(functools.partial(store, drafts, rownums, new))
                except FileRejected as e:
                    outcome.problems.append(Problem(0, "", str(e)))
                finally:
                    if storing is not None:
                        await collect(storing)
                bar.close()
                if outcome.rows == 0 and not outcome.problems:
                    outcome.problems.append(Problem(0, "", "文件没有数据行 (the file has a header but no data rows)"))
                if outcome.problems:
                    raise _Rejected()
                outcome.valid = outcome.stored
                if outcome.check_only:  # the same checks, the same writes, then nothing kept
                    raise _Rejected()
                if on_progress is not None:
                    on_progress("committing", outcome.rows, table.size_hint)
                finishing = time.perf_counter()
            phase("提交 committing")
        outcome.finishing_seconds = time.perf_counter() - finishing
    except _Rejected:
        outcome.stored = 0
    finally:
        bar.close()


async def run_import(
    engine: Any,
    kind: str,
    path: Path,
    actor: Principal,
    departments: dict[str, str],
    *,
    encoding: str = "utf-8",
    progress: bool = True,
    workers: int | None = None,
    batch_rows: int = BATCH_ROWS,
    check_only: bool = False,
    on_progress: Progress | None = None,
) -> Outcome:
    """`workers`: processes checking rows (default: one per CPU; 1 = in this process).
    `check_only`: run every check an import makes (database duplicates included, by writing the
    rows in the transaction) and roll back whatever the outcome; `outcome.valid` counts the rows
    an import would store. `on_progress` is told of each checked batch (the back office's
    progress bar, importer.jobs)."""
    started = time.perf_counter()
    outcome = Outcome(kind, check_only=check_only)
    with no_gc():
        opened = _open(kind, path, encoding, actor, departments, outcome)
        if opened is not None:
            table, checker = opened
            if workers is None:
                # Forking pays off only for a file large enough to keep workers busy.
                workers = default_workers() if (table.size_hint or 0) >= 4 * batch_rows else 1
            await _load(
                engine,
                table,
                checker,
                actor,
                outcome,
                workers=workers,
                batch_rows=batch_rows,
                progress=progress,
                on_progress=on_progress,
            )
    outcome.seconds = time.perf_counter() - started
    return outcome


@contextlib.contextmanager
def no_gc():
    """A million long-lived drafts make every cyclic-GC pass walk them all (a third of the run
    time); they hold no cycles, so the collector is paused for the import and restored after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def print_report(outcome: Outcome, out: TextIO, limit: int = 50) -> None:
    if outcome.problems:
        rows = {p.row for p in outcome.problems if p.row > 1}
        print(
            f"发现 {len(outcome.problems)} 处问题，涉及 {len(rows)} 行；未导入任何数据 "
            f"({len(outcome.problems)} problems in {len(rows)} rows; nothing was stored)",
            file=out,
        )
        print("行 row\t列 column\t问题 problem", file=out)
        for p in outcome.problems[:limit]:
            where = str(p.row) if p.row else "-"
            print(f"{where}\t{p.column or '-'}\t{p.message}", file=out)
        rest = len(outcome.problems) - limit
        if rest > 0:
            print(
                f"… 另有 {rest} 处问题未列出 (and {rest} more problems; use --max-problems or --report FILE)", file=out
            )
        return
    if outcome.check_only:
        print(
            f"检查通过：{outcome.valid} 条 {outcome.kind} 均有效，未导入任何数据 "
            f"(check only: all {outcome.valid} {outcome.kind} rows are valid; nothing was stored) "
            f"in {outcome.seconds:.1f} s",
            file=out,
        )
        return
    rate = outcome.stored / outcome.seconds if outcome.seconds else 0.0
    print(
        f"已导入 {outcome.stored} 条 {outcome.kind} (imported {outcome.stored} {outcome.kind}) "
        f"in {outcome.seconds:.1f} s — {rate:,.0f} rows/s (checking and writing together; "
        f"indexes and commit after the last row: {outcome.finishing_seconds:.1f} s)",
        file=out,
    )


def write_report_csv(outcome: Outcome, path: Path) -> None:
    import csv

    from domain.spreadsheet import neutralise_row

    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["row", "column", "problem"])
        for p in outcome.problems:  # messages quote the rejected cell: keep a formula there inert
            w.writerow(neutralise_row([str(p.row), p.column, p.message]))
