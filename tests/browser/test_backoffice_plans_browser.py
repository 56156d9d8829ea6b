"""A plan revision in Chromium against the uvicorn process, by keyboard only: the officer opens
the department's plan, changes an item's ratio, adds an item in a spare row, gives the reason,
previews the change (nothing published yet), goes back to edit, previews again and confirms;
the public API and page then show revision 2. axe-core and the 375 px check on every page."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.test_backoffice_browser import check_page
from tests.helpers import PASSWORD
from tests.records_helpers import plan_payload
from tests.repair_helpers import World


async def test_officer_revises_a_plan_by_keyboard_with_the_preview_step(page, http) -> None:
    w = await World().setup(http)
    r = await http.post("/api/v1/admin/plans", json=plan_payload(), headers=w.h["x"])
    assert r.status_code == 201, r.text
    pid = r.json()["id"]

    async def tab_to(locator, limit: int = 120) -> None:
        for _ in range(limit):
            await page.keyboard.press("Tab")
            if await locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    await page.goto("/admin/login?next=/admin/plans")
    await page.wait_for_function("document.activeElement && document.activeElement.name === 'username'")
    await page.keyboard.type("officer-x")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: urlsplit(url).path == "/admin/plans")  # not login?next=/admin/plans
    await check_page(page, "plan-list")

    await tab_to(page.get_by_role("link", name=plan_payload()["title"]))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/admin/plans/{pid}")
    await check_page(page, "plan-detail")
    await tab_to(page.get_by_role("link", name="调整计划（发布新版本）"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/admin/plans/{pid}/revise")
    await check_page(page, "plan-revise-form")

    await tab_to(page.locator("#f-reason"))
    await page.keyboard.type("根据省局通知调整D类企业抽查比例")
    await tab_to(page.locator("#f-items-0-ratio_D"))
    await page.keyboard.press("Control+A")
    await page.keyboard.type("8")
    await tab_to(page.locator("#f-items-2-field"))
    await page.keyboard.type("特种设备")
    await page.keyboard.press("Tab")  # 抽查对象
    await page.keyboard.press("Tab")  # 抽查事项
    await page.keyboard.type("电梯维护保养检查")
    await tab_to(page.get_by_role("button", name="预览修改内容"))
    await page.keyboard.press("Enter")
    await page.get_by_text("请核对修改内容：尚未发布").wait_for()
    await page.get_by_text("新增第3项（特种设备）：电梯维护保养检查").wait_for()
    assert "D类8%" in await page.locator("ul.diff ins").first.inner_text()
    await check_page(page, "plan-revise-preview")
    assert (await http.get(f"/api/v1/plans/{pid}")).json()["current_revision"] == 1  # nothing yet

    await tab_to(page.get_by_role("button", name="返回修改"))
    await page.keyboard.press("Enter")
    await page.locator("#f-reason").wait_for()
    assert await page.locator("#f-items-0-ratio_D").input_value() == "8"  # kept
    assert await page.locator("#f-items-2-field").input_value() == "特种设备"
    await tab_to(page.get_by_role("button", name="预览修改内容"))
    await page.keyboard.press("Enter")
    await page.get_by_text("请核对修改内容：尚未发布").wait_for()
    await tab_to(page.get_by_role("button", name="确认发布"))
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/admin/plans/{pid}?done=revised")
    await page.get_by_text("第 2 版已发布").wait_for()
    await check_page(page, "plan-revised")

    public = (await http.get(f"/api/v1/plans/{pid}")).json()
    assert public["current_revision"] == 2 and public["items"][0]["ratio_by_class"]["D"] == 8
    assert [i["field"] for i in public["items"]] == ["食品安全", "生态环境", "特种设备"]
    await page.goto(f"/plans/{pid}")
    await page.get_by_text("新增第3项（特种设备）：电梯维护保养检查").wait_for()

    await page.goto("/admin/plans/new")
    await check_page(page, "plan-new")
    assert page.dialogs == []
