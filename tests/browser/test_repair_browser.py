"""Credit repair in Chromium against the uvicorn process, as an enterprise would do it: sign in
on /repair, see which negative results can be repaired and why one cannot yet, apply with a real
PDF and PNG, have a disguised file refused (nothing stored), follow the application's status.

The server runs on the real clock (no override): the results are dated relative to today in
Asia/Shanghai with the rule table and date functions the app itself uses, so one is eligible
and the other too recent whatever day the test runs."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

from dateutil.relativedelta import relativedelta
from fpdf import FPDF

from db import repair as repo
from db.tables import Attachment, RepairApplication, RepairEvent, Result
from domain import repair as rules
from tests.browser.axe_check import axe_violations, serious
from tests.complaint_fixtures import png
from tests.helpers import PASSWORD
from tests.repair_helpers import DEPT, World

REGION = DEPT.split("-")[0]  # results published by DEPT are in its region
MARGIN = dt.timedelta(days=30)  # the eligible result passed its minimum period this long ago


def today() -> dt.date:
    """The app's "today": the real clock's date in Asia/Shanghai (domain.repair.local_date)."""
    return rules.local_date(dt.datetime.now(dt.UTC))


async def rule_for(check_field: str) -> rules.Rule:
    return rules.pick_rule(await repo.load_rules(), REGION, check_field)


def facts(published_on: dt.date, check_field: str = "general") -> rules.ResultFacts:
    return rules.ResultFacts(0, "", True, "public", published_on, REGION, check_field, DEPT)


def pdf_bytes() -> bytes:
    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=14)
    doc.cell(text="Rectification report: annual report filed, premises corrected.")
    return bytes(doc.output())


def stored_files(files_dir: Path) -> list[Path]:
    root = files_dir / "repair"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def cjk_families() -> set[str]:
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


async def rendered_fonts(page, selector: str) -> list[dict]:
    """The platform fonts Chromium actually drew the element's text with (DevTools protocol)."""
    cdp = await page.context.new_cdp_session(page)
    try:
        await cdp.send("DOM.enable")
        await cdp.send("CSS.enable")
        root = (await cdp.send("DOM.getDocument"))["root"]["nodeId"]
        node = (await cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector}))["nodeId"]
        assert node, selector
        return (await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node}))["fonts"]
    finally:
        await cdp.detach()


async def assert_chinese_renders(page, selector: str) -> None:
    text = await page.locator(selector).inner_text()
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    assert han, text
    fonts = await rendered_fonts(page, selector)
    cjk = cjk_families()
    drawn = sum(f["glyphCount"] for f in fonts if f["familyName"] in cjk)
    assert drawn >= len(han), (text, fonts, sorted(cjk))  # every Han character came from a CJK font


async def screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000, path
    return path


async def setup(http) -> tuple[World, int, int, dt.date, dt.date]:
    """Enterprise A with one result past its minimum period and one published ten days ago."""
    w = await World().setup(http)  # officers of DEPT and enterprises A and B, created in the test database
    day = today()
    rule = await rule_for("general")
    old_on = day - relativedelta(months=rule.min_months) - MARGIN
    young_on = day - dt.timedelta(days=10)
    assert rules.eligibility(facts(old_on), rule, day, pending=False).eligible
    assert not rules.eligibility(facts(young_on), rule, day, pending=False).eligible
    old = await w.publish(http, w.a, old_on, "LC-REPAIR-OLD")
    young = await w.publish(http, w.a, young_on, "LC-REPAIR-NEW")
    for r in await Result.select().where(Result.id.is_in([old, young])):  # the rule the app will pick
        assert rules.pick_rule(await repo.load_rules(), r["region_code"], r["check_field"]) == rule
    return w, old, young, old_on, young_on


async def sign_in(page, username: str = "ent-a") -> None:
    await page.goto("/repair")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_selector("table.repair-results")


async def test_enterprise_applies_with_evidence_and_follows_the_application(
    page, http, files_dir: Path, tmp_path: Path
) -> None:
    w, old, young, old_on, young_on = await setup(http)
    rule = await rule_for("general")

    # 1. The portal's own sign-in form; a wrong password is refused in Chinese.
    await page.goto("/repair")
    await page.get_by_label("用户名").fill("ent-a")
    await page.get_by_label("密码").fill("wrong-password")
    async with page.expect_response("**/repair/sign-in") as info:
        await page.get_by_role("button", name="登录").click()
    refused = await info.value
    assert refused.status == 401 and refused.headers["content-type"].startswith("text/html")  # a page, not source
    assert "用户名或密码错误" in await page.get_by_role("alert").inner_text()
    await sign_in(page)
    assert w.a in await page.locator("main").inner_text()

    # 2. The eligible result has its form link; the young one says why not and from when.
    old_row = page.locator("table.repair-results tbody tr", has_text="LC-REPAIR-OLD")
    young_row = page.locator("table.repair-results tbody tr", has_text="LC-REPAIR-NEW")
    assert old_on.isoformat() in await old_row.inner_text()
    assert "可以申请" in await old_row.inner_text()
    assert await old_row.get_by_role("link", name="填写申请").count() == 1
    young_text = await young_row.inner_text()
    earliest = rules.earliest_repair_on(young_on, rule)
    assert young_on.isoformat() in young_text
    assert "公示未满最短期限" in young_text and f"最早可申请日期: {earliest.isoformat()}" in young_text
    assert await young_row.get_by_role("link", name="填写申请").count() == 0
    assert "还没有提交过申请" in await page.locator("main").inner_text()
    await screenshot(page, tmp_path, "repair-home")
    await assert_chinese_renders(page, "h1")
    reasons_cell = "table.repair-results tbody tr:first-child td:nth-child(3)"  # newest first: the young one
    assert "公示未满最短期限" in await page.locator(reasons_cell).inner_text()
    await assert_chinese_renders(page, reasons_cell)

    # The young result's form page says the same instead of showing a form.
    resp = await page.goto(f"/repair/apply/{young}")
    assert resp.status == 200 and resp.headers["content-type"].startswith("text/html")
    notice = await page.get_by_role("status").inner_text()
    assert "目前还不能申请：公示未满最短期限" in notice and earliest.isoformat() in notice
    assert await page.locator("form.repair-form").count() == 0
    await screenshot(page, tmp_path, "repair-not-yet")

    # 3. The form for the eligible result, with the periods of the rule that applies.
    await page.goto("/repair")
    await old_row.get_by_role("link", name="填写申请").click()
    await page.wait_for_url(f"**/repair/apply/{old}")
    facts_text = await page.locator("dl.facts").inner_text()
    assert old_on.isoformat() in facts_text and f"{rule.min_months} 个月" in facts_text
    assert rules.expires_on(old_on, rule).isoformat() in facts_text

    # A text file named .pdf, sent with a real PNG: refused by name, and nothing at all is stored.
    fake = tmp_path / "营业执照.pdf"
    fake.write_bytes("这是一段文字，不是 PDF 文件。\n".encode())
    photo = tmp_path / "整改现场.png"
    photo.write_bytes(png())
    report = tmp_path / "整改报告.pdf"
    report.write_bytes(pdf_bytes())
    await page.get_by_label("申请理由和整改情况").fill("已补报年度报告，经营场所已按要求整改。")
    await page.get_by_label("联系人及电话（只提供给处理部门）").fill("王经理 0635-8241234")
    await page.get_by_label("整改材料").set_input_files([str(fake), str(photo)])
    await page.get_by_role("checkbox", name="守信承诺", exact=False).check()
    files_before = stored_files(files_dir)  # other tests of the session may have left theirs
    await page.get_by_role("button", name="提交申请").click()
    await page.wait_for_selector(".form-problem")
    assert (await page.evaluate("document.contentType")) == "text/html"
    problem = await page.get_by_role("alert").inner_text()
    assert "申请尚未提交" in problem and "未保存任何内容" in problem
    assert "The request has invalid fields." not in problem  # the Chinese page speaks Chinese first
    field_error = await page.locator("#e-attachments").inner_text()
    assert "营业执照.pdf" in field_error and "不是 PDF、JPG 或 PNG" in field_error
    assert "整改现场.png" not in field_error
    assert await page.locator("fieldset.materials").get_attribute("aria-describedby") == "h-attachments e-attachments"
    assert await page.get_by_label("申请理由和整改情况").input_value() == "已补报年度报告，经营场所已按要求整改。"
    assert await page.get_by_role("checkbox", name="守信承诺", exact=False).is_checked()
    assert (await RepairApplication.count(), await RepairEvent.count(), await Attachment.count()) == (0, 0, 0)
    assert stored_files(files_dir) == files_before
    await screenshot(page, tmp_path, "repair-refused-file")
    await assert_chinese_renders(page, "#e-attachments")

    # The real PDF and PNG go through; the confirmation shows the number and the deadlines.
    await page.get_by_label("整改材料").set_input_files([str(report), str(photo)])  # files are chosen again
    for kind in ("application", "commitment", "identity"):  # one file field per required kind
        await page.locator(f"#f-files_{kind}").set_input_files(str(report))
    await page.get_by_role("button", name="提交申请").click()
    await page.wait_for_url("**/repair/applications/*?filed=1")
    number = await page.locator("h1 .number").inner_text()
    row = await RepairApplication.select().where(RepairApplication.number == number).first()
    assert row is not None and row["result_id"] == old and row["status"] == "submitted"
    assert row["applicant_contact"] == "王经理 0635-8241234"
    submitted_on = rules.local_date(row["submitted_at"])  # the server's own "today"
    assert submitted_on in (today(), today() - dt.timedelta(days=1))
    accept_by = rules.accept_by(submitted_on, rule)
    assert (row["accept_by"], row["decide_by"]) == (accept_by, None)  # decide_by runs from acceptance
    assert "申请已提交，请记下申请编号" in await page.get_by_role("status").inner_text()
    facts_text = await page.locator("dl.facts").inner_text()
    assert "已提交" in facts_text
    assert f"受理期限\n{accept_by.isoformat()}" in facts_text and "决定期限\n自受理之日起计算" in facts_text
    listed = await page.locator("main ul").last.inner_text()
    assert "整改报告.pdf" in listed and "application/pdf" in listed
    assert "整改现场.png" in listed and "image/png" in listed
    stored = {
        a["filename"]: a
        for a in await Attachment.select().where(
            (Attachment.owner_type == "repair") & (Attachment.owner_id == row["id"])
        )
    }
    assert set(stored) == {"整改报告.pdf", "整改现场.png"}
    kinds = await Attachment.select(Attachment.kind).where(
        (Attachment.owner_type == "repair") & (Attachment.owner_id == row["id"])
    )
    assert {k["kind"] for k in kinds} == {"application", "commitment", "correction", "identity"}
    for f in (report, photo):
        on_disk = (files_dir / stored[f.name]["path"]).read_bytes()
        assert on_disk == f.read_bytes() and stored[f.name]["sha256"] == hashlib.sha256(on_disk).hexdigest()
    assert len(stored_files(files_dir)) == len(files_before) + 2
    await screenshot(page, tmp_path, "repair-filed")
    await assert_chinese_renders(page, "h1")
    await assert_chinese_renders(page, "dl.facts dd.status")

    # 4. Back on the list: the application, and the result now has one pending.
    await page.get_by_role("link", name="返回").click()
    await page.wait_for_url("**/repair")
    assert "已有待处理的申请" in await old_row.inner_text()
    assert await old_row.get_by_role("link", name="填写申请").count() == 0
    apps = page.locator("ul.repair-apps > li")
    assert await apps.count() == 1
    assert number in await apps.first.inner_text() and "已提交" in await apps.first.inner_text()

    # The department accepts it (its own API); the enterprise sees the new status and timeline.
    r = await http.post(f"/api/v1/admin/repair-applications/{number}/accept", json={}, headers=w.h["x"])
    assert r.status_code == 200, r.text
    await apps.first.get_by_role("link", name=number).click()
    await page.wait_for_url(f"**/repair/applications/{number}")
    assert await page.locator("dd.status").inner_text() == "已受理，待决定"
    # The decision deadline now runs, from the day of acceptance (自受理之日起).
    decide_by = rules.decide_by(rules.local_date(dt.datetime.now(dt.UTC)), rule)
    assert f"决定期限\n{decide_by.isoformat()}" in await page.locator("dl.facts").inner_text()
    timeline = page.locator("ol.timeline > li")
    assert await timeline.count() == 2
    assert "已提交" in await timeline.nth(0).inner_text() and "已受理" in await timeline.nth(1).inner_text()
    assert await page.get_by_role("status").count() == 0  # the "just filed" notice was one-time
    await screenshot(page, tmp_path, "repair-application")
    await assert_chinese_renders(page, "ol.timeline > li:last-child")
    # The acceptance issued a letter: listed on the page, downloaded as a PDF that says so.
    letter = page.get_by_role("link", name="信用修复申请受理通知书")
    async with page.expect_download() as info:
        await letter.click()
    download = await info.value
    assert download.suggested_filename == f"{number}-01.pdf"
    text = subprocess.run(["pdftotext", await download.path(), "-"], capture_output=True, text=True, check=True)
    assert "予以受理" in text.stdout and decide_by.isoformat() not in text.stdout  # dates as written: 年月日
    assert f"{decide_by.year}年{decide_by.month}月{decide_by.day}日前" in text.stdout
    assert serious(await axe_violations(page)) == []
    assert page.dialogs == []


async def test_application_form_by_keyboard_only(page, http, files_dir: Path, tmp_path: Path) -> None:
    """Tab and Enter/Space only, from the sign-in form to the confirmation; every field is reached
    in order and announces its label."""
    _w, old, _young, _old_on, _young_on = await setup(http)
    report = tmp_path / "整改报告.pdf"
    report.write_bytes(pdf_bytes())

    async def focused() -> dict:
        return await page.evaluate("""() => { const e = document.activeElement;
            return {tag: e.tagName.toLowerCase(), type: e.type || "", id: e.id, text: (e.innerText || "").trim(),
                    label: e.labels && e.labels.length === 1 ? e.labels[0].innerText.trim() : null}; }""")

    async def tab_to(pred, limit: int = 40) -> dict:
        for _ in range(limit):
            await page.keyboard.press("Tab")
            f = await focused()
            if pred(f):
                return f
        raise AssertionError(f"never reached by Tab; last focus {f}")

    await page.goto("/repair")
    f = await tab_to(lambda f: f["tag"] == "input")
    assert f["label"] == "用户名"
    await page.keyboard.type("ent-a")
    await page.keyboard.press("Tab")
    assert (await focused())["label"] == "密码"
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_selector("table.repair-results")

    f = await tab_to(lambda f: f["tag"] == "a" and f["text"] == "填写申请")
    await page.keyboard.press("Enter")
    await page.wait_for_url(f"**/repair/apply/{old}")

    f = await tab_to(lambda f: f["tag"] == "textarea")
    assert f["label"] == "申请理由和整改情况"
    await page.keyboard.type("已完成整改。")
    await page.keyboard.press("Tab")
    assert (await focused())["label"] == "联系人及电话（只提供给处理部门）"
    # One file field per kind, in the profile's order, each announcing its label.
    # The first opens its chooser by Space (keyboard-operable); the others get their file set on
    # the focused input, which keeps the test to one native chooser (slow to appear under load).
    for i, label in enumerate(("信用修复申请书", "守信承诺书", "整改材料", "身份证明")):
        await page.keyboard.press("Tab")
        f = await focused()
        assert f["type"] == "file" and f["label"].startswith(label), f
        if i == 0:
            async with page.expect_file_chooser() as chooser:
                await page.keyboard.press("Space")
            await (await chooser.value).set_files(str(report))
        else:
            await page.locator(f"#{f['id']}").set_input_files(str(report))
    for label in ("授权委托书", "其他材料"):  # optional: passed over
        await page.keyboard.press("Tab")
        assert (await focused())["label"].startswith(label)
    await page.keyboard.press("Tab")
    f = await focused()
    assert f["type"] == "checkbox" and "守信承诺" in f["label"]
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    f = await focused()
    assert f["tag"] == "button" and f["text"] == "提交申请"
    outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/repair/applications/*?filed=1")
    number = await page.locator("h1 .number").inner_text()
    row = await RepairApplication.select().where(RepairApplication.number == number).first()
    assert row is not None and row["result_id"] == old and row["reason"] == "已完成整改。"
    assert await Attachment.count() == 4
    await screenshot(page, tmp_path, "repair-filed-keyboard")
    assert page.dialogs == []
