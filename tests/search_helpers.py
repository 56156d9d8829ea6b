"""Records for the search tests, written straight to the tables the way publishing does
(record + change log + outbox row in one transaction), plus the seed policy documents."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from pathlib import Path

from db.changes import now, public_change
from db.tables import Department, Document, Guide, GuideVersion, Honour, Plan, PlanRevision, Result
from db.tx import write_transaction
from tests.helpers import make_uscc

SEEDS = Path(__file__).resolve().parent.parent / "demo_data" / "seeds"


async def add_departments() -> None:
    await Department.insert(
        Department(code="371500-scjg", name="聊城市市场监督管理局", short_name="市场监管局", region_code="371500"),
        Department(code="370000-yjj", name="山东省药品监督管理局", short_name="药监局", region_code="370000"),
        Department(code="370100-scjg", name="济南市市场监督管理局", short_name="市场监管局", region_code="370100"),
    )


async def add_result(
    name: str,
    uscc: str | None = None,
    *,
    task: str = "",
    region: str = "371502",
    depts: tuple[str, ...] = ("371500-scjg",),
    cats: tuple[str, ...] = ("N01",),
    on: dt.date = dt.date(2025, 6, 12),
    follow_up: str = "",
    penalty: str = "",
) -> int:
    uscc = uscc or make_uscc(region=region, seed=zlib.crc32(name.encode()))
    at = now()
    async with write_transaction():
        rows = await Result.insert(
            Result(
                task_number=task or f"T-{zlib.crc32(name.encode()) % 100000}",
                uscc=uscc,
                entity_name=name,
                entity_kind="enterprise",
                region_code=region,
                department_code=depts[0],
                department_codes=",".join(depts),
                inspected_on=on,
                year=on.year,
                inspection_type="抽查",
                category_codes=",".join(cats),
                negative=any(c.startswith("X") for c in cats),
                follow_up=follow_up,
                penalty_decision_number=penalty,
                published_on=on,
                created_at=at,
                updated_at=at,
            )
        ).returning(Result.id)
        await public_change("result", [rows[0]["id"]], "published")
    return rows[0]["id"]


async def add_document(
    title: str,
    body: str,
    *,
    doc_number: str | None = None,
    issuer: str = "",
    region: str = "370000",
    year: int = 2025,
    issued_on: dt.date | None = None,
) -> int:
    async with write_transaction():
        rows = await Document.insert(
            Document(
                title=title,
                issuer=issuer,
                doc_number=doc_number,
                issued_on=issued_on,
                issued_year=year,
                region_code=region,
                body=body,
                published_on=issued_on or dt.date(year, 1, 1),
            )
        ).returning(Document.id)
        await public_change("document", [rows[0]["id"]], "published")
    return rows[0]["id"]


async def add_seed_documents() -> dict[str, int]:
    """The five real policy documents in demo_data/seeds, keyed by file name."""
    out: dict[str, int] = {}
    for meta in json.loads((SEEDS / "index.json").read_text(encoding="utf-8")):
        issued = meta["issued_on"]
        on = dt.date.fromisoformat(issued) if len(issued) == 10 else None
        out[meta["file"]] = await add_document(
            meta["title"],
            (SEEDS / meta["file"]).read_text(encoding="utf-8"),
            doc_number=meta["doc_number"],
            issuer=meta["issuer"],
            region=meta["region_code"],
            year=int(issued[:4]),
            issued_on=on,
        )
    return out


async def add_plan(
    title: str, items: list[dict], *, body: str = "", year: int = 2025, dept: str = "371500-scjg"
) -> int:
    async with write_transaction():
        rows = await Plan.insert(
            Plan(
                year=year,
                department_code=dept,
                region_code=dept[:6],
                current_revision=1,
                published_on=dt.date(year, 2, 1),
            )
        ).returning(Plan.id)
        pid = rows[0]["id"]
        await PlanRevision.insert(
            PlanRevision(
                plan_id=pid,
                number=1,
                title=title,
                participating=["聊城市商务局"],
                body=body,
                items=items,
                revised_on=dt.date(year, 2, 1),
            )
        )
        await public_change("plan", [pid], "published")
    return pid


async def add_guide(industry: str, title: str, sections: list[dict], *, summary: str = "") -> int:
    async with write_transaction():
        rows = await Guide.insert(
            Guide(industry_code="H62", industry_name=industry, department_code="371500-scjg", current_version="2025.1")
        ).returning(Guide.id)
        gid = rows[0]["id"]
        await GuideVersion.insert(
            GuideVersion(
                guide_id=gid,
                version="2025.1",
                title=title,
                effective_on=dt.date(2025, 3, 1),
                summary=summary,
                sections=sections,
                published_on=dt.date(2025, 3, 1),
            )
        )
        await public_change("guide", [gid], "published")
    return gid


async def add_honour(name: str, uscc: str, honour: str, *, year: int = 2024) -> int:
    async with write_transaction():
        rows = await Honour.insert(
            Honour(
                uscc=uscc,
                entity_name=name,
                honour=honour,
                kind="credit",
                awarded_by="聊城市人民政府",
                awarded_on=dt.date(year, 12, 1),
                year=year,
                department_code="371500-scjg",
                region_code="371502",
                created_at=now(),
            )
        ).returning(Honour.id)
        await public_change("honour", [rows[0]["id"]], "published")
    return rows[0]["id"]


async def withdraw_result(result_id: int) -> None:
    async with write_transaction():
        await Result.update(
            {Result.disclosure: "withdrawn", Result.withdrawn_reason: "revoked", Result.withdrawn_at: now()}
        ).where(Result.id == result_id)
        await public_change("result", [result_id], "withdrawn")


async def reset_index(index) -> None:
    async def nothing():
        if False:
            yield []

    await index.rebuild(nothing())
