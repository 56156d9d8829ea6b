"""Close as moot the repair applications left pending for results that are no longer public.

Before this change a result could stop being public while a repair application for it was pending
(the maximum period ended — `gongshi withdraw-expired` or the daily in-process run —, the linked
penalty was withdrawn, an objection corrected it as a new revision) and the application stayed
`submitted` or `accepted` for ever: the enterprise kept waiting, the department's queue showed it,
it counted as pending in /api/v1/stats/repair and as overdue once its deadlines passed. The code now
closes such applications in the withdrawal's own transaction (db.repair.close_moot_applications,
the rule in domain.repair.applications_made_moot); this migration closes the ones left behind.

For every application with status `submitted` or `accepted` whose result's disclosure is not
'public': status `moot`, `pending_result_id` null, `decided_at` = now, `decided_by`
`system:moot-migration`, `decision_reason` = what happened to the result (the same words
domain.repair.moot_reason uses, with the date the result stopped being public; for a correction,
the objection and the new revision), a timeline event (`repair_event`, status `moot`, the same
note) and an audit-log row (action `repair_moot`, actor `system:moot-migration`, role `system`).
No change log or search outbox rows: applications are not public records.

The reason's wording is frozen here (not imported from domain/): a migration must do tomorrow what
it does today. tests/test_repair_moot.py checks that it agrees with domain.repair.moot_reason.

Raw SQL against the schema as of this migration (no db.tables). One transaction (SQLite: BEGIN
IMMEDIATE): there is at most one pending application per result, so the rows are few. The updates
are conditional on the status still being pending, so a second run changes and logs nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table


class RawSQL(Table):
    """Only a handle to run raw statements on the migration's engine."""


ID = "2026-11-25T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "close as moot the repair applications pending for results no longer public"

ACTOR, ACTOR_ROLE = "system:moot-migration", "system"
ACTION = "repair_moot"
MOOT = "moot"
PENDING = ("submitted", "accepted")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


# -- the reason, frozen (a copy of domain.repair.moot_reason as of this migration) --------------

def moot_reason(reason: str, day: str, ref: str = "", penalty_decision_number: str = "",
                replaced_by: int | None = None, replaced_revision: int | None = None,
                replacement_negative: bool = False) -> str:
    if reason == "expired":
        return (f"检查结果已满最长公示期，于 {day} 自动停止公示，本申请无需再作决定，予以终止 "
                f"(the result reached its statutory maximum publicity period and stopped being public on {day}; "
                f"the application no longer needs a decision and is closed)")
    if reason == "penalty_withdrawn":
        pn = penalty_decision_number
        return (f"关联的行政处罚决定 {pn} 已停止公示，检查结果随之于 {day} 停止公示，本申请予以终止 "
                f"(the linked penalty decision {pn} is no longer public, so the result stopped being public "
                f"on {day}; the application is closed)")
    if reason == "corrected":
        rev, new = replaced_revision, replaced_by
        then = ("如更正后的结果仍需修复，可对其重新申请 (if the corrected result still needs repair, "
                "apply again for it)") if replacement_negative else \
            "更正后的结果不是失信结果，无需修复 (the corrected result is not negative: nothing to repair)"
        return (f"检查结果经异议 {ref} 核实更正，于 {day} 由第 {rev} 版（结果编号 {new}）取代，本申请予以终止；{then} "
                f"(the result was corrected after objection {ref} and replaced by revision {rev}, result {new}, "
                f"on {day}; the application is closed)")
    if reason == "revoked":
        return (f"发布部门已于 {day} 撤回该检查结果，本申请予以终止 "
                f"(the publishing department withdrew the result on {day}; the application is closed)")
    if reason == "repaired":
        return (f"检查结果已因修复申请 {ref} 获准，于 {day} 停止公示，本申请予以终止 "
                f"(the result stopped being public on {day} when application {ref} was approved; "
                f"the application is closed)")
    return (f"检查结果已于 {day} 停止公示，本申请予以终止 "
            f"(the result stopped being public on {day}; the application is closed)")


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
    """Pending applications whose result is no longer public, with the facts the reason names: the
    newest revision that replaced the result and the objection that corrected it (if any), and the
    approved application for it (if any)."""
    return await RawSQL.raw(
        "SELECT a.id AS id, a.number AS number, a.result_id AS result_id, "
        "r.withdrawn_reason AS withdrawn_reason, r.withdrawn_at AS withdrawn_at, "
        "r.penalty_decision_number AS penalty_decision_number, "
        "n.id AS new_id, n.revision AS new_revision, n.negative AS new_negative, "
        "(SELECT o.number FROM objection o WHERE o.corrected_result_id = n.id ORDER BY o.id DESC LIMIT 1) "
        "AS objection_number, "
        "(SELECT g.number FROM repair_application g WHERE g.result_id = a.result_id AND g.status = 'approved' "
        "ORDER BY g.id DESC LIMIT 1) AS approved_number "
        "FROM repair_application a JOIN inspection_result r ON r.id = a.result_id "
        "LEFT JOIN inspection_result n ON n.id = (SELECT MAX(x.id) FROM inspection_result x "
        "WHERE x.revision_of = r.id) "
        "WHERE a.status IN ('submitted', 'accepted') AND r.disclosure <> 'public' ORDER BY a.id"
    )


def reason_for(row: dict, now: dt.datetime) -> str:
    day = _instant(row["withdrawn_at"], now).astimezone(SHANGHAI).date().isoformat()
    cause = row["withdrawn_reason"] or ""
    ref = (row["objection_number"] if cause == "corrected" else row["approved_number"] if cause == "repaired"
           else "") or ""
    return moot_reason(cause, day, ref=ref, penalty_decision_number=row["penalty_decision_number"] or "",
                       replaced_by=row["new_id"], replaced_revision=row["new_revision"],
                       replacement_negative=bool(row["new_negative"]))


async def close_stuck_applications() -> int:
    """Close every pending application whose result is no longer public; returns how many."""
    closed = 0
    async with _transaction():
        now = dt.datetime.now(dt.timezone.utc)
        for row in await _stuck():
            reason = reason_for(row, now)
            done = await RawSQL.raw(
                "UPDATE repair_application SET status = {}, pending_result_id = NULL, decided_at = {}, "
                "decided_by = {}, decision_reason = {} "
                "WHERE id = {} AND status IN ('submitted', 'accepted') RETURNING id",
                MOOT, now, ACTOR, reason, row["id"],
            )
            if not done:
                continue
            await RawSQL.raw(
                "INSERT INTO repair_event (application_id, at, status, note, actor) VALUES ({}, {}, {}, {}, {})",
                row["id"], now, MOOT, reason, ACTOR,
            )
            detail = json.dumps({"result_id": row["result_id"], "status": MOOT,
                                 "withdrawn_reason": row["withdrawn_reason"] or "", "migration": ID})
            await RawSQL.raw(
                "INSERT INTO audit_log (at, actor, actor_role, department_code, action, object_type, object_id, "
                "reason, detail) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})",
                now, ACTOR, ACTOR_ROLE, "", ACTION, "repair_application", row["number"], reason, detail,
            )
            closed += 1
    return closed


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="gongshi", description=DESCRIPTION,
                               wrap_in_transaction=False)

    async def run() -> None:
        n = await close_stuck_applications()
        print(f"repair applications closed as moot: {n} ", end="")

    manager.add_raw(run)
    return manager
