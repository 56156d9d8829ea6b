"""Queries over the matters list (抽查事项清单), its immutable versions, and the departments
register behind /api/v1/departments and the inspecting bodies. Nothing here decides which version
is in force (domain.matters.version_in_force) or who may write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db import changes
from db.tables import Department, Matter, MatterVersion
from db.tx import write_transaction

VERSION_KEYS = ("name", "field", "legal_basis", "object_scope", "method", "level", "valid_from", "valid_to")


async def list_matters(department: str | None = None, public_only: bool = True) -> list[dict]:
    """Every matter row (of one department), code order."""
    q = Matter.select().order_by(Matter.code)
    if public_only:
        q = q.where(Matter.disclosure == "public")
    if department:
        q = q.where(Matter.department_code == department)
    return await q


async def versions_for(matter_ids: list[int]) -> dict[int, list[dict]]:
    """matter id → its versions, oldest first."""
    out: dict[int, list[dict]] = {i: [] for i in matter_ids}
    if not matter_ids:
        return out
    for i in range(0, len(matter_ids), 500):
        rows = await (
            MatterVersion.select()
            .where(MatterVersion.matter_id.is_in(matter_ids[i : i + 500]))
            .order_by(MatterVersion.number)
            .output(load_json=True)
        )
        for r in rows:
            out[r["matter_id"]].append(r)
    return out


async def get_matter(code: str) -> dict | None:
    """The matter row (any disclosure state), or None."""
    return await Matter.select().where(Matter.code == code).first()


async def get_matters(codes: list[str]) -> list[dict]:
    """The matter rows among `codes` (any disclosure state)."""
    if not codes:
        return []
    return await Matter.select().where(Matter.code.is_in(sorted(set(codes))))


async def insert_matter(matter: dict[str, Any], actor: Any) -> int:
    """Publish a matter and its version 1, with audit, change log and outbox rows, all at once."""
    async with write_transaction():
        rows = await Matter.insert(
            Matter(
                code=matter["code"],
                department_code=matter["department_code"],
                region_code=matter["region_code"],
                current_version=1,
                published_on=matter["published_on"],
                disclosure="public",
            )
        ).returning(Matter.id)
        matter_id = rows[0]["id"]
        await MatterVersion.insert(_version(matter_id, 1, matter, actor))
        await changes.audit(actor, "publish", "matter", matter_id, detail={"code": matter["code"], "version": 1})
        await changes.public_change("matter", [matter_id], "published")
    return matter_id


def _version(matter_id: int, number: int, v: dict[str, Any], actor: Any) -> MatterVersion:
    return MatterVersion(
        matter_id=matter_id,
        number=number,
        **{k: v[k] for k in VERSION_KEYS},
        revised_on=v["revised_on"],
        reason=v["reason"],
        changes=v["changes"],
        created_by=actor.username,
    )


async def insert_version(matter_id: int, expected_current: int, version: dict[str, Any], actor: Any) -> int:
    """Publish version `expected_current + 1`; the row is bumped first with a guard on its current
    number (a concurrent reviser updates no row and gets 0: the caller answers 409)."""
    number = expected_current + 1
    async with write_transaction():
        bumped = await (
            Matter.update({Matter.current_version: number})
            .where((Matter.id == matter_id) & (Matter.current_version == expected_current))
            .returning(Matter.id)
        )
        if not bumped:
            return 0
        await MatterVersion.insert(_version(matter_id, number, version, actor))
        await changes.audit(
            actor,
            "revise",
            "matter",
            matter_id,
            reason=version["reason"],
            detail={"version": number, "changes": version["changes"]},
        )
        await changes.public_change("matter", [matter_id], "updated")
    return number


async def withdraw(matter_id: int, note: str, actor: Any, now: dt.datetime) -> bool:
    """Stop a matter's publicity (published by mistake): gone from the list, search and feeds;
    mirrors are told by the change feed. False if it was no longer public."""
    async with write_transaction():
        done = await (
            Matter.update({Matter.disclosure: "withdrawn", Matter.withdrawn_at: now, Matter.withdrawn_note: note})
            .where((Matter.id == matter_id) & (Matter.disclosure == "public"))
            .returning(Matter.id)
        )
        if not done:
            return False
        await changes.audit(actor, "withdraw", "matter", matter_id, reason=note)
        await changes.public_change("matter", [matter_id], "withdrawn")
    return True


async def list_departments() -> list[dict]:
    return await Department.select(
        Department.code,
        Department.name,
        Department.short_name,
        Department.region_code,
        Department.parent_code,
        Department.legal_status,
    ).order_by(Department.code)
