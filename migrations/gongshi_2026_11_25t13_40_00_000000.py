"""Drop seven single-column indexes that duplicate the leading column of a composite index.

Each of these is a prefix of an index the second migration made (result_task_entity_rev,
result_uscc_id, result_region_id, result_year_id, result_category_cy/_cr, result_department_dy/_dr,
outbox_pending), so every query they could serve is served as well by the composite one. They
cost at every write: rebuilding them was about 14 s of a 1,000,000-row import, and each
published result updated them.

Written as Piccolo column alterations (index True → False) so the migration state matches
db/tables.py; Piccolo drops `<table>_<column>` indexes with IF EXISTS on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-25T13:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop single-column indexes duplicated by composite ones"

DROPPED = [
    # (table class, table, column)
    ("Result", "inspection_result", "task_number"),
    ("Result", "inspection_result", "uscc"),
    ("Result", "inspection_result", "region_code"),
    ("Result", "inspection_result", "year"),
    ("ResultCategory", "result_category", "code"),
    ("ResultDepartment", "result_department", "department_code"),
    ("Outbox", "search_outbox", "done_at"),
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
    return manager
