"""Response structs: the field names are promises to journalists (see API.md)."""

from __future__ import annotations

import datetime as dt

import msgspec


class CategoryOut(msgspec.Struct):
    code: str
    label: str
    negative: bool
    label_en: str = ""  # an English rendering for English pages and readers; `label` is the official one


class ResultOut(msgspec.Struct):
    id: int
    task_number: str
    uscc: str
    entity_name: str
    entity_kind: str
    region_code: str
    departments: list[str]
    inspected_on: dt.date
    inspection_type: str
    categories: list[CategoryOut]
    negative: bool
    follow_up: str
    penalty_decision_number: str | None
    published_on: dt.date
    url: str
    department_codes: list[str] = []
    check_field: str = "general"
    joint: bool = False
    # Published more than 20 working days after the inspection (《企业信息公示暂行条例》第六条).
    published_late: bool = False


class ResultPage(msgspec.Struct):
    items: list[ResultOut]
    next_cursor: str | None
    total: int | None = None


class HonourOut(msgspec.Struct):
    id: int
    uscc: str
    entity_name: str
    honour: str
    kind: str
    awarded_by: str
    awarded_on: dt.date
    valid_until: dt.date | None
    source_document: str
    url: str


class EntityOut(msgspec.Struct):
    uscc: str
    name: str
    kind: str
    region_code: str
    industry_code: str
    results: list[ResultOut]
    honours: list[HonourOut]
    url: str
    status: str = ""
    risk_class: str | None = None


class PublishedIds(msgspec.Struct):
    ids: list[int]
    count: int
