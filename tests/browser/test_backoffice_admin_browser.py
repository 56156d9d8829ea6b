"""Administration in Chromium against the uvicorn process, by keyboard only: the administrator
signs in, creates an officer account (a bad username first: the message at its field), reads the
one-time password, the new officer signs in with it in another browser; the administrator
deactivates the account after the confirmation step and the officer's session ends; the audit log
finds both steps; a rule profile with a bad row comes back with the message at the row; axe-core
and the 375 px check on every page."""

from __future__ import annotations

from db.tables import AuditLog, User
from db.users import create_user
from demo.departments import load_regions_and_departments
from tests.browser.test_backoffice_browser import check_page
from tests.helpers import PASSWORD

DEPT = "371500-scjg"  # a department of the demo list (聊城市市场监督管理局)


async def type_into(page, label: str, text: str) -> None:
    """Focus the field by its label with the keyboard's own means (Tab from the previous field
    is what a user does; here the label's field is focused, then typed into key by key)."""
    await page.get_by_label(label).focus()
    await page.keyboard.type(text)


async def test_admin_creates_deactivates_and_audits_an_account_by_keyboard(page, http, browser, server) -> None:
    await load_regions_and_departments()
    await create_user("root-admin", PASSWORD, "admin", department_code=DEPT)

    await page.goto("/admin/accounts")
    await page.get_by_label("用户名").wait_for()
    await page.wait_for_function("document.activeElement && document.activeElement.id === 'f-username'")
    await page.keyboard.type("root-admin")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.get_by_role("heading", name="账号管理").wait_for()  # (the sign-in URL ends with next=/admin/accounts)
    await check_page(page, "accounts")

    await page.get_by_role("link", name="创建账号").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/accounts/new")
    await check_page(page, "account-new")
    await type_into(page, "用户名", "x")
    await page.get_by_label("所属部门").select_option(DEPT)
    await page.get_by_label("姓名或名称").focus()
    await page.keyboard.type("李四")
    await page.keyboard.press("Enter")
    await page.get_by_text("未能创建账号，请检查以下内容").wait_for()
    assert await page.evaluate("document.activeElement.id") == "form-problem"  # the summary takes the focus
    await check_page(page, "account-new-error")
    assert not await User.exists().where(User.username == "x")

    field = page.get_by_label("用户名")
    await field.focus()
    await page.keyboard.press("Control+A")
    await page.keyboard.type("officer-li")
    await page.keyboard.press("Enter")
    await page.get_by_text("账号 officer-li 已创建。").wait_for()
    password = (await page.locator("#temp-password").inner_text()).strip()
    assert len(password) == 12
    await check_page(page, "account-created")

    # The new officer signs in with the one-time password in a browser of its own.
    ctx = await browser.new_context(base_url=server.url, locale="zh-CN")
    other = await ctx.new_page()
    await other.goto("/admin/")
    await other.get_by_label("用户名").fill("officer-li")
    await other.get_by_label("密码").fill(password)
    await other.get_by_role("button", name="登录").click()
    await other.locator(".who").wait_for()
    assert "officer-li" in await other.locator(".who").inner_text()

    # Deactivate: reason, the confirmation step, then the officer's session is gone.
    await page.get_by_role("link", name="查看账号").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/accounts/officer-li")
    await check_page(page, "account")
    await page.get_by_label("停用原因").focus()
    await page.keyboard.type("调离本部门")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.get_by_text("请确认：停用账号 officer-li").wait_for()
    await check_page(page, "account-confirm")
    assert (await User.select(User.active).where(User.username == "officer-li").first())["active"] is True
    await page.get_by_role("button", name="确认停用").focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("账号已停用").wait_for()
    assert (await User.select(User.active).where(User.username == "officer-li").first())["active"] is False
    await other.goto("/admin/")
    assert "/admin/login" in other.url
    await ctx.close()

    # The audit log has both steps, found by the record.
    await page.get_by_role("link", name="审计日志", exact=True).focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/audit")
    await page.get_by_label("记录类型").select_option("account")
    await page.get_by_label("记录编号").focus()
    await page.keyboard.type("officer-li")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/audit?**")
    rows = page.locator("table.audit-table tbody tr")
    assert await rows.count() == 2
    assert "账号停用" in await rows.nth(0).inner_text() and "调离本部门" in await rows.nth(0).inner_text()
    assert "账号创建" in await rows.nth(1).inner_text()
    await check_page(page, "audit")
    assert await AuditLog.count().where(AuditLog.object_type == "account") == 2

    # A rule profile with a bad row: the message is at that row's field, nothing stored.
    await page.goto("/admin/repair-rules")
    await check_page(page, "rules")
    await page.get_by_role("link", name="新增地区规则").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/admin/repair-rules/new")
    await check_page(page, "rules-new")
    await page.get_by_label("地区").select_option("371500")
    await type_into(page, "依据的文件", "《聊城市信用修复实施细则》")
    first = page.locator("fieldset.rule-row").first
    await first.get_by_label("最短公示期（月）").fill("40")
    await first.get_by_label("最长公示期（月）").fill("36")
    await first.get_by_label("受理期限（工作日）").fill("3")
    await first.get_by_label("决定期限（工作日）").fill("15")
    await first.get_by_label("异议核实期限（工作日）").fill("5")
    await page.get_by_role("button", name="保存规则").focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("未能保存，请检查以下内容").wait_for()
    assert "最短期限不能超过最长期限" in await page.locator("#f-rules-0-min_months-error").inner_text()
    await check_page(page, "rules-new-error")
