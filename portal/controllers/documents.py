"""Policy documents: /documents, /documents/{id} (laid out as a document) and
/documents/{id}/original.txt (the text as stored)."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from api.params import Params
from db import documents as q
from db.snapshot import read_snapshot
from domain.disclosure import ensure_servable
from domain.errors import NotFound
from domain.pagination import decode_cursor, encode_cursor
from portal import doctext
from portal.render import page, url_with

PAGE = 20


class DocumentPagesController(Controller):
    path = "/documents"

    @get("/", name="portal:documents")
    async def documents(
        self,
        request: Request,
        year: FromQuery[int | None] = None,
        region: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        async with read_snapshot():
            p = Params()
            f = q.DocumentFilter(region_range=p.region(region), year=p.year(year))
            key = decode_cursor(cursor)
            p.done()
            rows = await q.list_documents(f, key["id"] if key else None, PAGE + 1)
            more = len(rows) > PAGE
            rows = rows[:PAGE]
            params = {"year": year, "region": region}
            return page(
                request,
                "documents.html",
                api_url=url_with("/api/v1/documents", params),
                nav="documents",
                documents=rows,
                total=await q.count_documents(f),
                year=year,
                next_url=url_with("/documents", params, cursor=encode_cursor({"id": rows[-1]["id"]})) if more else None,
                first_url=url_with("/documents", params) if cursor else None,
            )

    @get("/{document_id:int}", name="portal:document")
    async def document(self, request: Request, document_id: FromPath[int]) -> Template:
        async with read_snapshot():
            row = await q.get_document(document_id)
            if row is None:
                raise NotFound(f"没有编号为 {document_id} 的政策文件 (no document {document_id})")
            ensure_servable("政策文件", document_id, row["disclosure"], "")
            blocks = doctext.structure(row["body"] or "")
            return page(
                request,
                "document.html",
                api_url=f"/api/v1/documents/{document_id}",
                nav="documents",
                d=row,
                blocks=blocks,
                toc=doctext.contents(blocks),
            )

    @get("/{document_id:int}/original.txt", name="portal:document_original")
    async def original(self, request: Request, document_id: FromPath[int]) -> Response[bytes]:
        """The text exactly as stored (the page above only lays it out)."""
        async with read_snapshot():
            row = await q.get_document(document_id)
            if row is None:
                raise NotFound(f"没有编号为 {document_id} 的政策文件 (no document {document_id})")
            ensure_servable("政策文件", document_id, row["disclosure"], "")
        return Response(
            (row["body"] or "").encode("utf-8"),
            media_type="text/plain; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row['title'][:80])}.txt"},
        )
