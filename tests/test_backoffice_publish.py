"""Publishing one record in the back office over real HTTP (/admin/publish and its forms): each
form calls the use case its /api/v1/admin twin calls, bad input comes back as the form (422) with
the message by its field and the typed values kept and stores nothing (record, audit, change log,
outbox and form-key tables unchanged), a good form publishes and confirms with links, the same
form posted twice publishes once (backoffice/once.py), another role is refused, a cross-site post
is refused."""

from __future__ import annotations

import re

import httpx
import pytest

from db.tables import AuditLog, ChangeLog, FormSubmission, Outbox, Result
from db.users import create_user
from demo.departments import load_regions_and_departments
from domain.results import shanghai_today
from tests.backoffice_helpers import admin_login, csrf_of
from tests.helpers import PASSWORD, make_uscc

DEPT = "371500-scjg"
OTHER = "371500-yjj"
TRAIL = (AuditLog, ChangeLog, Outbox, FormSubmission)


async def officer(client: httpx.AsyncClient, username: str = "pub-officer", dept: str = DEPT) -> None:
    await load_regions_and_departments()
    await create_user(username, PASSWORD, "officer", department_code=dept)
    await admin_login(client, username)


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, f"no hidden field {name}"
    return m.group(1)


async def open_form(client: httpx.AsyncClient, url: str) -> dict[str, str]:
    """The form page's CSRF token and one-time key, as a browser would send them back."""
    page = await client.get(url)
    assert page.status_code == 200, page.text
    return {"_csrf_token": csrf_of(page.text), "once": hidden(page.text, "once")}


async def counts(*tables) -> list[int]:
    return [await t.count() for t in tables]


def field_error(html: str, name: str) -> str:
    """The message shown right above the field `name` (its id e-<name>)."""
    m = re.search(rf'<p class="field-error" id="e-{name}">([^<]*)</p>', html)
    assert m, f"no message by the field {name}"
    return m.group(1)


def result_form(**kw: str | list[str]) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "task_number": "BO-2026-001",
        "uscc": make_uscc(seed=41),
        "entity_name": "聊城市后台发布测试有限公司",
        "entity_kind": "",
        "departments": DEPT,
        "inspected_on": "2026-11-02",
        "inspection_type": "抽查",
        "check_field": "general",
        "categories": ["X05"],
        "follow_up": "已责令限期改正",
        "published_on": "",
    }
    form.update(kw)
    return form


async def test_the_hub_lists_the_forms_and_the_result_form_has_defaults(client) -> None:
    await officer(client)
    hub = await client.get("/admin/publish")
    assert hub.status_code == 200 and 'href="/admin/results/new"' in hub.text
    assert 'href="/admin/publish" aria-current="page"' in hub.text
    page = await client.get("/admin/results/new")
    assert page.status_code == 200
    html = page.text
    assert f'name="departments" type="text" value="{DEPT}"' in html  # the officer's own department
    assert f'name="published_on" type="date" value="{shanghai_today().isoformat()}"' in html  # today, Beijing
    assert 'value="X05"' in html and "发现问题已责令改正" in html  # the category catalogue
    assert '<option value="food">食品</option>' in html  # check fields from domain.results
    assert '<option value="individual">个体工商户</option>' in html
    first, second = hidden(html, "once"), hidden((await client.get("/admin/results/new")).text, "once")
    assert first != second  # a fresh key each time the form is opened


async def test_bad_result_comes_back_with_messages_by_the_fields_and_nothing_stored(client) -> None:
    await officer(client)
    before = await counts(Result, *TRAIL)
    keys = await open_form(client, "/admin/results/new")
    bad = result_form(uscc="91371500XXXXXXXXX1", inspected_on="2026-13-40", categories=[], task_number="")
    r = await client.post("/admin/results/new", data={**keys, **bad})
    assert r.status_code == 422, r.text
    html = r.text
    assert "未发布，请检查以下内容" in html and "未保存任何内容" in html
    assert "任务单号不能为空" in field_error(html, "task_number")
    assert field_error(html, "uscc")
    assert "检查日期格式应为" in field_error(html, "inspected_on")
    assert "至少需要一个结果类别" in field_error(html, "categories")
    assert 'id="f-uscc" name="uscc" type="text" value="91371500XXXXXXXXX1"' in html  # kept as typed
    assert 'value="2026-13-40"' in html and "聊城市后台发布测试有限公司" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="h-uscc e-uscc"' in html
    assert hidden(html, "once") == keys["once"]  # the same form, its key unused
    assert await counts(Result, *TRAIL) == before
    # A published date after today (Beijing) and a department not one's own are the rule's words too.
    r = await client.post("/admin/results/new", data={**keys, **result_form(published_on="2999-01-01")})
    assert r.status_code == 422 and "公示日期不能晚于今天" in field_error(r.text, "published_on")
    r = await client.post("/admin/results/new", data={**keys, **result_form(departments=OTHER)})
    assert r.status_code == 403 and "只能以本部门" in field_error(r.text, "departments")
    assert await counts(Result, *TRAIL) == before


async def test_a_result_is_published_confirmed_and_public_once_however_often_it_is_posted(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/results/new")
    form = {**keys, **result_form(categories=["X05", "X06"])}
    r = await client.post("/admin/results/new", data=form)
    assert r.status_code == 303, r.text
    done = r.headers["location"]
    assert done == f"/admin/results/published/{keys['once']}"
    page = await client.get(done)
    assert page.status_code == 200 and "已在平台公示" in page.text
    row = await Result.select().first()
    rid = row["id"]
    assert f'href="/results/{rid}"' in page.text and f'href="/admin/results/{rid}"' in page.text
    assert "发现问题已责令改正、发现问题待后续处理" in page.text
    public = await client.get(f"/api/v1/results/{rid}")
    assert public.status_code == 200 and public.json()["task_number"] == "BO-2026-001"
    assert row["department_code"] == DEPT and row["published_on"] == shanghai_today()  # defaulted
    # The same use case as the API: audited, change-logged, queued for search, under the officer's name.
    assert await AuditLog.count().where(AuditLog.object_id == str(rid), AuditLog.actor == "pub-officer") == 1
    assert await ChangeLog.count().where(ChangeLog.object_id == str(rid)) == 1
    assert await Outbox.count().where(Outbox.object_id == str(rid)) >= 1
    trail = await counts(Result, *TRAIL)
    # Posted again (a double click, the back button, a reload): the first outcome, nothing new.
    again = await client.post("/admin/results/new", data=form)
    assert again.status_code == 303 and again.headers["location"] == f"{done}?again=1"
    repeat = await client.get(again.headers["location"])
    assert "该表单此前已经提交过" in repeat.text and f'href="/results/{rid}"' in repeat.text
    assert await counts(Result, *TRAIL) == trail == [1, 1, 1, trail[3], 1]


async def test_a_fresh_form_for_the_same_task_and_entity_is_refused_as_a_duplicate(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/results/new")
    assert (await client.post("/admin/results/new", data={**keys, **result_form()})).status_code == 303
    trail = await counts(Result, *TRAIL)
    keys = await open_form(client, "/admin/results/new")
    r = await client.post("/admin/results/new", data={**keys, **result_form()})
    assert r.status_code == 409 and "已发布过" in field_error(r.text, "task_number")
    assert await counts(Result, *TRAIL) == trail


async def test_a_post_without_its_form_key_stores_nothing(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/results/new")
    r = await client.post("/admin/results/new", data={**result_form(), "_csrf_token": keys["_csrf_token"]})
    assert r.status_code == 422 and "表单已失效" in r.text
    assert await Result.count() == 0


async def test_the_confirmation_is_only_for_the_officer_who_sent_the_form(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/results/new")
    done = (await client.post("/admin/results/new", data={**keys, **result_form()})).headers["location"]
    await create_user("pub-other", PASSWORD, "officer", department_code=DEPT)
    client.cookies.clear()
    await admin_login(client, "pub-other")
    assert (await client.get(done)).status_code == 404
    assert (await client.get("/admin/results/published/not-a-key")).status_code == 404
    other = await open_form(client, "/admin/results/new")
    r = await client.post("/admin/results/new", data={**result_form(task_number="X-2"), **other, "once": keys["once"]})
    assert r.status_code == 403 and await Result.count() == 1  # another's key publishes nothing


@pytest.mark.parametrize("role", ["supervisor"])
async def test_other_roles_are_refused(client, role) -> None:
    await load_regions_and_departments()
    await create_user("pub-sup", PASSWORD, role, region_code="371500")
    await admin_login(client, "pub-sup")
    assert (await client.get("/admin/publish")).status_code == 403
    page = await client.get("/admin/results/new")
    assert page.status_code == 403
    token = csrf_of((await client.get("/admin/")).text)
    r = await client.post("/admin/results/new", data={**result_form(), "_csrf_token": token, "once": "a" * 32})
    assert r.status_code == 403 and await Result.count() == 0
    assert 'href="/admin/publish"' not in (await client.get("/admin/")).text  # no link to what is refused


async def test_enterprise_accounts_never_reach_the_forms(client) -> None:
    await create_user("pub-ent", PASSWORD, "enterprise", uscc=make_uscc(seed=9))
    page = await client.get("/admin/login")
    r = await client.post(
        "/admin/login", data={"username": "pub-ent", "password": PASSWORD, "_csrf_token": csrf_of(page.text)}
    )
    assert r.status_code == 403
    r = await client.get("/admin/results/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")


async def test_a_cross_site_post_is_refused(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/results/new")
    r = await client.post(
        "/admin/results/new", data={**keys, **result_form()}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403 and "跨站提交被拒绝" in r.text
    r = await client.post("/admin/results/new", data={**result_form(), "once": keys["once"]})  # no CSRF token
    assert r.status_code == 403
    assert await counts(Result, FormSubmission) == [0, 0]
