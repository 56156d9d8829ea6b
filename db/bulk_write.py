"""Rows for the bulk path: results (with their join tables), entities, honours, scan records,
and the audit log / change log / search outbox rows that go with them, in the caller's
`bulk_session`. Shapes only; which rows to write is decided by the caller."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from db.bulk import CHUNK, BulkSession

Progress = Callable[[int], Any] | None

RESULT_COLS = (
    "id",
    "task_number",
    "uscc",
    "entity_name",
    "entity_kind",
    "region_code",
    "department_code",
    "department_codes",
    "inspected_on",
    "year",
    "inspection_type",
    "category_codes",
    "negative",
    "check_field",
    "joint",
    "follow_up",
    "penalty_decision_number",
    "published_on",
    "published_late",
)
ENTITY_COLS = (
    "id",
    "uscc",
    "name",
    "kind",
    "region_code",
    "industry_code",
    "risk_class",
    "status",
    "operator_name",
    "updated_at",
)
HONOUR_COLS = (
    "id",
    "uscc",
    "entity_name",
    "honour",
    "kind",
    "awarded_by",
    "awarded_on",
    "year",
    "valid_until",
    "source_document",
    "department_code",
    "region_code",
    "disclosure",
    "created_at",
)
SCAN_COLS = ("id", "uscc", "department_code", "officer_credentials", "scanned_at", "method", "task_number", "location")


def _repeat(x: Any):
    while True:
        yield x


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def write_results(
    s: BulkSession, drafts: Sequence[Any], actor: Any, today: dt.date, progress: Progress = None
) -> list[int]:
    """`drafts` are domain.results.ResultDraft (already validated); `actor` is one Principal or a
    list of them, one per draft (each result audited as its publisher). Returns the new ids."""
    async with result_loader(s, actor, today, len(drafts)) as add:
        return await add(drafts, progress)


RESULT_TABLES = (
    "inspection_result",
    "result_category",
    "result_department",
    "audit_log",
    "change_log",
    "search_outbox",
)
# The importer checks each batch against earlier rows through this one: kept live when there are.
RESULT_KEYS_INDEX = "result_task_entity_rev"
# Rebuilt once at the end of a large SQLite load: their keys (USCC, task number, region, date)
# come in no order, and inserting a million of them one by one costs more than sorting once.
# The others (year, negativity, category, department, the load's one timestamp) have few groups
# that rows join in id order, so they stay live: appending is cheap, and it happens while worker
# processes are still checking rows instead of after the last one (measured at 1,000,000 rows:
# 46.7 s keeping them live, 54.4 s rebuilding all twelve; 53.1 s also keeping region and date).
RESULT_DEFERRED_INDEXES = ("result_uscc_id", "result_region_id", "inspection_result_published_on", RESULT_KEYS_INDEX)

AddResults = Callable[[Sequence[Any], Progress], Awaitable[list[int]]]


@contextlib.asynccontextmanager
async def result_loader(s: BulkSession, actor: Any, today: dt.date, expected_rows: int) -> AsyncIterator[AddResults]:
    """For loading results batch by batch in one transaction: yields `add(drafts, progress)`.
    With `expected_rows` large, secondary indexes are rebuilt once when the block ends."""
    now = _now()
    async with s.indexes_deferred(
        RESULT_TABLES, expected_rows, RESULT_DEFERRED_INDEXES, keep_if_rows=(RESULT_KEYS_INDEX,)
    ):

        async def add(drafts: Sequence[Any], progress: Progress = None) -> list[int]:
            ids = await s.reserve_ids("inspection_result", len(drafts))
            await _write_results(s, drafts, ids, actor, today, now, progress)
            return ids

        yield add


async def _write_results(
    s: BulkSession,
    drafts: Sequence[Any],
    ids: list[int],
    actor: Any,
    today: dt.date,
    now: dt.datetime,
    progress: Progress,
) -> None:
    at = s.stamp(now)
    day = s.day
    rows = [
        (
            i,
            d.task_number,
            d.uscc,
            d.entity_name,
            d.entity_kind,
            d.region_code,
            d.department_codes[0],
            ",".join(d.department_codes),
            day(d.inspected_on),
            d.inspected_on.year,
            d.inspection_type,
            ",".join(d.category_codes),
            d.negative,
            d.check_field,
            d.joint,
            d.follow_up,
            d.penalty_decision_number,
            day(d.published_on or today),
            d.published_late,
        )
        for i, d in zip(ids, drafts, strict=False)
    ]
    fixed = (
        ("disclosure", "public"),
        ("withdrawn_reason", ""),
        ("withdrawn_by", ""),
        ("withdrawn_note", ""),
        ("revision", 1),
        ("created_at", at),
        ("updated_at", at),
    )
    await s.insert_chunked("inspection_result", RESULT_COLS, rows, progress, fixed)
    del rows
    # The join rows come from the columns just written (department_codes, category_codes, year).
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        await s.insert_split(
            "result_category", ("result_id", "code", "year"), "inspection_result", "category_codes", part
        )
        await s.insert_split(
            "result_department", ("result_id", "department_code", "year"), "inspection_result", "department_codes", part
        )
    if isinstance(actor, (list, tuple)):
        await write_log(s, actor, "publish", "result", ids, public=True, at=now)
    else:
        await write_log_for_rows(s, actor, "publish", "result", "inspection_result", ids, public=True, at=now)


async def write_entities(
    s: BulkSession, drafts: Sequence[Any], actor: Any | None, progress: Progress = None
) -> list[int]:
    """`drafts` have uscc, name, kind, region_code, industry_code, risk_class, status, operator_name.
    The entity register is not one of the public change types, so: audit only."""
    now = _now()
    ids = await s.reserve_ids("entity", len(drafts))
    rows = [
        (i, d.uscc, d.name, d.kind, d.region_code, d.industry_code, d.risk_class, d.status, d.operator_name, now)
        for i, d in zip(ids, drafts, strict=False)
    ]
    await s.insert_chunked("entity", ENTITY_COLS, rows, progress)
    if actor is not None:
        await write_log_for_rows(s, actor, "register", "entity", "entity", ids, public=False, at=now, key_column="uscc")
    return ids


async def write_honours(s: BulkSession, drafts: Sequence[Any], actor: Any, progress: Progress = None) -> list[int]:
    now = _now()
    ids = await s.reserve_ids("honour", len(drafts))
    rows = [
        (
            i,
            d.uscc,
            d.entity_name,
            d.honour,
            d.kind,
            d.awarded_by,
            d.awarded_on,
            d.awarded_on.year,
            d.valid_until,
            d.source_document,
            actor.department_code,
            d.region_code,
            "public",
            now,
        )
        for i, d in zip(ids, drafts, strict=False)
    ]
    await s.insert_chunked("honour", HONOUR_COLS, rows, progress)
    await write_log_for_rows(s, actor, "publish", "honour", "honour", ids, public=True, at=now)
    return ids


async def write_scans(s: BulkSession, drafts: Sequence[Any], actor: Any, progress: Progress = None) -> list[int]:
    """Scan records are not public (officer credentials never are): audit only."""
    ids = await s.reserve_ids("scan_record", len(drafts))
    rows = [
        (
            i,
            d.uscc,
            d.department_code,
            json.dumps(list(d.officer_credentials), ensure_ascii=False),
            d.scanned_at,
            d.method,
            d.task_number,
            d.location,
        )
        for i, d in zip(ids, drafts, strict=False)
    ]
    await s.insert_chunked("scan_record", SCAN_COLS, rows, progress)
    await write_log_for_rows(s, actor, "record", "scan_record", "scan_record", ids, public=False)
    return ids


async def write_log(
    s: BulkSession,
    actor: Any,
    action: str,
    object_type: str,
    object_ids: Sequence[Any],
    public: bool,
    at: dt.datetime | None = None,
    reason: str = "bulk import",
) -> None:
    """One audit row per record (`actor`: one Principal, or a list parallel to `object_ids`); for
    public records also one change-log row (numbered for /api/v1/changes) and one search-outbox
    row (the outbox worker indexes it)."""
    at = s.stamp(at or _now())
    actors = actor if isinstance(actor, (list, tuple)) else None
    await s.insert_chunked(
        "audit_log",
        ("at", "actor", "actor_role", "department_code", "action", "object_type", "object_id", "reason", "detail"),
        [
            (at, a.username, a.role, a.department_code, action, object_type, str(i), reason, "{}")
            for a, i in zip(actors or _repeat(actor), object_ids, strict=False)
        ],
    )
    if not public:
        return
    await s.insert_chunked(
        "change_log",
        ("at", "object_type", "object_id", "action"),
        [(at, object_type, str(i), "published") for i in object_ids],
    )
    await s.insert_chunked(
        "search_outbox",
        ("created_at", "object_type", "object_id", "op", "attempts", "next_attempt_at", "last_error"),
        [(at, object_type, str(i), "upsert", 0, at, "") for i in object_ids],
    )


async def write_log_for_rows(
    s: BulkSession,
    actor: Any,
    action: str,
    object_type: str,
    table: str,
    ids: Sequence[int],
    public: bool,
    at: dt.datetime | None = None,
    key_column: str = "id",
    reason: str = "bulk import",
) -> None:
    """write_log for rows of `table` just inserted with `ids`, by one actor: the same audit,
    change-log and outbox rows, written by the database from those rows (object id: the row's
    `key_column`). A million rows of Python tuples cost seconds; this costs a fraction."""
    stamp = s.stamp(at or _now())
    ts = (stamp, "timestamptz")
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        await s.insert_per_row(
            "audit_log",
            ("at", "actor", "actor_role", "department_code", "action", "object_type", "reason", "detail", "object_id"),
            [
                ts,
                (actor.username, "text"),
                (actor.role, "text"),
                (actor.department_code, "text"),
                (action, "text"),
                (object_type, "text"),
                (reason, "text"),
                ("{}", "json"),
            ],
            table,
            key_column,
            part,
        )
        if not public:
            continue
        await s.insert_per_row(
            "change_log",
            ("at", "object_type", "action", "object_id"),
            [ts, (object_type, "text"), ("published", "text")],
            table,
            key_column,
            part,
        )
        await s.insert_per_row(
            "search_outbox",
            ("created_at", "object_type", "op", "attempts", "next_attempt_at", "last_error", "object_id"),
            [ts, (object_type, "text"), ("upsert", "text"), (0, "int"), ts, ("", "text")],
            table,
            key_column,
            part,
        )


async def write_tasks(s: BulkSession, tasks: Sequence[tuple]) -> None:
    """(task_number, title, department_code, year, joint) rows for inspection_task."""
    now = _now()
    await s.insert_chunked(
        "inspection_task",
        ("task_number", "title", "department_code", "year", "joint", "created_at"),
        [(*t, now) for t in tasks],
    )


async def write_penalties(s: BulkSession, penalties: Sequence[tuple]) -> None:
    """(number, department_code, decided_on) rows for penalty_decision."""
    await s.insert_chunked(
        "penalty_decision",
        ("number", "department_code", "decided_on", "disclosure"),
        [(*p, "public") for p in penalties],
    )


async def write_users(s: BulkSession, users: Sequence[tuple]) -> None:
    """(username, password_hash, role, uscc, department_code, region_code, display_name) rows."""
    now = _now()
    await s.insert_chunked(
        "portal_user",
        (
            "username",
            "password_hash",
            "role",
            "uscc",
            "department_code",
            "region_code",
            "display_name",
            "active",
            "created_at",
        ),
        [(*u, True, now) for u in users],
    )
