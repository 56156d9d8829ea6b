"""Publishing a result through the back-office form in Chromium against the uvicorn process, by
keyboard only: an officer signs in, opens 发布信息 → 发布检查结果, sends it with a bad credit code
(the form comes back with the message by the field, the typed values kept, nothing stored), fixes
it, publishes, and finds the result on its public page; axe-core and the 375 px check on every
page (screenshots under tests/screenshots/backoffice/publish-*)."""

from __future__ import annotations

from db.tables import Result
from demo.departments import load_regions_and_departments
from tests.browser.conftest import shot
from tests.browser.test_backoffice_browser import check_page
from tests.helpers import PASSWORD, make_uscc
from tests.repair_helpers import World


async def test_officer_publishes_a_result_by_keyboard_and_it_is_public(page, http) -> None:
    await World().setup(http)
    await load_regions_and_departments()
    uscc = make_uscc(seed=808)

    async def tab_to(locator, limit: int = 80) -> None:
        for _ in range(limit):
            await page.keyboard.press("Tab")
            if await locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    await page.goto("/admin/login")
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'username'")
    await page.keyboard.type("officer-x")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/")

    await tab_to(page.get_by_role("link", name="发布信息", exact=True))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/publish")
    await check_page(page, "publish-hub")
    await tab_to(page.get_by_role("link", name="发布检查结果"))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/results/new")
    await check_page(page, "publish-result-form")

    await tab_to(page.get_by_label("任务单号"))
    await page.keyboard.type("WEB-FORM-1")
    await page.keyboard.press("Tab")
    await page.keyboard.type("91371500MA3XXXXXX0")  # a wrong check character
    await page.keyboard.press("Tab")
    await page.keyboard.type("聊城市键盘发布有限公司")
    await tab_to(page.get_by_label("检查日期"))
    # A native date field: its segments' order follows the browser's own language (mm/dd/yyyy
    # in an en-US Chromium whatever the page's), so the value is set, the field reached by Tab.
    await page.get_by_label("检查日期").fill("2025-11-03")
    assert await page.get_by_label("检查日期").input_value() == "2025-11-03"
    await tab_to(page.get_by_role("checkbox", name="发现问题已责令改正（X05）"))
    await page.keyboard.press("Space")
    await tab_to(page.get_by_role("button", name="发布", exact=True))
    await page.keyboard.press("Enter")
    await page.get_by_text("未发布，请检查以下内容").wait_for()
    assert await page.locator("#f-uscc").get_attribute("aria-invalid") == "true"
    assert await page.locator("#e-uscc").is_visible()
    assert await page.get_by_label("经营主体名称").input_value() == "聊城市键盘发布有限公司"  # kept
    assert await page.get_by_role("checkbox", name="发现问题已责令改正（X05）").is_checked()
    # The summary has the focus, and its link takes the keyboard to the field.
    assert await page.evaluate("document.activeElement.id") == "form-problem"
    await check_page(page, "publish-result-rejected")
    assert await Result.count() == 0

    await tab_to(page.get_by_label("统一社会信用代码"))
    await page.keyboard.press("Control+A")
    await page.keyboard.type(uscc)
    await tab_to(page.get_by_role("button", name="发布", exact=True))
    await page.keyboard.press("Enter")
    await page.get_by_text("已在平台公示").wait_for()
    await check_page(page, "publish-result-done")
    assert await Result.count() == 1

    await tab_to(page.get_by_role("link", name="公示页面"))
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/results/*")
    await page.get_by_text("WEB-FORM-1").first.wait_for()
    assert "发现问题已责令改正" in await page.content()
    await shot(page, "backoffice/publish-result-public-1280")
    assert page.dialogs == []


async def test_the_other_forms_refuse_empty_input_and_publish_in_the_browser(page, http) -> None:
    """Honour, document and scan-record forms: each page empty-sent (messages by the fields),
    then filled and sent (the confirmation), axe and 375 px on each."""
    await World().setup(http)
    await load_regions_and_departments()
    await page.goto("/admin/login")
    await page.get_by_label("用户名").fill("officer-x")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url("**/admin/")
    forms = {
        "honour": (
            "发布荣誉信息",
            "发布",
            {
                "统一社会信用代码": make_uscc(seed=811),
                "经营主体名称": "聊城市荣誉浏览器有限公司",
                "荣誉名称": "守合同重信用企业",
                "授予机关": "聊城市市场监督管理局",
                "授予日期": "2026-05-01",
            },
            "已在平台公示",
        ),
        "document": (
            "发布政策文件",
            "发布",
            {"标题": "浏览器测试通知", "正文": "第一段。\n\n第二段。", "成文日期": "2026-09-01"},
            "已在平台公示",
        ),
        "scan": (
            "记录扫码入企",
            "保存",
            {"统一社会信用代码": make_uscc(seed=812), "执法证号": "37150000001\n37150000002"},
            "扫码记录已保存",
        ),
    }
    for name, (link, button, fields, done) in forms.items():
        await page.goto("/admin/publish")
        await page.get_by_role("link", name=link).click()
        await check_page(page, f"publish-{name}-form")
        if name != "document":  # the document form's defaults (issuer, region) would not all be emptied
            await page.get_by_role("button", name=button, exact=True).click()
            await page.locator("#form-problem").wait_for()
            assert await page.locator("[aria-invalid=true]").count() >= 2
            await check_page(page, f"publish-{name}-rejected")
        for label, value in fields.items():
            await page.get_by_label(label).fill(value)
        await page.get_by_role("button", name=button, exact=True).click()
        await page.get_by_text(done).wait_for()
        await check_page(page, f"publish-{name}-done")
    await page.get_by_role("link", name="查看保存的扫码记录").click()
    await page.get_by_text("37150000002").wait_for()
    await check_page(page, "publish-scan-detail")
    assert page.dialogs == []
