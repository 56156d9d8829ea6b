"""The back office in Chromium against the uvicorn process: an officer goes to /admin, is sent to
the sign-in with next, signs in, finds the enterprise's application in the inbox, views the
evidence PDF in the page, accepts and (after the confirmation step) approves it, and the result
answers 410 on the public API; the whole thing by keyboard too; an enterprise is refused; axe-core
on every back-office page at 1280 and 375 px; no page wider than a 375 px screen."""

from __future__ import annotations

import base64
import subprocess

import httpx

from db.tables import RepairApplication
from tests.browser.axe_check import axe_violations, serious
from tests.browser.conftest import SCREENSHOTS, shot
from tests.browser.test_repair_browser import pdf_bytes, setup
from tests.helpers import PASSWORD
from tests.repair_helpers import MATERIALS

AXE_SHOTS = SCREENSHOTS / "backoffice"


async def apply_with_pdf(http: httpx.AsyncClient, w, result_id: int, pdf: bytes = b"") -> str:
    pdf = pdf or pdf_bytes()
    r = await w.apply(
        http,
        result_id,
        attachments=[
            {"filename": name, "content_base64": base64.b64encode(pdf).decode(), "kind": kind}
            for kind, name in MATERIALS
        ],
    )
    assert r.status_code == 201, r.text
    return r.json()["number"]


async def check_page(page, name: str) -> None:
    """axe-core at 1280 and 375 px (no serious or critical violation), no sideways scrolling at
    375 px, and a screenshot of each."""
    for width in (1280, 375):
        await page.set_viewport_size({"width": width, "height": 900})
        assert serious(await axe_violations(page)) == [], (name, width)
        overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)
        await shot(page, f"backoffice/{name}-{width}")
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_officer_signs_in_views_evidence_accepts_and_approves(page, http, server) -> None:
    w, old, _young, _old_on, _young_on = await setup(http)
    pdf = pdf_bytes()
    number = await apply_with_pdf(http, w, old, pdf)

    await page.goto(f"/admin/repair-applications/{number}")
    assert page.url.endswith(f"/admin/login?next=/admin/repair-applications/{number}")
    await check_page(page, "login")
    await page.get_by_label("用户名").fill("officer-x")
    await page.get_by_label("密码").fill("not-the-password")
    await page.get_by_role("button", name="登录").click()
    await page.get_by_text("用户名或密码错误。").wait_for()
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"**/admin/repair-applications/{number}")

    await page.get_by_role("link", name="待办").click()
    await page.wait_for_url("**/admin/")
    await check_page(page, "inbox")
    await page.get_by_role("link", name=number).click()
    await page.wait_for_url(f"**/admin/repair-applications/{number}")
    await check_page(page, "application")

    # The evidence PDF is shown in the page (Chromium's viewer in the frame) and downloadable.
    frame = page.locator("iframe").first
    await frame.wait_for()
    src = await frame.get_attribute("src")
    r = await page.request.get(src)
    assert r.status == 200 and r.headers["content-type"].startswith("application/pdf")
    assert (await r.body()) == pdf
    async with page.expect_download() as info:
        await page.get_by_role("link", name="下载").first.click()
    assert (await info.value).suggested_filename == MATERIALS[0][1]

    await page.get_by_role("button", name="受理", exact=True).click()
    await page.get_by_text("已办理：受理").wait_for()
    await page.get_by_role("button", name="准予修复", exact=True).click()
    await page.get_by_text("请确认：准予修复").wait_for()
    await check_page(page, "confirm")
    row = await RepairApplication.select().where(RepairApplication.number == number).first()
    assert row["status"] == "accepted"  # nothing decided before the confirmation
    await page.get_by_role("button", name="确认准予修复").click()
    await page.get_by_text("该检查结果已停止公示").wait_for()
    await shot(page, "backoffice/approved-1280")
    assert (await http.get(f"/api/v1/results/{old}")).status_code == 410
    # Each step issued its letter: listed in the page, downloaded as a PDF that says what it decided.
    letters = page.locator("ul.letters li a")
    assert await letters.all_inner_texts() == ["信用修复申请受理通知书", "准予信用修复决定书"]
    await check_page(page, "letters")
    r = await page.request.get(await letters.last.get_attribute("href"))  # with the officer's session
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    assert f'filename="{number}-02.pdf"' in r.headers["content-disposition"]
    text = subprocess.run(["pdftotext", "-", "-"], input=await r.body(), capture_output=True, check=True)
    assert "准予信用修复决定书" in text.stdout.decode() and number in text.stdout.decode()

    await page.get_by_role("link", name="信用修复", exact=True).click()
    await page.wait_for_url("**/admin/repair-applications")
    await check_page(page, "list")
    await page.get_by_role("button", name="退出登录").click()
    await page.get_by_text("已退出登录。").wait_for()
    assert page.dialogs == []


async def test_the_whole_decision_by_keyboard_only(page, http) -> None:
    w, old, _young, _old_on, _young_on = await setup(http)
    number = await apply_with_pdf(http, w, old)
    await page.goto("/admin/login")
    # The username field has the focus on arrival (autofocus: waited for, as typing before the
    # browser applies it would type into nothing); Tab to the password, Enter submits.
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'username'")
    await page.keyboard.type("officer-x")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/")
    link = page.get_by_role("link", name=number)

    async def tab_to(locator, limit: int = 80) -> None:
        for _ in range(limit):
            await page.keyboard.press("Tab")
            if await locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    await tab_to(link)
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/admin/repair-applications/{number}")
    await tab_to(page.get_by_role("button", name="受理", exact=True))
    await page.keyboard.press("Enter")
    await page.get_by_text("已办理：受理").wait_for()
    await tab_to(page.locator("#f-approve-reason"))
    await page.keyboard.type("整改到位，准予修复")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.get_by_text("请确认：准予修复").wait_for()
    await tab_to(page.get_by_role("button", name="确认准予修复"))
    await page.keyboard.press("Space")
    await page.get_by_text("该检查结果已停止公示").wait_for()
    row = await RepairApplication.select().where(RepairApplication.number == number).first()
    assert row["status"] == "approved" and row["decision_reason"] == "整改到位，准予修复"


async def test_enterprise_is_refused_and_cross_site_post_is_refused(page, http, server) -> None:
    await setup(http)
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill("ent-a")
    await page.get_by_label("密码").fill(PASSWORD)
    async with page.expect_response("**/admin/login") as info:
        await page.get_by_role("button", name="登录").click()
    assert (await info.value).status == 403
    await page.get_by_role("heading", name="无权使用政务后台").wait_for()
    await check_page(page, "refused")
    # A form posted from another site carries no CSRF token (and no SameSite=Strict cookie).
    r = await http.post("/admin/login", data={"username": "officer-x", "password": PASSWORD})
    assert r.status_code == 403


async def test_supervisor_substantiates_a_complaint_the_complainant_sees_the_note(page, http) -> None:
    from db.users import create_user
    from tests.complaint_fixtures import add_departments, body, png
    from tests.helpers import make_uscc

    await add_departments()
    await create_user("sf-lc", PASSWORD, "supervisor", region_code="371500")
    photo = {"filename": "现场.png", "content_base64": base64.b64encode(png()).decode()}
    filed = await http.post("/api/v1/complaints", json=body(make_uscc(seed=77), attachments=[photo]))
    assert filed.status_code == 201, filed.text
    number, code = filed.json()["number"], filed.json()["lookup_code"]
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill("sf-lc")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url("**/admin/")
    await page.get_by_role("link", name=number).click()
    await page.wait_for_url(f"**/admin/complaints/{number}")
    await check_page(page, "complaint")
    await page.locator("ul.evidence img").scroll_into_view_if_needed()
    await page.wait_for_function(  # the photo shows in the page
        "() => { const i = document.querySelector('ul.evidence img'); return i && i.complete && i.naturalWidth > 0 }"
    )
    await page.locator("#f-under_review-note").fill("已调取执法记录仪视频核查")
    await page.get_by_role("button", name="开始核查").click()
    await page.get_by_text("已变更为：核查中").wait_for()
    await page.get_by_role("button", name="认定属实").click()  # the note is required: the browser says so
    assert "已变更为：属实" not in await page.content()
    await page.locator("#f-substantiated-note").fill("经核查，执法人员未扫码入企，已责令整改")
    await page.get_by_role("button", name="认定属实").click()
    await page.get_by_text("已变更为：属实").wait_for()
    await check_page(page, "complaint-moved")
    await page.get_by_role("navigation", name="后台导航").get_by_role("link", name="投诉处理").click()
    await page.wait_for_url("**/admin/complaints")
    await check_page(page, "complaints")

    # The complainant, on the public tracking page, sees the supervisor's note.
    await page.goto(f"/complaints/track?number={number}")
    await page.get_by_label("查询码").fill(code)
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_selector("#status")
    assert await page.locator("#status").inner_text() == "属实"
    assert "经核查，执法人员未扫码入企，已责令整改" in await page.locator("ol.timeline").inner_text()


async def test_objection_correction_previewed_then_published(page, http) -> None:
    w, _old, young, _old_on, _young_on = await setup(http)
    r = await http.post(
        "/api/v1/objections", json={"result_id": young, "reason": "抽检样品不是本企业的"}, headers=w.h["a"]
    )
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    await page.goto(f"/admin/objections/{number}")
    await page.get_by_label("用户名").fill("officer-x")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"**/admin/objections/{number}")
    await check_page(page, "objection")
    await page.get_by_label("发现问题已责令改正").uncheck()
    await page.get_by_label("未发现问题").check()
    await page.get_by_label("更正说明").fill("样品归属核实有误")
    await page.get_by_role("button", name="预览更正").click()
    await page.get_by_text("请核对更正内容").wait_for()
    await check_page(page, "objection-preview")
    assert await page.locator("table.diff-table del").first.inner_text() == "发现问题已责令改正"
    await page.get_by_role("button", name="确认发布更正").click()
    await page.get_by_text("更正后的结果已公示").wait_for()
    assert (await http.get(f"/api/v1/results/{young}")).status_code == 410
