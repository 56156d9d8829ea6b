"""Checking one row of an import file: cells → a validated draft, or the problems it has.

The same `RowChecker.check` runs in the importing process or in worker processes
(importer.parallel); duplicates within the file and against the database are found by the
caller, which sees the rows in file order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.auth import Principal
from domain.errors import FieldError
from domain.import_rows import (
    EntityDraft,
    HonourDraft,
    ScanDraft,
    publisher_error,
    validate_entity,
    validate_honour,
    validate_scan,
)
from domain.results import ResultDraft, validate_result
from domain.text import CONTROL, control_message
from importer import convert


@dataclass
class Problem:
    row: int  # spreadsheet row number (header = 1); 0 = the file as a whole
    column: str
    message: str


DRAFTS: dict[str, type] = {
    "entities": EntityDraft,
    "results": ResultDraft,
    "honours": HonourDraft,
    "scan-records": ScanDraft,
}
KEY_LABEL = {
    "entities": "统一社会信用代码 (uscc)",
    "results": "任务单号+统一社会信用代码 (task_number + uscc)",
    "honours": "统一社会信用代码+荣誉名称+授予日期 (uscc + honour + awarded_on)",
    "scan-records": "统一社会信用代码+部门+扫码时间 (uscc + department + scanned_at)",
}
KEY_COLUMN = {"entities": "uscc", "results": "task_number", "honours": "honour", "scan-records": "scanned_at"}


def natural_key(kind: str, d: Any) -> tuple:
    """A second row with the same key is a duplicate (in the file or in the database)."""
    if kind == "entities":
        return (d.uscc,)
    if kind == "results":
        return (d.task_number, d.uscc)
    if kind == "honours":
        return (d.uscc, d.honour, d.awarded_on)
    return (d.uscc, d.department_code, d.scanned_at)


def _date_fields(cls: type) -> tuple[int, ...]:
    return tuple(
        i for i, f in enumerate(dataclasses.fields(cls)) if str(f.type).replace(" ", "") in ("dt.date", "dt.date|None")
    )


# Positions of the date fields of each draft: they travel as day numbers (pickling a date
# object costs four times as much as the rest of a result row).
DATE_FIELDS: dict[str, tuple[int, ...]] = {kind: _date_fields(cls) for kind, cls in DRAFTS.items()}


def to_wire(kind: str, draft: Any) -> tuple:
    """A draft as a plain tuple: pickled between processes many times faster than the dataclass."""
    values = list(draft.__dict__.values())
    for i in DATE_FIELDS[kind]:
        if values[i] is not None:
            values[i] = values[i].toordinal()
    return tuple(values)


def from_wire(kind: str, values: tuple) -> Any:
    dates = DATE_FIELDS[kind]
    if dates:
        cells = list(values)
        for i in dates:
            if cells[i] is not None:
                cells[i] = _from_ordinal(cells[i])
        values = tuple(cells)
    return DRAFTS[kind](*values)


_from_ordinal = dt.date.fromordinal


def _validator(
    kind: str, actor: Principal, departments: dict[str, str], today: dt.date, now: dt.datetime
) -> Callable[[dict[str, Any]], tuple[Any, list[tuple[str, str]]]]:
    """cells → (draft or None, [(column key, message)])."""

    def fields(errs: list[FieldError]) -> list[tuple[str, str]]:
        return [(e.field, e.message) for e in errs]

    def results(c: dict[str, Any]):
        raw, conv = convert.result_raw(c, departments)
        draft, errs = validate_result(raw, "", today)
        out = fields(errs)
        if draft is not None:
            e = publisher_error(draft.department_codes[0], actor.department_code)
            if e:
                out.append((e.field, e.message))
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


class RowChecker:
    """Checks rows of one file: `mapping` is column key → cell index, `label` column key → the
    file's own header (problems name the column as the file does)."""

    def __init__(
        self,
        kind: str,
        mapping: dict[str, int],
        label: dict[str, str],
        actor: Principal,
        departments: dict[str, str],
        today: dt.date,
        now: dt.datetime,
    ) -> None:
        self.kind = kind
        self.items = list(mapping.items())
        self.label = label
        self.validate = _validator(kind, actor, departments, today, now)
        self.has_region = "region_code" in mapping

    def check(self, n: int, row: list[Any]) -> tuple[Any, list[Problem]]:
        width = len(row)
        cells = {k: (row[i] if i < width else "") for k, i in self.items}
        draft, errs = self.validate(cells)
        # One search over the row's text for the rare control character (domain/text.py).
        if CONTROL.search("\n".join(v for v in cells.values() if v.__class__ is str)):
            draft = None
            errs = [
                (k, control_message(v)) for k, v in cells.items() if isinstance(v, str) and CONTROL.search(v)
            ] + errs
        if not errs:
            return draft, []
        if not cells.get("region_code") and any(c == "uscc" for c, _ in errs):
            # Without its own column the region comes from the USCC: one error, not two.
            errs = [(c, m) for c, m in errs if c != "region_code"]
        problems: list[Problem] = []
        reported: set[str] = set()
        for col, msg in errs:
            if col in reported and col in cells:
                continue  # one message per cell: the conversion error wins over the validator's
            reported.add(col)
            problems.append(Problem(n, self.label.get(col, col), msg))
        return None, problems


assert all(dataclasses.is_dataclass(c) for c in DRAFTS.values())
