"""Response structs for plans, guides, honours, documents, entities and the change feed.
Field names are promises (see API.md): add fields, never rename."""

from __future__ import annotations

import datetime as dt

import msgspec

from api.schemas import HonourOut, ResultOut


class PlanItemOut(msgspec.Struct):
    code: str
    field: str  # 抽查领域
    matters: list[str]  # 抽查事项
    scope: str  # 抽查对象
    departments: list[str]  # 抽查部门
    level: str  # 实施层级 省/市/县
    months: list[int]  # 时间安排
    ratio_percent: float | None  # 抽查比例
    ratio_by_class: dict[str, float]  # per credit-risk class
    method: str  # 检查方式
    joint: bool


class PlanRevisionOut(msgspec.Struct):
    number: int
    title: str
    revised_on: dt.date
    reason: str
    changes: list[str]


class PlanOut(msgspec.Struct):
    id: int
    year: int
    title: str
    department_code: str
    department: str
    region_code: str
    participating: list[str]
    current_revision: int
    published_on: dt.date
    revised_on: dt.date
    body: str
    items: list[PlanItemOut]
    revisions: list[PlanRevisionOut]
    url: str


class PlanPage(msgspec.Struct):
    items: list[PlanOut]
    next_cursor: str | None
    total: int | None = None


class DownloadOut(msgspec.Struct):
    format: str
    url: str
    bytes: int
    sha256: str


class GuideSectionOut(msgspec.Struct):
    heading: str
    body: str


class GuideVersionOut(msgspec.Struct):
    version: str
    title: str
    effective_on: dt.date
    published_on: dt.date
    change_note: str
    downloads: list[DownloadOut]


class GuideOut(msgspec.Struct):
    id: int
    industry_code: str
    industry_name: str
    department_code: str
    title: str
    version: str
    effective_on: dt.date
    published_on: dt.date
    summary: str
    sections: list[GuideSectionOut]
    downloads: list[DownloadOut]
    versions: list[GuideVersionOut]
    url: str


class GuidePage(msgspec.Struct):
    items: list[GuideOut]
    next_cursor: str | None
    total: int | None = None


class HonourPage(msgspec.Struct):
    items: list[HonourOut]
    next_cursor: str | None
    total: int | None = None


class DocumentOut(msgspec.Struct):
    id: int
    title: str
    issuer: str
    doc_number: str | None
    issued_on: dt.date | None  # null when only the year is known
    issued_year: int
    region_code: str
    region_name: str
    source: str
    published_on: dt.date
    text: str
    url: str


class DocumentPage(msgspec.Struct):
    items: list[DocumentOut]
    next_cursor: str | None
    total: int | None = None


class FieldYearOut(msgspec.Struct):
    field: str
    field_label: str
    count: int
    cap: int | None
    over_cap: bool


class YearOut(msgspec.Struct):
    year: int
    count: int  # inspections in the field whose cap binds (see `field`); all fields: `total`
    cap: int | None
    over_cap: bool
    field: str
    field_label: str
    total: int
    fields: list[FieldYearOut]


class EntityProfileOut(msgspec.Struct):
    uscc: str
    name: str
    kind: str
    kind_label: str
    region_code: str
    industry_code: str
    status: str
    operator: str | None  # individual businesses: masked (张**)
    results: list[ResultOut]
    results_total: int
    honours: list[HonourOut]
    url: str
    # 年度频次上限 (domain.caps): inspections per year across all departments, a joint check once.
    inspections_by_year: list[YearOut] = msgspec.field(default_factory=list)


class ChangeOut(msgspec.Struct):
    seq: int
    at: dt.datetime
    type: str
    id: int | str
    action: str  # published / updated / withdrawn


class ChangePage(msgspec.Struct):
    items: list[ChangeOut]
    next_cursor: str | None
    last_seq: int | None = None
