"""Atom feeds, built with feedgen: new publications (/feeds/publications.atom, `?type=`), one per
record type (/feeds/results.atom …), and a watch feed per enterprise (/feeds/entities/{uscc}.atom).

The publication feeds are made from the change log's `published` entries; records no longer public
are left out (re-checked against the database when the feed is built). The watch feed reads the
enterprise's records themselves (domain.watch)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery

from api.deps import settings_of
from db import changefeed as cq
from db.entities import get_entity
from domain import uscc as uscc_rules
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.masking import is_individual, public_entity_name
from domain.text import xml_safe
from domain.watch import watch_entries

ENTRIES = 50
TYPE_LABEL = {
    "result": "检查结果",
    "plan": "抽查计划",
    "guide": "合规指南",
    "honour": "荣誉信息",
    "document": "政策文件",
}
PORTAL_PATH = {"result": "results", "plan": "plans", "guide": "guides", "honour": "honours", "document": "documents"}


FEED_TYPES = {"results": "result", "plans": "plan", "guides": "guide", "honours": "honour", "documents": "document"}
EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # `updated` of an empty feed


def _feed(base: str, path: str, title: str, subtitle: str) -> Any:
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(f"{base}{path}")
    fg.title(xml_safe(title))
    fg.subtitle(xml_safe(subtitle))
    fg.link(href=f"{base}{path}", rel="self")
    fg.link(href=f"{base}/", rel="alternate")
    fg.language("zh-CN")
    fg.author({"name": "gongshi"})
    return fg


def _atom(fg: Any, latest: dt.datetime | None) -> Response:
    fg.updated(latest or EPOCH)
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")


async def publications_feed(base: str, path: str, types: tuple[str, ...] | None) -> Response:
    """The newest publications (of `types`, or of every type), only what is still public."""
    changes = await cq.recent_publications(ENTRIES * 4, types)
    by_type: dict[str, list[int]] = {}
    for c in changes:
        if c["object_id"].isdigit():
            by_type.setdefault(c["object_type"], []).append(int(c["object_id"]))
    records = {t: await cq.public_records(t, ids) for t, ids in by_type.items()}
    what = "、".join(TYPE_LABEL[t] for t in types) if types else "检查结果、抽查计划、合规指南、荣誉信息和政策文件"
    fg = _feed(
        base,
        path,
        f"“双随机、一公开”公示：最新发布（{what}）" if types else "“双随机、一公开”公示：最新发布",
        f"{what}的新发布",
    )
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
    return _atom(fg, latest)


def _types(raw: str | None) -> tuple[str, ...] | None:
    if not raw:
        return None
    types = tuple(dict.fromkeys(t.strip() for t in raw.split(",") if t.strip()))
    unknown = [t for t in types if t not in TYPE_LABEL]
    if unknown:
        raise ValidationFailed(
            "Unknown record type.",
            [FieldError("type", f"类型应为 {', '.join(TYPE_LABEL)} (unknown type {', '.join(unknown)})")],
        )
    return types


class FeedsController(Controller):
    path = "/feeds"
    tags = ["feeds"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get(
        "/publications.atom",
        summary="Atom feed of new publications (`type`: result, plan, guide, honour, document; comma-separated)",
        media_type="application/atom+xml",
    )
    async def publications(self, request: Request, type: FromQuery[str | None] = None) -> Response:
        return await publications_feed(settings_of(request).base_url, "/feeds/publications.atom", _types(type))

    @get(
        [f"/{name}.atom" for name in FEED_TYPES],
        summary="Atom feed of one record type: results.atom, plans.atom, guides.atom, honours.atom or documents.atom",
        media_type="application/atom+xml",
    )
    async def by_type(self, request: Request) -> Response:
        name = request.url.path.rsplit("/", 1)[-1].removesuffix(".atom")
        return await publications_feed(settings_of(request).base_url, f"/feeds/{name}.atom", (FEED_TYPES[name],))

    @get(
        "/entities/{feed:str}",
        summary="Watch feed of one enterprise, /feeds/entities/{uscc}.atom: its new "
        "results, corrections and honours, and an entry when a result stops being public (without its content)",
        media_type="application/atom+xml",
    )
    async def entity(self, request: Request, feed: FromPath[str]) -> Response:
        uscc = feed.removesuffix(".atom")
        if uscc == feed:
            raise NotFound(f"订阅源地址应为 /feeds/entities/{{统一社会信用代码}}.atom (no feed {feed})")
        try:
            code = uscc_rules.validate(uscc)
        except uscc_rules.InvalidUSCC as e:
            raise ValidationFailed("统一社会信用代码无效 (invalid USCC)", [FieldError("uscc", str(e))]) from None
        ent = await get_entity(code)
        if ent is None:
            raise NotFound(f"没有统一社会信用代码为 {code} 的经营主体 (no entity {code})")
        base = settings_of(request).base_url
        results, honours = await cq.entity_records(code, ENTRIES)
        entries = watch_entries(results, honours, ENTRIES)
        path = f"/feeds/entities/{code}.atom"
        operator = ent["operator_name"] if is_individual(ent["kind"], code) else ""
        name = public_entity_name(ent["name"], ent["kind"], operator, code)
        fg = _feed(base, path, f"{name}（{code}）的公示信息", "检查结果、更正、荣誉信息和停止公示的提示")
        fg.link(href=f"{base}/entities/{code}", rel="alternate")
        for w in entries:
            entry = fg.add_entry(order="append")
            entry.id(f"{base}{w.id}")
            entry.title(xml_safe(w.title))
            entry.link(href=f"{base}{w.path}")
            entry.published(w.at)
            entry.updated(w.updated)
            entry.summary(xml_safe(w.summary))
            entry.category(term=w.kind)
        return _atom(fg, entries[0].updated if entries else None)
