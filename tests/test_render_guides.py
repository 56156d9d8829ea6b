"""`gongshi render-guides`: a guide stored without its PDF (no CJK font at the time) gets it once a
font is there; audited, in the change feed, and a second run adds nothing."""

from __future__ import annotations

import subprocess

from commands.guides import ACTOR_NAME, _render
from db.tables import AuditLog, ChangeLog, GuideFile
from tests.complaint_fixtures import add_departments
from tests.helpers import sign_in
from tests.records_helpers import DEPT, guide_payload


async def test_a_missing_pdf_is_rendered_attached_and_downloadable(client, settings, tmp_path) -> None:
    await add_departments()
    h = await sign_in(client, "guide-officer", "officer", department_code=DEPT)
    gid = (await client.post("/api/v1/admin/guides", json=guide_payload(), headers=h)).json()["id"]
    # As the demo leaves a guide when no font is installed: the HTML only.
    await GuideFile.delete().where(GuideFile.format == "pdf")
    before = (await client.get(f"/api/v1/guides/{gid}")).json()
    assert [d["format"] for d in before["downloads"]] == ["html"]
    seq = await ChangeLog.count()

    n, message = await _render(settings)
    assert n == 1 and message == "rendered 1 missing guide PDF(s)"
    after = (await client.get(f"/api/v1/guides/{gid}")).json()
    assert sorted(d["format"] for d in after["downloads"]) == ["html", "pdf"]
    r = await client.get(f"/api/v1/guides/{gid}/download", params={"format": "pdf"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    pdf = tmp_path / "g.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert guide_payload()["title"] in text and "聊城市市场监督管理局" in text  # the issuing department on the cover
    assert await AuditLog.exists().where((AuditLog.actor == ACTOR_NAME) & (AuditLog.action == "add_files"))
    assert await ChangeLog.count() == seq + 1

    assert await _render(settings) == (0, "every guide version has its PDF")
