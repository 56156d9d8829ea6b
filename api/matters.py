"""The lists that say what may be inspected and by whom (public, no account):
GET /api/v1/matters[/{code}] (抽查事项清单), /api/v1/inspecting-bodies (检查主体清单) and
/api/v1/departments. Officers publish, revise and withdraw matters in api/admin_matters.py."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, Parameter

from api.deps import settings_of
from db import matters as mq
from db.results import department_names
from domain import matters as rules
from domain.disclosure import ensure_servable
from domain.errors import Collector, NotFound
from domain.pagination import decode_cursor, encode_cursor
from domain.pagination import page_size as check_page_size
from domain.results import CHECK_FIELD_LABELS, shanghai_today

PAGE_SIZE = Parameter(default=None, description="1-100, default 20")
# DATE_DEPENDENT: these answers change at midnight (what is in force today) and with the departments
# register, neither of which is in the change log, so the change log's ETag would not be true here.


class LegalBasisOut(msgspec.Struct):
    law: str
    article: str


class MatterVersionOut(msgspec.Struct):
    number: int
    name: str
    field: str
    field_label: str
    legal_basis: list[LegalBasisOut]
    object_scope: str
    method: str
    method_label: str
    level: str
    valid_from: dt.date
    valid_to: dt.date | None
    revised_on: dt.date
    reason: str
    changes: list[str]


class MatterOut(msgspec.Struct):
    id: int
    code: str
    department_code: str
    department: str
    region_code: str
    # The version shown: the one in force on `on` when asked, else the latest.
    version: int
    name: str
    field: str
    field_label: str
    legal_basis: list[LegalBasisOut]
    object_scope: str
    method: str
    method_label: str
    level: str
    valid_from: dt.date
    valid_to: dt.date | None
    in_force_today: bool
    current_version: int
    published_on: dt.date
    versions: list[MatterVersionOut]
    url: str


class MatterPage(msgspec.Struct):
    items: list[MatterOut]
    next_cursor: str | None
    total: int | None = None


class DepartmentOut(msgspec.Struct):
    code: str
    name: str
    short_name: str
    region_code: str
    parent_code: str | None


class DepartmentPage(msgspec.Struct):
    items: list[DepartmentOut]
    next_cursor: str | None = None
    total: int | None = None


class BodyMatterOut(msgspec.Struct):
    code: str
    name: str
    field: str
    method: str
    url: str


class InspectingBodyOut(msgspec.Struct):
    code: str
    name: str
    region_code: str
    parent_code: str | None
    legal_status: str
    legal_status_label: str
    matters: list[BodyMatterOut]
    url: str


class InspectingBodyPage(msgspec.Struct):
    items: list[InspectingBodyOut]
    on: dt.date
    next_cursor: str | None = None
    total: int | None = None


def parse_day(value: str | None, name: str, c: Collector) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        c.add(name, f"日期格式应为 YYYY-MM-DD (a date YYYY-MM-DD, got {value!r})")
        return None


def parse_field(value: str | None, c: Collector) -> str | None:
    if not value:
        return None
    code = rules.field_code(value)
    if code is None:
        c.add("field", f"未知的抽查领域 {value!r} (one of {', '.join(CHECK_FIELD_LABELS)})")
    return code


def version_out(v: dict) -> MatterVersionOut:
    return MatterVersionOut(
        number=v["number"],
        name=v["name"],
        field=v["field"],
        field_label=CHECK_FIELD_LABELS.get(v["field"], v["field"]),
        legal_basis=[LegalBasisOut(law=b["law"], article=b["article"]) for b in v["legal_basis"] or []],
        object_scope=v["object_scope"],
        method=v["method"],
        method_label=rules.METHODS.get(v["method"], v["method"]),
        level=v["level"],
        valid_from=v["valid_from"],
        valid_to=v["valid_to"],
        revised_on=v["revised_on"],
        reason=v["reason"],
        changes=list(v["changes"] or []),
    )


def matter_out(m: dict, shown: dict, versions: list[dict], names: dict[str, str], base: str) -> MatterOut:
    vo = version_out(shown)
    return MatterOut(
        id=m["id"],
        code=m["code"],
        department_code=m["department_code"],
        department=names.get(m["department_code"], m["department_code"]),
        region_code=m["region_code"],
        version=vo.number,
        name=vo.name,
        field=vo.field,
        field_label=vo.field_label,
        legal_basis=vo.legal_basis,
        object_scope=vo.object_scope,
        method=vo.method,
        method_label=vo.method_label,
        level=vo.level,
        valid_from=vo.valid_from,
        valid_to=vo.valid_to,
        in_force_today=rules.version_in_force(versions, shanghai_today()) is not None,
        current_version=m["current_version"],
        published_on=m["published_on"],
        versions=[version_out(v) for v in versions],
        url=f"{base}/matters/{m['code']}",
    )


async def servable_matter(code: str) -> dict:
    """The public matter `code` (404 for an unknown or malformed code, 410 once withdrawn)."""
    m = await mq.get_matter(code) if rules.valid_code(code) else None
    if m is None:
        raise NotFound(f"没有编码为 {code} 的抽查事项 (no matter {code!r})")
    ensure_servable("抽查事项", code, m["disclosure"], "revoked")
    return m


async def inspecting_bodies(on: dt.date) -> list[tuple[dict, list[tuple[dict, dict]]]]:
    """The use case behind /api/v1/inspecting-bodies and /inspecting-bodies: every department with
    a confirmed legal status, with the matters on its list in force on `on`."""
    depts = [d for d in await mq.list_departments() if d["legal_status"]]
    rows = await mq.list_matters()
    versions = await mq.versions_for([r["id"] for r in rows])
    by_dept: dict[str, list[tuple[dict, dict]]] = {}
    for m, v in rules.select(rows, versions, on, None):
        by_dept.setdefault(m["department_code"], []).append((m, v))
    return [(d, by_dept.get(d["code"], [])) for d in depts]


class MattersController(Controller):
    path = "/api/v1/matters"
    tags = ["lists"]
    opt = {"exclude_from_auth": True, "conditional": False}  # see DATE_DEPENDENT

    @get("/", summary="The matters list (抽查事项清单): what each department may inspect, with legal basis")
    async def list_matters(
        self,
        request: Request,
        department: FromQuery[str | None] = None,
        field: str | None = Parameter(default=None, description="check field code (food, drug …) or its label"),
        on: str | None = Parameter(default=None, description="YYYY-MM-DD: only matters in force that day"),
        q: str | None = Parameter(default=None, description="text in the code, name, scope or legal basis"),
        page_size: int | None = PAGE_SIZE,
        cursor: FromQuery[str | None] = None,
    ) -> MatterPage:
        c = Collector()
        day = parse_day(on, "on", c)
        fld = parse_field(field, c)
        c.raise_if_any("请求参数无效 (invalid query parameters)")
        size = check_page_size(page_size)
        key = decode_cursor(cursor, fields=("code",), int_fields=())
        page, more, total = await rules.matters_page(
            mq, department or None, fld, day, q or "", str(key["code"]) if key else None, size
        )
        names = await department_names([m["department_code"] for m, _, _ in page])
        base = settings_of(request).base_url
        return MatterPage(
            items=[matter_out(m, v, vs, names, base) for m, v, vs in page],
            next_cursor=encode_cursor({"code": page[-1][0]["code"]}) if more and page else None,
            total=total,
        )

    @get("/{code:str}", summary="One matter with every published version")
    async def get_matter(
        self,
        request: Request,
        code: FromPath[str],
        on: str | None = Parameter(default=None, description="YYYY-MM-DD: show the version in force that day"),
    ) -> MatterOut:
        c = Collector()
        day = parse_day(on, "on", c)
        c.raise_if_any("请求参数无效 (invalid query parameters)")
        m = await servable_matter(code)
        versions = (await mq.versions_for([m["id"]]))[m["id"]]
        shown = rules.version_in_force(versions, day) if day else rules.latest(versions)
        if shown is None:
            raise NotFound(
                f"抽查事项 {code} 在 {day} 不在清单中 (matter {code} is not on the list on {day}; see its versions)"
            )
        names = await department_names([m["department_code"]])
        return matter_out(m, shown, versions, names, settings_of(request).base_url)


class InspectingBodiesController(Controller):
    path = "/api/v1/inspecting-bodies"
    tags = ["lists"]
    opt = {"exclude_from_auth": True, "conditional": False}  # see DATE_DEPENDENT

    @get("/", summary="The inspecting bodies (检查主体清单): who may inspect, and the matters on each one's list")
    async def list_bodies(
        self,
        request: Request,
        on: str | None = Parameter(default=None, description="YYYY-MM-DD, default today (Beijing time)"),
    ) -> InspectingBodyPage:
        c = Collector()
        day = parse_day(on, "on", c) or shanghai_today()
        c.raise_if_any("请求参数无效 (invalid query parameters)")
        base = settings_of(request).base_url
        bodies = await inspecting_bodies(day)
        return InspectingBodyPage(
            items=[
                InspectingBodyOut(
                    code=d["code"],
                    name=d["name"],
                    region_code=d["region_code"],
                    parent_code=d["parent_code"] or None,
                    legal_status=d["legal_status"],
                    legal_status_label=rules.LEGAL_STATUSES.get(d["legal_status"], d["legal_status"]),
                    matters=[
                        BodyMatterOut(
                            code=m["code"],
                            name=v["name"],
                            field=v["field"],
                            method=v["method"],
                            url=f"{base}/matters/{m['code']}",
                        )
                        for m, v in ms
                    ],
                    url=f"{base}/inspecting-bodies#{d['code']}",
                )
                for d, ms in bodies
            ],
            on=day,
            total=len(bodies),
        )


class DepartmentsController(Controller):
    path = "/api/v1/departments"
    tags = ["lists"]
    opt = {"exclude_from_auth": True, "conditional": False}  # see DATE_DEPENDENT

    @get("/", summary="Every department in the register: code, full name, region and parent")
    async def list_departments(self) -> DepartmentPage:
        rows = await mq.list_departments()
        return DepartmentPage(
            items=[
                DepartmentOut(
                    code=d["code"],
                    name=d["name"],
                    short_name=d["short_name"],
                    region_code=d["region_code"],
                    parent_code=d["parent_code"] or None,
                )
                for d in rows
            ],
            total=len(rows),
        )
