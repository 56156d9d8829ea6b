"""The seeded national default repair profile says honestly where its periods come from.

The first migration seeded the default profile with the source “《市场监督管理信用修复管理办法》
(国市监信规〔2021〕3号) — national default profile”, which reads as if those measures set the periods
for spot-check results. They do not: they set them for 行政处罚、经营异常名录 and 严重违法失信名单, and no
seed fixes the months for spot-check results (DOMAIN.md, "Sources, honestly"). The default follows
them by analogy until a jurisdiction publishes its own, and now says so.

Only the rows the seed wrote (jurisdiction `*`, created_by `migration`, the old wording) change; a
profile an administrator added is left as it is. The wording is frozen here; tests check it equals
domain.repair.DEFAULT_SOURCE. A second run changes nothing.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-07T12:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the default repair profile names its source honestly (by analogy with the SAMR measures)"

OLD = "《市场监督管理信用修复管理办法》(国市监信规〔2021〕3号) — national default profile"
NEW = (
    "参照《市场监督管理信用修复管理办法》（国市监信规〔2021〕3号）类推适用。该办法规定的是行政处罚、"
    "经营异常名录和严重违法失信名单的信用修复，没有规定抽查检查结果的公示期限；在本地区发布自己的规则之前，"
    "本门户以其期限作为全国默认规则。 (National default, by analogy with the SAMR credit-repair measures of "
    "2021, which set the periods for administrative penalties, the list of abnormal operations and the list "
    "of serious violations, not for spot-check results; it applies until a jurisdiction publishes its own.)"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        rows = await RawSQL.raw(
            "UPDATE repair_rule SET source = {} WHERE jurisdiction = '*' AND created_by = 'migration' "
            "AND source = {} RETURNING id",
            NEW, OLD,
        )
        print(f"default rules reworded: {len(rows)} ", end="")

    manager.add_raw(run)
    return manager
