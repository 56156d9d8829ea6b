"""The caps page and an over-cap enterprise's profile in Chromium: the table per field and risk
class, the year form, the by-department figure, the profile's 年度检查次数 table, in Chinese and
English at 1280 and 375 px, with axe-core on each (no serious or critical violation) and no
sideways scrolling at 375 px (screenshots under tests/screenshots/caps/)."""

from __future__ import annotations

import json

from db.tables import Entity
from tests.browser.axe_check import axe_violations, counts, serious
from tests.browser.conftest import SCREENSHOTS, shot
from tests.helpers import make_uscc, result_payload, sign_in
from tests.test_caps_api import DEPT, OTHER, THIRD, add_departments


async def seed(http) -> list[str]:
    await add_departments()
    h = await sign_in(http, "caps-officer", "officer", department_code=DEPT)
    usccs = [make_uscc(seed=700 + i) for i in range(3)]
    items = []
    for i, u in enumerate(usccs):
        items.append(result_payload(u, task=f"C-{i}-1", departments=[DEPT, OTHER], inspected_on="2025-03-03"))
        items.append(result_payload(u, task=f"C-{i}-2", inspected_on="2025-08-08", check_field="general"))
    items.append(result_payload(usccs[0], task="C-0-3", inspected_on="2025-09-09", check_field="food"))
    items.append(result_payload(usccs[0], task="C-0-4", inspected_on="2024-05-05"))
    r = await http.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    # The emergency bureau inspected one of them too: its cell (1 enterprise) is withheld.
    h3 = await sign_in(http, "caps-officer-3", "officer", department_code=THIRD)
    r = await http.post(
        "/api/v1/admin/results/bulk",
        json={"items": [result_payload(usccs[0], task="Y-0", dept=THIRD, inspected_on="2025-10-10")]},
        headers=h3,
    )
    assert r.status_code == 201, r.text
    await Entity.update({Entity.risk_class: "A"}).where(Entity.uscc.is_in(usccs))
    return usccs


async def test_caps_page_and_profile_pass_axe_in_both_languages_and_widths(page, http) -> None:
    usccs = await seed(http)
    await page.goto("/matters")
    await page.get_by_role("link", name="年度检查频次上限").click()
    await page.wait_for_load_state()
    assert page.url.endswith("/inspection-limits")
    food = page.locator("tr#field-food")
    assert (await food.locator("td").all_inner_texts()) == ["2 次", "3 次", "4 次", "6 次"]
    await page.get_by_label("年份").fill("2025")
    await page.get_by_role("button", name="查看").click()
    await page.wait_for_load_state()
    assert "year=2025" in page.url
    figure = page.locator("section[aria-labelledby=over-title]")
    assert "超过上限受检的企业（2025 年）" in await figure.locator("h2").inner_text()
    rows = figure.locator("tbody tr")
    assert [await rows.nth(i).inner_text() for i in range(await rows.count())] == [
        "聊城市市场监督管理局\t3",
        "聊城市生态环境局\t3",
        "聊城市应急管理局\t少于 3 家",
    ]

    await page.goto(f"/entities/{usccs[0]}")
    caps_table = page.locator("section[aria-labelledby=caps-title]")
    text = await caps_table.inner_text()
    assert "超过上限" in text and "共 4 次" in text and "未超过" in text

    figures: dict[str, dict[str, int]] = {}
    failures = []
    for path, name in (("/inspection-limits?year=2025", "limits"), (f"/entities/{usccs[0]}", "entity")):
        for lang in ("zh", "en"):
            for width in (1280, 375):
                await page.set_viewport_size({"width": width, "height": 900})
                sep = "&" if "?" in path else "?"
                await page.goto(f"{path}{sep}lang={lang}")
                result = await axe_violations(page)
                figures[f"{path} {lang} {width}"] = counts(result) | {
                    v["id"]: len(v["nodes"]) for v in result["violations"]
                }
                if serious(result):
                    failures.append((path, lang, width, serious(result)))
                overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (path, lang, width, overflow)
                await shot(page, f"caps/{name}-{lang}-{width}")
    (SCREENSHOTS / "caps" / "axe.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    assert not failures, failures
