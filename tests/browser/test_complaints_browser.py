"""Filing and tracking a complaint in Chromium against the uvicorn process: the form with a photo,
a refused phone number shown by its field, the one-time confirmation, tracking by code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.tables import Attachment, Complaint
from tests.browser.conftest import shot
from tests.complaint_fixtures import SHANGHAI, add_departments, jpg
from tests.helpers import make_uscc


async def test_file_a_complaint_with_a_photo_then_track_it(page, http, tmp_path: Path) -> None:
    await add_departments()
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpg())
    uscc = make_uscc(seed=4242)
    await page.goto("/complaints/new")
    await page.get_by_label("统一社会信用代码").fill(uscc)
    await page.get_by_label("企业名称").fill("聊城市丰华食品有限公司")
    await page.get_by_label("联系人").fill("王建国")
    await page.get_by_label("联系电话").fill("8241234")  # no area code: refused
    visit = (dt.datetime.now(SHANGHAI) - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    await page.get_by_label("到访时间").fill(visit)
    await page.get_by_label("地点").fill("聊城市东昌府区柳园路18号")
    await page.get_by_label("实施检查的部门").select_option("371500-scjg")
    await page.get_by_label("没有").check()
    await page.get_by_label("经过", exact=True).fill("两名执法人员未扫码直接进入车间检查。")
    await page.get_by_label("照片或视频（可选）").set_input_files(str(photo))
    await page.get_by_role("button", name="提交投诉").click()
    await page.wait_for_load_state()
    phone = page.locator("#f-contact_phone")
    assert await phone.get_attribute("aria-invalid") == "true"
    assert "区号" in await page.locator("#e-contact_phone").inner_text()
    assert await page.get_by_label("企业名称").input_value() == "聊城市丰华食品有限公司"
    assert await Complaint.count() == 0
    await shot(page, "complaint-form-error")

    await phone.fill("0635-8241234")
    await page.get_by_label("照片或视频（可选）").set_input_files(str(photo))  # files are chosen again
    await page.get_by_role("button", name="提交投诉").click()
    await page.wait_for_selector("#lookup-code")
    number = await page.locator("#complaint-number").inner_text()
    code = await page.locator("#lookup-code").inner_text()
    await shot(page, "complaint-filed")
    row = await Complaint.select().where(Complaint.number == number).first()
    assert row["uscc"] == uscc and row["contact_phone"] == "+866358241234"
    assert await Attachment.count() == 1

    await page.get_by_role("link", name="查询办理进度").click()
    assert await page.get_by_label("投诉编号").input_value() == number
    assert "lookup_code" not in page.url
    await page.get_by_label("查询码").fill(code.lower())
    await page.get_by_role("button", name="查询").click()
    await page.wait_for_selector("#status")
    assert await page.locator("#status").inner_text() == "已受理"
    assert code not in page.url and "王建国" not in await page.content()
    assert await page.locator("ol.timeline > li").count() == 1
    await shot(page, "complaint-track")
    assert page.dialogs == []


async def test_the_department_list_follows_the_uscc_and_fits_a_phone(browser, server, http) -> None:
    """At 375 px: no horizontal scrolling; typing a 聊城 USCC leaves only the departments whose
    region covers 聊城 (the 山西 one is hidden); the form still files by the department's name."""
    await add_departments()
    ctx = await browser.new_context(base_url=server.url, viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = await ctx.new_page()
    try:
        await page.goto("/complaints/new")
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, width
        groups = page.locator("#f-department optgroup")
        assert await groups.count() >= 2
        await page.get_by_label("统一社会信用代码").fill(make_uscc(seed=77))  # region 371500-ish (聊城)
        visible = await page.evaluate(
            "[...document.querySelectorAll('#f-department optgroup')].filter(g => !g.hidden).map(g => g.label)"
        )
        hidden = await page.evaluate(
            "[...document.querySelectorAll('#f-department optgroup')].filter(g => g.hidden).map(g => g.label)"
        )
        assert visible and all("山西" not in label for label in visible), (visible, hidden)
        assert any("山西" in label or label == "140000" for label in hidden), hidden
        await shot(page, "complaint-form-375")
    finally:
        await ctx.close()
