"""Plans in the back office over real HTTP: a new plan with its items (the no-JavaScript items
editor), revision N+1 pre-filled with the revision in force, previewed as the public revision
history will show it (nothing stored), then published on confirmation; bad input re-renders the
form (422, each message by its field, nothing stored); a stale base revision and a confirmation
submitted twice answer 409 and publish nothing; another department's plan is 404."""

from __future__ import annotations

import re
from typing import Any

from tests.backoffice_helpers import admin_login, admin_post, csrf_of
from tests.records_helpers import plan_payload, snapshot
from tests.repair_helpers import World


def item_fields(i: int, item: dict[str, Any]) -> dict[str, str]:
    p = f"items-{i}-"
    out = {
        p + "code": str(item.get("code", "")),
        p + "field": item.get("field", ""),
        p + "matters": "\n".join(item.get("matters", [])),
        p + "scope": item.get("scope", ""),
        p + "departments": "、".join(item.get("departments", [])),
        p + "level": item.get("level", "市"),
        p + "months": "、".join(str(m) for m in item.get("months", [])),
        p + "ratio_percent": "" if item.get("ratio_percent") is None else str(item["ratio_percent"]),
        p + "method": item.get("method", ""),
    }
    for k, v in (item.get("ratio_by_class") or {}).items():
        out[p + f"ratio_{k}"] = str(v)
    if item.get("joint"):
        out[p + "joint"] = "1"
    return out


def new_plan_form(**kw: Any) -> dict[str, str]:
    plan = plan_payload()
    items = kw.pop("items", plan["items"])
    form = {
        "year": str(plan["year"]),
        "title": plan["title"],
        "participating": "、".join(plan["participating"]),
        "body": plan["body"],
        "rows": str(len(items) + 2),  # two spare blank rows, as the page has
        "action": "publish",
    }
    for i, item in enumerate(items):
        form.update(item_fields(i, item))
    form.update(kw)
    return form


async def officer(client) -> World:
    w = await World().setup(client)
    await admin_login(client, "officer-x")
    return w


async def post_new(client, form: dict[str, str]):
    """POST the new-plan form with the CSRF token and one-time key of a freshly opened form."""
    page = (await client.get("/admin/plans/new")).text
    once = re.search(r'name="once" value="([^"]+)"', page)
    assert once
    return await client.post("/admin/plans/new", data={**form, "once": once.group(1), "_csrf_token": csrf_of(page)})


async def create_plan(client) -> int:
    r = await post_new(client, new_plan_form())
    assert r.status_code == 303, r.text
    m = re.fullmatch(r"/admin/plans/(\d+)\?done=published", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


def form_of(html: str) -> dict[str, str]:
    """The revise form's fields as the page pre-fills them (inputs, textareas, selects)."""
    out: dict[str, str] = {}
    for m in re.finditer(r'<input type="(?:text|hidden|number|date)"[^>]* name="([^"]+)" value="([^"]*)"', html):
        out[m.group(1)] = m.group(2).replace("&amp;", "&").replace("&#34;", '"')
    for m in re.finditer(r'<input type="checkbox" id="[^"]+" name="([^"]+)" value="1" checked>', html):
        out[m.group(1)] = "1"
    for m in re.finditer(r'<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        out[m.group(1)] = m.group(2)
    for m in re.finditer(r'<select id="[^"]+" name="([^"]+)".*?<option value="([^"]+)" selected>', html, re.S):
        out[m.group(1)] = m.group(2)
    out.pop("_csrf_token", None)
    return out


async def test_a_plan_with_its_items_is_published_and_public(client) -> None:
    await officer(client)
    page = await client.get("/admin/plans/new")
    assert page.status_code == 200 and 'name="items-2-field"' in page.text  # three blank rows
    pid = await create_plan(client)
    public = (await client.get(f"/api/v1/plans/{pid}")).json()
    assert public["title"] == plan_payload()["title"] and public["current_revision"] == 1
    assert [i["field"] for i in public["items"]] == ["食品安全", "生态环境"]  # the blank rows are not items
    assert public["items"][0]["ratio_by_class"] == {"A": 3, "B": 4, "C": 5, "D": 6}
    assert public["items"][1]["joint"] is True and public["items"][1]["months"] == [7]
    listing = (await client.get("/admin/plans")).text
    assert f'href="/admin/plans/{pid}"' in listing
    detail = (await client.get(f"/admin/plans/{pid}?done=published")).text
    assert "计划已发布" in detail and "排污许可执行情况检查" in detail
    assert 'href="/admin/plans"' in (await client.get("/admin/")).text  # in the navigation


async def test_a_new_plan_form_sent_twice_publishes_once(client) -> None:
    await officer(client)
    page = (await client.get("/admin/plans/new")).text
    once = re.search(r'name="once" value="([^"]+)"', page)
    assert once
    form = {**new_plan_form(), "once": once.group(1), "_csrf_token": csrf_of(page)}
    first = await client.post("/admin/plans/new", data=form)
    assert first.status_code == 303
    before = await snapshot()
    second = await client.post("/admin/plans/new", data=form)
    assert second.status_code == 303 and second.headers["location"] == first.headers["location"] + "&again=1"
    assert await snapshot() == before  # nothing published twice
    assert "该表单此前已经提交过" in (await client.get(second.headers["location"])).text
    stale = await client.post("/admin/plans/new", data={**form, "once": ""})
    assert stale.status_code == 422 and "表单已失效" in stale.text
    assert await snapshot() == before


async def test_add_rows_keeps_what_was_typed_and_stores_nothing(client) -> None:
    await officer(client)
    before = await snapshot()
    form = new_plan_form(action="add", title="正在填写的计划")
    r = await post_new(client, form)
    assert r.status_code == 200
    assert 'value="正在填写的计划"' in r.text and 'value="食品安全"' in r.text
    assert 'name="items-6-field"' in r.text and 'name="items-7-field"' not in r.text  # 4 rows + 3 more
    assert 'name="rows" value="7"' in r.text
    assert await snapshot() == before


async def test_bad_new_plan_comes_back_with_messages_by_their_fields(client) -> None:
    await officer(client)
    before = await snapshot()
    items = plan_payload()["items"]
    items[1] = {**items[1], "months": [7], "ratio_percent": None}
    form = new_plan_form(year="1999", title="  ", items=items)
    form["items-1-months"] = "7、十三"
    form["items-1-ratio_percent"] = "150"
    form["items-0-matters"] = ""
    r = await post_new(client, form)
    assert r.status_code == 422, r.text
    for key in ("year", "title", "items-0-matters", "items-1-months", "items-1-ratio_percent"):
        assert f'id="f-{key}-error"' in r.text, key
        assert f'aria-describedby="f-{key}-error' in r.text, key
    assert 'href="#f-items-1-months"' in r.text  # the summary links to the field
    assert 'value="7、十三"' in r.text and 'value="食品安全"' in r.text  # values kept
    assert await snapshot() == before


async def test_a_plan_with_no_items_is_refused_by_the_items_editor(client) -> None:
    await officer(client)
    before = await snapshot()
    r = await post_new(client, new_plan_form(items=[]))
    assert r.status_code == 422 and 'id="f-items-error"' in r.text and "至少需要一个抽查事项" in r.text
    assert await snapshot() == before


async def test_revision_is_prefilled_previewed_as_a_diff_then_published(client) -> None:
    await officer(client)
    pid = await create_plan(client)
    page = await client.get(f"/admin/plans/{pid}/revise")
    assert page.status_code == 200 and "field-error" not in page.text  # (errors.items once showed here)
    form = form_of(page.text)
    assert form["base"] == "1" and form["items-0-ratio_D"] == "6" and form["items-1-joint"] == "1"
    assert form["title"] == plan_payload()["title"] and form["items-0-matters"] == "食品销售者经营条件检查"
    form.update({"items-0-ratio_D": "8", "reason": "根据省局通知调整D类企业抽查比例", "action": "preview"})
    form.update({"items-2-field": "特种设备", "items-2-matters": "电梯维护保养检查"})
    before = await snapshot()
    r = await client.post(f"/admin/plans/{pid}/revise", data={**form, "_csrf_token": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    assert "请核对修改内容：尚未发布" in r.text
    assert "第1项（食品安全）分级抽查比例：<del>" in r.text
    assert "A类3%、B类4%、C类5%、D类6%</del> → <ins>" in r.text and "D类8%</ins>" in r.text
    assert "新增第3项（特种设备）：电梯维护保养检查" in r.text  # the new row takes the next free code
    assert await snapshot() == before  # nothing stored by the preview
    assert (await client.get(f"/api/v1/plans/{pid}")).json()["current_revision"] == 1

    confirm = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', r.text))
    back = await client.post(f"/admin/plans/{pid}/revise", data={**confirm, "action": "edit"})
    assert back.status_code == 200 and 'value="8"' in back.text and "根据省局通知" in back.text
    done = await client.post(f"/admin/plans/{pid}/revise", data={**confirm, "action": "publish"})
    assert done.status_code == 303 and done.headers["location"] == f"/admin/plans/{pid}?done=revised"
    public = (await client.get(f"/api/v1/plans/{pid}")).json()
    assert public["current_revision"] == 2 and public["items"][0]["ratio_by_class"]["D"] == 8
    assert public["revisions"][1]["reason"] == "根据省局通知调整D类企业抽查比例"
    history = (await client.get(f"/plans/{pid}")).text  # what the preview showed is what is public
    assert "D类8%</ins>" in history and "新增第3项（特种设备）：电梯维护保养检查" in history

    # The confirmation submitted twice: 409, and still one revision 2
    again = await client.post(f"/admin/plans/{pid}/revise", data={**confirm, "action": "publish"})
    assert again.status_code == 409 and "无需重复提交" in again.text
    assert (await client.get(f"/api/v1/plans/{pid}")).json()["current_revision"] == 2


async def test_a_stale_base_revision_is_409_and_publishes_nothing(client) -> None:
    w = await officer(client)
    pid = await create_plan(client)
    page = await client.get(f"/admin/plans/{pid}/revise")
    form = form_of(page.text) | {"title": "我的新标题", "reason": "更正标题", "action": "preview"}
    # Meanwhile a colleague publishes revision 2 through the API
    r = await client.post(
        f"/api/v1/admin/plans/{pid}/revisions", json={"reason": "同事的调整", "body": "新正文"}, headers=w.h["x2"]
    )
    assert r.status_code == 201, r.text
    before = await snapshot()
    token = csrf_of(page.text)
    for action in ("preview", "publish"):
        stale = await client.post(f"/admin/plans/{pid}/revise", data={**form, "action": action, "_csrf_token": token})
        assert stale.status_code == 409, stale.text
        assert "第 2 版" in stale.text and "officer-x2" in stale.text and "同事的调整" in stale.text
    assert await snapshot() == before
    assert (await client.get(f"/api/v1/plans/{pid}")).json()["title"] != "我的新标题"


async def test_bad_revisions_come_back_with_messages_and_store_nothing(client) -> None:
    await officer(client)
    pid = await create_plan(client)
    page = await client.get(f"/admin/plans/{pid}/revise")
    token = csrf_of(page.text)
    form = form_of(page.text)
    before = await snapshot()
    cases = [
        ({"reason": "", "title": "新标题"}, ["reason"]),
        ({"reason": "没有改动"}, ["items"]),
        ({"reason": "改坏了", "items-0-field": "", "items-1-ratio_A": "abc"}, ["items-0-field", "items-1-ratio_A"]),
        ({"reason": "删光", "items-0-remove": "1", "items-1-remove": "1"}, ["items"]),
    ]
    for change, keys in cases:
        for action in ("preview", "publish"):
            r = await client.post(
                f"/admin/plans/{pid}/revise", data={**form, **change, "action": action, "_csrf_token": token}
            )
            assert r.status_code == 422, (change, r.text)
            for key in keys:
                anchor = "f-items-1-ratio" if key == "items-1-ratio_A" else f"f-{key}"
                assert f'id="{anchor}-error"' in r.text, (change, key)
            if "title" in change:
                assert 'value="新标题"' in r.text
    assert await snapshot() == before


async def test_another_departments_plan_is_404(client) -> None:
    w = await World().setup(client)
    await admin_login(client, "officer-x")
    pid = await create_plan(client)
    client.cookies.clear()
    await admin_login(client, "officer-y")
    assert (await client.get(f"/admin/plans/{pid}")).status_code == 404
    assert (await client.get(f"/admin/plans/{pid}/revise")).status_code == 404
    assert f'href="/admin/plans/{pid}"' not in (await client.get("/admin/plans")).text
    before = await snapshot()
    r = await admin_post(
        client, f"/admin/plans/{pid}/revise", {"base": "1", "reason": "越权", "title": "x"}, "/admin/plans"
    )
    assert r.status_code == 404
    assert await snapshot() == before
    assert w.h  # the accounts exist


def test_new_items_never_take_an_existing_or_removed_items_code() -> None:
    from domain.plans import fill_codes

    items = [{"code": "1", "field": "a"}, {"code": "", "field": "b"}, {"field": "c"}]
    # item 3 of the base revision was removed in the form: a new item must not become "3"
    assert [i["code"] for i in fill_codes(items, ["1", "2", "3"])] == ["1", "4", "5"]
    assert [i["code"] for i in fill_codes([{"field": "x"}], [])] == ["1"]


def test_rule_fields_map_back_to_the_row_typed_in() -> None:
    from backoffice.plan_form import field_key, items_of_rows, rows_of_form

    data = {"rows": "3", "items-0-field": "甲", "items-2-field": "丙", "items-2-months": "4、x"}
    items, origin = items_of_rows(rows_of_form(data), [])
    assert [i["field"] for i in items] == ["甲", "丙"] and origin == [0, 2]  # row 1 was blank
    assert items[1]["months"] == [4, "x"]  # passed on as typed: the rule names what is wrong
    assert field_key("items[1].months", origin) == "items-2-months"
    assert field_key("items[1].ratio_by_class", origin) == "items-2-ratio_A"
    assert field_key("title", origin) == "title"
