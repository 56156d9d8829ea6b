"""Guides in Chromium against the uvicorn process: the officer writes a new guide's sections,
adds rows, previews it (the sections as the public page shows them), publishes it, then
publishes a new version with an uploaded PDF after its preview; axe-core and the 375 px check
on every page."""

from __future__ import annotations

from tests.browser.test_backoffice_browser import check_page
from tests.helpers import PASSWORD
from tests.repair_helpers import PDF, World


async def test_officer_publishes_a_guide_and_a_version_with_an_uploaded_pdf(page, http, tmp_path) -> None:
    await World().setup(http)
    await page.goto("/admin/guides")
    await page.get_by_label("用户名").fill("officer-x")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("heading", name="一业一册").wait_for()
    await check_page(page, "guide-list-empty")
    await page.get_by_role("link", name="发布新的合规指南").click()
    await page.get_by_label("行业代码").fill("H62")
    await page.get_by_label("行业名称").fill("餐饮服务")
    await page.get_by_label("版本号").fill("2025.1")
    await page.get_by_label("施行日期").fill("2025-03-01")
    await page.locator("#f-title").fill("餐饮服务经营者合规指引")
    await page.locator("#f-sections-0-heading").fill("证照办理")
    await page.locator("#f-sections-0-body").fill(
        "从事餐饮服务应当取得食品经营许可证。\n\n- 营业执照\n- 食品经营许可证"
    )
    await page.get_by_role("button", name="再添加 3 行").click()
    await page.locator("#f-sections-5-heading").wait_for()
    assert await page.locator("#f-sections-0-heading").input_value() == "证照办理"
    await page.locator("#f-sections-1-heading").fill("一业一查清单")
    await check_page(page, "guide-new-form")
    await page.get_by_role("button", name="预览", exact=True).click()
    await page.get_by_text("未发布，请检查以下内容").wait_for()
    await page.locator("#f-sections-1-body-error").wait_for()
    await check_page(page, "guide-new-error")  # the section without a body comes back named
    await page.locator("#f-sections-1-body").fill("- 从业人员健康证明\n- 餐具清洗消毒")
    await page.get_by_role("button", name="预览", exact=True).click()
    await page.get_by_text("请核对内容：尚未发布").wait_for()
    await page.get_by_role("heading", name="一业一查清单").wait_for()
    await check_page(page, "guide-new-preview")
    await page.get_by_role("button", name="确认发布").click()
    await page.get_by_text("合规指南已发布").wait_for()
    await check_page(page, "guide-detail")

    await page.get_by_role("link", name="发布新版本").click()
    assert await page.locator("#f-sections-0-heading").input_value() == "证照办理"  # pre-filled
    await page.get_by_label("版本号").fill("2026.1")
    await page.get_by_label("施行日期").fill("2026-01-01")
    await page.get_by_label("修订说明").fill("改用排版后的PDF文件")
    pdf = tmp_path / "指引2026.pdf"
    pdf.write_bytes(PDF)
    await page.get_by_label("上传PDF或HTML文件（可选）").set_input_files(str(pdf))
    await check_page(page, "guide-version-form")
    await page.get_by_role("button", name="预览", exact=True).click()
    await page.get_by_text("您上传的 指引2026.pdf").wait_for()
    await check_page(page, "guide-version-preview")
    await page.get_by_role("button", name="确认发布").click()
    await page.get_by_text("版本 2026.1 已发布").wait_for()
    public = (await http.get("/api/v1/guides")).json()["items"][0]
    assert public["version"] == "2026.1"
    assert page.dialogs == []
