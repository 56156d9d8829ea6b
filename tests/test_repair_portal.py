"""The enterprise's repair pages: sign in, see eligibility, apply with evidence, follow the status."""

from __future__ import annotations

import datetime as dt

from db.tables import Attachment, RepairApplication
from tests.helpers import PASSWORD
from tests.repair_helpers import EXE, PDF, PNG, World

D = dt.date


async def portal_sign_in(client, username: str) -> None:
    r = await client.post("/repair/sign-in", data={"username": username, "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/repair", r.text
    assert "gongshi_ent" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert "SameSite=strict" in r.headers["set-cookie"] or "samesite=strict" in r.headers["set-cookie"].lower()


async def test_enterprise_applies_through_the_portal(client, clock) -> None:
    w = await World().setup(client)
    rid = await w.publish(client, w.a, D(2026, 1, 1), "LC-2026-0101")
    young = await w.publish(client, w.a, D(2026, 10, 1), "LC-2026-1001")
    other = await w.publish(client, w.b, D(2026, 1, 1), "LC-2026-B")

    r = await client.get("/repair")
    assert r.status_code == 200 and 'action="/repair/sign-in"' in r.text
    r = await client.post("/repair/sign-in", data={"username": "ent-a", "password": "wrong-password"})
    assert r.status_code == 401 and "gongshi_ent" not in r.headers.get("set-cookie", "")
    r = await client.post("/repair/sign-in", data={"username": "officer-x", "password": PASSWORD})
    assert r.status_code == 401  # officers decide through their own tools, not this form
    await portal_sign_in(client, "ent-a")

    home = await client.get("/repair")
    assert home.status_code == 200 and w.a in home.text
    assert f'href="/repair/apply/{rid}"' in home.text and f'href="/repair/apply/{young}"' not in home.text
    assert "2027-04-02" in home.text  # the young result's earliest date (the day after 6 months)
    assert "LC-2026-B" not in home.text
    assert 'href="/repair"' in home.text  # the services navigation now links here

    form = await client.get(f"/repair/apply/{rid}")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert (await client.get(f"/repair/apply/{other}")).status_code == 403
    not_yet = await client.get(f"/repair/apply/{young}")
    assert "2027-04-02" in not_yet.text and '<form class="repair-form"' not in not_yet.text

    before = (await RepairApplication.count(), await Attachment.count())
    r = await client.post(
        f"/repair/apply/{rid}",
        data={"reason": "已整改", "commitment_accepted": "yes"},
        files=[("files_correction", ("整改报告.pdf", EXE, "application/pdf"))],
    )
    assert r.status_code == 422 and 'class="field-error"' in r.text and "已整改" in r.text
    # One file field per kind, the commitment in full; a missing kind is named.
    assert 'name="files_application"' in r.text and 'name="files_authorisation"' in r.text
    assert "本企业郑重承诺" in r.text
    r = await client.post(
        f"/repair/apply/{rid}",
        data={"reason": "已整改", "commitment_accepted": "yes"},
        files=[("files_correction", ("整改报告.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 422 and "缺少材料" in r.text and "信用修复申请书" in r.text, r.text
    assert "身份证明或授权委托书" in r.text
    r = await client.post(
        f"/repair/apply/{rid}", data={"reason": "已整改"}, files=[("files", ("a.png", PNG, "image/png"))]
    )
    assert r.status_code == 422 and 'id="e-commitment_accepted"' in r.text
    r = await client.post(
        f"/repair/apply/{rid}",
        data={"reason": "已整改", "commitment_accepted": "yes"},
        files=[("files", ("a.png", PNG, "image/png"))],
        headers={"Origin": "http://evil.example"},
    )
    assert r.status_code == 403
    assert (await RepairApplication.count(), await Attachment.count()) == before

    r = await client.post(
        f"/repair/apply/{rid}",
        data={"reason": "已整改，补报年报", "commitment_accepted": "yes", "applicant_contact": "王经理 0635-8241234"},
        files=[
            ("files_application", ("申请书.pdf", PDF, "application/pdf")),
            ("files_commitment", ("承诺书.pdf", PDF, "application/pdf")),
            ("files_correction", ("整改报告.pdf", PDF, "application/pdf")),
            ("files_correction", ("现场照片.png", PNG, "image/png")),
            ("files_authorisation", ("委托书.pdf", PDF, "application/pdf")),
        ],
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    number = url.split("/")[-1].split("?")[0]
    status = await client.get(url)
    assert status.status_code == 200 and number in status.text
    assert "2026-11-30" in status.text  # accept_by; decide_by runs from acceptance
    assert "自受理之日起计算" in status.text
    assert "整改报告.pdf" in status.text and "现场照片.png" in status.text
    assert await Attachment.count() == before[1] + 5
    stored = await RepairApplication.select().where(RepairApplication.number == number).first()
    assert stored["commitment_text"].startswith("本企业郑重承诺")

    # The officer's decision shows on the status page with its date.
    clock["now"] += dt.timedelta(days=1)
    await client.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    status = await client.get(f"/repair/applications/{number}")
    assert "已受理，待决定" in status.text and "2026-12-17" in status.text  # 15 working days from Nov 26
    clock["now"] += dt.timedelta(days=1)
    await client.post(
        f"/api/v1/admin/repair-applications/{number}/approve", json={"reason": "整改到位"}, headers=w.h["x"]
    )
    status = await client.get(f"/repair/applications/{number}")
    assert "整改到位" in status.text and "2026-11-27" in status.text

    # Another enterprise, signed in, cannot see it.
    await client.post("/repair/sign-out")
    await portal_sign_in(client, "ent-b")
    assert (await client.get(f"/repair/applications/{number}")).status_code == 403
    await client.post("/repair/sign-out")
    r = await client.get(f"/repair/applications/{number}")
    assert r.status_code == 303 and r.headers["location"] == "/repair"


async def test_english_page_and_tampered_cookie(client, clock) -> None:
    w = await World().setup(client)
    await w.publish(client, w.a, D(2026, 1, 1), "T-1")
    client.cookies.set("gongshi_ent", "not-a-token", path="/repair")
    r = await client.get("/repair")
    assert r.status_code == 200 and 'action="/repair/sign-in"' in r.text
    client.cookies.clear()
    r = await client.get("/repair", params={"lang": "en"})
    assert r.status_code == 200 and '<html lang="en">' in r.text
    assert "Enterprise sign-in" in r.text and "企业账号登录" not in r.text
