"""Re-mask operator names stored in full in inspection_result.entity_name and honour.entity_name.

Before the masking change (one mechanism that consults the entity register), two API paths stored
an individual business's name with its operator's name in full: honours published over the API,
and results published over the API without `operator_name` for an entity the register knew as an
individual business with an operator. This migration masks those stored names in place, as the
publishing code does now: for every result and honour whose entity (`entity.uscc` = the row's
`uscc`) is kind 'individual' with a non-empty operator name that occurs in the stored name, the
operator's name becomes its first character followed by one '*' per further character
(王建国 → 王**).

Each changed row gets an audit-log row (actor `system:remask-migration`, role `system`; the old
name is not copied into the log). A changed row that is public also gets a change-log row
(`updated`, so /api/v1/changes readers fetch it again) and a search-outbox `upsert` (so the index
drops the full name); a withdrawn row is fixed too, but is not announced: it is no longer public.

The masking formula is frozen here (not imported from domain/): a migration must do tomorrow what
it does today, whatever becomes of domain.masking. tests/test_remask_migration.py checks that it
agrees with domain.masking.public_entity_name.

Raw SQL against the schema as of this migration (no db.tables: the tables may change later).
Rows are read in windows of BATCH ids and each window is written in its own transaction (SQLite:
BEGIN IMMEDIATE), so a million rows never sit in memory and other writers are not locked out for
the whole run. If the run stops half-way, running it again finishes the job: it is idempotent (a
masked name no longer contains the operator's full name, and a name that does is masked only where
it is not masked already), so a second run changes and logs nothing. An empty database: nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-11-25T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "re-mask operator names stored in full in results and honours"

BATCH = 5000  # ids per window: rows read (and at most written) per transaction
LOG_CHUNK = 100  # rows per multi-row UPDATE or INSERT: at most 9 values a row, under even 999 bound values
ACTOR, ACTOR_ROLE = "system:remask-migration", "system"
ACTION = "remask"
REASON = "re-masked operator name (privacy)"

# (object type in the logs, table, whether the table has updated_at)
TABLES = (("result", "inspection_result", True), ("honour", "honour", False))


# -- the masking formula, frozen (a copy of domain.masking as of this migration) ----------------

def mask_person_name(name: str) -> str:
    """张三 → 张*, 欧阳明华 → 欧***: keep the first character only."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def public_entity_name(name: str, kind: str, operator_name: str = "") -> str:
    """domain.masking.public_entity_name as of this migration."""
    if kind == "individual" and operator_name and operator_name in name:
        return name.replace(operator_name, mask_person_name(operator_name))
    return name


def remasked_name(name: str, kind: str, operator_name: str) -> str:
    """public_entity_name, made idempotent for the one case where it is not: an operator's name
    of one character, whose masked form contains it (张 → 张*, so masking 张*记 again would give
    张**记). There, occurrences already masked are kept and only the others are masked. For every
    other operator name this is exactly public_entity_name."""
    if kind != "individual" or not operator_name or operator_name not in name:
        return name
    masked = mask_person_name(operator_name)
    if not masked or operator_name not in masked:
        return public_entity_name(name, kind, operator_name)
    return masked.join(part.replace(operator_name, masked) for part in name.split(masked))


# -- the run -----------------------------------------------------------------------------------

def _transaction():
    db = RawSQL._meta.db
    if isinstance(db, SQLiteEngine):
        # Take the write lock up front: reading first and upgrading later can fail with
        # SQLITE_BUSY when another process wrote in between.
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def _contains(haystack: str, needle: str) -> str:
    """SQL for 'needle occurs in haystack' (a plain substring test: LIKE would treat % _ and, on
    PostgreSQL, backslash in a name as pattern characters)."""
    if RawSQL._meta.db.engine_type == "sqlite":
        return f"instr({haystack}, {needle}) > 0"
    return f"strpos({haystack}, {needle}) > 0"


async def _top_id(table: str) -> int:
    rows = await RawSQL.raw(f"SELECT MAX(id) AS top FROM {table}")
    return (rows[0]["top"] if rows else None) or 0


async def _candidates(table: str, after_id: int, up_to_id: int) -> list[dict]:
    """Rows with after_id < id <= up_to_id whose entity is an individual business with an operator
    whose name occurs in the stored name (the formula decides whether anything is still unmasked).
    A window of ids, not a LIMIT: each query reads one primary-key range (with a LIMIT PostgreSQL
    chose to hash-join and sort the whole table for every batch)."""
    return await RawSQL.raw(
        f"SELECT t.id AS id, t.entity_name AS entity_name, e.operator_name AS operator_name "
        f"FROM {table} t JOIN entity e ON e.uscc = t.uscc "
        f"WHERE t.id > {{}} AND t.id <= {{}} AND e.kind = 'individual' AND e.operator_name <> '' "
        f"AND {_contains('t.entity_name', 'e.operator_name')} "
        f"ORDER BY t.id",
        after_id, up_to_id,
    )


async def _insert_rows(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    cols = ", ".join(columns)
    row_marks = "(" + ", ".join("{}" for _ in columns) + ")"
    for i in range(0, len(rows), LOG_CHUNK):
        part = rows[i : i + LOG_CHUNK]
        await RawSQL.raw(f"INSERT INTO {table} ({cols}) VALUES " + ", ".join(row_marks for _ in part),
                         *(v for row in part for v in row))


async def _log(object_type: str, changed: list[tuple[int, str]], at: dt.datetime) -> None:
    """Audit every changed row; announce (change log `updated`, outbox `upsert`) the public ones."""
    detail = json.dumps({"field": "entity_name", "migration": ID})
    await _insert_rows(
        "audit_log",
        ("at", "actor", "actor_role", "department_code", "action", "object_type", "object_id", "reason", "detail"),
        [(at, ACTOR, ACTOR_ROLE, "", ACTION, object_type, str(i), REASON, detail) for i, _d in changed],
    )
    public = [i for i, disclosure in changed if disclosure == "public"]
    await _insert_rows("change_log", ("at", "object_type", "object_id", "action"),
                       [(at, object_type, str(i), "updated") for i in public])
    await _insert_rows(
        "search_outbox",
        ("created_at", "object_type", "object_id", "op", "attempts", "next_attempt_at", "last_error"),
        [(at, object_type, str(i), "upsert", 0, at, "") for i in public],
    )


async def _update(table: str, has_updated_at: bool, rows: list[tuple[int, str, str]],
                  at: dt.datetime) -> list[tuple[int, str]]:
    """Set (id, old name, new name) in one statement per chunk, each row only if its name is still
    the one read; returns (id, disclosure) of the rows changed."""
    changed: list[tuple[int, str]] = []
    stamp = ", updated_at = {}" if has_updated_at else ""
    for i in range(0, len(rows), LOG_CHUNK):
        part = rows[i : i + LOG_CHUNK]
        values = ", ".join("(CAST({} AS INTEGER), CAST({} AS TEXT), CAST({} AS TEXT))" for _ in part)
        done = await RawSQL.raw(
            f"WITH v (row_id, old_name, new_name) AS (VALUES {values}) "
            f"UPDATE {table} SET entity_name = v.new_name{stamp} FROM v "
            f"WHERE {table}.id = v.row_id AND {table}.entity_name = v.old_name RETURNING id, disclosure",
            *(x for row in part for x in row), *((at,) if has_updated_at else ()),
        )
        changed += [(d["id"], d["disclosure"]) for d in done]
    return changed


async def _remask_window(object_type: str, table: str, has_updated_at: bool, after_id: int, up_to_id: int) -> int:
    """One window of ids in one transaction; returns the number of rows changed."""
    async with _transaction():
        rows = await _candidates(table, after_id, up_to_id)
        updates = [(r["id"], r["entity_name"], new) for r in rows
                   if (new := remasked_name(r["entity_name"], "individual", r["operator_name"])) != r["entity_name"]]
        if not updates:
            return 0
        at = dt.datetime.now(dt.timezone.utc)
        changed = sorted(await _update(table, has_updated_at, updates, at))
        await _log(object_type, changed, at)
        return len(changed)


async def remask_stored_names() -> dict[str, int]:
    """Mask every stored name that still shows an operator in full; returns rows changed by type.
    Rows written after the run started come from code that masks them already."""
    counts: dict[str, int] = {}
    for object_type, table, has_updated_at in TABLES:
        counts[object_type] = 0
        top = await _top_id(table)
        for after_id in range(0, top, BATCH):
            counts[object_type] += await _remask_window(object_type, table, has_updated_at, after_id,
                                                        after_id + BATCH)
    return counts


async def forwards():
    # No transaction around the whole run: each window of ids commits on its own (see the docstring).
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        counts = await remask_stored_names()
        print(f"re-masked operator names: results={counts['result']} honours={counts['honour']} ", end="")

    manager.add_raw(run)
    return manager
