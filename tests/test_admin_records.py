"""Officers publish plans, revisions, guides, honours, documents and scan records over HTTP;
bad or foreign-department writes are refused and leave the database (and files) as they were."""

from __future__ import annotations

import hashlib

from db.tables import AuditLog, ChangeLog, GuideFile, PlanRevision
from tests.helpers import make_uscc, sign_in
from tests.records_helpers import (
    DEPT,
    OTHER,
    document_payload,
    guide_payload,
    honour_payload,
    plan_payload,
    scan_payload,
    snapshot,
)


async def test_plan_revision_records_reason_and_changes(client) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    r = await client.post("/api/v1/admin/plans", json=plan_payload(), headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    items = plan_payload()["items"]
    items[0]["ratio_by_class"] = {"A": 3, "B": 4, "C": 5, "D": 8}
    items.append(
        {"code": "3", "field": "特种设备", "matters": ["电梯维护保养检查"], "departments": ["聊城市市场监督管理局"]}
    )
    r = await client.post(
        f"/api/v1/admin/plans/{pid}/revisions",
        json={"reason": "根据省局通知调整D类企业抽查比例", "items": items},
        headers=h,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["revision"] == 2
    assert "第1项（食品安全）分级抽查比例：A类3%、B类4%、C类5%、D类6% → A类3%、B类4%、C类5%、D类8%" in body["changes"]
    assert any(c.startswith("新增第3项（特种设备）") for c in body["changes"])
    plan = (await client.get(f"/api/v1/plans/{pid}")).json()
    assert plan["current_revision"] == 2 and len(plan["items"]) == 3
    assert [(x["number"], x["reason"]) for x in plan["revisions"]] == [(1, ""), (2, "根据省局通知调整D类企业抽查比例")]
    assert plan["revisions"][1]["changes"] == body["changes"] and plan["revisions"][1]["revised_on"]
    # revision 1 is kept unchanged: the plan was not edited in place
    first = await PlanRevision.select().where(PlanRevision.number == 1).output(load_json=True).first()
    assert first["items"][0]["ratio_by_class"]["D"] == 6
    actions = [r["action"] for r in await ChangeLog.select(ChangeLog.action).order_by(ChangeLog.seq)]
    assert actions == ["published", "updated"]
    audit = await AuditLog.select().where(AuditLog.action == "revise").first()
    assert audit["reason"] == "根据省局通知调整D类企业抽查比例" and audit["actor"] == "officer1"


async def test_bad_plan_writes_change_nothing(client, files_dir) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    other = await sign_in(client, "officer2", "officer", department_code=OTHER)
    pid = (await client.post("/api/v1/admin/plans", json=plan_payload(), headers=h)).json()["id"]
    before = await snapshot(files_dir)
    cases = [
        ("/api/v1/admin/plans", plan_payload(department=OTHER), h, 403, None),
        ("/api/v1/admin/plans", plan_payload(year=1999), h, 422, "year"),
        ("/api/v1/admin/plans", plan_payload(items=[]), h, 422, "items"),
        (
            "/api/v1/admin/plans",
            plan_payload(items=[{"field": "", "matters": [], "months": [13], "ratio_by_class": {"E": 5}}]),
            h,
            422,
            "items[0].field",
        ),
        ("/api/v1/admin/plans", {"title": "x"}, h, 422, None),
        (f"/api/v1/admin/plans/{pid}/revisions", {"items": plan_payload()["items"][:1]}, h, 422, "reason"),
        (f"/api/v1/admin/plans/{pid}/revisions", {"reason": "   ", "title": "新标题"}, h, 422, "reason"),
        (f"/api/v1/admin/plans/{pid}/revisions", {"reason": "无变化"}, h, 422, "items"),
        (f"/api/v1/admin/plans/{pid}/revisions", {"reason": "越权", "title": "新"}, other, 403, None),
        ("/api/v1/admin/plans/999999/revisions", {"reason": "x", "title": "y"}, h, 404, None),
    ]
    for url, body, headers, status, field in cases:
        r = await client.post(url, json=body, headers=headers)
        assert r.status_code == status, (url, body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        if field:
            assert field in [e["field"] for e in r.json()["errors"]], r.text
    r = await client.post("/api/v1/admin/plans", json=plan_payload())
    assert r.status_code == 401
    ent = await sign_in(client, "ent", "enterprise", uscc=make_uscc(seed=3))
    assert (await client.post("/api/v1/admin/plans", json=plan_payload(), headers=ent)).status_code == 403
    assert await snapshot(files_dir) == before


async def test_guide_publish_render_download_and_new_version(client, files_dir) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    r = await client.post("/api/v1/admin/guides", json=guide_payload(), headers=h)
    assert r.status_code == 201, r.text
    gid = r.json()["id"]
    guide = (await client.get(f"/api/v1/guides/{gid}")).json()
    assert guide["industry_code"] == "H62" and guide["version"] == "2025.1"
    assert guide["url"] == f"http://testserver.local/guides/{gid}"
    assert {d["format"] for d in guide["downloads"]} == {"pdf", "html"}
    for d in guide["downloads"]:
        f = await client.get(d["url"].replace("http://testserver.local", ""))
        assert f.status_code == 200
        assert len(f.content) == d["bytes"] and hashlib.sha256(f.content).hexdigest() == d["sha256"]
        cd = f.headers["content-disposition"]
        assert cd.startswith("attachment;") and f'filename="guide-{gid}-2025.1.{d["format"]}"' in cd
        # RFC 5987: 餐饮服务经营者合规指引-2025.1.pdf, UTF-8 percent-encoded
        assert "filename*=UTF-8''%E9%A4%90%E9%A5%AE%E6%9C%8D%E5%8A%A1" in cd and cd.endswith(f"-2025.1.{d['format']}")
        if d["format"] == "pdf":
            assert f.content.startswith(b"%PDF-") and f.headers["content-type"] == "application/pdf"
        else:
            assert "餐饮服务经营者合规指引".encode() in f.content and b"<li>" in f.content
    # a new version made of uploaded files (multipart) becomes current; the old stays downloadable
    pdf = b"%PDF-1.4\n% uploaded by the officer\n"
    html = "<!doctype html><title>2026版</title><p>新版</p>".encode()
    meta = guide_payload(version="2026.1", title="餐饮服务经营者合规指引（2026年版）", change_note="新增燃气安全要求")
    r = await client.post(
        f"/api/v1/admin/guides/{gid}/versions/upload",
        headers=h,
        data={"meta": __import__("json").dumps(meta, ensure_ascii=False)},
        files={"pdf": ("a.pdf", pdf, "application/pdf"), "html": ("a.html", html, "text/html")},
    )
    assert r.status_code == 201, r.text
    guide = (await client.get(f"/api/v1/guides/{gid}")).json()
    assert guide["version"] == "2026.1" and [v["version"] for v in guide["versions"]] == ["2025.1", "2026.1"]
    got = await client.get(f"/api/v1/guides/{gid}/download", params={"format": "pdf"})
    assert got.content == pdf
    old = await client.get(f"/api/v1/guides/{gid}/download", params={"format": "pdf", "version": "2025.1"})
    assert old.status_code == 200 and old.content != pdf
    assert {d["sha256"] for d in guide["downloads"]} == {
        hashlib.sha256(pdf).hexdigest(),
        hashlib.sha256(html).hexdigest(),
    }
    # the rendered PDF is reproducible: re-rendering gives the same bytes, so the same file
    assert await GuideFile.count() == 4


async def test_bad_guide_writes_change_nothing(client, files_dir) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    other = await sign_in(client, "officer2", "officer", department_code=OTHER)
    gid = (await client.post("/api/v1/admin/guides", json=guide_payload(), headers=h)).json()["id"]
    before = await snapshot(files_dir)
    v2 = guide_payload(version="2026.1")
    cases = [
        ("/api/v1/admin/guides", guide_payload(department=OTHER), h, 403, None),
        ("/api/v1/admin/guides", guide_payload(industry_code="餐饮"), h, 422, "industry_code"),
        ("/api/v1/admin/guides", guide_payload(sections=[]), h, 422, "sections"),
        ("/api/v1/admin/guides", guide_payload(sections=[{"heading": "", "body": "x"}]), h, 422, "sections[0].heading"),
        ("/api/v1/admin/guides", guide_payload(effective_on="2025-02-30"), h, 422, None),
        (f"/api/v1/admin/guides/{gid}/versions", guide_payload(), h, 422, "version"),  # 2025.1 exists
        (f"/api/v1/admin/guides/{gid}/versions", v2, other, 403, None),
        ("/api/v1/admin/guides/999/versions", v2, h, 404, None),
    ]
    for url, body, headers, status, field in cases:
        r = await client.post(url, json=body, headers=headers)
        assert r.status_code == status, (url, body, r.text)
        if field:
            assert field in [e["field"] for e in r.json()["errors"]], r.text
    import json

    for files, field in [
        ({"pdf": ("a.pdf", b"not a pdf", "application/pdf")}, "pdf"),
        ({"html": ("a.html", "<p>gbk</p>中文".encode("gbk"), "text/html")}, "html"),
    ]:
        r = await client.post(
            f"/api/v1/admin/guides/{gid}/versions/upload", headers=h, data={"meta": json.dumps(v2)}, files=files
        )
        assert r.status_code == 422 and field in [e["field"] for e in r.json()["errors"]], r.text
    r = await client.post(
        f"/api/v1/admin/guides/{gid}/versions/upload",
        headers=other,
        data={"meta": "{oops"},
        files={"pdf": ("a.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert r.status_code == 403, r.text
    r = await client.post(
        f"/api/v1/admin/guides/{gid}/versions/upload",
        headers=h,
        data={"meta": "{oops"},
        files={"pdf": ("a.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert r.status_code == 422 and "meta" in [e["field"] for e in r.json()["errors"]]
    assert await snapshot(files_dir) == before


async def test_honours_documents_scans(client, files_dir) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=11)
    r = await client.post("/api/v1/admin/honours", json=honour_payload(u.lower()), headers=h)
    assert r.status_code == 201, r.text
    items = [
        honour_payload(make_uscc(seed=100 + i), kind="whitelist", honour="“无事不扰”企业白名单") for i in range(30)
    ]
    r = await client.post("/api/v1/admin/honours/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201 and r.json()["count"] == 30
    r = await client.post("/api/v1/admin/documents", json=document_payload(), headers=h)
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/admin/documents",
        json=document_payload(title="只有年份的文件", issued_on=None, issued_year=2025, doc_number=None),
        headers=h,
    )
    assert r.status_code == 201, r.text
    doc = (await client.get(f"/api/v1/documents/{r.json()['id']}")).json()
    assert doc["issued_on"] is None and doc["issued_year"] == 2025 and doc["doc_number"] is None
    r = await client.post("/api/v1/admin/scan-records", json=scan_payload(u), headers=h)
    assert r.status_code == 201, r.text
    r = await client.post(
        "/api/v1/admin/scan-records/bulk",
        json={"items": [scan_payload(make_uscc(seed=200 + i)) for i in range(5)]},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["count"] == 5
    own = (await client.get("/api/v1/admin/scan-records", params={"uscc": u}, headers=h)).json()
    assert len(own["items"]) == 1 and own["items"][0]["officer_credentials"] == ["37150012345", "37150067890"]
    # scan records are not public: no change-log entry, and credentials appear in no public output
    types = {r["object_type"] for r in await ChangeLog.select(ChangeLog.object_type)}
    assert types == {"honour", "document"}
    for url in ["/api/v1/changes", f"/api/v1/entities/{u}", "/api/v1/honours", "/api/v1/documents"]:
        got = await client.get(url)
        assert "37150012345" not in got.text, url
    assert (await client.get("/api/v1/admin/scan-records")).status_code == 401


async def test_bad_honour_document_scan_writes_change_nothing(client, files_dir) -> None:
    h = await sign_in(client, "officer1", "officer", department_code=DEPT)
    u = make_uscc(seed=12)
    before = await snapshot(files_dir)
    good = [honour_payload(make_uscc(seed=300 + i)) for i in range(3)]
    cases = [
        ("/api/v1/admin/honours", honour_payload("91440300708461136X"), 422, "uscc"),
        ("/api/v1/admin/honours", honour_payload(u, kind="medal"), 422, "kind"),
        ("/api/v1/admin/honours", honour_payload(u, valid_until="2020-01-01"), 422, "valid_until"),
        ("/api/v1/admin/honours", honour_payload(u, department=OTHER), 403, None),
        ("/api/v1/admin/honours/bulk", {"items": [*good, honour_payload("bad")]}, 422, "items[3].uscc"),
        ("/api/v1/admin/honours/bulk", {"items": [*good, honour_payload(u, department=OTHER)]}, 403, None),
        ("/api/v1/admin/honours/bulk", {"items": [honour_payload(u)] * 10001}, 422, "items"),
        ("/api/v1/admin/documents", document_payload(issued_on=None, issued_year=None), 422, "issued_year"),
        ("/api/v1/admin/documents", document_payload(region_code="37"), 422, "region_code"),
        ("/api/v1/admin/documents", document_payload(department=OTHER), 403, None),
        ("/api/v1/admin/scan-records", scan_payload(u, officer_credentials=["A1", "A1"]), 422, "officer_credentials"),
        ("/api/v1/admin/scan-records", scan_payload(u, scanned_at="2025-06-12T09:30:00"), 422, "scanned_at"),
        ("/api/v1/admin/scan-records", scan_payload(u, method="photo"), 422, "method"),
        ("/api/v1/admin/scan-records", scan_payload(u, department=OTHER), 403, None),
        ("/api/v1/admin/scan-records/bulk", {"items": [scan_payload(u), scan_payload("x")]}, 422, "items[1].uscc"),
    ]
    for url, body, status, field in cases:
        r = await client.post(url, json=body, headers=h)
        assert r.status_code == status, (url, r.text[:500])
        if field:
            assert field in [e["field"] for e in r.json()["errors"]], r.text[:500]
    assert await snapshot(files_dir) == before
