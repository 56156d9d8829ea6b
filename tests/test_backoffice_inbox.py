"""The back-office inbox: each queue's count, the running deadline with its working-day countdown,
overdue ones first, and scoping to the officer's department (supervisors: the region's complaints)."""

from __future__ import annotations

import datetime as dt
import re

from domain.inbox import countdown
from tests.backoffice_helpers import admin_login
from tests.repair_helpers import World, at

D = dt.date


def test_countdown_counts_working_days_and_goes_negative_once_passed() -> None:
    wed = D(2026, 11, 25)
    assert countdown(D(2026, 11, 27), wed) == 2  # Thu, Fri
    assert countdown(D(2026, 11, 30), wed) == 3  # the weekend not counted
    assert countdown(wed, wed) == 0
    assert countdown(D(2026, 11, 24), wed) == -1
    assert countdown(None, wed) is None


def rows_of(html: str, queue: str) -> list[str]:
    section = html.split(f'id="q-{queue}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<a href="/admin/[a-z-]+/([A-Z0-9-]+)">', section)


async def test_inbox_lists_the_departments_applications_oldest_deadline_first(client, clock) -> None:
    w = await World().setup(client)
    old = await w.publish(client, w.a, D(2025, 1, 6), "T-1")
    new = await w.publish(client, w.b, D(2025, 1, 6), "T-2")
    clock["now"] = at(D(2026, 11, 2))
    first = (await w.apply(client, old)).json()["number"]
    clock["now"] = at(D(2026, 11, 20))
    second = (await w.apply(client, new, who="b")).json()["number"]
    clock["now"] = at(D(2026, 11, 25))
    await admin_login(client, "officer-x")
    r = await client.get("/admin/")
    assert r.status_code == 200
    assert rows_of(r.text, "applications") == [first, second]
    assert re.search(r'<span class="num">2</span> 信用修复申请', r.text)
    overdue_row = r.text.split(first, 2)[2].split("</tr>", 1)[0]
    assert "已超期" in overdue_row
    fresh_row = r.text.split(second, 2)[2].split("</tr>", 1)[0]
    assert "已超期" not in fresh_row and "个工作日" in fresh_row

    # Another department's officer sees none of them.
    client.cookies.clear()
    await admin_login(client, "officer-y")
    r = await client.get("/admin/")
    assert rows_of(r.text, "applications") == []
    assert first not in r.text and second not in r.text
