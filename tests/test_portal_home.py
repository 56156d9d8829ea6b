"""The home page's 最新公示: every type, newest first by publication date, results among them,
negative results marked, withdrawn records absent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from db.tables import Document, Honour, Plan, Result
from db.tx import write_transaction
from tests.portal_helpers import seed, withdraw_result


def latest_links(html: str) -> list[str]:
    section = html.split('id="latest-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="(/(?:results|plans|guides|honours|documents)/\d+)"', section)


async def test_latest_lists_every_type_newest_first_by_publication_date(client) -> None:
    s = await seed(client)
    r_old, r_new, r_clean = s.result_ids[0], s.result_ids[1], s.result_ids[2]
    days: dict[tuple[Any, int], dt.date] = {
        (Result, r_old): dt.date(2024, 1, 5),
        (Result, r_new): dt.date(2026, 3, 2),  # newest of all
        (Result, r_clean): dt.date(2025, 2, 1),
        (Plan, s.plan_id): dt.date(2026, 1, 10),
        (Document, s.document_id): dt.date(2025, 12, 1),
    }
    async with write_transaction():
        for (table, rid), day in days.items():
            await table.update({table.published_on: day}).where(table.id == rid)
        await Honour.update({Honour.awarded_on: dt.date(2025, 6, 1)}).where(Honour.id == s.honour_id)
        # Every other result and plan older than the ones above, so the order is fully known.
        await Result.update({Result.published_on: dt.date(2023, 1, 1)}).where(Result.id.not_in([r_old, r_new, r_clean]))
    await withdraw_result(s.withdrawn_result)
    links = latest_links((await client.get("/")).text)
    # Guides are published today by the seed (their version's date): newest.
    assert links.index(f"/results/{r_new}") < links.index(f"/plans/{s.plan_id}")
    assert links.index(f"/plans/{s.plan_id}") < links.index(f"/documents/{s.document_id}")
    assert links.index(f"/documents/{s.document_id}") < links.index(f"/honours/{s.honour_id}")
    assert links.index(f"/honours/{s.honour_id}") < links.index(f"/results/{r_clean}")
    assert links.index(f"/results/{r_clean}") < links.index(f"/results/{r_old}")
    assert f"/results/{s.withdrawn_result}" not in links
    assert any(x.startswith("/guides/") for x in links)
    assert len(links) == len(set(links)) <= 10


async def test_a_negative_result_is_marked_on_the_home_page(client) -> None:
    s = await seed(client)
    negative = s.result_ids[0]  # X05 责令改正
    async with write_transaction():
        await Result.update({Result.published_on: dt.date(2099, 1, 1)}).where(Result.id == negative)
    html = (await client.get("/")).text
    first = html.split('id="latest-title"', 1)[1].split("</li>", 1)[0]
    assert f'href="/results/{negative}"' in first
    assert "badge-negative" in first and "发现问题" in first
    en = (await client.get("/", params={"lang": "en"})).text.split('id="latest-title"', 1)[1].split("</li>", 1)[0]
    assert "problems found" in en
