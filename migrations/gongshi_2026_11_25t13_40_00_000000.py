"""Drop thirteen indexes that no query needs: twelve single-column ones and one composite.

Seven are the leading column of a composite index the second migration made
(result_task_entity_rev, result_uscc_id, result_region_id, result_year_id,
result_category_cy/_cr, result_department_dy/_dr, outbox_pending), so every query they could
serve is served as well by the composite one; search_outbox.next_attempt_at is covered by
outbox_pending too. inspection_result.department_code (the lead department) is never a filter:
lists by department go through result_department. inspection_result.disclosure is 'public' on
nearly every row: useless as a filter, and without statistics SQLite may prefer it to a
selective index. result_category.result_id and result_department.result_id: the join rows are
only ever found by code or department first (the _dy/_dr/_cy/_cr indexes, which end in
result_id, also serve the probe from a result with a code or department given). Each cost at every write: rebuilding them was about 16 s of a 1,000,000-row
import, and each published result updated them.

The composite change_log_object (object_type, object_id) goes too: no query looks changes up
by object (the feeds page by seq and time), and a million publications each added an entry.

Written as Piccolo column alterations (index True → False) so the migration state matches
db/tables.py; Piccolo drops `<table>_<column>` indexes with IF EXISTS on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-11-25T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop single-column indexes no query needs"

DROPPED = [
    # (table class, table, column)
    ("Result", "inspection_result", "task_number"),
    ("Result", "inspection_result", "uscc"),
    ("Result", "inspection_result", "region_code"),
    ("Result", "inspection_result", "year"),
    ("ResultCategory", "result_category", "code"),
    ("ResultDepartment", "result_department", "department_code"),
    ("Outbox", "search_outbox", "done_at"),
    ("Outbox", "search_outbox", "next_attempt_at"),
    ("Result", "inspection_result", "department_code"),
    ("Result", "inspection_result", "disclosure"),
    ("ResultCategory", "result_category", "result_id"),
    ("ResultDepartment", "result_department", "result_id"),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)
    for class_name, table, column in DROPPED:
        manager.alter_column(
            table_class_name=class_name,
            tablename=table,
            column_name=column,
            db_column_name=column,
            params={"index": False},
            old_params={"index": True},
            schema=None,
        )

    async def drop_composite() -> None:
        await RawSQL.raw("DROP INDEX IF EXISTS change_log_object")

    manager.add_raw(drop_composite)
    return manager
