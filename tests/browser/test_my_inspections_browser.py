"""The enterprise's own inspections and 事后评价 in Chromium against the uvicorn process, by
keyboard: sign in, open /my/inspections (it leads to /repair/inspections), see the result with
that day's scan record and the credential numbers, submit without a rating (the message, nothing
stored), then rate with arrow keys and Space, tick a problem, submit: 已评价. axe-core and the
375 px check on each state."""

from __future__ import annotations

import datetime as dt

from db.tables import Evaluation
from demo.departments import load_regions_and_departments
from tests.browser.test_backoffice_browser import check_page
from tests.helpers import PASSWORD
from tests.repair_helpers import World

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


async def test_an_enterprise_evaluates_its_inspection_by_keyboard(page, http) -> None:
    await load_regions_and_departments()  # the department's region: whose supervisors read it
    w = await World().setup(http)
    today = dt.datetime.now(SHANGHAI).date()
    rid = await w.publish(http, w.a, today - dt.timedelta(days=2), "T-WEB-EVAL")  # inspected 12 days ago
    inspected = today - dt.timedelta(days=12)
    r = await http.post(
        "/api/v1/admin/scan-records",
        json={
            "uscc": w.a,
            "officer_credentials": ["37150011", "37150012"],
            "scanned_at": dt.datetime.combine(inspected, dt.time(9, 30), SHANGHAI).isoformat(),
        },
        headers=w.h["x"],
    )
    assert r.status_code == 201, r.text

    await page.goto("/repair")
    await page.get_by_label("用户名").focus()
    await page.keyboard.type("ent-a")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.get_by_role("link", name="本企业的检查记录与事后评价").wait_for()
    await page.goto("/my/inspections")
    await page.wait_for_url("**/repair/inspections")
    section = page.locator(f"#i-result-{rid}")
    assert "37150011、37150012" in await section.inner_text()
    await check_page(page, "my-inspections")

    submit = section.get_by_role("button", name="提交评价")
    await submit.focus()
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="评价未提交").wait_for()
    assert await Evaluation.count() == 0
    await check_page(page, "my-inspections-error")

    section = page.locator(f"#i-result-{rid}")
    await section.get_by_label("1 · 很不满意").focus()
    for _ in range(2):
        await page.keyboard.press("ArrowRight")  # radios move with the arrow keys: 3 · 一般
    await section.get_by_label("未扫码入企").focus()
    await page.keyboard.press("Space")
    await section.get_by_role("button", name="提交评价").focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("评价已提交").wait_for()
    row = await Evaluation.select().first()
    assert (row["rating"], row["issues"]) == (3, "unscanned")
    assert "已评价" in await page.locator(f"#i-result-{rid}").inner_text()
    await check_page(page, "my-inspections-done")

    # The region's supervisor reads it in the back office.
    from db.users import create_user

    await create_user("sup-web", PASSWORD, "supervisor", region_code="371500")
    await page.goto("/admin/evaluations")
    await page.get_by_label("用户名").fill("sup-web")
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("heading", name="事后评价").wait_for()
    assert "未扫码入企" in await page.locator("table").inner_text()
    await check_page(page, "admin-evaluations")
