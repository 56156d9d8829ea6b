"""demo/records.py loads the seed documents, plans and guides, readable over the API, once."""

from __future__ import annotations

import datetime as dt
import hashlib

from db.tables import Department, Document, Guide, Matter, Plan, Region
from demo import matter_content
from demo.departments import DEPARTMENTS
from demo.records import load_records


async def test_load_records_is_complete_and_idempotent(client, settings) -> None:
    first = await load_records(settings)
    n_matters = len(matter_content.matters(dt.date.today()))
    assert first == {
        "regions": 50,
        "departments": len(DEPARTMENTS),
        "documents": 5,
        "plans": 3,
        "guides": 5,
        "matters": n_matters,
    }
    again = await load_records(settings)
    assert set(again.values()) == {0}
    assert (
        await Region.count(),
        await Department.count(),
        await Document.count(),
        await Plan.count(),
        await Guide.count(),
        await Matter.count(),
    ) == (50, len(DEPARTMENTS), 5, 3, 5, n_matters)

    # Every demo department is an inspecting body with a parent on its line and matters in force.
    deps = {d["code"]: d for d in (await client.get("/api/v1/departments")).json()["items"]}
    assert deps["371502-scjg"]["parent_code"] == "371500-scjg" and deps["370000-scjg"]["parent_code"] is None
    bodies = (await client.get("/api/v1/inspecting-bodies")).json()["items"]
    assert len(bodies) == len(DEPARTMENTS) and all(b["matters"] for b in bodies)
    fire = next(b for b in bodies if b["code"] == "371500-xfjy")
    assert fire["legal_status"] == "authorised_organisation"
    fields = {m["field"] for m in (await client.get("/api/v1/matters", params={"page_size": 100})).json()["items"]}
    assert {"general", "food", "drug", "special_equipment", "environment"} <= fields
    gas = (await client.get("/api/v1/matters", params={"q": "燃气"})).json()["items"]
    assert [m["department_code"] for m in gas] == ["371500-zjj"]
    revised = (await client.get("/api/v1/matters/371500-SCJG-001")).json()
    assert revised["version"] == 2 and revised["versions"][1]["reason"] == matter_content.REVISION_REASON
    retired = (await client.get("/api/v1/matters/371500-SCJG-099")).json()
    assert retired["in_force_today"] is False and retired["valid_to"] is not None

    docs = (await client.get("/api/v1/documents", params={"page_size": 10})).json()["items"]
    by_title = {d["title"]: d for d in docs}
    sd = by_title["2025年省“双随机、一公开”监管工作联席会议工作要点"]
    assert sd["issued_on"] is None and sd["issued_year"] == 2025 and sd["region_code"] == "370000"
    jc = by_title["关于转发《关于印发2024年省“双随机、一公开”监管工作联席会议工作要点的通知》的通知"]
    assert jc["doc_number"] == "鄄双随机办〔2024〕1号" and jc["issued_on"] == "2024-05-06"
    assert "进一次门" in sd["text"] or "联合" in sd["text"]

    plans = (await client.get("/api/v1/plans", params={"year": 2025})).json()["items"]
    assert len(plans) == 3
    shandong = next(p for p in plans if p["department_code"] == "370000-scjg")
    assert shandong["department"] == "山东省市场监督管理局" and shandong["current_revision"] == 2
    rev = shandong["revisions"][1]
    assert "公示信息" in rev["reason"] and any(c.startswith("删除第4项（企业公示信息）") for c in rev["changes"])
    sjz = next(p for p in plans if p["department_code"] == "130100-scjg")
    assert all(i["ratio_by_class"] == {"A": 3.0, "B": 4.0, "C": 5.0, "D": 6.0} for i in sjz["items"])

    guides = (await client.get("/api/v1/guides", params={"page_size": 10})).json()["items"]
    assert {g["industry_name"] for g in guides} == {"食品销售", "餐饮服务", "药品零售", "加油站", "燃气经营"}
    for g in guides:
        assert {d["format"] for d in g["downloads"]} == {"pdf", "html"}, g["industry_name"]
        titles = [s["heading"] for s in g["sections"]]
        assert "“一业一查”检查清单" in titles and "信用修复" in titles and "常见违法行为与处罚" in titles
    catering = next(g for g in guides if g["industry_code"] == "H62")
    assert [v["version"] for v in catering["versions"]] == ["2025.1", "2025.2"]
    pdf = next(d for d in catering["downloads"] if d["format"] == "pdf")
    got = await client.get(pdf["url"].replace(settings.base_url, ""))
    assert got.content.startswith(b"%PDF-") and hashlib.sha256(got.content).hexdigest() == pdf["sha256"]
    assert b"/FontFile2" in got.content  # the CJK font is embedded (subset)
