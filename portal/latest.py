"""Latest publications for the home page: the newest `published` change-log rows, each looked
up in its own table and dropped unless it is still public."""

from __future__ import annotations

from typing import Any

from db import documents, guides, honours, plans
from db.changefeed import recent_publications
from db.results import get_result


async def _one(kind: str, object_id: int) -> dict[str, Any] | None:
    if kind == "result":
        r = await get_result(object_id)
        if r and r["disclosure"] == "public":
            return {
                "title": r["entity_name"],
                "sub": r["task_number"],
                "date": r["published_on"],
                "url": f"/results/{object_id}",
                "negative": bool(r["negative"]),
            }
    elif kind == "plan":
        p = await plans.get_plan(object_id)
        if p and p["disclosure"] == "public":
            rev = await plans.get_revision(object_id, p["current_revision"])
            return {
                "title": rev["title"] if rev else "",
                "sub": str(p["year"]),
                "date": p["published_on"],
                "url": f"/plans/{object_id}",
            }
    elif kind == "guide":
        g = await guides.get_guide(object_id)
        if g and g["disclosure"] == "public":
            v = await guides.get_version(object_id, g["current_version"])
            return {
                "title": v["title"] if v else g["industry_name"],
                "sub": g["industry_name"],
                "date": v["published_on"] if v else None,
                "url": f"/guides/{object_id}",
            }
    elif kind == "honour":
        h = await honours.get_honour(object_id)
        if h and h["disclosure"] == "public":
            return {
                "title": h["entity_name"],
                "sub": h["honour"],
                "date": h["awarded_on"],
                "url": f"/honours/{object_id}",
            }
    elif kind == "document":
        d = await documents.get_document(object_id)
        if d and d["disclosure"] == "public":
            return {
                "title": d["title"],
                "sub": d["issuer"],
                "date": d["published_on"],
                "url": f"/documents/{object_id}",
            }
    return None


async def latest_publications(limit: int = 8) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for row in await recent_publications(limit * 3):
        key = (row["object_type"], row["object_id"])
        if key in seen or not str(row["object_id"]).isdigit():
            continue
        seen.add(key)
        item = await _one(row["object_type"], int(row["object_id"]))
        if item:
            out.append({"type": row["object_type"], **item})
        if len(out) >= limit:
            break
    return out
