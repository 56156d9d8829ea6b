"""The one mapping from database rows to search documents, for every backend.

Pure functions over row dicts (as Piccolo returns them); `db.search_source` fetches the rows.
Only public records are mapped: the caller decides publicity, these only shape text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from domain.categories import BY_CODE
from domain.matters import METHODS, basis_text
from domain.results import CHECK_FIELD_LABELS
from search.index import SearchDoc
from search.text import FIELD_SEP

TYPE_LABELS = {
    "result": "检查结果",
    "plan": "抽查计划",
    "guide": "合规指引",
    "honour": "荣誉信息",
    "document": "政策文件",
    "matter": "抽查事项",
}
HONOUR_KINDS = {
    "award": "表彰奖励",
    "credit": "守信激励",
    "whitelist": "无事不扰白名单",
    "bank_whitelist": "银行白名单",
    "other": "其他",
}


def as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def texts(value: Any) -> Iterable[str]:
    """Every string inside a JSON value (plan items, guide sections), in order."""
    value = _json(value)
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from texts(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from texts(v)


def _join(*parts: Any) -> str:
    # A visible separator, not a space: spaces between CJK characters are joined when indexing.
    return FIELD_SEP.join(str(p) for p in parts if p not in (None, ""))


def _codes(csv: str | None) -> tuple[str, ...]:
    return tuple(filter(None, csv.split(","))) if csv else ()


def _region_of_department(code: str) -> str:
    head = code.split("-", 1)[0]
    return head if len(head) == 6 and head.isdigit() else ""


def result_doc(row: dict[str, Any], dept_names: dict[str, str]) -> SearchDoc:
    # Runs for every result on a reindex: filter/map keep the loops in C (the same values as
    # _join and the comprehensions the other mappings use).
    depts = _codes(row["department_codes"]) or ((row["department_code"],) if row.get("department_code") else ())
    cats = _codes(row["category_codes"])
    labels = [BY_CODE[c].label for c in cats if c in BY_CODE]
    published = as_date(row["published_on"])
    task = row["task_number"]
    body = FIELD_SEP.join(
        filter(
            None,
            (
                row.get("inspection_type"),
                "、".join(filter(None, map(dept_names.get, depts))),
                "、".join(labels),
                row.get("follow_up"),
                f"任务单号 {task}",
            ),
        )
    )
    exact = tuple(filter(None, (row["entity_name"], task, row.get("penalty_decision_number"))))
    year = row.get("year")
    if not year:
        inspected = as_date(row.get("inspected_on"))
        year = inspected.year if inspected else None
    return SearchDoc(
        type="result",
        id=str(row["id"]),
        title=row["entity_name"],
        body=body,
        url_path=f"/results/{row['id']}",
        published_on=published,
        year=year,
        region_code=row.get("region_code") or "",
        departments=depts,
        categories=cats,
        uscc=row.get("uscc") or "",
        exact=exact,
    )


def plan_doc(plan: dict[str, Any], revision: dict[str, Any], dept_names: dict[str, str]) -> SearchDoc:
    participating = list(texts(revision.get("participating")))
    body = _join(
        dept_names.get(plan["department_code"], ""),
        "、".join(participating),
        revision.get("body"),
        FIELD_SEP.join(texts(revision.get("items"))),
    )
    return SearchDoc(
        type="plan",
        id=str(plan["id"]),
        title=revision["title"],
        body=body,
        url_path=f"/plans/{plan['id']}",
        published_on=as_date(plan.get("published_on")),
        year=plan.get("year"),
        region_code=plan.get("region_code") or _region_of_department(plan["department_code"]),
        departments=(plan["department_code"],),
        exact=(revision["title"],),
    )


def matter_doc(matter: dict[str, Any], version: dict[str, Any], dept_names: dict[str, str]) -> SearchDoc:
    """A matter of the matters list, as its latest version reads (the history is on its page)."""
    dept = matter["department_code"]
    published = as_date(matter.get("published_on"))
    body = _join(
        f"事项编码 {matter['code']}",
        dept_names.get(dept, ""),
        CHECK_FIELD_LABELS.get(version["field"], ""),
        METHODS.get(version["method"], ""),
        basis_text(_json(version.get("legal_basis")) or []),
        version.get("object_scope"),
    )
    return SearchDoc(
        type="matter",
        id=str(matter["id"]),
        title=version["name"],
        body=body,
        url_path=f"/matters/{matter['code']}",
        published_on=published,
        year=published.year if published else None,
        region_code=matter.get("region_code") or _region_of_department(dept),
        departments=(dept,),
        exact=(matter["code"], version["name"]),
    )


def guide_doc(guide: dict[str, Any], version: dict[str, Any], dept_names: dict[str, str]) -> SearchDoc:
    effective = as_date(version.get("effective_on"))
    published = as_date(version.get("published_on")) or effective
    body = _join(
        guide.get("industry_name"),
        f"版本 {version.get('version')}",
        version.get("summary"),
        FIELD_SEP.join(texts(version.get("sections"))),
        dept_names.get(guide.get("department_code", ""), ""),
    )
    dept = guide.get("department_code") or ""
    return SearchDoc(
        type="guide",
        id=str(guide["id"]),
        title=version["title"],
        body=body,
        url_path=f"/guides/{guide['id']}",
        published_on=published,
        year=published.year if published else None,
        region_code=_region_of_department(dept),
        departments=(dept,) if dept else (),
        exact=tuple(x for x in (version["title"], guide.get("industry_name")) if x),
    )


def honour_doc(row: dict[str, Any]) -> SearchDoc:
    awarded = as_date(row.get("awarded_on"))
    body = _join(
        row["honour"], HONOUR_KINDS.get(row.get("kind", ""), ""), row.get("awarded_by"), row.get("source_document")
    )
    dept = row.get("department_code") or ""
    return SearchDoc(
        type="honour",
        id=str(row["id"]),
        title=f"{row['entity_name']}（{row['honour']}）",
        body=body,
        url_path=f"/honours/{row['id']}",
        published_on=awarded,
        year=row.get("year") or (awarded.year if awarded else None),
        region_code=row.get("region_code") or _region_of_department(dept),
        departments=(dept,) if dept else (),
        uscc=row.get("uscc") or "",
        exact=tuple(x for x in (row["entity_name"], row["honour"]) if x),
    )


def document_doc(row: dict[str, Any]) -> SearchDoc:
    dept = row.get("department_code") or ""
    return SearchDoc(
        type="document",
        id=str(row["id"]),
        title=row["title"],
        body=_join(row.get("issuer"), row.get("region_name"), row.get("body")),
        url_path=f"/documents/{row['id']}",
        published_on=as_date(row.get("published_on")),
        year=row.get("issued_year") or None,
        region_code=row.get("region_code") or "",
        departments=(dept,) if dept else (),
        exact=tuple(x for x in (row["title"], row.get("doc_number")) if x),
    )
