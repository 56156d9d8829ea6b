"""Accepted column headers per kind, in Chinese and English (matched ignoring case, spaces and
the usual punctuation). The README lists them; demo_data/examples/ has one file per kind."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    headers: tuple[str, ...]
    required: bool = False


KINDS: dict[str, tuple[Column, ...]] = {
    "entities": (
        Column("uscc", ("uscc", "统一社会信用代码", "信用代码"), True),
        Column("name", ("name", "名称", "经营主体名称", "企业名称", "主体名称"), True),
        Column("kind", ("kind", "entity_kind", "主体类型", "市场主体类型")),
        Column("region_code", ("region_code", "行政区划代码", "区划代码")),
        Column("industry_code", ("industry_code", "行业代码", "国民经济行业代码")),
        Column("risk_class", ("risk_class", "信用风险分类", "风险分类")),
        Column("status", ("status", "登记状态")),
        Column("operator_name", ("operator_name", "经营者姓名", "经营者")),
    ),
    "results": (
        Column("task_number", ("task_number", "任务单号", "任务编号"), True),
        Column("uscc", ("uscc", "统一社会信用代码", "信用代码"), True),
        Column("entity_name", ("entity_name", "经营主体名称", "企业名称", "主体名称", "名称"), True),
        Column("entity_kind", ("entity_kind", "主体类型")),
        Column("region_code", ("region_code", "行政区划代码", "区划代码")),
        Column("departments", ("departments", "department", "检查部门", "检查机关", "抽查部门"), True),
        Column("inspected_on", ("inspected_on", "检查日期", "抽查日期"), True),
        Column("inspection_type", ("inspection_type", "检查类型", "抽查类型")),
        Column("categories", ("categories", "category", "检查结果", "结果类别", "抽查结果"), True),
        Column("check_field", ("check_field", "抽查领域")),
        Column("follow_up", ("follow_up", "后续处置", "处置情况")),
        Column("penalty_decision_number", ("penalty_decision_number", "行政处罚决定书文号", "处罚决定书文号")),
        Column("published_on", ("published_on", "公示日期")),
        Column("operator_name", ("operator_name", "经营者姓名", "经营者")),
    ),
    "honours": (
        Column("uscc", ("uscc", "统一社会信用代码", "信用代码"), True),
        Column("entity_name", ("entity_name", "经营主体名称", "企业名称", "主体名称", "名称"), True),
        Column("honour", ("honour", "honor", "荣誉名称", "荣誉"), True),
        Column("kind", ("kind", "荣誉类型", "类型")),
        Column("awarded_by", ("awarded_by", "授予机关", "认定机关", "授予单位"), True),
        Column("awarded_on", ("awarded_on", "授予日期", "认定日期"), True),
        Column("valid_until", ("valid_until", "有效期至", "有效期截止日期")),
        Column("source_document", ("source_document", "文件依据", "来源文件")),
        Column("region_code", ("region_code", "行政区划代码", "区划代码")),
    ),
    "scan-records": (
        Column("uscc", ("uscc", "统一社会信用代码", "信用代码"), True),
        Column("department", ("department", "department_code", "检查部门", "部门"), True),
        Column("officer_credentials", ("officer_credentials", "执法证号", "执法人员证件号"), True),
        Column("scanned_at", ("scanned_at", "扫码时间", "时间"), True),
        Column("method", ("method", "方式", "入企方式"), True),
        Column("task_number", ("task_number", "任务单号", "任务编号")),
        Column("location", ("location", "地点", "位置")),
    ),
}

_NOISE = re.compile(r"[\s_\-（）()：:*]+")


def _norm(h: str) -> str:
    return _NOISE.sub("", h.strip().lstrip("\ufeff")).lower()


def resolve(kind: str, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Map column keys to positions. Returns (mapping, problems) — problems name missing
    required columns and headers that appear twice."""
    by_header = {_norm(h): c for c in KINDS[kind] for h in c.headers}
    mapping: dict[str, int] = {}
    problems: list[str] = []
    for pos, h in enumerate(header):
        col = by_header.get(_norm(h))
        if col is None:
            continue  # extra columns are ignored (and listed in the report)
        if col.key in mapping:
            problems.append(f"列“{h}”重复 (column {col.key} appears twice: {header[mapping[col.key]]!r} and {h!r})")
        else:
            mapping[col.key] = pos
    for c in KINDS[kind]:
        if c.required and c.key not in mapping:
            zh = next((h for h in c.headers if not h.isascii()), c.headers[0])
            problems.append(f"缺少必填列“{zh}”/“{c.headers[0]}” (required column {c.key} is missing)")
    return mapping, problems


def unknown_headers(kind: str, header: list[str]) -> list[str]:
    known = {_norm(h) for c in KINDS[kind] for h in c.headers}
    return [h for h in header if h.strip() and _norm(h) not in known]
