"""The matters list, a matter's history and the inspecting bodies in Chromium: filtering by field
and by text through the form, following a matter to its versions, the bodies page linking to the
matters on each list, and axe-core on the three pages (no serious or critical violation)."""

from __future__ import annotations

from tests.browser.axe_check import axe_violations, serious
from tests.browser.conftest import shot
from tests.portal_helpers import officer_headers
from tests.test_matters import _departments, matter_payload


async def seed_matters(http) -> None:
    await _departments()
    h = await officer_headers(http, "matters-officer")
    for body in (
        matter_payload(),
        matter_payload(code="LC-SCJG-002", name="企业公示信息抽查", field="general", method="书面核查"),
        matter_payload(code="LC-SCJG-003", name="特种设备使用单位安全管理检查", field="special_equipment"),
    ):
        r = await http.post("/api/v1/admin/matters", json=body, headers=h)
        assert r.status_code == 201, r.text
    r = await http.post(
        "/api/v1/admin/matters/LC-SCJG-001/versions",
        json={
            "reason": "补充检查依据",
            "legal_basis": [{"law": "《中华人民共和国食品安全法》", "article": "第八十七条"}],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text


async def test_matters_pages_filter_follow_and_pass_axe(page, http) -> None:
    await seed_matters(http)
    await page.goto("/matters")
    rows = page.locator("table.matters tbody tr")
    assert await rows.count() == 3
    await page.get_by_label("抽查领域").select_option("food")
    await page.get_by_role("button", name="筛选").click()
    await page.wait_for_load_state()
    assert "field=food" in page.url and await rows.count() == 1
    await page.get_by_label("抽查领域").select_option("")
    await page.get_by_label("关键词").fill("公示信息")
    await page.get_by_role("button", name="筛选").click()
    await page.wait_for_load_state()
    assert await rows.count() == 1 and "企业公示信息抽查" in await rows.first.inner_text()
    assert "书面核查" in await rows.first.inner_text()
    await shot(page, "matters-list")
    assert serious(await axe_violations(page)) == []

    await page.goto("/matters")
    await page.get_by_role("link", name="LC-SCJG-001").click()
    await page.wait_for_load_state()
    assert page.url.endswith("/matters/LC-SCJG-001")
    assert await page.locator("h1").inner_text() == "食品销售者经营条件检查"
    history = page.locator("ol.revisions > li")
    assert await history.count() == 2
    assert "补充检查依据" in await history.first.inner_text()  # newest first
    assert "第八十七条" in await page.locator("dl.facts").inner_text()
    await shot(page, "matter-detail")
    assert serious(await axe_violations(page)) == []

    await page.goto("/inspecting-bodies?on=2025-06-01")
    body = page.locator("li#\\33 71500-scjg")
    assert "法定行政机关" in await body.inner_text()
    assert await body.locator("a").count() == 3
    await body.get_by_role("link", name="特种设备使用单位安全管理检查").click()
    await page.wait_for_load_state()
    assert page.url.endswith("/matters/LC-SCJG-003")
    await page.goto("/inspecting-bodies?on=2025-06-01")
    await shot(page, "inspecting-bodies")
    assert serious(await axe_violations(page)) == []
    await page.goto("/matters/LC-SCJG-001?lang=en")
    assert "Revision history" in await page.locator("main").inner_text()
