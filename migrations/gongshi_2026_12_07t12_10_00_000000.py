"""Results published late: `inspection_result.published_late`, true when a result was published more
than 20 working days after its inspection (《企业信息公示暂行条例》第六条: 自产生之日起20个工作日内予以公示;
domain.results.published_late). Publishing now sets it; this migration adds the column (boolean, not
null, default false) and sets it on the rows already stored.

Raw SQL (Piccolo runs a migration's raw steps before its column operations, and the backfill needs the
column): ALTER TABLE … ADD COLUMN on both engines, skipped when the column is there. The backfill reads
only the rows published more than 20 calendar days after the inspection (20 working days never end
sooner), in keyset chunks of 20,000, and counts working days with a frozen copy of
domain.workdays.add_working_days (the `chinese-calendar` package; Monday to Friday outside its years),
one deadline per inspection day. One transaction; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-07T12:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "inspection_result.published_late (published more than 20 working days after the inspection)"

WITHIN = 20
CHUNK = 20_000


def _is_sqlite() -> bool:
    return isinstance(RawSQL._meta.db, SQLiteEngine)


def _transaction():
    db = RawSQL._meta.db
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def _counts(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@functools.lru_cache(maxsize=None)
def deadline(inspected_on: dt.date) -> dt.date:
    day, left = inspected_on, WITHIN
    while left > 0:
        day += dt.timedelta(days=1)
        if _counts(day):
            left -= 1
    return day


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


async def _add_column() -> None:
    if _is_sqlite():
        cols = await RawSQL.raw("SELECT name FROM pragma_table_info('inspection_result')")
        if any(c["name"] == "published_late" for c in cols):
            return
        await RawSQL.raw("ALTER TABLE inspection_result ADD COLUMN published_late BOOLEAN NOT NULL DEFAULT false")
    else:
        await RawSQL.raw(
            "ALTER TABLE inspection_result ADD COLUMN IF NOT EXISTS published_late BOOLEAN NOT NULL DEFAULT false"
        )


async def backfill() -> int:
    gap = (
        "julianday(published_on) - julianday(inspected_on) > {}"
        if _is_sqlite()
        else "published_on - inspected_on > {}"
    )
    late_ids: list[int] = []
    after = 0
    while True:
        rows = await RawSQL.raw(
            f"SELECT id, inspected_on, published_on FROM inspection_result WHERE id > {{}} AND {gap} "
            f"AND NOT published_late ORDER BY id LIMIT {CHUNK}",
            after, WITHIN,
        )
        if not rows:
            break
        after = rows[-1]["id"]
        late_ids.extend(r["id"] for r in rows if _day(r["published_on"]) > deadline(_day(r["inspected_on"])))
    for i in range(0, len(late_ids), 500):
        part = late_ids[i : i + 500]
        await RawSQL.raw(
            "UPDATE inspection_result SET published_late = {} WHERE id IN (" + ", ".join(str(int(x)) for x in part) + ")",
            True,
        )
    return len(late_ids)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        async with _transaction():
            await _add_column()
            n = await backfill()
        print(f"results flagged published_late: {n} ", end="")

    manager.add_raw(run)
    return manager
