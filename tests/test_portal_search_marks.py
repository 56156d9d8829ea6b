"""Search as a reader meets it: negative results marked in the hits (page and API), years in year
order, every facet collapsible."""

from __future__ import annotations

import re

from search.outbox import drain
from tests.helpers import make_uscc, result_payload, sign_in
from tests.search_helpers import reset_index


async def test_negative_hits_are_marked_and_years_read_in_order(app, client) -> None:
    await reset_index(app.state.search_index)
    h = await sign_in(client, "marks-officer", "officer", department_code="371500-scjg")
    bad, good = make_uscc(seed=301), make_uscc(seed=302)
    items = [
        result_payload(
            bad,
            task="MK-2024-1",
            entity_name="聊城市远航标记食品有限公司",
            categories=["X07"],
            inspected_on="2024-04-02",
        ),
        result_payload(
            good,
            task="MK-2025-1",
            entity_name="聊城市远航标记饮品有限公司",
            categories=["N01"],
            inspected_on="2025-05-02",
        ),
        result_payload(
            good,
            task="MK-2023-1",
            entity_name="聊城市远航标记饮品有限公司",
            categories=["N02"],
            inspected_on="2023-03-02",
        ),
        # 2023 has the most hits, so an order by count would put it first
        result_payload(
            bad,
            task="MK-2023-2",
            entity_name="聊城市远航标记食品有限公司",
            categories=["N02"],
            inspected_on="2023-06-02",
        ),
    ]
    r = await client.post("/api/v1/admin/results/bulk", json={"items": items}, headers=h)
    assert r.status_code == 201, r.text
    await drain(app.state.search_index)
    api = (await client.get("/api/v1/search", params={"q": "远航标记"})).json()
    marks = {i["title"]: i["negative"] for i in api["items"]}
    assert marks["聊城市远航标记食品有限公司"] is True
    assert marks["聊城市远航标记饮品有限公司"] is False
    page = (await client.get("/search", params={"q": "远航标记"})).text
    hits = re.findall(r"<li>\s*<h3>(.*?)</h3>", page, flags=re.S)
    assert sum("badge-negative" in x for x in hits) == 1  # one negative result among four
    negative_id = next(i["id"] for i in api["items"] if i["negative"])
    assert "badge-negative" in next(x for x in hits if f'href="/results/{negative_id}"' in x)
    year_block = page.split('aria-label="年度"', 1)[1].split("</nav>", 1)[0]
    assert "<details open>" in year_block
    years = re.findall(r"<span>(20\d\d)</span>", year_block)
    assert years == sorted(years, reverse=True) and len(years) == 3
