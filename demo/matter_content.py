"""The demo's matters lists (抽查事项清单), one per demo department, from the check fields the seeds
name (食品, 药品, 特种设备, 燃气, 企业公示信息 …) and the laws that give each field its inspection power.

Pure data: the demo loader publishes them through the officer use case (db.matters.insert_matter
after domain.matters.validate_matter), and the result generator ties each result to one of them
by the same codes. The articles cited are the inspection-power articles of each law; object
scopes and levels are illustrative (演示数据).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from demo.departments import DEPARTMENTS, DemoDepartment, parent_region

# (field, name, [(law, article)], object scope, method) per department slug; the first of a
# field is the one results of that field are tied to.
FOOD = ("《中华人民共和国食品安全法》", "第一百一十条")
BY_SLUG: dict[str, tuple[tuple[str, str, list[tuple[str, str]], str, str], ...]] = {
    "scjg": (
        (
            "general",
            "企业公示信息抽查",
            [("《企业信息公示暂行条例》", "第十四条")],
            "辖区内登记的企业、农民专业合作社",
            "document_review",
        ),
        (
            "general",
            "登记事项（住所、经营范围）检查",
            [("《中华人民共和国市场主体登记管理条例》", "第三十八条")],
            "辖区内登记的经营主体",
            "on_site",
        ),
        (
            "general",
            "网络经营者亮照亮证情况监测",
            [("《中华人民共和国电子商务法》", "第十五条")],
            "通过网络从事经营活动的经营主体",
            "online_monitoring",
        ),
        ("food", "食品销售者经营条件和食品安全管理制度检查", [FOOD], "食品销售企业、个体工商户", "on_site"),
        ("food", "餐饮服务食品安全检查", [FOOD], "餐饮服务提供者", "on_site"),
        (
            "special_equipment",
            "特种设备使用单位安全管理检查",
            [("《中华人民共和国特种设备安全法》", "第五十七条")],
            "电梯、锅炉、压力容器等特种设备使用单位",
            "on_site",
        ),
        (
            "product_quality",
            "重点工业产品质量监督抽查",
            [("《中华人民共和国产品质量法》", "第十五条")],
            "重点工业产品生产、销售企业",
            "on_site",
        ),
    ),
    "yjj": (
        (
            "drug",
            "药品零售企业经营质量管理规范执行情况检查",
            [("《中华人民共和国药品管理法》", "第九十九条")],
            "药品零售企业",
            "on_site",
        ),
    ),
    "sthj": (
        (
            "environment",
            "排污单位污染物排放情况检查",
            [("《中华人民共和国环境保护法》", "第二十四条")],
            "重点排污单位",
            "on_site",
        ),
        (
            "environment",
            "排污单位自动监测数据非现场核查",
            [("《中华人民共和国环境保护法》", "第二十四条"), ("《排污许可管理条例》", "第二十六条")],
            "安装自动监测设备的排污单位",
            "off_site",
        ),
    ),
    "yjgl": (
        (
            "work_safety",
            "生产经营单位安全生产条件检查",
            [("《中华人民共和国安全生产法》", "第六十五条")],
            "工贸、危险化学品生产经营单位",
            "on_site",
        ),
    ),
    "wsjk": (
        (
            "health",
            "公共场所卫生监督检查",
            [("《公共场所卫生管理条例》", "第十条")],
            "住宿、沐浴、美容美发等公共场所经营者",
            "on_site",
        ),
    ),
    "xfjy": (
        (
            "fire",
            "公众聚集场所消防安全检查",
            [("《中华人民共和国消防法》", "第五十三条")],
            "商场、餐饮、娱乐等公众聚集场所",
            "on_site",
        ),
    ),
    "zjj": (
        (
            "special_equipment",
            "燃气经营企业安全检查",
            [("《城镇燃气管理条例》", "第五条")],
            "燃气经营企业、燃气供应站点",
            "on_site",
        ),
    ),
    "sw": (
        (
            "general",
            "单用途商业预付卡发卡企业检查",
            [("《单用途商业预付卡管理办法（试行）》", "第三十条")],
            "发行单用途预付卡的零售、住宿餐饮和居民服务企业",
            "document_review",
        ),
    ),
    "nync": (
        (
            "food",
            "食用农产品质量安全检查",
            [("《中华人民共和国农产品质量安全法》", "第五十四条")],
            "农产品生产企业、农民专业合作社",
            "on_site",
        ),
    ),
    "jtys": (
        (
            "general",
            "道路运输经营者经营资质检查",
            [("《中华人民共和国道路运输条例》", "第六十条")],
            "道路运输经营者",
            "document_review",
        ),
    ),
}
# 消防救援机构 inspect by the Fire Protection Law's authorisation (《消防法》第五十三条), the others
# as administrative organs in their own statutory powers (domain.matters.LEGAL_STATUSES).
AUTHORISED = {"xfjy"}
# A matter that left the list at the end of the year before last (a merged duplicate): shows an
# expired matter on the list and its history. Results are never tied to it after its end.
RETIRED_NAME = "食品经营许可事项现场核查（已并入经营条件检查）"
REVISION_REASON = "依据新修订的《企业信息公示暂行条例》补充检查依据"


def slug(d: DemoDepartment) -> str:
    return d.code.split("-", 1)[1]


def level(d: DemoDepartment) -> str:
    if d.region_code.endswith("0000"):
        return "省"
    return "市" if d.region_code.endswith("00") else "县"


def parent_of(d: DemoDepartment) -> str:
    """The same line's department in the nearest parent region that has one ('' at the top)."""
    codes = {x.code for x in DEPARTMENTS}
    region = parent_region(d.region_code)
    while region:
        cand = f"{region}-{slug(d)}"
        if cand in codes:
            return cand
        region = parent_region(region)
    return ""


def legal_status(d: DemoDepartment) -> str:
    return "authorised_organisation" if slug(d) in AUTHORISED else "administrative_organ"


def code_of(d: DemoDepartment, i: int) -> str:
    return f"{d.code.upper()}-{i:03d}"


def first_year(today: dt.date) -> int:
    return today.year - 3  # demo.generate.demo_years: this year and the three before


def matters(today: dt.date) -> list[dict[str, Any]]:
    """Every demo matter as an officer would post it (plus `department`), in force from the first
    demo year, and for scjg departments one retired matter."""
    start = dt.date(first_year(today), 1, 1)
    out = []
    for d in DEPARTMENTS:
        specs = BY_SLUG.get(slug(d), ())
        for i, (field, name, bases, scope, method) in enumerate(specs, start=1):
            out.append(
                {
                    "department": d.code,
                    "code": code_of(d, i),
                    "name": name,
                    "field": field,
                    "legal_basis": [{"law": law, "article": art} for law, art in bases],
                    "object_scope": scope,
                    "method": method,
                    "level": level(d),
                    "valid_from": start,
                    "valid_to": None,
                }
            )
        if slug(d) == "scjg":
            out.append(
                {
                    "department": d.code,
                    "code": code_of(d, 99),
                    "name": RETIRED_NAME,
                    "field": "food",
                    "legal_basis": [{"law": FOOD[0], "article": FOOD[1]}],
                    "object_scope": "新申请食品经营许可的经营者",
                    "method": "on_site",
                    "level": level(d),
                    "valid_from": start,
                    "valid_to": dt.date(today.year - 2, 12, 31),
                }
            )
    return out


def revision_for(code: str) -> dict[str, Any] | None:
    """The one published revision (version 2) of the demo: scjg's first matter gains an article."""
    if not code.endswith("-SCJG-001"):
        return None
    return {
        "reason": REVISION_REASON,
        "legal_basis": [
            {"law": "《企业信息公示暂行条例》", "article": "第十四条"},
            {"law": "《企业信息公示暂行条例》", "article": "第十五条"},
        ],
    }


def result_matters(today: dt.date) -> dict[tuple[str, str], str]:
    """(department code, check field) → the matter code results of that field are tied to; a
    department's fields it has no matter for fall back to its first matter ('*')."""
    out: dict[tuple[str, str], str] = {}
    for m in matters(today):
        if m["valid_to"] is not None:
            continue
        out.setdefault((m["department"], m["field"]), m["code"])
        out.setdefault((m["department"], "*"), m["code"])
    return out
