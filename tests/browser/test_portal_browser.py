"""The portal in a real browser (Chromium through Playwright) against a real uvicorn process:
entity profile, guide download, language switch, 375 px layout, inert stored markup.
Screenshots of the main pages go to tests/screenshots/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

from domain.guides import download_filename
from tests.browser.conftest import shot
from tests.portal_helpers import XSS_NAME, XSS_TITLE, seed, withdraw_result


async def test_entity_profile_shows_timeline_and_honours_but_not_withdrawn(page, http) -> None:
    s = await seed(http)
    await withdraw_result(s.result_ids[0])  # the 2024 negative result
    await page.goto(f"/entities/{s.uscc}")
    assert await page.locator("h1").inner_text() == "聊城市丰华食品有限公司"
    timeline = page.locator("ol.timeline > li")
    assert await timeline.count() == 1
    assert "LC-2025-001" in await timeline.first.inner_text()
    assert "LC-2024-007" not in await page.content()
    honours = page.locator("#honours-title + ul > li")
    assert "守合同重信用企业" in await honours.first.inner_text()
    await shot(page, "entity-profile")
    # The timeline entry opens the result page; the withdrawn result is a 410 page.
    await timeline.first.get_by_role("link").click()
    await page.wait_for_url(f"**/results/{s.result_ids[1]}")
    assert "聊城市丰华食品有限公司" in await page.locator("h1").inner_text()
    await shot(page, "result-detail")
    resp = await page.goto(f"/results/{s.result_ids[0]}")
    assert resp.status == 410
    assert "该信息已停止公示" in await page.locator("h1").inner_text()


async def test_guide_download_arrives_with_right_bytes_and_name(page, http, files_dir: Path, tmp_path: Path) -> None:
    from db.tables import GuideFile, GuideVersion

    s = await seed(http)
    await page.goto(f"/guides/{s.guide_id}")
    assert await page.locator("h1").inner_text() == "餐饮服务经营者合规指引（2025年修订）"
    await shot(page, "guide")
    version = (
        await GuideVersion.select()
        .where((GuideVersion.guide_id == s.guide_id) & (GuideVersion.version == "2025.2"))
        .first()
    )
    for fmt in ("pdf", "html"):
        row = (
            await GuideFile.select().where((GuideFile.version_id == version["id"]) & (GuideFile.format == fmt)).first()
        )
        link = page.locator("ul.downloads a", has_text=fmt.upper())
        async with page.expect_download() as info:
            await link.click()
        download = await info.value
        assert download.suggested_filename == download_filename("餐饮服务", version["title"], "2025.2", fmt)
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        assert saved.read_bytes() == (files_dir / row["path"]).read_bytes()
        assert len(saved.read_bytes()) == row["bytes"]
    assert saved.read_bytes().lstrip().lower().startswith(b"<!doctype html")


async def test_language_switch(page, http) -> None:
    s = await seed(http)
    await page.goto(f"/plans/{s.plan_id}")
    assert await page.locator("html").get_attribute("lang") == "zh-Hans"
    assert "调整记录" in await page.locator("#history").inner_text()
    await shot(page, "plan")
    await page.get_by_role("link", name="English").click()
    await page.wait_for_url(f"**/plans/{s.plan_id}")
    assert await page.locator("html").get_attribute("lang") == "en"
    assert await page.locator("#history").inner_text() == "Revision history"
    assert (await page.title()).endswith("Random Inspection Disclosure Portal")
    await shot(page, "plan-en")
    # The choice sticks: another page is English too, until switched back.
    await page.get_by_role("link", name="Statistics").click()
    assert await page.locator("h1").inner_text() == "Statistics"
    await page.get_by_role("link", name="简体中文").click()
    await page.wait_for_url("**/statistics")
    assert await page.locator("html").get_attribute("lang") == "zh-Hans"
    assert await page.locator("h1").inner_text() == "统计"


async def test_stored_markup_renders_as_inert_text(page, http) -> None:
    s = await seed(http)
    for path, expected in (
        (f"/results/{s.xss_result}", XSS_NAME),
        (f"/entities/{s.xss_uscc}", XSS_NAME),
        (f"/guides/{s.xss_guide_id}", XSS_TITLE),
    ):
        await page.goto(path)
        await page.wait_for_load_state("load")
        assert await page.locator("h1").inner_text() == expected, path  # visible, literally
        assert await page.locator("main script, main img[src='x']").count() == 0, path
    await page.goto("/guides")
    assert await page.get_by_text(XSS_TITLE).count() == 1
    await page.goto("/")
    await page.wait_for_timeout(300)
    assert page.dialogs == [], page.dialogs  # no alert() ever ran
    await shot(page, "xss-home")


async def test_375px_layout_has_no_horizontal_scroll(page, http) -> None:
    s = await seed(http)
    await page.set_viewport_size({"width": 375, "height": 812})
    paths = {
        "home": "/",
        "result": f"/results/{s.result_ids[1]}",
        "entity": f"/entities/{s.uscc}",
        "plans": "/plans",
        "plan": f"/plans/{s.plan_id}",
        "guides": "/guides",
        "guide": f"/guides/{s.guide_id}",
        "honours": "/honours",
        "documents": "/documents",
        "document": f"/documents/{s.document_id}",
        "statistics": "/statistics",
        "open-data": "/open-data",
        "services": "/services",
    }
    for name, path in paths.items():
        await page.goto(path)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
        if name in ("home", "entity", "plan", "statistics", "guide", "open-data"):
            await shot(page, f"mobile-{name}")
    await page.set_viewport_size({"width": 1280, "height": 900})
    for name in ("home", "statistics", "plans", "honours", "documents", "open-data"):
        await page.goto(paths[name])
        await shot(page, name)


async def test_keyboard_skip_link_and_visible_focus(page, http) -> None:
    await page.goto("/open-data")
    await page.keyboard.press("Tab")
    focused = page.locator(":focus")
    assert await focused.inner_text() == "跳到正文"
    assert await focused.is_visible()
    outline = await focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"
    await page.keyboard.press("Enter")
    assert await page.evaluate("location.hash") == "#main"


async def test_search_flow(page, http) -> None:
    """Type a query, see highlighted results, click a facet, open a detail page. The server's own
    outbox worker feeds its search index (OUTBOX_WORKER=1), as in production."""
    s = await seed(http)
    await page.goto("/")
    await page.get_by_label("搜索企业名称、统一社会信用代码、计划或指引").fill("惠民超市")
    await page.get_by_role("button", name="搜索").click()
    await page.wait_for_url("**/search?q=*")
    marks = page.locator(".search-results mark")
    for _ in range(50):  # the worker indexes within a second or two of publication
        if await marks.count():
            break
        await page.wait_for_timeout(200)
        await page.reload()
    assert await marks.count() >= 2
    assert await marks.first.inner_text() == "惠民超市"
    assert await page.locator(".search-results > li").count() == 2
    assert "共 2 条结果" in await page.locator(".results-count").inner_text()
    await shot(page, "search")
    # Click the "不合格" category facet: one result left, shown as a removable chip.
    await page.locator(".facets a", has_text="不合格").click()
    await page.wait_for_url("**category=X07*")
    assert await page.locator(".search-results > li").count() == 1
    assert await page.locator(".chip a", has_text="不合格").count() == 1
    await shot(page, "search-facet")
    await page.locator(".search-results h3 a").first.click()
    await page.wait_for_url(f"**/results/{s.result_ids[3]}")
    assert await page.locator("h1").inner_text() == "聊城市东昌府区惠民超市"
    assert "LC-2025-009" in await page.locator("dl.facts").inner_text()
    # Mobile: the search page fits 375 px too.
    await page.set_viewport_size({"width": 375, "height": 812})
    await page.goto("/search?q=" + "惠民超市")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    await shot(page, "mobile-search")
