"""The public portal as citizens meet it, in Chromium: the home page's newest-first list, a
policy document laid out as a document, negative results marked in search, the error summary
taking the focus after a failed submit, the 长者模式 switch — and axe-core over every public page
in both languages at 1280 and 375 px (no serious or critical violation)."""

from __future__ import annotations

import datetime as dt
import json

from db.tables import Result
from db.tx import write_transaction
from tests.browser.axe_check import axe_violations, counts, serious
from tests.browser.conftest import SCREENSHOTS, shot
from tests.complaint_fixtures import add_departments
from tests.portal_helpers import seed, withdraw_result
from tests.test_portal_pages import pages_of


async def _seeded(http):
    s = await seed(http)
    async with write_transaction():
        await Result.update({Result.published_on: dt.date(2099, 1, 2)}).where(Result.id == s.result_ids[0])
    await withdraw_result(s.withdrawn_result)
    return s


async def test_home_document_search_and_care_mode(page, http, server) -> None:
    s = await _seeded(http)
    await page.goto("/")
    first = page.locator("section[aria-labelledby=latest-title] li").first
    assert await first.locator("a").get_attribute("href") == f"/results/{s.result_ids[0]}"
    assert "发现问题" in await first.inner_text()
    await shot(page, "public-home")

    await page.goto(f"/documents/{s.document_id}")
    assert await page.locator("table.doc-meta").count() == 1
    assert "下载原文" in await page.locator(".doc-original").inner_text()
    await shot(page, "public-document")

    await page.get_by_role("link", name="长者模式").click()
    await page.wait_for_load_state()
    assert await page.evaluate("document.body.classList.contains('care')")
    assert page.url.endswith(f"/documents/{s.document_id}")
    size = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 19, size  # 125 % of the 16 px base
    await page.goto("/plans")  # kept across pages by the cookie
    assert await page.evaluate("document.body.classList.contains('care')")
    await shot(page, "public-care-mode")
    await page.get_by_role("link", name="退出长者模式").click()
    await page.wait_for_load_state()
    assert not await page.evaluate("document.body.classList.contains('care')")


async def test_the_error_summary_takes_the_focus(page, http) -> None:
    await add_departments()
    await page.goto("/complaints/new")
    await page.get_by_role("button", name="提交投诉").click()
    await page.wait_for_load_state()
    focused = await page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "form-problem"
    summary = await page.locator("#form-problem").inner_text()
    assert "统一社会信用代码：" in summary and "(" not in summary.split("\n", 2)[1]
    await page.locator("#form-problem a").first.click()
    assert await page.evaluate("document.activeElement.id") == "f-uscc"
    await shot(page, "public-error-summary")


async def test_axe_on_every_public_page(page, http) -> None:
    s = await _seeded(http)
    await add_departments()
    # Every page the portal tests walk, plus search, the forms, the site map and a 410 page.
    paths = [
        *pages_of(s),
        "/search?q=%E4%B8%B0%E5%8D%8E",
        "/complaints/new",
        "/complaints/track",
        "/repair",
        "/repair/rules",
        "/sitemap",
        f"/results/{s.withdrawn_result}",
    ]
    figures: dict[str, dict[str, int]] = {}
    failures = []
    for path in paths:
        for lang in ("zh", "en"):
            for width in (1280, 375):
                await page.set_viewport_size({"width": width, "height": 900})
                sep = "&" if "?" in path else "?"
                await page.goto(f"{path}{sep}lang={lang}")
                result = await axe_violations(page)
                figures[f"{path} {lang} {width}"] = counts(result)
                if serious(result):
                    failures.append((path, lang, width, serious(result)))
    out = SCREENSHOTS / "public"
    out.mkdir(parents=True, exist_ok=True)
    (out / "axe.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    assert not failures, failures
