"""Repair materials by kind: `attachment.kind` (application / commitment / correction / identity /
authorisation / other; default `other` for the files already stored, whose kind nobody recorded),
`repair_rule.required_materials` (the kinds a profile requires, comma-separated, alternatives joined
by `|`; every stored profile gets the default — 信用修复申请书, 守信承诺书, 整改材料, and 身份证明 or
授权委托书, DOMAIN.md "Materials") and `repair_application.commitment_text` (the 守信承诺 as the
enterprise accepted it; empty for applications filed before the text was stored).

Raw ALTER TABLE … ADD COLUMN on both engines (skipped when a column is there), one transaction.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-07T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "repair materials by kind; required kinds per rule; the commitment text kept"

COLUMNS = [
    ("attachment", "kind", "VARCHAR(20) NOT NULL DEFAULT 'other'"),
    ("repair_rule", "required_materials",
     "TEXT NOT NULL DEFAULT 'application,commitment,correction,identity|authorisation'"),
    ("repair_application", "commitment_text", "TEXT NOT NULL DEFAULT ''"),
]


def _transaction():
    db = RawSQL._meta.db
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


async def _has_column(table: str, column: str) -> bool:
    if isinstance(RawSQL._meta.db, SQLiteEngine):
        rows = await RawSQL.raw(f"SELECT name FROM pragma_table_info('{table}')")
    else:
        rows = await RawSQL.raw(
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = {} AND "
            "table_schema = current_schema()",
            table,
        )
    return any(r["name"] == column for r in rows)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        added = 0
        async with _transaction():
            for table, column, ddl in COLUMNS:
                if not await _has_column(table, column):
                    await RawSQL.raw(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
                    added += 1
        print(f"columns added: {added} ", end="")

    manager.add_raw(run)
    return manager
