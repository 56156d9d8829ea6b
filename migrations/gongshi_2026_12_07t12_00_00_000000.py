"""Repair applications: the decision deadline runs from acceptance, and the acceptance deadline
stops while materials are awaited — so both may be unknown (null).

Before this change `decide_by` was counted from submission (`decide_days` working days after the
day of submission). The law counts it from acceptance (自受理之日起; DOMAIN.md "Periods, deadlines
and the repair procedure"), so an application still `submitted` has no decision deadline yet, and
one already `accepted` has the deadline counted from the day it was accepted. Decided and moot
applications keep the deadline they were decided under (their record is history).

Schema: `accept_by` and `decide_by` of `repair_application` become nullable. PostgreSQL: ALTER
COLUMN … DROP NOT NULL. SQLite cannot drop a NOT NULL constraint, so the table is rebuilt the way
https://www.sqlite.org/lang_altertable.html ("Making Other Kinds Of Table Schema Changes")
describes: a new table from the stored CREATE statement with the two constraints removed, the rows
copied, the old table dropped, the new one renamed, its indexes re-created (no view, trigger or
foreign key refers to the table).

Data, in the same transaction: `submitted` → decide_by null; `accepted` → decide_by = the day of
acceptance (its `accepted` timeline event, Beijing time) plus the rule's `decide_days` working days,
the day of acceptance not counted. The rule lookup and the working-day count are frozen copies of
domain.repair.pick_rule and domain.workdays.add_working_days as of this migration (the holiday
calendar itself comes from the `chinese-calendar` package; Monday to Friday past its last year).
Each recomputed deadline writes an audit-log row (action `repair_deadline_recount`, actor
`system:deadline-migration`). A second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json

import chinese_calendar
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-12-07T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "repair deadlines: decide_by from acceptance, accept_by/decide_by nullable"

ACTOR, ACTOR_ROLE = "system:deadline-migration", "system"
ACTION = "repair_deadline_recount"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TABLE = "repair_application"
NOT_NULL = {
    '"accept_by" DATE NOT NULL DEFAULT CURRENT_DATE': '"accept_by" DATE DEFAULT null',
    '"decide_by" DATE NOT NULL DEFAULT CURRENT_DATE': '"decide_by" DATE DEFAULT null',
}


def _is_sqlite() -> bool:
    return isinstance(RawSQL._meta.db, SQLiteEngine)


def _transaction():
    db = RawSQL._meta.db
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


# -- frozen copies of the domain rules as of this migration ---------------------------------------

def _counts(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # past the installed calendar: Monday to Friday (provisional)
        return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if _counts(day):
            left -= 1
    return day


def pick_rule(rules: list[dict], region_code: str, check_field: str) -> dict | None:
    by_key = {(r["jurisdiction"], r["check_field"]): r for r in rules}
    places: list[str] = []
    for code in (region_code, region_code[:4] + "00", region_code[:2] + "0000"):
        if len(code) == 6 and code not in places:
            places.append(code)
    places.append("*")
    for f in (check_field, "*"):
        for j in places:
            if (j, f) in by_key:
                return by_key[(j, f)]
    return None


def _instant(value) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _day(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# -- the run --------------------------------------------------------------------------------------

async def _drop_not_null() -> None:
    if not _is_sqlite():
        await RawSQL.raw(f'ALTER TABLE "{TABLE}" ALTER COLUMN "accept_by" DROP NOT NULL')
        await RawSQL.raw(f'ALTER TABLE "{TABLE}" ALTER COLUMN "decide_by" DROP NOT NULL')
        return
    rows = await RawSQL.raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = {}", TABLE)
    create = rows[0]["sql"]
    if all(new in create for new in NOT_NULL.values()):
        return  # already rebuilt
    for old, new in NOT_NULL.items():
        if old not in create:
            raise RuntimeError(f"unexpected schema of {TABLE}: {old!r} not in {create!r}")
        create = create.replace(old, new)
    indexes = await RawSQL.raw(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = {} AND sql IS NOT NULL", TABLE
    )
    await RawSQL.raw(create.replace(f'CREATE TABLE "{TABLE}"', f'CREATE TABLE "{TABLE}_new"', 1))
    await RawSQL.raw(f'INSERT INTO "{TABLE}_new" SELECT * FROM "{TABLE}"')
    await RawSQL.raw(f'DROP TABLE "{TABLE}"')
    await RawSQL.raw(f'ALTER TABLE "{TABLE}_new" RENAME TO "{TABLE}"')
    for ix in indexes:
        await RawSQL.raw(ix["sql"])


async def recount() -> tuple[int, int]:
    """(submitted applications whose decide_by became null, accepted ones recounted)."""
    now = dt.datetime.now(dt.timezone.utc)
    cleared = await RawSQL.raw(
        f"UPDATE {TABLE} SET decide_by = NULL WHERE status = 'submitted' AND decide_by IS NOT NULL RETURNING id"
    )
    rules = await RawSQL.raw("SELECT jurisdiction, check_field, decide_days FROM repair_rule")
    accepted = await RawSQL.raw(
        f"SELECT a.id AS id, a.number AS number, a.decide_by AS decide_by, r.region_code AS region_code, "
        f"r.check_field AS check_field, (SELECT MIN(e.at) FROM repair_event e WHERE e.application_id = a.id "
        f"AND e.status = 'accepted') AS accepted_at FROM {TABLE} a JOIN inspection_result r ON r.id = a.result_id "
        f"WHERE a.status = 'accepted' ORDER BY a.id"
    )
    recounted = 0
    for a in accepted:
        rule = pick_rule(rules, a["region_code"], a["check_field"])
        if rule is None or a["accepted_at"] is None:
            continue
        accepted_on = _instant(a["accepted_at"]).astimezone(SHANGHAI).date()
        new = add_working_days(accepted_on, int(rule["decide_days"]))
        old = _day(a["decide_by"])
        if old == new:
            continue
        await RawSQL.raw(f"UPDATE {TABLE} SET decide_by = {{}} WHERE id = {{}}", new, a["id"])
        detail = json.dumps({"decide_by": [old.isoformat() if old else None, new.isoformat()], "migration": ID})
        await RawSQL.raw(
            "INSERT INTO audit_log (at, actor, actor_role, department_code, action, object_type, object_id, "
            "reason, detail) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
            now, ACTOR, ACTOR_ROLE, "", ACTION, "repair_application", a["number"],
            "决定期限自受理之日起计算 (the decision deadline runs from acceptance)", detail,
        )
        recounted += 1
    return len(cleared), recounted


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        async with _transaction():
            await _drop_not_null()
            cleared, recounted = await recount()
        print(f"decision deadlines cleared: {cleared}, recounted from acceptance: {recounted} ", end="")

    manager.add_raw(run)
    return manager
