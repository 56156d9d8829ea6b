"""Complaint queries, and the one write that stores a complaint with its attachments.

All-or-nothing: the attachments are already in a temporary folder under FILES_DIR; inside
the database transaction the rows are written and the files renamed into place (same file
system, so each rename is atomic). If anything fails, including the commit or a cancelled
request, the transaction rolls back and the files already moved are deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from db import changes
from db.tables import Attachment, Complaint, ComplaintEvent, Department, ScanRecord
from db.tx import write_transaction
from domain.auth import Principal
from domain.complaints import Draft, extension_for


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def departments() -> dict[str, dict]:
    rows = await Department.select(Department.code, Department.name, Department.region_code)
    return {r["code"]: r for r in rows}


async def department_names(codes: list[str]) -> dict[str, str]:
    if not codes:
        return {}
    rows = await Department.select(Department.code, Department.name).where(Department.code.is_in(list(set(codes))))
    return {r["code"]: r["name"] for r in rows}


async def find_scans(uscc: str, department_code: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    return (
        await ScanRecord.select()
        .where(
            (ScanRecord.uscc == uscc)
            & (ScanRecord.department_code == department_code)
            & (ScanRecord.scanned_at >= start)
            & (ScanRecord.scanned_at <= end)
        )
        .order_by(ScanRecord.scanned_at)
        .output(load_json=True)
    )


def move_file(src: Path, dst: Path) -> None:
    """A seam for tests that force a failure half-way through the moves."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


async def insert_complaint(
    *,
    files_dir: str,
    draft: Draft,
    code_hash: str,
    crosscheck: dict,
    respond_by: dt.date,
    filed_at: dt.datetime,
    number_for: Callable[[int], str],
    first_note: str,
) -> str:
    root = Path(files_dir)
    moved: list[Path] = []
    try:
        async with write_transaction():
            # The number is built from the row id, so it is unique without a counter table;
            # a random placeholder holds the unique column until the id is known.
            rows = await Complaint.insert(
                Complaint(
                    number=f"tmp-{secrets.token_hex(12)}",
                    lookup_code_hash=code_hash,
                    uscc=draft.uscc,
                    enterprise_name=draft.enterprise_name,
                    contact_name=draft.contact_name,
                    contact_phone=draft.contact_phone,
                    visited_at=draft.visited_at,
                    place=draft.place,
                    department_code=draft.department_code,
                    region_code=draft.region_code,
                    officers=draft.officers,
                    scanned=draft.scanned,
                    description=draft.description,
                    status="received",
                    filed_at=filed_at,
                    respond_by=respond_by,
                    crosscheck=crosscheck,
                )
            ).returning(Complaint.id)
            cid = rows[0]["id"]
            number = number_for(cid)
            await Complaint.update({Complaint.number: number}).where(Complaint.id == cid)
            await ComplaintEvent.insert(
                ComplaintEvent(
                    complaint_id=cid, at=filed_at, status="received", note=first_note, actor="", actor_role="system"
                )
            )
            for i, up in enumerate(draft.uploads):
                rel = f"complaints/{number}/{i + 1}-{up.sha256[:12]}.{extension_for(up.content_type)}"
                await Attachment.insert(
                    Attachment(
                        owner_type="complaint",
                        owner_id=cid,
                        filename=up.filename[:200],
                        content_type=up.content_type,
                        bytes=up.size,
                        sha256=up.sha256,
                        path=rel,
                        created_at=filed_at,
                    )
                )
                move_file(Path(up.handle), root / rel)
                moved.append(root / rel)
    except BaseException:
        for p in moved:
            p.unlink(missing_ok=True)
        if moved:
            with contextlib.suppress(OSError):
                moved[0].parent.rmdir()
        raise
    return number


async def get_complaint(number: str) -> dict | None:
    return await Complaint.select().where(Complaint.number == number).first().output(load_json=True)


async def events(complaint_id: int) -> list[dict]:
    return await ComplaintEvent.select().where(ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.id)


async def attachments(complaint_id: int) -> list[dict]:
    return (
        await Attachment.select()
        .where((Attachment.owner_type == "complaint") & (Attachment.owner_id == complaint_id))
        .order_by(Attachment.id)
    )


async def list_for(
    region: tuple[str, str] | None,
    department: str | None,
    status: str | None,
    open_before: dt.date | None,
    after_id: int | None,
    limit: int,
) -> list[dict]:
    """A supervisor's region range, or a department (named or referred to); newest first."""
    q = Complaint.select()
    if region is not None:
        q = q.where((Complaint.region_code >= region[0]) & (Complaint.region_code < region[1]))
    if department is not None:
        q = q.where((Complaint.department_code == department) | (Complaint.referred_to == department))
    if status:
        q = q.where(Complaint.status == status)
    if open_before is not None:  # overdue: still unanswered and the deadline has passed
        q = q.where(Complaint.status.is_in(["received", "under_review"]) & (Complaint.respond_by < open_before))
    if after_id is not None:
        q = q.where(Complaint.id < after_id)
    return await q.order_by(Complaint.id, ascending=False).limit(limit).output(load_json=True)


async def move(actor: Principal, c: dict, to: str, note: str, referred_to: str | None, actor_role: str) -> bool:
    """Change state only if nobody else did first (the WHERE on the old status)."""
    at = now()
    values: dict[Any, Any] = {Complaint.status: to}
    if to == "closed":
        values[Complaint.closed_at] = at
    if referred_to:
        values[Complaint.referred_to] = referred_to
    async with write_transaction():
        rows = (
            await Complaint.update(values)
            .where((Complaint.id == c["id"]) & (Complaint.status == c["status"]))
            .returning(Complaint.id)
        )
        if not rows:
            return False
        await ComplaintEvent.insert(
            ComplaintEvent(
                complaint_id=c["id"], at=at, status=to, note=note, actor=actor.username, actor_role=actor_role
            )
        )
        await changes.audit(
            actor,
            f"complaint_{to}",
            "complaint",
            c["number"],
            note,
            {"from": c["status"], "to": to, "referred_to": referred_to or ""},
        )
    return True


async def add_note(actor: Principal, c: dict, note: str, actor_role: str) -> None:
    async with write_transaction():
        await ComplaintEvent.insert(
            ComplaintEvent(
                complaint_id=c["id"],
                at=now(),
                status=c["status"],
                note=note,
                actor=actor.username,
                actor_role=actor_role,
            )
        )
        await changes.audit(actor, "complaint_note", "complaint", c["number"], note)


async def stats_rows(start: dt.datetime, end: dt.datetime, department: str | None) -> tuple[list[dict], dict]:
    q = Complaint.select(
        Complaint.id,
        Complaint.department_code,
        Complaint.filed_at,
        Complaint.closed_at,
        Complaint.respond_by,
        Complaint.status,
    ).where((Complaint.filed_at >= start) & (Complaint.filed_at < end))
    if department:
        q = q.where(Complaint.department_code == department)
    rows = await q
    decisions: dict[int, list] = {}
    ids = [r["id"] for r in rows]
    for i in range(0, len(ids), 400):  # stays under SQLite's bound-parameter limit
        evs = await ComplaintEvent.select(ComplaintEvent.complaint_id, ComplaintEvent.at, ComplaintEvent.status).where(
            ComplaintEvent.complaint_id.is_in(ids[i : i + 400])
            & ComplaintEvent.status.is_in(["substantiated", "not_substantiated", "referred"])
            & (ComplaintEvent.actor_role == "supervisor")
        )
        for e in evs:
            decisions.setdefault(e["complaint_id"], []).append((e["at"], e["status"]))
    return rows, decisions


def _scoped(q: Any, region: tuple[str, str] | None, department: str | None, statuses: list[str]) -> Any:
    if region is not None:
        q = q.where((Complaint.region_code >= region[0]) & (Complaint.region_code < region[1]))
    if department is not None:
        q = q.where((Complaint.department_code == department) | (Complaint.referred_to == department))
    return q.where(Complaint.status.is_in(statuses))


async def open_for(
    region: tuple[str, str] | None, department: str | None, statuses: list[str], limit: int
) -> list[dict]:
    """The back office's inbox: complaints in `statuses` of a region range or a department,
    earliest response deadline first."""
    q = _scoped(Complaint.select(), region, department, statuses)
    return await q.order_by(Complaint.respond_by).limit(limit).output(load_json=True)


async def count_for(region: tuple[str, str] | None, department: str | None, statuses: list[str]) -> int:
    return int(await _scoped(Complaint.count(), region, department, statuses))
