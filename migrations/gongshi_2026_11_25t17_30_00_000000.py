"""Close as moot the objections left pending on results that a correction has already replaced.

An objection whose result stops being public stays pending and decidable (the record is kept and a
confirmed error must still be corrected; domain.repair.objection_made_moot), except when the result
was replaced by a corrected revision: the disputed row is superseded. Before this change one way
led there: the enterprise filed a second objection on a result after the use case had read it as
public and before the insert, while the first objection's correction committed; the insert did not
re-check, so the new objection stayed `submitted` for ever, and correcting it would have written a
second revision 2. The insert now re-checks inside its transaction (db.repair.insert_objection) and
a correction refuses a superseded row (domain.repair.corrected_revision_disclosure); this migration
closes the objections left behind.

For every objection with status `submitted` or `confirmed` whose result is withdrawn with reason
`corrected`: status `moot`, `pending_result_id` null, `decided_at` = now, `decided_by`
`system:moot-migration`, `decision_note` = what happened (the same words
domain.repair.objection_moot_reason uses: the correcting objection, the date, the newest revision
that replaced the result) and an audit-log row (action `objection_moot`, actor
`system:moot-migration`, role `system`). Objections have no timeline table; no change log or search
outbox rows (objections are not public records). Pending objections on results withdrawn any other
way are left as they are: they still need a decision.

The reason's wording is frozen here (not imported from domain/); tests/test_repair_objections_withdrawn.py
checks that it agrees with domain.repair.objection_moot_reason. Raw SQL against the schema as of this
migration, one transaction (SQLite: BEGIN IMMEDIATE), conditional updates: a second run changes and
logs nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-11-25T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "close as moot the objections pending on results already replaced by a correction"

ACTOR, ACTOR_ROLE = "system:moot-migration", "system"
ACTION = "objection_moot"
MOOT = "moot"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


# -- the reason, frozen (a copy of domain.repair.objection_moot_reason as of this migration) ----

def objection_moot_reason(ref: str, day: str, replaced_by: int | None, replaced_revision: int | None) -> str:
    rev, new = replaced_revision, replaced_by
    return (f"检查结果已经异议 {ref} 核实更正，于 {day} 由第 {rev} 版（结果编号 {new}）取代，本异议无需再作决定，予以终止；"
            f"如更正后的结果仍有错误，可对其提出异议 "
            f"(the result was corrected after objection {ref} and replaced by revision {rev}, result {new}, "
            f"on {day}; the objection no longer needs a decision and is closed; if the corrected result is "
            f"still wrong, object to it)")


# -- the run -----------------------------------------------------------------------------------

def _transaction():
    db = RawSQL._meta.db
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()


def _instant(value, fallback: dt.datetime) -> dt.datetime:
    """A timestamp as the engine returns it (datetime, or ISO text from SQLite), in UTC if naive."""
    if value is None or value == "":
        return fallback
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


async def _stuck() -> list[dict]:
    """Pending objections whose result was replaced by a correction, with the newest revision that
    replaced it and the objection that corrected it."""
    return await RawSQL.raw(
        "SELECT o.id AS id, o.number AS number, o.result_id AS result_id, r.withdrawn_at AS withdrawn_at, "
        "n.id AS new_id, n.revision AS new_revision, "
        "(SELECT c.number FROM objection c WHERE c.corrected_result_id = n.id ORDER BY c.id DESC LIMIT 1) "
        "AS objection_number "
        "FROM objection o JOIN inspection_result r ON r.id = o.result_id "
        "LEFT JOIN inspection_result n ON n.id = (SELECT MAX(x.id) FROM inspection_result x "
        "WHERE x.revision_of = r.id) "
        "WHERE o.status IN ('submitted', 'confirmed') AND r.disclosure <> 'public' "
        "AND r.withdrawn_reason = 'corrected' ORDER BY o.id"
    )


def reason_for(row: dict, now: dt.datetime) -> str:
    day = _instant(row["withdrawn_at"], now).astimezone(SHANGHAI).date().isoformat()
    return objection_moot_reason(row["objection_number"] or "", day, row["new_id"], row["new_revision"])


async def close_stuck_objections() -> int:
    """Close every pending objection whose result a correction replaced; returns how many."""
    closed = 0
    async with _transaction():
        now = dt.datetime.now(dt.timezone.utc)
        for row in await _stuck():
            reason = reason_for(row, now)
            done = await RawSQL.raw(
                "UPDATE objection SET status = {}, pending_result_id = NULL, decided_at = {}, decided_by = {}, "
                "decision_note = {} WHERE id = {} AND status IN ('submitted', 'confirmed') RETURNING id",
                MOOT, now, ACTOR, reason, row["id"],
            )
            if not done:
                continue
            detail = json.dumps({"result_id": row["result_id"], "status": MOOT, "withdrawn_reason": "corrected",
                                 "replaced_by": row["new_id"], "migration": ID})
            await RawSQL.raw(
                "INSERT INTO audit_log (at, actor, actor_role, department_code, action, object_type, object_id, "
                "reason, detail) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
                now, ACTOR, ACTOR_ROLE, "", ACTION, "objection", row["number"], reason, detail,
            )
            closed += 1
    return closed


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        n = await close_stuck_objections()
        print(f"objections closed as moot: {n} ", end="")

    manager.add_raw(run)
    return manager
