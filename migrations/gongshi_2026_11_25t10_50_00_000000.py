"""Composite unique constraints and indexes the public lists need, and the default repair rule profile.

Piccolo's table definitions express single-column indexes only, so the composite ones
are raw SQL (the same statements work on SQLite and PostgreSQL).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""

ID = "2026-11-25T10:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique constraints and indexes; default repair rules"

INDEXES = [
    # One result per entity per task; an objection correction is the next revision.
    "CREATE UNIQUE INDEX IF NOT EXISTS result_task_entity_rev ON inspection_result (task_number, uscc, revision)",
    "CREATE UNIQUE INDEX IF NOT EXISTS plan_revision_number ON plan_revision (plan_id, number)",
    "CREATE UNIQUE INDEX IF NOT EXISTS guide_version_number ON guide_version (guide_id, version)",
    "CREATE UNIQUE INDEX IF NOT EXISTS repair_rule_key ON repair_rule (jurisdiction, check_field)",
    "CREATE INDEX IF NOT EXISTS result_uscc_id ON inspection_result (uscc, id)",
    "CREATE INDEX IF NOT EXISTS result_year_id ON inspection_result (year, id)",
    "CREATE INDEX IF NOT EXISTS result_region_id ON inspection_result (region_code, id)",
    "CREATE INDEX IF NOT EXISTS result_negative_id ON inspection_result (negative, id)",
    "CREATE INDEX IF NOT EXISTS result_department_dy ON result_department (department_code, year, result_id)",
    "CREATE INDEX IF NOT EXISTS result_department_dr ON result_department (department_code, result_id)",
    "CREATE INDEX IF NOT EXISTS result_category_cy ON result_category (code, year, result_id)",
    "CREATE INDEX IF NOT EXISTS result_category_cr ON result_category (code, result_id)",
    "CREATE INDEX IF NOT EXISTS scan_uscc_dept_time ON scan_record (uscc, department_code, scanned_at)",
    "CREATE INDEX IF NOT EXISTS outbox_pending ON search_outbox (done_at, next_attempt_at, id)",
    "CREATE INDEX IF NOT EXISTS change_log_object ON change_log (object_type, object_id)",
    "CREATE INDEX IF NOT EXISTS honour_uscc_id ON honour (uscc, id)",
]

# Default profile from the SAMR credit-repair measures (2021) until a jurisdiction sets its own.
SOURCE = "《市场监督管理信用修复管理办法》(国市监信规〔2021〕3号) — national default profile"
RULES = [
    # jurisdiction, check_field, min_months, max_months, accept, decide, objection
    ("*", "*", 6, 36, 3, 15, 5),
    ("*", "food", 12, 36, 3, 15, 5),
    ("*", "drug", 12, 36, 3, 15, 5),
    ("*", "special_equipment", 12, 36, 3, 15, 5),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)

    async def run() -> None:
        for sql in INDEXES:
            await RawSQL.raw(sql)
        for j, f, mn, mx, acc, dec, obj in RULES:
            await RawSQL.raw(
                "INSERT INTO repair_rule (jurisdiction, check_field, min_months, max_months, "
                "accept_days, decide_days, objection_days, source, created_by, created_at) VALUES "
                "({}, {}, {}, {}, {}, {}, {}, {}, 'migration', CURRENT_TIMESTAMP)",
                j, f, mn, mx, acc, dec, obj, SOURCE,
            )

    manager.add_raw(run)
    return manager
