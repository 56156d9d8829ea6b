"""One sign-in use case (domain.signin.authenticate) behind the API token, the portal's enterprise
sign-in and the back office: failed attempts throttled per account and per client address (429
with Retry-After), an unknown username costing the same scrypt, and the password checked off
the event loop."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import pytest

from db.users import create_user
from domain.auth import check_password, hash_password
from tests.helpers import BROWSER, PASSWORD, make_uscc


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver.local", event_hooks=BROWSER)


async def admin_post(c: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await c.get("/admin/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    return await c.post("/admin/login", data={"username": username, "password": password, "_csrf_token": token})


async def test_account_throttled_after_ten_failures_even_with_the_right_password(app, clean_db, settings) -> None:
    await create_user("off-t", PASSWORD, "officer", department_code="371500-scjg")
    async with client_at(app, "10.1.0.1") as c:
        for _ in range(settings.signin_limit_account):
            assert (await admin_post(c, "off-t", "wrong-password")).status_code == 401
        r = await admin_post(c, "off-t", PASSWORD)
        assert r.status_code == 429
        wait = int(r.headers["retry-after"])
        assert 0 < wait <= settings.signin_window_seconds
        assert "登录失败次数过多" in r.text and "分钟后再试" in r.text
    # The same account from another address is throttled too (per account) ...
    async with client_at(app, "10.1.0.2") as c:
        assert (await admin_post(c, "off-t", PASSWORD)).status_code == 429
        # ... while another account from that address signs in.
        await create_user("off-u", PASSWORD, "officer", department_code="371500-scjg")
        assert (await admin_post(c, "off-u", PASSWORD)).status_code == 303


async def test_address_throttled_across_accounts(app, clean_db, settings) -> None:
    await create_user("off-v", PASSWORD, "officer", department_code="371500-scjg")
    async with client_at(app, "10.2.0.1") as c:
        for i in range(settings.signin_limit_client):
            r = await c.post("/api/v1/auth/token", json={"username": f"guess-{i}", "password": "x" * 10})
            assert r.status_code == 401, (i, r.text)
        r = await c.post("/api/v1/auth/token", json={"username": "off-v", "password": PASSWORD})
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["retry-after"]) > 0
        assert r.json()["retry_after"] == int(r.headers["retry-after"])
        # Every sign-in shares the count: the back office and the portal refuse this address too.
        assert (await admin_post(c, "off-v", PASSWORD)).status_code == 429
        r = await c.post("/repair/sign-in", data={"username": "off-v", "password": PASSWORD})
        assert r.status_code == 429 and r.headers["retry-after"]
    async with client_at(app, "10.2.0.2") as c:
        r = await c.post("/api/v1/auth/token", json={"username": "off-v", "password": PASSWORD})
        assert r.status_code == 200


async def test_a_parallel_burst_gets_no_more_guesses_than_the_limit(app, clean_db, settings) -> None:
    await create_user("off-b", PASSWORD, "officer", department_code="371500-scjg")
    async with client_at(app, "10.7.0.1") as c:
        rs = await asyncio.gather(
            *(c.post("/api/v1/auth/token", json={"username": "off-b", "password": f"guess-{i}"}) for i in range(30))
        )
    codes = sorted(r.status_code for r in rs)
    assert codes.count(401) == settings.signin_limit_account, codes
    assert codes.count(429) == 30 - settings.signin_limit_account


async def test_portal_sign_in_is_throttled_per_account(app, clean_db, settings) -> None:
    await create_user("ent-t", PASSWORD, "enterprise", uscc=make_uscc(seed=11))
    async with client_at(app, "10.3.0.1") as c:
        for _ in range(settings.signin_limit_account):
            r = await c.post("/repair/sign-in", data={"username": "ent-t", "password": "wrong-password"})
            assert r.status_code == 401
        r = await c.post("/repair/sign-in", data={"username": "ent-t", "password": PASSWORD})
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) > 0


async def test_successful_sign_ins_are_not_counted(app, clean_db, settings) -> None:
    await create_user("off-w", PASSWORD, "officer", department_code="371500-scjg")
    async with client_at(app, "10.4.0.1") as c:
        for _ in range(settings.signin_limit_account + 2):
            r = await c.post("/api/v1/auth/token", json={"username": "off-w", "password": PASSWORD})
            assert r.status_code == 200


@pytest.mark.parametrize("unknown", [False, True])
async def test_password_check_does_not_block_the_event_loop(app, clean_db, unknown) -> None:
    """CPU time of the event loop's own thread (time.thread_time, so other processes on the
    machine do not matter): on the loop, n checks would cost it n scrypts; in worker threads it
    only handles the requests."""
    await create_user("off-x", PASSWORD, "officer", department_code="371500-scjg")
    stored = hash_password(PASSWORD)
    started = time.thread_time()
    check_password("wrong-password", stored)  # one scrypt, on this (the loop's) thread
    one_scrypt = time.thread_time() - started
    n = 8
    name = "nobody" if unknown else "off-x"
    async with client_at(app, "10.5.0.1") as c:
        await c.post("/api/v1/auth/token", json={"username": name, "password": "warm-up"})
        started = time.thread_time()
        rs = await asyncio.gather(
            *(c.post("/api/v1/auth/token", json={"username": name, "password": "wrong-pw"}) for _ in range(n))
        )
        loop_cpu = time.thread_time() - started
    assert all(r.status_code == 401 for r in rs)
    assert loop_cpu < n * one_scrypt / 2, (loop_cpu, one_scrypt)


async def test_unknown_username_costs_a_scrypt_like_a_wrong_password(app, clean_db) -> None:
    await create_user("off-y", PASSWORD, "officer", department_code="371500-scjg")
    async with client_at(app, "10.6.0.1") as c:

        async def timed(name: str) -> float:
            best = 1e9
            for _ in range(3):
                t = time.perf_counter()
                r = await c.post("/api/v1/auth/token", json={"username": name, "password": "wrong-pw"})
                assert r.status_code == 401
                best = min(best, time.perf_counter() - t)
            return best

        known, unknown = await timed("off-y"), await timed("no-such-user")
    assert unknown > known * 0.6, (known, unknown)
