"""The newest public records of each type by publication date, for the home page's 最新公示."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.tables import Document, Guide, GuideVersion, Honour, Plan, PlanRevision, Result

PUBLIC = "public"


async def newest_results(limit: int) -> list[dict[str, Any]]:
    return await (
        Result.select(Result.id, Result.entity_name, Result.task_number, Result.published_on, Result.negative)
        .where(Result.disclosure == PUBLIC)
        .order_by(Result.published_on, ascending=False)
        .order_by(Result.id, ascending=False)
        .limit(limit)
    )


async def newest_plans(limit: int) -> list[dict[str, Any]]:
    plans = await (
        Plan.select(Plan.id, Plan.year, Plan.published_on, Plan.current_revision)
        .where(Plan.disclosure == PUBLIC)
        .order_by(Plan.published_on, ascending=False)
        .order_by(Plan.id, ascending=False)
        .limit(limit)
    )
    for p in plans:
        rev = await (
            PlanRevision.select(PlanRevision.title)
            .where((PlanRevision.plan_id == p["id"]) & (PlanRevision.number == p["current_revision"]))
            .first()
        )
        p["title"] = rev["title"] if rev else ""
    return plans


async def newest_guides(limit: int) -> list[dict[str, Any]]:
    """Guides by the publication date of their current version."""
    guides = {
        g["id"]: g
        for g in await Guide.select(Guide.id, Guide.industry_name, Guide.current_version).where(
            Guide.disclosure == PUBLIC
        )
    }
    if not guides:
        return []
    out = []
    for v in await (
        GuideVersion.select(GuideVersion.guide_id, GuideVersion.version, GuideVersion.title, GuideVersion.published_on)
        .where(GuideVersion.guide_id.is_in(list(guides)))
        .order_by(GuideVersion.published_on, ascending=False)
    ):
        g = guides.get(v["guide_id"])
        if g is not None and v["version"] == g["current_version"]:
            out.append({**g, "title": v["title"], "published_on": v["published_on"]})
    return out[:limit]


async def newest_honours(limit: int) -> list[dict[str, Any]]:
    return await (
        Honour.select(Honour.id, Honour.entity_name, Honour.honour, Honour.awarded_on)
        .where(Honour.disclosure == PUBLIC)
        .order_by(Honour.awarded_on, ascending=False)
        .order_by(Honour.id, ascending=False)
        .limit(limit)
    )


async def newest_documents(limit: int) -> list[dict[str, Any]]:
    return await (
        Document.select(Document.id, Document.title, Document.issuer, Document.published_on)
        .where(Document.disclosure == PUBLIC)
        .order_by(Document.published_on, ascending=False)
        .order_by(Document.id, ascending=False)
        .limit(limit)
    )


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value[:10])
    return None
