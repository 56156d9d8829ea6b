"""网站地图: /sitemap (a page of the site's sections) and /sitemap.xml (the sitemaps protocol,
sitemaps.org 0.9): an index of the sections and of every public record in files of at most
50,000 URLs, by id block. A withdrawn record is never listed."""

from __future__ import annotations

from xml.sax.saxutils import escape

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from api.deps import settings_of
from db import sitemap as q
from db.snapshot import read_snapshot
from domain.errors import NotFound
from portal.render import page

BLOCK = 50_000  # the protocol's limit of URLs per file
XML = "application/xml; charset=utf-8"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SECTIONS: tuple[str, ...] = (
    *("/", "/search", "/plans", "/guides", "/honours", "/documents", "/statistics", "/open-data"),
    *("/services", "/complaints/new", "/complaints/track", "/repair", "/sitemap"),
)


class SitemapController(Controller):
    path = "/"

    @get("/sitemap", name="portal:sitemap")
    async def sitemap_page(self, request: Request) -> Template:
        return page(request, "sitemap.html", api_url="/sitemap.xml", nav="sitemap")

    @get("/sitemap.xml", name="portal:sitemap_xml", media_type=XML)
    async def index(self, request: Request) -> Response[str]:
        base = settings_of(request).base_url
        files = [f"{base}/sitemaps/pages.xml"]
        async with read_snapshot():
            for kind in q.TABLES:
                top = await q.max_id(kind)
                files += [f"{base}/sitemaps/{kind}-{n}.xml" for n in range((top + BLOCK - 1) // BLOCK)]
        body = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in files)
        return Response(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NS}">{body}</sitemapindex>\n',
            media_type=XML,
        )

    @get("/sitemaps/{name:str}", name="portal:sitemap_file", media_type=XML)
    async def file(self, request: Request, name: FromPath[str]) -> Response[str]:
        base = settings_of(request).base_url
        stem = name.removesuffix(".xml")
        if stem == "pages":
            urls = [base + p for p in SECTIONS]
        else:
            kind, _, n = stem.rpartition("-")
            if kind not in q.TABLES or not n.isdigit() or len(n) > 6:
                raise NotFound(f"没有这个网站地图文件 (no sitemap file {name})")
            lo = int(n) * BLOCK + 1
            async with read_snapshot():
                urls = [f"{base}/{kind}/{i}" for i in await q.public_ids(kind, lo, lo + BLOCK - 1)]
        body = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
        return Response(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NS}">{body}</urlset>\n', media_type=XML
        )
