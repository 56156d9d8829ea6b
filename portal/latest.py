"""Latest publications for the home page (最新公示): the newest public records of every type, merged
newest first by publication date (results, plans, guides, documents by `published_on`; honours by
`awarded_on`, the date they carry). Ties on one day: results first (the regime's core
publication), then by type."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db import latest as q

ORDER = {"result": 0, "plan": 1, "document": 2, "guide": 3, "honour": 4}


async def latest_publications(limit: int = 8) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for r in await q.newest_results(limit):
        items.append(
            {
                "type": "result",
                "id": r["id"],
                "title": r["entity_name"],
                "sub": r["task_number"],
                "date": q.as_date(r["published_on"]),
                "url": f"/results/{r['id']}",
                "negative": bool(r["negative"]),
            }
        )
    for p in await q.newest_plans(limit):
        items.append(
            {
                "type": "plan",
                "id": p["id"],
                "title": p["title"],
                "sub": str(p["year"]),
                "date": q.as_date(p["published_on"]),
                "url": f"/plans/{p['id']}",
            }
        )
    for g in await q.newest_guides(limit):
        items.append(
            {
                "type": "guide",
                "id": g["id"],
                "title": g["title"] or g["industry_name"],
                "sub": g["industry_name"],
                "date": q.as_date(g["published_on"]),
                "url": f"/guides/{g['id']}",
            }
        )
    for h in await q.newest_honours(limit):
        items.append(
            {
                "type": "honour",
                "id": h["id"],
                "title": h["entity_name"],
                "sub": h["honour"],
                "date": q.as_date(h["awarded_on"]),
                "url": f"/honours/{h['id']}",
            }
        )
    for d in await q.newest_documents(limit):
        items.append(
            {
                "type": "document",
                "id": d["id"],
                "title": d["title"],
                "sub": d["issuer"],
                "date": q.as_date(d["published_on"]),
                "url": f"/documents/{d['id']}",
            }
        )
    items.sort(key=lambda it: (-(it["date"] or dt.date.min).toordinal(), ORDER[it["type"]], -it["id"]))
    return items[:limit]
