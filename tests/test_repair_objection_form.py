"""The portal's objection form (异议): /repair lists every public result of the signed-in enterprise
with a "提出异议" link (or why not), GET/POST /repair/objections/new/{result_id} files one with
evidence through the same use case as POST /api/v1/objections, and the confirmation is the
objection's own page. Every refusal stores nothing: no row, no attachment, no file, no audit entry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.tables import Attachment, AuditLog, Objection
from domain import repair as rules
from tests.repair_helpers import DEPT, PDF, PNG, World
from tests.test_repair_portal import portal_sign_in

D = dt.date
TEXT_AS_PDF = "检测报告.pdf"
NO_FILE = [("files", ("", b"", "application/octet-stream"))]  # what a browser sends for an empty file input


def test_which_results_may_be_disputed() -> None:
    ok = rules.objection_eligibility("public", None)
    assert ok.allowed and ok.reasons == [] and ok.pending_number is None
    pending = rules.objection_eligibility("public", "YY20261125AAAA")
    assert not pending.allowed and [r.code for r in pending.reasons] == ["pending"]
    assert pending.pending_number == "YY20261125AAAA"
    gone = rules.objection_eligibility("withdrawn", None)
    assert not gone.allowed and [r.code for r in gone.reasons] == ["not_public"]


async def stored(files_dir: Path) -> tuple:
    """Everything a filing writes: objection rows, attachment rows, audit rows, evidence files."""
    files = (
        sorted(str(p.relative_to(files_dir)) for p in (files_dir / "repair").rglob("*") if p.is_file())
        if (files_dir / "repair").exists()
        else []
    )
    return await Objection.count(), await Attachment.count(), await AuditLog.count(), files


async def test_an_enterprise_files_an_objection_through_the_portal(client, clock, files_dir) -> None:
    w = await World().setup(client)
    negative = await w.publish(client, w.a, D(2026, 11, 1), "T-NEG")
    neutral = await w.publish(client, w.a, D(2026, 11, 1), "T-OK", categories=["N01"])
    other = await w.publish(client, w.b, D(2026, 11, 1), "T-B")
    await portal_sign_in(client, "ent-a")

    # Every public result of its own has the link, negative or not; another enterprise's has none.
    home = await client.get("/repair")
    assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
    assert f'href="/repair/objections/new/{negative}"' in home.text
    assert f'href="/repair/objections/new/{neutral}"' in home.text
    assert f"/repair/objections/new/{other}" not in home.text and "T-B" not in home.text
    assert "提出异议" in home.text

    form = await client.get(f"/repair/objections/new/{neutral}")
    assert form.status_code == 200 and form.headers["content-type"].startswith("text/html")
    assert form.headers["cache-control"] == "no-store"
    assert f'action="/repair/objections/new/{neutral}"' in form.text
    assert 'enctype="multipart/form-data"' in form.text and 'name="reason"' in form.text
    assert 'name="files"' in form.text and 'maxlength="4000"' in form.text and "T-OK" in form.text
    english = await client.get(f"/repair/objections/new/{neutral}", params={"lang": "en"})
    assert english.status_code == 200 and "Submit objection" in english.text and "提交异议" not in english.text

    r = await client.post(
        f"/repair/objections/new/{negative}",
        data={"reason": "抽检样品不是本企业的产品"},
        files=[("files", ("送检记录.pdf", PDF, "application/pdf")), ("files", ("现场照片.png", PNG, "image/png"))],
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    assert url.startswith("/repair/objections/") and url.endswith("?filed=1")
    number = url.split("/")[-1].split("?")[0]

    done = await client.get(url)
    assert done.status_code == 200 and done.headers["content-type"].startswith("text/html")
    assert "异议已提交" in done.text and number in done.text
    assert f'href="/repair/objections/{number}"' in done.text
    assert "2026-12-02" in done.text  # verify_by: 5 working days after Wednesday 2026-11-25
    assert "送检记录.pdf" in done.text and "现场照片.png" in done.text
    assert "异议已提交" not in (await client.get(f"/repair/objections/{number}")).text

    # The API sees the same objection, with its evidence.
    body = (await client.get("/api/v1/objections", headers=w.h["a"])).json()
    assert [i["number"] for i in body["items"]] == [number]
    item = body["items"][0]
    assert (item["result_id"], item["reason"], item["status"], item["verify_by"], item["department_code"]) == (
        negative,
        "抽检样品不是本企业的产品",
        "submitted",
        "2026-12-02",
        DEPT,
    )
    assert sorted(a["filename"] for a in item["attachments"]) == ["现场照片.png", "送检记录.pdf"]

    # The list on /repair has it; the result now says why it cannot be disputed again.
    home = await client.get("/repair")
    assert f'href="/repair/objections/{number}"' in home.text
    assert f'href="/repair/objections/new/{negative}"' not in home.text
    assert f'href="/repair/objections/new/{neutral}"' in home.text
    assert "已有待处理的异议" in home.text

    # A second objection on the same result: the form says why and links the pending one ...
    again = await client.get(f"/repair/objections/new/{negative}")
    assert again.status_code == 200 and '<form class="repair-form"' not in again.text
    assert "已有待处理的异议" in again.text and f'href="/repair/objections/{number}"' in again.text
    # ... and a POST anyway (an old tab) is refused clearly, storing nothing.
    before = await stored(files_dir)
    r = await client.post(
        f"/repair/objections/new/{negative}",
        data={"reason": "再次提出"},
        files=[("files", ("送检记录.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 409 and r.headers["content-type"].startswith("text/html")
    assert "异议尚未提交" in r.text and "该结果已有待处理的异议" in r.text and "未保存任何内容" in r.text
    assert await stored(files_dir) == before

    # Once the department rejects it, the result may be disputed again.
    r = await client.post(f"/api/v1/admin/objections/{number}/reject", json={"note": "记录无误"}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    assert f'href="/repair/objections/new/{negative}"' in (await client.get("/repair")).text
    r = await client.post(f"/repair/objections/new/{negative}", data={"reason": "补充新的证据"}, files=NO_FILE)
    assert r.status_code == 303, r.text


async def test_refusals_name_the_problem_and_store_nothing(client, clock, files_dir) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 11, 1), "T-A")
    other = await w.publish(client, w.b, D(2026, 11, 1), "T-B")

    # Not signed in: back to the sign-in page, as for the application form.
    r = await client.get(f"/repair/objections/new/{rid}")
    assert r.status_code == 303 and r.headers["location"] == "/repair"
    await portal_sign_in(client, "ent-a")
    before = await stored(files_dir)

    # Missing reason: 422, the field named and described, the evidence not kept.
    r = await client.post(
        f"/repair/objections/new/{rid}",
        data={"reason": "   "},
        files=[("files", ("送检记录.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert 'id="e-reason"' in r.text and 'aria-describedby="h-reason e-reason"' in r.text
    assert 'aria-invalid="true"' in r.text and "不能为空" in r.text and "异议尚未提交" in r.text
    assert await stored(files_dir) == before

    # A text file named .pdf: refused by its content, naming the file; the reason is kept.
    r = await client.post(
        f"/repair/objections/new/{rid}",
        data={"reason": "数量记录错误"},
        files=[
            ("files", ("现场照片.png", PNG, "image/png")),
            ("files", (TEXT_AS_PDF, "这不是 PDF，只是文字\n".encode(), "application/pdf")),
        ],
    )
    assert r.status_code == 422, r.text
    assert 'id="e-attachments"' in r.text and TEXT_AS_PDF in r.text and "不是 PDF、JPG 或 PNG" in r.text
    assert 'aria-describedby="h-attachments e-attachments"' in r.text and "数量记录错误" in r.text
    assert await stored(files_dir) == before

    # A cross-site post is refused as the application form's is, before anything is read.
    r = await client.post(
        f"/repair/objections/new/{rid}",
        data={"reason": "数量记录错误"},
        files=[("files", ("送检记录.pdf", PDF, "application/pdf"))],
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403
    assert await stored(files_dir) == before

    # Another enterprise's result answers as an unknown one: 404, form and post alike.
    for path in (f"/repair/objections/new/{other}", "/repair/objections/new/99999999"):
        assert (await client.get(path)).status_code == 404
        r = await client.post(
            path, data={"reason": "不是我们的"}, files=[("files", ("送检记录.pdf", PDF, "application/pdf"))]
        )
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert await stored(files_dir) == before
    assert (await client.get("/api/v1/objections", headers=w.h["b"])).json()["items"] == []

    # A correct filing still works afterwards (nothing above left a pending row behind).
    r = await client.post(f"/repair/objections/new/{rid}", data={"reason": "数量记录错误"}, files=NO_FILE)
    assert r.status_code == 303, r.text
