"""The numbered change log behind /api/v1/changes and the Atom feed of new publications."""

from __future__ import annotations

import datetime as dt

from db.tables import ChangeLog


async def list_changes(
    since: dt.datetime | None, after_seq: int | None, limit: int, types: list[str] | None = None
) -> list[dict]:
    """Changes in `seq` order (oldest first), from `since` (inclusive) and after `after_seq`, of
    `types` (every type when None)."""
    q = ChangeLog.select().order_by(ChangeLog.seq).limit(limit)
    if types:
        q = q.where(ChangeLog.object_type.is_in(types))
    if since is not None:
        q = q.where(ChangeLog.at >= since)
    if after_seq is not None:
        q = q.where(ChangeLog.seq > after_seq)
    return await q


async def latest_seq() -> int | None:
    row = await ChangeLog.select(ChangeLog.seq).order_by(ChangeLog.seq, ascending=False).first()
    return row["seq"] if row else None


async def recent_publications(limit: int, types: tuple[str, ...] | None = None) -> list[dict]:
    """The newest `published` change rows (newest first); the caller drops what is no longer public."""
    q = ChangeLog.select().where(ChangeLog.action == "published").order_by(ChangeLog.seq, ascending=False).limit(limit)
    if types:
        q = q.where(ChangeLog.object_type.is_in(list(types)))
    return await q


async def public_records(object_type: str, ids: list[int]) -> dict[int, dict]:
    """id → a public record's feed fields (title, summary, published_on); ids of records that
    are no longer public, or unknown, are simply absent."""
    from db.tables import Document, Guide, GuideVersion, Honour, Plan, PlanRevision, Result

    if not ids:
        return {}
    out: dict[int, dict] = {}
    if object_type == "result":
        for r in await Result.select(
            Result.id,
            Result.entity_name,
            Result.task_number,
            Result.published_on,
            Result.category_codes,
            Result.department_code,
        ).where(Result.id.is_in(ids) & (Result.disclosure == "public")):
            out[r["id"]] = {
                "title": f"{r['entity_name']} 抽查检查结果",
                "published_on": r["published_on"],
                "summary": f"任务单号 {r['task_number']}",
                "category_codes": r["category_codes"],
            }
    elif object_type == "plan":
        plans = await Plan.select().where(Plan.id.is_in(ids) & (Plan.disclosure == "public"))
        for p in plans:
            rev = (
                await PlanRevision.select(PlanRevision.title)
                .where((PlanRevision.plan_id == p["id"]) & (PlanRevision.number == p["current_revision"]))
                .first()
            )
            out[p["id"]] = {
                "title": rev["title"] if rev else f"{p['year']}年度抽查计划",
                "published_on": p["published_on"],
                "summary": f"{p['year']}年度抽查计划",
            }
    elif object_type == "guide":
        for g in await Guide.select().where(Guide.id.is_in(ids) & (Guide.disclosure == "public")):
            v = (
                await GuideVersion.select(GuideVersion.title, GuideVersion.summary, GuideVersion.published_on)
                .where((GuideVersion.guide_id == g["id"]) & (GuideVersion.version == g["current_version"]))
                .first()
            )
            if v:
                out[g["id"]] = {"title": v["title"], "published_on": v["published_on"], "summary": v["summary"]}
    elif object_type == "honour":
        for h in await Honour.select().where(Honour.id.is_in(ids) & (Honour.disclosure == "public")):
            out[h["id"]] = {
                "title": f"{h['entity_name']}：{h['honour']}",
                "published_on": h["awarded_on"],
                "summary": f"授予单位：{h['awarded_by']}",
            }
    elif object_type == "document":
        for d in await Document.select(Document.id, Document.title, Document.issuer, Document.published_on).where(
            Document.id.is_in(ids) & (Document.disclosure == "public")
        ):
            out[d["id"]] = {
                "title": d["title"],
                "published_on": d["published_on"],
                "summary": f"发文机关：{d['issuer']}",
            }
    return out


async def latest_change() -> tuple[int | None, dt.datetime | None]:
    """(seq, at) of the newest change-log row, the version of everything public: HTTP validators
    (ETag, Last-Modified) are made from it. The time also tells a `seq` reused after the table was
    emptied (as tests do) from the old one."""
    row = await ChangeLog.select(ChangeLog.seq, ChangeLog.at).order_by(ChangeLog.seq, ascending=False).first()
    if not row:
        return None, None
    at = row["at"]
    if isinstance(at, str):  # SQLite may hand back text
        at = dt.datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return row["seq"], at


async def latest_change_at() -> dict[str, dt.datetime]:
    """The time of the newest public change of each record type (the catalogues' `modified`)."""
    rows = await ChangeLog.raw("SELECT object_type, MAX(at) AS at FROM change_log GROUP BY object_type")
    out: dict[str, dt.datetime] = {}
    for r in rows:
        at = r["at"]
        if isinstance(at, str):  # SQLite's raw rows give text
            at = dt.datetime.fromisoformat(at)
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        out[r["object_type"]] = at
    return out


async def entity_records(uscc: str, limit: int) -> tuple[list[dict], list[dict]]:
    """The newest results (any disclosure: the watch feed tells of stops) and honours of one
    enterprise, by id (indexes result_uscc_id, honour_uscc_id)."""
    from db.tables import Honour, Result

    results = await (
        Result.select(
            Result.id,
            Result.entity_name,
            Result.task_number,
            Result.inspected_on,
            Result.published_on,
            Result.disclosure,
            Result.withdrawn_reason,
            Result.withdrawn_at,
            Result.revision,
            Result.created_at,
            Result.updated_at,
        )
        .where(Result.uscc == uscc)
        .order_by(Result.id, ascending=False)
        .limit(limit)
    )
    honours = await Honour.select().where(Honour.uscc == uscc).order_by(Honour.id, ascending=False).limit(limit)
    return results, honours
