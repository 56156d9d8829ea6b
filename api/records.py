"""GET /api/v1/entities/{uscc}, /api/v1/honours, /api/v1/documents and /api/v1/changes."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, Parameter

from api.caps import inspections_by_year
from api.deps import settings_of
from api.params import Params
from api.record_schemas import ChangePage, DocumentOut, DocumentPage, EntityProfileOut, HonourPage
from api.record_serialize import change_out, document_out
from api.schemas import HonourOut, ResultOut
from api.serialize import honour_out, result_out
from db import changefeed as cq
from db import documents as dq
from db import entities as eq
from db import honours as hq
from db.results import department_names
from domain import uscc as uscc_rules
from domain.disclosure import ensure_servable
from domain.entities import kind_label
from domain.errors import FieldError, NotFound, ValidationFailed
from domain.limits import INT_MAX, in_range
from domain.masking import is_individual, mask_person_name, public_entity_name
from domain.pagination import decode_cursor, split_page
from domain.pagination import page_size as check_page_size
from domain.records import HONOUR_KINDS

PAGE_SIZE = Parameter(default=None, description="1-100, default 20")
ENTITY_RESULTS = 100  # results listed on a profile; the rest via /api/v1/results?uscc=


class EntitiesController(Controller):
    path = "/api/v1/entities"
    tags = ["entities"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/{uscc:str}", summary="Entity profile with its public results and honours")
    async def get_entity(self, request: Request, uscc: FromPath[str]) -> EntityProfileOut:
        try:
            code = uscc_rules.validate(uscc)
        except uscc_rules.InvalidUSCC as e:
            raise ValidationFailed("统一社会信用代码无效 (invalid USCC)", [FieldError("uscc", str(e))]) from None
        ent = await eq.get_entity(code)
        if ent is None:
            raise NotFound(f"没有统一社会信用代码为 {code} 的经营主体 (no entity {code})")
        rows = await eq.public_results(code, ENTITY_RESULTS)
        names = await department_names([c for r in rows for c in r["department_codes"].split(",")])
        base = settings_of(request).base_url
        operator = ent["operator_name"] if is_individual(ent["kind"], code) else ""
        results: list[ResultOut] = []
        for r in rows:
            out = result_out(r, names, base)
            out.entity_name = public_entity_name(out.entity_name, ent["kind"], operator, code)
            results.append(out)
        honours = []
        for h in await eq.public_honours(code):
            honour = honour_out(h, base)
            honour.entity_name = public_entity_name(honour.entity_name, ent["kind"], operator, code)
            honours.append(honour)
        total = len(results) if len(results) < ENTITY_RESULTS else await eq.count_public_results(code)
        return EntityProfileOut(
            uscc=code,
            name=public_entity_name(ent["name"], ent["kind"], operator, code),
            kind=ent["kind"],
            kind_label=kind_label(ent["kind"]),
            region_code=ent["region_code"],
            industry_code=ent["industry_code"],
            status=ent["status"],
            operator=mask_person_name(operator) if operator else None,
            results=results,
            results_total=total,
            honours=honours,
            url=f"{base}/entities/{code}",
            inspections_by_year=await inspections_by_year(code, ent["risk_class"]),
        )


class HonoursController(Controller):
    path = "/api/v1/honours"
    tags = ["honours"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Honour records (荣誉信息)")
    async def list_honours(
        self,
        request: Request,
        uscc: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        kind: str | None = Parameter(default=None, description=", ".join(HONOUR_KINDS)),
        page_size: int | None = PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> HonourPage:
        p = Params()
        f = hq.HonourFilter(uscc=p.uscc(uscc), year=p.year(year), kind=kind or None)
        if kind and kind not in HONOUR_KINDS:
            p.c.add("kind", f"未知的荣誉类型 {kind!r} (one of {', '.join(HONOUR_KINDS)})")
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        p.done()
        rows = await hq.list_honours(f, key["id"] if key else None, size + 1)
        rows, next_cursor = split_page(rows, size)
        base = settings_of(request).base_url
        return HonourPage(
            items=[honour_out(r, base) for r in rows], next_cursor=next_cursor, total=await hq.count_honours(f)
        )

    @get("/{honour_id:int}", summary="One honour record")
    async def get_honour(self, request: Request, honour_id: FromPath[int]) -> HonourOut:
        row = await hq.get_honour(honour_id)
        if row is None:
            raise NotFound(f"没有编号为 {honour_id} 的荣誉信息 (no honour {honour_id})")
        ensure_servable("荣誉信息", honour_id, row["disclosure"], "")
        return honour_out(row, settings_of(request).base_url)


class DocumentsController(Controller):
    path = "/api/v1/documents"
    tags = ["documents"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Policy documents (title, issuer, doc number, date, region, text)")
    async def list_documents(
        self,
        request: Request,
        region: FromQuery[str | None] = None,
        year: FromQuery[int | None] = None,
        page_size: int | None = PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> DocumentPage:
        p = Params()
        f = dq.DocumentFilter(region_range=p.region(region), year=p.year(year))
        size = check_page_size(page_size)
        key = decode_cursor(cursor)
        p.done()
        rows = await dq.list_documents(f, key["id"] if key else None, size + 1, with_body=True)
        rows, next_cursor = split_page(rows, size)
        base = settings_of(request).base_url
        return DocumentPage(
            items=[document_out(r, base) for r in rows], next_cursor=next_cursor, total=await dq.count_documents(f)
        )

    @get("/{document_id:int}", summary="One policy document with its text")
    async def get_document(self, request: Request, document_id: FromPath[int]) -> DocumentOut:
        row = await dq.get_document(document_id)
        if row is None:
            raise NotFound(f"没有编号为 {document_id} 的政策文件 (no document {document_id})")
        ensure_servable("政策文件", document_id, row["disclosure"], "")
        return document_out(row, settings_of(request).base_url)


def parse_since(since: str | None) -> tuple[dt.datetime | None, int | None]:
    """`since` is a seq number (everything after it) or an ISO 8601 date/time (from then on)."""
    if not since:
        return None, None
    s = since.strip()
    if s.isdigit():
        if not in_range(int(s)):  # past every seq (domain/limits.py)
            raise ValidationFailed(
                "Invalid `since`.", [FieldError("since", f"超出范围 (out of range: at most {INT_MAX})")]
            )
        return None, int(s)
    try:
        at = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(
            "Invalid `since`.",
            [FieldError("since", f"应为序号或 ISO 8601 时间 (a seq number or an ISO 8601 date/time, got {since!r})")],
        ) from None
    if at.tzinfo is None:  # a bare date or time means Beijing time
        at = at.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return at, None


CHANGE_TYPES = ("result", "plan", "guide", "honour", "document", "matter")


def change_types(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    types = [t.strip() for t in raw.split(",") if t.strip()]
    unknown = [t for t in types if t not in CHANGE_TYPES]
    if unknown or not types:
        raise ValidationFailed(
            "Unknown record type.",
            [FieldError("type", f"类型应为 {', '.join(CHANGE_TYPES)} (unknown: {', '.join(unknown) or raw})")],
        )
    return types


class ChangesController(Controller):
    path = "/api/v1/changes"
    tags = ["changes"]
    opt = {"exclude_from_auth": True, "conditional": True}

    @get("/", summary="Every public change in order; withdrawn records carry no content")
    async def list_changes(
        self,
        since: str | None = Parameter(default=None, description="a seq number (changes after it) or an ISO 8601 time"),
        page_size: int | None = PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
        type: str | None = Parameter(
            default=None,
            description="only these record types (comma-separated: result, plan, guide, honour, document, matter)",
        ),
    ) -> ChangePage:
        size = check_page_size(page_size)
        types = change_types(type)
        at, after = parse_since(since)
        key = decode_cursor(cursor, fields=("seq",), int_fields=("seq",))
        if key:
            after = max(after or 0, key["seq"])
        rows = await cq.list_changes(at, after, size + 1, types)
        rows, next_cursor = split_page(rows, size, "seq")
        return ChangePage(items=[change_out(r) for r in rows], next_cursor=next_cursor, last_seq=await cq.latest_seq())
