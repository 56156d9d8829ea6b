"""Seed-based demo records: departments and regions, the five seed documents as policy
documents, annual plans built from them (one with a published revision), and five industry
guides with generated PDF and HTML files.

`load_records(settings)` is idempotent: what is already there (same title / plan year and
department / industry) is skipped. Everything goes through the same validation and the
same db functions as the officer API, so the audit and change logs look as they would.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

from db import documents as dq
from db import guides as gq
from db import matters as mq
from db import plans as pq
from db.tables import Guide, Plan
from demo import guide_content, matter_content, plan_content
from demo.departments import BY_CODE, load_regions_and_departments
from domain.auth import Principal
from domain.guides import FORMATS, download_filename, validate_guide, validate_version
from domain.matters import validate_matter
from domain.matters import validate_revision as validate_matter_revision
from domain.plans import validate_plan, validate_revision
from domain.records import validate_document
from render import filestore
from render.guides import FontMissing, content_from, render_html, render_pdf

log = logging.getLogger("gongshi.demo")
SEEDS = Path(__file__).resolve().parent.parent / "demo_data" / "seeds"

# Which demo department publishes each seed (the issuer's office, or its market regulator).
SEED_DEPARTMENT = {
    "shandong-2025-joint-meeting-work-points.txt": "370000-scjg",
    "juancheng-2024-forwarding-shandong-2024-work-points.txt": "371726-scjg",
    "shanxi-2025-implementation-plan.txt": "140000-scjg",
    "shijiazhuang-2025-implementation-plan.txt": "130100-scjg",
    "liaocheng-2025-enterprise-inspection-rules.txt": "371500-scjg",
}
REVISED_ON = dt.date(2025, 6, 16)


def officer(code: str) -> Principal:
    """The demo officer account of a department (the demo command creates `officer-<code>`)."""
    return Principal(f"officer-{code}", "officer", code)


def seed_documents() -> list[dict[str, Any]]:
    """The seeds as raw document payloads. index.json has 'issued_on' as a date or only a year."""
    out = []
    for meta in json.loads((SEEDS / "index.json").read_text(encoding="utf-8")):
        issued = str(meta["issued_on"])
        only_year = len(issued) == 4
        out.append(
            {
                "title": meta["title"],
                "issuer": meta["issuer"],
                "doc_number": meta["doc_number"],
                "issued_on": None if only_year else dt.date.fromisoformat(issued),
                "issued_year": int(issued[:4]),
                "region_code": meta["region_code"],
                "region_name": meta["region"],
                "body": (SEEDS / meta["file"]).read_text(encoding="utf-8"),
                "source": f"{meta['issuer']}公开发布（演示数据收录的公开文件）",
                "published_on": dt.date(int(issued[:4]), 5, 6) if only_year else dt.date.fromisoformat(issued),
                "department": SEED_DEPARTMENT.get(meta["file"], ""),
            }
        )
    return out


async def load_documents() -> int:
    n = 0
    for raw in seed_documents():
        if await dq.find_by_title(raw["title"], raw["issuer"]):
            continue
        dept = raw.pop("department")
        doc = validate_document(raw, dept, raw["published_on"])
        await dq.insert_document(doc, officer(dept))
        n += 1
    return n


async def load_plans() -> int:
    n = 0
    for spec in plan_content.PLANS:
        dept = spec["department_code"]
        if await Plan.exists().where((Plan.department_code == dept) & (Plan.year == spec["year"])):
            continue
        plan = validate_plan(spec, dept, BY_CODE[dept].region_code, spec["published_on"])
        plan_id = await pq.insert_plan(plan, officer(dept))
        n += 1
        if spec is plan_content.SHANDONG_2025:
            rev_spec = plan_content.SHANDONG_2025_REVISION
            current = await pq.get_revision(plan_id, 1)
            assert current is not None
            raw = {"reason": rev_spec["reason"], "items": plan_content.revised_items(current["items"], rev_spec)}
            revision = validate_revision(raw, current, REVISED_ON)
            await pq.insert_revision(plan_id, 1, revision, officer(dept))
    return n


async def load_matters(today: dt.date) -> int:
    """The demo matters lists (demo/matter_content.py), through the officer use case."""
    n = 0
    for raw in matter_content.matters(today):
        if await mq.get_matter(raw["code"]) is not None:
            continue
        dept = raw["department"]
        matter = validate_matter(raw, dept, BY_CODE[dept].region_code, dt.date(matter_content.first_year(today), 1, 1))
        matter_id = await mq.insert_matter(matter, officer(dept))
        n += 1
        rev = matter_content.revision_for(raw["code"])
        if rev is not None:
            version = validate_matter_revision(rev, {**matter, "number": 1}, today)
            await mq.insert_version(matter_id, 1, version, officer(dept))
    return n


def _files(settings: Any, guide: dict, version: dict) -> list[filestore.StoredFile]:
    dept = BY_CODE.get(guide.get("department_code", ""))
    content = content_from(guide, version, dept.name if dept else "")
    stored = []
    for fmt in FORMATS:
        if fmt == "pdf":
            try:
                data = render_pdf(content, getattr(settings, "pdf_font", ""))
            except FontMissing as e:  # the demo goes on with HTML only; the API would refuse
                log.warning("%s", e)
                continue
        else:
            data = render_html(content)
        name = download_filename(guide["industry_name"], version["title"], version["version"], fmt)
        stored.append(filestore.store(settings.files_dir, data, fmt, name))
    return stored


async def load_guides(settings: Any) -> int:
    n = 0
    for spec in guide_content.GUIDES:
        if await Guide.exists().where(Guide.industry_code == spec["industry_code"]):
            continue
        dept = spec["department_code"]
        guide, version = validate_guide(spec, dept, spec["effective_on"])
        files = _files(settings, guide, version)
        guide_id = await gq.insert_guide(guide, version, [f.row() for f in files], officer(dept))
        n += 1
        if spec is guide_content.CATERING:
            v2 = validate_version(
                guide_content.CATERING_V2, [version["version"]], guide_content.CATERING_V2["effective_on"]
            )
            files = _files(settings, guide, v2)
            await gq.insert_version(guide_id, v2, [f.row() for f in files], officer(dept))
    return n


async def load_records(settings: Any) -> dict[str, int]:
    """Load everything this module provides; returns how many of each were added."""
    counts = await load_regions_and_departments()
    counts["documents"] = await load_documents()
    counts["plans"] = await load_plans()
    counts["matters"] = await load_matters(dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date())
    counts["guides"] = await load_guides(settings)
    return counts
