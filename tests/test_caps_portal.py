"""The caps page (/inspection-limits) and the entity profile's 年度检查次数, in Chinese and English."""

from __future__ import annotations

from db.tables import Entity
from domain import caps
from tests.helpers import make_uscc, result_payload
from tests.test_caps_api import DEPT, add_departments, over_cap_enterprise, publish


async def test_the_caps_page_shows_the_table_its_source_and_the_figure(client) -> None:
    await add_departments()
    usccs = [make_uscc(seed=600 + i) for i in range(3)]
    for i, u in enumerate(usccs):
        items = [result_payload(u, task=f"P-{i}-{k}", inspected_on=f"2025-0{k + 1}-10") for k in range(2)]
        await publish(client, DEPT, items)
    await Entity.update({Entity.risk_class: "A"}).where(Entity.uscc.is_in(usccs))
    r = await client.get("/inspection-limits", params={"year": 2025})
    assert r.status_code == 200, r.text
    html = r.text
    assert "年度检查频次上限" in html and "聊政办发〔2025〕3号（十二）" in html and "（十九）" in html
    assert "演示值" in html and "Demo value" not in html  # the demo defaults say they are demo values
    assert 'id="field-food"' in html and "D类（信用风险高）" in html and "6 次" in html
    assert "聊城市市场监督管理局" in html and "<td>3</td>" in html
    assert 'href="/api/v1/inspection-limits"' in html and "/api/v1/stats/over-cap?year=2025" in html
    en = (await client.get("/inspection-limits", params={"year": 2025, "lang": "en"})).text
    assert (
        "Annual caps on inspections" in en
        and "Class A (low credit risk)" in en
        and "Demo value" in en
        and "演示值" not in en
    )
    assert (await client.get("/inspection-limits", params={"year": "abc"})).status_code == 422
    assert (await client.get("/inspection-limits", params={"year": "1999"})).status_code == 422
    # Linked from the lists.
    assert 'href="/inspection-limits"' in (await client.get("/matters")).text
    assert 'href="/inspection-limits"' in (await client.get("/inspecting-bodies")).text


async def test_the_entity_page_shows_each_years_count_against_the_cap(client) -> None:
    u = await over_cap_enterprise(client)
    html = (await client.get(f"/entities/{u}")).text
    assert "年度检查次数" in html and "超过上限" in html and "未超过" in html
    assert 'href="/inspection-limits"' in html
    en = (await client.get(f"/entities/{u}", params={"lang": "en"})).text
    assert "Inspections per year" in en and "Over the cap" in en
    assert caps.field_label("general") in html
