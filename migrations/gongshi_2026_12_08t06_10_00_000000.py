"""年度频次上限 (issue 14 item 4): the unique index (check_field, risk_class) on inspection_cap
(created in 2026-12-08T06:00) and the portal's demo caps, one row per check field and risk class.

Liaocheng 2025 (十二) (聊政办发〔2025〕3号) has each field publish the yearly cap on inspections of one
enterprise, by risk; no seed document gives the numbers, so the seeded rows are demo values and their
source says so. The rows and the wording are frozen here; tests check they equal domain.caps
(DEMO_CAPS, DEMO_SOURCE). A jurisdiction's own caps replace them (created_by other than `migration`).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-08T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "annual caps on inspections: unique key and demo defaults"

SOURCE = (
    "演示值：聊政办发〔2025〕3号（十二）要求各领域公布对同一企业实施行政检查的年度频次上限，风险低的减少检查次数、风险高的适当增加但不得超出上限；"
    "该文件和其他种子文件均未规定具体次数，此处次数为本门户的演示默认值，不是任何机关公布的上限。 "
    "(Demo value: item 12 of the Liaocheng 2025 rules requires each field to publish the yearly cap on "
    "inspections of one enterprise, fewer for low risk, more for high risk but never over the "
    "cap; no seed document gives the numbers, so these are this portal's demo defaults, not "
    "caps any authority has published.)"
)
CAPS = [
    # check_field, risk_class, per_year
    ("general", "A", 1),
    ("general", "B", 2),
    ("general", "C", 3),
    ("general", "D", 4),
    ("food", "A", 2),
    ("food", "B", 3),
    ("food", "C", 4),
    ("food", "D", 6),
    ("drug", "A", 2),
    ("drug", "B", 3),
    ("drug", "C", 4),
    ("drug", "D", 6),
    ("special_equipment", "A", 2),
    ("special_equipment", "B", 3),
    ("special_equipment", "C", 4),
    ("special_equipment", "D", 6),
    ("product_quality", "A", 1),
    ("product_quality", "B", 2),
    ("product_quality", "C", 3),
    ("product_quality", "D", 4),
    ("environment", "A", 1),
    ("environment", "B", 2),
    ("environment", "C", 3),
    ("environment", "D", 4),
    ("work_safety", "A", 2),
    ("work_safety", "B", 3),
    ("work_safety", "C", 4),
    ("work_safety", "D", 6),
    ("fire", "A", 2),
    ("fire", "B", 3),
    ("fire", "C", 4),
    ("fire", "D", 6),
    ("health", "A", 1),
    ("health", "B", 2),
    ("health", "C", 3),
    ("health", "D", 4),
    ("other", "A", 1),
    ("other", "B", 2),
    ("other", "C", 3),
    ("other", "D", 4),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION)

    async def run() -> None:
        await RawSQL.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS inspection_cap_key ON inspection_cap (check_field, risk_class)"
        )
        for field, risk, n in CAPS:
            await RawSQL.raw(
                "INSERT INTO inspection_cap (check_field, risk_class, per_year, source, created_by, created_at) "
                "VALUES ({}, {}, {}, {}, 'migration', CURRENT_TIMESTAMP)",
                field, risk, n, SOURCE,
            )

    manager.add_raw(run)
    return manager
