"""事后评价 (issue 14 item 6): one evaluation per inspection — unique (inspection_kind,
inspection_ref) — and the supervisors' read by region."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-08T05:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "inspection_evaluation indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)

    async def run() -> None:
        await RawSQL.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS evaluation_inspection "
            "ON inspection_evaluation (inspection_kind, inspection_ref)"
        )
        await RawSQL.raw("CREATE INDEX IF NOT EXISTS evaluation_region ON inspection_evaluation (region_code, id)")

    manager.add_raw(run)
    return manager
