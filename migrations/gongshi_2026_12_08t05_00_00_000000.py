"""Administration (issue 12 item 7): portal_user.password_changed_at, so that a password reset or
a deactivation ends the account's existing sessions and tokens; and indexes for reading the
audit log by record, actor, action and date (it holds a row per published record: a million
results make a million rows)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-08T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "account credential changes; audit log indexes"

INDEXES = [
    "CREATE INDEX IF NOT EXISTS audit_object ON audit_log (object_type, object_id, id)",
    "CREATE INDEX IF NOT EXISTS audit_actor ON audit_log (actor, id)",
    "CREATE INDEX IF NOT EXISTS audit_action ON audit_log (action, id)",
    "CREATE INDEX IF NOT EXISTS audit_at ON audit_log (at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)

    manager.add_column(
        table_class_name="User",
        tablename="portal_user",
        column_name="password_changed_at",
        db_column_name="password_changed_at",
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

    async def run() -> None:
        for sql in INDEXES:
            await RawSQL.raw(sql)

    manager.add_raw(run)
    return manager
