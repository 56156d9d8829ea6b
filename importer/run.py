"""Import one file: read, validate EVERY row, report; store all rows in one transaction or none.

Order: the whole file is checked first (format, columns, each row, duplicates within the file);
then, inside one write transaction, duplicates against the database; then everything is
written through the bulk path (records, join tables, audit log, change log, search outbox).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from tqdm import tqdm

from db import bulk_write
from db.bulk import BulkSession, bulk_session
from domain.auth import Principal
from domain.errors import FieldError
from domain.import_rows import (EntityDraft, publisher_error, validate_entity, validate_honour,
                                validate_scan)
from domain.masking import public_entity_name
from domain.results import validate_result
from importer import columns, convert
from importer.files import FileRejected, open_table

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
KINDS = tuple(columns.KINDS)


@dataclass
class Problem:
    row: int  # spreadsheet row number (header = 1); 0 = the file as a whole
    column: str
    message: str


@dataclass
class Outcome:
    kind: str
    rows: int = 0
    stored: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    key_label: str = ""  # the file's own header for the key column
    checked_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and self.stored > 0


class _Rejected(Exception):
    """Raised inside the write transaction so it rolls back."""


# Natural keys: a second row with the same key is a duplicate (in the file or in the database).
def _key(kind: str, d: Any) -> tuple:
    if kind == "entities":
        return (d.uscc,)
    if kind == "results":
        return (d.task_number, d.uscc)
    if kind == "honours":
        return (d.uscc, d.honour, d.awarded_on)
    return (d.uscc, d.department_code, d.scanned_at)


DB_KEYS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "entities": ("entity", ("uscc",), ("text",)),
    "results": ("inspection_result", ("task_number", "uscc"), ("text", "text")),
    "honours": ("honour", ("uscc", "honour", "awarded_on"), ("text", "text", "date")),
    "scan-records": ("scan_record", ("uscc", "department_code", "scanned_at"), ("text", "text", "timestamptz")),
}
KEY_LABEL = {
    "entities": "统一社会信用代码 (uscc)",
    "results": "任务单号+统一社会信用代码 (task_number + uscc)",
    "honours": "统一社会信用代码+荣誉名称+授予日期 (uscc + honour + awarded_on)",
    "scan-records": "统一社会信用代码+部门+扫码时间 (uscc + department + scanned_at)",
}
KEY_COLUMN = {"entities": "uscc", "results": "task_number", "honours": "honour", "scan-records": "scanned_at"}


def _validator(kind: str, actor: Principal, departments: dict[str, str], today: dt.date,
               now: dt.datetime) -> Callable[[dict[str, Any]], tuple[Any, list[tuple[str, str]]]]:
    """cells → (draft or None, [(column key, message)])."""

    def fields(errs: list[FieldError]) -> list[tuple[str, str]]:
        return [(e.field, e.message) for e in errs]

    def results(c: dict[str, Any]):
        raw, conv = convert.result_raw(c, departments)
        draft, errs = validate_result(raw)
        out = fields(errs)
        if draft is not None:
            e = publisher_error(draft.department_codes[0], actor.department_code)
            if e:
                out.append((e.field, e.message))
            op = convert.text(c.get("operator_name"))
            if op:
                draft.extra["operator_name"] = op
        return draft, conv + out

    def entities(c: dict[str, Any]):
        raw, conv = convert.entity_raw(c)
        draft, errs = validate_entity(raw)
        return draft, conv + fields(errs)

    def honours(c: dict[str, Any]):
        raw, conv = convert.honour_raw(c)
        draft, errs = validate_honour(raw, today)
        return draft, conv + fields(errs)

    def scans(c: dict[str, Any]):
        raw, conv = convert.scan_raw(c, departments)
        draft, errs = validate_scan(raw, now)
        out = fields(errs)
        if draft is not None:
            e = publisher_error(draft.department_code, actor.department_code, "department")
            if e:
                out.append((e.field, e.message))
        return draft, conv + out

    return {"results": results, "entities": entities, "honours": honours, "scan-records": scans}[kind]


def check_file(kind: str, path: Path, actor: Principal, departments: dict[str, str], *,
               encoding: str = "utf-8", progress: bool = True) -> tuple[list[Any], list[int], Outcome]:
    """Validate every row. Returns (drafts, their row numbers, outcome with any problems)."""
    outcome = Outcome(kind)
    try:
        table = open_table(path, encoding)
    except FileRejected as e:
        outcome.problems.append(Problem(0, "", str(e)))
        return [], [], outcome
    mapping, header_problems = columns.resolve(kind, table.header)
    if header_problems:
        found = "、".join(h for h in table.header if h) or "(none)"
        outcome.problems += [Problem(1, "", p) for p in header_problems]
        outcome.problems.append(Problem(1, "", f"文件中的列 (columns found): {found}"))
        return [], [], outcome
    label = {k: (table.header[i] or k) for k, i in mapping.items()}
    outcome.key_label = label.get(KEY_COLUMN[kind], KEY_COLUMN[kind])
    today = dt.datetime.now(SHANGHAI).date()
    validate = _validator(kind, actor, departments, today, dt.datetime.now(dt.timezone.utc))
    drafts: list[Any] = []
    rownums: list[int] = []
    seen: dict[tuple, int] = {}
    bar = tqdm(total=table.size_hint, unit=" rows", desc="checking", disable=not progress,
               file=sys.stderr, mininterval=0.5)
    try:
        for n, row in table.rows:
            outcome.rows += 1
            bar.update()
            cells = {k: (row[i] if i < len(row) else "") for k, i in mapping.items()}
            draft, errs = validate(cells)
            if not cells.get("region_code") and any(c == "uscc" for c, _ in errs):
                # Without its own column the region comes from the USCC: one error, not two.
                errs = [(c, m) for c, m in errs if c != "region_code"]
            reported: set[str] = set()
            for col, msg in errs:
                if col in reported and col in cells:
                    continue  # one message per cell: the conversion error wins over the validator's
                reported.add(col)
                outcome.problems.append(Problem(n, label.get(col, col), msg))
            if draft is None or errs:
                continue
            key = _key(kind, draft)
            if key in seen:
                outcome.problems.append(Problem(n, label.get(KEY_COLUMN[kind], KEY_COLUMN[kind]),
                                                f"与第 {seen[key]} 行重复：{KEY_LABEL[kind]} 相同 "
                                                f"(duplicate of row {seen[key]}: same {KEY_LABEL[kind]})"))
                continue
            seen[key] = n
            drafts.append(draft)
            rownums.append(n)
    except FileRejected as e:
        outcome.problems.append(Problem(0, "", str(e)))
    finally:
        bar.close()
    if outcome.rows == 0 and not outcome.problems:
        outcome.problems.append(Problem(0, "", "文件没有数据行 (the file has a header but no data rows)"))
    return drafts, rownums, outcome


async def _db_duplicates(s: BulkSession, kind: str, drafts: list[Any], rownums: list[int],
                         label: str) -> list[Problem]:
    table, cols, types = DB_KEYS[kind]
    found = await s.existing(table, cols, [_key(kind, d) for d in drafts], types)
    return [Problem(rownums[i], label, f"数据库中已有相同 {KEY_LABEL[kind]} 的记录 "
                                       f"(already in the database: same {KEY_LABEL[kind]})")
            for i in sorted(found)]


async def _mask_and_register(s: BulkSession, drafts: list[Any], kind: str, actor: Principal) -> None:
    """Published names of individual businesses carry the operator's name masked (张**);
    results naming entities not yet in the register add them to it."""
    known = {r[0]: (r[1], r[2]) for r in
             await s.lookup("entity", "uscc", list({d.uscc for d in drafts}), ("kind", "operator_name"))}
    new: dict[str, EntityDraft] = {}
    for d in drafts:
        own = d.extra.get("operator_name", "") if kind == "results" else ""
        ekind, operator = known.get(d.uscc, (getattr(d, "entity_kind", ""), ""))
        operator = own or operator
        full = d.entity_name
        d.entity_name = public_entity_name(full, ekind, operator)
        if kind == "results" and d.uscc not in known and d.uscc not in new:
            new[d.uscc] = EntityDraft(d.uscc, full, d.entity_kind, d.region_code, operator_name=own)
    if new:
        await bulk_write.write_entities(s, list(new.values()), actor)


async def store(engine: Any, kind: str, drafts: list[Any], rownums: list[int], actor: Principal,
                outcome: Outcome, *, progress: bool = True) -> None:
    """Inside one transaction: duplicates against the database, then every write."""
    today = dt.datetime.now(SHANGHAI).date()
    bar = tqdm(total=len(drafts), unit=" rows", desc="writing", disable=not progress, file=sys.stderr,
               mininterval=0.5)
    try:
        async with bulk_session(engine) as s:
            dupes = await _db_duplicates(s, kind, drafts, rownums, outcome.key_label or KEY_COLUMN[kind])
            if dupes:
                outcome.problems += dupes
                raise _Rejected()
            if kind in ("results", "honours"):
                await _mask_and_register(s, drafts, kind, actor)
            if kind == "results":
                ids = await bulk_write.write_results(s, drafts, actor, today, bar.update)
            elif kind == "entities":
                ids = await bulk_write.write_entities(s, drafts, actor, bar.update)
            elif kind == "honours":
                ids = await bulk_write.write_honours(s, drafts, actor, bar.update)
            else:
                ids = await bulk_write.write_scans(s, drafts, actor, bar.update)
        outcome.stored = len(ids)
    except _Rejected:
        outcome.stored = 0
    finally:
        bar.close()


async def run_import(engine: Any, kind: str, path: Path, actor: Principal, departments: dict[str, str], *,
                     encoding: str = "utf-8", progress: bool = True) -> Outcome:
    started = time.perf_counter()
    with no_gc():
        drafts, rownums, outcome = check_file(kind, path, actor, departments, encoding=encoding, progress=progress)
        outcome.checked_seconds = time.perf_counter() - started
        if not outcome.problems:
            await store(engine, kind, drafts, rownums, actor, outcome, progress=progress)
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
        print(f"发现 {len(outcome.problems)} 处问题，涉及 {len(rows)} 行；未导入任何数据 "
              f"({len(outcome.problems)} problems in {len(rows)} rows; nothing was stored)", file=out)
        print("行 row\t列 column\t问题 problem", file=out)
        for p in outcome.problems[:limit]:
            where = str(p.row) if p.row else "-"
            print(f"{where}\t{p.column or '-'}\t{p.message}", file=out)
        rest = len(outcome.problems) - limit
        if rest > 0:
            print(f"… 另有 {rest} 处问题未列出 (and {rest} more problems; use --max-problems or --report FILE)",
                  file=out)
        return
    rate = outcome.stored / outcome.seconds if outcome.seconds else 0.0
    print(f"已导入 {outcome.stored} 条 {outcome.kind} (imported {outcome.stored} {outcome.kind}) "
          f"in {outcome.seconds:.1f} s — {rate:,.0f} rows/s (checking {outcome.checked_seconds:.1f} s, "
          f"writing {outcome.seconds - outcome.checked_seconds:.1f} s)", file=out)


def write_report_csv(outcome: Outcome, path: Path) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["row", "column", "problem"])
        for p in outcome.problems:
            w.writerow([p.row, p.column, p.message])
