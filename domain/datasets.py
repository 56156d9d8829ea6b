"""The open-data catalogue: which datasets the portal publishes, their distributions, the licence.

One registry read by every catalogue format — DCAT-AP JSON-LD (/catalog.jsonld), DCAT-US 1.1
(/data.json), the Frictionless data package (/datapackage.json) and the CKAN-compatible Action API
(/api/3/action/…) — so a harvester sees the same datasets whichever door it uses. Dataset names are
stable identifiers (CKAN package ids; API.md promises them to journalists): never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Licences a deployment may choose (setting DATA_LICENSE). Default CC BY 4.0: reuse with
# attribution, the licence most open-government portals use; a deployment bound by a local rule
# (e.g. a provincial 公共数据开放 measure) sets its own.
LICENSES: dict[str, tuple[str, str]] = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 (CC BY 4.0)", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0 (CC0)", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODC-BY-1.0": ("Open Data Commons Attribution 1.0", "https://opendatacommons.org/licenses/by/1-0/"),
}
DEFAULT_LICENSE = "CC-BY-4.0"


@dataclass(frozen=True)
class License:
    id: str
    title: str
    url: str


def license_of(setting: str) -> License:
    """The licence named by DATA_LICENSE: an id from LICENSES, or `Title|https://url` for another."""
    value = (setting or DEFAULT_LICENSE).strip()
    if value in LICENSES:
        title, url = LICENSES[value]
        return License(value, title, url)
    if "|" in value:
        title, url = (part.strip() for part in value.split("|", 1))
        if title and url.startswith(("http://", "https://")):
            return License("other", title, url)
    raise ValueError(
        f"DATA_LICENSE must be one of {', '.join(LICENSES)} or 'Title|https://licence-url', got {setting!r}"
    )


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # Frictionless / datastore type: string, integer, boolean, date, number
    title: str = ""


@dataclass(frozen=True)
class Resource:
    """One distribution of a dataset. `path` is relative to BASE_URL."""

    id: str
    name: str
    format: str  # CSV, JSONL, JSON
    media_type: str
    path: str
    description: str = ""
    datastore: bool = False  # answerable by datastore_search


@dataclass(frozen=True)
class Dataset:
    name: str  # CKAN package id / name
    title: str
    title_en: str
    description: str
    keywords: tuple[str, ...]
    object_type: str  # the change-log type whose records it holds ("" for figures)
    resources: tuple[Resource, ...]
    fields: tuple[Field, ...] = field(default_factory=tuple)


RESULT_FIELDS = (
    Field("id", "integer", "结果编号"),
    Field("task_number", "string", "任务单号"),
    Field("uscc", "string", "统一社会信用代码"),
    Field("entity_name", "string", "经营主体名称"),
    Field("entity_kind", "string", "主体类型"),
    Field("region_code", "string", "行政区划代码"),
    Field("departments", "string", "检查部门"),
    Field("department_codes", "string", "检查部门代码"),
    Field("inspected_on", "date", "检查日期"),
    Field("inspection_type", "string", "检查类型"),
    Field("categories", "string", "检查结果类别代码"),
    Field("category_labels", "string", "检查结果"),
    Field("negative", "boolean", "发现问题"),
    Field("follow_up", "string", "后续处置"),
    Field("penalty_decision_number", "string", "行政处罚决定书文号"),
    Field("published_on", "date", "公示日期"),
    Field("url", "string", "网址"),
    Field("check_field", "string", "抽查领域"),
    Field("joint", "boolean", "联合抽查"),
    Field("published_late", "boolean", "逾期公示"),
)

DATASETS: tuple[Dataset, ...] = (
    Dataset(
        "results",
        "“双随机、一公开”抽查检查结果",
        "Spot-check inspection results",
        "各部门公示的抽查检查结果：任务单号、经营主体、检查部门、检查日期、结果类别、后续处置和公示日期。"
        "已停止公示（信用修复、期满、撤回、更正）的结果不在其中；个体工商户经营者姓名已脱敏。",
        ("双随机一公开", "抽查检查结果", "市场监管", "信用监管"),
        "result",
        (
            Resource(
                "results",
                "检查结果（CSV）",
                "CSV",
                "text/csv",
                "/api/v1/exports/results.csv",
                "UTF-8 with BOM; the same filters as /api/v1/results",
                datastore=True,
            ),
            Resource(
                "results-jsonl",
                "检查结果（JSON Lines）",
                "JSONL",
                "application/jsonl",
                "/api/v1/exports/results.jsonl",
                "one JSON object per line, the API's fields",
            ),
            Resource(
                "results-api",
                "检查结果接口",
                "JSON",
                "application/json",
                "/api/v1/results",
                "keyset-paged list with filters (uscc, department, region, year, category, negative)",
            ),
        ),
        RESULT_FIELDS,
    ),
    Dataset(
        "entities",
        "经营主体公示信息",
        "Market entities (public profile)",
        "按统一社会信用代码查询经营主体的公示信息（名称、类型、行政区划、行业）及其公示的检查结果和荣誉信息。",
        ("经营主体", "统一社会信用代码"),
        "",
        (
            Resource(
                "entities",
                "经营主体接口",
                "JSON",
                "application/json",
                "/api/v1/entities/{uscc}",
                "one entity by its USCC (统一社会信用代码)",
            ),
        ),
    ),
    Dataset(
        "plans",
        "年度抽查计划",
        "Annual spot-check plans",
        "各部门年度“双随机、一公开”抽查计划及其抽查事项、修订历史。",
        ("抽查计划", "双随机一公开"),
        "plan",
        (
            Resource(
                "plans", "抽查计划接口", "JSON", "application/json", "/api/v1/plans", "plans with items and revisions"
            ),
        ),
    ),
    Dataset(
        "matters",
        "抽查事项清单",
        "Inspection matters list",
        "各部门公布的抽查事项清单（检查事项、检查依据、检查对象、检查方式、实施层级、有效期）及其修订历史，和检查主体清单。",
        ("抽查事项清单", "检查主体清单", "双随机一公开"),
        "matter",
        (
            Resource(
                "matters",
                "抽查事项清单接口",
                "JSON",
                "application/json",
                "/api/v1/matters",
                "matters with every version; ?on=YYYY-MM-DD for the list in force that day",
            ),
            Resource(
                "inspecting-bodies",
                "检查主体清单接口",
                "JSON",
                "application/json",
                "/api/v1/inspecting-bodies",
                "the bodies that may inspect and the matters on each one's list",
            ),
        ),
    ),
    Dataset(
        "guides",
        "一业一册合规指引",
        "Compliance guides (one per industry)",
        "按行业编制的合规经营指引，含各版本的PDF和HTML文件。",
        ("一业一册", "合规指引"),
        "guide",
        (
            Resource(
                "guides", "合规指引接口", "JSON", "application/json", "/api/v1/guides", "guides with their versions"
            ),
        ),
    ),
    Dataset(
        "honours",
        "荣誉信息",
        "Honours",
        "经营主体获得的荣誉信息（如守合同重信用、质量奖）。",
        ("荣誉信息", "信用"),
        "honour",
        (Resource("honours", "荣誉信息接口", "JSON", "application/json", "/api/v1/honours", "honour records"),),
    ),
    Dataset(
        "documents",
        "政策文件",
        "Policy documents",
        "与“双随机、一公开”监管相关的政策文件全文。",
        ("政策文件", "双随机一公开"),
        "document",
        (
            Resource(
                "documents", "政策文件接口", "JSON", "application/json", "/api/v1/documents", "documents with text"
            ),
        ),
    ),
    Dataset(
        "repair-figures",
        "信用修复统计",
        "Credit repair figures",
        "各部门信用修复申请数、准予和不予修复数、办理中数量及决定用时。",
        ("信用修复", "统计"),
        "",
        (
            Resource(
                "repair-figures",
                "信用修复统计接口",
                "JSON",
                "application/json",
                "/api/v1/stats/repair",
                "by department and year",
            ),
        ),
    ),
    Dataset(
        "complaint-figures",
        "涉企检查投诉统计",
        "Complaint figures",
        "按部门和月份统计的涉企检查投诉及办理结果；少于3件的数字不公开。",
        ("投诉", "统计", "规范涉企行政检查"),
        "",
        (
            Resource(
                "complaint-figures",
                "投诉统计接口",
                "JSON",
                "application/json",
                "/api/v1/stats/complaints",
                "by department and month; counts under 3 withheld",
            ),
        ),
    ),
    Dataset(
        "statistics",
        "抽查检查统计",
        "Spot-check statistics",
        "抽查次数、问题发现率、联合抽查占比等监管统计数字。",
        ("统计", "双随机一公开"),
        "",
        (
            Resource(
                "statistics",
                "抽查统计接口",
                "JSON",
                "application/json",
                "/api/v1/statistics",
                "checks by department and year",
            ),
        ),
    ),
)

BY_NAME = {d.name: d for d in DATASETS}
RESOURCES = {r.id: (d, r) for d in DATASETS for r in d.resources}


def matches(d: Dataset, q: str) -> bool:
    """A dataset matches a catalogue query when every word occurs in its title, English title,
    description or keywords (case-insensitive; Chinese words as typed, no segmentation needed for
    a list this short)."""
    text = " ".join((d.name, d.title, d.title_en, d.description, *d.keywords)).lower()
    return all(word in text for word in q.lower().split())
