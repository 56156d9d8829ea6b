"""search_outbox.fallback_done_at: with SEARCH_FALLBACK=embedded, when the embedded copy of the index
took the row. `done_at` still means every configured index has it, so a row stays pending for
Meilisearch while Meilisearch is down even though the embedded copy is up to date. Nullable, no
default: rows written by older code (and by the bulk path, which names its columns) stay valid.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-25T13:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "search_outbox.fallback_done_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Outbox",
        tablename="search_outbox",
        column_name="fallback_done_at",
        db_column_name="fallback_done_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
