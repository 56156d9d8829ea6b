"""The jobs' leader (issue 13 item 10): table job_run, one row per run of a background job and
per process's time as the leader (ops.jobs)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-08T05:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "job_run: background job runs and leadership"


def _params(**kw):
    base = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    base.update(kw)
    return base


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)
    manager.add_table(class_name="JobRun", tablename="job_run", schema=None, columns=None)
    columns = [
        ("id", Serial, _params(primary_key=True)),
        ("job", Varchar, _params(length=40, default="")),
        ("pid", Integer, _params(default=0)),
        ("host", Varchar, _params(length=100, default="")),
        ("started_at", Timestamptz, _params(default=None)),
        ("finished_at", Timestamptz, _params(default=None, null=True)),
        ("ok", Boolean, _params(default=None, null=True)),
        ("detail", Text, _params(default="")),
    ]
    for name, cls, params in columns:
        manager.add_column(
            table_class_name="JobRun",
            tablename="job_run",
            column_name=name,
            db_column_name=name,
            column_class_name=cls.__name__,
            column_class=cls,
            params=params,
            schema=None,
        )
    return manager
