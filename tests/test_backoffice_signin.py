"""Back-office sign-in over real HTTP: the form, good and wrong passwords, an enterprise refused,
the throttle, CSRF, the next redirect, the cookie's attributes and sign-out."""

from __future__ import annotations

import re

import httpx
import pytest

from db.users import create_user
from tests.helpers import PASSWORD, make_uscc

DEPT = "371500-scjg"


def csrf_of(html: str) -> str:
    m = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD, next_: str = "") -> httpx.Response:
    r = await client.get("/admin/login" + (f"?next={next_}" if next_ else ""))
    assert r.status_code == 200
    data = {"username": username, "password": password, "_csrf_token": csrf_of(r.text)}
    if next_:
        data["next"] = re.search(r'name="next" value="([^"]*)"', r.text).group(1)
    return await client.post("/admin/login", data=data)


@pytest.fixture
async def officer(client):
    await create_user("off-a", PASSWORD, "officer", department_code=DEPT)
    return "off-a"


async def test_login_form_has_labelled_fields_and_a_csrf_token(client) -> None:
    r = await client.get("/admin/login")
    assert r.status_code == 200
    assert '<label for="f-username">用户名</label>' in r.text
    assert '<label for="f-password">密码</label>' in r.text
    assert len(csrf_of(r.text)) > 64
    assert r.headers["cache-control"] == "no-store"


async def test_unauthenticated_page_redirects_to_login_with_next(client) -> None:
    r = await client.get("/admin/?x=1")
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/login?next=/admin%3Fx%3D1"


async def test_good_password_signs_in_and_goes_to_next(client, officer) -> None:
    r = await login(client, officer, next_="/admin%3Fx%3D1")
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/admin?x=1"
    r = await client.get("/admin/")
    assert r.status_code == 200
    assert "待办" in r.text and "off-a" in r.text


@pytest.mark.parametrize(
    "bad", ["https://evil.example/admin/", "//evil.example/admin", "/\\evil.example", "/results/1"]
)
async def test_next_outside_the_back_office_is_ignored(client, officer, bad) -> None:
    r = await client.get("/admin/login", params={"next": bad})
    data = {"username": officer, "password": PASSWORD, "_csrf_token": csrf_of(r.text), "next": bad}
    r = await client.post("/admin/login", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/admin/"


async def test_session_cookie_attributes(client, officer) -> None:
    r = await login(client, officer)
    cookies = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("gongshi_admin=")]
    assert len(cookies) == 1, r.headers
    c = cookies[0].lower()
    assert "path=/admin" in c and "httponly" in c and "samesite=strict" in c
    assert "max-age=1800" in c
    assert "secure" not in c  # BASE_URL is http in tests


async def test_wrong_password_and_unknown_user_get_the_same_message(client, officer) -> None:
    wrong = await login(client, officer, "not-the-password")
    unknown = await login(client, "nobody-here", "not-the-password")
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert "用户名或密码错误。" in r.text
        assert "gongshi_admin=" not in r.headers.get("set-cookie", "")
    assert (await client.get("/admin/")).status_code == 303


async def test_enterprise_account_is_refused_with_403(client) -> None:
    await create_user("ent-a", PASSWORD, "enterprise", uscc=make_uscc(seed=7))
    r = await login(client, "ent-a")
    assert r.status_code == 403
    assert "无权使用政务后台" in r.text and 'href="/repair"' in r.text
    assert (await client.get("/admin/")).status_code == 303


async def test_post_without_csrf_token_is_refused(client, officer) -> None:
    await client.get("/admin/login")  # the CSRF cookie is set
    r = await client.post("/admin/login", data={"username": officer, "password": PASSWORD})
    assert r.status_code == 403
    r = await client.post("/admin/login", data={"username": officer, "password": PASSWORD, "_csrf_token": "x" * 128})
    assert r.status_code == 403
    assert (await client.get("/admin/")).status_code == 303


async def test_sign_out_ends_the_session(client, officer) -> None:
    await login(client, officer)
    r = await client.get("/admin/")
    assert r.status_code == 200
    r = await client.post("/admin/logout", data={"_csrf_token": csrf_of(r.text)})
    assert r.status_code == 303 and r.headers["location"] == "/admin/login?signed_out=1"
    assert (await client.get("/admin/")).status_code == 303


async def test_sign_in_gives_a_new_session_id_and_ends_the_old_one(client, officer) -> None:
    token = csrf_of((await client.get("/admin/login")).text)
    form = {"username": officer, "password": PASSWORD, "_csrf_token": token}
    assert (await client.post("/admin/login", data=form)).status_code == 303
    first = client.cookies.get("gongshi_admin", path="/admin")
    assert (await client.post("/admin/login", data=form)).status_code == 303
    second = client.cookies.get("gongshi_admin", path="/admin")
    assert first and second and first != second
    for cookie, status in ((first, 303), (second, 200)):
        client.cookies.clear()
        client.cookies.set("gongshi_admin", cookie, domain="testserver.local", path="/admin")
        assert (await client.get("/admin/")).status_code == status


def test_cookies_are_secure_under_an_https_base_url() -> None:
    from backoffice.session import csrf_config, session_config
    from settings import Settings

    for base, secure in (("https://gongshi.example.gov.cn", True), ("http://127.0.0.1:8000", False)):
        s = Settings(base_url=base, admin_session_idle_seconds=900)
        sc, cc = session_config(s), csrf_config(s)
        assert sc.secure is secure and cc.cookie_secure is secure
        assert sc.path == cc.cookie_path == "/admin"
        assert sc.httponly and cc.cookie_httponly and sc.samesite == cc.cookie_samesite == "strict"
        assert sc.max_age == 900 and sc.renew_on_access
