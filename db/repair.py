"""Queries for credit repair: rules, applications, objections, withdrawals, evidence files.

Every write runs in one `write_transaction()` with its audit, change-log and outbox rows, and
state changes are conditional UPDATEs (`WHERE status IN (...)`) whose row count says who won a
race. No business `if`s here: the rules are in domain/repair.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

from db import changes
from db.entities import get_entity  # noqa: F401  (the use cases' repository includes it)
from db.results import get_result  # noqa: F401  (the use cases' repository includes it)
from db.tables import (
    Attachment,
    Department,
    Objection,
    RepairApplication,
    RepairEvent,
    RepairExchange,
    RepairLetter,
    RepairRule,
    Result,
    ResultCategory,
    ResultDepartment,
)
from db.tx import write_transaction
from domain import exchange
from domain.disclosure import is_public, withdrawal_fields
from domain.errors import Conflict, FieldError
from domain.evidence import EvidenceFile
from domain.letters import letter_number
from domain.repair import (
    MOOT,
    MOOT_FROM,
    Rule,
    Withdrawal,
    applications_made_moot,
    corrected_revision_disclosure,
    parse_required_materials,
)

CHUNK = 400


def is_unique_violation(exc: BaseException) -> bool:
    """sqlite3.IntegrityError (UNIQUE) or asyncpg's UniqueViolationError, without importing either."""
    name = type(exc).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(exc).upper())


# -- rules -------------------------------------------------------------------------------


async def load_rules() -> list[Rule]:
    rows = await RepairRule.select()
    return [
        Rule(
            r["jurisdiction"],
            r["check_field"],
            r["min_months"],
            r["max_months"],
            r["accept_days"],
            r["decide_days"],
            r["objection_days"],
            r["source"],
            parse_required_materials(r["required_materials"]),
        )
        for r in rows
    ]


async def list_rules() -> list[dict]:
    return await RepairRule.select().order_by(RepairRule.jurisdiction).order_by(RepairRule.check_field)


async def insert_rules(rules: list[Rule], actor: Any, now: dt.datetime) -> None:
    try:
        async with write_transaction():
            await RepairRule.insert(
                *[
                    RepairRule(
                        jurisdiction=r.jurisdiction,
                        check_field=r.check_field,
                        min_months=r.min_months,
                        max_months=r.max_months,
                        accept_days=r.accept_days,
                        decide_days=r.decide_days,
                        objection_days=r.objection_days,
                        source=r.source,
                        required_materials=",".join(r.required_materials),
                        created_by=actor.username,
                        created_at=now,
                    )
                    for r in rules
                ]
            )
            await changes.audit(
                actor,
                "repair_rules_add",
                "repair_rule",
                rules[0].jurisdiction,
                reason=rules[0].source,
                detail={"rules": [r.__dict__ for r in rules]},
            )
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(
                "该辖区已有此领域的规则 (this jurisdiction already has a rule for one of these fields)",
                [FieldError("rules", "a rule for this (jurisdiction, check_field) exists")],
            ) from None
        raise


# -- evidence files ----------------------------------------------------------------------


def _write_files(files_dir: str, folder: str, files: list[EvidenceFile]) -> list[str]:
    """Write the files; return their paths relative to FILES_DIR (removed again on failure)."""
    base = Path(files_dir)
    written: list[str] = []
    try:
        for f in files:
            rel = f"repair/{folder}/{f.sha256[:20]}.{f.ext}"
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)
            written.append(rel)
    except OSError:
        remove_files(files_dir, written)
        raise
    return written


def remove_files(files_dir: str, rels: list[str]) -> None:
    for rel in rels:
        with contextlib.suppress(FileNotFoundError):
            (Path(files_dir) / rel).unlink()


async def _insert_attachments(
    owner_type: str, owner_id: int, files: list[EvidenceFile], rels: list[str], now: dt.datetime
) -> None:
    if files:
        await Attachment.insert(
            *[
                Attachment(
                    owner_type=owner_type,
                    owner_id=owner_id,
                    kind=f.kind,
                    filename=f.filename,
                    content_type=f.content_type,
                    bytes=f.size,
                    sha256=f.sha256,
                    path=rel,
                    created_at=now,
                )
                for f, rel in zip(files, rels, strict=False)
            ]
        )


async def attachments_of(owner_type: str, owner_id: int) -> list[dict]:
    return (
        await Attachment.select()
        .where((Attachment.owner_type == owner_type) & (Attachment.owner_id == owner_id))
        .order_by(Attachment.id)
    )


# -- applications ------------------------------------------------------------------------


async def pending_application_exists(result_id: int) -> bool:
    return await RepairApplication.exists().where(RepairApplication.pending_result_id == result_id)


async def _locked_result(result_id: int) -> dict | None:
    """Inside the caller's transaction: the result as it is now, whatever its disclosure, holding
    its row until commit (PostgreSQL: FOR UPDATE; SQLite: BEGIN IMMEDIATE holds the database), so
    a withdrawal either commits first and is seen here, or waits and then sees what was written."""
    if Result._meta.db.engine_type != "sqlite":
        await Result.raw("SELECT id FROM inspection_result WHERE id = {} FOR UPDATE", result_id)
    return await Result.select().where(Result.id == result_id).first()


async def _lock_public_result(result_id: int) -> bool:
    """Inside the caller's transaction: whether the result is still public (row held, as above)."""
    row = await _locked_result(result_id)
    return row is not None and is_public(row["disclosure"])


async def insert_application(
    row: dict, files: list[EvidenceFile], actor: Any, files_dir: str, now: dt.datetime
) -> None:
    """Application, its first timeline event, evidence rows and files, audit: all or nothing.
    The unique pending_result_id makes a concurrent second application fail here; a withdrawal
    committed after the use case read the result makes it fail too (409), instead of leaving an
    application pending for a result no longer public."""
    rels: list[str] = []
    try:
        async with write_transaction():
            if not await _lock_public_result(row["result_id"]):
                raise Conflict(
                    "该结果已停止公示，不能再申请修复 (the result stopped being public meanwhile)",
                    [FieldError("result_id", "the result is no longer public")],
                    reasons=["not_public"],
                )
            ids = await RepairApplication.insert(RepairApplication(**row)).returning(RepairApplication.id)
            app_id = ids[0]["id"]
            await RepairEvent.insert(
                RepairEvent(
                    application_id=app_id,
                    at=now,
                    status="submitted",
                    note="申请已提交 (application submitted)",
                    actor=actor.username,
                )
            )
            rels = _write_files(files_dir, row["number"], files)
            await _insert_attachments("repair", app_id, files, rels, now)
            await changes.audit(
                actor,
                "repair_apply",
                "repair_application",
                row["number"],
                reason=row["reason"],
                detail={"result_id": row["result_id"], "files": len(files)},
            )
    except Exception as e:
        remove_files(files_dir, rels)
        if is_unique_violation(e):
            raise Conflict(
                "该结果已有待处理的修复申请 (an application for this result is already pending)",
                [FieldError("result_id", "an application for this result is pending")],
            ) from None
        raise


async def add_application_files(
    app: dict,
    files: list[EvidenceFile],
    actor: Any,
    files_dir: str,
    now: dt.datetime,
    supplied: tuple[frozenset[str], str, dt.date] | None = None,
) -> None:
    """Store the files; with `supplied` = (statuses, new status, accept_by) they are the materials
    the department asked for: the status moves and the acceptance clock restarts in the same
    transaction (a Conflict if the department moved the application meanwhile)."""
    rels: list[str] = []
    status = app["status"]
    try:
        async with write_transaction():
            if supplied is not None:
                allowed, status, accept_by = supplied
                moved = (
                    await RepairApplication.update(
                        {RepairApplication.status: status, RepairApplication.accept_by: accept_by}
                    )
                    .where((RepairApplication.id == app["id"]) & RepairApplication.status.is_in(sorted(allowed)))
                    .returning(RepairApplication.id)
                )
                if not moved:
                    raise Conflict("申请状态已变化，请刷新后重试 (the application changed meanwhile; reload it)")
            rels = _write_files(files_dir, app["number"], files)
            await _insert_attachments("repair", app["id"], files, rels, now)
            note = f"补充材料 {len(files)} 份 (added {len(files)} files)"
            if supplied is not None:
                note = f"已补正材料 {len(files)} 份，重新计算受理期限 (materials supplied: {len(files)} files)"
            await RepairEvent.insert(
                RepairEvent(application_id=app["id"], at=now, status=status, note=note, actor=actor.username)
            )
            await changes.audit(
                actor,
                "repair_add_files",
                "repair_application",
                app["number"],
                detail={"files": [f.sha256 for f in files]},
            )
    except Exception:
        remove_files(files_dir, rels)
        raise


async def get_application(number: str) -> dict | None:
    return await RepairApplication.select().where(RepairApplication.number == number).first()


async def application_events(app_id: int) -> list[dict]:
    return await RepairEvent.select().where(RepairEvent.application_id == app_id).order_by(RepairEvent.id)


async def applications_of_uscc(uscc: str, after_id: int | None, limit: int) -> list[dict]:
    q = RepairApplication.select().where(RepairApplication.uscc == uscc)
    if after_id is not None:
        q = q.where(RepairApplication.id < after_id)
    return await q.order_by(RepairApplication.id, ascending=False).limit(limit)


async def list_applications(
    department: str, statuses: list[str] | None, after_id: int | None, limit: int
) -> list[dict]:
    q = RepairApplication.select().where(RepairApplication.department_code == department)
    if statuses:
        q = q.where(RepairApplication.status.is_in(statuses))
    if after_id is not None:
        q = q.where(RepairApplication.id < after_id)
    return await q.order_by(RepairApplication.id, ascending=False).limit(limit)


async def _withdraw(
    result_ids: list[int],
    reason: str,
    actor: Any,
    note: str,
    now: dt.datetime,
    ref: str = "",
    replacement: dict | None = None,
) -> list[int]:
    """Inside the caller's transaction: withdraw the still-public ones; change log + outbox for each;
    and close, in the same transaction, the pending repair applications the withdrawal makes moot
    (`ref` and `replacement` are the facts domain.repair.moot_reason tells the applicant)."""
    if not result_ids:
        return []
    rows = (
        await Result.update(
            {
                **{getattr(Result, k): v for k, v in withdrawal_fields(reason, actor.username, note, now).items()},
                Result.updated_at: now,
            }
        )
        .where(Result.id.is_in(result_ids) & (Result.disclosure == "public"))
        .returning(
            Result.id,
            Result.penalty_decision_number,
            Result.uscc,
            Result.entity_name,
            Result.task_number,
            Result.department_code,
        )
    )
    ids = sorted(r["id"] for r in rows)
    if ids and exchange.shared(reason):
        await RepairExchange.insert(
            *[RepairExchange(**exchange.exchange_row(reason, r, now, ref)) for r in sorted(rows, key=lambda r: r["id"])]
        )
    if ids:
        await changes.public_change("result", ids, "withdrawn")
        await changes.audit_many(actor, f"withdraw_{reason}", "result", ids, reason=note)
        await close_moot_applications(
            [
                Withdrawal(
                    r["id"],
                    reason,
                    now,
                    ref=ref,
                    penalty_decision_number=r["penalty_decision_number"] or "",
                    **(replacement or {}),
                )
                for r in rows
            ],
            actor,
            now,
        )
    return ids


async def close_moot_applications(withdrawals: list[Withdrawal], actor: Any, now: dt.datetime) -> list[str]:
    """Inside the caller's transaction: the applications domain.repair.applications_made_moot picks
    become `moot` (conditionally: one decided meanwhile is left alone), each with a timeline event
    and an audit row. Returns their numbers."""
    if not withdrawals:
        return []
    apps = await RepairApplication.select(
        RepairApplication.id, RepairApplication.number, RepairApplication.result_id, RepairApplication.status
    ).where(RepairApplication.result_id.is_in(sorted({w.result_id for w in withdrawals})))
    closed: list[str] = []
    for m in applications_made_moot(withdrawals, apps):
        done = (
            await RepairApplication.update(
                {
                    RepairApplication.status: MOOT,
                    RepairApplication.pending_result_id: None,
                    RepairApplication.decided_at: now,
                    RepairApplication.decided_by: actor.username,
                    RepairApplication.decision_reason: m.reason,
                }
            )
            .where((RepairApplication.id == m.application_id) & RepairApplication.status.is_in(sorted(MOOT_FROM)))
            .returning(RepairApplication.id)
        )
        if not done:
            continue
        await RepairEvent.insert(
            RepairEvent(application_id=m.application_id, at=now, status=MOOT, note=m.reason, actor=actor.username)
        )
        await changes.audit(
            actor,
            "repair_moot",
            "repair_application",
            m.number,
            reason=m.reason,
            detail={"result_id": m.result_id, "status": MOOT, "withdrawn_reason": m.cause},
        )
        closed.append(m.number)
    return closed


async def decide_application(
    app: dict,
    action: str,
    allowed: frozenset[str],
    to: str,
    actor: Any,
    reason: str,
    now: dt.datetime,
    deadlines: dict[str, dt.date | None] | None = None,
    letter: dict | None = None,
) -> bool:
    """Move the application from one of `allowed` to `to`, setting the `deadlines` given
    (accept_by / decide_by); False if someone else moved it first. Approval withdraws the result
    in the same transaction; the step's `letter` (domain.letters.Letter.to_json) is stored in it
    too, numbered after the application's earlier letters."""
    final = to in ("approved", "rejected", "declined")
    values: dict = {RepairApplication.status: to}
    for name, day in (deadlines or {}).items():
        values[getattr(RepairApplication, name)] = day
    if final:
        values.update(
            {
                RepairApplication.pending_result_id: None,
                RepairApplication.decided_at: now,
                RepairApplication.decided_by: actor.username,
                RepairApplication.decision_reason: reason,
            }
        )
    async with write_transaction():
        rows = (
            await RepairApplication.update(values)
            .where((RepairApplication.id == app["id"]) & RepairApplication.status.is_in(sorted(allowed)))
            .returning(RepairApplication.id)
        )
        if not rows:
            return False
        await RepairEvent.insert(
            RepairEvent(application_id=app["id"], at=now, status=to, note=reason, actor=actor.username)
        )
        if letter is not None:
            seq = await RepairLetter.count().where(RepairLetter.application_id == app["id"]) + 1
            await RepairLetter.insert(
                RepairLetter(
                    application_id=app["id"],
                    number=letter_number(app["number"], seq),
                    action=action,
                    kind=letter["kind"],
                    issued_at=now,
                    issued_by=actor.username,
                    content=letter,
                )
            )
        await changes.audit(
            actor,
            f"repair_{action}",
            "repair_application",
            app["number"],
            reason=reason,
            detail={"result_id": app["result_id"], "status": to},
        )
        if to == "approved":
            await _withdraw([app["result_id"]], "repaired", actor, f"{app['number']}: {reason}", now, ref=app["number"])
    return True


async def letters_of(app_id: int) -> list[dict]:
    """An application's letters, oldest first (content as stored)."""
    return (
        await RepairLetter.select()
        .where(RepairLetter.application_id == app_id)
        .order_by(RepairLetter.id)
        .output(load_json=True)
    )


# -- objections --------------------------------------------------------------------------


async def insert_objection(row: dict, files: list[EvidenceFile], actor: Any, files_dir: str, now: dt.datetime) -> None:
    """Objection, evidence rows and files, audit: all or nothing. Like an application, the insert
    re-checks inside its transaction that the result is still public (409, reasons [not_public]):
    otherwise a correction committed after the use case read the result would leave a second
    objection pending on the superseded row."""
    rels: list[str] = []
    try:
        async with write_transaction():
            if not await _lock_public_result(row["result_id"]):
                raise Conflict(
                    "该结果已停止公示，不能再提出异议 (the result stopped being public meanwhile)",
                    [FieldError("result_id", "the result is no longer public")],
                    reasons=["not_public"],
                )
            ids = await Objection.insert(Objection(**row)).returning(Objection.id)
            rels = _write_files(files_dir, row["number"], files)
            await _insert_attachments("objection", ids[0]["id"], files, rels, now)
            await changes.audit(
                actor,
                "objection_file",
                "objection",
                row["number"],
                reason=row["reason"],
                detail={"result_id": row["result_id"]},
            )
    except Exception as e:
        remove_files(files_dir, rels)
        if is_unique_violation(e):
            raise Conflict(
                "该结果已有待处理的异议 (an objection to this result is already pending)",
                [FieldError("result_id", "an objection to this result is pending")],
            ) from None
        raise


async def pending_objections(result_ids: list[int]) -> dict[int, str]:
    """result id → the number of the objection pending on it (at most one each: unique index)."""
    if not result_ids:
        return {}
    rows = await Objection.select(Objection.pending_result_id, Objection.number).where(
        Objection.pending_result_id.is_in(sorted(set(result_ids)))
    )
    return {r["pending_result_id"]: r["number"] for r in rows}


async def get_objection(number: str) -> dict | None:
    return await Objection.select().where(Objection.number == number).first()


async def objections_of_uscc(uscc: str, after_id: int | None, limit: int) -> list[dict]:
    q = Objection.select().where(Objection.uscc == uscc)
    if after_id is not None:
        q = q.where(Objection.id < after_id)
    return await q.order_by(Objection.id, ascending=False).limit(limit)


async def list_objections(department: str, statuses: list[str] | None, after_id: int | None, limit: int) -> list[dict]:
    q = Objection.select().where(Objection.department_code == department)
    if statuses:
        q = q.where(Objection.status.is_in(statuses))
    if after_id is not None:
        q = q.where(Objection.id < after_id)
    return await q.order_by(Objection.id, ascending=False).limit(limit)


async def decide_objection(
    obj: dict,
    action: str,
    allowed: frozenset[str],
    to: str,
    actor: Any,
    note: str,
    now: dt.datetime,
    correct_by: dt.date | None = None,
) -> bool:
    values: dict = {Objection.status: to, Objection.decision_note: note}
    if to == "confirmed":
        values.update({Objection.confirmed_at: now, Objection.correct_by: correct_by})
    else:
        values.update(
            {Objection.pending_result_id: None, Objection.decided_at: now, Objection.decided_by: actor.username}
        )
    async with write_transaction():
        rows = (
            await Objection.update(values)
            .where((Objection.id == obj["id"]) & Objection.status.is_in(sorted(allowed)))
            .returning(Objection.id)
        )
        if not rows:
            return False
        await changes.audit(
            actor,
            f"objection_{action}",
            "objection",
            obj["number"],
            reason=note,
            detail={"result_id": obj["result_id"], "status": to},
        )
    return True


async def correct_objection(
    obj: dict,
    allowed: frozenset[str],
    old: dict,
    new_values: dict,
    actor: Any,
    note: str,
    now: dt.datetime,
    correct_by: dt.date | None,
) -> int | None:
    """Write the corrected revision and close the objection, in one transaction. If the wrong row is
    still public, the new revision is published and the wrong one withdrawn (closing a pending
    repair application for it as moot); if it stopped being public meanwhile (maximum period,
    penalty, repair, revocation), the new revision is stored with the same withdrawal and nothing
    is published (domain.repair.corrected_revision_disclosure, which also refuses a superseded row).
    The wrong row is re-read and locked first: `old` was read before the transaction, and
    locking it before the objection keeps the order a racing objection filing uses.
    Returns the new result id, or None if the objection was decided by someone else first."""
    async with write_transaction():
        old = await _locked_result(old["id"]) or old
        disclosure = corrected_revision_disclosure(old)
        values: dict = {
            Objection.status: "corrected",
            Objection.decision_note: note,
            Objection.pending_result_id: None,
            Objection.decided_at: now,
            Objection.decided_by: actor.username,
        }
        if obj["confirmed_at"] is None:
            values.update({Objection.confirmed_at: now, Objection.correct_by: correct_by})
        rows = (
            await Objection.update(values)
            .where((Objection.id == obj["id"]) & Objection.status.is_in(sorted(allowed)))
            .returning(Objection.id)
        )
        if not rows:
            return None
        fresh = {k: v for k, v in old.items() if k != "id"}
        fresh.update(new_values)
        fresh.update(
            {
                "revision": old["revision"] + 1,
                "revision_of": old["id"],
                **disclosure,
                "created_at": now,
                "updated_at": now,
            }
        )
        ids = await Result.insert(Result(**fresh)).returning(Result.id)
        new_id = ids[0]["id"]
        cats = [c for c in fresh["category_codes"].split(",") if c]
        await ResultCategory.insert(*[ResultCategory(result_id=new_id, code=c, year=fresh["year"]) for c in cats])
        deps = [d for d in fresh["department_codes"].split(",") if d]
        await ResultDepartment.insert(
            *[ResultDepartment(result_id=new_id, department_code=d, year=fresh["year"]) for d in deps]
        )
        await Objection.update({Objection.corrected_result_id: new_id}).where(Objection.id == obj["id"])
        await _withdraw(
            [old["id"]],
            "corrected",
            actor,
            f"{obj['number']}: {note}",
            now,
            ref=obj["number"],
            replacement={
                "replaced_by": new_id,
                "replaced_revision": fresh["revision"],
                "replacement_negative": bool(fresh["negative"]),
            },
        )
        published = is_public(fresh["disclosure"])
        if published:
            await changes.public_change("result", [new_id], "published")
        await changes.audit(
            actor,
            "objection_correct",
            "objection",
            obj["number"],
            reason=note,
            detail={"old_result_id": old["id"], "new_result_id": new_id, "published": published},
        )
    return new_id


# -- automatic stop ----------------------------------------------------------------------


async def public_published_on_or_before(day: dt.date) -> list[dict]:
    """Public results published on or before `day` (the published_on index), with what picks
    their repair rule: the publishing department and the check field."""
    return await Result.select(Result.id, Result.published_on, Result.department_code, Result.check_field).where(
        (Result.disclosure == "public") & (Result.published_on <= day)
    )


async def exchange_rows(after_id: int, limit: int) -> list[dict]:
    """The exchange outbox after `after_id`, oldest first (keyset on id)."""
    return await RepairExchange.select().where(RepairExchange.id > after_id).order_by(RepairExchange.id).limit(limit)


async def exchange_id_at(at: dt.datetime) -> int:
    """The last outbox id written before `at` (so `since` may be a time)."""
    row = (
        await RepairExchange.select(RepairExchange.id)
        .where(RepairExchange.at < at)
        .order_by(RepairExchange.id, ascending=False)
        .first()
    )
    return row["id"] if row else 0


async def department_region(code: str) -> str | None:
    row = await Department.select(Department.region_code).where(Department.code == code).first()
    return row["region_code"] if row else None


async def department_regions() -> dict[str, str]:
    return {r["code"]: r["region_code"] for r in await Department.select(Department.code, Department.region_code)}


async def public_with_withdrawn_penalty() -> list[int]:
    rows = await Result.raw(
        "SELECT r.id FROM inspection_result r JOIN penalty_decision p ON p.number = r.penalty_decision_number "
        "WHERE r.disclosure = 'public' AND r.penalty_decision_number <> '' AND p.disclosure <> 'public'"
    )
    return [r["id"] for r in rows]


async def withdraw_results(ids: list[int], reason: str, actor: Any, note: str, now: dt.datetime) -> list[int]:
    done: list[int] = []
    for i in range(0, len(ids), CHUNK):
        async with write_transaction():
            done += await _withdraw(ids[i : i + CHUNK], reason, actor, note, now)
    return done


# -- figures -----------------------------------------------------------------------------


async def application_rows(year: int | None) -> list[dict]:
    q = RepairApplication.select(
        RepairApplication.department_code,
        RepairApplication.status,
        RepairApplication.submitted_at,
        RepairApplication.decided_at,
    )
    if year is not None:
        start = dt.datetime(year, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        end = dt.datetime(year + 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        q = q.where((RepairApplication.submitted_at >= start) & (RepairApplication.submitted_at < end))
    return await q


async def department_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await Department.select(Department.code, Department.name).where(Department.code.is_in(sorted(set(codes))))
    return {r["code"]: r["name"] for r in rows}


async def count_applications(department: str, statuses: list[str]) -> int:
    q = RepairApplication.count().where(RepairApplication.department_code == department)
    return int(await q.where(RepairApplication.status.is_in(statuses)))


async def count_objections(department: str, statuses: list[str]) -> int:
    q = Objection.count().where(Objection.department_code == department)
    return int(await q.where(Objection.status.is_in(statuses)))
