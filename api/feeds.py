"""Atom feed of new publications (/feeds/publications.atom), built with feedgen.

Made from the change log's `published` entries; records no longer public are left out
(they are re-checked against the database when the feed is built)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get

from api.deps import settings_of
from db import changefeed as cq
from domain.text import xml_safe

ENTRIES = 50
TYPE_LABEL = {
    "result": "检查结果",
    "plan": "抽查计划",
    "guide": "合规指南",
    "honour": "荣誉信息",
    "document": "政策文件",
}
PORTAL_PATH = {"result": "results", "plan": "plans", "guide": "guides", "honour": "honours", "document": "documents"}


class FeedsController(Controller):
    path = "/feeds"
    tags = ["feeds"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/publications.atom", summary="Atom feed of new publications", media_type="application/atom+xml")
    async def publications(self, request: Request) -> Response:
        from feedgen.feed import FeedGenerator

        base = settings_of(request).base_url
        changes = await cq.recent_publications(ENTRIES * 4)
        by_type: dict[str, list[int]] = {}
        for c in changes:
            if c["object_id"].isdigit():
                by_type.setdefault(c["object_type"], []).append(int(c["object_id"]))
        records = {t: await cq.public_records(t, ids) for t, ids in by_type.items()}

        fg = FeedGenerator()
        fg.id(f"{base}/feeds/publications.atom")
        fg.title("“双随机、一公开”公示：最新发布")
        fg.subtitle("检查结果、抽查计划、合规指南、荣誉信息和政策文件的新发布")
        fg.link(href=f"{base}/feeds/publications.atom", rel="self")
        fg.link(href=f"{base}/", rel="alternate")
        fg.language("zh-CN")
        fg.author({"name": "gongshi"})
        entries = 0
        latest = None
        for c in changes:  # newest first
            rec = records.get(c["object_type"], {}).get(int(c["object_id"])) if c["object_id"].isdigit() else None
            if rec is None:
                continue
            url = f"{base}/{PORTAL_PATH.get(c['object_type'], c['object_type'])}/{c['object_id']}"
            e = fg.add_entry(order="append")
            e.id(url)
            # xml_safe: text stored before control characters were refused must not make the
            # feed ill-formed (feedgen raises on them: a 500 for every reader).
            e.title(xml_safe(f"[{TYPE_LABEL.get(c['object_type'], c['object_type'])}] {rec['title']}"))
            e.link(href=url)
            e.updated(c["at"])
            e.published(c["at"])
            e.summary(xml_safe(rec.get("summary") or rec["title"]))
            e.category(term=c["object_type"], label=TYPE_LABEL.get(c["object_type"]))
            latest = latest or c["at"]
            entries += 1
            if entries >= ENTRIES:
                break
        if latest is not None:
            fg.updated(latest)
        else:
            import datetime as dt

            fg.updated(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        return Response(fg.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")
