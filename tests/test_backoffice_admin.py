"""Administration in the back office (issue 12 item 7) over real HTTP: accounts (create with a
one-time password, bad input, deactivate with a confirmation that ends the sessions and tokens,
reactivate, reset a password), the repair-rule profile form (the API's use case), the audit log
(search by actor, action, record and date) and who may see any of it."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest

from db.tables import AuditLog, Department, Region, RepairRule, User
from db.users import create_user
from domain import accounts as rules
from domain.audit import action_label, parse_query
from domain.errors import ValidationFailed
from tests.backoffice_helpers import admin_login, admin_post
from tests.helpers import PASSWORD, make_uscc

DEPT = "371500-scjg"


@pytest.fixture
async def world(client):
    await Region.insert(
        Region(code="371500", name="聊城市"), Region(code="371502", name="东昌府区", parent_code="371500")
    )
    await Department.insert(
        Department(code=DEPT, name="聊城市市场监督管理局", short_name="市场监管局", region_code="371500")
    )
    await create_user("root-admin", PASSWORD, "admin", department_code=DEPT)
    await create_user("off-a", PASSWORD, "officer", department_code=DEPT)
    await create_user("sup-a", PASSWORD, "supervisor", region_code="371500")
    return client


def temp_password(html: str) -> str:
    m = re.search(r'id="temp-password">([^<]+)<', html)
    assert m, "no temporary password in the page"
    return m.group(1)


async def counts() -> tuple[int, int]:
    return await User.count(), await AuditLog.count()


# -- rules without a server -------------------------------------------------------------


def test_new_account_checks_name_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as e:
        rules.check_new_account(
            {"username": "a", "role": "officer", "department_code": "nowhere", "display_name": "x" * 101},
            {DEPT},
            {"371500"},
        )
    assert {f.field for f in e.value.errors} == {"username", "department_code", "display_name"}
    with pytest.raises(ValidationFailed) as e:
        rules.check_new_account({"username": "boss", "role": "admin", "department_code": DEPT}, {DEPT}, set())
    assert [f.field for f in e.value.errors] == ["role"]  # no administrator from the web
    with pytest.raises(ValidationFailed) as e:
        rules.check_new_account({"username": "ent", "role": "enterprise", "uscc": "123"}, set(), set())
    assert [f.field for f in e.value.errors] == ["uscc"]


def test_new_account_keeps_only_the_scope_of_its_role() -> None:
    a = rules.check_new_account(
        {"username": "sup-b", "role": "supervisor", "region_code": "371500", "department_code": DEPT},
        {DEPT},
        {"371500"},
    )
    assert (a.region_code, a.department_code) == ("371500", "")


def test_temporary_passwords_are_long_and_differ() -> None:
    seen = {rules.temporary_password() for _ in range(50)}
    assert len(seen) == 50
    assert all(len(p) == 12 and not set(p) & set("0O1lI") for p in seen)


def test_a_session_from_before_a_change_is_void() -> None:
    changed = dt.datetime(2026, 12, 8, 1, 0, tzinfo=dt.UTC)
    assert rules.signed_in_before_change(changed.timestamp() - 1, changed)
    assert not rules.signed_in_before_change(changed.timestamp() + 1, changed)
    assert rules.signed_in_before_change(None, changed)
    assert not rules.signed_in_before_change(None, None)


def test_audit_query_names_bad_fields_and_counts_whole_beijing_days() -> None:
    with pytest.raises(ValidationFailed) as e:
        parse_query(since="2026-13-01", object_type="nothing", object_id="1")
    assert {f.field for f in e.value.errors} == {"since", "object_type"}
    with pytest.raises(ValidationFailed) as e:
        parse_query(since="2026-12-08", until="2026-12-01")
    assert [f.field for f in e.value.errors] == ["until"]
    with pytest.raises(ValidationFailed) as e:
        parse_query(object_id="7")
    assert [f.field for f in e.value.errors] == ["object_type"]
    q = parse_query(since="2026-12-08", until="2026-12-08")
    # 00:00 Beijing on the 8th is 16:00 UTC on the 7th; the end is the start of the 9th.
    assert q.since == dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)
    assert q.until == dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)


def test_action_labels_take_the_procedures_own_words() -> None:
    assert action_label("repair_approve") == "信用修复：准予修复"
    assert action_label("withdraw_revoked") == "停止公示：发布机关撤回"
    assert action_label("complaint_substantiated") == "投诉：属实"
    assert action_label("account_create") == "账号创建"
    assert action_label("something_new") == "something_new"


# -- accounts ---------------------------------------------------------------------------


async def test_admin_creates_an_officer_who_signs_in_with_the_one_time_password(world, app) -> None:
    client = world
    await admin_login(client, "root-admin")
    r = await admin_post(
        client,
        "/admin/accounts",
        {"username": "off-new", "role": "officer", "department_code": DEPT, "display_name": "张三"},
        "/admin/accounts/new",
    )
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    password = temp_password(r.text)
    row = await User.select().where(User.username == "off-new").first()
    assert (row["role"], row["department_code"], row["active"]) == ("officer", DEPT, True)
    assert password not in row["password_hash"]
    audit = await AuditLog.select().where(AuditLog.object_id == "off-new").first()
    assert (audit["action"], audit["actor"], audit["object_type"]) == ("account_create", "root-admin", "account")
    assert password not in str(audit["detail"])

    # A second submit of the same form creates nothing more.
    before = await counts()
    again = await admin_post(
        client,
        "/admin/accounts",
        {"username": "off-new", "role": "officer", "department_code": DEPT},
        "/admin/accounts/new",
    )
    assert again.status_code == 422 and "已被使用" in again.text
    assert await counts() == before

    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    async with other:
        await admin_login(other, "off-new", password)
        assert (await other.get("/admin/")).status_code == 200


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"username": "x", "role": "officer", "department_code": DEPT}, "username"),
        ({"username": "off-b", "role": "officer", "department_code": ""}, "department_code"),
        ({"username": "off-b", "role": "officer", "department_code": "999999-none"}, "department_code"),
        ({"username": "sup-b", "role": "supervisor", "region_code": ""}, "region_code"),
        ({"username": "ent-b", "role": "enterprise", "uscc": "91370000"}, "uscc"),
        ({"username": "boss", "role": "admin", "department_code": DEPT}, "role"),
        ({"username": "off-a", "role": "officer", "department_code": DEPT}, "username"),
    ],
)
async def test_bad_account_form_comes_back_with_the_message_at_its_field(world, fields, bad) -> None:
    client = world
    await admin_login(client, "root-admin")
    before = await counts()
    r = await admin_post(client, "/admin/accounts", fields, "/admin/accounts/new")
    assert r.status_code == 422, r.text
    assert f'id="f-{bad}-error"' in r.text
    assert f'value="{fields["username"]}"' in r.text  # what was typed is kept
    assert await counts() == before


async def test_enterprise_account_gets_its_uscc(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    code = make_uscc()
    r = await admin_post(
        client, "/admin/accounts", {"username": "ent-b", "role": "enterprise", "uscc": code}, "/admin/accounts/new"
    )
    assert r.status_code == 200, r.text
    row = await User.select().where(User.username == "ent-b").first()
    assert (row["role"], row["uscc"], row["department_code"]) == ("enterprise", code, "")


async def test_deactivation_asks_first_then_ends_the_sessions_and_tokens(world, app) -> None:
    client = world
    # The officer is signed in to the back office and holds an API token.
    officer = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    async with officer:
        await admin_login(officer, "off-a")
        token = (await officer.post("/api/v1/auth/token", json={"username": "off-a", "password": PASSWORD})).json()[
            "access_token"
        ]
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await officer.get("/api/v1/admin/repair-applications", headers=bearer)).status_code == 200

        await admin_login(client, "root-admin")
        empty = await admin_post(client, "/admin/accounts/off-a/deactivate", {"reason": " "}, "/admin/accounts/off-a")
        assert empty.status_code == 422 and 'id="f-reason-error"' in empty.text
        ask = await admin_post(
            client, "/admin/accounts/off-a/deactivate", {"reason": "调离本部门"}, "/admin/accounts/off-a"
        )
        assert ask.status_code == 200 and "请确认：停用账号 off-a" in ask.text
        assert (await User.select(User.active).where(User.username == "off-a").first())["active"] is True

        done = await admin_post(
            client,
            "/admin/accounts/off-a/deactivate",
            {"reason": "调离本部门", "confirm": "1"},
            "/admin/accounts/off-a",
        )
        assert done.status_code == 303
        assert (await client.get(done.headers["location"])).status_code == 200
        assert (await User.select(User.active).where(User.username == "off-a").first())["active"] is False
        # Its session and its token are gone; it cannot sign in.
        assert (await officer.get("/admin/")).status_code == 303
        assert (await officer.get("/api/v1/admin/repair-applications", headers=bearer)).status_code == 401
        again = await officer.post("/api/v1/auth/token", json={"username": "off-a", "password": PASSWORD})
        assert again.status_code == 401

        # A second confirmation changes nothing (409 naming the state).
        twice = await admin_post(
            client,
            "/admin/accounts/off-a/deactivate",
            {"reason": "调离本部门", "confirm": "1"},
            "/admin/accounts/off-a",
        )
        assert twice.status_code == 409 and "已是停用状态" in twice.text
        assert await AuditLog.count().where(AuditLog.action == "account_deactivate") == 1

        back = await admin_post(
            client, "/admin/accounts/off-a/reactivate", {"reason": "回到本部门"}, "/admin/accounts/off-a"
        )
        assert back.status_code == 303
        assert (
            await officer.post("/api/v1/auth/token", json={"username": "off-a", "password": PASSWORD})
        ).status_code == 200


async def test_reset_password_gives_a_new_one_time_password_and_ends_old_sessions(world, app) -> None:
    client = world
    officer = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
    async with officer:
        await admin_login(officer, "off-a")
        await admin_login(client, "root-admin")
        ask = await admin_post(client, "/admin/accounts/off-a/reset-password", {}, "/admin/accounts/off-a")
        assert ask.status_code == 200 and "请确认：重置账号 off-a 的密码" in ask.text
        r = await admin_post(client, "/admin/accounts/off-a/reset-password", {"confirm": "1"}, "/admin/accounts/off-a")
        assert r.status_code == 200
        new = temp_password(r.text)
        assert (await officer.get("/admin/")).status_code == 303  # signed out by the reset
        old = await officer.post("/api/v1/auth/token", json={"username": "off-a", "password": PASSWORD})
        assert old.status_code == 401
        officer.cookies.clear()
        await admin_login(officer, "off-a", new)
        assert (await officer.get("/admin/")).status_code == 200
    assert await AuditLog.count().where(AuditLog.action == "account_password_reset") == 1


async def test_the_admin_cannot_deactivate_itself_nor_manage_admin_accounts_from_the_web(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    r = await admin_post(
        client, "/admin/accounts/root-admin/deactivate", {"reason": "x", "confirm": "1"}, "/admin/accounts/root-admin"
    )
    assert r.status_code == 409
    assert (await User.select(User.active).where(User.username == "root-admin").first())["active"] is True
    await create_user("other-admin", PASSWORD, "admin", department_code=DEPT)
    r = await admin_post(
        client, "/admin/accounts/other-admin/reset-password", {"confirm": "1"}, "/admin/accounts/other-admin"
    )
    assert r.status_code == 409 and "gongshi create-user" in r.text
    assert (await client.get("/admin/accounts/nobody")).status_code == 404


async def test_account_list_finds_by_role_and_name(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    r = await client.get("/admin/accounts", params={"role": "supervisor"})
    assert r.status_code == 200
    assert "sup-a" in r.text and "off-a" not in r.text
    r = await client.get("/admin/accounts", params={"find": "off"})
    assert "off-a" in r.text and "sup-a" not in r.text


@pytest.mark.parametrize("who", ["off-a", "sup-a"])
async def test_officers_and_supervisors_are_refused_administration(world, who) -> None:
    client = world
    await admin_login(client, who)
    for url in ("/admin/accounts", "/admin/accounts/new", "/admin/audit", "/admin/repair-rules/new"):
        assert (await client.get(url)).status_code == 403, url
    r = await admin_post(
        client, "/admin/accounts", {"username": "sneaky", "role": "officer", "department_code": DEPT}, "/admin/"
    )
    assert r.status_code == 403
    assert not await User.exists().where(User.username == "sneaky")
    nav = (await client.get("/admin/")).text
    assert "/admin/accounts" not in nav and "/admin/audit" not in nav


async def test_a_cross_site_post_is_refused(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    page = await client.get("/admin/accounts/new")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post(
        "/admin/accounts",
        data={"username": "evil", "role": "officer", "department_code": DEPT, "_csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    r = await client.post("/admin/accounts", data={"username": "evil", "role": "officer", "department_code": DEPT})
    assert r.status_code == 403
    assert not await User.exists().where(User.username == "evil")


# -- repair-rule profiles ---------------------------------------------------------------


async def test_rule_profile_form_stores_through_the_apis_use_case(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    form = {
        "rows": "3",
        "jurisdiction": "371500",
        "source": "《聊城市市场监督管理信用修复实施细则》(聊市监规〔2026〕1号)",
        "rules-0-check_field": "*",
        "rules-0-min_months": "6",
        "rules-0-max_months": "36",
        "rules-0-accept_days": "2",
        "rules-0-decide_days": "10",
        "rules-0-objection_days": "5",
        "rules-1-check_field": "food",
        "rules-1-min_months": "12",
        "rules-1-max_months": "36",
        "rules-1-accept_days": "2",
        "rules-1-decide_days": "10",
        "rules-1-objection_days": "5",
        "rules-1-required_materials": "application,commitment,correction",
    }
    r = await admin_post(client, "/admin/repair-rules", form, "/admin/repair-rules/new")
    assert r.status_code == 303, r.text
    stored = await RepairRule.select().where(RepairRule.jurisdiction == "371500").order_by(RepairRule.check_field)
    assert [(s["check_field"], s["accept_days"], s["created_by"]) for s in stored] == [
        ("*", 2, "root-admin"),
        ("food", 2, "root-admin"),
    ]
    assert stored[1]["required_materials"] == "application,commitment,correction"
    listing = await client.get(r.headers["location"])
    assert "已新增地区 371500 的规则" in listing.text and "聊市监规〔2026〕1号" in listing.text
    public = (await client.get("/api/v1/repair-rules")).json()
    assert any(p.get("jurisdiction") == "371500" for p in public.get("profiles", public.get("items", [])))

    # The same profile again: 409, nothing more stored.
    again = await admin_post(client, "/admin/repair-rules", form, "/admin/repair-rules/new")
    assert again.status_code == 409
    assert await RepairRule.count().where(RepairRule.jurisdiction == "371500") == 2


async def test_bad_rule_rows_are_named_by_their_place_on_the_page(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    before = (await RepairRule.count(), await AuditLog.count())
    form = {
        "rows": "3",
        "jurisdiction": "37150",
        "source": "",
        # row 0 left blank: not a rule; row 1 has a bad number and min above max.
        "rules-1-check_field": "food",
        "rules-1-min_months": "40",
        "rules-1-max_months": "36",
        "rules-1-accept_days": "two",
        "rules-1-decide_days": "10",
        "rules-1-objection_days": "5",
    }
    r = await admin_post(client, "/admin/repair-rules", form, "/admin/repair-rules/new")
    assert r.status_code == 422, r.text
    for fid in ("f-jurisdiction-error", "f-source-error", "f-rules-1-accept_days-error", "f-rules-1-min_months-error"):
        assert f'id="{fid}"' in r.text, fid
    assert 'value="two"' in r.text
    assert (await RepairRule.count(), await AuditLog.count()) == before


async def test_add_row_keeps_what_was_typed_and_stores_nothing(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    r = await admin_post(
        client,
        "/admin/repair-rules",
        {"rows": "3", "add_row": "1", "jurisdiction": "371500", "source": "某文件", "rules-0-min_months": "6"},
        "/admin/repair-rules/new",
    )
    assert r.status_code == 200
    assert 'name="rules-3-check_field"' in r.text and 'name="rules-4-check_field"' not in r.text
    assert 'value="某文件"' in r.text and 'value="6"' in r.text
    assert await RepairRule.count().where(RepairRule.jurisdiction == "371500") == 0


async def test_officers_read_the_rule_table_but_cannot_add(world) -> None:
    client = world
    await admin_login(client, "off-a")
    r = await client.get("/admin/repair-rules")
    assert r.status_code == 200 and "国市监信规〔2021〕3号" in r.text
    assert "/admin/repair-rules/new" not in r.text


# -- the audit log ----------------------------------------------------------------------


async def test_audit_log_is_searchable_by_actor_action_record_and_date(world, clock) -> None:
    client = world
    await admin_login(client, "root-admin")
    for name in ("off-x", "off-y"):
        await admin_post(
            client,
            "/admin/accounts",
            {"username": name, "role": "officer", "department_code": DEPT},
            "/admin/accounts/new",
        )
    await admin_post(
        client, "/admin/accounts/off-x/deactivate", {"reason": "离职", "confirm": "1"}, "/admin/accounts/off-x"
    )

    def objects(html: str) -> list[str]:
        return re.findall(r"object_id=([^\"&]+)\">", html)

    r = await client.get("/admin/audit")
    assert r.status_code == 200
    assert objects(r.text) == ["off-x", "off-y", "off-x"]  # newest first
    assert "账号停用" in r.text and "离职" in r.text
    r = await client.get("/admin/audit", params={"action": "account_create"})
    assert objects(r.text) == ["off-y", "off-x"]
    r = await client.get("/admin/audit", params={"object_type": "account", "object_id": "off-x"})
    assert objects(r.text) == ["off-x", "off-x"]
    r = await client.get("/admin/audit", params={"actor": "off-a"})
    assert objects(r.text) == []
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    r = await client.get("/admin/audit", params={"since": today.isoformat(), "until": today.isoformat()})
    assert len(objects(r.text)) == 3
    r = await client.get("/admin/audit", params={"until": (today - dt.timedelta(days=1)).isoformat()})
    assert objects(r.text) == []
    # The account's page shows its own history.
    page = await client.get("/admin/accounts/off-x")
    assert "账号创建" in page.text and "账号停用：离职" in page.text


async def test_bad_audit_search_is_a_422_naming_the_fields(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    r = await client.get("/admin/audit", params={"since": "yesterday", "object_id": "5"})
    assert r.status_code == 422
    assert 'id="f-since-error"' in r.text and 'id="f-object_type-error"' in r.text
    r = await client.get("/admin/audit", params={"cursor": "not-a-cursor"})
    assert r.status_code == 422


async def test_audit_log_pages_by_keyset(world) -> None:
    client = world
    await admin_login(client, "root-admin")
    actor = type("A", (), {"username": "root-admin", "role": "admin", "department_code": DEPT})()
    from db.changes import audit_many

    await audit_many(actor, "publish", "result", list(range(1, 46)))
    first = await client.get("/admin/audit", params={"action": "publish"})
    ids = re.findall(r"object_id=(\d+)\">", first.text)
    assert ids == [str(i) for i in range(45, 15, -1)]
    nxt = re.search(r'href="(/admin/audit\?[^"]*cursor=[^"]+)"', first.text).group(1).replace("&amp;", "&")
    second = await client.get(nxt)
    assert re.findall(r"object_id=(\d+)\">", second.text) == [str(i) for i in range(15, 0, -1)]
