"""Officers publish honours and policy documents, and record scan records (single and bulk),
through the use cases in domain.publishing (the back office's forms call the same ones).

Every write is one transaction with its audit rows (and change-log rows for what is public);
a request with any bad item stores nothing; a department writes only under its own name."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody, Parameter

from api.admin_plans import acting_department, region_of_department
from api.admin_results import shanghai_today
from api.deps import principal_of, settings_of
from api.params import Params
from api.schemas import PublishedIds
from db import documents as dq
from db import honours as hq
from db import scans as sq
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size
from domain.publishing import publish_document, publish_honours, record_scans
from domain.records import MAX_BULK


class HonourIn(msgspec.Struct):
    uscc: str
    entity_name: str
    honour: str
    awarded_by: str
    awarded_on: dt.date
    kind: str = "other"
    valid_until: dt.date | None = None
    source_document: str = ""
    region_code: str | None = None
    department: str | None = None


class HonourBulkIn(msgspec.Struct):
    items: Annotated[list[HonourIn], msgspec.Meta(max_length=MAX_BULK + 1)]


class DocumentIn(msgspec.Struct):
    title: str
    issuer: str
    body: str
    region_code: str
    doc_number: str | None = None
    issued_on: dt.date | None = None
    issued_year: int | None = None
    region_name: str = ""
    source: str = ""
    published_on: dt.date | None = None
    department: str | None = None


class ScanIn(msgspec.Struct):
    uscc: str
    officer_credentials: list[str]
    scanned_at: dt.datetime
    method: str = "scan"
    task_number: str = ""
    location: str = ""
    department: str | None = None


class ScanBulkIn(msgspec.Struct):
    items: Annotated[list[ScanIn], msgspec.Meta(max_length=MAX_BULK + 1)]


class ScanOut(msgspec.Struct):
    """For the recording department only (credential numbers are never public)."""

    id: int
    uscc: str
    department_code: str
    officer_credentials: list[str]
    scanned_at: dt.datetime
    method: str
    task_number: str
    location: str


class ScanPage(msgspec.Struct):
    items: list[ScanOut]
    next_cursor: str | None


class Published(msgspec.Struct):
    id: int
    url: str


class AdminHonoursController(Controller):
    path = "/api/v1/admin/honours"
    tags = ["admin"]

    @post("/", summary="Publish one honour record", status_code=201)
    async def publish_one(self, request: Request, data: JSONBody[HonourIn]) -> PublishedIds:
        ids = await publish_honours(
            principal_of(request), [msgspec.structs.asdict(data)], hq.insert_honours, region_of_department
        )
        return PublishedIds(ids=ids, count=len(ids))

    @post(
        "/bulk",
        summary="Publish up to 10,000 honour records, all or nothing",
        status_code=201,
        request_max_body_size=64 * 1024 * 1024,
    )
    async def publish_bulk(self, request: Request, data: JSONBody[HonourBulkIn]) -> PublishedIds:
        ids = await publish_honours(
            principal_of(request),
            [msgspec.structs.asdict(h) for h in data.items],
            hq.insert_honours,
            region_of_department,
            bulk=True,
        )
        return PublishedIds(ids=ids, count=len(ids))


class AdminDocumentsController(Controller):
    path = "/api/v1/admin/documents"
    tags = ["admin"]

    @post("/", summary="Publish a policy document", status_code=201)
    async def publish(self, request: Request, data: JSONBody[DocumentIn]) -> Published:
        doc_id = await publish_document(
            principal_of(request), msgspec.structs.asdict(data), dq.insert_document, shanghai_today()
        )
        return Published(id=doc_id, url=f"{settings_of(request).base_url}/documents/{doc_id}")


class AdminScansController(Controller):
    path = "/api/v1/admin/scan-records"
    tags = ["admin"]

    @post("/", summary="Record one scan (扫码入企); not public", status_code=201)
    async def record_one(self, request: Request, data: JSONBody[ScanIn]) -> PublishedIds:
        ids = await record_scans(
            principal_of(request), [msgspec.structs.asdict(data)], sq.insert_scans, dt.datetime.now(dt.UTC)
        )
        return PublishedIds(ids=ids, count=len(ids))

    @post(
        "/bulk",
        summary="Record up to 10,000 scans, all or nothing",
        status_code=201,
        request_max_body_size=64 * 1024 * 1024,
    )
    async def record_bulk(self, request: Request, data: JSONBody[ScanBulkIn]) -> PublishedIds:
        ids = await record_scans(
            principal_of(request),
            [msgspec.structs.asdict(s) for s in data.items],
            sq.insert_scans,
            dt.datetime.now(dt.UTC),
            bulk=True,
        )
        return PublishedIds(ids=ids, count=len(ids))

    @get("/", summary="Your department's scan records (officers only)")
    async def list_own(
        self,
        request: Request,
        uscc: FromQuery[str | None] = None,
        page_size: int | None = Parameter(default=None, description="1-100, default 20"),
        cursor: FromQuery[str | None] = None,
    ) -> ScanPage:
        actor = principal_of(request)
        acting_department(actor, actor.department_code)
        p = Params()
        code = p.uscc(uscc)
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        p.done()
        rows = await sq.list_scans(actor.department_code, code, key["id"] if key else None, size + 1)
        rows, next_cursor = split_page(rows, size)
        return ScanPage(items=[ScanOut(**r) for r in rows], next_cursor=next_cursor)
