"""Checking rows in worker processes while the importing process writes.

Checking a row (converting cells, validating a USCC, dates, codes) is pure Python and costs
several times what writing it does, so a large file is checked by `workers` forked processes,
batch by batch, while this process writes the batches already checked. Batches come back in
file order, so duplicates within the file are still found by the caller in order, and row
numbers are those of the file. With one worker (or where fork is unavailable) the same
function runs in this process.

Only plain tuples cross between processes (marshalled, dates as day numbers): a pickled
dataclass costs ten times as much.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import csv
import ctypes
import io
import marshal
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from importer.check import Problem, RowChecker, from_wire, to_wire
from importer.files import FileRejected, Table, csv_error, is_record

BATCH_ROWS = 10_000
AHEAD = 4  # batches in flight per worker
MAX_WORKERS = 8

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Set in the importing process just before the pool forks; the workers inherit it.
_checker: RowChecker | None = None
_text: str | None = None


@dataclass
class Checked:
    rows: int  # rows checked in this batch (good or not)
    good: list[tuple[int, Any]]  # (row number, draft)
    problems: list[Problem]


def default_workers() -> int:
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def _check(checker: RowChecker, batch: list[tuple[int, list[Any]]], wire: bool) -> tuple[int, list, list[Problem]]:
    check = checker.check
    good: list[tuple[int, Any]] = []
    problems: list[Problem] = []
    for n, row in batch:
        draft, found = check(n, row)
        if found:
            problems.extend(found)
        elif draft is not None:
            good.append((n, to_wire(checker.kind, draft) if wire else draft))
    return len(batch), good, problems


def _pack(good: list[tuple[int, tuple]]) -> bytes | list:
    """marshal is three times faster than pickle for plain tuples of str/int; a draft holding
    another type (a scan record's datetime) goes by pickle."""
    try:
        return marshal.dumps(good)
    except ValueError:
        return good


def _unpack(packed: bytes | list) -> list[tuple[int, tuple]]:
    return marshal.loads(packed) if isinstance(packed, bytes) else packed


def _check_batch(batch: list[tuple[int, list[Any]]]) -> tuple[int, bytes | list, list[Problem]]:
    """In a worker process."""
    assert _checker is not None
    n, good, problems = _check(_checker, batch, wire=True)
    return n, _pack(good), problems


def _batches(rows: Iterator[tuple[int, list[Any]]], size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    batch: list[tuple[int, list[Any]]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _die_with_parent(parent: int) -> None:
    """In each worker, first: the kernel kills it when the importing process dies (Linux
    PR_SET_PDEATHSIG), so a killed `gongshi import` leaves no checker running (about 228 MB each)
    nor, through the fork's copy of its socket, its database connection open with the
    transaction's locks. A parent already gone before this ran: exit at once."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _check_lines(start: int, end: int, first_row: int) -> tuple[int, bytes | list, list[Problem], str]:
    """In a worker process: parse and check the lines text[start:end] of a quote-free CSV (the
    text came with the fork; only three numbers travel). Returns what _check_batch does plus an
    error message if the CSV module refused a line (nothing after it in this range is checked)."""
    assert _checker is not None and _text is not None
    batch: list[tuple[int, list[Any]]] = []
    n = first_row - 1
    error = ""
    try:
        for row in csv.reader(io.StringIO(_text[start:end], newline="")):
            n += 1
            if is_record(row):
                batch.append((n, row))
    except csv.Error as e:
        error = str(csv_error(n + 1, e))
    n, good, problems = _check(_checker, batch, wire=True)
    return n, _pack(good), problems, error


def _line_ranges(text: str, start: int, rows: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, row number of the first line) for ranges of about `rows` lines."""
    first_row = 2
    step = max(1, (len(text) - start) // max(1, text.count("\n", start) // rows or 1))
    while start < len(text):
        end = text.find("\n", min(len(text), start + step))
        end = len(text) if end == -1 else end + 1
        yield start, end, first_row
        first_row += text.count("\n", start, end)
        start = end


async def checked_batches(
    table: Table, checker: RowChecker, workers: int, batch_rows: int = BATCH_ROWS
) -> AsyncIterator[Checked]:
    """Batches of checked rows in file order. An unreadable row raises FileRejected after the
    batches before it."""
    kind = checker.kind
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for batch in _batches(table.rows, batch_rows):
            n, good, problems = _check(checker, batch, wire=False)
            yield Checked(n, good, problems)
        return
    global _checker, _text
    _checker, _text = checker, table.text
    pool = concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent, initargs=(os.getpid(),)
    )
    pending: collections.deque[concurrent.futures.Future[tuple[Any, ...]]] = collections.deque()
    # A quote-free CSV is cut into line ranges the workers parse themselves; anything else is
    # parsed here and sent over in batches.
    jobs: Iterator[concurrent.futures.Future[tuple[Any, ...]]]
    if table.text is not None:
        jobs = (pool.submit(_check_lines, *r) for r in _line_ranges(table.text, table.body_start, batch_rows))
    else:
        jobs = (pool.submit(_check_batch, b) for b in _batches(table.rows, batch_rows))
    try:
        exhausted = False
        while True:
            # Keep the workers busy while this process writes (a batch takes it about as long
            # to write as a worker to check): a few batches queued each, no further read-ahead
            # (bounded memory however large the file).
            while not exhausted and len(pending) < AHEAD * workers:
                job = next(jobs, None)
                if job is None:
                    exhausted = True
                else:
                    pending.append(job)
            if not pending:
                break
            n, good, problems, *error = await asyncio.wrap_future(pending.popleft())
            yield Checked(n, [(i, from_wire(kind, w)) for i, w in _unpack(good)], problems)
            if error and error[0]:
                raise FileRejected(error[0])
    finally:
        for f in pending:
            f.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
        _checker, _text = None, None
