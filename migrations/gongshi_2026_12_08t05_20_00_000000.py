"""事后评价 (issue 14 item 6): table inspection_evaluation, one evaluation per inspection (a result
or a scan record); its composite indexes are the next migration's (Piccolo runs a migration's raw
statements before its new tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-08T05:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "inspection_evaluation (事后评价)"


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
    manager.add_table(class_name="Evaluation", tablename="inspection_evaluation", schema=None, columns=None)
    columns = [
        ("id", Serial, _params(primary_key=True)),
        ("inspection_kind", Varchar, _params(length=10, default="")),
        ("inspection_ref", Integer, _params(default=0)),
        ("uscc", Varchar, _params(length=18, default="", index=True)),
        ("department_code", Varchar, _params(length=40, default="", index=True)),
        ("region_code", Varchar, _params(length=6, default="")),
        ("inspected_on", Date, _params(default=None)),
        ("rating", Integer, _params(default=0)),
        ("issues", Varchar, _params(length=200, default="")),
        ("comment", Text, _params(default="")),
        ("created_at", Timestamptz, _params(default=None)),
        ("created_by", Varchar, _params(length=100, default="")),
    ]
    for name, cls, params in columns:
        manager.add_column(
            table_class_name="Evaluation",
            tablename="inspection_evaluation",
            column_name=name,
            db_column_name=name,
            column_class_name=cls.__name__,
            column_class=cls,
            params=params,
            schema=None,
        )

    return manager
