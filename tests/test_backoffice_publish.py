"""Publishing one record in the back office over real HTTP (/admin/publish and its forms): each
form calls the use case its /api/v1/admin twin calls, bad input comes back as the form (422) with
the message by its field and the typed values kept and stores nothing (record, audit, change log,
outbox and form-key tables unchanged), a good form publishes and confirms with links, the same
form posted twice publishes once (backoffice/once.py), another role is refused, a cross-site post
is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from db.tables import AuditLog, ChangeLog, Document, FormSubmission, Honour, Outbox, Result, ScanRecord
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


async def test_two_posts_of_one_form_at_the_same_moment_publish_once(client) -> None:
    """A double click sends both posts before the first answers: on PostgreSQL the later
    transaction fails on the unique key and then finds the first one's outcome."""
    await officer(client)
    keys = await open_form(client, "/admin/results/new")
    form = {**keys, **result_form()}
    first, second = await asyncio.gather(*(client.post("/admin/results/new", data=form) for _ in range(2)))
    assert {first.status_code, second.status_code} == {303}, (first.text, second.text)
    locations = sorted(r.headers["location"] for r in (first, second))
    done = f"/admin/results/published/{keys['once']}"
    assert locations == [done, f"{done}?again=1"]
    assert await counts(Result, FormSubmission) == [1, 1]
    assert await AuditLog.count().where(AuditLog.object_type == "result") == 1


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
    fresh = hidden(r.text, "once")  # the re-rendered form carries a key again: sending it publishes
    assert len(fresh) == 32 and fresh != keys["once"]
    r = await client.post(
        "/admin/results/new", data={**result_form(), "_csrf_token": keys["_csrf_token"], "once": fresh}
    )
    assert r.status_code == 303 and await Result.count() == 1


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


FORM_URLS = ["/admin/results/new", "/admin/honours/new", "/admin/documents/new", "/admin/scan-records/new"]


async def test_a_supervisor_is_refused_every_form(client) -> None:
    await load_regions_and_departments()
    await create_user("pub-sup", PASSWORD, "supervisor", region_code="371500")
    await admin_login(client, "pub-sup")
    assert (await client.get("/admin/publish")).status_code == 403
    token = csrf_of((await client.get("/admin/")).text)
    for url, good in zip(FORM_URLS, GOOD, strict=True):
        assert (await client.get(url)).status_code == 403, url
        r = await client.post(url, data={**good(), "_csrf_token": token, "once": "a" * 32})
        assert r.status_code == 403, url
    assert await counts(Result, Honour, Document, ScanRecord, FormSubmission) == [0, 0, 0, 0, 0]
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


@pytest.mark.parametrize("which", range(4))
async def test_a_cross_site_post_is_refused(client, which) -> None:
    await officer(client)
    url, good = FORM_URLS[which], GOOD[which]
    keys = await open_form(client, url)
    r = await client.post(url, data={**keys, **good()}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "跨站提交被拒绝" in r.text
    r = await client.post(url, data={**good(), "once": keys["once"]})  # no CSRF token
    assert r.status_code == 403
    assert await counts(Result, Honour, Document, ScanRecord, FormSubmission) == [0, 0, 0, 0, 0]


# -- honours, documents, scan records -----------------------------------------------------


def honour_form(**kw: str) -> dict[str, str]:
    return {
        "uscc": make_uscc(seed=51),
        "entity_name": "聊城市守信示范有限公司",
        "honour": "守合同重信用企业",
        "kind": "credit",
        "awarded_by": "聊城市市场监督管理局",
        "awarded_on": "2026-03-01",
        "valid_until": "",
        "source_document": "聊市监发〔2026〕3号",
        "region_code": "",
        **kw,
    }


def document_form(**kw: str) -> dict[str, str]:
    return {
        "title": "关于推行“扫码入企”的通知",
        "issuer": "聊城市市场监督管理局",
        "doc_number": "聊市监发〔2026〕9号",
        "issued_on": "2026-10-12",
        "issued_year": "",
        "region_code": "371500",
        "region_name": "聊城市",
        "body": "各县（市、区）市场监管局：\n\n执法人员入企检查一律扫码。",
        "source": "",
        "published_on": "",
        **kw,
    }


def scan_form(**kw: str) -> dict[str, str]:
    return {
        "uscc": make_uscc(seed=61),
        "officer_credentials": "37150012345\n37150012346",
        "scanned_at": "2026-11-20T09:30",
        "method": "scan",
        "task_number": "",
        "location": "聊城市东昌府区",
        **kw,
    }


GOOD: list[Callable[[], dict[str, Any]]] = [result_form, honour_form, document_form, scan_form]


async def test_the_other_forms_default_to_the_department_and_today(client) -> None:
    await officer(client)
    hub = (await client.get("/admin/publish")).text
    for url in FORM_URLS:
        assert f'href="{url}"' in hub
    doc = (await client.get("/admin/documents/new")).text
    assert 'name="issuer" type="text" value="聊城市市场监督管理局"' in doc  # the department's full name
    assert 'name="region_code" type="text" value="371500"' in doc  # its region
    assert f'name="published_on" type="date" value="{shanghai_today().isoformat()}"' in doc
    honour = (await client.get("/admin/honours/new")).text
    assert '<option value="whitelist">“无事不扰”白名单</option>' in honour  # portal.labels.HONOUR_KINDS
    scan = (await client.get("/admin/scan-records/new")).text
    assert '<option value="checkin">定位打卡</option>' in scan
    assert re.search(rf'name="scanned_at" type="datetime-local" value="{shanghai_today().isoformat()}T\d\d:\d\d"', scan)


BAD = [
    (
        "/admin/honours/new",
        Honour,
        honour_form(uscc="123", honour="", awarded_on="2026-02-30", valid_until="2020-01-01"),
        {"uscc": "", "honour": "荣誉名称不能为空", "awarded_on": "授予日期格式应为"},
    ),
    (
        "/admin/honours/new",
        Honour,
        honour_form(valid_until="2026-01-01"),
        {"valid_until": "有效期至应为不早于授予日期的日期"},
    ),
    (
        "/admin/documents/new",
        Document,
        document_form(title="", region_code="3715", issued_on="", issued_year=""),
        {"title": "标题不能为空", "region_code": "行政区划代码应为6位数字", "issued_year": "需要发文年份"},
    ),
    (
        "/admin/documents/new",
        Document,
        document_form(issued_on="2026-10-12", issued_year="2025", body="   "),
        {"issued_year": "发文年份与发文日期不一致", "body": "正文不能为空"},
    ),
    (
        "/admin/scan-records/new",
        ScanRecord,
        scan_form(officer_credentials="37150012345\n37150012345", scanned_at="2999-01-01T08:00", method="x"),
        {"officer_credentials": "至少两名执法人员", "scanned_at": "扫码时间不能在未来", "method": "方式应为"},
    ),
    (
        "/admin/scan-records/new",
        ScanRecord,
        scan_form(scanned_at="yesterday", uscc=""),
        {"scanned_at": "时间应为带时区的", "uscc": ""},
    ),
]


@pytest.mark.parametrize(("url", "table", "form", "messages"), BAD)
async def test_bad_input_comes_back_by_the_fields_and_stores_nothing(client, url, table, form, messages) -> None:
    await officer(client)
    before = await counts(table, *TRAIL)
    keys = await open_form(client, url)
    r = await client.post(url, data={**keys, **form})
    assert r.status_code == 422, r.text
    for name, words in messages.items():
        assert words in field_error(r.text, name), name
    for name, typed in form.items():
        if typed and name not in ("kind", "method", "body", "officer_credentials"):
            assert f'name="{name}"' in r.text and f'value="{typed}"' in r.text, name  # kept as typed
    assert hidden(r.text, "once") == keys["once"]
    assert await counts(table, *TRAIL) == before


async def test_an_honour_is_published_once_and_public(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/honours/new")
    form = {**keys, **honour_form()}
    r = await client.post("/admin/honours/new", data=form)
    assert r.status_code == 303, r.text
    done = await client.get(r.headers["location"])
    row = await Honour.select().first()
    assert f'href="/honours/{row["id"]}"' in done.text and "守合同重信用企业" in done.text
    public = await client.get(f"/api/v1/honours/{row['id']}")
    assert public.status_code == 200 and public.json()["honour"] == "守合同重信用企业"
    assert row["department_code"] == DEPT and row["kind"] == "credit" and row["region_code"] == "371500"
    hid = str(row["id"])
    assert await AuditLog.count().where(AuditLog.object_id == hid, AuditLog.actor == "pub-officer") == 1
    assert await ChangeLog.count().where(ChangeLog.object_id == hid) == 1
    trail = await counts(Honour, *TRAIL)
    again = await client.post("/admin/honours/new", data=form)
    assert again.status_code == 303 and again.headers["location"].endswith("?again=1")
    assert await counts(Honour, *TRAIL) == trail and trail[0] == 1


async def test_a_document_is_published_once_and_public(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/documents/new")
    form = {**keys, **document_form()}
    r = await client.post("/admin/documents/new", data=form)
    assert r.status_code == 303, r.text
    done = await client.get(r.headers["location"])
    row = await Document.select().first()
    assert f'href="/documents/{row["id"]}"' in done.text and "聊市监发〔2026〕9号" in done.text
    public = await client.get(f"/api/v1/documents/{row['id']}")
    assert public.status_code == 200 and public.json()["title"] == "关于推行“扫码入企”的通知"
    assert row["issued_year"] == 2026 and row["published_on"] == shanghai_today()
    page = await client.get(f"/documents/{row['id']}")
    assert page.status_code == 200 and "执法人员入企检查一律扫码。" in page.text
    trail = await counts(Document, *TRAIL)
    assert (await client.post("/admin/documents/new", data=form)).status_code == 303
    assert await counts(Document, *TRAIL) == trail and trail[0] == 1


async def test_a_document_known_only_by_its_year(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/documents/new")
    r = await client.post("/admin/documents/new", data={**keys, **document_form(issued_on="", issued_year="2019")})
    assert r.status_code == 303, r.text
    row = await Document.select().first()
    assert row["issued_on"] is None and row["issued_year"] == 2019


async def test_a_scan_record_is_stored_once_in_beijing_time_and_shown_to_its_department_only(client) -> None:
    await officer(client)
    keys = await open_form(client, "/admin/scan-records/new")
    form = {**keys, **scan_form(method="checkin", officer_credentials="37150012345, 37150012346\n37150012347")}
    r = await client.post("/admin/scan-records/new", data=form)
    assert r.status_code == 303, r.text
    done = await client.get(r.headers["location"])
    assert "扫码记录已保存" in done.text
    row = await ScanRecord.select().output(load_json=True).first()
    assert row["officer_credentials"] == ["37150012345", "37150012346", "37150012347"]
    assert row["scanned_at"] == dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
    assert row["method"] == "checkin" and row["department_code"] == DEPT
    assert f'href="/admin/scan-records/{row["id"]}"' in done.text
    detail = await client.get(f"/admin/scan-records/{row['id']}")
    assert detail.status_code == 200 and "2026-11-20 09:30" in detail.text and "37150012347" in detail.text
    assert await AuditLog.count().where(AuditLog.object_type == "scan_record") == 1
    assert await ChangeLog.count() == 0  # not public: no change-log entry
    trail = await counts(ScanRecord, *TRAIL)
    assert (await client.post("/admin/scan-records/new", data=form)).status_code == 303
    assert await counts(ScanRecord, *TRAIL) == trail and trail[0] == 1
    client.cookies.clear()
    await create_user("pub-yjj", PASSWORD, "officer", department_code=OTHER)
    await admin_login(client, "pub-yjj")
    assert (await client.get(f"/admin/scan-records/{row['id']}")).status_code == 404


async def test_the_key_and_the_records_commit_together_or_not_at_all(client) -> None:
    """db.once.run_once: what the use case stored is rolled back with the key when it fails after
    storing, and a key carried out answers its first outcome without running the use case."""
    from backoffice.once import new_key, submit_once
    from db.results import insert_results
    from domain.auth import Principal
    from domain.errors import ValidationFailed
    from domain.publishing import publish_results

    await load_regions_and_departments()
    actor = Principal("once-officer", "officer", DEPT)
    raw = {**result_form(), "departments": [DEPT], "inspected_on": dt.date(2026, 11, 2), "published_on": None}
    key = new_key()

    async def store_then_fail() -> list[int]:
        await publish_results(actor, [raw], insert_results, shanghai_today())
        raise ValidationFailed("late failure", [])

    with pytest.raises(ValidationFailed):
        await submit_once({"once": key}, actor, "result", store_then_fail)
    assert await counts(Result, *TRAIL) == [0, 0, 0, 0, 0]
    calls: list[int] = []

    async def store() -> list[int]:
        calls.append(1)
        return await publish_results(actor, [raw], insert_results, shanghai_today())

    first = await submit_once({"once": key}, actor, "result", store)
    second = await submit_once({"once": key}, actor, "result", store)
    assert not first.repeated and second.repeated and first.ids == second.ids and len(calls) == 1


async def test_the_forms_in_english(client) -> None:
    await officer(client)
    page = await client.get("/admin/results/new", params={"lang": "en"})
    assert page.status_code == 200
    assert "Publish an inspection result" in page.text and "Problem found, ordered to correct (X05)" in page.text
    assert '<option value="food">Food</option>' in page.text and "任务单号" not in page.text
    keys = await open_form(client, "/admin/honours/new")
    r = await client.post("/admin/honours/new", params={"lang": "en"}, data={**keys, **honour_form(honour="")})
    assert r.status_code == 422 and "Not published: please check the following" in r.text
    assert field_error(r.text, "honour") == "honour is required"  # the rule's English half
